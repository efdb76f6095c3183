package billing_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/tax"
)

// charge is a header charge of amount a (no currency yet, as decoded input)
// in item sales tax group group, posted to account 7050.
func charge(a, group string) billing.Charge {
	return billing.Charge{Code: "freight", Description: "Freight", Account: "7050", Amount: money.New(d(a), money.Currency{}),
		SalesTaxGroup: "DOM", ItemSalesTaxGroup: group}
}

// amountLine is an amount-only line in item group group.
func amountLine(a, group string) billing.Line {
	return billing.Line{Description: "x", Amount: money.New(d(a), money.Currency{}), SalesTaxGroup: "DOM", ItemSalesTaxGroup: group}
}

// TestComputeCharges pins how header charges add to the net and are taxed
// like a line of their groups, at the rounding boundaries of currencies of
// 0, 2 and 3 decimals, in both tax modes: the charge's share of tax, the
// tax breakdown (code:base:amount) and the totals.
func TestComputeCharges(t *testing.T) {
	t.Parallel()
	type want struct{ chargeTax, taxes, net, tax, total string }
	tests := []struct {
		name, currency   string
		lines            []billing.Line
		charges          []billing.Charge
		perCode, perLine want
	}{
		{name: "EUR half cents: per code once, per line twice", currency: "EUR",
			lines: []billing.Line{amountLine("0.50", "FULL")}, charges: []billing.Charge{charge("0.50", "FULL")},
			// 21 % of 1.00 = 0.21; per line 0.105 → 0.11 twice = 0.22.
			perCode: want{"0.10", "V21:1.00:0.21", "1.00", "0.21", "1.21"},
			perLine: want{"0.11", "V21:1.00:0.22", "1.00", "0.22", "1.22"}},
		{name: "EUR charge at its own rate", currency: "EUR",
			lines: []billing.Line{amountLine("100.00", "FULL")}, charges: []billing.Charge{charge("4.95", "RED")},
			// 10 % of 4.95 = 0.495 → 0.50.
			perCode: want{"0.50", "V10:4.95:0.50,V21:100.00:21.00", "104.95", "21.50", "126.45"},
			perLine: want{"0.50", "V10:4.95:0.50,V21:100.00:21.00", "104.95", "21.50", "126.45"}},
		{name: "JPY 0 decimals", currency: "JPY",
			lines: []billing.Line{amountLine("5", "RED")}, charges: []billing.Charge{charge("5", "RED")},
			// 10 % of 10 = 1; per line 0.5 → 1 twice = 2.
			perCode: want{"0", "V10:10:1", "10", "1", "11"},
			perLine: want{"1", "V10:10:2", "10", "2", "12"}},
		{name: "JPY charge alone in its code", currency: "JPY",
			lines: []billing.Line{amountLine("105", "FULL")}, charges: []billing.Charge{charge("5", "RED")},
			perCode: want{"1", "V10:5:1,V21:105:22", "110", "23", "133"},
			perLine: want{"1", "V10:5:1,V21:105:22", "110", "23", "133"}},
		{name: "BHD 3 decimals", currency: "BHD",
			lines: []billing.Line{amountLine("1.005", "RED")}, charges: []billing.Charge{charge("0.005", "RED")},
			// 10 % of 1.010 = 0.101; per line 0.1005 → 0.101 and 0.0005 → 0.001.
			perCode: want{"0.000", "V10:1.010:0.101", "1.010", "0.101", "1.111"},
			perLine: want{"0.001", "V10:1.010:0.102", "1.010", "0.102", "1.112"}},
		{name: "exempt charge", currency: "EUR",
			lines: []billing.Line{amountLine("10.00", "FULL")}, charges: []billing.Charge{charge("2.00", "EXM")},
			perCode: want{"0.00", "EX:2.00:0.00,V21:10.00:2.10", "12.00", "2.10", "14.10"},
			perLine: want{"0.00", "EX:2.00:0.00,V21:10.00:2.10", "12.00", "2.10", "14.10"}},
	}
	for _, tt := range tests {
		for _, mode := range []tax.Mode{tax.PerCode, tax.PerLine} {
			t.Run(tt.name+"/"+string(mode), func(t *testing.T) {
				t.Parallel()
				inv := billing.Invoice{Currency: tt.currency, Lines: slices.Clone(tt.lines), Charges: slices.Clone(tt.charges)}
				if err := inv.Compute(setup(mode), money.MustCurrency("EUR")); err != nil {
					t.Fatal(err)
				}
				w := tt.perCode
				if mode == tax.PerLine {
					w = tt.perLine
				}
				var taxes []string
				for _, x := range inv.Taxes {
					taxes = append(taxes, x.Code+":"+x.Base.StringFixed()+":"+x.Amount.StringFixed())
				}
				ch := inv.Charges[0]
				for _, c := range []struct{ what, got, want string }{
					{"charge tax", ch.TaxAmount.StringFixed(), w.chargeTax},
					{"taxes", strings.Join(taxes, ","), w.taxes},
					{"net", inv.Net.StringFixed(), w.net},
					{"tax", inv.Tax.StringFixed(), w.tax},
					{"total", inv.Total.StringFixed(), w.total},
				} {
					if c.got != c.want {
						t.Errorf("%s = %s, want %s", c.what, c.got, c.want)
					}
				}
				// The shares of lines and charges sum to the tax exactly.
				sum := inv.Charges[0].TaxAmount
				for _, l := range inv.Lines {
					sum = sum.MustAdd(l.TaxAmount)
				}
				if !sum.Equal(inv.Tax) {
					t.Errorf("shares sum to %s, tax %s", sum, inv.Tax)
				}
				if cur := ch.Amount.Currency().Code(); cur != tt.currency {
					t.Errorf("charge amount in %q", cur)
				}
				if len(inv.Charges[0].TaxCodes) != 1 || inv.Charges[0].Position != 1 || inv.Charges[0].Code != "FREIGHT" {
					t.Errorf("charge %+v: want one tax code, position 1, code FREIGHT", inv.Charges[0])
				}
				if got := inv.LineTotal().MustAdd(inv.ChargeTotal()); !got.Equal(inv.Net) {
					t.Errorf("lines %s + charges %s != net %s", inv.LineTotal(), inv.ChargeTotal(), inv.Net)
				}
			})
		}
	}
}

// TestChargeLimits: what Compute refuses in a charge, naming the field.
func TestChargeLimits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, currency string
		charge         billing.Charge
		field          string // "" for accepted
	}{
		{"plain", "EUR", charge("12.50", "FULL"), ""},
		{"3 decimals in EUR", "EUR", charge("12.505", "FULL"), "charges[0].amount"},
		{"trailing zeros in EUR", "EUR", charge("12.5000", "FULL"), ""},
		{"decimals in JPY", "JPY", charge("12.5", "FULL"), "charges[0].amount"},
		{"3 decimals in BHD", "BHD", charge("12.505", "FULL"), ""},
		{"4 decimals in BHD", "BHD", charge("12.5055", "FULL"), "charges[0].amount"},
		{"zero", "EUR", charge("0", "FULL"), "charges[0].amount"},
		{"negative", "EUR", charge("-1", "FULL"), "charges[0].amount"},
		{"too large", "EUR", charge("1000000000001", "FULL"), "charges[0].amount"},
		{"no account", "EUR", func() billing.Charge { c := charge("1", "FULL"); c.Account = " "; return c }(), "charges[0].account"},
		{"no code nor description", "EUR", func() billing.Charge { c := charge("1", "FULL"); c.Code, c.Description = "", ""; return c }(), "charges[0].description"},
		{"description from the code", "EUR", func() billing.Charge { c := charge("1", "FULL"); c.Description = ""; return c }(), ""},
		{"line break in description", "EUR", func() billing.Charge { c := charge("1", "FULL"); c.Description = "a\nb"; return c }(), "charges[0].description"},
		{"unknown item group", "EUR", charge("1", "NOPE"), "charges[0].item_sales_tax_group"},
		{"unknown sales group", "EUR", func() billing.Charge { c := charge("1", "FULL"); c.SalesTaxGroup = "NOPE"; return c }(), "charges[0].sales_tax_group"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inv := billing.Invoice{Currency: tt.currency, Lines: []billing.Line{amountLine("1", "FULL")}, Charges: []billing.Charge{tt.charge}}
			got := invalidFields(t, inv.Compute(setup(tax.PerCode), money.MustCurrency("EUR")))
			switch {
			case tt.field == "" && got != nil:
				t.Fatalf("refused: %v", got)
			case tt.field != "" && !slices.Contains(got, tt.field):
				t.Fatalf("fields %v, want %s", got, tt.field)
			}
			if tt.field == "" && inv.Charges[0].Description == "" {
				t.Error("no description")
			}
		})
	}
	many := billing.Invoice{Currency: "EUR", Charges: make([]billing.Charge, billing.MaxCharges+1)}
	if got := invalidFields(t, many.Compute(setup(tax.PerCode), money.MustCurrency("EUR"))); !slices.Equal(got, []string{"charges"}) {
		t.Errorf("%d charges: fields %v, want charges", billing.MaxCharges+1, got)
	}
}

// TestChargeTaxesAtIssue: under a taxed setup a charge needs exactly one
// tax code, as a line does (CheckLineTaxes names the charge).
func TestChargeTaxesAtIssue(t *testing.T) {
	t.Parallel()
	s := setup(tax.PerCode)
	untaxed := charge("5", "")
	untaxed.SalesTaxGroup = ""
	inv := billing.Invoice{Currency: "EUR", Lines: []billing.Line{amountLine("10", "FULL")}, Charges: []billing.Charge{charge("5", "FULL"), untaxed}}
	if err := inv.Compute(s, money.MustCurrency("EUR")); err != nil {
		t.Fatal(err)
	}
	if got := invalidFields(t, inv.CheckLineTaxes(s)); !slices.Equal(got, []string{"charges[1].sales_tax_group"}) {
		t.Errorf("fields %v, want charges[1].sales_tax_group", got)
	}
	inv.Charges = inv.Charges[:1]
	if err := inv.CheckLineTaxes(s); err != nil {
		t.Errorf("one taxed charge refused: %v", err)
	}
}

// TestChargePosting: issuing posts each charge's net to its own account,
// the entry balances, and a credit note (which copies the charges) posts
// the mirror; in a foreign currency the charge is converted at the
// document's rate.
func TestChargePosting(t *testing.T) {
	t.Parallel()
	acct := billing.PostingAccounts{Receivables: "1100", Revenue: "4000", Rounding: "7990"}
	for _, c := range []struct {
		name, currency, rate string
		wantCharge, wantAR   string // in EUR, the accounting currency
	}{
		{"EUR", "EUR", "", "4.95", "126.45"},
		{"USD at 0.9", "USD", "0.9", "4.46", "113.81"}, // 4.95 × 0.9 = 4.455 → 4.46; 126.45 × 0.9 = 113.805 → 113.81
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			inv := billing.Invoice{ID: "inv_1", Kind: billing.KindInvoice, InvoiceAccountID: "cus_1", Currency: c.currency,
				Lines: []billing.Line{amountLine("100.00", "FULL")}, Charges: []billing.Charge{charge("4.95", "RED")}}
			if c.rate != "" {
				inv.ExchangeRate = d(c.rate)
			}
			if err := inv.Compute(setup(tax.PerCode), money.MustCurrency("EUR")); err != nil {
				t.Fatal(err)
			}
			cn := inv.CreditNoteFor("inv_cn", calendar.MustParse("2026-03-01"), "PRICE", "")
			if len(cn.Charges) != 1 || !cn.Charges[0].Amount.Equal(inv.Charges[0].Amount) || !cn.Total.Equal(inv.Total) {
				t.Fatalf("credit note charges %+v total %s", cn.Charges, cn.Total)
			}
			cn.Charges[0].TaxCodes[0] = "changed"
			if inv.Charges[0].TaxCodes[0] != "V10" {
				t.Fatal("the credit note shares the invoice's tax codes")
			}
			for _, doc := range []billing.Invoice{inv, cn} {
				lines, err := doc.IssueLines(acct, money.MustCurrency("EUR"))
				if err != nil {
					t.Fatal(err)
				}
				if err := (ledger.Entry{Number: "x", Lines: lines}).Check(); err != nil {
					t.Fatalf("%s: %v", doc.Kind, err)
				}
				var got, ar money.Amount = eur(d("0")), eur(d("0"))
				for _, l := range lines {
					switch l.Account {
					case "7050":
						got = got.MustAdd(l.Credit).MustSub(l.Debit)
						if l.Currency != c.currency || l.InvoiceID != doc.ID {
							t.Errorf("charge line %+v", l)
						}
					case "1100":
						ar = ar.MustAdd(l.Debit).MustSub(l.Credit)
					}
				}
				want, wantAR := eur(d(c.wantCharge)), eur(d(c.wantAR))
				if doc.Kind == billing.KindCreditNote {
					want, wantAR = want.Neg(), wantAR.Neg()
				}
				if !got.Equal(want) || !ar.Equal(wantAR) {
					t.Errorf("%s: charge account %s, receivables %s; want %s and %s", doc.Kind, got, ar, want, wantAR)
				}
			}
		})
	}
}
