package subscription_test

import (
	"slices"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/money"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// invalidFields are the fields err names as invalid input, sorted, once each.
func invalidFields(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	e, ok := fail.As(err)
	if !ok || e.Code != fail.Invalid {
		t.Fatalf("error %v is not invalid input", err)
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func eur(d decimal.Decimal) money.Amount { return money.In(d, "EUR") }
