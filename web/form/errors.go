// Package form reads the console's and portal's HTML forms into the
// service's inputs, writes records back as form values, and holds the
// field errors of a failed form.
package form

import "github.com/facturo/facturo/fail"

// Errors are the field errors of a failed form, in the reader's
// language. A page shows each at its field (Err, which marks it shown); the
// banner at the top then lists only those no field showed, such as a path
// parameter's, so nothing is written twice and nothing is lost.
type Errors struct {
	fields []fail.FieldError // translated, in the order the service named them
	shown  map[string]bool
}

// NewErrors are the errors of fields (already translated); nil when there
// are none.
func NewErrors(fields []fail.FieldError) *Errors {
	if len(fields) == 0 {
		return nil
	}
	return &Errors{fields: fields, shown: map[string]bool{}}
}

// Err is the message for field, or "" (and marks it shown).
func (f *Errors) Err(field string) string {
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
func (f *Errors) Len() int {
	if f == nil {
		return 0
	}
	return len(f.fields)
}

// Unshown are the errors no field of the page showed.
func (f *Errors) Unshown() []fail.FieldError {
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
