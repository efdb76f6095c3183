package service_test

import (
	"context"
	"sync"
	"testing"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

func countInvoices(t *testing.T, svc *service.Service, p access.Principal) int {
	t.Helper()
	page, err := svc.ListInvoices(context.Background(), p, service.InvoiceFilter{Page: service.Page{Limit: 500}})
	if err != nil {
		t.Fatal(err)
	}
	return len(page.Items)
}

func itemsOf(t *testing.T, svc *service.Service, p access.Principal, customerID string) []billing.SalesItem {
	t.Helper()
	page, err := svc.ListSalesItems(context.Background(), p, service.SalesItemFilter{CustomerID: customerID, Page: service.Page{Limit: 500}})
	if err != nil {
		t.Fatal(err)
	}
	return page.Items
}

// TestInvoiceNow: one customer's due contract items are made and its
// pending items of the period go on one draft per provider and currency;
// other customers' items stay pending; a second call adds nothing; bad
// input and the wrong role write nothing.
func TestInvoiceNow(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := service.New(db)
		p, customers := ledgerFixture(t, svc, 8)
		runFixture(t, svc, p, customers)
		c0, c1 := customers[0], customers[1]
		from, to := calendar.New(2026, 5, 1), calendar.New(2026, 5, 31)

		// Refused: wrong role, unknown customer, bad period, bad rate.
		before := countInvoices(t, svc, p)
		_, err := svc.InvoiceNow(ctx, access.Principal{TenantID: p.TenantID, UserID: "u", Role: access.Sales}, c0.ID, service.InvoiceNowInput{})
		wantCode(t, err, fail.Forbidden)
		_, err = svc.InvoiceNow(ctx, p, "cus_nope", service.InvoiceNowInput{})
		wantCode(t, err, fail.NotFound)
		_, err = svc.InvoiceNow(ctx, p, c0.ID, service.InvoiceNowInput{PeriodStart: to, PeriodEnd: from})
		wantFields(t, err, "period_end")
		_, err = svc.InvoiceNow(ctx, p, c0.ID, service.InvoiceNowInput{Rates: map[string]string{"USD": "-1"}})
		wantFields(t, err, "exchange_rates.USD")
		if n := countInvoices(t, svc, p); n != before {
			t.Fatalf("refused calls made %d invoices", n-before)
		}

		res, err := svc.InvoiceNow(ctx, p, c0.ID, service.InvoiceNowInput{PeriodStart: from, PeriodEnd: to})
		if err != nil {
			t.Fatal(err)
		}
		// Contract items: MS monthly (May) and AWS quarterly in arrears
		// (March to May); plus 3 usage items and a Nimbus setup item.
		if res.ContractItems != 2 || res.ItemsBilled != 6 || len(res.Invoices) != 3 {
			t.Fatalf("invoice now: %d contract items, %d billed on %d invoices; want 2, 6, 3", res.ContractItems, res.ItemsBilled, len(res.Invoices))
		}
		providers := map[string]int{}
		for _, inv := range res.Invoices {
			if inv.Status != billing.Draft || inv.CustomerID != c0.ID || inv.Currency != "EUR" {
				t.Errorf("invoice %s: %s for %s in %s", inv.DocumentNumber, inv.Status, inv.CustomerID, inv.Currency)
			}
			providers[inv.Provider] = len(inv.Lines)
		}
		if providers["Microsoft"] != 1 || providers["AWS"] != 4 || providers["Nimbus"] != 1 {
			t.Errorf("lines per provider: %v", providers)
		}
		for _, si := range itemsOf(t, svc, p, c0.ID) {
			if !si.BillingDate.Before(from) && !si.BillingDate.After(to) && si.Status != billing.ItemInvoiced {
				t.Errorf("c0's item %s is %s", si.Description, si.Status)
			}
		}
		for _, si := range itemsOf(t, svc, p, c1.ID) {
			if si.Status != billing.ItemPending {
				t.Errorf("c1's item %s is %s, want pending", si.Description, si.Status)
			}
		}
		again, err := svc.InvoiceNow(ctx, p, c0.ID, service.InvoiceNowInput{PeriodStart: from, PeriodEnd: to})
		if err != nil || again.ItemsBilled != 0 || len(again.Invoices) != 0 || again.ContractItems != 0 {
			t.Fatalf("second invoice now: %+v %v", again, err)
		}

		// Issuing at once numbers and posts the invoices.
		res, err = svc.InvoiceNow(ctx, p, c1.ID, service.InvoiceNowInput{PeriodStart: from, PeriodEnd: to, Issue: true})
		if err != nil || len(res.Invoices) != 3 {
			t.Fatalf("invoice now with issue: %+v %v", res, err)
		}
		for _, inv := range res.Invoices {
			if inv.Status != billing.Open || inv.Number == "" || inv.EntryID == "" {
				t.Errorf("issued invoice: %s number %q entry %q", inv.Status, inv.Number, inv.EntryID)
			}
		}
		// The run bills the rest; no item is on two invoices.
		run, err := svc.RunBilling(ctx, p, from, to, false, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if run.Status != "completed" || run.ItemsSkipped != 0 {
			t.Fatalf("run: %+v", run)
		}
		checkItemsBilledOnce(t, svc, p, from, to)
		checkLedger(t, ctx, svc, db, p)

		// Voiding an issued invoice releases its items to pending.
		inv := res.Invoices[0]
		if _, err := svc.UpdateInvoiceStatus(ctx, p, inv.ID, service.StatusChange{Status: string(billing.Void), Reason: "wrong"}); err != nil {
			t.Fatal(err)
		}
		for _, si := range itemsOf(t, svc, p, c1.ID) {
			if si.InvoiceID == inv.ID {
				t.Errorf("item %s still on the voided invoice", si.Description)
			}
		}
		res, err = svc.InvoiceNow(ctx, p, c1.ID, service.InvoiceNowInput{PeriodStart: from, PeriodEnd: to})
		if err != nil || len(res.Invoices) != 1 || len(res.Invoices[0].Lines) != len(inv.Lines) {
			t.Fatalf("billing the voided invoice's items again: %+v %v", res, err)
		}
		checkLedger(t, ctx, svc, db, p)
	})
}

// TestInvoiceNowLacksBillingInfo: a customer without billing information
// is refused with a conflict, and so is one billed to such an account; a
// billing run leaves their items out and counts them.
func TestInvoiceNowLacksBillingInfo(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := service.New(db)
		p, _ := ledgerFixture(t, svc, 1)
		c, err := svc.CreateCustomer(ctx, p, service.CustomerInput{Name: ptr("No Info")})
		if err != nil {
			t.Fatal(err)
		}
		d := calendar.New(2026, 5, 3)
		if _, err := svc.CreateSalesItem(ctx, p, service.SalesItemInput{CustomerID: &c.ID, Description: ptr("Setup"), Quantity: ptr("1"),
			UnitPrice: ptr("10"), BillingDate: &d}); err != nil {
			t.Fatal(err)
		}
		_, err = svc.InvoiceNow(ctx, p, c.ID, service.InvoiceNowInput{})
		wantCode(t, err, fail.Conflict)
		// A customer with billing information billed to an account without:
		// its pending item is left out too.
		cur := "EUR"
		sub, err := svc.CreateCustomer(ctx, p, service.CustomerInput{Name: ptr("Sub"), InvoiceAccountID: &c.ID, SalesTaxGroup: ptr("DOM"),
			Billing: &service.BillingInput{LegalName: ptr("Sub S.L."), Email: ptr("s@example.com"), Currency: &cur,
				Address: &billing.Address{Line1: "Calle 2", City: "Madrid", Country: "ES"}}})
		if err != nil {
			t.Fatal(err)
		}
		si, err := svc.CreateSalesItem(ctx, p, service.SalesItemInput{CustomerID: &sub.ID, Description: ptr("Licence"), Quantity: ptr("1"),
			UnitPrice: ptr("10"), BillingDate: &d})
		if err != nil || si.Status != billing.ItemPending {
			t.Fatalf("sub-account's item: %+v %v", si, err)
		}
		_, err = svc.InvoiceNow(ctx, p, sub.ID, service.InvoiceNowInput{})
		wantCode(t, err, fail.Conflict)
		run, err := svc.RunBilling(ctx, p, calendar.New(2026, 5, 1), calendar.New(2026, 5, 31), false, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if run.ItemsSkipped != 2 || run.InvoicesCreated != 0 || run.Status != "completed" {
			t.Fatalf("run: %s, %d skipped, %d invoices; want completed, 2 and 0", run.Status, run.ItemsSkipped, run.InvoicesCreated)
		}
	})
}

// TestInvoiceNowRacesBillingRun: "invoice now" for every customer while a
// billing run bills the same period on another connection: every item
// ends on exactly one invoice and no invoice is empty.
func TestInvoiceNowRacesBillingRun(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		base := service.New(db)
		p, customers := ledgerFixture(t, base, 10)
		runFixture(t, base, p, customers)
		from, to := calendar.New(2026, 5, 1), calendar.New(2026, 5, 31)
		db2, err := store.Open(ctx, store.DSNOf(db))
		if err != nil {
			t.Fatal(err)
		}
		defer db2.Close()
		runner := service.New(db2, service.WithBillingBatch(1))
		var wg sync.WaitGroup
		errs := make(chan error, len(customers)+1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := runner.RunBilling(ctx, p, from, to, false, nil, nil); err != nil {
				errs <- err
			}
		}()
		billed := make([]int, len(customers))
		for i, c := range customers {
			if c.Billing.Currency != "EUR" {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					res, err := base.InvoiceNow(ctx, p, c.ID, service.InvoiceNowInput{PeriodStart: from, PeriodEnd: to})
					if fail.Is(err, fail.Conflict) {
						continue // items changed under it: call again
					}
					if err != nil {
						errs <- err
						return
					}
					billed[i] = res.ItemsBilled
					return
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		// A run may have stopped before billing what invoice now made late:
		// running the period again finishes it.
		if _, err := base.RunBilling(ctx, p, from, to, false, nil, nil); err != nil {
			t.Fatal(err)
		}
		checkItemsBilledOnce(t, base, p, from, to)
		shapes(t, base, p) // fails on an empty invoice
		total := 0
		for _, n := range billed {
			total += n
		}
		t.Logf("invoice now billed %d items, the run the rest", total)
	})
}
