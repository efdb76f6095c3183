package web

import (
	"bytes"
	"html/template"
	"net/url"
	"strings"
	"testing"

	"github.com/facturo/facturo/customfield"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/web/form"
)

// TestCustomFieldInputs: the partial "customfields" gives each defined
// field an input under its label in the reader's language, then each key
// without a definition under the key, with the values and the field errors
// at their inputs; postedCustomFields reads them back.
func TestCustomFieldInputs(t *testing.T) {
	t.Parallel()
	defs := []customfield.Def{
		{Key: "po_number", AppliesTo: customfield.Invoice, Labels: map[string]string{"en": "PO number", "es": "Número de pedido"}},
		{Key: "region", AppliesTo: customfield.Customer, Labels: map[string]string{"en": "Region"}},
	}
	inputs := form.CustomFieldInputs(defs, customfield.Invoice, map[string]string{"po_number": "PO-1", "legacy": "L"}, "es")
	if len(inputs) != 2 || inputs[0].Label != "Número de pedido" || inputs[0].Name != "custom_fields.po_number" || inputs[0].Value != "PO-1" ||
		inputs[1].Label != "legacy" || inputs[1].ID != "cf-invoice-legacy" {
		t.Fatalf("inputs %+v", inputs)
	}
	page := template.Must(template.New("p").Funcs(funcs).ParseFS(templateFS, "templates/partials.html"))
	v := &view{Lang: "es", Form: form.NewErrors([]fail.FieldError{{Field: "custom_fields.legacy", Message: "demasiado largo"}})}
	var out bytes.Buffer
	if err := page.ExecuteTemplate(&out, "customfields", map[string]any{"V": v, "Fields": inputs}); err != nil {
		t.Fatal(err)
	}
	html := out.String()
	for _, want := range []string{
		`<legend>Campos personalizados</legend>`,
		`<label for="cf-invoice-po_number">Número de pedido</label><input id="cf-invoice-po_number" name="custom_fields.po_number" value="PO-1">`,
		`name="custom_fields.legacy" value="L" aria-invalid="true" aria-describedby="cf-invoice-legacy-err">`,
		`<small class="field-err" id="cf-invoice-legacy-err" data-field="custom_fields.legacy">demasiado largo</small>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("no %s in\n%s", want, html)
		}
	}
	if v.Form.Unshown() != nil {
		t.Errorf("the error is not marked shown")
	}
	out.Reset()
	if err := page.ExecuteTemplate(&out, "customfields", map[string]any{"V": v, "Fields": []form.CustomFieldInput(nil)}); err != nil || out.Len() != 0 {
		t.Errorf("no fields: %q (%v)", out.String(), err)
	}

	if got := form.PostedCustomFields(url.Values{"notes": {"x"}}); got != nil {
		t.Errorf("a form without the inputs: %v", *got)
	}
	got := form.PostedCustomFields(url.Values{"custom_fields.po_number": {" PO-2 "}, "custom_fields.legacy": {""}, "notes": {"x"}})
	if got == nil || len(*got) != 1 || (*got)["po_number"] != "PO-2" {
		t.Errorf("posted %v", got)
	}
}
