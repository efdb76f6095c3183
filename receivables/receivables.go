// Package receivables holds the rules of money owed and received: payments,
// their applications to invoices, refunds, settlement of customer credit,
// dunning and aging. It is pure domain code: every function is a function
// of its arguments (the caller loads, locks and writes; it passes today and
// the ids it made) and returns decisions (the ledger lines to post, the
// documents to close or reopen), never writes them.
//
// Amounts are money.Amount. A document's accounting balance is always its
// balance converted at its rate (money.Amount.ConvertTo), so receivables
// per document equal its accounting balance; what conversions leave over
// in an entry goes to the rounding account (see Entry).
package receivables

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/money"
)

// Payment methods.
const (
	BankTransfer = "bank_transfer"
	Cash         = "cash"
	Card         = "card"
)

// Methods lists the payment methods a payment may record.
var Methods = []string{BankTransfer, Cash, Card}

// Source types of an application.
const (
	SourcePayment    = "payment"
	SourceCreditNote = "credit_note"
)

// CashDiscountSource is the source type of the entry that grants an
// invoice its cash discount (source id: the invoice), so a correction finds
// and reverses it like a write-off.
const CashDiscountSource = "cash_discount"

// CloseReasonPrefix starts the close reason of every document a settlement
// closed; a refund may reopen only those (and open ones).
const CloseReasonPrefix = "settled"

// Payment is money received from a customer. Unapplied is the part not set
// against any invoice yet: the customer's credit.
type Payment struct {
	ID         string
	CustomerID string
	Method     string
	Amount     money.Amount
	// Rate converts the payment's currency into the accounting currency.
	Rate             money.Rate
	AmountAccounting money.Amount
	Unapplied        money.Amount
	Refunded         money.Amount
	Date             calendar.Date
	Reference        string
}

// creditAccounting is the accounting value of the payment's unapplied amount.
func (p Payment) creditAccounting() money.Amount { return p.Unapplied.MustConvertTo(p.Rate) }

// Application sets part of a payment or credit note against an invoice.
// The caller gives it its id, entry and time (DESIGN: one transaction's
// applications are a microsecond apart, in the order returned).
type Application struct {
	SourceType       string // SourcePayment, SourceCreditNote
	SourceID         string
	InvoiceID        string
	Amount           money.Amount
	AmountAccounting money.Amount
	Reversed         money.Amount // taken back by refunds
}

// Refund returns part of a payment to the customer.
type Refund struct {
	ID               string
	PaymentID        string
	Amount           money.Amount
	AmountAccounting money.Amount
	Reason           string
	Date             calendar.Date
}

// Document is an issued invoice or credit note as settlement sees it.
type Document struct {
	ID        string
	Label     string // its number, or its document number before issue
	Kind      billing.Kind
	Status    billing.Status
	AccountID string // the bill-to account
	// Balance and Paid are in the document's currency, BalanceAccounting in
	// the accounting currency; Rate converts the first into the second.
	Balance           money.Amount
	Paid              money.Amount
	BalanceAccounting money.Amount
	Rate              money.Rate
	PostingProfile    string
	DueDate           calendar.Date
	CloseReason       string
	// CashDiscountDue is the cash discount still available for a payment
	// on the payment's date (billing.Invoice.CashDiscountDue); zero: none.
	CashDiscountDue money.Amount
}

// DocumentOf returns inv as settlement sees it, with the cash discount due
// for a payment made on paidOn, in accounting currency accounting. Its
// amounts must already be in its currency and in accounting (as the store
// reads them): a mismatch is an error, not relabelled.
func DocumentOf(inv billing.Invoice, accounting money.Currency, paidOn calendar.Date) (Document, error) {
	cur, err := money.ParseCurrency(inv.Currency)
	if err != nil {
		return Document{}, fmt.Errorf("document %s: %w", label(inv), err)
	}
	if inv.Balance.Currency() != cur || inv.Paid.Currency() != cur || inv.BalanceAccounting.Currency() != accounting {
		return Document{}, fmt.Errorf("document %s in %s/%s: balance %s, paid %s, accounting balance %s %s: %w", label(inv), cur, accounting,
			inv.Balance.Currency(), inv.Paid.Currency(), inv.BalanceAccounting, inv.BalanceAccounting.Currency(), money.ErrCurrencyMismatch)
	}
	return Document{ID: inv.ID, Label: label(inv), Kind: inv.Kind, Status: inv.Status, AccountID: inv.InvoiceAccountID,
		Balance: inv.Balance, Paid: inv.Paid, BalanceAccounting: inv.BalanceAccounting,
		Rate: money.RateOf(cur, accounting, inv.ExchangeRate), PostingProfile: inv.PostingProfile, DueDate: inv.DueDate,
		CloseReason: inv.CloseReason, CashDiscountDue: inv.CashDiscountDue(paidOn)}, nil
}

// label is how messages name a document.
func label(inv billing.Invoice) string {
	if inv.Number != "" {
		return inv.Number
	}
	return inv.DocumentNumber
}

// Currency returns the document's currency.
func (d Document) Currency() money.Currency { return d.Balance.Currency() }

// OpenFor reports whether d is a document of kind in currency cur with
// something left to settle: what the automatic choices of a payment or a
// settlement take from the customer's open documents.
func (d Document) OpenFor(kind billing.Kind, cur money.Currency) bool {
	return d.Kind == kind && d.Currency() == cur && d.Balance.Sign() > 0
}

// SettledInFull reports whether a settlement closes d: nothing is left and
// it is not closed already.
func (d Document) SettledInFull() bool { return d.Balance.IsZero() && d.Status != billing.Closed }

// cashDiscountFor is the cash discount a payment of amount earns
// (billing.Invoice.CashDiscountFor): the discount due when the payment is
// exactly the balance less it.
func (d Document) cashDiscountFor(amount money.Amount) money.Amount {
	if d.CashDiscountDue.Sign() <= 0 || !amount.MustAdd(d.CashDiscountDue).Equal(d.Balance) {
		return money.Zero(d.Currency())
	}
	return d.CashDiscountDue
}

// CheckOpenForSettlement checks a document can take part in a settlement
// of customerID's credit in currency cur.
func CheckOpenForSettlement(d Document, customerID string, cur money.Currency) error {
	if d.AccountID != customerID {
		return fail.Conflictf("document %s is billed to another customer", d.Label)
	}
	if !d.Status.IsOwed() {
		return fail.Conflictf("document %s is %s: only open or past-due documents can be settled", d.Label, d.Status)
	}
	if d.Currency() != cur {
		return fail.Conflictf("document %s is in %s, not %s: a payment settles documents in its own currency", d.Label, d.Currency(), cur)
	}
	if d.Balance.Sign() <= 0 {
		return fail.Conflictf("document %s has nothing left to settle", d.Label)
	}
	return nil
}

// Accounts are the ledger accounts settlement posts to.
type Accounts struct {
	Bank           string // role bank
	CustomerCredit string // role customer_credit: unapplied payments
	Rounding       string // role rounding: exchange and rounding differences
	CashDiscount   string // role cash_discount (optional until a discount is granted)
	// Receivables maps a posting profile's code to its receivables account.
	Receivables map[string]string
}

// Check refuses to record payments without the accounts they need.
func (a Accounts) Check() error {
	if a.Bank == "" || a.CustomerCredit == "" || a.Rounding == "" {
		return fail.Conflictf("the chart of accounts needs accounts with the roles bank, customer_credit and rounding to record payments")
	}
	return nil
}

// ReceivablesFor returns the receivables account of a document's posting
// profile (the default profile when it has none).
func (a Accounts) ReceivablesFor(d Document) (string, error) {
	profile := d.PostingProfile
	if profile == "" {
		profile = ledger.DefaultProfile
	}
	acct := a.Receivables[profile]
	if acct == "" {
		return "", fail.Field("posting_profile", "no posting profile %q", profile)
	}
	return acct, nil
}

// Entry is a journal entry to post: lines in the accounting currency,
// balanced (what conversions leave over is on the rounding account). No
// lines: nothing to post.
type Entry struct {
	Description string
	SourceType  string
	SourceID    string
	Lines       []ledger.Line
}

// DocumentChange is a document a plan changed: its new balances, and
// whether it closes (with the close reason) or reopens.
type DocumentChange struct {
	Document    Document
	Close       bool
	CloseReason string
	// Reopen: a refund gave a closed document a balance again; the caller
	// reopens it (billing.Invoice.Reopen). WasCloseReason is why it was closed.
	Reopen         bool
	WasCloseReason string
}

// minAmount is the smaller of a and b (b when equal).
func minAmount(a, b money.Amount) money.Amount {
	if a.Decimal().LessThan(b.Decimal()) {
		return a
	}
	return b
}

// zeroOf is a zero in c as the service stores it (decimal zero, no digits).
func zeroOf(c money.Currency) money.Amount { return money.New(decimal.Zero, c) }
