package billing

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/money"
)

// The lifecycle methods, each tried from every status: the ones its guard
// lets through change the document as the transitions table says, the
// others are refused (or left alone) without changing it.

var (
	lcNow   = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	lcToday = calendar.Date{Year: 2026, Month: 3, Day: 4}
	lcTen   = decimal.NewFromInt(10)
)

// issuable returns a document in status st that passes every other guard.
func issuable(st Status) Invoice {
	inv := Invoice{ID: "inv1", Status: st, Kind: KindInvoice, Currency: "EUR", Number: "INV-1", DocumentNumber: "D-000001"}
	inv.Lines = make([]Line, 1)
	inv.Total, inv.Balance, inv.BalanceAccounting = eur(lcTen), eur(lcTen), eur(lcTen)
	inv.BillTo = Party{LegalName: "ACME", Address: Address{Line1: "1 Road", City: "Town", Country: "DE"}}
	inv.DueDate = lcToday.AddDays(-1)
	return inv
}

// wantRefusal fails unless err is a fail error (a conflict or a field
// error, which the API maps to 409 and 422).
func wantRefusal(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("accepted, want refused")
	}
	if _, ok := fail.As(err); !ok {
		t.Fatalf("err %v is not a fail error", err)
	}
}

func TestIssueEveryStatus(t *testing.T) {
	t.Parallel()
	for _, st := range Statuses {
		t.Run(string(st), func(t *testing.T) {
			t.Parallel()
			inv := issuable(st)
			ch, closed, err := inv.Issue(lcToday, lcNow, lcAccts, lcEUR)
			if !st.IsDraft() {
				wantRefusal(t, err)
				if inv.Status != st || inv.IssuedAt != nil {
					t.Fatalf("refused issue changed %s to %s", st, inv.Status)
				}
				return
			}
			if err != nil || closed || inv.Status != Open || ch.From != st || ch.To != Open || !inv.IssuedAt.Equal(lcNow) {
				t.Fatalf("Issue from %s: err=%v closed=%v %+v status=%s", st, err, closed, ch, inv.Status)
			}
			if len(ch.Events) != 1 || ch.Events[0] != "invoice.issued" {
				t.Fatalf("events %v", ch.Events)
			}
		})
	}
}

func TestIssueGuard(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		edit   func(*Invoice)
		ok     bool
		closed bool
	}{
		{"issuable", func(*Invoice) {}, true, false},
		{"zero total closes", func(i *Invoice) {
			i.Total, i.Balance, i.BalanceAccounting = eur(decimal.Zero), eur(decimal.Zero), eur(decimal.Zero)
		}, true, true},
		{"no lines", func(i *Invoice) { i.Lines = nil }, false, false},
		{"negative total", func(i *Invoice) { i.Total = eur(lcTen.Neg()) }, false, false},
		{"on hold", func(i *Invoice) { i.HoldUntil = lcToday.AddDays(1) }, false, false},
		{"hold ends today", func(i *Invoice) { i.HoldUntil = lcToday }, true, false},
		{"no billing info", func(i *Invoice) { i.BillTo.Address.City = "" }, false, false},
		{"schedule off", func(i *Invoice) { i.PaymentSchedule = []Installment{{Amount: eur(decimal.NewFromInt(3))}} }, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			inv := issuable(Draft)
			c.edit(&inv)
			_, closed, err := inv.Issue(lcToday, lcNow, lcAccts, lcEUR)
			if (err == nil) != c.ok || closed != c.closed {
				t.Fatalf("err=%v closed=%v, want ok=%v closed=%v", err, closed, c.ok, c.closed)
			}
			switch {
			case !c.ok && inv.Status != Draft:
				t.Fatalf("refused issue left %s", inv.Status)
			case c.closed && (inv.Status != Closed || inv.CloseReason != CloseReasonNothingOwed || !inv.ClosedAt.Equal(lcNow)):
				t.Fatalf("zero total: %s %q %v", inv.Status, inv.CloseReason, inv.ClosedAt)
			}
		})
	}
}

func TestCheckApproved(t *testing.T) {
	t.Parallel()
	for _, st := range Statuses {
		for _, required := range []bool{false, true} {
			t.Run(string(st)+map[bool]string{false: "/free", true: "/required"}[required], func(t *testing.T) {
				t.Parallel()
				inv := issuable(st)
				err := inv.CheckApproved(StatusContext{Today: lcToday, ApprovalRequired: required})
				if ok := !required || st == Approved; (err == nil) != ok {
					t.Fatalf("err = %v, want ok=%v", err, ok)
				}
				if err != nil {
					fe, _ := fail.As(err)
					if len(fe.Allowed) != 1 || fe.Allowed[0] != string(Submitted) {
						t.Fatalf("allowed %v", fe.Allowed)
					}
				}
				// CheckOpenable is the approval gate and CheckIssuable.
				open := inv.CheckOpenable(StatusContext{Today: lcToday, ApprovalRequired: required})
				if want := err == nil && st.IsDraft(); (open == nil) != want {
					t.Fatalf("CheckOpenable = %v, want ok=%v", open, want)
				}
			})
		}
	}
}

func TestWorkflowEveryStatus(t *testing.T) {
	t.Parallel()
	to := map[string]map[Status]Status{
		"submitted": {Draft: Submitted},
		"approved":  {Submitted: Approved},
		"rejected":  {Submitted: Draft},
	}
	for action, allowed := range to {
		for _, st := range Statuses {
			t.Run(action+"/"+string(st), func(t *testing.T) {
				t.Parallel()
				inv := issuable(st)
				ch, err := inv.Workflow(action)
				want, ok := allowed[st]
				if !ok {
					wantRefusal(t, err)
					if inv.Status != st {
						t.Fatalf("refused %s changed status to %s", action, inv.Status)
					}
					return
				}
				if err != nil || inv.Status != want || ch.From != st || ch.To != want {
					t.Fatalf("err=%v %+v status=%s", err, ch, inv.Status)
				}
			})
		}
	}
}

func TestReturnToDraftEveryStatus(t *testing.T) {
	t.Parallel()
	for _, st := range DraftStatuses {
		t.Run(string(st), func(t *testing.T) {
			t.Parallel()
			inv := issuable(st)
			ch := inv.ReturnToDraft()
			if inv.Status != Draft || ch.From != st || ch.To != Draft || (len(ch.Fields) == 1) != (st != Draft) {
				t.Fatalf("%+v status=%s", ch, inv.Status)
			}
		})
	}
}

func TestMarkPastDue(t *testing.T) {
	t.Parallel()
	inv := issuable(Open)
	if err := inv.CheckStatusChange(PastDue, StatusContext{Today: lcToday}); err != nil {
		t.Fatal(err)
	}
	ch, err := inv.MarkPastDue(lcToday)
	if err != nil || inv.Status != PastDue || ch.From != Open || ch.To != PastDue || ch.Events[0] != "invoice.past_due" {
		t.Fatalf("%+v status=%s err=%v", ch, inv.Status, err)
	}
}

func TestCloseEveryStatus(t *testing.T) {
	t.Parallel()
	for _, st := range Statuses {
		t.Run(string(st), func(t *testing.T) {
			t.Parallel()
			inv := issuable(st)
			ch, err := inv.Close("written off", lcAccts, lcNow)
			if st != Open && st != PastDue {
				wantRefusal(t, err)
				if inv.Status != st || !inv.Balance.Equal(eur(lcTen)) || inv.ClosedAt != nil {
					t.Fatalf("refused close changed %+v", inv)
				}
				return
			}
			if err != nil || inv.Status != Closed || ch.From != st || !inv.Balance.IsZero() || !inv.BalanceAccounting.IsZero() ||
				inv.CloseReason != "written off" || !inv.ClosedAt.Equal(lcNow) {
				t.Fatalf("err=%v %+v", err, inv)
			}
		})
	}
}

func TestCheckClosable(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		balance decimal.Decimal
		reason  string
		field   string // the refused field, "" when allowed
	}{
		{"balance with reason", lcTen, "bad debt", ""},
		{"balance without reason", lcTen, "", "reason"},
		{"settled without reason", decimal.Zero, "", ""},
		{"reason too long", decimal.Zero, strings.Repeat("x", 501), "reason"},
		{"reason at limit", lcTen, strings.Repeat("x", 500), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			inv := issuable(Open)
			inv.Balance = eur(c.balance)
			err := inv.CheckClosable(c.reason)
			if c.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var fe *fail.Error
			if !errors.As(err, &fe) || len(fe.Fields) != 1 || fe.Fields[0].Field != c.field {
				t.Fatalf("err = %#v, want field %s", err, c.field)
			}
		})
	}
}

func TestVoidEveryStatus(t *testing.T) {
	t.Parallel()
	for _, st := range Statuses {
		t.Run(string(st), func(t *testing.T) {
			t.Parallel()
			inv := issuable(st)
			inv.EntryID = "je9"
			ch, err := inv.Void("typo", ledger.Entry{ID: "je9", Number: "JE-9"}, lcNow)
			if st != Open && st != PastDue {
				wantRefusal(t, err)
				if inv.Status != st || ch.Reversals != nil {
					t.Fatalf("refused void changed %+v", inv)
				}
				return
			}
			if err != nil || inv.Status != Void || ch.From != st || len(ch.Reversals) != 1 || ch.Reversals[0].Undoes != "je9" || inv.CloseReason != "typo" ||
				!inv.VoidedAt.Equal(lcNow) || !inv.Balance.IsZero() || ch.Events[0] != "invoice.voided" {
				t.Fatalf("err=%v %+v", err, inv)
			}
		})
	}
}

func TestCloseSettledEveryStatus(t *testing.T) {
	t.Parallel()
	for _, st := range Statuses {
		for _, bal := range []decimal.Decimal{decimal.Zero, lcTen} {
			t.Run(string(st)+"/"+bal.String(), func(t *testing.T) {
				t.Parallel()
				inv := issuable(st)
				inv.Balance = eur(bal)
				ch, closed := inv.CloseSettled("settled by payment P1", lcNow)
				if want := st.IsOwed() && bal.IsZero(); closed != want {
					t.Fatalf("closed = %v, want %v", closed, want)
				}
				if !closed {
					if inv.Status != st || inv.ClosedAt != nil || ch.To != st {
						t.Fatalf("left alone changed %+v", inv)
					}
					return
				}
				if inv.Status != Closed || ch.From != st || inv.CloseReason != "settled by payment P1" || !inv.ClosedAt.Equal(lcNow) {
					t.Fatalf("%+v", inv)
				}
			})
		}
	}
}

func TestCorrectEveryStatus(t *testing.T) {
	t.Parallel()
	for _, st := range Statuses {
		t.Run(string(st), func(t *testing.T) {
			t.Parallel()
			orig := issuable(st)
			cn := orig.CreditNoteFor("cn1", lcToday, "PRICE", "wrong")
			cn.Status, cn.Number = Open, "CN-1"
			// The credit note was set against the whole balance.
			orig.Balance, orig.BalanceAccounting = eur(decimal.Zero), eur(decimal.Zero)
			cn.Balance = eur(decimal.Zero)
			oc, cc, err := orig.Correct(&cn, nil, "repl1", "PRICE", "wrong", lcNow)
			if !st.IsIssued() || st == Void {
				wantRefusal(t, err)
				if orig.Status != st || orig.CreditNoteID != "" || cn.Status != Open {
					t.Fatalf("refused correction changed %s / %s", orig.Status, cn.Status)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if orig.CreditNoteID != "cn1" || orig.ReplacementID != "repl1" || orig.CorrectionReason != "PRICE" || orig.CorrectionComment != "wrong" {
				t.Fatalf("links %+v", orig)
			}
			if cn.Status != Closed || cn.CloseReason != "applied to INV-1" || cc.To != Closed {
				t.Fatalf("credit note %s %q %+v", cn.Status, cn.CloseReason, cc)
			}
			if st == Closed {
				if orig.CloseReason != "" || oc.To != Closed || slices.Contains(oc.Fields, "status") {
					t.Fatalf("closed original re-closed: %q %+v", orig.CloseReason, oc)
				}
				return
			}
			if orig.Status != Closed || orig.CloseReason != "corrected by CN-1" || !orig.ClosedAt.Equal(lcNow) || oc.From != st {
				t.Fatalf("original %s %q %+v", orig.Status, orig.CloseReason, oc)
			}
			// Corrected once: a second correction is refused.
			if _, _, err := orig.Correct(&cn, nil, "repl2", "PRICE", "", lcNow); err == nil {
				t.Fatal("second correction accepted")
			}
		})
	}
}

func TestCorrectBalances(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name               string
		origBal, cnBal     decimal.Decimal
		origClosed, cnOpen bool
	}{
		{"both settled", decimal.Zero, decimal.Zero, true, false},
		{"paid original: credit note stays open", decimal.Zero, lcTen, true, true},
		{"original still owed", lcTen, decimal.Zero, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			orig := issuable(Open)
			cn := orig.CreditNoteFor("cn1", lcToday, "PRICE", "")
			cn.Status, cn.Number = Open, "CN-1"
			orig.Balance, cn.Balance = eur(c.origBal), eur(c.cnBal)
			if _, _, err := orig.Correct(&cn, nil, "r", "PRICE", "", lcNow); err != nil {
				t.Fatal(err)
			}
			if (orig.Status == Closed) != c.origClosed || (cn.Status == Open) != c.cnOpen {
				t.Fatalf("original %s, credit note %s", orig.Status, cn.Status)
			}
		})
	}
}

func TestCorrectRefusesOtherDocument(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		edit func(orig, cn *Invoice)
	}{
		{"credit note of another invoice", func(_, cn *Invoice) { cn.OriginalID = "other" }},
		{"not a credit note", func(_, cn *Invoice) { cn.Kind = KindInvoice }},
		{"credit note not issued", func(_, cn *Invoice) { cn.Status = Draft }},
		{"original is a credit note", func(orig, _ *Invoice) { orig.Kind = KindCreditNote }},
		{"original already corrected", func(orig, _ *Invoice) { orig.CreditNoteID = "cn0" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			orig := issuable(Open)
			cn := orig.CreditNoteFor("cn1", lcToday, "PRICE", "")
			cn.Status = Open
			c.edit(&orig, &cn)
			orig.Balance, cn.Balance = eur(decimal.Zero), eur(decimal.Zero)
			_, _, err := orig.Correct(&cn, nil, "r", "PRICE", "", lcNow)
			wantRefusal(t, err)
			if orig.Status != Open || orig.ReplacementID != "" {
				t.Fatalf("refused correction changed the original: %+v", orig)
			}
		})
	}
}

func TestReopenEveryStatus(t *testing.T) {
	t.Parallel()
	for _, st := range Statuses {
		for _, due := range []calendar.Date{lcToday.AddDays(-1), lcToday, {}} {
			t.Run(string(st)+"/"+due.String(), func(t *testing.T) {
				t.Parallel()
				inv := issuable(st)
				inv.DueDate, inv.CloseReason, inv.ClosedAt = due, "settled by P1", &lcNow
				ch, err := inv.Reopen(lcToday)
				if st != Closed {
					wantRefusal(t, err)
					if inv.Status != st {
						t.Fatalf("refused reopen changed status to %s", inv.Status)
					}
					return
				}
				want := Open
				if !due.IsZero() && due.Before(lcToday) {
					want = PastDue
				}
				if err != nil || inv.Status != want || inv.ClosedAt != nil || inv.CloseReason != "" || ch.From != Closed || ch.To != want {
					t.Fatalf("err=%v %s %v %q, want %s", err, inv.Status, inv.ClosedAt, inv.CloseReason, want)
				}
			})
		}
	}
}

func TestCheckStatusChangeEveryPair(t *testing.T) {
	t.Parallel()
	// The changes an issuable document (due yesterday, unpaid, approval
	// not required) may make from each status.
	allowed := map[Status][]Status{
		Draft:     {Submitted, Open},
		Submitted: {Approved, Draft, Open},
		Approved:  {Open, Draft},
		Open:      {PastDue, Closed, Void},
		PastDue:   {Closed, Void},
		Closed:    {},
		Void:      {},
	}
	sc := StatusContext{Today: lcToday}
	for _, from := range Statuses {
		inv := issuable(from)
		got := inv.AllowedStatuses(sc)
		if !slices.Equal(got, allowed[from]) {
			t.Errorf("AllowedStatuses(%s) = %v, want %v", from, got, allowed[from])
		}
		for _, to := range Statuses {
			err := inv.CheckStatusChange(to, sc)
			ok := slices.Contains(allowed[from], to)
			if (err == nil) != ok {
				t.Errorf("%s → %s: err = %v, want ok=%v", from, to, err, ok)
				continue
			}
			if err != nil {
				fe, _ := fail.As(err)
				if fe == nil || len(fe.Allowed) != len(allowed[from]) {
					t.Errorf("%s → %s: refusal %#v does not list %v", from, to, err, allowed[from])
				}
			}
		}
	}
}

func TestCheckStatusChangeGuards(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		from, to Status
		edit     func(*Invoice)
		sc       StatusContext
		ok       bool
	}{
		{"submit without lines", Draft, Submitted, func(i *Invoice) { i.Lines = nil }, StatusContext{Today: lcToday}, false},
		{"issue unapproved", Draft, Open, func(*Invoice) {}, StatusContext{Today: lcToday, ApprovalRequired: true}, false},
		{"issue approved", Approved, Open, func(*Invoice) {}, StatusContext{Today: lcToday, ApprovalRequired: true}, true},
		{"past due on the due date", Open, PastDue, func(i *Invoice) { i.DueDate = lcToday }, StatusContext{Today: lcToday}, false},
		{"past due without balance", Open, PastDue, func(i *Invoice) { i.Balance = eur(decimal.Zero) }, StatusContext{Today: lcToday}, false},
		{"void a paid invoice", Open, Void, func(i *Invoice) { i.Paid = eur(decimal.NewFromInt(1)) }, StatusContext{Today: lcToday}, false},
		{"close with balance", PastDue, Closed, func(*Invoice) {}, StatusContext{Today: lcToday}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			inv := issuable(c.from)
			c.edit(&inv)
			if err := inv.CheckStatusChange(c.to, c.sc); (err == nil) != c.ok {
				t.Fatalf("err = %v, want ok=%v", err, c.ok)
			}
			if err := inv.CheckPastDue(c.sc.Today); c.to == PastDue && (err == nil) != c.ok {
				t.Fatalf("CheckPastDue = %v, want ok=%v", err, c.ok)
			}
		})
	}
}

func TestReplacementFor(t *testing.T) {
	t.Parallel()
	orig := issuable(Closed)
	orig.Paid, orig.Balance, orig.EntryID, orig.CloseReason, orig.ClosedAt = eur(lcTen), eur(decimal.Zero), "je1", "settled by P1", &lcNow
	orig.TemplateID, orig.TemplatePeriod, orig.DueDate = "tp1", "2026-03-01", lcToday
	r := orig.ReplacementFor("r1", lcToday, "PRICE", "wrong price")
	switch {
	case r.ID != "r1" || r.Status != Draft || r.Number != "" || r.DocumentNumber != "":
		t.Fatalf("identity %+v", r)
	case !r.Paid.IsZero() || !r.Balance.Equal(orig.Total) || r.EntryID != "" || r.CloseReason != "" || r.ClosedAt != nil:
		t.Fatalf("settlement copied %+v", r)
	case r.OriginalID != orig.ID || r.CorrectionReason != "PRICE" || r.CorrectionComment != "wrong price":
		t.Fatalf("links %+v", r)
	case !r.DueDate.IsZero() || r.InvoiceDate != lcToday || r.TemplateID != "" || r.TemplatePeriod != "":
		t.Fatalf("dates/template %+v", r)
	case len(r.Lines) != 1 || &r.Lines[0] == &orig.Lines[0]:
		t.Fatal("lines not copied")
	}
}

// TestLifecycleEvents: each lifecycle method names the domain events of
// what it did, which the service emits as they are: issuing names
// invoice.issued (and invoice.closed when nothing is owed), the others the
// status they reach; Then joins a change with the one right after it.
func TestLifecycleEvents(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		run  func() (Change, error)
		want []string
	}{
		{"issue", func() (Change, error) {
			inv := issuable(Draft)
			ch, _, err := inv.Issue(lcToday, lcNow, lcAccts, lcEUR)
			return ch, err
		}, []string{"invoice.issued"}},
		{"issue with nothing owed", func() (Change, error) {
			inv := issuable(Draft)
			inv.Total, inv.TotalAccounting, inv.Balance, inv.BalanceAccounting = eur(decimal.Zero), eur(decimal.Zero), eur(decimal.Zero), eur(decimal.Zero)
			ch, _, err := inv.Issue(lcToday, lcNow, lcAccts, lcEUR)
			return ch, err
		}, []string{"invoice.issued", "invoice.closed"}},
		{"past due", func() (Change, error) { inv := issuable(Open); return inv.MarkPastDue(lcToday) }, []string{"invoice.past_due"}},
		{"close", func() (Change, error) { inv := issuable(PastDue); return inv.Close("lost", lcAccts, lcNow) }, []string{"invoice.closed"}},
		{"void", func() (Change, error) { inv := issuable(Open); return inv.Void("typo", ledger.Entry{}, lcNow) }, []string{"invoice.voided"}},
		{"settled", func() (Change, error) {
			inv := issuable(Open)
			inv.Balance = eur(decimal.Zero)
			ch, _ := inv.CloseSettled("settled by payment P1", lcNow)
			return ch, nil
		}, []string{"invoice.closed"}},
		{"issued, then settled by customer credit", func() (Change, error) {
			inv := issuable(Draft)
			ch, _, err := inv.Issue(lcToday, lcNow, lcAccts, lcEUR)
			inv.Balance = eur(decimal.Zero)
			credit, _ := inv.CloseSettled("settled by customer credit", lcNow)
			ch = ch.Then(credit)
			if ch.From != Draft || ch.To != Closed {
				t.Errorf("joined change %s→%s, want draft→closed", ch.From, ch.To)
			}
			return ch, err
		}, []string{"invoice.issued", "invoice.closed"}},
		{"issued, then nothing", func() (Change, error) {
			inv := issuable(Draft)
			ch, _, err := inv.Issue(lcToday, lcNow, lcAccts, lcEUR)
			if ch.Then(Change{}).To != Open {
				t.Error("a zero change after issuing changed its status")
			}
			return ch.Then(Change{}), err
		}, []string{"invoice.issued"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ch, err := c.run()
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(ch.Events, c.want) {
				t.Fatalf("events %v, want %v", ch.Events, c.want)
			}
		})
	}
}

// TestApplyPayment: a settlement or refund records its balances on an
// issued document that is not void, within its total, closing it when
// settled in full with the reason given and reopening a closed one a
// refund gave a balance again; anything else is refused and changes
// nothing.
func TestApplyPayment(t *testing.T) {
	t.Parallel()
	four, six := dec("4"), dec("6")
	cases := []struct {
		name          string
		from          Status
		balance, paid decimal.Decimal
		reason        string
		want          Status // "" for refused
		events        []string
	}{
		{"part payment", Open, six, four, "settled by payment P1", Open, nil},
		{"paid in full closes", Open, decimal.Zero, lcTen, "settled by payment P1", Closed, []string{"invoice.closed"}},
		{"past due paid in full", PastDue, decimal.Zero, lcTen, "settled by payment P1", Closed, []string{"invoice.closed"}},
		{"zero without a reason stays open", Open, decimal.Zero, lcTen, "", Open, nil},
		{"refund reopens a closed one", Closed, four, six, "", PastDue, nil}, // due yesterday
		{"refund of a closed one to zero", Closed, decimal.Zero, lcTen, "", Closed, nil},
		{"draft", Draft, six, four, "", "", nil},
		{"void", Void, six, four, "", "", nil},
		{"negative balance", Open, dec("-1"), dec("11"), "", "", nil},
		{"balance above the total", Open, dec("11"), decimal.Zero, "", "", nil},
		{"negative paid", Open, six, dec("-1"), "", "", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			inv := issuable(c.from)
			inv.CloseReason = "was closed"
			before := inv
			ch, err := inv.ApplyPayment(eur(c.balance), eur(c.balance), eur(c.paid), c.reason, lcToday, lcNow)
			if c.want == "" {
				wantRefusal(t, err)
				if inv.Status != before.Status || !inv.Balance.Equal(before.Balance) || !inv.Paid.Equal(before.Paid) {
					t.Fatalf("refused payment changed %s %s %s", inv.Status, inv.Balance, inv.Paid)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if inv.Status != c.want || ch.From != c.from || ch.To != c.want || !slices.Equal(ch.Events, c.events) {
				t.Fatalf("status %s, change %s→%s events %v; want %s events %v", inv.Status, ch.From, ch.To, ch.Events, c.want, c.events)
			}
			if !inv.Balance.Equal(eur(c.balance)) || !inv.BalanceAccounting.Equal(eur(c.balance)) || !inv.Paid.Equal(eur(c.paid)) {
				t.Fatalf("balances %s/%s paid %s", inv.Balance, inv.BalanceAccounting, inv.Paid)
			}
			switch {
			case c.want == Closed && c.from != Closed:
				if inv.CloseReason != c.reason || !inv.ClosedAt.Equal(lcNow) {
					t.Fatalf("closed with %q at %v", inv.CloseReason, inv.ClosedAt)
				}
			case c.from == Closed && c.want != Closed:
				if inv.CloseReason != "" || inv.ClosedAt != nil {
					t.Fatalf("reopened but kept %q %v", inv.CloseReason, inv.ClosedAt)
				}
			}
		})
	}
}

// eur is d as an amount in euros, the currency of the lifecycle cases.
func eur(d decimal.Decimal) money.Amount { return money.In(d, "EUR") }
