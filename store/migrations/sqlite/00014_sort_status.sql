-- +goose Up
-- The invoice table filtered by status and sorted by another column (seed
-- 000: past due invoices by customer) reads the sort's index in order and
-- keeps the rows of the wanted status. With the status in those indexes,
-- that walk reads no table rows (store.ListInvoices' probe): the indexes of
-- migration 00011 get the status as their last column.
DROP INDEX invoices_number_sort_idx;
CREATE INDEX invoices_number_sort_idx ON invoices (tenant_id, COALESCE(number, ''), id, status);
DROP INDEX invoices_customer_sort_idx;
CREATE INDEX invoices_customer_sort_idx ON invoices (tenant_id, COALESCE(customer_name, ''), id, status);
DROP INDEX invoices_provider_sort_idx;
CREATE INDEX invoices_provider_sort_idx ON invoices (tenant_id, COALESCE(provider, ''), id, status);
DROP INDEX invoices_period_sort_idx;
CREATE INDEX invoices_period_sort_idx ON invoices (tenant_id, COALESCE(period_start, '0001-01-01'), id, status);
DROP INDEX invoices_amount_sort_idx;
CREATE INDEX invoices_amount_sort_idx ON invoices (tenant_id, CAST(total AS REAL), id, status);
DROP INDEX invoices_created_idx;
CREATE INDEX invoices_created_idx ON invoices (tenant_id, created_at, id, status);

-- +goose Down
SELECT 'forward-only';
