package server_test

// Benchmarks of creating and issuing a 10-line invoice over HTTP, each
// beside the engine's raw single-row commit rate measured in the same run
// (newRawInserter, bench_test.go). They report invoices/s, the p50 and p99
// latency of one create + issue, and x_raw (invoices/s ÷ raw rows/s); they
// never assert speed. Figures and how to run them are in BENCHMARKS.md.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/service"
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
// "open": legal number, ledger posting) on each engine, with one client
// and with benchClients clients, over a real HTTP server with an
// administrator API key. One operation is both requests: two transactions.
// The service variant makes the same two calls on the service, without
// HTTP. As in BenchmarkCustomerCreate, each variant measures the engine's
// raw single-row insert rate with the same number of clients, refRows rows
// just before its timed loop and refRows just after (raw_rows/s), and
// reports x_raw = invoices/s ÷ raw rows/s, beside the p50 and p99 latency of
// one create + issue.
func BenchmarkInvoiceCreateIssue(b *testing.B) {
	for _, engine := range testdb.Engines {
		b.Run(string(engine), func(b *testing.B) {
			env := newBenchEnv(b, engine)
			raw := newRawInserter(b, env.db)
			customers := invoiceBenchSetup(b, env)
			bodies := make([][]byte, len(customers))
			inputs := make([]service.InvoiceInput, len(customers))
			for i, c := range customers {
				bodies[i], inputs[i] = invoiceBody(b, c), invoiceInput(c)
			}
			if err := createAndIssue(env, bodies[0]); err != nil { // warm up
				b.Fatal(err)
			}
			b.Run("service", func(b *testing.B) {
				ctx := context.Background()
				var lat latencies
				ref := raw.reference(b, 1, func() {
					durs := make([]time.Duration, 0, 1024)
					i := 0
					for b.Loop() {
						start := time.Now()
						inv, err := env.svc.CreateInvoice(ctx, env.caller, inputs[i%len(inputs)])
						i++
						if err != nil {
							b.Fatal(err)
						}
						if _, err := env.svc.UpdateInvoiceStatus(ctx, env.caller, inv.ID, service.StatusChange{Status: "open"}); err != nil {
							b.Fatal(err)
						}
						durs = append(durs, time.Since(start))
					}
					lat.add(durs)
				})
				lat.report(b, ref, 1)
			})
			b.Run("http", func(b *testing.B) {
				var lat latencies
				ref := raw.reference(b, 1, func() {
					durs := make([]time.Duration, 0, 1024)
					i := 0
					for b.Loop() {
						start := time.Now()
						if err := createAndIssue(env, bodies[i%len(bodies)]); err != nil {
							b.Fatal(err)
						}
						i++
						durs = append(durs, time.Since(start))
					}
					lat.add(durs)
				})
				lat.report(b, ref, 1)
			})
			b.Run("http_parallel", func(b *testing.B) {
				clients := setClients(b)
				var lat latencies
				var next sync.Mutex
				i := 0
				ref := raw.reference(b, clients, func() {
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
				})
				lat.report(b, ref, clients)
			})
		})
	}
}
