package billing

import (
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/money"
)

// Product is a billable good or service of the catalog.
type Product struct {
	ID                string          `json:"id"`
	TenantID          string          `json:"-"`
	Code              string          `json:"code"` // SKU; usage files name products by it
	Name              string          `json:"name"`
	ChargeType        ChargeType      `json:"charge_type"`
	Unit              string          `json:"unit"`
	DefaultPrice      money.UnitPrice `json:"default_price"` // in Currency
	Currency          string          `json:"currency"`
	Account           string          `json:"account"` // revenue account
	ItemSalesTaxGroup string          `json:"item_sales_tax_group"`
	Provider          string          `json:"provider"` // the vendor: one invoice per provider
	Archived          bool            `json:"archived"`
	CreatedAt         time.Time       `json:"created_at"`
	UpdatedAt         time.Time       `json:"updated_at"`
}

// Normalize validates a product.
func (p *Product) Normalize() error {
	var c fail.Collector
	p.Code, p.Name, p.Unit, p.Provider = strings.TrimSpace(p.Code), strings.TrimSpace(p.Name), strings.TrimSpace(p.Unit), strings.TrimSpace(p.Provider)
	if !numberPattern.MatchString(p.Code) {
		c.Add("code", "use 1 to 32 letters, digits, '.', '_', '/' or '-'")
	}
	checkRequired(&c, "name", p.Name, 200)
	if p.ChargeType == "" {
		p.ChargeType = OneTime
	}
	if !containsCT(p.ChargeType) {
		c.Add("charge_type", "use recurring, usage, one_time or time")
	}
	checkText(&c, "unit", p.Unit, 20)
	checkText(&c, "provider", p.Provider, 100)
	p.Currency = strings.ToUpper(strings.TrimSpace(p.Currency))
	if cur, err := money.ParseCurrency(p.Currency); err != nil {
		c.Add("currency", "%v", err)
	} else if p.DefaultPrice.Decimal().Exponent() < -6 {
		c.Add("default_price", "at most 6 decimals")
	} else {
		p.DefaultPrice = money.UnitPrice{Amount: money.New(p.DefaultPrice.Decimal(), cur)}
	}
	return c.Err()
}

func containsCT(ct ChargeType) bool {
	for _, x := range ChargeTypes {
		if x == ct {
			return true
		}
	}
	return false
}

// Contract is an agreement with a customer made of parts billed on an interval.
type Contract struct {
	ID         string         `json:"id"`
	TenantID   string         `json:"-"`
	Number     string         `json:"number"`
	CustomerID string         `json:"customer_id"`
	Name       string         `json:"name"`
	Status     string         `json:"status"` // active, ended
	Parts      []ContractPart `json:"parts"`
	CreatedAt  time.Time      `json:"created_at"`
	UpdatedAt  time.Time      `json:"updated_at"`
}

// ContractPart is one billed line of a contract (seed 002's "contract parts").
type ContractPart struct {
	ID          string          `json:"id"`
	ProductID   string          `json:"product_id"`
	Description string          `json:"description"`
	Quantity    decimal.Decimal `json:"quantity" money:"-"`
	Price       money.UnitPrice `json:"price"`    // in the product's currency, as the sales items it makes
	Currency    string          `json:"currency"` // the currency of Price
	Interval    Interval        `json:"interval"`
	Start       calendar.Date   `json:"start_date"`
	End         calendar.Date   `json:"end_date"`
	InAdvance   bool            `json:"in_advance"` // billed at the start of each period; false: in arrears, at its end
}

// Normalize validates a contract.
func (ct *Contract) Normalize() error {
	var c fail.Collector
	ct.Name = strings.TrimSpace(ct.Name)
	checkRequired(&c, "name", ct.Name, 200)
	if ct.CustomerID == "" {
		c.Add("customer_id", "is required")
	}
	if ct.Status == "" {
		ct.Status = "active"
	}
	if ct.Status != "active" && ct.Status != "ended" {
		c.Add("status", "use active or ended")
	}
	if len(ct.Parts) == 0 {
		c.Add("parts", "a contract needs at least one part")
	}
	for i, p := range ct.Parts {
		f := "parts[" + itoa(i) + "]"
		if p.ProductID == "" {
			c.Add(f+".product_id", "is required")
		}
		if !p.Quantity.IsPositive() {
			c.Add(f+".quantity", "must be above 0")
		}
		if p.Price.Sign() < 0 {
			c.Add(f+".price", "must not be negative")
		}
		switch p.Interval {
		case Monthly, Quarterly, Yearly:
		default:
			c.Add(f+".interval", "use monthly, quarterly or yearly")
		}
		if p.Start.IsZero() {
			c.Add(f+".start_date", "is required")
		}
		if !p.End.IsZero() && p.End.Before(p.Start) {
			c.Add(f+".end_date", "is before start_date")
		}
	}
	return c.Err()
}

// Period is one billing period of a contract part.
type Period struct {
	Start, End  calendar.Date
	BillingDate calendar.Date // start when billed in advance, end when in arrears
}

// Unbilled returns the periods of ps that share no day with billed, the
// periods already billed for the same part under another start date (its
// start was changed, or an older rule made them): no day of a part is
// billed twice. A period that starts where a billed one starts is kept: it
// is that same period, which its source reference makes exactly once.
func Unbilled(ps []Period, billed []calendar.Range) []Period {
	out := ps[:0:0]
next:
	for _, p := range ps {
		r := calendar.Range{From: p.Start, To: p.End}
		for _, b := range billed {
			if b.From != p.Start && r.Overlaps(b) {
				continue next
			}
		}
		out = append(out, p)
	}
	return out
}

// PeriodsBilledIn returns the part's periods whose billing date falls within r.
// Periods are anchored on the start date's day (calendar.Recurrence): a part
// starting on 31 January bills from 28 (or 29) February, 31 March, 30 April…
func (p ContractPart) PeriodsBilledIn(r calendar.Range) []Period {
	var out []Period
	rec := calendar.Recurrence{Start: p.Start, Months: p.Interval.Months()}
	for start := p.Start; r.To.IsZero() || !start.After(r.To); start = rec.Next(start) {
		if !p.End.IsZero() && start.After(p.End) {
			break
		}
		end := rec.Period(start).To
		if !p.End.IsZero() && end.After(p.End) {
			end = p.End
		}
		bill := start
		if !p.InAdvance {
			bill = end
		}
		if r.Contains(bill) {
			out = append(out, Period{Start: start, End: end, BillingDate: bill})
		}
		if len(out) > 1200 {
			break
		}
	}
	return out
}
