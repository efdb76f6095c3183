-- +goose Up
CREATE TABLE products (
    tenant_id            text NOT NULL REFERENCES tenants (id),
    id                   text NOT NULL,
    code                 text NOT NULL,
    name                 text NOT NULL,
    charge_type          text NOT NULL,
    unit                 text NOT NULL DEFAULT '',
    default_price        text NOT NULL DEFAULT '0',
    currency             text NOT NULL,
    account              text NOT NULL DEFAULT '',
    item_sales_tax_group text NOT NULL DEFAULT '',
    provider             text NOT NULL DEFAULT '',
    archived             integer NOT NULL DEFAULT 0,
    created_at           text NOT NULL,
    updated_at           text NOT NULL,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT products_code_key UNIQUE (tenant_id, code)
);

CREATE TABLE contracts (
    tenant_id   text NOT NULL REFERENCES tenants (id),
    id          text NOT NULL,
    number      text NOT NULL,
    customer_id text NOT NULL,
    name        text NOT NULL,
    status      text NOT NULL,
    created_at  text NOT NULL,
    updated_at  text NOT NULL,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT contracts_number_key UNIQUE (tenant_id, number),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
);
CREATE INDEX contracts_customer_idx ON contracts (tenant_id, customer_id);

CREATE TABLE contract_parts (
    tenant_id   text NOT NULL,
    id          text NOT NULL,
    contract_id text NOT NULL,
    product_id  text NOT NULL,
    description text NOT NULL DEFAULT '',
    quantity    text NOT NULL,
    price       text NOT NULL,
    interval    text NOT NULL,
    start_date  text NOT NULL,
    end_date    text,
    in_advance  integer NOT NULL DEFAULT 1,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, contract_id) REFERENCES contracts (tenant_id, id),
    FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id)
);
CREATE INDEX contract_parts_contract_idx ON contract_parts (tenant_id, contract_id);

CREATE TABLE tickets (
    tenant_id   text NOT NULL REFERENCES tenants (id),
    id          text NOT NULL,
    number      text NOT NULL,
    customer_id text NOT NULL,
    title       text NOT NULL,
    status      text NOT NULL,
    created_at  text NOT NULL,
    updated_at  text NOT NULL,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT tickets_number_key UNIQUE (tenant_id, number),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
);

CREATE TABLE time_entries (
    tenant_id   text NOT NULL,
    id          text NOT NULL,
    ticket_id   text NOT NULL,
    user_id     text NOT NULL,
    user_name   text NOT NULL,
    work_date   text NOT NULL,
    minutes     integer NOT NULL,
    billable    integer NOT NULL,
    rate        text NOT NULL DEFAULT '0',
    description text NOT NULL,
    created_at  text NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets (tenant_id, id)
);
CREATE INDEX time_entries_ticket_idx ON time_entries (tenant_id, ticket_id);

CREATE TABLE sales_items (
    tenant_id            text NOT NULL REFERENCES tenants (id),
    id                   text NOT NULL,
    customer_id          text NOT NULL,
    source               text NOT NULL,
    source_ref           text NOT NULL,
    product_id           text NOT NULL DEFAULT '',
    description          text NOT NULL,
    quantity             text NOT NULL,
    unit                 text NOT NULL DEFAULT '',
    unit_price           text NOT NULL,
    discount             text NOT NULL DEFAULT '0',
    gross                text NOT NULL,
    billing_date         text NOT NULL,
    period_start         text,
    period_end           text,
    provider             text NOT NULL DEFAULT '',
    currency             text NOT NULL,
    charge_type          text NOT NULL,
    account              text NOT NULL DEFAULT '',
    item_sales_tax_group text NOT NULL DEFAULT '',
    status               text NOT NULL,
    invoice_id           text NOT NULL DEFAULT '',
    created_at           text NOT NULL,
    updated_at           text NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
);
-- Each source makes a sales item once: a contract part per period, a time
-- entry, a usage record.
CREATE UNIQUE INDEX sales_items_source_key ON sales_items (tenant_id, source, source_ref) WHERE source <> 'manual';
CREATE INDEX sales_items_customer_idx ON sales_items (tenant_id, customer_id, status);
CREATE INDEX sales_items_status_date_idx ON sales_items (tenant_id, status, billing_date, id);
CREATE INDEX sales_items_date_idx ON sales_items (tenant_id, billing_date, id);
CREATE INDEX sales_items_invoice_idx ON sales_items (tenant_id, invoice_id);

CREATE TABLE billing_runs (
    tenant_id        text NOT NULL REFERENCES tenants (id),
    id               text NOT NULL,
    period_start     text NOT NULL,
    period_end       text NOT NULL,
    issue            integer NOT NULL DEFAULT 0,
    status           text NOT NULL,
    phase            text NOT NULL,
    items_total      integer NOT NULL DEFAULT 0,
    items_done       integer NOT NULL DEFAULT 0,
    groups_total     integer NOT NULL DEFAULT 0,
    groups_done      integer NOT NULL DEFAULT 0,
    invoices_created integer NOT NULL DEFAULT 0,
    contract_items   integer NOT NULL DEFAULT 0,
    error            text NOT NULL DEFAULT '',
    started_at       text NOT NULL,
    updated_at       text NOT NULL,
    finished_at      text,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT billing_runs_period_key UNIQUE (tenant_id, period_start, period_end)
);

ALTER TABLE tenants ADD COLUMN billing_run_day integer NOT NULL DEFAULT 0;

-- +goose Down
SELECT 'forward-only';
