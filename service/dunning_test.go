package service_test

import (
	"sync"
	"testing"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/payprovider/testcard"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

// TestDunning queues one reminder per invoice per step of the tenant's
// schedule, with two nodes sweeping at the same time.
func TestDunning(t *testing.T) {
	t.Parallel()
	for _, engine := range testdb.Engines {
		t.Run(string(engine), func(t *testing.T) {
			dsn := testdb.DSN(t, engine)
			open := func() *store.DB {
				db, err := store.Open(t.Context(), dsn)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				if err := db.Migrate(t.Context(), nil); err != nil {
					t.Fatal(err)
				}
				return db
			}
			db1, db2 := open(), open()
			f := newPayFixture(t, db1)
			node2 := service.New(db2, service.WithClock(f.clock.Now), service.WithPaymentProvider(testcard.New()))

			// Bad schedules are refused naming the step; only administrators set it.
			_, err := f.svc.SetDunningSchedule(f.ctx, f.p, []int{3, 3, 400})
			wantFields(t, err, "offsets[1]", "offsets[2]")
			_, err = f.svc.SetDunningSchedule(f.ctx, access.Principal{TenantID: f.p.TenantID, Role: access.FinanceManager}, []int{3})
			wantCode(t, err, fail.Forbidden)
			must(f.svc.SetDunningSchedule(f.ctx, f.p, []int{3, 7, 14})).ok(t)
			if got := must(f.svc.GetDunningSchedule(f.ctx, f.p)).ok(t); len(got) != 3 || got[2] != 14 {
				t.Fatalf("schedule: %v", got)
			}

			// Invoices dated 2025-03-01 with the customer's terms.
			unpaid := f.issue(t, 1, "100", "")
			paid := f.issue(t, 1, "50", "")
			partly := f.issue(t, 0, "80", "")
			must(f.svc.RecordPayment(f.ctx, f.p, service.PaymentInput{CustomerID: f.customers[1].ID, Method: "cash", Amount: "50",
				Invoices: []service.Allocation{{InvoiceID: paid.ID}}})).ok(t)
			must(f.svc.RecordPayment(f.ctx, f.p, service.PaymentInput{CustomerID: f.customers[0].ID, Method: "cash", Amount: "30"})).ok(t)

			sweep := func() int {
				var wg sync.WaitGroup
				counts := make([]int, 4)
				for i := range counts {
					wg.Add(1)
					go func() {
						defer wg.Done()
						svc := f.svc
						if i%2 == 1 {
							svc = node2
						}
						n, err := svc.SweepDunning(f.ctx, f.p.TenantID)
						if err != nil {
							t.Errorf("sweep: %v", err)
						}
						counts[i] = n
					}()
				}
				wg.Wait()
				return counts[0] + counts[1] + counts[2] + counts[3]
			}
			reminders := func() map[string][]string {
				rows, err := db1.SQL().QueryContext(f.ctx, `SELECT n.target_id, d.step FROM notifications n JOIN dunning_steps d ON d.notification_id = n.id
					WHERE n.kind = 'dunning.reminder' ORDER BY n.created_at`)
				if err != nil {
					t.Fatal(err)
				}
				defer rows.Close()
				out := map[string][]string{}
				for rows.Next() {
					var id, step string
					if err := rows.Scan(&id, &step); err != nil {
						t.Fatal(err)
					}
					out[id] = append(out[id], step)
				}
				return out
			}
			due := unpaid.DueDate
			at := func(days int) { // set the clock to days past the due date
				target := due.AddDays(days).Time().Add(10 * time.Hour)
				f.clock.Advance(target.Sub(f.clock.Now()))
			}
			at(2)
			if n := sweep(); n != 0 {
				t.Fatalf("2 days past due: %d reminders", n)
			}
			at(3)
			if n := sweep(); n != 2 {
				t.Fatalf("3 days past due: %d reminders, want 2 (unpaid and partly paid)", n)
			}
			if n := sweep(); n != 0 {
				t.Fatalf("the same day again: %d reminders", n)
			}
			at(8)
			if n := sweep(); n != 2 {
				t.Fatalf("8 days past due: %d reminders, want 2", n)
			}
			// The partly paid invoice is settled; only the unpaid one gets step 3.
			must(f.svc.RecordPayment(f.ctx, f.p, service.PaymentInput{CustomerID: f.customers[0].ID, Method: "cash", Amount: "50"})).ok(t)
			at(30)
			if n := sweep(); n != 1 {
				t.Fatalf("30 days past due: %d reminders, want 1", n)
			}
			got := reminders()
			if len(got[unpaid.ID]) != 3 || len(got[partly.ID]) != 2 || len(got[paid.ID]) != 0 {
				t.Fatalf("reminders: %v", got)
			}
			var n int
			if err := db1.SQL().QueryRowContext(f.ctx, `SELECT count(*) FROM notifications WHERE kind = 'dunning.reminder'`).Scan(&n); err != nil || n != 5 {
				t.Fatalf("%d reminder notifications (%v), want 5", n, err)
			}
		})
	}
}
