package web

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/customfield"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/tax"
	"github.com/facturo/facturo/web/form"
)

// registerSettingsMore adds the settings forms of tax groups and custom
// field definitions.
func (h *Handler) registerSettingsMore(mux *http.ServeMux) {
	mux.HandleFunc("POST /console/settings/tax-groups", h.staff(h.taxGroupSave))
	mux.HandleFunc("POST /console/settings/custom-fields", h.staff(h.customFieldSave))
	mux.HandleFunc("POST /console/settings/custom-fields/delete", h.staff(h.customFieldDelete))
}

// settingsConfig is the part of the settings page about tax groups and
// custom field definitions (embedded in settingsData).
type settingsConfig struct {
	TaxGroups    []tax.Group
	GroupKinds   []string
	GroupForm    form.Group
	CustomFields []customfield.Def
	FieldKinds   []string
	FieldForm    form.Field
}

// loadSettingsConfig fills the tax group and custom field sections; ?group=
// (kind:code) and ?field= (kind:key) pick the one to edit.
func (h *Handler) loadSettingsConfig(r *http.Request, d *settingsData) {
	ctx := r.Context()
	p := access.FromContext(ctx)
	d.GroupKinds = []string{tax.SalesGroup, tax.ItemGroup}
	d.FieldKinds = []string{customfield.Invoice, customfield.Customer}
	d.TaxGroups, _ = h.svc.ListTaxGroups(ctx, p)
	d.CustomFields, _ = h.svc.ListCustomFieldDefs(ctx, p)
	q := r.URL.Query()
	d.GroupForm = form.Group{Kind: tax.SalesGroup}
	for _, g := range d.TaxGroups {
		if q.Get("group") == g.Kind+":"+g.Code {
			d.GroupForm, d.Open = form.Group{Kind: g.Kind, Code: g.Code, Name: g.Name, Codes: g.Codes, Editing: true}, "tax-groups"
		}
	}
	d.FieldForm = form.Field{AppliesTo: customfield.Invoice, Labels: map[string]string{}, Position: "0"}
	for _, f := range d.CustomFields {
		if q.Get("field") == f.AppliesTo+":"+f.Key {
			d.FieldForm, d.Open = form.Field{Key: f.Key, AppliesTo: f.AppliesTo, Labels: f.Labels, ShowOnDocuments: f.ShowOnDocuments,
				Position: strconv.Itoa(f.Position), Editing: true}, "custom-fields"
		}
	}
}

// taxGroupSave creates or changes a sales or item sales tax group.
func (h *Handler) taxGroupSave(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, fail.Field("form", "could not be read: %v", err))
		return
	}
	gf := form.PostedGroup(r.PostForm)
	_, err := h.svc.UpsertTaxGroup(r.Context(), access.FromContext(r.Context()),
		tax.Group{Kind: gf.Kind, Code: gf.Code, Name: gf.Name, Codes: slices.Clone(gf.Codes)})
	if err != nil {
		h.settingsFormError(w, r, err, "group", "tax-groups", func(d *settingsData) { d.GroupForm = gf })
		return
	}
	redirect(w, r, "/console/settings?ok=saved#tax-groups")
}

// customFieldSave creates or changes the definition of a custom field.
func (h *Handler) customFieldSave(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, fail.Field("form", "could not be read: %v", err))
		return
	}
	ff := form.PostedField(r.PostForm)
	def, err := ff.Def()
	if err == nil {
		_, err = h.svc.SaveCustomFieldDef(r.Context(), access.FromContext(r.Context()), def)
	}
	if err != nil {
		h.settingsFormError(w, r, err, "field", "custom-fields", func(d *settingsData) { d.FieldForm = ff })
		return
	}
	redirect(w, r, "/console/settings?ok=saved#custom-fields")
}

// customFieldDelete deletes a definition; the values stay, shown under
// their key.
func (h *Handler) customFieldDelete(w http.ResponseWriter, r *http.Request) {
	err := h.svc.DeleteCustomFieldDef(r.Context(), access.FromContext(r.Context()), r.PostFormValue("applies_to"), r.PostFormValue("key"))
	if err != nil {
		h.settingsFormError(w, r, err, "field", "custom-fields", nil)
		return
	}
	redirect(w, r, "/console/settings?ok=saved#custom-fields")
}

// customFieldsOf labels the custom fields of a record of kind appliesTo in
// the reader's language (customfield.LabelFields); the definitions are read
// once per page, and a failure to read them shows the raw keys.
func (h *Handler) customFieldsOf(r *http.Request, appliesTo string, fields map[string]string) []customfield.Labeled {
	if len(fields) == 0 {
		return nil
	}
	defs, _ := h.svc.ListCustomFieldDefs(r.Context(), access.FromContext(r.Context()))
	return customfield.LabelFields(defs, appliesTo, fields, infoFrom(r.Context()).lang, false)
}
