-- +goose Up
-- The definitions of a tenant's custom fields (billing.CustomFieldDef): the
-- label of a key of the free custom_fields of its invoices or customers in
-- each language, whether documents print it, and its place. Part of the
-- tenant's cached configuration (migration 00021): its trigger sets a new
-- version on any change.
CREATE TABLE custom_field_defs (
    tenant_id         text NOT NULL REFERENCES tenants (id),
    applies_to        text NOT NULL,
    field_key         text NOT NULL,
    labels            jsonb NOT NULL DEFAULT '{}',
    show_on_documents boolean NOT NULL DEFAULT false,
    ordinal           integer NOT NULL DEFAULT 0,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, applies_to, field_key)
);
CREATE TRIGGER custom_field_defs_config AFTER INSERT OR UPDATE OR DELETE ON custom_field_defs FOR EACH ROW EXECUTE FUNCTION tenant_config_changed('tenant_id');

-- +goose Down
DROP TRIGGER custom_field_defs_config ON custom_field_defs;
DROP TABLE custom_field_defs;
