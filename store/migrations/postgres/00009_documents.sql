-- +goose Up
-- A tenant's document branding: logo, colours, payment instructions and the
-- bank account and contact printed on PDFs and given in UBL e-invoices.
CREATE TABLE tenant_branding (
    tenant_id            text NOT NULL PRIMARY KEY REFERENCES tenants (id),
    logo                 bytea,
    logo_type            text NOT NULL DEFAULT '',
    primary_color        text NOT NULL DEFAULT '',
    accent_color         text NOT NULL DEFAULT '',
    payment_instructions text NOT NULL DEFAULT '',
    iban                 text NOT NULL DEFAULT '',
    bic                  text NOT NULL DEFAULT '',
    email                text NOT NULL DEFAULT '',
    phone                text NOT NULL DEFAULT '',
    updated_at           timestamptz NOT NULL
);

-- +goose Down
SELECT 'forward-only';
