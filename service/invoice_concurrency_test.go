package service_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

// TestConcurrentIssueNumbersAreGapless issues 50 drafts at once: they get 50
// consecutive numbers, no gap, no duplicate.
func TestConcurrentIssueNumbersAreGapless(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := service.New(db)
		p, customers := ledgerFixture(t, svc, 2)
		const n = 50
		ids := make([]string, n)
		for i := range ids {
			lines := []service.LineInput{{Description: "x", Quantity: ptr("1"), UnitPrice: ptr("10"), ItemSalesTaxGroup: "FULL"}}
			inv, err := svc.CreateInvoice(ctx, p, service.InvoiceInput{CustomerID: &customers[0].ID, Lines: &lines})
			if err != nil {
				t.Fatal(err)
			}
			ids[i] = inv.ID
		}
		numbers := make([]string, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make(chan error, n)
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				res, err := svc.UpdateInvoiceStatus(ctx, p, ids[i], service.StatusChange{Status: "open"})
				if err != nil {
					errs <- err
					return
				}
				numbers[i] = res.Invoice.Number
			}()
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("issue: %v", err)
		}
		seqs := make([]int, n)
		for i, num := range numbers {
			parts := strings.Split(num, "-")
			seq, err := strconv.Atoi(parts[len(parts)-1])
			if err != nil {
				t.Fatalf("number %q: %v", num, err)
			}
			seqs[i] = seq
		}
		slices.Sort(seqs)
		for i, s := range seqs {
			if s != i+1 {
				t.Fatalf("numbers are not 1..%d without gaps: %v", n, seqs)
			}
		}
	})
}

// TestConcurrentStatusChanges sends 20 status changes to one invoice at once:
// only legal ones apply, each once.
func TestConcurrentStatusChanges(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := service.New(db)
		p, customers := ledgerFixture(t, svc, 1)
		lines := []service.LineInput{{Description: "x", Quantity: ptr("1"), UnitPrice: ptr("10"), ItemSalesTaxGroup: "FULL"}}
		inv, err := svc.CreateInvoice(ctx, p, service.InvoiceInput{CustomerID: &customers[0].ID, Lines: &lines})
		if err != nil {
			t.Fatal(err)
		}
		// 10 try to issue, 5 try to void, 5 try to close: one issue wins; then
		// exactly one of void/close may win.
		targets := []string{}
		for range 10 {
			targets = append(targets, "open")
		}
		for range 5 {
			targets = append(targets, "void", "closed")
		}
		var mu sync.Mutex
		applied := map[string]int{}
		var wg sync.WaitGroup
		start := make(chan struct{})
		for _, target := range targets {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, err := svc.UpdateInvoiceStatus(ctx, p, inv.ID, service.StatusChange{Status: target, Reason: "test"})
				if err == nil {
					mu.Lock()
					applied[target]++
					mu.Unlock()
				} else if !fail.Is(err, fail.Conflict) {
					t.Errorf("%s: %v", target, err)
				}
			}()
		}
		close(start)
		wg.Wait()
		if applied["open"] != 1 {
			t.Fatalf("issued %d times", applied["open"])
		}
		if applied["void"]+applied["closed"] > 1 {
			t.Fatalf("void %d and closed %d: a terminal status applied more than once", applied["void"], applied["closed"])
		}
		got, err := svc.GetInvoice(ctx, p, inv.ID)
		if err != nil {
			t.Fatal(err)
		}
		// The journal has one issue entry, plus one reversal or write-off if one won.
		var entries int
		q := fmt.Sprintf("SELECT count(*) FROM journal_entries WHERE tenant_id = %s AND source_id = %s", placeholder(db, 1), placeholder(db, 2))
		if err := db.SQL().QueryRow(q, p.TenantID, inv.ID).Scan(&entries); err != nil {
			t.Fatal(err)
		}
		want := 1 + applied["void"] + applied["closed"]
		if got.Status == billing.Closed && got.TotalAccounting.IsZero() {
			want--
		}
		if entries != want {
			t.Fatalf("%d journal entries for status %s, want %d", entries, got.Status, want)
		}
		checkLedger(t, ctx, svc, db, p)
	})
}
