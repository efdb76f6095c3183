package service_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

// runFixture makes products, contracts, usage and manual items for a few
// customers, some billed to a reseller, in two providers and currencies.
func runFixture(t *testing.T, svc *service.Service, p access.Principal, customers []billing.Customer) int {
	t.Helper()
	ctx := context.Background()
	mkProd := func(code, provider string) billing.Product {
		pr, err := svc.CreateProduct(ctx, p, service.ProductInput{Code: ptr(code), Name: ptr("Product " + code), ChargeType: ptr("recurring"),
			DefaultPrice: ptr("12.34"), Provider: ptr(provider), ItemSalesTaxGroup: ptr("FULL")})
		if err != nil {
			t.Fatal(err)
		}
		return pr
	}
	ms, aws := mkProd("MS", "Microsoft"), mkProd("AWS", "AWS")
	items := 0
	for i, c := range customers {
		if c.Billing.Currency != "EUR" {
			continue
		}
		_, err := svc.CreateContract(ctx, p, service.ContractInput{CustomerID: c.ID, Name: "Contract " + c.Number, Parts: []service.PartInput{
			{ProductID: ms.ID, Quantity: fmt.Sprint(1 + i), Interval: "monthly", Start: calendar.New(2026, 1, 1)},
			{ProductID: aws.ID, Quantity: "2", Price: ptr("99.99"), Interval: "quarterly", Start: calendar.New(2026, 3, 1), InArrears: true},
		}})
		if err != nil {
			t.Fatal(err)
		}
		var recs []service.UsageRecord
		for k := range 3 {
			recs = append(recs, service.UsageRecord{RecordID: fmt.Sprintf("u-%s-%d", c.Number, k), CustomerRef: c.Number, SKU: "AWS",
				Quantity: fmt.Sprintf("%d.5", k), PeriodStart: calendar.New(2026, 5, 1), PeriodEnd: calendar.New(2026, 5, 31)})
		}
		rep, err := svc.ImportUsage(ctx, p, recs)
		if err != nil || rep.Imported != 3 {
			t.Fatalf("usage: %+v %v", rep, err)
		}
		items += 3
		if _, err := svc.CreateSalesItem(ctx, p, service.SalesItemInput{CustomerID: &c.ID, Description: ptr("Setup"), Quantity: ptr("1"),
			UnitPrice: ptr("150"), BillingDate: ptr(calendar.New(2026, 5, 20)), Provider: ptr("Nimbus"), ItemSalesTaxGroup: ptr("FULL")}); err != nil {
			t.Fatal(err)
		}
		items++
	}
	return items
}

type invoiceShape struct {
	account, provider, currency string
	lines                       []string
}

func shapes(t *testing.T, svc *service.Service, p access.Principal) []string {
	t.Helper()
	page, err := svc.ListInvoices(context.Background(), p, service.InvoiceFilter{Page: service.Page{Limit: 500}})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, h := range page.Items {
		inv, err := svc.GetInvoice(context.Background(), p, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(inv.Lines) == 0 {
			t.Fatalf("empty invoice %s", inv.DocumentNumber)
		}
		var ls []string
		for _, l := range inv.Lines {
			ls = append(ls, l.Description+"="+l.Amount.String())
		}
		sort.Strings(ls)
		out = append(out, inv.InvoiceAccountID+"|"+inv.Provider+"|"+inv.Currency+"|"+strings.Join(ls, ";"))
	}
	sort.Strings(out)
	return out
}

// checkItemsBilledOnce asserts every item of the period is on exactly one
// existing invoice and none is left pending.
func checkItemsBilledOnce(t *testing.T, svc *service.Service, p access.Principal, from, to calendar.Date) {
	t.Helper()
	ctx := context.Background()
	page, err := svc.ListSalesItems(ctx, p, service.SalesItemFilter{From: from, To: to, Page: service.Page{Limit: 500}})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) == 0 {
		t.Fatal("no items in the period")
	}
	seen := map[string]bool{}
	for _, si := range page.Items {
		if si.Status != billing.ItemInvoiced || si.InvoiceID == "" {
			t.Fatalf("item %s (%s) is %s", si.ID, si.Description, si.Status)
		}
		inv, err := svc.GetInvoice(ctx, p, si.InvoiceID)
		if err != nil {
			t.Fatalf("item %s on missing invoice %s: %v", si.ID, si.InvoiceID, err)
		}
		if seen[si.ID] {
			t.Fatalf("item %s twice", si.ID)
		}
		seen[si.ID] = true
		found := false
		for _, l := range inv.Lines {
			found = found || strings.HasSuffix(l.Description, si.Description)
		}
		if !found {
			t.Fatalf("item %s not among the lines of %s", si.Description, inv.DocumentNumber)
		}
	}
}

var errCrash = errors.New("simulated crash")

// TestBillingRunSurvivesCrashes kills the run at random points and runs it
// again until it completes: every pending item ends on exactly one
// invoice, no invoice is empty or duplicated, the ledger balances.
func TestBillingRunSurvivesCrashes(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		base := service.New(db)
		p, customers := ledgerFixture(t, base, 8)
		runFixture(t, base, p, customers)
		r := rand.New(rand.NewPCG(7, 11))
		var mu sync.Mutex
		crashAt := -1
		calls := 0
		svc := service.New(db, service.WithBillingBatch(1), service.WithFaultHook(func(string) error {
			mu.Lock()
			defer mu.Unlock()
			calls++
			if calls == crashAt {
				return errCrash
			}
			return nil
		}))
		from, to := calendar.New(2026, 5, 1), calendar.New(2026, 5, 31)
		crashes := 0
		for attempt := 0; attempt < 40; attempt++ {
			mu.Lock()
			calls, crashAt = 0, 1+r.IntN(6)
			if crashes >= 10 {
				crashAt = -1
			}
			mu.Unlock()
			run, err := svc.RunBilling(ctx, p, from, to, attempt%2 == 0, nil, nil)
			if errors.Is(err, errCrash) {
				crashes++
				if run.Status != "failed" {
					t.Fatalf("crashed run is %s", run.Status)
				}
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			if run.Status != "completed" || run.ItemsDone != run.ItemsTotal || run.Percent() != 100 {
				t.Fatalf("run: %+v", run)
			}
			break
		}
		if crashes < 10 {
			t.Fatalf("only %d crashes happened", crashes)
		}
		checkItemsBilledOnce(t, base, p, from, to)
		// Running the period again adds nothing.
		before := shapes(t, base, p)
		if _, err := base.RunBilling(ctx, p, from, to, false, nil, nil); err != nil {
			t.Fatal(err)
		}
		if after := shapes(t, base, p); strings.Join(after, "\n") != strings.Join(before, "\n") {
			t.Fatal("a second run of the period changed the invoices")
		}
		checkLedger(t, ctx, base, db, p)
	})
}

// TestBillingRunOnThreeNodes: three nodes running the same period at once
// give the same invoices as one node.
func TestBillingRunOnThreeNodes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	from, to := calendar.New(2026, 5, 1), calendar.New(2026, 5, 31)
	var reference []string
	for _, nodes := range []int{1, 3} {
		db := testdb.Open(t, store.Postgres)
		base := service.New(db)
		p, customers := ledgerFixture(t, base, 8)
		runFixture(t, base, p, customers)
		var wg sync.WaitGroup
		errs := make(chan error, nodes)
		for range nodes {
			db2, err := store.Open(ctx, store.DSNOf(db))
			if err != nil {
				t.Fatal(err)
			}
			defer db2.Close()
			node := service.New(db2, service.WithBillingBatch(2))
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := node.RunBilling(ctx, p, from, to, false, nil, nil); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("%d nodes: %v", nodes, err)
		}
		checkItemsBilledOnce(t, base, p, from, to)
		got := shapes(t, base, p)
		// Ids differ between the two databases: compare by customer number instead.
		for i := range got {
			for _, c := range customers {
				got[i] = strings.ReplaceAll(got[i], c.ID, c.Number)
			}
		}
		if reference == nil {
			reference = got
			continue
		}
		if strings.Join(got, "\n") != strings.Join(reference, "\n") {
			t.Fatalf("three nodes made other invoices than one:\n%s\n---\n%s", strings.Join(got, "\n"), strings.Join(reference, "\n"))
		}
	}
}

// TestSalesItemsFollowBillingInfo: seed 002's draft → pending the moment the
// customer's billing information is complete.
func TestSalesItemsFollowBillingInfo(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := service.New(db)
		p, _ := ledgerFixture(t, svc, 1)
		c, err := svc.CreateCustomer(ctx, p, service.CustomerInput{Name: ptr("No billing info yet")})
		if err != nil {
			t.Fatal(err)
		}
		si, err := svc.CreateSalesItem(ctx, p, service.SalesItemInput{CustomerID: &c.ID, Description: ptr("Onboarding"), Quantity: ptr("1"), UnitPrice: ptr("80")})
		if err != nil || si.Status != billing.ItemDraft {
			t.Fatalf("item of a customer without billing info: %s %v", si.Status, err)
		}
		if _, err := svc.UpdateCustomer(ctx, p, c.ID, service.CustomerInput{Billing: &service.BillingInput{LegalName: ptr("Ready S.L."),
			Email: ptr("ap@ready.example"), Currency: ptr("EUR"), Address: &billing.Address{Line1: "Calle 2", City: "Madrid", Country: "ES"}}}); err != nil {
			t.Fatal(err)
		}
		got, err := svc.GetSalesItem(ctx, p, si.ID)
		if err != nil || got.Status != billing.ItemPending {
			t.Fatalf("after billing info: %s %v", got.Status, err)
		}
		engineer := access.Principal{TenantID: p.TenantID, UserID: "usr_e", Role: access.Engineer}
		if _, err := svc.ListSalesItems(ctx, engineer, service.SalesItemFilter{}); err == nil {
			t.Fatal("an engineer listed sales items")
		}
	})
}
