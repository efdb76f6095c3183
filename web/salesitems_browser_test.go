package web_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/internal/testserver"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

// TestBrowserSalesItems (issue 16, seed 002): in Chromium, a sales item is
// added by hand and seen in the list; the advanced filter is built as a
// form with an OR group, and lists exactly the matching items. Both pages
// have no axe violations.
func TestBrowserSalesItems(t *testing.T) {
	t.Parallel()
	axe, err := os.ReadFile(filepath.Join("testdata", "axe", "axe.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	e := testserver.NewOnWith(t, testdb.Open(t, store.SQLite))
	browser := newBrowser(t)
	ctx := context.Background()
	sys := access.System(e.A.ID, "test")
	if _, err := e.Svc.CreateUser(ctx, sys, service.NewUser{Email: "admin@a.test", Name: "admin", Role: "administrator", Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	day := calendar.New(2025, 10, 15)
	type seed struct {
		customer, desc, price, provider string
	}
	seeds := []seed{
		{e.A.Customer, "Azure reserved VM", "480", "Azure"},
		{e.A.Customer, "Azure storage", "12", "Azure"},
		{e.A.Other, "AWS backup", "35", "AWS"},
		{e.A.Other, "GCP compute", "820", "GCP"},
		{e.A.Other, "Azure DevOps", "150", "Azure"},
	}
	for _, s := range seeds {
		if _, err := e.Svc.CreateSalesItem(ctx, sys, service.SalesItemInput{CustomerID: &s.customer, Description: ptr(s.desc), Quantity: ptr("1"),
			UnitPrice: ptr(s.price), Provider: ptr(s.provider), BillingDate: &day}); err != nil {
			t.Fatal(err)
		}
	}
	shots := os.Getenv("FACTURO_SCREENSHOTS")
	if shots == "" {
		shots = filepath.Join("testdata", "screenshots")
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	f := &fixture{env: e, sys: sys, screenshots: shots}
	s := f.session(t, browser)
	s.login("admin@a.test")
	noAxeViolations := func(t *testing.T, s *session) {
		t.Helper()
		evalJS[bool](s, `document.querySelectorAll("details").forEach(d => d.open = true), true`)
		evalJS[bool](s, string(axe)+";true")
		out := evalJS[string](s, `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
			.then(r => JSON.stringify(r.violations))`, chromedp.EvalAwaitPromise)
		var vs []axeViolation
		if err := json.Unmarshal([]byte(out), &vs); err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			t.Errorf("%s: %s (%s): %s", s.location(), v.ID, v.Impact, v.Help)
		}
	}
	listed := func(s *session) []string {
		return evalJS[[]string](s, `Array.from(document.querySelectorAll("#sales-items tbody tr td:nth-child(2)")).map(td => td.textContent.trim())`)
	}

	t.Run("add by hand", func(t *testing.T) {
		s := s.with(t)
		s.open("/console/sales-items")
		s.run(chromedp.Click(chromedp.CSS("#new-item")), chromedp.WaitVisible(chromedp.CSS("#item-form")))
		s.run(
			chromedp.SetValue(chromedp.CSS("#it-customer"), e.A.Customer),
			chromedp.SendKeys(chromedp.CSS("#it-description"), "On-site network audit"),
			chromedp.SetValue(chromedp.CSS("#it-quantity"), "3"),
			chromedp.SendKeys(chromedp.CSS("#it-unit-price"), "many"),
			chromedp.SendKeys(chromedp.CSS("#it-provider"), "Nimbus"),
			chromedp.Click(chromedp.CSS("#item-save")),
			chromedp.WaitVisible(chromedp.CSS("#it-unit-price-err")),
		)
		if v := evalJS[string](s, `document.getElementById("it-description").value`); v != "On-site network audit" {
			t.Errorf("after a refused save the description is %q, want what was typed", v)
		}
		if v := evalJS[string](s, `document.getElementById("it-unit-price").getAttribute("aria-invalid")`); v != "true" {
			t.Error("the unit price is not marked invalid")
		}
		noAxeViolations(t, s)
		s.run(chromedp.SetValue(chromedp.CSS("#it-unit-price"), "95.50"))
		s.screenshot("sales-item-new")
		s.run(chromedp.Click(chromedp.CSS("#item-save")), chromedp.WaitVisible(chromedp.CSS("#sales-items")))
		if got := listed(s); !slices.Contains(got, "On-site network audit") {
			t.Fatalf("the list after adding shows %q", got)
		}
		if row := s.text("#sales-items tbody tr:first-child"); !strings.Contains(row, "286,50") && !strings.Contains(row, "286.50") {
			t.Errorf("the new item's row %q lacks its total 3 × 95.50", row)
		}
	})

	t.Run("advanced filter with an OR group", func(t *testing.T) {
		s := s.with(t)
		s.open("/console/sales-items")
		// (Total > 100 and Provider is Azure) or (Provider is AWS)
		steps := [][]chromedp.Action[chromedp.Void]{
			{chromedp.Click(chromedp.CSS("#advanced > summary")), chromedp.WaitVisible(chromedp.CSS("#adv-g0-r0-f"))},
			{chromedp.SetValue(chromedp.CSS("#adv-g0-r0-f"), "gross"), chromedp.SetValue(chromedp.CSS("#adv-g0-r0-o"), "gt"),
				chromedp.SendKeys(chromedp.CSS("#adv-g0-r0-v"), "100")},
			{chromedp.Click(chromedp.CSS("#adv-g0-add")), chromedp.WaitVisible(chromedp.CSS("#adv-g0-r1-f"))},
			{chromedp.SetValue(chromedp.CSS("#adv-g0-r1-f"), "provider"), chromedp.SetValue(chromedp.CSS("#adv-g0-r1-o"), "eq"),
				chromedp.SendKeys(chromedp.CSS("#adv-g0-r1-v"), "Azure")},
			{chromedp.Click(chromedp.CSS("#adv-add-group")), chromedp.WaitVisible(chromedp.CSS("#adv-g1-r0-f"))},
			{chromedp.SetValue(chromedp.CSS("#adv-op"), "or"), chromedp.SetValue(chromedp.CSS("#adv-g1-r0-f"), "provider"),
				chromedp.SetValue(chromedp.CSS("#adv-g1-r0-o"), "eq"), chromedp.SendKeys(chromedp.CSS("#adv-g1-r0-v"), "AWS")},
			// The page already shows a built filter: wait for the next page's.
			{chromedp.Evaluate[chromedp.Void](`document.body.dataset.before = "1"`), chromedp.Click(chromedp.CSS("#adv-apply")),
				chromedp.WaitVisible(chromedp.CSS("body:not([data-before]) #adv-built"))},
		}
		for i, st := range steps {
			s.run(st...)
			if i == 4 { // a keyboard user goes on in the row just added
				if a := evalJS[string](s, `document.activeElement ? document.activeElement.id : ""`); a != "adv-g1-r0-f" {
					t.Errorf("after adding a group the focus is on %q, want its first field", a)
				}
			}
		}
		// Which seeds match, computed here from the same rule.
		var want []string
		for _, sd := range seeds {
			price := map[string]int{"480": 480, "12": 12, "35": 35, "820": 820, "150": 150}[sd.price]
			if (price > 100 && sd.provider == "Azure") || sd.provider == "AWS" {
				want = append(want, sd.desc)
			}
		}
		got := listed(s)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("filtered rows %q, want %q", got, want)
		}
		if built := s.text("#adv-built"); !strings.Contains(built, `(Total is greater than "100" and Provider is "Azure") or Provider is "AWS"`) {
			t.Errorf("the built filter reads %q", built)
		}
		if v := evalJS[string](s, `document.getElementById("adv-g1-r0-v").value`); v != "AWS" {
			t.Errorf("the form lost the OR group's value: %q", v)
		}
		s.screenshot("sales-items-filter")
		noAxeViolations(t, s)
	})
}
