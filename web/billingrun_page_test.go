package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/internal/testserver"
	"github.com/facturo/facturo/service"
)

// TestBillingRunPageShowsSupplementary (issue 12, 4): the console's run
// page says a run is supplementary and links the run it supplements; the
// list marks it.
func TestBillingRunPageShowsSupplementary(t *testing.T) {
	t.Parallel()
	for _, engine := range testdb.Engines {
		t.Run(string(engine), func(t *testing.T) {
			e := testserver.New(t, engine)
			ctx := context.Background()
			sys := access.System(e.A.ID, "test")
			if _, err := e.Svc.CreateUser(ctx, sys, service.NewUser{Email: "fm@a.test", Name: "Fina", Role: "finance_manager", Password: testPassword}); err != nil {
				t.Fatal(err)
			}
			item := func(desc string, day int) {
				str := func(s string) *string { return &s }
				d := calendar.New(2025, 11, day)
				if _, err := e.Svc.CreateSalesItem(ctx, sys, service.SalesItemInput{CustomerID: &e.A.Customer, Description: str(desc), Quantity: str("1"),
					UnitPrice: str("10"), BillingDate: &d, Provider: str("Nimbus")}); err != nil {
					t.Fatal(err)
				}
			}
			from, to := calendar.New(2025, 11, 1), calendar.New(2025, 11, 30)
			item("Workshop", 10)
			first, err := e.Svc.RunBilling(ctx, sys, from, to, false, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			item("Late usage", 20)
			second, err := e.Svc.RunBilling(ctx, sys, from, to, false, nil, nil)
			if err != nil || !second.Supplementary() {
				t.Fatalf("second run: %+v %v", second, err)
			}
			c := newClient(t, e)
			c.login("fm@a.test")
			code, _, body := c.do(http.MethodGet, "/console/billing-runs/"+second.ID, nil)
			if code != http.StatusOK || !strings.Contains(body, `id="run-supplementary"`) || !strings.Contains(body, "/console/billing-runs/"+first.ID) {
				t.Fatalf("supplementary run page: %d\n%s", code, body)
			}
			if _, _, body = c.do(http.MethodGet, "/console/billing-runs/"+first.ID, nil); strings.Contains(body, `id="run-supplementary"`) {
				t.Fatal("the first run shown as supplementary")
			}
			if _, _, body = c.do(http.MethodGet, "/console/billing-runs", nil); strings.Count(body, "supplementary") != 1 {
				t.Fatalf("the list marks %d runs supplementary, want 1", strings.Count(body, "supplementary"))
			}
		})
	}
}
