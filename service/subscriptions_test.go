package service_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
	"github.com/facturo/facturo/subscription"
)

// subItems returns a subscription's sales items by source reference.
func subItems(t *testing.T, e *env, customerID string) map[string]billing.SalesItem {
	t.Helper()
	page := must(e.svc.ListSalesItems(e.ctx, e.pa, service.SalesItemFilter{CustomerID: customerID, Page: service.Page{Limit: 500}})).ok(t)
	out := map[string]billing.SalesItem{}
	for _, si := range page.Items {
		if si.Source != billing.SourceSubscription {
			continue
		}
		if _, dup := out[si.SourceRef]; dup {
			t.Fatalf("two items for %s", si.SourceRef)
		}
		out[si.SourceRef] = si
	}
	return out
}

func billedCustomer(t *testing.T, e *env, name string) billing.Customer {
	t.Helper()
	c := e.customer(t, e.pa, name)
	return must(e.svc.UpdateCustomer(e.ctx, e.pa, c.ID, service.CustomerInput{Billing: &service.BillingInput{LegalName: ptr(name + " S.L."),
		Email: ptr("ap@example.com"), Currency: ptr("EUR"), Address: &billing.Address{Line1: "Calle 1", City: "Madrid", Country: "ES"}}})).ok(t)
}

// TestSubscriptionLifecycle walks seed 003's subscription actions through
// the calendar: renewals bill each period once, changes prorate by day.
func TestSubscriptionLifecycle(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db) // the clock reads 10 March 2025
		c := billedCustomer(t, e, "Subscriber")
		prod := must(e.svc.CreateProduct(e.ctx, e.pa, service.ProductInput{Code: ptr("SAAS-PRO"), Name: ptr("CRM Pro seat"), ChargeType: ptr("recurring"),
			DefaultPrice: ptr("10"), Provider: ptr("Nimbus")})).ok(t)

		sub := must(e.svc.CreateSubscription(e.ctx, e.pa, service.SubscriptionInput{CustomerID: c.ID, Kind: "saas", ProductID: prod.ID,
			Quantity: "5", Interval: "monthly", Start: calendar.New(2025, 3, 1)})).ok(t)
		if sub.NextRenewal != calendar.New(2025, 4, 1) || sub.Description != "CRM Pro seat" || !sub.Price.Equal(money.In(dec("10"), "EUR")) {
			t.Fatalf("subscription %+v", sub)
		}
		items := subItems(t, e, c.ID)
		march := items[sub.ID+"@2025-03-01"]
		if len(items) != 1 || !march.Gross.Decimal().Equal(dec("50")) || march.PeriodEnd != calendar.New(2025, 3, 31) || march.Status != billing.ItemPending {
			t.Fatalf("first period: %+v", items)
		}

		// 5 → 8 seats on 10 March: 3 × 10 × 22/31 = 21.29.
		sub = must(e.svc.ChangeSubscription(e.ctx, e.pa, sub.ID, service.SubscriptionChange{Action: "quantity", Quantity: "8"})).ok(t)
		// 8 → 6 from 20 March: −2 × 10 × 12/31 = −7.74.
		sub = must(e.svc.ChangeSubscription(e.ctx, e.pa, sub.ID, service.SubscriptionChange{Action: "quantity", Quantity: "6", Effective: calendar.New(2025, 3, 20)})).ok(t)
		var prorations []string
		for ref, si := range subItems(t, e, c.ID) {
			if ref != sub.ID+"@2025-03-01" {
				prorations = append(prorations, si.Gross.String())
			}
		}
		if len(prorations) != 2 || !(prorations[0] == "21.29" && prorations[1] == "-7.74" || prorations[1] == "21.29" && prorations[0] == "-7.74") {
			t.Fatalf("prorations %v, want 21.29 and -7.74", prorations)
		}

		// Paused: April and May are not billed.
		sub = must(e.svc.ChangeSubscription(e.ctx, e.pa, sub.ID, service.SubscriptionChange{Action: "pause"})).ok(t)
		e.clock.Advance(66 * 24 * time.Hour) // 15 May
		if n := must(e.svc.RenewSubscriptions(e.ctx, e.a.ID, calendar.New(2025, 5, 31))).ok(t); n != 0 {
			t.Fatalf("a paused subscription renewed %d periods", n)
		}
		// Resumed on 15 May: 6 × 10 × 17/31 = 32.90 for the rest of May.
		sub = must(e.svc.ChangeSubscription(e.ctx, e.pa, sub.ID, service.SubscriptionChange{Action: "resume"})).ok(t)
		if sub.NextRenewal != calendar.New(2025, 6, 1) || sub.Status != subscription.SubActive {
			t.Fatalf("resumed: %+v", sub)
		}
		if si := subItems(t, e, c.ID)[sub.ID+"@resume@2025-05-15"]; !si.Gross.Decimal().Equal(dec("32.9")) {
			t.Fatalf("resume charge %s", si.Gross)
		}

		// June's billing run on three nodes: June's period is billed once
		// and invoiced.
		var wg sync.WaitGroup
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := e.svc.RunBilling(context.Background(), e.pa, calendar.New(2025, 6, 1), calendar.New(2025, 6, 30), false, nil, nil); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		items = subItems(t, e, c.ID)
		june := items[sub.ID+"@2025-06-01"]
		if !june.Gross.Decimal().Equal(dec("60")) || june.Status != billing.ItemInvoiced || june.InvoiceID == "" {
			t.Fatalf("June: %+v", june)
		}
		if _, ok := items[sub.ID+"@2025-04-01"]; ok {
			t.Fatal("April was billed while paused")
		}

		// Cancel at period end: June is the last period.
		sub = must(e.svc.ChangeSubscription(e.ctx, e.pa, sub.ID, service.SubscriptionChange{Action: "cancel", AtPeriodEnd: true})).ok(t)
		if sub.EndsOn != calendar.New(2025, 6, 30) || !sub.CancelAtPeriodEnd {
			t.Fatalf("cancel at period end: %+v", sub)
		}
		must(e.svc.RenewSubscriptions(e.ctx, e.a.ID, calendar.New(2025, 8, 31))).ok(t)
		sub = must(e.svc.GetSubscription(e.ctx, e.pa, sub.ID)).ok(t)
		if _, ok := subItems(t, e, c.ID)[sub.ID+"@2025-07-01"]; ok || sub.Status != subscription.SubCancelled {
			t.Fatalf("after its end: %s, July billed %v", sub.Status, ok)
		}
		_, err := e.svc.ChangeSubscription(e.ctx, e.pa, sub.ID, service.SubscriptionChange{Action: "resume"})
		wantCode(t, err, fail.Conflict)
	})
}

// TestSubscriptionCancelNowAndRules covers cancelling at once (unused days
// credited), the three kinds, bad input and roles.
func TestSubscriptionCancelNowAndRules(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db) // 10 March 2025
		c := billedCustomer(t, e, "Canceller")
		prod := must(e.svc.CreateProduct(e.ctx, e.pa, service.ProductInput{Code: ptr("M365"), Name: ptr("Microsoft 365"), ChargeType: ptr("recurring"),
			DefaultPrice: ptr("11.70"), Provider: ptr("Microsoft")})).ok(t)
		for _, kind := range []string{"saas", "resale", "marketplace"} {
			must(e.svc.CreateSubscription(e.ctx, e.pa, service.SubscriptionInput{CustomerID: c.ID, Kind: kind, ProductID: prod.ID, Quantity: "1",
				Interval: "yearly", Start: calendar.New(2026, 1, 1)})).ok(t) // starts later: nothing billed yet
		}
		if n := len(subItems(t, e, c.ID)); n != 0 {
			t.Fatalf("future subscriptions billed %d items", n)
		}
		sub := must(e.svc.CreateSubscription(e.ctx, e.pa, service.SubscriptionInput{CustomerID: c.ID, Kind: "resale", ProductID: prod.ID,
			Quantity: "10", Interval: "quarterly", Start: calendar.New(2025, 2, 1)})).ok(t)
		// Q: 1 Feb – 30 Apr (89 days); cancelled on 10 March, 51 days unused
		// from 11 March: −10 × 11.70 × 51/89 = −67.04.
		sub = must(e.svc.ChangeSubscription(e.ctx, e.pa, sub.ID, service.SubscriptionChange{Action: "cancel"})).ok(t)
		if sub.Status != subscription.SubCancelled || sub.EndsOn != calendar.New(2025, 3, 10) {
			t.Fatalf("cancelled: %+v", sub)
		}
		items := subItems(t, e, c.ID)
		if !items[sub.ID+"@2025-02-01"].Gross.Decimal().Equal(dec("117")) || !items[sub.ID+"@cancel"].Gross.Decimal().Equal(dec("-67.04")) {
			t.Fatalf("items %+v", items)
		}
		if n := must(e.svc.RenewSubscriptions(e.ctx, e.a.ID, calendar.New(2026, 12, 31))).ok(t); n != 3 {
			t.Fatalf("renewals up to 2026: %d, want the three yearly ones", n)
		}

		// Bad input: nothing written.
		before := e.count(t, "subscriptions")
		_, err := e.svc.CreateSubscription(e.ctx, e.pa, service.SubscriptionInput{CustomerID: c.ID, Kind: "lifetime", ProductID: prod.ID, Quantity: "0", Interval: "weekly"})
		wantFields(t, err, "kind", "quantity", "interval")
		_, err = e.svc.CreateSubscription(e.ctx, e.pa, service.SubscriptionInput{CustomerID: c.ID, Kind: "saas", ProductID: "prd_nope", Quantity: "1", Interval: "monthly"})
		wantFields(t, err, "product_id")
		_, err = e.svc.CreateSubscription(e.ctx, e.pa, service.SubscriptionInput{CustomerID: c.ID, Kind: "saas", ProductID: prod.ID, Quantity: "x", Interval: "monthly"})
		wantFields(t, err, "quantity")
		if n := e.count(t, "subscriptions"); n != before {
			t.Fatalf("refused requests wrote %d subscriptions", n-before)
		}
		_, err = e.svc.ChangeSubscription(e.ctx, e.pa, sub.ID, service.SubscriptionChange{Action: "explode"})
		wantCode(t, err, fail.Conflict) // cancelled first
		// Roles: engineers may not; a customer lists only its own.
		_, err = e.svc.CreateSubscription(e.ctx, e.staff(access.Engineer), service.SubscriptionInput{CustomerID: c.ID, Kind: "saas", ProductID: prod.ID, Quantity: "1", Interval: "monthly"})
		wantCode(t, err, fail.Forbidden)
		must(e.svc.CreateSubscription(e.ctx, e.staff(access.Sales), service.SubscriptionInput{CustomerID: c.ID, Kind: "saas", ProductID: prod.ID, Quantity: "1", Interval: "monthly"})).ok(t)
		other := e.customer(t, e.pa, "Other")
		portal := access.Principal{TenantID: e.a.ID, UserID: "usr_p", Role: access.Customer, CustomerID: other.ID}
		_, err = e.svc.ListSubscriptions(e.ctx, portal, c.ID)
		wantCode(t, err, fail.NotFound)
		if subs := must(e.svc.ListSubscriptions(e.ctx, portal, "")).ok(t); len(subs) != 0 {
			t.Fatalf("a customer without subscriptions listed %d", len(subs))
		}
		_, err = e.svc.GetSubscription(e.ctx, portal, sub.ID)
		wantCode(t, err, fail.NotFound)
		_, err = e.svc.ChangeSubscription(e.ctx, portal, sub.ID, service.SubscriptionChange{Action: "pause"})
		wantCode(t, err, fail.Forbidden)
		// Tenant isolation.
		_, err = e.svc.GetSubscription(e.ctx, e.pb, sub.ID)
		wantCode(t, err, fail.NotFound)
	})
}

// TestInvoiceNowRenewsSubscriptions: invoicing one customer now first bills
// its subscription periods due so far (once each), as a billing run does.
func TestInvoiceNowRenewsSubscriptions(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db) // the clock reads 10 March 2025
		c := billedCustomer(t, e, "Subscriber now")
		other := billedCustomer(t, e, "Other subscriber")
		prod := must(e.svc.CreateProduct(e.ctx, e.pa, service.ProductInput{Code: ptr("SAAS-NOW"), Name: ptr("Backup seat"), ChargeType: ptr("recurring"),
			DefaultPrice: ptr("7"), Provider: ptr("Nimbus")})).ok(t)
		var subs []subscription.Subscription
		for _, cust := range []billing.Customer{c, other} {
			subs = append(subs, must(e.svc.CreateSubscription(e.ctx, e.pa, service.SubscriptionInput{CustomerID: cust.ID, Kind: "saas", ProductID: prod.ID,
				Quantity: "2", Interval: "monthly", Start: calendar.New(2025, 3, 1)})).ok(t))
		}
		e.clock.Advance(66 * 24 * time.Hour) // 15 May: April and May are due
		res := must(e.svc.InvoiceNow(e.ctx, e.pa, c.ID, service.InvoiceNowInput{})).ok(t)
		if res.SubscriptionItems != 2 {
			t.Fatalf("invoice now renewed %d periods, want April and May", res.SubscriptionItems)
		}
		items := subItems(t, e, c.ID)
		for _, ref := range []string{"@2025-03-01", "@2025-04-01", "@2025-05-01"} {
			si, ok := items[subs[0].ID+ref]
			if !ok || si.Status != billing.ItemInvoiced || si.InvoiceID == "" || !si.Gross.Decimal().Equal(dec("14")) {
				t.Fatalf("period %s: %+v (present %v)", ref, si, ok)
			}
		}
		if got := must(e.svc.GetSubscription(e.ctx, e.pa, subs[0].ID)).ok(t); got.NextRenewal != calendar.New(2025, 6, 1) {
			t.Fatalf("next renewal %s, want 2025-06-01", got.NextRenewal)
		}
		// The other customer's subscription is left to its own billing.
		if n := len(subItems(t, e, other.ID)); n != 1 {
			t.Fatalf("the other customer has %d subscription items, want only March", n)
		}
		// Again: nothing new to renew or bill.
		res = must(e.svc.InvoiceNow(e.ctx, e.pa, c.ID, service.InvoiceNowInput{})).ok(t)
		if res.SubscriptionItems != 0 || res.ItemsBilled != 0 {
			t.Fatalf("second invoice now: %+v", res)
		}
	})
}
