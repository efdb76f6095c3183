package service_test

import (
	"strings"
	"testing"
	"time"

	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

// TestSubscriptionQuantityWhilePausedAndFuture (issue 12, 4): a quantity
// change while paused is charged from the resume day at the new quantity;
// a change dated in a future, unbilled period waits for that day: the
// current period stays at the old quantity, the future period is billed at
// the old one up to the day before and the new one from it.
func TestSubscriptionQuantityWhilePausedAndFuture(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db) // 10 March 2025
		c := billedCustomer(t, e, "Seats")
		prod := must(e.svc.CreateProduct(e.ctx, e.pa, service.ProductInput{Code: ptr("SEAT"), Name: ptr("Seat"), ChargeType: ptr("recurring"),
			DefaultPrice: ptr("31"), Provider: ptr("Nimbus")})).ok(t)
		sub := must(e.svc.CreateSubscription(e.ctx, e.pa, service.SubscriptionInput{CustomerID: c.ID, Kind: "saas", ProductID: prod.ID,
			Quantity: "2", Interval: "monthly", Start: calendar.New(2025, 3, 1)})).ok(t)
		// March billed at 2 seats; paused on the 10th, 2 → 3 seats while paused.
		must(e.svc.ChangeSubscription(e.ctx, e.pa, sub.ID, service.SubscriptionChange{Action: "pause"})).ok(t)
		must(e.svc.ChangeSubscription(e.ctx, e.pa, sub.ID, service.SubscriptionChange{Action: "quantity", Quantity: "3"})).ok(t)
		e.clock.Advance(10 * 24 * time.Hour) // 20 March
		must(e.svc.ChangeSubscription(e.ctx, e.pa, sub.ID, service.SubscriptionChange{Action: "resume"})).ok(t)
		// The third seat from 20 to 31 March: 1 × 31 × 12/31 = 12.00.
		var extra []string
		for ref, si := range subItems(t, e, c.ID) {
			if ref != sub.ID+"@2025-03-01" {
				extra = append(extra, si.Gross.String())
			}
		}
		if len(extra) != 1 || extra[0] != "12.00" {
			t.Fatalf("charged on resume: %v, want 12.00 for the seat added while paused", extra)
		}

		// 3 → 5 seats from 15 April (a period not billed yet): March stays
		// at 3 seats, April bills 3 seats and 2 more from the 15th.
		sub = must(e.svc.ChangeSubscription(e.ctx, e.pa, sub.ID, service.SubscriptionChange{Action: "quantity", Quantity: "5",
			Effective: calendar.New(2025, 4, 15)})).ok(t)
		if !sub.Quantity.Equal(dec("3")) || sub.ScheduledQuantity == nil || !sub.ScheduledQuantity.Equal(dec("5")) || sub.ScheduledOn != calendar.New(2025, 4, 15) {
			t.Fatalf("future change: quantity %s, scheduled %v on %s", sub.Quantity, sub.ScheduledQuantity, sub.ScheduledOn)
		}
		if n := len(subItems(t, e, c.ID)); n != 2 {
			t.Fatalf("a future change billed something now: %d items", n)
		}
		must(e.svc.RunBilling(e.ctx, e.pa, calendar.New(2025, 4, 1), calendar.New(2025, 4, 30), false, nil, nil)).ok(t)
		items := subItems(t, e, c.ID)
		april := items[sub.ID+"@2025-04-01"]
		if !april.Gross.Decimal().Equal(dec("93")) {
			t.Fatalf("April: %s, want 3 seats (93.00)", april.Gross)
		}
		// 2 × 31 × 16/30 = 33.07 for 15–30 April.
		var more []string
		for ref, si := range items {
			if strings.Contains(ref, "@q@") && si.BillingDate == calendar.New(2025, 4, 15) {
				more = append(more, si.Gross.String())
			}
		}
		if len(more) != 1 || more[0] != "33.07" {
			t.Fatalf("April from the 15th: %v, want 33.07", more)
		}
		sub = must(e.svc.GetSubscription(e.ctx, e.pa, sub.ID)).ok(t)
		if !sub.Quantity.Equal(dec("5")) || sub.ScheduledQuantity != nil {
			t.Fatalf("after April: quantity %s, scheduled %v", sub.Quantity, sub.ScheduledQuantity)
		}
		must(e.svc.RenewSubscriptions(e.ctx, e.a.ID, calendar.New(2025, 5, 1))).ok(t)
		if may := subItems(t, e, c.ID)[sub.ID+"@2025-05-01"]; !may.Gross.Decimal().Equal(dec("155")) {
			t.Fatalf("May: %s, want 5 seats (155.00)", may.Gross)
		}
	})
}
