package service

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/id"
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
	Amount           decimal.Decimal // in Currency's major unit, rounded to its minor unit
	Currency         string
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
	Amount         decimal.Decimal
	Currency       string
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

// WithPaymentProvider sets the card processor. Without one, card actions
// answer that no provider is configured.
func WithPaymentProvider(p PaymentProvider) Option { return func(s *Service) { s.provider = p } }

// providerErr turns a provider error into a domain error: a refused card is
// payment_failed (402), anything else is an upstream failure (internal).
func providerErr(err error) error {
	var d *DeclineError
	if errors.As(err, &d) {
		e := fail.Newf(fail.PaymentFailed, "the card was refused (%s): %s", d.Code, d.Message)
		e.Fields = []fail.FieldError{{Field: "card", Message: d.Message}}
		return e
	}
	var fe *fail.Error
	if errors.As(err, &fe) {
		return err
	}
	return fmt.Errorf("payment provider: %w", err)
}

func (s *Service) requireProvider() error {
	if s.provider == nil {
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

// requireOwnAccount checks p may manage customerID's payment methods and
// pay its invoices: staff with perm, or the customer itself.
func requireOwnAccount(p access.Principal, perm access.Permission, customerID string) error {
	if p.IsCustomer() {
		if err := p.Require(access.OwnAccount); err != nil {
			return err
		}
		if !p.SeesCustomer(customerID) {
			return fail.NotFoundf("customer %s not found", customerID)
		}
		return nil
	}
	return p.Require(perm)
}

// AddPaymentMethod registers a card with the provider and keeps its token,
// brand, last four digits and expiry. A refused card writes nothing.
func (s *Service) AddPaymentMethod(ctx context.Context, p access.Principal, customerID string, in NewPaymentMethod) (PaymentMethod, error) {
	if err := requireOwnAccount(p, access.ManagePayments, customerID); err != nil {
		return PaymentMethod{}, err
	}
	if err := s.requireProvider(); err != nil {
		return PaymentMethod{}, err
	}
	in.Card = strings.TrimSpace(in.Card)
	var c fail.Collector
	if in.Card == "" || len(in.Card) > 255 {
		c.Add("card", "is required: a card token from the payment provider (or a test card number with the test provider)")
	}
	if in.ExpMonth != 0 || in.ExpYear != 0 {
		if in.ExpMonth < 1 || in.ExpMonth > 12 {
			c.Add("exp_month", "must be 1 to 12")
		}
		if in.ExpYear < 2000 || in.ExpYear > 2100 {
			c.Add("exp_year", "must be a four-digit year")
		}
	}
	if err := c.Err(); err != nil {
		return PaymentMethod{}, err
	}
	var m PaymentMethod
	err := s.store.Write(ctx, func(tx Tx) error {
		cust, err := tx.GetCustomer(ctx, p.TenantID, customerID)
		if err != nil {
			return err
		}
		tenant, err := tx.GetTenant(ctx, p.TenantID)
		if err != nil {
			return err
		}
		existing, err := tx.ListPaymentMethods(ctx, p.TenantID, customerID)
		if err != nil {
			return err
		}
		req := AttachCardRequest{CustomerName: cust.Name, Email: cust.Billing.Email, Card: in.Card,
			ExpMonth: in.ExpMonth, ExpYear: in.ExpYear, IdempotencyKey: in.IdempotencyKey}
		for _, e := range existing {
			if e.Provider == s.provider.Name() && e.ProviderCustomer != "" {
				req.ProviderCustomer = e.ProviderCustomer
			}
		}
		card, err := s.provider.AttachCard(ctx, req)
		if err != nil {
			return providerErr(err)
		}
		now := s.Now()
		m = PaymentMethod{ID: id.NewAt("pm", now), TenantID: p.TenantID, CustomerID: customerID, Provider: s.provider.Name(),
			ProviderCustomer: card.ProviderCustomer, Token: card.Token, Brand: card.Brand, Last4: card.Last4,
			ExpMonth: card.ExpMonth, ExpYear: card.ExpYear, CreatedAt: now}
		if m.Expired(calendar.Today(now, tenant.Location())) {
			return fail.Newf(fail.PaymentFailed, "the card expired in %02d/%d: use another card", m.ExpMonth, m.ExpYear)
		}
		if err := tx.InsertPaymentMethod(ctx, m); err != nil {
			return err
		}
		if in.Primary || len(existing) == 0 {
			if err := tx.SetPrimaryPaymentMethod(ctx, p.TenantID, customerID, m.ID); err != nil {
				return err
			}
			m.Primary = true
		}
		return s.audit(ctx, tx, p, "payment_method.added", "customer", customerID, map[string]any{
			"payment_method_id": m.ID, "brand": m.Brand, "last4": m.Last4, "primary": m.Primary})
	})
	return m, err
}

// ListPaymentMethods lists a customer's cards, the primary first.
func (s *Service) ListPaymentMethods(ctx context.Context, p access.Principal, customerID string) ([]PaymentMethod, error) {
	perm := access.ReadCustomers
	if err := requireOwnAccount(p, perm, customerID); err != nil {
		return nil, err
	}
	var out []PaymentMethod
	err := s.store.Read(ctx, func(tx Tx) error {
		if _, err := tx.GetCustomer(ctx, p.TenantID, customerID); err != nil {
			return err
		}
		var err error
		out, err = tx.ListPaymentMethods(ctx, p.TenantID, customerID)
		return err
	})
	return out, err
}

func (s *Service) customerMethod(ctx context.Context, tx Tx, p access.Principal, customerID, methodID string) (PaymentMethod, error) {
	m, err := tx.GetPaymentMethod(ctx, p.TenantID, methodID)
	if err != nil {
		return m, err
	}
	if m.CustomerID != customerID {
		return m, fail.NotFoundf("payment method %s not found", methodID)
	}
	return m, nil
}

// PrimaryRemovalCheck may refuse removing a customer's primary card (the
// wallet refuses while automatic recharge is on). It runs in the removing
// transaction.
type PrimaryRemovalCheck func(ctx context.Context, tx Tx, tenantID, customerID string) error

// WithPrimaryRemovalCheck adds a check run before a primary card is removed.
func WithPrimaryRemovalCheck(c PrimaryRemovalCheck) Option {
	return func(s *Service) { s.primaryRemovalChecks = append(s.primaryRemovalChecks, c) }
}

// RemovePaymentMethod deletes a card (and detaches it at the provider). A
// removed primary card leaves the customer without one until another is set.
func (s *Service) RemovePaymentMethod(ctx context.Context, p access.Principal, customerID, methodID string) error {
	if err := requireOwnAccount(p, access.ManagePayments, customerID); err != nil {
		return err
	}
	var token string
	err := s.store.Write(ctx, func(tx Tx) error {
		m, err := s.customerMethod(ctx, tx, p, customerID, methodID)
		if err != nil {
			return err
		}
		if m.Primary {
			for _, check := range s.primaryRemovalChecks {
				if err := check(ctx, tx, p.TenantID, customerID); err != nil {
					return err
				}
			}
		}
		if err := tx.DeletePaymentMethod(ctx, p.TenantID, methodID); err != nil {
			return err
		}
		token = m.Token
		return s.audit(ctx, tx, p, "payment_method.removed", "customer", customerID, map[string]any{
			"payment_method_id": m.ID, "brand": m.Brand, "last4": m.Last4, "primary": m.Primary})
	})
	if err == nil && s.provider != nil {
		_ = s.provider.DetachCard(ctx, token) // the token is forgotten either way
	}
	return err
}

// SetPrimaryPaymentMethod makes a card the customer's primary card.
func (s *Service) SetPrimaryPaymentMethod(ctx context.Context, p access.Principal, customerID, methodID string) (PaymentMethod, error) {
	if err := requireOwnAccount(p, access.ManagePayments, customerID); err != nil {
		return PaymentMethod{}, err
	}
	var m PaymentMethod
	err := s.store.Write(ctx, func(tx Tx) error {
		var err error
		if m, err = s.customerMethod(ctx, tx, p, customerID, methodID); err != nil {
			return err
		}
		if err := tx.SetPrimaryPaymentMethod(ctx, p.TenantID, customerID, methodID); err != nil {
			return err
		}
		m.Primary = true
		return s.audit(ctx, tx, p, "payment_method.primary_set", "customer", customerID, map[string]any{
			"payment_method_id": m.ID, "brand": m.Brand, "last4": m.Last4})
	})
	return m, err
}

// PrimaryPaymentMethod returns the customer's primary card, or a conflict
// naming what to do when there is none.
func (s *Service) primaryPaymentMethod(ctx context.Context, tx Tx, tenantID, customerID string) (PaymentMethod, error) {
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

// ChargeCard charges a stored card through the provider, outside any
// bookkeeping: the wallet's top-ups and the payments of invoices use it.
// An expired or refused card is payment_failed.
func (s *Service) chargeCard(ctx context.Context, m PaymentMethod, today calendar.Date, amount decimal.Decimal, currency, desc, key string) (ProviderCharge, error) {
	if err := s.requireProvider(); err != nil {
		return ProviderCharge{}, err
	}
	if m.Provider != s.provider.Name() {
		return ProviderCharge{}, fail.Conflictf("card %s ····%s belongs to payment provider %q, not the configured %q", m.Brand, m.Last4, m.Provider, s.provider.Name())
	}
	if m.Expired(today) {
		e := fail.Newf(fail.PaymentFailed, "the card %s ····%s expired in %02d/%d: add another card or set one as primary", m.Brand, m.Last4, m.ExpMonth, m.ExpYear)
		e.Fields = []fail.FieldError{{Field: "card", Message: "expired"}}
		return ProviderCharge{}, e
	}
	ch, err := s.provider.Charge(ctx, ChargeRequest{ProviderCustomer: m.ProviderCustomer, Token: m.Token, Amount: amount,
		Currency: currency, Description: desc, IdempotencyKey: key})
	if err != nil {
		return ch, providerErr(err)
	}
	return ch, nil
}

// ChargePrimaryCard charges a customer's primary card within tx (for use
// cases of other packages of the service, e.g. wallet top-ups). The charge
// happens at the provider at once; the caller records it in tx.
func (s *Service) ChargePrimaryCard(ctx context.Context, tx Tx, tenantID, customerID string, today calendar.Date, amount decimal.Decimal, currency, desc, key string) (PaymentMethod, ProviderCharge, error) {
	m, err := s.primaryPaymentMethod(ctx, tx, tenantID, customerID)
	if err != nil {
		return m, ProviderCharge{}, err
	}
	ch, err := s.chargeCard(ctx, m, today, amount, currency, desc, key)
	return m, ch, err
}

// PaymentProviderName names the configured card processor ("" if none).
func (s *Service) PaymentProviderName() string {
	if s.provider == nil {
		return ""
	}
	return s.provider.Name()
}
