package receivables

import (
	"fmt"

	"github.com/facturo/facturo/money"
)

// Claim is one claim on an amount shared out by Fill: as much as Limit
// allows, or exactly Limit when Fixed.
type Claim struct {
	Limit money.Amount
	Fixed bool
}

// Fill is the one allocation algorithm of receivables: it shares amount out
// over claims in order, each taking its fixed part or as much of what is
// left as its limit allows, and ends at the first claim that would get
// nothing (or less). It returns each claim's part (zero for claims not
// reached) and what is left, which is negative when fixed parts exceed the
// amount. Payments applied to invoices, credit set against invoices
// (Match), refunds taking back applications and wallet draws all use it.
// Claims must be in amount's currency.
func Fill(amount money.Amount, claims []Claim) ([]money.Amount, money.Amount, error) {
	cur := amount.Currency()
	parts := make([]money.Amount, len(claims))
	for i := range parts {
		parts[i] = zeroOf(cur)
	}
	left := amount
	for i, c := range claims {
		if c.Limit.Currency() != cur {
			return nil, money.Amount{}, fmt.Errorf("fill: claim %d: %w: %s, not %s", i, money.ErrCurrencyMismatch, c.Limit.Currency(), cur)
		}
		part := c.Limit
		if !c.Fixed {
			part = minAmount(c.Limit, left)
		}
		if part.Sign() <= 0 {
			break
		}
		parts[i] = part
		left = left.MustSub(part)
	}
	return parts, left, nil
}

// Pair is one part of a Match: Amount of supply Supply set against demand
// Demand.
type Pair struct {
	Supply, Demand int
	Amount         money.Amount
}

// Match sets supplies (credit: unapplied payments, open credit notes) against
// demands (open invoices), both in order, until one side runs out: each
// demand is filled (Fill) from the supplies left, oldest first. Supplies and
// demands that are not positive take no part.
func Match(supply, demand []money.Amount) ([]Pair, error) {
	left := make([]money.Amount, len(supply))
	copy(left, supply)
	var pairs []Pair
	for d, need := range demand {
		if need.Sign() <= 0 {
			continue
		}
		var idx []int
		var claims []Claim
		for s, l := range left {
			if l.Sign() > 0 {
				idx = append(idx, s)
				claims = append(claims, Claim{Limit: l})
			}
		}
		parts, _, err := Fill(need, claims)
		if err != nil {
			return nil, err
		}
		for j, p := range parts {
			if p.Sign() > 0 {
				pairs = append(pairs, Pair{Supply: idx[j], Demand: d, Amount: p})
				left[idx[j]] = left[idx[j]].MustSub(p)
			}
		}
	}
	return pairs, nil
}
