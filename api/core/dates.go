package core

import (
	"github.com/danielgtaylor/huma/v2"

	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
)

// Date is a civil date in the API: "2026-01-31".
type Date struct{ calendar.Date }

// Schema describes dates in the OpenAPI document.
func (Date) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{Type: "string", Format: "date", Examples: []any{"2026-01-31"}}
}

// MarshalJSON renders "2026-01-31".
func (d Date) MarshalJSON() ([]byte, error) { return d.Date.MarshalJSON() }

// UnmarshalJSON reads "2026-01-31".
func (d *Date) UnmarshalJSON(b []byte) error { return d.Date.UnmarshalJSON(b) }

// OptionalDate unwraps an optional API date.
func OptionalDate(d *Date) *calendar.Date {
	if d == nil {
		return nil
	}
	return &d.Date
}

// DateOrNil is d as an API date, or nil for the zero date.
func DateOrNil(d calendar.Date) *Date {
	if d.IsZero() {
		return nil
	}
	return &Date{d}
}

// ParseDateParam reads an optional date parameter ("" is the zero date);
// a malformed one is an invalid-input error on field.
func ParseDateParam(field, s string) (calendar.Date, error) {
	if s == "" {
		return calendar.Date{}, nil
	}
	d, err := calendar.Parse(s)
	if err != nil {
		return d, FieldErr(field, err.Error())
	}
	return d, nil
}

// FieldErr is an invalid-input error on one field with a fixed message.
func FieldErr(field, msg string) error { return fail.Field(field, "%s", msg) }
