package web

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/messages"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/web/form"
	"github.com/facturo/facturo/web/format"
	"github.com/facturo/facturo/web/pager"
)

var funcs = template.FuncMap{
	"count":  format.Count, // a whole number with its thousands grouped
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
	"decp":        format.Decimal,
	// price writes a unit price in the reader's language with at least its currency's digits (money.UnitPrice.Format).
	"price": format.Price,
	// label is the reader's label of a code ("subscription.kind.%s", .Kind); see format.Code.
	"label":       format.Code,
	"unit":        messages.Unit, // a line's unit in the reader's language, or as written
	"skipreason":  format.SkipReason,
	"outboxerror": format.OutboxError,
	"pricep":      format.UnitPrice,
	"query":       pager.Query,
	"eq2":         func(a, b any) bool { return fmt.Sprint(a) == fmt.Sprint(b) },
	"contains":    strings.Contains,
	"add":         func(a, b int) int { return a + b },
	"seq": func(n int) []int {
		s := make([]int, n)
		for i := range s {
			s[i] = i
		}
		return s
	},
	"descNext":  pager.DescNext,
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
