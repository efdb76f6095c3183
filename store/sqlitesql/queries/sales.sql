-- The sales area on SQLite: products, contracts, tickets and time, sales
-- items and billing runs. Keep it beside pgsql/queries/sales.sql: the same
-- queries, names, arguments and columns; only the engine's own SQL differs
-- (row locks, lists of ids).

-- name: InsertProduct :exec
INSERT INTO products (tenant_id, id, code, name, charge_type, unit, default_price, currency, account, item_sales_tax_group, provider,
    archived, created_at, updated_at)
VALUES (sqlc.arg(tenant_id), sqlc.arg(id), sqlc.arg(code), sqlc.arg(name), sqlc.arg(charge_type), sqlc.arg(unit), sqlc.arg(default_price),
    sqlc.arg(currency), sqlc.arg(account), sqlc.arg(item_sales_tax_group), sqlc.arg(provider), sqlc.arg(archived), sqlc.arg(created_at),
    sqlc.arg(updated_at));

-- name: UpdateProduct :execrows
UPDATE products SET code = sqlc.arg(code), name = sqlc.arg(name), charge_type = sqlc.arg(charge_type), unit = sqlc.arg(unit),
    default_price = sqlc.arg(default_price), currency = sqlc.arg(currency), account = sqlc.arg(account),
    item_sales_tax_group = sqlc.arg(item_sales_tax_group), provider = sqlc.arg(provider), archived = sqlc.arg(archived),
    updated_at = sqlc.arg(updated_at)
WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id);

-- name: GetProduct :one
SELECT * FROM products WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id);

-- name: ProductByCode :one
SELECT * FROM products WHERE tenant_id = sqlc.arg(tenant_id) AND code = sqlc.arg(code);

-- name: ListProducts :many
SELECT * FROM products WHERE tenant_id = sqlc.arg(tenant_id) ORDER BY code;

-- name: InsertContract :exec
INSERT INTO contracts (tenant_id, id, number, customer_id, name, status, created_at, updated_at)
VALUES (sqlc.arg(tenant_id), sqlc.arg(id), sqlc.arg(number), sqlc.arg(customer_id), sqlc.arg(name), sqlc.arg(status),
    sqlc.arg(created_at), sqlc.arg(updated_at));

-- name: UpdateContract :execrows
UPDATE contracts SET name = sqlc.arg(name), status = sqlc.arg(status), updated_at = sqlc.arg(updated_at)
WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id);

-- name: InsertContractPart :exec
INSERT INTO contract_parts (tenant_id, id, contract_id, product_id, description, quantity, price, interval, start_date, end_date, in_advance)
VALUES (sqlc.arg(tenant_id), sqlc.arg(id), sqlc.arg(contract_id), sqlc.arg(product_id), sqlc.arg(description), sqlc.arg(quantity),
    sqlc.arg(price), sqlc.arg(interval), sqlc.arg(start_date), sqlc.narg(end_date), sqlc.arg(in_advance));

-- name: UpdateContractPart :execrows
UPDATE contract_parts SET product_id = sqlc.arg(product_id), description = sqlc.arg(description), quantity = sqlc.arg(quantity),
    price = sqlc.arg(price), interval = sqlc.arg(interval), start_date = sqlc.arg(start_date), end_date = sqlc.narg(end_date),
    in_advance = sqlc.arg(in_advance)
WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id) AND contract_id = sqlc.arg(contract_id);

-- name: ListContracts :many
-- A tenant's contracts (one customer's when customer_id is not empty; one
-- contract when contract_id is not empty), a row per part, with the
-- currency of its product.
SELECT sqlc.embed(c), sqlc.embed(p), COALESCE(pr.currency, '') AS currency
FROM contracts c JOIN contract_parts p ON p.tenant_id = c.tenant_id AND p.contract_id = c.id
LEFT JOIN products pr ON pr.tenant_id = p.tenant_id AND pr.id = p.product_id
WHERE c.tenant_id = sqlc.arg(tenant_id) AND (CAST(sqlc.arg(customer_id) AS TEXT) = '' OR c.customer_id = sqlc.arg(customer_id))
    AND (CAST(sqlc.arg(contract_id) AS TEXT) = '' OR c.id = sqlc.arg(contract_id))
ORDER BY c.number, p.start_date, p.id;

-- name: ContractPartPeriods :many
-- The periods of the sales items a contract part made: their source
-- references are "<part id>@<period start>", a range of the source index.
SELECT period_start, period_end FROM sales_items
WHERE tenant_id = sqlc.arg(tenant_id) AND source = 'contract' AND source_ref >= sqlc.arg(ref_from) AND source_ref < sqlc.arg(ref_to)
    AND period_start IS NOT NULL
ORDER BY source_ref;

-- name: InsertTicket :exec
INSERT INTO tickets (tenant_id, id, number, customer_id, title, status, created_at, updated_at)
VALUES (sqlc.arg(tenant_id), sqlc.arg(id), sqlc.arg(number), sqlc.arg(customer_id), sqlc.arg(title), sqlc.arg(status),
    sqlc.arg(created_at), sqlc.arg(updated_at));

-- name: GetTicket :one
SELECT * FROM tickets WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id);

-- name: ListTickets :many
SELECT * FROM tickets WHERE tenant_id = sqlc.arg(tenant_id) AND (CAST(sqlc.arg(customer_id) AS TEXT) = '' OR customer_id = sqlc.arg(customer_id))
ORDER BY number;

-- name: InsertTimeEntry :exec
INSERT INTO time_entries (tenant_id, id, ticket_id, user_id, user_name, work_date, minutes, billable, rate, currency, description, created_at)
VALUES (sqlc.arg(tenant_id), sqlc.arg(id), sqlc.arg(ticket_id), sqlc.arg(user_id), sqlc.arg(user_name), sqlc.arg(work_date),
    sqlc.arg(minutes), sqlc.arg(billable), sqlc.arg(rate), sqlc.arg(currency), sqlc.arg(description), sqlc.arg(created_at));

-- name: ListTimeEntries :many
SELECT * FROM time_entries WHERE tenant_id = sqlc.arg(tenant_id) AND ticket_id = sqlc.arg(ticket_id) ORDER BY work_date, id;

-- name: InsertSalesItem :execrows
-- ON CONFLICT DO NOTHING rather than catching the violation: on PostgreSQL
-- an error would abort the caller's whole transaction.
INSERT INTO sales_items (tenant_id, id, customer_id, source, source_ref, product_id, description, quantity, unit, unit_price, discount,
    gross, billing_date, period_start, period_end, provider, currency, charge_type, account, item_sales_tax_group, status, invoice_id,
    created_at, updated_at)
VALUES (sqlc.arg(tenant_id), sqlc.arg(id), sqlc.arg(customer_id), sqlc.arg(source), sqlc.arg(source_ref), sqlc.arg(product_id),
    sqlc.arg(description), sqlc.arg(quantity), sqlc.arg(unit), sqlc.arg(unit_price), sqlc.arg(discount), sqlc.arg(gross),
    sqlc.arg(billing_date), sqlc.narg(period_start), sqlc.narg(period_end), sqlc.arg(provider), sqlc.arg(currency), sqlc.arg(charge_type),
    sqlc.arg(account), sqlc.arg(item_sales_tax_group), sqlc.arg(status), sqlc.arg(invoice_id), sqlc.arg(created_at), sqlc.arg(updated_at))
ON CONFLICT (tenant_id, source, source_ref) WHERE source <> 'manual' DO NOTHING;

-- name: UpdateSalesItem :execrows
UPDATE sales_items SET customer_id = sqlc.arg(customer_id), source = sqlc.arg(source), source_ref = sqlc.arg(source_ref),
    product_id = sqlc.arg(product_id), description = sqlc.arg(description), quantity = sqlc.arg(quantity), unit = sqlc.arg(unit),
    unit_price = sqlc.arg(unit_price), discount = sqlc.arg(discount), gross = sqlc.arg(gross), billing_date = sqlc.arg(billing_date),
    period_start = sqlc.narg(period_start), period_end = sqlc.narg(period_end), provider = sqlc.arg(provider), currency = sqlc.arg(currency),
    charge_type = sqlc.arg(charge_type), account = sqlc.arg(account), item_sales_tax_group = sqlc.arg(item_sales_tax_group),
    status = sqlc.arg(status), invoice_id = sqlc.arg(invoice_id), updated_at = sqlc.arg(updated_at)
WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id);

-- name: GetSalesItem :one
SELECT * FROM sales_items WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id);

-- name: GetSalesItemForUpdate :one
SELECT * FROM sales_items WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id);

-- name: SetOpenItemsStatus :execrows
UPDATE sales_items SET status = sqlc.arg(status), updated_at = sqlc.arg(updated_at)
WHERE tenant_id = sqlc.arg(tenant_id) AND customer_id = sqlc.arg(customer_id) AND status IN ('draft', 'pending') AND status <> sqlc.arg(status);

-- name: InsertBillingRun :exec
-- Every unique key arbitrates, not only the period's: a node resuming a run
-- inserts the run it read (its id too), and on PostgreSQL a conflict on a
-- key that is not an arbiter is an error, not "nothing to do".
INSERT INTO billing_runs (tenant_id, id, period_start, period_end, issue, status, phase, started_at, updated_at, seq, supplements)
VALUES (sqlc.arg(tenant_id), sqlc.arg(id), sqlc.arg(period_start), sqlc.arg(period_end), sqlc.arg(issue), sqlc.arg(status),
    sqlc.arg(phase), sqlc.arg(started_at), sqlc.arg(updated_at), sqlc.arg(seq), sqlc.arg(supplements))
ON CONFLICT DO NOTHING;

-- name: BillingRunOf :one
SELECT * FROM billing_runs
WHERE tenant_id = sqlc.arg(tenant_id) AND period_start = sqlc.arg(period_start) AND period_end = sqlc.arg(period_end) AND seq = sqlc.arg(seq);

-- name: ResumeBillingRun :exec
UPDATE billing_runs SET status = 'running', error = '' WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id);

-- name: LatestBillingRun :one
SELECT * FROM billing_runs
WHERE tenant_id = sqlc.arg(tenant_id) AND period_start = sqlc.arg(period_start) AND period_end = sqlc.arg(period_end)
ORDER BY seq DESC LIMIT 1;

-- name: LeaseBillingRun :execrows
UPDATE billing_runs SET lease_owner = sqlc.arg(owner), lease_until = sqlc.arg(lease_until)
WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id) AND status = 'running'
    AND (lease_owner = sqlc.arg(owner) OR lease_owner = '' OR lease_until IS NULL OR lease_until < sqlc.arg(now));

-- name: StaleBillingRuns :many
SELECT * FROM billing_runs
WHERE tenant_id = sqlc.arg(tenant_id) AND status = 'running' AND (lease_until IS NULL OR lease_until < sqlc.arg(now))
ORDER BY started_at, id LIMIT 100;

-- name: GetBillingRun :one
SELECT * FROM billing_runs WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id);

-- name: ListBillingRuns :many
SELECT * FROM billing_runs WHERE tenant_id = sqlc.arg(tenant_id) ORDER BY started_at DESC, id DESC LIMIT 200;

-- name: AddBillingRunProgress :execrows
-- Adds the counts; sets the phase, status and error when given (not
-- empty), the skipped items when set, finished_at when finished; a
-- completed or failed run holds no lease.
UPDATE billing_runs SET items_total = items_total + sqlc.arg(items_total), items_done = items_done + sqlc.arg(items_done),
    groups_total = groups_total + sqlc.arg(groups_total), groups_done = groups_done + sqlc.arg(groups_done),
    invoices_created = invoices_created + sqlc.arg(invoices_created), contract_items = contract_items + sqlc.arg(contract_items),
    updated_at = sqlc.arg(updated_at),
    phase = CASE WHEN CAST(sqlc.arg(phase) AS TEXT) = '' THEN phase ELSE CAST(sqlc.arg(phase) AS TEXT) END,
    status = CASE WHEN CAST(sqlc.arg(status) AS TEXT) = '' THEN status ELSE CAST(sqlc.arg(status) AS TEXT) END,
    error = CASE WHEN CAST(sqlc.arg(error) AS TEXT) = '' THEN error ELSE CAST(sqlc.arg(error) AS TEXT) END,
    items_skipped = COALESCE(sqlc.narg(items_skipped), items_skipped),
    finished_at = COALESCE(sqlc.narg(finished_at), finished_at),
    lease_owner = CASE WHEN CAST(sqlc.arg(status) AS TEXT) = 'completed' OR CAST(sqlc.arg(status) AS TEXT) = 'failed' THEN '' ELSE lease_owner END,
    lease_until = CASE WHEN CAST(sqlc.arg(status) AS TEXT) = 'completed' OR CAST(sqlc.arg(status) AS TEXT) = 'failed' THEN NULL ELSE lease_until END
WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id);

-- name: CountSkippedItems :one
SELECT count(*) FROM sales_items si
JOIN customers c ON c.tenant_id = si.tenant_id AND c.id = si.customer_id
JOIN customers a ON a.tenant_id = c.tenant_id AND a.id = COALESCE(NULLIF(c.invoice_account_id, ''), c.id)
WHERE si.tenant_id = sqlc.arg(tenant_id) AND si.billing_date >= sqlc.arg(from_date) AND si.billing_date <= sqlc.arg(to_date)
    AND (si.status = 'draft' OR (si.status = 'pending' AND NOT a.has_billing_info));

-- name: ReleaseInvoiceItems :execrows
-- A discarded draft's items return to the customer's open items: pending
-- with billing information, draft without.
UPDATE sales_items SET invoice_id = '', status = CASE WHEN (SELECT c.has_billing_info FROM customers c
    WHERE c.tenant_id = sales_items.tenant_id AND c.id = sales_items.customer_id) THEN 'pending' ELSE 'draft' END
WHERE sales_items.tenant_id = sqlc.arg(tenant_id) AND sales_items.invoice_id = sqlc.arg(invoice_id) AND sales_items.status = 'invoiced';

-- name: ClearBillingRunSkips :exec
DELETE FROM billing_run_skips WHERE tenant_id = sqlc.arg(tenant_id) AND run_id = sqlc.arg(run_id) AND account_id IN (sqlc.slice(accounts));

-- name: UpsertBillingRunSkip :exec
INSERT INTO billing_run_skips (tenant_id, run_id, account_id, customer_number, customer_name, provider, currency, items, reason, created_at)
VALUES (sqlc.arg(tenant_id), sqlc.arg(run_id), sqlc.arg(account_id), sqlc.arg(customer_number), sqlc.arg(customer_name),
    sqlc.arg(provider), sqlc.arg(currency), sqlc.arg(items), sqlc.arg(reason), sqlc.arg(created_at))
ON CONFLICT (tenant_id, run_id, account_id, provider, currency) DO UPDATE SET items = excluded.items, reason = excluded.reason;

-- name: BillingRunSkips :many
SELECT * FROM billing_run_skips WHERE tenant_id = sqlc.arg(tenant_id) AND run_id IN (sqlc.slice(run_ids))
ORDER BY run_id, customer_number, account_id, provider, currency;

-- name: BillingGroups :many
-- The pending items of a period, by the account they are billed to (the
-- customer's invoice account, or itself), provider and currency; of one
-- customer and those billed to it when customer_id is not empty. Items of
-- an account without billing information wait.
SELECT CAST(COALESCE(NULLIF(c.invoice_account_id, ''), c.id) AS TEXT) AS account_id, si.provider, si.currency, count(*) AS items
FROM sales_items si
JOIN customers c ON c.tenant_id = si.tenant_id AND c.id = si.customer_id
JOIN customers a ON a.tenant_id = c.tenant_id AND a.id = COALESCE(NULLIF(c.invoice_account_id, ''), c.id)
WHERE si.tenant_id = sqlc.arg(tenant_id) AND si.status = 'pending' AND a.has_billing_info
    AND si.billing_date >= sqlc.arg(from_date) AND si.billing_date <= sqlc.arg(to_date)
    AND (CAST(sqlc.arg(customer_id) AS TEXT) = '' OR si.customer_id = sqlc.arg(customer_id)
        OR COALESCE(NULLIF(c.invoice_account_id, ''), c.id) = sqlc.arg(customer_id))
GROUP BY COALESCE(NULLIF(c.invoice_account_id, ''), c.id), si.provider, si.currency
ORDER BY 1, 2, 3;

-- name: ClaimItems :many
-- The pending items of a period of some customers, locked in id order (on
-- PostgreSQL), so transactions claiming overlapping sets wait for each
-- other instead of deadlocking. Through the customers' index, whatever the
-- statistics say: ordered by id, SQLite would rather read every item of
-- the tenant in key order than sort a batch.
SELECT * FROM sales_items INDEXED BY sales_items_customer_idx
WHERE tenant_id = sqlc.arg(tenant_id) AND status = 'pending' AND billing_date >= sqlc.arg(from_date) AND billing_date <= sqlc.arg(to_date)
    AND customer_id IN (sqlc.slice(customer_ids))
ORDER BY id;

-- name: LastBillingRunBatch :one
SELECT CAST(COALESCE(MAX(seq), 0) AS INTEGER) AS seq FROM billing_run_batches
WHERE tenant_id = sqlc.arg(tenant_id) AND run_id = sqlc.arg(run_id);

-- name: DropOpenBillingRunBatches :exec
DELETE FROM billing_run_batches WHERE tenant_id = sqlc.arg(tenant_id) AND run_id = sqlc.arg(run_id) AND status = 'planned';

-- name: ClaimBillingRunBatch :many
SELECT * FROM billing_run_batches WHERE tenant_id = sqlc.arg(tenant_id) AND run_id = sqlc.arg(run_id) AND status = 'planned'
ORDER BY seq LIMIT 1;

-- name: FinishBillingRunBatch :execrows
UPDATE billing_run_batches SET status = 'billed', done_by = sqlc.arg(done_by), done_at = sqlc.arg(done_at)
WHERE tenant_id = sqlc.arg(tenant_id) AND run_id = sqlc.arg(run_id) AND seq = sqlc.arg(seq) AND status = 'planned';

-- name: OpenBillingRunBatches :one
SELECT COUNT(*) FROM billing_run_batches WHERE tenant_id = sqlc.arg(tenant_id) AND run_id = sqlc.arg(run_id) AND status = 'planned';
