package receivables

import (
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/wallet"
)

// Lot is a usable lot of complimentary wallet credits (wallet.Grant that
// is wallet.Grant.Usable today: UsableLots).
type Lot struct {
	ID        string
	Remaining money.Amount
}

// DrawPlan is how a usage charge is paid.
type DrawPlan struct {
	FromLots map[string]money.Amount // lot id → amount taken
	Comp     money.Amount            // total complimentary
	Paid     money.Amount            // from paid credits
	Billed   money.Amount            // not covered: billed as a sales item
}

// PlanDraw splits a usage charge of amount (Fill): the usable lots first, in
// the order given (soonest expiring first), then paid credits down to zero,
// and the rest is billed. With allowNegative the paid balance covers
// everything and may go below zero.
func PlanDraw(amount, paidBalance money.Amount, lots []Lot, allowNegative bool) (DrawPlan, error) {
	cur := amount.Currency()
	plan := DrawPlan{FromLots: map[string]money.Amount{}, Comp: zeroOf(cur), Paid: zeroOf(cur)}
	claims := make([]Claim, len(lots))
	for i, l := range lots {
		claims[i] = Claim{Limit: l.Remaining}
	}
	parts, left, err := Fill(amount, claims)
	if err != nil {
		return DrawPlan{}, err
	}
	for i, p := range parts {
		if p.Sign() > 0 {
			plan.FromLots[lots[i].ID] = p
			plan.Comp = plan.Comp.MustAdd(p)
		}
	}
	switch {
	case allowNegative:
		plan.Paid = left
	case paidBalance.Sign() > 0:
		paid, _, err := Fill(left, []Claim{{Limit: paidBalance}})
		if err != nil {
			return DrawPlan{}, err
		}
		plan.Paid = paid[0]
	}
	plan.Billed = left.MustSub(plan.Paid)
	return plan, nil
}

// CrossesThreshold reports whether a draw took the wallet's balance from at
// or above threshold to below it (the wallet.low_balance notice); a zero
// threshold never crosses.
func CrossesThreshold(before, after, threshold money.Amount) bool {
	return threshold.Sign() > 0 && !before.Decimal().LessThan(threshold.Decimal()) && after.Decimal().LessThan(threshold.Decimal())
}

// UsableLots returns the lots of grants a draw on today may use
// (wallet.Grant.Usable), in the order given.
func UsableLots(grants []wallet.Grant, today calendar.Date) []Lot {
	var lots []Lot
	for _, g := range grants {
		if g.Usable(today) {
			lots = append(lots, Lot{ID: g.ID, Remaining: g.Remaining})
		}
	}
	return lots
}
