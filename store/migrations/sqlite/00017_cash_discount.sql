-- +goose Up
-- Seed 004's cash discount: the amount (a percentage of the total, tax
-- included, rounded to the currency) is computed by the domain and stored
-- with the invoice. Drafts get it on their next save or issue; documents
-- issued before keep none.
ALTER TABLE invoices ADD COLUMN cash_discount_amount text NOT NULL DEFAULT '0';

-- Cash discounts granted at settlement post to an expense account with the
-- role cash_discount: tenants that exist already get 6810 (new ones get it
-- with the default chart), unless they use that code already.
INSERT INTO ledger_accounts (tenant_id, code, name, type, role, archived)
SELECT t.id, '6810', 'Cash discounts granted', 'expense', 'cash_discount', 0 FROM tenants t
WHERE NOT EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.tenant_id = t.id AND (a.code = '6810' OR a.role = 'cash_discount'));

-- +goose Down
SELECT 'forward-only';
