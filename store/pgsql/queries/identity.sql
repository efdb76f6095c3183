-- The identity and settings area on PostgreSQL: tenants, users, sign-in
-- attempts, API keys, the audit log, tax codes and groups, ledger accounts,
-- posting profiles, number series, the tax mode and exchange rates. Keep it
-- beside sqlitesql/queries/identity.sql: the same queries, names, arguments and
-- columns.

-- name: InsertTenant :exec
INSERT INTO tenants (id, name, legal_name, tax_id, line1, line2, city, region, postal_code, country, currency, time_zone,
    language, created_at, updated_at, approval_required, billing_run_day)
VALUES (sqlc.arg(id), sqlc.arg(name), sqlc.arg(legal_name), sqlc.arg(tax_id), sqlc.arg(line1), sqlc.arg(line2), sqlc.arg(city),
    sqlc.arg(region), sqlc.arg(postal_code), sqlc.arg(country), sqlc.arg(currency), sqlc.arg(time_zone), sqlc.arg(language),
    sqlc.arg(created_at), sqlc.arg(updated_at), sqlc.arg(approval_required), sqlc.arg(billing_run_day));

-- name: GetTenant :one
SELECT * FROM tenants WHERE id = sqlc.arg(id);

-- name: UpdateTenant :execrows
UPDATE tenants SET name = sqlc.arg(name), legal_name = sqlc.arg(legal_name), tax_id = sqlc.arg(tax_id), line1 = sqlc.arg(line1),
    line2 = sqlc.arg(line2), city = sqlc.arg(city), region = sqlc.arg(region), postal_code = sqlc.arg(postal_code),
    country = sqlc.arg(country), currency = sqlc.arg(currency), time_zone = sqlc.arg(time_zone), language = sqlc.arg(language),
    updated_at = sqlc.arg(updated_at), approval_required = sqlc.arg(approval_required), billing_run_day = sqlc.arg(billing_run_day)
WHERE id = sqlc.arg(id);

-- name: ListTenants :many
SELECT * FROM tenants ORDER BY id;

-- name: SetTaxMode :execrows
UPDATE tenants SET tax_mode = sqlc.arg(tax_mode) WHERE id = sqlc.arg(id);

-- name: InsertUser :exec
INSERT INTO users (tenant_id, id, email, name, role, customer_id, language, password_hash, disabled_at, created_at, updated_at)
VALUES (sqlc.arg(tenant_id), sqlc.arg(id), sqlc.arg(email), sqlc.arg(name), sqlc.arg(role), sqlc.narg(customer_id), sqlc.arg(language),
    sqlc.arg(password_hash), sqlc.arg(disabled_at), sqlc.arg(created_at), sqlc.arg(updated_at));

-- name: GetUser :one
SELECT * FROM users WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id);

-- name: UpdateUser :execrows
UPDATE users SET name = sqlc.arg(name), role = sqlc.arg(role), language = sqlc.arg(language), password_hash = sqlc.arg(password_hash),
    disabled_at = sqlc.arg(disabled_at), updated_at = sqlc.arg(updated_at)
WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id);

-- name: ListUsers :many
SELECT * FROM users WHERE tenant_id = sqlc.arg(tenant_id) ORDER BY email;

-- name: UsersByEmail :many
SELECT * FROM users WHERE email = sqlc.arg(email) ORDER BY created_at, id;

-- name: InsertLoginAttempt :exec
INSERT INTO login_attempts (email, ip, at, success) VALUES (sqlc.arg(email), sqlc.arg(ip), sqlc.arg(at), sqlc.arg(success));

-- name: CountFailedLogins :one
SELECT
    (SELECT count(*) FROM login_attempts a WHERE a.email = sqlc.arg(email) AND a.at >= sqlc.arg(since) AND NOT a.success
        AND COALESCE(a.at > (SELECT max(s.at) FROM login_attempts s WHERE s.email = sqlc.arg(email) AND s.success), TRUE)) AS by_email,
    (SELECT count(*) FROM login_attempts i WHERE i.ip = sqlc.arg(ip) AND i.at >= sqlc.arg(since) AND NOT i.success) AS by_ip;

-- name: InsertAPIKey :exec
INSERT INTO api_keys (tenant_id, id, name, prefix, hash, role, customer_id, created_by, created_at, last_used_at, revoked_at)
VALUES (sqlc.arg(tenant_id), sqlc.arg(id), sqlc.arg(name), sqlc.arg(prefix), sqlc.arg(hash), sqlc.arg(role), sqlc.narg(customer_id),
    sqlc.arg(created_by), sqlc.arg(created_at), sqlc.arg(last_used_at), sqlc.arg(revoked_at));

-- name: APIKeyByHash :one
SELECT * FROM api_keys WHERE hash = sqlc.arg(hash);

-- name: ListAPIKeys :many
SELECT * FROM api_keys WHERE tenant_id = sqlc.arg(tenant_id) ORDER BY created_at DESC, id DESC;

-- name: RevokeAPIKey :execrows
UPDATE api_keys SET revoked_at = sqlc.arg(revoked_at) WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id) AND revoked_at IS NULL;

-- name: TouchAPIKey :exec
UPDATE api_keys SET last_used_at = sqlc.arg(last_used_at) WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id);

-- name: InsertAudit :exec
INSERT INTO audit_log (tenant_id, id, at, actor_type, actor_id, actor_name, action, target_type, target_id, changes)
VALUES (sqlc.arg(tenant_id), sqlc.arg(id), sqlc.arg(at), sqlc.arg(actor_type), sqlc.arg(actor_id), sqlc.arg(actor_name),
    sqlc.arg(action), sqlc.arg(target_type), sqlc.arg(target_id), sqlc.narg(changes));

-- name: UpsertTaxCode :exec
INSERT INTO tax_codes (tenant_id, code, name, rate, category, account, exemption_reason, exemption_reason_code)
VALUES (sqlc.arg(tenant_id), sqlc.arg(code), sqlc.arg(name), sqlc.arg(rate), sqlc.arg(category), sqlc.arg(account),
    sqlc.arg(exemption_reason), sqlc.arg(exemption_reason_code))
ON CONFLICT (tenant_id, code) DO UPDATE SET name = excluded.name, rate = excluded.rate, category = excluded.category,
    account = excluded.account, exemption_reason = excluded.exemption_reason, exemption_reason_code = excluded.exemption_reason_code;

-- name: ListTaxCodes :many
SELECT * FROM tax_codes WHERE tenant_id = sqlc.arg(tenant_id) ORDER BY code;

-- name: UpsertTaxGroup :exec
INSERT INTO tax_groups (tenant_id, kind, code, name, tax_codes)
VALUES (sqlc.arg(tenant_id), sqlc.arg(kind), sqlc.arg(code), sqlc.arg(name), sqlc.arg(tax_codes))
ON CONFLICT (tenant_id, kind, code) DO UPDATE SET name = excluded.name, tax_codes = excluded.tax_codes;

-- name: ListTaxGroups :many
SELECT * FROM tax_groups WHERE tenant_id = sqlc.arg(tenant_id) ORDER BY kind, code;

-- name: UpsertAccount :exec
INSERT INTO ledger_accounts (tenant_id, code, name, type, role, archived)
VALUES (sqlc.arg(tenant_id), sqlc.arg(code), sqlc.arg(name), sqlc.arg(type), sqlc.arg(role), sqlc.arg(archived))
ON CONFLICT (tenant_id, code) DO UPDATE SET name = excluded.name, type = excluded.type, role = excluded.role, archived = excluded.archived;

-- name: ListAccounts :many
SELECT * FROM ledger_accounts WHERE tenant_id = sqlc.arg(tenant_id) ORDER BY code;

-- name: UpsertPostingProfile :exec
INSERT INTO posting_profiles (tenant_id, code, name, receivables_account)
VALUES (sqlc.arg(tenant_id), sqlc.arg(code), sqlc.arg(name), sqlc.arg(receivables_account))
ON CONFLICT (tenant_id, code) DO UPDATE SET name = excluded.name, receivables_account = excluded.receivables_account;

-- name: ListPostingProfiles :many
SELECT * FROM posting_profiles WHERE tenant_id = sqlc.arg(tenant_id) ORDER BY code;

-- name: SetSeries :exec
INSERT INTO number_series (tenant_id, kind, pattern) VALUES (sqlc.arg(tenant_id), sqlc.arg(kind), sqlc.arg(pattern))
ON CONFLICT (tenant_id, kind) DO UPDATE SET pattern = excluded.pattern;

-- name: ListSeries :many
SELECT * FROM number_series WHERE tenant_id = sqlc.arg(tenant_id);

-- name: UpsertExchangeRate :exec
INSERT INTO exchange_rates (tenant_id, currency, effective_date, rate, updated_at)
VALUES (sqlc.arg(tenant_id), sqlc.arg(currency), sqlc.arg(effective_date), sqlc.arg(rate), sqlc.arg(updated_at))
ON CONFLICT (tenant_id, currency, effective_date) DO UPDATE SET rate = excluded.rate, updated_at = excluded.updated_at;

-- name: DeleteExchangeRate :execrows
DELETE FROM exchange_rates WHERE tenant_id = sqlc.arg(tenant_id) AND currency = sqlc.arg(currency) AND effective_date = sqlc.arg(effective_date);

-- name: ExchangeRateOn :many
SELECT * FROM exchange_rates
WHERE tenant_id = sqlc.arg(tenant_id) AND currency = sqlc.arg(currency) AND effective_date <= sqlc.arg(effective_date)
ORDER BY effective_date DESC LIMIT 1;

-- name: GetConfigVersion :many
SELECT version FROM tenant_config_versions WHERE tenant_id = sqlc.arg(tenant_id);
