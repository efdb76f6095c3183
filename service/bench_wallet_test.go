package service_test

// BenchmarkWalletDraw measures usage draws per second on ONE hot wallet
// (every draw locks the same wallet row), beside the engine's raw
// single-row commit rate measured in the same run with the same number of
// clients: one autocommitted INSERT per row through the pool Facturo writes
// with. It reports figures, never asserts them. Run:
//
//	FACTURO_TEST_POSTGRES_URL=… go test ./service -run '^$' -bench BenchmarkWalletDraw -benchtime 2000x

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/payprovider/testcard"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

// rawCommits inserts n rows, one autocommitted INSERT each, with clients
// concurrent clients, and returns how long it took.
func rawCommits(b *testing.B, db *store.DB, engine store.Engine, n, clients int) time.Duration {
	b.Helper()
	query := `INSERT INTO bench_raw_commit (id, amount) VALUES (?, ?)`
	if engine == store.Postgres {
		query = `INSERT INTO bench_raw_commit (id, amount) VALUES ($1, $2)`
	}
	var next atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for range clients {
		wg.Go(func() {
			for i := next.Add(1); i <= int64(n); i = next.Add(1) {
				if _, err := db.SQL().ExecContext(context.Background(), query,
					fmt.Sprintf("%d-%d", time.Now().UnixNano(), i), "0.01"); err != nil {
					failed.CompareAndSwap(nil, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := failed.Load(); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

func BenchmarkWalletDraw(b *testing.B) {
	for _, engine := range testdb.Engines {
		for _, clients := range []int{1, 8} {
			b.Run(fmt.Sprintf("%s/clients=%d", engine, clients), func(b *testing.B) {
				db := testdb.Open(b, engine)
				if _, err := db.SQL().Exec(`CREATE TABLE bench_raw_commit (id text PRIMARY KEY, amount text NOT NULL)`); err != nil {
					b.Fatal(err)
				}
				ctx := context.Background()
				svc := service.New(db, service.WithPaymentProvider(testcard.New()))
				ten, err := svc.CreateTenant(ctx, billing.Tenant{Name: "Bench", Currency: "EUR", TimeZone: "Europe/Madrid"})
				if err != nil {
					b.Fatal(err)
				}
				p := access.System(ten.ID, "bench")
				name := "Hot Wallet"
				c, err := svc.CreateCustomer(ctx, p, service.CustomerInput{Name: &name})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := svc.AddPaymentMethod(ctx, p, c.ID, service.NewPaymentMethod{Card: "4242424242424242", ExpMonth: 12, ExpYear: 2040}); err != nil {
					b.Fatal(err)
				}
				if _, err := svc.SaveWallet(ctx, p, c.ID, service.WalletInput{}); err != nil {
					b.Fatal(err)
				}
				if _, err := svc.AddFunds(ctx, p, c.ID, "1000000.00"); err != nil {
					b.Fatal(err)
				}
				const ref = 1000
				before := rawCommits(b, db, engine, ref, clients)
				var next atomic.Int64
				var failed atomic.Value
				b.ResetTimer()
				var wg sync.WaitGroup
				for range clients {
					wg.Go(func() {
						for next.Add(1) <= int64(b.N) {
							if _, err := svc.DrawWallet(ctx, p, service.UsageCharge{CustomerID: c.ID, Amount: "0.01", Description: "API call"}); err != nil {
								failed.CompareAndSwap(nil, err)
								return
							}
						}
					})
				}
				wg.Wait()
				b.StopTimer()
				if err := failed.Load(); err != nil {
					b.Fatal(err)
				}
				after := rawCommits(b, db, engine, ref, clients)
				rate := float64(b.N) / b.Elapsed().Seconds()
				raw := float64(2*ref) / (before + after).Seconds()
				b.ReportMetric(rate, "draws/s")
				b.ReportMetric(raw, "raw_commits/s")
				b.ReportMetric(rate/raw, "x_raw")
				w, err := svc.GetWallet(ctx, p, c.ID)
				if err != nil || !w.PaidBalance.Decimal().Equal(dec("1000000").Sub(dec("0.01").Mul(dec(fmt.Sprint(b.N))))) {
					b.Fatalf("balance %s after %d draws (%v)", w.PaidBalance, b.N, err)
				}
			})
		}
	}
}
