-- +goose Up
-- The version of each tenant's configuration: its settings (tenants), tax
-- codes and groups, chart of accounts, posting profiles, number series and
-- webhook endpoints, which every invoice reads. Each node keeps them in
-- memory per tenant and version (store/configcache) and reads only the
-- version in a transaction; any change of those rows, by Facturo or by
-- plain SQL, sets a new random version in its own transaction, so a change
-- rolled back never matches a version and every node sees a committed
-- change at its next transaction.
CREATE TABLE tenant_config_versions (
    tenant_id text PRIMARY KEY,
    version   text NOT NULL
);
-- +goose StatementBegin
CREATE TRIGGER tenants_config_insert AFTER INSERT ON tenants BEGIN
    INSERT INTO tenant_config_versions (tenant_id, version) VALUES (NEW.id, lower(hex(randomblob(16))))
    ON CONFLICT (tenant_id) DO UPDATE SET version = excluded.version;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tenants_config_update AFTER UPDATE ON tenants BEGIN
    INSERT INTO tenant_config_versions (tenant_id, version) VALUES (NEW.id, lower(hex(randomblob(16))))
    ON CONFLICT (tenant_id) DO UPDATE SET version = excluded.version;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tenants_config_delete AFTER DELETE ON tenants BEGIN
    INSERT INTO tenant_config_versions (tenant_id, version) VALUES (OLD.id, lower(hex(randomblob(16))))
    ON CONFLICT (tenant_id) DO UPDATE SET version = excluded.version;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tax_codes_config_insert AFTER INSERT ON tax_codes BEGIN
    INSERT INTO tenant_config_versions (tenant_id, version) VALUES (NEW.tenant_id, lower(hex(randomblob(16))))
    ON CONFLICT (tenant_id) DO UPDATE SET version = excluded.version;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tax_codes_config_update AFTER UPDATE ON tax_codes BEGIN
    INSERT INTO tenant_config_versions (tenant_id, version) VALUES (NEW.tenant_id, lower(hex(randomblob(16))))
    ON CONFLICT (tenant_id) DO UPDATE SET version = excluded.version;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tax_codes_config_delete AFTER DELETE ON tax_codes BEGIN
    INSERT INTO tenant_config_versions (tenant_id, version) VALUES (OLD.tenant_id, lower(hex(randomblob(16))))
    ON CONFLICT (tenant_id) DO UPDATE SET version = excluded.version;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tax_groups_config_insert AFTER INSERT ON tax_groups BEGIN
    INSERT INTO tenant_config_versions (tenant_id, version) VALUES (NEW.tenant_id, lower(hex(randomblob(16))))
    ON CONFLICT (tenant_id) DO UPDATE SET version = excluded.version;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tax_groups_config_update AFTER UPDATE ON tax_groups BEGIN
    INSERT INTO tenant_config_versions (tenant_id, version) VALUES (NEW.tenant_id, lower(hex(randomblob(16))))
    ON CONFLICT (tenant_id) DO UPDATE SET version = excluded.version;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tax_groups_config_delete AFTER DELETE ON tax_groups BEGIN
    INSERT INTO tenant_config_versions (tenant_id, version) VALUES (OLD.tenant_id, lower(hex(randomblob(16))))
    ON CONFLICT (tenant_id) DO UPDATE SET version = excluded.version;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ledger_accounts_config_insert AFTER INSERT ON ledger_accounts BEGIN
    INSERT INTO tenant_config_versions (tenant_id, version) VALUES (NEW.tenant_id, lower(hex(randomblob(16))))
    ON CONFLICT (tenant_id) DO UPDATE SET version = excluded.version;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ledger_accounts_config_update AFTER UPDATE ON ledger_accounts BEGIN
    INSERT INTO tenant_config_versions (tenant_id, version) VALUES (NEW.tenant_id, lower(hex(randomblob(16))))
    ON CONFLICT (tenant_id) DO UPDATE SET version = excluded.version;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ledger_accounts_config_delete AFTER DELETE ON ledger_accounts BEGIN
    INSERT INTO tenant_config_versions (tenant_id, version) VALUES (OLD.tenant_id, lower(hex(randomblob(16))))
    ON CONFLICT (tenant_id) DO UPDATE SET version = excluded.version;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER posting_profiles_config_insert AFTER INSERT ON posting_profiles BEGIN
    INSERT INTO tenant_config_versions (tenant_id, version) VALUES (NEW.tenant_id, lower(hex(randomblob(16))))
    ON CONFLICT (tenant_id) DO UPDATE SET version = excluded.version;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER posting_profiles_config_update AFTER UPDATE ON posting_profiles BEGIN
    INSERT INTO tenant_config_versions (tenant_id, version) VALUES (NEW.tenant_id, lower(hex(randomblob(16))))
    ON CONFLICT (tenant_id) DO UPDATE SET version = excluded.version;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER posting_profiles_config_delete AFTER DELETE ON posting_profiles BEGIN
    INSERT INTO tenant_config_versions (tenant_id, version) VALUES (OLD.tenant_id, lower(hex(randomblob(16))))
    ON CONFLICT (tenant_id) DO UPDATE SET version = excluded.version;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER number_series_config_insert AFTER INSERT ON number_series BEGIN
    INSERT INTO tenant_config_versions (tenant_id, version) VALUES (NEW.tenant_id, lower(hex(randomblob(16))))
    ON CONFLICT (tenant_id) DO UPDATE SET version = excluded.version;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER number_series_config_update AFTER UPDATE ON number_series BEGIN
    INSERT INTO tenant_config_versions (tenant_id, version) VALUES (NEW.tenant_id, lower(hex(randomblob(16))))
    ON CONFLICT (tenant_id) DO UPDATE SET version = excluded.version;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER number_series_config_delete AFTER DELETE ON number_series BEGIN
    INSERT INTO tenant_config_versions (tenant_id, version) VALUES (OLD.tenant_id, lower(hex(randomblob(16))))
    ON CONFLICT (tenant_id) DO UPDATE SET version = excluded.version;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER webhook_endpoints_config_insert AFTER INSERT ON webhook_endpoints BEGIN
    INSERT INTO tenant_config_versions (tenant_id, version) VALUES (NEW.tenant_id, lower(hex(randomblob(16))))
    ON CONFLICT (tenant_id) DO UPDATE SET version = excluded.version;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER webhook_endpoints_config_update AFTER UPDATE ON webhook_endpoints BEGIN
    INSERT INTO tenant_config_versions (tenant_id, version) VALUES (NEW.tenant_id, lower(hex(randomblob(16))))
    ON CONFLICT (tenant_id) DO UPDATE SET version = excluded.version;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER webhook_endpoints_config_delete AFTER DELETE ON webhook_endpoints BEGIN
    INSERT INTO tenant_config_versions (tenant_id, version) VALUES (OLD.tenant_id, lower(hex(randomblob(16))))
    ON CONFLICT (tenant_id) DO UPDATE SET version = excluded.version;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER tenants_config_insert;
DROP TRIGGER tenants_config_update;
DROP TRIGGER tenants_config_delete;
DROP TRIGGER tax_codes_config_insert;
DROP TRIGGER tax_codes_config_update;
DROP TRIGGER tax_codes_config_delete;
DROP TRIGGER tax_groups_config_insert;
DROP TRIGGER tax_groups_config_update;
DROP TRIGGER tax_groups_config_delete;
DROP TRIGGER ledger_accounts_config_insert;
DROP TRIGGER ledger_accounts_config_update;
DROP TRIGGER ledger_accounts_config_delete;
DROP TRIGGER posting_profiles_config_insert;
DROP TRIGGER posting_profiles_config_update;
DROP TRIGGER posting_profiles_config_delete;
DROP TRIGGER number_series_config_insert;
DROP TRIGGER number_series_config_update;
DROP TRIGGER number_series_config_delete;
DROP TRIGGER webhook_endpoints_config_insert;
DROP TRIGGER webhook_endpoints_config_update;
DROP TRIGGER webhook_endpoints_config_delete;
DROP TABLE tenant_config_versions;
