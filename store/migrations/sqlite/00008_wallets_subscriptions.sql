-- +goose Up
-- Wallets (seed 003): one per customer; paid credits are a liability
-- (customer prepayments), complimentary credits are lots granted by staff
-- and kept apart, each with an optional expiry.
CREATE TABLE wallet_settings (
    tenant_id                text PRIMARY KEY REFERENCES tenants (id),
    receipt_emails           integer NOT NULL DEFAULT 0,
    allow_negative           integer NOT NULL DEFAULT 0,
    recharge_max_attempts    integer NOT NULL DEFAULT 4,
    recharge_backoff_seconds integer NOT NULL DEFAULT 300
);

CREATE TABLE wallets (
    tenant_id           text NOT NULL REFERENCES tenants (id),
    customer_id         text NOT NULL,
    id                  text NOT NULL,
    currency            text NOT NULL,
    credit_rate         text NOT NULL,
    paid_balance        text NOT NULL DEFAULT '0',
    auto_recharge       integer NOT NULL DEFAULT 0,
    recharge_threshold  text NOT NULL DEFAULT '0',
    recharge_amount     text NOT NULL DEFAULT '0',
    pending_recharge_id text NOT NULL DEFAULT '',
    created_at          text NOT NULL,
    updated_at          text NOT NULL,
    PRIMARY KEY (tenant_id, customer_id),
    CONSTRAINT wallets_id_key UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
);

CREATE TABLE wallet_grants (
    tenant_id   text NOT NULL,
    id          text NOT NULL,
    customer_id text NOT NULL,
    amount      text NOT NULL,
    remaining   text NOT NULL,
    expires_on  text,
    reason      text NOT NULL DEFAULT '',
    created_at  text NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES wallets (tenant_id, customer_id)
);
CREATE INDEX wallet_grants_customer_idx ON wallet_grants (tenant_id, customer_id, expires_on);

CREATE TABLE wallet_movements (
    tenant_id      text NOT NULL,
    id             text NOT NULL,
    customer_id    text NOT NULL,
    kind           text NOT NULL,
    ref            text NOT NULL DEFAULT '',
    paid           text NOT NULL DEFAULT '0',
    complimentary  text NOT NULL DEFAULT '0',
    billed         text NOT NULL DEFAULT '0',
    paid_after     text NOT NULL DEFAULT '0',
    description    text NOT NULL DEFAULT '',
    receipt_number text NOT NULL DEFAULT '',
    provider_ref   text NOT NULL DEFAULT '',
    entry_id       text NOT NULL DEFAULT '',
    sales_item_id  text NOT NULL DEFAULT '',
    created_at     text NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES wallets (tenant_id, customer_id)
);
-- A usage charge or recharge is applied once per reference.
CREATE UNIQUE INDEX wallet_movements_ref_key ON wallet_movements (tenant_id, customer_id, kind, ref) WHERE ref <> '';
CREATE INDEX wallet_movements_customer_idx ON wallet_movements (tenant_id, customer_id, id);

-- Durable recharge jobs: at most one open per wallet (wallets.pending_recharge_id).
CREATE TABLE wallet_recharges (
    tenant_id       text NOT NULL,
    id              text NOT NULL,
    customer_id     text NOT NULL,
    amount          text NOT NULL,
    status          text NOT NULL,
    auto            integer NOT NULL DEFAULT 1,
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at text NOT NULL,
    locked_until    text,
    last_error      text NOT NULL DEFAULT '',
    movement_id     text NOT NULL DEFAULT '',
    created_at      text NOT NULL,
    updated_at      text NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES wallets (tenant_id, customer_id)
);
CREATE INDEX wallet_recharges_due_idx ON wallet_recharges (status, next_attempt_at);
CREATE INDEX wallet_recharges_customer_idx ON wallet_recharges (tenant_id, customer_id);

-- Subscriptions (seed 003): the tenant's own SaaS plan, resale and
-- marketplace apps. Renewals become sales items (source subscription).
CREATE TABLE subscriptions (
    tenant_id            text NOT NULL REFERENCES tenants (id),
    id                   text NOT NULL,
    customer_id          text NOT NULL,
    kind                 text NOT NULL,
    product_id           text NOT NULL,
    description          text NOT NULL DEFAULT '',
    quantity             text NOT NULL,
    price                text NOT NULL,
    currency             text NOT NULL,
    interval             text NOT NULL,
    start_date           text NOT NULL,
    next_renewal         text NOT NULL,
    status               text NOT NULL,
    cancel_at_period_end integer NOT NULL DEFAULT 0,
    ends_on              text,
    paused_on            text,
    created_at           text NOT NULL,
    updated_at           text NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id),
    FOREIGN KEY (tenant_id, product_id) REFERENCES products (tenant_id, id)
);
CREATE INDEX subscriptions_customer_idx ON subscriptions (tenant_id, customer_id);
CREATE INDEX subscriptions_renewal_idx ON subscriptions (tenant_id, status, next_renewal);

-- +goose Down
SELECT 'forward-only';
