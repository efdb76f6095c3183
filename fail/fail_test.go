package fail_test

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"testing"

	"github.com/facturo/facturo/fail"
)

func TestCollectorEmpty(t *testing.T) {
	var c fail.Collector
	if err := c.Err(); err != nil {
		t.Fatalf("empty collector: %v", err)
	}
	if !c.Merge("x", nil) {
		t.Error("merging nil reports failure")
	}
	if err := c.Err(); err != nil {
		t.Fatalf("after merging nil: %v", err)
	}
}

func TestCollectorAggregates(t *testing.T) {
	var c fail.Collector
	c.Add("name", "is required")
	c.Add("currency", "%q is not an ISO 4217 code", "EURO")
	c.Add("contacts[0].email", "is required")
	err := c.Err()
	if fail.CodeOf(err) != fail.Invalid {
		t.Fatalf("code %q, want invalid", fail.CodeOf(err))
	}
	e, ok := fail.As(err)
	if !ok {
		t.Fatalf("%v is not a *fail.Error", err)
	}
	want := []fail.FieldError{
		{Field: "name", Message: "is required"},
		{Field: "currency", Message: `"EURO" is not an ISO 4217 code`},
		{Field: "contacts[0].email", Message: "is required"},
	}
	if !slices.EqualFunc(e.Fields, want, func(a, b fail.FieldError) bool { return a.Field == b.Field && a.Message == b.Message }) {
		t.Errorf("fields = %+v\nwant %+v", e.Fields, want)
	}
	if got := err.Error(); got != "name: is required (and 2 more)" {
		t.Errorf("message %q", got)
	}

	var one fail.Collector
	one.Add("email", "is not valid")
	if got := one.Err().Error(); got != "email: is not valid" {
		t.Errorf("one-field message %q", got)
	}
}

func TestCollectorMerge(t *testing.T) {
	var inner fail.Collector
	inner.Add("email", "is not valid")
	inner.Add("address.country", "is not a country")

	var c fail.Collector
	c.Add("name", "is required")
	if !c.Merge("billing", inner.Err()) {
		t.Fatal("Merge of an invalid error reported false")
	}
	if !c.Merge("", fail.Field("sort", "is not sortable")) {
		t.Fatal("Merge without prefix reported false")
	}
	if !c.Merge("wrapped", fmt.Errorf("context: %w", fail.Field("limit", "too big"))) {
		t.Fatal("Merge of a wrapped invalid error reported false")
	}
	e, _ := fail.As(c.Err())
	var got []string
	for _, f := range e.Fields {
		got = append(got, f.Field)
	}
	want := []string{"name", "billing.email", "billing.address.country", "sort", "wrapped.limit"}
	if !slices.Equal(got, want) {
		t.Errorf("fields %v, want %v", got, want)
	}

	// Errors other than invalid input are not field errors: Merge refuses
	// them and adds nothing.
	for _, other := range []error{fail.NotFoundf("no customer"), fail.Conflictf("taken"), io.EOF} {
		var d fail.Collector
		if d.Merge("x", other) {
			t.Errorf("Merge(%v) = true", other)
		}
		if d.Err() != nil {
			t.Errorf("Merge(%v) added fields", other)
		}
	}
}

func TestCodeOf(t *testing.T) {
	nf := fail.NotFoundf("no customer %q", "cus_1")
	tests := []struct {
		name string
		err  error
		want fail.Code
	}{
		{"nil", nil, ""},
		{"plain", errors.New("boom"), fail.Internal},
		{"direct", nf, fail.NotFound},
		{"wrapped once", fmt.Errorf("get: %w", nf), fail.NotFound},
		{"wrapped twice", fmt.Errorf("tx: %w", fmt.Errorf("get: %w", fail.Conflictf("dup"))), fail.Conflict},
		{"joined", errors.Join(errors.New("other"), fail.Forbiddenf("no")), fail.Forbidden},
		{"field", fail.Field("email", "bad"), fail.Invalid},
		{"newf", fail.Newf(fail.RateLimited, "slow down"), fail.RateLimited},
		{"unauthenticated", fmt.Errorf("auth: %w", fail.Newf(fail.Unauthenticated, "sign in")), fail.Unauthenticated},
		{"%v loses it", fmt.Errorf("get: %v", nf), fail.Internal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fail.CodeOf(tt.err); got != tt.want {
				t.Errorf("CodeOf(%v) = %q, want %q", tt.err, got, tt.want)
			}
			if tt.err != nil && !fail.Is(tt.err, tt.want) {
				t.Errorf("Is(%v, %q) = false", tt.err, tt.want)
			}
		})
	}
	if fail.Is(fmt.Errorf("x: %w", nf), fail.Conflict) {
		t.Error("Is matches another code")
	}
}

func TestAsAndMessages(t *testing.T) {
	wrapped := fmt.Errorf("update: %w", fail.Field("payment_terms_days", "must be between %d and %d", 0, 365))
	e, ok := fail.As(wrapped)
	if !ok {
		t.Fatal("As did not find the wrapped error")
	}
	if e.Code != fail.Invalid || len(e.Fields) != 1 || e.Fields[0].Field != "payment_terms_days" ||
		e.Fields[0].Message != "must be between 0 and 365" {
		t.Errorf("As = %+v", e)
	}
	if got := e.Error(); got != "payment_terms_days: must be between 0 and 365" {
		t.Errorf("Error() = %q", got)
	}
	if _, ok := fail.As(errors.New("plain")); ok {
		t.Error("As found a *fail.Error in a plain error")
	}
	bare := &fail.Error{Code: fail.Invalid, Fields: []fail.FieldError{{Field: "x", Message: "is bad"}}}
	if bare.Error() != "x: is bad" {
		t.Errorf("a field error without message reads %q", bare.Error())
	}
	if got := fail.Forbiddenf("the %s role may not", "sales").Error(); got != "the sales role may not" {
		t.Errorf("Forbiddenf message %q", got)
	}
}

// TestMessageBeforeFormatting: every way of making a field error keeps the
// format and arguments, so a page can write the message in its reader's
// language.
func TestMessageBeforeFormatting(t *testing.T) {
	var c fail.Collector
	c.Add("name", "must be at most %d characters", 200)
	var outer fail.Collector
	outer.Merge("billing", c.Err())
	outer.Merge("", fail.Field("email", "%q is not a valid email address", "x"))
	e, _ := fail.As(outer.Err())
	want := []struct {
		format string
		arg    any
	}{{"must be at most %d characters", 200}, {"%q is not a valid email address", "x"}}
	for i, w := range want {
		if f := e.Fields[i]; f.Format != w.format || len(f.Args) != 1 || f.Args[0] != w.arg {
			t.Errorf("field %d: format %q args %v, want %q %v", i, f.Format, f.Args, w.format, w.arg)
		}
	}
	if n := fail.Conflictf("invoice %s is %s", "INV-1", "paid"); n.Format != "invoice %s is %s" || len(n.Args) != 2 {
		t.Errorf("Newf keeps %q %v", n.Format, n.Args)
	}
}
