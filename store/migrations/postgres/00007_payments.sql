-- +goose Up
-- Cards on file: only the provider's token, brand, last four digits and expiry.
CREATE TABLE payment_methods (
    tenant_id         text NOT NULL REFERENCES tenants (id),
    id                text NOT NULL,
    customer_id       text NOT NULL,
    provider          text NOT NULL,
    provider_customer text NOT NULL DEFAULT '',
    token             text NOT NULL,
    brand             text NOT NULL,
    last4             text NOT NULL,
    exp_month         integer NOT NULL,
    exp_year          integer NOT NULL,
    is_primary        boolean NOT NULL DEFAULT false,
    created_at        timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX payment_methods_customer_idx ON payment_methods (tenant_id, customer_id, created_at);
-- At most one primary card per customer.
CREATE UNIQUE INDEX payment_methods_primary_key ON payment_methods (tenant_id, customer_id) WHERE is_primary;

-- Money received from a customer. unapplied is the part not yet set against
-- an invoice: the customer's credit.
CREATE TABLE payments (
    tenant_id         text NOT NULL REFERENCES tenants (id),
    id                text NOT NULL,
    customer_id       text NOT NULL,
    method            text NOT NULL,
    amount            numeric(24, 6) NOT NULL,
    currency          text NOT NULL,
    exchange_rate     numeric(24, 10) NOT NULL,
    amount_accounting numeric(24, 6) NOT NULL,
    unapplied         numeric(24, 6) NOT NULL,
    refunded          numeric(24, 6) NOT NULL DEFAULT 0,
    payment_date      text NOT NULL,
    reference         text NOT NULL DEFAULT '',
    payment_method_id text NOT NULL DEFAULT '',
    card_brand        text NOT NULL DEFAULT '',
    card_last4        text NOT NULL DEFAULT '',
    provider          text NOT NULL DEFAULT '',
    charge_id         text NOT NULL DEFAULT '',
    entry_id          text NOT NULL DEFAULT '',
    created_by        text NOT NULL DEFAULT '',
    created_at        timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX payments_customer_idx ON payments (tenant_id, customer_id, created_at);
CREATE INDEX payments_unapplied_idx ON payments (tenant_id, customer_id, currency) WHERE unapplied > 0;

-- Settlement: a payment or credit note set against an invoice.
CREATE TABLE payment_applications (
    tenant_id         text NOT NULL REFERENCES tenants (id),
    id                text NOT NULL,
    source_type       text NOT NULL, -- payment, credit_note
    source_id         text NOT NULL,
    invoice_id        text NOT NULL,
    amount            numeric(24, 6) NOT NULL,
    amount_accounting numeric(24, 6) NOT NULL,
    reversed          numeric(24, 6) NOT NULL DEFAULT 0,
    entry_id          text NOT NULL DEFAULT '',
    created_at        timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX payment_applications_source_idx ON payment_applications (tenant_id, source_id);
CREATE INDEX payment_applications_invoice_idx ON payment_applications (tenant_id, invoice_id);

CREATE TABLE refunds (
    tenant_id         text NOT NULL REFERENCES tenants (id),
    id                text NOT NULL,
    payment_id        text NOT NULL,
    amount            numeric(24, 6) NOT NULL,
    amount_accounting numeric(24, 6) NOT NULL,
    reason            text NOT NULL DEFAULT '',
    provider_refund   text NOT NULL DEFAULT '',
    refund_date       text NOT NULL,
    entry_id          text NOT NULL DEFAULT '',
    created_by        text NOT NULL DEFAULT '',
    created_at        timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX refunds_payment_idx ON refunds (tenant_id, payment_id);

-- Dunning: the tenant's reminder schedule (days past due, comma-separated)
-- and one row per reminder step sent, so each is queued exactly once.
CREATE TABLE dunning_settings (
    tenant_id text PRIMARY KEY REFERENCES tenants (id),
    offsets   text NOT NULL
);
CREATE TABLE dunning_steps (
    tenant_id       text NOT NULL REFERENCES tenants (id),
    invoice_id      text NOT NULL,
    step            integer NOT NULL,
    notification_id text NOT NULL,
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, invoice_id, step)
);

-- Customer credit (unapplied payments) has its own liability account.
INSERT INTO ledger_accounts (tenant_id, code, name, type, role, archived)
SELECT id, '2300', 'Customer credit (unapplied payments)', 'liability', 'customer_credit', false FROM tenants
ON CONFLICT (tenant_id, code) DO NOTHING;

-- +goose Down
DROP TABLE dunning_steps;
DROP TABLE dunning_settings;
DROP TABLE refunds;
DROP TABLE payment_applications;
DROP TABLE payments;
DROP TABLE payment_methods;
