-- +goose Up
-- Indexes for listing invoices (issue 3): every list sorts on (sort key, id)
-- and pages with a keyset on the same pair, so each index below ends with
-- exactly the sort expression ListInvoices writes, then id. Dates sort with
-- NULL (a draft whose date was cleared) as '0001-01-01', hence the COALESCE.

-- The invoice-date indexes of 00002 were on the bare column, which the
-- ORDER BY COALESCE(invoice_date, …) of the list could not use.
DROP INDEX invoices_date_idx;
DROP INDEX invoices_status_date_idx;
DROP INDEX invoices_customer_date_idx;
CREATE INDEX invoices_date_idx ON invoices (tenant_id, (COALESCE(invoice_date, '0001-01-01'::date)), id);
CREATE INDEX invoices_status_date_idx ON invoices (tenant_id, status, (COALESCE(invoice_date, '0001-01-01'::date)), id);
CREATE INDEX invoices_customer_date_idx ON invoices (tenant_id, customer_id, (COALESCE(invoice_date, '0001-01-01'::date)), id);
-- The documents billed to an account other than their customer's own (a
-- reseller's sub-accounts): the customer filter's second branch.
CREATE INDEX invoices_billed_to_date_idx ON invoices (tenant_id, invoice_account_id, (COALESCE(invoice_date, '0001-01-01'::date)), id)
    WHERE customer_id <> invoice_account_id;
-- One invoice per provider (seed 000): a provider's invoices by amount.
CREATE INDEX invoices_provider_amount_idx ON invoices (tenant_id, provider, total, id);

-- Search: a trigram GIN index over the folded search text, which
-- search LIKE '%text%' uses. A GIN index has no leading column: the tenant
-- is checked on the rows it finds. pg_trgm (a trusted extension, shipped
-- with PostgreSQL) is shared by every schema of the database: it goes to
-- public, or stays wherever it already is, and never into Facturo's own
-- schema, whose removal would take every other schema's index with it. The
-- advisory lock keeps nodes that migrate different schemas at once from
-- creating it twice.
-- +goose StatementBegin
DO $$
DECLARE
    ext_schema name;
BEGIN
    PERFORM pg_advisory_xact_lock(4207863916384201233);
    SELECT n.nspname INTO ext_schema
        FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
    IF ext_schema IS NULL THEN
        ext_schema := COALESCE((SELECT nspname FROM pg_namespace WHERE nspname = 'public'), current_schema());
        EXECUTE format('CREATE EXTENSION pg_trgm SCHEMA %I', ext_schema);
    END IF;
    EXECUTE format('CREATE INDEX invoices_search_idx ON invoices USING gin (search %I.gin_trgm_ops)', ext_schema);
END
$$;
-- +goose StatementEnd

-- +goose Down
SELECT 'forward-only';
