package web_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// axeViolation is one failed rule of an axe-core run.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
	} `json:"nodes"`
}

// TestAccessibility runs axe-core (web/testdata/axe, unmodified, MPL-2.0) in
// Chromium on the main console and portal pages, in English and Spanish,
// and fails on any WCAG 2.1 A or AA violation it finds: missing labels and
// names, contrast below 4.5:1, landmarks, ARIA misuse, language of the page.
func TestAccessibility(t *testing.T) {
	t.Parallel()
	axe, err := os.ReadFile(filepath.Join("testdata", "axe", "axe.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t)
	browser := newBrowser(t)
	staff := f.session(t, browser)
	staff.login(f.admin)
	portal := f.session(t, browser)
	portal.login(f.portal)
	pages := []struct {
		s    *session
		path string
	}{
		{staff, "/console/invoices"},
		{staff, "/console/invoices?preset=last_quarter&status=open"},
		{staff, "/console/invoices/" + f.oldOpen.ID},
		{staff, "/console/invoices/" + f.draftA.ID},
		{staff, "/console/invoices/new"},
		{staff, "/console/sales-items"},
		{staff, "/console/customers"},
		{staff, "/console/customers/" + f.env.A.Customer},
		{staff, "/console/billing-runs"},
		{staff, "/console/ledger"},
		{staff, "/console/settings"},
		{portal, "/portal/invoices"},
		{portal, "/portal/invoices/" + f.ownOpen.ID},
		{portal, "/portal/account"},
	}
	run := func(s *session, path string) []axeViolation {
		s.open(path)
		// Open every collapsed section so that its contents are checked too.
		evalJS[bool](s, `document.querySelectorAll("details").forEach(d => d.open = true), true`)
		evalJS[bool](s, string(axe)+";true")
		out := evalJS[string](s, `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
			.then(r => JSON.stringify(r.violations))`, chromedp.EvalAwaitPromise)
		var vs []axeViolation
		if err := json.Unmarshal([]byte(out), &vs); err != nil {
			s.t.Fatal(err)
		}
		return vs
	}
	// The checker itself: an unlabelled input and a low-contrast text added
	// to a page are found.
	t.Run("axe finds planted faults", func(t *testing.T) {
		s := staff.with(t)
		s.open("/console/invoices")
		evalJS[bool](s, string(axe)+";true")
		out := evalJS[string](s, `(() => {
			const d = document.createElement("div");
			d.innerHTML = '<input type="text" id="planted"><p style="color:#bbb;background:#fff">planted</p>';
			document.querySelector("main").appendChild(d);
			return axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa"]}}).then(r => r.violations.map(v => v.id).join(","));
		})()`, chromedp.EvalAwaitPromise)
		for _, want := range []string{"label", "color-contrast"} {
			if !strings.Contains(out, want) {
				t.Errorf("axe did not report %q for the planted faults: %q", want, out)
			}
		}
	})
	check := func(t *testing.T, s *session, path string) {
		s = s.with(t)
		for _, v := range run(s, path) {
			var where []string
			for i, n := range v.Nodes {
				if i == 3 {
					where = append(where, "…")
					break
				}
				where = append(where, n.HTML)
			}
			t.Errorf("%s: %s (%s, %s): %s", path, v.ID, v.Impact, v.Help, strings.Join(where, " | "))
		}
	}
	for _, p := range pages {
		t.Run(strings.TrimPrefix(p.path, "/"), func(t *testing.T) { check(t, p.s, p.path) })
	}
	// Keyboard only: the first Tab reaches the skip link; Tab reaches the
	// status button, Enter opens the confirmation dialog with the focus in
	// it, Escape closes it and gives the focus back to the button.
	t.Run("keyboard", func(t *testing.T) {
		s := staff.with(t)
		s.open("/console/invoices/" + f.draftA.ID)
		active := func() string {
			return evalJS[string](s, `(document.activeElement && (document.activeElement.id || document.activeElement.className)) || ""`)
		}
		s.run(chromedp.KeyEvent(kb.Tab))
		if a := active(); a != "skip" {
			t.Fatalf("the first Tab focuses %q, want the skip link", a)
		}
		for i := 0; active() != "update-status"; i++ {
			if i == 80 {
				t.Fatal("80 Tabs never reached the status button")
			}
			s.run(chromedp.KeyEvent(kb.Tab))
		}
		s.run(chromedp.KeyEvent(kb.Enter))
		if !evalJS[bool](s, `document.getElementById("confirm-status").open && document.getElementById("confirm-status").contains(document.activeElement)`) {
			t.Fatal("Enter on the status button does not open the dialog with the focus inside")
		}
		s.run(chromedp.KeyEvent(kb.Escape))
		if evalJS[bool](s, `document.getElementById("confirm-status").open`) || active() != "update-status" {
			t.Fatalf("Escape leaves the dialog open or the focus on %q", active())
		}
	})
	// The same pages' structure in Spanish (labels and names translated).
	staff.with(t).run(chromedp.Navigate(staff.url("/console/invoices")), chromedp.WaitVisible(chromedp.CSS("#lang-select")),
		chromedp.SetValue(chromedp.CSS("#lang-select"), "es"), chromedp.Submit(chromedp.CSS("#lang-select")),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="es"]`)))
	for _, path := range []string{"/console/invoices", "/console/invoices/" + f.oldOpen.ID, "/console/settings"} {
		t.Run("es"+path, func(t *testing.T) { check(t, staff, path) })
	}
}

// TestPhoneWidth shows every main page of the console and the portal at
// desktop width and on a phone (390×844), saving both screenshots
// (<page>-desktop.png, <page>-phone.png); on the phone it runs axe-core and
// fails on any violation, and checks that the page does not scroll
// sideways (wide tables scroll in a focusable, labelled region of their
// own). In the portal, every control is a touch target at least 44 px high
// and the invoice list shows each invoice's number, date, amount and status
// on screen.
func TestPhoneWidth(t *testing.T) {
	t.Parallel()
	axe, err := os.ReadFile(filepath.Join("testdata", "axe", "axe.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t)
	browser := newBrowser(t)
	staff := f.session(t, browser)
	staff.login(f.admin)
	portal := f.session(t, browser)
	portal.login(f.portal)
	engineer := f.session(t, browser)
	engineer.login(f.engineer)
	pages := []struct {
		name string
		s    *session
		path string
	}{
		{"console-invoices", staff, "/console/invoices"},
		{"console-invoice", staff, "/console/invoices/" + f.oldOpen.ID},
		{"console-editor", staff, "/console/invoices/" + f.draftA.ID + "/edit"},
		{"console-customers", staff, "/console/customers"},
		{"console-customer", staff, "/console/customers/" + f.env.A.Customer},
		{"console-sales-items", staff, "/console/sales-items"},
		{"console-billing-runs", staff, "/console/billing-runs"},
		{"console-ledger", staff, "/console/ledger"},
		{"console-settings", staff, "/console/settings"},
		{"console-engineer-home", engineer, "/console/"},
		{"portal-invoices", portal, "/portal/invoices"},
		{"portal-invoice", portal, "/portal/invoices/" + f.ownOpen.ID},
		{"portal-account", portal, "/portal/account"},
	}
	desktop := chromedp.EmulateViewport(1280, 900)
	phone := chromedp.EmulateViewport(390, 844)
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			s := p.s.with(t)
			s.run(desktop)
			s.open(p.path)
			s.screenshot(p.name + "-desktop")
			s.run(phone)
			s.open(p.path)
			s.screenshot(p.name + "-phone")
			if w := evalJS[float64](s, `document.documentElement.scrollWidth - document.documentElement.clientWidth`); w > 0 {
				wide := evalJS[string](s, `[...document.querySelectorAll("main *, header *")].filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 4).map(e => e.outerHTML.slice(0, 160)).join(" | ")`)
				t.Errorf("the page scrolls %.0f px sideways at 390 px: %s", w, wide)
			}
			// Every collapsed section open, so that its contents are checked too.
			evalJS[bool](s, `document.querySelectorAll("details").forEach(d => d.open = true), true`)
			evalJS[bool](s, string(axe)+";true")
			out := evalJS[string](s, `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
				.then(r => JSON.stringify(r.violations))`, chromedp.EvalAwaitPromise)
			var vs []axeViolation
			if err := json.Unmarshal([]byte(out), &vs); err != nil {
				t.Fatal(err)
			}
			for _, v := range vs {
				var where []string
				for i, n := range v.Nodes {
					if i == 3 {
						where = append(where, "…")
						break
					}
					where = append(where, n.HTML)
				}
				t.Errorf("%s at 390 px: %s (%s, %s): %s", p.path, v.ID, v.Impact, v.Help, strings.Join(where, " | "))
			}
			if p.s != portal {
				return
			}
			small := evalJS[string](s, `[...document.querySelectorAll("button, .button, select, input:not([type=hidden]):not([type=checkbox]):not([type=radio]), textarea, summary, label.check, header nav a, .pager a, #invoices td:first-child a")]
				.filter(e => e.offsetParent !== null && e.getBoundingClientRect().height < 44)
				.slice(0, 5).map(e => e.outerHTML.slice(0, 100) + " (" + Math.round(e.getBoundingClientRect().height) + " px)").join(" | ")`)
			if small != "" {
				t.Errorf("touch targets under 44 px at 390 px: %s", small)
			}
		})
	}
	// A table wider than the phone scrolls in its wrap, which is then a
	// focusable region named after the table; at desktop width, where it
	// does not scroll, the wrap is no extra stop for the Tab key.
	t.Run("wide tables are focusable regions", func(t *testing.T) {
		s := staff.with(t)
		regions := `JSON.stringify([...document.querySelectorAll(".table-wrap")].filter(w => w.offsetParent !== null).map(w => ({
			scrolls: w.scrollWidth > w.clientWidth + 1, tab: w.getAttribute("tabindex"), role: w.getAttribute("role"), name: w.getAttribute("aria-label") || ""})))`
		type region struct {
			Scrolls   bool
			Tab, Role string
			Name      string
		}
		read := func() []region {
			var rs []region
			if err := json.Unmarshal([]byte(evalJS[string](s, regions)), &rs); err != nil {
				t.Fatal(err)
			}
			return rs
		}
		s.run(phone)
		s.open("/console/ledger")
		scrolling := 0
		for _, r := range read() {
			if r.Scrolls {
				scrolling++
				if r.Tab != "0" || r.Role != "region" || r.Name == "" {
					t.Errorf("a scrolling table at 390 px is not a named, focusable region: %+v", r)
				}
			}
		}
		if scrolling == 0 {
			t.Error("no table of the ledger scrolls at 390 px: the check checked nothing")
		}
		s.run(desktop)
		s.open("/console/ledger")
		for _, r := range read() {
			if !r.Scrolls && r.Tab != "" {
				t.Errorf("a table that does not scroll is a tab stop: %+v", r)
			}
		}
	})
	// The portal's invoice list shows each invoice's number, date, amount
	// and status within the phone's width.
	t.Run("portal invoice cards", func(t *testing.T) {
		s := portal.with(t)
		s.run(phone)
		s.open("/portal/invoices")
		off := evalJS[string](s, `(() => {
			const rows = [...document.querySelectorAll("#invoices tbody tr")];
			if (rows.length === 0) return "no rows";
			const out = [];
			for (const r of rows) for (const c of ["c-number", "c-date", "c-amount", "c-status"]) {
				const td = r.querySelector("td." + c);
				const b = td && td.getBoundingClientRect();
				if (!td || td.offsetParent === null || b.width === 0 || b.left < 0 || b.right > document.documentElement.clientWidth || td.textContent.trim() === "") out.push(c + " of " + r.textContent.trim().slice(0, 30));
			}
			return out.join(" | ");
		})()`)
		if off != "" {
			t.Errorf("at 390 px the invoice list hides or cuts: %s", off)
		}
		// The headers (the sort links) are hidden on a phone: the filter's
		// sort chooses the order instead.
		evalJS[bool](s, `(() => { const s = document.getElementById("sort-by"); s.value = "amount"; s.dispatchEvent(new Event("change", {bubbles: true})); return true })()`)
		if _, err := chromedp.Run(s.ctx, chromedp.Poll[bool](`location.search.includes("sort=amount") || null`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
			t.Errorf("choosing a sort on the phone does not reorder the list: %v (at %s)", err, s.location())
		}
		if !evalJS[bool](s, `getComputedStyle(document.getElementById("sort-by")).display !== "none"`) {
			t.Error("the sort is not shown on the phone")
		}
	})
}
