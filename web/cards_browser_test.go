package web_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/internal/testserver"
	"github.com/facturo/facturo/store"
)

// stripeStub stands in for Stripe.js (no test reaches the internet): the
// card field is a plain input, and confirmCardSetup answers as Stripe does
// for its test cards: 4000000000000002 is declined, 4000002500003155 asks
// for 3-D Secure (a dialog the test completes), any other number succeeds
// with pm_card_visa. It records the key and client secret it was given.
const stripeStub = `(() => {
  window.__stripe = {calls: []};
  window.Stripe = function (key, opts) {
    window.__stripe.key = key;
    window.__stripe.locale = opts && opts.locale;
    let input;
    return {
      elements: () => ({create: (type) => ({
        mount: (el) => {
          input = document.createElement("input");
          input.id = "stub-card";
          input.setAttribute("aria-label", "Card number (Stripe.js stand-in)");
          input.style.cssText = "border: 0; padding: 0; width: 100%; outline: none";
          el.appendChild(input);
          window.__stripe.calls.push("mount " + type);
        },
        on: (name, fn) => input.addEventListener("input", () => fn({elementType: type, empty: !input.value, complete: false}))
      })}),
      confirmCardSetup: (secret, data) => {
        window.__stripe.calls.push("confirmCardSetup");
        window.__stripe.secret = secret;
        const number = input.value.replace(/\s/g, "");
        if (number === "4000000000000002") {
          return Promise.resolve({error: {type: "card_error", code: "card_declined", message: "Your card was declined."}});
        }
        const ok = {setupIntent: {id: secret.split("_secret_")[0], status: "succeeded", payment_method: "pm_card_visa"}};
        if (number !== "4000002500003155") { return Promise.resolve(ok); }
        return new Promise((resolve) => {
          const d = document.createElement("dialog");
          d.id = "stub-3ds";
          d.innerHTML = "<p>3-D Secure</p><button type='button' id='stub-3ds-complete'>Complete authentication</button>";
          document.body.appendChild(d);
          d.showModal();
          d.querySelector("button").addEventListener("click", () => { d.close(); resolve(ok); });
        });
      }
    };
  };
})();`

// newOfflineBrowser is newBrowser whose Chromium cannot resolve
// js.stripe.com: the page's Stripe.js fails to load at once, and the stub
// takes its place.
func newOfflineBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := exec.LookPath(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("chromium is required for the browser tests: %v", err)
		}
		t.Skipf("no %s: skipping the browser tests", chromiumPath)
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true), chromedp.Flag("host-resolver-rules", "MAP js.stripe.com ~NOTFOUND"),
		chromedp.WindowSize(1280, 900))
	t.Cleanup(cancelAlloc)
	browser, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return browser
}

func screenshotDir(t *testing.T) string {
	dir := os.Getenv("FACTURO_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join("testdata", "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestBrowserCardEntry adds cards in the portal in Chromium: on Stripe
// (stripe-mock serving the API side, Stripe.js stood in for) the card goes
// into Stripe's field, a declined card is shown at the field, a card that
// needs 3-D Secure is saved once authenticated, and only the pm_… id
// reaches Facturo; with the test provider the card number form works as
// before. axe finds no violation on the Stripe form.
func TestBrowserCardEntry(t *testing.T) {
	t.Parallel()
	browser := newOfflineBrowser(t)
	shots := screenshotDir(t)
	ctx := context.Background()

	t.Run("stripe", func(t *testing.T) {
		e, rec := stripeServer(t, "pk_test_facturo")
		f := &fixture{env: e, screenshots: shots}
		s := f.session(t, browser)
		s.run(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: stripeStub})
			return err
		}))
		s.login("cust@a.test")
		s.open("/portal/account")
		s.run(chromedp.WaitVisible(chromedp.CSS("#stub-card")))
		if k := evalJS[string](s, `window.__stripe.key + " " + window.__stripe.locale`); k != "pk_test_facturo en" {
			t.Fatalf("Stripe() got %q", k)
		}
		if n := countNodes(s, `#card-form input[name="card"], #card-number`); n != 0 {
			t.Fatalf("the Stripe form has %d card number fields of Facturo's", n)
		}
		rec.Take()

		// Declined in the browser: shown at the field, nothing sent to Facturo's card route.
		s.run(chromedp.SendKeys(chromedp.CSS("#stub-card"), "4000 0000 0000 0002"), chromedp.Click(chromedp.CSS("#add-card")))
		if msg := s.text("#card-err:not([hidden])"); msg != "Your card was declined." {
			t.Fatalf("declined card message %q", msg)
		}
		if inv := evalJS[string](s, `document.getElementById("card-element").getAttribute("aria-invalid") || ""`); inv != "true" {
			t.Errorf("the card field is not marked invalid: %q", inv)
		}
		if reqs := rec.Take(); len(reqs) != 1 || reqs[0].Path != "/v1/setup_intents" {
			t.Fatalf("declined card: stripe requests %+v", reqs)
		}

		// 3-D Secure: the page waits for the authentication, then posts the pm_… id.
		evalJS[bool](s, `document.getElementById("stub-card").value = ""; true`)
		s.run(chromedp.SendKeys(chromedp.CSS("#stub-card"), "4000 0025 0000 3155"))
		if shown := evalJS[bool](s, `!document.getElementById("card-err").hidden || document.getElementById("card-element").hasAttribute("aria-invalid")`); shown {
			t.Errorf("the declined message stays after the card changed")
		}
		evalJS[bool](s, `document.querySelector('#card-form input[name="primary"]').checked = true; true`)
		s.screenshot("portal-add-card")
		s.run(chromedp.Click(chromedp.CSS("#add-card")), chromedp.WaitVisible(chromedp.CSS("#stub-3ds-complete")))
		if n := evalJS[int](s, `document.querySelectorAll("#cards li:not(.empty)").length`); n != 0 {
			t.Fatalf("a card was listed before authentication")
		}
		secret := evalJS[string](s, `window.__stripe.secret`)
		s.run(chromedp.Click(chromedp.CSS("#stub-3ds-complete")), chromedp.WaitVisible(chromedp.CSS(".flash.ok")))
		if !strings.HasPrefix(secret, "seti_") || !strings.Contains(secret, "_secret_") {
			t.Errorf("confirmCardSetup got %q, not the SetupIntent's client secret", secret)
		}
		if cards := s.text("#cards"); !strings.Contains(cards, "Visa") || !strings.Contains(cards, "4242") {
			t.Errorf("cards after adding: %q", cards)
		}
		reqs := rec.Take()
		var paths []string
		for _, r := range reqs {
			paths = append(paths, r.Method+" "+r.Path)
			for k, v := range r.Form {
				if strings.Contains(strings.Join(v, ""), "4000002500003155") {
					t.Errorf("the card number reached Stripe's API through Facturo in %s", k)
				}
			}
		}
		if strings.Join(paths, ", ") != "POST /v1/setup_intents, POST /v1/customers, POST /v1/payment_methods/pm_card_visa/attach" {
			t.Errorf("stripe requests: %v", paths)
		}
		ms, err := e.Svc.ListPaymentMethods(ctx, access.System(e.A.ID, "test"), e.A.Customer)
		if err != nil || len(ms) != 1 || ms[0].Token != "pm_card_visa" || ms[0].Last4 != "4242" || !ms[0].Primary {
			t.Fatalf("stored: %+v %v", ms, err)
		}

		// No WCAG A/AA violation on the Stripe form.
		axe, err := os.ReadFile(filepath.Join("testdata", "axe", "axe.min.js"))
		if err != nil {
			t.Fatal(err)
		}
		evalJS[bool](s, string(axe)+";true")
		out := evalJS[string](s, `axe.run(document.getElementById("payment-methods"), {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
			.then(r => JSON.stringify(r.violations))`, chromedp.EvalAwaitPromise)
		var vs []axeViolation
		if err := json.Unmarshal([]byte(out), &vs); err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			t.Errorf("axe: %s (%s): %s", v.ID, v.Impact, v.Help)
		}
	})

	// Stripe.js unreachable (no stand-in): the form says so and cannot be sent.
	t.Run("stripe unreachable", func(t *testing.T) {
		e, rec := stripeServer(t, "pk_test_facturo")
		f := &fixture{env: e, screenshots: shots}
		s := f.session(t, browser)
		s.login("cust@a.test")
		s.open("/portal/account")
		if msg := s.text("#card-err:not([hidden])"); !strings.Contains(msg, "could not be loaded") {
			t.Fatalf("message without Stripe.js: %q", msg)
		}
		if !evalJS[bool](s, `document.getElementById("add-card").disabled`) {
			t.Errorf("the card form can be sent without Stripe.js")
		}
		if reqs := rec.Take(); len(reqs) != 0 {
			t.Errorf("stripe requests without Stripe.js: %+v", reqs)
		}
	})

	t.Run("test provider", func(t *testing.T) {
		e := testserver.New(t, store.SQLite)
		cardUsers(t, e)
		f := &fixture{env: e, screenshots: shots}
		s := f.session(t, browser)
		s.login("cust@a.test")
		s.open("/portal/account")
		if n := countNodes(s, `script[src*="stripe"], #card-element`); n != 0 {
			t.Fatalf("the test provider's page has %d Stripe parts", n)
		}
		evalJS[bool](s, `document.getElementById("card-year").selectedIndex = 2; true`) // a card that has not expired
		s.run(
			chromedp.SendKeys(chromedp.CSS("#card-number"), "5555 5555 5555 4444"),
			chromedp.Click(chromedp.CSS("#add-card")),
			chromedp.WaitVisible(chromedp.CSS(".flash.ok")),
		)
		if cards := s.text("#cards"); !strings.Contains(cards, "Mastercard") || !strings.Contains(cards, "4444") {
			t.Errorf("cards after adding: %q", cards)
		}
		s.screenshot("portal-add-card-test-provider")
	})
}
