package web

import (
	"net/http"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/web/form"
)

// customFieldInputs are the inputs of a form for the custom fields of a
// record of kind appliesTo (customfield.Invoice or FieldsOfCustomer):
// one per definition, under its label in the reader's language, then one
// per key values holds without a definition, under the key. values are the
// record's stored fields, or the posted ones (form.PostedCustomFields) when a
// save failed.
func (h *Handler) customFieldInputs(r *http.Request, appliesTo string, values map[string]string) []form.CustomFieldInput {
	defs, _ := h.svc.ListCustomFieldDefs(r.Context(), access.FromContext(r.Context()))
	return form.CustomFieldInputs(defs, appliesTo, values, infoFrom(r.Context()).lang)
}
