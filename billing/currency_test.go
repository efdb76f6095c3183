package billing_test

import (
	"testing"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/subscription"
	"github.com/facturo/facturo/wallet"
)

// fieldMessage returns the message err gives for field ("" if none).
func fieldMessage(err error, field string) string {
	e, ok := fail.As(err)
	if !ok {
		return ""
	}
	for _, f := range e.Fields {
		if f.Field == field {
			return f.Message
		}
	}
	return ""
}

// TestUnknownCurrencyMessages checks every domain check that looks a
// currency up by code gives money's one message: it names the code given
// and what to use.
func TestUnknownCurrencyMessages(t *testing.T) {
	t.Parallel()
	const want = `unknown currency "XYZ": use an ISO 4217 code such as EUR or USD`
	tests := []struct {
		name, field string
		check       func() error
	}{
		{"product", "currency", func() error { p := billing.Product{Currency: "XYZ"}; return p.Normalize() }},
		{"subscription", "currency", func() error { s := subscription.Subscription{Currency: "XYZ"}; return s.Normalize() }},
		{"sales item", "currency", func() error { si := billing.SalesItem{Currency: "XYZ"}; return si.Normalize() }},
		{"wallet", "currency", func() error { w := wallet.Wallet{Currency: "XYZ"}; return w.Normalize() }},
		{"customer", "billing.currency", func() error {
			cu := billing.Customer{Billing: billing.BillingInfo{Currency: "XYZ"}}
			return cu.Normalize()
		}},
		{"tenant", "currency", func() error { tn := billing.Tenant{Currency: "XYZ"}; return tn.Normalize() }},
		{"invoice header", "currency", func() error {
			inv := billing.Invoice{Currency: "XYZ"}
			return inv.Normalize(billing.Customer{}, billing.Customer{}, billing.Tenant{Currency: "EUR"})
		}},
		{"invoice amounts", "currency", func() error {
			inv := billing.Invoice{Currency: "XYZ"}
			return inv.Compute(billing.TaxSetup{}, money.MustCurrency("EUR"))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := fieldMessage(tt.check(), tt.field); got != want {
				t.Errorf("%s message %q, want %q", tt.field, got, want)
			}
		})
	}
}
