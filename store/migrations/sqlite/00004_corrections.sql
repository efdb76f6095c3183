-- +goose Up
ALTER TABLE tenants ADD COLUMN approval_required integer NOT NULL DEFAULT 0;

ALTER TABLE invoices ADD COLUMN original_id text NOT NULL DEFAULT '';
ALTER TABLE invoices ADD COLUMN credit_note_id text NOT NULL DEFAULT '';
ALTER TABLE invoices ADD COLUMN replacement_id text NOT NULL DEFAULT '';
ALTER TABLE invoices ADD COLUMN correction_reason text NOT NULL DEFAULT '';
ALTER TABLE invoices ADD COLUMN correction_comment text NOT NULL DEFAULT '';
ALTER TABLE invoices ADD COLUMN template_id text NOT NULL DEFAULT '';
ALTER TABLE invoices ADD COLUMN template_period text NOT NULL DEFAULT '';
-- A template makes one document per period, whichever node runs the schedule.
CREATE UNIQUE INDEX invoices_template_period_key ON invoices (tenant_id, template_id, template_period) WHERE template_id <> '';

CREATE TABLE reason_codes (
    tenant_id   text NOT NULL REFERENCES tenants (id),
    code        text NOT NULL,
    description text NOT NULL,
    archived    integer NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, code)
);

-- Tenants that exist already get the default reason codes (new ones get them on creation).
INSERT INTO reason_codes (tenant_id, code, description, archived)
SELECT t.id, r.code, r.description, 0 FROM tenants t CROSS JOIN (
    SELECT 'PRICE' AS code, 'Wrong price' AS description
    UNION ALL SELECT 'QUANTITY', 'Wrong quantity'
    UNION ALL SELECT 'CUSTOMER', 'Wrong customer or billing details'
    UNION ALL SELECT 'TAX', 'Wrong tax'
    UNION ALL SELECT 'PERIOD', 'Wrong billing period'
    UNION ALL SELECT 'OTHER', 'Other'
) r;

CREATE TABLE invoice_workflow (
    tenant_id  text NOT NULL,
    invoice_id text NOT NULL,
    seq        integer NOT NULL,
    action     text NOT NULL,
    actor_id   text NOT NULL,
    actor_name text NOT NULL,
    comment    text NOT NULL DEFAULT '',
    at         text NOT NULL,
    PRIMARY KEY (tenant_id, invoice_id, seq)
);

CREATE TABLE recurring_templates (
    tenant_id    text NOT NULL REFERENCES tenants (id),
    id           text NOT NULL,
    name         text NOT NULL,
    customer_id  text NOT NULL,
    interval     text NOT NULL,
    start_date   text NOT NULL,
    end_date     text,
    next_date    text NOT NULL,
    auto_issue   integer NOT NULL DEFAULT 0,
    status       text NOT NULL,
    invoice      text NOT NULL,
    created_at   text NOT NULL,
    updated_at   text NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
);
CREATE INDEX recurring_templates_due_idx ON recurring_templates (tenant_id, status, next_date);

CREATE TABLE attachments (
    tenant_id    text NOT NULL REFERENCES tenants (id),
    id           text NOT NULL,
    invoice_id   text NOT NULL,
    filename     text NOT NULL,
    content_type text NOT NULL,
    size         integer NOT NULL,
    sha256       text NOT NULL,
    data         blob NOT NULL,
    created_by   text NOT NULL,
    created_at   text NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, invoice_id) REFERENCES invoices (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX attachments_invoice_idx ON attachments (tenant_id, invoice_id);

-- +goose Down
SELECT 'forward-only';
