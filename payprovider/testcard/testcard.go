// Package testcard is Facturo's built-in payment provider for demos and
// tests: it runs offline, and the card number decides what happens, like
// Stripe's test cards. It never keeps a card number: a card becomes a token
// that carries only its behaviour and a random part.
//
//	4242424242424242  Visa, every charge succeeds
//	5555555555554444  Mastercard, every charge succeeds
//	378282246310005   American Express, every charge succeeds
//	4000000000000341  Visa, attaches but every charge is declined
//	4000000000009995  Visa, attaches but charges fail with insufficient funds
//	4000000000000002  Visa, declined when attached
//	4000000000000069  Visa, expired when attached
//	4000000000000127  Visa, incorrect CVC when attached
//
// Any other number that passes the Luhn check attaches and charges like
// 4242424242424242; one that fails it is an incorrect number.
package testcard

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service"
)

// Provider is the test payment provider. Its zero value is not usable: call New.
type Provider struct {
	mu      sync.Mutex
	charges map[string]charge // by charge id
	byKey   map[string]string // idempotency key → charge id
	refunds map[string]string // idempotency key → refund id
	now     func() time.Time
}

type charge struct {
	amount   money.Amount
	refunded money.Amount
}

// New returns a test provider.
func New() *Provider {
	return &Provider{charges: map[string]charge{}, byKey: map[string]string{}, refunds: map[string]string{}, now: time.Now}
}

// Name is "test".
func (p *Provider) Name() string { return "test" }

// behaviours of tokens: what a charge does.
const (
	behaveOK           = "ok"
	behaveDecline      = "decline"
	behaveInsufficient = "insufficient"
)

type card struct {
	brand  string
	attach string // "" or the decline code when attaching
	charge string
}

var cards = map[string]card{
	"4242424242424242": {brand: "visa", charge: behaveOK},
	"5555555555554444": {brand: "mastercard", charge: behaveOK},
	"378282246310005":  {brand: "amex", charge: behaveOK},
	"4000000000000341": {brand: "visa", charge: behaveDecline},
	"4000000000009995": {brand: "visa", charge: behaveInsufficient},
	"4000000000000002": {brand: "visa", attach: "card_declined"},
	"4000000000000069": {brand: "visa", attach: "expired_card"},
	"4000000000000127": {brand: "visa", attach: "incorrect_cvc"},
}

var messages = map[string]string{
	"card_declined":      "Your card was declined.",
	"expired_card":       "Your card has expired.",
	"incorrect_cvc":      "Your card's security code is incorrect.",
	"incorrect_number":   "Your card number is incorrect.",
	"insufficient_funds": "Your card has insufficient funds.",
}

func decline(code string) error { return &service.DeclineError{Code: code, Message: messages[code]} }

func random(prefix string) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// AttachCard turns a test card number into a token.
func (p *Provider) AttachCard(_ context.Context, req service.AttachCardRequest) (service.ProviderCard, error) {
	number := strings.NewReplacer(" ", "", "-", "").Replace(req.Card)
	if len(number) < 12 || len(number) > 19 || !luhn(number) {
		return service.ProviderCard{}, decline("incorrect_number")
	}
	c, known := cards[number]
	if !known {
		c = card{brand: brandOf(number), charge: behaveOK}
	}
	if c.attach != "" {
		return service.ProviderCard{}, decline(c.attach)
	}
	month, year := req.ExpMonth, req.ExpYear
	if month == 0 && year == 0 {
		now := p.now().UTC()
		month, year = 12, now.Year()+3
	}
	cust := req.ProviderCustomer
	if cust == "" {
		cust = random("cus_test_")
	}
	return service.ProviderCard{ProviderCustomer: cust, Token: "tok_test_" + c.charge + "_" + random(""),
		Brand: c.brand, Last4: number[len(number)-4:], ExpMonth: month, ExpYear: year}, nil
}

func brandOf(number string) string {
	switch {
	case strings.HasPrefix(number, "4"):
		return "visa"
	case strings.HasPrefix(number, "5"):
		return "mastercard"
	case strings.HasPrefix(number, "34"), strings.HasPrefix(number, "37"):
		return "amex"
	}
	return "unknown"
}

func luhn(number string) bool {
	sum := 0
	double := false
	for i := len(number) - 1; i >= 0; i-- {
		d := int(number[i] - '0')
		if d < 0 || d > 9 {
			return false
		}
		if double {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// Charge succeeds or declines according to the token's card. A repeated
// idempotency key returns the first charge.
func (p *Provider) Charge(_ context.Context, req service.ChargeRequest) (service.ProviderCharge, error) {
	behaviour, ok := strings.CutPrefix(req.Token, "tok_test_")
	if !ok {
		return service.ProviderCharge{}, fmt.Errorf("testcard: token %q is not a test provider token", req.Token)
	}
	behaviour, _, _ = strings.Cut(behaviour, "_")
	if req.Amount.Sign() <= 0 {
		return service.ProviderCharge{}, fmt.Errorf("testcard: amount must be positive, got %s", req.Amount)
	}
	switch behaviour {
	case behaveDecline:
		return service.ProviderCharge{}, decline("card_declined")
	case behaveInsufficient:
		return service.ProviderCharge{}, decline("insufficient_funds")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if req.IdempotencyKey != "" {
		if id, ok := p.byKey[req.IdempotencyKey]; ok {
			return service.ProviderCharge{ChargeID: id}, nil
		}
	}
	id := random("ch_test_")
	p.charges[id] = charge{amount: req.Amount, refunded: money.Zero(req.Amount.Currency())}
	if req.IdempotencyKey != "" {
		p.byKey[req.IdempotencyKey] = id
	}
	return service.ProviderCharge{ChargeID: id}, nil
}

// Refund refunds part of a charge this provider made, never more than it
// charged. Charges made before a restart are trusted (the provider keeps
// no state on disk).
func (p *Provider) Refund(_ context.Context, req service.RefundRequest) (service.ProviderRefund, error) {
	if !strings.HasPrefix(req.ChargeID, "ch_test_") {
		return service.ProviderRefund{}, fmt.Errorf("testcard: %q is not a test provider charge", req.ChargeID)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if req.IdempotencyKey != "" {
		if id, ok := p.refunds[req.IdempotencyKey]; ok {
			return service.ProviderRefund{RefundID: id}, nil
		}
	}
	if c, ok := p.charges[req.ChargeID]; ok {
		refunded, err := c.refunded.Add(req.Amount)
		if err != nil {
			return service.ProviderRefund{}, fmt.Errorf("testcard: refund of charge %s: %w", req.ChargeID, err)
		}
		if refunded.Decimal().GreaterThan(c.amount.Decimal()) {
			return service.ProviderRefund{}, fmt.Errorf("testcard: refund of %s exceeds the %s left on charge %s", req.Amount, c.amount.MustSub(c.refunded), req.ChargeID)
		}
		c.refunded = refunded
		p.charges[req.ChargeID] = c
	}
	id := random("re_test_")
	if req.IdempotencyKey != "" {
		p.refunds[req.IdempotencyKey] = id
	}
	return service.ProviderRefund{RefundID: id}, nil
}

// AcceptsCardNumbers is true: the test provider's cards are numbers typed
// into Facturo's own form.
func (p *Provider) AcceptsCardNumbers() bool { return true }

// PublishableKey is "": the test provider has no script in the browser.
func (p *Provider) PublishableKey() string { return "" }

// SetupCard returns a stand-in client secret shaped like Stripe's
// (seti_…_secret_…), so the page that asks for one works offline; the card
// itself is then entered in Facturo's form.
func (p *Provider) SetupCard(context.Context, string) (string, error) {
	return random("seti_test_") + "_secret_" + random(""), nil
}

// DetachCard does nothing: test tokens hold no state.
func (p *Provider) DetachCard(context.Context, string) error { return nil }

// Net is what this provider charged minus what it refunded, over every
// charge since New: what its "customers" paid, for tests.
func (p *Provider) Net() decimal.Decimal {
	p.mu.Lock()
	defer p.mu.Unlock()
	var n decimal.Decimal
	for _, c := range p.charges {
		n = n.Add(c.amount.Decimal()).Sub(c.refunded.Decimal()) // over every currency: a test figure
	}
	return n
}
