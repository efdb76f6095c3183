-- +goose Up
-- Charges on an invoice's header rather than on a line (issue 16, seed
-- 004: freight, a handling fee): each taxed like a line of its tax groups
-- and posted to its own ledger account. Computed with the document
-- (billing.Invoice.Compute) and stored beside its lines; a document's
-- charges are rewritten with it.
CREATE TABLE invoice_charges (
    tenant_id            text NOT NULL,
    invoice_id           text NOT NULL,
    position             integer NOT NULL,
    code                 text NOT NULL DEFAULT '',
    description          text NOT NULL,
    account              text NOT NULL,
    sales_tax_group      text NOT NULL DEFAULT '',
    item_sales_tax_group text NOT NULL DEFAULT '',
    amount               numeric(24, 6) NOT NULL,
    tax_codes            jsonb NOT NULL DEFAULT '[]',
    tax_amount           numeric(24, 6) NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, invoice_id, position),
    FOREIGN KEY (tenant_id, invoice_id) REFERENCES invoices (tenant_id, id) ON DELETE CASCADE
);

-- +goose Down
DROP TABLE invoice_charges;
