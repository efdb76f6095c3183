package invoicesql

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/store/dbtx"
	"github.com/facturo/facturo/store/enginesql"
	"github.com/facturo/facturo/store/sqlitesql"
)

// A document's header charges (billing.Charge, migration 00025) are stored
// beside its lines in invoice_charges, keyed by tenant, document and
// position: written with the document, rewritten with it and read with it.

// chargeRows is the rows of a document's charges.
func chargeRows(inv *billing.Invoice) ([]sqlitesql.InvoiceCharge, error) {
	rows := make([]sqlitesql.InvoiceCharge, 0, len(inv.Charges))
	for _, ch := range inv.Charges {
		codes, err := dbtx.JSONArg(dbtx.NonNil(ch.TaxCodes))
		if err != nil {
			return nil, err
		}
		rows = append(rows, sqlitesql.InvoiceCharge{TenantID: inv.TenantID, InvoiceID: inv.ID, Position: int64(ch.Position),
			Code: ch.Code, Description: ch.Description, Account: ch.Account, SalesTaxGroup: ch.SalesTaxGroup,
			ItemSalesTaxGroup: ch.ItemSalesTaxGroup, Amount: ch.Amount.Decimal().String(), TaxCodes: codes,
			TaxAmount: ch.TaxAmount.Decimal().String()})
	}
	return rows, nil
}

// storedCharges keys, in the transaction's memo, the rows of a document's
// charges as they stand in the database (as storedLines does for lines):
// replaceCharges leaves charges this transaction read or wrote alone when
// they did not change.
type storedCharges struct{ tenantID, invoiceID string }

// insertCharges inserts the charges of one or more documents, many rows
// per statement.
func (t *Invoices) insertCharges(ctx context.Context, invs ...billing.Invoice) error {
	var rows []sqlitesql.InvoiceCharge
	for i := range invs {
		r, err := chargeRows(&invs[i])
		if err != nil {
			return err
		}
		if len(invs) == 1 {
			t.Tx.Remember(storedCharges{invs[i].TenantID, invs[i].ID}, r)
		}
		rows = append(rows, r...)
	}
	if err := dbtx.BulkInsertRows(ctx, t.Tx, "invoice_charges", rows); err != nil {
		return fmt.Errorf("insert invoice charges: %w", err)
	}
	return nil
}

// replaceCharges rewrites the stored charges of inv with its own, unless
// they are those this transaction read or wrote.
func (t *Invoices) replaceCharges(ctx context.Context, inv billing.Invoice) error {
	rows, err := chargeRows(&inv)
	if err != nil {
		return err
	}
	if stored, ok := t.Tx.Recall(storedCharges{inv.TenantID, inv.ID}).([]sqlitesql.InvoiceCharge); ok && slices.Equal(stored, rows) {
		return nil
	}
	if err := enginesql.For(t.Tx).DeleteInvoiceCharges(ctx, sqlitesql.DeleteInvoiceChargesParams{TenantID: inv.TenantID, InvoiceID: inv.ID}); err != nil {
		return fmt.Errorf("replace invoice charges: %w", err)
	}
	return t.insertCharges(ctx, inv)
}

// readCharges reads the stored charges of inv into it, in its currency.
func (t *Invoices) readCharges(ctx context.Context, inv *billing.Invoice) error {
	rows, err := enginesql.For(t.Tx).InvoiceCharges(ctx, sqlitesql.InvoiceChargesParams{TenantID: inv.TenantID, InvoiceID: inv.ID})
	if err != nil {
		return fmt.Errorf("get invoice charges: %w", err)
	}
	inv.Charges = nil
	var p dbtx.Parse
	for _, r := range rows {
		ch := billing.Charge{Position: int(r.Position), Code: r.Code, Description: r.Description, Account: r.Account,
			SalesTaxGroup: r.SalesTaxGroup, ItemSalesTaxGroup: r.ItemSalesTaxGroup,
			Amount: money.In(p.Dec(r.Amount), inv.Currency), TaxAmount: money.In(p.Dec(r.TaxAmount), inv.Currency)}
		if err := json.Unmarshal([]byte(r.TaxCodes), &ch.TaxCodes); err != nil {
			return fmt.Errorf("charge tax codes: %w", err)
		}
		inv.Charges = append(inv.Charges, ch)
	}
	if p.Err != nil {
		return fmt.Errorf("invoice %s charges: %w", inv.ID, p.Err)
	}
	// Remembered as replaceCharges would write them (numbers as Go writes them).
	written, err := chargeRows(inv)
	if err != nil {
		return err
	}
	t.Tx.Remember(storedCharges{inv.TenantID, inv.ID}, written)
	return nil
}
