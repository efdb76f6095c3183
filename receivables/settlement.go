package receivables

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/money"
)

// settlement accumulates one transaction's ledger lines, applications and
// touched documents.
type settlement struct {
	acc  Accounts
	b    ledger.Builder
	apps []Application
	docs []*Document
	seen map[string]bool
}

func newSettlement(acc Accounts) *settlement { return &settlement{acc: acc, seen: map[string]bool{}} }

// reduce lowers a document's balance by amount (paid: money received, which
// counts in Paid) and returns the accounting amount taken off receivables:
// the balance keeps BalanceAccounting = balance converted at its rate (zero
// when nothing is left).
func (st *settlement) reduce(d *Document, amount money.Amount, paid bool) money.Amount {
	oldAcc := d.BalanceAccounting
	d.Balance = d.Balance.MustSub(amount)
	if paid {
		d.Paid = d.Paid.MustAdd(amount)
	}
	if d.Balance.IsZero() {
		d.BalanceAccounting = zeroOf(d.Rate.To())
	} else {
		d.BalanceAccounting = d.Balance.MustConvertTo(d.Rate)
	}
	if !st.seen[d.ID] {
		st.seen[d.ID] = true
		st.docs = append(st.docs, d)
	}
	return oldAcc.MustSub(d.BalanceAccounting)
}

// applyPayment applies amount of p to d; fromCredit: out of p's unapplied
// credit (the customer-credit account gives it).
func (st *settlement) applyPayment(p *Payment, d *Document, amount money.Amount, fromCredit bool) error {
	recv, err := st.acc.ReceivablesFor(*d)
	if err != nil {
		return err
	}
	if fromCredit {
		before := p.creditAccounting()
		p.Unapplied = p.Unapplied.MustSub(amount)
		st.b.Debit(st.acc.CustomerCredit, before.MustSub(p.creditAccounting()),
			ledger.Line{CustomerID: p.CustomerID, Currency: p.Amount.Currency().Code(), Amount: amount})
	}
	accAmt := st.reduce(d, amount, true)
	st.b.Credit(recv, accAmt, ledger.Line{CustomerID: d.AccountID, InvoiceID: d.ID, Currency: d.Currency().Code(), Amount: amount.Neg()})
	st.apps = append(st.apps, Application{SourceType: SourcePayment, SourceID: p.ID, InvoiceID: d.ID, Amount: amount,
		AmountAccounting: accAmt, Reversed: zeroOf(amount.Currency())})
	return nil
}

// roundOff posts what the lines miss to balance (exchange and rounding
// differences) to the rounding account.
func (st *settlement) roundOff() {
	lines := st.b.Lines()
	if len(lines) == 0 {
		return
	}
	net := money.Zero(lines[0].Debit.Currency())
	for _, l := range lines {
		net = net.MustAdd(l.Debit).MustSub(l.Credit)
	}
	if !net.IsZero() {
		st.b.Credit(st.acc.Rounding, net, ledger.Line{})
	}
}

// finish rounds off and decides which touched documents close ("settled by
// " + desc).
func (st *settlement) finish(desc string) ([]ledger.Line, []DocumentChange) {
	st.roundOff()
	changes := make([]DocumentChange, len(st.docs))
	for i, d := range st.docs {
		changes[i] = DocumentChange{Document: *d}
		if d.SettledInFull() {
			changes[i].Close, changes[i].CloseReason = true, CloseReasonPrefix+" by "+desc
		}
	}
	return st.b.Lines(), changes
}

// Target is an invoice a payment goes to: Amount when Explicit, else as
// much as fits.
type Target struct {
	Document Document
	Amount   money.Amount
	Explicit bool
}

// CashDiscount is the entry granting an invoice the cash discount a payment
// earned, posted before the payment's entry.
type CashDiscount struct {
	InvoiceID string
	Amount    money.Amount
	Entry     Entry
}

// PaymentPlan is what booking a new payment does.
type PaymentPlan struct {
	Payment       Payment // Unapplied set
	Applications  []Application
	Documents     []DocumentChange // in the order first touched
	CashDiscounts []CashDiscount
	Entry         Entry
}

// PlanPayment books a new payment (service bookPayment): bank against
// receivables of the targets (Fill: explicit amounts as asked, the others
// as much as fits, in order) and customer credit for the rest; an invoice
// paid exactly to its cash-discount amount gets the discount in an entry of
// its own; invoices with nothing left close.
func PlanPayment(acc Accounts, pay Payment, targets []Target) (PaymentPlan, error) {
	cur := pay.Amount.Currency()
	st := newSettlement(acc)
	st.b.Debit(acc.Bank, pay.AmountAccounting, ledger.Line{CustomerID: pay.CustomerID, Currency: cur.Code(), Amount: pay.Amount})
	explicit := decimal.Zero
	claims := make([]Claim, len(targets))
	for i, t := range targets {
		if t.Document.Currency() != cur {
			return PaymentPlan{}, fmt.Errorf("plan payment %s: invoice %s: %w", pay.ID, t.Document.Label, money.ErrCurrencyMismatch)
		}
		if t.Explicit {
			explicit = explicit.Add(t.Amount.Decimal())
			claims[i] = Claim{Limit: t.Amount, Fixed: true}
		} else {
			claims[i] = Claim{Limit: t.Document.Balance}
		}
	}
	if explicit.GreaterThan(pay.Amount.Decimal()) {
		return PaymentPlan{}, fail.Field("invoices", "the amounts to apply (%s) are more than the payment (%s)", explicit, pay.Amount.Decimal())
	}
	parts, rest, err := Fill(pay.Amount, claims)
	if err != nil {
		return PaymentPlan{}, err
	}
	docs := make([]Document, len(targets))
	var discounts []CashDiscount
	for i := range targets {
		docs[i] = targets[i].Document
		amt := parts[i]
		if amt.Sign() <= 0 {
			break
		}
		d := &docs[i]
		discount := d.cashDiscountFor(amt) // before the payment lowers the balance
		if err := st.applyPayment(&pay, d, amt, false); err != nil {
			return PaymentPlan{}, err
		}
		if discount.Sign() > 0 {
			cd, err := st.grantCashDiscount(d, discount, pay.ID)
			if err != nil {
				return PaymentPlan{}, err
			}
			discounts = append(discounts, cd)
		}
	}
	pay.Unapplied = rest
	st.b.Credit(acc.CustomerCredit, pay.creditAccounting(), ledger.Line{CustomerID: pay.CustomerID, Currency: cur.Code(), Amount: rest.Neg()})
	desc := "Payment " + pay.ID
	lines, changes := st.finish(desc)
	return PaymentPlan{Payment: pay, Applications: st.apps, Documents: changes, CashDiscounts: discounts,
		Entry: Entry{Description: desc, SourceType: "payment", SourceID: pay.ID, Lines: lines}}, nil
}

// grantCashDiscount settles the rest of d's balance with the cash discount
// a payment earned: the cash-discount expense against receivables, in an
// entry of its own. The discount lowers the balance but is not money paid.
func (st *settlement) grantCashDiscount(d *Document, amount money.Amount, payID string) (CashDiscount, error) {
	if st.acc.CashDiscount == "" {
		return CashDiscount{}, fail.Conflictf("invoice %s earns a cash discount of %s, but the chart of accounts has no account with the role cash_discount to post it to", d.Label, amount.Decimal())
	}
	recv, err := st.acc.ReceivablesFor(*d)
	if err != nil {
		return CashDiscount{}, err
	}
	accAmt := st.reduce(d, amount, false)
	var b ledger.Builder
	b.Debit(st.acc.CashDiscount, accAmt, ledger.Line{InvoiceID: d.ID, Currency: d.Currency().Code(), Amount: amount})
	b.Credit(recv, accAmt, ledger.Line{CustomerID: d.AccountID, InvoiceID: d.ID, Currency: d.Currency().Code(), Amount: amount.Neg()})
	return CashDiscount{InvoiceID: d.ID, Amount: amount, Entry: Entry{Description: "Cash discount on " + d.Label + " for payment " + payID,
		SourceType: CashDiscountSource, SourceID: d.ID, Lines: b.Lines()}}, nil
}
