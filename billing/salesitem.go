package billing

import (
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/money"
)

// Source is where a sales item comes from (seed 002).
type Source string

// The sources.
const (
	SourceContract     Source = "contract"
	SourceTicket       Source = "ticket"
	SourceUsage        Source = "usage"
	SourceSubscription Source = "subscription"
	SourceManual       Source = "manual"
)

// Sources lists the sources.
var Sources = []Source{SourceContract, SourceTicket, SourceUsage, SourceSubscription, SourceManual}

// ItemStatus is a sales item's place in seed 002's lifecycle.
type ItemStatus string

// The sales item statuses.
const (
	ItemDraft     ItemStatus = "draft"   // the customer has no billing information yet
	ItemPending   ItemStatus = "pending" // ready to invoice
	ItemInvoiced  ItemStatus = "invoiced"
	ItemCancelled ItemStatus = "cancelled"
)

// ItemStatuses lists the statuses.
var ItemStatuses = []ItemStatus{ItemDraft, ItemPending, ItemInvoiced, ItemCancelled}

// ItemStatusFor is the status of a new or changed open item: draft while the
// customer lacks billing information, pending once it has it.
func ItemStatusFor(hasBillingInfo bool) ItemStatus {
	if hasBillingInfo {
		return ItemPending
	}
	return ItemDraft
}

// SalesItem is a billable good or service not yet invoiced (seed 002).
type SalesItem struct {
	ID                string          `json:"id"`
	TenantID          string          `json:"-"`
	CustomerID        string          `json:"customer_id"`
	Source            Source          `json:"source"`
	SourceRef         string          `json:"source_ref"` // the contract part and period, time entry, usage record …
	ProductID         string          `json:"product_id"`
	Description       string          `json:"description"`
	Quantity          decimal.Decimal `json:"quantity" money:"-"`
	Unit              string          `json:"unit"`
	UnitPrice         money.UnitPrice `json:"unit_price"` // in Currency, as Discount and Gross (Normalize)
	Discount          money.Amount    `json:"discount"`
	Gross             money.Amount    `json:"gross"` // quantity × unit price, before discount, rounded
	BillingDate       calendar.Date   `json:"billing_date"`
	PeriodStart       calendar.Date   `json:"period_start"`
	PeriodEnd         calendar.Date   `json:"period_end"`
	Provider          string          `json:"provider"`
	Currency          string          `json:"currency"`
	ChargeType        ChargeType      `json:"charge_type"`
	Account           string          `json:"account"`
	ItemSalesTaxGroup string          `json:"item_sales_tax_group"`
	Status            ItemStatus      `json:"status"`
	InvoiceID         string          `json:"invoice_id"`
	CreatedAt         time.Time       `json:"created_at"`
	UpdatedAt         time.Time       `json:"updated_at"`
}

// HeldCredit is Facturo's rule for credits that would bill alone: items
// that go on one invoice (same bill-to account, provider and currency) and
// add up to total are held, left pending, when total is below zero, so a
// proration credit never becomes a negative invoice by itself. It waits
// for the next charge to net against, as Stripe's pending invoice items do.
func HeldCredit(total decimal.Decimal) bool { return total.IsNegative() }

// Net is the item's amount after its discount.
func (si SalesItem) Net() money.Amount { return si.Gross.MustSub(si.Discount) }

// Normalize validates a sales item and computes its gross amount.
func (si *SalesItem) Normalize() error {
	var c fail.Collector
	si.Description = strings.TrimSpace(si.Description)
	checkRequired(&c, "description", si.Description, 1000)
	if si.CustomerID == "" {
		c.Add("customer_id", "is required")
	}
	valid := false
	for _, s := range Sources {
		valid = valid || s == si.Source
	}
	if !valid {
		c.Add("source", "use contract, ticket, usage, subscription or manual")
	}
	if si.ChargeType == "" {
		si.ChargeType = OneTime
	}
	if !containsCT(si.ChargeType) {
		c.Add("charge_type", "use recurring, usage, one_time or time")
	}
	if si.BillingDate.IsZero() {
		c.Add("billing_date", "is required")
	}
	if !si.PeriodStart.IsZero() && !si.PeriodEnd.IsZero() && si.PeriodEnd.Before(si.PeriodStart) {
		c.Add("period_end", "is before period_start")
	}
	if si.Quantity.Exponent() < -6 {
		c.Add("quantity", "at most 6 decimals")
	}
	if si.UnitPrice.Decimal().Exponent() < -6 {
		c.Add("unit_price", "at most 6 decimals")
	}
	if si.Discount.Sign() < 0 {
		c.Add("discount", "must not be negative")
	}
	checkText(&c, "provider", si.Provider, 100)
	cur, err := money.ParseCurrency(strings.ToUpper(si.Currency))
	if err != nil {
		c.Add("currency", "%v", err)
	} else {
		// The amounts are in the item's currency, which may be named after
		// they were set.
		si.Currency = cur.Code()
		si.UnitPrice = money.UnitPrice{Amount: money.New(si.UnitPrice.Decimal(), cur)}
		si.Discount = money.New(si.Discount.Decimal(), cur)
		si.Gross = money.New(si.Quantity.Mul(si.UnitPrice.Decimal()), cur).Round()
		if !si.Discount.IsRounded() {
			c.Add("discount", "has more decimals than %s allows", cur.Code())
		}
		if si.Discount.Decimal().Abs().GreaterThan(si.Gross.Decimal().Abs()) {
			c.Add("discount", "is more than the item's amount %s", si.Gross)
		}
	}
	return c.Err()
}

// Editable reports whether the item can still be changed or cancelled by hand.
func (si SalesItem) Editable() bool { return si.Status == ItemDraft || si.Status == ItemPending }
