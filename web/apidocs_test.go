package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/internal/testserver"
	"github.com/facturo/facturo/store"
)

// TestAPIDocsOffline: the API reference at /api/v1/docs renders in Chromium
// from the binary alone: every request the page makes goes to this server,
// and the operations of the OpenAPI document are listed.
func TestAPIDocsOffline(t *testing.T) {
	t.Parallel()
	e := testserver.NewOnWith(t, testdb.Open(t, store.SQLite))
	browser := newBrowser(t)
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 2*time.Minute)
	defer cancelT()

	s := &session{t: t, ctx: ctx, f: &fixture{env: e}}
	s.run(
		chromedp.Navigate(e.URL+"/api/v1/docs"),
		chromedp.WaitVisible(chromedp.CSS("h1")),
	)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.body.innerText.includes("/api/v1/customers")`,
		chromedp.WithPollingTimeout(time.Minute))); err != nil {
		t.Fatalf("the reference never listed the operations: %v", err)
	}
	if title := s.text("h1"); !strings.Contains(title, "Facturo API") {
		t.Errorf("docs title %q, want the API's title", title)
	}
	body := evalJS[string](s, `document.body.innerText`)
	for _, want := range []string{"/api/v1/invoices", "Idempotency-Key"} {
		if !strings.Contains(body, want) {
			t.Errorf("the reference does not show %q", want)
		}
	}
	// Every resource the page loaded came from this server.
	loaded := evalJS[[]string](s, `[location.href].concat(performance.getEntriesByType("resource").map(function(r){return r.name}))`)
	for _, u := range loaded {
		if !strings.HasPrefix(u, e.URL) && !strings.HasPrefix(u, "data:") && !strings.HasPrefix(u, "blob:") {
			t.Errorf("the docs page loaded %s from outside this server", u)
		}
	}
	if len(loaded) < 3 {
		t.Errorf("the page loaded %v: want itself, the viewer script and the OpenAPI document", loaded)
	}
}
