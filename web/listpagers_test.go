package web_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/internal/testserver"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

var (
	customerLink = regexp.MustCompile(`<td><a href="/console/customers/(cus_[0-9a-z]+)">`)
	itemRow      = regexp.MustCompile(`<td>(Paged item \d+)</td>`)
)

// TestListPagers: the console's customers and sales items lists page
// forward with Next, keeping their filters, and back with Previous to
// exactly the rows seen before. Both engines.
func TestListPagers(t *testing.T) {
	t.Parallel()
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			e := testserver.New(t, engine)
			ctx := context.Background()
			sys := access.System(e.A.ID, "test")
			if _, err := e.Svc.CreateUser(ctx, sys, service.NewUser{Email: "admin@a.test", Name: "admin", Role: "administrator", Password: testPassword}); err != nil {
				t.Fatal(err)
			}
			const n = 57 // two pages of 50
			for i := range n {
				if _, err := e.Svc.CreateCustomer(ctx, sys, service.CustomerInput{Name: ptr(fmt.Sprintf("Paged customer %02d", i))}); err != nil {
					t.Fatal(err)
				}
				if _, err := e.Svc.CreateSalesItem(ctx, sys, service.SalesItemInput{CustomerID: &e.A.Customer, Description: ptr(fmt.Sprintf("Paged item %02d", i)),
					Quantity: ptr("1"), UnitPrice: ptr(fmt.Sprintf("%d", 200+i)), Provider: ptr("PagerCo")}); err != nil {
					t.Fatal(err)
				}
			}
			c := newClient(t, e)
			c.login("admin@a.test")
			get := func(path string) string {
				t.Helper()
				code, _, body := c.do(http.MethodGet, path, nil)
				if code != http.StatusOK {
					t.Fatalf("GET %s: %d", path, code)
				}
				return body
			}
			for _, l := range []struct {
				name, start string
				rows        *regexp.Regexp
				keep        []string // what the links must keep of the filter
			}{
				{"customers", "/console/customers?q=Paged", customerLink, []string{"q=Paged"}},
				{"sales items", "/console/sales-items?provider=PagerCo&sort=gross&desc=1&adv=and&adv.g0=and&adv.g0.r0.f=gross&adv.g0.r0.o=gt&adv.g0.r0.v=100",
					itemRow, []string{"provider=PagerCo", "sort=gross", "desc=1", "adv.g0.r0.f=gross", "adv.g0.r0.v=100"}},
			} {
				t.Run(l.name, func(t *testing.T) {
					p1 := get(l.start)
					rows1 := rowsOf(l.rows, p1)
					if len(rows1) != 50 || pagerPos(p1, "page-pos") != "Rows 1–50 · page 1" || pagerLink(p1, "prev-page") != "" {
						t.Fatalf("page 1: %d rows, position %q, previous %q", len(rows1), pagerPos(p1, "page-pos"), pagerLink(p1, "prev-page"))
					}
					next := pagerLink(p1, "next-page")
					for _, k := range l.keep {
						if !strings.Contains(next, k) {
							t.Errorf("next link %q loses %s", next, k)
						}
					}
					p2 := get(next)
					rows2 := rowsOf(l.rows, p2)
					if len(rows2) != n-50 || pagerLink(p2, "next-page") != "" || pagerPos(p2, "page-pos") != fmt.Sprintf("51–%d of %d", n, n) {
						t.Fatalf("page 2: %d rows, next %q, position %q", len(rows2), pagerLink(p2, "next-page"), pagerPos(p2, "page-pos"))
					}
					if slices.ContainsFunc(rows2, func(r string) bool { return slices.Contains(rows1, r) }) {
						t.Error("page 2 repeats rows of page 1")
					}
					prev := pagerLink(p2, "prev-page")
					if back := rowsOf(l.rows, get(prev)); !slices.Equal(back, rows1) {
						t.Errorf("previous (%s) shows other rows than page 1", prev)
					}
				})
			}
		})
	}
}
