package service_test

import (
	"strings"
	"testing"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/payprovider/testcard"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

// newPayEnv is newEnv with the test payment provider.
func newPayEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	e := newEnv(t, db)
	e.svc = service.New(db, service.WithClock(e.clock.Now), service.WithPaymentProvider(testcard.New()))
	return e
}

func TestPaymentMethods(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newPayEnv(t, db)
		c := e.customer(t, e.pa, "Card Holder")
		other := e.customer(t, e.pa, "Someone Else")

		visa := must(e.svc.AddPaymentMethod(e.ctx, e.pa, c.ID, service.NewPaymentMethod{Card: "4242 4242 4242 4242", ExpMonth: 12, ExpYear: 2030})).ok(t)
		if !visa.Primary || visa.Brand != "visa" || visa.Last4 != "4242" || visa.ExpMonth != 12 || visa.ExpYear != 2030 {
			t.Fatalf("first card: %+v", visa)
		}
		if visa.Token == "" || strings.Contains(visa.Token, "4242424242424242") {
			t.Fatalf("token %q must be the provider's, never the card number", visa.Token)
		}
		mc := must(e.svc.AddPaymentMethod(e.ctx, e.pa, c.ID, service.NewPaymentMethod{Card: "5555555555554444"})).ok(t)
		if mc.Primary || mc.Brand != "mastercard" || mc.ProviderCustomer != visa.ProviderCustomer {
			t.Fatalf("second card: %+v (provider customer %q, want %q)", mc, mc.ProviderCustomer, visa.ProviderCustomer)
		}
		// The card number is stored nowhere.
		var n int
		if err := db.SQL().QueryRowContext(e.ctx, `SELECT count(*) FROM payment_methods WHERE token LIKE '%4242424242%' OR token LIKE '%5555555555554444%'`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("card numbers stored: %d (%v)", n, err)
		}

		// Refused cards: 402, nothing written.
		before := e.snapshot(t)
		methods := e.count(t, "payment_methods")
		for number, code := range map[string]string{"4000000000000002": "card_declined", "4000000000000069": "expired_card", "4242424242424241": "incorrect_number"} {
			_, err := e.svc.AddPaymentMethod(e.ctx, e.pa, c.ID, service.NewPaymentMethod{Card: number})
			wantCode(t, err, fail.PaymentFailed)
			if !strings.Contains(err.Error(), code) {
				t.Errorf("%s: error %q does not name %s", number, err, code)
			}
		}
		_, err := e.svc.AddPaymentMethod(e.ctx, e.pa, c.ID, service.NewPaymentMethod{Card: "4242424242424242", ExpMonth: 1, ExpYear: 2024})
		wantCode(t, err, fail.PaymentFailed) // the clock says March 2025
		_, err = e.svc.AddPaymentMethod(e.ctx, e.pa, c.ID, service.NewPaymentMethod{Card: "", ExpMonth: 13, ExpYear: 30})
		wantFields(t, err, "card", "exp_month", "exp_year")
		e.unchanged(t, before)
		if got := e.count(t, "payment_methods"); got != methods {
			t.Fatalf("payment methods %d after refused cards, want %d", got, methods)
		}

		// Set primary: exactly one primary, listed first.
		must(e.svc.SetPrimaryPaymentMethod(e.ctx, e.pa, c.ID, mc.ID)).ok(t)
		list := must(e.svc.ListPaymentMethods(e.ctx, e.pa, c.ID)).ok(t)
		if len(list) != 2 || list[0].ID != mc.ID || !list[0].Primary || list[1].Primary {
			t.Fatalf("after set primary: %+v", list)
		}
		// Another customer's card is not found through this customer.
		oc := must(e.svc.AddPaymentMethod(e.ctx, e.pa, other.ID, service.NewPaymentMethod{Card: "378282246310005"})).ok(t)
		if oc.Brand != "amex" || oc.Last4 != "0005" {
			t.Fatalf("amex: %+v", oc)
		}
		wantCode(t, e.svc.RemovePaymentMethod(e.ctx, e.pa, c.ID, oc.ID), fail.NotFound)
		_, err = e.svc.SetPrimaryPaymentMethod(e.ctx, e.pa, c.ID, oc.ID)
		wantCode(t, err, fail.NotFound)
		// Other tenants see nothing.
		_, err = e.svc.ListPaymentMethods(e.ctx, e.pb, c.ID)
		wantCode(t, err, fail.NotFound)

		// Remove the primary: none is primary until one is set.
		if err := e.svc.RemovePaymentMethod(e.ctx, e.pa, c.ID, mc.ID); err != nil {
			t.Fatal(err)
		}
		list = must(e.svc.ListPaymentMethods(e.ctx, e.pa, c.ID)).ok(t)
		if len(list) != 1 || list[0].ID != visa.ID || list[0].Primary {
			t.Fatalf("after removing the primary: %+v", list)
		}
		if a := e.audit(t, e.pa, service.AuditFilter{TargetID: c.ID}); len(a) < 4 || a[0].Action != "payment_method.removed" {
			t.Fatalf("audit: %+v", a)
		}

		// Roles: finance may manage cards; sales may only list; a customer
		// manages its own cards only.
		fin := e.staff(access.Finance)
		must(e.svc.SetPrimaryPaymentMethod(e.ctx, fin, c.ID, visa.ID)).ok(t)
		_, err = e.svc.AddPaymentMethod(e.ctx, e.staff(access.Sales), c.ID, service.NewPaymentMethod{Card: "4242424242424242"})
		wantCode(t, err, fail.Forbidden)
		must(e.svc.ListPaymentMethods(e.ctx, e.staff(access.Sales), c.ID)).ok(t)
		_, err = e.svc.ListPaymentMethods(e.ctx, e.staff(access.Engineer), c.ID)
		wantCode(t, err, fail.Forbidden)
		self := access.Principal{TenantID: e.a.ID, UserID: "usr_cust", Role: access.Customer, CustomerID: c.ID, Name: "customer"}
		own := must(e.svc.AddPaymentMethod(e.ctx, self, c.ID, service.NewPaymentMethod{Card: "4000000000000341"})).ok(t)
		must(e.svc.SetPrimaryPaymentMethod(e.ctx, self, c.ID, own.ID)).ok(t)
		if got := must(e.svc.ListPaymentMethods(e.ctx, self, c.ID)).ok(t); len(got) != 2 || got[0].ID != own.ID {
			t.Fatalf("customer's own list: %+v", got)
		}
		_, err = e.svc.ListPaymentMethods(e.ctx, self, other.ID)
		wantCode(t, err, fail.NotFound)
		wantCode(t, e.svc.RemovePaymentMethod(e.ctx, self, other.ID, oc.ID), fail.NotFound)
	})
}

func TestPaymentMethodsNeedProvider(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := e.customer(t, e.pa, "No Provider")
		_, err := e.svc.AddPaymentMethod(e.ctx, e.pa, c.ID, service.NewPaymentMethod{Card: "4242424242424242"})
		wantCode(t, err, fail.Conflict)
	})
}
