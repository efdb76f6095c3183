package identitysql

import (
	"context"
	"fmt"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store/dbtx"
)

// --- tenants

const tenantCols = `id, name, legal_name, tax_id, line1, line2, city, region, postal_code, country, currency, time_zone, language, created_at, updated_at, approval_required, billing_run_day`

func (t *Identity) InsertTenant(ctx context.Context, v billing.Tenant) error {
	a := v.Address
	_, err := t.Exec(ctx, `INSERT INTO tenants (`+tenantCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		v.ID, v.Name, v.LegalName, v.TaxID, a.Line1, a.Line2, a.City, a.Region, a.PostalCode, a.Country,
		v.Currency, v.TimeZone, v.Language, t.D.TS(v.CreatedAt), t.D.TS(v.UpdatedAt), v.ApprovalRequired, v.BillingRunDay)
	if err != nil {
		return fmt.Errorf("insert tenant: %w", err)
	}
	return nil
}

func scanTenant(row interface{ Scan(...any) error }) (billing.Tenant, error) {
	var v billing.Tenant
	a := &v.Address
	err := row.Scan(&v.ID, &v.Name, &v.LegalName, &v.TaxID, &a.Line1, &a.Line2, &a.City, &a.Region, &a.PostalCode, &a.Country,
		&v.Currency, &v.TimeZone, &v.Language, dbtx.ScanTS(&v.CreatedAt), dbtx.ScanTS(&v.UpdatedAt), &v.ApprovalRequired, &v.BillingRunDay)
	return v, err
}

func (t *Identity) GetTenant(ctx context.Context, tenantID string) (billing.Tenant, error) {
	v, err := scanTenant(t.QueryRow(ctx, `SELECT `+tenantCols+` FROM tenants WHERE id = ?`, tenantID))
	if dbtx.ErrNoRows(err) {
		return v, dbtx.NotFound("tenant", tenantID)
	}
	if err != nil {
		return v, fmt.Errorf("get tenant: %w", err)
	}
	return v, nil
}

func (t *Identity) UpdateTenant(ctx context.Context, v billing.Tenant) error {
	a := v.Address
	res, err := t.Exec(ctx, `UPDATE tenants SET name=?, legal_name=?, tax_id=?, line1=?, line2=?, city=?, region=?, postal_code=?, country=?,
		currency=?, time_zone=?, language=?, updated_at=?, approval_required=?, billing_run_day=? WHERE id=?`,
		v.Name, v.LegalName, v.TaxID, a.Line1, a.Line2, a.City, a.Region, a.PostalCode, a.Country,
		v.Currency, v.TimeZone, v.Language, t.D.TS(v.UpdatedAt), v.ApprovalRequired, v.BillingRunDay, v.ID)
	return dbtx.MustAffect(res, err, "tenant", v.ID)
}

func (t *Identity) ListTenants(ctx context.Context) ([]billing.Tenant, error) {
	rows, err := t.Query(ctx, `SELECT `+tenantCols+` FROM tenants ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list tenants: %w", err)
	}
	defer rows.Close()
	var out []billing.Tenant
	for rows.Next() {
		v, err := scanTenant(rows)
		if err != nil {
			return nil, fmt.Errorf("scan tenant: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// --- users

const userCols = `tenant_id, id, email, name, role, customer_id, language, password_hash, disabled_at, created_at, updated_at`

func (t *Identity) InsertUser(ctx context.Context, u access.User) error {
	_, err := t.Exec(ctx, `INSERT INTO users (`+userCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
		u.TenantID, u.ID, u.Email, u.Name, string(u.Role), dbtx.Nullable(u.CustomerID), u.Language, u.PasswordHash,
		t.D.NTS(u.DisabledAt), t.D.TS(u.CreatedAt), t.D.TS(u.UpdatedAt))
	if ok, _ := dbtx.UniqueViolation(err); ok {
		return &fail.Error{Code: fail.Conflict, Message: "email: a user with this email already exists in this tenant",
			Fields: []fail.FieldError{{Field: "email", Message: "a user with this email already exists in this tenant"}}}
	}
	if err != nil {
		return fmt.Errorf("insert user: %w", err)
	}
	return nil
}

func scanUser(row interface{ Scan(...any) error }) (access.User, error) {
	var u access.User
	var role string
	err := row.Scan(&u.TenantID, &u.ID, &u.Email, &u.Name, &role, dbtx.ScanText(&u.CustomerID), &u.Language, &u.PasswordHash,
		dbtx.ScanNTS(&u.DisabledAt), dbtx.ScanTS(&u.CreatedAt), dbtx.ScanTS(&u.UpdatedAt))
	u.Role = access.Role(role)
	return u, err
}

func (t *Identity) GetUser(ctx context.Context, tenantID, userID string) (access.User, error) {
	u, err := scanUser(t.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE tenant_id = ? AND id = ?`, tenantID, userID))
	if dbtx.ErrNoRows(err) {
		return u, dbtx.NotFound("user", userID)
	}
	if err != nil {
		return u, fmt.Errorf("get user: %w", err)
	}
	return u, nil
}

func (t *Identity) UpdateUser(ctx context.Context, u access.User) error {
	res, err := t.Exec(ctx, `UPDATE users SET name=?, role=?, language=?, password_hash=?, disabled_at=?, updated_at=? WHERE tenant_id=? AND id=?`,
		u.Name, string(u.Role), u.Language, u.PasswordHash, t.D.NTS(u.DisabledAt), t.D.TS(u.UpdatedAt), u.TenantID, u.ID)
	return dbtx.MustAffect(res, err, "user", u.ID)
}

func (t *Identity) listUsers(ctx context.Context, query string, args ...any) ([]access.User, error) {
	rows, err := t.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []access.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("scan user: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

func (t *Identity) ListUsers(ctx context.Context, tenantID string) ([]access.User, error) {
	return t.listUsers(ctx, `SELECT `+userCols+` FROM users WHERE tenant_id = ? ORDER BY email`, tenantID)
}

func (t *Identity) UsersByEmail(ctx context.Context, email string) ([]access.User, error) {
	return t.listUsers(ctx, `SELECT `+userCols+` FROM users WHERE email = ? ORDER BY created_at, id`, email)
}

func (t *Identity) InsertLoginAttempt(ctx context.Context, a service.LoginAttempt) error {
	if _, err := t.Exec(ctx, `INSERT INTO login_attempts (email, ip, at, success) VALUES (?,?,?,?)`, a.Email, a.IP, t.D.TS(a.At), a.Success); err != nil {
		return fmt.Errorf("insert login attempt: %w", err)
	}
	return nil
}

// CountFailedLogins counts failures since the last success for the email,
// and all failures from the IP, since the given time.
func (t *Identity) CountFailedLogins(ctx context.Context, email, ip string, since time.Time) (int, int, error) {
	var byEmail, byIP int
	err := t.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM login_attempts WHERE email = ? AND at >= ? AND NOT success
			AND COALESCE(at > (SELECT max(at) FROM login_attempts WHERE email = ? AND success), TRUE)),
		(SELECT count(*) FROM login_attempts WHERE ip = ? AND at >= ? AND NOT success)`,
		email, t.D.TS(since), email, ip, t.D.TS(since)).Scan(&byEmail, &byIP)
	if err != nil {
		return 0, 0, fmt.Errorf("count failed logins: %w", err)
	}
	return byEmail, byIP, nil
}

// --- API keys

const apiKeyCols = `tenant_id, id, name, prefix, hash, role, customer_id, created_by, created_at, last_used_at, revoked_at`

func (t *Identity) InsertAPIKey(ctx context.Context, k access.APIKey) error {
	_, err := t.Exec(ctx, `INSERT INTO api_keys (`+apiKeyCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
		k.TenantID, k.ID, k.Name, k.Prefix, k.Hash, string(k.Role), dbtx.Nullable(k.CustomerID), k.CreatedBy,
		t.D.TS(k.CreatedAt), t.D.NTS(k.LastUsedAt), t.D.NTS(k.RevokedAt))
	if err != nil {
		return fmt.Errorf("insert api key: %w", err)
	}
	return nil
}

func scanAPIKey(row interface{ Scan(...any) error }) (access.APIKey, error) {
	var k access.APIKey
	var role string
	err := row.Scan(&k.TenantID, &k.ID, &k.Name, &k.Prefix, &k.Hash, &role, dbtx.ScanText(&k.CustomerID), &k.CreatedBy,
		dbtx.ScanTS(&k.CreatedAt), dbtx.ScanNTS(&k.LastUsedAt), dbtx.ScanNTS(&k.RevokedAt))
	k.Role = access.Role(role)
	return k, err
}

func (t *Identity) APIKeyByHash(ctx context.Context, hash string) (access.APIKey, error) {
	k, err := scanAPIKey(t.QueryRow(ctx, `SELECT `+apiKeyCols+` FROM api_keys WHERE hash = ?`, hash))
	if dbtx.ErrNoRows(err) {
		return k, fail.NotFoundf("no such API key")
	}
	if err != nil {
		return k, fmt.Errorf("get api key: %w", err)
	}
	return k, nil
}

func (t *Identity) ListAPIKeys(ctx context.Context, tenantID string) ([]access.APIKey, error) {
	rows, err := t.Query(ctx, `SELECT `+apiKeyCols+` FROM api_keys WHERE tenant_id = ? ORDER BY created_at DESC, id DESC`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	defer rows.Close()
	var out []access.APIKey
	for rows.Next() {
		k, err := scanAPIKey(rows)
		if err != nil {
			return nil, fmt.Errorf("scan api key: %w", err)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

func (t *Identity) RevokeAPIKey(ctx context.Context, tenantID, keyID string, at time.Time) error {
	res, err := t.Exec(ctx, `UPDATE api_keys SET revoked_at = ? WHERE tenant_id = ? AND id = ? AND revoked_at IS NULL`, t.D.TS(at), tenantID, keyID)
	return dbtx.MustAffect(res, err, "active API key", keyID)
}

func (t *Identity) TouchAPIKey(ctx context.Context, tenantID, keyID string, at time.Time) error {
	_, err := t.Exec(ctx, `UPDATE api_keys SET last_used_at = ? WHERE tenant_id = ? AND id = ?`, t.D.TS(at), tenantID, keyID)
	if err != nil {
		return fmt.Errorf("touch api key: %w", err)
	}
	return nil
}

// --- audit

func (t *Identity) InsertAudit(ctx context.Context, e service.AuditEntry) error {
	var changes any
	if len(e.Changes) > 0 {
		changes = string(e.Changes)
	}
	_, err := t.Exec(ctx, `INSERT INTO audit_log (tenant_id, id, at, actor_type, actor_id, actor_name, action, target_type, target_id, changes)
		VALUES (?,?,?,?,?,?,?,?,?,?)`, e.TenantID, e.ID, t.D.TS(e.At), e.ActorType, e.ActorID, e.ActorName, e.Action, e.TargetType, e.TargetID, changes)
	if err != nil {
		return fmt.Errorf("insert audit entry: %w", err)
	}
	return nil
}

func (t *Identity) ListAudit(ctx context.Context, tenantID string, f service.AuditFilter) ([]service.AuditEntry, error) {
	w := dbtx.TenantWhere("tenant_id", tenantID)
	if f.TargetID != "" {
		w.And("target_id = ?", f.TargetID)
	}
	if f.TargetType != "" {
		w.And("target_type = ?", f.TargetType)
	}
	if f.Action != "" {
		w.And("action = ?", f.Action)
	}
	if c := f.Page.After(); c != nil {
		w.And("id < ?", c.ID)
	}
	rows, err := t.Query(ctx, `SELECT tenant_id, id, at, actor_type, actor_id, actor_name, action, target_type, target_id, changes
		FROM audit_log WHERE `+w.String()+` ORDER BY id DESC LIMIT ?`, append(w.Args(), f.Page.Limit+1)...)
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	defer rows.Close()
	var out []service.AuditEntry
	for rows.Next() {
		var e service.AuditEntry
		var changes string
		if err := rows.Scan(&e.TenantID, &e.ID, dbtx.ScanTS(&e.At), &e.ActorType, &e.ActorID, &e.ActorName, &e.Action,
			&e.TargetType, &e.TargetID, dbtx.ScanText(&changes)); err != nil {
			return nil, fmt.Errorf("scan audit entry: %w", err)
		}
		if changes != "" {
			e.Changes = []byte(changes)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// --- counters
