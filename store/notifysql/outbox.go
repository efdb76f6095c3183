package notifysql

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/facturo/facturo/jobs/jobargs"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store/dbtx"
	"github.com/facturo/facturo/store/enginesql"
	"github.com/facturo/facturo/store/sqlitesql"
)

// notificationOf is the outbox message a row holds.
func notificationOf(r sqlitesql.Notification) (service.Notification, error) {
	n := service.Notification{TenantID: r.TenantID, ID: r.ID, Kind: r.Kind, TargetType: r.TargetType, TargetID: r.TargetID,
		Recipient: r.Recipient, Language: r.Language, Status: r.Status, Attempts: int(r.Attempts), LastError: r.LastError,
		NextAttemptAt: r.NextAttemptAt.Ptr(), SentAt: r.SentAt.Ptr(), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if r.UpdatedAt.IsZero() { // messages queued before updated_at was (00010)
		n.UpdatedAt = n.CreatedAt
	}
	if err := json.Unmarshal([]byte(r.Payload), &n.Payload); err != nil {
		return n, fmt.Errorf("notification %s payload: %w", r.ID, err)
	}
	return n, nil
}

func notificationsOf(rows []sqlitesql.Notification, err error) ([]service.Notification, error) {
	if err != nil {
		return nil, err
	}
	return dbtx.Map(rows, notificationOf)
}

func (t *Notifications) ListOutbox(ctx context.Context, tenantID string, f service.OutboxFilter) ([]service.Notification, error) {
	w := dbtx.TenantWhere("tenant_id", tenantID)
	if f.Status != "" {
		w.And("status = ?", f.Status)
	}
	if f.Kind != "" {
		w.And("kind = ?", f.Kind)
	}
	if f.TargetID != "" {
		w.And("target_id = ?", f.TargetID)
	}
	if c := f.Page.After(); c != nil {
		w.And("id < ?", c.ID)
	}
	rows, err := t.Query(ctx, `SELECT * FROM notifications WHERE `+w.String()+` ORDER BY id DESC LIMIT ?`, append(w.Args(), f.Page.Limit+1)...)
	if err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	return notificationsOf(dbtx.ScanRows[sqlitesql.Notification](rows))
}

func (t *Notifications) GetNotification(ctx context.Context, tenantID, notificationID string) (service.Notification, error) {
	r, err := enginesql.For(t.Tx).GetNotification(ctx, sqlitesql.GetNotificationParams{TenantID: tenantID, ID: notificationID})
	if dbtx.ErrNoRows(err) {
		return service.Notification{}, dbtx.NotFound("outbox message", notificationID)
	}
	if err != nil {
		return service.Notification{}, fmt.Errorf("get notification: %w", err)
	}
	return notificationOf(r)
}

func (t *Notifications) ClaimNotifications(ctx context.Context, owner string, now, leaseUntil time.Time, limit int) ([]service.Notification, error) {
	ns, err := notificationsOf(enginesql.For(t.Tx).ClaimNotifications(ctx, sqlitesql.ClaimNotificationsParams{Owner: owner,
		LeaseUntil: dbtx.TimeOf(leaseUntil), Now: dbtx.TimeOf(now), Max: int64(limit)}))
	if err != nil {
		return nil, fmt.Errorf("claim notifications: %w", err)
	}
	return ns, nil
}

func (t *Notifications) ClaimNotification(ctx context.Context, owner, tenantID, notificationID string, now, leaseUntil time.Time) (service.Notification, bool, error) {
	ns, err := notificationsOf(enginesql.For(t.Tx).ClaimNotification(ctx, sqlitesql.ClaimNotificationParams{Owner: owner,
		LeaseUntil: dbtx.TimeOf(leaseUntil), TenantID: tenantID, ID: notificationID, Now: dbtx.TimeOf(now)}))
	if err != nil || len(ns) == 0 {
		return service.Notification{}, false, err
	}
	return ns[0], true, nil
}

func (t *Notifications) SaveNotificationAttempt(ctx context.Context, n service.Notification, owner string) (bool, error) {
	k, err := enginesql.For(t.Tx).SaveNotificationAttempt(ctx, sqlitesql.SaveNotificationAttemptParams{Status: n.Status, Attempts: int64(n.Attempts),
		LastError: n.LastError, NextAttemptAt: dbtx.NTimeOf(n.NextAttemptAt), SentAt: dbtx.NTimeOf(n.SentAt),
		UpdatedAt: dbtx.TimeOf(n.UpdatedAt), TenantID: n.TenantID, ID: n.ID, Owner: owner})
	if err != nil {
		return false, fmt.Errorf("save notification attempt: %w", err)
	}
	if k != 1 {
		return false, nil // the lease passed to another node: its attempt counts, not this one
	}
	return true, t.scheduleEmail(ctx, n)
}

// scheduleEmail inserts, in the transaction of the change, the job that
// makes a queued message's next attempt when it is due.
func (t *Notifications) scheduleEmail(ctx context.Context, n service.Notification) error {
	if n.Status != service.NotificationQueued || n.NextAttemptAt == nil {
		return nil
	}
	args := jobargs.SendEmail{TenantID: n.TenantID, NotificationID: n.ID, Due: n.NextAttemptAt.UTC()}
	return t.InsertJob(ctx, args, args.Opts())
}

func (t *Notifications) RequeueNotification(ctx context.Context, n service.Notification) error {
	k, err := enginesql.For(t.Tx).RequeueNotification(ctx, sqlitesql.RequeueNotificationParams{Status: n.Status, Attempts: int64(n.Attempts),
		LastError: n.LastError, Recipient: n.Recipient, NextAttemptAt: dbtx.NTimeOf(n.NextAttemptAt), UpdatedAt: dbtx.TimeOf(n.UpdatedAt),
		TenantID: n.TenantID, ID: n.ID})
	if err := dbtx.MustAffectRows(k, err, "failed or skipped outbox message", n.ID); err != nil {
		return err
	}
	return t.scheduleEmail(ctx, n)
}

func (t *Notifications) InsertNotification(ctx context.Context, n service.Notification) error {
	payload, err := dbtx.JSONArg(dbtx.NonNilMap(n.Payload))
	if err != nil {
		return err
	}
	if n.NextAttemptAt == nil && n.Status == service.NotificationQueued {
		n.NextAttemptAt = &n.CreatedAt
	}
	if n.UpdatedAt.IsZero() {
		n.UpdatedAt = n.CreatedAt
	}
	err = enginesql.For(t.Tx).InsertNotification(ctx, sqlitesql.InsertNotificationParams{TenantID: n.TenantID, ID: n.ID, Kind: n.Kind,
		TargetType: n.TargetType, TargetID: n.TargetID, Recipient: n.Recipient, Language: n.Language, Payload: payload, Status: n.Status,
		Attempts: int64(n.Attempts), LastError: n.LastError, CreatedAt: dbtx.TimeOf(n.CreatedAt), NextAttemptAt: dbtx.NTimeOf(n.NextAttemptAt),
		UpdatedAt: dbtx.TimeOf(n.UpdatedAt)})
	if err != nil {
		return fmt.Errorf("insert notification: %w", err)
	}
	return t.scheduleEmail(ctx, n)
}

func (t *Notifications) ListNotifications(ctx context.Context, tenantID, targetID string) ([]service.Notification, error) {
	ns, err := notificationsOf(enginesql.For(t.Tx).ListNotificationsOf(ctx, sqlitesql.ListNotificationsOfParams{TenantID: tenantID, TargetID: targetID}))
	if err != nil {
		return nil, fmt.Errorf("list notifications: %w", err)
	}
	return ns, nil
}
