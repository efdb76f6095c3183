// Package testserver runs a real Facturo HTTP server over a real database
// for tests: two tenants, an API key per role in each, and helpers to call
// the API.
package testserver

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/payprovider/testcard"
	"github.com/facturo/facturo/server"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

// Tenant is one tenant of the test server with an API key per role.
type Tenant struct {
	ID   string
	Keys map[access.Role]string
	// Customer is a customer of the tenant with complete billing info; the
	// customer-role key belongs to it.
	Customer string
	// Other is a second customer, not the customer key's.
	Other string
}

// Env is a running server.
type Env struct {
	T      testing.TB
	DB     *store.DB
	Svc    *service.Service
	Server *httptest.Server
	URL    string
	A, B   Tenant
	Clock  *Clock
}

// Clock is a settable clock for the service.
type Clock struct{ now time.Time }

// Now returns the clock's time.
func (c *Clock) Now() time.Time { return c.now }

// Set moves the clock.
func (c *Clock) Set(t time.Time) { c.now = t }

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) { c.now = c.now.Add(d) }

// New starts a server on engine e with tenants A and B.
func New(t testing.TB, e store.Engine) *Env {
	t.Helper()
	db := testdb.Open(t, e)
	return NewOn(t, db)
}

// NewOn starts a server over an already migrated database.
func NewOn(t testing.TB, db *store.DB) *Env { return NewOnWith(t, db) }

// NewOnWith is NewOn with more service options (a mailer, for example).
func NewOnWith(t testing.TB, db *store.DB, opts ...service.Option) *Env {
	t.Helper()
	clock := &Clock{now: time.Now().UTC()}
	svc := service.New(db, append([]service.Option{service.WithClock(clock.Now), service.WithPaymentProvider(testcard.New()),
		service.WithPasswordCost(access.LeastPasswordCost)}, opts...)...)
	srv := httptest.NewServer(server.New(svc, db, server.Config{Log: slog.New(slog.DiscardHandler)}))
	t.Cleanup(srv.Close)
	env := &Env{T: t, DB: db, Svc: svc, Server: srv, URL: srv.URL, Clock: clock}
	env.A = env.NewTenant("Tenant A")
	env.B = env.NewTenant("Tenant B")
	return env
}

// NewTenant creates a tenant with two customers and a key per role.
func (e *Env) NewTenant(name string) Tenant {
	e.T.Helper()
	ctx := context.Background()
	ten, err := e.Svc.CreateTenant(ctx, billing.Tenant{Name: name, Currency: "EUR", TimeZone: "Europe/Madrid"})
	if err != nil {
		e.T.Fatalf("create tenant: %v", err)
	}
	sys := access.System(ten.ID, "test")
	mk := func(name string) string {
		legal, email, cur := name+" S.L.", "billing@example.com", "EUR"
		c, err := e.Svc.CreateCustomer(ctx, sys, service.CustomerInput{Name: &name, Billing: &service.BillingInput{
			LegalName: &legal, Email: &email, Currency: &cur,
			Address: &billing.Address{Line1: "Calle 1", City: "Madrid", Country: "ES"}}})
		if err != nil {
			e.T.Fatalf("create customer: %v", err)
		}
		return c.ID
	}
	out := Tenant{ID: ten.ID, Keys: map[access.Role]string{}, Customer: mk(name + " customer one"), Other: mk(name + " customer two")}
	for _, r := range access.Roles {
		in := service.NewAPIKey{Name: string(r), Role: string(r)}
		if r == access.Customer {
			in.CustomerID = out.Customer
		}
		k, err := e.Svc.CreateAPIKey(ctx, sys, in)
		if err != nil {
			e.T.Fatalf("create key: %v", err)
		}
		out.Keys[r] = k.Secret
	}
	return out
}

// Response is a decoded API response.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test on error.
func (r Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Map decodes the body as a JSON object.
func (r Response) Map(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	r.JSON(t, &m)
	return m
}

// Do calls the API with an API key (empty for none). body may be nil, a
// string or []byte (sent as is), or a value marshalled to JSON.
func (e *Env) Do(method, path, key string, body any, headers ...string) Response {
	e.T.Helper()
	return Do(e.T, http.DefaultClient, e.URL, method, path, key, body, headers...)
}

// Do performs one request with client against base.
func Do(t testing.TB, client *http.Client, base, method, path, key string, body any, headers ...string) Response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		t.Fatalf("request: %v", err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return Response{Status: res.StatusCode, Header: res.Header, Body: raw}
}

// CookieClient returns an HTTP client that keeps cookies (for sessions).
func CookieClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar}
}

// Snapshot counts the rows of every table, to assert a failed request wrote nothing.
func (e *Env) Snapshot() map[string]int {
	e.T.Helper()
	return TableCounts(e.T, e.DB)
}

// CountedTables are the business tables TableCounts counts: not sign-in
// attempts, sessions or idempotency records, which requests write by design.
var CountedTables = []string{"tenants", "customers", "users", "api_keys", "audit_log", "counters",
	"invoices", "invoice_lines", "journal_entries", "journal_lines", "notifications",
	"tax_codes", "tax_groups", "ledger_accounts", "posting_profiles", "number_series",
	"reason_codes", "invoice_workflow", "recurring_templates", "attachments",
	"products", "contracts", "contract_parts", "tickets", "time_entries", "sales_items", "billing_runs",
	"payment_methods", "payments", "payment_applications", "refunds", "dunning_steps",
	"wallet_settings", "wallets", "wallet_grants", "wallet_movements", "wallet_recharges", "subscriptions",
	"webhook_endpoints", "webhook_events", "webhook_deliveries", "webhook_attempts", "exchange_rates", "billing_run_skips",
	"invoice_charges"}

// TableCounts counts the rows of every business table (CountedTables).
func TableCounts(t testing.TB, db *store.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range CountedTables {
		var n int
		if err := db.SQL().QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		out[table] = n
	}
	return out
}
