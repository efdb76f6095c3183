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
	// pricep writes a unit price with at least its currency's digits (money.Price).
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
