package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/service"
)

// tx implements service.Tx over one database transaction, or directly over
// a pool for the single-statement reads that need no transaction.
type tx struct {
	tx querier
	d  dialect
}

// querier is what *sql.Tx and *sql.DB have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (t *tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, t.d.q(query), args...)
}

func (t *tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, t.d.q(query), args...)
}

func (t *tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, t.d.q(query), args...)
}

// mustAffect turns "no row changed" into not_found.
func mustAffect(res sql.Result, err error, what, id string) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("rows affected: %w", err)
	}
	if n == 0 {
		return notFound(what, id)
	}
	return nil
}

// --- tenants

const tenantCols = `id, name, legal_name, tax_id, line1, line2, city, region, postal_code, country, currency, time_zone, language, created_at, updated_at, approval_required, billing_run_day`

func (t *tx) InsertTenant(ctx context.Context, v billing.Tenant) error {
	a := v.Address
	_, err := t.exec(ctx, `INSERT INTO tenants (`+tenantCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		v.ID, v.Name, v.LegalName, v.TaxID, a.Line1, a.Line2, a.City, a.Region, a.PostalCode, a.Country,
		v.Currency, v.TimeZone, v.Language, t.d.ts(v.CreatedAt), t.d.ts(v.UpdatedAt), v.ApprovalRequired, v.BillingRunDay)
	if err != nil {
		return fmt.Errorf("insert tenant: %w", err)
	}
	return nil
}

func scanTenant(row interface{ Scan(...any) error }) (billing.Tenant, error) {
	var v billing.Tenant
	a := &v.Address
	err := row.Scan(&v.ID, &v.Name, &v.LegalName, &v.TaxID, &a.Line1, &a.Line2, &a.City, &a.Region, &a.PostalCode, &a.Country,
		&v.Currency, &v.TimeZone, &v.Language, tsScan{&v.CreatedAt}, tsScan{&v.UpdatedAt}, &v.ApprovalRequired, &v.BillingRunDay)
	return v, err
}

func (t *tx) GetTenant(ctx context.Context, tenantID string) (billing.Tenant, error) {
	v, err := scanTenant(t.queryRow(ctx, `SELECT `+tenantCols+` FROM tenants WHERE id = ?`, tenantID))
	if errNoRows(err) {
		return v, notFound("tenant", tenantID)
	}
	if err != nil {
		return v, fmt.Errorf("get tenant: %w", err)
	}
	return v, nil
}

func (t *tx) UpdateTenant(ctx context.Context, v billing.Tenant) error {
	a := v.Address
	res, err := t.exec(ctx, `UPDATE tenants SET name=?, legal_name=?, tax_id=?, line1=?, line2=?, city=?, region=?, postal_code=?, country=?,
		currency=?, time_zone=?, language=?, updated_at=?, approval_required=?, billing_run_day=? WHERE id=?`,
		v.Name, v.LegalName, v.TaxID, a.Line1, a.Line2, a.City, a.Region, a.PostalCode, a.Country,
		v.Currency, v.TimeZone, v.Language, t.d.ts(v.UpdatedAt), v.ApprovalRequired, v.BillingRunDay, v.ID)
	return mustAffect(res, err, "tenant", v.ID)
}

func (t *tx) ListTenants(ctx context.Context) ([]billing.Tenant, error) {
	rows, err := t.query(ctx, `SELECT `+tenantCols+` FROM tenants ORDER BY id`)
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

func (t *tx) InsertUser(ctx context.Context, u access.User) error {
	_, err := t.exec(ctx, `INSERT INTO users (`+userCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
		u.TenantID, u.ID, u.Email, u.Name, string(u.Role), nullable(u.CustomerID), u.Language, u.PasswordHash,
		t.d.nts(u.DisabledAt), t.d.ts(u.CreatedAt), t.d.ts(u.UpdatedAt))
	if ok, _ := uniqueViolation(err); ok {
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
	err := row.Scan(&u.TenantID, &u.ID, &u.Email, &u.Name, &role, strScan{&u.CustomerID}, &u.Language, &u.PasswordHash,
		ntsScan{&u.DisabledAt}, tsScan{&u.CreatedAt}, tsScan{&u.UpdatedAt})
	u.Role = access.Role(role)
	return u, err
}

func (t *tx) GetUser(ctx context.Context, tenantID, userID string) (access.User, error) {
	u, err := scanUser(t.queryRow(ctx, `SELECT `+userCols+` FROM users WHERE tenant_id = ? AND id = ?`, tenantID, userID))
	if errNoRows(err) {
		return u, notFound("user", userID)
	}
	if err != nil {
		return u, fmt.Errorf("get user: %w", err)
	}
	return u, nil
}

func (t *tx) UpdateUser(ctx context.Context, u access.User) error {
	res, err := t.exec(ctx, `UPDATE users SET name=?, role=?, language=?, password_hash=?, disabled_at=?, updated_at=? WHERE tenant_id=? AND id=?`,
		u.Name, string(u.Role), u.Language, u.PasswordHash, t.d.nts(u.DisabledAt), t.d.ts(u.UpdatedAt), u.TenantID, u.ID)
	return mustAffect(res, err, "user", u.ID)
}

func (t *tx) listUsers(ctx context.Context, query string, args ...any) ([]access.User, error) {
	rows, err := t.query(ctx, query, args...)
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

func (t *tx) ListUsers(ctx context.Context, tenantID string) ([]access.User, error) {
	return t.listUsers(ctx, `SELECT `+userCols+` FROM users WHERE tenant_id = ? ORDER BY email`, tenantID)
}

func (t *tx) UsersByEmail(ctx context.Context, email string) ([]access.User, error) {
	return t.listUsers(ctx, `SELECT `+userCols+` FROM users WHERE email = ? ORDER BY created_at, id`, email)
}

func (t *tx) InsertLoginAttempt(ctx context.Context, a service.LoginAttempt) error {
	if _, err := t.exec(ctx, `INSERT INTO login_attempts (email, ip, at, success) VALUES (?,?,?,?)`, a.Email, a.IP, t.d.ts(a.At), a.Success); err != nil {
		return fmt.Errorf("insert login attempt: %w", err)
	}
	return nil
}

// CountFailedLogins counts failures since the last success for the email,
// and all failures from the IP, since the given time.
func (t *tx) CountFailedLogins(ctx context.Context, email, ip string, since time.Time) (int, int, error) {
	var byEmail, byIP int
	err := t.queryRow(ctx, `SELECT
		(SELECT count(*) FROM login_attempts WHERE email = ? AND at >= ? AND NOT success
			AND COALESCE(at > (SELECT max(at) FROM login_attempts WHERE email = ? AND success), TRUE)),
		(SELECT count(*) FROM login_attempts WHERE ip = ? AND at >= ? AND NOT success)`,
		email, t.d.ts(since), email, ip, t.d.ts(since)).Scan(&byEmail, &byIP)
	if err != nil {
		return 0, 0, fmt.Errorf("count failed logins: %w", err)
	}
	return byEmail, byIP, nil
}

// --- API keys

const apiKeyCols = `tenant_id, id, name, prefix, hash, role, customer_id, created_by, created_at, last_used_at, revoked_at`

func (t *tx) InsertAPIKey(ctx context.Context, k access.APIKey) error {
	_, err := t.exec(ctx, `INSERT INTO api_keys (`+apiKeyCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
		k.TenantID, k.ID, k.Name, k.Prefix, k.Hash, string(k.Role), nullable(k.CustomerID), k.CreatedBy,
		t.d.ts(k.CreatedAt), t.d.nts(k.LastUsedAt), t.d.nts(k.RevokedAt))
	if err != nil {
		return fmt.Errorf("insert api key: %w", err)
	}
	return nil
}

func scanAPIKey(row interface{ Scan(...any) error }) (access.APIKey, error) {
	var k access.APIKey
	var role string
	err := row.Scan(&k.TenantID, &k.ID, &k.Name, &k.Prefix, &k.Hash, &role, strScan{&k.CustomerID}, &k.CreatedBy,
		tsScan{&k.CreatedAt}, ntsScan{&k.LastUsedAt}, ntsScan{&k.RevokedAt})
	k.Role = access.Role(role)
	return k, err
}

func (t *tx) APIKeyByHash(ctx context.Context, hash string) (access.APIKey, error) {
	k, err := scanAPIKey(t.queryRow(ctx, `SELECT `+apiKeyCols+` FROM api_keys WHERE hash = ?`, hash))
	if errNoRows(err) {
		return k, fail.NotFoundf("no such API key")
	}
	if err != nil {
		return k, fmt.Errorf("get api key: %w", err)
	}
	return k, nil
}

func (t *tx) ListAPIKeys(ctx context.Context, tenantID string) ([]access.APIKey, error) {
	rows, err := t.query(ctx, `SELECT `+apiKeyCols+` FROM api_keys WHERE tenant_id = ? ORDER BY created_at DESC, id DESC`, tenantID)
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

func (t *tx) RevokeAPIKey(ctx context.Context, tenantID, keyID string, at time.Time) error {
	res, err := t.exec(ctx, `UPDATE api_keys SET revoked_at = ? WHERE tenant_id = ? AND id = ? AND revoked_at IS NULL`, t.d.ts(at), tenantID, keyID)
	return mustAffect(res, err, "active API key", keyID)
}

func (t *tx) TouchAPIKey(ctx context.Context, tenantID, keyID string, at time.Time) error {
	_, err := t.exec(ctx, `UPDATE api_keys SET last_used_at = ? WHERE tenant_id = ? AND id = ?`, t.d.ts(at), tenantID, keyID)
	if err != nil {
		return fmt.Errorf("touch api key: %w", err)
	}
	return nil
}

// --- audit

func (t *tx) InsertAudit(ctx context.Context, e service.AuditEntry) error {
	var changes any
	if len(e.Changes) > 0 {
		changes = string(e.Changes)
	}
	_, err := t.exec(ctx, `INSERT INTO audit_log (tenant_id, id, at, actor_type, actor_id, actor_name, action, target_type, target_id, changes)
		VALUES (?,?,?,?,?,?,?,?,?,?)`, e.TenantID, e.ID, t.d.ts(e.At), e.ActorType, e.ActorID, e.ActorName, e.Action, e.TargetType, e.TargetID, changes)
	if err != nil {
		return fmt.Errorf("insert audit entry: %w", err)
	}
	return nil
}

func (t *tx) ListAudit(ctx context.Context, tenantID string, f service.AuditFilter) ([]service.AuditEntry, error) {
	w := tenantWhere("tenant_id", tenantID)
	if f.TargetID != "" {
		w.and("target_id = ?", f.TargetID)
	}
	if f.TargetType != "" {
		w.and("target_type = ?", f.TargetType)
	}
	if f.Action != "" {
		w.and("action = ?", f.Action)
	}
	if c := f.Page.After(); c != nil {
		w.and("id < ?", c.ID)
	}
	rows, err := t.query(ctx, `SELECT tenant_id, id, at, actor_type, actor_id, actor_name, action, target_type, target_id, changes
		FROM audit_log WHERE `+w.String()+` ORDER BY id DESC LIMIT ?`, append(w.Args(), f.Page.Limit+1)...)
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	defer rows.Close()
	var out []service.AuditEntry
	for rows.Next() {
		var e service.AuditEntry
		var changes string
		if err := rows.Scan(&e.TenantID, &e.ID, tsScan{&e.At}, &e.ActorType, &e.ActorID, &e.ActorName, &e.Action,
			&e.TargetType, &e.TargetID, strScan{&changes}); err != nil {
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

func (t *tx) NextCounter(ctx context.Context, tenantID, name string) (int64, error) {
	var v int64
	err := t.queryRow(ctx, `INSERT INTO counters (tenant_id, name, value) VALUES (?, ?, 1)
		ON CONFLICT (tenant_id, name) DO UPDATE SET value = counters.value + 1 RETURNING value`, tenantID, name).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("next counter %s: %w", name, err)
	}
	return v, nil
}
