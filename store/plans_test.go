package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
	"github.com/facturo/facturo/store/dbtx"
)

// TestCustomPlansEndWithTheClaim: the billing statements that bind
// hundreds of ids are planned for their own parameters on PostgreSQL, and
// only they: the rest of the run's transaction (the foreign-key checks of
// every invoice and line it inserts) keeps PostgreSQL's cached plans.
// Issue 15 measured a 100,000-item run 1.8-2.4x slower while the custom
// plans lasted to the end of the transaction.
func TestCustomPlansEndWithTheClaim(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := context.Background()
		err := db.Write(ctx, func(tx service.Tx) error {
			mode := func(after string) {
				t.Helper()
				if db.Engine() != store.Postgres {
					return
				}
				var got string
				if err := tx.(interface{ Conn() dbtx.Querier }).Conn().QueryRowContext(ctx, `SHOW plan_cache_mode`).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if got != "auto" {
					t.Errorf("plan_cache_mode after %s: %q, want auto", after, got)
				}
			}
			if _, err := tx.ClaimItems(ctx, "ten_none", calendar.Range{From: calendar.New(2026, time.May, 1), To: calendar.New(2026, time.May, 31)}, []string{"cus_none"}); err != nil {
				return err
			}
			mode("ClaimItems")
			if _, err := tx.MarkInvoiced(ctx, "ten_none", []service.InvoicedItem{{ItemID: "si_none", InvoiceID: "inv_none"}}); err != nil {
				return err
			}
			mode("MarkInvoiced")
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
