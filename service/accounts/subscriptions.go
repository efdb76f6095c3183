package accounts

import (
	"context"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/id"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service/usecase"
	"github.com/facturo/facturo/subscription"
)

// SubscriptionStore persists subscriptions.
type SubscriptionStore interface {
	InsertSubscription(ctx context.Context, s subscription.Subscription) error
	UpdateSubscription(ctx context.Context, s subscription.Subscription) error
	GetSubscription(ctx context.Context, tenantID, subID string) (subscription.Subscription, error)
	// GetSubscriptionForUpdate locks the row until the transaction ends.
	GetSubscriptionForUpdate(ctx context.Context, tenantID, subID string) (subscription.Subscription, error)
	// ListSubscriptions lists a tenant's subscriptions, or one customer's.
	ListSubscriptions(ctx context.Context, tenantID, customerID string) ([]subscription.Subscription, error)
	// DueSubscriptionIDs lists active subscriptions (of one customer, or
	// all when customerID is empty) whose next renewal is on or before upTo.
	DueSubscriptionIDs(ctx context.Context, tenantID, customerID string, upTo calendar.Date, limit int) ([]string, error)
}

// SubscriptionInput creates a subscription; nil fields take defaults.
type SubscriptionInput struct {
	CustomerID  string
	Kind        string
	ProductID   string
	Description string
	Quantity    string
	Price       *string // default: the product's price
	Interval    string
	Start       calendar.Date // default: today
}

// CreateSubscription subscribes a customer to a product. Its first period
// is billed (becomes a sales item) at once when it starts today or earlier.
func (s *Service) CreateSubscription(ctx context.Context, p access.Principal, in SubscriptionInput) (subscription.Subscription, error) {
	var sub subscription.Subscription
	check := func() error {
		var c fail.Collector
		var price decimal.Decimal
		q, err := money.ReadDecimal("quantity", in.Quantity, "5")
		c.Merge("", err)
		if in.Price != nil {
			price, err = money.ReadDecimal("price", *in.Price, "11.70")
			c.Merge("", err)
		}
		if err := c.Err(); err != nil {
			return err
		}
		now := s.now()
		sub = subscription.Subscription{ID: id.NewAt("sub", now), TenantID: p.TenantID, CustomerID: in.CustomerID, Kind: subscription.SubscriptionKind(in.Kind),
			ProductID: in.ProductID, Description: in.Description, Quantity: q, Price: money.PriceIn(price, ""), Interval: billing.Interval(in.Interval),
			Start: in.Start, CreatedAt: now, UpdatedAt: now}
		return nil
	}
	return usecase.Write(ctx, s.subscriptions, p, access.ManageSubscriptions, check, func(tx SubscriptionsTx) (subscription.Subscription, usecase.Audit, error) {
		none := usecase.Audit{}
		now := sub.CreatedAt
		tenant, err := tx.GetTenant(ctx, p.TenantID)
		if err != nil {
			return subscription.Subscription{}, none, err
		}
		today := calendar.Today(now, tenant.Location())
		if sub.Start.IsZero() {
			sub.Start = today
		}
		cust, err := tx.GetCustomer(ctx, p.TenantID, sub.CustomerID)
		if fail.Is(err, fail.NotFound) || (err == nil && cust.ArchivedAt != nil) {
			return subscription.Subscription{}, none, fail.Field("customer_id", "no active customer %q", sub.CustomerID)
		} else if err != nil {
			return subscription.Subscription{}, none, err
		}
		if sub.ProductID != "" {
			prod, err := tx.GetProduct(ctx, p.TenantID, sub.ProductID)
			if fail.Is(err, fail.NotFound) {
				return subscription.Subscription{}, none, fail.Field("product_id", "no product %q", sub.ProductID)
			} else if err != nil {
				return subscription.Subscription{}, none, err
			}
			if in.Price == nil {
				sub.Price = prod.DefaultPrice
			}
			sub.Currency = prod.Currency
			if sub.Description == "" {
				sub.Description = prod.Name
			}
		}
		if err := sub.Normalize(); err != nil {
			return subscription.Subscription{}, none, err
		}
		if err := tx.InsertSubscription(ctx, sub); err != nil {
			return subscription.Subscription{}, none, err
		}
		if _, err := s.RenewPeriods(ctx, tx, &sub, today); err != nil {
			return subscription.Subscription{}, none, err
		}
		return sub, usecase.Entry("subscription.created", "subscription", sub.ID, sub), nil
	})
}

// RenewPeriods bills the subscription's due periods up to upTo, each exactly once
// (the sales item's source reference is the subscription and the period
// start, unique per tenant), advances its next renewal and ends it when it
// was cancelled at period end and that end has passed. It saves sub.
func (s *Service) RenewPeriods(ctx context.Context, tx SubscriptionsTx, sub *subscription.Subscription, upTo calendar.Date) (int, error) {
	made := 0
	for _, per := range sub.DuePeriods(upTo) {
		// A quantity scheduled for the period's first day (or before) bills
		// the whole period; one from a later day is prorated from it.
		sched := sub.ScheduledQuantity != nil && !sub.ScheduledOn.After(per.End)
		if sched && !sub.ScheduledOn.After(per.Start) {
			sub.Quantity, sub.ScheduledQuantity, sub.ScheduledOn, sched = *sub.ScheduledQuantity, nil, calendar.Date{}, false
		}
		ok, err := s.subscriptionItem(ctx, tx, *sub, "@"+per.Start.String(), sub.Quantity, sub.Price, per.Start,
			per, fmt.Sprintf("%s (%s – %s)", sub.Description, per.Start, per.End))
		if err != nil {
			return made, err
		}
		if ok {
			made++
		}
		if sched {
			n, err := s.prorateQuantity(ctx, tx, *sub, "@q@"+sub.ScheduledOn.String(), sub.ScheduledQuantity.Sub(sub.Quantity), per, sub.ScheduledOn)
			if err != nil {
				return made, err
			}
			made += n
			sub.Quantity, sub.ScheduledQuantity, sub.ScheduledOn = *sub.ScheduledQuantity, nil, calendar.Date{}
		}
		sub.NextRenewal = per.End.AddDays(1)
	}
	if sub.Status == subscription.SubActive && !sub.EndsOn.IsZero() && upTo.After(sub.EndsOn) {
		sub.Status = subscription.SubCancelled
	}
	sub.UpdatedAt = s.now()
	return made, tx.UpdateSubscription(ctx, *sub)
}

// prorateQuantity charges (or credits) a change of quantity by delta from
// day eff of a billed period, by subscription.Prorate, as one sales item with
// reference ref; it returns the items made.
func (s *Service) prorateQuantity(ctx context.Context, tx SubscriptionsTx, sub subscription.Subscription, ref string, delta decimal.Decimal,
	per billing.Period, eff calendar.Date) (int, error) {
	pr := subscription.Prorate(delta, sub.Price, per, eff)
	if pr.Amount.IsZero() {
		return 0, nil
	}
	ok, err := s.subscriptionItem(ctx, tx, sub, ref, decimal.NewFromInt(1), money.UnitPrice{Amount: pr.Amount}, eff, per,
		subscription.ProrationText(sub.Description+" quantity change", delta, sub.Price, pr, per, eff))
	if err != nil || !ok {
		return 0, err
	}
	return 1, nil
}

// subscriptionItem inserts one sales item of a subscription; an item with
// the same reference made earlier (or by another node) is kept and nothing
// is added.
func (s *Service) subscriptionItem(ctx context.Context, tx SubscriptionsTx, sub subscription.Subscription, ref string, q decimal.Decimal, price money.UnitPrice,
	billDate calendar.Date, per billing.Period, desc string) (bool, error) {
	now := s.now()
	si := billing.SalesItem{ID: id.NewAt(id.SalesItem, now), TenantID: sub.TenantID, CustomerID: sub.CustomerID,
		Source: billing.SourceSubscription, SourceRef: sub.ID + ref, ProductID: sub.ProductID, Description: desc,
		Quantity: q, UnitPrice: price, Currency: sub.Currency, BillingDate: billDate, PeriodStart: billDate, PeriodEnd: per.End,
		ChargeType: billing.Recurring, CreatedAt: now, UpdatedAt: now}
	if err := s.deps.CompleteItem(ctx, tx, sub.TenantID, &si, true); err != nil {
		return false, fmt.Errorf("subscription %s: %w", sub.ID, err)
	}
	err := tx.InsertSalesItem(ctx, si)
	if fail.Is(err, fail.Conflict) {
		return false, nil
	}
	return err == nil, err
}

// renewalActor names the system principal of the renewal sweep.
const renewalActor = "subscription renewals"

// RenewSubscriptions bills every subscription period of the tenant that
// starts on or before upTo and is not billed yet, a batch of subscriptions
// per transaction. Every node may run it at once: each subscription is
// locked while it renews and each period's item is unique.
func (s *Service) RenewSubscriptions(ctx context.Context, tenantID string, upTo calendar.Date) (int, error) {
	made := 0
	for {
		var ids []string
		if err := s.subscriptions.Store.Read(ctx, func(tx SubscriptionsTx) error {
			var err error
			ids, err = tx.DueSubscriptionIDs(ctx, tenantID, "", upTo, 50)
			return err
		}); err != nil {
			return made, err
		}
		if len(ids) == 0 {
			return made, nil
		}
		// The tenant's renewal sweep acts as the system; each period's sales
		// item is its trace, so the envelope records no audit entry.
		type batch struct {
			made       int
			progressed bool
		}
		b, err := usecase.Write(ctx, s.subscriptions, access.System(tenantID, renewalActor), access.ManageSubscriptions, nil,
			func(tx SubscriptionsTx) (batch, usecase.Audit, error) {
				var b batch
				for _, sid := range ids {
					sub, err := tx.GetSubscriptionForUpdate(ctx, tenantID, sid)
					if err != nil {
						return batch{}, usecase.Audit{}, err
					}
					before := sub.NextRenewal
					n, err := s.RenewPeriods(ctx, tx, &sub, upTo)
					if err != nil {
						return batch{}, usecase.Audit{}, err
					}
					b.made += n
					b.progressed = b.progressed || sub.NextRenewal != before || sub.Status != subscription.SubActive
				}
				return b, usecase.Audit{}, nil
			})
		if err != nil {
			return made, err
		}
		made += b.made
		if !b.progressed {
			return made, nil
		}
	}
}

// ListSubscriptions lists subscriptions: staff see the tenant's (or one
// customer's), a customer its own.
func (s *Service) ListSubscriptions(ctx context.Context, p access.Principal, customerID string) ([]subscription.Subscription, error) {
	if own, scoped := p.CustomerScope(); scoped && customerID == "" {
		customerID = own
	}
	if err := RequireCustomerRead(p, customerID); err != nil {
		return nil, err
	}
	var out []subscription.Subscription
	err := s.subscriptions.Store.Read(ctx, func(tx SubscriptionsTx) error {
		var err error
		out, err = tx.ListSubscriptions(ctx, p.TenantID, customerID)
		return err
	})
	return out, err
}

// GetSubscription returns one subscription.
func (s *Service) GetSubscription(ctx context.Context, p access.Principal, subID string) (subscription.Subscription, error) {
	perm := access.ReadCustomers
	if p.IsCustomer() {
		perm = access.OwnAccount
	}
	if err := p.Require(perm); err != nil {
		return subscription.Subscription{}, err
	}
	var out subscription.Subscription
	err := s.subscriptions.Store.Read(ctx, func(tx SubscriptionsTx) error {
		var err error
		out, err = tx.GetSubscription(ctx, p.TenantID, subID)
		return err
	})
	if err != nil {
		return out, err
	}
	if err := RequireCustomerRead(p, out.CustomerID); err != nil {
		if fail.Is(err, fail.NotFound) {
			return subscription.Subscription{}, fail.NotFoundf("no subscription %q", subID)
		}
		return subscription.Subscription{}, err
	}
	return out, nil
}

// SubscriptionChange is one action on a subscription.
type SubscriptionChange struct {
	Action      string        // quantity, pause, resume, cancel (audited as subscription.quantity, subscription.pause, subscription.resume, subscription.cancel)
	Quantity    string        // for quantity
	Effective   calendar.Date // for quantity; default today
	AtPeriodEnd bool          // for cancel
}

// ChangeSubscription applies one change, first billing what is due up to
// today so the period in progress is billed before it is prorated:
//
//   - quantity: from the effective day to the end of the period in progress,
//     the difference is charged (or credited) by subscription.Prorate; later
//     periods bill the new quantity.
//   - pause: no period starting while paused is billed; the period in
//     progress stays billed.
//   - resume: the rest of the period in progress is charged by day, and
//     renewals continue from the next period.
//   - cancel: at period end, the subscription ends on the last day of the
//     last period billed (the period in progress, or a later one a billing
//     run already billed); now, it ends today and the days left of a billed
//     period are credited by day.
func (s *Service) ChangeSubscription(ctx context.Context, p access.Principal, subID string, ch SubscriptionChange) (subscription.Subscription, error) {
	return usecase.Write(ctx, s.subscriptions, p, access.ManageSubscriptions, nil, func(tx SubscriptionsTx) (subscription.Subscription, usecase.Audit, error) {
		before, sub, err := s.changeSubscription(ctx, tx, p.TenantID, subID, ch)
		if err != nil {
			return subscription.Subscription{}, usecase.Audit{}, err
		}
		return sub, usecase.Entry("subscription."+ch.Action, "subscription", sub.ID, usecase.Diff(before, sub)), nil
	})
}

// changeSubscription applies ch in tx and saves the subscription; it
// returns it before and after.
func (s *Service) changeSubscription(ctx context.Context, tx SubscriptionsTx, tenantID, subID string, ch SubscriptionChange) (before, after subscription.Subscription, err error) {
	err = func() error {
		sub, err := tx.GetSubscriptionForUpdate(ctx, tenantID, subID)
		if err != nil {
			return err
		}
		before = sub
		tenant, err := tx.GetTenant(ctx, tenantID)
		if err != nil {
			return err
		}
		today := calendar.Today(s.now(), tenant.Location())
		if _, err := s.RenewPeriods(ctx, tx, &sub, today); err != nil {
			return err
		}
		if sub.Status == subscription.SubCancelled {
			return fail.Conflictf("subscription %s is cancelled", sub.ID)
		}
		// billed reports whether the period holding d has been billed.
		billed := func(per billing.Period) bool {
			return per.Start.Before(sub.NextRenewal) && !sub.Start.After(per.Start)
		}
		switch ch.Action {
		case "quantity":
			q, err := money.ReadDecimal("quantity", ch.Quantity, "5")
			if err != nil {
				return err
			}
			if !q.IsPositive() || q.Exponent() < -6 {
				return fail.Field("quantity", "give a decimal above 0 with at most 6 decimals")
			}
			eff := ch.Effective
			if eff.IsZero() {
				eff = today
			}
			if eff.Before(sub.Start) {
				eff = sub.Start
			}
			per := sub.PeriodOn(eff)
			if cp := sub.PeriodOn(today); today.After(sub.Start) && per.Start.Before(cp.Start) {
				return fail.Field("effective", "must be within the period in progress (from %s)", cp.Start)
			}
			if !billed(per) && eff.After(today) {
				// A day in a period not billed yet: the change waits for it
				// (renew bills that period at the old quantity up to the
				// day before and the new one from it).
				sub.ScheduledQuantity, sub.ScheduledOn = &q, eff
				break
			}
			delta := q.Sub(sub.Quantity)
			if sub.Status == subscription.SubActive && billed(per) && !delta.IsZero() {
				if _, err := s.prorateQuantity(ctx, tx, sub, "@q@"+id.NewAt("chg", s.now()), delta, per, eff); err != nil {
					return err
				}
			}
			// While paused nothing is charged now: resume charges the rest
			// of the period at the new quantity.
			sub.Quantity, sub.ScheduledQuantity, sub.ScheduledOn = q, nil, calendar.Date{}
		case "pause":
			if sub.Status != subscription.SubActive {
				return fail.Conflictf("subscription %s is %s, not active", sub.ID, sub.Status)
			}
			paused := sub.Quantity
			sub.Status, sub.PausedOn, sub.PausedQuantity = subscription.SubPaused, today, &paused
		case "resume":
			if sub.Status != subscription.SubPaused {
				return fail.Conflictf("subscription %s is %s, not paused", sub.ID, sub.Status)
			}
			pausedAt := sub.PausedQuantity
			sub.Status, sub.PausedOn, sub.PausedQuantity = subscription.SubActive, calendar.Date{}, nil
			if today.Before(sub.Start) {
				break
			}
			per := sub.PeriodOn(today)
			if billed(per) && pausedAt != nil && !pausedAt.Equal(sub.Quantity) {
				// The period was billed at the quantity it had when paused; a
				// change made while paused counts from today.
				if _, err := s.prorateQuantity(ctx, tx, sub, "@resume@"+today.String(), sub.Quantity.Sub(*pausedAt), per, today); err != nil {
					return err
				}
			}
			if !billed(per) {
				pr := subscription.Prorate(sub.Quantity, sub.Price, per, today)
				if _, err := s.subscriptionItem(ctx, tx, sub, "@resume@"+today.String(), decimal.NewFromInt(1), money.UnitPrice{Amount: pr.Amount}, today, per,
					subscription.ProrationText(sub.Description+" resumed", sub.Quantity, sub.Price, pr, per, today)); err != nil {
					return err
				}
				sub.NextRenewal = per.End.AddDays(1)
			}
		case "cancel":
			per := sub.PeriodOn(today)
			if ch.AtPeriodEnd {
				// The end of the last period billed (a run may have billed
				// periods ahead of today), or of the period in progress.
				end := per.End
				if last := sub.NextRenewal.AddDays(-1); last.After(end) {
					end = last
				}
				sub.CancelAtPeriodEnd, sub.EndsOn = true, end
				if today.Before(sub.Start) {
					sub.EndsOn = sub.Start.AddDays(-1)
					sub.Status = subscription.SubCancelled
				}
				break
			}
			if sub.Status == subscription.SubActive && billed(per) && today.Before(per.End) {
				pr := subscription.Prorate(sub.Quantity.Neg(), sub.Price, per, today.AddDays(1))
				if !pr.Amount.IsZero() {
					if _, err := s.subscriptionItem(ctx, tx, sub, "@cancel", decimal.NewFromInt(1), money.UnitPrice{Amount: pr.Amount}, today, per,
						subscription.ProrationText(sub.Description+" cancelled, unused days", sub.Quantity.Neg(), sub.Price, pr, per, today.AddDays(1))); err != nil {
						return err
					}
				}
			}
			// Whole periods billed ahead of today are credited in full.
			for next := per.End.AddDays(1); next.Before(sub.NextRenewal); {
				fp := sub.PeriodOn(next)
				if _, err := s.subscriptionItem(ctx, tx, sub, "@cancel@"+fp.Start.String(), sub.Quantity.Neg(), sub.Price, today, fp,
					fmt.Sprintf("%s cancelled, period %s – %s credited", sub.Description, fp.Start, fp.End)); err != nil {
					return err
				}
				next = fp.End.AddDays(1)
			}
			sub.Status, sub.EndsOn, sub.ScheduledQuantity, sub.ScheduledOn = subscription.SubCancelled, today, nil, calendar.Date{}
		default:
			return fail.Field("action", "use quantity, pause, resume or cancel")
		}
		sub.UpdatedAt = s.now()
		if err := tx.UpdateSubscription(ctx, sub); err != nil {
			return err
		}
		after = sub
		return nil
	}()
	return before, after, err
}

// RenewDueSubscriptions bills the tenant's subscription periods that have
// started by today (in the tenant's time zone). The sweep runs it on every node.
func (s *Service) RenewDueSubscriptions(ctx context.Context, tenantID string) (int, error) {
	var tenant billing.Tenant
	if err := s.subscriptions.Store.Read(ctx, func(tx SubscriptionsTx) error {
		var err error
		tenant, err = tx.GetTenant(ctx, tenantID)
		return err
	}); err != nil {
		return 0, err
	}
	return s.RenewSubscriptions(ctx, tenantID, calendar.Today(s.now(), tenant.Location()))
}
