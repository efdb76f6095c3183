package service

import (
	"context"
	"slices"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/ledger"
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

// initTenant writes a new tenant's default chart of accounts, posting
// profile and number series.
func (s *Service) initTenant(ctx context.Context, tx Tx, tenantID string) error {
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
	for kind, pattern := range billing.DefaultSeries {
		if err := tx.SetSeries(ctx, tenantID, kind, pattern); err != nil {
			return err
		}
	}
	return nil
}

// UpsertTaxCode creates or changes a tax code (administrator). Documents
// already issued keep the rate they were issued with.
func (s *Service) UpsertTaxCode(ctx context.Context, p access.Principal, c tax.Code) (tax.Code, error) {
	if err := p.Require(access.ManageTenant); err != nil {
		return c, err
	}
	if err := c.Normalize(); err != nil {
		return c, err
	}
	err := s.store.Write(ctx, func(tx Tx) error {
		if err := s.requireAccount(ctx, tx, p.TenantID, "account", c.Account); err != nil {
			return err
		}
		if err := tx.UpsertTaxCode(ctx, p.TenantID, c); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, "tax_code.saved", "tax_code", c.Code, c)
	})
	return c, err
}

// ListTaxCodes lists the tenant's tax codes.
func (s *Service) ListTaxCodes(ctx context.Context, p access.Principal) ([]tax.Code, error) {
	if err := p.Require(access.ReadSettings); err != nil {
		return nil, err
	}
	var out []tax.Code
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = tx.ListTaxCodes(ctx, p.TenantID)
		return err
	})
	return out, err
}

// UpsertTaxGroup creates or changes a sales or item sales tax group (administrator).
func (s *Service) UpsertTaxGroup(ctx context.Context, p access.Principal, g tax.Group) (tax.Group, error) {
	if err := p.Require(access.ManageTenant); err != nil {
		return g, err
	}
	if err := g.Normalize(); err != nil {
		return g, err
	}
	err := s.store.Write(ctx, func(tx Tx) error {
		codes, err := tx.ListTaxCodes(ctx, p.TenantID)
		if err != nil {
			return err
		}
		for _, c := range g.Codes {
			if !slices.ContainsFunc(codes, func(x tax.Code) bool { return x.Code == c }) {
				return fail.Field("tax_codes", "no tax code %q; create it first", c)
			}
		}
		if err := tx.UpsertTaxGroup(ctx, p.TenantID, g); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, "tax_group.saved", "tax_group", g.Kind+":"+g.Code, g)
	})
	return g, err
}

// ListTaxGroups lists the tenant's sales and item sales tax groups.
func (s *Service) ListTaxGroups(ctx context.Context, p access.Principal) ([]tax.Group, error) {
	if err := p.Require(access.ReadSettings); err != nil {
		return nil, err
	}
	var out []tax.Group
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = tx.ListTaxGroups(ctx, p.TenantID)
		return err
	})
	return out, err
}

// SetTaxMode switches the tenant between per-code (EN 16931) and per-line tax rounding.
func (s *Service) SetTaxMode(ctx context.Context, p access.Principal, m tax.Mode) error {
	if err := p.Require(access.ManageTenant); err != nil {
		return err
	}
	if !tax.ValidMode(m) {
		return fail.Field("tax_mode", "use per_code or per_line")
	}
	return s.store.Write(ctx, func(tx Tx) error {
		if err := tx.SetTaxMode(ctx, p.TenantID, m); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, "tenant.tax_mode", "tenant", p.TenantID, map[string]any{"tax_mode": m})
	})
}

// taxSetup loads what computing tax needs.
func (s *Service) taxSetup(ctx context.Context, tx Tx, tenantID string) (billing.TaxSetup, error) {
	setup := billing.TaxSetup{Codes: map[string]tax.Code{}, SalesGroups: map[string]tax.Group{}, ItemGroups: map[string]tax.Group{}}
	mode, err := tx.GetTaxMode(ctx, tenantID)
	if err != nil {
		return setup, err
	}
	setup.Mode = mode
	codes, err := tx.ListTaxCodes(ctx, tenantID)
	if err != nil {
		return setup, err
	}
	for _, c := range codes {
		setup.Codes[c.Code] = c
	}
	groups, err := tx.ListTaxGroups(ctx, tenantID)
	if err != nil {
		return setup, err
	}
	for _, g := range groups {
		if g.Kind == tax.SalesGroup {
			setup.SalesGroups[g.Code] = g
		} else {
			setup.ItemGroups[g.Code] = g
		}
	}
	return setup, nil
}

func (s *Service) requireAccount(ctx context.Context, tx Tx, tenantID, field, code string) error {
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
	if err := p.Require(access.ManageLedger); err != nil {
		return a, err
	}
	if err := a.Normalize(); err != nil {
		return a, err
	}
	err := s.store.Write(ctx, func(tx Tx) error {
		existing, err := tx.ListAccounts(ctx, p.TenantID)
		if err != nil {
			return err
		}
		for _, x := range existing {
			if x.Code == a.Code {
				if x.Role != "" && (a.Archived || a.Type != x.Type) {
					return fail.Field("code", "account %s is a system account (%s): it cannot be archived or change type", a.Code, x.Role)
				}
				a.Role = x.Role
			}
		}
		if err := tx.UpsertAccount(ctx, p.TenantID, a); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, "ledger_account.saved", "ledger_account", a.Code, a)
	})
	return a, err
}

// ListAccounts lists the chart of accounts.
func (s *Service) ListAccounts(ctx context.Context, p access.Principal) ([]ledger.Account, error) {
	if err := p.Require(access.ReadLedger); err != nil {
		return nil, err
	}
	var out []ledger.Account
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = tx.ListAccounts(ctx, p.TenantID)
		return err
	})
	return out, err
}

// UpsertPostingProfile creates or changes a posting profile.
func (s *Service) UpsertPostingProfile(ctx context.Context, p access.Principal, pp ledger.PostingProfile) (ledger.PostingProfile, error) {
	if err := p.Require(access.ManageLedger); err != nil {
		return pp, err
	}
	if !tax.ValidCode(pp.Code) {
		return pp, fail.Field("code", "use 1 to 32 letters, digits, '.', '_' or '-'")
	}
	if pp.Name == "" {
		pp.Name = pp.Code
	}
	err := s.store.Write(ctx, func(tx Tx) error {
		if err := s.requireAccount(ctx, tx, p.TenantID, "receivables_account", pp.ReceivablesAccount); err != nil {
			return err
		}
		if err := tx.UpsertPostingProfile(ctx, p.TenantID, pp); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, "posting_profile.saved", "posting_profile", pp.Code, pp)
	})
	return pp, err
}

// ListPostingProfiles lists the posting profiles.
func (s *Service) ListPostingProfiles(ctx context.Context, p access.Principal) ([]ledger.PostingProfile, error) {
	if err := p.Require(access.ReadLedger); err != nil {
		return nil, err
	}
	var out []ledger.PostingProfile
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = tx.ListPostingProfiles(ctx, p.TenantID)
		return err
	})
	return out, err
}

// SetSeries changes a number series pattern (administrator). Numbers already
// issued keep theirs; the sequence of a period continues.
func (s *Service) SetSeries(ctx context.Context, p access.Principal, kind, pattern string) error {
	if err := p.Require(access.ManageTenant); err != nil {
		return err
	}
	if _, ok := billing.DefaultSeries[kind]; !ok {
		return fail.Field("kind", "use invoice or credit_note")
	}
	if err := billing.CheckPattern(pattern); err != nil {
		return err
	}
	return s.store.Write(ctx, func(tx Tx) error {
		if err := tx.SetSeries(ctx, p.TenantID, kind, pattern); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, "number_series.saved", "number_series", kind, map[string]string{"pattern": pattern})
	})
}

// ListSeries returns the number series patterns by kind.
func (s *Service) ListSeries(ctx context.Context, p access.Principal) (map[string]string, error) {
	if err := p.Require(access.ReadSettings); err != nil {
		return nil, err
	}
	var out map[string]string
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = tx.ListSeries(ctx, p.TenantID)
		return err
	})
	return out, err
}
