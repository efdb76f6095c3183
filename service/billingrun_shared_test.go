package service_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

// batchesByNode counts the done batches of a run by the node that billed
// them, read from the database.
func batchesByNode(t *testing.T, db *store.DB, runID string) map[string]int {
	t.Helper()
	q := `SELECT done_by, COUNT(*) FROM billing_run_batches WHERE run_id = ? AND status = 'billed' GROUP BY done_by`
	if db.Engine() == store.Postgres {
		q = strings.Replace(q, "?", "$1", 1)
	}
	rows, err := db.SQL().Query(q, runID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var node string
		var n int
		if err := rows.Scan(&node, &n); err != nil {
			t.Fatal(err)
		}
		out[node] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBillingRunSharedByNodes (issue 15): a node that starts a period
// another node is running joins it and bills its open batches; the node
// running it completes it. Every item is billed once, the invoices are those
// one node makes, and both nodes billed batches. A node that fails in the
// middle of a batch leaves it open (its transaction rolls back), and the
// other bills it. On both engines (SQLite: two handles on one file).
func TestBillingRunSharedByNodes(t *testing.T) {
	t.Parallel()
	for _, engine := range testdb.Engines {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			from, to := calendar.New(2026, 5, 1), calendar.New(2026, 5, 31)
			dbA := testdb.Open(t, engine)
			dbB, err := store.Open(ctx, store.DSNOf(dbA))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { dbB.Close() })
			base := service.New(dbA)
			p, customers := ledgerFixture(t, base, 8)
			runFixture(t, base, p, customers)

			// Node a pauses before its second batch until node b has joined.
			var mu sync.Mutex
			groups := 0
			paused, resume := make(chan struct{}), make(chan struct{})
			a := service.New(dbA, service.WithBillingBatch(2), service.WithFaultHook(func(point string) error {
				if point != "group" {
					return nil
				}
				mu.Lock()
				groups++
				n := groups
				mu.Unlock()
				if n == 2 {
					close(paused)
					<-resume
				}
				return nil
			}))
			// Node b fails once in the middle of a batch, after its invoices
			// are written: the batch stays open for the next claim.
			failed := false
			errMid := errors.New("node b fails mid-batch")
			b := service.New(dbB, service.WithBillingBatch(2), service.WithFaultHook(func(point string) error {
				mu.Lock()
				defer mu.Unlock()
				if point == "invoices inserted" && !failed {
					failed = true
					return errMid
				}
				return nil
			}))
			done := make(chan error, 1)
			var ran service.BillingRun
			go func() {
				var err error
				ran, err = a.RunBilling(ctx, p, from, to, false, nil, nil)
				done <- err
			}()
			<-paused
			if _, err := b.RunBilling(ctx, p, from, to, false, nil, nil); !errors.Is(err, errMid) {
				t.Fatalf("node b's failing join: %v, want its failure", err)
			}
			joined, err := b.RunBilling(ctx, p, from, to, false, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if joined.Status != "running" || joined.ItemsDone != joined.ItemsTotal {
				t.Fatalf("node b joined and left: %+v, want the running run with every item billed", joined)
			}
			close(resume)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if ran.ID != joined.ID || ran.Status != "completed" || ran.ItemsDone != ran.ItemsTotal {
				t.Fatalf("node a's run: %+v", ran)
			}
			nodes := batchesByNode(t, dbA, ran.ID)
			if len(nodes) != 2 {
				t.Errorf("batches by node: %v, want both nodes", nodes)
			}
			checkItemsBilledOnce(t, base, p, from, to)
			checkLedger(t, ctx, base, dbA, p)

			// The same invoices as one node alone makes.
			alone := testdb.Open(t, engine)
			one := service.New(alone, service.WithBillingBatch(2))
			p1, customers1 := ledgerFixture(t, one, 8)
			runFixture(t, one, p1, customers1)
			if _, err := one.RunBilling(ctx, p1, from, to, false, nil, nil); err != nil {
				t.Fatal(err)
			}
			got, want := shapes(t, base, p), shapes(t, one, p1)
			for i := range got {
				for _, c := range customers {
					got[i] = strings.ReplaceAll(got[i], c.ID, c.Number)
				}
			}
			for i := range want {
				for _, c := range customers1 {
					want[i] = strings.ReplaceAll(want[i], c.ID, c.Number)
				}
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("two nodes made other invoices than one:\n%s\n---\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}
