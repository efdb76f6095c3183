package main

import (
	"fmt"
	"os"

	"github.com/facturo/facturo/payprovider/stripe"
	"github.com/facturo/facturo/payprovider/testcard"
	"github.com/facturo/facturo/service"
)

// payFlags choose the payment provider cards are charged through.
type payFlags struct {
	name, stripeURL, publishable *string
}

func paymentFlags(f *flags) *payFlags {
	def := "test"
	if os.Getenv("FACTURO_STRIPE_KEY") != "" {
		def = "stripe"
	}
	return &payFlags{
		name: f.String("payment-provider", "FACTURO_PAYMENT_PROVIDER", def,
			"card processor: test (built-in test cards, offline) or stripe (secret key in FACTURO_STRIPE_KEY)"),
		stripeURL: f.String("stripe-api-url", "FACTURO_STRIPE_API_URL", "", "Stripe API base URL (empty: Stripe's; e.g. a stripe-mock)"),
		publishable: f.String("stripe-publishable-key", "FACTURO_STRIPE_PUBLISHABLE_KEY", "",
			"Stripe publishable key (pk_…) for Stripe.js in the portal's and console's card forms"),
	}
}

// provider returns the configured payment provider.
func (p *payFlags) provider() (service.PaymentProvider, error) {
	switch *p.name {
	case "test":
		return testcard.New(), nil
	case "stripe":
		sp, err := stripe.New(stripe.Config{Key: os.Getenv("FACTURO_STRIPE_KEY"), URL: *p.stripeURL, PublishableKey: *p.publishable})
		if err != nil {
			return nil, fmt.Errorf("--payment-provider stripe: %w", err)
		}
		return sp, nil
	}
	return nil, fmt.Errorf("--payment-provider: unknown provider %q: use test or stripe", *p.name)
}
