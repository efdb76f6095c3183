package billing

import (
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/tax"
)

// Setup is what a tenant has configured that making and issuing a document
// reads: the tenant, its tax setup, its chart of accounts and posting
// profiles, and its number series. A use case reads it once per
// transaction and hands it to every rule that needs a part of it.
type Setup struct {
	Tenant   Tenant
	Tax      TaxSetup
	Accounts []ledger.Account
	Profiles []ledger.PostingProfile
	Series   map[string]string // number series kind → pattern
}

// NewTaxSetup indexes a tenant's tax mode, codes and groups for computing
// tax.
func NewTaxSetup(mode tax.Mode, codes []tax.Code, groups []tax.Group) TaxSetup {
	setup := TaxSetup{Mode: mode, Codes: map[string]tax.Code{}, SalesGroups: map[string]tax.Group{}, ItemGroups: map[string]tax.Group{}}
	for _, c := range codes {
		setup.Codes[c.Code] = c
	}
	for _, g := range groups {
		if g.Kind == tax.SalesGroup {
			setup.SalesGroups[g.Code] = g
		} else {
			setup.ItemGroups[g.Code] = g
		}
	}
	return setup
}

// RoleAccounts returns the account of each role the chart gives one.
func RoleAccounts(chart []ledger.Account) map[ledger.Role]string {
	out := map[ledger.Role]string{}
	for _, a := range chart {
		if a.Role != "" {
			out[a.Role] = a.Code
		}
	}
	return out
}

// ControlAccounts returns the tenant's control accounts
// (ledger.ControlAccounts): those of control roles, of posting profiles and
// of tax codes.
func (s Setup) ControlAccounts() map[string]bool {
	taxAccounts := make([]string, 0, len(s.Tax.Codes))
	for _, c := range s.Tax.Codes {
		taxAccounts = append(taxAccounts, c.Account)
	}
	return ledger.ControlAccounts(s.Accounts, s.Profiles, taxAccounts)
}

// PostingAccounts resolves the accounts issuing, or writing off the balance
// of, a document of a posting profile posts to ("" is the default profile).
func (s Setup) PostingAccounts(profile string) (PostingAccounts, error) {
	var out PostingAccounts
	if profile == "" {
		profile = ledger.DefaultProfile
	}
	for _, pp := range s.Profiles {
		if pp.Code == profile {
			out.Receivables = pp.ReceivablesAccount
		}
	}
	if out.Receivables == "" {
		return out, fail.Field("posting_profile", "no posting profile %q", profile)
	}
	roles := RoleAccounts(s.Accounts)
	out.Revenue, out.Rounding, out.WriteOff = roles[ledger.RoleRevenue], roles[ledger.RoleRounding], roles[ledger.RoleWriteOff]
	return out, nil
}
