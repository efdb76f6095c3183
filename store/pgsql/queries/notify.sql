-- The notifications area on PostgreSQL: the email outbox, webhook
-- endpoints, events, deliveries and attempts. Keep it beside
-- sqlitesql/queries/notify.sql: the same queries, with the same names,
-- arguments and columns; only the engine's own SQL differs (row locks).

-- name: GetNotification :one
SELECT * FROM notifications WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id);

-- name: ListNotificationsOf :many
SELECT * FROM notifications WHERE tenant_id = sqlc.arg(tenant_id) AND target_id = sqlc.arg(target_id) ORDER BY id;

-- name: InsertNotification :exec
INSERT INTO notifications (tenant_id, id, kind, target_type, target_id, recipient, language, payload, status,
    attempts, last_error, created_at, next_attempt_at, updated_at)
VALUES (sqlc.arg(tenant_id), sqlc.arg(id), sqlc.arg(kind), sqlc.arg(target_type), sqlc.arg(target_id), sqlc.arg(recipient),
    sqlc.arg(language), sqlc.arg(payload), sqlc.arg(status), sqlc.arg(attempts), sqlc.arg(last_error), sqlc.arg(created_at),
    sqlc.arg(next_attempt_at), sqlc.arg(updated_at));

-- name: ClaimNotifications :many
UPDATE notifications SET lease_owner = sqlc.arg(owner), lease_until = sqlc.arg(lease_until)
WHERE (tenant_id, id) IN (SELECT n.tenant_id, n.id FROM notifications n
    WHERE n.status = 'queued' AND n.next_attempt_at <= sqlc.arg(now) AND (n.lease_until IS NULL OR n.lease_until < sqlc.arg(now))
    ORDER BY n.next_attempt_at LIMIT sqlc.arg(max) FOR UPDATE SKIP LOCKED)
RETURNING *;

-- name: ClaimNotification :many
UPDATE notifications SET lease_owner = sqlc.arg(owner), lease_until = sqlc.arg(lease_until)
WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id) AND status = 'queued' AND next_attempt_at <= sqlc.arg(now)
    AND (lease_until IS NULL OR lease_until < sqlc.arg(now))
RETURNING *;

-- name: SaveNotificationAttempt :execrows
UPDATE notifications SET status = sqlc.arg(status), attempts = sqlc.arg(attempts), last_error = sqlc.arg(last_error),
    next_attempt_at = sqlc.arg(next_attempt_at), sent_at = sqlc.arg(sent_at), updated_at = sqlc.arg(updated_at),
    lease_owner = '', lease_until = NULL
WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id) AND lease_owner = sqlc.arg(owner);

-- name: RequeueNotification :execrows
UPDATE notifications SET status = sqlc.arg(status), attempts = sqlc.arg(attempts), last_error = sqlc.arg(last_error),
    recipient = sqlc.arg(recipient), next_attempt_at = sqlc.arg(next_attempt_at), updated_at = sqlc.arg(updated_at),
    lease_owner = '', lease_until = NULL
WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id) AND status IN ('failed', 'skipped');

-- name: InsertWebhookEndpoint :exec
INSERT INTO webhook_endpoints (tenant_id, id, url, description, events, secret, enabled, created_at, updated_at)
VALUES (sqlc.arg(tenant_id), sqlc.arg(id), sqlc.arg(url), sqlc.arg(description), sqlc.arg(events), sqlc.arg(secret),
    sqlc.arg(enabled), sqlc.arg(created_at), sqlc.arg(updated_at));

-- name: UpdateWebhookEndpoint :execrows
UPDATE webhook_endpoints SET url = sqlc.arg(url), description = sqlc.arg(description), events = sqlc.arg(events),
    enabled = sqlc.arg(enabled), updated_at = sqlc.arg(updated_at)
WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id);

-- name: DeleteWebhookAttemptsOf :exec
DELETE FROM webhook_attempts WHERE tenant_id = sqlc.arg(tenant_id) AND endpoint_id = sqlc.arg(endpoint_id);

-- name: DeleteWebhookDeliveriesOf :exec
DELETE FROM webhook_deliveries WHERE tenant_id = sqlc.arg(tenant_id) AND endpoint_id = sqlc.arg(endpoint_id);

-- name: DeleteWebhookEndpoint :execrows
DELETE FROM webhook_endpoints WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id);

-- name: GetWebhookEndpoint :one
SELECT * FROM webhook_endpoints WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id);

-- name: InsertWebhookEvent :exec
INSERT INTO webhook_events (tenant_id, id, type, payload, created_at)
VALUES (sqlc.arg(tenant_id), sqlc.arg(id), sqlc.arg(type), sqlc.arg(payload), sqlc.arg(created_at));

-- name: InsertWebhookDelivery :exec
INSERT INTO webhook_deliveries (tenant_id, id, endpoint_id, event_id, event_type, status, attempts, next_attempt_at,
    created_at, updated_at)
VALUES (sqlc.arg(tenant_id), sqlc.arg(id), sqlc.arg(endpoint_id), sqlc.arg(event_id), sqlc.arg(event_type), sqlc.arg(status),
    sqlc.arg(attempts), sqlc.arg(next_attempt_at), sqlc.arg(created_at), sqlc.arg(updated_at));

-- name: GetWebhookDelivery :one
SELECT * FROM webhook_deliveries WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id);

-- name: ClaimWebhookDeliveries :many
UPDATE webhook_deliveries SET lease_owner = sqlc.arg(owner), lease_until = sqlc.arg(lease_until)
WHERE (tenant_id, id) IN (SELECT d.tenant_id, d.id FROM webhook_deliveries d
    JOIN webhook_endpoints e ON e.tenant_id = d.tenant_id AND e.id = d.endpoint_id
    WHERE d.status = 'pending' AND d.next_attempt_at <= sqlc.arg(now) AND (d.lease_until IS NULL OR d.lease_until < sqlc.arg(now))
        AND e.enabled
    ORDER BY d.next_attempt_at LIMIT sqlc.arg(max) FOR UPDATE OF d SKIP LOCKED)
RETURNING *;

-- name: GetWebhookTarget :one
SELECT e.url, e.secret, v.payload FROM webhook_endpoints e, webhook_events v
WHERE e.tenant_id = sqlc.arg(tenant_id) AND e.id = sqlc.arg(endpoint_id) AND v.tenant_id = e.tenant_id AND v.id = sqlc.arg(event_id);

-- name: SaveWebhookDelivery :execrows
UPDATE webhook_deliveries SET status = sqlc.arg(status), attempts = sqlc.arg(attempts), next_attempt_at = sqlc.arg(next_attempt_at),
    last_status = sqlc.arg(last_status), last_error = sqlc.arg(last_error), updated_at = sqlc.arg(updated_at),
    delivered_at = sqlc.arg(delivered_at), lease_owner = '', lease_until = NULL
WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id) AND lease_owner = sqlc.arg(owner);

-- name: RequeueWebhookDelivery :execrows
UPDATE webhook_deliveries SET status = sqlc.arg(status), attempts = sqlc.arg(attempts), next_attempt_at = sqlc.arg(next_attempt_at),
    last_error = sqlc.arg(last_error), updated_at = sqlc.arg(updated_at), lease_owner = '', lease_until = NULL
WHERE tenant_id = sqlc.arg(tenant_id) AND id = sqlc.arg(id) AND status = 'failed';

-- name: InsertWebhookAttempt :exec
INSERT INTO webhook_attempts (tenant_id, id, delivery_id, endpoint_id, event_id, event_type, attempt, at, status_code, error, duration_ms)
VALUES (sqlc.arg(tenant_id), sqlc.arg(id), sqlc.arg(delivery_id), sqlc.arg(endpoint_id), sqlc.arg(event_id), sqlc.arg(event_type),
    sqlc.arg(attempt), sqlc.arg(at), sqlc.arg(status_code), sqlc.arg(error), sqlc.arg(duration_ms));
