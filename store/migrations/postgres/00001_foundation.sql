-- +goose Up
CREATE TABLE tenants (
    id          text PRIMARY KEY,
    name        text NOT NULL,
    legal_name  text NOT NULL,
    tax_id      text NOT NULL DEFAULT '',
    line1       text NOT NULL DEFAULT '',
    line2       text NOT NULL DEFAULT '',
    city        text NOT NULL DEFAULT '',
    region      text NOT NULL DEFAULT '',
    postal_code text NOT NULL DEFAULT '',
    country     text NOT NULL DEFAULT '',
    currency    text NOT NULL,
    time_zone   text NOT NULL,
    language    text NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);

CREATE TABLE customers (
    tenant_id               text NOT NULL REFERENCES tenants (id),
    id                      text NOT NULL,
    number                  text NOT NULL,
    name                    text NOT NULL,
    contacts                jsonb NOT NULL DEFAULT '[]',
    legal_name              text NOT NULL DEFAULT '',
    tax_id                  text NOT NULL DEFAULT '',
    billing_email           text NOT NULL DEFAULT '',
    language                text NOT NULL DEFAULT '',
    currency                text NOT NULL DEFAULT '',
    line1                   text NOT NULL DEFAULT '',
    line2                   text NOT NULL DEFAULT '',
    city                    text NOT NULL DEFAULT '',
    region                  text NOT NULL DEFAULT '',
    postal_code             text NOT NULL DEFAULT '',
    country                 text NOT NULL DEFAULT '',
    invoice_account_id      text,
    payment_terms_days      integer NOT NULL DEFAULT 30,
    credit_limit            numeric(28, 8) NOT NULL DEFAULT 0,
    sales_tax_group         text NOT NULL DEFAULT '',
    sap_id                  text NOT NULL DEFAULT '',
    billing_contract_number text NOT NULL DEFAULT '',
    sales_account_executive text NOT NULL DEFAULT '',
    parent_id               text,
    custom_fields           jsonb NOT NULL DEFAULT '{}',
    has_billing_info        boolean NOT NULL DEFAULT false,
    search                  text NOT NULL DEFAULT '',
    archived_at             timestamptz,
    created_at              timestamptz NOT NULL,
    updated_at              timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT customers_number_key UNIQUE (tenant_id, number),
    FOREIGN KEY (tenant_id, invoice_account_id) REFERENCES customers (tenant_id, id),
    FOREIGN KEY (tenant_id, parent_id) REFERENCES customers (tenant_id, id)
);
CREATE INDEX customers_name_idx ON customers (tenant_id, name, id);
CREATE INDEX customers_created_idx ON customers (tenant_id, created_at, id);
CREATE INDEX customers_updated_idx ON customers (tenant_id, updated_at, id);
CREATE INDEX customers_parent_idx ON customers (tenant_id, parent_id);

CREATE TABLE users (
    tenant_id     text NOT NULL REFERENCES tenants (id),
    id            text NOT NULL,
    email         text NOT NULL,
    name          text NOT NULL,
    role          text NOT NULL,
    customer_id   text,
    language      text NOT NULL,
    password_hash text NOT NULL,
    disabled_at   timestamptz,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT users_email_key UNIQUE (tenant_id, email),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
);
CREATE INDEX users_email_idx ON users (email);

CREATE TABLE api_keys (
    tenant_id    text NOT NULL REFERENCES tenants (id),
    id           text NOT NULL,
    name         text NOT NULL,
    prefix       text NOT NULL,
    hash         text NOT NULL,
    role         text NOT NULL,
    customer_id  text,
    created_by   text NOT NULL,
    created_at   timestamptz NOT NULL,
    last_used_at timestamptz,
    revoked_at   timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
);
-- Bearer keys are looked up by hash before the tenant is known.
CREATE UNIQUE INDEX api_keys_hash_key ON api_keys (hash);

CREATE TABLE audit_log (
    tenant_id   text NOT NULL REFERENCES tenants (id),
    id          text NOT NULL,
    at          timestamptz NOT NULL,
    actor_type  text NOT NULL,
    actor_id    text NOT NULL,
    actor_name  text NOT NULL,
    action      text NOT NULL,
    target_type text NOT NULL,
    target_id   text NOT NULL,
    changes     jsonb,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_log_target_idx ON audit_log (tenant_id, target_id, id);

CREATE TABLE counters (
    tenant_id text NOT NULL REFERENCES tenants (id),
    name      text NOT NULL,
    value     bigint NOT NULL,
    PRIMARY KEY (tenant_id, name)
);

CREATE TABLE login_attempts (
    id      bigserial PRIMARY KEY,
    email   text NOT NULL,
    ip      text NOT NULL,
    at      timestamptz NOT NULL,
    success boolean NOT NULL
);
CREATE INDEX login_attempts_email_idx ON login_attempts (email, at);
CREATE INDEX login_attempts_ip_idx ON login_attempts (ip, at);

CREATE TABLE sessions (
    token  text PRIMARY KEY,
    data   bytea NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

CREATE TABLE idempotency_keys (
    tenant_id     text NOT NULL REFERENCES tenants (id),
    key           text NOT NULL,
    request_hash  text NOT NULL,
    state         text NOT NULL,
    status_code   integer NOT NULL DEFAULT 0,
    content_type  text NOT NULL DEFAULT '',
    response_body bytea,
    locked_until  timestamptz NOT NULL,
    created_at    timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

-- +goose Down
SELECT 'forward-only';
