package invoicesql

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/numbering"
	"github.com/facturo/facturo/store/dbtx"
	"github.com/facturo/facturo/store/enginesql"
	"github.com/facturo/facturo/store/sqlitesql"
)

// The receivable dues (receivable_dues and receivable_account_dues,
// migration 00012) are kept by Go in the transaction that changes an
// invoice, on both engines, as ledger_daily is by InsertEntry: every
// statement of the store that inserts, updates or deletes an invoice reads
// the document's part of the dues before (DueBefore) and after (dueOf) and
// hands both to ApplyDues. Until migration 00019 triggers on invoices kept
// them; the meaning is theirs, exactly.

// noDueDate is the bucket of a document without a due date: the oldest.
const noDueDate = "0001-01-01"

// Due is one document's part of the receivable dues: an owed document
// (billing.OwedStatuses) adds its accounting balance to its due date's row,
// an invoice in debit, a credit note in credit, and counts one document.
// Any other document (a draft, a closed or void one) or the zero Due (none)
// adds nothing.
type Due struct {
	owed      bool
	tenantID  string
	accountID string          // the bill-to account (invoice_account_id)
	dueDate   string          // the bucket: the due date, or noDueDate
	credit    bool            // a credit note
	balance   decimal.Decimal // balance_accounting
}

// dueOf is inv's part of the receivable dues.
func dueOf(inv billing.Invoice) Due {
	return newDue(inv.TenantID, inv.InvoiceAccountID, inv.Status, inv.Kind, inv.DueDate, inv.BalanceAccounting.Decimal())
}

func newDue(tenantID, accountID string, status billing.Status, kind billing.Kind, due calendar.Date, balanceAccounting decimal.Decimal) Due {
	bucket := noDueDate
	if !due.IsZero() {
		bucket = due.String()
	}
	return Due{owed: status.IsOwed(), tenantID: tenantID, accountID: accountID, dueDate: bucket,
		credit: kind == billing.KindCreditNote, balance: balanceAccounting}
}

// storedDue keys, in the transaction's memo (dbtx.Tx.Remember), a
// document's part of the receivable dues as this transaction wrote it, or
// read it with its row locked: DueBefore then needs no statement.
type storedDue struct{ tenantID, invoiceID string }

// RememberDue records d as invoiceID's part of the dues as stored now, by t:
// every statement that writes an invoice calls it with what it wrote (the
// zero Due after a delete), and a locked read with what it read.
func RememberDue(t *dbtx.Tx, tenantID, invoiceID string, d Due) {
	t.Remember(storedDue{tenantID, invoiceID}, d)
}

// DueBefore reads the stored invoice's part of the receivable dues, before
// a statement changes or deletes it (locking the row on PostgreSQL), or
// recalls it when this transaction wrote the row or read it locked. A
// missing invoice has none.
func DueBefore(ctx context.Context, t *dbtx.Tx, tenantID, invoiceID string) (Due, error) {
	if d, ok := t.Recall(storedDue{tenantID, invoiceID}).(Due); ok {
		return d, nil
	}
	rows, err := enginesql.For(t).DueOf(ctx, sqlitesql.DueOfParams{TenantID: tenantID, ID: invoiceID})
	if err != nil {
		return Due{}, fmt.Errorf("receivable dues of invoice %s: %w", invoiceID, err)
	}
	if len(rows) == 0 {
		return Due{}, nil
	}
	r := rows[0]
	var p dbtx.Parse
	d := newDue(tenantID, r.InvoiceAccountID, billing.Status(r.Status), billing.Kind(r.Kind), p.NDate(r.DueDate), p.Dec(r.BalanceAccounting))
	if p.Err != nil {
		return Due{}, fmt.Errorf("receivable dues of invoice %s: %w", invoiceID, p.Err)
	}
	return d, nil
}

// Settled is d after a settlement leaves the document in status with the
// accounting balance left (the statement changes nothing else the dues read).
func (d Due) Settled(status billing.Status, balanceAccounting decimal.Decimal) Due {
	if d.tenantID == "" {
		return d
	}
	d.owed, d.balance = status.IsOwed(), balanceAccounting
	return d
}

// dueKey is one row of receivable_account_dues; with accountID "" one of
// receivable_dues.
type dueKey struct{ tenantID, accountID, dueDate string }

// dueDelta is what a change adds to one summary row.
type dueDelta struct {
	documents     int
	debit, credit decimal.Decimal
}

func (d dueDelta) zero() bool { return d.documents == 0 && d.debit.IsZero() && d.credit.IsZero() }

// ApplyDues moves the receivable dues from the documents' parts before
// (removed) to after (added), in one upsert per summary table: each
// touched row gains the net documents and amounts, and a row left with no
// document goes. Documents whose part did not change cost nothing. On
// PostgreSQL it first locks each tenant's journal counter, the lock every
// posting takes first (as the trigger function of migration 00012 did), so
// that two transactions never wait for each other's due rows in opposite
// order.
func ApplyDues(ctx context.Context, t *dbtx.Tx, removed, added []Due) error {
	deltas := map[dueKey]*dueDelta{}
	add := func(d Due, sign int) {
		if !d.owed {
			return
		}
		amount := d.balance
		if sign < 0 {
			amount = amount.Neg()
		}
		for _, k := range []dueKey{{d.tenantID, "", d.dueDate}, {d.tenantID, d.accountID, d.dueDate}} {
			x := deltas[k]
			if x == nil {
				x = &dueDelta{}
				deltas[k] = x
			}
			x.documents += sign
			if d.credit {
				x.credit = x.credit.Add(amount)
			} else {
				x.debit = x.debit.Add(amount)
			}
		}
	}
	for _, d := range removed {
		add(d, -1)
	}
	for _, d := range added {
		add(d, 1)
	}
	keys := make([]dueKey, 0, len(deltas))
	for k, d := range deltas {
		if !d.zero() {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	slices.SortFunc(keys, func(a, b dueKey) int {
		return cmp.Or(cmp.Compare(a.tenantID, b.tenantID), cmp.Compare(a.accountID, b.accountID), cmp.Compare(a.dueDate, b.dueDate))
	})
	if t.D.Engine == dbtx.Postgres {
		var last string
		for _, k := range keys {
			if k.tenantID != last {
				if err := lockJournal(ctx, t, k.tenantID); err != nil {
					return err
				}
				last = k.tenantID
			}
		}
	}
	var all, perAccount []dueKey
	for _, k := range keys {
		if k.accountID == "" {
			all = append(all, k)
		} else {
			perAccount = append(perAccount, k)
		}
	}
	if err := upsertDues(ctx, t, "receivable_dues", []string{"tenant_id", "due_date"}, all, deltas); err != nil {
		return err
	}
	return upsertDues(ctx, t, "receivable_account_dues", []string{"tenant_id", "account_id", "due_date"}, perAccount, deltas)
}

// upsertDues adds the deltas of keys to table's rows (keyed by cols), in
// key order, then deletes the rows of keys left with no document.
func upsertDues(ctx context.Context, t *dbtx.Tx, table string, cols []string, keys []dueKey, deltas map[dueKey]*dueDelta) error {
	const batch = 500
	for len(keys) > 0 {
		chunk := keys[:min(len(keys), batch)]
		keys = keys[len(chunk):]
		row := "(" + dbtx.Placeholders(len(cols)+3) + ")"
		args := make([]any, 0, len(chunk)*(len(cols)+3))
		var gone []string
		var goneArgs []any
		keyOf := func(k dueKey) []any {
			if len(cols) == 2 {
				return []any{k.tenantID, k.dueDate}
			}
			return []any{k.tenantID, k.accountID, k.dueDate}
		}
		match := "(" + strings.Join(cols, " = ? AND ") + " = ?)"
		for _, k := range chunk {
			d := deltas[k]
			args = append(append(args, keyOf(k)...), d.documents, dbtx.DecArg(d.debit), dbtx.DecArg(d.credit))
			if d.documents < 0 {
				gone = append(gone, match)
				goneArgs = append(goneArgs, keyOf(k)...)
			}
		}
		colList := strings.Join(cols, ", ")
		_, err := t.Exec(ctx, `INSERT INTO `+table+` (`+colList+`, documents, debit, credit) VALUES `+
			strings.TrimSuffix(strings.Repeat(row+",", len(chunk)), ",")+`
			ON CONFLICT (`+colList+`) DO UPDATE SET documents = `+table+`.documents + excluded.documents,
			debit = `+t.D.Add(table+".debit", "excluded.debit")+`, credit = `+t.D.Add(table+".credit", "excluded.credit"), args...)
		if err != nil {
			return fmt.Errorf("update %s: %w", table, err)
		}
		if len(gone) > 0 {
			// A row whose documents were all removed goes (at or below zero:
			// removing from a row that was missing leaves nothing, as the
			// triggers did).
			_, err := t.Exec(ctx, `DELETE FROM `+table+` WHERE documents <= 0 AND (`+strings.Join(gone, " OR ")+`)`, goneArgs...)
			if err != nil {
				return fmt.Errorf("update %s: %w", table, err)
			}
		}
	}
	return nil
}

// lockedCounter keys, in the transaction's memo, a counter row this
// transaction holds (it took a number from it, or locked it).
type lockedCounter struct{ tenantID, name string }

// lockJournal locks the tenant's journal counter (creating it at 0 if the
// tenant never posted), as every posting does first; a transaction that
// already holds it (it posted) has nothing to do.
func lockJournal(ctx context.Context, t *dbtx.Tx, tenantID string) error {
	if t.Recall(lockedCounter{tenantID, journalCounter}) != nil {
		return nil
	}
	q := enginesql.For(t)
	key := sqlitesql.LockCounterParams{TenantID: tenantID, Name: journalCounter}
	rows, err := q.LockCounter(ctx, key)
	if err == nil && len(rows) == 0 {
		if err = q.EnsureCounter(ctx, sqlitesql.EnsureCounterParams(key)); err == nil {
			_, err = q.LockCounter(ctx, key)
		}
	}
	if err != nil {
		return fmt.Errorf("lock journal of %s: %w", tenantID, err)
	}
	t.Remember(lockedCounter{tenantID, journalCounter}, true)
	return nil
}

// journalCounter is the counter every posting takes (service/bookkeeping).
var journalCounter = numbering.JournalVoucher.Counter

// duesOf is the parts of the receivable dues of invs.
func duesOf(invs ...billing.Invoice) []Due {
	out := make([]Due, 0, len(invs))
	for _, inv := range invs {
		out = append(out, dueOf(inv))
	}
	return out
}
