package accountsql

import (
	"context"
	"fmt"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/store/dbtx"
	"github.com/facturo/facturo/store/enginesql"
	"github.com/facturo/facturo/store/sqlitesql"
	"github.com/facturo/facturo/subscription"
)

// subscriptionOf is the subscription a row holds.
func subscriptionOf(r sqlitesql.Subscription) (subscription.Subscription, error) {
	var p dbtx.Parse
	s := subscription.Subscription{TenantID: r.TenantID, ID: r.ID, CustomerID: r.CustomerID, Kind: subscription.SubscriptionKind(r.Kind),
		ProductID: r.ProductID, Description: r.Description, Quantity: p.Dec(r.Quantity), Price: money.PriceIn(p.Dec(r.Price), r.Currency),
		Currency: r.Currency, Interval: billing.Interval(r.Interval), Start: p.Date(r.StartDate), NextRenewal: p.Date(r.NextRenewal),
		Status: r.Status, CancelAtPeriodEnd: r.CancelAtPeriodEnd, EndsOn: p.NDate(r.EndsOn), PausedOn: p.NDate(r.PausedOn),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), PausedQuantity: p.NDec(r.PausedQuantity),
		ScheduledQuantity: p.NDec(r.ScheduledQuantity), ScheduledOn: p.NDate(r.ScheduledOn)}
	if p.Err != nil {
		return s, fmt.Errorf("subscription %s: %w", r.ID, p.Err)
	}
	return s, nil
}

func (t *Accounts) InsertSubscription(ctx context.Context, s subscription.Subscription) error {
	err := enginesql.For(t.Tx).InsertSubscription(ctx, sqlitesql.InsertSubscriptionParams{TenantID: s.TenantID, ID: s.ID,
		CustomerID: s.CustomerID, Kind: string(s.Kind), ProductID: s.ProductID, Description: s.Description, Quantity: s.Quantity.String(),
		Price: s.Price.Decimal().String(), Currency: s.Currency, Interval: string(s.Interval), StartDate: dbtx.DateText(s.Start),
		NextRenewal: dbtx.DateText(s.NextRenewal), Status: s.Status, CancelAtPeriodEnd: s.CancelAtPeriodEnd, EndsOn: dbtx.NDateText(s.EndsOn),
		PausedOn: dbtx.NDateText(s.PausedOn), CreatedAt: dbtx.TimeOf(s.CreatedAt), UpdatedAt: dbtx.TimeOf(s.UpdatedAt),
		PausedQuantity: dbtx.NDecText(s.PausedQuantity), ScheduledQuantity: dbtx.NDecText(s.ScheduledQuantity), ScheduledOn: dbtx.NDateText(s.ScheduledOn)})
	if err != nil {
		return fmt.Errorf("insert subscription: %w", err)
	}
	return nil
}

func (t *Accounts) UpdateSubscription(ctx context.Context, s subscription.Subscription) error {
	n, err := enginesql.For(t.Tx).UpdateSubscription(ctx, sqlitesql.UpdateSubscriptionParams{Description: s.Description,
		Quantity: s.Quantity.String(), Price: s.Price.Decimal().String(), NextRenewal: dbtx.DateText(s.NextRenewal), Status: s.Status,
		CancelAtPeriodEnd: s.CancelAtPeriodEnd, EndsOn: dbtx.NDateText(s.EndsOn), PausedOn: dbtx.NDateText(s.PausedOn), UpdatedAt: dbtx.TimeOf(s.UpdatedAt),
		PausedQuantity: dbtx.NDecText(s.PausedQuantity), ScheduledQuantity: dbtx.NDecText(s.ScheduledQuantity), ScheduledOn: dbtx.NDateText(s.ScheduledOn),
		TenantID: s.TenantID, ID: s.ID})
	return dbtx.MustAffectRows(n, err, "subscription", s.ID)
}

func (t *Accounts) gotSub(r sqlitesql.Subscription, err error, subID string) (subscription.Subscription, error) {
	if dbtx.ErrNoRows(err) {
		return subscription.Subscription{}, dbtx.NotFound("subscription", subID)
	}
	if err != nil {
		return subscription.Subscription{}, fmt.Errorf("get subscription: %w", err)
	}
	return subscriptionOf(r)
}

func (t *Accounts) GetSubscription(ctx context.Context, tenantID, subID string) (subscription.Subscription, error) {
	r, err := enginesql.For(t.Tx).GetSubscription(ctx, sqlitesql.GetSubscriptionParams{TenantID: tenantID, ID: subID})
	return t.gotSub(r, err, subID)
}

func (t *Accounts) GetSubscriptionForUpdate(ctx context.Context, tenantID, subID string) (subscription.Subscription, error) {
	r, err := enginesql.For(t.Tx).GetSubscriptionForUpdate(ctx, sqlitesql.GetSubscriptionForUpdateParams{TenantID: tenantID, ID: subID})
	return t.gotSub(r, err, subID)
}

func (t *Accounts) ListSubscriptions(ctx context.Context, tenantID, customerID string) ([]subscription.Subscription, error) {
	w := dbtx.TenantWhere("tenant_id", tenantID)
	if customerID != "" {
		w.And("customer_id = ?", customerID)
	}
	rows, err := t.Query(ctx, `SELECT * FROM subscriptions WHERE `+w.String()+` ORDER BY created_at, id`, w.Args()...)
	if err != nil {
		return nil, fmt.Errorf("list subscriptions: %w", err)
	}
	rs, err := dbtx.ScanRows[sqlitesql.Subscription](rows)
	if err != nil {
		return nil, err
	}
	return dbtx.Map(rs, subscriptionOf)
}

func (t *Accounts) DueSubscriptionIDs(ctx context.Context, tenantID, customerID string, upTo calendar.Date, limit int) ([]string, error) {
	ids, err := enginesql.For(t.Tx).DueSubscriptionIDs(ctx, sqlitesql.DueSubscriptionIDsParams{TenantID: tenantID, CustomerID: customerID,
		UpTo: dbtx.DateText(upTo), Max: int64(limit)})
	if err != nil {
		return nil, fmt.Errorf("due subscriptions: %w", err)
	}
	return ids, nil
}
