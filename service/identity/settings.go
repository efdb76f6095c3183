package identity

import (
	"context"
	"slices"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/customfield"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/numbering"
	"github.com/facturo/facturo/service/usecase"
	"github.com/facturo/facturo/tax"
)

// SettingsStore persists a tenant's tax, ledger and numbering configuration.
type SettingsStore interface {
	UpsertTaxCode(ctx context.Context, tenantID string, c tax.Code) error
	ListTaxCodes(ctx context.Context, tenantID string) ([]tax.Code, error)
	UpsertTaxGroup(ctx context.Context, tenantID string, g tax.Group) error
	ListTaxGroups(ctx context.Context, tenantID string) ([]tax.Group, error)
	UpsertAccount(ctx context.Context, tenantID string, a ledger.Account) error
	ListAccounts(ctx context.Context, tenantID string) ([]ledger.Account, error)
	UpsertPostingProfile(ctx context.Context, tenantID string, p ledger.PostingProfile) error
	ListPostingProfiles(ctx context.Context, tenantID string) ([]ledger.PostingProfile, error)
	SetSeries(ctx context.Context, tenantID, kind, pattern string) error
	ListSeries(ctx context.Context, tenantID string) (map[string]string, error)
	SetTaxMode(ctx context.Context, tenantID string, m tax.Mode) error
	GetTaxMode(ctx context.Context, tenantID string) (tax.Mode, error)
}

// CustomFieldStore persists the definitions of a tenant's custom fields.
type CustomFieldStore interface {
	UpsertCustomFieldDef(ctx context.Context, tenantID string, d customfield.Def) error
	// ListCustomFieldDefs lists them as they are shown (customfield.Sort).
	ListCustomFieldDefs(ctx context.Context, tenantID string) ([]customfield.Def, error)
	// DeleteCustomFieldDef reports false when there was none.
	DeleteCustomFieldDef(ctx context.Context, tenantID, appliesTo, key string) (bool, error)
}

// TaxSetupReader reads what computing tax needs.
type TaxSetupReader interface {
	// TaxSetup reads the tenant's tax mode, codes and groups
	// (billing.NewTaxSetup).
	TaxSetup(ctx context.Context, tenantID string) (billing.TaxSetup, error)
}

// SetupReader reads a tenant's configuration whole, as making and issuing
// documents needs it (billing.Setup).
type SetupReader interface {
	TaxSetupReader
	Setup(ctx context.Context, tenantID string) (billing.Setup, error)
}

// AccountLister reads the chart of accounts.
type AccountLister interface {
	ListAccounts(ctx context.Context, tenantID string) ([]ledger.Account, error)
}

// initTenant writes a new tenant's default chart of accounts, posting
// profile, reason codes and number series.
func initTenant(ctx context.Context, tx TenantDefaults, tenantID string) error {
	var receivables string
	for _, a := range ledger.DefaultChart() {
		if err := tx.UpsertAccount(ctx, tenantID, a); err != nil {
			return err
		}
		if a.Role == ledger.RoleReceivables {
			receivables = a.Code
		}
	}
	if err := tx.UpsertPostingProfile(ctx, tenantID, ledger.PostingProfile{Code: ledger.DefaultProfile, Name: "Default", ReceivablesAccount: receivables}); err != nil {
		return err
	}
	for _, r := range billing.DefaultReasonCodes {
		if err := tx.UpsertReasonCode(ctx, tenantID, r); err != nil {
			return err
		}
	}
	for kind, pattern := range numbering.DefaultSeries {
		if err := tx.SetSeries(ctx, tenantID, kind, pattern); err != nil {
			return err
		}
	}
	return nil
}

// UpsertTaxCode creates or changes a tax code (administrator). Documents
// already issued keep the rate they were issued with.
func (s *Service) UpsertTaxCode(ctx context.Context, p access.Principal, c tax.Code) (tax.Code, error) {
	return usecase.Write(ctx, s.settings, p, access.ManageTenant, c.Normalize, func(tx SettingsTx) (tax.Code, usecase.Audit, error) {
		if err := RequireAccount(ctx, tx, p.TenantID, "account", c.Account); err != nil {
			return c, usecase.Audit{}, err
		}
		if err := tx.UpsertTaxCode(ctx, p.TenantID, c); err != nil {
			return c, usecase.Audit{}, err
		}
		return c, usecase.Entry("tax_code.saved", "tax_code", c.Code, c), nil
	})
}

// ListTaxCodes lists the tenant's tax codes.
func (s *Service) ListTaxCodes(ctx context.Context, p access.Principal) ([]tax.Code, error) {
	return usecase.Read(ctx, s.settings, p, access.ReadSettings, func(tx SettingsTx) ([]tax.Code, error) {
		return tx.ListTaxCodes(ctx, p.TenantID)
	})
}

// UpsertTaxGroup creates or changes a sales or item sales tax group (administrator).
func (s *Service) UpsertTaxGroup(ctx context.Context, p access.Principal, g tax.Group) (tax.Group, error) {
	return usecase.Write(ctx, s.settings, p, access.ManageTenant, g.Normalize, func(tx SettingsTx) (tax.Group, usecase.Audit, error) {
		codes, err := tx.ListTaxCodes(ctx, p.TenantID)
		if err != nil {
			return g, usecase.Audit{}, err
		}
		for _, c := range g.Codes {
			if !slices.ContainsFunc(codes, func(x tax.Code) bool { return x.Code == c }) {
				return g, usecase.Audit{}, fail.Field("tax_codes", "no tax code %q; create it first", c)
			}
		}
		if err := tx.UpsertTaxGroup(ctx, p.TenantID, g); err != nil {
			return g, usecase.Audit{}, err
		}
		return g, usecase.Entry("tax_group.saved", "tax_group", g.Kind+":"+g.Code, g), nil
	})
}

// ListTaxGroups lists the tenant's sales and item sales tax groups.
func (s *Service) ListTaxGroups(ctx context.Context, p access.Principal) ([]tax.Group, error) {
	return usecase.Read(ctx, s.settings, p, access.ReadSettings, func(tx SettingsTx) ([]tax.Group, error) {
		return tx.ListTaxGroups(ctx, p.TenantID)
	})
}

// SetTaxMode switches the tenant between per-code (EN 16931) and per-line tax rounding.
func (s *Service) SetTaxMode(ctx context.Context, p access.Principal, m tax.Mode) error {
	check := func() error {
		if !tax.ValidMode(m) {
			return fail.Field("tax_mode", "use per_code or per_line")
		}
		return nil
	}
	_, err := usecase.Write(ctx, s.settings, p, access.ManageTenant, check, func(tx SettingsTx) (struct{}, usecase.Audit, error) {
		if err := tx.SetTaxMode(ctx, p.TenantID, m); err != nil {
			return struct{}{}, usecase.Audit{}, err
		}
		return struct{}{}, usecase.Entry("tenant.tax_mode", "tenant", p.TenantID, map[string]any{"tax_mode": m}), nil
	})
	return err
}

// RequireAccount refuses, as an error on field, a ledger account code that
// is not in the tenant's chart of accounts or is archived.
func RequireAccount(ctx context.Context, tx AccountLister, tenantID, field, code string) error {
	accounts, err := tx.ListAccounts(ctx, tenantID)
	if err != nil {
		return err
	}
	for _, a := range accounts {
		if a.Code == code {
			if a.Archived {
				return fail.Field(field, "account %s is archived", code)
			}
			return nil
		}
	}
	return fail.Field(field, "no ledger account %q in the chart of accounts", code)
}

// UpsertAccount creates or changes a ledger account (administrator, director).
func (s *Service) UpsertAccount(ctx context.Context, p access.Principal, a ledger.Account) (ledger.Account, error) {
	return usecase.Write(ctx, s.settings, p, access.ManageLedger, a.Normalize, func(tx SettingsTx) (ledger.Account, usecase.Audit, error) {
		existing, err := tx.ListAccounts(ctx, p.TenantID)
		if err != nil {
			return a, usecase.Audit{}, err
		}
		for _, x := range existing {
			if x.Code == a.Code {
				if x.Role != "" && (a.Archived || a.Type != x.Type) {
					return a, usecase.Audit{}, fail.Field("code", "account %s is a system account (%s): it cannot be archived or change type", a.Code, x.Role)
				}
				a.Role = x.Role
			}
		}
		if err := tx.UpsertAccount(ctx, p.TenantID, a); err != nil {
			return a, usecase.Audit{}, err
		}
		return a, usecase.Entry("ledger_account.saved", "ledger_account", a.Code, a), nil
	})
}

// ListAccounts lists the chart of accounts.
func (s *Service) ListAccounts(ctx context.Context, p access.Principal) ([]ledger.Account, error) {
	return usecase.Read(ctx, s.settings, p, access.ReadLedger, func(tx SettingsTx) ([]ledger.Account, error) {
		return tx.ListAccounts(ctx, p.TenantID)
	})
}

// UpsertPostingProfile creates or changes a posting profile.
func (s *Service) UpsertPostingProfile(ctx context.Context, p access.Principal, pp ledger.PostingProfile) (ledger.PostingProfile, error) {
	check := func() error {
		if !tax.ValidCode(pp.Code) {
			return fail.Field("code", "use 1 to 32 letters, digits, '.', '_' or '-'")
		}
		if pp.Name == "" {
			pp.Name = pp.Code
		}
		return nil
	}
	return usecase.Write(ctx, s.settings, p, access.ManageLedger, check, func(tx SettingsTx) (ledger.PostingProfile, usecase.Audit, error) {
		if err := RequireAccount(ctx, tx, p.TenantID, "receivables_account", pp.ReceivablesAccount); err != nil {
			return pp, usecase.Audit{}, err
		}
		if err := tx.UpsertPostingProfile(ctx, p.TenantID, pp); err != nil {
			return pp, usecase.Audit{}, err
		}
		return pp, usecase.Entry("posting_profile.saved", "posting_profile", pp.Code, pp), nil
	})
}

// ListPostingProfiles lists the posting profiles.
func (s *Service) ListPostingProfiles(ctx context.Context, p access.Principal) ([]ledger.PostingProfile, error) {
	return usecase.Read(ctx, s.settings, p, access.ReadLedger, func(tx SettingsTx) ([]ledger.PostingProfile, error) {
		return tx.ListPostingProfiles(ctx, p.TenantID)
	})
}

// SetSeries changes a number series pattern (administrator). Numbers already
// issued keep theirs; the sequence of a period continues.
func (s *Service) SetSeries(ctx context.Context, p access.Principal, kind, pattern string) error {
	check := func() error {
		if _, ok := numbering.DefaultSeries[kind]; !ok {
			return fail.Field("kind", "use invoice or credit_note")
		}
		return numbering.CheckPattern(pattern)
	}
	_, err := usecase.Write(ctx, s.settings, p, access.ManageTenant, check, func(tx SettingsTx) (struct{}, usecase.Audit, error) {
		if err := tx.SetSeries(ctx, p.TenantID, kind, pattern); err != nil {
			return struct{}{}, usecase.Audit{}, err
		}
		return struct{}{}, usecase.Entry("number_series.saved", "number_series", kind, map[string]string{"pattern": pattern}), nil
	})
	return err
}

// ListSeries returns the number series patterns by kind.
func (s *Service) ListSeries(ctx context.Context, p access.Principal) (map[string]string, error) {
	return usecase.Read(ctx, s.settings, p, access.ReadSettings, func(tx SettingsTx) (map[string]string, error) {
		return tx.ListSeries(ctx, p.TenantID)
	})
}
