package billing_test

import (
	"testing"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/tax"
)

// BenchmarkTotals computes a 10-line invoice with two tax codes: the shape
// invopop/gobl's Calculate takes about 87 µs for on this kind of machine.
func BenchmarkTotals(b *testing.B) {
	euro := money.MustCurrency("EUR")
	s := setup(tax.PerCode)
	base := append(lines(5, "3", "19.99", "FULL"), lines(5, "2.5", "7.333", "RED")...)
	inv := billing.Invoice{Currency: "EUR", Lines: make([]billing.Line, len(base))}
	b.ReportAllocs()
	for b.Loop() {
		copy(inv.Lines, base)
		if err := inv.Compute(s, euro); err != nil {
			b.Fatal(err)
		}
	}
}
