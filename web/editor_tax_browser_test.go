package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/internal/testserver"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
	"github.com/facturo/facturo/tax"
)

// TestBrowserEditorTaxGroups (issue 12 §6, seed 004): the free-text
// invoice editor gives the document a sales tax group and each line an item
// sales tax group; a draft whose line has no applicable tax code is refused
// at issue naming the line's item sales tax group, and once the editor gives
// it one, it issues taxed.
func TestBrowserEditorTaxGroups(t *testing.T) {
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
	must(e.Svc.UpsertTaxCode(ctx, sys, tax.Code{Code: "EX", Name: "Exento", Category: tax.Exempt, Account: "2100", ExemptionReason: "Art. 20 LIVA"}))
	must(e.Svc.UpsertTaxGroup(ctx, sys, tax.Group{Kind: tax.SalesGroup, Code: "DOM", Name: "Spain, domestic", Codes: []string{"V21", "EX"}}))
	must(e.Svc.UpsertTaxGroup(ctx, sys, tax.Group{Kind: tax.ItemGroup, Code: "FULL", Name: "Standard services", Codes: []string{"V21"}}))
	must(e.Svc.UpsertTaxGroup(ctx, sys, tax.Group{Kind: tax.ItemGroup, Code: "EXM", Name: "Exempt training", Codes: []string{"EX"}}))
	must(e.Svc.UpdateCustomer(ctx, sys, e.A.Customer, service.CustomerInput{SalesTaxGroup: ptr("DOM")}))
	must(e.Svc.CreateUser(ctx, sys, service.NewUser{Email: "admin@a.test", Name: "admin", Role: "administrator", Password: testPassword}))
	lines := []service.LineInput{{Description: "Cloud consulting", Quantity: ptr("2"), UnitPrice: ptr("50.00")}}
	draft, err := e.Svc.CreateInvoice(ctx, sys, service.InvoiceInput{CustomerID: &e.A.Customer, Lines: &lines})
	if err != nil {
		t.Fatal(err)
	}

	f := &fixture{env: e, sys: sys, screenshots: t.TempDir()}
	s := f.session(t, browser)
	s.login("admin@a.test")
	issue := func() {
		s.open("/console/invoices/" + draft.ID)
		s.run(chromedp.Click(chromedp.CSS("#update-status")), chromedp.WaitVisible(chromedp.CSS("#confirm-status")),
			chromedp.Click(chromedp.CSS("#confirm-ok")), chromedp.WaitVisible(chromedp.CSS(".flash")))
	}

	// Without an item sales tax group no tax code applies: refused.
	issue()
	if msg := s.text(".flash.err"); !strings.Contains(msg, "Line 1 · Item sales tax group") || !strings.Contains(msg, "no tax code applies") {
		t.Errorf("issuing an untaxed line: %q", msg)
	}
	if inv, err := e.Svc.GetInvoice(ctx, sys, draft.ID); err != nil || !inv.Status.IsDraft() {
		t.Fatalf("an untaxed line was issued: status %q, %v", inv.Status, err)
	}

	// The editor offers both groups; the line takes FULL, a second line EXM.
	s.open("/console/invoices/" + draft.ID + "/edit")
	if got := s.text("#sales_tax_group option[value=DOM]"); !strings.Contains(got, "DOM") {
		t.Errorf("sales tax group select lacks DOM: %q", got)
	}
	s.run(
		chromedp.SetValue(chromedp.CSS("#sales_tax_group"), "DOM"),
		chromedp.SetValue(chromedp.CSS("#lg0"), "FULL"),
		chromedp.SendKeys(chromedp.CSS("#ld1"), "Exempt training"),
		chromedp.SendKeys(chromedp.CSS("#la1"), "30.00"),
		chromedp.SetValue(chromedp.CSS("#lg1"), "EXM"),
	)
	// A select changed by script tells htmx as a user's choice would; the
	// form is told again every 1.5 s until the preview answers, in case a
	// trigger met a request in flight.
	kick := `(function(){var t=document.getElementById("preview-tax");if(t&&t.innerText.includes("21"))return true;` +
		`if(!window.__kick||Date.now()-window.__kick>1500){window.__kick=Date.now();` +
		`document.getElementById("lg1").dispatchEvent(new Event("change",{bubbles:true}));}return false})()`
	if _, err := chromedp.Run(s.ctx, chromedp.Poll[bool](kick, chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		t.Fatalf("preview tax never showed 21.00: %v; totals %q; selects %s", err, s.text("#totals-box"),
			evalJS[string](s, `JSON.stringify([...document.querySelectorAll("select")].map(e=>[e.id,e.value,e.options.length]))`))
	}
	s.screenshot("invoice-editor-tax-groups")
	s.run(chromedp.Click(chromedp.CSS("#save-draft")), chromedp.WaitVisible(chromedp.CSS("#status-badge")))
	if tot := s.text("#doc-total"); !strings.Contains(tot, "151") {
		t.Errorf("saved total = %q, want 151.00 (100.00 + 21.00 tax + 30.00 exempt)", tot)
	}

	issue()
	if b := s.text("#status-badge"); b != "Open" {
		t.Fatalf("status after issuing = %q (%s)", b, s.text(".flash"))
	}
	inv, err := e.Svc.GetInvoice(ctx, sys, draft.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !inv.Tax.Decimal().Equal(decimal.RequireFromString("21")) || len(inv.Lines) != 2 ||
		inv.Lines[0].ItemSalesTaxGroup != "FULL" || inv.Lines[1].ItemSalesTaxGroup != "EXM" || inv.Lines[0].SalesTaxGroup != "DOM" {
		t.Errorf("issued: tax %s, lines %+v", inv.Tax, inv.Lines)
	}
}
