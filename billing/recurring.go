package billing

import (
	"strings"
	"time"

	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
)

// Interval is how often a recurring template bills.
type Interval string

// The intervals.
const (
	Monthly   Interval = "monthly"
	Quarterly Interval = "quarterly"
	Yearly    Interval = "yearly"
)

// Months returns the interval's length in months.
func (i Interval) Months() int {
	switch i {
	case Quarterly:
		return 3
	case Yearly:
		return 12
	}
	return 1
}

// Template states.
const (
	TemplateActive = "active"
	TemplatePaused = "paused"
	TemplateEnded  = "ended"
)

// Template is a recurring invoice (seed 004): it makes a draft (or issues an
// invoice) for its customer every interval, from start until end.
type Template struct {
	ID         string        `json:"id"`
	TenantID   string        `json:"-"`
	Name       string        `json:"name"`
	CustomerID string        `json:"customer_id"`
	Interval   Interval      `json:"interval"`
	Start      calendar.Date `json:"start_date"`
	End        calendar.Date `json:"end_date"` // zero: no end
	Next       calendar.Date `json:"next_date"`
	AutoIssue  bool          `json:"auto_issue"`
	Status     string        `json:"status"`
	// Invoice holds what each document copies: lines and header defaults.
	Invoice   TemplateInvoice `json:"invoice"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
}

// TemplateInvoice is the part of a document a template repeats.
type TemplateInvoice struct {
	Provider         string            `json:"provider"`
	Currency         string            `json:"currency"`
	ExchangeRate     string            `json:"exchange_rate"`
	MethodOfPayment  string            `json:"method_of_payment"`
	PaymentTermsDays int               `json:"payment_terms_days"`
	Language         string            `json:"language"`
	Notes            string            `json:"notes"`
	CustomFields     map[string]string `json:"custom_fields"`
	Lines            []Line            `json:"lines"`
}

// Normalize validates a template and sets its first next date.
func (t *Template) Normalize() error {
	var c fail.Collector
	t.Name = strings.TrimSpace(t.Name)
	checkRequired(&c, "name", t.Name, 200)
	if t.CustomerID == "" {
		c.Add("customer_id", "is required")
	}
	switch t.Interval {
	case Monthly, Quarterly, Yearly:
	default:
		c.Add("interval", "use monthly, quarterly or yearly")
	}
	if t.Start.IsZero() {
		c.Add("start_date", "is required")
	}
	if !t.End.IsZero() && t.End.Before(t.Start) {
		c.Add("end_date", "is before start_date")
	}
	if t.Next.IsZero() {
		t.Next = t.Start
	}
	if t.Status == "" {
		t.Status = TemplateActive
	}
	if t.Status != TemplateActive && t.Status != TemplatePaused && t.Status != TemplateEnded {
		c.Add("status", "use active, paused or ended")
	}
	if len(t.Invoice.Lines) == 0 {
		c.Add("lines", "a template needs at least one line")
	}
	return c.Err()
}

// Due reports whether the template should make a document on today.
func (t Template) Due(today calendar.Date) bool {
	return t.Status == TemplateActive && !t.Next.After(today) && (t.End.IsZero() || !t.Next.After(t.End))
}

// recurrence is the template's schedule, anchored on its start date's day
// (on its next date's for a template not yet normalized, without a start).
func (t Template) recurrence() calendar.Recurrence {
	start := t.Start
	if start.IsZero() {
		start = t.Next
	}
	return calendar.Recurrence{Start: start, Months: t.Interval.Months()}
}

// Period returns the billing period starting at the template's next date:
// to the day before the following next date.
func (t Template) Period() (calendar.Date, calendar.Date) {
	p := t.recurrence().Period(t.Next)
	return p.From, p.To
}

// Advance moves the template to its next period, ending it after its end
// date. Next dates stay on the start date's day, clamped to shorter months
// (start 31 January: 28 February, 31 March, 30 April…).
func (t *Template) Advance() {
	t.Next = t.recurrence().Next(t.Next)
	if !t.End.IsZero() && t.Next.After(t.End) {
		t.Status = TemplateEnded
	}
}
