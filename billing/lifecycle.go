package billing

import (
	"time"

	"github.com/facturo/facturo/fail"
	"github.com/shopspring/decimal"
)

// Change records one status change made by an Invoice lifecycle method:
// the statuses before and after, the fields it set and the domain events
// the service emits for it.
type Change struct {
	From, To Status
	Fields   []string
	Events   []string
}

// workflowFrom is the approval workflow table: the status a document must
// have for each workflow action, and the status the action leads to.
var workflowFrom = map[string][2]Status{
	"submitted": {Draft, Submitted},
	"approved":  {Submitted, Approved},
	"rejected":  {Submitted, Draft},
}

// Workflow applies an approval workflow action ("submitted", "approved",
// "rejected") as service/corrections.go does: the document must be in the
// action's from-status, and a submission needs at least one line.
func (inv *Invoice) Workflow(action string) (Change, error) {
	t, ok := workflowFrom[action]
	if !ok {
		return Change{}, fail.Field("action", "must be submitted, approved or rejected")
	}
	if inv.Status != t[0] {
		return Change{}, fail.Conflictf("document %s is %s: only a %s document can be %s", inv.label(), inv.Status, t[0], action)
	}
	if action == "submitted" && len(inv.Lines) == 0 {
		return Change{}, fail.Field("lines", "add at least one line before submitting")
	}
	ch := Change{From: inv.Status, To: t[1], Fields: []string{"status"}}
	inv.Status = t[1]
	return ch, nil
}

// ReturnToDraft returns an edited submitted or approved draft to Draft
// (service/invoices.go update path). A plain draft is left as it is.
func (inv *Invoice) ReturnToDraft() Change {
	ch := Change{From: inv.Status, To: Draft}
	if inv.Status != Draft {
		ch.Fields = []string{"status"}
		inv.Status = Draft
	}
	return ch
}

// MarkPastDue sets the status to PastDue; the caller has checked the
// change with CheckStatusChange.
func (inv *Invoice) MarkPastDue() Change {
	ch := Change{From: inv.Status, To: PastDue, Fields: []string{"status"}}
	inv.Status = PastDue
	return ch
}

// Close closes the invoice for reason at now, clearing its balance (the
// write-off posting stays with the service).
func (inv *Invoice) Close(reason string, now time.Time) Change {
	ch := Change{From: inv.Status, To: Closed, Fields: []string{"balance", "balance_accounting", "status", "close_reason", "closed_at"}}
	inv.Balance, inv.BalanceAccounting = decimal.Zero, decimal.Zero
	inv.Status = Closed
	inv.CloseReason = reason
	inv.ClosedAt = &now
	return ch
}

// Void voids the invoice after CheckVoidable, recording the reversal entry
// the service posted.
func (inv *Invoice) Void(reason, reversalEntryID string, now time.Time) (Change, error) {
	if err := inv.CheckVoidable(); err != nil {
		return Change{}, err
	}
	ch := Change{From: inv.Status, To: Void, Fields: []string{"void_entry_id", "status", "balance", "balance_accounting", "close_reason", "voided_at"}}
	inv.VoidEntryID = reversalEntryID
	inv.Status = Void
	inv.Balance, inv.BalanceAccounting = decimal.Zero, decimal.Zero
	inv.CloseReason = reason
	inv.VoidedAt = &now
	return ch, nil
}

// MarkIssued is the status part of issuing (service/invoices.go issue,
// after numbering and posting): the document becomes Open, issued at now,
// and closes at once when nothing is owed. It reports whether it closed.
func (inv *Invoice) MarkIssued(now time.Time) (Change, bool) {
	ch := Change{From: inv.Status, To: Open, Fields: []string{"status", "issued_at"}, Events: []string{"invoice.issued"}}
	inv.Status = Open
	inv.IssuedAt = &now
	if inv.CloseIfNothingOwed() {
		inv.ClosedAt = &now
		ch.To = Closed
		ch.Fields = append(ch.Fields, "close_reason", "closed_at")
		return ch, true
	}
	return ch, false
}
