package web_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/internal/testserver"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

// TestBrowserSettingsConfig (issue 16): an administrator turns the approval
// workflow on in Settings, after which a draft can only be submitted for
// approval, and off again; a Spanish-speaking administrator defines the
// custom field po_number with the label "Número de pedido", and the invoice
// page and the PDF show the label instead of the key.
func TestBrowserSettingsConfig(t *testing.T) {
	t.Parallel()
	e := testserver.NewOnWith(t, testdb.Open(t, store.SQLite))
	browser := newBrowser(t)
	ctx := context.Background()
	sys := access.System(e.A.ID, "test")
	for _, u := range []service.NewUser{
		{Email: "admin@a.test", Name: "Ada", Role: "administrator", Password: testPassword},
		{Email: "admin.es@a.test", Name: "Elena", Role: "administrator", Password: testPassword, Language: "es"},
	} {
		if _, err := e.Svc.CreateUser(ctx, sys, u); err != nil {
			t.Fatal(err)
		}
	}
	lines := []service.LineInput{{Description: "Cloud consulting", Quantity: ptr("2"), UnitPrice: ptr("50.00")}}
	draft, err := e.Svc.CreateInvoice(ctx, sys, service.InvoiceInput{CustomerID: &e.A.Customer, Lines: &lines})
	if err != nil {
		t.Fatal(err)
	}
	shots := os.Getenv("FACTURO_SCREENSHOTS")
	if shots == "" {
		shots = filepath.Join("testdata", "screenshots")
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	f := &fixture{env: e, sys: sys, screenshots: shots}
	approval := func() bool {
		ten, err := e.Svc.GetTenant(ctx, sys)
		if err != nil {
			t.Fatal(err)
		}
		return ten.ApprovalRequired
	}
	// toggle opens the approval section, flips the switch and saves.
	toggle := func(s *session) {
		s.open("/console/settings")
		s.run(chromedp.Click(chromedp.CSS("#approval > summary")), chromedp.WaitVisible(chromedp.CSS("#approval-required")),
			chromedp.Click(chromedp.CSS("#approval-required")), chromedp.Click(chromedp.CSS("#save-approval")),
			chromedp.WaitVisible(chromedp.CSS(".flash.ok")))
	}

	t.Run("approval", func(t *testing.T) {
		s := f.session(t, browser)
		s.login("admin@a.test")
		if approval() {
			t.Fatal("approval is on from the start")
		}
		toggle(s)
		if !approval() {
			t.Fatal("the switch did not turn approval on")
		}
		// The redirect's #approval opens the section again.
		s.run(chromedp.WaitVisible(chromedp.CSS("#approval-required")))
		if got := s.text("#approval-state"); !strings.Contains(got, "On") {
			t.Errorf("state after turning on: %q", got)
		}
		s.screenshot("settings-approval-on")

		// A draft can no longer be issued directly: the service refuses,
		// and its page offers "Submit for approval".
		_, err := e.Svc.UpdateInvoiceStatus(ctx, sys, draft.ID, service.StatusChange{Status: "open", Notify: ptr(false)})
		if !fail.Is(err, fail.Conflict) || !strings.Contains(err.Error(), "requires approval") {
			t.Fatalf("a draft was issued without approval: %v", err)
		}
		s.open("/console/invoices/" + draft.ID)
		if got := s.text("#submit-approval"); got != "Submit for approval" {
			t.Errorf("submit button: %q", got)
		}
		if inv, err := e.Svc.GetInvoice(ctx, sys, draft.ID); err != nil || !inv.Status.IsDraft() {
			t.Fatalf("the draft is %q (%v)", inv.Status, err)
		}

		toggle(s)
		if approval() {
			t.Fatal("the switch did not turn approval off")
		}
		s.open("/console/invoices/" + draft.ID)
		if n := countNodes(s, "#submit-approval"); n != 0 {
			t.Errorf("with approval off the draft still offers submit for approval")
		}
	})

	t.Run("custom field label", func(t *testing.T) {
		s := f.session(t, browser)
		s.login("admin.es@a.test")
		s.open("/console/settings")
		s.run(chromedp.Click(chromedp.CSS("#custom-fields > summary")), chromedp.WaitVisible(chromedp.CSS("#cf-key")),
			chromedp.SendKeys(chromedp.CSS("#cf-key"), "po_number"),
			chromedp.SetValue(chromedp.CSS("#cf-applies"), "invoice"),
			chromedp.SendKeys(chromedp.CSS("#cf-label-es"), "Número de pedido"),
			chromedp.Click(chromedp.CSS("#cf-docs")),
			chromedp.Click(chromedp.CSS("#save-cf")),
			chromedp.WaitVisible(chromedp.CSS(".flash.ok")))
		// A bad key: the page comes back in Spanish with the message at
		// the key, what was typed kept, and no axe violation.
		s.run(chromedp.WaitVisible(chromedp.CSS("#cf-key")),
			chromedp.SendKeys(chromedp.CSS("#cf-key"), "Cost Center"),
			chromedp.SendKeys(chromedp.CSS("#cf-label-es"), "Centro de coste"),
			chromedp.Click(chromedp.CSS("#save-cf")),
			chromedp.WaitVisible(chromedp.CSS("#cf-key-err")))
		if got := evalJS[string](s, `document.getElementById("cf-label-es").value`); got != "Centro de coste" {
			t.Errorf("the form lost the typed label: %q", got)
		}
		if !evalJS[bool](s, `document.getElementById("cf-key").getAttribute("aria-invalid") === "true"`) {
			t.Error("the key is not marked invalid")
		}
		s.screenshot("settings-custom-field-error-es")
		axe, err := os.ReadFile(filepath.Join("testdata", "axe", "axe.min.js"))
		if err != nil {
			t.Fatal(err)
		}
		evalJS[bool](s, `document.querySelectorAll("details").forEach(d => d.open = true), true`)
		evalJS[bool](s, string(axe)+";true")
		out := evalJS[string](s, `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
			.then(r => JSON.stringify(r.violations.map(v => v.id + ": " + v.nodes.map(n => n.html).join(" | "))))`, chromedp.EvalAwaitPromise)
		if out != "[]" {
			t.Errorf("axe violations on the failed form: %s", out)
		}

		defs, err := e.Svc.ListCustomFieldDefs(ctx, sys)
		if err != nil || len(defs) != 1 || defs[0].Key != "po_number" || defs[0].Label("es") != "Número de pedido" || !defs[0].ShowOnDocuments {
			t.Fatalf("stored %+v (%v)", defs, err)
		}
		s.run(chromedp.WaitVisible(chromedp.CSS("#cf-invoice-po_number")))
		s.screenshot("settings-custom-fields")

		// The field is set through the service; the page and the PDF show its label.
		cf := map[string]string{"po_number": "PO-7781"}
		inv, err := e.Svc.CreateInvoice(ctx, sys, service.InvoiceInput{CustomerID: &e.A.Customer, Lines: &lines, CustomFields: &cf, Language: ptr("es")})
		if err != nil {
			t.Fatal(err)
		}
		s.open("/console/invoices/" + inv.ID)
		if got := s.text(`[data-field-key="po_number"] dt`); got != "Número de pedido" {
			t.Errorf("label on the invoice page: %q", got)
		}
		if got := s.text(`[data-field-key="po_number"] dd`); got != "PO-7781" {
			t.Errorf("value on the invoice page: %q", got)
		}
		if strings.Contains(s.text("dl.fields"), "po_number") {
			t.Error("the invoice page shows the raw key")
		}
		s.screenshot("invoice-custom-field-label-es")

		pdf, _, err := e.Svc.InvoicePDF(ctx, sys, inv.ID)
		if err != nil {
			t.Fatal(err)
		}
		text := pdfToText(t, pdf)
		if !strings.Contains(text, "Número de pedido: PO-7781") || strings.Contains(text, "po_number") {
			t.Errorf("the PDF does not show the label:\n%s", text)
		}
	})
}

// pdfToText extracts a PDF's text with poppler's pdftotext.
func pdfToText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatalf("pdftotext (poppler-utils) is required: %v", err)
	}
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}
