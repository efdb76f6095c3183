// Package subscription is the rule of subscriptions (seed 003): a product
// billed to a customer every interval, in advance, one period at a time,
// with prorated changes.
package subscription

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/money"
)

// SubscriptionKind is seed 003's three kinds of subscription.
type SubscriptionKind string

// The kinds.
const (
	KindSaaS        SubscriptionKind = "saas"        // the provider's own software plan
	KindResale      SubscriptionKind = "resale"      // services resold to the customer
	KindMarketplace SubscriptionKind = "marketplace" // marketplace apps
)

// SubscriptionKinds lists the kinds.
var SubscriptionKinds = []SubscriptionKind{KindSaaS, KindResale, KindMarketplace}

// Subscription states.
const (
	SubActive    = "active"
	SubPaused    = "paused"
	SubCancelled = "cancelled"
)

// Subscription bills a product to a customer every interval, in advance:
// each period [start, start + interval − 1 day] becomes one sales item on
// its first day, exactly once (the item's source reference is the
// subscription and the period start).
type Subscription struct {
	ID                string           `json:"id"`
	TenantID          string           `json:"-"`
	CustomerID        string           `json:"customer_id"`
	Kind              SubscriptionKind `json:"kind"`
	ProductID         string           `json:"product_id"`
	Description       string           `json:"description"`
	Quantity          decimal.Decimal  `json:"quantity" money:"-"`
	Price             money.UnitPrice  `json:"price"` // per unit and period, in Currency
	Currency          string           `json:"currency"`
	Interval          billing.Interval `json:"interval"`
	Start             calendar.Date    `json:"start_date"`
	NextRenewal       calendar.Date    `json:"next_renewal"` // first day of the next period to bill
	Status            string           `json:"status"`
	CancelAtPeriodEnd bool             `json:"cancel_at_period_end"`
	EndsOn            calendar.Date    `json:"ends_on"`   // last day billed; zero: open-ended
	PausedOn          calendar.Date    `json:"paused_on"` // set while paused
	// PausedQuantity is the quantity billed for the period in progress when
	// it was paused; a change while paused is charged on resume.
	PausedQuantity *decimal.Decimal `json:"-" money:"-"`
	// ScheduledQuantity takes effect on ScheduledOn, a day in a period not
	// billed yet: that period is billed at the old quantity up to the day
	// before and at the new one from it.
	ScheduledQuantity *decimal.Decimal `json:"scheduled_quantity,omitempty" money:"-"`
	ScheduledOn       calendar.Date    `json:"scheduled_on"`
	CreatedAt         time.Time        `json:"created_at"`
	UpdatedAt         time.Time        `json:"updated_at"`
}

// Normalize validates a subscription.
func (s *Subscription) Normalize() error {
	var c fail.Collector
	s.Description = strings.TrimSpace(s.Description)
	billing.CheckText(&c, "description", s.Description, 1000)
	if s.CustomerID == "" {
		c.Add("customer_id", "is required")
	}
	if s.ProductID == "" {
		c.Add("product_id", "is required")
	}
	switch s.Kind {
	case KindSaaS, KindResale, KindMarketplace:
	default:
		c.Add("kind", "use saas, resale or marketplace")
	}
	if !s.Quantity.IsPositive() {
		c.Add("quantity", "must be above 0")
	} else if s.Quantity.Exponent() < -6 {
		c.Add("quantity", "at most 6 decimals")
	}
	if s.Price.Sign() < 0 {
		c.Add("price", "must not be negative")
	} else if s.Price.Decimal().Exponent() < -6 {
		c.Add("price", "at most 6 decimals")
	}
	switch s.Interval {
	case billing.Monthly, billing.Quarterly, billing.Yearly:
	default:
		c.Add("interval", "use monthly, quarterly or yearly")
	}
	if s.Start.IsZero() {
		c.Add("start_date", "is required")
	}
	if cur, err := money.ParseCurrency(s.Currency); err != nil {
		c.Add("currency", "%v", err)
	} else {
		s.Price = money.UnitPrice{Amount: money.New(s.Price.Decimal(), cur)} // the price is in the subscription's currency
	}
	if s.Status == "" {
		s.Status = SubActive
	}
	if s.NextRenewal.IsZero() {
		s.NextRenewal = s.Start
	}
	return c.Err()
}

// Period returns the subscription's k-th period (k from 0). Periods are
// counted from the start date so month ends do not drift: a subscription
// starting on 31 January renews on 28 (or 29) February, 31 March, 30 April…
func (s Subscription) Period(k int) billing.Period {
	rec := calendar.Recurrence{Start: s.Start, Months: s.Interval.Months()}
	p := rec.Period(rec.Nth(k))
	return billing.Period{Start: p.From, End: p.To, BillingDate: p.From}
}

// PeriodOn returns the period holding day d (the first period for days
// before the start).
func (s Subscription) PeriodOn(d calendar.Date) billing.Period {
	for k := 0; ; k++ {
		p := s.Period(k)
		if !d.After(p.End) || k > 12000 {
			return p
		}
	}
}

// DuePeriods returns the periods to bill now: those from NextRenewal whose
// first day is on or before upTo, stopping at EndsOn. A paused or cancelled
// subscription owes none.
func (s Subscription) DuePeriods(upTo calendar.Date) []billing.Period {
	if s.Status != SubActive {
		return nil
	}
	var out []billing.Period
	for k := 0; k < 12000; k++ {
		p := s.Period(k)
		if p.Start.After(upTo) || (!s.EndsOn.IsZero() && p.Start.After(s.EndsOn)) {
			break
		}
		if p.Start.Before(s.NextRenewal) {
			continue
		}
		out = append(out, p)
	}
	return out
}

// Proration is the charge (or credit, when negative) for part of a period.
type Proration struct {
	Amount     money.Amount // rounded to the currency
	Days       int          // days charged: from the effective day to the period's end, both included
	PeriodDays int          // days in the period
}

// Prorate is Facturo's proration rule, by day: a change of quantity by
// delta units on day eff of a period [start, end] that was billed in
// advance charges
//
//	delta × price × days / periodDays
//
// where days counts eff to end (both included) and periodDays counts the
// whole period; the result is rounded half away from zero to the currency's
// minor unit once. A negative delta gives a credit. A change on the first
// day charges the whole period's difference; a change after the period
// charges nothing. The same rule credits the unused days when a
// subscription is cancelled at once (delta = −quantity) and charges the
// rest of the period when it resumes (delta = quantity).
func Prorate(delta decimal.Decimal, price money.UnitPrice, per billing.Period, eff calendar.Date) Proration {
	periodDays := per.Start.DaysUntil(per.End) + 1
	if eff.Before(per.Start) {
		eff = per.Start
	}
	if eff.After(per.End) {
		return Proration{Amount: money.Zero(price.Currency()), PeriodDays: periodDays}
	}
	days := eff.DaysUntil(per.End) + 1
	amount := delta.Mul(price.Decimal()).Mul(decimal.NewFromInt(int64(days))).DivRound(decimal.NewFromInt(int64(periodDays)), 12)
	return Proration{Amount: money.New(amount, price.Currency()).Round(), Days: days, PeriodDays: periodDays}
}

// ProrationText describes a proration for its sales item.
func ProrationText(what string, delta decimal.Decimal, price money.UnitPrice, pr Proration, per billing.Period, eff calendar.Date) string {
	return fmt.Sprintf("%s: %s × %s for %d/%d days (%s – %s)", what, delta.String(), price.Decimal().String(), pr.Days, pr.PeriodDays, eff, per.End)
}

// MonthlyAmount is what the subscription bills per month on average
// (quantity × price over the interval's months), rounded to its
// currency's minor unit: a JPY subscription of 10,000 a year is 833 a month.
func (s Subscription) MonthlyAmount() money.Amount {
	per := s.Quantity.Mul(s.Price.Decimal()).Div(decimal.NewFromInt(int64(max(s.Interval.Months(), 1))))
	cur, err := money.ParseCurrency(s.Currency)
	if err != nil {
		return money.New(per, cur)
	}
	return money.New(per, cur).Round()
}
