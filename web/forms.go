package web

import (
	"context"
	"errors"

	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/web/form"
	"github.com/facturo/facturo/web/format"
)

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
		out[i] = fail.FieldError{Field: f.Field, Message: format.Message(lang, f.Message, f.Format, f.Args)}
	}
	return out
}

// newFormErrors translates the field errors of err; nil when it has none.
func newFormErrors(ctx context.Context, err error) *form.Errors {
	return form.NewErrors(fieldErrors(ctx, err))
}
