package notifysql

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/facturo/facturo/jobs/jobargs"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store/configcache"
	"github.com/facturo/facturo/store/dbtx"
	"github.com/facturo/facturo/store/enginesql"
	"github.com/facturo/facturo/store/sqlitesql"
)

// endpointOf is the webhook endpoint a row holds.
func endpointOf(r sqlitesql.WebhookEndpoint) (service.WebhookEndpoint, error) {
	e := service.WebhookEndpoint{TenantID: r.TenantID, ID: r.ID, URL: r.Url, Description: r.Description, Secret: r.Secret,
		Enabled: r.Enabled, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if err := json.Unmarshal([]byte(r.Events), &e.Events); err != nil {
		return e, fmt.Errorf("endpoint %s events: %w", r.ID, err)
	}
	return e, nil
}

func (t *Notifications) InsertWebhookEndpoint(ctx context.Context, e service.WebhookEndpoint) error {
	configcache.Changed(t.Tx, e.TenantID)
	events, err := dbtx.JSONArg(e.Events)
	if err != nil {
		return err
	}
	err = enginesql.For(t.Tx).InsertWebhookEndpoint(ctx, sqlitesql.InsertWebhookEndpointParams{TenantID: e.TenantID, ID: e.ID, Url: e.URL,
		Description: e.Description, Events: events, Secret: e.Secret, Enabled: e.Enabled, CreatedAt: dbtx.TimeOf(e.CreatedAt),
		UpdatedAt: dbtx.TimeOf(e.UpdatedAt)})
	if err != nil {
		return fmt.Errorf("insert webhook endpoint: %w", err)
	}
	return nil
}

func (t *Notifications) UpdateWebhookEndpoint(ctx context.Context, e service.WebhookEndpoint) error {
	configcache.Changed(t.Tx, e.TenantID)
	events, err := dbtx.JSONArg(e.Events)
	if err != nil {
		return err
	}
	k, err := enginesql.For(t.Tx).UpdateWebhookEndpoint(ctx, sqlitesql.UpdateWebhookEndpointParams{Url: e.URL, Description: e.Description,
		Events: events, Enabled: e.Enabled, UpdatedAt: dbtx.TimeOf(e.UpdatedAt), TenantID: e.TenantID, ID: e.ID})
	return dbtx.MustAffectRows(k, err, "webhook endpoint", e.ID)
}

func (t *Notifications) DeleteWebhookEndpoint(ctx context.Context, tenantID, endpointID string) error {
	configcache.Changed(t.Tx, tenantID)
	q := enginesql.For(t.Tx)
	if err := q.DeleteWebhookAttemptsOf(ctx, sqlitesql.DeleteWebhookAttemptsOfParams{TenantID: tenantID, EndpointID: endpointID}); err != nil {
		return fmt.Errorf("delete webhook attempts: %w", err)
	}
	if err := q.DeleteWebhookDeliveriesOf(ctx, sqlitesql.DeleteWebhookDeliveriesOfParams{TenantID: tenantID, EndpointID: endpointID}); err != nil {
		return fmt.Errorf("delete webhook deliveries: %w", err)
	}
	k, err := q.DeleteWebhookEndpoint(ctx, sqlitesql.DeleteWebhookEndpointParams{TenantID: tenantID, ID: endpointID})
	return dbtx.MustAffectRows(k, err, "webhook endpoint", endpointID)
}

func (t *Notifications) GetWebhookEndpoint(ctx context.Context, tenantID, endpointID string) (service.WebhookEndpoint, error) {
	r, err := enginesql.For(t.Tx).GetWebhookEndpoint(ctx, sqlitesql.GetWebhookEndpointParams{TenantID: tenantID, ID: endpointID})
	if dbtx.ErrNoRows(err) {
		return service.WebhookEndpoint{}, dbtx.NotFound("webhook endpoint", endpointID)
	}
	if err != nil {
		return service.WebhookEndpoint{}, fmt.Errorf("get webhook endpoint: %w", err)
	}
	return endpointOf(r)
}

func (t *Notifications) ListWebhookEndpoints(ctx context.Context, tenantID string, enabledOnly bool) ([]service.WebhookEndpoint, error) {
	list := func() ([]sqlitesql.WebhookEndpoint, error) {
		w := dbtx.TenantWhere("tenant_id", tenantID)
		if enabledOnly {
			w.And("enabled")
		}
		rows, err := t.Query(ctx, `SELECT * FROM webhook_endpoints WHERE `+w.String()+` ORDER BY id`, w.Args()...)
		if err != nil {
			return nil, fmt.Errorf("list webhook endpoints: %w", err)
		}
		return dbtx.ScanRows[sqlitesql.WebhookEndpoint](rows)
	}
	var rs []sqlitesql.WebhookEndpoint
	var err error
	if enabledOnly { // what every event reads: from the configuration cache
		rs, err = configcache.Get(ctx, t.Tx, tenantID, "ListWebhookEndpoints", list)
	} else {
		rs, err = list()
	}
	if err != nil {
		return nil, err
	}
	return dbtx.Map(rs, endpointOf)
}

func (t *Notifications) InsertWebhookEvent(ctx context.Context, ev service.WebhookEvent, ds []service.WebhookDelivery) error {
	q := enginesql.For(t.Tx)
	if err := q.InsertWebhookEvent(ctx, sqlitesql.InsertWebhookEventParams{TenantID: ev.TenantID, ID: ev.ID, Type: ev.Type,
		Payload: string(ev.Payload), CreatedAt: dbtx.TimeOf(ev.CreatedAt)}); err != nil {
		return fmt.Errorf("insert webhook event: %w", err)
	}
	for _, d := range ds {
		if err := q.InsertWebhookDelivery(ctx, sqlitesql.InsertWebhookDeliveryParams{TenantID: d.TenantID, ID: d.ID, EndpointID: d.EndpointID,
			EventID: d.EventID, EventType: d.EventType, Status: d.Status, Attempts: int64(d.Attempts), NextAttemptAt: dbtx.TimeOf(d.NextAttemptAt),
			CreatedAt: dbtx.TimeOf(d.CreatedAt), UpdatedAt: dbtx.TimeOf(d.UpdatedAt)}); err != nil {
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

// deliveryOf is the webhook delivery a row holds.
func deliveryOf(r sqlitesql.WebhookDelivery) service.WebhookDelivery {
	return service.WebhookDelivery{TenantID: r.TenantID, ID: r.ID, EndpointID: r.EndpointID, EventID: r.EventID, EventType: r.EventType,
		Status: r.Status, Attempts: int(r.Attempts), NextAttemptAt: r.NextAttemptAt.UTC(), LastStatus: int(r.LastStatus), LastError: r.LastError,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), DeliveredAt: r.DeliveredAt.Ptr()}
}

func (t *Notifications) GetWebhookDelivery(ctx context.Context, tenantID, deliveryID string) (service.WebhookDelivery, error) {
	r, err := enginesql.For(t.Tx).GetWebhookDelivery(ctx, sqlitesql.GetWebhookDeliveryParams{TenantID: tenantID, ID: deliveryID})
	if dbtx.ErrNoRows(err) {
		return service.WebhookDelivery{}, dbtx.NotFound("webhook delivery", deliveryID)
	}
	if err != nil {
		return service.WebhookDelivery{}, fmt.Errorf("get webhook delivery: %w", err)
	}
	return deliveryOf(r), nil
}

func (t *Notifications) RequeueWebhookDelivery(ctx context.Context, d service.WebhookDelivery) error {
	k, err := enginesql.For(t.Tx).RequeueWebhookDelivery(ctx, sqlitesql.RequeueWebhookDeliveryParams{Status: d.Status, Attempts: int64(d.Attempts),
		NextAttemptAt: dbtx.TimeOf(d.NextAttemptAt), LastError: d.LastError, UpdatedAt: dbtx.TimeOf(d.UpdatedAt), TenantID: d.TenantID, ID: d.ID})
	if err := dbtx.MustAffectRows(k, err, "failed webhook delivery", d.ID); err != nil {
		return err
	}
	return t.wakeWebhooks(ctx, d)
}

func (t *Notifications) ClaimWebhookDeliveries(ctx context.Context, owner string, now, leaseUntil time.Time, limit int) ([]service.DueWebhook, error) {
	q := enginesql.For(t.Tx)
	rows, err := q.ClaimWebhookDeliveries(ctx, sqlitesql.ClaimWebhookDeliveriesParams{Owner: owner, LeaseUntil: dbtx.TimeOf(leaseUntil),
		Now: dbtx.TimeOf(now), Max: int64(limit)})
	if err != nil {
		return nil, fmt.Errorf("claim webhook deliveries: %w", err)
	}
	out := make([]service.DueWebhook, 0, len(rows))
	for _, r := range rows {
		target, err := q.GetWebhookTarget(ctx, sqlitesql.GetWebhookTargetParams{TenantID: r.TenantID, EndpointID: r.EndpointID, EventID: r.EventID})
		if err != nil {
			return nil, fmt.Errorf("read webhook %s: %w", r.ID, err)
		}
		out = append(out, service.DueWebhook{WebhookDelivery: deliveryOf(r), URL: target.Url, Secret: target.Secret, Payload: []byte(target.Payload)})
	}
	return out, nil
}

func (t *Notifications) SaveWebhookAttempt(ctx context.Context, d service.WebhookDelivery, a service.WebhookAttempt, owner string) (bool, error) {
	q := enginesql.For(t.Tx)
	k, err := q.SaveWebhookDelivery(ctx, sqlitesql.SaveWebhookDeliveryParams{Status: d.Status, Attempts: int64(d.Attempts),
		NextAttemptAt: dbtx.TimeOf(d.NextAttemptAt), LastStatus: int64(d.LastStatus), LastError: d.LastError, UpdatedAt: dbtx.TimeOf(d.UpdatedAt),
		DeliveredAt: dbtx.NTimeOf(d.DeliveredAt), TenantID: d.TenantID, ID: d.ID, Owner: owner})
	if err != nil {
		return false, fmt.Errorf("save webhook delivery: %w", err)
	}
	if k != 1 {
		return false, nil // the lease passed to another node: its attempt counts, not this one
	}
	if err := q.InsertWebhookAttempt(ctx, sqlitesql.InsertWebhookAttemptParams{TenantID: a.TenantID, ID: a.ID, DeliveryID: a.DeliveryID,
		EndpointID: a.EndpointID, EventID: a.EventID, EventType: a.EventType, Attempt: int64(a.Attempt), At: dbtx.TimeOf(a.At),
		StatusCode: int64(a.StatusCode), Error: a.Error, DurationMs: a.DurationMS}); err != nil {
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
	rows, err := t.Query(ctx, `SELECT * FROM webhook_attempts WHERE `+w.String()+` ORDER BY id DESC LIMIT ?`, append(w.Args(), page.Limit+1)...)
	if err != nil {
		return nil, fmt.Errorf("list webhook attempts: %w", err)
	}
	rs, err := dbtx.ScanRows[sqlitesql.WebhookAttempt](rows)
	if err != nil {
		return nil, err
	}
	out := make([]service.WebhookAttempt, 0, len(rs))
	for _, r := range rs {
		out = append(out, service.WebhookAttempt{TenantID: r.TenantID, ID: r.ID, DeliveryID: r.DeliveryID, EndpointID: r.EndpointID,
			EventID: r.EventID, EventType: r.EventType, Attempt: int(r.Attempt), At: r.At.UTC(), StatusCode: int(r.StatusCode),
			Error: r.Error, DurationMS: r.DurationMs})
	}
	return out, nil
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
	rows, err := t.Query(ctx, `SELECT * FROM webhook_deliveries WHERE `+w.String()+` ORDER BY id DESC LIMIT ?`, append(w.Args(), page.Limit+1)...)
	if err != nil {
		return nil, fmt.Errorf("list webhook deliveries: %w", err)
	}
	rs, err := dbtx.ScanRows[sqlitesql.WebhookDelivery](rows)
	if err != nil {
		return nil, err
	}
	out := make([]service.WebhookDelivery, 0, len(rs))
	for _, r := range rs {
		out = append(out, deliveryOf(r))
	}
	return out, nil
}
