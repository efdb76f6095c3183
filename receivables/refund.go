package receivables

import (
	"fmt"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/money"
)

// RefundPlan is what refunding part of a payment does.
type RefundPlan struct {
	Payment      Payment             // Unapplied and Refunded updated
	Applications map[int]Application // changed applications (Reversed raised) by index
	Documents    []DocumentChange    // invoices whose balance grew again; Reopen when closed
	Refund       Refund
	Entry        Entry
}

// PlanRefund plans a refund of amount of pay split by SplitRefund: customer
// credit gives back the unapplied part, every application taken back raises
// its invoice's balance (a closed one reopens: the caller calls
// billing.Invoice.Reopen), and the bank pays the whole at the payment's
// rate; differences go to rounding. docs holds the invoice of each take, in
// order (the same invoice may come twice).
func PlanRefund(acc Accounts, pay Payment, amount money.Amount, split RefundSplit, apps []Application, docs []Document, refundID string) (RefundPlan, error) {
	st := newSettlement(acc)
	cur := pay.Amount.Currency()
	if split.FromCredit.Sign() > 0 {
		before := pay.creditAccounting()
		pay.Unapplied = pay.Unapplied.MustSub(split.FromCredit)
		st.b.Debit(acc.CustomerCredit, before.MustSub(pay.creditAccounting()),
			ledger.Line{CustomerID: pay.CustomerID, Currency: cur.Code(), Amount: split.FromCredit})
	}
	taken := split.FromCredit
	plan := RefundPlan{Applications: map[int]Application{}}
	byID := map[string]int{}
	for i, tk := range split.Takes {
		if i >= len(docs) {
			return RefundPlan{}, fmt.Errorf("refund of payment %s: no invoice given for take %d", pay.ID, i)
		}
		j, ok := byID[docs[i].ID]
		if !ok {
			j = len(plan.Documents)
			byID[docs[i].ID] = j
			plan.Documents = append(plan.Documents, DocumentChange{Document: docs[i]})
		}
		ch := &plan.Documents[j]
		d := &ch.Document
		if err := CheckRefundTake(pay, *d, taken); err != nil {
			return RefundPlan{}, err
		}
		recv, err := acc.ReceivablesFor(*d)
		if err != nil {
			return RefundPlan{}, err
		}
		if d.Currency() != cur {
			return RefundPlan{}, fmt.Errorf("refund of payment %s: invoice %s: %w", pay.ID, d.Label, money.ErrCurrencyMismatch)
		}
		oldAcc := d.BalanceAccounting
		d.Balance, d.Paid = d.Balance.MustAdd(tk.Amount), d.Paid.MustSub(tk.Amount)
		d.BalanceAccounting = d.Balance.MustConvertTo(d.Rate)
		st.b.Debit(recv, d.BalanceAccounting.MustSub(oldAcc), ledger.Line{CustomerID: d.AccountID, InvoiceID: d.ID, Currency: cur.Code(), Amount: tk.Amount})
		if d.Status == billing.Closed && !ch.Reopen {
			ch.Reopen, ch.WasCloseReason = true, d.CloseReason
		}
		ap := apps[tk.Application]
		if prev, ok := plan.Applications[tk.Application]; ok {
			ap = prev
		}
		ap.Reversed = ap.Reversed.MustAdd(tk.Amount)
		plan.Applications[tk.Application] = ap
		taken = taken.MustAdd(tk.Amount)
	}
	if split.Uncovered.Sign() > 0 {
		return RefundPlan{}, fmt.Errorf("refund of payment %s: %s not covered by its applications", pay.ID, split.Uncovered.Decimal())
	}
	accAmt := amount.MustConvertTo(pay.Rate)
	st.b.Credit(acc.Bank, accAmt, ledger.Line{CustomerID: pay.CustomerID, Currency: cur.Code(), Amount: amount.Neg()})
	desc := "Refund " + refundID + " of payment " + pay.ID
	lines, _ := st.finish(desc)
	pay.Refunded = pay.Refunded.MustAdd(amount)
	plan.Payment = pay
	plan.Refund = Refund{ID: refundID, PaymentID: pay.ID, Amount: amount, AmountAccounting: accAmt}
	plan.Entry = Entry{Description: desc, SourceType: "refund", SourceID: refundID, Lines: lines}
	return plan, nil
}
