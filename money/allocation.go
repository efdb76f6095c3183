package money

import (
	"errors"
	"fmt"
	"math/big"
	"slices"

	"github.com/shopspring/decimal"
)

// This file is the one allocation algorithm of the module: every split of
// an amount into parts that must add up exactly (a document's tax over its
// lines, a line over its ledger distribution) goes through apportion.

// ErrNothingToShare is returned (wrapped) by Apportion when there are no
// parts to share a total over.
var ErrNothingToShare = errors.New("no parts to share over")

// Apportion shares total, first rounded to its currency's minor unit, over
// parts: exact amounts in the same currency, of any sign and any number of
// fraction digits, usually summing to about total. It returns one amount per
// part, each rounded to the minor unit, summing exactly to the rounded
// total, by the largest-remainder (Hamilton) method over signed parts:
//
//  1. each part is rounded toward zero to the minor unit;
//  2. the residual (rounded total − sum of those) is handed out one minor
//     unit at a time, in the residual's direction, each unit to the part
//     whose exact value lies furthest beyond its share in that direction
//     (the largest remainder), ties to the earlier index;
//  3. parts that are exactly zero receive no unit unless every part is
//     zero.
//
// So shares are deterministic, Apportion(−t, −p) = −Apportion(t, p), and
// when total is the rounded sum of the parts every share is within one
// minor unit of its exact part. Over non-negative parts this is the classic
// largest-remainder method, the one Allocate uses. It returns an error
// wrapping ErrNothingToShare if parts is empty.
func Apportion(total Amount, parts []decimal.Decimal) ([]Amount, error) {
	if len(parts) == 0 {
		return nil, fmt.Errorf("money: apportion %s %s: %w", total, codeOrNone(total.currency), ErrNothingToShare)
	}
	digits := total.currency.digits
	units := total.value.Round(digits).Shift(digits).BigInt() // exact: rounded to the minor unit
	// Express every part in minor units over the common denominator 10^scale.
	scale := int32(0)
	for _, p := range parts {
		scale = max(scale, -p.Exponent()-digits)
	}
	num := make([]*big.Int, len(parts))
	for i, p := range parts {
		// p·10^(digits+scale) = coefficient·10^(exponent+digits+scale), a
		// non-negative power by the choice of scale.
		num[i] = p.Coefficient()
		if e := p.Exponent() + digits + scale; e > 0 {
			num[i].Mul(num[i], powerOfTen(e))
		}
	}
	return amounts(apportion(units, num, powerOfTen(scale)), total.currency), nil
}

// smallPowers holds 10^0 … 10^18; never modified.
var smallPowers = func() []*big.Int {
	out := make([]*big.Int, 19)
	for i := range out {
		out[i] = new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(i)), nil)
	}
	return out
}()

// powerOfTen returns 10^e (e ≥ 0); the caller must not modify the result.
func powerOfTen(e int32) *big.Int {
	if int(e) < len(smallPowers) {
		return smallPowers[e]
	}
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(e)), nil)
}

// Allocate splits a, first rounded to the minor unit, over the given
// non-negative weights in proportion. Each part is rounded to the minor unit
// and the parts sum exactly to the rounded amount: leftover minor units go
// to the parts with the largest remainders (largest-remainder method), ties
// to the earlier index. Negative amounts are split symmetrically to their
// absolute value. It returns an error if weights is empty, any weight is
// negative, or all weights are zero.
//
// Allocate is Apportion over the exact proportional parts a·wᵢ/Σw.
func (a Amount) Allocate(weights ...decimal.Decimal) ([]Amount, error) {
	if len(weights) == 0 {
		return nil, errors.New("money: allocate: no weights")
	}
	// Scale all weights by a common power of ten so they become integers.
	scale := int32(0)
	allZero := true
	for i, w := range weights {
		switch w.Sign() {
		case -1:
			return nil, fmt.Errorf("money: allocate: negative weight %s at index %d", w.String(), i)
		case 1:
			allZero = false
			scale = max(scale, -w.Exponent())
		}
	}
	if allZero {
		return nil, errors.New("money: allocate: all weights are zero")
	}
	digits := a.currency.digits
	units := a.value.Round(digits).Shift(digits).BigInt() // exact: rounded to the minor unit
	// Part i is units·wᵢ/Σw minor units: numerator units·wᵢ over Σw.
	num := make([]*big.Int, len(weights))
	weightSum := new(big.Int)
	for i, w := range weights {
		iw := w.Shift(scale).BigInt() // exact: Shift makes w integral
		weightSum.Add(weightSum, iw)
		num[i] = iw.Mul(iw, units)
	}
	return amounts(apportion(units, num, weightSum), a.currency), nil
}

// amounts turns minor units into amounts of currency c.
func amounts(units []*big.Int, c Currency) []Amount {
	out := make([]Amount, len(units))
	for i, u := range units {
		out[i] = Amount{value: decimal.NewFromBigInt(u, -c.digits), currency: c}
	}
	return out
}

// apportion is the allocation algorithm, in integers: it shares total minor
// units over the exact parts num[i]/den minor units (den > 0) as Apportion
// documents, and returns the shares in minor units.
func apportion(total *big.Int, num []*big.Int, den *big.Int) []*big.Int {
	n := len(num)
	shares := make([]*big.Int, n)
	rems := make([]*big.Int, n) // num − share·den: same sign as num, |rem| < den
	residual := new(big.Int).Set(total)
	for i, x := range num {
		shares[i], rems[i] = new(big.Int).QuoRem(x, den, new(big.Int)) // toward zero
		residual.Sub(residual, shares[i])
	}
	dir := residual.Sign()
	if dir == 0 {
		return shares
	}
	left := residual.Abs(residual)
	step := big.NewInt(int64(dir))

	// Only non-zero parts take units, unless all parts are zero.
	takers := make([]int, 0, n)
	for i, x := range num {
		if x.Sign() != 0 {
			takers = append(takers, i)
		}
	}
	if len(takers) == 0 {
		for i := range num {
			takers = append(takers, i)
		}
	}
	// A part's key is how far its exact value lies beyond its share in the
	// residual's direction, in 1/den minor units: in (−den, den). Each unit
	// given lowers the key by den. Handing units one by one to the largest
	// key (earlier index on ties) therefore gives one unit to every taker
	// with a key ≥ 0, largest first, and then goes round the takers in the
	// order of their keys modulo den, largest first.
	keys := make([]*big.Int, n)
	for _, i := range takers {
		keys[i] = rems[i]
		if dir < 0 {
			keys[i] = new(big.Int).Neg(rems[i])
		}
	}
	byKey := func(key func(i int) *big.Int) func(i, j int) int {
		return func(i, j int) int { return key(j).Cmp(key(i)) } // descending; stable keeps index order
	}
	var first []int // takers with a key ≥ 0, largest key first
	for _, i := range takers {
		if keys[i].Sign() >= 0 {
			first = append(first, i)
		}
	}
	slices.SortStableFunc(first, byKey(func(i int) *big.Int { return keys[i] }))
	if left.IsInt64() && left.Int64() <= int64(len(first)) {
		for _, i := range first[:left.Int64()] {
			shares[i].Add(shares[i], step)
		}
		return shares
	}
	for _, i := range first {
		shares[i].Add(shares[i], step)
	}
	left.Sub(left, big.NewInt(int64(len(first))))
	rounds, extra := new(big.Int).QuoRem(left, big.NewInt(int64(len(takers))), new(big.Int))
	if dir < 0 {
		rounds.Neg(rounds)
	}
	mod := make([]*big.Int, n) // key modulo den, in [0, den)
	for _, i := range takers {
		mod[i] = keys[i]
		if keys[i].Sign() < 0 {
			mod[i] = new(big.Int).Add(keys[i], den)
		}
		shares[i].Add(shares[i], rounds)
	}
	order := slices.Clone(takers)
	slices.SortStableFunc(order, byKey(func(i int) *big.Int { return mod[i] }))
	for _, i := range order[:extra.Int64()] {
		shares[i].Add(shares[i], step)
	}
	return shares
}
