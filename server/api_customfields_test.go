package server_test

import (
	"net/http"
	"testing"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/internal/testserver"
)

// accCustomField is a custom field definition in the API.
type accCustomField struct {
	Key             string            `json:"key"`
	AppliesTo       string            `json:"applies_to"`
	Labels          map[string]string `json:"labels"`
	ShowOnDocuments bool              `json:"show_on_documents"`
	Position        int               `json:"position"`
}

// TestCustomFieldsAPI (issue 16): PUT creates and changes a definition,
// GET lists it (the customer role too: its documents show the labels), bad
// input is a 422 naming the field and writes nothing, DELETE removes it and
// a second DELETE is a 404. On both engines.
func TestCustomFieldsAPI(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		t.Parallel()
		admin := e.A.Keys[access.Administrator]
		list := func(key string) []accCustomField {
			t.Helper()
			r := accDo(t, e, http.MethodGet, "/api/v1/custom-fields", key, nil)
			if r.Status != http.StatusOK {
				t.Fatalf("GET: %d %s", r.Status, r.Body)
			}
			var l accList[accCustomField]
			r.JSON(t, &l)
			return l.Data
		}
		r := accDo(t, e, http.MethodPut, "/api/v1/custom-fields/invoice/po_number", admin,
			map[string]any{"labels": map[string]string{"en": "PO number", "es": "Número de pedido"}, "show_on_documents": true, "position": 1})
		if r.Status != http.StatusOK {
			t.Fatalf("PUT: %d %s", r.Status, r.Body)
		}
		var got accCustomField
		r.JSON(t, &got)
		if got.Key != "po_number" || got.Labels["es"] != "Número de pedido" || !got.ShowOnDocuments || got.Position != 1 {
			t.Errorf("PUT answered %+v", got)
		}
		r = accDo(t, e, http.MethodPut, "/api/v1/custom-fields/invoice/po_number", admin, map[string]any{"labels": map[string]string{"en": "Purchase order"}})
		if r.Status != http.StatusOK {
			t.Fatalf("PUT again: %d %s", r.Status, r.Body)
		}
		if l := list(e.A.Keys[access.Customer]); len(l) != 1 || l[0].Labels["en"] != "Purchase order" || l[0].ShowOnDocuments || len(l[0].Labels) != 1 {
			t.Errorf("the customer lists %+v", l)
		}

		for _, c := range []struct {
			path  string
			body  map[string]any
			field string
		}{
			{"/api/v1/custom-fields/invoice/PO", map[string]any{"labels": map[string]string{"en": "PO"}}, "key"},
			{"/api/v1/custom-fields/invoice/cost_center", map[string]any{"labels": map[string]string{}}, "labels.en"},
			{"/api/v1/custom-fields/invoice/cost_center", map[string]any{"labels": map[string]string{"fr": "Centre"}}, "labels.fr"},
			{"/api/v1/custom-fields/invoice/cost_center", map[string]any{"labels": map[string]string{"en": "Cost center"}, "position": -3}, "position"},
		} {
			p := accWantProblem(t, accDo(t, e, http.MethodPut, c.path, admin, c.body), http.StatusUnprocessableEntity, "invalid")
			named := p.Field == c.field
			for _, fe := range p.Errors {
				named = named || fe.Field == c.field
			}
			if !named {
				t.Errorf("PUT %s %v: %+v does not name %s", c.path, c.body, p, c.field)
			}
		}
		if l := list(admin); len(l) != 1 {
			t.Errorf("a refused PUT wrote: %+v", l)
		}
		if r := accDo(t, e, http.MethodPut, "/api/v1/custom-fields/invoice/x", e.A.Keys[access.Sales], map[string]any{"labels": map[string]string{"en": "X"}}); r.Status != http.StatusForbidden {
			t.Errorf("sales PUT: %d", r.Status)
		}

		if r := accDo(t, e, http.MethodDelete, "/api/v1/custom-fields/invoice/po_number", admin, nil); r.Status != http.StatusNoContent {
			t.Fatalf("DELETE: %d %s", r.Status, r.Body)
		}
		if l := list(admin); len(l) != 0 {
			t.Errorf("after DELETE: %+v", l)
		}
		accWantProblem(t, accDo(t, e, http.MethodDelete, "/api/v1/custom-fields/invoice/po_number", admin, nil), http.StatusNotFound, "not_found")
	})
}
