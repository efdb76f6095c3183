package server_test

// Acceptance tests of the foundation API over a real server and database, on
// every engine: the role matrix over every endpoint of the OpenAPI document,
// authentication failures, tenant isolation, and the operational endpoints.
// Helpers shared by the api_*_test.go files carry the acc prefix.

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/customfield"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/internal/testserver"
	"github.com/facturo/facturo/service"
)

// accEach runs fn on a fresh server on every engine.
func accEach(t *testing.T, fn func(t *testing.T, e *testserver.Env)) {
	t.Helper()
	for _, engine := range testdb.Engines {
		t.Run(string(engine), func(t *testing.T) {
			fn(t, testserver.New(t, engine))
		})
	}
}

// accDo calls the API on e, failing t (not e.T) on transport errors.
func accDo(t *testing.T, e *testserver.Env, method, path, key string, body any, headers ...string) testserver.Response {
	t.Helper()
	return testserver.Do(t, http.DefaultClient, e.URL, method, path, key, body, headers...)
}

// accShort shortens a body for a failure message.
func accShort(b []byte) string {
	if len(b) > 400 {
		return string(b[:400]) + "…"
	}
	return string(b)
}

// accProblem is a decoded problem+json body.
type accProblem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Code   string `json:"code"`
	Field  string `json:"field"`
	Errors []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

// accWantProblem checks r is an RFC 9457 problem with status and code and
// a non-empty detail, and returns it.
func accWantProblem(t *testing.T, r testserver.Response, status int, code string) accProblem {
	t.Helper()
	var p accProblem
	if r.Status != status {
		t.Errorf("status %d, want %d; body %s", r.Status, status, accShort(r.Body))
		return p
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("Content-Type %q, want application/problem+json; body %s", ct, r.Body)
	}
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Errorf("decode problem %s: %v", r.Body, err)
		return p
	}
	if p.Status != status || p.Code != code || strings.TrimSpace(p.Detail) == "" || p.Title == "" {
		t.Errorf("problem %+v, want status %d, code %q, a title and a detail", p, status, code)
	}
	return p
}

// accCustomer is the part of a customer the tests read.
type accCustomer struct {
	ID        string    `json:"id"`
	Number    string    `json:"number"`
	Name      string    `json:"name"`
	ParentID  string    `json:"parent_id"`
	Archived  bool      `json:"archived"`
	CreatedAt time.Time `json:"created_at"`
}

type accList[T any] struct {
	Data       []T    `json:"data"`
	NextCursor string `json:"next_cursor"`
	HasMore    bool   `json:"has_more"`
}

// accNewCustomer creates a customer in tenant through the service.
func accNewCustomer(t *testing.T, e *testserver.Env, tenantID, name string) string {
	t.Helper()
	c, err := e.Svc.CreateCustomer(context.Background(), access.System(tenantID, "test"), service.CustomerInput{Name: &name})
	if err != nil {
		t.Fatalf("create customer %q: %v", name, err)
	}
	return c.ID
}

// accNewUser creates a user through the service (one argon2 hash, ~100 ms).
func accNewUser(t *testing.T, e *testserver.Env, tenantID, email, password string, role access.Role) access.User {
	t.Helper()
	u, err := e.Svc.CreateUser(context.Background(), access.System(tenantID, "test"),
		service.NewUser{Email: email, Name: "User " + email, Role: string(role), Password: password})
	if err != nil {
		t.Fatalf("create user %s: %v", email, err)
	}
	return u
}

// accOperations reads the OpenAPI document and returns its operations as
// "METHOD /path" with whether each needs credentials.
func accOperations(t *testing.T, e *testserver.Env) map[string]bool {
	t.Helper()
	r := accDo(t, e, http.MethodGet, "/api/v1/openapi.json", "", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("openapi.json: %d %s", r.Status, r.Body)
	}
	var doc struct {
		OpenAPI  string                `json:"openapi"`
		Security []map[string][]string `json:"security"`
		Paths    map[string]map[string]struct {
			OperationID string                 `json:"operationId"`
			Security    *[]map[string][]string `json:"security"`
		} `json:"paths"`
	}
	r.JSON(t, &doc)
	out := map[string]bool{}
	for path, ops := range doc.Paths {
		for method, o := range ops {
			switch method {
			case "get", "put", "post", "patch", "delete":
			default:
				continue // parameters, summary …
			}
			sec := doc.Security
			if o.Security != nil {
				sec = *o.Security
			}
			out[strings.ToUpper(method)+" "+path] = len(sec) > 0
		}
	}
	if len(out) == 0 {
		t.Fatalf("the OpenAPI document lists no operations")
	}
	return out
}

// accMatrixRow is one endpoint of the role matrix: how to make one realistic
// call as a given role. Who may make it is accPermissionTable's entry.
type accMatrixRow struct {
	op     string // "METHOD /path" as in the OpenAPI document
	label  string // tells several rows of one operation apart
	public bool   // needs no credentials
	// alsoOK is a 4xx (other than 401/403) an allowed role may get: the call
	// passed the role check and failed later, on purpose.
	alsoOK int
	// call returns the concrete path and body for role.
	call func(t *testing.T, role access.Role) (path string, body any)
	// headers are sent with the call, as name, value pairs (a raw body's Content-Type).
	headers []string
}

var (
	accAllRoles   = access.Roles
	accStaffRead  = []access.Role{access.Administrator, access.Director, access.FinanceManager, access.Finance, access.GroupManager, access.Sales}
	accCustWriter = []access.Role{access.Administrator, access.Director, access.FinanceManager, access.GroupManager, access.Sales}
	accAuditRead  = []access.Role{access.Administrator, access.Director, access.FinanceManager}
	accAdminOnly  = []access.Role{access.Administrator}
	// invoices.write, invoices.approve, ledger.read and ledger.manage.
	accInvWriter     = []access.Role{access.Administrator, access.Director, access.FinanceManager, access.Finance}
	accInvApprover   = []access.Role{access.Administrator, access.Director, access.FinanceManager}
	accLedgerRead    = []access.Role{access.Administrator, access.Director, access.FinanceManager}
	accLedgerManager = []access.Role{access.Administrator, access.Director}
	// sales_items.manage (seed 002), catalog.manage, time.log and billing_runs.manage.
	accSalesItems  = []access.Role{access.Administrator, access.Director, access.FinanceManager, access.Finance, access.GroupManager, access.Sales}
	accCatalog     = []access.Role{access.Administrator, access.Director, access.GroupManager}
	accTimeLoggers = []access.Role{access.Administrator, access.Director, access.Engineer}
	accBillingRuns = []access.Role{access.Administrator, access.Director, access.FinanceManager}
	// notifications.read and notifications.retry (the email outbox); webhooks.manage is accAdminOnly.
	accOutbox = []access.Role{access.Administrator, access.Director, access.FinanceManager}
)

func accWithout(roles []access.Role, drop ...access.Role) []access.Role {
	var out []access.Role
	for _, r := range roles {
		if !slices.Contains(drop, r) {
			out = append(out, r)
		}
	}
	return out
}

// accMatrix is the role matrix of DESIGN.md "Roles" and access/roles.go,
// written out by hand so a change of the permission table shows up here.
func accMatrix(t *testing.T, e *testserver.Env, user access.User, password string) []accMatrixRow {
	ctx := context.Background()
	sys := access.System(e.A.ID, "test")
	fixed := func(path string, body any) func(*testing.T, access.Role) (string, any) {
		return func(*testing.T, access.Role) (string, any) { return path, body }
	}
	cust := "/api/v1/customers/" + e.A.Customer
	// Invoice and ledger fixtures: an issued invoice of the customer key's
	// account, a draft to edit, and the tax code the tax group rows name.
	today := accToday(e)
	accTaxSetup(t, e, e.A, e.A.Customer)
	own := accMakeInvoice(t, e, e.A.ID, e.A.Customer, today, "open")
	draft := accMakeInvoice(t, e, e.A.ID, e.A.Customer, today).ID
	// Outbox and webhook fixtures: a queued message, one skipped (its
	// customer has no billing email) and a disabled endpoint.
	notify := true
	notified := accMakeInvoice(t, e, e.A.ID, e.A.Customer, today).ID
	if _, err := e.Svc.UpdateInvoiceStatus(ctx, sys, notified, service.StatusChange{Status: "open", Notify: &notify}); err != nil {
		t.Fatalf("issue with notify: %v", err)
	}
	noEmail := accNewCustomer(t, e, e.A.ID, "No Email S.L.")
	if _, err := e.Svc.UpdateCustomer(ctx, sys, noEmail, service.CustomerInput{SalesTaxGroup: accPtr("DOM"), Billing: &service.BillingInput{LegalName: accPtr("No Email S.L."),
		Currency: accPtr("EUR"), Address: &billing.Address{Line1: "Calle 2", City: "Madrid", Country: "ES"}}}); err != nil {
		t.Fatalf("billing info: %v", err)
	}
	silent := accMakeInvoice(t, e, e.A.ID, noEmail, today).ID
	if _, err := e.Svc.UpdateInvoiceStatus(ctx, sys, silent, service.StatusChange{Status: "open", Notify: &notify}); err != nil {
		t.Fatalf("issue with notify: %v", err)
	}
	var queued, skipped string
	for _, st := range []string{service.NotificationQueued, service.NotificationSkipped} {
		page, err := e.Svc.ListOutbox(ctx, sys, service.OutboxFilter{Status: st, Page: service.Page{Limit: 1}})
		if err != nil || len(page.Items) != 1 {
			t.Fatalf("outbox %s: %+v, %v", st, page.Items, err)
		}
		if st == service.NotificationQueued {
			queued = page.Items[0].ID
		} else {
			skipped = page.Items[0].ID
		}
	}
	newHook := func(t *testing.T) service.WebhookEndpoint {
		url, off := "https://hooks.example.com/fixture", false
		h, err := e.Svc.CreateWebhookEndpoint(ctx, sys, service.WebhookEndpointInput{URL: &url, Enabled: &off})
		if err != nil {
			t.Fatalf("webhook endpoint: %v", err)
		}
		return h
	}
	hook := newHook(t)
	// Fixtures of the corrections, approval, recurring and attachment rows.
	submitted := func(t *testing.T) string {
		id := accMakeInvoice(t, e, e.A.ID, e.A.Customer, today).ID
		if _, err := e.Svc.SubmitInvoice(ctx, sys, id, ""); err != nil {
			t.Fatalf("submit: %v", err)
		}
		return id
	}
	lines := []service.LineInput{{Description: "Monthly support", Quantity: accPtr("1"), UnitPrice: accPtr("50.00")}}
	tplName, monthly := "Support", "monthly"
	tpl, err := e.Svc.CreateTemplate(ctx, sys, service.TemplateInput{Name: &tplName, CustomerID: &e.A.Customer, Interval: &monthly,
		Start: &today, Invoice: &service.InvoiceInput{Lines: &lines}})
	if err != nil {
		t.Fatalf("template: %v", err)
	}
	attach := func(t *testing.T) string {
		a, err := e.Svc.AddAttachment(ctx, sys, draft, "scan.pdf", "application/pdf", accMakePDF())
		if err != nil {
			t.Fatalf("attachment: %v", err)
		}
		return a.ID
	}
	att := attach(t)
	// Fixtures of the sales item, catalog, contract, ticket and billing run rows.
	code, name, price := "SKU-M", "Matrix product", "10.00"
	prod, err := e.Svc.CreateProduct(ctx, sys, service.ProductInput{Code: &code, Name: &name, DefaultPrice: &price})
	if err != nil {
		t.Fatalf("product: %v", err)
	}
	custA, err := e.Svc.GetCustomer(ctx, sys, e.A.Customer)
	if err != nil {
		t.Fatal(err)
	}
	item := func(t *testing.T) string {
		desc, q := "Consulting", "2"
		si, err := e.Svc.CreateSalesItem(ctx, sys, service.SalesItemInput{CustomerID: &e.A.Customer, Description: &desc, Quantity: &q, UnitPrice: &price})
		if err != nil {
			t.Fatalf("sales item: %v", err)
		}
		return si.ID
	}
	si := item(t)
	part := service.PartInput{ProductID: prod.ID, Quantity: "1", Interval: "monthly", Start: today}
	con, err := e.Svc.CreateContract(ctx, sys, service.ContractInput{CustomerID: e.A.Customer, Name: "Matrix contract", Parts: []service.PartInput{part}})
	if err != nil {
		t.Fatalf("contract: %v", err)
	}
	tkt, err := e.Svc.CreateTicket(ctx, sys, e.A.Customer, "Printer on fire")
	if err != nil {
		t.Fatalf("ticket: %v", err)
	}
	// Billing runs of a long-past period bill nothing the other rows need.
	run, err := e.Svc.RunBilling(ctx, sys, calendar.New(2001, 1, 1), calendar.New(2001, 1, 31), false, nil, nil)
	if err != nil {
		t.Fatalf("billing run: %v", err)
	}
	usage := func(r access.Role) map[string]any {
		return map[string]any{"records": []any{map[string]any{"record_id": "json-" + string(r), "customer": custA.Number, "sku": code,
			"quantity": "3", "period_start": today.AddDays(-30).String(), "period_end": today.String()}}}
	}
	return append(append(accPaymentRows(t, e), []accMatrixRow{
		// Sign-in ignores the bearer key. One real sign-in; the others send an
		// over-long password, refused before the ~100 ms password hash.
		{op: "POST /api/v1/auth/login", public: true, alsoOK: http.StatusUnprocessableEntity,
			call: func(_ *testing.T, r access.Role) (string, any) {
				if r == access.Administrator {
					return "/api/v1/auth/login", map[string]any{"email": user.Email, "password": password}
				}
				return "/api/v1/auth/login", map[string]any{"email": user.Email, "password": strings.Repeat("p", 1025)}
			}},
		{op: "POST /api/v1/auth/logout", public: true, call: fixed("/api/v1/auth/logout", nil)},
		{op: "GET /api/v1/me", call: fixed("/api/v1/me", nil)},

		{op: "GET /api/v1/users", call: fixed("/api/v1/users", nil)},
		{op: "POST /api/v1/users", call: func(_ *testing.T, r access.Role) (string, any) {
			return "/api/v1/users", map[string]any{"email": "made-by-" + string(r) + "@example.com", "name": "New person",
				"role": "finance", "password": "a long enough password"}
		}},
		{op: "PATCH /api/v1/users/{id}",
			call: fixed("/api/v1/users/"+user.ID, map[string]any{"name": "Renamed person"})},

		{op: "GET /api/v1/api-keys", call: fixed("/api/v1/api-keys", nil)},
		{op: "POST /api/v1/api-keys",
			call: fixed("/api/v1/api-keys", map[string]any{"name": "ci", "role": "sales"})},
		{op: "DELETE /api/v1/api-keys/{id}", call: func(t *testing.T, r access.Role) (string, any) {
			k, err := e.Svc.CreateAPIKey(ctx, sys, service.NewAPIKey{Name: "to revoke by " + string(r), Role: "sales"})
			if err != nil {
				t.Fatalf("create key: %v", err)
			}
			return "/api/v1/api-keys/" + k.ID, nil
		}},

		{op: "GET /api/v1/tenant", call: fixed("/api/v1/tenant", nil)},
		{op: "PATCH /api/v1/tenant",
			call: fixed("/api/v1/tenant", map[string]any{"legal_name": "Tenant A Holdings S.L."})},

		{op: "GET /api/v1/audit-events", call: fixed("/api/v1/audit-events", nil)},

		{op: "GET /api/v1/customers", call: fixed("/api/v1/customers", nil)},
		{op: "POST /api/v1/customers", call: func(_ *testing.T, r access.Role) (string, any) {
			return "/api/v1/customers", map[string]any{"name": "Made by " + string(r)}
		}},
		{op: "GET /api/v1/customers/{id}", call: fixed(cust, nil)},
		{op: "PATCH /api/v1/customers/{id}", label: "billing fields only",
			call: fixed(cust, map[string]any{"billing": map[string]any{"tax_id": "B12345678"}})},
		{op: "PATCH /api/v1/customers/{id}", label: "name",
			call: fixed(cust, map[string]any{"name": "Tenant A customer one"})},
		{op: "POST /api/v1/customers/{id}/archive", call: func(t *testing.T, r access.Role) (string, any) {
			if r == access.Customer { // its own account: refused for the role, not for being someone else's
				return cust + "/archive", nil
			}
			return "/api/v1/customers/" + accNewCustomer(t, e, e.A.ID, "To archive by "+string(r)) + "/archive", nil
		}},
		{op: "POST /api/v1/customers/{id}/restore", call: func(t *testing.T, r access.Role) (string, any) {
			id := accNewCustomer(t, e, e.A.ID, "To restore by "+string(r))
			if _, err := e.Svc.SetCustomerArchived(ctx, sys, id, true); err != nil {
				t.Fatalf("archive: %v", err)
			}
			return "/api/v1/customers/" + id + "/restore", nil
		}},

		// Invoices. Each call that changes a document gets a fresh one.
		{op: "GET /api/v1/invoices", call: fixed("/api/v1/invoices", nil)},
		{op: "POST /api/v1/invoices", call: fixed("/api/v1/invoices", accInvBody(e.A.Customer))},
		{op: "POST /api/v1/invoices/preview", call: fixed("/api/v1/invoices/preview", accInvBody(e.A.Customer))},
		// The customer key's own issued invoice: the customer role reads it too.
		{op: "GET /api/v1/invoices/{id}", call: fixed("/api/v1/invoices/"+own.ID, nil)},
		{op: "GET /api/v1/invoices/{id}/totals", call: fixed("/api/v1/invoices/"+own.ID+"/totals", nil)},
		{op: "GET /api/v1/invoices/{id}/notifications", call: fixed("/api/v1/invoices/"+own.ID+"/notifications", nil)},
		{op: "PATCH /api/v1/invoices/{id}",
			call: fixed("/api/v1/invoices/"+draft, map[string]any{"notes": "edited"})},
		{op: "DELETE /api/v1/invoices/{id}", call: func(t *testing.T, _ access.Role) (string, any) {
			return "/api/v1/invoices/" + accMakeInvoice(t, e, e.A.ID, e.A.Customer, today).ID, nil
		}},
		{op: "POST /api/v1/invoices/{id}/status", label: "issue", call: func(t *testing.T, _ access.Role) (string, any) {
			return "/api/v1/invoices/" + accMakeInvoice(t, e, e.A.ID, e.A.Customer, today).ID + "/status", map[string]any{"status": "open"}
		}},
		{op: "POST /api/v1/invoices/{id}/status", label: "past due", call: func(t *testing.T, _ access.Role) (string, any) {
			return "/api/v1/invoices/" + accMakeInvoice(t, e, e.A.ID, e.A.Customer, today.AddDays(-60), "open").ID + "/status", map[string]any{"status": "past_due"}
		}},
		{op: "POST /api/v1/invoices/{id}/status", label: "close", call: func(t *testing.T, _ access.Role) (string, any) {
			return "/api/v1/invoices/" + accMakeInvoice(t, e, e.A.ID, e.A.Customer, today, "open").ID + "/status", map[string]any{"status": "closed", "reason": "settled outside Facturo"}
		}},
		{op: "POST /api/v1/invoices/{id}/status", label: "void", call: func(t *testing.T, _ access.Role) (string, any) {
			return "/api/v1/invoices/" + accMakeInvoice(t, e, e.A.ID, e.A.Customer, today, "open").ID + "/status", map[string]any{"status": "void"}
		}},

		// Invoice documents (issue 7): downloads and exports read invoices;
		// the branding is a tenant setting.
		{op: "GET /api/v1/invoices/{id}/pdf", call: fixed("/api/v1/invoices/"+own.ID+"/pdf", nil)},
		{op: "GET /api/v1/invoices/{id}/ubl", call: fixed("/api/v1/invoices/"+own.ID+"/ubl", nil)},
		{op: "GET /api/v1/invoices/{id}/print", call: fixed("/api/v1/invoices/"+own.ID+"/print", nil)},
		{op: "GET /api/v1/invoices.csv", call: fixed("/api/v1/invoices.csv", nil)},
		{op: "GET /api/v1/invoice-lines.csv", call: fixed("/api/v1/invoice-lines.csv", nil)},
		{op: "GET /api/v1/tenant/branding", call: fixed("/api/v1/tenant/branding", nil)},
		{op: "PATCH /api/v1/tenant/branding", call: fixed("/api/v1/tenant/branding", map[string]any{"primary_color": "#112233"})},
		{op: "PUT /api/v1/tenant/logo", headers: []string{"Content-Type", "application/octet-stream"},
			call: fixed("/api/v1/tenant/logo", accMakePNG(t))},
		{op: "GET /api/v1/tenant/logo", call: func(t *testing.T, _ access.Role) (string, any) {
			if _, err := e.Svc.SetLogo(ctx, sys, accMakePNG(t)); err != nil {
				t.Fatalf("set logo: %v", err)
			}
			return "/api/v1/tenant/logo", nil
		}},
		{op: "DELETE /api/v1/tenant/logo", call: func(t *testing.T, _ access.Role) (string, any) {
			if _, err := e.Svc.SetLogo(ctx, sys, accMakePNG(t)); err != nil {
				t.Fatalf("set logo: %v", err)
			}
			return "/api/v1/tenant/logo", nil
		}},

		// Tenant settings: taxes, tax mode and number series.
		{op: "GET /api/v1/tax-codes", call: fixed("/api/v1/tax-codes", nil)},
		// The exchange-rate table: the ledger roles write, staff read.
		{op: "GET /api/v1/exchange-rates", call: fixed("/api/v1/exchange-rates?currency=USD", nil)},
		{op: "PUT /api/v1/exchange-rates/{currency}/{date}",
			call: fixed("/api/v1/exchange-rates/USD/2026-01-01", map[string]any{"rate": "0.92"})},
		{op: "DELETE /api/v1/exchange-rates/{currency}/{date}", call: func(t *testing.T, _ access.Role) (string, any) {
			if _, err := e.Svc.SetExchangeRate(ctx, sys, service.ExchangeRateInput{Currency: "GBP", Date: "2026-01-01", Rate: "1.17"}); err != nil {
				t.Fatalf("exchange rate: %v", err)
			}
			return "/api/v1/exchange-rates/GBP/2026-01-01", nil
		}},
		{op: "POST /api/v1/exchange-rates/csv", headers: []string{"Content-Type", "text/csv"},
			call: fixed("/api/v1/exchange-rates/csv", "currency,date,rate\nUSD,2026-02-01,0.93\n")},
		{op: "PUT /api/v1/tax-codes/{code}",
			call: fixed("/api/v1/tax-codes/V10", map[string]any{"name": "VAT 10", "rate": "10", "category": "S", "account": "2100"})},
		{op: "GET /api/v1/tax-groups", call: fixed("/api/v1/tax-groups", nil)},
		{op: "PUT /api/v1/tax-groups/{kind}/{code}",
			call: fixed("/api/v1/tax-groups/item/FULL", map[string]any{"tax_codes": []string{"V21"}})},
		{op: "PUT /api/v1/tax-mode", call: fixed("/api/v1/tax-mode", map[string]any{"tax_mode": "per_code"})},
		{op: "GET /api/v1/custom-fields", call: fixed("/api/v1/custom-fields", nil)},
		{op: "PUT /api/v1/custom-fields/{applies_to}/{key}",
			call: fixed("/api/v1/custom-fields/invoice/po_number", map[string]any{"labels": map[string]string{"es": "Número de pedido"}})},
		{op: "DELETE /api/v1/custom-fields/{applies_to}/{key}", call: func(t *testing.T, r access.Role) (string, any) {
			key := "del_" + strings.ReplaceAll(string(r), "-", "_")
			if _, err := e.Svc.SaveCustomFieldDef(ctx, sys, customfield.Def{Key: key, AppliesTo: customfield.Customer, Labels: map[string]string{"en": "To delete"}}); err != nil {
				t.Fatalf("custom field: %v", err)
			}
			return "/api/v1/custom-fields/customer/" + key, nil
		}},
		{op: "GET /api/v1/number-series", call: fixed("/api/v1/number-series", nil)},
		{op: "PUT /api/v1/number-series/{kind}",
			call: fixed("/api/v1/number-series/invoice", map[string]any{"pattern": "INV-{YYYY}-{SEQ:6}"})},

		// The ledger: reports need ledger.read, the chart and profiles ledger.manage.
		{op: "GET /api/v1/ledger/accounts", call: fixed("/api/v1/ledger/accounts", nil)},
		{op: "PUT /api/v1/ledger/accounts/{code}",
			call: fixed("/api/v1/ledger/accounts/4300", map[string]any{"name": "Revenue: licences", "type": "revenue"})},
		{op: "GET /api/v1/ledger/posting-profiles", call: fixed("/api/v1/ledger/posting-profiles", nil)},
		{op: "PUT /api/v1/ledger/posting-profiles/{code}",
			call: fixed("/api/v1/ledger/posting-profiles/resellers", map[string]any{"name": "Resellers", "receivables_account": "1100"})},
		{op: "GET /api/v1/ledger/trial-balance", call: fixed("/api/v1/ledger/trial-balance", nil)},
		{op: "GET /api/v1/ledger/accounts/{code}/lines", call: fixed("/api/v1/ledger/accounts/1100/lines", nil)},
		{op: "GET /api/v1/ledger/receivables", call: fixed("/api/v1/ledger/receivables", nil)},
		{op: "GET /api/v1/ledger/invoice-journal", call: fixed("/api/v1/ledger/invoice-journal", nil)},
		{op: "GET /api/v1/ledger/entries/{id}", call: fixed("/api/v1/ledger/entries/"+own.EntryID, nil)},

		// Corrections and the approval workflow.
		{op: "POST /api/v1/invoices/{id}/correct", call: func(t *testing.T, _ access.Role) (string, any) {
			return "/api/v1/invoices/" + accMakeInvoice(t, e, e.A.ID, e.A.Customer, today, "open").ID + "/correct",
				map[string]any{"reason_code": "PRICE", "comment": "wrong price"}
		}},
		{op: "POST /api/v1/invoices/{id}/submit", call: func(t *testing.T, _ access.Role) (string, any) {
			return "/api/v1/invoices/" + accMakeInvoice(t, e, e.A.ID, e.A.Customer, today).ID + "/submit", map[string]any{"comment": "please check"}
		}},
		{op: "POST /api/v1/invoices/{id}/approve", call: func(t *testing.T, _ access.Role) (string, any) {
			return "/api/v1/invoices/" + submitted(t) + "/approve", map[string]any{}
		}},
		{op: "POST /api/v1/invoices/{id}/reject", call: func(t *testing.T, _ access.Role) (string, any) {
			return "/api/v1/invoices/" + submitted(t) + "/reject", map[string]any{"comment": "wrong customer"}
		}},
		// The approval history is internal: staff only, not the portal.
		{op: "GET /api/v1/invoices/{id}/workflow", call: fixed("/api/v1/invoices/"+own.ID+"/workflow", nil)},
		{op: "GET /api/v1/reason-codes", call: fixed("/api/v1/reason-codes", nil)},
		{op: "PUT /api/v1/reason-codes/{code}",
			call: fixed("/api/v1/reason-codes/DISCOUNT", map[string]any{"description": "Missing discount"})},
		{op: "PUT /api/v1/approval-workflow", call: fixed("/api/v1/approval-workflow", map[string]any{"approval_required": false})},

		// Recurring templates.
		{op: "GET /api/v1/recurring-invoices", call: fixed("/api/v1/recurring-invoices", nil)},
		{op: "POST /api/v1/recurring-invoices", call: func(_ *testing.T, r access.Role) (string, any) {
			return "/api/v1/recurring-invoices", map[string]any{"name": "Made by " + string(r), "customer_id": e.A.Customer, "interval": "monthly",
				"start_date": today.String(), "invoice": map[string]any{"lines": []any{map[string]any{"description": "Hosting", "quantity": "1", "unit_price": "9.00"}}}}
		}},
		{op: "GET /api/v1/recurring-invoices/{id}", call: fixed("/api/v1/recurring-invoices/"+tpl.ID, nil)},
		{op: "PATCH /api/v1/recurring-invoices/{id}", call: fixed("/api/v1/recurring-invoices/"+tpl.ID, map[string]any{"name": "Support (renamed)"})},

		// Attachments: the file is the raw body with its Content-Type.
		{op: "POST /api/v1/invoices/{id}/attachments", headers: []string{"Content-Type", "application/pdf"},
			call: fixed("/api/v1/invoices/"+draft+"/attachments?filename=scan.pdf", accMakePDF())},
		{op: "GET /api/v1/invoices/{id}/attachments", call: fixed("/api/v1/invoices/"+draft+"/attachments", nil)},
		{op: "GET /api/v1/invoices/{id}/attachments/{attachment_id}", call: fixed("/api/v1/invoices/"+draft+"/attachments/"+att, nil)},
		{op: "DELETE /api/v1/invoices/{id}/attachments/{attachment_id}", call: func(t *testing.T, _ access.Role) (string, any) {
			return "/api/v1/invoices/" + draft + "/attachments/" + attach(t), nil
		}},

		// Sales items (seed 002: not engineers, not customers) and their sources.
		{op: "GET /api/v1/sales-items", call: fixed("/api/v1/sales-items", nil)},
		{op: "POST /api/v1/sales-items", call: fixed("/api/v1/sales-items",
			map[string]any{"customer_id": e.A.Customer, "description": "Installation", "quantity": "1", "unit_price": "80.00"})},
		{op: "GET /api/v1/sales-items/{id}", call: fixed("/api/v1/sales-items/"+si, nil)},
		{op: "PATCH /api/v1/sales-items/{id}", call: fixed("/api/v1/sales-items/"+si, map[string]any{"description": "Consulting (edited)"})},
		{op: "POST /api/v1/sales-items/{id}/cancel", call: func(t *testing.T, _ access.Role) (string, any) {
			return "/api/v1/sales-items/" + item(t) + "/cancel", nil
		}},
		{op: "POST /api/v1/usage", call: func(_ *testing.T, r access.Role) (string, any) { return "/api/v1/usage", usage(r) }},
		{op: "POST /api/v1/usage/csv", headers: []string{"Content-Type", "text/csv"}, call: func(_ *testing.T, r access.Role) (string, any) {
			return "/api/v1/usage/csv", "record_id,customer,sku,quantity,unit,period_start,period_end\n" +
				"csv-" + string(r) + "," + custA.Number + "," + code + ",4,GB," + today.AddDays(-30).String() + "," + today.String() + "\n"
		}},
		{op: "GET /api/v1/products", call: fixed("/api/v1/products", nil)},
		{op: "POST /api/v1/products", call: func(_ *testing.T, r access.Role) (string, any) {
			return "/api/v1/products", map[string]any{"code": "SKU-" + strings.ToUpper(string(r)), "name": "Made by " + string(r), "default_price": "5.00"}
		}},
		{op: "PATCH /api/v1/products/{id}", call: fixed("/api/v1/products/"+prod.ID, map[string]any{"name": "Matrix product (renamed)"})},
		{op: "GET /api/v1/contracts", call: fixed("/api/v1/contracts", nil)},
		{op: "POST /api/v1/contracts", call: fixed("/api/v1/contracts", map[string]any{"customer_id": e.A.Customer, "name": "Support",
			"parts": []any{map[string]any{"product_id": prod.ID, "quantity": "1", "interval": "monthly", "start_date": today.String()}}})},
		{op: "PATCH /api/v1/contracts/{id}", call: fixed("/api/v1/contracts/"+con.ID, map[string]any{"name": "Matrix contract (renamed)"})},
		{op: "GET /api/v1/tickets", call: fixed("/api/v1/tickets", nil)},
		{op: "POST /api/v1/tickets", call: fixed("/api/v1/tickets", map[string]any{"customer_id": e.A.Customer, "title": "Mail is down"})},
		{op: "POST /api/v1/tickets/{id}/time-entries", call: fixed("/api/v1/tickets/"+tkt.ID+"/time-entries",
			map[string]any{"work_date": today.String(), "minutes": 30, "billable": true, "rate": "60.00", "description": "Replaced the toner"})},

		// Billing runs.
		{op: "POST /api/v1/billing-runs", call: fixed("/api/v1/billing-runs",
			map[string]any{"period_start": "2001-01-01", "period_end": "2001-01-31", "wait": true})},
		{op: "GET /api/v1/billing-runs", call: fixed("/api/v1/billing-runs", nil)},
		{op: "GET /api/v1/billing-runs/{id}", call: fixed("/api/v1/billing-runs/"+run.ID, nil)},
		{op: "POST /api/v1/customers/{id}/invoice-now", call: fixed("/api/v1/customers/"+e.A.Customer+"/invoice-now",
			map[string]any{"period_start": "2001-01-01", "period_end": "2001-01-31"})},

		// Email outbox and webhooks.
		{op: "GET /api/v1/outbox", call: fixed("/api/v1/outbox?status=queued", nil)},
		{op: "GET /api/v1/outbox/{id}", call: fixed("/api/v1/outbox/"+queued, nil)},
		// The message was skipped for want of a recipient: an allowed role gets past the check to the 409.
		{op: "POST /api/v1/outbox/{id}/retry", alsoOK: http.StatusConflict, call: fixed("/api/v1/outbox/"+skipped+"/retry", nil)},
		{op: "POST /api/v1/webhook-endpoints", call: fixed("/api/v1/webhook-endpoints",
			map[string]any{"url": "https://hooks.example.com/matrix", "events": []string{"invoice.*"}, "enabled": false})},
		{op: "GET /api/v1/webhook-endpoints", call: fixed("/api/v1/webhook-endpoints", nil)},
		{op: "GET /api/v1/webhook-endpoints/{id}", call: fixed("/api/v1/webhook-endpoints/"+hook.ID, nil)},
		{op: "PATCH /api/v1/webhook-endpoints/{id}", call: fixed("/api/v1/webhook-endpoints/"+hook.ID, map[string]any{"description": "edited"})},
		{op: "DELETE /api/v1/webhook-endpoints/{id}", call: func(t *testing.T, _ access.Role) (string, any) {
			return "/api/v1/webhook-endpoints/" + newHook(t).ID, nil
		}},
		{op: "GET /api/v1/webhook-endpoints/{id}/attempts", call: fixed("/api/v1/webhook-endpoints/"+hook.ID+"/attempts", nil)},
		{op: "GET /api/v1/webhook-endpoints/{id}/deliveries", call: fixed("/api/v1/webhook-endpoints/"+hook.ID+"/deliveries?status=pending", nil)},
		// No delivery is failed here: an allowed role reaches the lookup (404), the others are refused before it.
		{op: "POST /api/v1/webhook-deliveries/{id}/retry", alsoOK: http.StatusNotFound, call: fixed("/api/v1/webhook-deliveries/whd_none/retry", nil)},
	}...), accWalletRows(t, e)...)
}

// accTableKey is row's key in accPermissionTable.
func accTableKey(row accMatrixRow) string {
	return strings.TrimSpace(row.op + " " + row.label)
}

// TestRoleMatrix calls every endpoint of the OpenAPI document as every role
// and checks that exactly the roles accPermissionTable and access/roles.go
// allow get through, and every other role gets 403 and changes nothing.
func TestRoleMatrix(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		const password = "matrix password 1"
		user := accNewUser(t, e, e.A.ID, "matrix@example.com", password, access.Sales)
		rows := accMatrix(t, e, user, password)
		ops := accOperations(t, e)

		covered, used := map[string]bool{}, map[string]bool{}
		for _, row := range rows {
			needsAuth, ok := ops[row.op]
			if !ok {
				t.Errorf("matrix row %q is not an operation of the OpenAPI document", row.op)
				continue
			}
			covered[row.op] = true
			if needsAuth == row.public {
				t.Errorf("%s: the OpenAPI document says needs credentials=%v, the matrix says public=%v", row.op, needsAuth, row.public)
			}
			perms, ok := accPermissionTable[accTableKey(row)]
			if !ok {
				t.Errorf("%q has no entry in accPermissionTable: say which permission of DESIGN.md \"Roles\" it needs", accTableKey(row))
			}
			used[accTableKey(row)] = true
			if slices.Contains(perms, accPublic) != row.public {
				t.Errorf("%s: public=%v in the matrix, but permissions %v in the table", row.op, row.public, perms)
			}
		}
		for key := range accPermissionTable {
			if !used[key] {
				t.Errorf("accPermissionTable entry %q matches no matrix row", key)
			}
		}
		var missing []string
		for op := range ops {
			if !covered[op] {
				missing = append(missing, op)
			}
		}
		sort.Strings(missing)
		if len(missing) > 0 {
			t.Fatalf("endpoints without a row in the role matrix: %v", missing)
		}

		for _, row := range rows {
			method := strings.Fields(row.op)[0]
			for _, role := range access.Roles {
				name := strings.TrimSpace(row.op + " " + row.label + " as " + string(role))
				path, body := row.call(t, role)
				before := e.Snapshot()
				r := accDo(t, e, method, path, e.A.Keys[role], body, row.headers...)
				if accAllows(accPermissionTable[accTableKey(row)], role) {
					if (r.Status < 200 || r.Status > 299) && (row.alsoOK == 0 || r.Status != row.alsoOK) {
						t.Errorf("%s: %d, want 2xx; body %s", name, r.Status, accShort(r.Body))
					}
					continue
				}
				if after := e.Snapshot(); !maps.Equal(before, after) {
					t.Errorf("%s: refused, yet changed the database: %v → %v", name, before, after)
				}
				if r.Status != http.StatusForbidden {
					t.Errorf("%s: %d, want 403; body %s", name, r.Status, accShort(r.Body))
					continue
				}
				p := accWantProblem(t, r, http.StatusForbidden, "forbidden")
				if !strings.Contains(p.Detail, string(role)) {
					t.Errorf("%s: detail %q does not say which role was refused", name, p.Detail)
				}
			}
		}

		// The customer role sees only its own account in lists and searches.
		r := accDo(t, e, http.MethodGet, "/api/v1/customers?archived=include", e.A.Keys[access.Customer], nil)
		var list accList[accCustomer]
		r.JSON(t, &list)
		if r.Status != http.StatusOK || len(list.Data) != 1 || list.Data[0].ID != e.A.Customer {
			t.Errorf("customer-role list: %d %s, want only %s", r.Status, r.Body, e.A.Customer)
		}
		r = accDo(t, e, http.MethodGet, "/api/v1/customers?q=customer+two", e.A.Keys[access.Customer], nil)
		list = accList[accCustomer]{}
		r.JSON(t, &list)
		if r.Status != http.StatusOK || len(list.Data) != 0 {
			t.Errorf("customer-role search for another customer: %d %s, want no rows", r.Status, r.Body)
		}
	})
}

// TestAuthenticationRequired: every endpoint that needs credentials answers
// 401 with WWW-Authenticate without them, and for a revoked or garbage key.
func TestAuthenticationRequired(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		user := accNewUser(t, e, e.A.ID, "auth@example.com", "auth password 1", access.Sales)
		rows := accMatrix(t, e, user, "auth password 1")
		ops := accOperations(t, e)
		for _, row := range rows {
			if !ops[row.op] {
				continue
			}
			path, body := row.call(t, access.Administrator)
			before := e.Snapshot()
			r := accDo(t, e, strings.Fields(row.op)[0], path, "", body, row.headers...)
			accWantProblem(t, r, http.StatusUnauthorized, "unauthenticated")
			if r.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("%s without credentials: 401 without WWW-Authenticate", row.op)
			}
			if after := e.Snapshot(); !maps.Equal(before, after) {
				t.Errorf("%s without credentials changed the database: %v → %v", row.op, before, after)
			}
		}

		// A revoked key stops working at once.
		k, err := e.Svc.CreateAPIKey(context.Background(), access.System(e.A.ID, "test"), service.NewAPIKey{Name: "soon revoked", Role: "director"})
		if err != nil {
			t.Fatal(err)
		}
		if r := accDo(t, e, http.MethodGet, "/api/v1/me", k.Secret, nil); r.Status != http.StatusOK {
			t.Fatalf("fresh key: %d %s", r.Status, r.Body)
		}
		if r := accDo(t, e, http.MethodDelete, "/api/v1/api-keys/"+k.ID, e.A.Keys[access.Administrator], nil); r.Status != http.StatusNoContent {
			t.Fatalf("revoke: %d %s", r.Status, r.Body)
		}
		for _, path := range []string{"/api/v1/me", "/api/v1/customers"} {
			r := accDo(t, e, http.MethodGet, path, k.Secret, nil)
			accWantProblem(t, r, http.StatusUnauthorized, "unauthenticated")
			if r.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("revoked key on %s: no WWW-Authenticate", path)
			}
		}

		// Garbage credentials.
		for _, auth := range []string{"Bearer nonsense", "Bearer fk_" + strings.Repeat("x", 43), "Bearer ", "Basic dXNlcjpwYXNz", "fk_no_scheme"} {
			r := accDo(t, e, http.MethodGet, "/api/v1/customers", "", nil, "Authorization", auth)
			accWantProblem(t, r, http.StatusUnauthorized, "unauthenticated")
			if r.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("Authorization %q: no WWW-Authenticate", auth)
			}
		}
	})
}

// TestTenantIsolation: tenant A never sees or changes tenant B's data.
func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		ctx := context.Background()
		sysB := access.System(e.B.ID, "test")
		// Give B's customer data that must never show up in A's answers.
		secret := "Zyxwv Secreto B"
		tax, sap := "ESB99887766", "SAP-B-4242"
		if _, err := e.Svc.UpdateCustomer(ctx, sysB, e.B.Customer, service.CustomerInput{Name: &secret, SAPID: &sap,
			Billing: &service.BillingInput{TaxID: &tax}}); err != nil {
			t.Fatal(err)
		}
		leaks := []string{secret, tax, sap, "Tenant B", e.B.ID}
		noLeak := func(what string, body []byte) {
			t.Helper()
			for _, s := range leaks {
				if strings.Contains(string(body), s) {
					t.Errorf("%s: the answer contains tenant B's %q: %s", what, s, body)
				}
			}
		}
		// A made-up id: what a caller learns about B's customer must be no
		// more than what it learns about a customer that does not exist.
		ghost := "cus_0000000000000000000000000z"

		for _, role := range access.Roles {
			key := e.A.Keys[role]
			for _, c := range []struct {
				method, suffix string
				body           any
				canReach       bool // the role's permission reaches the lookup
			}{
				{http.MethodGet, "", nil, role != access.Engineer},
				{http.MethodPatch, "", map[string]any{"billing": map[string]any{"email": "hijack@example.com"}}, role != access.Engineer},
				{http.MethodPatch, "", map[string]any{"name": "Hijacked"}, slices.Contains(accCustWriter, role)},
				{http.MethodPost, "/archive", nil, slices.Contains(accCustWriter, role)},
				{http.MethodPost, "/restore", nil, slices.Contains(accCustWriter, role)},
			} {
				what := fmt.Sprintf("%s B's customer%s as %s", c.method, c.suffix, role)
				before := e.Snapshot()
				r := accDo(t, e, c.method, "/api/v1/customers/"+e.B.Customer+c.suffix, key, c.body)
				noLeak(what, r.Body)
				if after := e.Snapshot(); !maps.Equal(before, after) {
					t.Errorf("%s changed the database: %v → %v", what, before, after)
				}
				g := accDo(t, e, c.method, "/api/v1/customers/"+ghost+c.suffix, key, c.body)
				if c.canReach {
					accWantProblem(t, r, http.StatusNotFound, "not_found")
				}
				if r.Status != g.Status {
					t.Errorf("%s: %d, but %d for a customer that does not exist", what, r.Status, g.Status)
				}
				var pr, pg accProblem
				_ = json.Unmarshal(r.Body, &pr)
				_ = json.Unmarshal(g.Body, &pg)
				if pr.Code != pg.Code || strings.ReplaceAll(pr.Detail, e.B.Customer, ghost) != pg.Detail {
					t.Errorf("%s: problem %+v differs from a missing customer's %+v", what, pr, pg)
				}
			}
			// Lists and searches.
			if role == access.Engineer {
				continue
			}
			for _, q := range []string{"", "?q=zyxwv", "?q=" + tax, "?q=" + sap, "?archived=include&limit=500", "?q=tenant+b"} {
				r := accDo(t, e, http.MethodGet, "/api/v1/customers"+q, key, nil)
				if r.Status != http.StatusOK {
					t.Errorf("list%s as %s: %d %s", q, role, r.Status, r.Body)
				}
				noLeak("list"+q+" as "+string(role), r.Body)
				if strings.Contains(string(r.Body), e.B.Customer) || strings.Contains(string(r.Body), e.B.Other) {
					t.Errorf("list%s as %s shows a customer of tenant B: %s", q, role, r.Body)
				}
			}
		}
		// B's customer stayed as it was.
		c, err := e.Svc.GetCustomer(ctx, sysB, e.B.Customer)
		if err != nil || c.Name != secret || c.ArchivedAt != nil || c.Billing.Email != "billing@example.com" {
			t.Errorf("B's customer changed: %+v, %v", c, err)
		}

		// The audit log of A shows none of B's entries, even asked by id.
		for _, role := range accAuditRead {
			for _, q := range []string{"?limit=500", "?target_id=" + e.B.Customer, "?target_id=" + e.B.ID, "?target_type=customer&limit=500"} {
				r := accDo(t, e, http.MethodGet, "/api/v1/audit-events"+q, e.A.Keys[role], nil)
				var list accList[service.AuditEntry]
				r.JSON(t, &list)
				if r.Status != http.StatusOK {
					t.Fatalf("audit%s: %d %s", q, r.Status, r.Body)
				}
				noLeak("audit"+q, r.Body)
				for _, ev := range list.Data {
					if ev.TargetID == e.B.Customer || ev.TargetID == e.B.Other || ev.TargetID == e.B.ID {
						t.Errorf("A's audit log shows B's entry %+v", ev)
					}
				}
				if q == "?limit=500" && len(list.Data) == 0 {
					t.Errorf("A's audit log is empty: the test would prove nothing")
				}
			}
		}
		// B's audit log does show its change: the entries exist, A just cannot see them.
		r := accDo(t, e, http.MethodGet, "/api/v1/audit-events?target_id="+e.B.Customer, e.B.Keys[access.Administrator], nil)
		if !strings.Contains(string(r.Body), "customer.updated") {
			t.Errorf("B's audit log lacks its own customer.updated: %s", r.Body)
		}

		// Invoices and the ledger: A's keys never see or change B's documents,
		// and B's documents and postings never show in A's lists and reports.
		today := accToday(e)
		bDraft := accMakeInvoice(t, e, e.B.ID, e.B.Customer, today)
		bOpen := accMakeInvoice(t, e, e.B.ID, e.B.Customer, today, "open")
		aOpen := accMakeInvoice(t, e, e.A.ID, e.A.Customer, today, "open") // so A's answers are not empty
		bDocs := map[string][]byte{}
		for _, id := range []string{bDraft.ID, bOpen.ID} {
			bDocs[id] = accDo(t, e, http.MethodGet, "/api/v1/invoices/"+id, e.B.Keys[access.Administrator], nil).Body
		}
		invLeaks := append(slices.Clone(leaks), bDraft.ID, bOpen.ID, bOpen.EntryID)
		noInvLeak := func(what string, body []byte) {
			t.Helper()
			for _, s := range invLeaks {
				if strings.Contains(string(body), s) {
					t.Errorf("%s: the answer contains tenant B's %q: %s", what, s, accShort(body))
				}
			}
		}
		invGhost, entryGhost := "inv_0000000000000000000000000z", "je_0000000000000000000000000z"
		for _, role := range access.Roles {
			key := e.A.Keys[role]
			for _, target := range []string{bDraft.ID, bOpen.ID} {
				for _, c := range []struct {
					method, suffix string
					body           any
					canReach       bool
				}{
					{http.MethodGet, "", nil, role != access.Engineer},
					{http.MethodGet, "/totals", nil, role != access.Engineer},
					{http.MethodGet, "/notifications", nil, slices.Contains(accStaffRead, role)},
					{http.MethodPatch, "", map[string]any{"notes": "hijacked"}, slices.Contains(accInvWriter, role)},
					{http.MethodDelete, "", nil, slices.Contains(accInvWriter, role)},
					{http.MethodPost, "/status", map[string]any{"status": "open"}, slices.Contains(accInvWriter, role)},
					{http.MethodPost, "/status", map[string]any{"status": "void"}, slices.Contains(accInvApprover, role)},
				} {
					what := fmt.Sprintf("%s B's invoice%s %v as %s", c.method, c.suffix, c.body, role)
					before := e.Snapshot()
					r := accDo(t, e, c.method, "/api/v1/invoices/"+target+c.suffix, key, c.body)
					noLeak(what, r.Body) // (a 404 repeats the id asked for)
					if after := e.Snapshot(); !maps.Equal(before, after) {
						t.Errorf("%s changed the database: %v → %v", what, before, after)
					}
					g := accDo(t, e, c.method, "/api/v1/invoices/"+invGhost+c.suffix, key, c.body)
					if c.canReach {
						accWantProblem(t, r, http.StatusNotFound, "not_found")
					}
					var pr, pg accProblem
					_ = json.Unmarshal(r.Body, &pr)
					_ = json.Unmarshal(g.Body, &pg)
					if r.Status != g.Status || pr.Code != pg.Code || strings.ReplaceAll(pr.Detail, target, invGhost) != pg.Detail {
						t.Errorf("%s: %d %+v, unlike a missing invoice's %d %+v", what, r.Status, pr, g.Status, pg)
					}
				}
			}
			// Creating a document for B's customer or bill-to account.
			if slices.Contains(accInvWriter, role) {
				for _, body := range []map[string]any{accInvBody(e.B.Customer), func() map[string]any {
					b := accInvBody(e.A.Customer)
					b["invoice_account_id"] = e.B.Other
					return b
				}()} {
					before := e.Snapshot()
					r := accDo(t, e, http.MethodPost, "/api/v1/invoices", key, body)
					accWantProblem(t, r, http.StatusUnprocessableEntity, "invalid")
					noInvLeak("create for B's customer", r.Body)
					if after := e.Snapshot(); !maps.Equal(before, after) {
						t.Errorf("create for B's customer changed the database: %v → %v", before, after)
					}
				}
			}
			// B's journal entry.
			r := accDo(t, e, http.MethodGet, "/api/v1/ledger/entries/"+bOpen.EntryID, key, nil)
			g := accDo(t, e, http.MethodGet, "/api/v1/ledger/entries/"+entryGhost, key, nil)
			noLeak("B's journal entry as "+string(role), r.Body)
			if slices.Contains(accLedgerRead, role) {
				accWantProblem(t, r, http.StatusNotFound, "not_found")
			}
			if r.Status != g.Status {
				t.Errorf("B's journal entry as %s: %d, but %d for one that does not exist", role, r.Status, g.Status)
			}
			// Lists and reports.
			if role != access.Engineer {
				for _, q := range []string{"", "?status=draft,open", "?q=zyxwv", "?customer_id=" + e.B.Customer, "?date_preset=year_to_date", "?sort=-amount&limit=500"} {
					r := accDo(t, e, http.MethodGet, "/api/v1/invoices"+q, key, nil)
					if q == "?status=draft,open" && role == access.Customer {
						continue // drafts are refused to the portal
					}
					if r.Status != http.StatusOK {
						t.Errorf("invoices%s as %s: %d %s", q, role, r.Status, r.Body)
					}
					noInvLeak("invoices"+q+" as "+string(role), r.Body)
					if q == "" && !strings.Contains(string(r.Body), aOpen.ID) {
						t.Errorf("invoices as %s lacks A's own invoice: the test would prove nothing", role)
					}
				}
			}
			if slices.Contains(accLedgerRead, role) {
				for _, path := range []string{"/api/v1/ledger/invoice-journal", "/api/v1/ledger/invoice-journal?customer_id=" + e.B.Customer,
					"/api/v1/ledger/trial-balance", "/api/v1/ledger/receivables", "/api/v1/ledger/accounts/1100/lines", "/api/v1/ledger/accounts/4000/lines"} {
					r := accDo(t, e, http.MethodGet, path, key, nil)
					if r.Status != http.StatusOK {
						t.Errorf("%s as %s: %d %s", path, role, r.Status, r.Body)
					}
					noInvLeak(path+" as "+string(role), r.Body)
				}
				// A's receivables are A's invoice alone.
				tb := accTrialBalance(t, e, key, "")
				if tb["1100"].Net != "20.00" || tb["4000"].Net != "-20.00" {
					t.Errorf("A's trial balance as %s: 1100 %+v, 4000 %+v; want A's 20.00 only", role, tb["1100"], tb["4000"])
				}
				var journal accList[service.JournalRow]
				accDo(t, e, http.MethodGet, "/api/v1/ledger/invoice-journal", key, nil).JSON(t, &journal)
				if len(journal.Data) != 1 || journal.Data[0].InvoiceID != aOpen.ID {
					t.Errorf("A's invoice journal as %s: %+v, want A's invoice alone", role, journal.Data)
				}
			}
		}
		// B's documents stayed as they were, and B sees them.
		for id, doc := range bDocs {
			r := accDo(t, e, http.MethodGet, "/api/v1/invoices/"+id, e.B.Keys[access.Administrator], nil)
			if r.Status != http.StatusOK || string(r.Body) != string(doc) {
				t.Errorf("B's invoice %s changed: %s\n→ %d %s", id, doc, r.Status, r.Body)
			}
		}
		if tb := accTrialBalance(t, e, e.B.Keys[access.Administrator], ""); tb["1100"].Net != "20.00" {
			t.Errorf("B's trial balance: 1100 %+v, want B's 20.00", tb["1100"])
		}

		// A customer-role key sees no other customer of its own tenant.
		key := e.A.Keys[access.Customer]
		for _, c := range []struct {
			method, path string
			body         any
		}{
			{http.MethodGet, "/api/v1/customers/" + e.A.Other, nil},
			{http.MethodPatch, "/api/v1/customers/" + e.A.Other, map[string]any{"billing": map[string]any{"tax_id": "X1"}}},
		} {
			r := accDo(t, e, c.method, c.path, key, c.body)
			accWantProblem(t, r, http.StatusNotFound, "not_found")
			if strings.Contains(string(r.Body), "customer two") {
				t.Errorf("%s %s as customer leaks the other customer: %s", c.method, c.path, r.Body)
			}
		}
	})
}

// TestOperationalEndpoints: health, readiness, metrics, the OpenAPI document,
// the docs page and unknown API paths.
func TestOperationalEndpoints(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		for _, p := range []string{"/healthz", "/readyz"} {
			if r := accDo(t, e, http.MethodGet, p, "", nil); r.Status != http.StatusOK {
				t.Errorf("%s: %d %s", p, r.Status, r.Body)
			}
		}

		if r := accDo(t, e, http.MethodGet, "/api/v1/customers/"+e.A.Customer, e.A.Keys[access.Sales], nil); r.Status != http.StatusOK {
			t.Fatalf("get customer: %d %s", r.Status, r.Body)
		}
		r := accDo(t, e, http.MethodGet, "/metrics", "", nil)
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), "facturo_http_requests_total") {
			t.Fatalf("/metrics: %d, no facturo_http_requests_total:\n%s", r.Status, r.Body)
		}
		// Requests are counted by route pattern, not by raw path (ids would
		// make unbounded label values) and not all as "unmatched".
		route := regexp.MustCompile(`facturo_http_requests_total\{method="GET",route="/api/v1/customers/\{id\}",status="200"\} [1-9]`)
		if !route.Match(r.Body) {
			t.Errorf("/metrics does not count GET /api/v1/customers/{id} by its route:\n%s", grepLines(string(r.Body), "facturo_http_requests_total"))
		}
		if strings.Contains(string(r.Body), e.A.Customer) {
			t.Errorf("/metrics has a customer id in a label")
		}

		r = accDo(t, e, http.MethodGet, "/api/v1/openapi.json", "", nil)
		var doc struct {
			OpenAPI string         `json:"openapi"`
			Paths   map[string]any `json:"paths"`
		}
		r.JSON(t, &doc)
		if r.Status != http.StatusOK || !strings.HasPrefix(doc.OpenAPI, "3.1") {
			t.Errorf("openapi.json: %d, version %q, want 3.1", r.Status, doc.OpenAPI)
		}
		for _, p := range []string{"/api/v1/customers", "/api/v1/customers/{id}", "/api/v1/customers/{id}/archive", "/api/v1/customers/{id}/restore"} {
			if _, ok := doc.Paths[p]; !ok {
				t.Errorf("openapi.json lacks %s", p)
			}
		}

		r = accDo(t, e, http.MethodGet, "/api/v1/docs", "", nil)
		if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") || !strings.Contains(strings.ToLower(string(r.Body)), "<html") {
			t.Errorf("/api/v1/docs: %d %q", r.Status, r.Header.Get("Content-Type"))
		}

		for _, c := range []struct{ method, path, key string }{
			{http.MethodGet, "/api/v1/nope", ""},
			{http.MethodGet, "/api/v1/nope", e.A.Keys[access.Administrator]},
			{http.MethodPost, "/api/v1/nope/deeper", e.A.Keys[access.Administrator]},
		} {
			accWantProblem(t, accDo(t, e, c.method, c.path, c.key, nil), http.StatusNotFound, "not_found")
		}
	})
}

func grepLines(s, substr string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
