package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

// lineIdentities returns what changes when the engine writes an invoice's
// line rows: on PostgreSQL each row's ctid (every update or insert moves
// it); on SQLite, whose rowids a delete and insert reuse, the count of rows
// inserted for the invoice so far, counted by a trigger this adds.
func lineIdentities(t *testing.T, db *store.DB, tenantID, invoiceID string) []string {
	t.Helper()
	query := `SELECT ctid::text FROM invoice_lines WHERE tenant_id = $1 AND invoice_id = $2 ORDER BY position`
	if db.Engine() == store.SQLite {
		for _, stmt := range []string{
			`CREATE TABLE IF NOT EXISTS test_line_inserts (invoice_id TEXT NOT NULL)`,
			`CREATE TRIGGER IF NOT EXISTS test_count_line_inserts AFTER INSERT ON invoice_lines
			 BEGIN INSERT INTO test_line_inserts VALUES (NEW.invoice_id); END`,
		} {
			if _, err := db.SQL().Exec(stmt); err != nil {
				t.Fatal(err)
			}
		}
		query = `SELECT CAST(COUNT(*) AS TEXT) FROM test_line_inserts WHERE ? <> '' AND invoice_id = ?`
	}
	rows, err := db.SQL().Query(query, tenantID, invoiceID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestUpdateInvoiceWritesOnlyChangedLines: updating a document whose lines
// did not change (issuing a draft) leaves its line rows alone, on both
// engines; lines that changed are written, also when the same transaction
// changes them back and forth.
func TestUpdateInvoiceWritesOnlyChangedLines(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := context.Background()
		ten := insertTenant(t, db)
		c := insertCustomer(t, db, ten.ID, nil)
		inv := dueInvoice(ten.ID, c.ID, billing.Draft, billing.KindInvoice, "30", calendar.Date{})
		for i, amt := range []string{"10", "20"} {
			q := decimal.NewFromInt(1)
			inv.Lines = append(inv.Lines, billing.Line{Position: i + 1, Description: "line " + amt, Quantity: &q,
				Amount: money.In(decimal.RequireFromString(amt), "EUR"), TaxAmount: money.In(decimal.Zero, "EUR"), ChargeType: "one_time"})
		}
		lineIdentities(t, db, ten.ID, inv.ID) // SQLite: the counting trigger
		mustWrite(t, db, func(tx service.Tx) error { return tx.InsertInvoice(ctx, inv) })
		before := lineIdentities(t, db, ten.ID, inv.ID)
		if want := map[store.Engine][]string{store.SQLite: {"2"}}[db.Engine()]; want != nil && !slices.Equal(before, want) ||
			want == nil && len(before) != 2 {
			t.Fatalf("lines stored: %v", before)
		}

		// Read and written back with the same lines: no line row written.
		mustWrite(t, db, func(tx service.Tx) error {
			got, err := tx.GetInvoiceForUpdate(ctx, ten.ID, inv.ID)
			if err != nil {
				return err
			}
			got.Status, got.Number = billing.Open, "F-"+uniq()
			return tx.UpdateInvoice(ctx, got)
		})
		if after := lineIdentities(t, db, ten.ID, inv.ID); !slices.Equal(after, before) {
			t.Errorf("unchanged lines were rewritten: %v, then %v", before, after)
		}

		// Changed, then changed back, in one transaction: the last write wins.
		mustWrite(t, db, func(tx service.Tx) error {
			got, err := tx.GetInvoiceForUpdate(ctx, ten.ID, inv.ID)
			if err != nil {
				return err
			}
			orig := got.Lines[0].Description
			got.Lines[0].Description = "changed"
			if err := tx.UpdateInvoice(ctx, got); err != nil {
				return err
			}
			got.Lines[0].Description = orig
			got.Lines = got.Lines[:1]
			return tx.UpdateInvoice(ctx, got)
		})
		mustRead(t, db, func(tx service.Tx) error {
			got, err := tx.GetInvoice(ctx, ten.ID, inv.ID)
			if err != nil {
				return err
			}
			if len(got.Lines) != 1 || got.Lines[0].Description != "line 10" {
				t.Errorf("lines after change and change back: %+v", got.Lines)
			}
			return nil
		})
	})
}
