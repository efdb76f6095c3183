package receivables

import (
	"strings"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/money"
)

// Source is one piece of customer credit in a settlement: an unapplied
// payment or an open credit note (exactly one set).
type Source struct {
	Payment    *Payment
	CreditNote *Document
}

func (s Source) left() money.Amount {
	if s.Payment != nil {
		return s.Payment.Unapplied
	}
	return s.CreditNote.Balance
}

// SettlementPlan is what setting credit against invoices does.
type SettlementPlan struct {
	Applications []Application
	Documents    []DocumentChange // credit notes and invoices touched, in order
	Payments     []Payment        // the payment sources, with their new unapplied amounts
	Entry        Entry
}

// PlanSettlement sets sources against invoices (Match) until one side runs
// out (service settle): receivables move from credit notes to invoices,
// customer credit pays invoices; documents with nothing left close
// ("settled by Settlement <customer>"). Sources and invoices are changed
// in place too. No applications: nothing to do (empty plan).
func PlanSettlement(acc Accounts, customerID string, sources []Source, invoices []*Document) (SettlementPlan, error) {
	st := newSettlement(acc)
	supply := make([]money.Amount, len(sources))
	for i, s := range sources {
		supply[i] = s.left()
	}
	demand := make([]money.Amount, len(invoices))
	for i, d := range invoices {
		demand[i] = d.Balance
	}
	pairs, err := Match(supply, demand)
	if err != nil {
		return SettlementPlan{}, err
	}
	for _, p := range pairs {
		src, inv := sources[p.Supply], invoices[p.Demand]
		if src.Payment != nil {
			err = st.applyPayment(src.Payment, inv, p.Amount, true)
		} else {
			err = st.applyCreditNote(src.CreditNote, inv, p.Amount)
		}
		if err != nil {
			return SettlementPlan{}, err
		}
	}
	if len(st.apps) == 0 {
		return SettlementPlan{}, nil
	}
	desc := "Settlement " + customerID
	lines, changes := st.finish(desc)
	var pays []Payment
	for _, s := range sources {
		if s.Payment != nil {
			pays = append(pays, *s.Payment)
		}
	}
	return SettlementPlan{Applications: st.apps, Documents: changes, Payments: pays,
		Entry: Entry{Description: desc, SourceType: "settlement", SourceID: customerID, Lines: lines}}, nil
}

// applyCreditNote applies amount of credit note cn to d: receivables move
// from one document to the other; neither counts it as paid.
func (st *settlement) applyCreditNote(cn, d *Document, amount money.Amount) error {
	cnRecv, err := st.acc.ReceivablesFor(*cn)
	if err != nil {
		return err
	}
	recv, err := st.acc.ReceivablesFor(*d)
	if err != nil {
		return err
	}
	cnAcc := st.reduce(cn, amount, false)
	st.b.Debit(cnRecv, cnAcc, ledger.Line{CustomerID: cn.AccountID, InvoiceID: cn.ID, Currency: cn.Currency().Code(), Amount: amount})
	accAmt := st.reduce(d, amount, false)
	st.b.Credit(recv, accAmt, ledger.Line{CustomerID: d.AccountID, InvoiceID: d.ID, Currency: d.Currency().Code(), Amount: amount.Neg()})
	st.apps = append(st.apps, Application{SourceType: SourceCreditNote, SourceID: cn.ID, InvoiceID: d.ID, Amount: amount,
		AmountAccounting: accAmt, Reversed: zeroOf(amount.Currency())})
	return nil
}

// Refundable reports whether a refund may take back an application to d:
// not when d is void, or closed otherwise than by a settlement.
func Refundable(d Document) bool {
	return !(d.Status == billing.Closed && !strings.HasPrefix(d.CloseReason, CloseReasonPrefix) || d.Status == billing.Void)
}

// RefundSplit is where a refund comes from: the payment's unapplied credit
// first, then its applications newest first.
type RefundSplit struct {
	FromCredit money.Amount
	Takes      []Take
	Uncovered  money.Amount // positive: the applications do not cover the refund (an internal error)
}

// Take is how much of application Application (an index) a refund takes back.
type Take struct {
	Application int
	Amount      money.Amount
}

// SplitRefund splits a refund of amount of pay (Fill): from the unapplied
// credit, then from apps (oldest first, as stored) newest first.
func SplitRefund(pay Payment, amount money.Amount, apps []Application) (RefundSplit, error) {
	fromCredit := minAmount(amount, pay.Unapplied)
	split := RefundSplit{FromCredit: fromCredit}
	rest := amount.MustSub(fromCredit)
	var idx []int
	var claims []Claim
	for i := len(apps) - 1; i >= 0; i-- {
		if left := apps[i].Amount.MustSub(apps[i].Reversed); left.Sign() > 0 {
			idx, claims = append(idx, i), append(claims, Claim{Limit: left})
		}
	}
	if rest.Sign() > 0 {
		parts, left, err := Fill(rest, claims)
		if err != nil {
			return RefundSplit{}, err
		}
		for j, p := range parts {
			if p.Sign() > 0 {
				split.Takes = append(split.Takes, Take{Application: idx[j], Amount: p})
			}
		}
		rest = left
	}
	split.Uncovered = rest
	return split, nil
}

// CheckRefundTake refuses taking back an application to d that is void or
// closed otherwise than by a settlement; taken is what the refund took
// before it.
func CheckRefundTake(pay Payment, d Document, taken money.Amount) error {
	if Refundable(d) {
		return nil
	}
	return fail.Conflictf("payment %s can refund at most %s %s now: the rest paid invoice %s, which is %s (%s)",
		pay.ID, taken.Decimal(), pay.Amount.Currency(), d.Label, d.Status, d.CloseReason)
}
