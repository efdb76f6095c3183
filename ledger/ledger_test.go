package ledger_test

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/money"
)

// TestControlAccounts: the control accounts of a chart are the accounts
// with the receivables, tax, prepayments or customer credit role, every
// posting profile's receivables account and every tax code's account; no
// other account is one.
func TestControlAccounts(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		role Role
		want bool
	}{
		{ledger.RoleReceivables, true}, {ledger.RoleTax, true}, {ledger.RolePrepayments, true}, {ledger.RoleCustomerCredit, true},
		{ledger.RoleRevenue, false}, {ledger.RoleBank, false}, {ledger.RoleRounding, false}, {ledger.RoleWriteOff, false},
		{ledger.RoleCashDiscount, false}, {"", false},
	} {
		if got := c.role.IsControl(); got != c.want {
			t.Errorf("role %q IsControl = %v, want %v", c.role, got, c.want)
		}
	}
	chart := append(ledger.DefaultChart(), ledger.Account{Code: "1150", Name: "Receivables: resellers", Type: ledger.Asset},
		ledger.Account{Code: "2110", Name: "VAT 10 % payable", Type: ledger.Liability})
	for _, c := range []struct {
		name     string
		profiles []ledger.PostingProfile
		tax      []string
		want     []string
	}{
		{"default chart", nil, nil, []string{"1100", "2100", "2200", "2300"}},
		{"a profile's receivables account", []ledger.PostingProfile{{Code: "resellers", ReceivablesAccount: "1150"}}, nil,
			[]string{"1100", "1150", "2100", "2200", "2300"}},
		{"a tax code's account", nil, []string{"2110", "2100", ""}, []string{"1100", "2100", "2110", "2200", "2300"}},
	} {
		got := slices.Sorted(maps.Keys(ledger.ControlAccounts(chart, c.profiles, c.tax)))
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: control accounts %v, want %v", c.name, got, c.want)
		}
	}
}

// Role is ledger.Role, for the table above.
type Role = ledger.Role

// TestDefaultChartHasCashDiscount: every tenant starts with one account for
// the cash discounts it grants, an expense.
func TestDefaultChartHasCashDiscount(t *testing.T) {
	t.Parallel()
	var found []ledger.Account
	for _, a := range ledger.DefaultChart() {
		if a.Role == ledger.RoleCashDiscount {
			found = append(found, a)
		}
	}
	if len(found) != 1 || found[0].Type != ledger.Expense || found[0].Code != "6810" {
		t.Errorf("cash discount accounts %+v, want one expense account 6810", found)
	}
}

// TestNewBalance: an account's net is its debits less its credits, in
// their currency, which the balance names.
func TestNewBalance(t *testing.T) {
	t.Parallel()
	eur := money.MustCurrency("EUR")
	b := ledger.NewBalance("1100", "Receivables", ledger.Asset, money.New(decimal.RequireFromString("120.5"), eur),
		money.New(decimal.RequireFromString("200"), eur))
	if !b.Net.Equal(money.New(decimal.RequireFromString("-79.5"), eur)) || b.Currency != "EUR" || b.Account != "1100" || b.Type != ledger.Asset {
		t.Errorf("NewBalance = %+v", b)
	}
	if j, _ := json.Marshal(b); !strings.Contains(string(j), `"net":"-79.50"`) {
		t.Errorf("JSON %s does not write the net with the currency's digits", j)
	}
}
