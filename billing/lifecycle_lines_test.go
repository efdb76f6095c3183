package billing

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/money"
)

// The journal lines a lifecycle method returns in Change.Lines, which the
// service posts as they are: Issue's (IssueLines) and Close's write-off.

var (
	lcAccts = PostingAccounts{Receivables: "1100", Revenue: "4000", Rounding: "6800", WriteOff: "6900"}
	lcEUR   = money.MustCurrency("EUR")
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// showLines renders lines as "account debit/credit amount currency
// [customer]", sorted, to compare with a table's want.
func showLines(ls []ledger.Line) []string {
	out := []string{}
	for _, l := range ls {
		s := fmt.Sprintf("%s %s/%s %s %s", l.Account, l.Debit.Decimal(), l.Credit.Decimal(), l.Amount.Decimal(), l.Currency)
		if l.CustomerID != "" {
			s += " " + l.CustomerID
		}
		out = append(out, strings.TrimSpace(s))
	}
	slices.Sort(out)
	return out
}

// checkBalanced fails unless the lines balance: debits equal credits, and
// the document-currency amounts of each currency sum to zero.
func checkBalanced(t *testing.T, ls []ledger.Line) {
	t.Helper()
	net := decimal.Zero
	perCurrency := map[string]decimal.Decimal{}
	for _, l := range ls {
		net = net.Add(l.Debit.Decimal()).Sub(l.Credit.Decimal())
		perCurrency[l.Currency] = perCurrency[l.Currency].Add(l.Amount.Decimal())
	}
	if !net.IsZero() {
		t.Errorf("debits minus credits = %s, want 0: %v", net, showLines(ls))
	}
	for cur, sum := range perCurrency {
		if !sum.IsZero() {
			t.Errorf("amounts in %q sum to %s, want 0: %v", cur, sum, showLines(ls))
		}
	}
}

func TestIssueLines(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		edit   func(*Invoice)
		want   []string // nil: no lines to post
		closed bool
	}{
		{"invoice with tax", func(i *Invoice) {
			i.Lines = []Line{{Position: 1, Amount: eur(dec("100"))}}
			i.Taxes = []TaxLine{{Code: "VAT21", Account: "2100", Amount: eur(dec("21"))}}
			i.Total, i.TotalAccounting, i.Balance, i.BalanceAccounting = eur(dec("121")), eur(dec("121")), eur(dec("121")), eur(dec("121"))
		}, []string{"1100 121/0 121 EUR cus1", "2100 0/21 -21 EUR cus1", "4000 0/100 -100 EUR cus1"}, false},
		{"line accounts and a distribution", func(i *Invoice) {
			i.Lines = []Line{{Position: 1, Amount: eur(dec("10.01")), Distribution: []Split{{Account: "4100", Percent: dec("50")}, {Account: "4200", Percent: dec("50")}}},
				{Position: 2, Amount: eur(dec("5")), Account: "4300"}}
			i.Total, i.TotalAccounting, i.Balance, i.BalanceAccounting = eur(dec("15.01")), eur(dec("15.01")), eur(dec("15.01")), eur(dec("15.01"))
		}, []string{"1100 15.01/0 15.01 EUR cus1", "4100 0/5.01 -5.01 EUR cus1", "4200 0/5 -5 EUR cus1", "4300 0/5 -5 EUR cus1"}, false},
		{"credit note mirrors", func(i *Invoice) {
			i.Kind = KindCreditNote
			i.Lines = []Line{{Position: 1, Amount: eur(dec("100"))}}
			i.Taxes = []TaxLine{{Code: "VAT21", Account: "2100", Amount: eur(dec("21"))}}
			i.Total, i.TotalAccounting, i.Balance, i.BalanceAccounting = eur(dec("121")), eur(dec("121")), eur(dec("121")), eur(dec("121"))
		}, []string{"1100 0/121 -121 EUR cus1", "2100 21/0 21 EUR cus1", "4000 100/0 100 EUR cus1"}, false},
		{"foreign currency with conversion rounding", func(i *Invoice) {
			// Each 0.07 USD is 0.063 → 0.06 EUR; the total 0.21 is 0.189 → 0.19 EUR.
			i.Currency, i.ExchangeRate = "USD", dec("0.9")
			i.Lines = []Line{{Position: 1, Amount: eur(dec("0.07"))}, {Position: 2, Amount: eur(dec("0.07"))}, {Position: 3, Amount: eur(dec("0.07"))}}
			i.Total, i.TotalAccounting, i.Balance, i.BalanceAccounting = money.In(dec("0.21"), "USD"), eur(dec("0.19")), money.In(dec("0.21"), "USD"), eur(dec("0.19"))
		}, []string{"1100 0.19/0 0.21 USD cus1", "4000 0/0.18 -0.21 USD cus1", "6800 0/0.01 0"}, false},
		{"zero total posts nothing and closes", func(i *Invoice) {
			i.Lines = []Line{{Position: 1, Amount: eur(decimal.Zero)}}
			i.Total, i.TotalAccounting, i.Balance, i.BalanceAccounting = eur(decimal.Zero), eur(decimal.Zero), eur(decimal.Zero), eur(decimal.Zero)
		}, nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			inv := issuable(Draft)
			inv.InvoiceAccountID = "cus1"
			c.edit(&inv)
			ch, closed, err := inv.Issue(lcToday, lcNow, lcAccts, lcEUR)
			if err != nil || closed != c.closed {
				t.Fatalf("Issue: err=%v closed=%v, want closed=%v", err, closed, c.closed)
			}
			if c.want == nil {
				if ch.Lines != nil {
					t.Fatalf("lines %v, want none", showLines(ch.Lines))
				}
				return
			}
			if got := showLines(ch.Lines); !slices.Equal(got, c.want) {
				t.Errorf("lines\n%v\nwant\n%v", got, c.want)
			}
			checkBalanced(t, ch.Lines)
			for _, l := range ch.Lines {
				if l.InvoiceID != inv.ID {
					t.Errorf("line %s has invoice %q, want %q", l.Account, l.InvoiceID, inv.ID)
				}
			}
		})
	}
}

// TestIssueLinesRefused: an issue the guard refuses, or whose lines cannot
// be computed, returns no lines and leaves the draft as it was.
func TestIssueLinesRefused(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		edit func(*Invoice)
		want string
	}{
		{"not a draft", func(i *Invoice) { i.Status = Open }, "draft"},
		{"unknown currency", func(i *Invoice) { i.Currency = "EURO" }, "EURO"},
		{"zero distribution", func(i *Invoice) {
			i.Lines = []Line{{Position: 1, Amount: eur(dec("10")), Distribution: []Split{{Account: "4100", Percent: decimal.Zero}}}}
		}, "distribute line 1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			inv := issuable(Draft)
			c.edit(&inv)
			before := inv.Status
			ch, _, err := inv.Issue(lcToday, lcNow, lcAccts, lcEUR)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one naming %q", err, c.want)
			}
			if ch.Lines != nil || inv.Status != before || inv.IssuedAt != nil {
				t.Fatalf("refused issue: lines %v, status %s, issued at %v", ch.Lines, inv.Status, inv.IssuedAt)
			}
		})
	}
}

func TestCloseLines(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		kind    Kind
		cur     string
		balance string
		balAcc  string
		want    []string // nil: nothing written off
	}{
		{"balance written off", KindInvoice, "EUR", "10", "10", []string{"1100 0/10 -10 EUR cus1", "6900 10/0 10 EUR"}},
		{"foreign currency", KindInvoice, "USD", "10", "9.21", []string{"1100 0/9.21 -10 USD cus1", "6900 9.21/0 10 USD"}},
		{"credit note mirrors", KindCreditNote, "EUR", "5", "5", []string{"1100 5/0 5 EUR cus1", "6900 0/5 -5 EUR"}},
		{"nothing left", KindInvoice, "EUR", "0", "0", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			inv := issuable(Open)
			inv.Kind, inv.Currency, inv.InvoiceAccountID = c.kind, c.cur, "cus1"
			inv.Balance, inv.BalanceAccounting = money.In(dec(c.balance), c.cur), eur(dec(c.balAcc))
			ch, err := inv.Close("written off", lcAccts, lcNow)
			if err != nil || inv.Status != Closed || !inv.Balance.IsZero() || !inv.BalanceAccounting.IsZero() {
				t.Fatalf("Close: err=%v status=%s balance=%s/%s", err, inv.Status, inv.Balance, inv.BalanceAccounting)
			}
			if c.want == nil {
				if ch.Lines != nil {
					t.Fatalf("lines %v, want none", showLines(ch.Lines))
				}
				return
			}
			if got := showLines(ch.Lines); !slices.Equal(got, c.want) {
				t.Errorf("lines\n%v\nwant\n%v", got, c.want)
			}
			checkBalanced(t, ch.Lines)
			for _, l := range ch.Lines {
				// Receivables carry the customer; the write-off account does not.
				if want := map[bool]string{true: lcAccts.Receivables, false: lcAccts.WriteOff}[l.CustomerID != ""]; l.Account != want || l.InvoiceID != inv.ID {
					t.Errorf("line %+v: want account %s on invoice %s", l, want, inv.ID)
				}
			}
		})
	}
}

// TestCloseLinesRefused: a close the guard refuses writes nothing off and
// leaves the balance.
func TestCloseLinesRefused(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, reason string
		status       Status
	}{{"draft", "written off", Draft}, {"void", "written off", Void}, {"no reason", "", Open}} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			inv := issuable(c.status)
			ch, err := inv.Close(c.reason, lcAccts, lcNow)
			wantRefusal(t, err)
			if ch.Lines != nil || inv.Status != c.status || !inv.Balance.Equal(eur(lcTen)) {
				t.Fatalf("refused close: lines %v, status %s, balance %s", ch.Lines, inv.Status, inv.Balance)
			}
		})
	}
}

// TestCheckVoid: the guard Void runs, and the service runs before it posts
// the reversal, refuses what Void refuses.
func TestCheckVoid(t *testing.T) {
	t.Parallel()
	for _, st := range Statuses {
		for _, paid := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/paid=%v", st, paid), func(t *testing.T) {
				t.Parallel()
				inv := issuable(st)
				inv.Total = inv.Balance
				if paid {
					inv.Paid = eur(dec("1"))
				}
				guard := inv.CheckVoid()
				_, err := inv.Void("typo", ledger.Entry{}, lcNow)
				if (guard == nil) != (err == nil) {
					t.Fatalf("CheckVoid = %v but Void = %v", guard, err)
				}
				if ok := st.CanBecome(Void) && !paid; (guard == nil) != ok {
					t.Fatalf("CheckVoid = %v, want ok=%v", guard, ok)
				}
			})
		}
	}
}

// TestVoidReversesItsIssueEntry: Void returns, as its one reversal, the
// lines that undo the issue entry it is given (the document's own), so the
// journal nets to zero on every account; a document that posted nothing
// reverses nothing; any other entry is refused before anything changes.
func TestVoidReversesItsIssueEntry(t *testing.T) {
	t.Parallel()
	issued := func() (Invoice, ledger.Entry) {
		inv := issuable(Draft)
		inv.InvoiceAccountID = "cus1"
		inv.Lines = []Line{{Position: 1, Amount: eur(dec("100"))}}
		inv.Taxes = []TaxLine{{Code: "VAT21", Account: "2100", Amount: eur(dec("21"))}}
		inv.Total, inv.TotalAccounting, inv.Balance, inv.BalanceAccounting = eur(dec("121")), eur(dec("121")), eur(dec("121")), eur(dec("121"))
		ch, _, err := inv.Issue(lcToday, lcNow, lcAccts, lcEUR)
		if err != nil {
			t.Fatal(err)
		}
		inv.EntryID = "je1"
		return inv, ledger.Entry{ID: "je1", Number: "JE-1", SourceType: "invoice", SourceID: inv.ID, Lines: ch.Lines}
	}
	for _, reason := range []string{"typo", ""} {
		t.Run("reason="+reason, func(t *testing.T) {
			t.Parallel()
			inv, e := issued()
			ch, err := inv.Void(reason, e, lcNow)
			if err != nil || inv.Status != Void || len(ch.Reversals) != 1 || ch.Lines != nil {
				t.Fatalf("Void: err=%v status=%s change %+v", err, inv.Status, ch)
			}
			r := ch.Reversals[0]
			wantDesc := "Void INV-1: typo"
			if reason == "" {
				wantDesc = "Void INV-1"
			}
			if r.Undoes != "je1" || r.Description != wantDesc || r.SourceType != "invoice" || r.SourceID != inv.ID {
				t.Fatalf("reversal %+v", r)
			}
			want := []string{"1100 0/121 -121 EUR cus1", "2100 21/0 21 EUR cus1", "4000 100/0 100 EUR cus1"}
			if got := showLines(r.Lines); !slices.Equal(got, want) {
				t.Errorf("reversal lines\n%v\nwant\n%v", got, want)
			}
			checkBalanced(t, r.Lines)
			perAccount := map[string]decimal.Decimal{}
			for _, l := range append(slices.Clone(e.Lines), r.Lines...) {
				perAccount[l.Account] = perAccount[l.Account].Add(l.Debit.Decimal()).Sub(l.Credit.Decimal())
			}
			for acct, net := range perAccount {
				if !net.IsZero() {
					t.Errorf("account %s nets %s after issue and void, want 0", acct, net)
				}
			}
		})
	}
	t.Run("another entry", func(t *testing.T) {
		t.Parallel()
		inv, e := issued()
		e.ID = "je2"
		if _, err := inv.Void("typo", e, lcNow); err == nil || inv.Status != Open || inv.VoidedAt != nil {
			t.Fatalf("voided against another entry: err=%v status=%s", err, inv.Status)
		}
	})
	t.Run("nothing posted", func(t *testing.T) {
		t.Parallel()
		inv := issuable(Open)
		ch, err := inv.Void("typo", ledger.Entry{}, lcNow)
		if err != nil || inv.Status != Void || ch.Reversals != nil {
			t.Fatalf("err=%v status=%s reversals %+v", err, inv.Status, ch.Reversals)
		}
	})
}

// TestCorrectSetsOffAndUndoesWriteOffs: Correct sets the credit note
// against what the original owes, undoes each write-off onto the credit
// note (its reversal lands the receivables line on the credit note), and
// closes what is left owed on neither; a write-off more than the credit
// note leaves open is refused before anything changes.
func TestCorrectSetsOffAndUndoesWriteOffs(t *testing.T) {
	t.Parallel()
	// writeOff is the entry closing orig with balance bal wrote off.
	writeOff := func(orig Invoice, bal string) ledger.Entry {
		orig.Balance, orig.BalanceAccounting = eur(dec(bal)), eur(dec(bal))
		return ledger.Entry{ID: "je-wo", Number: "JE-5", Description: "Write-off INV-1: lost", SourceType: "write_off", SourceID: orig.ID,
			Lines: orig.WriteOffLines(lcAccts.Receivables, lcAccts.WriteOff)}
	}
	cases := []struct {
		name                 string
		origBal, cnBal       string
		writeOff             string // "" for none
		wantOrig, wantCN     string // balances after
		origClosed, cnClosed bool
	}{
		{"credit note settles what is owed", "10", "10", "", "0", "0", true, true},
		{"partly paid original: the rest stays open on the credit note", "4", "10", "", "0", "6", true, false},
		{"credit note smaller than what is owed", "10", "6", "", "4", "0", false, true},
		{"written-off original: the write-off is undone onto the credit note", "0", "10", "4", "0", "6", false, false},
		{"paid original whose rest was written off", "0", "4", "4", "0", "0", false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			orig := issuable(Open)
			orig.InvoiceAccountID = "cus1"
			orig.Balance, orig.BalanceAccounting = eur(dec(c.origBal)), eur(dec(c.origBal))
			var wos []ledger.Entry
			if c.writeOff != "" {
				wos = []ledger.Entry{writeOff(orig, c.writeOff)}
				orig.Status = Closed // closed by the write-off
			}
			cn := orig.CreditNoteFor("cn1", lcToday, "PRICE", "")
			cn.Status, cn.Number = Open, "CN-1"
			cn.Balance, cn.BalanceAccounting = eur(dec(c.cnBal)), eur(dec(c.cnBal))
			oc, cc, err := orig.Correct(&cn, wos, "repl1", "PRICE", "", lcNow)
			if err != nil {
				t.Fatal(err)
			}
			if !orig.Balance.Equal(eur(dec(c.wantOrig))) || !orig.BalanceAccounting.Equal(eur(dec(c.wantOrig))) ||
				!cn.Balance.Equal(eur(dec(c.wantCN))) || !cn.BalanceAccounting.Equal(eur(dec(c.wantCN))) {
				t.Fatalf("balances original %s/%s, credit note %s/%s; want %s, %s", orig.Balance, orig.BalanceAccounting,
					cn.Balance, cn.BalanceAccounting, c.wantOrig, c.wantCN)
			}
			if (oc.To == Closed && oc.From != Closed) != c.origClosed || (cc.To == Closed) != c.cnClosed || (cn.Status == Closed) != c.cnClosed {
				t.Fatalf("original %s→%s, credit note %s→%s", oc.From, oc.To, cc.From, cc.To)
			}
			if c.writeOff == "" {
				if oc.Reversals != nil {
					t.Fatalf("reversals %+v, want none", oc.Reversals)
				}
				return
			}
			if len(oc.Reversals) != 1 {
				t.Fatalf("reversals %+v, want one", oc.Reversals)
			}
			r := oc.Reversals[0]
			if r.Undoes != "je-wo" || r.SourceType != "write_off_reversal" || r.SourceID != orig.ID ||
				r.Description != "Write-off INV-1: lost: reversed by credit note CN-1" {
				t.Fatalf("reversal %+v", r)
			}
			want := []string{"1100 " + c.writeOff + "/0 " + c.writeOff + " EUR cus1", "6900 0/" + c.writeOff + " -" + c.writeOff + " EUR"}
			if got := showLines(r.Lines); !slices.Equal(got, want) {
				t.Errorf("reversal lines\n%v\nwant\n%v", got, want)
			}
			checkBalanced(t, r.Lines)
			for _, l := range r.Lines {
				if l.CustomerID != "" && l.InvoiceID != "cn1" {
					t.Errorf("receivables line on %q, want the credit note", l.InvoiceID)
				}
			}
		})
	}
	t.Run("write-off more than the credit note leaves open", func(t *testing.T) {
		t.Parallel()
		orig := issuable(Closed)
		orig.InvoiceAccountID = "cus1"
		orig.Balance, orig.BalanceAccounting = eur(decimal.Zero), eur(decimal.Zero)
		wo := writeOff(orig, "8")
		cn := orig.CreditNoteFor("cn1", lcToday, "PRICE", "")
		cn.Status, cn.Number = Open, "CN-1"
		cn.Balance, cn.BalanceAccounting = eur(dec("5")), eur(dec("5"))
		if _, _, err := orig.Correct(&cn, []ledger.Entry{wo}, "repl1", "PRICE", "", lcNow); err == nil {
			t.Fatal("accepted")
		}
		if !cn.Balance.Equal(eur(dec("5"))) || cn.Status != Open || orig.CreditNoteID != "" || !orig.Balance.IsZero() {
			t.Fatalf("refused correction changed: credit note %s %s, original links %q", cn.Balance, cn.Status, orig.CreditNoteID)
		}
	})
}
