package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/customfield"
	"github.com/facturo/facturo/internal/testserver"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
	"github.com/facturo/facturo/tax"
)

// TestSettingsConfigForms checks the approval switch, the tax group form
// and the custom field definitions like TestSettingsForms: a success
// stores, bad input re-renders with 422 naming the field and writes
// nothing, a role without the permission gets 403; and a defined custom
// field shows under its label on the invoice and customer pages.
func TestSettingsConfigForms(t *testing.T) {
	t.Parallel()
	e := testserver.New(t, store.SQLite)
	ctx := context.Background()
	sys := access.System(e.A.ID, "test")
	for _, u := range []service.NewUser{
		{Email: "admin@a.test", Name: "Ada", Role: "administrator", Password: testPassword},
		{Email: "dir@a.test", Name: "Dirk", Role: "director", Password: testPassword, Language: "es"},
		{Email: "buyer@a.test", Name: "Bea", Role: "customer", CustomerID: e.A.Customer, Password: testPassword, Language: "es"},
	} {
		if _, err := e.Svc.CreateUser(ctx, sys, u); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.Svc.UpsertTaxCode(ctx, sys, tax.Code{Code: "V21", Name: "IVA 21", Rate: decimal.NewFromInt(21), Category: tax.Standard, Account: "2100"}); err != nil {
		t.Fatal(err)
	}
	admin, director, buyer := newClient(t, e), newClient(t, e), newClient(t, e)
	admin.login("admin@a.test")
	director.login("dir@a.test")
	buyer.login("buyer@a.test")

	bad := func(t *testing.T, c *client, path string, form url.Values, status int, field string) string {
		t.Helper()
		code, _, body := c.do(http.MethodPost, path, form)
		if code != status {
			t.Errorf("POST %s %v: %d, want %d", path, form, code, status)
		}
		if field != "" && (!strings.Contains(body, `id="error"`) || !strings.Contains(body, `class="field-err"`) || !strings.Contains(body, `data-field="`+field+`"`)) {
			t.Errorf("POST %s: the page does not name the field %s at the field:\n%.3000s", path, field, body)
		}
		return body
	}
	ok := func(t *testing.T, c *client, path string, form url.Values) {
		t.Helper()
		code, h, body := c.do(http.MethodPost, path, form)
		if code != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/console/settings?ok=saved") {
			t.Fatalf("POST %s: %d → %q\n%.2000s", path, code, h.Get("Location"), body)
		}
	}
	approval := func() bool {
		ten, err := e.Svc.GetTenant(ctx, sys)
		if err != nil {
			t.Fatal(err)
		}
		return ten.ApprovalRequired
	}

	t.Run("approval", func(t *testing.T) {
		ok(t, admin, "/console/settings/approval", url.Values{"approval_required": {"1"}})
		if !approval() {
			t.Fatal("approval is not on")
		}
		if _, _, page := admin.do(http.MethodGet, "/console/settings", nil); !strings.Contains(page, `id="approval-required" name="approval_required" value="1" aria-describedby="approval-hint" checked`) {
			t.Errorf("the switch is not on")
		}
		bad(t, director, "/console/settings/approval", url.Values{}, http.StatusForbidden, "")
		if !approval() {
			t.Error("a director turned approval off")
		}
		bad(t, admin, "/console/settings/approval", url.Values{"approval_required": {"maybe"}}, http.StatusUnprocessableEntity, "approval_required")
		if !approval() {
			t.Error("a refused post turned approval off")
		}
		ok(t, admin, "/console/settings/approval", url.Values{}) // the unchecked switch
		if approval() {
			t.Error("approval is still on")
		}
		// The director sees the state in Spanish, without the form.
		if _, _, page := director.do(http.MethodGet, "/console/settings", nil); strings.Contains(page, `id="approval-form"`) || !strings.Contains(page, "Desactivado") {
			t.Errorf("the director's page: form shown or state missing")
		}
	})

	groups := func() map[string]tax.Group {
		gs, err := e.Svc.ListTaxGroups(ctx, sys)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]tax.Group{}
		for _, g := range gs {
			out[g.Kind+":"+g.Code] = g
		}
		return out
	}
	t.Run("tax groups", func(t *testing.T) {
		ok(t, admin, "/console/settings/tax-groups", url.Values{"kind": {"sales"}, "code": {"DOM"}, "name": {"Spain, domestic"}, "tax_codes": {"V21"}})
		ok(t, admin, "/console/settings/tax-groups", url.Values{"kind": {"item"}, "code": {"FULL"}, "tax_codes": {"V21"}})
		gs := groups()
		if g := gs["sales:DOM"]; g.Name != "Spain, domestic" || strings.Join(g.Codes, ",") != "V21" {
			t.Fatalf("stored %+v", gs)
		}
		if g := gs["item:FULL"]; g.Name != "FULL" || len(g.Codes) != 1 {
			t.Errorf("stored %+v", g)
		}
		// The edit link fills the form with the stored group; its kind and code are fixed.
		_, _, page := admin.do(http.MethodGet, "/console/settings?group=sales:DOM", nil)
		if !strings.Contains(page, `id="tg-code" name="code" value="DOM" readonly`) || !strings.Contains(page, `id="tg-code-V21" checked`) ||
			!strings.Contains(page, `<input type="hidden" name="kind" value="sales">`) {
			t.Errorf("the edit form is not filled")
		}
		ok(t, admin, "/console/settings/tax-groups", url.Values{"kind": {"sales"}, "code": {"DOM"}, "name": {"Domestic"}, "editing": {"1"}})
		if g := groups()["sales:DOM"]; g.Name != "Domestic" || len(g.Codes) != 0 {
			t.Errorf("edited %+v", g)
		}

		for _, tt := range []struct {
			form  url.Values
			field string
		}{
			{url.Values{"kind": {"sales"}, "code": {"DOM"}, "name": {"Typed name"}, "tax_codes": {"NOPE"}}, "tax_codes"},
			{url.Values{"kind": {"sales"}, "code": {"bad code!"}, "name": {"Typed name"}}, "code"},
			{url.Values{"kind": {"other"}, "code": {"X1"}, "name": {"Typed name"}}, "kind"},
		} {
			body := bad(t, admin, "/console/settings/tax-groups", tt.form, http.StatusUnprocessableEntity, tt.field)
			if !strings.Contains(body, `value="Typed name"`) || !strings.Contains(body, `aria-describedby="tg-`) {
				t.Errorf("%v: the form lost what was typed or has no message beside the field", tt.form)
			}
		}
		if gs := groups(); len(gs) != 2 || gs["sales:DOM"].Name != "Domestic" {
			t.Errorf("a refused post wrote: %+v", gs)
		}
		bad(t, director, "/console/settings/tax-groups", url.Values{"kind": {"sales"}, "code": {"DIR"}, "tax_codes": {"V21"}}, http.StatusForbidden, "")
		if _, found := groups()["sales:DIR"]; found {
			t.Error("a director created a tax group")
		}
		if _, _, page := director.do(http.MethodGet, "/console/settings", nil); strings.Contains(page, `id="tax-group-form"`) || !strings.Contains(page, "Grupo de impuestos de venta") {
			t.Errorf("the director's page: form shown or the groups missing")
		}
	})

	defs := func() map[string]customfield.Def {
		ds, err := e.Svc.ListCustomFieldDefs(ctx, sys)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]customfield.Def{}
		for _, d := range ds {
			out[d.AppliesTo+":"+d.Key] = d
		}
		return out
	}
	t.Run("custom fields", func(t *testing.T) {
		ok(t, admin, "/console/settings/custom-fields", url.Values{"key": {"po_number"}, "applies_to": {"invoice"}, "labels.en": {"PO number"},
			"labels.es": {"Número de pedido"}, "labels.pt-BR": {""}, "show_on_documents": {"1"}, "position": {"1"}})
		ok(t, admin, "/console/settings/custom-fields", url.Values{"key": {"region"}, "applies_to": {"customer"}, "labels.es": {"Zona comercial"}, "position": {""}})
		ds := defs()
		po := ds["invoice:po_number"]
		if po.Label("es") != "Número de pedido" || po.Label("pt-BR") != "PO number" || !po.ShowOnDocuments || po.Position != 1 || len(po.Labels) != 2 {
			t.Fatalf("stored %+v", ds)
		}
		if r := ds["customer:region"]; r.Label("en") != "Zona comercial" || r.ShowOnDocuments {
			t.Errorf("stored %+v", r)
		}
		_, _, page := admin.do(http.MethodGet, "/console/settings?field=invoice:po_number", nil)
		if !strings.Contains(page, `id="cf-key" name="key" value="po_number" readonly`) || !strings.Contains(page, `value="Número de pedido"`) ||
			!strings.Contains(page, `id="cf-docs" name="show_on_documents" value="1" checked`) {
			t.Errorf("the edit form is not filled")
		}

		for _, tt := range []struct {
			form  url.Values
			field string
		}{
			{url.Values{"key": {"PO Number"}, "applies_to": {"invoice"}, "labels.es": {"Typed label"}}, "key"},
			{url.Values{"key": {"cost_center"}, "applies_to": {"invoice"}, "labels.en": {" "}, "position": {"3"}}, "labels.en"},
			{url.Values{"key": {"cost_center"}, "applies_to": {"invoice"}, "labels.es": {"Typed label"}, "position": {"tres"}}, "position"},
			{url.Values{"key": {"cost_center"}, "applies_to": {"order"}, "labels.es": {"Typed label"}}, "applies_to"},
			{url.Values{"key": {"cost_center"}, "applies_to": {"invoice"}, "labels.es": {strings.Repeat("x", 81)}}, "labels.es"},
		} {
			body := bad(t, admin, "/console/settings/custom-fields", tt.form, http.StatusUnprocessableEntity, tt.field)
			if v := tt.form.Get("labels.es"); v != "" && !strings.Contains(body, `value="`+v+`"`) {
				t.Errorf("%v: the form lost the typed label", tt.form)
			}
		}
		if len(defs()) != 2 {
			t.Errorf("a refused post wrote: %+v", defs())
		}
		bad(t, director, "/console/settings/custom-fields", url.Values{"key": {"dir"}, "applies_to": {"invoice"}, "labels.en": {"Dir"}}, http.StatusForbidden, "")
		bad(t, director, "/console/settings/custom-fields/delete", url.Values{"key": {"po_number"}, "applies_to": {"invoice"}}, http.StatusForbidden, "")
		if ds := defs(); len(ds) != 2 {
			t.Errorf("a director changed the definitions: %+v", ds)
		}

		// The labels show instead of the keys, in the reader's language;
		// a key without a definition shows as the key.
		cf := map[string]string{"po_number": "PO-7781", "legacy_ref": "L-1"}
		if _, err := e.Svc.UpsertTaxGroup(ctx, sys, tax.Group{Kind: tax.SalesGroup, Code: "ALL", Codes: []string{"V21"}}); err != nil {
			t.Fatal(err)
		}
		inv, err := e.Svc.CreateInvoice(ctx, sys, service.InvoiceInput{CustomerID: &e.A.Customer, CustomFields: &cf,
			Lines: &[]service.LineInput{{Description: "Work", Quantity: ptr("1"), UnitPrice: ptr("10"), SalesTaxGroup: ptr("ALL"), ItemSalesTaxGroup: "FULL"}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Svc.UpdateInvoiceStatus(ctx, sys, inv.ID, service.StatusChange{Status: "open", Notify: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		region := map[string]string{"region": "Norte"}
		if _, err := e.Svc.UpdateCustomer(ctx, sys, e.A.Customer, service.CustomerInput{CustomFields: &region}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			who        *client
			path, want string
		}{
			{admin, "/console/invoices/" + inv.ID, `<dt>PO number</dt><dd>PO-7781</dd>`},
			{director, "/console/invoices/" + inv.ID, `<dt>Número de pedido</dt><dd>PO-7781</dd>`},
			{buyer, "/portal/invoices/" + inv.ID, `<dt>Número de pedido</dt><dd>PO-7781</dd>`},
			{admin, "/console/invoices/" + inv.ID, `<dt>legacy_ref</dt><dd>L-1</dd>`},
			{director, "/console/customers/" + e.A.Customer, `<dt>Zona comercial</dt><dd>Norte</dd>`},
			{buyer, "/portal/account", `<dt>Zona comercial</dt><dd>Norte</dd>`},
		} {
			code, _, page := c.who.do(http.MethodGet, c.path, nil)
			if code != http.StatusOK || !strings.Contains(page, c.want) {
				t.Errorf("GET %s: %d, no %s", c.path, code, c.want)
			}
			if strings.Contains(page, "<dt>po_number</dt>") || strings.Contains(page, "<dt>region</dt>") {
				t.Errorf("GET %s shows a raw key", c.path)
			}
		}

		ok(t, admin, "/console/settings/custom-fields/delete", url.Values{"key": {"po_number"}, "applies_to": {"invoice"}})
		if _, found := defs()["invoice:po_number"]; found {
			t.Error("not deleted")
		}
		bad(t, admin, "/console/settings/custom-fields/delete", url.Values{"key": {"po_number"}, "applies_to": {"invoice"}}, http.StatusNotFound, "")
		if _, _, page := admin.do(http.MethodGet, "/console/invoices/"+inv.ID, nil); !strings.Contains(page, `<dt>po_number</dt><dd>PO-7781</dd>`) {
			t.Errorf("without its definition the field does not show under its key")
		}
	})
}
