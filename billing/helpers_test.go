package billing_test

import (
	"slices"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/money"
)

// pp is a unit price in no currency yet, as decoded input is: Compute
// puts it in the document's.
func pp(s string) *money.UnitPrice {
	p := money.UnitPrice{Amount: money.New(decimal.RequireFromString(s), money.Currency{})}
	return &p
}

// eur is d as an amount in euros.
func eur(d decimal.Decimal) money.Amount { return money.In(d, "EUR") }

// fieldsOf returns the fields named by err (nil for no error; fails the test
// for an error that is not invalid input).
func fieldsOf(t *testing.T, err error) []string {
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
		if f.Message == "" {
			t.Errorf("field %s has no message", f.Field)
		}
		out = append(out, f.Field)
	}
	return out
}

// invalidFields returns the fields named by err, sorted and each once.
func invalidFields(t *testing.T, err error) []string {
	t.Helper()
	out := slices.Clone(fieldsOf(t, err))
	slices.Sort(out)
	return slices.Compact(out)
}

// wantCode fails the test unless err has code want (nil err for want "").
func wantCode(t *testing.T, err error, want fail.Code) {
	t.Helper()
	if got := fail.CodeOf(err); err == nil && want != "" || err != nil && got != want {
		t.Fatalf("error %v (code %q), want code %q", err, got, want)
	}
}
