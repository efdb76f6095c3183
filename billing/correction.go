package billing

import (
	"strings"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
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
	cn.HoldUntil = calendar.Date{}
	cn.Paid, cn.Balance = decimal.Zero, cn.Total
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
	r.Paid, r.Balance, r.BalanceAccounting = decimal.Zero, r.Total, r.TotalAccounting
	r.EntryID, r.VoidEntryID, r.CloseReason = "", "", ""
	r.IssuedAt, r.ClosedAt, r.VoidedAt = nil, nil, nil
	r.OriginalID, r.CreditNoteID, r.ReplacementID = inv.ID, "", ""
	r.CorrectionReason, r.CorrectionComment = reason, comment
	r.TemplateID, r.TemplatePeriod = "", ""
	return r
}
