package billing_test

import (
	"testing"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/tax"
)

// TestCloseIfNothingOwed: a document issued with a zero total closes at
// once with its reason; one with a total stays open.
func TestCloseIfNothingOwed(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		kind   billing.Kind
		status billing.Status
		total  string
		closes bool
	}{
		{"zero invoice", billing.KindInvoice, billing.Open, "0", true},
		{"zero credit note", billing.KindCreditNote, billing.Open, "0.00", true},
		{"invoice with a total", billing.KindInvoice, billing.Open, "0.01", false},
		{"zero draft (not issued)", billing.KindInvoice, billing.Draft, "0", false},
	} {
		inv := billing.Invoice{Kind: c.kind, Status: c.status}
		inv.Total = eur(d(c.total))
		got := inv.CloseIfNothingOwed()
		if got != c.closes {
			t.Errorf("%s: closed %v, want %v", c.name, got, c.closes)
		}
		if c.closes && (inv.Status != billing.Closed || inv.CloseReason != billing.CloseReasonNothingOwed || !inv.Balance.IsZero()) {
			t.Errorf("%s: %s %q balance %s", c.name, inv.Status, inv.CloseReason, inv.Balance)
		}
		if !c.closes && inv.Status != c.status {
			t.Errorf("%s: status changed to %s", c.name, inv.Status)
		}
	}
}

// TestCashDiscountOf: the cash discount is the percentage of the total, tax
// included, rounded half away from zero to the currency's minor unit;
// credit notes and zero or negative totals grant none.
func TestCashDiscountOf(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		kind            billing.Kind
		total, pct, cur string
		want            string
	}{
		{billing.KindInvoice, "121.00", "2", "EUR", "2.42"},
		{billing.KindInvoice, "100.25", "2", "EUR", "2.01"},   // 2.005 → 2.01 (half away from zero)
		{billing.KindInvoice, "100.20", "2.5", "EUR", "2.51"}, // 2.505 → 2.51
		{billing.KindInvoice, "1000", "3", "JPY", "30"},
		{billing.KindInvoice, "1001", "1.5", "JPY", "15"}, // 15.015 → 15
		{billing.KindInvoice, "10.000", "2", "KWD", "0.2"},
		{billing.KindInvoice, "121.00", "0", "EUR", "0"},
		{billing.KindInvoice, "0", "2", "EUR", "0"},
		{billing.KindCreditNote, "121.00", "2", "EUR", "0"},
	} {
		got := billing.CashDiscountOf(c.kind, money.In(d(c.total), c.cur), d(c.pct))
		if !got.Equal(money.In(d(c.want), c.cur)) {
			t.Errorf("%s %s %s at %s %%: discount %s, want %s", c.kind, c.total, c.cur, c.pct, got, c.want)
		}
	}
}

// TestComputeStoresCashDiscount: Compute stores the cash discount of the
// computed total (tax included).
func TestComputeStoresCashDiscount(t *testing.T) {
	t.Parallel()
	inv := billing.Invoice{Kind: billing.KindInvoice, Currency: "EUR", CashDiscountPct: d("2"), Lines: lines(1, "1", "100.00", "FULL")}
	if err := inv.Compute(setup(tax.PerCode), money.MustCurrency("EUR")); err != nil {
		t.Fatal(err)
	}
	if inv.Total.String() != "121.00" || !inv.CashDiscount.Equal(eur(d("2.42"))) {
		t.Errorf("total %s, cash discount %s; want 121.00 and 2.42", inv.Total, inv.CashDiscount)
	}
}

// TestCashDiscountFor: a payment on or before the cash-discount date that
// is exactly the balance less the discount earns it; a later, smaller or
// larger payment earns none.
func TestCashDiscountFor(t *testing.T) {
	t.Parallel()
	date := calendar.MustParse("2026-03-10")
	inv := billing.Invoice{Kind: billing.KindInvoice, CashDiscountDate: date, CashDiscountPct: d("2"), CashDiscount: eur(d("2.42"))}
	inv.Total, inv.Balance = eur(d("121.00")), eur(d("121.00"))
	for _, c := range []struct {
		name   string
		amount string
		on     calendar.Date
		want   string
	}{
		{"before the date", "118.58", date.AddDays(-3), "2.42"},
		{"on the date", "118.58", date, "2.42"},
		{"a day late", "118.58", date.AddDays(1), "0"},
		{"smaller", "118.57", date, "0"},
		{"larger", "118.59", date, "0"},
		{"in full", "121.00", date, "0"},
	} {
		if got := inv.CashDiscountFor(eur(d(c.amount)), c.on); !got.Equal(eur(d(c.want))) {
			t.Errorf("%s: discount %s, want %s", c.name, got, c.want)
		}
	}
	cn := inv
	cn.Kind = billing.KindCreditNote
	if got := cn.CashDiscountFor(eur(d("118.58")), date); !got.IsZero() {
		t.Errorf("credit note: discount %s", got)
	}
	none := inv
	none.CashDiscountDate = calendar.Date{}
	if got := none.CashDiscountFor(eur(d("118.58")), date); !got.IsZero() {
		t.Errorf("no discount date: discount %s", got)
	}
	if due := inv.CashDiscountDue(date); !due.Equal(eur(d("2.42"))) {
		t.Errorf("due on the date: %s", due)
	}
}

// TestReverseWriteOff: the reversal of a write-off credits the write-off
// account back and debits receivables on the credit note, and reports the
// amount written off in the document's and the accounting currency.
func TestReverseWriteOff(t *testing.T) {
	t.Parallel()
	inv := billing.Invoice{ID: "inv_1", Kind: billing.KindInvoice, InvoiceAccountID: "cus_1", Currency: "USD"}
	inv.Balance, inv.BalanceAccounting = money.In(d("114.00"), "USD"), eur(d("104.88"))
	wo := ledger.Entry{ID: "je_1", Lines: inv.WriteOffLines("1100", "6900")}
	lines, amount, acc := billing.ReverseWriteOff(wo, "inv_cn")
	if !amount.Equal(d("114")) || !acc.Equal(d("104.88")) {
		t.Errorf("reversed %s (accounting %s), want 114 and 104.88", amount, acc)
	}
	want := map[string][2]string{"6900": {"0", "104.88"}, "1100": {"104.88", "0"}}
	if len(lines) != 2 {
		t.Fatalf("lines %+v", lines)
	}
	for _, l := range lines {
		w, ok := want[l.Account]
		if !ok || !l.Debit.Equal(eur(d(w[0]))) || !l.Credit.Equal(eur(d(w[1]))) {
			t.Errorf("line %+v, want debit/credit %v", l, w)
		}
		if l.Account == "1100" && (l.InvoiceID != "inv_cn" || l.CustomerID != "cus_1" || !l.Amount.Equal(money.In(d("114"), "USD"))) {
			t.Errorf("receivables line %+v, want on the credit note, customer cus_1, amount 114", l)
		}
	}
	if err := (ledger.Entry{Number: "x", Lines: lines}).Check(); err != nil {
		t.Error(err)
	}
}
