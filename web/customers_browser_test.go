package web_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/internal/testserver"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
	"github.com/facturo/facturo/tax"
)

// TestBrowserCustomerCreate (issue 16, seed 004): a finance manager who
// reads the console in Spanish creates a customer with every header field
// through the form. A first submission with bad values shows each error in
// Spanish at its field (aria-invalid, described by the message), keeps
// everything typed and writes nothing; the corrected submission creates the
// customer with every field as typed.
func TestBrowserCustomerCreate(t *testing.T) {
	t.Parallel()
	e := testserver.NewOnWith(t, testdb.Open(t, store.SQLite))
	browser := newBrowser(t)
	ctx := context.Background()
	sys := access.System(e.A.ID, "test")
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(e.Svc.UpsertTaxCode(ctx, sys, tax.Code{Code: "V21", Name: "IVA 21", Rate: decimal.NewFromInt(21), Category: tax.Standard, Account: "2100"}))
	must(e.Svc.UpsertTaxGroup(ctx, sys, tax.Group{Kind: tax.SalesGroup, Code: "DOM", Name: "Nacional", Codes: []string{"V21"}}))
	profiles, err := e.Svc.ListPostingProfiles(ctx, sys)
	if err != nil || len(profiles) == 0 {
		t.Fatalf("posting profiles: %v, %v", profiles, err)
	}
	must(e.Svc.UpsertPostingProfile(ctx, sys, ledger.PostingProfile{Code: "EXPORT", Name: "Exportación", ReceivablesAccount: profiles[0].ReceivablesAccount}))
	must(e.Svc.CreateUser(ctx, sys, service.NewUser{Email: "fm@a.test", Name: "Lucía Finanzas", Role: "finance_manager", Password: testPassword, Language: "es"}))
	billTo, err := e.Svc.GetCustomer(ctx, sys, e.A.Other)
	if err != nil {
		t.Fatal(err)
	}
	count := func() int {
		page, err := e.Svc.ListCustomers(ctx, sys, service.CustomerFilter{Archived: "include", Page: service.Page{Limit: 500}})
		if err != nil {
			t.Fatal(err)
		}
		return len(page.Items)
	}
	before := count()

	shots := os.Getenv("FACTURO_SCREENSHOTS")
	if shots == "" {
		shots = filepath.Join("testdata", "screenshots")
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	f := &fixture{env: e, sys: sys, screenshots: shots}
	s := f.session(t, browser)
	s.login("fm@a.test")
	s.open("/console/customers")
	s.run(chromedp.Click(chromedp.CSS("#new-customer")), chromedp.WaitVisible(chromedp.CSS("#customer-form")))
	if h := s.text("main h1"); h != "Nuevo cliente" {
		t.Errorf("h1 = %q, want the Spanish title", h)
	}
	// The bill-to account is chosen by number and name, never by id alone.
	if opt := s.text(`#cinvoice option[value="` + billTo.ID + `"]`); opt != billTo.Number+" · "+billTo.Name {
		t.Errorf("bill-to option reads %q", opt)
	}

	typed := map[string]string{
		"#cnumber": "FAB-001", "#cname": "Fabrikam Iberia", "#cterms": "-5", "#cmethod": "Transferencia bancaria",
		"#climit": "mucho", "#csap": "0010004711", "#ccontract": "BC-2026-77", "#cexec": "María José Gonçalves",
		"#legal_name": "Fabrikam Iberia S.L.", "#tax_id": "ESB12345678", "#bemail": "no-es-un-correo", "#bcurrency": "EUR",
		"#line1": "Avenida de la Constitución 12", "#city": "Sevilla", "#postal_code": "41001", "#region": "Sevilla", "#country": "ES",
	}
	selects := map[string]string{"#cinvoice": billTo.ID, "#ctaxgroup": "DOM", "#cprofile": "EXPORT", "#blanguage": "es"}
	var fill []chromedp.Action[chromedp.Void]
	for sel, v := range typed {
		fill = append(fill, chromedp.Clear(chromedp.CSS(sel)), chromedp.SendKeys(chromedp.CSS(sel), v))
	}
	for sel, v := range selects {
		fill = append(fill, chromedp.SetValue(chromedp.CSS(sel), v))
	}
	s.run(fill...)
	s.run(chromedp.Click(chromedp.CSS("#create-customer")), chromedp.WaitVisible(chromedp.CSS(".field-err")))

	// Each error in Spanish at its field, the control marked invalid and
	// described by the message.
	for id, want := range map[string]string{
		"bemail": `"no-es-un-correo" no es una dirección de correo válida`,
		"cterms": "debe estar entre 0 y 365 días",
		"climit": `"mucho" no es un número decimal como "5000.00" (carácter inesperado 'm')`,
	} {
		if got := s.text("#" + id + "-err"); got != want {
			t.Errorf("error at #%s = %q, want %q", id, got, want)
		}
		attrs := evalJS[[]string](s, `(function(){var e=document.getElementById("`+id+`");return [e.getAttribute("aria-invalid")||"",e.getAttribute("aria-describedby")||""]})()`)
		if attrs[0] != "true" || attrs[1] != id+"-err" {
			t.Errorf("#%s: aria-invalid %q, aria-describedby %q", id, attrs[0], attrs[1])
		}
	}
	if n := countNodes(s, `[aria-invalid="true"]`); n != 3 {
		t.Errorf("%d controls marked invalid, want 3", n)
	}
	if msg := s.text("#error"); msg != "Corrija los campos marcados (3)." {
		t.Errorf("banner = %q: it must only count the errors shown at their fields", msg)
	}
	// Everything typed is still there.
	for sel, v := range typed {
		if got := evalJS[string](s, `document.querySelector("`+sel+`").value`); got != v {
			t.Errorf("%s lost what was typed: %q, want %q", sel, got, v)
		}
	}
	for sel, v := range selects {
		if got := evalJS[string](s, `document.querySelector("`+sel+`").value`); got != v {
			t.Errorf("%s lost what was chosen: %q, want %q", sel, got, v)
		}
	}
	if n := count(); n != before {
		t.Fatalf("a refused create wrote %d customers", n-before)
	}
	// The error state passes the accessibility checks.
	if axe, err := os.ReadFile(filepath.Join("testdata", "axe", "axe.min.js")); err == nil {
		evalJS[bool](s, string(axe)+";true")
		out := evalJS[string](s, `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
			.then(r => JSON.stringify(r.violations.map(v => v.id)))`, chromedp.EvalAwaitPromise)
		var ids []string
		if err := json.Unmarshal([]byte(out), &ids); err != nil || len(ids) != 0 {
			t.Errorf("axe violations on the form with errors: %s", out)
		}
	}
	s.screenshot("customer-new-errors-es")

	// The corrected submission creates the customer.
	s.run(chromedp.SetValue(chromedp.CSS("#bemail"), "ap@fabrikam.example"),
		chromedp.SetValue(chromedp.CSS("#cterms"), "45"),
		chromedp.SetValue(chromedp.CSS("#climit"), "25000.50"))
	s.screenshot("customer-new")
	s.run(chromedp.Click(chromedp.CSS("#create-customer")), chromedp.WaitVisible(chromedp.CSS(".flash.ok")))
	loc := s.location()
	i := strings.Index(loc, "/console/customers/cus_")
	if i < 0 {
		t.Fatalf("after creating, at %s", loc)
	}
	id := strings.SplitN(strings.TrimPrefix(loc[i:], "/console/customers/"), "?", 2)[0]
	if msg := s.text(".flash.ok"); msg != "Cliente creado." {
		t.Errorf("flash = %q", msg)
	}
	c, err := e.Svc.GetCustomer(ctx, sys, id)
	if err != nil {
		t.Fatal(err)
	}
	b := c.Billing
	if c.Number != "FAB-001" || c.Name != "Fabrikam Iberia" || c.InvoiceAccountID != billTo.ID || c.PaymentTermsDays != 45 ||
		c.MethodOfPayment != "Transferencia bancaria" || c.CreditLimit.Fixed() != "25000.50" || c.CreditLimit.Currency().Code() != "EUR" ||
		c.SalesTaxGroup != "DOM" || c.PostingProfile != "EXPORT" || c.SAPID != "0010004711" || c.BillingContractNumber != "BC-2026-77" ||
		c.SalesAccountExecutive != "María José Gonçalves" {
		t.Errorf("stored header: %+v", c)
	}
	if b.LegalName != "Fabrikam Iberia S.L." || b.TaxID != "ESB12345678" || b.Email != "ap@fabrikam.example" || b.Currency != "EUR" ||
		b.Language != "es" || b.Address.Line1 != "Avenida de la Constitución 12" || b.Address.City != "Sevilla" ||
		b.Address.PostalCode != "41001" || b.Address.Region != "Sevilla" || b.Address.Country != "ES" || !c.HasBillingInfo {
		t.Errorf("stored billing information: %+v", b)
	}
	if n := count(); n != before+1 {
		t.Errorf("%d customers written, want 1", n-before)
	}
	// The customer page's header form shows what was stored.
	if got := evalJS[string](s, `document.getElementById("cmethod").value`); got != "Transferencia bancaria" {
		t.Errorf("the customer page's method of payment reads %q", got)
	}
}
