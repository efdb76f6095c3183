package form

import (
	"net/url"
	"strings"

	"github.com/facturo/facturo/customfield"
)

// customFieldPrefix starts the name of a custom field's input: the input
// "custom_fields.po_number" holds the field po_number, the name the
// service's errors give it (billing's checkCustomFields).
const customFieldPrefix = "custom_fields."

// CustomFieldInput is one input of the partial "customfields".
type CustomFieldInput struct {
	ID, Name, Label, Value string
}

// CustomFieldInputs are the inputs of a form for the custom fields of a
// record of kind appliesTo, defined by defs, with values, labelled in lang
// (see Handler.CustomFieldInputs in package web).
func CustomFieldInputs(defs []customfield.Def, appliesTo string, values map[string]string, lang string) []CustomFieldInput {
	var out []CustomFieldInput
	seen := map[string]bool{}
	add := func(key, label string) {
		seen[key] = true
		out = append(out, CustomFieldInput{ID: "cf-" + appliesTo + "-" + key, Name: customFieldPrefix + key, Label: label, Value: values[key]})
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

// PostedCustomValues are the custom fields of a form as typed (nil for a
// form that was not posted).
func PostedCustomValues(form url.Values) map[string]string {
	if cf := PostedCustomFields(form); cf != nil {
		return *cf
	}
	return nil
}

// PostedCustomFields reads a form's custom field inputs
// ("custom_fields.<key>"): nil when the form has none, so that the record's
// fields stay; a field left empty is dropped.
func PostedCustomFields(form url.Values) *map[string]string {
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
