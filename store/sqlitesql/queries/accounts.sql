-- The accounts area on SQLite: customers, payment methods, subscriptions,
-- wallets with their settings, grants, movements and recharges. Keep it
-- beside pgsql/queries/accounts.sql: the same queries, names, arguments and
-- columns; only the engine's own SQL differs (row locks, lists of ids).

-- name: InsertCustomer :exec
INSERT INTO customers (tenant_id, id, number, name, contacts, legal_name, tax_id, billing_email, language, currency,
    line1, line2, city, region, postal_code, country, invoice_account_id, payment_terms_days, credit_limit,
    sales_tax_group, sap_id, billing_contract_number, sales_account_executive, parent_id, custom_fields,
    has_billing_info, archived_at, created_at, updated_at, posting_profile, search, method_of_payment)
VALUES (sqlc.arg(tenant_id), sqlc.arg(id), sqlc.arg(number), sqlc.arg(name), sqlc.arg(contacts), sqlc.arg(legal_name), sqlc.arg(tax_id),
    sqlc.arg(billing_email), sqlc.arg(language), sqlc.arg(currency), sqlc.arg(line1), sqlc.arg(line2), sqlc.arg(city), sqlc.arg(region),
    sqlc.arg(postal_code), sqlc.arg(country), sqlc.narg(invoice_account_id), sqlc.arg(payment_terms_days), sqlc.arg(credit_limit),
    sqlc.arg(sales_tax_group), sqlc.arg(sap_id), sqlc.arg(billing_contract_number), sqlc.arg(sales_account_executive),
    sqlc.narg(parent_id), sqlc.arg(custom_fields), sqlc.arg(has_billing_info), sqlc.arg(archived_at), sqlc.arg(created_at),
    sqlc.arg(updated_at), sqlc.arg(posting_profile), sqlc.arg(search), sqlc.arg(method_of_payment));

-- name: UpdateCustomer :execrows
UPDATE customers SET number = sqlc.arg(number), name = sqlc.arg(name), contacts = sqlc.arg(contacts), legal_name = sqlc.arg(legal_name),
    tax_id = sqlc.arg(tax_id), billing_email = sqlc.arg(billing_email), language = sqlc.arg(language), currency = sqlc.arg(currency),
    line1 = sqlc.arg(line1), line2 = sqlc.arg(line2), city = sqlc.arg(city), region = sqlc.arg(region), postal_code = sqlc.arg(postal_code),
    country = sqlc.arg(country), invoice_account_id = sqlc.narg(invoice_account_id), payment_terms_days = sqlc.arg(payment_terms_days),
    credit_limit = sqlc.arg(credit_limit), sales_tax_group = sqlc.arg(sales_tax_group), sap_id = sqlc.arg(sap_id),
    billing_contract_number = sqlc.arg(billing_contract_number), sales_account_executive = sqlc.arg(sales_account_executive),
    parent_id = sqlc.narg(parent_id), custom_fields = sqlc.arg(custom_fields), has_billing_info = sqlc.arg(has_billing_info),
    archived_at = sqlc.arg(archived_at), updated_at = sqlc.arg(updated_at), posting_profile = sqlc.arg(posting_profile),
    search = sqlc.arg(search), method_of_payment = sqlc.arg(method_of_payment)
WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id);

-- name: GetCustomer :one
SELECT sqlc.embed(c), tn.currency AS tenant_currency
FROM customers c JOIN tenants tn ON tn.id = c.tenant_id
WHERE c.tenant_id = sqlc.arg(tenant_id) AND c.id = sqlc.arg(id);

-- name: GetCustomerForUpdate :one
SELECT sqlc.embed(c), tn.currency AS tenant_currency
FROM customers c JOIN tenants tn ON tn.id = c.tenant_id
WHERE c.tenant_id = sqlc.arg(tenant_id) AND c.id = sqlc.arg(id);

-- name: CustomerNumberTaken :one
SELECT count(*) FROM customers WHERE tenant_id = sqlc.arg(tenant_id) AND number = sqlc.arg(number);

-- name: CustomerByNumber :many
SELECT sqlc.embed(c), tn.currency AS tenant_currency
FROM customers c JOIN tenants tn ON tn.id = c.tenant_id
WHERE c.tenant_id = sqlc.arg(tenant_id) AND c.number = sqlc.arg(number);

-- name: CustomerBySAPID :many
SELECT sqlc.embed(c), tn.currency AS tenant_currency
FROM customers c JOIN tenants tn ON tn.id = c.tenant_id
WHERE c.tenant_id = sqlc.arg(tenant_id) AND c.sap_id <> '' AND c.sap_id = sqlc.arg(sap_id)
ORDER BY c.id LIMIT 1;

-- name: CustomersBilledTo :many
-- Two indexed look-ups, not one OR: SQLite answers an OR of the two lists
-- by reading every customer of the tenant. A customer that is both an
-- account and billed to one comes twice; the store keeps it once.
SELECT sqlc.embed(c), tn.currency AS tenant_currency
FROM customers c JOIN tenants tn ON tn.id = c.tenant_id
WHERE c.tenant_id = sqlc.arg(tenant_id) AND c.id IN (sqlc.slice(ids))
UNION ALL
SELECT c.*, tn.currency AS tenant_currency
-- The index, whatever the statistics say: most customers are billed to
-- themselves (one value of invoice_account_id), which makes the planner
-- read them all, when the accounts asked for have a few each.
FROM customers c INDEXED BY customers_invoice_account_idx JOIN tenants tn ON tn.id = c.tenant_id
WHERE c.tenant_id = sqlc.arg(tenant_id)
    -- The accounts as customers' ids, which types the list as text (the column is nullable).
    AND c.invoice_account_id IN (SELECT a.id FROM customers a WHERE a.tenant_id = sqlc.arg(tenant_id) AND a.id IN (sqlc.slice(accounts)));

-- name: InsertPaymentMethod :exec
INSERT INTO payment_methods (tenant_id, id, customer_id, provider, provider_customer, token, brand, last4, exp_month, exp_year,
    is_primary, created_at)
VALUES (sqlc.arg(tenant_id), sqlc.arg(id), sqlc.arg(customer_id), sqlc.arg(provider), sqlc.arg(provider_customer), sqlc.arg(token),
    sqlc.arg(brand), sqlc.arg(last4), sqlc.arg(exp_month), sqlc.arg(exp_year), sqlc.arg(is_primary), sqlc.arg(created_at));

-- name: ListPaymentMethods :many
SELECT * FROM payment_methods WHERE tenant_id = sqlc.arg(tenant_id) AND customer_id = sqlc.arg(customer_id)
ORDER BY is_primary DESC, created_at, id;

-- name: GetPaymentMethod :one
SELECT * FROM payment_methods WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id);

-- name: DeletePaymentMethod :execrows
DELETE FROM payment_methods WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id);

-- name: ClearPrimaryPaymentMethod :exec
UPDATE payment_methods SET is_primary = FALSE
WHERE tenant_id = sqlc.arg(tenant_id) AND customer_id = sqlc.arg(customer_id) AND is_primary;

-- name: SetPrimaryPaymentMethod :execrows
UPDATE payment_methods SET is_primary = TRUE
WHERE tenant_id = sqlc.arg(tenant_id) AND customer_id = sqlc.arg(customer_id) AND id = sqlc.arg(id);

-- name: InsertSubscription :exec
INSERT INTO subscriptions (tenant_id, id, customer_id, kind, product_id, description, quantity, price, currency, interval,
    start_date, next_renewal, status, cancel_at_period_end, ends_on, paused_on, created_at, updated_at, paused_quantity,
    scheduled_quantity, scheduled_on)
VALUES (sqlc.arg(tenant_id), sqlc.arg(id), sqlc.arg(customer_id), sqlc.arg(kind), sqlc.arg(product_id), sqlc.arg(description),
    sqlc.arg(quantity), sqlc.arg(price), sqlc.arg(currency), sqlc.arg(interval), sqlc.arg(start_date), sqlc.arg(next_renewal),
    sqlc.arg(status), sqlc.arg(cancel_at_period_end), sqlc.narg(ends_on), sqlc.narg(paused_on), sqlc.arg(created_at),
    sqlc.arg(updated_at), sqlc.narg(paused_quantity), sqlc.narg(scheduled_quantity), sqlc.narg(scheduled_on));

-- name: UpdateSubscription :execrows
UPDATE subscriptions SET description = sqlc.arg(description), quantity = sqlc.arg(quantity), price = sqlc.arg(price),
    next_renewal = sqlc.arg(next_renewal), status = sqlc.arg(status), cancel_at_period_end = sqlc.arg(cancel_at_period_end),
    ends_on = sqlc.narg(ends_on), paused_on = sqlc.narg(paused_on), updated_at = sqlc.arg(updated_at),
    paused_quantity = sqlc.narg(paused_quantity), scheduled_quantity = sqlc.narg(scheduled_quantity), scheduled_on = sqlc.narg(scheduled_on)
WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id);

-- name: GetSubscription :one
SELECT * FROM subscriptions WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id);

-- name: GetSubscriptionForUpdate :one
SELECT * FROM subscriptions WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id);

-- name: DueSubscriptionIDs :many
SELECT id FROM subscriptions
WHERE tenant_id = sqlc.arg(tenant_id) AND (CAST(sqlc.arg(customer_id) AS TEXT) = '' OR customer_id = sqlc.arg(customer_id)) AND status = 'active'
    AND next_renewal <= sqlc.arg(up_to) AND (ends_on IS NULL OR next_renewal <= ends_on OR ends_on < sqlc.arg(up_to))
ORDER BY next_renewal, id LIMIT sqlc.arg(max);

-- name: GetWalletSettings :one
SELECT * FROM wallet_settings WHERE tenant_id = sqlc.arg(tenant_id);

-- name: SetWalletSettings :exec
INSERT INTO wallet_settings (tenant_id, receipt_emails, allow_negative, recharge_max_attempts, recharge_backoff_seconds)
VALUES (sqlc.arg(tenant_id), sqlc.arg(receipt_emails), sqlc.arg(allow_negative), sqlc.arg(recharge_max_attempts),
    sqlc.arg(recharge_backoff_seconds))
ON CONFLICT (tenant_id) DO UPDATE SET receipt_emails = excluded.receipt_emails, allow_negative = excluded.allow_negative,
    recharge_max_attempts = excluded.recharge_max_attempts, recharge_backoff_seconds = excluded.recharge_backoff_seconds;

-- name: InsertWallet :exec
INSERT INTO wallets (tenant_id, customer_id, id, currency, credit_rate, paid_balance, auto_recharge, recharge_threshold,
    recharge_amount, pending_recharge_id, created_at, updated_at)
VALUES (sqlc.arg(tenant_id), sqlc.arg(customer_id), sqlc.arg(id), sqlc.arg(currency), sqlc.arg(credit_rate), sqlc.arg(paid_balance),
    sqlc.arg(auto_recharge), sqlc.arg(recharge_threshold), sqlc.arg(recharge_amount), sqlc.arg(pending_recharge_id),
    sqlc.arg(created_at), sqlc.arg(updated_at));

-- name: UpdateWallet :execrows
UPDATE wallets SET currency = sqlc.arg(currency), credit_rate = sqlc.arg(credit_rate), paid_balance = sqlc.arg(paid_balance),
    auto_recharge = sqlc.arg(auto_recharge), recharge_threshold = sqlc.arg(recharge_threshold), recharge_amount = sqlc.arg(recharge_amount),
    pending_recharge_id = sqlc.arg(pending_recharge_id), updated_at = sqlc.arg(updated_at)
WHERE tenant_id = sqlc.arg(tenant_id) AND customer_id = sqlc.arg(customer_id);

-- name: GetWallet :one
SELECT * FROM wallets WHERE tenant_id = sqlc.arg(tenant_id) AND customer_id = sqlc.arg(customer_id);

-- name: GetWalletForUpdate :one
SELECT * FROM wallets WHERE tenant_id = sqlc.arg(tenant_id) AND customer_id = sqlc.arg(customer_id);

-- name: ListWallets :many
SELECT * FROM wallets WHERE tenant_id = sqlc.arg(tenant_id) ORDER BY customer_id;

-- name: InsertGrant :exec
INSERT INTO wallet_grants (tenant_id, id, customer_id, amount, remaining, expires_on, reason, created_at)
VALUES (sqlc.arg(tenant_id), sqlc.arg(id), sqlc.arg(customer_id), sqlc.arg(amount), sqlc.arg(remaining), sqlc.narg(expires_on),
    sqlc.arg(reason), sqlc.arg(created_at));

-- name: SetGrantRemaining :execrows
UPDATE wallet_grants SET remaining = sqlc.arg(remaining) WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id);

-- name: ListGrants :many
SELECT sqlc.embed(g), w.currency
FROM wallet_grants g JOIN wallets w ON w.tenant_id = g.tenant_id AND w.customer_id = g.customer_id
WHERE g.tenant_id = sqlc.arg(tenant_id) AND g.customer_id = sqlc.arg(customer_id)
ORDER BY g.expires_on IS NULL, g.expires_on, g.created_at, g.id;

-- name: InsertMovement :exec
INSERT INTO wallet_movements (tenant_id, id, customer_id, kind, ref, paid, complimentary, billed, paid_after, description,
    receipt_number, provider_ref, entry_id, sales_item_id, created_at)
VALUES (sqlc.arg(tenant_id), sqlc.arg(id), sqlc.arg(customer_id), sqlc.arg(kind), sqlc.arg(ref), sqlc.arg(paid),
    sqlc.arg(complimentary), sqlc.arg(billed), sqlc.arg(paid_after), sqlc.arg(description), sqlc.arg(receipt_number),
    sqlc.arg(provider_ref), sqlc.arg(entry_id), sqlc.arg(sales_item_id), sqlc.arg(created_at));

-- name: MovementByRef :one
SELECT sqlc.embed(m), w.currency
FROM wallet_movements m JOIN wallets w ON w.tenant_id = m.tenant_id AND w.customer_id = m.customer_id
WHERE m.tenant_id = sqlc.arg(tenant_id) AND m.customer_id = sqlc.arg(customer_id) AND m.kind = sqlc.arg(kind) AND m.ref = sqlc.arg(ref);

-- name: ListMovements :many
SELECT sqlc.embed(m), w.currency
FROM wallet_movements m JOIN wallets w ON w.tenant_id = m.tenant_id AND w.customer_id = m.customer_id
WHERE m.tenant_id = sqlc.arg(tenant_id) AND m.customer_id = sqlc.arg(customer_id)
ORDER BY m.id DESC LIMIT sqlc.arg(max);

-- name: InsertRecharge :exec
INSERT INTO wallet_recharges (tenant_id, id, customer_id, amount, status, auto, attempts, next_attempt_at, locked_until, last_error,
    movement_id, created_at, updated_at)
VALUES (sqlc.arg(tenant_id), sqlc.arg(id), sqlc.arg(customer_id), sqlc.arg(amount), sqlc.arg(status), sqlc.arg(auto),
    sqlc.arg(attempts), sqlc.arg(next_attempt_at), sqlc.arg(locked_until), sqlc.arg(last_error), sqlc.arg(movement_id),
    sqlc.arg(created_at), sqlc.arg(updated_at));

-- name: UpdateRecharge :execrows
UPDATE wallet_recharges SET status = sqlc.arg(status), attempts = sqlc.arg(attempts), next_attempt_at = sqlc.arg(next_attempt_at),
    locked_until = sqlc.arg(locked_until), last_error = sqlc.arg(last_error), movement_id = sqlc.arg(movement_id),
    updated_at = sqlc.arg(updated_at)
WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id);

-- name: GetRecharge :one
SELECT sqlc.embed(r), w.currency
FROM wallet_recharges r JOIN wallets w ON w.tenant_id = r.tenant_id AND w.customer_id = r.customer_id
WHERE r.tenant_id = sqlc.arg(tenant_id) AND r.id = sqlc.arg(id);

-- name: GetRechargeForUpdate :one
SELECT sqlc.embed(r), w.currency
FROM wallet_recharges r JOIN wallets w ON w.tenant_id = r.tenant_id AND w.customer_id = r.customer_id
WHERE r.tenant_id = sqlc.arg(tenant_id) AND r.id = sqlc.arg(id);

-- name: ListRecharges :many
SELECT sqlc.embed(r), w.currency
FROM wallet_recharges r JOIN wallets w ON w.tenant_id = r.tenant_id AND w.customer_id = r.customer_id
WHERE r.tenant_id = sqlc.arg(tenant_id) AND r.customer_id = sqlc.arg(customer_id)
ORDER BY r.id DESC;

-- name: ListRechargesByID :many
SELECT sqlc.embed(r), w.currency
FROM wallet_recharges r JOIN wallets w ON w.tenant_id = r.tenant_id AND w.customer_id = r.customer_id
WHERE r.tenant_id = sqlc.arg(tenant_id) AND r.id IN (sqlc.slice(ids))
ORDER BY r.next_attempt_at, r.id;

-- name: ClaimRecharges :many
-- A recharge a node may claim at now is pending and due, or processing
-- under an expired lease.
UPDATE wallet_recharges SET status = 'processing', locked_until = sqlc.arg(lease_until), updated_at = sqlc.arg(now)
WHERE wallet_recharges.tenant_id = sqlc.arg(tenant_id) AND wallet_recharges.id IN (SELECT d.id FROM wallet_recharges d WHERE d.tenant_id = sqlc.arg(tenant_id)
    AND ((d.status = 'pending' AND d.next_attempt_at <= sqlc.arg(now)) OR (d.status = 'processing' AND d.locked_until < sqlc.arg(now)))
    ORDER BY d.next_attempt_at, d.id LIMIT sqlc.arg(max))
RETURNING id;

-- name: ClaimRecharge :execrows
UPDATE wallet_recharges SET status = 'processing', locked_until = sqlc.arg(lease_until), updated_at = sqlc.arg(now)
WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id)
    AND ((status = 'pending' AND next_attempt_at <= sqlc.arg(now)) OR (status = 'processing' AND locked_until < sqlc.arg(now)));

-- name: UsageItemExists :one
SELECT count(*) FROM sales_items WHERE tenant_id = sqlc.arg(tenant_id) AND source = 'usage' AND source_ref = sqlc.arg(source_ref);
