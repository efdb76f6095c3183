package identitysql

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/store/configcache"
	"github.com/facturo/facturo/store/dbtx"
	"github.com/facturo/facturo/store/enginesql"
	"github.com/facturo/facturo/store/sqlitesql"
	"github.com/facturo/facturo/tax"
)

func (t *Identity) UpsertTaxCode(ctx context.Context, tenantID string, c tax.Code) error {
	configcache.Changed(t.Tx, tenantID)
	err := enginesql.For(t.Tx).UpsertTaxCode(ctx, sqlitesql.UpsertTaxCodeParams{TenantID: tenantID, Code: c.Code, Name: c.Name,
		Rate: c.Rate.String(), Category: string(c.Category), Account: c.Account, ExemptionReason: c.ExemptionReason,
		ExemptionReasonCode: c.ExemptionReasonCode})
	if err != nil {
		return fmt.Errorf("upsert tax code: %w", err)
	}
	return nil
}

func (t *Identity) ListTaxCodes(ctx context.Context, tenantID string) ([]tax.Code, error) {
	rows, err := configcache.Get(ctx, t.Tx, tenantID, "ListTaxCodes", func() ([]sqlitesql.TaxCode, error) {
		return enginesql.For(t.Tx).ListTaxCodes(ctx, tenantID)
	})
	if err != nil {
		return nil, fmt.Errorf("list tax codes: %w", err)
	}
	var p dbtx.Parse
	out := make([]tax.Code, 0, len(rows))
	for _, r := range rows {
		out = append(out, tax.Code{Code: r.Code, Name: r.Name, Rate: p.Dec(r.Rate), Category: tax.Category(r.Category), Account: r.Account,
			ExemptionReason: r.ExemptionReason, ExemptionReasonCode: r.ExemptionReasonCode})
	}
	if p.Err != nil {
		return nil, fmt.Errorf("tax codes: %w", p.Err)
	}
	return out, nil
}

func (t *Identity) UpsertTaxGroup(ctx context.Context, tenantID string, g tax.Group) error {
	configcache.Changed(t.Tx, tenantID)
	codes, err := dbtx.JSONArg(append([]string{}, g.Codes...))
	if err != nil {
		return err
	}
	err = enginesql.For(t.Tx).UpsertTaxGroup(ctx, sqlitesql.UpsertTaxGroupParams{TenantID: tenantID, Kind: g.Kind, Code: g.Code,
		Name: g.Name, TaxCodes: codes})
	if err != nil {
		return fmt.Errorf("upsert tax group: %w", err)
	}
	return nil
}

func (t *Identity) ListTaxGroups(ctx context.Context, tenantID string) ([]tax.Group, error) {
	rows, err := configcache.Get(ctx, t.Tx, tenantID, "ListTaxGroups", func() ([]sqlitesql.TaxGroup, error) {
		return enginesql.For(t.Tx).ListTaxGroups(ctx, tenantID)
	})
	if err != nil {
		return nil, fmt.Errorf("list tax groups: %w", err)
	}
	out := make([]tax.Group, 0, len(rows))
	for _, r := range rows {
		g := tax.Group{Kind: r.Kind, Code: r.Code, Name: r.Name}
		if err := json.Unmarshal([]byte(r.TaxCodes), &g.Codes); err != nil {
			return nil, fmt.Errorf("tax group %s codes: %w", g.Code, err)
		}
		out = append(out, g)
	}
	return out, nil
}

func (t *Identity) UpsertAccount(ctx context.Context, tenantID string, a ledger.Account) error {
	configcache.Changed(t.Tx, tenantID)
	err := enginesql.For(t.Tx).UpsertAccount(ctx, sqlitesql.UpsertAccountParams{TenantID: tenantID, Code: a.Code, Name: a.Name,
		Type: string(a.Type), Role: string(a.Role), Archived: a.Archived})
	if err != nil {
		return fmt.Errorf("upsert account: %w", err)
	}
	return nil
}

func (t *Identity) ListAccounts(ctx context.Context, tenantID string) ([]ledger.Account, error) {
	rows, err := configcache.Get(ctx, t.Tx, tenantID, "ListAccounts", func() ([]sqlitesql.LedgerAccount, error) {
		return enginesql.For(t.Tx).ListAccounts(ctx, tenantID)
	})
	if err != nil {
		return nil, fmt.Errorf("list accounts: %w", err)
	}
	out := make([]ledger.Account, 0, len(rows))
	for _, r := range rows {
		out = append(out, ledger.Account{Code: r.Code, Name: r.Name, Type: ledger.Type(r.Type), Role: ledger.Role(r.Role), Archived: r.Archived})
	}
	return out, nil
}

func (t *Identity) UpsertPostingProfile(ctx context.Context, tenantID string, p ledger.PostingProfile) error {
	configcache.Changed(t.Tx, tenantID)
	err := enginesql.For(t.Tx).UpsertPostingProfile(ctx, sqlitesql.UpsertPostingProfileParams{TenantID: tenantID, Code: p.Code,
		Name: p.Name, ReceivablesAccount: p.ReceivablesAccount})
	if dbtx.ForeignKeyViolation(err) {
		return fail.Field("receivables_account", "no ledger account %q", p.ReceivablesAccount)
	}
	if err != nil {
		return fmt.Errorf("upsert posting profile: %w", err)
	}
	return nil
}

func (t *Identity) ListPostingProfiles(ctx context.Context, tenantID string) ([]ledger.PostingProfile, error) {
	rows, err := configcache.Get(ctx, t.Tx, tenantID, "ListPostingProfiles", func() ([]sqlitesql.PostingProfile, error) {
		return enginesql.For(t.Tx).ListPostingProfiles(ctx, tenantID)
	})
	if err != nil {
		return nil, fmt.Errorf("list posting profiles: %w", err)
	}
	out := make([]ledger.PostingProfile, 0, len(rows))
	for _, r := range rows {
		out = append(out, ledger.PostingProfile{Code: r.Code, Name: r.Name, ReceivablesAccount: r.ReceivablesAccount})
	}
	return out, nil
}

func (t *Identity) SetSeries(ctx context.Context, tenantID, kind, pattern string) error {
	configcache.Changed(t.Tx, tenantID)
	if err := enginesql.For(t.Tx).SetSeries(ctx, sqlitesql.SetSeriesParams{TenantID: tenantID, Kind: kind, Pattern: pattern}); err != nil {
		return fmt.Errorf("set series: %w", err)
	}
	return nil
}

func (t *Identity) ListSeries(ctx context.Context, tenantID string) (map[string]string, error) {
	rows, err := configcache.Get(ctx, t.Tx, tenantID, "ListSeries", func() ([]sqlitesql.NumberSeries, error) {
		return enginesql.For(t.Tx).ListSeries(ctx, tenantID)
	})
	if err != nil {
		return nil, fmt.Errorf("list series: %w", err)
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.Kind] = r.Pattern
	}
	return out, nil
}

func (t *Identity) SetTaxMode(ctx context.Context, tenantID string, m tax.Mode) error {
	configcache.Changed(t.Tx, tenantID)
	n, err := enginesql.For(t.Tx).SetTaxMode(ctx, sqlitesql.SetTaxModeParams{TaxMode: string(m), ID: tenantID})
	return dbtx.MustAffectRows(n, err, "tenant", tenantID)
}

func (t *Identity) GetTaxMode(ctx context.Context, tenantID string) (tax.Mode, error) {
	r, err := t.getTenant(ctx, tenantID)
	if err != nil {
		return "", err
	}
	return tax.Mode(r.TaxMode), nil
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
