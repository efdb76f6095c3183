package money

import (
	"errors"
	"fmt"
	"math/big"
	mathrand "math/rand"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"testing/quick"

	"github.com/shopspring/decimal"
)

func TestApportion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		total Amount
		parts []string
		want  []string
	}{
		{"exact parts", amt(t, "10.00", eur), []string{"2.50", "7.50"}, []string{"2.50", "7.50"}},
		{"three half cents", amt(t, "0.02", eur), []string{"0.005", "0.005", "0.005"}, []string{"0.01", "0.01", "0.00"}},
		{"three negative half cents", amt(t, "-0.02", eur), []string{"-0.005", "-0.005", "-0.005"}, []string{"-0.01", "-0.01", "0.00"}},
		{"largest remainder beats index", amt(t, "1.00", eur), []string{"0.333", "0.667"}, []string{"0.33", "0.67"}},
		{"mixed signs, no residual", amt(t, "212.49", eur), []string{"2.5914", "210", "-0.105"}, []string{"2.59", "210.00", "-0.10"}},
		{"mixed signs, unit up", amt(t, "1.01", eur), []string{"1.006", "0.004", "-0.002"}, []string{"1.01", "0.00", "0.00"}},
		{"mixed signs, unit down", amt(t, "-0.01", eur), []string{"0.004", "-0.006", "-0.008"}, []string{"0.00", "0.00", "-0.01"}},
		{"opposite halves cancel", Zero(eur), []string{"0.005", "-0.005"}, []string{"0.00", "0.00"}},
		{"residual against the parts", amt(t, "0.00", eur), []string{"0.016", "0.004"}, []string{"0.01", "-0.01"}},
		{"zero parts take nothing", amt(t, "0.05", eur), []string{"0", "0.03", "0"}, []string{"0.00", "0.05", "0.00"}},
		{"zero parts take nothing, downward", amt(t, "-0.05", eur), []string{"0", "0.01", "0"}, []string{"0.00", "-0.05", "0.00"}},
		{"all parts zero", amt(t, "0.05", eur), []string{"0", "0", "0"}, []string{"0.02", "0.02", "0.01"}},
		{"many rounds, keys across zero", amt(t, "0.10", eur), []string{"0.009", "-0.002", "0.001"}, []string{"0.04", "0.03", "0.03"}},
		{"many rounds down", amt(t, "-0.10", eur), []string{"0.009", "-0.002", "0.001"}, []string{"-0.03", "-0.04", "-0.03"}},
		{"total rounded first", amt(t, "0.025", eur), []string{"0.01", "0.01"}, []string{"0.02", "0.01"}},
		{"yen", amt(t, "10", jpy), []string{"3.3", "3.3", "3.4"}, []string{"3", "3", "4"}},
		{"yen halves", amt(t, "2", jpy), []string{"0.5", "0.5", "0.5", "0.5"}, []string{"1", "1", "0", "0"}},
		{"bhd", amt(t, "1.000", bhd), []string{"0.3333", "0.3333", "0.3334"}, []string{"0.333", "0.333", "0.334"}},
		{"clf", amt(t, "0.0001", clf), []string{"0.00005", "0.00005"}, []string{"0.0001", "0.0000"}},
		{"exponent notation", amt(t, "1000.01", eur), []string{"1E+3", "0.005", "0.005"}, []string{"1000.00", "0.01", "0.00"}},
		{"parts beyond 18 digits", amt(t, "0.01", eur), []string{"0.000000000000000000004", "0.005"}, []string{"0.00", "0.01"}},
		{"single part", amt(t, "1.2345", eur), []string{"7"}, []string{"1.23"}},
		{"huge", amt(t, "99999999999999999999999999.99", eur), []string{"49999999999999999999999999.995", "49999999999999999999999999.995"},
			[]string{"50000000000000000000000000.00", "49999999999999999999999999.99"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Apportion(tt.total, decs(t, tt.parts...))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d shares, want %d", len(got), len(tt.want))
			}
			for i, s := range got {
				if s.String() != tt.want[i] || s.Currency() != tt.total.Currency() {
					t.Errorf("share %d = %s %s, want %s %s", i, s, s.Currency(), tt.want[i], tt.total.Currency())
				}
			}
		})
	}
}

func TestApportionErrors(t *testing.T) {
	t.Parallel()
	for _, parts := range [][]decimal.Decimal{nil, {}} {
		got, err := Apportion(amt(t, "1.00", eur), parts)
		if !errors.Is(err, ErrNothingToShare) || got != nil {
			t.Errorf("Apportion over %v = %v, %v; want ErrNothingToShare", parts, got, err)
		}
		if err != nil && !strings.Contains(err.Error(), "1.00 EUR") {
			t.Errorf("error %q does not name the total", err)
		}
	}
}

// referenceApportion is a deliberately naive statement of Apportion's rule
// in minor units: truncate every exact part toward zero, then hand out the
// residual one unit at a time, each to the non-zero part (any part if all
// are zero) whose exact value lies furthest beyond its share in the
// residual's direction, earliest index first.
func referenceApportion(total *big.Int, parts []*big.Rat) []*big.Int {
	shares := make([]*big.Int, len(parts))
	left := new(big.Int).Set(total)
	anyNonZero := false
	for i, p := range parts {
		shares[i] = new(big.Int).Quo(p.Num(), p.Denom()) // toward zero
		left.Sub(left, shares[i])
		anyNonZero = anyNonZero || p.Sign() != 0
	}
	dir := int64(left.Sign())
	for ; left.Sign() != 0; left.Sub(left, big.NewInt(dir)) {
		best := -1
		var bestKey *big.Rat
		for i, p := range parts {
			if anyNonZero && p.Sign() == 0 {
				continue
			}
			key := new(big.Rat).Sub(p, new(big.Rat).SetInt(shares[i]))
			if dir < 0 {
				key.Neg(key)
			}
			if best < 0 || key.Cmp(bestKey) > 0 {
				best, bestKey = i, key
			}
		}
		shares[best].Add(shares[best], big.NewInt(dir))
	}
	return shares
}

// apportionCase is a random input to Apportion: a currency, parts with few
// distinct values (many ties), of mixed signs and scales, and a total that
// is usually the rounded sum of the parts and sometimes up to 30 minor
// units away from it.
type apportionCase struct {
	Currency Currency
	Total    Amount
	Parts    []decimal.Decimal
}

// Generate implements quick.Generator.
func (apportionCase) Generate(rng *mathrand.Rand, size int) reflect.Value {
	currencies := []Currency{eur, jpy, bhd, clf}
	c := currencies[rng.Intn(len(currencies))]
	parts := make([]decimal.Decimal, 1+rng.Intn(min(size, 12)+1))
	values := []int64{0, 5, -5, 1, 9, 15, -15, 1234567, -98765}
	for i := range parts {
		switch rng.Intn(3) {
		case 0: // a few distinct values: ties
			parts[i] = decimal.New(values[rng.Intn(len(values))], -c.Digits()-1)
		case 1:
			parts[i] = decimal.New(rng.Int63n(2_000_001)-1_000_000, -rng.Int31n(7))
		default:
			parts[i] = decimal.New(values[rng.Intn(len(values))], -rng.Int31n(5))
		}
	}
	total := New(decimal.Sum(decimal.Zero, parts...), c).Round()
	if rng.Intn(4) == 0 { // a total away from the parts: the residual goes round them
		total = total.MustAdd(New(decimal.New(rng.Int63n(61)-30, -c.Digits()), c))
	}
	return reflect.ValueOf(apportionCase{Currency: c, Total: total, Parts: parts})
}

// minorUnits returns d in minor units of c, exactly.
func minorUnits(d decimal.Decimal, c Currency) *big.Rat {
	return new(big.Rat).Mul(d.Rat(), new(big.Rat).SetInt64(pow10(c.Digits())))
}

var quickConfig = &quick.Config{MaxCount: 3000, Rand: mathrand.New(mathrand.NewSource(13))}

// TestApportionMatchesReference compares Apportion with referenceApportion,
// including totals far from the parts, where the residual goes round the
// parts several times.
func TestApportionMatchesReference(t *testing.T) {
	t.Parallel()
	check := func(tc apportionCase) bool {
		got, err := Apportion(tc.Total, tc.Parts)
		if err != nil {
			t.Log(err)
			return false
		}
		exact := make([]*big.Rat, len(tc.Parts))
		for i, p := range tc.Parts {
			exact[i] = minorUnits(p, tc.Currency)
		}
		units := tc.Total.Decimal().Shift(tc.Currency.Digits()).BigInt()
		want := referenceApportion(units, exact)
		for i := range got {
			if !got[i].Decimal().Equal(decimal.NewFromBigInt(want[i], -tc.Currency.Digits())) {
				t.Logf("%s %s over %v: share %d = %s, want %s minor units", tc.Total, tc.Currency, tc.Parts, i, got[i], want[i])
				return false
			}
		}
		return true
	}
	if err := quick.Check(check, quickConfig); err != nil {
		t.Error(err)
	}
}

// TestApportionProperties checks the promises of Apportion's doc comment
// over random inputs: shares are rounded, in the total's currency and sum
// exactly to it; they are within one minor unit of their exact parts when
// the total is the rounded sum of the parts; zero parts get zero unless all
// parts are zero; negating the input negates the shares; the result is
// deterministic.
func TestApportionProperties(t *testing.T) {
	t.Parallel()
	check := func(tc apportionCase) bool {
		c := tc.Currency
		got, err := Apportion(tc.Total, tc.Parts)
		if err != nil || len(got) != len(tc.Parts) {
			t.Logf("Apportion = %v, %v", got, err)
			return false
		}
		sum, err := Sum(c, got...)
		if err != nil || !sum.Equal(tc.Total) {
			t.Logf("%v: shares %v sum to %s, want %s", tc.Parts, got, sum, tc.Total)
			return false
		}
		partSum := New(decimal.Sum(decimal.Zero, tc.Parts...), c).Round()
		allZero := true
		for _, p := range tc.Parts {
			allZero = allZero && p.IsZero()
		}
		for i, s := range got {
			if !s.IsRounded() || s.Currency() != c {
				t.Logf("share %d = %s %s", i, s, s.Currency())
				return false
			}
			diff := new(big.Rat).Sub(minorUnits(s.Decimal(), c), minorUnits(tc.Parts[i], c))
			if tc.Total.Equal(partSum) && diff.Abs(diff).Cmp(big.NewRat(1, 1)) >= 0 {
				t.Logf("%s over %v: share %d = %s, not within one unit", tc.Total, tc.Parts, i, s)
				return false
			}
			if tc.Parts[i].IsZero() && !allZero && !s.IsZero() {
				t.Logf("%s over %v: zero part %d got %s", tc.Total, tc.Parts, i, s)
				return false
			}
		}
		negParts := make([]decimal.Decimal, len(tc.Parts))
		for i, p := range tc.Parts {
			negParts[i] = p.Neg()
		}
		neg, err := Apportion(tc.Total.Neg(), negParts)
		if err != nil {
			return false
		}
		again, err := Apportion(tc.Total, tc.Parts)
		if err != nil {
			return false
		}
		for i := range got {
			if !neg[i].Equal(got[i].Neg()) {
				t.Logf("%s over %v: negated share %d = %s, want %s", tc.Total, tc.Parts, i, neg[i], got[i].Neg())
				return false
			}
			if !again[i].Equal(got[i]) {
				t.Logf("second call differs at %d: %s vs %s", i, again[i], got[i])
				return false
			}
		}
		return true
	}
	if err := quick.Check(check, quickConfig); err != nil {
		t.Error(err)
	}
}

// TestAllocateIsApportion checks that Allocate gives what the reference rule
// gives over the exact proportional parts a·wᵢ/Σw: one algorithm.
func TestAllocateIsApportion(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 17))
	for iter := range 1000 {
		c := []Currency{eur, jpy, bhd}[rng.IntN(3)]
		a := New(decimal.New(rng.Int64N(200_001)-100_000, -c.Digits()), c)
		weights := make([]decimal.Decimal, 1+rng.IntN(6))
		weightSum := new(big.Rat)
		for i := range weights {
			weights[i] = decimal.New(rng.Int64N(4), -rng.Int32N(3))
			weightSum.Add(weightSum, weights[i].Rat())
		}
		if weightSum.Sign() == 0 {
			continue
		}
		got, err := a.Allocate(weights...)
		if err != nil {
			t.Fatalf("case %d: %v", iter, err)
		}
		exact := make([]*big.Rat, len(weights))
		for i, w := range weights {
			exact[i] = new(big.Rat).Mul(minorUnits(a.Decimal(), c), new(big.Rat).Quo(w.Rat(), weightSum))
		}
		want := referenceApportion(a.Decimal().Shift(c.Digits()).BigInt(), exact)
		for i := range got {
			if !got[i].Decimal().Equal(decimal.NewFromBigInt(want[i], -c.Digits())) {
				t.Fatalf("case %d: %s over %v: part %d = %s, want %s minor units", iter, a, weights, i, got[i], want[i])
			}
		}
	}
}

func BenchmarkApportion(b *testing.B) {
	total := New(decimal.RequireFromString("212.49"), eur)
	parts := []decimal.Decimal{decimal.RequireFromString("2.5914"), decimal.RequireFromString("210"), decimal.RequireFromString("-0.105")}
	for b.Loop() {
		if _, err := Apportion(total, parts); err != nil {
			b.Fatal(err)
		}
	}
}

func ExampleApportion() {
	eur := MustCurrency("EUR")
	// Three lines of 0.05 at 10 % under one tax code: 0.015 of tax, 0.02
	// once rounded, shared by the largest remainders, ties to the first.
	third := decimal.RequireFromString("0.005")
	shares, _ := Apportion(New(decimal.RequireFromString("0.02"), eur), []decimal.Decimal{third, third, third})
	fmt.Println(shares)
	// Output: [0.01 0.01 0.00]
}
