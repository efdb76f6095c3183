// Package ledger is Facturo's double-entry ledger: a chart of accounts,
// journal entries that always balance, and reversals that are new entries
// (entries are append-only). Amounts are in the tenant's accounting
// currency. Pure Go.
package ledger

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/money"
)

// Type is an account's place in the balance sheet or income statement.
type Type string

// The account types.
const (
	Asset     Type = "asset"
	Liability Type = "liability"
	Equity    Type = "equity"
	Revenue   Type = "revenue"
	Expense   Type = "expense"
)

// Types lists the account types.
var Types = []Type{Asset, Liability, Equity, Revenue, Expense}

// Role marks the accounts Facturo posts to by itself.
type Role string

// The roles of system accounts.
const (
	RoleReceivables Role = "receivables"
	RoleRevenue     Role = "revenue"
	RoleTax         Role = "tax_payable"
	RoleBank        Role = "bank"
	RolePrepayments Role = "prepayments"
	// RoleCustomerCredit holds payments received but not yet applied to an
	// invoice (overpayments): the customer's credit.
	RoleCustomerCredit Role = "customer_credit"
	RoleRounding       Role = "rounding"
	RoleWriteOff       Role = "write_off"
	// RoleCashDiscount is the expense of cash discounts granted to
	// customers who pay by the discount date (seed 004).
	RoleCashDiscount Role = "cash_discount"
)

// controlRoles are the roles of control accounts: accounts whose balance
// Facturo keeps equal to a subledger (open documents, tax codes, unapplied
// payments, prepayments) and that only its own postings may move.
var controlRoles = []Role{RoleReceivables, RoleTax, RolePrepayments, RoleCustomerCredit}

// IsControl reports whether accounts with role r are control accounts.
func (r Role) IsControl() bool { return slices.Contains(controlRoles, r) }

// ControlAccounts returns the codes of a chart's control accounts: the
// accounts with a control role (IsControl), every posting profile's
// receivables account and every tax code's account. No invoice line or
// line distribution may post to one: a revenue posting there would move the
// control account without moving its subledger.
func ControlAccounts(chart []Account, profiles []PostingProfile, taxAccounts []string) map[string]bool {
	out := map[string]bool{}
	for _, a := range chart {
		if a.Role.IsControl() {
			out[a.Code] = true
		}
	}
	for _, p := range profiles {
		if p.ReceivablesAccount != "" {
			out[p.ReceivablesAccount] = true
		}
	}
	for _, a := range taxAccounts {
		if a != "" {
			out[a] = true
		}
	}
	return out
}

// Account is one account of the chart.
type Account struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	Type     Type   `json:"type"`
	Role     Role   `json:"role,omitempty"`
	Archived bool   `json:"archived"`
}

var accountCode = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$`)

// Normalize validates an account.
func (a *Account) Normalize() error {
	var c fail.Collector
	a.Code, a.Name = strings.TrimSpace(a.Code), strings.TrimSpace(a.Name)
	if !accountCode.MatchString(a.Code) {
		c.Add("code", "use 1 to 20 letters, digits, '.', '_' or '-'")
	}
	if a.Name == "" {
		c.Add("name", "is required")
	}
	if !slices.Contains(Types, a.Type) {
		c.Add("type", "use one of asset, liability, equity, revenue, expense")
	}
	return c.Err()
}

// DefaultChart is the chart of accounts every tenant starts with.
func DefaultChart() []Account {
	return []Account{
		{Code: "1100", Name: "Accounts receivable", Type: Asset, Role: RoleReceivables},
		{Code: "1200", Name: "Bank", Type: Asset, Role: RoleBank},
		{Code: "2100", Name: "Sales tax payable", Type: Liability, Role: RoleTax},
		{Code: "2200", Name: "Customer prepayments", Type: Liability, Role: RolePrepayments},
		{Code: "2300", Name: "Customer credit (unapplied payments)", Type: Liability, Role: RoleCustomerCredit},
		{Code: "3000", Name: "Equity", Type: Equity},
		{Code: "4000", Name: "Revenue", Type: Revenue, Role: RoleRevenue},
		{Code: "4100", Name: "Revenue: services", Type: Revenue},
		{Code: "4200", Name: "Revenue: cloud resale", Type: Revenue},
		{Code: "6800", Name: "Rounding differences", Type: Expense, Role: RoleRounding},
		{Code: "6810", Name: "Cash discounts granted", Type: Expense, Role: RoleCashDiscount},
		{Code: "6900", Name: "Write-offs", Type: Expense, Role: RoleWriteOff},
	}
}

// PostingProfile chooses the receivables account for a group of customers.
type PostingProfile struct {
	Code               string `json:"code"`
	Name               string `json:"name"`
	ReceivablesAccount string `json:"receivables_account"`
}

// DefaultProfile is the profile customers without one use.
const DefaultProfile = "default"

// Line is one posting of an entry: a debit or a credit to an account, in
// the accounting currency.
type Line struct {
	Account    string       `json:"account"`
	Debit      money.Amount `json:"debit"`
	Credit     money.Amount `json:"credit"`
	CustomerID string       `json:"customer_id,omitempty"`
	InvoiceID  string       `json:"invoice_id,omitempty"`
	// Currency and Amount are the document's currency and signed amount
	// (debit positive) before conversion, for reference; a line of no
	// document (a rounding difference) has neither.
	Currency string       `json:"currency,omitempty"`
	Amount   money.Amount `json:"amount"`
}

// Entry is a journal entry (a voucher). Entries are never changed; a
// reversal is a new entry with every line mirrored.
type Entry struct {
	ID          string        `json:"id"`
	TenantID    string        `json:"-"`
	Number      string        `json:"number"` // voucher number
	Date        calendar.Date `json:"date"`
	Description string        `json:"description"`
	SourceType  string        `json:"source_type"` // invoice, credit_note, payment …
	SourceID    string        `json:"source_id"`
	ReversesID  string        `json:"reverses_id,omitempty"`
	Lines       []Line        `json:"lines"`
	CreatedAt   time.Time     `json:"created_at"`
}

// Check verifies the entry balances, every line is a non-negative debit
// or credit, never both, and all of them are in one currency (the
// accounting currency). It runs on every post.
func (e Entry) Check() error {
	if len(e.Lines) < 2 {
		return fmt.Errorf("ledger: entry %s has %d lines; an entry needs at least two", e.Number, len(e.Lines))
	}
	var debit, credit decimal.Decimal
	cur := e.Lines[0].Debit.Currency()
	for i, l := range e.Lines {
		if l.Account == "" {
			return fmt.Errorf("ledger: entry %s line %d has no account", e.Number, i)
		}
		if l.Debit.Currency() != cur || l.Credit.Currency() != cur {
			return fmt.Errorf("ledger: entry %s line %d is in %s/%s, not %s: %w", e.Number, i,
				l.Debit.Currency(), l.Credit.Currency(), cur, money.ErrCurrencyMismatch)
		}
		if l.Debit.Sign() < 0 || l.Credit.Sign() < 0 || (!l.Debit.IsZero() && !l.Credit.IsZero()) {
			return fmt.Errorf("ledger: entry %s line %d must be a non-negative debit or credit, not both", e.Number, i)
		}
		debit = debit.Add(l.Debit.Decimal())
		credit = credit.Add(l.Credit.Decimal())
	}
	if !debit.Equal(credit) {
		return fmt.Errorf("ledger: entry %s does not balance: debit %s, credit %s", e.Number, debit, credit)
	}
	return nil
}

// Total returns the sum of the debits (zero in no currency for an entry
// without lines).
func (e Entry) Total() money.Amount {
	var t money.Amount
	for i, l := range e.Lines {
		if i == 0 {
			t = money.Zero(l.Debit.Currency())
		}
		t = t.MustAdd(l.Debit)
	}
	return t
}

// Reversed returns the line that undoes l: its debit becomes a credit (and
// the other way round), and its amount in the document currency is negated.
func (l Line) Reversed() Line {
	l.Debit, l.Credit = l.Credit, l.Debit
	l.Amount = l.Amount.Neg()
	return l
}

// ReversedLines returns the lines that undo lines, in the same order (nil
// for none).
func ReversedLines(lines []Line) []Line {
	var out []Line
	for _, l := range lines {
		out = append(out, l.Reversed())
	}
	return out
}

// Builder accumulates debits and credits per (account, customer, invoice),
// dropping zero lines, to build compact entries.
type Builder struct {
	lines []Line
}

// Debit adds amount, in the accounting currency (which may be negative: a
// negative debit is a credit). l's Amount is put in l's Currency (no
// currency when it has none).
func (b *Builder) Debit(account string, amount money.Amount, l Line) {
	l.Account = account
	l.Amount = money.In(l.Amount.Decimal(), l.Currency)
	l.Debit, l.Credit = amount, money.Zero(amount.Currency())
	if amount.Sign() < 0 {
		l.Debit, l.Credit = l.Credit, amount.Neg()
	}
	b.add(l)
}

// Credit adds a credit (a negative credit is a debit).
func (b *Builder) Credit(account string, amount money.Amount, l Line) {
	b.Debit(account, amount.Neg(), l)
}

func (b *Builder) add(l Line) {
	if l.Debit.IsZero() && l.Credit.IsZero() {
		return
	}
	for i := range b.lines {
		x := &b.lines[i]
		if x.Account == l.Account && x.CustomerID == l.CustomerID && x.InvoiceID == l.InvoiceID && x.Currency == l.Currency {
			net := x.Debit.MustSub(x.Credit).MustAdd(l.Debit).MustSub(l.Credit)
			x.Amount = x.Amount.MustAdd(l.Amount)
			x.Debit, x.Credit = net, money.Zero(net.Currency())
			if net.Sign() < 0 {
				x.Debit, x.Credit = x.Credit, net.Neg()
			}
			return
		}
	}
	b.lines = append(b.lines, l)
}

// Lines returns the accumulated non-zero lines.
func (b *Builder) Lines() []Line {
	out := make([]Line, 0, len(b.lines))
	for _, l := range b.lines {
		if !l.Debit.IsZero() || !l.Credit.IsZero() {
			out = append(out, l)
		}
	}
	return out
}

// Balance is an account's debits, credits and net (debit − credit).
type Balance struct {
	Account  string       `json:"account"`
	Name     string       `json:"name"`
	Type     Type         `json:"type"`
	Debit    money.Amount `json:"debit"`
	Credit   money.Amount `json:"credit"`
	Net      money.Amount `json:"net"`
	Currency string       `json:"currency"` // the accounting currency, of the three amounts
}

// NewBalance returns the balance of an account with its debits and credits,
// two amounts in the accounting currency.
func NewBalance(account, name string, typ Type, debit, credit money.Amount) Balance {
	return Balance{Account: account, Name: name, Type: typ, Debit: debit, Credit: credit, Net: debit.MustSub(credit),
		Currency: debit.Currency().Code()}
}
