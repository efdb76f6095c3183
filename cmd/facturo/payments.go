package main

import (
	"fmt"

	"github.com/facturo/facturo/payprovider/testcard"
	"github.com/facturo/facturo/service"
)

// payFlags choose the payment provider cards are charged through.
type payFlags struct {
	name *string
}

func paymentFlags(f *flags) *payFlags {
	return &payFlags{
		name: f.String("payment-provider", "FACTURO_PAYMENT_PROVIDER", "test",
			"card processor: test (built-in test cards, offline)"),
	}
}

// provider returns the configured payment provider.
func (p *payFlags) provider() (service.PaymentProvider, error) {
	switch *p.name {
	case "test":
		return testcard.New(), nil
	}
	return nil, fmt.Errorf("--payment-provider: unknown provider %q: use test", *p.name)
}
