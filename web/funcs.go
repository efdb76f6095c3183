package web

import (
	"fmt"
	"html/template"
	"net/url"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/messages"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service"
)

var funcs = template.FuncMap{
	"t":      T,
	"tf":     Tf,
	"amount": func(lang string, a money.Amount) string { return a.Format(lang) }, // an amount with its own currency
	// amountfixed writes an amount as a plain number with its currency's digits (form values, tables of figures).
	"amountfixed": money.Amount.Fixed,
	"date":        formatDate,
	"time":        formatTime,
	"status":      statusLabel,
	"period":      formatPeriod,
	"dec":         func(d decimal.Decimal) string { return d.String() },
	"decp": func(d *decimal.Decimal) string {
		if d == nil {
			return ""
		}
		return d.String()
	},
	// price writes a unit price in the reader's language with at least its currency's digits (money.UnitPrice.Format).
	"price": formatPrice,
	// label is the reader's label of a code ("subscription.kind.%s", .Kind); see codeLabel.
	"label":      codeLabel,
	"unit":       messages.Unit, // a line's unit in the reader's language, or as written
	"skipreason": skipReason,
	"outboxerror": func(lang, e string) string { // an outbox message's last error; the SMTP server's own text as it is
		if e == service.OutboxNoRecipient {
			return T(lang, "outbox.error.no_recipient")
		}
		return e
	},
	// pricep writes a unit price as a plain number with at least its currency's digits (money.Price), for form values.
	"pricep": func(p *money.UnitPrice) string {
		if p == nil {
			return ""
		}
		return p.String()
	},
	"query": func(base url.Values, kv ...string) template.URL {
		q := url.Values{}
		for k, v := range base {
			q[k] = append([]string(nil), v...)
		}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == "" {
				q.Del(kv[i])
			} else {
				q.Set(kv[i], kv[i+1])
			}
		}
		return template.URL(q.Encode())
	},
	"eq2":      func(a, b any) bool { return fmt.Sprint(a) == fmt.Sprint(b) },
	"contains": strings.Contains,
	"add":      func(a, b int) int { return a + b },
	"seq": func(n int) []int {
		s := make([]int, n)
		for i := range s {
			s[i] = i
		}
		return s
	},
	"descNext": func(sort string, desc bool, col string) string {
		if sort == col && !desc {
			return "1"
		}
		return ""
	},
	"formkey":   formKey,
	"languages": func() []string { return messages.Languages },
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return m
	},

	// chargerows is the invoice editor's charges section's rows (charges.go).
	"chargerows": chargeRowsFor,
}

func formatDate(lang string, d calendar.Date) string {
	if d.IsZero() {
		return "—"
	}
	switch lang {
	case "es", "pt-BR":
		return fmt.Sprintf("%02d/%02d/%d", d.Day, int(d.Month), d.Year)
	}
	return d.String()
}

func formatPeriod(lang string, from, to calendar.Date) string {
	if from.IsZero() && to.IsZero() {
		return "—"
	}
	return formatDate(lang, from) + " – " + formatDate(lang, to)
}

func formatTime(lang string, t any) string {
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

func statusLabel(lang string, s any) string {
	return T(lang, "status."+fmt.Sprint(s))
}

// codeLabel is the label, in lang, of a code a page shows (a subscription's
// kind, a run's phase, an audit action, a unit): the catalog's text of the
// key format makes of code ("interval.%s", "monthly" → "Mensual"), or the
// code as it is when the catalog has none (a unit the user typed).
func codeLabel(lang, format string, code any) string {
	c := fmt.Sprint(code)
	if c == "" {
		return ""
	}
	if key := fmt.Sprintf(format, c); messages.Has(key) {
		return T(lang, key)
	}
	return c
}

// formatPrice writes a unit price (money.UnitPrice or *money.UnitPrice) in
// lang with its currency: at least the currency's digits, more where the
// price has them ("20,60 €", "0,0125 €"); "" for a nil price.
func formatPrice(lang string, p any) string {
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

// skipReason is why a billing run left a group out, in lang: the run
// stores the English reason (service.NoRateOf reads it back).
func skipReason(lang, reason string) string {
	if currency, date, ok := service.NoRateOf(reason); ok {
		return Tf(lang, "run.skip.no_rate", currency, formatDate(lang, date))
	}
	return reason
}
