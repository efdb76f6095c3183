package notifysql

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/facturo/facturo/jobs/jobargs"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store/dbtx"
)

const endpointCols = `tenant_id, id, url, description, events, secret, enabled, created_at, updated_at`

func scanEndpoint(row interface{ Scan(...any) error }) (service.WebhookEndpoint, error) {
	var e service.WebhookEndpoint
	var events string
	if err := row.Scan(&e.TenantID, &e.ID, &e.URL, &e.Description, &events, &e.Secret, &e.Enabled, dbtx.ScanTS(&e.CreatedAt), dbtx.ScanTS(&e.UpdatedAt)); err != nil {
		return e, err
	}
	if err := json.Unmarshal([]byte(events), &e.Events); err != nil {
		return e, fmt.Errorf("endpoint events: %w", err)
	}
	return e, nil
}

func (t *Notifications) InsertWebhookEndpoint(ctx context.Context, e service.WebhookEndpoint) error {
	events, err := dbtx.JSONArg(e.Events)
	if err != nil {
		return err
	}
	_, err = t.Exec(ctx, `INSERT INTO webhook_endpoints (`+endpointCols+`) VALUES (?,?,?,?,?,?,?,?,?)`,
		e.TenantID, e.ID, e.URL, e.Description, events, e.Secret, e.Enabled, t.D.TS(e.CreatedAt), t.D.TS(e.UpdatedAt))
	if err != nil {
		return fmt.Errorf("insert webhook endpoint: %w", err)
	}
	return nil
}

func (t *Notifications) UpdateWebhookEndpoint(ctx context.Context, e service.WebhookEndpoint) error {
	events, err := dbtx.JSONArg(e.Events)
	if err != nil {
		return err
	}
	res, err := t.Exec(ctx, `UPDATE webhook_endpoints SET url = ?, description = ?, events = ?, enabled = ?, updated_at = ? WHERE tenant_id = ? AND id = ?`,
		e.URL, e.Description, events, e.Enabled, t.D.TS(e.UpdatedAt), e.TenantID, e.ID)
	return dbtx.MustAffect(res, err, "webhook endpoint", e.ID)
}

func (t *Notifications) DeleteWebhookEndpoint(ctx context.Context, tenantID, endpointID string) error {
	for _, table := range []string{"webhook_attempts", "webhook_deliveries"} {
		if _, err := t.Exec(ctx, `DELETE FROM `+table+` WHERE tenant_id = ? AND endpoint_id = ?`, tenantID, endpointID); err != nil {
			return fmt.Errorf("delete %s: %w", table, err)
		}
	}
	res, err := t.Exec(ctx, `DELETE FROM webhook_endpoints WHERE tenant_id = ? AND id = ?`, tenantID, endpointID)
	return dbtx.MustAffect(res, err, "webhook endpoint", endpointID)
}

func (t *Notifications) GetWebhookEndpoint(ctx context.Context, tenantID, endpointID string) (service.WebhookEndpoint, error) {
	e, err := scanEndpoint(t.QueryRow(ctx, `SELECT `+endpointCols+` FROM webhook_endpoints WHERE tenant_id = ? AND id = ?`, tenantID, endpointID))
	if dbtx.ErrNoRows(err) {
		return e, dbtx.NotFound("webhook endpoint", endpointID)
	}
	if err != nil {
		return e, fmt.Errorf("get webhook endpoint: %w", err)
	}
	return e, nil
}

func (t *Notifications) ListWebhookEndpoints(ctx context.Context, tenantID string, enabledOnly bool) ([]service.WebhookEndpoint, error) {
	w := dbtx.TenantWhere("tenant_id", tenantID)
	if enabledOnly {
		w.And("enabled")
	}
	rows, err := t.Query(ctx, `SELECT `+endpointCols+` FROM webhook_endpoints WHERE `+w.String()+` ORDER BY id`, w.Args()...)
	if err != nil {
		return nil, fmt.Errorf("list webhook endpoints: %w", err)
	}
	defer rows.Close()
	var out []service.WebhookEndpoint
	for rows.Next() {
		e, err := scanEndpoint(rows)
		if err != nil {
			return nil, fmt.Errorf("scan webhook endpoint: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func (t *Notifications) InsertWebhookEvent(ctx context.Context, ev service.WebhookEvent, ds []service.WebhookDelivery) error {
	if _, err := t.Exec(ctx, `INSERT INTO webhook_events (tenant_id, id, type, payload, created_at) VALUES (?,?,?,?,?)`,
		ev.TenantID, ev.ID, ev.Type, string(ev.Payload), t.D.TS(ev.CreatedAt)); err != nil {
		return fmt.Errorf("insert webhook event: %w", err)
	}
	for _, d := range ds {
		if _, err := t.Exec(ctx, `INSERT INTO webhook_deliveries (tenant_id, id, endpoint_id, event_id, event_type, status, attempts,
			next_attempt_at, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)`,
			d.TenantID, d.ID, d.EndpointID, d.EventID, d.EventType, d.Status, d.Attempts, t.D.TS(d.NextAttemptAt),
			t.D.TS(d.CreatedAt), t.D.TS(d.UpdatedAt)); err != nil {
			return fmt.Errorf("insert webhook delivery: %w", err)
		}
		if err := t.wakeWebhooks(ctx, d); err != nil {
			return err
		}
	}
	return nil
}

// wakeWebhooks inserts, in the transaction of the change, the job that
// posts a pending delivery when it is due: one per transaction and second
// due, however many deliveries the transaction queues.
func (t *Notifications) wakeWebhooks(ctx context.Context, d service.WebhookDelivery) error {
	if d.Status != service.WebhookPending {
		return nil
	}
	due := d.NextAttemptAt.UTC().Truncate(time.Second)
	args := jobargs.DeliverWebhooks{Due: due}
	return t.InsertJobOnce(ctx, jobargs.KindDeliverWebhooks+"@"+due.Format(time.RFC3339), args, args.Opts())
}

func (t *Notifications) GetWebhookDelivery(ctx context.Context, tenantID, deliveryID string) (service.WebhookDelivery, error) {
	ds, err := t.listDeliveries(ctx, `SELECT `+deliveryCols+` FROM webhook_deliveries WHERE tenant_id = ? AND id = ?`, tenantID, deliveryID)
	if err != nil {
		return service.WebhookDelivery{}, err
	}
	if len(ds) == 0 {
		return service.WebhookDelivery{}, dbtx.NotFound("webhook delivery", deliveryID)
	}
	return ds[0], nil
}

func (t *Notifications) RequeueWebhookDelivery(ctx context.Context, d service.WebhookDelivery) error {
	res, err := t.Exec(ctx, `UPDATE webhook_deliveries SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?, updated_at = ?,
		lease_owner = '', lease_until = NULL WHERE tenant_id = ? AND id = ? AND status = 'failed'`,
		d.Status, d.Attempts, t.D.TS(d.NextAttemptAt), d.LastError, t.D.TS(d.UpdatedAt), d.TenantID, d.ID)
	if err := dbtx.MustAffect(res, err, "failed webhook delivery", d.ID); err != nil {
		return err
	}
	return t.wakeWebhooks(ctx, d)
}

const deliveryCols = `tenant_id, id, endpoint_id, event_id, event_type, status, attempts, next_attempt_at, last_status, last_error,
	created_at, updated_at, delivered_at`

func scanDelivery(row interface{ Scan(...any) error }) (service.WebhookDelivery, error) {
	var d service.WebhookDelivery
	err := row.Scan(&d.TenantID, &d.ID, &d.EndpointID, &d.EventID, &d.EventType, &d.Status, &d.Attempts, dbtx.ScanTS(&d.NextAttemptAt),
		&d.LastStatus, &d.LastError, dbtx.ScanTS(&d.CreatedAt), dbtx.ScanTS(&d.UpdatedAt), dbtx.ScanNTS(&d.DeliveredAt))
	return d, err
}

func (t *Notifications) listDeliveries(ctx context.Context, query string, args ...any) ([]service.WebhookDelivery, error) {
	rows, err := t.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list webhook deliveries: %w", err)
	}
	defer rows.Close()
	var out []service.WebhookDelivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("scan webhook delivery: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func (t *Notifications) ClaimWebhookDeliveries(ctx context.Context, owner string, now, leaseUntil time.Time, limit int) ([]service.DueWebhook, error) {
	lock := ""
	if t.D.Engine == dbtx.Postgres {
		lock = " FOR UPDATE OF d SKIP LOCKED"
	}
	ds, err := t.listDeliveries(ctx, `UPDATE webhook_deliveries SET lease_owner = ?, lease_until = ?
		WHERE (tenant_id, id) IN (SELECT d.tenant_id, d.id FROM webhook_deliveries d
			JOIN webhook_endpoints e ON e.tenant_id = d.tenant_id AND e.id = d.endpoint_id
			WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND (d.lease_until IS NULL OR d.lease_until < ?) AND e.enabled
			ORDER BY d.next_attempt_at LIMIT ?`+lock+`)
		RETURNING `+deliveryCols, owner, t.D.TS(leaseUntil), t.D.TS(now), t.D.TS(now), limit)
	if err != nil {
		return nil, err
	}
	out := make([]service.DueWebhook, 0, len(ds))
	for _, d := range ds {
		w := service.DueWebhook{WebhookDelivery: d}
		var payload string
		err := t.QueryRow(ctx, `SELECT e.url, e.secret, v.payload FROM webhook_endpoints e, webhook_events v
			WHERE e.tenant_id = ? AND e.id = ? AND v.tenant_id = e.tenant_id AND v.id = ?`, d.TenantID, d.EndpointID, d.EventID).Scan(&w.URL, &w.Secret, &payload)
		if err != nil {
			return nil, fmt.Errorf("read webhook %s: %w", d.ID, err)
		}
		w.Payload = []byte(payload)
		out = append(out, w)
	}
	return out, nil
}

func (t *Notifications) SaveWebhookAttempt(ctx context.Context, d service.WebhookDelivery, a service.WebhookAttempt, owner string) (bool, error) {
	res, err := t.Exec(ctx, `UPDATE webhook_deliveries SET status = ?, attempts = ?, next_attempt_at = ?, last_status = ?, last_error = ?,
		updated_at = ?, delivered_at = ?, lease_owner = '', lease_until = NULL WHERE tenant_id = ? AND id = ? AND lease_owner = ?`,
		d.Status, d.Attempts, t.D.TS(d.NextAttemptAt), d.LastStatus, d.LastError, t.D.TS(d.UpdatedAt), t.D.NTS(d.DeliveredAt), d.TenantID, d.ID, owner)
	if err != nil {
		return false, fmt.Errorf("save webhook delivery: %w", err)
	}
	if k, err := res.RowsAffected(); err != nil || k != 1 {
		return false, err // the lease passed to another node: its attempt counts, not this one
	}
	if _, err := t.Exec(ctx, `INSERT INTO webhook_attempts (tenant_id, id, delivery_id, endpoint_id, event_id, event_type, attempt, at,
		status_code, error, duration_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?)`, a.TenantID, a.ID, a.DeliveryID, a.EndpointID, a.EventID, a.EventType,
		a.Attempt, t.D.TS(a.At), a.StatusCode, a.Error, a.DurationMS); err != nil {
		return false, fmt.Errorf("insert webhook attempt: %w", err)
	}
	return true, t.wakeWebhooks(ctx, d)
}

func (t *Notifications) ListWebhookAttempts(ctx context.Context, tenantID, endpointID string, page service.Page) ([]service.WebhookAttempt, error) {
	w := dbtx.TenantWhere("tenant_id", tenantID)
	w.And("endpoint_id = ?", endpointID)
	if c := page.After(); c != nil {
		w.And("id < ?", c.ID)
	}
	rows, err := t.Query(ctx, `SELECT tenant_id, id, delivery_id, endpoint_id, event_id, event_type, attempt, at, status_code, error, duration_ms
		FROM webhook_attempts WHERE `+w.String()+` ORDER BY id DESC LIMIT ?`, append(w.Args(), page.Limit+1)...)
	if err != nil {
		return nil, fmt.Errorf("list webhook attempts: %w", err)
	}
	defer rows.Close()
	var out []service.WebhookAttempt
	for rows.Next() {
		var a service.WebhookAttempt
		if err := rows.Scan(&a.TenantID, &a.ID, &a.DeliveryID, &a.EndpointID, &a.EventID, &a.EventType, &a.Attempt, dbtx.ScanTS(&a.At),
			&a.StatusCode, &a.Error, &a.DurationMS); err != nil {
			return nil, fmt.Errorf("scan webhook attempt: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func (t *Notifications) ListWebhookDeliveries(ctx context.Context, tenantID, endpointID, status string, page service.Page) ([]service.WebhookDelivery, error) {
	w := dbtx.TenantWhere("tenant_id", tenantID)
	w.And("endpoint_id = ?", endpointID)
	if status != "" {
		w.And("status = ?", status)
	}
	if c := page.After(); c != nil {
		w.And("id < ?", c.ID)
	}
	return t.listDeliveries(ctx, `SELECT `+deliveryCols+` FROM webhook_deliveries WHERE `+w.String()+` ORDER BY id DESC LIMIT ?`, append(w.Args(), page.Limit+1)...)
}
