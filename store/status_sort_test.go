package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/service"
)

// TestStatusSortReadsTheStatusIndex: on SQLite the invoice list sorted by
// status in lifecycle order (issue 16) reads each status from the status
// index in id order, a page at most, and sorts only those: no sort of the
// whole tenant (the lifecycle's order is in no index). The order itself is
// checked on both engines by TestListInvoicesReference.
func TestStatusSortReadsTheStatusIndex(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "f.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	for _, f := range []service.InvoiceFilter{
		{Sort: "status", Page: service.Page{Limit: 50}},
		{Sort: "status", Desc: true, Page: service.Page{Limit: 50}},
		{Sort: "status", Provider: "AWS", Page: service.Page{Limit: 50}},
		{Sort: "status", Statuses: []billing.Status{billing.Open, billing.PastDue}, Page: service.Page{Limit: 50}},
	} {
		err := db.Read(ctx, func(stx service.Tx) error {
			query, plan, err := ExplainListInvoices(ctx, stx, "ten_x", f)
			if err != nil {
				return err
			}
			want := len(billing.Statuses)
			if len(f.Statuses) > 0 {
				want = len(f.Statuses)
			}
			if n := strings.Count(plan, "invoices_status_sort_idx"); n != want || strings.Count(plan, "TEMP B-TREE") != 1 {
				t.Errorf("sort by status (%+v): %d reads of the status index, want %d; plan:\n%s\n%s", f, n, want, plan, query)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
