package server_test

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/internal/testserver"
)

// TestBadInput sends the mistakes a new user makes. Each gets a 4xx
// problem+json naming the field and saying what to fix, and writes nothing.
func TestBadInput(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		admin := e.A.Keys[access.Administrator]
		// Fixtures: a customer with a known number, and a parent chain P ← C.
		fix := func(body any) accCustomer {
			t.Helper()
			r := accDo(t, e, http.MethodPost, "/api/v1/customers", admin, body)
			if r.Status != http.StatusCreated {
				t.Fatalf("fixture: %d %s", r.Status, r.Body)
			}
			var c accCustomer
			r.JSON(t, &c)
			return c
		}
		numbered := fix(map[string]any{"name": "Numbered", "number": "ACME-1"})
		parent := fix(map[string]any{"name": "Reseller"})
		child := fix(map[string]any{"name": "Sub-account", "parent_id": parent.ID})
		cyclePatch := "/api/v1/customers/" + parent.ID

		big := `{"name": "` + strings.Repeat("x", 10<<20) + `"}`
		cases := []struct {
			name, method, path string
			key                string // admin when empty
			body               any
			status             int
			code, field        string
		}{
			{"malformed billing email", "POST", "/api/v1/customers", "", map[string]any{"name": "X", "billing": map[string]any{"email": "not-an-email"}}, 422, "invalid", "billing.email"},
			{"billing email with a display name", "POST", "/api/v1/customers", "", map[string]any{"name": "X", "billing": map[string]any{"email": "Ana <ana@example.com>"}}, 422, "invalid", "billing.email"},
			{"malformed contact email", "POST", "/api/v1/customers", "", map[string]any{"name": "X", "contacts": []any{map[string]any{"name": "Ana", "email": "ana@"}}}, 422, "invalid", "contacts[0].email"},
			{"malformed user email", "POST", "/api/v1/users", "", map[string]any{"email": "bob@", "name": "Bob", "role": "sales", "password": "long enough password"}, 422, "invalid", "email"},
			{"unknown currency", "POST", "/api/v1/customers", "", map[string]any{"name": "X", "billing": map[string]any{"currency": "XYZ"}}, 422, "invalid", "billing.currency"},
			{"currency as a word", "POST", "/api/v1/customers", "", map[string]any{"name": "X", "billing": map[string]any{"currency": "euro"}}, 422, "invalid", "billing.currency"},
			{"name as a number", "POST", "/api/v1/customers", "", `{"name": 5}`, 422, "invalid", "name"},
			{"payment terms as a string", "POST", "/api/v1/customers", "", `{"name": "X", "payment_terms_days": "30"}`, 422, "invalid", "payment_terms_days"},
			{"unknown top-level field", "POST", "/api/v1/customers", "", `{"name": "X", "nmae": "Y"}`, 422, "invalid", "nmae"},
			{"unknown nested field", "POST", "/api/v1/customers", "", `{"name": "X", "billing": {"foo": "bar"}}`, 422, "invalid", "billing.foo"},
			{"unknown field on a patch", "PATCH", "/api/v1/customers/" + numbered.ID, "", `{"naem": "Y"}`, 422, "invalid", "naem"},
			{"10 MB body", "POST", "/api/v1/customers", "", big, 413, "invalid", "body"},
			{"empty name", "POST", "/api/v1/customers", "", map[string]any{"name": ""}, 422, "invalid", "name"},
			{"blank name", "POST", "/api/v1/customers", "", map[string]any{"name": "   "}, 422, "invalid", "name"},
			{"missing name", "POST", "/api/v1/customers", "", map[string]any{"billing": map[string]any{"legal_name": "X S.L."}}, 422, "invalid", "name"},
			{"empty name on a patch", "PATCH", "/api/v1/customers/" + numbered.ID, "", map[string]any{"name": ""}, 422, "invalid", "name"},
			{"duplicate number", "POST", "/api/v1/customers", "", map[string]any{"name": "Y", "number": "ACME-1"}, 409, "conflict", "number"},
			{"duplicate number on a patch", "PATCH", "/api/v1/customers/" + parent.ID, "", map[string]any{"number": "ACME-1"}, 409, "conflict", "number"},
			{"malformed number", "POST", "/api/v1/customers", "", map[string]any{"name": "Y", "number": "ACME 1"}, 422, "invalid", "number"},
			{"unknown country", "POST", "/api/v1/customers", "", map[string]any{"name": "X", "billing": map[string]any{"address": map[string]any{"line1": "A", "city": "B", "country": "XX"}}}, 422, "invalid", "billing.address.country"},
			{"country as a name", "POST", "/api/v1/customers", "", map[string]any{"name": "X", "billing": map[string]any{"address": map[string]any{"line1": "A", "city": "B", "country": "Spain"}}}, 422, "invalid", "billing.address.country"},
			{"negative credit limit", "POST", "/api/v1/customers", "", map[string]any{"name": "X", "credit_limit": "-100"}, 422, "invalid", "credit_limit"},
			{"credit limit abc", "POST", "/api/v1/customers", "", map[string]any{"name": "X", "credit_limit": "abc"}, 422, "invalid", "credit_limit"},
			{"credit limit as a number", "POST", "/api/v1/customers", "", `{"name": "X", "credit_limit": 5000}`, 422, "invalid", "credit_limit"},
			{"credit limit with too many decimals", "POST", "/api/v1/customers", "", map[string]any{"name": "X", "credit_limit": "10.001", "billing": map[string]any{"currency": "EUR"}}, 422, "invalid", "credit_limit"},
			{"decimals for a currency without them", "POST", "/api/v1/customers", "", map[string]any{"name": "X", "credit_limit": "10.5", "billing": map[string]any{"currency": "JPY"}}, 422, "invalid", "credit_limit"},
			{"unsupported language", "POST", "/api/v1/customers", "", map[string]any{"name": "X", "billing": map[string]any{"language": "fr"}}, 422, "invalid", "billing.language"},
			{"payment terms out of range", "POST", "/api/v1/customers", "", map[string]any{"name": "X", "payment_terms_days": -1}, 422, "invalid", "payment_terms_days"},
			{"unknown sort", "GET", "/api/v1/customers?sort=colour", "", nil, 422, "invalid", "sort"},
			{"limit zero", "GET", "/api/v1/customers?limit=0", "", nil, 422, "invalid", "limit"},
			{"limit too large", "GET", "/api/v1/customers?limit=100000", "", nil, 422, "invalid", "limit"},
			{"limit not a number", "GET", "/api/v1/customers?limit=ten", "", nil, 422, "invalid", "limit"},
			{"audit limit not a number", "GET", "/api/v1/audit-events?limit=-3", "", nil, 422, "invalid", "limit"},
			{"malformed cursor", "GET", "/api/v1/customers?cursor=not-a-cursor", "", nil, 422, "invalid", "cursor"},
			{"cursor of other JSON", "GET", "/api/v1/customers?cursor=" + url.QueryEscape("eyJhIjoxfQ"), "", nil, 422, "invalid", "cursor"},
			{"malformed audit cursor", "GET", "/api/v1/audit-events?cursor=" + url.QueryEscape("%%%"), "", nil, 422, "invalid", "cursor"},
			{"unknown archived filter", "GET", "/api/v1/customers?archived=maybe", "", nil, 422, "invalid", "archived"},
			{"malformed JSON", "POST", "/api/v1/customers", "", `{"name": "X",`, 400, "invalid", "body"},
			{"not JSON at all", "POST", "/api/v1/customers", "", `name=X`, 400, "invalid", "body"},
			{"JSON array body", "POST", "/api/v1/customers", "", `[{"name": "X"}]`, 422, "invalid", "body"},
			{"no body at all", "POST", "/api/v1/customers", "", nil, 400, "invalid", "body"},
			{"NUL in a path id", "GET", "/api/v1/customers/cus_a%00b", "", nil, 422, "invalid", "id"},
			{"NUL in the search", "GET", "/api/v1/customers?q=a%00b", "", nil, 422, "invalid", "q"},
			{"invalid UTF-8 in a filter", "GET", "/api/v1/customers?country=%ff", "", nil, 422, "invalid", "country"},
			{"NUL in an audit filter", "GET", "/api/v1/audit-events?target_id=a%00b", "", nil, 422, "invalid", "target_id"},
			{"NUL in a parent id", "POST", "/api/v1/customers", "", `{"name": "X", "parent_id": "cus_\u0000"}`, 422, "invalid", "parent_id"},
			{"NUL in a contact", "POST", "/api/v1/customers", "", `{"name": "X", "contacts": [{"name": "A\u0000", "email": "a@example.com"}]}`, 422, "invalid", "contacts[0].name"},
			{"NUL in a sign-in email", "POST", "/api/v1/auth/login", "", `{"email": "a\u0000@example.com", "password": "long enough password"}`, 422, "invalid", "email"},
			{"API key for a customer of tenant B", "POST", "/api/v1/api-keys", "", map[string]any{"name": "portal", "role": "customer", "customer_id": e.B.Customer}, 422, "invalid", "customer_id"},
			{"invoice account that does not exist", "POST", "/api/v1/customers", "", map[string]any{"name": "X", "invoice_account_id": "cus_0000000000000000000000000z"}, 422, "invalid", "invoice_account_id"},
			{"invoice account of tenant B", "POST", "/api/v1/customers", "", map[string]any{"name": "X", "invoice_account_id": e.B.Customer}, 422, "invalid", "invoice_account_id"},
			{"parent that does not exist", "POST", "/api/v1/customers", "", map[string]any{"name": "X", "parent_id": "cus_0000000000000000000000000z"}, 422, "invalid", "parent_id"},
			{"parent of tenant B", "POST", "/api/v1/customers", "", map[string]any{"name": "X", "parent_id": e.B.Customer}, 422, "invalid", "parent_id"},
			{"parent of tenant B on a patch", "PATCH", "/api/v1/customers/" + numbered.ID, "", map[string]any{"parent_id": e.B.Other}, 422, "invalid", "parent_id"},
			{"parent cycle", "PATCH", cyclePatch, "", map[string]any{"parent_id": child.ID}, 422, "invalid", "parent_id"},
			{"own parent", "PATCH", cyclePatch, "", map[string]any{"parent_id": parent.ID}, 422, "invalid", "parent_id"},
			{"malformed contact email by a customer", "PATCH", "/api/v1/customers/" + e.A.Customer, e.A.Keys[access.Customer], map[string]any{"billing": map[string]any{"email": "nope"}}, 422, "invalid", "billing.email"},
			{"unknown role for a user", "POST", "/api/v1/users", "", map[string]any{"email": "bob@example.com", "name": "Bob", "role": "boss", "password": "long enough password"}, 422, "invalid", "role"},
			{"short password", "POST", "/api/v1/users", "", map[string]any{"email": "bob@example.com", "name": "Bob", "role": "sales", "password": "short"}, 422, "invalid", "password"},
			{"unsupported user language", "POST", "/api/v1/users", "", map[string]any{"email": "bob@example.com", "name": "Bob", "role": "sales", "password": "long enough password", "language": "klingon"}, 422, "invalid", "language"},
			{"unknown tenant currency", "PATCH", "/api/v1/tenant", "", map[string]any{"currency": "EURO"}, 422, "invalid", "currency"},
			{"unknown time zone", "PATCH", "/api/v1/tenant", "", map[string]any{"time_zone": "Mars/Olympus"}, 422, "invalid", "time_zone"},
			{"API key without a name", "POST", "/api/v1/api-keys", "", map[string]any{"name": "", "role": "sales"}, 422, "invalid", "name"},
			{"customer key without a customer", "POST", "/api/v1/api-keys", "", map[string]any{"name": "portal", "role": "customer"}, 422, "invalid", "customer_id"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				key := c.key
				if key == "" {
					key = admin
				}
				before := e.Snapshot()
				r := accDo(t, e, c.method, c.path, key, c.body)
				p := accWantProblem(t, r, c.status, c.code)
				if p.Field != c.field {
					t.Errorf("field %q, want %q; body %s", p.Field, c.field, accShort(r.Body))
				}
				if !strings.Contains(p.Detail, c.field) {
					t.Errorf("detail %q does not name the field %s", p.Detail, c.field)
				}
				if len(p.Detail) < len(c.field)+8 {
					t.Errorf("detail %q does not say what to fix", p.Detail)
				}
				if len(p.Errors) == 0 || p.Errors[0].Field != c.field || p.Errors[0].Message == "" {
					t.Errorf("errors %+v, want the first naming %s with a message", p.Errors, c.field)
				}
				if after := e.Snapshot(); !maps.Equal(before, after) {
					t.Errorf("a refused request changed the database: %v → %v", before, after)
				}
			})
		}

		// The fixtures are as they were: the refused patches changed nothing.
		for _, want := range []accCustomer{numbered, parent, child} {
			var got accCustomer
			accDo(t, e, http.MethodGet, "/api/v1/customers/"+want.ID, admin, nil).JSON(t, &got)
			// (created_at aside: a create answers with nanoseconds, the
			// database keeps microseconds.)
			got.CreatedAt, want.CreatedAt = time.Time{}, time.Time{}
			if got != want {
				t.Errorf("customer changed by refused requests: %+v, want %+v", got, want)
			}
		}
	})
}

// TestPagination pages through customers in every sort order: the pages
// join into the full sorted list, with no duplicate and no gap.
func TestPagination(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		key := e.A.Keys[access.Sales]
		// Equal names and equal creation times test the id tie-break.
		names := []string{"Delta Cloud", "alfa Soluciones", "Bravo IT", "Ferretería Núñez", "Bravo IT", "Charlie MSP", "Eco Hosting"}
		for i, n := range names {
			if i%3 != 0 {
				e.Clock.Advance(time.Second)
			}
			if r := accDo(t, e, http.MethodPost, "/api/v1/customers", key, map[string]any{"name": n}); r.Status != http.StatusCreated {
				t.Fatalf("create %s: %d %s", n, r.Status, r.Body)
			}
		}
		e.Clock.Advance(time.Second)
		// Archive one: it must not show up in the default list.
		archived := accNewCustomer(t, e, e.A.ID, "Archived Zulu")
		if r := accDo(t, e, http.MethodPost, "/api/v1/customers/"+archived+"/archive", key, nil); r.Status != http.StatusOK {
			t.Fatalf("archive: %d %s", r.Status, r.Body)
		}

		for _, sort := range []string{"name", "-name", "created_at", "-created_at", "number", "-number", "updated_at"} {
			t.Run(sort, func(t *testing.T) {
				var full accList[accCustomer]
				r := accDo(t, e, http.MethodGet, "/api/v1/customers?limit=500&sort="+sort, key, nil)
				r.JSON(t, &full)
				if r.Status != http.StatusOK || full.HasMore || full.NextCursor != "" {
					t.Fatalf("full list: %d %s", r.Status, r.Body)
				}
				if len(full.Data) != len(names)+2 { // plus the tenant's two fixture customers
					t.Fatalf("full list has %d customers, want %d", len(full.Data), len(names)+2)
				}
				for _, c := range full.Data {
					if c.ID == archived {
						t.Errorf("the archived customer is listed")
					}
				}
				if sort == "name" || sort == "-name" {
					got := make([]string, len(full.Data))
					for i, c := range full.Data {
						got[i] = c.Name
					}
					// By name, case-insensitively or bytewise as the
					// database collates ("alfa" first or last); ties by id.
					folded, bytewise := slices.Clone(got), slices.Clone(got)
					slices.SortStableFunc(folded, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
					slices.Sort(bytewise)
					if sort == "-name" {
						slices.Reverse(folded)
						slices.Reverse(bytewise)
					}
					if !slices.Equal(got, folded) && !slices.Equal(got, bytewise) {
						t.Errorf("sort=%s: order %q", sort, got)
					}
				}
				if sort == "created_at" || sort == "-created_at" {
					for i := 1; i < len(full.Data); i++ {
						a, b := full.Data[i-1], full.Data[i]
						if c := a.CreatedAt.Compare(b.CreatedAt); c == 0 && (a.ID < b.ID) == (sort == "-created_at") ||
							c != 0 && (c < 0) == (sort == "-created_at") {
							t.Errorf("sort=%s: %s (%s) before %s (%s)", sort, a.Name, a.CreatedAt, b.Name, b.CreatedAt)
						}
					}
				}

				var paged []accCustomer
				seen := map[string]bool{}
				cursor, pages := "", 0
				for {
					path := "/api/v1/customers?limit=3&sort=" + sort
					if cursor != "" {
						path += "&cursor=" + url.QueryEscape(cursor)
					}
					var page accList[accCustomer]
					r := accDo(t, e, http.MethodGet, path, key, nil)
					r.JSON(t, &page)
					if r.Status != http.StatusOK {
						t.Fatalf("page %d: %d %s", pages, r.Status, r.Body)
					}
					pages++
					if len(page.Data) > 3 {
						t.Fatalf("page of %d rows with limit=3", len(page.Data))
					}
					for _, c := range page.Data {
						if seen[c.ID] {
							t.Errorf("sort=%s: %s (%s) on two pages", sort, c.ID, c.Name)
						}
						seen[c.ID] = true
					}
					paged = append(paged, page.Data...)
					if page.HasMore != (page.NextCursor != "") {
						t.Errorf("has_more %v with next_cursor %q", page.HasMore, page.NextCursor)
					}
					if !page.HasMore {
						break
					}
					if pages > 10 {
						t.Fatalf("more pages than rows")
					}
					cursor = page.NextCursor
				}
				if pages != 3 {
					t.Errorf("sort=%s: %d pages of 3 for 9 customers, want 3", sort, pages)
				}
				if !slices.Equal(paged, full.Data) {
					t.Errorf("sort=%s: pages joined\n%v\nwant the full list\n%v", sort, paged, full.Data)
				}
			})
		}

		// Search is case- and accent-insensitive both ways.
		for q, want := range map[string]string{"NUNEZ": "Ferretería Núñez", "ferreteria": "Ferretería Núñez", "núñez": "Ferretería Núñez",
			"ALFA": "alfa Soluciones", "eco host": "Eco Hosting"} {
			var list accList[accCustomer]
			r := accDo(t, e, http.MethodGet, "/api/v1/customers?q="+url.QueryEscape(q), key, nil)
			r.JSON(t, &list)
			if r.Status != http.StatusOK || len(list.Data) != 1 || list.Data[0].Name != want {
				t.Errorf("q=%s: %d %s, want only %s", q, r.Status, r.Body, want)
			}
		}
		// LIKE wildcards in the query are text, not patterns.
		for _, q := range []string{"%", "_", `\`} {
			var list accList[accCustomer]
			accDo(t, e, http.MethodGet, "/api/v1/customers?q="+url.QueryEscape(q), key, nil).JSON(t, &list)
			if len(list.Data) != 0 {
				t.Errorf("q=%q matched %d customers, want none", q, len(list.Data))
			}
		}
	})
}
