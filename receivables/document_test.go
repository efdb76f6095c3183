package receivables

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/money"
)

func TestDocumentOf(t *testing.T) {
	t.Parallel()
	inv := billing.Invoice{ID: "inv_1", DocumentNumber: "D-000001", Kind: billing.KindInvoice, Status: billing.Open,
		InvoiceAccountID: "cus_1", Currency: "USD", ExchangeRate: decimal.RequireFromString("0.9"),
		CashDiscountDate: d("2026-01-10"), CashDiscount: money.In(decimal.NewFromInt(2), "USD")}
	inv.Balance, inv.Paid, inv.BalanceAccounting = money.In(decimal.NewFromInt(100), "USD"), money.In(decimal.Zero, "USD"), money.New(decimal.NewFromInt(90), eur)
	doc, err := DocumentOf(inv, eur, d("2026-01-05"))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Label != "D-000001" || doc.Currency() != usd || doc.BalanceAccounting.Currency() != eur ||
		!doc.Rate.Value().Equal(decimal.RequireFromString("0.9")) || !doc.CashDiscountDue.Decimal().Equal(decimal.NewFromInt(2)) {
		t.Errorf("DocumentOf = %+v", doc)
	}
	if !doc.OpenFor(billing.KindInvoice, usd) || doc.OpenFor(billing.KindCreditNote, usd) || doc.OpenFor(billing.KindInvoice, eur) {
		t.Error("OpenFor wrong")
	}
	usd98 := money.New(decimal.NewFromInt(98), usd)
	if got := doc.cashDiscountFor(usd98); !got.Decimal().Equal(decimal.NewFromInt(2)) {
		t.Errorf("discount for 98 = %s, want 2", got)
	}
	if got := doc.cashDiscountFor(money.New(decimal.NewFromInt(50), usd)); !got.IsZero() {
		t.Errorf("discount for 50 = %s, want 0", got)
	}
	inv.Number = "INV-1"
	if doc, _ := DocumentOf(inv, eur, d("2026-01-05")); doc.Label != "INV-1" {
		t.Errorf("label = %q, want the number", doc.Label)
	}
	inv.Currency = "xx"
	if _, err := DocumentOf(inv, eur, d("2026-01-05")); err == nil {
		t.Error("bad currency accepted")
	}
	closed := Document{Status: billing.Closed, Balance: a("0")}
	if closed.SettledInFull() || !(Document{Status: billing.Open, Balance: a("0")}).SettledInFull() {
		t.Error("SettledInFull wrong")
	}
}

func TestCheckOpenForSettlement(t *testing.T) {
	t.Parallel()
	ok := Document{Label: "INV-1", AccountID: "cus_1", Status: billing.PastDue, Balance: a("5")}
	tests := []struct {
		name   string
		change func(*Document)
		cur    money.Currency
		want   fail.Code
	}{
		{"settles", func(*Document) {}, eur, ""},
		{"other customer", func(d *Document) { d.AccountID = "cus_2" }, eur, fail.Conflict},
		{"void", func(d *Document) { d.Status = billing.Void }, eur, fail.Conflict},
		{"other currency", func(*Document) {}, usd, fail.Conflict},
		{"nothing left", func(d *Document) { d.Balance = a("0") }, eur, fail.Conflict},
	}
	for _, tt := range tests {
		doc := ok
		tt.change(&doc)
		if got := fail.CodeOf(CheckOpenForSettlement(doc, "cus_1", tt.cur)); got != tt.want {
			t.Errorf("%s: code %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestAccounts(t *testing.T) {
	t.Parallel()
	acc := Accounts{Bank: "1200", CustomerCredit: "2300", Rounding: "7990", Receivables: map[string]string{"default": "1100", "eu": "1110"}}
	if err := acc.Check(); err != nil {
		t.Errorf("Check: %v", err)
	}
	if err := (Accounts{Bank: "1200"}).Check(); fail.CodeOf(err) != fail.Conflict {
		t.Errorf("Check without credit and rounding = %v, want conflict", err)
	}
	for _, tt := range []struct{ profile, want string }{{"", "1100"}, {"eu", "1110"}} {
		if got, err := acc.ReceivablesFor(Document{PostingProfile: tt.profile}); err != nil || got != tt.want {
			t.Errorf("ReceivablesFor(%q) = %q, %v; want %q", tt.profile, got, err, tt.want)
		}
	}
	if _, err := acc.ReceivablesFor(Document{PostingProfile: "us"}); fail.CodeOf(err) != fail.Invalid {
		t.Errorf("unknown profile: %v, want invalid", err)
	}
}
