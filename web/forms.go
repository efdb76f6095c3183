package web

import (
	"context"
	"errors"

	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/messages"
)

// formErrors are the field errors of a failed form, in the reader's
// language. A page shows each at its field (Err, which marks it shown); the
// banner at the top then lists only those no field showed, such as a path
// parameter's, so nothing is written twice and nothing is lost.
type formErrors struct {
	fields []fail.FieldError // translated, in the order the service named them
	shown  map[string]bool
}

// newFormErrors translates the field errors of err; nil when it has none.
func newFormErrors(ctx context.Context, err error) *formErrors {
	fields := fieldErrors(ctx, err)
	if len(fields) == 0 {
		return nil
	}
	return &formErrors{fields: fields, shown: map[string]bool{}}
}

// Err is the message for field, or "" (and marks it shown).
func (f *formErrors) Err(field string) string {
	if f == nil {
		return ""
	}
	for _, e := range f.fields {
		if e.Field == field {
			f.shown[field] = true
			return e.Message
		}
	}
	return ""
}

// Len is how many fields are at fault.
func (f *formErrors) Len() int {
	if f == nil {
		return 0
	}
	return len(f.fields)
}

// Unshown are the errors no field of the page showed.
func (f *formErrors) Unshown() []fail.FieldError {
	if f == nil {
		return nil
	}
	var out []fail.FieldError
	for _, e := range f.fields {
		if !f.shown[e.Field] {
			out = append(out, e)
		}
	}
	return out
}

// fieldErrors are the field errors of err, each message in the reader's
// language.
func fieldErrors(ctx context.Context, err error) []fail.FieldError {
	var fe *fail.Error
	if !errors.As(err, &fe) {
		return nil
	}
	lang := infoFrom(ctx).lang
	out := make([]fail.FieldError, len(fe.Fields))
	for i, f := range fe.Fields {
		out[i] = fail.FieldError{Field: f.Field, Message: translated(lang, f.Message, f.Format, f.Args)}
	}
	return out
}

// translated is a message in lang when it was made from a format, else as
// it was written.
func translated(lang, msg, format string, args []any) string {
	if format == "" {
		return msg
	}
	return messages.Error(lang, format, args...)
}
