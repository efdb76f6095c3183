package billing_test

import (
	"strings"
	"testing"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/tax"
)

// TestLineTaxShares pins how Compute shares a code's tax over its lines
// (money.Apportion, largest remainder): per code the shares sum to the
// code's tax and each is within one minor unit of the line's exact tax;
// per line each line keeps its own rounded tax.
func TestLineTaxShares(t *testing.T) {
	t.Parallel()
	amount := func(a, group string) billing.Line {
		return billing.Line{Description: "x", Amount: eur(d(a)), SalesTaxGroup: "DOM", ItemSalesTaxGroup: group}
	}
	tests := []struct {
		name, currency   string
		lines            []billing.Line
		perCode, perLine string // line taxes, comma-separated
	}{
		// 0.005 each, 0.015 → 0.02 per code: the two units go to the
		// first two lines (equal remainders, earlier index first).
		{"three half cents", "EUR", []billing.Line{amount("0.05", "RED"), amount("0.05", "RED"), amount("0.05", "RED")},
			"0.01,0.01,0.00", "0.01,0.01,0.01"},
		// +0.005 and −0.005 cancel: no line carries a cent per code.
		{"opposite half cents", "EUR", []billing.Line{amount("0.05", "RED"), amount("-0.05", "RED")},
			"0.00,0.00", "0.01,-0.01"},
		// 2.5914 + 210 − 0.105 = 212.4864 → 212.49: truncated shares
		// already sum to it; per line −0.105 rounds away to −0.11.
		{"mixed signs", "EUR", []billing.Line{amount("12.34", "FULL"), amount("1000", "FULL"), amount("-0.50", "FULL")},
			"2.59,210.00,-0.10", "2.59,210.00,-0.11"},
		// 0.7 + 0.7 + 0.7 = 2.1 → 2: the largest remainders tie, so the
		// first two lines get a yen each.
		{"yen", "JPY", []billing.Line{amount("7", "RED"), amount("7", "RED"), amount("7", "RED")},
			"1,1,0", "1,1,1"},
		// 0.0105 each at 21 %: 0.0315 → 0.032 per code.
		{"three digits", "BHD", []billing.Line{amount("0.050", "FULL"), amount("0.050", "FULL"), amount("0.050", "FULL")},
			"0.011,0.011,0.010", "0.011,0.011,0.011"},
		// The two codes of one line are shared separately: V21 0.0105 ×2
		// → 0.02 and V10 0.005 ×2 → 0.01.
		{"two codes", "EUR", []billing.Line{amount("0.05", "BOTH"), amount("0.05", "BOTH")},
			"0.02,0.01", "0.02,0.02"},
	}
	for _, tt := range tests {
		for _, mode := range []tax.Mode{tax.PerCode, tax.PerLine} {
			t.Run(tt.name+"/"+string(mode), func(t *testing.T) {
				t.Parallel()
				s := setup(mode)
				s.ItemGroups["BOTH"] = tax.Group{Kind: "item", Code: "BOTH", Codes: []string{"V21", "V10"}}
				inv := billing.Invoice{Currency: tt.currency, Lines: append([]billing.Line(nil), tt.lines...)}
				if err := inv.Compute(s, money.MustCurrency("EUR")); err != nil {
					t.Fatal(err)
				}
				cur := money.MustCurrency(tt.currency)
				var got []string
				for _, l := range inv.Lines {
					got = append(got, money.New(l.TaxAmount.Decimal(), cur).StringFixed())
				}
				want := tt.perCode
				if mode == tax.PerLine {
					want = tt.perLine
				}
				if strings.Join(got, ",") != want {
					t.Errorf("line taxes = %s, want %s", strings.Join(got, ","), want)
				}
			})
		}
	}
}
