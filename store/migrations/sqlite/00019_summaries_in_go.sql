-- +goose Up
-- No schema object calls a function Facturo registers on its connections
-- (dec_add, dec_sub, dec_key, ...: store/dbtx.SQLiteFunctions), so that any
-- stock tool, the sqlite3 shell of a support engineer included, can read
-- and update every table (issue 14).
--
-- The receivable dues are kept by Go in the transaction that changes an
-- invoice (store/invoicesql/dues.go), as ledger_daily is: the triggers of
-- 00012 go. A statement run by another tool leaves the dues as they were;
-- store.DB.RebuildSummaries recomputes them.
DROP TRIGGER invoices_dues_insert;
DROP TRIGGER invoices_dues_update;
DROP TRIGGER invoices_dues_delete;

-- The amount sort read indexes on dec_key(total) (00015). total_key stores
-- that exact sortable key (store/dbtx.DecKey), written by Go beside the
-- text amount on every insert and update of an invoice; the indexes and the
-- invoice list's sort read the column. Existing rows get their key here,
-- while Facturo migrates (its connection has dec_key).
ALTER TABLE invoices ADD COLUMN total_key text;
UPDATE invoices SET total_key = dec_key(total);
DROP INDEX invoices_provider_amount_idx;
CREATE INDEX invoices_provider_amount_idx ON invoices (tenant_id, provider, total_key, id);
DROP INDEX invoices_amount_sort_idx;
CREATE INDEX invoices_amount_sort_idx ON invoices (tenant_id, total_key, id, status);

-- +goose Down
SELECT 'forward-only';
