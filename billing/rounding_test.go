package billing_test

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/tax"
)

// exactly shows a decimal as coefficient e exponent: the stored form, which
// "1.50" and "1.5" do not share.
func exactly(v decimal.Decimal) string { return fmt.Sprintf("%se%d", v.Coefficient(), v.Exponent()) }

// TestComputeRoundingEdges pins Compute's results, coefficient and exponent,
// on the limits of the rounding policy: halves of either sign, currencies
// of 0, 2, 3 and 4 digits, 6-decimal quantities and prices, amount-only
// lines with trailing zeros and exponents, odd and huge rates, payments,
// exchange rates, and amounts far beyond 64 bits. (These were the edge cases
// of the removed fixed-point fast path; the values are the ones both paths
// and the original implementation gave.) A line in group BOTH carries V21
// and V10; an amount-only line carries V21.
func TestComputeRoundingEdges(t *testing.T) {
	t.Parallel()
	line := func(q, p, disc string) billing.Line {
		l := billing.Line{Description: "x", Quantity: dp(q), UnitPrice: pp(p), SalesTaxGroup: "DOM", ItemSalesTaxGroup: "BOTH"}
		if disc != "" {
			l.Discount = eur(d(disc))
		}
		return l
	}
	amount := func(a string) billing.Line {
		return billing.Line{Description: "x", Amount: eur(d(a)), SalesTaxGroup: "DOM", ItemSalesTaxGroup: "FULL"}
	}
	type want struct {
		amounts, lineTax, taxes                  string // comma-separated; taxes as code:base:amount
		net, tax, total, balance, totAcc, balAcc string
	}
	tests := []struct {
		name, currency string
		lines          []billing.Line
		paid, rate     string
		r21, r10       string
		perCode        want
		perLine        *want // nil: as per code
	}{
		{name: "plain", currency: "EUR", lines: []billing.Line{line("3", "19.99", ""), line("2.5", "7.333", "0.01")},
			perCode: want{"5997e-2,1832e-2", "1859e-2,568e-2", "V10:7829e-2:783e-2,V21:7829e-2:1644e-2",
				"7829e-2", "2427e-2", "10256e-2", "10256e-2", "10256e-2", "10256e-2"}},
		{name: "half cent up and down, negative", currency: "EUR", lines: []billing.Line{line("1", "1.005", ""), line("-1", "1.005", ""), line("1", "-0.005", "")},
			perCode: want{"101e-2,-101e-2,-1e-2", "31e-2,-31e-2,0e-2", "V10:-1e-2:0e-2,V21:-1e-2:0e-2",
				"-1e-2", "0e-2", "-1e-2", "-1e-2", "-1e-2", "-1e-2"}},
		{name: "JPY", currency: "JPY", lines: []billing.Line{line("3", "333.5", ""), line("-3", "333.5", "")},
			perCode: want{"1001e0,-1001e0", "310e0,-310e0", "V10:0e0:0e0,V21:0e0:0e0",
				"0e0", "0e0", "0e0", "0e0", "0e-2", "0e-2"}},
		{name: "BHD", currency: "BHD", lines: []billing.Line{line("1", "1.0005", ""), line("2", "1.0004", "0.0000001")},
			perCode: want{"1001e-3,2001e-3", "310e-3,620e-3", "V10:3002e-3:300e-3,V21:3002e-3:630e-3",
				"3002e-3", "930e-3", "3932e-3", "3932e-3", "393e-2", "393e-2"}},
		{name: "CLF 4 digits", currency: "CLF", lines: []billing.Line{line("0.000001", "0.000001", ""), line("1.5", "0.00005", "")},
			perCode: want{"0e-4,1e-4", "0e-4,0e-4", "V10:1e-4:0e-4,V21:1e-4:0e-4",
				"1e-4", "0e-4", "1e-4", "1e-4", "0e-2", "0e-2"}},
		{name: "6+6 decimals at the limits", currency: "EUR", lines: []billing.Line{line("999999999999.999999", "0.000001", ""), line("12345.678901", "1234.567891", "")},
			perCode: want{"100000000e-2,1524157876e-2", "31000000e-2,472488942e-2", "V10:1624157876e-2:162415788e-2,V21:1624157876e-2:341073154e-2",
				"1624157876e-2", "503488942e-2", "2127646818e-2", "2127646818e-2", "2127646818e-2", "2127646818e-2"}},
		{name: "amount only with trailing zeros and exponents", currency: "EUR", lines: []billing.Line{amount("12.3400"), amount("1E+3"), amount("-0.50")},
			// Per code: 2.5914 + 210 − 0.105 = 212.4864 → 212.49, shared by
			// money.Apportion: truncated 2.59, 210, −0.10 already sum to it.
			perCode: want{"123400e-4,1e3,-50e-2", "259e-2,21000e-2,-10e-2", "V21:10118400e-4:21249e-2",
				"10118400e-4", "21249e-2", "12243300e-4", "12243300e-4", "122433e-2", "122433e-2"},
			// Per line: 2.5914 → 2.59, 210 and −0.105 → −0.11 sum to 212.48.
			perLine: &want{"123400e-4,1e3,-50e-2", "259e-2,21000e-2,-11e-2", "V21:10118400e-4:21248e-2",
				"10118400e-4", "21248e-2", "12243200e-4", "12243200e-4", "122432e-2", "122432e-2"}},
		{name: "odd rates", currency: "EUR", lines: []billing.Line{line("3", "19.99", ""), line("7", "0.13", "")}, r21: "5.5", r10: "0.001",
			perCode: want{"5997e-2,91e-2", "330e-2,5e-2", "V10:6088e-2:0e-2,V21:6088e-2:335e-2",
				"6088e-2", "335e-2", "6423e-2", "6423e-2", "6423e-2", "6423e-2"}},
		{name: "rate with exponent notation", currency: "EUR", lines: []billing.Line{line("3", "19.99", "")}, r21: "2E+1", r10: "21.000",
			perCode: want{"5997e-2", "2458e-2", "V10:5997e-2:1259e-2,V21:5997e-2:1199e-2",
				"5997e-2", "2458e-2", "8455e-2", "8455e-2", "8455e-2", "8455e-2"}},
		{name: "paid and a foreign currency", currency: "USD", lines: []billing.Line{line("3", "19.99", "")}, paid: "10.005", rate: "0.9213456789",
			perCode: want{"5997e-2", "1859e-2", "V10:5997e-2:600e-2,V21:5997e-2:1259e-2",
				"5997e-2", "1859e-2", "7856e-2", "68555e-3", "7238e-2", "6316e-2"}},
		{name: "no lines", currency: "EUR",
			perCode: want{"", "", "", "0e0", "0e0", "0e0", "0e0", "0e-2", "0e-2"}},
		{name: "line product beyond 64 bits", currency: "EUR", lines: []billing.Line{line("999999999999", "999999999999", "")},
			perCode: want{"99999999999800000000000100e-2", "30999999999938000000000031e-2",
				"V10:99999999999800000000000100e-2:9999999999980000000000010e-2,V21:99999999999800000000000100e-2:20999999999958000000000021e-2",
				"99999999999800000000000100e-2", "30999999999938000000000031e-2", "130999999999738000000000131e-2",
				"130999999999738000000000131e-2", "130999999999738000000000131e-2", "130999999999738000000000131e-2"}},
		{name: "huge amount-only line", currency: "EUR", lines: []billing.Line{amount("1234567890123456789012345.67")},
			perCode: want{"123456789012345678901234567e-2", "25925925692592592569259259e-2", "V21:123456789012345678901234567e-2:25925925692592592569259259e-2",
				"123456789012345678901234567e-2", "25925925692592592569259259e-2", "149382714704938271470493826e-2",
				"149382714704938271470493826e-2", "149382714704938271470493826e-2", "149382714704938271470493826e-2"}},
		{name: "tiny discount", currency: "EUR", lines: []billing.Line{line("1", "1", "0.00000000000000000000000000000000000000000001")},
			perCode: want{"100e-2", "31e-2", "V10:100e-2:10e-2,V21:100e-2:21e-2", "100e-2", "31e-2", "131e-2", "131e-2", "131e-2", "131e-2"}},
		{name: "huge rate", currency: "EUR", lines: []billing.Line{line("3", "19.99", "")}, r21: "123456789012345678901234",
			perCode: want{"5997e-2", "7403703637070370363707603e-2", "V10:5997e-2:600e-2,V21:5997e-2:7403703637070370363707003e-2",
				"5997e-2", "7403703637070370363707603e-2", "7403703637070370363713600e-2", "7403703637070370363713600e-2",
				"7403703637070370363713600e-2", "7403703637070370363713600e-2"}},
		{name: "huge paid", currency: "EUR", lines: []billing.Line{line("3", "19.99", "")}, paid: "123456789012345678901234",
			perCode: want{"5997e-2", "1859e-2", "V10:5997e-2:600e-2,V21:5997e-2:1259e-2",
				"5997e-2", "1859e-2", "7856e-2", "-12345678901234567890115544e-2", "7856e-2", "-12345678901234567890115544e-2"}},
		{name: "huge exchange rate", currency: "USD", lines: []billing.Line{line("3", "19.99", "")}, rate: "1.23456789012345678901234",
			perCode: want{"5997e-2", "1859e-2", "V10:5997e-2:600e-2,V21:5997e-2:1259e-2",
				"5997e-2", "1859e-2", "7856e-2", "7856e-2", "9699e-2", "9699e-2"}},
	}
	for _, tt := range tests {
		for _, mode := range []tax.Mode{tax.PerCode, tax.PerLine} {
			t.Run(tt.name+"/"+string(mode), func(t *testing.T) {
				t.Parallel()
				s := setup(mode)
				s.ItemGroups["BOTH"] = tax.Group{Kind: "item", Code: "BOTH", Codes: []string{"V21", "V10"}}
				for code, rate := range map[string]string{"V21": cmp.Or(tt.r21, "21"), "V10": cmp.Or(tt.r10, "10")} {
					c := s.Codes[code]
					c.Rate = d(rate)
					s.Codes[code] = c
				}
				inv := billing.Invoice{Currency: tt.currency, Lines: append([]billing.Line(nil), tt.lines...)}
				if tt.paid != "" {
					inv.Paid = money.In(d(tt.paid), tt.currency)
				}
				if tt.rate != "" {
					inv.ExchangeRate = d(tt.rate)
				}
				if err := inv.Compute(s, money.MustCurrency("EUR")); err != nil {
					t.Fatal(err)
				}
				w := tt.perCode
				if mode == tax.PerLine && tt.perLine != nil {
					w = *tt.perLine
				}
				var amounts, lineTax, taxes []string
				for _, l := range inv.Lines {
					amounts = append(amounts, exactly(l.Amount.Decimal()))
					lineTax = append(lineTax, exactly(l.TaxAmount.Decimal()))
				}
				for _, x := range inv.Taxes {
					taxes = append(taxes, x.Code+":"+exactly(x.Base.Decimal())+":"+exactly(x.Amount.Decimal()))
				}
				for _, c := range []struct{ what, got, want string }{
					{"line amounts", strings.Join(amounts, ","), w.amounts},
					{"line taxes", strings.Join(lineTax, ","), w.lineTax},
					{"taxes", strings.Join(taxes, ","), w.taxes},
					{"net", exactly(inv.Net.Decimal()), w.net},
					{"tax", exactly(inv.Tax.Decimal()), w.tax},
					{"total", exactly(inv.Total.Decimal()), w.total},
					{"balance", exactly(inv.Balance.Decimal()), w.balance},
					{"total accounting", exactly(inv.TotalAccounting.Decimal()), w.totAcc},
					{"balance accounting", exactly(inv.BalanceAccounting.Decimal()), w.balAcc},
				} {
					if c.got != c.want {
						t.Errorf("%s = %s, want %s", c.what, c.got, c.want)
					}
				}
				if inv.TaxMode != mode {
					t.Errorf("tax mode %q, want %q", inv.TaxMode, mode)
				}
			})
		}
	}
}

// TestComputeLineLimits pins the limits Compute checks on a line entered by
// quantity and price, and on a distribution.
func TestComputeLineLimits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		line  billing.Line
		field string // "" for accepted
	}{
		{"quantity at the limit", billing.Line{Quantity: dp("1000000000000"), UnitPrice: pp("1")}, ""},
		{"quantity above the limit", billing.Line{Quantity: dp("1000000000000.000001"), UnitPrice: pp("1")}, "lines[0].quantity"},
		{"negative quantity above the limit", billing.Line{Quantity: dp("-1000000000001"), UnitPrice: pp("1")}, "lines[0].quantity"},
		{"huge quantity", billing.Line{Quantity: dp("1e30"), UnitPrice: pp("1")}, "lines[0].quantity"},
		{"unit price above the limit", billing.Line{Quantity: dp("1"), UnitPrice: pp("1000000000001")}, "lines[0].unit_price"},
		{"quantity with 7 decimals", billing.Line{Quantity: dp("0.0000001"), UnitPrice: pp("1")}, "lines[0].quantity"},
		{"price with 7 decimals", billing.Line{Quantity: dp("1"), UnitPrice: pp("0.0000001")}, "lines[0].unit_price"},
		{"amount with 3 decimals in EUR", billing.Line{Amount: eur(d("1.001"))}, "lines[0].amount"},
		{"amount with trailing zeros in EUR", billing.Line{Amount: eur(d("1.0000"))}, ""},
		{"amount-only line with a discount", billing.Line{Amount: eur(d("5")), Discount: eur(d("1"))}, "lines[0].discount"},
		{"negative discount", billing.Line{Quantity: dp("1"), UnitPrice: pp("1"), Discount: eur(d("-1"))}, "lines[0].discount"},
		{"only a quantity", billing.Line{Quantity: dp("1")}, "lines[0].unit_price"},
		{"only a price", billing.Line{UnitPrice: pp("1")}, "lines[0].quantity"},
		{"distribution of 100", billing.Line{Amount: eur(d("10")), Distribution: []billing.Split{{Account: "a", Percent: d("33.333")}, {Account: "b", Percent: d("66.667")}}}, ""},
		{"distribution of 99.99", billing.Line{Amount: eur(d("10")), Distribution: []billing.Split{{Account: "a", Percent: d("33.33")}, {Account: "b", Percent: d("66.66")}}}, "lines[0].distribution"},
		{"distribution of 100 with huge digits", billing.Line{Amount: eur(d("10")), Distribution: []billing.Split{{Account: "a", Percent: d("99.99999999999999999999999")}, {Account: "b", Percent: d("0.00000000000000000000001")}}}, ""},
		{"distribution without account", billing.Line{Amount: eur(d("10")), Distribution: []billing.Split{{Percent: d("100")}}}, "lines[0].distribution[0].account"},
		{"distribution of zero percent", billing.Line{Amount: eur(d("10")), Distribution: []billing.Split{{Account: "a", Percent: d("100")}, {Account: "b", Percent: d("0")}}}, "lines[0].distribution[1].percent"},
		{"service end before start", billing.Line{Amount: eur(d("10")), ServiceStart: calendar.MustParse("2026-03-02"), ServiceEnd: calendar.MustParse("2026-03-01")}, "lines[0].service_end"},
		{"unknown charge type", billing.Line{Amount: eur(d("10")), ChargeType: "gift"}, "lines[0].charge_type"},
		{"no description", billing.Line{Description: " ", Amount: eur(d("10"))}, "lines[0].description"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := tt.line
			if l.Description == "" {
				l.Description = "x"
			}
			inv := billing.Invoice{Currency: "EUR", Lines: []billing.Line{l}}
			got := invalidFields(t, inv.Compute(setup(tax.PerCode), money.MustCurrency("EUR")))
			switch {
			case tt.field == "" && got != nil:
				t.Fatalf("refused: %v", got)
			case tt.field != "" && (len(got) == 0 || !slices.Contains(got, tt.field)):
				t.Fatalf("fields %v, want %s", got, tt.field)
			}
		})
	}
}
