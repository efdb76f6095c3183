package sales_test

// The sales area as the root service wires it, on the real store of both
// engines: a write that fails inside its transaction leaves neither its
// rows nor an audit entry nor an event, and one that succeeds leaves its
// audit entry and its event with it.

import (
	"context"
	"testing"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

func ptr[T any](v T) *T { return &v }

// count counts the rows of table of tenantID.
func count(t *testing.T, db *store.DB, table, tenantID string) int {
	t.Helper()
	var n int
	q := `SELECT count(*) FROM ` + table + ` WHERE tenant_id = $1`
	if err := db.SQL().QueryRowContext(context.Background(), q, tenantID).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

var salesTables = []string{"products", "sales_items", "contracts", "tickets", "time_entries", "audit_log", "webhook_events", "invoices"}

func counts(t *testing.T, db *store.DB, tenantID string) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, tb := range salesTables {
		out[tb] = count(t, db, tb, tenantID)
	}
	return out
}

func TestSalesWritesAreAtomicWithAuditAndEvents(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := service.New(db, service.WithPrivateWebhookTargets())
		tn, err := svc.CreateTenant(ctx, billing.Tenant{Name: "Ventas S.L.", Currency: "EUR", TimeZone: "Europe/Madrid"})
		if err != nil {
			t.Fatal(err)
		}
		sys := access.System(tn.ID, "test")
		if _, err := svc.CreateWebhookEndpoint(ctx, sys, service.WebhookEndpointInput{URL: ptr("http://127.0.0.1:9/hook"), Events: []string{"*"}}); err != nil {
			t.Fatal(err)
		}
		cust, err := svc.CreateCustomer(ctx, sys, service.CustomerInput{Name: ptr("Cliente")})
		if err != nil {
			t.Fatal(err)
		}
		prod, err := svc.CreateProduct(ctx, sys, service.ProductInput{Code: ptr("SUP"), Name: ptr("Support"), ChargeType: ptr("time"), DefaultPrice: ptr("80")})
		if err != nil {
			t.Fatal(err)
		}

		failing := []struct {
			name string
			code fail.Code
			run  func() error
		}{
			{"product with an unknown tax group", fail.Invalid, func() error {
				_, err := svc.UpdateProduct(ctx, sys, prod.ID, service.ProductInput{ItemSalesTaxGroup: ptr("NOPE")})
				return err
			}},
			{"product with a duplicate code", fail.Conflict, func() error {
				_, err := svc.CreateProduct(ctx, sys, service.ProductInput{Code: ptr("SUP"), Name: ptr("Again")})
				return err
			}},
			{"item of an unknown customer", fail.Invalid, func() error {
				_, err := svc.CreateSalesItem(ctx, sys, service.SalesItemInput{CustomerID: ptr("cus_none"), Description: ptr("x"), Quantity: ptr("1"), UnitPrice: ptr("1")})
				return err
			}},
			{"item of an unknown product", fail.Invalid, func() error {
				_, err := svc.CreateSalesItem(ctx, sys, service.SalesItemInput{CustomerID: &cust.ID, ProductID: ptr("prd_none"), Quantity: ptr("1")})
				return err
			}},
			{"cancel an unknown item", fail.NotFound, func() error {
				_, err := svc.CancelSalesItem(ctx, sys, "si_none")
				return err
			}},
			{"contract of an unknown customer", fail.Invalid, func() error {
				_, err := svc.CreateContract(ctx, sys, service.ContractInput{CustomerID: "cus_none", Name: "C", Status: "active"})
				return err
			}},
			{"ticket of an unknown customer", fail.Invalid, func() error {
				_, err := svc.CreateTicket(ctx, sys, "cus_none", "Printer")
				return err
			}},
			{"time on an unknown ticket", fail.NotFound, func() error {
				_, _, err := svc.LogTime(ctx, sys, "tkt_none", service.TimeEntryInput{WorkDate: calendar.New(2026, 1, 15), Minutes: 30, Description: "x"})
				return err
			}},
			{"invoice now for an unknown customer", fail.NotFound, func() error {
				_, err := svc.InvoiceNow(ctx, sys, "cus_none", service.InvoiceNowInput{})
				return err
			}},
		}
		for _, tc := range failing {
			before := counts(t, db, tn.ID)
			if err := tc.run(); fail.CodeOf(err) != tc.code {
				t.Errorf("%s: err = %v, want %s", tc.name, err, tc.code)
			}
			for tb, n := range counts(t, db, tn.ID) {
				if n != before[tb] {
					t.Errorf("%s: %s went from %d to %d rows", tc.name, tb, before[tb], n)
				}
			}
		}

		before := counts(t, db, tn.ID)
		if _, err := svc.CreateSalesItem(ctx, sys, service.SalesItemInput{CustomerID: &cust.ID, ProductID: &prod.ID, Quantity: ptr("2")}); err != nil {
			t.Fatal(err)
		}
		after := counts(t, db, tn.ID)
		for tb, want := range map[string]int{"sales_items": 1, "audit_log": 1, "webhook_events": 1} {
			if got := after[tb] - before[tb]; got != want {
				t.Errorf("a sales item made %d rows of %s, want %d", got, tb, want)
			}
		}
	})
}
