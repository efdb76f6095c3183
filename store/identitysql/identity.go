package identitysql

import (
	"context"
	"fmt"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store/configcache"
	"github.com/facturo/facturo/store/dbtx"
	"github.com/facturo/facturo/store/enginesql"
	"github.com/facturo/facturo/store/sqlitesql"
)

// --- tenants

func (t *Identity) InsertTenant(ctx context.Context, v billing.Tenant) error {
	configcache.Changed(t.Tx, v.ID)
	a := v.Address
	err := enginesql.For(t.Tx).InsertTenant(ctx, sqlitesql.InsertTenantParams{ID: v.ID, Name: v.Name, LegalName: v.LegalName,
		TaxID: v.TaxID, Line1: a.Line1, Line2: a.Line2, City: a.City, Region: a.Region, PostalCode: a.PostalCode, Country: a.Country,
		Currency: v.Currency, TimeZone: v.TimeZone, Language: v.Language, CreatedAt: dbtx.TimeOf(v.CreatedAt),
		UpdatedAt: dbtx.TimeOf(v.UpdatedAt), ApprovalRequired: v.ApprovalRequired, BillingRunDay: int64(v.BillingRunDay)})
	if err != nil {
		return fmt.Errorf("insert tenant: %w", err)
	}
	return nil
}

// tenantOf is the tenant a row holds.
func tenantOf(r sqlitesql.Tenant) billing.Tenant {
	return billing.Tenant{ID: r.ID, Name: r.Name, LegalName: r.LegalName, TaxID: r.TaxID,
		Address:  billing.Address{Line1: r.Line1, Line2: r.Line2, City: r.City, Region: r.Region, PostalCode: r.PostalCode, Country: r.Country},
		Currency: r.Currency, TimeZone: r.TimeZone, Language: r.Language, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		ApprovalRequired: r.ApprovalRequired, BillingRunDay: int(r.BillingRunDay)}
}

func (t *Identity) getTenant(ctx context.Context, tenantID string) (sqlitesql.Tenant, error) {
	r, err := configcache.Get(ctx, t.Tx, tenantID, "GetTenant", func() (sqlitesql.Tenant, error) {
		return enginesql.For(t.Tx).GetTenant(ctx, tenantID)
	})
	if dbtx.ErrNoRows(err) {
		return r, dbtx.NotFound("tenant", tenantID)
	}
	if err != nil {
		return r, fmt.Errorf("get tenant: %w", err)
	}
	return r, nil
}

func (t *Identity) GetTenant(ctx context.Context, tenantID string) (billing.Tenant, error) {
	r, err := t.getTenant(ctx, tenantID)
	if err != nil {
		return billing.Tenant{}, err
	}
	return tenantOf(r), nil
}

func (t *Identity) UpdateTenant(ctx context.Context, v billing.Tenant) error {
	configcache.Changed(t.Tx, v.ID)
	a := v.Address
	n, err := enginesql.For(t.Tx).UpdateTenant(ctx, sqlitesql.UpdateTenantParams{Name: v.Name, LegalName: v.LegalName, TaxID: v.TaxID,
		Line1: a.Line1, Line2: a.Line2, City: a.City, Region: a.Region, PostalCode: a.PostalCode, Country: a.Country, Currency: v.Currency,
		TimeZone: v.TimeZone, Language: v.Language, UpdatedAt: dbtx.TimeOf(v.UpdatedAt), ApprovalRequired: v.ApprovalRequired,
		BillingRunDay: int64(v.BillingRunDay), ID: v.ID})
	return dbtx.MustAffectRows(n, err, "tenant", v.ID)
}

func (t *Identity) ListTenants(ctx context.Context) ([]billing.Tenant, error) {
	rows, err := enginesql.For(t.Tx).ListTenants(ctx)
	if err != nil {
		return nil, fmt.Errorf("list tenants: %w", err)
	}
	out := make([]billing.Tenant, 0, len(rows))
	for _, r := range rows {
		out = append(out, tenantOf(r))
	}
	return out, nil
}

// --- users

func (t *Identity) InsertUser(ctx context.Context, u access.User) error {
	err := enginesql.For(t.Tx).InsertUser(ctx, sqlitesql.InsertUserParams{TenantID: u.TenantID, ID: u.ID, Email: u.Email, Name: u.Name,
		Role: string(u.Role), CustomerID: dbtx.NText(u.CustomerID), Language: u.Language, PasswordHash: u.PasswordHash,
		DisabledAt: dbtx.NTimeOf(u.DisabledAt), CreatedAt: dbtx.TimeOf(u.CreatedAt), UpdatedAt: dbtx.TimeOf(u.UpdatedAt)})
	if ok, _ := dbtx.UniqueViolation(err); ok {
		return &fail.Error{Code: fail.Conflict, Message: "email: a user with this email already exists in this tenant",
			Fields: []fail.FieldError{{Field: "email", Message: "a user with this email already exists in this tenant"}}}
	}
	if err != nil {
		return fmt.Errorf("insert user: %w", err)
	}
	return nil
}

// userOf is the user a row holds.
func userOf(r sqlitesql.User) access.User {
	return access.User{TenantID: r.TenantID, ID: r.ID, Email: r.Email, Name: r.Name, Role: access.Role(r.Role), CustomerID: r.CustomerID.String,
		Language: r.Language, PasswordHash: r.PasswordHash, DisabledAt: r.DisabledAt.Ptr(), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func usersOf(rows []sqlitesql.User, err error) ([]access.User, error) {
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	out := make([]access.User, 0, len(rows))
	for _, r := range rows {
		out = append(out, userOf(r))
	}
	return out, nil
}

func (t *Identity) GetUser(ctx context.Context, tenantID, userID string) (access.User, error) {
	r, err := enginesql.For(t.Tx).GetUser(ctx, sqlitesql.GetUserParams{TenantID: tenantID, ID: userID})
	if dbtx.ErrNoRows(err) {
		return access.User{}, dbtx.NotFound("user", userID)
	}
	if err != nil {
		return access.User{}, fmt.Errorf("get user: %w", err)
	}
	return userOf(r), nil
}

func (t *Identity) UpdateUser(ctx context.Context, u access.User) error {
	n, err := enginesql.For(t.Tx).UpdateUser(ctx, sqlitesql.UpdateUserParams{Name: u.Name, Role: string(u.Role), Language: u.Language,
		PasswordHash: u.PasswordHash, DisabledAt: dbtx.NTimeOf(u.DisabledAt), UpdatedAt: dbtx.TimeOf(u.UpdatedAt), TenantID: u.TenantID, ID: u.ID})
	return dbtx.MustAffectRows(n, err, "user", u.ID)
}

func (t *Identity) ListUsers(ctx context.Context, tenantID string) ([]access.User, error) {
	return usersOf(enginesql.For(t.Tx).ListUsers(ctx, tenantID))
}

func (t *Identity) UsersByEmail(ctx context.Context, email string) ([]access.User, error) {
	return usersOf(enginesql.For(t.Tx).UsersByEmail(ctx, email))
}

func (t *Identity) InsertLoginAttempt(ctx context.Context, a service.LoginAttempt) error {
	if err := enginesql.For(t.Tx).InsertLoginAttempt(ctx, sqlitesql.InsertLoginAttemptParams{Email: a.Email, Ip: a.IP,
		At: dbtx.TimeOf(a.At), Success: a.Success}); err != nil {
		return fmt.Errorf("insert login attempt: %w", err)
	}
	return nil
}

// CountFailedLogins counts failures since the last success for the email,
// and all failures from the IP, since the given time.
func (t *Identity) CountFailedLogins(ctx context.Context, email, ip string, since time.Time) (int, int, error) {
	r, err := enginesql.For(t.Tx).CountFailedLogins(ctx, sqlitesql.CountFailedLoginsParams{Email: email, Since: dbtx.TimeOf(since), Ip: ip})
	if err != nil {
		return 0, 0, fmt.Errorf("count failed logins: %w", err)
	}
	return int(r.ByEmail), int(r.ByIp), nil
}

// --- API keys

func (t *Identity) InsertAPIKey(ctx context.Context, k access.APIKey) error {
	err := enginesql.For(t.Tx).InsertAPIKey(ctx, sqlitesql.InsertAPIKeyParams{TenantID: k.TenantID, ID: k.ID, Name: k.Name, Prefix: k.Prefix,
		Hash: k.Hash, Role: string(k.Role), CustomerID: dbtx.NText(k.CustomerID), CreatedBy: k.CreatedBy, CreatedAt: dbtx.TimeOf(k.CreatedAt),
		LastUsedAt: dbtx.NTimeOf(k.LastUsedAt), RevokedAt: dbtx.NTimeOf(k.RevokedAt)})
	if err != nil {
		return fmt.Errorf("insert api key: %w", err)
	}
	return nil
}

// apiKeyOf is the API key a row holds.
func apiKeyOf(r sqlitesql.ApiKey) access.APIKey {
	return access.APIKey{TenantID: r.TenantID, ID: r.ID, Name: r.Name, Prefix: r.Prefix, Hash: r.Hash, Role: access.Role(r.Role),
		CustomerID: r.CustomerID.String, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), LastUsedAt: r.LastUsedAt.Ptr(), RevokedAt: r.RevokedAt.Ptr()}
}

func (t *Identity) APIKeyByHash(ctx context.Context, hash string) (access.APIKey, error) {
	r, err := enginesql.For(t.Tx).APIKeyByHash(ctx, hash)
	if dbtx.ErrNoRows(err) {
		return access.APIKey{}, fail.NotFoundf("no such API key")
	}
	if err != nil {
		return access.APIKey{}, fmt.Errorf("get api key: %w", err)
	}
	return apiKeyOf(r), nil
}

func (t *Identity) ListAPIKeys(ctx context.Context, tenantID string) ([]access.APIKey, error) {
	rows, err := enginesql.For(t.Tx).ListAPIKeys(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	out := make([]access.APIKey, 0, len(rows))
	for _, r := range rows {
		out = append(out, apiKeyOf(r))
	}
	return out, nil
}

func (t *Identity) RevokeAPIKey(ctx context.Context, tenantID, keyID string, at time.Time) error {
	n, err := enginesql.For(t.Tx).RevokeAPIKey(ctx, sqlitesql.RevokeAPIKeyParams{RevokedAt: dbtx.TimeOf(at), TenantID: tenantID, ID: keyID})
	return dbtx.MustAffectRows(n, err, "active API key", keyID)
}

func (t *Identity) TouchAPIKey(ctx context.Context, tenantID, keyID string, at time.Time) error {
	err := enginesql.For(t.Tx).TouchAPIKey(ctx, sqlitesql.TouchAPIKeyParams{LastUsedAt: dbtx.TimeOf(at), TenantID: tenantID, ID: keyID})
	if err != nil {
		return fmt.Errorf("touch api key: %w", err)
	}
	return nil
}

// --- audit

func (t *Identity) InsertAudit(ctx context.Context, e service.AuditEntry) error {
	err := enginesql.For(t.Tx).InsertAudit(ctx, sqlitesql.InsertAuditParams{TenantID: e.TenantID, ID: e.ID, At: dbtx.TimeOf(e.At),
		ActorType: e.ActorType, ActorID: e.ActorID, ActorName: e.ActorName, Action: e.Action, TargetType: e.TargetType,
		TargetID: e.TargetID, Changes: dbtx.NText(string(e.Changes))})
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
	rows, err := t.Query(ctx, `SELECT * FROM audit_log WHERE `+w.String()+` ORDER BY id DESC LIMIT ?`, append(w.Args(), f.Page.Limit+1)...)
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	rs, err := dbtx.ScanRows[sqlitesql.AuditLog](rows)
	if err != nil {
		return nil, err
	}
	out := make([]service.AuditEntry, 0, len(rs))
	for _, r := range rs {
		e := service.AuditEntry{TenantID: r.TenantID, ID: r.ID, At: r.At.UTC(), ActorType: r.ActorType, ActorID: r.ActorID,
			ActorName: r.ActorName, Action: r.Action, TargetType: r.TargetType, TargetID: r.TargetID}
		if r.Changes.String != "" {
			e.Changes = []byte(r.Changes.String)
		}
		out = append(out, e)
	}
	return out, nil
}
