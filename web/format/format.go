// Package format writes the values the console and portal show (dates,
// times, periods, prices, statuses, codes, durations) in the reader's
// language.
package format

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/messages"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service"
)

// Date writes d in lang's way (dd/mm/yyyy in Spanish and Portuguese), "—"
// when zero.
func Date(lang string, d calendar.Date) string {
	if d.IsZero() {
		return "—"
	}
	switch lang {
	case "es", "pt-BR":
		return fmt.Sprintf("%02d/%02d/%d", d.Day, int(d.Month), d.Year)
	}
	return d.String()
}

// Period writes the dates from–to in lang, "—" when both are zero.
func Period(lang string, from, to calendar.Date) string {
	if from.IsZero() && to.IsZero() {
		return "—"
	}
	return Date(lang, from) + " – " + Date(lang, to)
}

// Time writes t (a time.Time or *time.Time) in UTC in lang's way, "—" when
// zero or nil.
func Time(lang string, t any) string {
	var tt time.Time
	switch v := t.(type) {
	case time.Time:
		tt = v
	case *time.Time:
		if v == nil {
			return "—"
		}
		tt = *v
	default:
		return fmt.Sprint(t)
	}
	if tt.IsZero() {
		return "—"
	}
	switch lang {
	case "es", "pt-BR":
		return tt.UTC().Format("02/01/2006 15:04 UTC")
	}
	return tt.UTC().Format("2006-01-02 15:04 UTC")
}

// Status is the catalog's label of a status in lang.
func Status(lang string, s any) string {
	return messages.Text(lang, "status."+fmt.Sprint(s))
}

// Code is the label, in lang, of a code a page shows (a subscription's
// kind, a run's phase, an audit action, a unit): the catalog's text of the
// key format makes of code ("interval.%s", "monthly" → "Mensual"), or the
// code as it is when the catalog has none (a unit the user typed).
func Code(lang, format string, code any) string {
	c := fmt.Sprint(code)
	if c == "" {
		return ""
	}
	if key := fmt.Sprintf(format, c); messages.Has(key) {
		return messages.Text(lang, key)
	}
	return c
}

// Price writes a unit price (money.UnitPrice or *money.UnitPrice) in
// lang with its currency: at least the currency's digits, more where the
// price has them ("20,60 €", "0,0125 €"); "" for a nil price.
func Price(lang string, p any) string {
	switch v := p.(type) {
	case money.UnitPrice:
		return v.Format(lang)
	case *money.UnitPrice:
		if v != nil {
			return v.Format(lang)
		}
		return ""
	}
	return fmt.Sprint(p)
}

// SkipReason is why a billing run left a group out, in lang: the run
// stores the English reason (service.NoRateOf reads it back).
func SkipReason(lang, reason string) string {
	if currency, date, ok := service.NoRateOf(reason); ok {
		return messages.Format(lang, "run.skip.no_rate", currency, Date(lang, date))
	}
	return reason
}

// RunTiming is how long a run has run (or took, once finished) and, while
// it runs with items done, about how long is left ("" when unknown).
func RunTiming(run service.BillingRun, now time.Time) (elapsed, left string) {
	end := now
	if run.FinishedAt != nil {
		end = *run.FinishedAt
	}
	elapsed = Duration(end.Sub(run.StartedAt))
	if run.Status == "running" {
		if eta := run.ETA(now); eta > 0 {
			left = Duration(eta)
		}
	}
	return elapsed, left
}

// Duration writes d as "1 h 2 min", "2 min 5 s" or "5 s" (units
// written the same in English, Spanish and Portuguese).
func Duration(d time.Duration) string {
	d = max(d.Round(time.Second), 0)
	h, m, sec := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	switch {
	case h > 0:
		return fmt.Sprintf("%d h %d min", h, m)
	case m > 0:
		return fmt.Sprintf("%d min %d s", m, sec)
	}
	return fmt.Sprintf("%d s", sec)
}

// Message is a message in lang when it was made from a format the catalog
// translates (messages.Error), else msg as it was written.
func Message(lang, msg, format string, args []any) string {
	if format == "" {
		return msg
	}
	return messages.Error(lang, format, args...)
}

// RejectReason is a rejected usage row's reason in lang: the catalog's
// text for its code, else the service's message.
func RejectReason(lang string, r service.UsageRowResult) string {
	if r.Code != "" {
		key := "usage.reject." + r.Code
		if messages.Has(key) {
			return messages.Format(lang, key, r.Args...)
		}
	}
	return Message(lang, r.Reason, r.Format, r.Args)
}

// Decimal writes d as a plain number, "" for nil.
func Decimal(d *decimal.Decimal) string {
	if d == nil {
		return ""
	}
	return d.String()
}

// UnitPrice writes a unit price as a plain number with at least its
// currency's digits (money.Price), for form values; "" for nil.
func UnitPrice(p *money.UnitPrice) string {
	if p == nil {
		return ""
	}
	return p.String()
}

// OutboxError is an outbox message's last error in lang; the SMTP
// server's own text as it is.
func OutboxError(lang, e string) string {
	if e == service.OutboxNoRecipient {
		return messages.Text(lang, "outbox.error.no_recipient")
	}
	return e
}

// InvoiceLabel is how a page names an invoice: its number, else (a draft)
// its document number.
func InvoiceLabel(inv billing.Invoice) string {
	if inv.Number != "" {
		return inv.Number
	}
	return inv.DocumentNumber
}

// Count writes a whole number for people in lang, its thousands grouped:
// "1,234,567" in English, "1.234.567" in Spanish and Portuguese.
func Count(lang string, n int) string {
	sep := ","
	if messages.Language(lang) != "en" {
		sep = "."
	}
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
