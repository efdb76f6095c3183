-- +goose Up
-- The receivable dues are kept by Go in the transaction that changes an
-- invoice (store/invoicesql/dues.go), the same code on both engines, as
-- ledger_daily is: the triggers of 00012 and their plpgsql function go, so
-- that no trigger calls a function that is not built in (issue 14). The Go
-- code takes the tenant's journal counter lock first, as the function did.
DROP TRIGGER invoices_dues_insert ON invoices;
DROP TRIGGER invoices_dues_update ON invoices;
DROP TRIGGER invoices_dues_delete ON invoices;
DROP FUNCTION invoices_dues_apply();

-- SQLite adds invoices.total_key, an exact sortable key of the total for its
-- text amounts; PostgreSQL's numeric total sorts exactly as it is.

-- +goose Down
SELECT 'forward-only';
