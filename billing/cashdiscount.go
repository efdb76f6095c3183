package billing

import (
	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/money"
)

// Cash discount (seed 004): an invoice may grant a discount of a percentage
// of its total, tax included (the ERP's default), to a customer who pays by
// the cash-discount date. The amount is computed here, once, rounded with
// the one rounding policy to the currency's minor unit, and stored with the
// invoice (Invoice.CashDiscount); settlement asks CashDiscountFor whether a
// payment earns it.

// CashDiscountOf is the cash discount of an invoice of total at percent:
// percent of the total, tax included, rounded half away from zero to cur's
// minor unit. A credit note grants none.
func CashDiscountOf(kind Kind, total money.Amount, percent decimal.Decimal) money.Amount {
	if kind != KindInvoice || !percent.IsPositive() || total.Sign() <= 0 {
		return money.Zero(total.Currency())
	}
	return total.Mul(percent.Shift(-2)).Round()
}

// computeCashDiscount sets the stored cash discount from the total.
func (inv *Invoice) computeCashDiscount() {
	inv.CashDiscount = CashDiscountOf(inv.Kind, inv.Total, inv.CashDiscountPct)
}

// CashDiscountDue is the cash discount still available for a payment made
// on date paidOn: the stored amount while paidOn is on or before the
// cash-discount date and the balance is larger than it; zero otherwise.
func (inv *Invoice) CashDiscountDue(paidOn calendar.Date) money.Amount {
	if inv.Kind != KindInvoice || inv.CashDiscount.Sign() <= 0 || inv.CashDiscountDate.IsZero() ||
		paidOn.After(inv.CashDiscountDate) || !inv.Balance.Decimal().GreaterThan(inv.CashDiscount.Decimal()) {
		return money.Zero(inv.Balance.Currency())
	}
	return inv.CashDiscount
}

// CashDiscountFor is the cash discount a payment of amount made on paidOn
// earns: the discount due (CashDiscountDue) when the payment is exactly the
// balance less that discount, so together they settle the invoice. A later
// payment, or a smaller or larger one, earns none.
func (inv *Invoice) CashDiscountFor(amount money.Amount, paidOn calendar.Date) money.Amount {
	due := inv.CashDiscountDue(paidOn)
	if due.IsZero() || !amount.Decimal().Add(due.Decimal()).Equal(inv.Balance.Decimal()) {
		return money.Zero(inv.Balance.Currency())
	}
	return due
}
