package notifysql

import (
	"context"

	"github.com/facturo/facturo/store/dbtx"
	"github.com/facturo/facturo/store/pgsql"
	"github.com/facturo/facturo/store/sqlitesql"
)

// queries are this area's generated statements (queries/notify.sql in
// store/sqlitesql and store/pgsql), typed as SQLite's: the generated types of
// both engines are the same field for field.
type queries interface {
	ClaimNotification(ctx context.Context, arg sqlitesql.ClaimNotificationParams) ([]sqlitesql.Notification, error)
	ClaimNotifications(ctx context.Context, arg sqlitesql.ClaimNotificationsParams) ([]sqlitesql.Notification, error)
	ClaimWebhookDeliveries(ctx context.Context, arg sqlitesql.ClaimWebhookDeliveriesParams) ([]sqlitesql.WebhookDelivery, error)
	DeleteWebhookAttemptsOf(ctx context.Context, arg sqlitesql.DeleteWebhookAttemptsOfParams) error
	DeleteWebhookDeliveriesOf(ctx context.Context, arg sqlitesql.DeleteWebhookDeliveriesOfParams) error
	DeleteWebhookEndpoint(ctx context.Context, arg sqlitesql.DeleteWebhookEndpointParams) (int64, error)
	GetNotification(ctx context.Context, arg sqlitesql.GetNotificationParams) (sqlitesql.Notification, error)
	GetWebhookDelivery(ctx context.Context, arg sqlitesql.GetWebhookDeliveryParams) (sqlitesql.WebhookDelivery, error)
	GetWebhookEndpoint(ctx context.Context, arg sqlitesql.GetWebhookEndpointParams) (sqlitesql.WebhookEndpoint, error)
	GetWebhookTarget(ctx context.Context, arg sqlitesql.GetWebhookTargetParams) (sqlitesql.GetWebhookTargetRow, error)
	InsertNotification(ctx context.Context, arg sqlitesql.InsertNotificationParams) error
	InsertWebhookAttempt(ctx context.Context, arg sqlitesql.InsertWebhookAttemptParams) error
	InsertWebhookDelivery(ctx context.Context, arg sqlitesql.InsertWebhookDeliveryParams) error
	InsertWebhookEndpoint(ctx context.Context, arg sqlitesql.InsertWebhookEndpointParams) error
	InsertWebhookEvent(ctx context.Context, arg sqlitesql.InsertWebhookEventParams) error
	ListNotificationsOf(ctx context.Context, arg sqlitesql.ListNotificationsOfParams) ([]sqlitesql.Notification, error)
	RequeueNotification(ctx context.Context, arg sqlitesql.RequeueNotificationParams) (int64, error)
	RequeueWebhookDelivery(ctx context.Context, arg sqlitesql.RequeueWebhookDeliveryParams) (int64, error)
	SaveNotificationAttempt(ctx context.Context, arg sqlitesql.SaveNotificationAttemptParams) (int64, error)
	SaveWebhookDelivery(ctx context.Context, arg sqlitesql.SaveWebhookDeliveryParams) (int64, error)
	UpdateWebhookEndpoint(ctx context.Context, arg sqlitesql.UpdateWebhookEndpointParams) (int64, error)
}

// q is this transaction's queries on its engine.
func (t *Notifications) q() queries {
	if t.D.Engine == dbtx.Postgres {
		return pgQueries{pgsql.New(t.Conn())}
	}
	return sqlitesql.New(t.Conn())
}

// pgQueries runs the queries on PostgreSQL. Each method converts its
// arguments and rows between the engines' generated types, which are the
// same field for field: a query that differs between the engines does not
// compile here.
type pgQueries struct{ q *pgsql.Queries }

func (p pgQueries) ClaimNotification(ctx context.Context, arg sqlitesql.ClaimNotificationParams) ([]sqlitesql.Notification, error) {
	rows, err := p.q.ClaimNotification(ctx, pgsql.ClaimNotificationParams(arg))
	return convertRows(rows, func(r pgsql.Notification) sqlitesql.Notification { return sqlitesql.Notification(r) }), err
}

func (p pgQueries) ClaimNotifications(ctx context.Context, arg sqlitesql.ClaimNotificationsParams) ([]sqlitesql.Notification, error) {
	rows, err := p.q.ClaimNotifications(ctx, pgsql.ClaimNotificationsParams(arg))
	return convertRows(rows, func(r pgsql.Notification) sqlitesql.Notification { return sqlitesql.Notification(r) }), err
}

func (p pgQueries) ClaimWebhookDeliveries(ctx context.Context, arg sqlitesql.ClaimWebhookDeliveriesParams) ([]sqlitesql.WebhookDelivery, error) {
	rows, err := p.q.ClaimWebhookDeliveries(ctx, pgsql.ClaimWebhookDeliveriesParams(arg))
	return convertRows(rows, func(r pgsql.WebhookDelivery) sqlitesql.WebhookDelivery { return sqlitesql.WebhookDelivery(r) }), err
}

func (p pgQueries) DeleteWebhookAttemptsOf(ctx context.Context, arg sqlitesql.DeleteWebhookAttemptsOfParams) error {
	return p.q.DeleteWebhookAttemptsOf(ctx, pgsql.DeleteWebhookAttemptsOfParams(arg))
}

func (p pgQueries) DeleteWebhookDeliveriesOf(ctx context.Context, arg sqlitesql.DeleteWebhookDeliveriesOfParams) error {
	return p.q.DeleteWebhookDeliveriesOf(ctx, pgsql.DeleteWebhookDeliveriesOfParams(arg))
}

func (p pgQueries) DeleteWebhookEndpoint(ctx context.Context, arg sqlitesql.DeleteWebhookEndpointParams) (int64, error) {
	return p.q.DeleteWebhookEndpoint(ctx, pgsql.DeleteWebhookEndpointParams(arg))
}

func (p pgQueries) GetNotification(ctx context.Context, arg sqlitesql.GetNotificationParams) (sqlitesql.Notification, error) {
	r, err := p.q.GetNotification(ctx, pgsql.GetNotificationParams(arg))
	return sqlitesql.Notification(r), err
}

func (p pgQueries) GetWebhookDelivery(ctx context.Context, arg sqlitesql.GetWebhookDeliveryParams) (sqlitesql.WebhookDelivery, error) {
	r, err := p.q.GetWebhookDelivery(ctx, pgsql.GetWebhookDeliveryParams(arg))
	return sqlitesql.WebhookDelivery(r), err
}

func (p pgQueries) GetWebhookEndpoint(ctx context.Context, arg sqlitesql.GetWebhookEndpointParams) (sqlitesql.WebhookEndpoint, error) {
	r, err := p.q.GetWebhookEndpoint(ctx, pgsql.GetWebhookEndpointParams(arg))
	return sqlitesql.WebhookEndpoint(r), err
}

func (p pgQueries) GetWebhookTarget(ctx context.Context, arg sqlitesql.GetWebhookTargetParams) (sqlitesql.GetWebhookTargetRow, error) {
	r, err := p.q.GetWebhookTarget(ctx, pgsql.GetWebhookTargetParams(arg))
	return sqlitesql.GetWebhookTargetRow(r), err
}

func (p pgQueries) InsertNotification(ctx context.Context, arg sqlitesql.InsertNotificationParams) error {
	return p.q.InsertNotification(ctx, pgsql.InsertNotificationParams(arg))
}

func (p pgQueries) InsertWebhookAttempt(ctx context.Context, arg sqlitesql.InsertWebhookAttemptParams) error {
	return p.q.InsertWebhookAttempt(ctx, pgsql.InsertWebhookAttemptParams(arg))
}

func (p pgQueries) InsertWebhookDelivery(ctx context.Context, arg sqlitesql.InsertWebhookDeliveryParams) error {
	return p.q.InsertWebhookDelivery(ctx, pgsql.InsertWebhookDeliveryParams(arg))
}

func (p pgQueries) InsertWebhookEndpoint(ctx context.Context, arg sqlitesql.InsertWebhookEndpointParams) error {
	return p.q.InsertWebhookEndpoint(ctx, pgsql.InsertWebhookEndpointParams(arg))
}

func (p pgQueries) InsertWebhookEvent(ctx context.Context, arg sqlitesql.InsertWebhookEventParams) error {
	return p.q.InsertWebhookEvent(ctx, pgsql.InsertWebhookEventParams(arg))
}

func (p pgQueries) ListNotificationsOf(ctx context.Context, arg sqlitesql.ListNotificationsOfParams) ([]sqlitesql.Notification, error) {
	rows, err := p.q.ListNotificationsOf(ctx, pgsql.ListNotificationsOfParams(arg))
	return convertRows(rows, func(r pgsql.Notification) sqlitesql.Notification { return sqlitesql.Notification(r) }), err
}

func (p pgQueries) RequeueNotification(ctx context.Context, arg sqlitesql.RequeueNotificationParams) (int64, error) {
	return p.q.RequeueNotification(ctx, pgsql.RequeueNotificationParams(arg))
}

func (p pgQueries) RequeueWebhookDelivery(ctx context.Context, arg sqlitesql.RequeueWebhookDeliveryParams) (int64, error) {
	return p.q.RequeueWebhookDelivery(ctx, pgsql.RequeueWebhookDeliveryParams(arg))
}

func (p pgQueries) SaveNotificationAttempt(ctx context.Context, arg sqlitesql.SaveNotificationAttemptParams) (int64, error) {
	return p.q.SaveNotificationAttempt(ctx, pgsql.SaveNotificationAttemptParams(arg))
}

func (p pgQueries) SaveWebhookDelivery(ctx context.Context, arg sqlitesql.SaveWebhookDeliveryParams) (int64, error) {
	return p.q.SaveWebhookDelivery(ctx, pgsql.SaveWebhookDeliveryParams(arg))
}

func (p pgQueries) UpdateWebhookEndpoint(ctx context.Context, arg sqlitesql.UpdateWebhookEndpointParams) (int64, error) {
	return p.q.UpdateWebhookEndpoint(ctx, pgsql.UpdateWebhookEndpointParams(arg))
}

// convertRows converts the rows of one engine's generated query to the other's.
func convertRows[From, To any](rows []From, conv func(From) To) []To {
	if rows == nil {
		return nil
	}
	out := make([]To, len(rows))
	for i, r := range rows {
		out[i] = conv(r)
	}
	return out
}
