-- +goose Up
-- The tenant's exchange-rate table: how many units of the ledger currency
-- one unit of currency is worth, effective from a date. A document in
-- currency takes the latest rate on or before its invoice date.
CREATE TABLE exchange_rates (
    tenant_id      text NOT NULL REFERENCES tenants (id),
    currency       text NOT NULL,
    effective_date date NOT NULL,
    rate           numeric(24, 10) NOT NULL,
    updated_at     timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, currency, effective_date)
);

-- The invoice groups (bill-to account, provider, currency) a billing run
-- left out, and why: a currency without an exchange rate.
CREATE TABLE billing_run_skips (
    tenant_id     text NOT NULL REFERENCES tenants (id),
    run_id        text NOT NULL,
    account_id    text NOT NULL,
    customer_number text NOT NULL DEFAULT '',
    customer_name text NOT NULL DEFAULT '',
    provider      text NOT NULL,
    currency      text NOT NULL,
    items         integer NOT NULL,
    reason        text NOT NULL,
    created_at    timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, run_id, account_id, provider, currency)
);

-- +goose Down
DROP TABLE billing_run_skips;
DROP TABLE exchange_rates;
