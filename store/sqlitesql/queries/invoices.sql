-- The invoices area on SQLite: documents and their lines, counters. Keep it
-- beside pgsql/queries/invoices.sql: the same queries, names, arguments and
-- columns; only the engine's own SQL differs (row locks, lists of ids;
-- SQLite also writes total_key, the exact sortable key of the
-- total (dbtx.DecKey, migration 00019).)

-- name: InsertInvoice :exec
INSERT INTO invoices (tenant_id, id, kind, status, document_number, number, customer_id, invoice_account_id,
    customer_name, bill_to, invoice_date, document_date, due_date, cash_discount_date, cash_discount_percent, period_start,
    period_end, currency, exchange_rate, provider, method_of_payment, payment_terms_days, payment_schedule, hold_until,
    language, custom_fields, notes, external_refs, posting_profile, tax_mode, net, tax,
    total, paid, balance, total_accounting, balance_accounting, taxes, entry_id, void_entry_id,
    close_reason, issued_at, closed_at, voided_at, created_at, updated_at, search, original_id,
    credit_note_id, replacement_id, correction_reason, correction_comment, template_id, template_period, cash_discount_amount, total_key)
VALUES (sqlc.arg(tenant_id), sqlc.arg(id), sqlc.arg(kind), sqlc.arg(status), sqlc.arg(document_number), sqlc.narg(number),
    sqlc.arg(customer_id), sqlc.arg(invoice_account_id), sqlc.arg(customer_name), sqlc.arg(bill_to), sqlc.narg(invoice_date), sqlc.narg(document_date),
    sqlc.narg(due_date), sqlc.narg(cash_discount_date), sqlc.arg(cash_discount_percent), sqlc.narg(period_start), sqlc.narg(period_end), sqlc.arg(currency),
    sqlc.arg(exchange_rate), sqlc.arg(provider), sqlc.arg(method_of_payment), sqlc.arg(payment_terms_days), sqlc.arg(payment_schedule), sqlc.narg(hold_until),
    sqlc.arg(language), sqlc.arg(custom_fields), sqlc.arg(notes), sqlc.arg(external_refs), sqlc.arg(posting_profile), sqlc.arg(tax_mode),
    sqlc.arg(net), sqlc.arg(tax), sqlc.arg(total), sqlc.arg(paid), sqlc.arg(balance), sqlc.arg(total_accounting),
    sqlc.arg(balance_accounting), sqlc.arg(taxes), sqlc.arg(entry_id), sqlc.arg(void_entry_id), sqlc.arg(close_reason), sqlc.arg(issued_at),
    sqlc.arg(closed_at), sqlc.arg(voided_at), sqlc.arg(created_at), sqlc.arg(updated_at), sqlc.arg(search), sqlc.arg(original_id),
    sqlc.arg(credit_note_id), sqlc.arg(replacement_id), sqlc.arg(correction_reason), sqlc.arg(correction_comment), sqlc.arg(template_id), sqlc.arg(template_period),
    sqlc.arg(cash_discount_amount), sqlc.narg(total_key));

-- name: UpdateInvoice :execrows
UPDATE invoices SET kind = sqlc.arg(kind), status = sqlc.arg(status), document_number = sqlc.arg(document_number), number = sqlc.narg(number),
    customer_id = sqlc.arg(customer_id), invoice_account_id = sqlc.arg(invoice_account_id), customer_name = sqlc.arg(customer_name), bill_to = sqlc.arg(bill_to),
    invoice_date = sqlc.narg(invoice_date), document_date = sqlc.narg(document_date), due_date = sqlc.narg(due_date), cash_discount_date = sqlc.narg(cash_discount_date),
    cash_discount_percent = sqlc.arg(cash_discount_percent), period_start = sqlc.narg(period_start), period_end = sqlc.narg(period_end), currency = sqlc.arg(currency),
    exchange_rate = sqlc.arg(exchange_rate), provider = sqlc.arg(provider), method_of_payment = sqlc.arg(method_of_payment), payment_terms_days = sqlc.arg(payment_terms_days),
    payment_schedule = sqlc.arg(payment_schedule), hold_until = sqlc.narg(hold_until), language = sqlc.arg(language), custom_fields = sqlc.arg(custom_fields),
    notes = sqlc.arg(notes), external_refs = sqlc.arg(external_refs), posting_profile = sqlc.arg(posting_profile), tax_mode = sqlc.arg(tax_mode),
    net = sqlc.arg(net), tax = sqlc.arg(tax), total = sqlc.arg(total), paid = sqlc.arg(paid),
    balance = sqlc.arg(balance), total_accounting = sqlc.arg(total_accounting), balance_accounting = sqlc.arg(balance_accounting), taxes = sqlc.arg(taxes),
    entry_id = sqlc.arg(entry_id), void_entry_id = sqlc.arg(void_entry_id), close_reason = sqlc.arg(close_reason), issued_at = sqlc.arg(issued_at),
    closed_at = sqlc.arg(closed_at), voided_at = sqlc.arg(voided_at), created_at = sqlc.arg(created_at), updated_at = sqlc.arg(updated_at),
    search = sqlc.arg(search), original_id = sqlc.arg(original_id), credit_note_id = sqlc.arg(credit_note_id), replacement_id = sqlc.arg(replacement_id),
    correction_reason = sqlc.arg(correction_reason), correction_comment = sqlc.arg(correction_comment), template_id = sqlc.arg(template_id), template_period = sqlc.arg(template_period),
    cash_discount_amount = sqlc.arg(cash_discount_amount), total_key = sqlc.narg(total_key)
WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id);

-- name: GetInvoice :one
SELECT sqlc.embed(i), tn.currency AS tenant_currency
FROM invoices i JOIN tenants tn ON tn.id = i.tenant_id
WHERE i.tenant_id = sqlc.arg(tenant_id) AND i.id = sqlc.arg(id);

-- name: GetInvoiceForUpdate :one
SELECT sqlc.embed(i), tn.currency AS tenant_currency
FROM invoices i JOIN tenants tn ON tn.id = i.tenant_id
WHERE i.tenant_id = sqlc.arg(tenant_id) AND i.id = sqlc.arg(id);

-- name: DeleteInvoice :execrows
DELETE FROM invoices WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id);

-- name: DeleteInvoiceLines :exec
DELETE FROM invoice_lines WHERE tenant_id = sqlc.arg(tenant_id) AND invoice_id = sqlc.arg(invoice_id);

-- name: InvoiceLines :many
SELECT * FROM invoice_lines WHERE tenant_id = sqlc.arg(tenant_id) AND invoice_id = sqlc.arg(invoice_id) ORDER BY position;

-- name: LinesOfInvoices :many
-- The lines of some documents, with each document's currency.
SELECT sqlc.embed(l), i.currency
FROM invoice_lines l JOIN invoices i ON i.tenant_id = l.tenant_id AND i.id = l.invoice_id
WHERE l.tenant_id = sqlc.arg(tenant_id) AND l.invoice_id IN (sqlc.slice(invoice_ids))
ORDER BY l.invoice_id, l.position;

-- name: NextCounters :one
-- Adds n to a counter (made at n) and returns its new value.
INSERT INTO counters (tenant_id, name, value) VALUES (sqlc.arg(tenant_id), sqlc.arg(name), sqlc.arg(n))
ON CONFLICT (tenant_id, name) DO UPDATE SET value = counters.value + excluded.value
RETURNING value;

-- name: DueOf :many
-- The columns of a stored document the receivable dues read, before a
-- statement changes or deletes it (the row locked on PostgreSQL).
SELECT status, kind, due_date, balance_accounting, invoice_account_id FROM invoices
WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id);

-- name: LockCounter :many
-- Locks a counter's row on PostgreSQL (SQLite has one writer).
SELECT value FROM counters WHERE tenant_id = sqlc.arg(tenant_id) AND name = sqlc.arg(name);

-- name: EnsureCounter :exec
INSERT INTO counters (tenant_id, name, value) VALUES (sqlc.arg(tenant_id), sqlc.arg(name), 0) ON CONFLICT DO NOTHING;

-- name: UpsertReasonCode :exec
INSERT INTO reason_codes (tenant_id, code, description, archived)
VALUES (sqlc.arg(tenant_id), sqlc.arg(code), sqlc.arg(description), sqlc.arg(archived))
ON CONFLICT (tenant_id, code) DO UPDATE SET description = excluded.description, archived = excluded.archived;

-- name: ListReasonCodes :many
SELECT * FROM reason_codes WHERE tenant_id = sqlc.arg(tenant_id) ORDER BY code;

-- name: AppendWorkflow :exec
INSERT INTO invoice_workflow (tenant_id, invoice_id, seq, action, actor_id, actor_name, comment, at)
VALUES (sqlc.arg(tenant_id), sqlc.arg(invoice_id),
    (SELECT COALESCE(MAX(w.seq), 0) + 1 FROM invoice_workflow w WHERE w.tenant_id = sqlc.arg(tenant_id) AND w.invoice_id = sqlc.arg(invoice_id)),
    sqlc.arg(action), sqlc.arg(actor_id), sqlc.arg(actor_name), sqlc.arg(comment), sqlc.arg(at));

-- name: ListWorkflow :many
SELECT * FROM invoice_workflow WHERE tenant_id = sqlc.arg(tenant_id) AND invoice_id = sqlc.arg(invoice_id) ORDER BY seq;

-- name: InsertTemplate :exec
INSERT INTO recurring_templates (tenant_id, id, name, customer_id, interval, start_date, end_date, next_date, auto_issue, status, invoice,
    created_at, updated_at)
VALUES (sqlc.arg(tenant_id), sqlc.arg(id), sqlc.arg(name), sqlc.arg(customer_id), sqlc.arg(interval), sqlc.arg(start_date),
    sqlc.narg(end_date), sqlc.arg(next_date), sqlc.arg(auto_issue), sqlc.arg(status), sqlc.arg(invoice), sqlc.arg(created_at),
    sqlc.arg(updated_at));

-- name: UpdateTemplate :execrows
UPDATE recurring_templates SET name = sqlc.arg(name), customer_id = sqlc.arg(customer_id), interval = sqlc.arg(interval),
    start_date = sqlc.arg(start_date), end_date = sqlc.narg(end_date), next_date = sqlc.arg(next_date), auto_issue = sqlc.arg(auto_issue),
    status = sqlc.arg(status), invoice = sqlc.arg(invoice), updated_at = sqlc.arg(updated_at)
WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id);

-- name: GetTemplate :one
SELECT * FROM recurring_templates WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id);

-- name: GetTemplateForUpdate :one
SELECT * FROM recurring_templates WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id);

-- name: ListTemplates :many
SELECT * FROM recurring_templates WHERE tenant_id = sqlc.arg(tenant_id) ORDER BY name, id;

-- name: DueTemplateIDs :many
SELECT id FROM recurring_templates WHERE tenant_id = sqlc.arg(tenant_id) AND status = 'active' AND next_date <= sqlc.arg(today)
ORDER BY next_date, id;

-- name: InsertAttachment :exec
INSERT INTO attachments (tenant_id, id, invoice_id, filename, content_type, size, sha256, data, created_by, created_at)
VALUES (sqlc.arg(tenant_id), sqlc.arg(id), sqlc.arg(invoice_id), sqlc.arg(filename), sqlc.arg(content_type), sqlc.arg(size),
    sqlc.arg(sha256), sqlc.arg(data), sqlc.arg(created_by), sqlc.arg(created_at));

-- name: ListAttachments :many
-- Without their data.
SELECT id, invoice_id, filename, content_type, size, sha256, created_by, created_at FROM attachments
WHERE tenant_id = sqlc.arg(tenant_id) AND invoice_id = sqlc.arg(invoice_id) ORDER BY created_at, id;

-- name: GetAttachment :one
SELECT * FROM attachments WHERE tenant_id = sqlc.arg(tenant_id) AND invoice_id = sqlc.arg(invoice_id) AND id = sqlc.arg(id);

-- name: DeleteAttachment :execrows
DELETE FROM attachments WHERE tenant_id = sqlc.arg(tenant_id) AND invoice_id = sqlc.arg(invoice_id) AND id = sqlc.arg(id);

-- name: GetBranding :one
SELECT * FROM tenant_branding WHERE tenant_id = sqlc.arg(tenant_id);

-- name: PutBranding :exec
INSERT INTO tenant_branding (tenant_id, logo, logo_type, primary_color, accent_color, payment_instructions, iban, bic, email, phone, updated_at)
VALUES (sqlc.arg(tenant_id), sqlc.arg(logo), sqlc.arg(logo_type), sqlc.arg(primary_color), sqlc.arg(accent_color),
    sqlc.arg(payment_instructions), sqlc.arg(iban), sqlc.arg(bic), sqlc.arg(email), sqlc.arg(phone), sqlc.arg(updated_at))
ON CONFLICT (tenant_id) DO UPDATE SET logo = excluded.logo, logo_type = excluded.logo_type, primary_color = excluded.primary_color,
    accent_color = excluded.accent_color, payment_instructions = excluded.payment_instructions, iban = excluded.iban, bic = excluded.bic,
    email = excluded.email, phone = excluded.phone, updated_at = excluded.updated_at;

-- name: DeleteInvoiceCharges :exec
DELETE FROM invoice_charges WHERE tenant_id = sqlc.arg(tenant_id) AND invoice_id = sqlc.arg(invoice_id);

-- name: InvoiceCharges :many
SELECT * FROM invoice_charges WHERE tenant_id = sqlc.arg(tenant_id) AND invoice_id = sqlc.arg(invoice_id) ORDER BY position;
