package identitysql

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/store/dbtx"
	"github.com/facturo/facturo/tax"
)

func (t *Identity) UpsertTaxCode(ctx context.Context, tenantID string, c tax.Code) error {
	_, err := t.Exec(ctx, `INSERT INTO tax_codes (tenant_id, code, name, rate, category, account, exemption_reason, exemption_reason_code)
		VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (tenant_id, code) DO UPDATE SET name = excluded.name, rate = excluded.rate,
		category = excluded.category, account = excluded.account, exemption_reason = excluded.exemption_reason,
		exemption_reason_code = excluded.exemption_reason_code`,
		tenantID, c.Code, c.Name, dbtx.DecArg(c.Rate), string(c.Category), c.Account, c.ExemptionReason, c.ExemptionReasonCode)
	if err != nil {
		return fmt.Errorf("upsert tax code: %w", err)
	}
	return nil
}

func (t *Identity) ListTaxCodes(ctx context.Context, tenantID string) ([]tax.Code, error) {
	rows, err := t.Query(ctx, `SELECT code, name, `+t.D.Dec("rate")+`, category, account, exemption_reason, exemption_reason_code
		FROM tax_codes WHERE tenant_id = ? ORDER BY code`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list tax codes: %w", err)
	}
	defer rows.Close()
	var out []tax.Code
	for rows.Next() {
		var c tax.Code
		var cat string
		if err := rows.Scan(&c.Code, &c.Name, dbtx.ScanDec(&c.Rate), &cat, &c.Account, &c.ExemptionReason, &c.ExemptionReasonCode); err != nil {
			return nil, fmt.Errorf("scan tax code: %w", err)
		}
		c.Category = tax.Category(cat)
		out = append(out, c)
	}
	return out, rows.Err()
}

func (t *Identity) UpsertTaxGroup(ctx context.Context, tenantID string, g tax.Group) error {
	codes, _ := json.Marshal(append([]string{}, g.Codes...))
	_, err := t.Exec(ctx, `INSERT INTO tax_groups (tenant_id, kind, code, name, tax_codes) VALUES (?,?,?,?,?)
		ON CONFLICT (tenant_id, kind, code) DO UPDATE SET name = excluded.name, tax_codes = excluded.tax_codes`,
		tenantID, g.Kind, g.Code, g.Name, string(codes))
	if err != nil {
		return fmt.Errorf("upsert tax group: %w", err)
	}
	return nil
}

func (t *Identity) ListTaxGroups(ctx context.Context, tenantID string) ([]tax.Group, error) {
	rows, err := t.Query(ctx, `SELECT kind, code, name, tax_codes FROM tax_groups WHERE tenant_id = ? ORDER BY kind, code`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list tax groups: %w", err)
	}
	defer rows.Close()
	var out []tax.Group
	for rows.Next() {
		var g tax.Group
		var codes string
		if err := rows.Scan(&g.Kind, &g.Code, &g.Name, &codes); err != nil {
			return nil, fmt.Errorf("scan tax group: %w", err)
		}
		if err := json.Unmarshal([]byte(codes), &g.Codes); err != nil {
			return nil, fmt.Errorf("tax group %s codes: %w", g.Code, err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

func (t *Identity) UpsertAccount(ctx context.Context, tenantID string, a ledger.Account) error {
	_, err := t.Exec(ctx, `INSERT INTO ledger_accounts (tenant_id, code, name, type, role, archived) VALUES (?,?,?,?,?,?)
		ON CONFLICT (tenant_id, code) DO UPDATE SET name = excluded.name, type = excluded.type, role = excluded.role, archived = excluded.archived`,
		tenantID, a.Code, a.Name, string(a.Type), string(a.Role), a.Archived)
	if err != nil {
		return fmt.Errorf("upsert account: %w", err)
	}
	return nil
}

func (t *Identity) ListAccounts(ctx context.Context, tenantID string) ([]ledger.Account, error) {
	rows, err := t.Query(ctx, `SELECT code, name, type, role, archived FROM ledger_accounts WHERE tenant_id = ? ORDER BY code`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list accounts: %w", err)
	}
	defer rows.Close()
	var out []ledger.Account
	for rows.Next() {
		var a ledger.Account
		var typ, role string
		if err := rows.Scan(&a.Code, &a.Name, &typ, &role, &a.Archived); err != nil {
			return nil, fmt.Errorf("scan account: %w", err)
		}
		a.Type, a.Role = ledger.Type(typ), ledger.Role(role)
		out = append(out, a)
	}
	return out, rows.Err()
}

func (t *Identity) UpsertPostingProfile(ctx context.Context, tenantID string, p ledger.PostingProfile) error {
	_, err := t.Exec(ctx, `INSERT INTO posting_profiles (tenant_id, code, name, receivables_account) VALUES (?,?,?,?)
		ON CONFLICT (tenant_id, code) DO UPDATE SET name = excluded.name, receivables_account = excluded.receivables_account`,
		tenantID, p.Code, p.Name, p.ReceivablesAccount)
	if dbtx.ForeignKeyViolation(err) {
		return fail.Field("receivables_account", "no ledger account %q", p.ReceivablesAccount)
	}
	if err != nil {
		return fmt.Errorf("upsert posting profile: %w", err)
	}
	return nil
}

func (t *Identity) ListPostingProfiles(ctx context.Context, tenantID string) ([]ledger.PostingProfile, error) {
	rows, err := t.Query(ctx, `SELECT code, name, receivables_account FROM posting_profiles WHERE tenant_id = ? ORDER BY code`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list posting profiles: %w", err)
	}
	defer rows.Close()
	var out []ledger.PostingProfile
	for rows.Next() {
		var p ledger.PostingProfile
		if err := rows.Scan(&p.Code, &p.Name, &p.ReceivablesAccount); err != nil {
			return nil, fmt.Errorf("scan posting profile: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func (t *Identity) SetSeries(ctx context.Context, tenantID, kind, pattern string) error {
	_, err := t.Exec(ctx, `INSERT INTO number_series (tenant_id, kind, pattern) VALUES (?,?,?)
		ON CONFLICT (tenant_id, kind) DO UPDATE SET pattern = excluded.pattern`, tenantID, kind, pattern)
	if err != nil {
		return fmt.Errorf("set series: %w", err)
	}
	return nil
}

func (t *Identity) ListSeries(ctx context.Context, tenantID string) (map[string]string, error) {
	rows, err := t.Query(ctx, `SELECT kind, pattern FROM number_series WHERE tenant_id = ?`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list series: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, p string
		if err := rows.Scan(&k, &p); err != nil {
			return nil, fmt.Errorf("scan series: %w", err)
		}
		out[k] = p
	}
	return out, rows.Err()
}

func (t *Identity) SetTaxMode(ctx context.Context, tenantID string, m tax.Mode) error {
	res, err := t.Exec(ctx, `UPDATE tenants SET tax_mode = ? WHERE id = ?`, string(m), tenantID)
	return dbtx.MustAffect(res, err, "tenant", tenantID)
}

func (t *Identity) GetTaxMode(ctx context.Context, tenantID string) (tax.Mode, error) {
	var m string
	err := t.QueryRow(ctx, `SELECT tax_mode FROM tenants WHERE id = ?`, tenantID).Scan(&m)
	if dbtx.ErrNoRows(err) {
		return "", dbtx.NotFound("tenant", tenantID)
	}
	if err != nil {
		return "", fmt.Errorf("get tax mode: %w", err)
	}
	return tax.Mode(m), nil
}

// TaxSetup reads what computing tax needs: the tenant's tax mode, codes and
// groups.
func (t *Identity) TaxSetup(ctx context.Context, tenantID string) (billing.TaxSetup, error) {
	mode, err := t.GetTaxMode(ctx, tenantID)
	if err != nil {
		return billing.TaxSetup{}, err
	}
	codes, err := t.ListTaxCodes(ctx, tenantID)
	if err != nil {
		return billing.TaxSetup{}, err
	}
	groups, err := t.ListTaxGroups(ctx, tenantID)
	if err != nil {
		return billing.TaxSetup{}, err
	}
	return billing.NewTaxSetup(mode, codes, groups), nil
}

// Setup reads what making and issuing a document reads of the tenant's
// configuration, in the transaction (billing.Setup).
func (t *Identity) Setup(ctx context.Context, tenantID string) (billing.Setup, error) {
	var s billing.Setup
	var err error
	if s.Tenant, err = t.GetTenant(ctx, tenantID); err != nil {
		return s, err
	}
	if s.Tax, err = t.TaxSetup(ctx, tenantID); err != nil {
		return s, err
	}
	if s.Accounts, err = t.ListAccounts(ctx, tenantID); err != nil {
		return s, err
	}
	if s.Profiles, err = t.ListPostingProfiles(ctx, tenantID); err != nil {
		return s, err
	}
	s.Series, err = t.ListSeries(ctx, tenantID)
	return s, err
}
