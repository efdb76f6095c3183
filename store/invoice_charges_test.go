package store_test

import (
	"context"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

// TestInvoiceChargesStored: a document's header charges are written with
// it, read back exactly (amounts in a 3-decimal currency, tax codes,
// order), replaced when the draft changes and deleted with it, on both
// engines; another tenant's document of the same id reads none of them.
func TestInvoiceChargesStored(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := context.Background()
		ten, other := insertTenant(t, db), insertTenant(t, db)
		c, oc := insertCustomer(t, db, ten.ID, nil), insertCustomer(t, db, other.ID, nil)
		inv := dueInvoice(ten.ID, c.ID, billing.Draft, billing.KindInvoice, "30", calendar.Date{})
		inv.Currency, inv.Number = "BHD", ""
		bhd := func(s string) money.Amount { return money.In(decimal.RequireFromString(s), "BHD") }
		inv.Charges = []billing.Charge{
			{Position: 1, Code: "FREIGHT", Description: "Freight", Account: "7050", SalesTaxGroup: "DOM", ItemSalesTaxGroup: "FULL",
				Amount: bhd("12.345"), TaxCodes: []string{"V21"}, TaxAmount: bhd("2.592")},
			{Position: 2, Code: "HANDLING", Description: "Handling fee", Account: "7060", Amount: bhd("0.005"), TaxAmount: bhd("0")},
		}
		mustWrite(t, db, func(tx service.Tx) error { return tx.InsertInvoice(ctx, inv) })
		// The other tenant's document shares the id (ids are unique, but the
		// key is the tenant's): it must read no charge of the first.
		twin := dueInvoice(other.ID, oc.ID, billing.Draft, billing.KindInvoice, "30", calendar.Date{})
		twin.ID, twin.Number = inv.ID, ""
		mustWrite(t, db, func(tx service.Tx) error { return tx.InsertInvoice(ctx, twin) })

		read := func(tenantID string) billing.Invoice {
			var got billing.Invoice
			mustRead(t, db, func(tx service.Tx) error {
				var err error
				got, err = tx.GetInvoice(ctx, tenantID, inv.ID)
				return err
			})
			return got
		}
		got := read(ten.ID)
		if len(got.Charges) != 2 {
			t.Fatalf("charges read: %+v", got.Charges)
		}
		f := got.Charges[0]
		if f.Code != "FREIGHT" || f.Description != "Freight" || f.Account != "7050" || f.SalesTaxGroup != "DOM" ||
			f.ItemSalesTaxGroup != "FULL" || f.Amount.StringFixed() != "12.345" || f.Amount.Currency().Code() != "BHD" ||
			f.TaxAmount.StringFixed() != "2.592" || len(f.TaxCodes) != 1 || f.TaxCodes[0] != "V21" || f.Position != 1 {
			t.Errorf("first charge read as %+v", f)
		}
		if h := got.Charges[1]; h.Code != "HANDLING" || h.Amount.StringFixed() != "0.005" || h.Position != 2 || len(h.TaxCodes) != 0 {
			t.Errorf("second charge read as %+v", h)
		}
		if n := len(read(other.ID).Charges); n != 0 {
			t.Errorf("the other tenant's document reads %d charges", n)
		}

		// The draft changes: one charge left, with a new amount.
		mustWrite(t, db, func(tx service.Tx) error {
			got, err := tx.GetInvoiceForUpdate(ctx, ten.ID, inv.ID)
			if err != nil {
				return err
			}
			got.Charges = got.Charges[1:]
			got.Charges[0].Position, got.Charges[0].Amount = 1, bhd("7.250")
			return tx.UpdateInvoice(ctx, got)
		})
		if got := read(ten.ID).Charges; len(got) != 1 || got[0].Code != "HANDLING" || got[0].Amount.StringFixed() != "7.250" {
			t.Errorf("charges after the update: %+v", got)
		}

		mustWrite(t, db, func(tx service.Tx) error { return tx.DeleteInvoice(ctx, ten.ID, inv.ID) })
		var n int
		if err := db.SQL().QueryRow(`SELECT count(*) FROM invoice_charges WHERE invoice_id = $1`, inv.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%d charges left after deleting the document", n)
		}
	})
}
