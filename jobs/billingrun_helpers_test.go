package jobs_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/jobs"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

// TestHelperJobsShareABillingRun (issue 15): on PostgreSQL, a run's plan
// inserts helper jobs, which a serve node's workers take: while the node
// that started the run is held up, the other node bills its batches; the
// starting node completes the run, every item billed once.
func TestHelperJobsShareABillingRun(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	main := testdb.Open(t, store.Postgres)
	other, err := store.Open(ctx, store.DSNOf(main))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	base := service.New(main)
	ten, err := base.CreateTenant(ctx, billing.Tenant{Name: "Helpers", Currency: "EUR", TimeZone: "Europe/Madrid"})
	if err != nil {
		t.Fatal(err)
	}
	p := access.System(ten.ID, "test")
	str := func(s string) *string { return &s }
	may := calendar.New(2026, 5, 20)
	const customers, perCustomer = 6, 2
	for i := range customers {
		c, err := base.CreateCustomer(ctx, p, service.CustomerInput{Name: str(fmt.Sprintf("Customer %d", i)),
			Billing: &service.BillingInput{LegalName: str(fmt.Sprintf("Customer %d S.L.", i)), Email: str("ap@example.com"), Currency: str("EUR"),
				Address: &billing.Address{Line1: "Calle Mayor 1", City: "Madrid", PostalCode: "28013", Country: "ES"}}})
		if err != nil {
			t.Fatal(err)
		}
		for k := range perCustomer {
			if _, err := base.CreateSalesItem(ctx, p, service.SalesItemInput{CustomerID: &c.ID, Description: str(fmt.Sprintf("Support %d", k)),
				Quantity: str("1"), UnitPrice: str("100"), BillingDate: &may, Provider: str("Nimbus")}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The other node: a serve node's job workers.
	start(t, other, service.New(other), jobs.Config{Node: "node-b", Every: every(time.Hour), Logger: slog.New(slog.DiscardHandler)})

	// The starting node bills one account per batch and, before its second
	// batch, waits until the helpers have billed every open batch.
	groups := 0
	a := service.New(main, service.WithBillingBatch(1), service.WithFaultHook(func(point string) error {
		if point != "group" {
			return nil
		}
		if groups++; groups == 2 {
			waitFor(t, "the helpers to bill the open batches", func() bool { return openBatches(t, main) == 0 })
		}
		return nil
	}))
	run, err := a.RunBilling(ctx, p, calendar.New(2026, 5, 1), calendar.New(2026, 5, 31), false, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if run.Status != "completed" || run.ItemsDone != customers*perCustomer || run.InvoicesCreated != customers {
		t.Fatalf("run: %+v, want %d items on %d invoices", run, customers*perCustomer, customers)
	}
	var nodes, pending, lines int
	if err := main.SQL().QueryRow(`SELECT count(DISTINCT done_by) FROM billing_run_batches WHERE run_id = $1`, run.ID).Scan(&nodes); err != nil {
		t.Fatal(err)
	}
	if nodes < 2 {
		t.Errorf("the run's batches were billed by %d node(s), want the helpers too", nodes)
	}
	if err := main.SQL().QueryRow(`SELECT count(*) FROM sales_items WHERE tenant_id = $1 AND status <> 'invoiced'`, ten.ID).Scan(&pending); err != nil || pending != 0 {
		t.Errorf("%d items not invoiced (%v)", pending, err)
	}
	if err := main.SQL().QueryRow(`SELECT count(*) FROM invoice_lines WHERE tenant_id = $1`, ten.ID).Scan(&lines); err != nil || lines != customers*perCustomer {
		t.Errorf("%d invoice lines (%v), want one per item: %d", lines, err, customers*perCustomer)
	}
}

// openBatches counts the open batches of every run in db.
func openBatches(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRow(`SELECT count(*) FROM billing_run_batches WHERE status = 'planned'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
