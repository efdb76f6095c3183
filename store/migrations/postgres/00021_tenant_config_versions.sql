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
CREATE FUNCTION tenant_config_changed() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    tenant text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        tenant := to_jsonb(OLD) ->> TG_ARGV[0];
    ELSE
        tenant := to_jsonb(NEW) ->> TG_ARGV[0];
    END IF;
    INSERT INTO tenant_config_versions (tenant_id, version) VALUES (tenant, replace(gen_random_uuid()::text, '-', ''))
    ON CONFLICT (tenant_id) DO UPDATE SET version = excluded.version;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER tenants_config AFTER INSERT OR UPDATE OR DELETE ON tenants FOR EACH ROW EXECUTE FUNCTION tenant_config_changed('id');
CREATE TRIGGER tax_codes_config AFTER INSERT OR UPDATE OR DELETE ON tax_codes FOR EACH ROW EXECUTE FUNCTION tenant_config_changed('tenant_id');
CREATE TRIGGER tax_groups_config AFTER INSERT OR UPDATE OR DELETE ON tax_groups FOR EACH ROW EXECUTE FUNCTION tenant_config_changed('tenant_id');
CREATE TRIGGER ledger_accounts_config AFTER INSERT OR UPDATE OR DELETE ON ledger_accounts FOR EACH ROW EXECUTE FUNCTION tenant_config_changed('tenant_id');
CREATE TRIGGER posting_profiles_config AFTER INSERT OR UPDATE OR DELETE ON posting_profiles FOR EACH ROW EXECUTE FUNCTION tenant_config_changed('tenant_id');
CREATE TRIGGER number_series_config AFTER INSERT OR UPDATE OR DELETE ON number_series FOR EACH ROW EXECUTE FUNCTION tenant_config_changed('tenant_id');
CREATE TRIGGER webhook_endpoints_config AFTER INSERT OR UPDATE OR DELETE ON webhook_endpoints FOR EACH ROW EXECUTE FUNCTION tenant_config_changed('tenant_id');

-- +goose Down
DROP TRIGGER tenants_config ON tenants;
DROP TRIGGER tax_codes_config ON tax_codes;
DROP TRIGGER tax_groups_config ON tax_groups;
DROP TRIGGER ledger_accounts_config ON ledger_accounts;
DROP TRIGGER posting_profiles_config ON posting_profiles;
DROP TRIGGER number_series_config ON number_series;
DROP TRIGGER webhook_endpoints_config ON webhook_endpoints;
DROP FUNCTION tenant_config_changed();
DROP TABLE tenant_config_versions;
