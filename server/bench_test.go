package server_test

// Benchmarks of customer creation over HTTP, each beside the engine's raw
// single-row insert rate measured in the same run, because machines are
// noisy. They report figures (rows/s, and x_raw: HTTP creates per raw
// insert); they never assert speed. Figures and how to run them are in
// BENCHMARKS.md at the repository root.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/api"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/server"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

const (
	// benchClients is the number of concurrent clients of the parallel
	// variants, as in DESIGN.md's 8-connection PostgreSQL reference.
	benchClients = 8
	// refRows is the size of each half of the raw-insert reference that the
	// service and http variants measure around their timed loop.
	refRows = 1000
)

var (
	benchContacts = []map[string]string{
		{"name": "Ana Pérez", "email": "ana.perez@acme-cloud.example", "phone": "+34 600 123 456", "role": "billing"},
		{"name": "Luis Gómez", "email": "luis.gomez@acme-cloud.example", "role": "technical"},
	}
	benchCustomFields = map[string]string{"segment": "msp", "account_tier": "gold", "crm_id": "0015g00000XyZ12"}
)

// customerBody is a realistic create-customer request: billing information
// with an address, two contacts, external ids and custom fields.
func customerBody(tb testing.TB) []byte {
	tb.Helper()
	body, err := json.Marshal(map[string]any{
		"name":     "Acme Cloud Services",
		"contacts": benchContacts,
		"billing": map[string]any{
			"legal_name": "Acme Cloud Services S.L.",
			"address": map[string]string{"line1": "Calle de Alcalá 123", "line2": "Planta 4", "city": "Madrid",
				"region": "Madrid", "postal_code": "28009", "country": "ES"},
			"tax_id": "ESB12345678", "email": "billing@acme-cloud.example", "language": "es", "currency": "EUR",
		},
		"payment_terms_days":      45,
		"credit_limit":            "5000.00",
		"sales_tax_group":         "ES-DOMESTIC",
		"sap_id":                  "SAP-0010042",
		"billing_contract_number": "BC-2025-0042",
		"sales_account_executive": "Marta Ruiz",
		"custom_fields":           benchCustomFields,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return body
}

// rawInserter inserts rows of a customer's width into a scratch table of the
// benchmark's database, one autocommitted INSERT per row, through the pool
// Facturo writes with (SQLite: its one writer connection).
type rawInserter struct {
	pool  *sql.DB
	query string
	seq   atomic.Int64
	cols  []any // every column but the key
}

func newRawInserter(tb testing.TB, db *store.DB) *rawInserter {
	tb.Helper()
	ts := "text"
	query := `INSERT INTO bench_raw_insert (tenant_id, id, number, name, contacts, legal_name, tax_id, billing_email,
		language, currency, line1, line2, city, region, postal_code, country, payment_terms_days, credit_limit,
		sales_tax_group, sap_id, billing_contract_number, sales_account_executive, custom_fields, created_at, updated_at)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`
	query = bindFor(db, query)
	if db.Engine() == store.Postgres {
		ts = "timestamptz"
	}
	_, err := db.SQL().Exec(`CREATE TABLE bench_raw_insert (
		tenant_id text NOT NULL, id text NOT NULL, number text NOT NULL, name text NOT NULL, contacts text NOT NULL,
		legal_name text NOT NULL, tax_id text NOT NULL, billing_email text NOT NULL, language text NOT NULL,
		currency text NOT NULL, line1 text NOT NULL, line2 text NOT NULL, city text NOT NULL, region text NOT NULL,
		postal_code text NOT NULL, country text NOT NULL, payment_terms_days integer NOT NULL, credit_limit text NOT NULL,
		sales_tax_group text NOT NULL, sap_id text NOT NULL, billing_contract_number text NOT NULL,
		sales_account_executive text NOT NULL, custom_fields text NOT NULL, created_at ` + ts + ` NOT NULL,
		updated_at ` + ts + ` NOT NULL, PRIMARY KEY (tenant_id, id))`)
	if err != nil {
		tb.Fatalf("create scratch table: %v", err)
	}
	contacts, _ := json.Marshal(benchContacts)
	fields, _ := json.Marshal(benchCustomFields)
	var now any = time.Now().UTC()
	if db.Engine() == store.SQLite {
		now = time.Now().UTC().Format(time.RFC3339Nano)
	}
	return &rawInserter{pool: db.SQL(), query: query, cols: []any{
		"Acme Cloud Services", string(contacts), "Acme Cloud Services S.L.", "ESB12345678", "billing@acme-cloud.example",
		"es", "EUR", "Calle de Alcalá 123", "Planta 4", "Madrid", "Madrid", "28009", "ES", 45, "5000", "ES-DOMESTIC",
		"SAP-0010042", "BC-2025-0042", "Marta Ruiz", string(fields), now, now,
	}}
}

// insert adds one row in its own autocommitted statement.
func (r *rawInserter) insert() error {
	n := r.seq.Add(1)
	// Time-ordered keys, like Facturo's ids, so rows land at the end of the index.
	id := fmt.Sprintf("cus_%026d", n)
	args := make([]any, 0, 25)
	args = append(args, "ten_bench", id, fmt.Sprintf("C-%06d", n))
	args = append(args, r.cols...)
	if _, err := r.pool.ExecContext(context.Background(), r.query, args...); err != nil {
		return fmt.Errorf("raw insert: %w", err)
	}
	return nil
}

// rate inserts rows rows with clients concurrent clients and returns how
// long it took.
func (r *rawInserter) rate(tb testing.TB, rows, clients int) time.Duration {
	tb.Helper()
	return concurrently(tb, rows, clients, r.insert)
}

// concurrently runs op n times over clients goroutines and returns how long
// it took, failing tb on the first error.
func concurrently(tb testing.TB, n, clients int, op func() error) time.Duration {
	tb.Helper()
	var next atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for range clients {
		wg.Go(func() {
			for next.Add(1) <= int64(n) {
				if err := op(); err != nil {
					failed.CompareAndSwap(nil, err)
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err := failed.Load(); err != nil {
		tb.Fatal(err)
	}
	return elapsed
}

// reference measures the raw insert rate with clients clients around a
// timed benchmark body: refRows rows before it and refRows after, so that a
// burst of noise on the machine weighs on both sides of the ratio. It
// returns rows/s over both halves, or 0 on the one-iteration probe run that
// b.RunParallel starts with (its figures are discarded).
func (r *rawInserter) reference(b *testing.B, clients int, body func()) float64 {
	b.Helper()
	if b.N == 1 && clients > 1 {
		body()
		return 0
	}
	before := r.rate(b, refRows, clients)
	body()
	b.StopTimer()
	after := r.rate(b, refRows, clients)
	return float64(2*refRows) / (before + after).Seconds()
}

// setClients makes b.RunParallel use (at least) benchClients goroutines and
// returns how many it will use.
func setClients(b *testing.B) int {
	p := (benchClients + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0)
	b.SetParallelism(p)
	return p * runtime.GOMAXPROCS(0)
}

// createCustomer posts one customer; anything but 201 Created is an error.
func createCustomer(client *http.Client, url, key string, body []byte) error {
	req, err := http.NewRequest(http.MethodPost, url+"/api/v1/customers", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("POST /api/v1/customers: %w", err)
	}
	out, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return fmt.Errorf("POST /api/v1/customers: read response: %w", err)
	}
	if res.StatusCode != http.StatusCreated {
		return fmt.Errorf("POST /api/v1/customers: %d %s", res.StatusCode, out)
	}
	return nil
}

func reportRate(b *testing.B, ref float64, clients int) {
	rate := float64(b.N) / b.Elapsed().Seconds()
	b.ReportMetric(rate, "rows/s")
	b.ReportMetric(float64(clients), "clients")
	if ref > 0 {
		b.ReportMetric(ref, "raw_rows/s")
		b.ReportMetric(rate/ref, "x_raw")
	}
}

// benchEnv is a Facturo server over a fresh database with one tenant and an
// administrator API key. Unlike internal/testserver it runs on the wall
// clock, as production does, so ids stay time-ordered, and it formats every
// log line as production does (then discards it).
type benchEnv struct {
	db     *store.DB
	svc    *service.Service
	url    string
	key    string
	caller access.Principal
	client *http.Client
}

// withTenant returns env for another tenant named name on the same
// database and server, with its own administrator API key.
func (env *benchEnv) withTenant(tb testing.TB, name string) *benchEnv {
	tb.Helper()
	ctx := context.Background()
	ten, err := env.svc.CreateTenant(ctx, billing.Tenant{Name: name, Currency: "EUR", TimeZone: "Europe/Madrid"})
	if err != nil {
		tb.Fatal(err)
	}
	k, err := env.svc.CreateAPIKey(ctx, access.System(ten.ID, "bench"), service.NewAPIKey{Name: "bench", Role: string(access.Administrator)})
	if err != nil {
		tb.Fatal(err)
	}
	caller, err := env.svc.AuthenticateAPIKey(ctx, k.Secret)
	if err != nil {
		tb.Fatal(err)
	}
	other := *env
	other.key, other.caller = k.Secret, caller
	return &other
}

func newBenchEnv(tb testing.TB, engine store.Engine) *benchEnv {
	tb.Helper()
	ctx := context.Background()
	db := testdb.Open(tb, engine)
	svc := service.New(db)
	ten, err := svc.CreateTenant(ctx, billing.Tenant{Name: "Bench", Currency: "EUR", TimeZone: "Europe/Madrid"})
	if err != nil {
		tb.Fatal(err)
	}
	k, err := svc.CreateAPIKey(ctx, access.System(ten.ID, "bench"), service.NewAPIKey{Name: "bench", Role: string(access.Administrator)})
	if err != nil {
		tb.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(server.New(svc, db, server.Config{Log: log}))
	tb.Cleanup(srv.Close)
	transport := &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64}
	tb.Cleanup(transport.CloseIdleConnections)
	caller, err := svc.AuthenticateAPIKey(ctx, k.Secret)
	if err != nil {
		tb.Fatal(err)
	}
	return &benchEnv{db: db, svc: svc, url: srv.URL, key: k.Secret, caller: caller, client: &http.Client{Transport: transport}}
}

// BenchmarkCustomerCreate measures POST /api/v1/customers (administrator API
// key, a realistic body) on each engine, with one client and with
// benchClients clients, beside the engine's raw single-row insert rate with
// the same number of clients. The service and http variants measure their
// raw reference in the same run, refRows rows just before the timed loop and
// refRows just after, and report it as raw_rows/s beside x_raw = creates/s ÷
// raw inserts/s. The service variant calls the use case directly, without
// HTTP, to tell the costs of the API from those of the storage.
func BenchmarkCustomerCreate(b *testing.B) {
	for _, engine := range testdb.Engines {
		b.Run(string(engine), func(b *testing.B) {
			env := newBenchEnv(b, engine)
			raw := newRawInserter(b, env.db)
			body := customerBody(b)
			var in api.CustomerInput
			if err := json.Unmarshal(body, &in); err != nil {
				b.Fatal(err)
			}
			create := func() error { return createCustomer(env.client, env.url, env.key, body) }
			if err := create(); err != nil { // warm up: connections, prepared statements
				b.Fatal(err)
			}

			b.Run("raw_insert", func(b *testing.B) {
				for b.Loop() {
					if err := raw.insert(); err != nil {
						b.Fatal(err)
					}
				}
				reportRate(b, 0, 1)
			})
			b.Run("raw_insert_parallel", func(b *testing.B) {
				clients := setClients(b)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := raw.insert(); err != nil {
							b.Error(err)
							return
						}
					}
				})
				reportRate(b, 0, clients)
			})
			b.Run("service", func(b *testing.B) {
				ctx := context.Background()
				ref := raw.reference(b, 1, func() {
					for b.Loop() {
						if _, err := env.svc.CreateCustomer(ctx, env.caller, serviceInput(in)); err != nil {
							b.Fatal(err)
						}
					}
				})
				reportRate(b, ref, 1)
			})
			b.Run("http", func(b *testing.B) {
				ref := raw.reference(b, 1, func() {
					for b.Loop() {
						if err := create(); err != nil {
							b.Fatal(err)
						}
					}
				})
				reportRate(b, ref, 1)
			})
			b.Run("http_parallel", func(b *testing.B) {
				clients := setClients(b)
				ref := raw.reference(b, clients, func() {
					b.ResetTimer()
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							if err := create(); err != nil {
								b.Error(err)
								return
							}
						}
					})
				})
				reportRate(b, ref, clients)
			})
		})
	}
}

// serviceInput is the use-case input of the API request in.
func serviceInput(in api.CustomerInput) service.CustomerInput {
	b := in.Billing
	return service.CustomerInput{Name: in.Name, Contacts: in.Contacts, PaymentTermsDays: in.PaymentTermsDays,
		CreditLimit: in.CreditLimit, SalesTaxGroup: in.SalesTaxGroup, SAPID: in.SAPID,
		BillingContractNumber: in.BillingContractNumber, SalesAccountExecutive: in.SalesAccountExecutive,
		CustomFields: in.CustomFields, Billing: &service.BillingInput{LegalName: b.LegalName, Address: b.Address,
			TaxID: b.TaxID, Email: b.Email, Language: b.Language, Currency: b.Currency}}
}
