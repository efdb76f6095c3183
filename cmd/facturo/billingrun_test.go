package main

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

// TestBillingRunCLIExchangeRates: `facturo billing-run` bills everyone
// whose currency has a rate, lists the group it skipped for want of a USD
// rate, and bills it once the tenant's table has one.
func TestBillingRunCLIExchangeRates(t *testing.T) {
	pg := os.Getenv("FACTURO_TEST_POSTGRES_URL") // clearEnv drops it; the test database is not the CLI's setting
	clearEnv(t)
	if pg != "" {
		t.Setenv("FACTURO_TEST_POSTGRES_URL", pg)
	}
	for _, e := range testdb.Engines {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			dsn := testdb.DSN(t, e)
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.Migrate(ctx, nil); err != nil {
				t.Fatal(err)
			}
			svc := service.New(db)
			ten, err := svc.CreateTenant(ctx, billing.Tenant{Name: "Nimbus", Currency: "EUR", TimeZone: "Europe/Madrid"})
			if err != nil {
				t.Fatal(err)
			}
			sys := access.System(ten.ID, "test")
			customer := func(name, cur string) billing.Customer {
				legal, email := name+" Ltd", "billing@example.com"
				c, err := svc.CreateCustomer(ctx, sys, service.CustomerInput{Name: &name, Billing: &service.BillingInput{LegalName: &legal,
					Email: &email, Currency: &cur, Address: &billing.Address{Line1: "1 Main St", City: "Madrid", Country: "ES"}}})
				if err != nil {
					t.Fatal(err)
				}
				return c
			}
			eur, usd := customer("Euro Co", "EUR"), customer("Dollar Inc", "USD")
			for _, c := range []billing.Customer{eur, usd} {
				desc, q, price, day := "Hosting", "1", "100", calendar.New(2026, 10, 15)
				if _, err := svc.CreateSalesItem(ctx, sys, service.SalesItemInput{CustomerID: &c.ID, Description: &desc, Quantity: &q,
					UnitPrice: &price, BillingDate: &day}); err != nil {
					t.Fatal(err)
				}
			}
			code, stdout, stderr := cli(t, "billing-run", "--db", dsn, "--tenant", ten.ID, "--from", "2026-10-01", "--to", "2026-10-31")
			if code != 0 || !strings.Contains(stdout, "completed: 1 items on 1 invoices") ||
				!strings.Contains(stdout, "skipped "+usd.Number) || !strings.Contains(stdout, "no exchange rate for USD on 2026-10-31") {
				t.Fatalf("run without a USD rate: exit %d\n%s\n%s", code, stdout, stderr)
			}
			if _, err := svc.SetExchangeRate(ctx, sys, service.ExchangeRateInput{Currency: "USD", Date: "2026-10-01", Rate: "0.92"}); err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr = cli(t, "billing-run", "--db", dsn, "--tenant", ten.ID, "--from", "2026-10-01", "--to", "2026-10-31")
			if code != 0 || !strings.Contains(stdout, "supplementary run") || !strings.Contains(stdout, "completed: 1 items on 1 invoices") || strings.Contains(stdout, "skipped") {
				t.Fatalf("run with a USD rate: exit %d\n%s\n%s", code, stdout, stderr)
			}
		})
	}
}
