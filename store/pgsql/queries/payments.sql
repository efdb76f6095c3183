-- The receivables area on PostgreSQL: payments, applications, refunds,
-- invoice settlement, dunning and the ledger. Keep it beside
-- sqlitesql/queries/payments.sql: the same queries, names, arguments and
-- columns; only the engine's own SQL differs (row locks, exact sums).

-- name: InsertPayment :exec
INSERT INTO payments (tenant_id, id, customer_id, method, amount, currency, exchange_rate, amount_accounting, unapplied, refunded,
    payment_date, reference, payment_method_id, card_brand, card_last4, provider, charge_id, entry_id, created_by, created_at)
VALUES (sqlc.arg(tenant_id), sqlc.arg(id), sqlc.arg(customer_id), sqlc.arg(method), sqlc.arg(amount), sqlc.arg(currency),
    sqlc.arg(exchange_rate), sqlc.arg(amount_accounting), sqlc.arg(unapplied), sqlc.arg(refunded), sqlc.arg(payment_date),
    sqlc.arg(reference), sqlc.arg(payment_method_id), sqlc.arg(card_brand), sqlc.arg(card_last4), sqlc.arg(provider),
    sqlc.arg(charge_id), sqlc.arg(entry_id), sqlc.arg(created_by), sqlc.arg(created_at));

-- name: UpdatePaymentBalances :execrows
UPDATE payments SET unapplied = sqlc.arg(unapplied), refunded = sqlc.arg(refunded) WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id);

-- name: GetPayment :one
SELECT sqlc.embed(p), tn.currency AS tenant_currency
FROM payments p JOIN tenants tn ON tn.id = p.tenant_id
WHERE p.tenant_id = sqlc.arg(tenant_id) AND p.id = sqlc.arg(id);

-- name: GetPaymentForUpdate :one
SELECT sqlc.embed(p), tn.currency AS tenant_currency
FROM payments p JOIN tenants tn ON tn.id = p.tenant_id
WHERE p.tenant_id = sqlc.arg(tenant_id) AND p.id = sqlc.arg(id) FOR UPDATE OF p;

-- name: CreditPayments :many
-- A customer's payments in a currency with an unapplied part (exact text
-- on SQLite, where zero is always "0").
SELECT sqlc.embed(p), tn.currency AS tenant_currency
FROM payments p JOIN tenants tn ON tn.id = p.tenant_id
WHERE p.tenant_id = sqlc.arg(tenant_id) AND p.customer_id = sqlc.arg(customer_id) AND p.currency = sqlc.arg(currency)
    AND p.unapplied <> '0'
ORDER BY p.created_at, p.id FOR UPDATE OF p;

-- name: InsertApplication :exec
INSERT INTO payment_applications (tenant_id, id, source_type, source_id, invoice_id, amount, amount_accounting, reversed, entry_id, created_at)
VALUES (sqlc.arg(tenant_id), sqlc.arg(id), sqlc.arg(source_type), sqlc.arg(source_id), sqlc.arg(invoice_id), sqlc.arg(amount),
    sqlc.arg(amount_accounting), sqlc.arg(reversed), sqlc.arg(entry_id), sqlc.arg(created_at));

-- name: UpdateApplicationReversed :execrows
UPDATE payment_applications SET reversed = sqlc.arg(reversed) WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id);

-- name: InsertRefund :exec
INSERT INTO refunds (tenant_id, id, payment_id, amount, amount_accounting, reason, provider_refund, refund_date, entry_id, created_by, created_at)
VALUES (sqlc.arg(tenant_id), sqlc.arg(id), sqlc.arg(payment_id), sqlc.arg(amount), sqlc.arg(amount_accounting), sqlc.arg(reason),
    sqlc.arg(provider_refund), sqlc.arg(refund_date), sqlc.arg(entry_id), sqlc.arg(created_by), sqlc.arg(created_at));

-- name: ListRefunds :many
SELECT sqlc.embed(r), p.currency, tn.currency AS tenant_currency
FROM refunds r JOIN payments p ON p.tenant_id = r.tenant_id AND p.id = r.payment_id JOIN tenants tn ON tn.id = r.tenant_id
WHERE r.tenant_id = sqlc.arg(tenant_id) AND r.payment_id = sqlc.arg(payment_id)
ORDER BY r.created_at, r.id;

-- name: UpdateInvoiceSettlement :execrows
UPDATE invoices SET status = sqlc.arg(status), paid = sqlc.arg(paid), balance = sqlc.arg(balance),
    balance_accounting = sqlc.arg(balance_accounting), close_reason = sqlc.arg(close_reason), closed_at = sqlc.arg(closed_at),
    updated_at = sqlc.arg(updated_at)
WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id);

-- name: GetDunningSettings :one
SELECT * FROM dunning_settings WHERE tenant_id = sqlc.arg(tenant_id);

-- name: SetDunningOffsets :exec
INSERT INTO dunning_settings (tenant_id, offsets) VALUES (sqlc.arg(tenant_id), sqlc.arg(offsets))
ON CONFLICT (tenant_id) DO UPDATE SET offsets = excluded.offsets;

-- name: DunningSteps :many
SELECT step FROM dunning_steps WHERE tenant_id = sqlc.arg(tenant_id) AND invoice_id = sqlc.arg(invoice_id) ORDER BY step DESC LIMIT 1;

-- name: InsertDunningStep :execrows
INSERT INTO dunning_steps (tenant_id, invoice_id, step, notification_id, created_at)
VALUES (sqlc.arg(tenant_id), sqlc.arg(invoice_id), sqlc.arg(step), sqlc.arg(notification_id), sqlc.arg(created_at))
ON CONFLICT (tenant_id, invoice_id, step) DO NOTHING;

-- name: InsertEntry :exec
INSERT INTO journal_entries (tenant_id, id, number, date, description, source_type, source_id, reverses_id, created_at)
VALUES (sqlc.arg(tenant_id), sqlc.arg(id), sqlc.arg(number), sqlc.arg(date), sqlc.arg(description), sqlc.arg(source_type),
    sqlc.arg(source_id), sqlc.arg(reverses_id), sqlc.arg(created_at));

-- name: GetEntry :one
SELECT * FROM journal_entries WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id);

-- name: EntryLines :many
SELECT sqlc.embed(l), tn.currency AS tenant_currency
FROM journal_lines l JOIN tenants tn ON tn.id = l.tenant_id
WHERE l.tenant_id = sqlc.arg(tenant_id) AND l.entry_id = sqlc.arg(entry_id)
ORDER BY l.line_no;

-- name: EntryIDsBySource :many
SELECT id FROM journal_entries
WHERE tenant_id = sqlc.arg(tenant_id) AND source_id = sqlc.arg(source_id) AND source_type = sqlc.arg(source_type)
ORDER BY number;

-- name: FirstEntryID :many
SELECT id FROM journal_entries WHERE tenant_id = sqlc.arg(tenant_id) LIMIT 1;

-- name: TrialBalance :many
SELECT a.code, a.name, a.type, COALESCE(SUM(l.debit), 0)::text AS debit, COALESCE(SUM(l.credit), 0)::text AS credit
FROM ledger_accounts a LEFT JOIN ledger_daily l ON l.tenant_id = a.tenant_id AND l.account = a.code AND l.date <= sqlc.arg(as_of)
WHERE a.tenant_id = sqlc.arg(tenant_id)
GROUP BY a.code, a.name, a.type ORDER BY a.code;

-- name: AccountTotalsBefore :one
SELECT COALESCE(SUM(debit), 0)::text AS debit, COALESCE(SUM(credit), 0)::text AS credit FROM journal_lines
WHERE tenant_id = sqlc.arg(tenant_id) AND account = sqlc.arg(account) AND date < sqlc.arg(before);

-- name: AccountLines :many
-- An account's postings from one date to another, inclusive (the earliest
-- and latest dates when unbounded).
SELECT e.id AS entry_id, e.number AS entry_number, l.date, e.description, l.debit, l.credit, l.customer_id, l.invoice_id
FROM journal_lines l JOIN journal_entries e ON e.tenant_id = l.tenant_id AND e.id = l.entry_id
WHERE l.tenant_id = sqlc.arg(tenant_id) AND l.account = sqlc.arg(account) AND l.date >= sqlc.arg(from_date) AND l.date <= sqlc.arg(to_date)
ORDER BY l.date, e.number, l.line_no LIMIT sqlc.arg(max);

-- name: SubledgerBalances :many
SELECT customer_id, COALESCE(SUM(debit), 0)::text AS debit, COALESCE(SUM(credit), 0)::text AS credit FROM journal_lines
WHERE tenant_id = sqlc.arg(tenant_id) AND account = ANY(sqlc.arg(accounts)::text[])
GROUP BY customer_id;
