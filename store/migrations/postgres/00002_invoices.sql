-- +goose Up
ALTER TABLE tenants ADD COLUMN tax_mode text NOT NULL DEFAULT 'per_code';
ALTER TABLE customers ADD COLUMN posting_profile text NOT NULL DEFAULT '';

CREATE TABLE tax_codes (
    tenant_id             text NOT NULL REFERENCES tenants (id),
    code                  text NOT NULL,
    name                  text NOT NULL,
    rate                  numeric(9, 4) NOT NULL,
    category              text NOT NULL,
    account               text NOT NULL,
    exemption_reason      text NOT NULL DEFAULT '',
    exemption_reason_code text NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, code)
);

CREATE TABLE tax_groups (
    tenant_id text NOT NULL REFERENCES tenants (id),
    kind      text NOT NULL,
    code      text NOT NULL,
    name      text NOT NULL,
    tax_codes jsonb NOT NULL DEFAULT '[]',
    PRIMARY KEY (tenant_id, kind, code)
);

CREATE TABLE ledger_accounts (
    tenant_id text NOT NULL REFERENCES tenants (id),
    code      text NOT NULL,
    name      text NOT NULL,
    type      text NOT NULL,
    role      text NOT NULL DEFAULT '',
    archived  boolean NOT NULL DEFAULT false,
    PRIMARY KEY (tenant_id, code)
);

CREATE TABLE posting_profiles (
    tenant_id           text NOT NULL REFERENCES tenants (id),
    code                text NOT NULL,
    name                text NOT NULL,
    receivables_account text NOT NULL,
    PRIMARY KEY (tenant_id, code),
    FOREIGN KEY (tenant_id, receivables_account) REFERENCES ledger_accounts (tenant_id, code)
);

CREATE TABLE number_series (
    tenant_id text NOT NULL REFERENCES tenants (id),
    kind      text NOT NULL,
    pattern   text NOT NULL,
    PRIMARY KEY (tenant_id, kind)
);

CREATE TABLE invoices (
    tenant_id             text NOT NULL REFERENCES tenants (id),
    id                    text NOT NULL,
    kind                  text NOT NULL,
    status                text NOT NULL,
    document_number       text NOT NULL,
    number                text,
    customer_id           text NOT NULL,
    invoice_account_id    text NOT NULL,
    customer_name         text NOT NULL,
    bill_to               jsonb NOT NULL,
    invoice_date          date,
    document_date         date,
    due_date              date,
    cash_discount_date    date,
    cash_discount_percent numeric(9, 4) NOT NULL DEFAULT 0,
    period_start          date,
    period_end            date,
    currency              text NOT NULL,
    exchange_rate         numeric(24, 10) NOT NULL,
    provider              text NOT NULL DEFAULT '',
    method_of_payment     text NOT NULL DEFAULT '',
    payment_terms_days    integer NOT NULL DEFAULT 0,
    payment_schedule      jsonb NOT NULL DEFAULT '[]',
    hold_until            date,
    language              text NOT NULL,
    custom_fields         jsonb NOT NULL DEFAULT '{}',
    notes                 text NOT NULL DEFAULT '',
    external_refs         jsonb NOT NULL DEFAULT '{}',
    posting_profile       text NOT NULL DEFAULT '',
    tax_mode              text NOT NULL,
    net                   numeric(24, 6) NOT NULL,
    tax                   numeric(24, 6) NOT NULL,
    total                 numeric(24, 6) NOT NULL,
    paid                  numeric(24, 6) NOT NULL DEFAULT 0,
    balance               numeric(24, 6) NOT NULL,
    total_accounting      numeric(24, 6) NOT NULL,
    balance_accounting    numeric(24, 6) NOT NULL,
    taxes                 jsonb NOT NULL DEFAULT '[]',
    entry_id              text NOT NULL DEFAULT '',
    void_entry_id         text NOT NULL DEFAULT '',
    close_reason          text NOT NULL DEFAULT '',
    issued_at             timestamptz,
    closed_at             timestamptz,
    voided_at             timestamptz,
    search                text NOT NULL DEFAULT '',
    created_at            timestamptz NOT NULL,
    updated_at            timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id),
    FOREIGN KEY (tenant_id, invoice_account_id) REFERENCES customers (tenant_id, id)
);
CREATE UNIQUE INDEX invoices_number_key ON invoices (tenant_id, number) WHERE number IS NOT NULL;
CREATE UNIQUE INDEX invoices_document_number_key ON invoices (tenant_id, document_number);
CREATE INDEX invoices_date_idx ON invoices (tenant_id, invoice_date, id);
CREATE INDEX invoices_status_date_idx ON invoices (tenant_id, status, invoice_date, id);
CREATE INDEX invoices_customer_date_idx ON invoices (tenant_id, customer_id, invoice_date, id);
CREATE INDEX invoices_account_idx ON invoices (tenant_id, invoice_account_id, status);
CREATE INDEX invoices_due_idx ON invoices (tenant_id, status, due_date);
CREATE INDEX invoices_created_idx ON invoices (tenant_id, created_at, id);

CREATE TABLE invoice_lines (
    tenant_id            text NOT NULL,
    invoice_id           text NOT NULL,
    position             integer NOT NULL,
    description          text NOT NULL,
    product_id           text NOT NULL DEFAULT '',
    account              text NOT NULL DEFAULT '',
    sales_tax_group      text NOT NULL DEFAULT '',
    item_sales_tax_group text NOT NULL DEFAULT '',
    quantity             numeric(24, 6),
    unit                 text NOT NULL DEFAULT '',
    unit_price           numeric(24, 6),
    discount             numeric(24, 6) NOT NULL DEFAULT 0,
    amount               numeric(24, 6) NOT NULL,
    charge_type          text NOT NULL,
    service_start        date,
    service_end          date,
    distribution         jsonb NOT NULL DEFAULT '[]',
    tax_codes            jsonb NOT NULL DEFAULT '[]',
    tax_amount           numeric(24, 6) NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, invoice_id, position),
    FOREIGN KEY (tenant_id, invoice_id) REFERENCES invoices (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE journal_entries (
    tenant_id   text NOT NULL REFERENCES tenants (id),
    id          text NOT NULL,
    number      text NOT NULL,
    date        date NOT NULL,
    description text NOT NULL,
    source_type text NOT NULL,
    source_id   text NOT NULL,
    reverses_id text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT journal_entries_number_key UNIQUE (tenant_id, number)
);
CREATE INDEX journal_entries_source_idx ON journal_entries (tenant_id, source_id);

CREATE TABLE journal_lines (
    tenant_id   text NOT NULL,
    entry_id    text NOT NULL,
    line_no     integer NOT NULL,
    date        date NOT NULL,
    account     text NOT NULL,
    debit       numeric(24, 6) NOT NULL,
    credit      numeric(24, 6) NOT NULL,
    customer_id text NOT NULL DEFAULT '',
    invoice_id  text NOT NULL DEFAULT '',
    currency    text NOT NULL DEFAULT '',
    amount      numeric(24, 6) NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, entry_id, line_no),
    FOREIGN KEY (tenant_id, entry_id) REFERENCES journal_entries (tenant_id, id),
    FOREIGN KEY (tenant_id, account) REFERENCES ledger_accounts (tenant_id, code)
);
CREATE INDEX journal_lines_account_idx ON journal_lines (tenant_id, account, date);
CREATE INDEX journal_lines_customer_idx ON journal_lines (tenant_id, customer_id, date);

CREATE TABLE notifications (
    tenant_id   text NOT NULL REFERENCES tenants (id),
    id          text NOT NULL,
    kind        text NOT NULL,
    target_type text NOT NULL,
    target_id   text NOT NULL,
    recipient   text NOT NULL,
    language    text NOT NULL,
    payload     jsonb NOT NULL DEFAULT '{}',
    status      text NOT NULL,
    attempts    integer NOT NULL DEFAULT 0,
    last_error  text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    sent_at     timestamptz,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX notifications_status_idx ON notifications (status, created_at);
CREATE INDEX notifications_target_idx ON notifications (tenant_id, target_id);

-- +goose Down
SELECT 'forward-only';
