package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/internal/testserver"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

var (
	invoiceLink = regexp.MustCompile(`<td class="c-number"><a href="/(?:console|portal)/invoices/(inv_[0-9a-z]+)"`)
	txRow       = regexp.MustCompile(`<td data-label="Reference">([^<]*)</td>`)
)

// pagerLink is the href of the pager link with id, or "".
func pagerLink(body, id string) string {
	m := regexp.MustCompile(`<a href="([^"]*)"[^>]* id="` + id + `"`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

func pagerPos(body, id string) string {
	m := regexp.MustCompile(`id="` + id + `">([^<]*)<`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

func rowsOf(re *regexp.Regexp, body string) []string {
	var out []string
	for _, m := range re.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestPagers: the invoice list pages forward with Next and back with
// Previous to exactly the rows seen before, keeps its filter and sort,
// shows the position, and First returns to the first page; the account
// page's transaction history pages the same way. Both engines.
func TestPagers(t *testing.T) {
	t.Parallel()
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			e := testserver.New(t, engine)
			ctx := context.Background()
			sys := access.System(e.A.ID, "test")
			for _, u := range []service.NewUser{
				{Email: "fm@a.test", Name: "Fina", Role: "finance_manager", Password: testPassword},
				{Email: "cust@a.test", Name: "Cust", Role: "customer", CustomerID: e.A.Customer, Password: testPassword},
			} {
				if _, err := e.Svc.CreateUser(ctx, sys, u); err != nil {
					t.Fatal(err)
				}
			}
			// 108 drafts of one customer (three pages of 50), and 25 issued
			// invoices of the portal's customer (two pages of transactions).
			const drafts, issued = 108, 25
			for i := range drafts + issued {
				cust := e.A.Other
				if i >= drafts {
					cust = e.A.Customer
				}
				lines := []service.LineInput{{Description: fmt.Sprintf("item %d", i), Quantity: ptr("1"), UnitPrice: ptr(fmt.Sprintf("%d.00", 10+i))}}
				inv, err := e.Svc.CreateInvoice(ctx, sys, service.InvoiceInput{CustomerID: &cust, Lines: &lines})
				if err != nil {
					t.Fatal(err)
				}
				if i >= drafts {
					if _, err := e.Svc.UpdateInvoiceStatus(ctx, sys, inv.ID, service.StatusChange{Status: "open", Notify: ptr(false)}); err != nil {
						t.Fatal(err)
					}
				}
			}
			c := newClient(t, e)
			c.login("fm@a.test")
			get := func(path string) string {
				t.Helper()
				code, _, body := c.do(http.MethodGet, path, nil)
				if code != http.StatusOK {
					t.Fatalf("GET %s: %d", path, code)
				}
				return body
			}

			t.Run("invoices", func(t *testing.T) {
				start := "/console/invoices?sort=amount&desc=1&status=draft"
				p1 := get(start)
				rows1 := rowsOf(invoiceLink, p1)
				if len(rows1) != 50 || pagerPos(p1, "page-pos") != "Rows 1–50 · page 1" {
					t.Fatalf("page 1: %d rows, position %q", len(rows1), pagerPos(p1, "page-pos"))
				}
				if pagerLink(p1, "first-page") != "" || pagerLink(p1, "prev-page") != "" {
					t.Error("the first page links to a first or previous page")
				}
				next := pagerLink(p1, "next-page")
				if !strings.Contains(next, "sort=amount") || !strings.Contains(next, "desc=1") || !strings.Contains(next, "status=draft") {
					t.Errorf("next link %q loses the sort or the filter", next)
				}
				p2 := get(next)
				rows2 := rowsOf(invoiceLink, p2)
				if len(rows2) != 50 || slices.ContainsFunc(rows2, func(id string) bool { return slices.Contains(rows1, id) }) {
					t.Fatalf("page 2: %d rows, or rows of page 1", len(rows2))
				}
				if pos := pagerPos(p2, "page-pos"); pos != "Rows 51–100 · page 2" {
					t.Errorf("page 2 position %q", pos)
				}
				if back := rowsOf(invoiceLink, get(pagerLink(p2, "prev-page"))); !slices.Equal(back, rows1) {
					t.Errorf("previous from page 2 shows other rows than page 1")
				}
				p3 := get(pagerLink(p2, "next-page"))
				rows3 := rowsOf(invoiceLink, p3)
				if len(rows3) != drafts-100 || pagerLink(p3, "next-page") != "" {
					t.Fatalf("page 3: %d rows, next %q", len(rows3), pagerLink(p3, "next-page"))
				}
				if pos := pagerPos(p3, "page-pos"); pos != fmt.Sprintf("101–%d of %d", drafts, drafts) {
					t.Errorf("last page position %q", pos)
				}
				if back := rowsOf(invoiceLink, get(pagerLink(p3, "prev-page"))); !slices.Equal(back, rows2) {
					t.Errorf("previous from page 3 shows other rows than page 2")
				}
				first := pagerLink(p3, "first-page")
				if f := rowsOf(invoiceLink, get(first)); !slices.Equal(f, rows1) || !strings.Contains(first, "sort=amount") {
					t.Errorf("first page from page 3 (%s) is not page 1", first)
				}
				// The whole list, in the sort asked for, once.
				all := slices.Concat(rows1, rows2, rows3)
				seen := map[string]bool{}
				for _, id := range all {
					seen[id] = true
				}
				if len(seen) != drafts {
					t.Errorf("the three pages hold %d distinct invoices, want %d", len(seen), drafts)
				}
				// A forged back-stack is a bad cursor, not a crash.
				if code, _, _ := c.do(http.MethodGet, "/console/invoices?cursor=x&back=y.z", nil); code != http.StatusUnprocessableEntity && code != http.StatusBadRequest {
					t.Errorf("forged cursor: %d", code)
				}
			})

			t.Run("transactions", func(t *testing.T) {
				pc := newClient(t, e)
				pc.login("cust@a.test")
				for _, base := range []string{"/portal/account", "/console/customers/" + e.A.Customer} {
					cl := c
					if strings.HasPrefix(base, "/portal") {
						cl = pc
					}
					code, _, p1 := cl.do(http.MethodGet, base, nil)
					if code != http.StatusOK {
						t.Fatalf("GET %s: %d", base, code)
					}
					rows1 := rowsOf(txRow, p1)
					if len(rows1) != 20 || pagerPos(p1, "tx-page-pos") != fmt.Sprintf("1–20 of %d", issued) {
						t.Fatalf("%s: %d transactions, position %q", base, len(rows1), pagerPos(p1, "tx-page-pos"))
					}
					next := pagerLink(p1, "tx-next-page")
					if next != base+"?tx_page=2#transactions" {
						t.Errorf("%s: next link %q", base, next)
					}
					_, _, p2 := cl.do(http.MethodGet, strings.TrimSuffix(next, "#transactions"), nil)
					rows2 := rowsOf(txRow, p2)
					if len(rows2) != issued-20 || pagerPos(p2, "tx-page-pos") != fmt.Sprintf("21–%d of %d", issued, issued) || pagerLink(p2, "tx-next-page") != "" {
						t.Errorf("%s page 2: %d transactions, position %q", base, len(rows2), pagerPos(p2, "tx-page-pos"))
					}
					prev := strings.TrimSuffix(pagerLink(p2, "tx-prev-page"), "#transactions")
					if _, _, back := cl.do(http.MethodGet, prev, nil); !slices.Equal(rowsOf(txRow, back), rows1) {
						t.Errorf("%s: previous (%s) shows other transactions than page 1", base, prev)
					}
				}
			})
		})
	}
}

// TestFavicon: /favicon.ico is an icon, public and cached, and every page links one.
func TestFavicon(t *testing.T) {
	t.Parallel()
	e := testserver.New(t, store.SQLite)
	c := newClient(t, e)
	code, h, body := c.do(http.MethodGet, "/favicon.ico", nil)
	if code != http.StatusOK || !strings.HasPrefix(body, "\x00\x00\x01\x00") || !strings.Contains(h.Get("Content-Type"), "icon") {
		t.Errorf("favicon: %d %q, %d bytes", code, h.Get("Content-Type"), len(body))
	}
	if !strings.Contains(h.Get("Cache-Control"), "max-age") {
		t.Errorf("favicon cache: %q", h.Get("Cache-Control"))
	}
	if code, h, _ := c.do(http.MethodGet, "/static/favicon.svg", nil); code != http.StatusOK || !strings.Contains(h.Get("Content-Type"), "svg") {
		t.Errorf("favicon.svg: %d %q", code, h.Get("Content-Type"))
	}
	if _, _, body := c.do(http.MethodGet, "/login", nil); !strings.Contains(body, `<link rel="icon" href="/favicon.ico"`) {
		t.Error("the sign-in page links no icon")
	}
}

// TestEngineerHome: an engineer's console home lists the open tickets and
// the time they logged themselves, not another engineer's. Both engines.
func TestEngineerHome(t *testing.T) {
	t.Parallel()
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			engineerHome(t, testserver.New(t, engine))
		})
	}
}

func engineerHome(t *testing.T, e *testserver.Env) {
	ctx := context.Background()
	sys := access.System(e.A.ID, "test")
	var engineers []access.Principal
	for _, email := range []string{"eng@a.test", "eng2@a.test"} {
		u, err := e.Svc.CreateUser(ctx, sys, service.NewUser{Email: email, Name: email, Role: "engineer", Password: testPassword})
		if err != nil {
			t.Fatal(err)
		}
		engineers = append(engineers, access.Principal{TenantID: e.A.ID, UserID: u.ID, Role: access.Engineer, Name: email})
	}
	tkt, err := e.Svc.CreateTicket(ctx, sys, e.A.Customer, "Printer on fire")
	if err != nil {
		t.Fatal(err)
	}
	day := calendar.Date{Year: 2026, Month: 11, Day: 3}
	for i, desc := range []string{"Replaced the toner", "Someone else's visit"} {
		if _, _, err := e.Svc.LogTime(ctx, engineers[i], tkt.ID, service.TimeEntryInput{WorkDate: day, Minutes: 45 + i, Description: desc}); err != nil {
			t.Fatal(err)
		}
	}
	c := newClient(t, e)
	c.login("eng@a.test")
	code, _, body := c.do(http.MethodGet, "/console/", nil)
	if code != http.StatusOK {
		t.Fatalf("engineer home: %d", code)
	}
	tickets := regexp.MustCompile(`(?s)<table class="data" id="tickets">.*?</table>`).FindString(body)
	if !strings.Contains(tickets, tkt.Number) || !strings.Contains(tickets, "Printer on fire") {
		t.Errorf("the home does not list the open ticket: %s", tickets)
	}
	entries := regexp.MustCompile(`(?s)<table class="data" id="time-entries">.*?</table>`).FindString(body)
	if !strings.Contains(entries, "Replaced the toner") || !strings.Contains(entries, ">45<") || !strings.Contains(entries, tkt.Number) {
		t.Errorf("the home does not list the engineer's time entry: %s", entries)
	}
	if strings.Contains(body, "Someone else") {
		t.Error("the home lists another engineer's time")
	}
	if strings.Contains(body, `id="nothing"`) {
		t.Error("the engineer's home still says there is nothing for them")
	}
}
