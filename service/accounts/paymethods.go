package accounts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/id"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service/usecase"
)

// PaymentProvider is the card processor Facturo charges through (the
// built-in test provider, Stripe). The service calls it; adapters in
// package payprovider implement it. Card numbers never reach Facturo's
// database: the provider turns what the customer typed into a token.
type PaymentProvider interface {
	// Name identifies the provider ("test", "stripe"); stored with each card.
	Name() string
	// AttachCard registers a card for a customer at the provider, creating
	// the provider's customer when ProviderCustomer is empty.
	AttachCard(ctx context.Context, req AttachCardRequest) (ProviderCard, error)
	// Charge charges amount (in currency, with its minor unit) to a card.
	// A repeat with the same IdempotencyKey returns the first charge. A card
	// the processor refuses returns a *DeclineError.
	Charge(ctx context.Context, req ChargeRequest) (ProviderCharge, error)
	// Refund returns amount of a charge to the card.
	Refund(ctx context.Context, req RefundRequest) (ProviderRefund, error)
	// DetachCard forgets a card at the provider (best effort).
	DetachCard(ctx context.Context, token string) error
	// SetupCard starts card entry in the customer's browser and returns
	// the client secret the provider's script confirms there (Stripe: a
	// SetupIntent's, for the provider's customer when there is one;
	// the card it sets up comes back to AttachCard as a pm_… id).
	SetupCard(ctx context.Context, providerCustomer string) (clientSecret string, err error)
	// AcceptsCardNumbers is true for a provider that takes card numbers
	// themselves (the test provider). Any other receives only the tokens
	// its own script creates in the browser, so a card number never
	// reaches Facturo.
	AcceptsCardNumbers() bool
	// PublishableKey is the public key the provider's script in the
	// browser needs (Stripe's pk_…), or "".
	PublishableKey() string
}

// looksLikeCardNumber reports whether s is a card number: 12 to 19 digits,
// spaces and dashes aside.
func looksLikeCardNumber(s string) bool {
	n := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			n++
		case r == ' ' || r == '-':
		default:
			return false
		}
	}
	return n >= 12 && n <= 19
}

// AttachCardRequest asks a provider to keep a card.
type AttachCardRequest struct {
	// ProviderCustomer is the provider's id of the customer ("" creates one).
	ProviderCustomer string
	CustomerName     string
	Email            string
	// Card is what the client sent: a provider token (Stripe: pm_… or
	// tok_…), or for the test provider a test card number.
	Card     string
	ExpMonth int
	ExpYear  int
	// IdempotencyKey makes a retried attach safe.
	IdempotencyKey string
}

// ProviderCard is what Facturo stores of a card.
type ProviderCard struct {
	ProviderCustomer string
	Token            string
	Brand            string
	Last4            string
	ExpMonth         int
	ExpYear          int
}

// ChargeRequest charges a stored card.
type ChargeRequest struct {
	ProviderCustomer string
	Token            string
	Amount           money.Amount // rounded to its currency's minor unit
	Description      string
	IdempotencyKey   string
}

// ProviderCharge is a successful charge.
type ProviderCharge struct {
	ChargeID string
}

// RefundRequest refunds part or all of a charge.
type RefundRequest struct {
	ChargeID       string
	Amount         money.Amount
	IdempotencyKey string
}

// ProviderRefund is a successful refund.
type ProviderRefund struct {
	RefundID string
}

// DeclineError is a card the provider refused: declined, expired, invalid.
type DeclineError struct {
	Code    string // card_declined, expired_card, incorrect_number, insufficient_funds …
	Message string
}

func (e *DeclineError) Error() string { return fmt.Sprintf("card refused (%s): %s", e.Code, e.Message) }

// DeclineReasons word the refusals every card processor reports, by code,
// so that pages say them in the reader's language (messages.Error); a
// refusal with another code shows the provider's message.
var DeclineReasons = map[string]string{
	"card_declined":      "the card was declined: use another card or ask the bank",
	"expired_card":       "the card has expired: use another card",
	"incorrect_cvc":      "the card's security code is incorrect",
	"invalid_cvc":        "the card's security code is incorrect",
	"incorrect_number":   "the card number is incorrect",
	"invalid_number":     "the card number is incorrect",
	"insufficient_funds": "the card has insufficient funds: use another card",
	"processing_error":   "the card could not be processed: try again",
}

// ProviderErr turns a provider error into a domain error: a refused card is
// payment_failed (402), anything else is an upstream failure (internal).
func ProviderErr(err error) error {
	var d *DeclineError
	if errors.As(err, &d) {
		e := fail.Newf(fail.PaymentFailed, "the card was refused (%s): %s", d.Code, d.Message)
		e.Fields = []fail.FieldError{{Field: "card", Message: d.Message}}
		if reason, ok := DeclineReasons[d.Code]; ok {
			// Facturo's own words, which pages write in the reader's language.
			e.Fields[0].Format = reason
		}
		return e
	}
	var fe *fail.Error
	if errors.As(err, &fe) {
		return err
	}
	return fmt.Errorf("payment provider: %w", err)
}

// RequireProvider refuses card actions while no payment provider is configured.
func RequireProvider(provider PaymentProvider) error {
	if provider == nil {
		return fail.Conflictf("no payment provider is configured: start Facturo with --payment-provider test, or set FACTURO_STRIPE_KEY")
	}
	return nil
}

// PaymentMethodStore persists cards on file.
type PaymentMethodStore interface {
	InsertPaymentMethod(ctx context.Context, m PaymentMethod) error
	ListPaymentMethods(ctx context.Context, tenantID, customerID string) ([]PaymentMethod, error)
	GetPaymentMethod(ctx context.Context, tenantID, id string) (PaymentMethod, error)
	DeletePaymentMethod(ctx context.Context, tenantID, id string) error
	// SetPrimaryPaymentMethod makes id the customer's only primary card
	// ("" leaves none).
	SetPrimaryPaymentMethod(ctx context.Context, tenantID, customerID, id string) error
}

// PaymentMethod is a card on file: the provider's token, brand, last four
// digits and expiry. Never the card number.
type PaymentMethod struct {
	ID               string    `json:"id"`
	TenantID         string    `json:"-"`
	CustomerID       string    `json:"customer_id"`
	Provider         string    `json:"provider"`
	ProviderCustomer string    `json:"-"`
	Token            string    `json:"-"`
	Brand            string    `json:"brand"`
	Last4            string    `json:"last4"`
	ExpMonth         int       `json:"exp_month"`
	ExpYear          int       `json:"exp_year"`
	Primary          bool      `json:"primary"`
	CreatedAt        time.Time `json:"created_at"`
}

// Expired reports whether the card's expiry month lies before today's month.
func (m PaymentMethod) Expired(today calendar.Date) bool {
	return m.ExpYear < today.Year || (m.ExpYear == today.Year && m.ExpMonth < int(today.Month))
}

// NewPaymentMethod adds a card.
type NewPaymentMethod struct {
	// Card is a provider token, or for the test provider a test card number.
	Card     string
	ExpMonth int
	ExpYear  int
	// Primary makes it the customer's primary card (the first card always is).
	Primary        bool
	IdempotencyKey string
}

// RequireOwnAccount checks p may manage customerID's payment methods and
// pay its invoices: staff with perm, or the customer itself.
func RequireOwnAccount(p access.Principal, perm access.Permission, customerID string) error {
	perm, sees := ownAccount(p, perm, customerID)
	if err := p.Require(perm); err != nil {
		return err
	}
	return sees()
}

// ownAccount splits RequireOwnAccount for the envelope: the permission to
// require (OwnAccount for a customer), and the check that a customer acts
// on its own account (another is not found).
func ownAccount(p access.Principal, perm access.Permission, customerID string) (access.Permission, func() error) {
	if !p.IsCustomer() {
		return perm, func() error { return nil }
	}
	return access.OwnAccount, func() error {
		if !p.SeesCustomer(customerID) {
			return fail.NotFoundf("customer %s not found", customerID)
		}
		return nil
	}
}

// AddPaymentMethod registers a card with the provider and keeps its token,
// brand, last four digits and expiry. A refused card writes nothing.
func (s *Service) AddPaymentMethod(ctx context.Context, p access.Principal, customerID string, in NewPaymentMethod) (PaymentMethod, error) {
	perm, sees := ownAccount(p, access.ManagePayments, customerID)
	check := func() error {
		if err := sees(); err != nil {
			return err
		}
		if err := RequireProvider(s.deps.Provider); err != nil {
			return err
		}
		in.Card = strings.TrimSpace(in.Card)
		var c fail.Collector
		if in.Card == "" || len(in.Card) > 255 {
			c.Add("card", "is required: a card token from the payment provider (or a test card number with the test provider)")
		} else if looksLikeCardNumber(in.Card) && !s.deps.Provider.AcceptsCardNumbers() {
			c.Add("card", "must be a payment method id created in the browser by the payment provider's script, never a card number")
		}
		if in.ExpMonth != 0 || in.ExpYear != 0 {
			if in.ExpMonth < 1 || in.ExpMonth > 12 {
				c.Add("exp_month", "must be 1 to 12")
			}
			if in.ExpYear < 2000 || in.ExpYear > 2100 {
				c.Add("exp_year", "must be a four-digit year")
			}
		}
		return c.Err()
	}
	return usecase.Write(ctx, s.payMethods, p, perm, check, func(tx PayMethodsTx) (PaymentMethod, usecase.Audit, error) {
		none := usecase.Audit{}
		provider := s.deps.Provider
		cust, err := tx.GetCustomer(ctx, p.TenantID, customerID)
		if err != nil {
			return PaymentMethod{}, none, err
		}
		tenant, err := tx.GetTenant(ctx, p.TenantID)
		if err != nil {
			return PaymentMethod{}, none, err
		}
		existing, err := tx.ListPaymentMethods(ctx, p.TenantID, customerID)
		if err != nil {
			return PaymentMethod{}, none, err
		}
		req := AttachCardRequest{CustomerName: cust.Name, Email: cust.Billing.Email, Card: in.Card,
			ExpMonth: in.ExpMonth, ExpYear: in.ExpYear, IdempotencyKey: in.IdempotencyKey}
		for _, e := range existing {
			if e.Provider == provider.Name() && e.ProviderCustomer != "" {
				req.ProviderCustomer = e.ProviderCustomer
			}
		}
		card, err := provider.AttachCard(ctx, req)
		if err != nil {
			return PaymentMethod{}, none, ProviderErr(err)
		}
		now := s.now()
		m := PaymentMethod{ID: id.NewAt("pm", now), TenantID: p.TenantID, CustomerID: customerID, Provider: provider.Name(),
			ProviderCustomer: card.ProviderCustomer, Token: card.Token, Brand: card.Brand, Last4: card.Last4,
			ExpMonth: card.ExpMonth, ExpYear: card.ExpYear, CreatedAt: now}
		if m.Expired(calendar.Today(now, tenant.Location())) {
			return PaymentMethod{}, none, fail.Newf(fail.PaymentFailed, "the card expired in %02d/%d: use another card", m.ExpMonth, m.ExpYear)
		}
		if err := tx.InsertPaymentMethod(ctx, m); err != nil {
			return PaymentMethod{}, none, err
		}
		if in.Primary || len(existing) == 0 {
			if err := tx.SetPrimaryPaymentMethod(ctx, p.TenantID, customerID, m.ID); err != nil {
				return PaymentMethod{}, none, err
			}
			m.Primary = true
		}
		return m, usecase.Entry("payment_method.added", "customer", customerID, map[string]any{
			"payment_method_id": m.ID, "brand": m.Brand, "last4": m.Last4, "primary": m.Primary}), nil
	})
}

// CardSetup is what the browser needs to take a card with the provider's
// own script: the provider, its public key and a client secret.
type CardSetup struct {
	Provider       string `json:"provider"`
	PublishableKey string `json:"publishable_key,omitempty"`
	ClientSecret   string `json:"client_secret"`
}

// SetupCard starts card entry in the browser for a customer (Stripe: a
// SetupIntent, for the customer's Stripe customer once a card gave it one;
// confirming it in the browser handles 3-D Secure). Nothing is stored: the
// card is kept when its id comes back to AddPaymentMethod.
func (s *Service) SetupCard(ctx context.Context, p access.Principal, customerID string) (CardSetup, error) {
	if err := RequireOwnAccount(p, access.ManagePayments, customerID); err != nil {
		return CardSetup{}, err
	}
	provider := s.deps.Provider
	if err := RequireProvider(provider); err != nil {
		return CardSetup{}, err
	}
	var providerCustomer string
	err := s.payMethods.Store.Read(ctx, func(tx PayMethodsTx) error {
		if _, err := tx.GetCustomer(ctx, p.TenantID, customerID); err != nil {
			return err
		}
		existing, err := tx.ListPaymentMethods(ctx, p.TenantID, customerID)
		for _, e := range existing {
			if e.Provider == provider.Name() && e.ProviderCustomer != "" {
				providerCustomer = e.ProviderCustomer
			}
		}
		return err
	})
	if err != nil {
		return CardSetup{}, err
	}
	secret, err := provider.SetupCard(ctx, providerCustomer)
	if err != nil {
		return CardSetup{}, ProviderErr(err)
	}
	return CardSetup{Provider: provider.Name(), PublishableKey: provider.PublishableKey(), ClientSecret: secret}, nil
}

// ListPaymentMethods lists a customer's cards, the primary first.
func (s *Service) ListPaymentMethods(ctx context.Context, p access.Principal, customerID string) ([]PaymentMethod, error) {
	if err := RequireOwnAccount(p, access.ReadCustomers, customerID); err != nil {
		return nil, err
	}
	var out []PaymentMethod
	err := s.payMethods.Store.Read(ctx, func(tx PayMethodsTx) error {
		if _, err := tx.GetCustomer(ctx, p.TenantID, customerID); err != nil {
			return err
		}
		var err error
		out, err = tx.ListPaymentMethods(ctx, p.TenantID, customerID)
		return err
	})
	return out, err
}

// customerMethod finds a card of the customer; another's is not found.
func customerMethod(ctx context.Context, tx PayMethodsTx, p access.Principal, customerID, methodID string) (PaymentMethod, error) {
	m, err := tx.GetPaymentMethod(ctx, p.TenantID, methodID)
	if err != nil {
		return m, err
	}
	if m.CustomerID != customerID {
		return m, fail.NotFoundf("payment method %s not found", methodID)
	}
	return m, nil
}

// RemovePaymentMethod deletes a card (and detaches it at the provider). A
// removed primary card leaves the customer without one until another is
// set; Deps.PrimaryRemovalChecks may refuse removing it.
func (s *Service) RemovePaymentMethod(ctx context.Context, p access.Principal, customerID, methodID string) error {
	perm, sees := ownAccount(p, access.ManagePayments, customerID)
	token, err := usecase.Write(ctx, s.payMethods, p, perm, sees, func(tx PayMethodsTx) (string, usecase.Audit, error) {
		m, err := customerMethod(ctx, tx, p, customerID, methodID)
		if err != nil {
			return "", usecase.Audit{}, err
		}
		if m.Primary {
			for _, check := range s.deps.PrimaryRemovalChecks {
				if err := check(ctx, tx, p.TenantID, customerID); err != nil {
					return "", usecase.Audit{}, err
				}
			}
		}
		if err := tx.DeletePaymentMethod(ctx, p.TenantID, methodID); err != nil {
			return "", usecase.Audit{}, err
		}
		return m.Token, usecase.Entry("payment_method.removed", "customer", customerID, map[string]any{
			"payment_method_id": m.ID, "brand": m.Brand, "last4": m.Last4, "primary": m.Primary}), nil
	})
	if err == nil && s.deps.Provider != nil {
		_ = s.deps.Provider.DetachCard(ctx, token) // the token is forgotten either way
	}
	return err
}

// SetPrimaryPaymentMethod makes a card the customer's primary card.
func (s *Service) SetPrimaryPaymentMethod(ctx context.Context, p access.Principal, customerID, methodID string) (PaymentMethod, error) {
	perm, sees := ownAccount(p, access.ManagePayments, customerID)
	return usecase.Write(ctx, s.payMethods, p, perm, sees, func(tx PayMethodsTx) (PaymentMethod, usecase.Audit, error) {
		m, err := customerMethod(ctx, tx, p, customerID, methodID)
		if err != nil {
			return PaymentMethod{}, usecase.Audit{}, err
		}
		if err := tx.SetPrimaryPaymentMethod(ctx, p.TenantID, customerID, methodID); err != nil {
			return PaymentMethod{}, usecase.Audit{}, err
		}
		m.Primary = true
		return m, usecase.Entry("payment_method.primary_set", "customer", customerID, map[string]any{
			"payment_method_id": m.ID, "brand": m.Brand, "last4": m.Last4}), nil
	})
}

// PrimaryPaymentMethod returns the customer's primary card, or a conflict
// naming what to do when there is none.
func PrimaryPaymentMethod(ctx context.Context, tx PaymentMethodStore, tenantID, customerID string) (PaymentMethod, error) {
	ms, err := tx.ListPaymentMethods(ctx, tenantID, customerID)
	if err != nil {
		return PaymentMethod{}, err
	}
	for _, m := range ms {
		if m.Primary {
			return m, nil
		}
	}
	return PaymentMethod{}, fail.Conflictf("customer %s has no primary card: add a card or set one as primary", customerID)
}

// chargeCard charges a stored card through the provider, outside any
// bookkeeping: the wallet's top-ups and the payments of invoices use it.
// An expired or refused card is payment_failed.
func (s *Service) chargeCard(ctx context.Context, m PaymentMethod, today calendar.Date, amount money.Amount, desc, key string) (ProviderCharge, error) {
	provider := s.deps.Provider
	if err := RequireProvider(provider); err != nil {
		return ProviderCharge{}, err
	}
	if m.Provider != provider.Name() {
		return ProviderCharge{}, fail.Conflictf("card %s ····%s belongs to payment provider %q, not the configured %q", m.Brand, m.Last4, m.Provider, provider.Name())
	}
	if m.Expired(today) {
		e := fail.Newf(fail.PaymentFailed, "the card %s ····%s expired in %02d/%d: add another card or set one as primary", m.Brand, m.Last4, m.ExpMonth, m.ExpYear)
		e.Fields = []fail.FieldError{{Field: "card", Message: "expired"}}
		return ProviderCharge{}, e
	}
	ch, err := provider.Charge(ctx, ChargeRequest{ProviderCustomer: m.ProviderCustomer, Token: m.Token, Amount: amount,
		Description: desc, IdempotencyKey: key})
	if err != nil {
		return ch, ProviderErr(err)
	}
	return ch, nil
}

// ChargePrimaryCard charges a customer's primary card within tx (for use
// cases of other areas of the service, e.g. wallet top-ups and invoice
// payments). The charge happens at the provider at once; the caller
// records it in tx.
func (s *Service) ChargePrimaryCard(ctx context.Context, tx PaymentMethodStore, tenantID, customerID string, today calendar.Date, amount money.Amount, desc, key string) (PaymentMethod, ProviderCharge, error) {
	m, err := PrimaryPaymentMethod(ctx, tx, tenantID, customerID)
	if err != nil {
		return m, ProviderCharge{}, err
	}
	ch, err := s.chargeCard(ctx, m, today, amount, desc, key)
	return m, ch, err
}

// PaymentProviderName names the configured card processor ("" if none).
func (s *Service) PaymentProviderName() string {
	if s.deps.Provider == nil {
		return ""
	}
	return s.deps.Provider.Name()
}

// PaymentProviderKey is the configured provider's public key for its
// script in the browser ("" if it needs none).
func (s *Service) PaymentProviderKey() string {
	if s.deps.Provider == nil {
		return ""
	}
	return s.deps.Provider.PublishableKey()
}
