package billing

import (
	"math"
	"math/bits"

	"github.com/shopspring/decimal"
)

// Exact integer arithmetic for Compute's fast path (compute_fast.go). A
// decimal.Decimal is coefficient × 10^exponent; when its coefficient fits an
// int64 and its exponent is moderate, Compute works on the coefficient as a
// 128-bit integer instead of a math/big one. Every operation here is exact or
// reports failure (overflow, an inexact division): nothing is ever rounded
// except by roundPow10, which rounds half away from zero exactly as
// decimal.Decimal.Round does, and nothing touches floating point. On failure
// Compute takes the decimal path, so results never depend on which path ran.

// pow10u holds 10^0 … 10^19, every power of ten a uint64 can hold.
var pow10u = func() (t [20]uint64) {
	t[0] = 1
	for i := 1; i < len(t); i++ {
		t[i] = t[i-1] * 10
	}
	return t
}()

// maxFixedExp bounds the exponents the fast path accepts, so exponent sums
// and scaling loops stay small; anything beyond takes the decimal path.
const maxFixedExp = 40

// fixed is coef × 10^exp: a decimal.Decimal whose coefficient has at most 18
// digits and whose exponent is within ±maxFixedExp.
type fixed struct {
	coef int64
	exp  int32
}

// fixedOf returns d as a fixed, or false when it is outside what fixed holds.
// It does not allocate.
func fixedOf(d decimal.Decimal) (fixed, bool) {
	e := d.Exponent()
	if e < -maxFixedExp || e > maxFixedExp {
		return fixed{}, false
	}
	if d.Sign() == 0 {
		return fixed{exp: e}, true
	}
	// NumDigits is exact and allocation-free for coefficients that fit an
	// int64; at most 18 digits means |coef| < 10^18.
	if d.NumDigits() > 18 {
		return fixed{}, false
	}
	return fixed{coef: d.CoefficientInt64(), exp: e}, true
}

// u128 is an unsigned 128-bit integer.
type u128 struct{ hi, lo uint64 }

func (x u128) isZero() bool { return x.hi == 0 && x.lo == 0 }

func (x u128) cmp(y u128) int {
	switch {
	case x.hi != y.hi:
		if x.hi < y.hi {
			return -1
		}
		return 1
	case x.lo != y.lo:
		if x.lo < y.lo {
			return -1
		}
		return 1
	}
	return 0
}

// add returns x+y, or false on overflow.
func (x u128) add(y u128) (u128, bool) {
	lo, c := bits.Add64(x.lo, y.lo, 0)
	hi, c := bits.Add64(x.hi, y.hi, c)
	return u128{hi, lo}, c == 0
}

// sub returns x−y for x ≥ y.
func (x u128) sub(y u128) u128 {
	lo, b := bits.Sub64(x.lo, y.lo, 0)
	hi, _ := bits.Sub64(x.hi, y.hi, b)
	return u128{hi, lo}
}

// mul64 returns x×m, or false on overflow.
func (x u128) mul64(m uint64) (u128, bool) {
	h1, l1 := bits.Mul64(x.hi, m)
	h0, l0 := bits.Mul64(x.lo, m)
	hi, c := bits.Add64(l1, h0, 0)
	return u128{hi, l0}, h1 == 0 && c == 0
}

// div64 returns x÷d truncated and the remainder; d must not be 0.
func (x u128) div64(d uint64) (u128, uint64) {
	qh, r := bits.Div64(0, x.hi, d)
	ql, r := bits.Div64(r, x.lo, d)
	return u128{qh, ql}, r
}

// mulPow10 returns x×10^k for k ≥ 0, or false on overflow.
func (x u128) mulPow10(k int) (u128, bool) {
	if x.isZero() || k == 0 {
		return x, true
	}
	if k > 38 { // 10^39 > 2^128
		return u128{}, false
	}
	for k > 0 {
		c := min(k, 19)
		var ok bool
		if x, ok = x.mul64(pow10u[c]); !ok {
			return u128{}, false
		}
		k -= c
	}
	return x, true
}

// divPow10 returns x÷10^k truncated for k ≥ 0, and whether it was exact.
func (x u128) divPow10(k int) (u128, bool) {
	exact := true
	for k > 0 && !x.isZero() {
		c := min(k, 19)
		var r uint64
		x, r = x.div64(pow10u[c])
		exact = exact && r == 0
		k -= c
	}
	return x, exact
}

// i128 is a signed 128-bit integer in sign-magnitude form. Zero is never
// negative.
type i128 struct {
	neg bool
	m   u128
}

func mkI128(neg bool, m u128) i128 { return i128{neg: neg && !m.isZero(), m: m} }

func i128of(v int64) i128 {
	if v < 0 {
		return i128{neg: true, m: u128{lo: uint64(-v)}} // -MinInt64 wraps to itself, and uint64 of it is 2^63
	}
	return i128{m: u128{lo: uint64(v)}}
}

func (x i128) negate() i128 { return mkI128(!x.neg, x.m) }

// add returns x+y, or false on overflow.
func (x i128) add(y i128) (i128, bool) {
	if x.neg == y.neg {
		m, ok := x.m.add(y.m)
		return i128{neg: x.neg, m: m}, ok
	}
	switch x.m.cmp(y.m) {
	case 1:
		return i128{neg: x.neg, m: x.m.sub(y.m)}, true
	case -1:
		return i128{neg: y.neg, m: y.m.sub(x.m)}, true
	}
	return i128{}, true
}

// sub returns x−y, or false on overflow.
func (x i128) sub(y i128) (i128, bool) { return x.add(y.negate()) }

// mul64 returns x×v, or false on overflow.
func (x i128) mul64(v int64) (i128, bool) {
	f := i128of(v)
	m, ok := x.m.mul64(f.m.lo)
	return mkI128(x.neg != f.neg, m), ok
}

// mulPow10 returns x×10^k for k ≥ 0, or false on overflow.
func (x i128) mulPow10(k int) (i128, bool) {
	m, ok := x.m.mulPow10(k)
	return i128{neg: x.neg, m: m}, ok
}

// roundPow10 returns x÷10^k rounded half away from zero, like
// decimal.Decimal.Round: truncate to one digit more, add 5 to the magnitude,
// truncate that digit. For k ≤ 0 it returns x×10^-k. False on overflow.
func (x i128) roundPow10(k int) (i128, bool) {
	if k <= 0 {
		return x.mulPow10(-k)
	}
	m, _ := x.m.divPow10(k - 1)
	m, ok := m.add(u128{lo: 5})
	if !ok {
		return i128{}, false
	}
	m, _ = m.div64(10)
	return mkI128(x.neg, m), true
}

// int64 returns x as an int64, or false if it does not fit (math.MinInt64
// is refused too; nothing needs it).
func (x i128) int64() (int64, bool) {
	if x.m.hi != 0 || x.m.lo > math.MaxInt64 {
		return 0, false
	}
	if x.neg {
		return -int64(x.m.lo), true
	}
	return int64(x.m.lo), true
}

// units returns f in units of 10^-digits, or false if that is not an integer
// or overflows.
func (f fixed) units(digits int32) (i128, bool) {
	v := i128of(f.coef)
	k := int(f.exp) + int(digits)
	if k >= 0 {
		return v.mulPow10(k)
	}
	m, exact := v.m.divPow10(-k)
	return i128{neg: v.neg, m: m}, exact
}

// coefAt returns the coefficient of v × 10^-digits at exponent e, as an
// int64, or false if that is not exact or does not fit.
func coefAt(v i128, digits, e int32) (int64, bool) {
	k := int(-digits) - int(e)
	if k >= 0 {
		var ok bool
		if v, ok = v.mulPow10(k); !ok {
			return 0, false
		}
		return v.int64()
	}
	m, exact := v.m.divPow10(-k)
	if !exact {
		return 0, false
	}
	return mkI128(v.neg, m).int64()
}

// sumFixed adds fixed values the way decimal.Decimal.Add does, starting from
// the zero Decimal (exponent 0): the result's exponent is the least of them.
type sumFixed struct {
	v   i128
	exp int32
	ok  bool
}

func newSumFixed() sumFixed { return sumFixed{ok: true} }

func (s *sumFixed) add(f fixed) {
	if !s.ok {
		return
	}
	e := min(s.exp, f.exp)
	a, ok1 := s.v.mulPow10(int(s.exp - e))
	b, ok2 := i128of(f.coef).mulPow10(int(f.exp - e))
	v, ok3 := a.add(b)
	s.v, s.exp, s.ok = v, e, ok1 && ok2 && ok3
}

// equalInt reports whether the sum equals n; ok is false if it cannot tell.
func (s *sumFixed) equalInt(n int64) (equal, ok bool) {
	if !s.ok {
		return false, false
	}
	// s.exp ≤ 0: the sum started at exponent 0.
	w, ok := i128of(n).mulPow10(int(-s.exp))
	if !ok {
		return false, false
	}
	return w == s.v, true
}

// absAbovePow10 reports whether |d| > 10^n; ok is false if d is outside fixed.
func absAbovePow10(d decimal.Decimal, n int) (above, ok bool) {
	f, ok := fixedOf(d)
	if !ok {
		return false, false
	}
	if f.coef == 0 {
		return false, true
	}
	k := n - int(f.exp) // |coef| × 10^exp > 10^n ⟺ |coef| > 10^k
	switch {
	case k < 0:
		return true, true // |coef| ≥ 1 > 10^k
	case k > 18:
		return false, true // |coef| < 10^18
	}
	return i128of(f.coef).m.lo > pow10u[k], true
}

// roundedTo reports whether d has no non-zero digits beyond 10^-digits; ok is
// false if d is outside fixed.
func roundedTo(d decimal.Decimal, digits int32) (rounded, ok bool) {
	f, ok := fixedOf(d)
	if !ok {
		return false, false
	}
	k := -int(digits) - int(f.exp) // the trailing digits that must be 0
	switch {
	case k <= 0 || f.coef == 0:
		return true, true
	case k > 18:
		return false, true // 0 < |coef| < 10^18
	}
	return i128of(f.coef).m.lo%pow10u[k] == 0, true
}
