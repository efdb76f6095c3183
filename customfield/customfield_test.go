package customfield_test

import (
	"fmt"
	"testing"

	"github.com/facturo/facturo/customfield"
	"github.com/facturo/facturo/fail"
)

func TestCustomFieldDefNormalize(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		def   customfield.Def
		field string // "" when valid
	}{
		{customfield.Def{Key: " po_number ", AppliesTo: "invoice", Labels: map[string]string{"es": " Número de pedido "}}, ""},
		{customfield.Def{Key: "region", AppliesTo: "customer", Labels: map[string]string{"pt_BR": "Região"}}, ""},
		{customfield.Def{Key: "PO", AppliesTo: "invoice", Labels: map[string]string{"en": "PO"}}, "key"},
		{customfield.Def{Key: "po", AppliesTo: "order", Labels: map[string]string{"en": "PO"}}, "applies_to"},
		{customfield.Def{Key: "po", AppliesTo: "invoice", Labels: map[string]string{"en": " "}}, "labels.en"},
		{customfield.Def{Key: "po", AppliesTo: "invoice"}, "labels.en"},
		{customfield.Def{Key: "po", AppliesTo: "invoice", Labels: map[string]string{"fr": "Commande"}}, "labels.fr"},
		{customfield.Def{Key: "po", AppliesTo: "invoice", Labels: map[string]string{"en": "PO"}, Position: -1}, "position"},
	} {
		err := tt.def.Normalize()
		if tt.field == "" {
			if err != nil {
				t.Errorf("%+v: %v", tt.def, err)
			}
			continue
		}
		e, ok := fail.As(err)
		if !ok || len(e.Fields) != 1 || e.Fields[0].Field != tt.field {
			t.Errorf("%+v: %v, want one error on %q", tt.def, err, tt.field)
		}
	}
	d := customfield.Def{Key: " po_number ", AppliesTo: "invoice", Labels: map[string]string{"pt_BR": " Pedido "}}
	if err := d.Normalize(); err != nil || d.Key != "po_number" || d.Labels["pt-BR"] != "Pedido" || len(d.Labels) != 1 {
		t.Errorf("normalized %+v (%v)", d, err)
	}
}

func TestLabelFields(t *testing.T) {
	t.Parallel()
	defs := []customfield.Def{
		{Key: "zone", AppliesTo: "invoice", Labels: map[string]string{"en": "Zone"}, Position: 1, ShowOnDocuments: true},
		{Key: "po_number", AppliesTo: "invoice", Labels: map[string]string{"en": "PO number", "es": "Número de pedido"}, Position: 2, ShowOnDocuments: true},
		{Key: "note", AppliesTo: "invoice", Labels: map[string]string{"es": "Nota"}, Position: 0},
		{Key: "legacy", AppliesTo: "customer", Labels: map[string]string{"en": "Legacy"}, ShowOnDocuments: true},
	}
	fields := map[string]string{"po_number": "PO-1", "note": "n", "zone": "N", "legacy": "L", "b_raw": "x", "a_raw": "y"}
	got := fmt.Sprint(customfield.LabelFields(defs, "invoice", fields, "es", false))
	want := "[{note Nota n} {zone Zone N} {po_number Número de pedido PO-1} {a_raw a_raw y} {b_raw b_raw x} {legacy legacy L}]"
	if got != want {
		t.Errorf("page:\n got %s\nwant %s", got, want)
	}
	got = fmt.Sprint(customfield.LabelFields(defs, "invoice", fields, "pt-BR", true))
	want = "[{zone Zone N} {po_number PO number PO-1} {a_raw a_raw y} {b_raw b_raw x} {legacy legacy L}]"
	if got != want {
		t.Errorf("documents:\n got %s\nwant %s", got, want)
	}
	if got := customfield.LabelFields(defs, "invoice", nil, "en", false); got != nil {
		t.Errorf("no fields: %v", got)
	}
}
