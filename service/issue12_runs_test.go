package service_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

// crashNow is what a crashing node's fault hook panics with.
type crashNow struct{}

// TestBillingRunResumedAfterCrash (issue 12, 4): a node dies in the middle
// of a run (the fault hook panics, so nothing marks the run failed); the
// run stays running under the dead node's lease. While the lease lasts,
// another node starting the period joins the run: it bills the run's open
// batches and leaves the run to its node (issue 15; until then it did
// nothing); once the lease expires, another service instance's sweep
// resumes the same run and completes it, every item billed exactly once.
func TestBillingRunResumedAfterCrash(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock()
		base := service.New(db, service.WithClock(clk.Now))
		p, customers := ledgerFixture(t, base, 8)
		runFixture(t, base, p, customers)
		var mu sync.Mutex
		groups := 0
		dying := service.New(db, service.WithClock(clk.Now), service.WithBillingBatch(1), service.WithFaultHook(func(point string) error {
			mu.Lock()
			defer mu.Unlock()
			if point == "group" {
				if groups++; groups == 3 {
					panic(crashNow{})
				}
			}
			return nil
		}))
		from, to := calendar.New(2026, 5, 1), calendar.New(2026, 5, 31)
		func() {
			defer func() {
				if r := recover(); r != (crashNow{}) {
					t.Fatalf("the node did not crash: %v", r)
				}
			}()
			_, _ = dying.RunBilling(ctx, p, from, to, false, nil, nil)
		}()
		runs := must(base.ListBillingRuns(ctx, p)).ok(t)
		if len(runs) != 1 || runs[0].Status != "running" || runs[0].InvoicesCreated == 0 || runs[0].ItemsDone >= runs[0].ItemsTotal {
			t.Fatalf("after the crash: %+v", runs)
		}
		crashed := runs[0]

		other := service.New(db, service.WithClock(clk.Now), service.WithBillingBatch(1))
		// The lease is still valid: the run is not taken over, its open
		// batches are billed by the node that joined.
		if got := must(other.RunBilling(ctx, p, from, to, false, nil, nil)).ok(t); got.ID != crashed.ID || got.Status != "running" ||
			got.InvoicesCreated <= crashed.InvoicesCreated || got.ItemsDone != got.ItemsTotal {
			t.Fatalf("a start while the lease lasts: %+v, want the running run with every item billed", got)
		}
		if got := must(other.ResumeBillingRuns(ctx, p.TenantID)).ok(t); len(got) != 0 {
			t.Fatalf("a sweep resumed a run whose lease lasts: %+v", got)
		}
		clk.Advance(5 * time.Minute)
		resumed := must(other.ResumeBillingRuns(ctx, p.TenantID)).ok(t)
		if len(resumed) != 1 || resumed[0].ID != crashed.ID || resumed[0].Status != "completed" || resumed[0].ItemsDone != resumed[0].ItemsTotal {
			t.Fatalf("resumed: %+v", resumed)
		}
		checkItemsBilledOnce(t, base, p, from, to)
		if got := must(other.ResumeBillingRuns(ctx, p.TenantID)).ok(t); len(got) != 0 {
			t.Fatalf("a completed run resumed again: %+v", got)
		}
		if runs := must(base.ListBillingRuns(ctx, p)).ok(t); len(runs) != 1 {
			t.Fatalf("%d runs, want the one resumed", len(runs))
		}

		// The CLI's path: starting the period again once the lease expired
		// resumes the crashed run.
		mu.Lock()
		groups = 0
		mu.Unlock()
		june, juneEnd := calendar.New(2026, 6, 1), calendar.New(2026, 6, 30)
		func() {
			defer func() {
				if r := recover(); r != (crashNow{}) {
					t.Fatalf("the node did not crash in June: %v", r)
				}
			}()
			_, _ = dying.RunBilling(ctx, p, june, juneEnd, false, nil, nil)
		}()
		clk.Advance(5 * time.Minute)
		got := must(other.RunBilling(ctx, p, june, juneEnd, false, nil, nil)).ok(t)
		if runs := must(base.ListBillingRuns(ctx, p)).ok(t); len(runs) != 2 || got.ID != runs[0].ID || got.Status != "completed" || got.Supplementary() {
			t.Fatalf("June resumed by a start of the period: %+v, runs %+v", got, runs)
		}
		checkItemsBilledOnce(t, base, p, june, juneEnd)
	})
}

// TestBillingRunOverlappingPeriods (issue 12, 4): runs of overlapping
// periods and invoice-now over them bill each contract part period and
// subscription period once; a proration credit alone is held pending, not
// made a negative invoice, and nets against the next charge.
func TestBillingRunOverlappingPeriods(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db) // 10 March 2025
		c := billedCustomer(t, e, "Overlap")
		prod := must(e.svc.CreateProduct(e.ctx, e.pa, service.ProductInput{Code: ptr("SEAT"), Name: ptr("Seat"), ChargeType: ptr("recurring"),
			DefaultPrice: ptr("31"), Provider: ptr("Nimbus")})).ok(t)
		must(e.svc.CreateContract(e.ctx, e.pa, service.ContractInput{CustomerID: c.ID, Name: "Support", Parts: []service.PartInput{
			{ProductID: prod.ID, Quantity: "1", Interval: "monthly", Start: calendar.New(2025, 1, 1)},
			{ProductID: prod.ID, Quantity: "2", Interval: "monthly", Start: calendar.New(2025, 1, 20), InArrears: true},
		}})).ok(t)
		sub := must(e.svc.CreateSubscription(e.ctx, e.pa, service.SubscriptionInput{CustomerID: c.ID, Kind: "saas", ProductID: prod.ID,
			Quantity: "3", Interval: "monthly", Start: calendar.New(2025, 3, 1)})).ok(t)

		must(e.svc.RunBilling(e.ctx, e.pa, calendar.New(2025, 3, 1), calendar.New(2025, 3, 31), false, nil, nil)).ok(t)
		must(e.svc.RunBilling(e.ctx, e.pa, calendar.New(2025, 3, 15), calendar.New(2025, 4, 14), false, nil, nil)).ok(t)
		must(e.svc.InvoiceNow(e.ctx, e.pa, c.ID, service.InvoiceNowInput{PeriodStart: calendar.New(2025, 2, 1), PeriodEnd: calendar.New(2025, 4, 20)})).ok(t)
		must(e.svc.InvoiceNow(e.ctx, e.pa, c.ID, service.InvoiceNowInput{})).ok(t)

		// 3 → 1 seats from 17 March: a credit of −2 × 31 × 15/31 = −30.00, alone.
		must(e.svc.ChangeSubscription(e.ctx, e.pa, sub.ID, service.SubscriptionChange{Action: "quantity", Quantity: "1",
			Effective: calendar.New(2025, 3, 17)})).ok(t)
		must(e.svc.RunBilling(e.ctx, e.pa, calendar.New(2025, 3, 1), calendar.New(2025, 3, 31), false, nil, nil)).ok(t)
		must(e.svc.InvoiceNow(e.ctx, e.pa, c.ID, service.InvoiceNowInput{PeriodStart: calendar.New(2025, 3, 1), PeriodEnd: calendar.New(2025, 3, 31)})).ok(t)

		seen := map[string]string{}
		page := must(e.svc.ListInvoices(e.ctx, e.pa, service.InvoiceFilter{Page: service.Page{Limit: 500}})).ok(t)
		for _, h := range page.Items {
			inv := must(e.svc.GetInvoice(e.ctx, e.pa, h.ID)).ok(t)
			if inv.Total.Sign() < 0 {
				t.Errorf("invoice %s is negative: %s", inv.DocumentNumber, inv.Total)
			}
			for _, l := range inv.Lines {
				key := fmt.Sprintf("%s × %s", l.Description, l.Quantity) // contract parts and the subscription differ in quantity
				if prev, dup := seen[key]; dup {
					t.Errorf("%q billed twice: %s and %s", key, prev, inv.DocumentNumber)
				}
				seen[key] = inv.DocumentNumber
			}
		}
		for _, want := range []string{"(2025-03-01 – 2025-03-31)", "(2025-04-01 – 2025-04-30)", "(2025-02-20 – 2025-03-19)"} {
			n := 0
			for d := range seen {
				if strings.Contains(d, want) {
					n++
				}
			}
			if n == 0 {
				t.Errorf("nothing billed for %s: %v", want, seen)
			}
		}
		var credit billing.SalesItem
		for _, si := range subItems(t, e, c.ID) {
			if si.Gross.Sign() < 0 {
				credit = si
			}
		}
		if !credit.Gross.Decimal().Equal(dec("-30")) || credit.Status != billing.ItemPending {
			t.Fatalf("the credit alone: %+v, want -30.00 held pending", credit)
		}
		// The next charge nets it.
		must(e.svc.CreateSalesItem(e.ctx, e.pa, service.SalesItemInput{CustomerID: &c.ID, Description: ptr("Setup"), Quantity: ptr("1"),
			UnitPrice: ptr("100"), BillingDate: ptr(calendar.New(2025, 3, 20)), Provider: ptr("Nimbus")})).ok(t)
		res := must(e.svc.InvoiceNow(e.ctx, e.pa, c.ID, service.InvoiceNowInput{PeriodStart: calendar.New(2025, 3, 1), PeriodEnd: calendar.New(2025, 3, 31)})).ok(t)
		if len(res.Invoices) != 1 || !res.Invoices[0].Net.Decimal().Equal(dec("70")) {
			t.Fatalf("charge with the held credit: %+v", res)
		}
	})
}

// TestOverlappingPeriodsBillEachPeriodOnce is the guard for the class:
// billing runs and invoice-now over random, overlapping periods, then a
// run of the whole year, bill every contract part period and subscription
// period exactly once, on one line of one invoice, and no invoice is
// negative.
func TestOverlappingPeriodsBillEachPeriodOnce(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db) // 10 March 2025
		c := billedCustomer(t, e, "Overlaps")
		prod := must(e.svc.CreateProduct(e.ctx, e.pa, service.ProductInput{Code: ptr("SEAT"), Name: ptr("Seat"), ChargeType: ptr("recurring"),
			DefaultPrice: ptr("31"), Provider: ptr("Nimbus")})).ok(t)
		// Quantities tell the parts and the subscription apart on the lines.
		must(e.svc.CreateContract(e.ctx, e.pa, service.ContractInput{CustomerID: c.ID, Name: "Support", Parts: []service.PartInput{
			{ProductID: prod.ID, Quantity: "1", Interval: "monthly", Start: calendar.New(2025, 1, 1)},
			{ProductID: prod.ID, Quantity: "2", Interval: "quarterly", Start: calendar.New(2025, 2, 10), InArrears: true},
			{ProductID: prod.ID, Quantity: "4", Interval: "yearly", Start: calendar.New(2025, 3, 5)},
		}})).ok(t)
		must(e.svc.CreateSubscription(e.ctx, e.pa, service.SubscriptionInput{CustomerID: c.ID, Kind: "saas", ProductID: prod.ID,
			Quantity: "3", Interval: "monthly", Start: calendar.New(2025, 3, 1)})).ok(t)
		r := rand.New(rand.NewPCG(12, 4))
		for range 12 {
			from := calendar.New(2025, 1, 1).AddDays(r.IntN(330))
			to := from.AddDays(5 + r.IntN(60))
			if end := calendar.New(2025, 12, 31); to.After(end) {
				to = end
			}
			if r.IntN(2) == 0 {
				must(e.svc.RunBilling(e.ctx, e.pa, from, to, false, nil, nil)).ok(t)
			} else {
				must(e.svc.InvoiceNow(e.ctx, e.pa, c.ID, service.InvoiceNowInput{PeriodStart: from, PeriodEnd: to})).ok(t)
			}
		}
		must(e.svc.RunBilling(e.ctx, e.pa, calendar.New(2025, 1, 1), calendar.New(2025, 12, 31), false, nil, nil)).ok(t)

		lines := map[string]string{}
		page := must(e.svc.ListInvoices(e.ctx, e.pa, service.InvoiceFilter{Page: service.Page{Limit: 500}})).ok(t)
		for _, h := range page.Items {
			inv := must(e.svc.GetInvoice(e.ctx, e.pa, h.ID)).ok(t)
			if inv.Total.Sign() < 0 {
				t.Errorf("invoice %s is negative: %s", inv.DocumentNumber, inv.Total)
			}
			for _, l := range inv.Lines {
				key := fmt.Sprintf("%s × %s", l.Description, l.Quantity)
				if prev, dup := lines[key]; dup {
					t.Errorf("%q billed twice: %s and %s", key, prev, inv.DocumentNumber)
				}
				lines[key] = inv.DocumentNumber
			}
		}
		items := must(e.svc.ListSalesItems(e.ctx, e.pa, service.SalesItemFilter{CustomerID: c.ID, Page: service.Page{Limit: 500}})).ok(t)
		// 12 monthly + 3 quarterly (ending by 31 December) + 1 yearly + 10 subscription periods.
		if len(items.Items) != 12+3+1+10 || len(lines) != len(items.Items) {
			t.Fatalf("%d items, %d lines, want 26 of each", len(items.Items), len(lines))
		}
		for _, si := range items.Items {
			if si.Status != billing.ItemInvoiced {
				t.Errorf("item %s is %s", si.Description, si.Status)
			}
		}
	})
}
