package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/id"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

// TestBulkInsertKeepsEveryCharacter: documents inserted in bulk (a billing
// run's path: COPY on PostgreSQL from 64 rows, multi-row INSERTs on
// SQLite) read back exactly, text with tabs, line breaks, backslashes,
// quotes and accents, NULL dates and amounts included.
func TestBulkInsertKeepsEveryCharacter(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := context.Background()
		ten := insertTenant(t, db)
		c := insertCustomer(t, db, ten.ID, nil)
		tricky := []string{"tab\there", "line\nbreak", "carriage\rreturn", `back\slash \N \\N`, `quote ' and "`, "acentuación ñ €", ""}
		var invs []billing.Invoice
		for i := range 70 {
			inv := dueInvoice(ten.ID, c.ID, billing.Draft, billing.KindInvoice, "12.34", calendar.Date{})
			inv.ID = id.New(id.Invoice)
			inv.Number = "" // a draft: NULL number
			inv.Notes = tricky[i%len(tricky)]
			inv.BillTo.Name = tricky[(i+1)%len(tricky)]
			q := decimal.NewFromInt(int64(i + 1))
			inv.Lines = []billing.Line{
				{Position: 1, Description: tricky[(i+2)%len(tricky)], Quantity: &q, Amount: money.In(decimal.RequireFromString("12.34"), "EUR"),
					TaxAmount: money.In(decimal.Zero, "EUR"), ChargeType: "usage"},
				{Position: 2, Description: fmt.Sprintf("no quantity %d", i), Amount: money.In(decimal.Zero, "EUR"),
					TaxAmount: money.In(decimal.Zero, "EUR"), ChargeType: "one_time"},
			}
			invs = append(invs, inv)
		}
		mustWrite(t, db, func(tx service.Tx) error { return tx.InsertInvoices(ctx, invs) })
		mustRead(t, db, func(tx service.Tx) error {
			for _, want := range invs {
				got, err := tx.GetInvoice(ctx, ten.ID, want.ID)
				if err != nil {
					return err
				}
				if got.Notes != want.Notes || got.BillTo.Name != want.BillTo.Name || got.Number != "" || !got.DueDate.IsZero() {
					t.Fatalf("invoice read back: notes %q, bill-to %q, number %q, due %v; want %q, %q, no number, no due date",
						got.Notes, got.BillTo.Name, got.Number, got.DueDate, want.Notes, want.BillTo.Name)
				}
				if len(got.Lines) != 2 || got.Lines[0].Description != want.Lines[0].Description || got.Lines[1].Quantity != nil ||
					!got.Lines[0].Quantity.Equal(*want.Lines[0].Quantity) || got.Lines[0].Amount.String() != "12.34" {
					t.Fatalf("lines read back: %+v, want %+v", got.Lines, want.Lines)
				}
			}
			return nil
		})
	})
}
