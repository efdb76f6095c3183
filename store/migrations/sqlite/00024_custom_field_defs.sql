-- +goose Up
-- The definitions of a tenant's custom fields (billing.CustomFieldDef): the
-- label of a key of the free custom_fields of its invoices or customers in
-- each language, whether documents print it, and its place. Part of the
-- tenant's cached configuration (migration 00021): its triggers set a new
-- version on any change.
CREATE TABLE custom_field_defs (
    tenant_id         text NOT NULL REFERENCES tenants (id),
    applies_to        text NOT NULL,
    field_key         text NOT NULL,
    labels            text NOT NULL DEFAULT '{}',
    show_on_documents integer NOT NULL DEFAULT 0,
    ordinal           integer NOT NULL DEFAULT 0,
    created_at        text NOT NULL,
    updated_at        text NOT NULL,
    PRIMARY KEY (tenant_id, applies_to, field_key)
);
-- +goose StatementBegin
CREATE TRIGGER custom_field_defs_config_insert AFTER INSERT ON custom_field_defs BEGIN
    INSERT INTO tenant_config_versions (tenant_id, version) VALUES (NEW.tenant_id, lower(hex(randomblob(16))))
    ON CONFLICT (tenant_id) DO UPDATE SET version = excluded.version;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER custom_field_defs_config_update AFTER UPDATE ON custom_field_defs BEGIN
    INSERT INTO tenant_config_versions (tenant_id, version) VALUES (NEW.tenant_id, lower(hex(randomblob(16))))
    ON CONFLICT (tenant_id) DO UPDATE SET version = excluded.version;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER custom_field_defs_config_delete AFTER DELETE ON custom_field_defs BEGIN
    INSERT INTO tenant_config_versions (tenant_id, version) VALUES (OLD.tenant_id, lower(hex(randomblob(16))))
    ON CONFLICT (tenant_id) DO UPDATE SET version = excluded.version;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER custom_field_defs_config_insert;
DROP TRIGGER custom_field_defs_config_update;
DROP TRIGGER custom_field_defs_config_delete;
DROP TABLE custom_field_defs;
