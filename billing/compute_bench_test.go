package billing_test

import (
	"testing"

	"github.com/shopspring/decimal"
)

// BenchmarkTotalsReference is the noise gauge for BenchmarkTotals: the same
// arithmetic on the same 10-line, two-code invoice (line amounts, bases, tax
// per code, line shares, totals) as a plain loop over shopspring decimals,
// with no validation, lookups or allocation of its own. Run it in the same
// `go test` as BenchmarkTotals and compare the two, not absolute figures.
func BenchmarkTotalsReference(b *testing.B) {
	d := decimal.RequireFromString
	type line struct{ qty, price, rate decimal.Decimal }
	var ls []line
	for i := range 10 {
		if i < 5 {
			ls = append(ls, line{d("3"), d("19.99"), d("21")})
		} else {
			ls = append(ls, line{d("2.5"), d("7.333"), d("10")})
		}
	}
	amounts := make([]decimal.Decimal, len(ls))
	shares := make([]decimal.Decimal, len(ls))
	b.ReportAllocs()
	for b.Loop() {
		var net, tax decimal.Decimal
		for _, half := range [][2]int{{0, 5}, {5, 10}} {
			var base, sum decimal.Decimal
			rate := ls[half[0]].rate
			for i := half[0]; i < half[1]; i++ {
				amounts[i] = ls[i].qty.Mul(ls[i].price).Sub(decimal.Decimal{}).Round(2)
				base = base.Add(amounts[i])
				shares[i] = amounts[i].Mul(rate).Shift(-2).Round(2)
				sum = sum.Add(shares[i])
			}
			t := base.Mul(rate).Shift(-2).Round(2)
			shares[half[0]] = shares[half[0]].Add(t.Sub(sum))
			net, tax = net.Add(base), tax.Add(t)
		}
		total := net.Add(tax)
		_ = total.Sub(decimal.Decimal{}).Mul(decimal.NewFromInt(1)).Round(2)
	}
}
