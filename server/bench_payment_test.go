package server_test

// Benchmark of settling payments: recording a bank transfer and applying it
// to an open invoice (one transaction: payment, application, invoice
// balances, ledger entry, receipt notification, audit), beside the
// engine's raw single-row commit rate measured in the same run
// (newRawInserter, bench_test.go). Figures are in BENCHMARKS.md.

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

// paymentBenchInvoices is how many open invoices the payments rotate over.
const paymentBenchInvoices = 200

// BenchmarkPaymentSettle measures recording a payment of 0.01 applied to
// one of paymentBenchInvoices open invoices (a partial payment, so every
// iteration settles against a real open balance), through the service and
// over HTTP (POST /api/v1/payments) with one client and with benchClients
// clients, on each engine. It reports payments/s, p50/p99 latency, the raw
// single-row insert rate with the same number of clients (raw_rows/s) and
// x_raw = payments/s ÷ raw rows/s; the service variant reports the CPU per
// payment too (cpu_ms/op, and db_cpu_ms/op on PostgreSQL).
func BenchmarkPaymentSettle(b *testing.B) {
	for _, engine := range testdb.Engines {
		b.Run(string(engine), func(b *testing.B) {
			env := newBenchEnv(b, engine)
			raw := newRawInserter(b, env.db)
			customers := invoiceBenchSetup(b, env)
			ctx := context.Background()
			type target struct{ customer, invoice string }
			targets := make([]target, 0, paymentBenchInvoices)
			for i := range paymentBenchInvoices {
				c := customers[i%len(customers)]
				inv, err := env.svc.CreateInvoice(ctx, env.caller, invoiceInput(c))
				if err != nil {
					b.Fatal(err)
				}
				if _, err := env.svc.UpdateInvoiceStatus(ctx, env.caller, inv.ID, service.StatusChange{Status: "open"}); err != nil {
					b.Fatal(err)
				}
				targets = append(targets, target{c, inv.ID})
			}
			input := func(i int) service.PaymentInput {
				t := targets[i%len(targets)]
				return service.PaymentInput{CustomerID: t.customer, Method: service.PayBankTransfer, Amount: "0.01",
					Reference: fmt.Sprint("bench ", i), Invoices: []service.Allocation{{InvoiceID: t.invoice}}}
			}
			body := func(i int) []byte {
				in := input(i)
				out, _ := json.Marshal(map[string]any{"customer_id": in.CustomerID, "method": in.Method, "amount": in.Amount,
					"reference": in.Reference, "invoices": []any{map[string]any{"invoice_id": in.Invoices[0].InvoiceID}}})
				return out
			}
			pay := func(i int) error {
				out, err := postJSON(env.client, env.url, env.key, "/api/v1/payments", body(i), 201)
				if err != nil {
					return err
				}
				var p struct {
					Applications []struct{} `json:"applications"`
				}
				if err := json.Unmarshal(out, &p); err != nil || len(p.Applications) != 1 {
					return fmt.Errorf("payment not applied: %s", out)
				}
				return nil
			}
			if err := pay(0); err != nil { // warm up
				b.Fatal(err)
			}
			b.Run("service", func(b *testing.B) {
				var lat latencies
				ref := raw.reference(b, 1, func() {
					durs := make([]time.Duration, 0, 1024)
					cpu := startCPU(engine == store.Postgres)
					i := 0
					for b.Loop() {
						start := time.Now()
						p, err := env.svc.RecordPayment(ctx, env.caller, input(i))
						i++
						if err != nil || len(p.Applications) != 1 {
							b.Fatal(err, p.Applications)
						}
						durs = append(durs, time.Since(start))
					}
					b.StopTimer()
					cpu.report(b, b.N)
					lat.add(durs)
				})
				lat.reportAs(b, "payments/s", ref, 1)
			})
			b.Run("http", func(b *testing.B) {
				var lat latencies
				ref := raw.reference(b, 1, func() {
					durs := make([]time.Duration, 0, 1024)
					i := 0
					for b.Loop() {
						start := time.Now()
						if err := pay(i); err != nil {
							b.Fatal(err)
						}
						i++
						durs = append(durs, time.Since(start))
					}
					lat.add(durs)
				})
				lat.reportAs(b, "payments/s", ref, 1)
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
							n := i
							i++
							next.Unlock()
							start := time.Now()
							if err := pay(n); err != nil {
								b.Error(err)
								return
							}
							durs = append(durs, time.Since(start))
						}
					})
				})
				lat.reportAs(b, "payments/s", ref, clients)
			})
		})
	}
}
