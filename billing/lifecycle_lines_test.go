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
		s := fmt.Sprintf("%s %s/%s %s %s", l.Account, l.Debit, l.Credit, l.Amount, l.Currency)
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
		net = net.Add(l.Debit).Sub(l.Credit)
		perCurrency[l.Currency] = perCurrency[l.Currency].Add(l.Amount)
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
			i.Lines = []Line{{Position: 1, Amount: dec("100")}}
			i.Taxes = []TaxLine{{Code: "VAT21", Account: "2100", Amount: dec("21")}}
			i.Total, i.TotalAccounting, i.Balance, i.BalanceAccounting = dec("121"), dec("121"), dec("121"), dec("121")
		}, []string{"1100 121/0 121 EUR cus1", "2100 0/21 -21 EUR cus1", "4000 0/100 -100 EUR cus1"}, false},
		{"line accounts and a distribution", func(i *Invoice) {
			i.Lines = []Line{{Position: 1, Amount: dec("10.01"), Distribution: []Split{{Account: "4100", Percent: dec("50")}, {Account: "4200", Percent: dec("50")}}},
				{Position: 2, Amount: dec("5"), Account: "4300"}}
			i.Total, i.TotalAccounting, i.Balance, i.BalanceAccounting = dec("15.01"), dec("15.01"), dec("15.01"), dec("15.01")
		}, []string{"1100 15.01/0 15.01 EUR cus1", "4100 0/5.01 -5.01 EUR cus1", "4200 0/5 -5 EUR cus1", "4300 0/5 -5 EUR cus1"}, false},
		{"credit note mirrors", func(i *Invoice) {
			i.Kind = KindCreditNote
			i.Lines = []Line{{Position: 1, Amount: dec("100")}}
			i.Taxes = []TaxLine{{Code: "VAT21", Account: "2100", Amount: dec("21")}}
			i.Total, i.TotalAccounting, i.Balance, i.BalanceAccounting = dec("121"), dec("121"), dec("121"), dec("121")
		}, []string{"1100 0/121 -121 EUR cus1", "2100 21/0 21 EUR cus1", "4000 100/0 100 EUR cus1"}, false},
		{"foreign currency with conversion rounding", func(i *Invoice) {
			// Each 0.07 USD is 0.063 → 0.06 EUR; the total 0.21 is 0.189 → 0.19 EUR.
			i.Currency, i.ExchangeRate = "USD", dec("0.9")
			i.Lines = []Line{{Position: 1, Amount: dec("0.07")}, {Position: 2, Amount: dec("0.07")}, {Position: 3, Amount: dec("0.07")}}
			i.Total, i.TotalAccounting, i.Balance, i.BalanceAccounting = dec("0.21"), dec("0.19"), dec("0.21"), dec("0.19")
		}, []string{"1100 0.19/0 0.21 USD cus1", "4000 0/0.18 -0.21 USD cus1", "6800 0/0.01 0"}, false},
		{"zero total posts nothing and closes", func(i *Invoice) {
			i.Lines = []Line{{Position: 1, Amount: decimal.Zero}}
			i.Total, i.TotalAccounting, i.Balance, i.BalanceAccounting = decimal.Zero, decimal.Zero, decimal.Zero, decimal.Zero
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
			i.Lines = []Line{{Position: 1, Amount: dec("10"), Distribution: []Split{{Account: "4100", Percent: decimal.Zero}}}}
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
			inv.Balance, inv.BalanceAccounting = dec(c.balance), dec(c.balAcc)
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
			if ch.Lines != nil || inv.Status != c.status || !inv.Balance.Equal(lcTen) {
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
					inv.Paid = dec("1")
				}
				guard := inv.CheckVoid()
				_, err := inv.Void("typo", "je9", lcNow)
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
