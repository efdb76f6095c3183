package billing

import (
	"fmt"
	"slices"
	"time"

	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/money"
	"github.com/shopspring/decimal"
)

// Change records one status change made by an Invoice lifecycle method:
// the statuses before and after, the fields it set, the journal lines the
// change needs posted (nil when none), the entries it posts to undo earlier
// ones (after Lines, in order) and the domain events the service emits for
// it. The service posts exactly Lines and Reversals.
type Change struct {
	From, To  Status
	Fields    []string
	Lines     []ledger.Line
	Reversals []Reversal
	Events    []string
}

// Then returns c followed by next, a change made to the same document
// right after (customer credit settling an invoice just issued): from c's
// status to next's, with the fields, lines, reversals and events of both
// in order. A zero next (nothing happened) leaves c as it is.
func (c Change) Then(next Change) Change {
	if next.To == "" {
		return c
	}
	return Change{From: c.From, To: next.To, Fields: append(slices.Clone(c.Fields), next.Fields...),
		Lines: append(slices.Clone(c.Lines), next.Lines...), Reversals: append(slices.Clone(c.Reversals), next.Reversals...),
		Events: append(slices.Clone(c.Events), next.Events...)}
}

// Reversal is a journal entry a change posts to undo an earlier one: the
// entry it undoes, its description, its source (the journal's
// source_type and source_id) and its lines.
type Reversal struct {
	Undoes      string
	Description string
	SourceType  string
	SourceID    string
	Lines       []ledger.Line
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
// (service/invoices.go update path), as the transitions table allows. A
// plain draft, and an issued document (nothing leads back to draft from
// it), are left as they are.
func (inv *Invoice) ReturnToDraft() Change {
	if !inv.Status.CanBecome(Draft) {
		return Change{From: inv.Status, To: inv.Status}
	}
	ch := Change{From: inv.Status, To: Draft, Fields: []string{"status"}}
	inv.Status = Draft
	return ch
}

// MarkPastDue marks an open invoice past due on today (the tenant's date).
// Its guard is the transitions table (only an open invoice becomes past
// due) and CheckPastDue (a due date before today and a balance): anything
// else is refused with a conflict naming why, and left as it is — the
// past-due sweep skips such a document (paid or marked meanwhile).
func (inv *Invoice) MarkPastDue(today calendar.Date) (Change, error) {
	if !inv.Status.CanBecome(PastDue) {
		return Change{}, fail.Conflictf("invoice %s is %s: only an open invoice can become past due", inv.label(), inv.Status)
	}
	if err := inv.CheckPastDue(today); err != nil {
		return Change{}, err
	}
	ch := Change{From: inv.Status, To: PastDue, Fields: []string{"status"}, Events: []string{"invoice.past_due"}}
	inv.Status = PastDue
	return ch, nil
}

// CheckClosable is the guard of closing by hand with reason (already
// trimmed): only an open or past-due invoice closes, a balance is written
// off only with a reason, and a reason has at most 500 characters.
func (inv *Invoice) CheckClosable(reason string) error {
	if !inv.Status.CanBecome(Closed) {
		return fail.Conflictf("invoice %s is %s: only an open or past-due invoice can be closed", inv.label(), inv.Status)
	}
	if reason == "" && !inv.Balance.IsZero() {
		return fail.Field("reason", "closing an invoice with a balance of %s needs a reason (it is written off)", inv.Balance)
	}
	if len(reason) > 500 {
		return fail.Field("reason", "must be at most 500 characters")
	}
	return nil
}

// Close closes the invoice for reason at now after CheckClosable,
// clearing its balance. A balance left is written off: Change.Lines are
// WriteOffLines from acct.Receivables to acct.WriteOff (nil when nothing
// is left in the accounting currency).
func (inv *Invoice) Close(reason string, acct PostingAccounts, now time.Time) (Change, error) {
	if err := inv.CheckClosable(reason); err != nil {
		return Change{}, err
	}
	ch := Change{From: inv.Status, To: Closed, Fields: []string{"balance", "balance_accounting", "status", "close_reason", "closed_at"},
		Lines: inv.WriteOffLines(acct.Receivables, acct.WriteOff), Events: []string{"invoice.closed"}}
	inv.clearBalance()
	inv.Status = Closed
	inv.CloseReason = reason
	inv.ClosedAt = &now
	return ch, nil
}

// CheckVoid is the guard of Void: the transitions table (only an open or
// past-due document is voided), then CheckVoidable. The service runs it
// before it posts the reversal of the issue entry, so nothing is posted
// for a document Void would refuse.
func (inv *Invoice) CheckVoid() error {
	if !inv.Status.CanBecome(Void) {
		return fail.Conflictf("document %s is %s: only an open or past-due document can be voided", inv.label(), inv.Status)
	}
	return inv.CheckVoidable()
}

// Void voids a document after CheckVoid, with reason (may be empty). Its
// issue entry issued (the entry inv.EntryID names, read from the journal;
// the zero Entry for a document that posted none) is undone:
// Change.Reversals holds its reversal ("Void <number>: <reason>"). The
// caller posts it and records the posted entry's id in VoidEntryID.
func (inv *Invoice) Void(reason string, issued ledger.Entry, now time.Time) (Change, error) {
	if err := inv.CheckVoid(); err != nil {
		return Change{}, err
	}
	if issued.ID != inv.EntryID {
		return Change{}, fmt.Errorf("void %s: entry %q is not its issue entry %q", inv.label(), issued.ID, inv.EntryID)
	}
	ch := Change{From: inv.Status, To: Void, Fields: []string{"void_entry_id", "status", "balance", "balance_accounting", "close_reason", "voided_at"},
		Events: []string{"invoice.voided"}}
	if issued.ID != "" {
		desc := "Void " + inv.Number
		if reason != "" {
			desc += ": " + reason
		}
		ch.Reversals = []Reversal{{Undoes: issued.ID, Description: desc, SourceType: issued.SourceType, SourceID: issued.SourceID,
			Lines: ledger.ReversedLines(issued.Lines)}}
	}
	inv.Status = Void
	inv.clearBalance()
	inv.CloseReason = reason
	inv.VoidedAt = &now
	return ch, nil
}

// markIssued is the status part of issuing, unguarded: only Issue calls it,
// after CheckIssuable. The document becomes Open, issued at now,
// and closes at once when nothing is owed. It reports whether it closed.
func (inv *Invoice) markIssued(now time.Time) (Change, bool) {
	ch := Change{From: inv.Status, To: Open, Fields: []string{"status", "issued_at"}, Events: []string{"invoice.issued"}}
	inv.Status = Open
	inv.IssuedAt = &now
	if inv.CloseIfNothingOwed() {
		inv.ClosedAt = &now
		ch.To = Closed
		ch.Fields = append(ch.Fields, "balance", "balance_accounting", "close_reason", "closed_at")
		ch.Events = append(ch.Events, "invoice.closed")
		return ch, true
	}
	return ch, false
}

// Issue issues a numbered draft on date today at now: the guard
// (CheckIssuable: a draft, with lines, not on hold, a bill-to with billing
// information …), then its journal lines (IssueLines to acct, in the
// accounting currency; nil when the document moves no account), then
// markIssued. It reports whether the document closed at once because
// nothing is owed. The service posts Change.Lines and records the entry.
// The approval gate (CheckApproved) is the caller's: a correction's credit
// note, a billing run and an automatic recurring issue bypass it.
func (inv *Invoice) Issue(today calendar.Date, now time.Time, acct PostingAccounts, accounting money.Currency) (Change, bool, error) {
	if err := inv.CheckIssuable(today); err != nil {
		return Change{}, false, err
	}
	lines, err := inv.IssueLines(acct, accounting)
	if err != nil {
		return Change{}, false, err
	}
	ch, closed := inv.markIssued(now)
	if len(lines) > 0 {
		ch.Lines = lines
	}
	return ch, closed, nil
}

// CloseSettled closes, at now, an owed document whose balance a settlement
// (a payment, a credit note, customer credit) brought to zero, with reason
// (receivables.CloseReasonPrefix + " by " + what settled it: a refund may
// reopen such a document). It reports whether it closed it: a document
// with a balance, or not owed, is left as it is.
func (inv *Invoice) CloseSettled(reason string, now time.Time) (Change, bool) {
	if !inv.Status.IsOwed() || !inv.Balance.IsZero() {
		return Change{From: inv.Status, To: inv.Status}, false
	}
	ch := Change{From: inv.Status, To: Closed, Fields: []string{"status", "closed_at", "close_reason"}, Events: []string{"invoice.closed"}}
	inv.Status, inv.ClosedAt, inv.CloseReason = Closed, &now, reason
	return ch, true
}

// ApplyPayment records on an issued document what a settlement (a payment,
// a credit note, customer credit, a cash discount) or a refund of one left
// of it: its balance in its currency and in the accounting currency, and
// what is paid. The guard: the document is issued and not void, the
// balance lies between zero and the total, and paid is not negative; a
// refused one changes nothing. A document the settlement brought to zero
// closes with closeReason (CloseSettled; "" leaves it as it is), and a
// closed document a refund gave a balance again reopens (Reopen): open, or
// past due after its due date on today.
func (inv *Invoice) ApplyPayment(balance, balanceAccounting, paid money.Amount, closeReason string, today calendar.Date, now time.Time) (Change, error) {
	if !inv.Status.IsIssued() || inv.Status == Void {
		return Change{}, fail.Conflictf("document %s is %s: only an issued document that is not void is paid", inv.label(), inv.Status)
	}
	if balance.Currency() != inv.Total.Currency() || paid.Currency() != inv.Total.Currency() ||
		balanceAccounting.Currency() != inv.BalanceAccounting.Currency() {
		return Change{}, fmt.Errorf("document %s: balance %s %s, accounting %s %s, paid %s %s: %w", inv.label(),
			balance, balance.Currency(), balanceAccounting, balanceAccounting.Currency(), paid, paid.Currency(), money.ErrCurrencyMismatch)
	}
	if balance.Sign() < 0 || balance.Decimal().GreaterThan(inv.Total.Decimal()) || paid.Sign() < 0 {
		return Change{}, fail.Conflictf("document %s: a balance of %s with %s paid does not fit its total %s", inv.label(), balance, paid, inv.Total)
	}
	ch := Change{From: inv.Status, To: inv.Status, Fields: []string{"balance", "balance_accounting", "paid"}}
	inv.Balance, inv.BalanceAccounting, inv.Paid = balance, balanceAccounting, paid
	var next Change
	switch {
	case closeReason != "" && balance.IsZero():
		next, _ = inv.CloseSettled(closeReason, now)
	case inv.Status == Closed && !balance.IsZero():
		next, _ = inv.Reopen(today) // cannot fail: the document is closed
	}
	return ch.Then(next), nil
}

// Correct records on inv, the original of a correction, the issued credit
// note cn that reverses it and the replacement draft replacementID, with
// the reason code and comment: the three documents link to each other. The
// guard is CheckCorrectable on inv and cn being an issued credit note of
// inv.
//
// The credit note is set against what inv still owes (both balances drop by
// the smaller of the two). Each of writeOffs (the entries that closed part
// of inv without payment: write-offs and cash discounts) is undone onto the
// credit note (ReverseWriteOff), which lowers cn's balance by its amount:
// the original's Change.Reversals holds those entries, in order. A credit
// note nothing is left open on closes as applied to inv; the original
// closes as corrected by cn when nothing is left owed on it (unless already
// closed). It returns the changes of the original and of the credit note.
func (inv *Invoice) Correct(cn *Invoice, writeOffs []ledger.Entry, replacementID, reason, comment string, now time.Time) (orig, credit Change, err error) {
	if err := inv.CheckCorrectable(); err != nil {
		return Change{}, Change{}, err
	}
	if cn.Kind != KindCreditNote || cn.OriginalID != inv.ID || !cn.Status.IsIssued() {
		return Change{}, Change{}, fail.Conflictf("document %s is not an issued credit note of %s", cn.label(), label2(inv))
	}
	if cn.Total.Currency() != inv.Total.Currency() || cn.TotalAccounting.Currency() != inv.TotalAccounting.Currency() {
		return Change{}, Change{}, fmt.Errorf("correct %s with %s: %w", inv.label(), cn.label(), money.ErrCurrencyMismatch)
	}
	applied := decimal.Min(cn.Balance.Decimal(), inv.Balance.Decimal())
	appliedAcc := decimal.Min(cn.BalanceAccounting.Decimal(), inv.BalanceAccounting.Decimal())
	cnBal, cnBalAcc := cn.Balance.Decimal().Sub(applied), cn.BalanceAccounting.Decimal().Sub(appliedAcc)
	orig = Change{From: inv.Status, To: inv.Status, Fields: []string{"balance", "balance_accounting", "credit_note_id", "replacement_id",
		"correction_reason", "correction_comment"}, Events: []string{"invoice.corrected"}}
	for _, e := range writeOffs {
		lines, amount, amountAcc := ReverseWriteOff(e, cn.ID)
		if amount.GreaterThan(cnBal) {
			return Change{}, Change{}, fmt.Errorf("correct %s: write-off %s of %s is more than credit note %s leaves open (%s)", inv.Number, e.Number, amount, cn.Number, cnBal)
		}
		cnBal, cnBalAcc = cnBal.Sub(amount), cnBalAcc.Sub(amountAcc)
		orig.Reversals = append(orig.Reversals, Reversal{Undoes: e.ID, Description: e.Description + ": reversed by credit note " + cn.Number,
			SourceType: e.SourceType + "_reversal", SourceID: inv.ID, Lines: lines})
	}
	inv.Balance = money.New(inv.Balance.Decimal().Sub(applied), inv.Balance.Currency())
	inv.BalanceAccounting = money.New(inv.BalanceAccounting.Decimal().Sub(appliedAcc), inv.BalanceAccounting.Currency())
	cn.Balance = money.New(cnBal, cn.Balance.Currency())
	cn.BalanceAccounting = money.New(cnBalAcc, cn.BalanceAccounting.Currency())
	credit = Change{From: cn.Status, To: cn.Status, Fields: []string{"balance", "balance_accounting"}}
	if cn.Balance.IsZero() {
		credit.To, credit.Fields = Closed, append(credit.Fields, "status", "closed_at", "close_reason")
		cn.Status, cn.ClosedAt, cn.CloseReason = Closed, &now, "applied to "+inv.Number
	}
	if inv.Balance.IsZero() && inv.Status != Closed {
		orig.To, orig.Fields = Closed, append(orig.Fields, "status", "closed_at", "close_reason")
		inv.Status, inv.ClosedAt, inv.CloseReason = Closed, &now, "corrected by "+cn.Number
	}
	inv.CreditNoteID, inv.ReplacementID = cn.ID, replacementID
	inv.CorrectionReason, inv.CorrectionComment = reason, comment
	return orig, credit, nil
}
