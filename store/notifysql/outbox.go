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

const notificationCols = `tenant_id, id, kind, target_type, target_id, recipient, language, payload, status, attempts, last_error,
	next_attempt_at, sent_at, created_at, COALESCE(updated_at, created_at)`

func scanNotification(row interface{ Scan(...any) error }) (service.Notification, error) {
	var n service.Notification
	var payload string
	if err := row.Scan(&n.TenantID, &n.ID, &n.Kind, &n.TargetType, &n.TargetID, &n.Recipient, &n.Language, &payload, &n.Status,
		&n.Attempts, &n.LastError, dbtx.ScanNTS(&n.NextAttemptAt), dbtx.ScanNTS(&n.SentAt), dbtx.ScanTS(&n.CreatedAt), dbtx.ScanTS(&n.UpdatedAt)); err != nil {
		return n, err
	}
	if err := json.Unmarshal([]byte(payload), &n.Payload); err != nil {
		return n, fmt.Errorf("notification payload: %w", err)
	}
	return n, nil
}

func (t *Notifications) listNotifications(ctx context.Context, query string, args ...any) ([]service.Notification, error) {
	rows, err := t.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list notifications: %w", err)
	}
	defer rows.Close()
	var out []service.Notification
	for rows.Next() {
		n, err := scanNotification(rows)
		if err != nil {
			return nil, fmt.Errorf("scan notification: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
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
	return t.listNotifications(ctx, `SELECT `+notificationCols+` FROM notifications WHERE `+w.String()+` ORDER BY id DESC LIMIT ?`,
		append(w.Args(), f.Page.Limit+1)...)
}

func (t *Notifications) GetNotification(ctx context.Context, tenantID, notificationID string) (service.Notification, error) {
	n, err := scanNotification(t.QueryRow(ctx, `SELECT `+notificationCols+` FROM notifications WHERE tenant_id = ? AND id = ?`, tenantID, notificationID))
	if dbtx.ErrNoRows(err) {
		return n, dbtx.NotFound("outbox message", notificationID)
	}
	if err != nil {
		return n, fmt.Errorf("get notification: %w", err)
	}
	return n, nil
}

func (t *Notifications) ClaimNotifications(ctx context.Context, owner string, now, leaseUntil time.Time, limit int) ([]service.Notification, error) {
	return t.listNotifications(ctx, `UPDATE notifications SET lease_owner = ?, lease_until = ?
		WHERE (tenant_id, id) IN (SELECT tenant_id, id FROM notifications
			WHERE status = 'queued' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?)
			ORDER BY next_attempt_at LIMIT ?`+t.D.SkipLocked()+`)
		RETURNING `+notificationCols, owner, t.D.TS(leaseUntil), t.D.TS(now), t.D.TS(now), limit)
}

func (t *Notifications) ClaimNotification(ctx context.Context, owner, tenantID, notificationID string, now, leaseUntil time.Time) (service.Notification, bool, error) {
	ns, err := t.listNotifications(ctx, `UPDATE notifications SET lease_owner = ?, lease_until = ?
		WHERE tenant_id = ? AND id = ? AND status = 'queued' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?)
		RETURNING `+notificationCols, owner, t.D.TS(leaseUntil), tenantID, notificationID, t.D.TS(now), t.D.TS(now))
	if err != nil || len(ns) == 0 {
		return service.Notification{}, false, err
	}
	return ns[0], true, nil
}

func (t *Notifications) SaveNotificationAttempt(ctx context.Context, n service.Notification, owner string) (bool, error) {
	res, err := t.Exec(ctx, `UPDATE notifications SET status = ?, attempts = ?, last_error = ?, next_attempt_at = ?, sent_at = ?,
		updated_at = ?, lease_owner = '', lease_until = NULL WHERE tenant_id = ? AND id = ? AND lease_owner = ?`,
		n.Status, n.Attempts, n.LastError, t.D.NTS(n.NextAttemptAt), t.D.NTS(n.SentAt), t.D.TS(n.UpdatedAt), n.TenantID, n.ID, owner)
	if err != nil {
		return false, fmt.Errorf("save notification attempt: %w", err)
	}
	k, err := res.RowsAffected()
	if err != nil || k != 1 {
		return false, err
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
	res, err := t.Exec(ctx, `UPDATE notifications SET status = ?, attempts = ?, last_error = ?, recipient = ?, next_attempt_at = ?,
		updated_at = ?, lease_owner = '', lease_until = NULL WHERE tenant_id = ? AND id = ? AND status IN ('failed', 'skipped')`,
		n.Status, n.Attempts, n.LastError, n.Recipient, t.D.NTS(n.NextAttemptAt), t.D.TS(n.UpdatedAt), n.TenantID, n.ID)
	if err := dbtx.MustAffect(res, err, "failed or skipped outbox message", n.ID); err != nil {
		return err
	}
	return t.scheduleEmail(ctx, n)
}

func (t *Notifications) InsertNotification(ctx context.Context, n service.Notification) error {
	payload, err := dbtx.JSONArg(dbtx.NonNilMap(n.Payload))
	if err != nil {
		return err
	}
	next := n.NextAttemptAt
	if next == nil && n.Status == service.NotificationQueued {
		next = &n.CreatedAt
	}
	updated := n.UpdatedAt
	if updated.IsZero() {
		updated = n.CreatedAt
	}
	_, err = t.Exec(ctx, `INSERT INTO notifications (tenant_id, id, kind, target_type, target_id, recipient, language, payload, status,
		attempts, last_error, created_at, next_attempt_at, updated_at)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`, n.TenantID, n.ID, n.Kind, n.TargetType, n.TargetID, n.Recipient, n.Language, payload, n.Status,
		n.Attempts, n.LastError, t.D.TS(n.CreatedAt), t.D.NTS(next), t.D.TS(updated))
	if err != nil {
		return fmt.Errorf("insert notification: %w", err)
	}
	n.NextAttemptAt = next
	return t.scheduleEmail(ctx, n)
}

func (t *Notifications) ListNotifications(ctx context.Context, tenantID, targetID string) ([]service.Notification, error) {
	return t.listNotifications(ctx, `SELECT `+notificationCols+` FROM notifications WHERE tenant_id = ? AND target_id = ? ORDER BY id`, tenantID, targetID)
}
