package web_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/internal/testserver"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

// TestLedgerPage: the ledger page's aging shows every open document in its
// totals and pages through the customers; both engines.
func TestLedgerPage(t *testing.T) {
	t.Parallel()
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			e := testserver.New(t, engine)
			ctx := context.Background()
			sys := access.System(e.A.ID, "test")
			if _, err := e.Svc.CreateUser(ctx, sys, service.NewUser{Email: "fm@a.test", Name: "Fina", Role: "finance_manager", Password: testPassword}); err != nil {
				t.Fatal(err)
			}
			var want []string
			var total decimal.Decimal
			for _, cust := range []string{e.A.Customer, e.A.Other} {
				lines := []service.LineInput{{Description: "hosting", Quantity: ptr("3"), UnitPrice: ptr("41.37")}}
				inv, err := e.Svc.CreateInvoice(ctx, sys, service.InvoiceInput{CustomerID: &cust, Lines: &lines})
				if err != nil {
					t.Fatal(err)
				}
				res, err := e.Svc.UpdateInvoiceStatus(ctx, sys, inv.ID, service.StatusChange{Status: "open"})
				if err != nil {
					t.Fatal(err)
				}
				cu, err := e.Svc.GetCustomer(ctx, sys, cust)
				if err != nil {
					t.Fatal(err)
				}
				want = append(want, cu.Name)
				total = total.Add(res.Invoice.BalanceAccounting.Decimal())
			}
			c := newClient(t, e)
			c.login("fm@a.test")
			code, _, body := c.do(http.MethodGet, "/console/ledger?as_of=2100-01-01", nil)
			if code != http.StatusOK {
				t.Fatalf("ledger: %d", code)
			}
			for _, name := range want {
				if !strings.Contains(body, name) {
					t.Errorf("the aging does not list %s", name)
				}
			}
			foot := regexp.MustCompile(`(?s)<tr id="aging-totals">.*?</tr>`).FindString(body)
			if !strings.Contains(foot, "(2 ") {
				t.Errorf("aging totals do not count 2 open documents: %s", foot)
			}
			// Amounts show with their currency (issue 16).
			if !strings.Contains(foot, ">€"+total.StringFixed(2)+"<") {
				t.Errorf("aging totals %s, want €%s", foot, total.StringFixed(2))
			}
			if !strings.Contains(body, `id="trial-balance"`) {
				t.Error("no trial balance")
			}
			// The trial balance's totals row: debits equal credits, both
			// at least the receivable of the two invoices.
			debits := regexp.MustCompile(`id="trial-debits">€([0-9,.]+)<`).FindStringSubmatch(body)
			credits := regexp.MustCompile(`id="trial-credits">€([0-9,.]+)<`).FindStringSubmatch(body)
			if debits == nil || credits == nil || debits[1] != credits[1] {
				t.Errorf("trial balance totals: debits %v, credits %v", debits, credits)
			} else if d, _ := decimal.NewFromString(strings.ReplaceAll(debits[1], ",", "")); d.LessThan(total) {
				t.Errorf("trial balance debits %s < the receivable %s", d, total)
			}
			// A page after the last customer is empty and links back.
			last := e.A.Customer
			if e.A.Other > last {
				last = e.A.Other
			}
			_, _, body = c.do(http.MethodGet, "/console/ledger?as_of=2100-01-01&after="+last, nil)
			if strings.Contains(body, want[0]) || !strings.Contains(body, `id="first-page"`) {
				t.Errorf("the page after the last customer is not empty with a link to the first: %s", regexp.MustCompile(`(?s)<table class="data" id="aging">.*?</nav>`).FindString(body))
			}
			if code, _, _ := c.do(http.MethodGet, "/console/ledger?as_of=yesterday", nil); code != http.StatusUnprocessableEntity {
				t.Errorf("bad as_of: %d", code)
			}
		})
	}
}
