package web_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/internal/testserver"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
	"github.com/facturo/facturo/tax"
)

// TestBrowserEditorHeaderAndLineTaxes (issue 16, seed 004): in the editor a
// finance user picks a customer (its payment terms and language come
// prefilled), sets the header fields (another customer as the bill-to
// account, terms, method of payment, cash discount, hold, language), adds
// two lines taxed by different groups (the second with its own sales tax
// group), sees the server's tax in the preview, saves and issues. The issued
// document holds the header fields, each line's tax and the totals computed
// here by hand.
func TestBrowserEditorHeaderAndLineTaxes(t *testing.T) {
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
	// Mainland Spain (DOM) charges IVA, the Canary Islands (CAN) IGIC; the
	// standard item group maps to either.
	must(e.Svc.UpsertTaxCode(ctx, sys, tax.Code{Code: "V21", Name: "IVA 21", Rate: decimal.NewFromInt(21), Category: tax.Standard, Account: "2100"}))
	must(e.Svc.UpsertTaxCode(ctx, sys, tax.Code{Code: "IG7", Name: "IGIC 7", Rate: decimal.NewFromInt(7), Category: tax.Standard, Account: "2100"}))
	must(e.Svc.UpsertTaxGroup(ctx, sys, tax.Group{Kind: tax.SalesGroup, Code: "DOM", Name: "Spain, mainland", Codes: []string{"V21"}}))
	must(e.Svc.UpsertTaxGroup(ctx, sys, tax.Group{Kind: tax.SalesGroup, Code: "CAN", Name: "Canary Islands", Codes: []string{"IG7"}}))
	must(e.Svc.UpsertTaxGroup(ctx, sys, tax.Group{Kind: tax.ItemGroup, Code: "FULL", Name: "Standard services", Codes: []string{"V21", "IG7"}}))
	must(e.Svc.UpdateCustomer(ctx, sys, e.A.Customer, service.CustomerInput{SalesTaxGroup: ptr("DOM"), PaymentTermsDays: ptr(30),
		Billing: &service.BillingInput{Language: ptr("es")}}))
	must(e.Svc.CreateUser(ctx, sys, service.NewUser{Email: "fin@a.test", Name: "Fin", Role: "finance_manager", Password: testPassword}))
	loc, _ := time.LoadLocation("Europe/Madrid")
	today := calendar.Today(e.Clock.Now(), loc)

	shots := os.Getenv("FACTURO_SCREENSHOTS")
	if shots == "" {
		shots = filepath.Join("testdata", "screenshots")
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	f := &fixture{env: e, sys: sys, screenshots: shots}
	s := f.session(t, browser)
	s.login("fin@a.test")
	value := func(sel string) string {
		return evalJS[string](s, fmt.Sprintf(`document.querySelector(%q).value`, sel))
	}
	// poll waits for a condition in the page, telling htmx again every
	// 1.5 s (an input event on the form) in case a trigger met a request in
	// flight.
	poll := func(what, cond string) {
		t.Helper()
		js := `(function(){if(` + cond + `)return true;if(!window.__kick||Date.now()-window.__kick>1500){window.__kick=Date.now();` +
			`document.getElementById("notes").dispatchEvent(new Event("input",{bubbles:true}));}return false})()`
		if _, err := chromedp.Run(s.ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(15*time.Second))); err != nil {
			t.Fatalf("%s: %v; totals %q", what, err, s.text("#totals-box"))
		}
	}

	s.open("/console/invoices/new")
	// Picking the customer brings its terms and language, and keeps the
	// method of payment typed before.
	s.run(chromedp.SendKeys(chromedp.CSS("#method_of_payment"), "Transferencia SEPA"),
		chromedp.SetValue(chromedp.CSS("#customer_id"), e.A.Customer))
	must(chromedp.Run(s.ctx, chromedp.Evaluate[bool](`document.getElementById("customer_id").dispatchEvent(new Event("change",{bubbles:true}))`)))
	if _, err := chromedp.Run(s.ctx, chromedp.Poll[bool](`document.getElementById("payment_terms_days").value==="30"`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("the customer's payment terms were not prefilled: %q", value("#payment_terms_days"))
	}
	if got := value("#language"); got != "es" {
		t.Errorf("language prefilled %q, want the customer's es", got)
	}
	if got := value("#invoice_account_id"); got != e.A.Customer {
		t.Errorf("bill-to prefilled %q, want the customer itself", got)
	}
	if got := value("#method_of_payment"); got != "Transferencia SEPA" {
		t.Errorf("the method of payment typed before choosing the customer is %q", got)
	}

	// The header: another customer pays, 15 days, 2 % if paid
	// within 5 days, held until today, in Portuguese.
	s.run(
		chromedp.SetValue(chromedp.CSS("#invoice_date"), today.String()),
		chromedp.SetValue(chromedp.CSS("#invoice_account_id"), e.A.Other),
		chromedp.SetValue(chromedp.CSS("#payment_terms_days"), "15"),
		chromedp.SetValue(chromedp.CSS("#cash_discount_date"), today.AddDays(5).String()),
		chromedp.SendKeys(chromedp.CSS("#cash_discount_percent"), "2"),
		chromedp.SetValue(chromedp.CSS("#hold_until"), today.String()),
		chromedp.SetValue(chromedp.CSS("#language"), "pt-BR"),
		// Line 1: 3 h × 120.00, the document's (customer's) group DOM, FULL: IVA 21 %.
		chromedp.SendKeys(chromedp.CSS("#ld0"), "Consultoría"),
		chromedp.SendKeys(chromedp.CSS("#lq0"), "3"),
		chromedp.SendKeys(chromedp.CSS("#lp0"), "120.00"),
		chromedp.SetValue(chromedp.CSS("#lg0"), "FULL"),
		// Line 2: 250.00 by amount, its own group CAN, FULL: IGIC 7 %.
		chromedp.SendKeys(chromedp.CSS("#ld1"), "Formación en Tenerife"),
		chromedp.SendKeys(chromedp.CSS("#la1"), "250.00"),
		chromedp.SetValue(chromedp.CSS("#ls1"), "CAN"),
		chromedp.SetValue(chromedp.CSS("#lg1"), "FULL"),
	)
	// A quantity that is not a number: the save fails, the error is at
	// its field (aria-invalid), everything typed is kept, and the page
	// has no axe violation.
	s.run(chromedp.SetValue(chromedp.CSS("#lq0"), "tres"), chromedp.Click(chromedp.CSS("#save-draft")),
		chromedp.WaitVisible(chromedp.CSS("#lq0-err")))
	if got := evalJS[string](s, `document.getElementById("lq0").getAttribute("aria-invalid")+" "+document.getElementById("lq0-err").dataset.field`); got != "true lines[0].quantity" {
		t.Errorf("the quantity's error is not at its field: %q", got)
	}
	for sel, want := range map[string]string{"#lq0": "tres", "#ld1": "Formación en Tenerife", "#ls1": "CAN", "#lg0": "FULL",
		"#invoice_account_id": e.A.Other, "#payment_terms_days": "15", "#method_of_payment": "Transferencia SEPA",
		"#cash_discount_percent": "2", "#hold_until": today.String(), "#language": "pt-BR", "#customer_id": e.A.Customer} {
		if got := value(sel); got != want {
			t.Errorf("after the failed save %s = %q, want the typed %q", sel, got, want)
		}
	}
	axe, err := os.ReadFile(filepath.Join("testdata", "axe", "axe.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	evalJS[bool](s, string(axe)+";true")
	if out := evalJS[string](s, `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
		.then(r => r.violations.map(v => v.id + ": " + v.nodes.map(n => n.html).join(" | ")).join("; "))`, chromedp.EvalAwaitPromise); out != "" {
		t.Errorf("axe violations on the failed save: %s", out)
	}
	s.run(chromedp.SetValue(chromedp.CSS("#lq0"), "3"))

	// By hand: 360.00 × 21 % = 75.60; 250.00 × 7 % = 17.50; net 610.00,
	// tax 93.10, total 703.10.
	poll("the preview never showed the total 703.10", `(document.getElementById("preview-total")||{}).innerText==="€703.10"`)
	if got := s.text("#preview-tax"); got != "€93.10" {
		t.Errorf("preview tax %q, want €93.10", got)
	}
	if got := evalJS[[]string](s, `[...document.querySelectorAll("#preview-lines .line-tax")].map(e=>e.innerText)`); !slices.Equal(got, []string{"€75.60", "€17.50"}) {
		t.Errorf("preview line taxes %v, want [€75.60 €17.50]", got)
	}
	s.screenshot("invoice-editor-header")
	s.run(chromedp.Click(chromedp.CSS("#save-draft")), chromedp.WaitVisible(chromedp.CSS("#status-badge")))
	id := strings.TrimPrefix(strings.SplitN(s.location(), "?", 2)[0], s.url("/console/invoices/"))

	// Issue it (from the page without the "saved" message, so that the
	// next message is the status change's).
	s.open("/console/invoices/" + id)
	s.run(chromedp.Click(chromedp.CSS("#update-status")), chromedp.WaitVisible(chromedp.CSS("#confirm-status")),
		chromedp.Click(chromedp.CSS("#confirm-ok")), chromedp.WaitVisible(chromedp.CSS(".flash")))
	if b := s.text("#status-badge"); b != "Open" {
		t.Fatalf("status after issuing = %q (%s)", b, s.text(".flash"))
	}
	if got := s.text("#doc-total"); got != "€703.10" {
		t.Errorf("page total %q", got)
	}
	if got := evalJS[[]string](s, `[...document.querySelectorAll("#lines .line-tax")].map(e=>e.innerText)`); !slices.Equal(got, []string{"€75.60", "€17.50"}) {
		t.Errorf("invoice page line taxes %v", got)
	}
	for sel, want := range map[string]string{"#doc-terms": "15", "#doc-method": "Transferencia SEPA", "#doc-language": "Português"} {
		if got := s.text(sel); got != want {
			t.Errorf("invoice page %s = %q, want %q", sel, got, want)
		}
	}
	if got := s.text("#doc-bill-to"); !strings.Contains(got, "customer two") {
		t.Errorf("invoice page bill-to %q, want the other customer", got)
	}
	s.screenshot("invoice-issued-taxed")

	inv, err := e.Svc.GetInvoice(ctx, sys, id)
	if err != nil {
		t.Fatal(err)
	}
	dec := decimal.RequireFromString
	if inv.Number == "" || inv.CustomerID != e.A.Customer || inv.InvoiceAccountID != e.A.Other || inv.PaymentTermsDays != 15 ||
		inv.MethodOfPayment != "Transferencia SEPA" || inv.CashDiscountDate != today.AddDays(5) || !inv.CashDiscountPct.Equal(dec("2")) ||
		inv.HoldUntil != today || inv.Language != "pt-BR" || inv.DueDate != today.AddDays(15) {
		t.Errorf("issued header: number %q customer %s bill-to %s terms %d method %q discount %s %s hold %s language %s due %s",
			inv.Number, inv.CustomerID, inv.InvoiceAccountID, inv.PaymentTermsDays, inv.MethodOfPayment, inv.CashDiscountDate,
			inv.CashDiscountPct, inv.HoldUntil, inv.Language, inv.DueDate)
	}
	if len(inv.Lines) != 2 {
		t.Fatalf("issued lines: %+v", inv.Lines)
	}
	for i, want := range []struct {
		sales, code, amount, tax string
	}{{"DOM", "V21", "360", "75.6"}, {"CAN", "IG7", "250", "17.5"}} {
		l := inv.Lines[i]
		if l.SalesTaxGroup != want.sales || l.ItemSalesTaxGroup != "FULL" || !slices.Equal(l.TaxCodes, []string{want.code}) ||
			!l.Amount.Decimal().Equal(dec(want.amount)) || !l.TaxAmount.Decimal().Equal(dec(want.tax)) {
			t.Errorf("line %d: groups %s/%s codes %v amount %s tax %s; want %+v", i, l.SalesTaxGroup, l.ItemSalesTaxGroup, l.TaxCodes, l.Amount, l.TaxAmount, want)
		}
	}
	if !inv.Net.Decimal().Equal(dec("610")) || !inv.Tax.Decimal().Equal(dec("93.1")) || !inv.Total.Decimal().Equal(dec("703.1")) ||
		!inv.CashDiscount.Decimal().Equal(dec("14.06")) {
		t.Errorf("totals: net %s tax %s total %s cash discount %s; want 610.00, 93.10, 703.10, 14.06", inv.Net, inv.Tax, inv.Total, inv.CashDiscount)
	}
}
