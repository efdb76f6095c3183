package billing_test

import (
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/money"
)

func TestCheckCorrectable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		inv    billing.Invoice
		ok     bool
		substr string
	}{
		{"open invoice", billing.Invoice{Kind: billing.KindInvoice, Status: billing.Open, Number: "INV-1"}, true, ""},
		{"past due invoice", billing.Invoice{Kind: billing.KindInvoice, Status: billing.PastDue, Number: "INV-1"}, true, ""},
		{"closed invoice", billing.Invoice{Kind: billing.KindInvoice, Status: billing.Closed, Number: "INV-1"}, true, ""},
		{"credit note", billing.Invoice{Kind: billing.KindCreditNote, Status: billing.Open, Number: "CN-1"}, false, "invoice CN-1 is a credit note"},
		{"draft", billing.Invoice{Kind: billing.KindInvoice, Status: billing.Draft, DocumentNumber: "D-7"}, false, "document D-7 is a draft: edit the draft"},
		{"approved draft", billing.Invoice{Kind: billing.KindInvoice, Status: billing.Approved, DocumentNumber: "D-7"}, false, "document D-7 is a approved"},
		{"void", billing.Invoice{Kind: billing.KindInvoice, Status: billing.Void, Number: "INV-1"}, false, "invoice INV-1 is void"},
		{"already corrected", billing.Invoice{Kind: billing.KindInvoice, Status: billing.Closed, Number: "INV-1", CreditNoteID: "cn"}, false, "already corrected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.inv.CheckCorrectable()
			if tt.ok {
				if err != nil {
					t.Fatalf("CheckCorrectable = %v, want nil", err)
				}
				return
			}
			wantCode(t, err, fail.Conflict)
			if !strings.Contains(err.Error(), tt.substr) {
				t.Errorf("CheckCorrectable = %q, want it to contain %q", err, tt.substr)
			}
		})
	}
}

// correctedInvoice is an issued, partly paid EUR invoice with everything a
// correction must reset or keep.
func correctedInvoice() billing.Invoice {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	inv := billing.Invoice{
		ID: "inv_1", Kind: billing.KindInvoice, Status: billing.PastDue, DocumentNumber: "D-1", Number: "INV-2026-000001",
		CustomerID: "cus_1", InvoiceAccountID: "cus_1", Currency: "USD", ExchangeRate: d("0.9"),
		InvoiceDate: calendar.MustParse("2026-02-01"), DocumentDate: calendar.MustParse("2026-02-01"), DueDate: calendar.MustParse("2026-03-01"),
		CashDiscountDate: calendar.MustParse("2026-02-10"), CashDiscountPct: d("2"), CashDiscount: eur(d("2.42")),
		PaymentSchedule: []billing.Installment{{DueDate: calendar.MustParse("2026-03-01"), Amount: eur(d("121"))}},
		HoldUntil:       calendar.MustParse("2026-02-02"),
		CustomFields:    map[string]string{"po": "77"}, Notes: "Thanks",
		Lines: []billing.Line{{Position: 1, Description: "Work", Amount: eur(d("100")), TaxCodes: []string{"V21"}, TaxAmount: eur(d("21")),
			Distribution: []billing.Split{{Account: "7000", Percent: d("100")}}}},
		Totals: billing.Totals{Net: usd(d("100")), Tax: usd(d("21")), Total: usd(d("121")), Paid: usd(d("21")), Balance: usd(d("100")),
			TotalAccounting: eur(d("108.90")), BalanceAccounting: eur(d("90.00"))},
		EntryID: "je_1", VoidEntryID: "je_x", CloseReason: "x",
		IssuedAt: &now, ClosedAt: &now, VoidedAt: &now,
		TemplateID: "tpl_1", TemplatePeriod: "2026-02",
	}
	return inv
}

func TestCreditNoteFor(t *testing.T) {
	t.Parallel()
	inv := correctedInvoice()
	today := calendar.MustParse("2026-03-09")
	cn := inv.CreditNoteFor("cn_1", today, "PRICE", "wrong rate")
	checks := []struct {
		what      string
		got, want any
	}{
		{"id", cn.ID, "cn_1"},
		{"kind", cn.Kind, billing.KindCreditNote},
		{"status", cn.Status, billing.Draft},
		{"numbers", cn.Number + "|" + cn.DocumentNumber, "|"},
		{"invoice date", cn.InvoiceDate, today},
		{"document date", cn.DocumentDate, today},
		{"due date", cn.DueDate, today},
		{"schedule", len(cn.PaymentSchedule), 0},
		{"cash discount date", cn.CashDiscountDate, calendar.Date{}},
		{"cash discount", cn.CashDiscountPct.String() + "|" + cn.CashDiscount.String(), "0|0.00"},
		{"hold", cn.HoldUntil, calendar.Date{}},
		{"paid", cn.Paid.String(), "0.00"},
		{"balance is the total", cn.Balance.String(), "121.00"},
		{"balance accounting is the total accounting", cn.BalanceAccounting.String(), "108.90"},
		{"total kept", cn.Total.String(), "121.00"},
		{"currency and rate kept", cn.Currency + " " + cn.ExchangeRate.String(), "USD 0.9"},
		{"customer kept", cn.CustomerID, "cus_1"},
		{"entries", cn.EntryID + cn.VoidEntryID + cn.CloseReason, ""},
		{"timestamps", cn.IssuedAt == nil && cn.ClosedAt == nil && cn.VoidedAt == nil, true},
		{"links", cn.OriginalID + "|" + cn.CreditNoteID + "|" + cn.ReplacementID, "inv_1||"},
		{"reason", cn.CorrectionReason + "|" + cn.CorrectionComment, "PRICE|wrong rate"},
		{"template", cn.TemplateID + cn.TemplatePeriod, ""},
		{"notes", cn.Notes, "Credits INV-2026-000001. wrong rate"},
		{"lines", len(cn.Lines), 1},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("credit note %s = %v, want %v", c.what, c.got, c.want)
		}
	}
	// The credit note is a deep copy: changing it leaves the invoice alone.
	cn.Lines[0].TaxCodes[0] = "changed"
	cn.Lines[0].Distribution[0].Account = "changed"
	cn.CustomFields["po"] = "changed"
	if inv.Lines[0].TaxCodes[0] != "V21" || inv.Lines[0].Distribution[0].Account != "7000" || inv.CustomFields["po"] != "77" {
		t.Error("the credit note shares memory with the invoice")
	}
	// Nothing on the original changed.
	if inv.Status != billing.PastDue || inv.Number != "INV-2026-000001" || inv.CreditNoteID != "" {
		t.Errorf("CreditNoteFor changed the invoice: %s %s %q", inv.Status, inv.Number, inv.CreditNoteID)
	}
}

func TestCreditNoteForNotes(t *testing.T) {
	t.Parallel()
	inv := correctedInvoice()
	if got := inv.CreditNoteFor("cn", calendar.MustParse("2026-03-09"), "OTHER", "").Notes; got != "Credits INV-2026-000001." {
		t.Errorf("notes without a comment = %q", got)
	}
}

func TestReplacementFor(t *testing.T) {
	t.Parallel()
	inv := correctedInvoice()
	today := calendar.MustParse("2026-03-09")
	r := inv.ReplacementFor("inv_2", today, "QUANTITY", "3 not 2")
	checks := []struct {
		what      string
		got, want any
	}{
		{"id", r.ID, "inv_2"},
		{"kind stays an invoice", r.Kind, billing.KindInvoice},
		{"status", r.Status, billing.Draft},
		{"numbers", r.Number + "|" + r.DocumentNumber, "|"},
		{"invoice date", r.InvoiceDate, today},
		{"document date", r.DocumentDate, today},
		{"due date from the terms again", r.DueDate, calendar.Date{}},
		{"paid", r.Paid.String(), "0.00"},
		{"balance", r.Balance.String(), "121.00"},
		{"balance accounting", r.BalanceAccounting.String(), "108.90"},
		{"entries", r.EntryID + r.VoidEntryID + r.CloseReason, ""},
		{"timestamps", r.IssuedAt == nil && r.ClosedAt == nil && r.VoidedAt == nil, true},
		{"links", r.OriginalID + "|" + r.CreditNoteID + "|" + r.ReplacementID, "inv_1||"},
		{"reason", r.CorrectionReason + "|" + r.CorrectionComment, "QUANTITY|3 not 2"},
		{"template", r.TemplateID + r.TemplatePeriod, ""},
		// What the customer agreed stays: the cash discount, schedule, notes.
		{"cash discount kept", r.CashDiscountPct.String(), "2"},
		{"schedule kept", len(r.PaymentSchedule), 1},
		{"notes kept", r.Notes, "Thanks"},
		{"currency kept", r.Currency, "USD"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("replacement %s = %v, want %v", c.what, c.got, c.want)
		}
	}
	r.PaymentSchedule[0].Amount = eur(d("1"))
	if !inv.PaymentSchedule[0].Amount.Equal(eur(d("121"))) {
		t.Error("the replacement shares its schedule with the invoice")
	}
}

func TestDefaultReasonCodes(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, r := range billing.DefaultReasonCodes {
		if r.Code == "" || r.Description == "" || r.Archived || seen[r.Code] {
			t.Errorf("reason code %+v: empty, archived or repeated", r)
		}
		seen[r.Code] = true
	}
	if !seen["OTHER"] || !seen["PRICE"] {
		t.Errorf("default reason codes %v lack OTHER or PRICE", billing.DefaultReasonCodes)
	}
}

// usd is d as an amount in US dollars.
func usd(d decimal.Decimal) money.Amount { return money.In(d, "USD") }
