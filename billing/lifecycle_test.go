package billing

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/ledger"
)

func TestWorkflow(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, action string
		from, want   Status
		lines        int
		ok           bool
	}{
		{"submit draft", "submitted", Draft, Submitted, 1, true},
		{"submit empty", "submitted", Draft, Draft, 0, false},
		{"approve submitted", "approved", Submitted, Approved, 1, true},
		{"reject submitted", "rejected", Submitted, Draft, 1, true},
		{"approve draft", "approved", Draft, Draft, 1, false},
		{"unknown", "bogus", Draft, Draft, 1, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			inv := Invoice{Status: c.from, Number: "INV-1"}
			inv.Lines = make([]Line, c.lines)
			ch, err := inv.Workflow(c.action)
			if (err == nil) != c.ok {
				t.Fatalf("err = %v, want ok=%v", err, c.ok)
			}
			if inv.Status != c.want {
				t.Fatalf("status = %s, want %s", inv.Status, c.want)
			}
			if c.ok && (ch.From != c.from || ch.To != c.want) {
				t.Fatalf("change = %+v", ch)
			}
		})
	}
}

func TestSimpleTransitions(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	inv := Invoice{Status: Submitted}
	if ch := inv.ReturnToDraft(); inv.Status != Draft || ch.From != Submitted || len(ch.Fields) != 1 {
		t.Fatalf("ReturnToDraft: %+v %s", ch, inv.Status)
	}
	if ch := inv.ReturnToDraft(); len(ch.Fields) != 0 {
		t.Fatalf("ReturnToDraft on draft changed %v", ch.Fields)
	}
	inv = Invoice{Status: Open, DueDate: calendar.Of(now).AddDays(-1)}
	inv.Balance = eur(decimal.NewFromInt(5))
	if ch, err := inv.MarkPastDue(calendar.Of(now)); err != nil || inv.Status != PastDue || ch.From != Open {
		t.Fatalf("MarkPastDue: %+v %v", ch, err)
	}
	inv.Close("written off", PostingAccounts{}, now)
	if inv.Status != Closed || !inv.Balance.IsZero() || inv.CloseReason != "written off" || inv.ClosedAt == nil || !inv.ClosedAt.Equal(now) {
		t.Fatalf("Close: %+v", inv)
	}
}

func TestVoid(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	ten := decimal.NewFromInt(10)
	cases := []struct {
		name      string
		paid, bal decimal.Decimal
		ok        bool
	}{
		{"unsettled", decimal.Zero, ten, true},
		{"paid", decimal.NewFromInt(1), ten, false},
		{"set off", decimal.Zero, decimal.NewFromInt(4), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			inv := Invoice{Status: Open, Number: "INV-1", EntryID: "je1"}
			inv.Total, inv.Paid, inv.Balance = eur(ten), eur(c.paid), eur(c.bal)
			ch, err := inv.Void("typo", ledger.Entry{ID: "je1"}, now)
			if (err == nil) != c.ok {
				t.Fatalf("err = %v, want ok=%v", err, c.ok)
			}
			if c.ok && (inv.Status != Void || len(ch.Reversals) != 1 || ch.Reversals[0].Undoes != "je1" || !inv.Balance.IsZero() || inv.VoidedAt == nil) {
				t.Fatalf("Void: %+v", inv)
			}
			if !c.ok && inv.Status != Open {
				t.Fatalf("refused void changed status to %s", inv.Status)
			}
		})
	}
}

func TestMarkIssued(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		name   string
		total  int64
		want   Status
		closed bool
	}{
		{"owed", 10, Open, false},
		{"nothing owed", 0, Closed, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			inv := Invoice{Status: Draft}
			inv.Total = eur(decimal.NewFromInt(c.total))
			ch, closed := inv.markIssued(now)
			if closed != c.closed || inv.Status != c.want || ch.To != c.want || inv.IssuedAt == nil {
				t.Fatalf("MarkIssued: closed=%v %+v status=%s", closed, ch, inv.Status)
			}
			if c.closed != (inv.ClosedAt != nil) {
				t.Fatalf("ClosedAt = %v", inv.ClosedAt)
			}
		})
	}
}
