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
CREATE INDEX invoices_date_idx ON invoices (tenant_id, COALESCE(invoice_date, '0001-01-01'), id);
CREATE INDEX invoices_status_date_idx ON invoices (tenant_id, status, COALESCE(invoice_date, '0001-01-01'), id);
CREATE INDEX invoices_customer_date_idx ON invoices (tenant_id, customer_id, COALESCE(invoice_date, '0001-01-01'), id);
-- The documents billed to an account other than their customer's own (a
-- reseller's sub-accounts): the customer filter's second branch.
CREATE INDEX invoices_billed_to_date_idx ON invoices (tenant_id, invoice_account_id, COALESCE(invoice_date, '0001-01-01'), id)
    WHERE customer_id <> invoice_account_id;
-- One invoice per provider (seed 000): a provider's invoices by amount.
CREATE INDEX invoices_provider_amount_idx ON invoices (tenant_id, provider, CAST(total AS REAL), id);

-- Search: a trigram index over the folded search text, so that
-- search LIKE '%text%' looks up candidates instead of reading every invoice.
-- ListInvoices asks it for the rows holding some of the text's trigrams and
-- still applies the LIKE, so results are exactly those of the LIKE alone:
-- no positions are needed (detail none), nor sizes for ranking. The index
-- follows invoices' rowid, which UPDATE keeps and which VACUUM keeps for a
-- table with indexes.
CREATE VIRTUAL TABLE invoices_search USING fts5(search, content = 'invoices', content_rowid = 'rowid',
    tokenize = 'trigram case_sensitive 1', detail = 'none', columnsize = 0);
INSERT INTO invoices_search (invoices_search) VALUES ('rebuild');
-- +goose StatementBegin
CREATE TRIGGER invoices_search_insert AFTER INSERT ON invoices BEGIN
    INSERT INTO invoices_search (rowid, search) VALUES (new.rowid, new.search);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER invoices_search_delete AFTER DELETE ON invoices BEGIN
    INSERT INTO invoices_search (invoices_search, rowid, search) VALUES ('delete', old.rowid, old.search);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER invoices_search_update AFTER UPDATE OF search ON invoices WHEN old.search IS NOT new.search BEGIN
    INSERT INTO invoices_search (invoices_search, rowid, search) VALUES ('delete', old.rowid, old.search);
    INSERT INTO invoices_search (rowid, search) VALUES (new.rowid, new.search);
END;
-- +goose StatementEnd

-- +goose Down
SELECT 'forward-only';
