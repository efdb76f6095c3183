package store

import (
	"context"
	"fmt"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
)

const subCols = `tenant_id, id, customer_id, kind, product_id, description, quantity, price, currency, interval, start_date, next_renewal,
	status, cancel_at_period_end, ends_on, paused_on, created_at, updated_at, paused_quantity, scheduled_quantity, scheduled_on`

func (t *tx) subSelect() string {
	return `tenant_id, id, customer_id, kind, product_id, description, ` + t.d.dec("quantity") + `, ` + t.d.dec("price") + `, currency, interval,
	start_date, next_renewal, status, cancel_at_period_end, ends_on, paused_on, created_at, updated_at, ` + t.d.dec("paused_quantity") + `,
	` + t.d.dec("scheduled_quantity") + `, scheduled_on`
}

func scanSub(row interface{ Scan(...any) error }) (billing.Subscription, error) {
	var s billing.Subscription
	var kind, interval string
	err := row.Scan(&s.TenantID, &s.ID, &s.CustomerID, &kind, &s.ProductID, &s.Description, decScan{&s.Quantity}, decScan{&s.Price},
		&s.Currency, &interval, dateScan{&s.Start}, dateScan{&s.NextRenewal}, &s.Status, &s.CancelAtPeriodEnd, dateScan{&s.EndsOn},
		dateScan{&s.PausedOn}, tsScan{&s.CreatedAt}, tsScan{&s.UpdatedAt}, ndecScan{&s.PausedQuantity}, ndecScan{&s.ScheduledQuantity},
		dateScan{&s.ScheduledOn})
	s.Kind, s.Interval = billing.SubscriptionKind(kind), billing.Interval(interval)
	return s, err
}

func (t *tx) InsertSubscription(ctx context.Context, s billing.Subscription) error {
	_, err := t.exec(ctx, `INSERT INTO subscriptions (`+subCols+`) VALUES (`+placeholders(21)+`)`,
		s.TenantID, s.ID, s.CustomerID, string(s.Kind), s.ProductID, s.Description, decArg(s.Quantity), decArg(s.Price), s.Currency,
		string(s.Interval), dateArg(s.Start), dateArg(s.NextRenewal), s.Status, s.CancelAtPeriodEnd, dateArg(s.EndsOn), dateArg(s.PausedOn),
		t.d.ts(s.CreatedAt), t.d.ts(s.UpdatedAt), ndecArg(s.PausedQuantity), ndecArg(s.ScheduledQuantity), dateArg(s.ScheduledOn))
	if err != nil {
		return fmt.Errorf("insert subscription: %w", err)
	}
	return nil
}

func (t *tx) UpdateSubscription(ctx context.Context, s billing.Subscription) error {
	res, err := t.exec(ctx, `UPDATE subscriptions SET description=?, quantity=?, price=?, next_renewal=?, status=?, cancel_at_period_end=?,
		ends_on=?, paused_on=?, updated_at=?, paused_quantity=?, scheduled_quantity=?, scheduled_on=? WHERE tenant_id=? AND id=?`,
		s.Description, decArg(s.Quantity), decArg(s.Price), dateArg(s.NextRenewal), s.Status, s.CancelAtPeriodEnd, dateArg(s.EndsOn),
		dateArg(s.PausedOn), t.d.ts(s.UpdatedAt), ndecArg(s.PausedQuantity), ndecArg(s.ScheduledQuantity), dateArg(s.ScheduledOn), s.TenantID, s.ID)
	return mustAffect(res, err, "subscription", s.ID)
}

func (t *tx) getSub(ctx context.Context, lock, tenantID, subID string) (billing.Subscription, error) {
	s, err := scanSub(t.queryRow(ctx, `SELECT `+t.subSelect()+` FROM subscriptions WHERE tenant_id = ? AND id = ?`+lock, tenantID, subID))
	if errNoRows(err) {
		return s, notFound("subscription", subID)
	}
	if err != nil {
		return s, fmt.Errorf("get subscription: %w", err)
	}
	return s, nil
}

func (t *tx) GetSubscription(ctx context.Context, tenantID, subID string) (billing.Subscription, error) {
	return t.getSub(ctx, "", tenantID, subID)
}

func (t *tx) GetSubscriptionForUpdate(ctx context.Context, tenantID, subID string) (billing.Subscription, error) {
	return t.getSub(ctx, t.d.forUpdate(), tenantID, subID)
}

func (t *tx) ListSubscriptions(ctx context.Context, tenantID, customerID string) ([]billing.Subscription, error) {
	w := tenantWhere("tenant_id", tenantID)
	if customerID != "" {
		w.and("customer_id = ?", customerID)
	}
	rows, err := t.query(ctx, `SELECT `+t.subSelect()+` FROM subscriptions WHERE `+w.String()+` ORDER BY created_at, id`, w.Args()...)
	if err != nil {
		return nil, fmt.Errorf("list subscriptions: %w", err)
	}
	defer rows.Close()
	out := []billing.Subscription{}
	for rows.Next() {
		s, err := scanSub(rows)
		if err != nil {
			return nil, fmt.Errorf("scan subscription: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func (t *tx) DueSubscriptionIDs(ctx context.Context, tenantID, customerID string, upTo calendar.Date, limit int) ([]string, error) {
	rows, err := t.query(ctx, `SELECT id FROM subscriptions WHERE tenant_id = ? AND (? = '' OR customer_id = ?) AND status = 'active' AND next_renewal <= ?
		AND (ends_on IS NULL OR next_renewal <= ends_on OR ends_on < ?) ORDER BY next_renewal, id LIMIT ?`,
		tenantID, customerID, customerID, dateArg(upTo), dateArg(upTo), limit)
	if err != nil {
		return nil, fmt.Errorf("due subscriptions: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
