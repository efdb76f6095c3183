package billing_test

import (
	"slices"
	"testing"

	"github.com/facturo/facturo/billing"
)

func TestKeepsBillingInfo(t *testing.T) {
	t.Parallel()
	full := rulesCustomer()
	tests := []struct {
		name          string
		before, after func(*billing.Customer)
		fields        []string
	}{
		{"unchanged", nil, nil, nil},
		{"complete stays complete with a new email", nil, func(c *billing.Customer) { c.Billing.Email = "new@acme.test" }, nil},
		{"blanked address and email", nil, func(c *billing.Customer) {
			c.Billing.Address = billing.Address{}
			c.Billing.Email = ""
		}, []string{"billing.address.city", "billing.address.country", "billing.address.line1", "billing.email"}},
		{"blanked currency", nil, func(c *billing.Customer) { c.Billing.Currency = "" }, []string{"billing.currency"}},
		{"blanked legal name", nil, func(c *billing.Customer) { c.Billing.LegalName = "" }, []string{"billing.legal_name"}},
		{"never complete, filled a step at a time", func(c *billing.Customer) {
			c.Billing.Email, c.Billing.Currency = "", ""
		}, func(c *billing.Customer) { c.Billing.Currency = "" }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			before, after := full, full
			if tt.before != nil {
				tt.before(&before)
				tt.before(&after)
			}
			if tt.after != nil {
				tt.after(&after)
			}
			if got := invalidFields(t, after.KeepsBillingInfo(before)); !slices.Equal(got, tt.fields) {
				t.Fatalf("fields %v, want %v", got, tt.fields)
			}
		})
	}
}

func TestCreditCurrency(t *testing.T) {
	t.Parallel()
	if got := (billing.Customer{Billing: billing.BillingInfo{Currency: "USD"}}).CreditCurrency("EUR"); got != "USD" {
		t.Errorf("with a billing currency: %q, want USD", got)
	}
	if got := (billing.Customer{}).CreditCurrency("EUR"); got != "EUR" {
		t.Errorf("without a billing currency: %q, want EUR", got)
	}
}
