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
// FACTURO_BENCH_WEB_ENGINE=postgres runs it on PostgreSQL instead, in a
// fresh schema of FACTURO_TEST_POSTGRES_URL's server (internal/testdb),
// seeded with generate_series in the same distribution.

import (
	"context"
	"database/sql"
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
	"github.com/facturo/facturo/internal/testdb"
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
	steps      []string // how long each step of the PostgreSQL load took
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
	engine := store.SQLite
	switch e := os.Getenv("FACTURO_BENCH_WEB_ENGINE"); e {
	case "", string(store.SQLite):
	case string(store.Postgres):
		engine = store.Postgres
	default:
		return fmt.Errorf("FACTURO_BENCH_WEB_ENGINE=%q: give sqlite or postgres", e)
	}
	var db *store.DB
	reuse := false
	if engine == store.Postgres {
		if os.Getenv("FACTURO_BENCH_WEB_DB") != "" {
			return fmt.Errorf("FACTURO_BENCH_WEB_DB reuses a SQLite file only: unset it with FACTURO_BENCH_WEB_ENGINE=postgres")
		}
		// A fresh schema in FACTURO_TEST_POSTGRES_URL's server, dropped
		// when the benchmark ends.
		db = testdb.Open(b, store.Postgres)
	} else {
		// FACTURO_BENCH_WEB_DB keeps the seeded database at a path and reuses
		// it when it exists (seeding 1,000,000 invoices takes minutes).
		path := os.Getenv("FACTURO_BENCH_WEB_DB")
		if path == "" {
			dir, err := os.MkdirTemp("", "facturo-bench-web-")
			if err != nil {
				return err
			}
			b.Cleanup(func() { os.RemoveAll(dir) })
			path = filepath.Join(dir, "facturo.db")
		} else if _, err := os.Stat(path); err == nil {
			reuse = true
		}
		var err error
		if db, err = store.Open(ctx, path); err != nil {
			return err
		}
		if err := db.Migrate(ctx, nil); err != nil {
			return err
		}
	}
	fx.svc = service.New(db)
	fx.srv = server.New(fx.svc, db, server.Config{Log: slog.New(slog.DiscardHandler)})
	if reuse {
		return fx.reuse(ctx, db)
	}
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
	load := fx.loadSQLite
	if engine == store.Postgres {
		load = fx.loadPostgres
	}
	rebuilt, err := load(ctx, db, ten.ID, inv.ID)
	if err != nil {
		return err
	}
	steps := ""
	if len(fx.steps) > 0 {
		steps = "; " + strings.Join(fx.steps, ", ")
	}
	fx.seedLog = fmt.Sprintf("%s: seeded %d invoices and their journal in %s (setup %s, summaries rebuilt in %s%s)", engine, fx.invoices,
		time.Since(start).Round(time.Millisecond), setup.Round(time.Millisecond), rebuilt.Round(time.Millisecond), steps)
	if fx.staff, err = fx.login("admin@bench.test"); err != nil {
		return err
	}
	fx.portal, err = fx.login("customer@bench.test")
	return err
}

// loadSQLite clones the template invoice invID of tenant tenantID
// fx.invoices times, with their journal, and rebuilds what the load set
// aside. It returns the time the ledger summaries took to rebuild.
func (fx *pagesFixture) loadSQLite(ctx context.Context, db *store.DB, tenantID, invID string) (time.Duration, error) {
	w := db.SQL()
	if _, err := w.ExecContext(ctx, `PRAGMA cache_size = -1048576`); err != nil {
		return 0, err
	}
	cols, err := invoiceColumns(ctx, db)
	if err != nil {
		return 0, err
	}
	// Load as a bulk import would: set the invoices' secondary indexes and
	// triggers aside, load, then recreate them from their own definitions
	// (read back from the schema, so it ends exactly as migrated) and
	// rebuild the search index.
	var aside []string
	rows, err := w.QueryContext(ctx, `SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'invoices' AND type IN ('index', 'trigger') AND sql IS NOT NULL`)
	if err != nil {
		return 0, err
	}
	var drops []string
	for rows.Next() {
		var typ, name, def string
		if err := rows.Scan(&typ, &name, &def); err != nil {
			rows.Close()
			return 0, err
		}
		aside = append(aside, def)
		drops = append(drops, fmt.Sprintf("DROP %s %s", strings.ToUpper(typ), name))
	}
	rows.Close()
	for _, d := range drops {
		if _, err := w.ExecContext(ctx, d); err != nil {
			return 0, err
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
	if _, err := w.ExecContext(ctx, q, fx.invoices, tenantID, tenantID, invID); err != nil {
		return 0, fmt.Errorf("seed invoices: %w", err)
	}
	// Every issued clone gets its journal entry, cloned from the template's
	// (same accounts and amounts, the clone's date, customer and invoice),
	// so that the ledger page has a journal of the same size to report on.
	var entryID string
	if err := w.QueryRowContext(ctx, `SELECT id FROM journal_entries WHERE tenant_id = ? AND source_id = ?`, tenantID, invID).Scan(&entryID); err != nil {
		return 0, fmt.Errorf("template entry: %w", err)
	}
	if _, err := w.ExecContext(ctx, `INSERT INTO journal_entries (tenant_id, id, number, date, description, source_type, source_id, reverses_id, created_at)
		SELECT e.tenant_id, 'je_bench' || substr(i.id, 10), 'JE-B' || substr(i.id, 10), i.invoice_date, 'Invoice ' || i.number, e.source_type, i.id, '', e.created_at
		FROM invoices i, journal_entries e WHERE i.tenant_id = ? AND i.id LIKE 'inv_bench%' AND i.status != 'draft' AND e.tenant_id = i.tenant_id AND e.id = ?`,
		tenantID, entryID); err != nil {
		return 0, fmt.Errorf("seed journal entries: %w", err)
	}
	if _, err := w.ExecContext(ctx, `INSERT INTO journal_lines (tenant_id, entry_id, line_no, date, account, debit, credit, customer_id, invoice_id, currency, amount)
		SELECT l.tenant_id, 'je_bench' || substr(i.id, 10), l.line_no, i.invoice_date, l.account, l.debit, l.credit,
			CASE WHEN l.customer_id = '' THEN '' ELSE i.customer_id END, CASE WHEN l.invoice_id = '' THEN '' ELSE i.id END, l.currency, l.amount
		FROM invoices i, journal_lines l WHERE i.tenant_id = ? AND i.id LIKE 'inv_bench%' AND i.status != 'draft' AND l.tenant_id = i.tenant_id AND l.entry_id = ?`,
		tenantID, entryID); err != nil {
		return 0, fmt.Errorf("seed journal lines: %w", err)
	}
	for _, def := range aside {
		if _, err := w.ExecContext(ctx, def); err != nil {
			return 0, fmt.Errorf("recreate %q: %w", def, err)
		}
	}
	// The summaries' triggers were aside too: sum them as a bulk import would.
	rebuild := time.Now()
	if err := db.RebuildSummaries(ctx); err != nil {
		return 0, err
	}
	rebuilt := time.Since(rebuild)
	if _, err := w.ExecContext(ctx, `INSERT INTO invoices_search (invoices_search) VALUES ('rebuild')`); err != nil {
		return 0, err
	}
	if _, err := w.ExecContext(ctx, `PRAGMA cache_size = -2000`); err != nil {
		return 0, err
	}
	// The planner's statistics as serve keeps them (store.DB.Optimize).
	if err := db.Optimize(ctx); err != nil {
		return 0, err
	}
	if _, err := w.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return 0, err
	}
	return rebuilt, nil
}

// loadPostgres is loadSQLite on PostgreSQL: the same clones with the same
// distribution, through generate_series. The invoices' secondary indexes
// (not the primary key nor the unique ones) are dropped and recreated from
// their own definitions in pg_indexes, and their user triggers (the
// receivable summaries') disabled during the load; the foreign keys stay
// checked. Then the summaries are rebuilt and every table of the schema
// vacuumed and analyzed, as autovacuum does after a bulk insert (doing it
// here keeps it from running during the measurements).
func (fx *pagesFixture) loadPostgres(ctx context.Context, db *store.DB, tenantID, invID string) (time.Duration, error) {
	step := time.Now()
	took := func(what string) {
		fx.steps = append(fx.steps, fmt.Sprintf("%s %s", what, time.Since(step).Round(time.Millisecond)))
		step = time.Now()
	}
	// One connection, so that the session settings hold for every statement.
	w, err := db.SQL().Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer w.Close()
	if _, err := w.ExecContext(ctx, `SET maintenance_work_mem = '512MB'`); err != nil {
		return 0, err
	}
	var aside, drops []string
	rows, err := w.QueryContext(ctx, `SELECT i.indexname, i.indexdef FROM pg_indexes i
		JOIN pg_index x ON x.indexrelid = format('%I.%I', i.schemaname, i.indexname)::regclass
		WHERE i.schemaname = current_schema() AND i.tablename = 'invoices'
			AND NOT x.indisprimary AND NOT x.indisunique AND NOT x.indisexclusion
			AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
		ORDER BY i.indexname`)
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			rows.Close()
			return 0, err
		}
		aside = append(aside, def)
		drops = append(drops, `DROP INDEX `+pgIdent(name))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, d := range append(drops, `ALTER TABLE invoices DISABLE TRIGGER USER`) {
		if _, err := w.ExecContext(ctx, d); err != nil {
			return 0, fmt.Errorf("%s: %w", d, err)
		}
	}
	cols, err := queryStrings(ctx, w, `SELECT column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = 'invoices' ORDER BY ordinal_position`)
	if err != nil {
		return 0, err
	}
	// The same overrides as loadSQLite's, in PostgreSQL's words.
	pad := `lpad(n::text, 8, '0')`
	day := `(n % 1095)`
	over := map[string]string{
		"id":                 `'inv_bench' || ` + pad,
		"document_number":    `'BD-' || ` + pad,
		"number":             `CASE WHEN n % 20 = 0 THEN NULL ELSE 'B-' || ` + pad + ` END`,
		"status":             `CASE WHEN n % 20 = 0 THEN 'draft' WHEN n % 11 = 0 THEN 'void' WHEN n % 3 = 0 THEN 'closed' WHEN n % 5 = 0 THEN 'past_due' ELSE 'open' END`,
		"customer_id":        `c.id`,
		"invoice_account_id": `c.id`,
		"customer_name":      `c.name`,
		"invoice_date":       `DATE '2024-01-01' + ` + day,
		"document_date":      `DATE '2024-01-01' + ` + day,
		"due_date":           `DATE '2024-01-31' + ` + day,
		"period_start":       `(DATE '2024-01-01' + (n % 36) * INTERVAL '1 month')::date`,
		"period_end":         `(DATE '2024-01-01' + (n % 36 + 1) * INTERVAL '1 month' - INTERVAL '1 day')::date`,
		"provider":           `CASE n % 6 WHEN 0 THEN 'Microsoft' WHEN 1 THEN 'AWS' WHEN 2 THEN 'Google Cloud' WHEN 3 THEN 'Oracle Cloud' WHEN 4 THEN 'IBM Cloud' ELSE 'Adobe' END`,
		"total":              `(100 + n % 9000) + (n % 100) / 100.0`,
		"search":             `lower(c.name) || ' b-' || ` + pad + ` || ' bd-' || ` + pad,
	}
	var sel []string
	for _, c := range cols {
		if v, ok := over[c]; ok {
			sel = append(sel, v)
		} else {
			sel = append(sel, "t."+c)
		}
	}
	q := fmt.Sprintf(`WITH cs AS (SELECT id, name, row_number() OVER (ORDER BY id) - 1 AS k FROM customers WHERE tenant_id = $2)
		INSERT INTO invoices (%s) SELECT %s FROM generate_series(1, $1::int) AS n JOIN cs c ON c.k = n %% 200, invoices t WHERE t.tenant_id = $2 AND t.id = $3`,
		strings.Join(cols, ", "), strings.Join(sel, ", "))
	if _, err := w.ExecContext(ctx, q, fx.invoices, tenantID, invID); err != nil {
		return 0, fmt.Errorf("seed invoices: %w", err)
	}
	took("invoices")
	// Statistics for the journal's joins below (the invoices' are empty).
	if _, err := w.ExecContext(ctx, `ANALYZE invoices`); err != nil {
		return 0, err
	}
	var entryID string
	if err := w.QueryRowContext(ctx, `SELECT id FROM journal_entries WHERE tenant_id = $1 AND source_id = $2`, tenantID, invID).Scan(&entryID); err != nil {
		return 0, fmt.Errorf("template entry: %w", err)
	}
	if _, err := w.ExecContext(ctx, `INSERT INTO journal_entries (tenant_id, id, number, date, description, source_type, source_id, reverses_id, created_at)
		SELECT e.tenant_id, 'je_bench' || substr(i.id, 10), 'JE-B' || substr(i.id, 10), i.invoice_date, 'Invoice ' || i.number, e.source_type, i.id, '', e.created_at
		FROM invoices i, journal_entries e WHERE i.tenant_id = $1 AND i.id LIKE 'inv_bench%' AND i.status <> 'draft' AND e.tenant_id = i.tenant_id AND e.id = $2`,
		tenantID, entryID); err != nil {
		return 0, fmt.Errorf("seed journal entries: %w", err)
	}
	took("journal entries")
	// The template's lines are read once (MATERIALIZED): read through an
	// index inside the join, each clone would walk the lines inserted so
	// far.
	if _, err := w.ExecContext(ctx, `WITH l AS MATERIALIZED (SELECT * FROM journal_lines WHERE tenant_id = $1 AND entry_id = $2)
		INSERT INTO journal_lines (tenant_id, entry_id, line_no, date, account, debit, credit, customer_id, invoice_id, currency, amount)
		SELECT l.tenant_id, 'je_bench' || substr(i.id, 10), l.line_no, i.invoice_date, l.account, l.debit, l.credit,
			CASE WHEN l.customer_id = '' THEN '' ELSE i.customer_id END, CASE WHEN l.invoice_id = '' THEN '' ELSE i.id END, l.currency, l.amount
		FROM invoices i, l WHERE i.tenant_id = $1 AND i.id LIKE 'inv_bench%' AND i.status <> 'draft'`,
		tenantID, entryID); err != nil {
		return 0, fmt.Errorf("seed journal lines: %w", err)
	}
	took("journal lines")
	for _, def := range append(aside, `ALTER TABLE invoices ENABLE TRIGGER USER`) {
		if _, err := w.ExecContext(ctx, def); err != nil {
			return 0, fmt.Errorf("recreate %q: %w", def, err)
		}
	}
	took("indexes recreated")
	rebuild := time.Now()
	if err := db.RebuildSummaries(ctx); err != nil {
		return 0, err
	}
	rebuilt := time.Since(rebuild)
	tables, err := queryStrings(ctx, w, `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename`)
	if err != nil {
		return 0, err
	}
	for i, t := range tables {
		tables[i] = pgIdent(t)
	}
	if _, err := w.ExecContext(ctx, `VACUUM (ANALYZE) `+strings.Join(tables, ", ")); err != nil {
		return 0, fmt.Errorf("vacuum analyze: %w", err)
	}
	took("vacuum analyze")
	return rebuilt, nil
}

// pgIdent quotes a PostgreSQL identifier.
func pgIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// reuse takes the fixture's ids from a database seeded by an earlier run.
func (fx *pagesFixture) reuse(ctx context.Context, db *store.DB) error {
	var tenantID string
	err := db.SQL().QueryRowContext(ctx, `SELECT tenant_id, id, customer_id FROM invoices WHERE id NOT LIKE 'inv_bench%' ORDER BY id LIMIT 1`).
		Scan(&tenantID, &fx.invoiceID, &fx.customerID)
	if err != nil {
		return fmt.Errorf("reuse %s: %w", "the seeded database", err)
	}
	fx.portalInv, fx.p = fx.invoiceID, access.System(tenantID, "bench")
	if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM invoices`).Scan(&fx.invoices); err != nil {
		return err
	}
	fx.seedLog = fmt.Sprintf("reused a database of %d invoices", fx.invoices)
	if fx.staff, err = fx.login("admin@bench.test"); err != nil {
		return err
	}
	fx.portal, err = fx.login("customer@bench.test")
	return err
}

func invoiceColumns(ctx context.Context, db *store.DB) ([]string, error) {
	return queryStrings(ctx, db.SQL(), `SELECT name FROM pragma_table_info('invoices') ORDER BY cid`)
}

// queryStrings reads the one text column of a query's rows.
func queryStrings(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, query string) ([]string, error) {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
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
		{"console_sales_items_by_customer", "/console/sales-items?sort=customer", false},
		{"console_sales_item_new", "/console/sales-items/new", false},
		{"console_invoices_sort_status", "/console/invoices?sort=status", false},
		{"console_customer_new", "/console/customers/new", false},
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
