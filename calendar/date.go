// Package calendar holds civil dates (no time of day, no zone) and the date
// ranges people filter by: month to date, last quarter and so on. Invoice
// dates, due dates and billing periods are civil dates in the tenant's zone.
package calendar

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/facturo/facturo/fail"
)

// Date is a civil date. The zero value is "no date".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// Layout is the ISO 8601 form dates travel and are stored in.
const Layout = "2006-01-02"

// Parse reads "2026-01-31".
func Parse(s string) (Date, error) {
	t, err := time.Parse(Layout, s)
	if err != nil {
		return Date{}, fail.Newf(fail.Invalid, "%q is not a date in the form 2026-01-31", s)
	}
	return Of(t), nil
}

// MustParse is Parse for constants in tests.
func MustParse(s string) Date {
	d, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

// Of returns the civil date of t in t's location.
func Of(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// Today returns the civil date of now in loc.
func Today(now time.Time, loc *time.Location) Date { return Of(now.In(loc)) }

// New builds a date, normalising overflow (Feb 30 → Mar 2).
func New(y int, m time.Month, d int) Date { return Of(time.Date(y, m, d, 0, 0, 0, 0, time.UTC)) }

// IsZero reports whether d is unset.
func (d Date) IsZero() bool { return d == Date{} }

// Time returns midnight UTC of d.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// String renders "2026-01-31", or "" for the zero date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// AddDays returns d moved by n days.
func (d Date) AddDays(n int) Date { return Of(d.Time().AddDate(0, 0, n)) }

// AddMonths returns d moved by n months, clamped to the month's last day
// (Jan 31 + 1 month = Feb 28). Applied again to its own result it drifts
// (Feb 28 + 1 month = Mar 28): step a recurrence with Recurrence (or
// AddMonthsOn), never with AddMonths of the previous occurrence.
func (d Date) AddMonths(n int) Date { return d.AddMonthsOn(n, d.Day) }

// AddMonthsOn returns the date n months after d's month on day anchor of
// that month, clamped to its last day (anchor 31: January → 31, February →
// 28 or 29, April → 30). It is the one month step of every recurrence: the
// anchor is the day of the recurrence's start, so month ends do not drift.
// anchor is a day from 1 to 31.
func (d Date) AddMonthsOn(n, anchor int) Date {
	first := time.Date(d.Year, d.Month+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return Date{first.Year(), first.Month(), min(anchor, last)}
}

// Recurrence is a schedule that repeats every Months months (1 monthly, 3
// quarterly, 12 yearly) anchored on the day of Start: every occurrence falls
// on that day, or on the month's last day when the month is shorter
// (Start Jan 31: Feb 28 (29 in leap years), Mar 31, Apr 30, May 31…).
// Contract parts, recurring invoice templates and subscriptions all step
// their periods with it. Months below 1 count as 1.
type Recurrence struct {
	Start  Date
	Months int
}

func (r Recurrence) months() int { return max(r.Months, 1) }

// Nth returns the k-th occurrence, k from 0 (Nth(0) is Start).
func (r Recurrence) Nth(k int) Date { return r.Start.AddMonthsOn(k*r.months(), r.Start.Day) }

// Next returns the occurrence after occurrence d: Months months after d's
// month, on Start's day clamped to the month. A date that drifted from the
// anchor (stored before occurrences were anchored) steps back onto it.
func (r Recurrence) Next(d Date) Date { return d.AddMonthsOn(r.months(), r.Start.Day) }

// Period returns the period that begins on occurrence from: from to the day
// before the next occurrence, both included.
func (r Recurrence) Period(from Date) Range { return Range{From: from, To: r.Next(from).AddDays(-1)} }

// Before, After and Equal compare dates.
func (d Date) Before(o Date) bool { return d.Compare(o) < 0 }

// After reports whether d is after o.
func (d Date) After(o Date) bool { return d.Compare(o) > 0 }

// Compare returns -1, 0 or 1.
func (d Date) Compare(o Date) int { return d.Time().Compare(o.Time()) }

// DaysUntil returns the days from d to o (negative if o is earlier).
func (d Date) DaysUntil(o Date) int { return int(o.Time().Sub(d.Time()).Hours() / 24) }

// MarshalJSON renders a string, or null for the zero date.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(d.String())
}

// UnmarshalJSON reads "2026-01-31" or null.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a date is a string such as \"2026-01-31\"")
	}
	if s == "" {
		*d = Date{}
		return nil
	}
	p, err := Parse(s)
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// Range is an inclusive range of dates; a zero end means open-ended.
type Range struct {
	From Date `json:"from"`
	To   Date `json:"to"`
}

// Contains reports whether d is within r.
func (r Range) Contains(d Date) bool {
	return (r.From.IsZero() || !d.Before(r.From)) && (r.To.IsZero() || !d.After(r.To))
}

// Overlaps reports whether r and o share a day (a zero bound is open).
func (r Range) Overlaps(o Range) bool {
	return (r.To.IsZero() || o.From.IsZero() || !o.From.After(r.To)) &&
		(o.To.IsZero() || r.From.IsZero() || !r.From.After(o.To))
}

// Presets are the named date ranges of the invoice list (seed 000).
var Presets = []string{"month_to_date", "quarter_to_date", "year_to_date", "two_months_ago", "last_quarter", "last_year"}

// Preset returns the range a named preset means on the given day.
func Preset(name string, today Date) (Range, error) {
	quarterStart := func(d Date) Date { return Date{d.Year, time.Month((int(d.Month)-1)/3*3 + 1), 1} }
	monthStart := Date{today.Year, today.Month, 1}
	switch name {
	case "month_to_date":
		return Range{monthStart, today}, nil
	case "quarter_to_date":
		return Range{quarterStart(today), today}, nil
	case "year_to_date":
		return Range{Date{today.Year, time.January, 1}, today}, nil
	case "two_months_ago":
		from := monthStart.AddMonths(-2)
		return Range{from, from.AddMonths(1).AddDays(-1)}, nil
	case "last_quarter":
		from := quarterStart(today).AddMonths(-3)
		return Range{from, from.AddMonths(3).AddDays(-1)}, nil
	case "last_year":
		return Range{Date{today.Year - 1, time.January, 1}, Date{today.Year - 1, time.December, 31}}, nil
	}
	return Range{}, fail.Newf(fail.Invalid, "unknown date preset %q: use one of %v", name, Presets)
}
