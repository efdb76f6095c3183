package billing

import (
	"strings"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/money"
)

// ReasonCode explains why a posted invoice is corrected (tenant-configurable).
type ReasonCode struct {
	Code        string `json:"code"`
	Description string `json:"description"`
	Archived    bool   `json:"archived"`
}

// DefaultReasonCodes are the reason codes a tenant starts with.
var DefaultReasonCodes = []ReasonCode{
	{Code: "PRICE", Description: "Wrong price"},
	{Code: "QUANTITY", Description: "Wrong quantity"},
	{Code: "CUSTOMER", Description: "Wrong customer or billing details"},
	{Code: "TAX", Description: "Wrong tax"},
	{Code: "PERIOD", Description: "Wrong billing period"},
	{Code: "OTHER", Description: "Other"},
}

// CheckCorrectable returns why inv cannot be corrected, or nil. A posted
// invoice is changed only by a correction; a void or already corrected one
// cannot be corrected again (its replacement can, once issued).
func (inv *Invoice) CheckCorrectable() error {
	switch {
	case inv.Kind != KindInvoice:
		return fail.Conflictf("%s is a credit note: correct the invoice it credits, or issue another document", label2(inv))
	case !inv.Status.IsIssued():
		return fail.Conflictf("%s is a %s: edit the draft instead of correcting it", label2(inv), inv.Status)
	case inv.Status == Void:
		return fail.Conflictf("%s is void: a void invoice cannot be corrected", label2(inv))
	case inv.CreditNoteID != "":
		return fail.Conflictf("%s was already corrected; correct its replacement instead", label2(inv))
	}
	return nil
}

func label2(inv *Invoice) string {
	if inv.Number != "" {
		return "invoice " + inv.Number
	}
	return "document " + inv.DocumentNumber
}

// CreditNoteFor returns the credit note that fully reverses inv: the same
// parties, currency, rate and lines, dated today.
func (inv *Invoice) CreditNoteFor(id string, today calendar.Date, reason, comment string) Invoice {
	cn := inv.Clone()
	cn.ID = id
	cn.Kind = KindCreditNote
	cn.Status = Draft
	cn.Number, cn.DocumentNumber = "", ""
	cn.InvoiceDate, cn.DocumentDate = today, today
	cn.DueDate = today
	cn.PaymentSchedule = nil
	cn.CashDiscountDate, cn.CashDiscountPct, cn.CashDiscount = calendar.Date{}, decimal.Zero, money.Zero(cn.Total.Currency()) // a credit note grants no cash discount
	cn.HoldUntil = calendar.Date{}
	cn.Paid, cn.Balance = money.Zero(cn.Total.Currency()), cn.Total
	cn.BalanceAccounting = cn.TotalAccounting
	cn.EntryID, cn.VoidEntryID, cn.CloseReason = "", "", ""
	cn.IssuedAt, cn.ClosedAt, cn.VoidedAt = nil, nil, nil
	cn.OriginalID, cn.CreditNoteID, cn.ReplacementID = inv.ID, "", ""
	cn.CorrectionReason, cn.CorrectionComment = reason, comment
	cn.TemplateID, cn.TemplatePeriod = "", ""
	cn.Notes = strings.TrimSpace("Credits " + inv.Number + ". " + comment)
	return cn
}

// ReplacementFor returns the new draft for the corrected values, copied from inv.
func (inv *Invoice) ReplacementFor(id string, today calendar.Date, reason, comment string) Invoice {
	r := inv.Clone()
	r.ID = id
	r.Status = Draft
	r.Number, r.DocumentNumber = "", ""
	r.InvoiceDate, r.DocumentDate = today, today
	r.DueDate = calendar.Date{} // from the terms again
	r.Paid, r.Balance, r.BalanceAccounting = money.Zero(r.Total.Currency()), r.Total, r.TotalAccounting
	r.EntryID, r.VoidEntryID, r.CloseReason = "", "", ""
	r.IssuedAt, r.ClosedAt, r.VoidedAt = nil, nil, nil
	r.OriginalID, r.CreditNoteID, r.ReplacementID = inv.ID, "", ""
	r.CorrectionReason, r.CorrectionComment = reason, comment
	r.TemplateID, r.TemplatePeriod = "", ""
	return r
}

// ReverseWriteOff returns the lines that undo writeOff, the entry that wrote
// off part of an invoice's balance (WriteOffLines), when credit note cnID
// takes the written-off debt's place in a correction: the credit note
// reverses the whole invoice, so the debt it cancels was never lost. The
// write-off expense is credited back and the receivables debit lands on
// the credit note, settling that much of it: what stays open on the credit
// note is what the customer paid. It also returns the written-off amount in
// the document's currency and in the accounting currency.
func ReverseWriteOff(writeOff ledger.Entry, cnID string) (lines []ledger.Line, amount, amountAcc decimal.Decimal) {
	for _, l := range writeOff.Lines {
		r := l.Reversed()
		if l.CustomerID != "" { // the receivables line
			r.InvoiceID = cnID
			amount, amountAcc = amount.Add(r.Amount.Decimal()), amountAcc.Add(r.Debit.Decimal().Sub(r.Credit.Decimal()))
		}
		lines = append(lines, r)
	}
	return lines, amount, amountAcc
}
