package service_test

import (
	"strings"
	"testing"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/internal/stripemock"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/payprovider/stripe"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

// TestCardSetupWithStripe is card entry on Stripe, on both engines, with
// stripe-mock as Stripe: Facturo creates a SetupIntent (for the customer's
// Stripe customer once one exists) and gives its client secret to the
// browser; the pm_… id confirmed there comes back and is kept with the
// brand and last four digits Stripe reports; a card number is refused as
// bad input naming the field, and a customer sets up cards only on its own
// account.
func TestCardSetupWithStripe(t *testing.T) {
	base, rec := stripemock.Start(t)
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		sp, err := stripe.New(stripe.Config{Key: "sk_test_facturo", URL: base, PublishableKey: "pk_test_facturo"})
		if err != nil {
			t.Fatal(err)
		}
		f := newPayFixture(t, db)
		f.svc = service.New(db, service.WithClock(f.clock.Now), service.WithPaymentProvider(sp))
		c, other := f.customers[1], f.customers[2]
		own := access.Principal{TenantID: f.p.TenantID, UserID: "usr_portal", Role: access.Customer, CustomerID: c.ID, Name: "portal"}
		if k := f.svc.PaymentProviderKey(); k != "pk_test_facturo" {
			t.Fatalf("publishable key %q", k)
		}
		rec.Take()

		// No Stripe customer yet: the SetupIntent has none, for off-session charges later.
		setup := must(f.svc.SetupCard(f.ctx, own, c.ID)).ok(t)
		reqs := rec.Take()
		if len(reqs) != 1 || reqs[0].Method != "POST" || reqs[0].Path != "/v1/setup_intents" || reqs[0].Form.Get("usage") != "off_session" ||
			reqs[0].Form.Get("customer") != "" || reqs[0].Form.Get("payment_method_types[0]") != "card" {
			t.Fatalf("setup intent requests: %+v", reqs)
		}
		if setup.Provider != "stripe" || setup.PublishableKey != "pk_test_facturo" || !strings.HasPrefix(setup.ClientSecret, "seti_") ||
			!strings.Contains(setup.ClientSecret, "_secret_") {
			t.Fatalf("setup: %+v", setup)
		}

		// The confirmed payment method comes back: attached to a new Stripe customer, kept.
		m := must(f.svc.AddPaymentMethod(f.ctx, own, c.ID, service.NewPaymentMethod{Card: "pm_card_visa", IdempotencyKey: "web-1"})).ok(t)
		if m.Provider != "stripe" || m.Token != "pm_card_visa" || m.Brand != "visa" || m.Last4 != "4242" || m.ExpMonth != 8 || m.ExpYear != 2030 ||
			!m.Primary || !strings.HasPrefix(m.ProviderCustomer, "cus_") {
			t.Fatalf("stored card: %+v", m)
		}
		listed := must(f.svc.ListPaymentMethods(f.ctx, f.p, c.ID)).ok(t)
		if len(listed) != 1 || listed[0].ID != m.ID || listed[0].Last4 != "4242" || listed[0].Brand != "visa" {
			t.Fatalf("listed cards: %+v", listed)
		}
		rec.Take()

		// Now the SetupIntent is for that Stripe customer, and a card
		// confirmed on it is read before it is attached.
		must(f.svc.SetupCard(f.ctx, f.p, c.ID)).ok(t)
		if reqs = rec.Take(); len(reqs) != 1 || reqs[0].Form.Get("customer") != m.ProviderCustomer {
			t.Fatalf("second setup intent: %+v", reqs)
		}
		must(f.svc.AddPaymentMethod(f.ctx, own, c.ID, service.NewPaymentMethod{Card: "pm_card_mastercard"})).ok(t)
		if reqs = rec.Take(); len(reqs) != 2 || reqs[0].Method != "GET" || reqs[0].Path != "/v1/payment_methods/pm_card_mastercard" ||
			reqs[1].Path != "/v1/payment_methods/pm_card_mastercard/attach" || reqs[1].Form.Get("customer") != m.ProviderCustomer {
			t.Fatalf("second card requests: %+v", reqs)
		}

		// A card number is bad input naming the field, before Stripe is called; nothing is written.
		counted := f.counts(t)
		for _, number := range []string{"4242424242424242", "4242 4242 4242 4242", "4000-0000-0000-0002"} {
			_, err = f.svc.AddPaymentMethod(f.ctx, own, c.ID, service.NewPaymentMethod{Card: number})
			wantCode(t, err, fail.Invalid)
			if fe, ok := fail.As(err); !ok || len(fe.Fields) != 1 || fe.Fields[0].Field != "card" {
				t.Fatalf("card number %q: %v", number, err)
			}
		}
		if reqs = rec.Take(); len(reqs) != 0 {
			t.Fatalf("a card number reached Stripe: %+v", reqs)
		}
		f.same(t, counted)

		// Roles: a customer sets up and adds cards only on its own account;
		// staff need the payments permission.
		_, err = f.svc.SetupCard(f.ctx, own, other.ID)
		wantCode(t, err, fail.NotFound)
		_, err = f.svc.AddPaymentMethod(f.ctx, own, other.ID, service.NewPaymentMethod{Card: "pm_card_visa"})
		wantCode(t, err, fail.NotFound)
		for _, role := range []access.Role{access.Engineer, access.Sales} {
			_, err = f.svc.SetupCard(f.ctx, access.Principal{TenantID: f.p.TenantID, UserID: "usr_x", Role: role}, c.ID)
			wantCode(t, err, fail.Forbidden)
		}
		if reqs = rec.Take(); len(reqs) != 0 {
			t.Fatalf("refused requests reached Stripe: %+v", reqs)
		}
		if n := len(must(f.svc.ListPaymentMethods(f.ctx, f.p, other.ID)).ok(t)); n != 0 {
			t.Fatalf("the other customer has %d cards", n)
		}
	})
}

// TestCardSetupWithTestProvider: the test provider answers the same setup
// with a stand-in client secret and keeps taking its test card numbers.
func TestCardSetupWithTestProvider(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newPayFixture(t, db)
		c := f.customers[0]
		setup := must(f.svc.SetupCard(f.ctx, f.p, c.ID)).ok(t)
		if setup.Provider != "test" || setup.PublishableKey != "" || !strings.HasPrefix(setup.ClientSecret, "seti_test_") {
			t.Fatalf("setup: %+v", setup)
		}
		m := must(f.svc.AddPaymentMethod(f.ctx, f.p, c.ID, service.NewPaymentMethod{Card: "4242 4242 4242 4242", ExpMonth: 12, ExpYear: 2099})).ok(t)
		if m.Provider != "test" || m.Last4 != "4242" || m.Brand != "visa" {
			t.Fatalf("test card: %+v", m)
		}
	})
}
