package web_test

// BenchmarkPages measures the server time of every console and portal page
// with 1,000,000 invoices in the database (SQLite): each request goes
// through the whole server handler (session lookup, authentication,
// service, template) with an httptest recorder, so no network or browser
// time is counted. It reports p50 and p99 per page beside two references
// measured in the same run: GET /healthz through the same middleware (the
// floor of any request) and the service's ListInvoices alone (the data of
// the invoice table without HTML). It never asserts speed; figures and the
// command are in BENCHMARKS.md.
//
// The invoices are seeded once per process with one INSERT … SELECT over a
// recursive sequence, cloned from one issued 10-line invoice and spread
// over 200 customers, three years, six providers and every status.
// FACTURO_BENCH_WEB_INVOICES changes the count (for a quick run).

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/server"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

type pagesFixture struct {
	srv        *server.Server
	svc        *service.Service
	p          access.Principal
	staff      []*http.Cookie
	portal     []*http.Cookie
	invoiceID  string // the template invoice (10 lines, issued)
	customerID string
	portalInv  string
	invoices   int
	seedLog    string
	err        error
}

var (
	pagesOnce sync.Once
	pagesFx   *pagesFixture
)

func pagesFixtureFor(b *testing.B) *pagesFixture {
	b.Helper()
	pagesOnce.Do(func() {
		pagesFx = &pagesFixture{}
		pagesFx.err = pagesFx.seed(b)
	})
	if pagesFx.err != nil {
		b.Fatal(pagesFx.err)
	}
	return pagesFx
}

func (fx *pagesFixture) seed(b *testing.B) error {
	ctx := context.Background()
	fx.invoices = 1_000_000
	if s := os.Getenv("FACTURO_BENCH_WEB_INVOICES"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return fmt.Errorf("FACTURO_BENCH_WEB_INVOICES=%q: give a positive count", s)
		}
		fx.invoices = n
	}
	dir, err := os.MkdirTemp("", "facturo-bench-web-")
	if err != nil {
		return err
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	db, err := store.Open(ctx, filepath.Join(dir, "facturo.db"))
	if err != nil {
		return err
	}
	if err := db.Migrate(ctx, nil); err != nil {
		return err
	}
	fx.svc = service.New(db)
	fx.srv = server.New(fx.svc, db, server.Config{Log: slog.New(slog.DiscardHandler)})
	ten, err := fx.svc.CreateTenant(ctx, billing.Tenant{Name: "Bench", Currency: "EUR", TimeZone: "Europe/Madrid"})
	if err != nil {
		return err
	}
	sys := access.System(ten.ID, "bench")
	fx.p = sys
	start := time.Now()
	var customers []string
	for i := range 200 {
		name, legal, email, cur := fmt.Sprintf("Cliente %03d Cloud", i), fmt.Sprintf("Cliente %03d S.L.", i), "billing@example.com", "EUR"
		c, err := fx.svc.CreateCustomer(ctx, sys, service.CustomerInput{Name: &name, Billing: &service.BillingInput{LegalName: &legal, Email: &email,
			Currency: &cur, Address: &billing.Address{Line1: "Calle 1", City: "Madrid", Country: "ES"}}})
		if err != nil {
			return err
		}
		customers = append(customers, c.ID)
	}
	fx.customerID = customers[0]
	lines := make([]service.LineInput, 10)
	for i := range lines {
		q, pr := strconv.Itoa(i+1), "12.50"
		lines[i] = service.LineInput{Description: fmt.Sprintf("Service %d", i+1), Quantity: &q, UnitPrice: &pr}
	}
	provider := "Microsoft"
	inv, err := fx.svc.CreateInvoice(ctx, sys, service.InvoiceInput{CustomerID: &customers[0], Provider: &provider, Lines: &lines})
	if err != nil {
		return err
	}
	if _, err := fx.svc.UpdateInvoiceStatus(ctx, sys, inv.ID, service.StatusChange{Status: "open"}); err != nil {
		return err
	}
	fx.invoiceID, fx.portalInv = inv.ID, inv.ID
	for _, u := range []service.NewUser{
		{Email: "admin@bench.test", Name: "Admin", Role: "administrator", Password: testPassword},
		{Email: "customer@bench.test", Name: "Customer", Role: "customer", CustomerID: customers[0], Password: testPassword},
	} {
		if _, err := fx.svc.CreateUser(ctx, sys, u); err != nil {
			return err
		}
	}
	setup := time.Since(start)
	start = time.Now()
	w := db.SQL()
	if _, err := w.ExecContext(ctx, `PRAGMA cache_size = -1048576`); err != nil {
		return err
	}
	cols, err := invoiceColumns(ctx, db)
	if err != nil {
		return err
	}
	// Load as a bulk import would: set the invoices' secondary indexes and
	// triggers aside, load, then recreate them from their own definitions
	// (read back from the schema, so it ends exactly as migrated) and
	// rebuild the search index.
	var aside []string
	rows, err := w.QueryContext(ctx, `SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'invoices' AND type IN ('index', 'trigger') AND sql IS NOT NULL`)
	if err != nil {
		return err
	}
	var drops []string
	for rows.Next() {
		var typ, name, def string
		if err := rows.Scan(&typ, &name, &def); err != nil {
			rows.Close()
			return err
		}
		aside = append(aside, def)
		drops = append(drops, fmt.Sprintf("DROP %s %s", strings.ToUpper(typ), name))
	}
	rows.Close()
	for _, d := range drops {
		if _, err := w.ExecContext(ctx, d); err != nil {
			return err
		}
	}
	// Each clone n gets its own id, numbers, date, customer, provider,
	// status and total; every other column is the template's.
	over := map[string]string{
		"id":                 `'inv_bench' || printf('%08d', n)`,
		"document_number":    `'BD-' || printf('%08d', n)`,
		"number":             `CASE WHEN n % 20 = 0 THEN NULL ELSE 'B-' || printf('%08d', n) END`,
		"status":             `CASE WHEN n % 20 = 0 THEN 'draft' WHEN n % 11 = 0 THEN 'void' WHEN n % 3 = 0 THEN 'closed' WHEN n % 5 = 0 THEN 'past_due' ELSE 'open' END`,
		"customer_id":        `c.id`,
		"invoice_account_id": `c.id`,
		"customer_name":      `c.name`,
		"invoice_date":       `date('2024-01-01', '+' || (n % 1095) || ' days')`,
		"document_date":      `date('2024-01-01', '+' || (n % 1095) || ' days')`,
		"due_date":           `date('2024-01-31', '+' || (n % 1095) || ' days')`,
		"period_start":       `date('2024-01-01', '+' || (n % 36) || ' months')`,
		"period_end":         `date('2024-01-01', '+' || (n % 36 + 1) || ' months', '-1 day')`,
		"provider":           `CASE n % 6 WHEN 0 THEN 'Microsoft' WHEN 1 THEN 'AWS' WHEN 2 THEN 'Google Cloud' WHEN 3 THEN 'Oracle Cloud' WHEN 4 THEN 'IBM Cloud' ELSE 'Adobe' END`,
		"total":              `printf('%d.%02d', 100 + n % 9000, n % 100)`,
		"search":             `lower(c.name) || ' b-' || printf('%08d', n) || ' bd-' || printf('%08d', n)`,
	}
	var sel []string
	for _, c := range cols {
		if v, ok := over[c]; ok {
			sel = append(sel, v)
		} else {
			sel = append(sel, "t."+c)
		}
	}
	q := fmt.Sprintf(`WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?),
		cs AS (SELECT id, name, row_number() OVER (ORDER BY id) - 1 AS k FROM customers WHERE tenant_id = ?)
		INSERT INTO invoices (%s) SELECT %s FROM seq JOIN cs c ON c.k = seq.n %% 200, invoices t WHERE t.tenant_id = ? AND t.id = ?`,
		strings.Join(cols, ", "), strings.Join(sel, ", "))
	if _, err := w.ExecContext(ctx, q, fx.invoices, ten.ID, ten.ID, inv.ID); err != nil {
		return fmt.Errorf("seed invoices: %w", err)
	}
	for _, def := range aside {
		if _, err := w.ExecContext(ctx, def); err != nil {
			return fmt.Errorf("recreate %q: %w", def, err)
		}
	}
	if _, err := w.ExecContext(ctx, `INSERT INTO invoices_search (invoices_search) VALUES ('rebuild')`); err != nil {
		return err
	}
	if _, err := w.ExecContext(ctx, `PRAGMA cache_size = -2000`); err != nil {
		return err
	}
	if _, err := w.ExecContext(ctx, `ANALYZE`); err != nil {
		return err
	}
	if _, err := w.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return err
	}
	fx.seedLog = fmt.Sprintf("seeded %d invoices in %s (setup %s)", fx.invoices, time.Since(start).Round(time.Millisecond), setup.Round(time.Millisecond))
	if fx.staff, err = fx.login("admin@bench.test"); err != nil {
		return err
	}
	fx.portal, err = fx.login("customer@bench.test")
	return err
}

func invoiceColumns(ctx context.Context, db *store.DB) ([]string, error) {
	rows, err := db.SQL().QueryContext(ctx, `SELECT name FROM pragma_table_info('invoices') ORDER BY cid`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

func (fx *pagesFixture) login(email string) ([]*http.Cookie, error) {
	form := url.Values{"email": {email}, "password": {testPassword}}
	r := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	fx.srv.ServeHTTP(w, r)
	if w.Code != http.StatusSeeOther {
		return nil, fmt.Errorf("login %s: %d %s", email, w.Code, w.Body.String())
	}
	return w.Result().Cookies(), nil
}

func (fx *pagesFixture) get(path string, cookies []*http.Cookie) (int, int) {
	r := httptest.NewRequest(http.MethodGet, path, nil)
	for _, c := range cookies {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	fx.srv.ServeHTTP(w, r)
	return w.Code, w.Body.Len()
}

func BenchmarkPages(b *testing.B) {
	fx := pagesFixtureFor(b)
	b.Log(fx.seedLog)
	ctx := context.Background()
	pages := []struct {
		name, path string
		portal     bool
	}{
		{"ref_healthz", "/healthz", false},
		{"console_invoices", "/console/invoices", false},
		{"console_invoices_last_quarter", "/console/invoices?preset=last_quarter", false},
		{"console_invoices_search", "/console/invoices?q=cliente+042", false},
		{"console_invoices_sort_amount", "/console/invoices?sort=amount&desc=1", false},
		{"console_invoices_status_past_due", "/console/invoices?status=past_due&sort=customer", false},
		{"console_invoice", "/console/invoices/" + fx.invoiceID, false},
		{"console_invoice_edit_new", "/console/invoices/new", false},
		{"console_sales_items", "/console/sales-items", false},
		{"console_customers", "/console/customers", false},
		{"console_customer", "/console/customers/" + fx.customerID, false},
		{"console_billing_runs", "/console/billing-runs", false},
		{"console_ledger", "/console/ledger", false},
		{"console_settings", "/console/settings", false},
		{"portal_invoices", "/portal/invoices", true},
		{"portal_invoice", "/portal/invoices/" + fx.portalInv, true},
		{"portal_account", "/portal/account", true},
	}
	b.Run("ref_service_list_invoices", func(b *testing.B) {
		var durs []time.Duration
		for b.Loop() {
			start := time.Now()
			if _, err := fx.svc.ListInvoices(ctx, fx.p, service.InvoiceFilter{}); err != nil {
				b.Fatal(err)
			}
			durs = append(durs, time.Since(start))
		}
		reportPercentiles(b, durs)
	})
	for _, pg := range pages {
		b.Run(pg.name, func(b *testing.B) {
			cookies := fx.staff
			if pg.portal {
				cookies = fx.portal
			}
			if code, _ := fx.get(pg.path, cookies); code != http.StatusOK {
				b.Fatalf("GET %s: %d", pg.path, code)
			}
			var durs []time.Duration
			bytes := 0
			for b.Loop() {
				start := time.Now()
				code, n := fx.get(pg.path, cookies)
				durs = append(durs, time.Since(start))
				if code != http.StatusOK {
					b.Fatalf("GET %s: %d", pg.path, code)
				}
				bytes = n
			}
			reportPercentiles(b, durs)
			b.ReportMetric(float64(bytes), "bytes/page")
		})
	}
}

func reportPercentiles(b *testing.B, durs []time.Duration) {
	slices.Sort(durs)
	pct := func(p float64) float64 {
		i := int(p * float64(len(durs)-1))
		return float64(durs[i].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.5), "p50_ms")
	b.ReportMetric(pct(0.99), "p99_ms")
	b.ReportMetric(0, "ns/op")
}
