package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/customfield"
)

// customFieldPrefix starts the name of a custom field's input: the input
// "custom_fields.po_number" holds the field po_number, the name the
// service's errors give it (billing's checkCustomFields).
const customFieldPrefix = "custom_fields."

// customFieldInput is one input of the partial "customfields".
type customFieldInput struct {
	ID, Name, Label, Value string
}

// customFieldInputs are the inputs of a form for the custom fields of a
// record of kind appliesTo (customfield.Invoice or FieldsOfCustomer):
// one per definition, under its label in the reader's language, then one
// per key values holds without a definition, under the key. values are the
// record's stored fields, or the posted ones (postedCustomFields) when a
// save failed.
func (h *Handler) customFieldInputs(r *http.Request, appliesTo string, values map[string]string) []customFieldInput {
	defs, _ := h.svc.ListCustomFieldDefs(r.Context(), access.FromContext(r.Context()))
	return customFieldInputsOf(defs, appliesTo, values, infoFrom(r.Context()).lang)
}

func customFieldInputsOf(defs []customfield.Def, appliesTo string, values map[string]string, lang string) []customFieldInput {
	var out []customFieldInput
	seen := map[string]bool{}
	add := func(key, label string) {
		seen[key] = true
		out = append(out, customFieldInput{ID: "cf-" + appliesTo + "-" + key, Name: customFieldPrefix + key, Label: label, Value: values[key]})
	}
	for _, d := range defs {
		if d.AppliesTo == appliesTo {
			add(d.Key, d.Label(lang))
		}
	}
	for _, f := range customfield.LabelFields(nil, appliesTo, values, lang, false) {
		if !seen[f.Key] {
			add(f.Key, f.Key)
		}
	}
	return out
}

// postedCustomValues are the custom fields of a form as typed (nil for a
// form that was not posted).
func postedCustomValues(form url.Values) map[string]string {
	if cf := postedCustomFields(form); cf != nil {
		return *cf
	}
	return nil
}

// postedCustomFields reads a form's custom field inputs
// ("custom_fields.<key>"): nil when the form has none, so that the record's
// fields stay; a field left empty is dropped.
func postedCustomFields(form url.Values) *map[string]string {
	var out map[string]string
	for name, vs := range form {
		key, ok := strings.CutPrefix(name, customFieldPrefix)
		if !ok {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		if v := strings.TrimSpace(vs[0]); v != "" && key != "" {
			out[key] = v
		}
	}
	if out == nil {
		return nil
	}
	return &out
}
