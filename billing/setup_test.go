package billing

import (
	"errors"
	"testing"

	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/tax"
)

func TestSetupReadsTheTenantConfiguration(t *testing.T) {
	t.Parallel()
	taxes := NewTaxSetup(tax.Mode("exclusive"),
		[]tax.Code{{Code: "VAT21", Account: "4770"}, {Code: "EXEMPT"}},
		[]tax.Group{{Code: "DOM", Kind: tax.SalesGroup}, {Code: "GOODS", Kind: tax.ItemGroup}})
	if taxes.Mode != "exclusive" || len(taxes.Codes) != 2 || taxes.Codes["VAT21"].Account != "4770" {
		t.Fatalf("NewTaxSetup codes = %+v", taxes)
	}
	if _, ok := taxes.SalesGroups["DOM"]; !ok || len(taxes.SalesGroups) != 1 {
		t.Errorf("sales groups = %v, want DOM only", taxes.SalesGroups)
	}
	if _, ok := taxes.ItemGroups["GOODS"]; !ok || len(taxes.ItemGroups) != 1 {
		t.Errorf("item groups = %v, want GOODS only", taxes.ItemGroups)
	}

	s := Setup{
		Tax: taxes,
		Accounts: []ledger.Account{
			{Code: "4300", Role: ledger.RoleReceivables},
			{Code: "7000", Role: ledger.RoleRevenue},
			{Code: "6590", Role: ledger.RoleRounding},
			{Code: "6500", Role: ledger.RoleWriteOff},
			{Code: "7050"},
		},
		Profiles: []ledger.PostingProfile{
			{Code: ledger.DefaultProfile, ReceivablesAccount: "4300"},
			{Code: "EXPORT", ReceivablesAccount: "4310"},
		},
	}
	control := s.ControlAccounts()
	for _, code := range []string{"4300", "4310", "4770"} {
		if !control[code] {
			t.Errorf("ControlAccounts lacks %s: %v", code, control)
		}
	}
	for _, code := range []string{"7000", "7050", ""} {
		if control[code] {
			t.Errorf("ControlAccounts holds %q, not a control account", code)
		}
	}

	cases := []struct {
		profile, receivables string
	}{{"", "4300"}, {ledger.DefaultProfile, "4300"}, {"EXPORT", "4310"}}
	for _, c := range cases {
		got, err := s.PostingAccounts(c.profile)
		if err != nil {
			t.Fatalf("PostingAccounts(%q): %v", c.profile, err)
		}
		want := PostingAccounts{Receivables: c.receivables, Revenue: "7000", Rounding: "6590", WriteOff: "6500"}
		if got != want {
			t.Errorf("PostingAccounts(%q) = %+v, want %+v", c.profile, got, want)
		}
	}
	var fe *fail.Error
	if _, err := s.PostingAccounts("NOPE"); !errors.As(err, &fe) || len(fe.Fields) != 1 || fe.Fields[0].Field != "posting_profile" {
		t.Errorf("PostingAccounts of an unknown profile: %v, want an error on posting_profile", err)
	}
}
