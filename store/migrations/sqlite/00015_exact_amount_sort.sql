-- +goose Up
-- The invoice list sorted by amount read an index on CAST(total AS REAL):
-- amounts that one float cannot tell apart (9007199254740993.01 and .02)
-- sorted by id, and the cursor compared floats. The indexes now hold
-- dec_key(total), an exact sortable text key (store.decKey), registered by
-- Facturo on every connection.
DROP INDEX invoices_provider_amount_idx;
CREATE INDEX invoices_provider_amount_idx ON invoices (tenant_id, provider, dec_key(total), id);
DROP INDEX invoices_amount_sort_idx;
CREATE INDEX invoices_amount_sort_idx ON invoices (tenant_id, dec_key(total), id, status);

-- +goose Down
SELECT 'forward-only';
