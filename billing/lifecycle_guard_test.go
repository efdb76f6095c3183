package billing

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/ledger"
)

// TestMarkPastDueGuards tries MarkPastDue from every status and on dates
// around the due date: only an open invoice with a balance whose due date
// is before the given date becomes past due; anything else is a conflict
// naming why, and the document is left as it is.
func TestMarkPastDueGuards(t *testing.T) {
	t.Parallel()
	type tc struct {
		name string
		from Status
		edit func(*Invoice)
		ok   bool
		msg  string // part of the refusal
	}
	var cases []tc
	for _, st := range Statuses {
		c := tc{name: "from " + string(st), from: st, edit: func(*Invoice) {}, ok: st == Open, msg: "only an open invoice can become past due"}
		cases = append(cases, c)
	}
	cases = append(cases,
		tc{"on the due date", Open, func(i *Invoice) { i.DueDate = lcToday }, false, "is due 2026-03-04 with balance 10.00: it is not past due"},
		tc{"before the due date", Open, func(i *Invoice) { i.DueDate = lcToday.AddDays(30) }, false, "it is not past due"},
		tc{"the day after the due date", Open, func(i *Invoice) { i.DueDate = lcToday.AddDays(-1) }, true, ""},
		tc{"long overdue", Open, func(i *Invoice) { i.DueDate = lcToday.AddMonths(-14) }, true, ""},
		tc{"without balance", Open, func(i *Invoice) { i.Balance = eur(decimal.Zero) }, false, "it is not past due"},
		tc{"a credit note owed back", Open, func(i *Invoice) { i.Kind, i.Balance = KindCreditNote, eur(lcTen) }, true, ""},
		tc{"without a due date", Open, func(i *Invoice) { i.DueDate = calendar.Date{} }, false, "has no due date"},
	)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			inv := issuable(c.from)
			c.edit(&inv)
			before := inv.Clone()
			ch, err := inv.MarkPastDue(lcToday)
			if c.ok {
				if err != nil {
					t.Fatalf("MarkPastDue = %v, want past due", err)
				}
				if inv.Status != PastDue || ch.From != c.from || ch.To != PastDue || len(ch.Events) != 1 || ch.Events[0] != "invoice.past_due" {
					t.Fatalf("MarkPastDue = %+v, status %s", ch, inv.Status)
				}
				return
			}
			if !fail.Is(err, fail.Conflict) {
				t.Fatalf("MarkPastDue = %v, want a conflict", err)
			}
			if !strings.Contains(err.Error(), c.msg) || !strings.Contains(err.Error(), "INV-1") {
				t.Errorf("refusal %q, want it to name INV-1 and say %q", err, c.msg)
			}
			if inv.Status != before.Status || ch.To != "" || len(ch.Fields) != 0 {
				t.Errorf("refused MarkPastDue changed the document: %+v, status %s", ch, inv.Status)
			}
			// The one check of a status change agrees.
			if inv.CheckStatusChange(PastDue, StatusContext{Today: lcToday}) == nil {
				t.Errorf("CheckStatusChange lets through what MarkPastDue refuses")
			}
		})
	}
}

// TestReturnToDraftLeavesIssuedDocuments checks ReturnToDraft never takes
// an issued document back to draft (nothing in the transitions table leads
// back to draft from an issued status).
func TestReturnToDraftLeavesIssuedDocuments(t *testing.T) {
	t.Parallel()
	for _, st := range IssuedStatuses {
		t.Run(string(st), func(t *testing.T) {
			t.Parallel()
			inv := issuable(st)
			ch := inv.ReturnToDraft()
			if inv.Status != st || ch.From != st || ch.To != st || len(ch.Fields) != 0 {
				t.Fatalf("ReturnToDraft on %s: %+v, status %s", st, ch, inv.Status)
			}
		})
	}
}

// TestLifecycleMethodsFollowTheTable calls every lifecycle method from every
// status, on documents with and without a balance: each either leaves the
// status as it is or makes a change the transitions table allows (Reopen,
// the one change outside it, only from Closed). No method relies on its
// caller for its guard.
func TestLifecycleMethodsFollowTheTable(t *testing.T) {
	t.Parallel()
	methods := map[string]func(*Invoice) error{
		"Issue":            func(i *Invoice) error { _, _, err := i.Issue(lcToday, lcNow, lcAccts, lcEUR); return err },
		"Workflow submit":  func(i *Invoice) error { _, err := i.Workflow("submitted"); return err },
		"Workflow approve": func(i *Invoice) error { _, err := i.Workflow("approved"); return err },
		"Workflow reject":  func(i *Invoice) error { _, err := i.Workflow("rejected"); return err },
		"ReturnToDraft":    func(i *Invoice) error { i.ReturnToDraft(); return nil },
		"MarkPastDue":      func(i *Invoice) error { _, err := i.MarkPastDue(lcToday); return err },
		"Close":            func(i *Invoice) error { _, err := i.Close("written off", lcAccts, lcNow); return err },
		"CloseSettled":     func(i *Invoice) error { i.CloseSettled("settled by P1", lcNow); return nil },
		"Void":             func(i *Invoice) error { _, err := i.Void("wrong", ledger.Entry{ID: i.EntryID}, lcNow); return err },
		"Reopen":           func(i *Invoice) error { _, err := i.Reopen(lcToday); return err },
		"ApplyPayment settles": func(i *Invoice) error {
			_, err := i.ApplyPayment(eur(decimal.Zero), eur(decimal.Zero), i.Total, "settled by P1", lcToday, lcNow)
			return err
		},
		"ApplyPayment refunds": func(i *Invoice) error {
			_, err := i.ApplyPayment(eur(lcTen), eur(lcTen), eur(decimal.Zero), "", lcToday, lcNow)
			return err
		},
		"Correct": func(i *Invoice) error {
			cn := issuable(Open)
			cn.ID, cn.Kind, cn.OriginalID, cn.Balance = "cn1", KindCreditNote, i.ID, eur(decimal.Zero)
			_, _, err := i.Correct(&cn, nil, "r1", "PRICE", "", lcNow)
			return err
		},
	}
	for name, m := range methods {
		for _, st := range Statuses {
			for _, balance := range []decimal.Decimal{lcTen, decimal.Zero} {
				inv := issuable(st)
				inv.Balance, inv.BalanceAccounting = eur(balance), eur(balance)
				err := m(&inv)
				after := inv.Status
				switch {
				case after == st:
				case (name == "Reopen" || name == "ApplyPayment refunds") && st == Closed:
				case st.CanBecome(after):
				default:
					t.Errorf("%s from %s (balance %s) made it %s, which the transitions table does not allow (err %v)", name, st, balance, after, err)
				}
				if err != nil && after != st {
					t.Errorf("%s from %s refused (%v) but changed the status to %s", name, st, err, after)
				}
			}
		}
	}
}
