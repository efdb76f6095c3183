package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/internal/testserver"
	"github.com/facturo/facturo/service"
)

// TestPortalShowsCashDiscount: the portal's invoice page shows the cash
// discount's amount, date and percent, on every engine.
func TestPortalShowsCashDiscount(t *testing.T) {
	t.Parallel()
	for _, engine := range testdb.Engines {
		t.Run(string(engine), func(t *testing.T) {
			e := testserver.New(t, engine)
			ctx := context.Background()
			sys := access.System(e.A.ID, "test")
			if _, err := e.Svc.CreateUser(ctx, sys, service.NewUser{Email: "cust@a.test", Name: "Cust", Role: "customer",
				CustomerID: e.A.Customer, Password: testPassword}); err != nil {
				t.Fatal(err)
			}
			loc, err := time.LoadLocation("Europe/Madrid")
			if err != nil {
				t.Fatal(err)
			}
			today := calendar.Today(e.Clock.Now(), loc)
			disc, due := today.AddDays(10), today.AddDays(30)
			lines := []service.LineInput{{Description: "Managed services", Quantity: ptr("1"), UnitPrice: ptr("121.00")}}
			inv, err := e.Svc.CreateInvoice(ctx, sys, service.InvoiceInput{CustomerID: &e.A.Customer, Lines: &lines, DueDate: &due,
				CashDiscountDate: &disc, CashDiscountPct: ptr("2")})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.Svc.UpdateInvoiceStatus(ctx, sys, inv.ID, service.StatusChange{Status: "open"}); err != nil {
				t.Fatal(err)
			}
			c := newClient(t, e)
			c.login("cust@a.test")
			code, _, body := c.do(http.MethodGet, "/portal/invoices/"+inv.ID, nil)
			if code != http.StatusOK {
				t.Fatalf("portal invoice: %d", code)
			}
			i := strings.Index(body, `id="cash-discount"`)
			if i < 0 || !strings.Contains(body[i:min(len(body), i+80)], "2.42") || !strings.Contains(body, "Cash discount if paid by") {
				t.Errorf("the portal page lacks the cash discount of 2.42")
			}
			if i := strings.Index(body, `id="pay"`); i < 0 || !strings.Contains(body[i:min(len(body), i+120)], "118.58") {
				t.Errorf("the pay button does not offer the discounted 118.58")
			}
		})
	}
}
