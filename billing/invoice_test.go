package billing_test

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/tax"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }
func dp(s string) *decimal.Decimal {
	v := d(s)
	return &v
}

// setup has VAT 21 % (S), VAT 10 % (S) and an exempt code, a sales group with
// all of them, and item groups choosing one each.
func setup(mode tax.Mode) billing.TaxSetup {
	codes := map[string]tax.Code{
		"V21": {Code: "V21", Name: "VAT 21", Rate: d("21"), Category: tax.Standard, Account: "2100"},
		"V10": {Code: "V10", Name: "VAT 10", Rate: d("10"), Category: tax.Standard, Account: "2100"},
		"EX":  {Code: "EX", Name: "Exempt", Rate: d("0"), Category: tax.Exempt, Account: "2100", ExemptionReason: "art. 20"},
	}
	return billing.TaxSetup{Mode: mode, Codes: codes,
		SalesGroups: map[string]tax.Group{"DOM": {Kind: "sales", Code: "DOM", Codes: []string{"EX", "V10", "V21"}}},
		ItemGroups: map[string]tax.Group{
			"FULL": {Kind: "item", Code: "FULL", Codes: []string{"V21"}},
			"RED":  {Kind: "item", Code: "RED", Codes: []string{"V10"}},
			"EXM":  {Kind: "item", Code: "EXM", Codes: []string{"EX"}},
		}}
}

func lines(n int, qty, price, group string) []billing.Line {
	out := make([]billing.Line, n)
	for i := range out {
		out[i] = billing.Line{Description: "x", Quantity: dp(qty), UnitPrice: pp(price), SalesTaxGroup: "DOM", ItemSalesTaxGroup: group}
	}
	return out
}

func TestRoundingModes(t *testing.T) {
	euro := money.MustCurrency("EUR")
	cases := []struct {
		name                       string
		currency                   string
		lines                      []billing.Line
		perCode, perLine           [3]string // net, tax, total
		perCodeTaxes, perLineTaxes []string
	}{
		{
			// Each line rounds 1.005 → 1.01; per code 21% of 3.03 = 0.6363 → 0.64;
			// per line 0.2121 → 0.21 three times = 0.63.
			name: "3 × (1 × 1.005) at 21%", currency: "EUR", lines: lines(3, "1", "1.005", "FULL"),
			perCode: [3]string{"3.03", "0.64", "3.67"}, perLine: [3]string{"3.03", "0.63", "3.66"},
		},
		{
			// 0.025 → 0.03 per line, net 0.30; per code 0.063 → 0.06; per line 0.0063 → 0.01 × 10 = 0.10.
			name: "10 × (1 × 0.025) at 21%", currency: "EUR", lines: lines(10, "1", "0.025", "FULL"),
			perCode: [3]string{"0.30", "0.06", "0.36"}, perLine: [3]string{"0.30", "0.10", "0.40"},
		},
		{
			// 3 × 0.333 = 0.999 → 1.00; tax 0.21.
			name: "3 × 0.333 at 21%", currency: "EUR", lines: lines(1, "3", "0.333", "FULL"),
			perCode: [3]string{"1.00", "0.21", "1.21"}, perLine: [3]string{"1.00", "0.21", "1.21"},
		},
		{
			// JPY has no decimals: 3 × 333.5 = 1000.5 → 1001; 10% = 100.1 → 100.
			name: "JPY 3 × 333.5 at 10%", currency: "JPY", lines: lines(1, "3", "333.5", "RED"),
			perCode: [3]string{"1001", "100", "1101"}, perLine: [3]string{"1001", "100", "1101"},
		},
		{
			// BHD has 3 decimals: 1.0005 → 1.001 per line; 21% of 2.002 = 0.42042 → 0.420; per line 0.21021 → 0.210 × 2.
			name: "BHD 2 × (1 × 1.0005) at 21%", currency: "BHD", lines: lines(2, "1", "1.0005", "FULL"),
			perCode: [3]string{"2.002", "0.420", "2.422"}, perLine: [3]string{"2.002", "0.420", "2.422"},
		},
		{
			// Discount: 10 × 9.99 − 5.555 = 94.345 → 94.35; 21% = 19.8135 → 19.81.
			name: "discount", currency: "EUR", lines: []billing.Line{{Description: "x", Quantity: dp("10"), UnitPrice: pp("9.99"), Discount: eur(d("5.555")), SalesTaxGroup: "DOM", ItemSalesTaxGroup: "FULL"}},
			perCode: [3]string{"94.35", "19.81", "114.16"}, perLine: [3]string{"94.35", "19.81", "114.16"},
		},
		{
			// Two codes and an exempt line: 21% of 0.05+0.05 and 10% of 0.05+0.05.
			name: "mixed codes", currency: "EUR",
			lines: append(append(append(lines(2, "1", "0.05", "FULL"), lines(2, "1", "0.05", "RED")...), lines(1, "2", "50", "EXM")...), billing.Line{Description: "amount only", Amount: eur(d("12.34")), SalesTaxGroup: "DOM", ItemSalesTaxGroup: "FULL"}),
			// net 0.10 + 0.10 + 100 + 12.34 = 112.54; V21 base 12.44 → 2.6124 → 2.61; V10 base 0.10 → 0.01; EX 0.
			// per line: V21 0.0105→0.01 ×2 + 2.5914→2.59 = 2.61; V10 0.005→0.01 ×2 = 0.02.
			perCode: [3]string{"112.54", "2.62", "115.16"}, perLine: [3]string{"112.54", "2.63", "115.17"},
		},
	}
	for _, tc := range cases {
		for _, mode := range []tax.Mode{tax.PerCode, tax.PerLine} {
			t.Run(tc.name+"/"+string(mode), func(t *testing.T) {
				inv := billing.Invoice{Currency: tc.currency, Lines: append([]billing.Line(nil), tc.lines...)}
				if err := inv.Compute(setup(mode), euro); err != nil {
					t.Fatal(err)
				}
				want := tc.perCode
				if mode == tax.PerLine {
					want = tc.perLine
				}
				for i, got := range []decimal.Decimal{inv.Net.Decimal(), inv.Tax.Decimal(), inv.Total.Decimal()} {
					if !got.Equal(d(want[i])) {
						t.Errorf("%s: got %s, want %s", []string{"net", "tax", "total"}[i], got, want[i])
					}
				}
				// Totals are sums of rounded parts; the lines' tax shares sum to the tax.
				var net, lineTax, codeTax decimal.Decimal
				cur := money.MustCurrency(tc.currency)
				for _, l := range inv.Lines {
					if !cur.Round(l.Amount.Decimal()).Equal(l.Amount.Decimal()) || !cur.Round(l.TaxAmount.Decimal()).Equal(l.TaxAmount.Decimal()) {
						t.Errorf("line %d not rounded: %s %s", l.Position, l.Amount, l.TaxAmount)
					}
					net = net.Add(l.Amount.Decimal())
					lineTax = lineTax.Add(l.TaxAmount.Decimal())
				}
				for _, tl := range inv.Taxes {
					codeTax = codeTax.Add(tl.Amount.Decimal())
				}
				if !net.Equal(inv.Net.Decimal()) || !lineTax.Equal(inv.Tax.Decimal()) || !codeTax.Equal(inv.Tax.Decimal()) {
					t.Errorf("parts do not sum: net %s/%s, line tax %s, code tax %s, tax %s", net, inv.Net, lineTax, codeTax, inv.Tax)
				}
			})
		}
	}
}

func TestAmountOnlyLineClearsQuantity(t *testing.T) {
	inv := billing.Invoice{Currency: "EUR", Lines: []billing.Line{{Description: "x", Amount: eur(d("99.99"))}}}
	if err := inv.Compute(setup(tax.PerCode), money.MustCurrency("EUR")); err != nil {
		t.Fatal(err)
	}
	if !inv.Lines[0].AmountOnly() || !inv.Total.Equal(eur(d("99.99"))) || inv.Lines[0].Quantity != nil {
		t.Fatalf("amount-only line: %+v total %s", inv.Lines[0], inv.Total)
	}
	bad := billing.Invoice{Currency: "EUR", Lines: []billing.Line{{Description: "x", Amount: eur(d("1.005"))}}}
	if err := bad.Compute(setup(tax.PerCode), money.MustCurrency("EUR")); err == nil {
		t.Fatal("an amount with more decimals than EUR allows was accepted")
	}
}

func TestComputeRejects(t *testing.T) {
	cases := map[string]billing.Line{
		"unknown item group":  {Description: "x", Quantity: dp("1"), UnitPrice: pp("1"), SalesTaxGroup: "DOM", ItemSalesTaxGroup: "NOPE"},
		"unknown sales group": {Description: "x", Quantity: dp("1"), UnitPrice: pp("1"), SalesTaxGroup: "NOPE", ItemSalesTaxGroup: "FULL"},
		"no description":      {Quantity: dp("1"), UnitPrice: pp("1")},
		"price without qty":   {Description: "x", UnitPrice: pp("1")},
		"negative discount":   {Description: "x", Quantity: dp("1"), UnitPrice: pp("1"), Discount: eur(d("-1"))},
		"distribution 90%":    {Description: "x", Quantity: dp("1"), UnitPrice: pp("1"), Distribution: []billing.Split{{Account: "4000", Percent: d("90")}}},
		"bad charge type":     {Description: "x", Quantity: dp("1"), UnitPrice: pp("1"), ChargeType: "monthly"},
	}
	for name, l := range cases {
		t.Run(name, func(t *testing.T) {
			inv := billing.Invoice{Currency: "EUR", Lines: []billing.Line{l}}
			if err := inv.Compute(setup(tax.PerCode), money.MustCurrency("EUR")); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

func TestIssueLinesBalanceInForeignCurrency(t *testing.T) {
	euro := money.MustCurrency("EUR")
	inv := billing.Invoice{ID: "inv_1", Currency: "USD", ExchangeRate: d("0.9213"), Kind: billing.KindInvoice, InvoiceAccountID: "cus_1",
		Lines: append(lines(7, "3", "19.99", "FULL"), lines(3, "1", "0.07", "RED")...)}
	inv.Lines[0].Distribution = []billing.Split{{Account: "4100", Percent: d("33.3333")}, {Account: "4200", Percent: d("66.6667")}}
	if err := inv.Compute(setup(tax.PerCode), euro); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []billing.Kind{billing.KindInvoice, billing.KindCreditNote} {
		inv.Kind = kind
		ls, err := inv.IssueLines(billing.PostingAccounts{Receivables: "1100", Revenue: "4000", Rounding: "6800"}, euro)
		if err != nil {
			t.Fatal(err)
		}
		var dr, cr, ar decimal.Decimal
		for _, l := range ls {
			dr, cr = dr.Add(l.Debit.Decimal()), cr.Add(l.Credit.Decimal())
			if l.Account == "1100" {
				ar = ar.Add(l.Debit.Decimal()).Sub(l.Credit.Decimal())
			}
		}
		if !dr.Equal(cr) {
			t.Fatalf("%s: debit %s ≠ credit %s", kind, dr, cr)
		}
		want := inv.TotalAccounting
		if kind == billing.KindCreditNote {
			want = want.Neg()
		}
		if !ar.Equal(want.Decimal()) {
			t.Fatalf("%s: receivables %s, want %s", kind, ar, want)
		}
	}
}

func TestReopen(t *testing.T) {
	today := calendar.New(2026, 5, 10)
	for _, tc := range []struct {
		due  calendar.Date
		want billing.Status
	}{{calendar.New(2026, 5, 10), billing.Open}, {calendar.New(2026, 6, 1), billing.Open}, {calendar.New(2026, 5, 9), billing.PastDue}} {
		inv := billing.Invoice{Number: "F-1", Status: billing.Closed, DueDate: tc.due, CloseReason: "settled by payment"}
		if _, err := inv.Reopen(today); err != nil || inv.Status != tc.want || inv.CloseReason != "" || inv.ClosedAt != nil {
			t.Errorf("due %s: %v %s %q", tc.due, err, inv.Status, inv.CloseReason)
		}
	}
	for _, st := range []billing.Status{billing.Draft, billing.Open, billing.PastDue, billing.Void} {
		inv := billing.Invoice{Number: "F-2", Status: st}
		if _, err := inv.Reopen(today); !fail.Is(err, fail.Conflict) || inv.Status != st {
			t.Errorf("%s reopened: %v → %s", st, err, inv.Status)
		}
	}
}
