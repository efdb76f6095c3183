package service_test

import (
	"context"
	"testing"

	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

// BenchmarkIssueWithEvents measures creating and issuing a one-line invoice
// with notify, on each engine, without webhook endpoints (the reference:
// emitEvent only looks the endpoints up) and with one endpoint subscribed to
// invoice.* (three events, three deliveries written in the transactions).
func BenchmarkIssueWithEvents(b *testing.B) {
	for _, engine := range testdb.Engines {
		for _, hooks := range []bool{false, true} {
			name := string(engine) + "/no_endpoint"
			if hooks {
				name = string(engine) + "/one_endpoint"
			}
			b.Run(name, func(b *testing.B) {
				if engine == store.Postgres {
					testdb.PostgresURL(b)
				}
				db := testdb.Open(b, engine)
				ctx := context.Background()
				svc := service.New(db)
				sys, cs := ledgerFixture(b, svc, 1)
				customer := cs[0].ID
				if hooks {
					url := "https://hooks.example.com/x"
					if _, err := svc.CreateWebhookEndpoint(ctx, sys, service.WebhookEndpointInput{URL: &url, Events: []string{"invoice.*"}}); err != nil {
						b.Fatal(err)
					}
				}
				lines := []service.LineInput{{Description: "x", Quantity: ptr("1"), UnitPrice: ptr("100"), ItemSalesTaxGroup: "FULL"}}
				notify := true
				for b.Loop() {
					inv, err := svc.CreateInvoice(ctx, sys, service.InvoiceInput{CustomerID: &customer, Lines: &lines})
					if err != nil {
						b.Fatal(err)
					}
					if _, err := svc.UpdateInvoiceStatus(ctx, sys, inv.ID, service.StatusChange{Status: "open", Notify: &notify}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
