// Package fail is Facturo's one domain error type. Every layer returns these
// (wrapped with %w where useful); the HTTP layer maps Code to a status in one
// place. A message always says what to fix.
package fail

import (
	"errors"
	"fmt"
)

// Code is a stable, machine-readable error class.
type Code string

// The stable codes; clients may switch on them.
const (
	Invalid         Code = "invalid"
	NotFound        Code = "not_found"
	Conflict        Code = "conflict"
	Forbidden       Code = "forbidden"
	Unauthenticated Code = "unauthenticated"
	RateLimited     Code = "rate_limited"
	// PaymentFailed is a card the payment provider refused (declined, expired).
	PaymentFailed Code = "payment_failed"
	Internal      Code = "internal"
)

// FieldError names one input field at fault and what to fix.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
	// Format and Args are Message before formatting, so a page can write it
	// in its reader's language (messages.Error); empty where the message
	// was written whole.
	Format string `json:"-"`
	Args   []any  `json:"-"`
}

// Error is a domain error with a stable code, a message for people, and the
// fields at fault (for invalid input).
type Error struct {
	Code    Code
	Message string
	Fields  []FieldError
	// Allowed lists permitted alternatives where that helps, e.g. the legal
	// status transitions from the current status.
	Allowed []string
	// Format and Args are Message before formatting (see FieldError).
	Format string
	Args   []any
}

func (e *Error) Error() string {
	if len(e.Fields) == 1 && e.Message == "" {
		return fmt.Sprintf("%s: %s", e.Fields[0].Field, e.Fields[0].Message)
	}
	return e.Message
}

// MessageFormat is the error's message before formatting, so that a message
// wrapping it ("%v") can be written whole in another language; "" when it
// was written whole.
func (e *Error) MessageFormat() (string, []any) { return e.Format, e.Args }

// Field returns an invalid-input error for one field.
func Field(field, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	return &Error{Code: Invalid, Message: field + ": " + msg, Fields: []FieldError{{Field: field, Message: msg, Format: format, Args: args}}}
}

// Newf returns an error with the given code and message.
func Newf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Format: format, Args: args}
}

// NotFoundf is a not_found error; callers name what was not found.
func NotFoundf(format string, args ...any) *Error { return Newf(NotFound, format, args...) }

// Conflictf is a conflict error.
func Conflictf(format string, args ...any) *Error { return Newf(Conflict, format, args...) }

// Forbiddenf is a forbidden error.
func Forbiddenf(format string, args ...any) *Error { return Newf(Forbidden, format, args...) }

// CodeOf returns the code of the first *Error in err's chain, or Internal.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Is reports whether err carries code.
func Is(err error, code Code) bool { return CodeOf(err) == code }

// Collector gathers field errors so one response can name every field at fault.
type Collector struct{ fields []FieldError }

// Add records a field error.
func (c *Collector) Add(field, format string, args ...any) {
	c.fields = append(c.fields, FieldError{Field: field, Message: fmt.Sprintf(format, args...), Format: format, Args: args})
}

// Merge adds the field errors of err (if it is an invalid *Error) under prefix,
// and returns false if err is some other error.
func (c *Collector) Merge(prefix string, err error) bool {
	if err == nil {
		return true
	}
	e, ok := As(err)
	if !ok || e.Code != Invalid {
		return false
	}
	for _, f := range e.Fields {
		name := f.Field
		if prefix != "" {
			name = prefix + "." + name
		}
		c.fields = append(c.fields, FieldError{Field: name, Message: f.Message, Format: f.Format, Args: f.Args})
	}
	return true
}

// Err returns nil when nothing was added, else one invalid error naming all fields.
func (c *Collector) Err() error {
	if len(c.fields) == 0 {
		return nil
	}
	msg := c.fields[0].Field + ": " + c.fields[0].Message
	if len(c.fields) > 1 {
		msg = fmt.Sprintf("%s (and %d more)", msg, len(c.fields)-1)
	}
	return &Error{Code: Invalid, Message: msg, Fields: c.fields}
}
