-- +goose Up
-- The console's invoice table (seed 000) sorts by every column; issue 3
-- indexed the invoice date (and the date within a status or a customer)
-- and a provider's invoices by amount. These indexes serve the other
-- columns' sorts over a tenant's whole list, so that a page of a sorted
-- table with a million invoices reads about as many rows as it shows.
-- Each ends with exactly the sort expression ListInvoices writes, then id.
CREATE INDEX invoices_number_sort_idx ON invoices (tenant_id, COALESCE(number, ''), id);
CREATE INDEX invoices_customer_sort_idx ON invoices (tenant_id, COALESCE(customer_name, ''), id);
CREATE INDEX invoices_provider_sort_idx ON invoices (tenant_id, COALESCE(provider, ''), id);
CREATE INDEX invoices_period_sort_idx ON invoices (tenant_id, COALESCE(period_start, '0001-01-01'), id);
CREATE INDEX invoices_amount_sort_idx ON invoices (tenant_id, CAST(total AS REAL), id);
CREATE INDEX invoices_status_sort_idx ON invoices (tenant_id, COALESCE(status, ''), id);

-- +goose Down
SELECT 'forward-only';
