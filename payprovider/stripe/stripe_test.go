package stripe_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/internal/stripemock"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/payprovider/stripe"
	"github.com/facturo/facturo/service"
)

func TestStripeProvider(t *testing.T) {
	base, rec := stripemock.Start(t)
	p, err := stripe.New(stripe.Config{Key: "sk_test_facturo", URL: base})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if p.Name() != "stripe" {
		t.Fatalf("name %q", p.Name())
	}

	// A new customer with a payment method: create the customer, attach.
	card, err := p.AttachCard(ctx, service.AttachCardRequest{CustomerName: "Acme S.L.", Email: "billing@acme.test", Card: "pm_card_visa", IdempotencyKey: "k1"})
	if err != nil {
		t.Fatalf("attach: %v", err)
	}
	reqs := rec.Take()
	if len(reqs) != 2 || reqs[0].Path != "/v1/customers" || reqs[0].Form.Get("name") != "Acme S.L." || reqs[0].Form.Get("email") != "billing@acme.test" ||
		reqs[0].Idempotency != "customer:k1" || reqs[0].Auth != "Bearer sk_test_facturo" {
		t.Fatalf("customer request: %+v", reqs)
	}
	if reqs[1].Path != "/v1/payment_methods/pm_card_visa/attach" || reqs[1].Form.Get("customer") != card.ProviderCustomer || reqs[1].Idempotency != "attach:k1" {
		t.Fatalf("attach request: %+v (customer %s)", reqs[1], card.ProviderCustomer)
	}
	if !strings.HasPrefix(card.ProviderCustomer, "cus_") || !strings.HasPrefix(card.Token, "pm_") || card.Brand == "" || len(card.Last4) != 4 ||
		card.ExpMonth < 1 || card.ExpMonth > 12 || card.ExpYear < 2000 {
		t.Fatalf("card from the response: %+v", card)
	}

	// A token for an existing customer: create the payment method, attach; no new customer.
	card2, err := p.AttachCard(ctx, service.AttachCardRequest{ProviderCustomer: "cus_existing", Card: "tok_visa"})
	if err != nil {
		t.Fatalf("attach token: %v", err)
	}
	reqs = rec.Take()
	if len(reqs) != 2 || reqs[0].Path != "/v1/payment_methods" || reqs[0].Form.Get("type") != "card" || reqs[0].Form.Get("card[token]") != "tok_visa" ||
		reqs[1].Form.Get("customer") != "cus_existing" || card2.ProviderCustomer != "cus_existing" {
		t.Fatalf("token requests: %+v card %+v", reqs, card2)
	}
	// A card number is refused before any call.
	_, err = p.AttachCard(ctx, service.AttachCardRequest{Card: "4242424242424242"})
	var d *service.DeclineError
	if !errors.As(err, &d) || len(rec.Take()) != 0 {
		t.Fatalf("card number: %v", err)
	}

	// A charge: amount in minor units, lower-case currency, confirmed off
	// session with the idempotency key. stripe-mock answers with an intent
	// that still requires a payment method, which is not a charge.
	_, err = p.Charge(ctx, service.ChargeRequest{ProviderCustomer: card.ProviderCustomer, Token: card.Token, Amount: money.In(decimal.RequireFromString("12.34"), "EUR"),
		Description: "Invoice INV-1", IdempotencyKey: "pay:1"})
	reqs = rec.Take()
	if len(reqs) != 1 || reqs[0].Path != "/v1/payment_intents" {
		t.Fatalf("charge requests: %+v", reqs)
	}
	f := reqs[0].Form
	if f.Get("amount") != "1234" || f.Get("currency") != "eur" || f.Get("customer") != card.ProviderCustomer || f.Get("payment_method") != card.Token ||
		f.Get("confirm") != "true" || f.Get("off_session") != "true" || f.Get("description") != "Invoice INV-1" || reqs[0].Idempotency != "pay:1" {
		t.Fatalf("charge form: %v (key %q)", f, reqs[0].Idempotency)
	}
	if !errors.As(err, &d) || d.Code != "requires_payment_method" {
		t.Fatalf("an incomplete intent must be a decline, got %v", err)
	}
	// Zero-decimal currencies are not multiplied.
	_, _ = p.Charge(ctx, service.ChargeRequest{ProviderCustomer: "cus_x", Token: "pm_x", Amount: money.In(decimal.NewFromInt(500), "JPY")})
	if reqs = rec.Take(); len(reqs) != 1 || reqs[0].Form.Get("amount") != "500" || reqs[0].Form.Get("currency") != "jpy" {
		t.Fatalf("JPY charge: %+v", reqs)
	}
	if _, err := p.Charge(ctx, service.ChargeRequest{Token: "pm_x", Amount: money.In(decimal.RequireFromString("1.001"), "EUR")}); err == nil || len(rec.Take()) != 0 {
		t.Fatalf("sub-cent amount: %v", err)
	}

	// A refund of a payment intent.
	r, err := p.Refund(ctx, service.RefundRequest{ChargeID: "pi_123", Amount: money.In(decimal.RequireFromString("5.5"), "USD"), IdempotencyKey: "refund:r1"})
	if err != nil {
		t.Fatalf("refund: %v", err)
	}
	reqs = rec.Take()
	if len(reqs) != 1 || reqs[0].Path != "/v1/refunds" || reqs[0].Form.Get("payment_intent") != "pi_123" || reqs[0].Form.Get("amount") != "550" ||
		reqs[0].Idempotency != "refund:r1" || !strings.HasPrefix(r.RefundID, "re_") {
		t.Fatalf("refund: %+v → %+v", reqs, r)
	}

	// Detach.
	if err := p.DetachCard(ctx, card.Token); err != nil {
		t.Fatalf("detach: %v", err)
	}
	if reqs = rec.Take(); len(reqs) != 1 || reqs[0].Path != "/v1/payment_methods/"+card.Token+"/detach" {
		t.Fatalf("detach: %+v", reqs)
	}

	// An API error (stripe-mock validates parameters) is not a decline.
	_, err = p.Refund(ctx, service.RefundRequest{ChargeID: "pi_123", Amount: money.In(decimal.NewFromInt(1), "XXX1")})
	if err == nil || errors.As(err, &d) {
		t.Fatalf("bad currency: %v", err)
	}
}

func TestStripeNeedsKey(t *testing.T) {
	if _, err := stripe.New(stripe.Config{}); err == nil {
		t.Fatal("a provider without a key was accepted")
	}
}

// TestStripeSetupCard: a SetupIntent for off-session use, for the Stripe
// customer when there is one; its client secret is what the browser gets.
// The publishable key must be one (pk_…), never the secret key.
func TestStripeSetupCard(t *testing.T) {
	base, rec := stripemock.Start(t)
	p, err := stripe.New(stripe.Config{Key: "sk_test_facturo", URL: base, PublishableKey: " pk_test_facturo "})
	if err != nil {
		t.Fatal(err)
	}
	if k := p.PublishableKey(); k != "pk_test_facturo" {
		t.Fatalf("publishable key %q", k)
	}
	ctx := context.Background()
	for _, cust := range []string{"", "cus_known"} {
		secret, err := p.SetupCard(ctx, cust)
		if err != nil {
			t.Fatalf("setup for %q: %v", cust, err)
		}
		reqs := rec.Take()
		if len(reqs) != 1 || reqs[0].Path != "/v1/setup_intents" || reqs[0].Form.Get("customer") != cust ||
			reqs[0].Form.Get("usage") != "off_session" || reqs[0].Form.Get("payment_method_types[0]") != "card" {
			t.Fatalf("setup requests for %q: %+v", cust, reqs)
		}
		if !strings.HasPrefix(secret, "seti_") || !strings.Contains(secret, "_secret_") {
			t.Fatalf("client secret %q", secret)
		}
	}
	if _, err := stripe.New(stripe.Config{Key: "sk_test_facturo", PublishableKey: "sk_test_facturo"}); err == nil {
		t.Fatal("a secret key was accepted as the publishable key")
	}
}

// TestStripeAttachConfirmedCard: a card confirmed on a SetupIntent for the
// customer's Stripe customer is attached already and is kept without
// attaching it again; one of another Stripe customer is refused. (stripe-mock
// answers every payment method without a customer, so a small fake answers.)
func TestStripeAttachConfirmedCard(t *testing.T) {
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.Method+" "+r.URL.Path)
		w.Header().Set("Content-Type", "application/json")
		owner := strings.TrimPrefix(r.URL.Path, "/v1/payment_methods/pm_of_")
		_, _ = fmt.Fprintf(w, `{"id": "pm_of_%s", "object": "payment_method", "type": "card", "customer": %q,
			"card": {"brand": "mastercard", "last4": "4444", "exp_month": 3, "exp_year": 2031}}`, owner, owner)
	}))
	defer srv.Close()
	p, err := stripe.New(stripe.Config{Key: "sk_test_facturo", URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	card, err := p.AttachCard(ctx, service.AttachCardRequest{ProviderCustomer: "cus_known", Card: "pm_of_cus_known"})
	if err != nil || card.Token != "pm_of_cus_known" || card.ProviderCustomer != "cus_known" || card.Brand != "mastercard" || card.Last4 != "4444" ||
		card.ExpMonth != 3 || card.ExpYear != 2031 {
		t.Fatalf("attached card: %+v %v", card, err)
	}
	if strings.Join(paths, ",") != "GET /v1/payment_methods/pm_of_cus_known" {
		t.Fatalf("requests: %v", paths)
	}
	paths = nil
	_, err = p.AttachCard(ctx, service.AttachCardRequest{ProviderCustomer: "cus_known", Card: "pm_of_cus_other"})
	var d *service.DeclineError
	if !errors.As(err, &d) || d.Code != "invalid_card" || strings.Join(paths, ",") != "GET /v1/payment_methods/pm_of_cus_other" {
		t.Fatalf("another customer's card: %v (requests %v)", err, paths)
	}
}
