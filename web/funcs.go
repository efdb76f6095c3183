package web

import (
	"fmt"
	"html/template"
	"net/url"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/messages"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/web/form"
	"github.com/facturo/facturo/web/format"
)

var funcs = template.FuncMap{
	"t":      T,
	"tf":     Tf,
	"amount": func(lang string, a money.Amount) string { return a.Format(lang) }, // an amount with its own currency
	// amountfixed writes an amount as a plain number with its currency's digits (form values, tables of figures).
	"amountfixed": money.Amount.Fixed,
	"date":        format.Date,
	"time":        format.Time,
	"status":      format.Status,
	"period":      format.Period,
	"dec":         func(d decimal.Decimal) string { return d.String() },
	"decp": func(d *decimal.Decimal) string {
		if d == nil {
			return ""
		}
		return d.String()
	},
	// price writes a unit price in the reader's language with at least its currency's digits (money.UnitPrice.Format).
	"price": format.Price,
	// label is the reader's label of a code ("subscription.kind.%s", .Kind); see format.Code.
	"label":      format.Code,
	"unit":       messages.Unit, // a line's unit in the reader's language, or as written
	"skipreason": format.SkipReason,
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

	// chargerows is the invoice editor's charges section's rows (form.ChargeRows).
	"chargerows": form.ChargeRows,
}
