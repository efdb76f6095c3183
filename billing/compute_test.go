package billing_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/tax"
)

// TestComputeRefusesDocument covers the document-level refusals and the
// naming of lines past the 64th.
func TestComputeRefusesDocument(t *testing.T) {
	t.Parallel()
	many := func(n int) []billing.Line {
		out := make([]billing.Line, n)
		for i := range out {
			out[i] = billing.Line{Description: "x", Amount: eur(d("1"))}
		}
		return out
	}
	tests := []struct {
		name   string
		inv    billing.Invoice
		fields []string
	}{
		{"unknown currency", billing.Invoice{Currency: "EURO", Lines: many(1)}, []string{"currency"}},
		{"too many lines", billing.Invoice{Currency: "EUR", Lines: many(billing.MaxLines + 1)}, []string{"lines"}},
		{"at the line limit", billing.Invoice{Currency: "EUR", Lines: many(billing.MaxLines)}, nil},
		{"line 70 at fault", func() billing.Invoice {
			inv := billing.Invoice{Currency: "EUR", Lines: many(70)}
			inv.Lines[69].Description = ""
			return inv
		}(), []string{"lines[69].description"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inv := tt.inv
			if got := invalidFields(t, inv.Compute(billing.TaxSetup{}, money.MustCurrency("EUR"))); !slices.Equal(got, tt.fields) {
				t.Fatalf("fields %v, want %v", got, tt.fields)
			}
		})
	}
}

// TestComputeTaxCodesAcrossGroups: lines whose different pairs of groups
// share a code are taxed together under that code; groups or codes that do
// not exist are named on the line.
func TestComputeTaxCodesAcrossGroups(t *testing.T) {
	t.Parallel()
	s := setup(tax.PerCode)
	s.SalesGroups["EXPORT"] = tax.Group{Kind: "sales", Code: "EXPORT", Codes: []string{"V21", "GONE"}}
	s.ItemGroups["OLD"] = tax.Group{Kind: "item", Code: "OLD", Codes: []string{"GONE"}}
	line := func(amount, sales, item string) billing.Line {
		return billing.Line{Description: "x", Amount: eur(d(amount)), SalesTaxGroup: sales, ItemSalesTaxGroup: item}
	}
	inv := billing.Invoice{Currency: "EUR", Lines: []billing.Line{
		line("10", "DOM", "FULL"), line("20", "EXPORT", "FULL"), line("5", "DOM", "RED"), line("1", "DOM", "FULL"),
	}}
	if err := inv.Compute(s, money.MustCurrency("EUR")); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range inv.Taxes {
		got = append(got, fmt.Sprintf("%s:%s:%s", x.Code, x.Base, x.Amount))
	}
	// V21: 21 % of 31 = 6.51; V10: 10 % of 5 = 0.50. Taxes come in code order.
	if want := []string{"V10:5.00:0.50", "V21:31.00:6.51"}; !slices.Equal(got, want) {
		t.Errorf("taxes %v, want %v", got, want)
	}
	if !inv.Tax.Equal(eur(d("7.01"))) || !inv.Total.Equal(eur(d("43.01"))) {
		t.Errorf("tax %s total %s, want 7.01 and 43.01", inv.Tax, inv.Total)
	}
	for i, want := range [][]string{{"V21"}, {"V21"}, {"V10"}, {"V21"}} {
		if !slices.Equal(inv.Lines[i].TaxCodes, want) {
			t.Errorf("line %d codes %v, want %v", i, inv.Lines[i].TaxCodes, want)
		}
	}

	tests := []struct {
		name   string
		line   billing.Line
		fields []string
	}{
		{"code of the groups no longer exists", line("1", "EXPORT", "OLD"), []string{"lines[0].tax_codes"}},
		{"no such sales group", line("1", "NOPE", "FULL"), []string{"lines[0].sales_tax_group"}},
		{"no such item group", line("1", "DOM", "NOPE"), []string{"lines[0].item_sales_tax_group"}},
		{"only an item group", line("1", "", "FULL"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inv := billing.Invoice{Currency: "EUR", Lines: []billing.Line{tt.line}}
			err := inv.Compute(s, money.MustCurrency("EUR"))
			if got := invalidFields(t, err); !slices.Equal(got, tt.fields) {
				t.Fatalf("fields %v, want %v", got, tt.fields)
			}
			if tt.fields != nil && !strings.Contains(err.Error(), `"`) {
				t.Errorf("message %q does not name the group or code", err)
			}
		})
	}
}

func TestIssueLinesPosting(t *testing.T) {
	t.Parallel()
	euro := money.MustCurrency("EUR")
	acct := billing.PostingAccounts{Receivables: "1100", Revenue: "4000", Rounding: "6800"}
	inv := billing.Invoice{ID: "inv_1", Kind: billing.KindInvoice, Currency: "EUR", InvoiceAccountID: "cus_1", Lines: []billing.Line{
		{Description: "split", Amount: eur(d("10.01")), SalesTaxGroup: "DOM", ItemSalesTaxGroup: "FULL",
			Distribution: []billing.Split{{Account: "4100", Percent: d("50")}, {Account: "4200", Percent: d("50")}}},
		{Description: "own account", Amount: eur(d("5")), Account: "4300", SalesTaxGroup: "DOM", ItemSalesTaxGroup: "RED"},
		{Description: "default account", Amount: eur(d("1"))},
	}}
	if err := inv.Compute(setup(tax.PerCode), euro); err != nil {
		t.Fatal(err)
	}
	show := func(ls []ledger.Line) []string {
		var out []string
		for _, l := range ls {
			out = append(out, fmt.Sprintf("%s %s/%s", l.Account, l.Debit.StringFixed(), l.Credit.StringFixed()))
		}
		slices.Sort(out)
		return out
	}
	// 10.01 split 50/50 gives 5.01 and 5.00; VAT 21 % of 10.01 = 2.10, 10 % of 5 = 0.50.
	ls, err := inv.IssueLines(acct, euro)
	if err != nil {
		t.Fatal(err)
	}
	// Both VAT codes post to 2100, which takes one line of 2.60.
	want := []string{"1100 18.61/0.00", "2100 0.00/2.60", "4000 0.00/1.00", "4100 0.00/5.01", "4200 0.00/5.00", "4300 0.00/5.00"}
	if got := show(ls); !slices.Equal(got, want) {
		t.Errorf("invoice posting\n%v\nwant\n%v", got, want)
	}
	// A credit note posts the mirror.
	inv.Kind = billing.KindCreditNote
	if ls, err = inv.IssueLines(acct, euro); err != nil {
		t.Fatal(err)
	}
	want = []string{"1100 0.00/18.61", "2100 2.60/0.00", "4000 1.00/0.00", "4100 5.01/0.00", "4200 5.00/0.00", "4300 5.00/0.00"}
	if got := show(ls); !slices.Equal(got, want) {
		t.Errorf("credit note posting\n%v\nwant\n%v", got, want)
	}

	bad := inv
	bad.Currency = "EURO"
	if _, err := bad.IssueLines(acct, euro); err == nil {
		t.Error("IssueLines accepted an unknown currency")
	}
	zero := inv.Clone()
	zero.Lines[0].Distribution = []billing.Split{{Account: "4100", Percent: d("0")}}
	if _, err := zero.IssueLines(acct, euro); err == nil || !strings.Contains(err.Error(), "distribute line 1") {
		t.Errorf("IssueLines with only a zero weight = %v, want a distribution error naming line 1", err)
	}
}

func TestWriteOffLines(t *testing.T) {
	t.Parallel()
	show := func(ls []ledger.Line) string {
		var out []string
		for _, l := range ls {
			out = append(out, fmt.Sprintf("%s %s/%s %s", l.Account, l.Debit.Decimal(), l.Credit.Decimal(), l.Amount.Decimal()))
		}
		return strings.Join(out, "; ")
	}
	tests := []struct {
		name string
		inv  billing.Invoice
		want string
	}{
		{"nothing left", billing.Invoice{Kind: billing.KindInvoice, Currency: "EUR"}, ""},
		{"invoice in USD", billing.Invoice{ID: "i", Kind: billing.KindInvoice, Currency: "USD",
			Totals: billing.Totals{Balance: money.In(d("10"), "USD"), BalanceAccounting: eur(d("9.21"))}},
			"6900 9.21/0 10; 1100 0/9.21 -10"},
		{"credit note", billing.Invoice{ID: "c", Kind: billing.KindCreditNote, Currency: "EUR",
			Totals: billing.Totals{Balance: eur(d("5")), BalanceAccounting: eur(d("5"))}},
			"6900 0/5 -5; 1100 5/0 5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := show(tt.inv.WriteOffLines("1100", "6900")); got != tt.want {
				t.Errorf("WriteOffLines = %q, want %q", got, tt.want)
			}
		})
	}
}
