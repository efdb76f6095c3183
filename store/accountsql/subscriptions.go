package accountsql

import (
	"context"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/store/dbtx"
)

const subCols = `tenant_id, id, customer_id, kind, product_id, description, quantity, price, currency, interval, start_date, next_renewal,
	status, cancel_at_period_end, ends_on, paused_on, created_at, updated_at, paused_quantity, scheduled_quantity, scheduled_on`

func (t *Accounts) subSelect() string {
	return `tenant_id, id, customer_id, kind, product_id, description, ` + t.D.Dec("quantity") + `, ` + t.D.Dec("price") + `, currency, interval,
	start_date, next_renewal, status, cancel_at_period_end, ends_on, paused_on, created_at, updated_at, ` + t.D.Dec("paused_quantity") + `,
	` + t.D.Dec("scheduled_quantity") + `, scheduled_on`
}

func scanSub(row interface{ Scan(...any) error }) (billing.Subscription, error) {
	var s billing.Subscription
	var kind, interval string
	var price decimal.Decimal
	err := row.Scan(&s.TenantID, &s.ID, &s.CustomerID, &kind, &s.ProductID, &s.Description, dbtx.ScanDec(&s.Quantity), dbtx.ScanDec(&price),
		&s.Currency, &interval, dbtx.ScanDate(&s.Start), dbtx.ScanDate(&s.NextRenewal), &s.Status, &s.CancelAtPeriodEnd, dbtx.ScanDate(&s.EndsOn),
		dbtx.ScanDate(&s.PausedOn), dbtx.ScanTS(&s.CreatedAt), dbtx.ScanTS(&s.UpdatedAt), dbtx.ScanNDec(&s.PausedQuantity), dbtx.ScanNDec(&s.ScheduledQuantity),
		dbtx.ScanDate(&s.ScheduledOn))
	s.Kind, s.Interval, s.Price = billing.SubscriptionKind(kind), billing.Interval(interval), money.PriceIn(price, s.Currency)
	return s, err
}

func (t *Accounts) InsertSubscription(ctx context.Context, s billing.Subscription) error {
	_, err := t.Exec(ctx, `INSERT INTO subscriptions (`+subCols+`) VALUES (`+dbtx.Placeholders(21)+`)`,
		s.TenantID, s.ID, s.CustomerID, string(s.Kind), s.ProductID, s.Description, dbtx.DecArg(s.Quantity), dbtx.DecArg(s.Price.Decimal()), s.Currency,
		string(s.Interval), dbtx.DateArg(s.Start), dbtx.DateArg(s.NextRenewal), s.Status, s.CancelAtPeriodEnd, dbtx.DateArg(s.EndsOn), dbtx.DateArg(s.PausedOn),
		t.D.TS(s.CreatedAt), t.D.TS(s.UpdatedAt), dbtx.NDecArg(s.PausedQuantity), dbtx.NDecArg(s.ScheduledQuantity), dbtx.DateArg(s.ScheduledOn))
	if err != nil {
		return fmt.Errorf("insert subscription: %w", err)
	}
	return nil
}

func (t *Accounts) UpdateSubscription(ctx context.Context, s billing.Subscription) error {
	res, err := t.Exec(ctx, `UPDATE subscriptions SET description=?, quantity=?, price=?, next_renewal=?, status=?, cancel_at_period_end=?,
		ends_on=?, paused_on=?, updated_at=?, paused_quantity=?, scheduled_quantity=?, scheduled_on=? WHERE tenant_id=? AND id=?`,
		s.Description, dbtx.DecArg(s.Quantity), dbtx.DecArg(s.Price.Decimal()), dbtx.DateArg(s.NextRenewal), s.Status, s.CancelAtPeriodEnd, dbtx.DateArg(s.EndsOn),
		dbtx.DateArg(s.PausedOn), t.D.TS(s.UpdatedAt), dbtx.NDecArg(s.PausedQuantity), dbtx.NDecArg(s.ScheduledQuantity), dbtx.DateArg(s.ScheduledOn), s.TenantID, s.ID)
	return dbtx.MustAffect(res, err, "subscription", s.ID)
}

func (t *Accounts) getSub(ctx context.Context, lock, tenantID, subID string) (billing.Subscription, error) {
	s, err := scanSub(t.QueryRow(ctx, `SELECT `+t.subSelect()+` FROM subscriptions WHERE tenant_id = ? AND id = ?`+lock, tenantID, subID))
	if dbtx.ErrNoRows(err) {
		return s, dbtx.NotFound("subscription", subID)
	}
	if err != nil {
		return s, fmt.Errorf("get subscription: %w", err)
	}
	return s, nil
}

func (t *Accounts) GetSubscription(ctx context.Context, tenantID, subID string) (billing.Subscription, error) {
	return t.getSub(ctx, "", tenantID, subID)
}

func (t *Accounts) GetSubscriptionForUpdate(ctx context.Context, tenantID, subID string) (billing.Subscription, error) {
	return t.getSub(ctx, t.D.ForUpdate(), tenantID, subID)
}

func (t *Accounts) ListSubscriptions(ctx context.Context, tenantID, customerID string) ([]billing.Subscription, error) {
	w := dbtx.TenantWhere("tenant_id", tenantID)
	if customerID != "" {
		w.And("customer_id = ?", customerID)
	}
	rows, err := t.Query(ctx, `SELECT `+t.subSelect()+` FROM subscriptions WHERE `+w.String()+` ORDER BY created_at, id`, w.Args()...)
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

func (t *Accounts) DueSubscriptionIDs(ctx context.Context, tenantID, customerID string, upTo calendar.Date, limit int) ([]string, error) {
	rows, err := t.Query(ctx, `SELECT id FROM subscriptions WHERE tenant_id = ? AND (? = '' OR customer_id = ?) AND status = 'active' AND next_renewal <= ?
		AND (ends_on IS NULL OR next_renewal <= ends_on OR ends_on < ?) ORDER BY next_renewal, id LIMIT ?`,
		tenantID, customerID, customerID, dbtx.DateArg(upTo), dbtx.DateArg(upTo), limit)
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
