-- +goose Up
-- Billing runs count the draft items they skip (customers lacking billing
-- information); claiming a batch of bill-to accounts finds sub-accounts by
-- their invoice account.
ALTER TABLE billing_runs ADD COLUMN items_skipped INTEGER NOT NULL DEFAULT 0;
CREATE INDEX customers_invoice_account_idx ON customers (tenant_id, invoice_account_id);

-- +goose Down
DROP INDEX customers_invoice_account_idx;
ALTER TABLE billing_runs DROP COLUMN items_skipped;
