package receivables

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/money"
)

func u(s string) money.Amount { return money.New(decimal.RequireFromString(s), usd) }

var testAccounts = Accounts{Bank: "bank", CustomerCredit: "credit", Rounding: "rounding", CashDiscount: "discount",
	Receivables: map[string]string{"default": "recv"}}

func usdInvoice(id, balance, rate, accBalance string) Document {
	return Document{ID: id, Label: id, Kind: billing.KindInvoice, Status: billing.Open, AccountID: "cus_1",
		Balance: u(balance), Paid: u("0"), BalanceAccounting: a(accBalance),
		Rate: money.RateOf(usd, eur, decimal.RequireFromString(rate)), CashDiscountDue: u("0")}
}

func usdPayment(amount string) Payment {
	r := money.RateOf(usd, eur, decimal.RequireFromString("0.9"))
	return Payment{ID: "pay_1", CustomerID: "cus_1", Amount: u(amount), Rate: r, AmountAccounting: u(amount).MustConvertTo(r),
		Unapplied: u(amount), Refunded: u("0")}
}

// net is an account's debit − credit in lines.
func net(lines []ledger.Line, account string) string {
	var n decimal.Decimal
	for _, l := range lines {
		if l.Account == account {
			n = n.Add(l.Debit.Decimal()).Sub(l.Credit.Decimal())
		}
	}
	return n.StringFixed(2)
}

func TestPlanPayment(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		pay       Payment
		targets   []Target
		unapplied string
		apps      []string // amounts
		closes    []bool
		nets      map[string]string
		discounts int
		wantErr   fail.Code
	}{
		{"FX difference to rounding, rest is credit", usdPayment("100"),
			[]Target{{Document: usdInvoice("inv_1", "60", "0.91", "54.60")}}, "40", []string{"60"}, []bool{true},
			map[string]string{"bank": "90.00", "recv": "-54.60", "credit": "-36.00", "rounding": "0.60"}, 0, ""},
		{"oldest first, partial second", usdPayment("100"),
			[]Target{{Document: usdInvoice("inv_1", "60", "0.9", "54.00")}, {Document: usdInvoice("inv_2", "70", "0.9", "63.00")}},
			"0", []string{"60", "40"}, []bool{true, false},
			map[string]string{"bank": "90.00", "recv": "-90.00", "credit": "0.00", "rounding": "0.00"}, 0, ""},
		{"explicit amount", usdPayment("100"),
			[]Target{{Document: usdInvoice("inv_1", "60", "0.9", "54.00"), Amount: u("10"), Explicit: true}},
			"90", []string{"10"}, []bool{false}, map[string]string{"bank": "90.00", "recv": "-9.00", "credit": "-81.00"}, 0, ""},
		{"explicit amounts above the payment", usdPayment("10"),
			[]Target{{Document: usdInvoice("inv_1", "60", "0.9", "54.00"), Amount: u("20"), Explicit: true}},
			"", nil, nil, nil, 0, fail.Invalid},
	}
	withDiscount := usdInvoice("inv_1", "100", "0.9", "90.00")
	withDiscount.CashDiscountDue = u("2")
	tests = append(tests, struct {
		name      string
		pay       Payment
		targets   []Target
		unapplied string
		apps      []string
		closes    []bool
		nets      map[string]string
		discounts int
		wantErr   fail.Code
	}{"cash discount closes the invoice", usdPayment("98"), []Target{{Document: withDiscount}}, "0", []string{"98"}, []bool{true},
		map[string]string{"bank": "88.20", "recv": "-88.20"}, 1, ""})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			plan, err := PlanPayment(testAccounts, tt.pay, tt.targets)
			if tt.wantErr != "" {
				if fail.CodeOf(err) != tt.wantErr {
					t.Fatalf("err = %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !plan.Payment.Unapplied.Equal(u(tt.unapplied)) {
				t.Errorf("unapplied = %s, want %s", plan.Payment.Unapplied, tt.unapplied)
			}
			if len(plan.Applications) != len(tt.apps) {
				t.Fatalf("applications = %+v, want %v", plan.Applications, tt.apps)
			}
			for i, ap := range plan.Applications {
				if !ap.Amount.Equal(u(tt.apps[i])) || ap.SourceID != "pay_1" || ap.SourceType != SourcePayment {
					t.Errorf("application %d = %+v, want %s", i, ap, tt.apps[i])
				}
			}
			for i, c := range plan.Documents {
				if c.Close != tt.closes[i] || (c.Close && c.CloseReason != "settled by Payment pay_1") {
					t.Errorf("document %d close = %v %q, want %v", i, c.Close, c.CloseReason, tt.closes[i])
				}
			}
			for acct, want := range tt.nets {
				if got := net(plan.Entry.Lines, acct); got != want {
					t.Errorf("%s net = %s, want %s", acct, got, want)
				}
			}
			if got := net(plan.Entry.Lines, "bank"); got == "" {
				t.Error("no bank line")
			}
			total := decimal.Zero
			for _, l := range plan.Entry.Lines {
				total = total.Add(l.Debit.Decimal()).Sub(l.Credit.Decimal())
			}
			if !total.IsZero() {
				t.Errorf("entry does not balance: %s", total)
			}
			if len(plan.CashDiscounts) != tt.discounts {
				t.Errorf("cash discounts = %+v, want %d", plan.CashDiscounts, tt.discounts)
			}
			for _, cd := range plan.CashDiscounts {
				if net(cd.Entry.Lines, "discount") != "1.80" || net(cd.Entry.Lines, "recv") != "-1.80" {
					t.Errorf("cash discount entry = %+v", cd.Entry.Lines)
				}
			}
		})
	}
}

func TestPlanPaymentErrors(t *testing.T) {
	t.Parallel()
	eurInv := Document{ID: "inv_e", Label: "inv_e", Balance: a("5"), Rate: money.RateOf(eur, eur, decimal.Zero)}
	if _, err := PlanPayment(testAccounts, usdPayment("10"), []Target{{Document: eurInv}}); err == nil {
		t.Error("invoice in another currency accepted")
	}
	noProfile := usdInvoice("inv_1", "60", "0.9", "54.00")
	noProfile.PostingProfile = "missing"
	if _, err := PlanPayment(testAccounts, usdPayment("10"), []Target{{Document: noProfile}}); fail.CodeOf(err) != fail.Invalid {
		t.Errorf("missing profile: %v", err)
	}
	disc := usdInvoice("inv_1", "100", "0.9", "90.00")
	disc.CashDiscountDue = u("2")
	noDiscount := testAccounts
	noDiscount.CashDiscount = ""
	if _, err := PlanPayment(noDiscount, usdPayment("98"), []Target{{Document: disc}}); fail.CodeOf(err) != fail.Conflict {
		t.Errorf("no cash-discount account: %v", err)
	}
	if _, err := PlanPayment(testAccounts, usdPayment("10"), []Target{{Document: usdInvoice("i", "5", "1", "5"), Amount: a("1"), Explicit: true}}); err == nil {
		t.Error("explicit amount in another currency accepted")
	}
}
