package server_test

// Benchmarks of creating and issuing a 10-line invoice over HTTP, each
// beside the engine's raw single-row commit rate measured in the same run
// (newRawInserter, bench_test.go). They report invoices/s, the p50 and p99
// latency of one create + issue, and x_raw (invoices/s ÷ raw rows/s); they
// never assert speed. Figures and how to run them are in BENCHMARKS.md.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/internal/cpuclock"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
	"github.com/facturo/facturo/tax"
)

// invoiceBenchCustomers is how many customers the invoices rotate over.
const invoiceBenchCustomers = 50

// invoiceBenchSetup gives the benchmark tenant two tax codes and their
// groups, and customers with complete billing information in the sales tax
// group, so that their invoices can be issued.
func invoiceBenchSetup(tb testing.TB, env *benchEnv) []string {
	tb.Helper()
	ctx := context.Background()
	p := env.caller
	for _, c := range []tax.Code{
		{Code: "V21", Name: "IVA 21%", Rate: decimal.NewFromInt(21), Category: tax.Standard, Account: "2100"},
		{Code: "V10", Name: "IVA 10%", Rate: decimal.NewFromInt(10), Category: tax.Standard, Account: "2100"},
	} {
		if _, err := env.svc.UpsertTaxCode(ctx, p, c); err != nil {
			tb.Fatal(err)
		}
	}
	for _, g := range []tax.Group{
		{Kind: tax.SalesGroup, Code: "ES-DOMESTIC", Codes: []string{"V21", "V10"}},
		{Kind: tax.ItemGroup, Code: "FULL", Codes: []string{"V21"}},
		{Kind: tax.ItemGroup, Code: "REDUCED", Codes: []string{"V10"}},
	} {
		if _, err := env.svc.UpsertTaxGroup(ctx, p, g); err != nil {
			tb.Fatal(err)
		}
	}
	ids := make([]string, 0, invoiceBenchCustomers)
	for i := range invoiceBenchCustomers {
		name, legal := fmt.Sprintf("Acme Cloud %02d", i), fmt.Sprintf("Acme Cloud %02d S.L.", i)
		email, cur, group, terms := "billing@acme-cloud.example", "EUR", "ES-DOMESTIC", 30
		c, err := env.svc.CreateCustomer(ctx, p, service.CustomerInput{Name: &name, SalesTaxGroup: &group, PaymentTermsDays: &terms,
			Billing: &service.BillingInput{LegalName: &legal, Email: &email, Currency: &cur,
				Address: &billing.Address{Line1: "Calle de Alcalá 123", City: "Madrid", PostalCode: "28009", Country: "ES"}}})
		if err != nil {
			tb.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	return ids
}

// invoiceBenchLines are the lines of the benchmark's invoice: a month of
// cloud resale from one provider, 10 lines at two tax rates and four charge
// types.
var invoiceBenchLines = []struct{ product, desc, qty, price, group, charge string }{
	{"MS-365-E3", "Microsoft 365 E3 (monthly)", "25", "33.75", "FULL", "recurring"},
	{"MS-365-BP", "Microsoft 365 Business Premium", "12", "20.60", "FULL", "recurring"},
	{"AZ-VM-D2", "Azure VM D2s v5, hours", "1460.5", "0.0960", "FULL", "usage"},
	{"AZ-BLOB", "Azure Blob Storage, GB-month", "2048", "0.0184", "FULL", "usage"},
	{"AZ-EGRESS", "Azure bandwidth out, GB", "312.75", "0.0870", "FULL", "usage"},
	{"MS-TEAMS-PH", "Teams Phone Standard", "8", "7.50", "FULL", "recurring"},
	{"SUP-GOLD", "Gold support plan", "1", "450", "FULL", "recurring"},
	{"TRAIN-ONB", "Onboarding workshop", "1", "600", "REDUCED", "one_time"},
	{"CONS-HRS", "Migration consulting, hours", "6.5", "85", "REDUCED", "time"},
	{"MS-DEFENDER", "Defender for Endpoint P1", "25", "2.85", "FULL", "recurring"},
}

var (
	invoiceBenchCustomFields = map[string]string{"po_number": "PO-2026-0042", "contract": "BC-2025-0042"}
	invoiceBenchExternalRefs = map[string]string{"sap_id": "SAP-0010042"}
)

// invoiceBody is the create-invoice request for customerID.
func invoiceBody(tb testing.TB, customerID string) []byte {
	tb.Helper()
	lines := make([]map[string]any, 0, len(invoiceBenchLines))
	for _, l := range invoiceBenchLines {
		lines = append(lines, map[string]any{"description": l.desc, "product_id": l.product, "quantity": l.qty, "unit_price": l.price,
			"item_sales_tax_group": l.group, "charge_type": l.charge, "unit": "ea", "account": "4200"})
	}
	body, err := json.Marshal(map[string]any{"customer_id": customerID, "provider": "Microsoft",
		"period_start": "2026-10-01", "period_end": "2026-10-31", "custom_fields": invoiceBenchCustomFields,
		"external_refs": invoiceBenchExternalRefs, "lines": lines})
	if err != nil {
		tb.Fatal(err)
	}
	return body
}

// invoiceInput is the same request as a use-case input.
func invoiceInput(customerID string) service.InvoiceInput {
	lines := make([]service.LineInput, 0, len(invoiceBenchLines))
	for _, l := range invoiceBenchLines {
		lines = append(lines, service.LineInput{Description: l.desc, ProductID: l.product, Quantity: &l.qty, UnitPrice: &l.price,
			ItemSalesTaxGroup: l.group, ChargeType: l.charge, Unit: "ea", Account: "4200"})
	}
	provider := "Microsoft"
	start, end := calendar.New(2026, time.October, 1), calendar.New(2026, time.October, 31)
	fields, refs := maps.Clone(invoiceBenchCustomFields), maps.Clone(invoiceBenchExternalRefs)
	return service.InvoiceInput{CustomerID: &customerID, Provider: &provider, PeriodStart: &start, PeriodEnd: &end,
		CustomFields: &fields, ExternalRefs: &refs, Lines: &lines}
}

// postJSON posts body to path and returns the response body; any status
// but want is an error.
func postJSON(client *http.Client, url, key, path string, body []byte, want int) ([]byte, error) {
	req, err := http.NewRequest(http.MethodPost, url+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("POST %s: %w", path, err)
	}
	out, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("POST %s: read response: %w", path, err)
	}
	if res.StatusCode != want {
		return nil, fmt.Errorf("POST %s: %d %s", path, res.StatusCode, out)
	}
	return out, nil
}

var issueBody = []byte(`{"status":"open"}`)

// createAndIssue creates a draft from body and issues it.
func createAndIssue(env *benchEnv, body []byte) error {
	out, err := postJSON(env.client, env.url, env.key, "/api/v1/invoices", body, http.StatusCreated)
	if err != nil {
		return err
	}
	var created struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(out, &created); err != nil || created.ID == "" {
		return fmt.Errorf("create invoice: no id in %s", out)
	}
	out, err = postJSON(env.client, env.url, env.key, "/api/v1/invoices/"+created.ID+"/status", issueBody, http.StatusOK)
	if err != nil {
		return err
	}
	var issued struct {
		Invoice struct {
			Status string `json:"status"`
			Number string `json:"number"`
		} `json:"invoice"`
	}
	if err := json.Unmarshal(out, &issued); err != nil || issued.Invoice.Status != "open" || issued.Invoice.Number == "" {
		return fmt.Errorf("issue invoice: %s", out)
	}
	return nil
}

// rawInvoices is the reference "the same rows raw in one transaction": in
// one transaction per invoice, the engine copies, by INSERT … SELECT, the
// rows one created and issued invoice wrote (the invoice, its lines, its
// journal entry and its lines, its audit entries), with new keys and
// numbers and no Go between the statements. Indexes, foreign keys and
// SQLite's search-index trigger do the work they do for a real invoice.
type rawInvoices struct {
	pg    bool // PostgreSQL: its processes' CPU is measured too
	db    *sql.DB
	stmts []rawCopy
	seq   atomic.Int64
}

// rawCopy is one INSERT … SELECT: keyed suffix parameters, then where.
type rawCopy struct {
	query string
	keyed int
	where []any
}

// newRawInvoices prepares copies of the rows of invoiceID, an issued
// invoice of tenantID.
func newRawInvoices(tb testing.TB, db *store.DB, tenantID, invoiceID string) *rawInvoices {
	tb.Helper()
	var entryID string
	if err := db.SQL().QueryRow(bindFor(db, `SELECT entry_id FROM invoices WHERE tenant_id = ? AND id = ?`), tenantID, invoiceID).Scan(&entryID); err != nil || entryID == "" {
		tb.Fatalf("the reference's invoice %s: entry %q, %v", invoiceID, entryID, err)
	}
	r := &rawInvoices{db: db.SQL(), pg: db.Engine() == store.Postgres}
	for _, c := range []struct {
		table, match, value string
		keyed               []string
	}{
		{"invoices", "id", invoiceID, []string{"id", "number", "document_number", "entry_id"}},
		{"invoice_lines", "invoice_id", invoiceID, []string{"invoice_id"}},
		{"journal_entries", "id", entryID, []string{"id", "number", "source_id"}},
		{"journal_lines", "entry_id", entryID, []string{"entry_id"}},
		{"audit_log", "target_id", invoiceID, []string{"id", "target_id"}},
	} {
		rows, err := db.SQL().Query(`SELECT * FROM ` + c.table + ` WHERE 1 = 0`)
		if err != nil {
			tb.Fatal(err)
		}
		cols, err := rows.Columns()
		rows.Close()
		if err != nil {
			tb.Fatal(err)
		}
		exprs := make([]string, len(cols))
		keyed := 0
		for i, col := range cols {
			exprs[i] = col
			if slices.Contains(c.keyed, col) {
				exprs[i] = col + " || ?"
				keyed++
			}
		}
		q := `INSERT INTO ` + c.table + ` (` + strings.Join(cols, ", ") + `) SELECT ` + strings.Join(exprs, ", ") +
			` FROM ` + c.table + ` WHERE tenant_id = ? AND ` + c.match + ` = ?`
		r.stmts = append(r.stmts, rawCopy{query: bindFor(db, q), keyed: keyed, where: []any{tenantID, c.value}})
	}
	return r
}

// copyOne writes one copy in one transaction.
func (r *rawInvoices) copyOne(ctx context.Context) error {
	suffix := fmt.Sprintf("~%d", r.seq.Add(1))
	tx, err := r.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, st := range r.stmts {
		args := make([]any, 0, st.keyed+len(st.where))
		for range st.keyed {
			args = append(args, suffix)
		}
		if _, err := tx.ExecContext(ctx, st.query, append(args, st.where...)...); err != nil {
			return fmt.Errorf("raw invoice copy: %w", err)
		}
	}
	return tx.Commit()
}

// rate writes n copies with clients concurrent clients and returns how long
// it took.
func (r *rawInvoices) rate(tb testing.TB, n, clients int) time.Duration {
	tb.Helper()
	return concurrently(tb, n, clients, func() error { return r.copyOne(context.Background()) })
}

// refInvoices is the size of each half of the raw-invoice reference.
const refInvoices = 200

// around measures the raw invoice rate with clients clients before and
// after body (which ends by stopping the timer), and returns invoices/s, or
// 0 on b.RunParallel's one-iteration probe run. It reports the CPU one
// copy took: raw_tx_cpu_ms in this process (SQLite's own work), and
// raw_tx_db_cpu_ms in PostgreSQL's processes.
func (r *rawInvoices) around(b *testing.B, clients int, body func()) float64 {
	b.Helper()
	if b.N == 1 && clients > 1 {
		body()
		return 0
	}
	self0, db0 := cpuclock.Self(), r.dbCPU()
	before := r.rate(b, refInvoices, clients)
	self1, db1 := cpuclock.Self(), r.dbCPU()
	body()
	b.StopTimer()
	self2, db2 := cpuclock.Self(), r.dbCPU()
	after := r.rate(b, refInvoices, clients)
	self3, db3 := cpuclock.Self(), r.dbCPU()
	per := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) / float64(2*refInvoices) }
	b.ReportMetric(per(self1-self0+self3-self2), "raw_tx_cpu_ms")
	if r.pg {
		b.ReportMetric(per(db1-db0+db3-db2), "raw_tx_db_cpu_ms")
	}
	return float64(2*refInvoices) / (before + after).Seconds()
}

// dbCPU is PostgreSQL's CPU so far, or 0 on SQLite.
func (r *rawInvoices) dbCPU() time.Duration {
	if !r.pg {
		return 0
	}
	return cpuclock.Postgres()
}

// reportTx reports the raw-invoice reference beside the rate: raw_tx/s and
// x_raw_tx = invoices/s ÷ raw_tx/s.
func reportTx(b *testing.B, refTx float64) {
	if refTx <= 0 {
		return
	}
	b.ReportMetric(refTx, "raw_tx/s")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/refTx, "x_raw_tx")
}

// latencies collects the duration of each operation from any goroutine.
type latencies struct {
	mu   sync.Mutex
	durs []time.Duration
}

func (l *latencies) add(d []time.Duration) {
	l.mu.Lock()
	l.durs = append(l.durs, d...)
	l.mu.Unlock()
}

// report reports invoices/s over the timed loop, p50_ms and p99_ms, and the
// raw reference beside it.
func (l *latencies) report(b *testing.B, ref float64, clients int) {
	l.reportAs(b, "invoices/s", ref, clients)
}

// reportAs is report with the unit of the operation rate.
func (l *latencies) reportAs(b *testing.B, unit string, ref float64, clients int) {
	rate := float64(b.N) / b.Elapsed().Seconds()
	b.ReportMetric(rate, unit)
	b.ReportMetric(float64(clients), "clients")
	if ref > 0 {
		b.ReportMetric(ref, "raw_rows/s")
		b.ReportMetric(rate/ref, "x_raw")
	}
	if len(l.durs) == 0 {
		return
	}
	slices.Sort(l.durs)
	pct := func(p float64) float64 {
		i := max(int(math.Ceil(p*float64(len(l.durs))))-1, 0)
		return float64(l.durs[i]) / float64(time.Millisecond)
	}
	b.ReportMetric(pct(0.50), "p50_ms")
	b.ReportMetric(pct(0.99), "p99_ms")
}

// BenchmarkInvoiceCreateIssue measures creating a 10-line draft (POST
// /api/v1/invoices) and issuing it (POST /api/v1/invoices/{id}/status,
// "open": legal number, ledger posting) on each engine, over a real HTTP
// server with an administrator API key, and the same on the service
// without HTTP:
//
//   - service, http, http_parallel: two calls, two transactions;
//   - service_one_tx, http_one_request: one call with "issue": true, one
//     transaction (CreateIssuedInvoice);
//   - service_tenants_parallel: benchClients clients, each in a tenant of
//     its own, one call each, beside one client alone (x_1client).
//
// Each variant reports, besides invoices/s and the p50 and p99 latency of
// one create + issue, two references measured with the same number of
// clients just before and just after its timed loop: the engine's raw
// single-row insert rate (raw_rows/s, x_raw = invoices/s ÷ raw rows/s) and
// the same rows written raw in one transaction per invoice (rawInvoices:
// raw_tx/s, x_raw_tx), and the CPU spent per invoice: cpu_ms/op for this
// process (Facturo with SQLite inside it; the http variants include the
// benchmark's HTTP client) and db_cpu_ms/op for PostgreSQL's processes.
func BenchmarkInvoiceCreateIssue(b *testing.B) {
	for _, engine := range testdb.Engines {
		b.Run(string(engine), func(b *testing.B) {
			env := newBenchEnv(b, engine)
			raw := newRawInserter(b, env.db)
			customers := invoiceBenchSetup(b, env)
			bodies := make([][]byte, len(customers))
			issueBodies := make([][]byte, len(customers))
			inputs := make([]service.InvoiceInput, len(customers))
			for i, c := range customers {
				bodies[i], inputs[i] = invoiceBody(b, c), invoiceInput(c)
				issueBodies[i] = withIssue(b, bodies[i])
			}
			ctx := context.Background()
			warm, err := env.svc.CreateIssuedInvoice(ctx, env.caller, inputs[0], nil) // warm up, and the reference's rows
			if err != nil {
				b.Fatal(err)
			}
			rawTx := newRawInvoices(b, env.db, env.caller.TenantID, warm.Invoice.ID)
			pg := engine == store.Postgres
			// timed runs loop over b.Loop with one client, measuring both
			// references and the CPU around it.
			timed := func(b *testing.B, op func(i int) error) {
				var lat latencies
				var refTx float64
				ref := raw.reference(b, 1, func() {
					refTx = rawTx.around(b, 1, func() {
						durs := make([]time.Duration, 0, 1024)
						cpu := startCPU(pg)
						i := 0
						for b.Loop() {
							start := time.Now()
							if err := op(i); err != nil {
								b.Fatal(err)
							}
							i++
							durs = append(durs, time.Since(start))
						}
						b.StopTimer()
						cpu.report(b, b.N)
						lat.add(durs)
					})
				})
				lat.report(b, ref, 1)
				reportTx(b, refTx)
			}
			b.Run("service", func(b *testing.B) {
				timed(b, func(i int) error {
					inv, err := env.svc.CreateInvoice(ctx, env.caller, inputs[i%len(inputs)])
					if err != nil {
						return err
					}
					_, err = env.svc.UpdateInvoiceStatus(ctx, env.caller, inv.ID, service.StatusChange{Status: "open"})
					return err
				})
			})
			b.Run("service_one_tx", func(b *testing.B) {
				timed(b, func(i int) error {
					res, err := env.svc.CreateIssuedInvoice(ctx, env.caller, inputs[i%len(inputs)], nil)
					if err == nil && res.Invoice.Number == "" {
						err = fmt.Errorf("not issued: %+v", res.Invoice)
					}
					return err
				})
			})
			b.Run("http", func(b *testing.B) {
				timed(b, func(i int) error { return createAndIssue(env, bodies[i%len(bodies)]) })
			})
			b.Run("http_one_request", func(b *testing.B) {
				timed(b, func(i int) error { return createIssued(env, issueBodies[i%len(issueBodies)]) })
			})
			b.Run("service_tenants_parallel", func(b *testing.B) {
				// benchClients clients, each creating and issuing (one call)
				// in a tenant of its own, beside one client alone measured
				// just before: x_1client is the speed-up of the many.
				clients := setClients(b)
				type tenant struct {
					p      access.Principal
					inputs []service.InvoiceInput
				}
				tenants := make([]tenant, clients)
				for i := range tenants {
					te := env.withTenant(b, fmt.Sprintf("Bench %d", i))
					cs := invoiceBenchSetup(b, te)
					tenants[i].p = te.caller
					for _, c := range cs {
						tenants[i].inputs = append(tenants[i].inputs, invoiceInput(c))
					}
				}
				one := func(t tenant, i int) error {
					_, err := env.svc.CreateIssuedInvoice(ctx, t.p, t.inputs[i%len(t.inputs)], nil)
					return err
				}
				const alone = 100
				start := time.Now()
				for i := range alone {
					if err := one(tenants[0], i); err != nil {
						b.Fatal(err)
					}
				}
				single := float64(alone) / time.Since(start).Seconds()
				var next atomic.Int64
				cpu := startCPU(pg)
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					t := tenants[int(next.Add(1)-1)%len(tenants)]
					i := 0
					for pb.Next() {
						if err := one(t, i); err != nil {
							b.Error(err)
							return
						}
						i++
					}
				})
				b.StopTimer()
				cpu.report(b, b.N)
				rate := float64(b.N) / b.Elapsed().Seconds()
				b.ReportMetric(rate, "invoices/s")
				b.ReportMetric(float64(clients), "clients")
				b.ReportMetric(single, "one_client/s")
				b.ReportMetric(rate/single, "x_1client")
			})
			b.Run("http_parallel", func(b *testing.B) {
				clients := setClients(b)
				var lat latencies
				var next sync.Mutex
				var refTx float64
				i := 0
				ref := raw.reference(b, clients, func() {
					refTx = rawTx.around(b, clients, func() {
						cpu := startCPU(pg)
						b.ResetTimer()
						b.RunParallel(func(pb *testing.PB) {
							durs := make([]time.Duration, 0, 256)
							defer func() { lat.add(durs) }()
							for pb.Next() {
								next.Lock()
								body := bodies[i%len(bodies)]
								i++
								next.Unlock()
								start := time.Now()
								if err := createAndIssue(env, body); err != nil {
									b.Error(err)
									return
								}
								durs = append(durs, time.Since(start))
							}
						})
						b.StopTimer()
						cpu.report(b, b.N)
					})
				})
				lat.report(b, ref, clients)
				reportTx(b, refTx)
			})
		})
	}
}

// withIssue is a create-invoice body with "issue": true.
func withIssue(tb testing.TB, body []byte) []byte {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		tb.Fatal(err)
	}
	m["issue"] = true
	out, err := json.Marshal(m)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// createIssued creates and issues a document in one request.
func createIssued(env *benchEnv, body []byte) error {
	out, err := postJSON(env.client, env.url, env.key, "/api/v1/invoices", body, http.StatusCreated)
	if err != nil {
		return err
	}
	var inv struct {
		Status string `json:"status"`
		Number string `json:"number"`
	}
	if err := json.Unmarshal(out, &inv); err != nil || inv.Status != "open" || inv.Number == "" {
		return fmt.Errorf("create and issue: %s", out)
	}
	return nil
}
