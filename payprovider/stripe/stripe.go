// Package stripe is Facturo's Stripe payment provider, through stripe-go.
// Cards arrive as Stripe payment method (pm_…) or token (tok_…) ids created
// by Stripe.js in the customer's browser, so card numbers never reach
// Facturo: the portal confirms a SetupIntent Facturo creates (SetupCard)
// and sends back its pm_… id. Charges are confirmed off-session
// PaymentIntents, whose id is the charge id Facturo stores; refunds refund
// the PaymentIntent.
package stripe

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	sg "github.com/stripe/stripe-go/v85"

	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service"
)

// Config configures the provider.
type Config struct {
	// Key is the secret API key (sk_live_… or sk_test_…).
	Key string
	// URL is the API base URL; empty means Stripe's (tests use stripe-mock).
	URL string
	// HTTPClient is the client for API calls; nil means stripe-go's default.
	HTTPClient *http.Client
	// PublishableKey (pk_live_… or pk_test_…) is the public key Stripe.js
	// uses in the customer's browser to take a card.
	PublishableKey string
}

// Provider charges cards through Stripe.
type Provider struct {
	c           *sg.Client
	publishable string
}

// New returns a Stripe provider.
func New(cfg Config) (*Provider, error) {
	if strings.TrimSpace(cfg.Key) == "" {
		return nil, errors.New("stripe: an API key is required (FACTURO_STRIPE_KEY)")
	}
	bc := &sg.BackendConfig{LeveledLogger: &sg.LeveledLogger{Level: sg.LevelNull}, MaxNetworkRetries: sg.Int64(2), HTTPClient: cfg.HTTPClient}
	if cfg.URL != "" {
		bc.URL = sg.String(strings.TrimRight(cfg.URL, "/"))
	}
	pk := strings.TrimSpace(cfg.PublishableKey)
	if pk != "" && !strings.HasPrefix(pk, "pk_") {
		return nil, errors.New("stripe: the publishable key starts with pk_ (FACTURO_STRIPE_PUBLISHABLE_KEY); never give the browser the secret key")
	}
	return &Provider{c: sg.NewClient(cfg.Key, sg.WithBackends(sg.NewBackendsWithConfig(bc))), publishable: pk}, nil
}

// AcceptsCardNumbers is false: Stripe takes only ids Stripe.js created.
func (p *Provider) AcceptsCardNumbers() bool { return false }

// PublishableKey is the public key for Stripe.js in the browser.
func (p *Provider) PublishableKey() string { return p.publishable }

// SetupCard creates a SetupIntent for a card to be charged off-session
// later, and returns its client secret for stripe.confirmCardSetup in the
// browser, which runs 3-D Secure when the bank asks for it. With the
// customer's Stripe customer the confirmed card is attached to it; without
// one yet, AttachCard creates the customer and attaches the card.
func (p *Provider) SetupCard(ctx context.Context, providerCustomer string) (string, error) {
	params := &sg.SetupIntentCreateParams{Usage: sg.String("off_session"), PaymentMethodTypes: []*string{sg.String("card")}}
	if providerCustomer != "" {
		params.Customer = sg.String(providerCustomer)
	}
	si, err := p.c.V1SetupIntents.Create(ctx, params)
	if err != nil {
		return "", mapErr(err)
	}
	if si.ClientSecret == "" {
		return "", fmt.Errorf("stripe: setup intent %s came without a client secret", si.ID)
	}
	return si.ClientSecret, nil
}

// Name is "stripe".
func (p *Provider) Name() string { return "stripe" }

func key(prefix, k string) *string {
	if k == "" {
		return nil
	}
	return sg.String(prefix + k)
}

// AttachCard creates the Stripe customer when needed, turns a token into a
// payment method, and attaches the payment method to the customer.
func (p *Provider) AttachCard(ctx context.Context, req service.AttachCardRequest) (service.ProviderCard, error) {
	card := strings.TrimSpace(req.Card)
	if !strings.HasPrefix(card, "pm_") && !strings.HasPrefix(card, "tok_") {
		return service.ProviderCard{}, &service.DeclineError{Code: "invalid_card",
			Message: "send a Stripe payment method (pm_…) or token (tok_…) id created with Stripe.js, never a card number"}
	}
	cust := req.ProviderCustomer
	if cust == "" {
		params := &sg.CustomerCreateParams{Name: sg.String(req.CustomerName)}
		if req.Email != "" {
			params.Email = sg.String(req.Email)
		}
		params.IdempotencyKey = key("customer:", req.IdempotencyKey)
		c, err := p.c.V1Customers.Create(ctx, params)
		if err != nil {
			return service.ProviderCard{}, mapErr(err)
		}
		cust = c.ID
	}
	pmID := card
	if strings.HasPrefix(card, "tok_") {
		params := &sg.PaymentMethodCreateParams{Type: sg.String("card"), Card: &sg.PaymentMethodCreateCardParams{Token: sg.String(card)}}
		params.IdempotencyKey = key("pm:", req.IdempotencyKey)
		pm, err := p.c.V1PaymentMethods.Create(ctx, params)
		if err != nil {
			return service.ProviderCard{}, mapErr(err)
		}
		pmID = pm.ID
	}
	var pm *sg.PaymentMethod
	if req.ProviderCustomer != "" && pmID == card {
		// A card confirmed on a SetupIntent for the customer is attached
		// to it already; one of another customer is refused.
		got, err := p.c.V1PaymentMethods.Retrieve(ctx, pmID, &sg.PaymentMethodRetrieveParams{})
		if err != nil {
			return service.ProviderCard{}, mapErr(err)
		}
		if got.Customer != nil && got.Customer.ID != "" {
			if got.Customer.ID != cust {
				return service.ProviderCard{}, &service.DeclineError{Code: "invalid_card", Message: "this payment method belongs to another customer"}
			}
			pm = got
		}
	}
	if pm == nil {
		params := &sg.PaymentMethodAttachParams{Customer: sg.String(cust)}
		params.IdempotencyKey = key("attach:", req.IdempotencyKey)
		var err error
		if pm, err = p.c.V1PaymentMethods.Attach(ctx, pmID, params); err != nil {
			return service.ProviderCard{}, mapErr(err)
		}
	}
	out := service.ProviderCard{ProviderCustomer: cust, Token: pm.ID}
	if pm.Card != nil {
		out.Brand, out.Last4, out.ExpMonth, out.ExpYear = string(pm.Card.Brand), pm.Card.Last4, int(pm.Card.ExpMonth), int(pm.Card.ExpYear)
	}
	return out, nil
}

// minor converts an amount to the currency's smallest unit, as Stripe wants.
func minor(amount money.Amount) (int64, error) {
	c := amount.Currency()
	if c.IsZero() {
		return 0, fmt.Errorf("stripe: amount %s has no currency", amount)
	}
	m := amount.Decimal().Shift(c.Digits())
	if !m.IsInteger() {
		return 0, fmt.Errorf("stripe: %s %s has more decimals than the currency allows", amount.Decimal(), c.Code())
	}
	return m.IntPart(), nil
}

// Charge confirms an off-session PaymentIntent for the stored card. Only a
// succeeded (or processing) intent is a charge; anything else is a decline.
func (p *Provider) Charge(ctx context.Context, req service.ChargeRequest) (service.ProviderCharge, error) {
	amount, err := minor(req.Amount)
	if err != nil {
		return service.ProviderCharge{}, err
	}
	params := &sg.PaymentIntentCreateParams{Amount: sg.Int64(amount), Currency: sg.String(strings.ToLower(req.Amount.Currency().Code())),
		Customer: sg.String(req.ProviderCustomer), PaymentMethod: sg.String(req.Token), Confirm: sg.Bool(true), OffSession: sg.Bool(true)}
	if req.Description != "" {
		params.Description = sg.String(req.Description)
	}
	params.IdempotencyKey = key("", req.IdempotencyKey)
	pi, err := p.c.V1PaymentIntents.Create(ctx, params)
	if err != nil {
		return service.ProviderCharge{}, mapErr(err)
	}
	switch pi.Status {
	case sg.PaymentIntentStatusSucceeded, sg.PaymentIntentStatusProcessing:
		return service.ProviderCharge{ChargeID: pi.ID}, nil
	}
	return service.ProviderCharge{}, &service.DeclineError{Code: string(pi.Status),
		Message: fmt.Sprintf("Stripe did not complete the payment (payment intent %s is %s): the card needs another payment method or the customer's authentication", pi.ID, pi.Status)}
}

// Refund refunds part of a PaymentIntent.
func (p *Provider) Refund(ctx context.Context, req service.RefundRequest) (service.ProviderRefund, error) {
	amount, err := minor(req.Amount)
	if err != nil {
		return service.ProviderRefund{}, err
	}
	params := &sg.RefundCreateParams{Amount: sg.Int64(amount)}
	if strings.HasPrefix(req.ChargeID, "ch_") {
		params.Charge = sg.String(req.ChargeID)
	} else {
		params.PaymentIntent = sg.String(req.ChargeID)
	}
	params.IdempotencyKey = key("", req.IdempotencyKey)
	r, err := p.c.V1Refunds.Create(ctx, params)
	if err != nil {
		return service.ProviderRefund{}, mapErr(err)
	}
	return service.ProviderRefund{RefundID: r.ID}, nil
}

// DetachCard detaches a payment method from its customer.
func (p *Provider) DetachCard(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	_, err := p.c.V1PaymentMethods.Detach(ctx, token, &sg.PaymentMethodDetachParams{})
	return mapErr(err)
}

// mapErr turns Stripe's card errors into declines; other errors keep their
// Stripe message and request id.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	var se *sg.Error
	if !errors.As(err, &se) {
		return fmt.Errorf("stripe: %w", err)
	}
	if se.Type == sg.ErrorTypeCard {
		code := string(se.Code)
		if se.DeclineCode != "" {
			code = string(se.DeclineCode)
		}
		return &service.DeclineError{Code: code, Message: se.Msg}
	}
	return fmt.Errorf("stripe %s (%s, request %s): %s: %w", se.Type, se.Code, se.RequestID, se.Msg, err)
}
