package server_test

// The class guard of issue 12 §1: every list of the API, with every filter,
// search and sort it takes, stays inside the caller's tenant (and inside the
// customer it is asked for). The lists come from the OpenAPI document, so a
// new list endpoint is covered without editing this file.

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/internal/testserver"
	"github.com/facturo/facturo/store"
)

// accListOp is a GET operation without path parameters and the query
// parameters it takes (name → the values its sort parameter allows, or nil).
type accListOp struct {
	path   string
	params map[string][]string
}

// accListOperations reads every GET operation without a path parameter
// from the OpenAPI document, with its query parameters and, for "sort", the
// values it takes (the schema's enum, or the list its description starts with).
func accListOperations(t *testing.T, e *testserver.Env) []accListOp {
	t.Helper()
	r := accDo(t, e, http.MethodGet, "/api/v1/openapi.json", "", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("openapi.json: %d %s", r.Status, r.Body)
	}
	type param struct {
		Name        string `json:"name"`
		In          string `json:"in"`
		Description string `json:"description"`
		Schema      struct {
			Enum []any `json:"enum"`
		} `json:"schema"`
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	r.JSON(t, &doc)
	sortWord := regexp.MustCompile(`^-?[a-z_]+$`)
	var out []accListOp
	for path, ops := range doc.Paths {
		raw, ok := ops["get"]
		if !ok || strings.Contains(path, "{") || !strings.HasPrefix(path, "/api/v1/") {
			continue
		}
		var o struct {
			Parameters []param `json:"parameters"`
		}
		if err := json.Unmarshal(raw, &o); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		op := accListOp{path: path, params: map[string][]string{}}
		for _, p := range o.Parameters {
			if p.In != "query" {
				continue
			}
			var vals []string
			if p.Name == "sort" {
				for _, v := range p.Schema.Enum {
					if s, ok := v.(string); ok && s != "" {
						vals = append(vals, s)
					}
				}
				if len(vals) == 0 { // "a, b, c; prefix - for descending."
					head, _, _ := strings.Cut(p.Description, ";")
					for _, w := range strings.Split(head, ",") {
						if w = strings.TrimSpace(w); sortWord.MatchString(w) {
							vals = append(vals, w, "-"+strings.TrimPrefix(w, "-"))
						}
					}
				}
				if len(vals) == 0 {
					t.Fatalf("GET %s: cannot tell the values of its sort parameter from the OpenAPI document (an enum, or a description starting \"a, b, c;\")", path)
				}
			}
			op.params[p.Name] = vals
		}
		out = append(out, op)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	if len(out) < 10 {
		t.Fatalf("the OpenAPI document lists %d GET operations without path parameters", len(out))
	}
	return out
}

// accNestedFilters are advanced filters with nested and/or/not that match
// every sales item: written without the parentheses around the whole, each
// one would also match other tenants' rows (and other customers').
var accNestedFilters = []string{
	`{"op":"or","conditions":[{"op":"eq","field":"status","value":"cancelled"},` +
		`{"op":"and","conditions":[{"op":"gte","field":"gross","value":"0"},{"op":"not","conditions":[{"op":"eq","field":"provider","value":"nobody"}]}]}]}`,
	`{"op":"not","conditions":[{"op":"and","conditions":[{"op":"eq","field":"currency","value":"XXX"},` +
		`{"op":"or","conditions":[{"op":"contains","field":"description","value":"a"},{"op":"lt","field":"gross","value":"0"}]}]}]}`,
	`{"op":"and","conditions":[{"op":"or","conditions":[{"op":"in","field":"status","values":["draft","pending","invoiced","cancelled"]},` +
		`{"op":"gt","field":"quantity","value":"-1"}]},{"op":"not","conditions":[{"op":"or","conditions":[{"op":"eq","field":"customer_id","value":"cus_none"},` +
		`{"op":"lt","field":"billing_date","value":"1900-01-01"}]}]}]}`,
	`{"op":"or","conditions":[{"op":"not","conditions":[{"op":"ne","field":"charge_type","value":"one_time"}]},{"op":"contains","field":"description","value":"o"},` +
		`{"op":"not","conditions":[{"op":"eq","field":"currency","value":"XXX"}]}]}`,
}

// accIsolationQueries are the query strings to call op with: plain, each
// filter, search and sort it takes, and all of them together with the
// customer filter.
func accIsolationQueries(op accListOp, customer string) []string {
	has := func(n string) bool { _, ok := op.params[n]; return ok }
	base := url.Values{}
	if has("limit") {
		base.Set("limit", "200")
	}
	var out []url.Values
	add := func(set func(v url.Values)) {
		v := url.Values{}
		for k, vs := range base {
			v[k] = vs
		}
		set(v)
		out = append(out, v)
	}
	add(func(url.Values) {})
	var filters, searches, sorts []string
	if has("filter") {
		filters = accNestedFilters
	}
	if has("q") {
		searches = []string{"tenant", "customer", "b"}
	}
	sorts = op.params["sort"]
	withCustomer := []bool{false}
	if has("customer_id") {
		withCustomer = append(withCustomer, true)
		add(func(v url.Values) { v.Set("customer_id", customer) })
	}
	for _, c := range withCustomer {
		setC := func(v url.Values) {
			if c {
				v.Set("customer_id", customer)
			}
		}
		for _, f := range filters {
			add(func(v url.Values) { setC(v); v.Set("filter", f) })
		}
		for _, s := range searches {
			add(func(v url.Values) { setC(v); v.Set("q", s) })
		}
		for i, s := range sorts {
			add(func(v url.Values) {
				setC(v)
				v.Set("sort", s)
				if len(filters) > 0 {
					v.Set("filter", filters[i%len(filters)])
				}
				if len(searches) > 0 {
					v.Set("q", searches[i%len(searches)])
				}
			})
		}
	}
	qs := make([]string, len(out))
	for i, v := range out {
		qs[i] = "?" + v.Encode()
	}
	return slices.Compact(qs)
}

// accIsolationSeed gives ten rows in (almost) every list: products, sales
// items, contracts, tickets, invoices (draft, open, credit note), a payment,
// a recurring template, a webhook endpoint, a billing run, for both of its
// customers.
func accIsolationSeed(t *testing.T, e *testserver.Env, ten testserver.Tenant) {
	t.Helper()
	admin := ten.Keys[access.Administrator]
	today := accToday(e)
	var prod struct {
		ID string `json:"id"`
	}
	accCreate(t, e, admin, "/api/v1/products", map[string]any{"code": "ISO-1", "name": "Isolation product", "default_price": "5.00", "provider": "AWS"}, &prod)
	for i, cust := range []string{ten.Customer, ten.Other} {
		for _, it := range []map[string]any{
			{"description": "Installation of a router", "quantity": "1", "unit_price": "80.00", "provider": "AWS"},
			{"description": "Storage", "quantity": "3", "unit_price": "0.10", "provider": "Azure", "charge_type": "usage"},
		} {
			it["customer_id"] = cust
			accCreate(t, e, admin, "/api/v1/sales-items", it, nil)
		}
		accCreate(t, e, admin, "/api/v1/contracts", map[string]any{"customer_id": cust, "name": "Support",
			"parts": []any{map[string]any{"product_id": prod.ID, "quantity": "1", "interval": "monthly", "start_date": today.String()}}}, nil)
		accCreate(t, e, admin, "/api/v1/tickets", map[string]any{"customer_id": cust, "title": "Mail is down"}, nil)
		accMakeInvoice(t, e, ten.ID, cust, today)
		open := accMakeInvoice(t, e, ten.ID, cust, today, "open")
		accCreate(t, e, admin, "/api/v1/payments", map[string]any{"customer_id": cust, "method": "bank_transfer", "amount": "5.00",
			"reference": "TRF", "invoices": []any{map[string]any{"invoice_id": open.ID}}}, nil)
		accCreate(t, e, admin, "/api/v1/recurring-invoices", map[string]any{"name": "Hosting", "customer_id": cust, "interval": "monthly",
			"start_date": today.String(), "invoice": map[string]any{"lines": []any{map[string]any{"description": "Hosting", "quantity": "1", "unit_price": "9.00"}}}}, nil)
		if i == 0 {
			accCreate(t, e, admin, "/api/v1/webhook-endpoints", map[string]any{"url": "https://hooks.example.com/iso", "events": []string{"invoice.*"}, "enabled": false}, nil)
			accCreate(t, e, admin, "/api/v1/billing-runs", map[string]any{"period_start": "2001-01-01", "period_end": "2001-01-31", "wait": true}, nil)
		}
	}
}

// accRowIDs returns the ids of the rows of tenantID (of customerID's, when
// given) in every table that has them: opaque prefixed ids, which appear in
// no other tenant's answer unless a row leaked.
func accRowIDs(t *testing.T, e *testserver.Env, tenantID, customerID string) map[string]string {
	t.Helper()
	opaque := regexp.MustCompile(`^[a-z]+_[0-9A-Za-z]{16,}$`)
	out := map[string]string{}
	for _, table := range testserver.CountedTables {
		q, args := "SELECT id FROM "+table+" WHERE tenant_id = ?", []any{tenantID}
		if customerID != "" {
			q += " AND customer_id = ?"
			args = append(args, customerID)
		}
		if e.DB.Engine() == store.Postgres {
			q = strings.Replace(strings.Replace(q, "?", "$1", 1), "?", "$2", 1)
		}
		rows, err := e.DB.SQL().QueryContext(context.Background(), q, args...)
		if err != nil {
			continue // the table has no id (or no customer)
		}
		for rows.Next() {
			var id string
			if rows.Scan(&id) == nil && opaque.MatchString(id) {
				out[id] = table
			}
		}
		_ = rows.Close()
	}
	return out
}

// TestListsStayInTenant runs every list of the API (every GET without a
// path parameter, the CSV exports included) as tenant A's administrator and
// customer, with nested and/or/not filters, search, sort and the customer
// filter where the list takes them, while tenant B holds the same data: no
// row of B may appear, and with customer_id (or a customer's key) no row of
// another customer.
func TestListsStayInTenant(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		for _, ten := range []testserver.Tenant{e.A, e.B} {
			accIsolationSeed(t, e, ten)
		}
		foreign := accRowIDs(t, e, e.B.ID, "")
		foreign[e.B.ID] = "tenants"
		for _, name := range []string{"Tenant B customer one", "Tenant B customer two"} {
			foreign[name] = "customer name"
		}
		other := accRowIDs(t, e, e.A.ID, e.A.Other)
		other[e.A.Other] = "customers"
		other["Tenant A customer two"] = "customer name"
		for _, want := range []string{"sales_items", "invoices", "payments", "contracts", "tickets"} {
			if !slices.Contains(slices.Collect(maps.Values(foreign)), want) || !slices.Contains(slices.Collect(maps.Values(other)), want) {
				t.Fatalf("the seed made no %s for tenant B and A's other customer: the test would prove nothing", want)
			}
		}
		leak := func(what string, body []byte, ids map[string]string, whose string) {
			t.Helper()
			for id, table := range ids {
				if strings.Contains(string(body), id) {
					t.Errorf("%s shows %s's %s row %s: %s", what, whose, table, id, accShort(body))
					return
				}
			}
		}
		ops := accListOperations(t, e)
		var paths []string
		for _, op := range ops {
			paths = append(paths, op.path)
			for _, q := range accIsolationQueries(op, e.A.Customer) {
				for _, role := range []access.Role{access.Administrator, access.Customer} {
					what := "GET " + op.path + q + " as " + string(role)
					r := accDo(t, e, http.MethodGet, op.path+q, e.A.Keys[role], nil)
					switch {
					case r.Status >= 500:
						t.Errorf("%s: %d %s", what, r.Status, accShort(r.Body))
					case r.Status == http.StatusUnprocessableEntity || r.Status == http.StatusBadRequest:
						t.Errorf("%s: %d: the test's query should be valid: %s", what, r.Status, accShort(r.Body))
					}
					leak(what, r.Body, foreign, "tenant B")
					if role == access.Customer || strings.Contains(q, "customer_id=") {
						leak(what, r.Body, other, "another customer")
					}
				}
			}
			// The test proves something for a list only if A's own rows show.
			if _, ok := op.params["filter"]; ok {
				r := accDo(t, e, http.MethodGet, op.path+"?filter="+url.QueryEscape(accNestedFilters[0]), e.A.Keys[access.Administrator], nil)
				if !strings.Contains(string(r.Body), e.A.Customer) {
					t.Errorf("GET %s with a filter shows none of A's rows: %s", op.path, accShort(r.Body))
				}
			}
		}
		for _, p := range []string{"/api/v1/sales-items", "/api/v1/invoices", "/api/v1/invoices.csv", "/api/v1/invoice-lines.csv",
			"/api/v1/customers", "/api/v1/payments", "/api/v1/audit-events", "/api/v1/outbox"} {
			if !slices.Contains(paths, p) {
				t.Errorf("the OpenAPI document lacks GET %s: the test would not cover it", p)
			}
		}
	})
}

// TestAdvancedFilterNot: not negates one condition (nested in and/or, or
// holding them), within the tenant and the other filters; not without
// exactly one condition is a 422 naming the field.
func TestAdvancedFilterNot(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		for _, ten := range []testserver.Tenant{e.A, e.B} {
			accIsolationSeed(t, e, ten)
		}
		sales := e.A.Keys[access.Sales]
		all := accItems(t, e, sales, "", 100)
		if len(all) != 4 {
			t.Fatalf("A has %d sales items, want 4", len(all))
		}
		adv := func(filter string) string { return "filter=" + url.QueryEscape(filter) }
		for _, c := range []struct {
			query string
			keep  func(it accItem) bool
		}{
			{adv(`{"op":"not","conditions":[{"op":"eq","field":"provider","value":"AWS"}]}`), func(it accItem) bool { return it.Provider != "AWS" }},
			{adv(`{"op":"not","conditions":[{"op":"or","conditions":[{"op":"eq","field":"provider","value":"AWS"},{"op":"eq","field":"customer_id","value":"` +
				e.A.Customer + `"}]}]}`), func(it accItem) bool { return it.Provider != "AWS" && it.CustomerID != e.A.Customer }},
			{adv(`{"op":"or","conditions":[{"op":"not","conditions":[{"op":"gt","field":"gross","value":"1"}]},{"op":"eq","field":"customer_id","value":"`+
				e.A.Other+`"}]}`) + "&customer_id=" + e.A.Customer, func(it accItem) bool {
				return it.CustomerID == e.A.Customer && accDec(t, it.Gross).LessThanOrEqual(accDec(t, "1"))
			}},
			{adv(`{"op":"not","conditions":[{"op":"not","conditions":[{"op":"contains","field":"description","value":"router"}]}]}`),
				func(it accItem) bool { return strings.Contains(it.Description, "router") }},
		} {
			var want []string
			for _, it := range all {
				if c.keep(it) {
					want = append(want, it.ID)
				}
			}
			got := accItemIDs(accItems(t, e, sales, c.query, 100))
			if !accSameSet(got, want) || len(want) == 0 || len(want) == len(all) {
				t.Errorf("?%s: %v, want %v (of %d)", c.query, got, want, len(all))
			}
		}
		for filter, field := range map[string]string{
			`{"op":"not","conditions":[]}`: "filter.conditions",
			`{"op":"not","conditions":[{"op":"eq","field":"provider","value":"AWS"},{"op":"eq","field":"provider","value":"Azure"}]}`: "filter.conditions",
			`{"op":"or","conditions":[{"op":"not","conditions":[{"op":"eq","field":"tenant_id","value":"x"}]}]}`:                      "filter.conditions[0].conditions[0].field",
		} {
			r := accDo(t, e, http.MethodGet, "/api/v1/sales-items?"+adv(filter), sales, nil)
			if p := accWantProblem(t, r, http.StatusUnprocessableEntity, "invalid"); p.Field != field {
				t.Errorf("filter %s: field %q, want %q (%s)", filter, p.Field, field, r.Body)
			}
		}
	})
}
