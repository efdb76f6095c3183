package web_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/internal/mailpit"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/internal/testserver"
	"github.com/facturo/facturo/mailer"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

const chromiumPath = "/usr/bin/chromium"

const testPassword = "browser-test-password-1"

// fixture is the data the browser tests work on.
type fixture struct {
	env                 *testserver.Env
	sys                 access.Principal
	today               calendar.Date
	lastQuarter         calendar.Range
	admin, engineer     string // emails
	portal              string // a customer-role user of env.A.Customer
	oldOpen, newOpen    billing.Invoice
	draftA, draftB      billing.Invoice // to publish without and with notification
	discard, toCorrect  billing.Invoice
	ownDraft, otherOpen billing.Invoice // portal isolation
	ownOpen, toPay      billing.Invoice
	screenshots         string
	mail                *mailpit.Server
}

func ptr[T any](v T) *T { return &v }

func newFixture(t *testing.T) *fixture {
	t.Helper()
	// A real SMTP server: published invoices are emailed through it.
	f := &fixture{mail: mailpit.Start(t)}
	m, err := mailer.New(mailer.Config{URL: f.mail.SMTPURL, From: "Facturo <billing@facturo.test>"})
	if err != nil {
		t.Fatal(err)
	}
	e := testserver.NewOnWith(t, testdb.Open(t, store.SQLite), service.WithMailer(m))
	ctx := context.Background()
	f.env, f.sys = e, access.System(e.A.ID, "test")
	loc, _ := time.LoadLocation("Europe/Madrid")
	f.today = calendar.Today(e.Clock.Now(), loc)
	lq, err := calendar.Preset("last_quarter", f.today)
	// The customers' billing emails tell their messages apart on the SMTP server.
	for id, email := range map[string]string{e.A.Customer: "one@customer.test", e.A.Other: "two@customer.test"} {
		if _, err := e.Svc.UpdateCustomer(ctx, f.sys, id, service.CustomerInput{Billing: &service.BillingInput{Email: ptr(email)}}); err != nil {
			t.Fatal(err)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	f.lastQuarter = lq
	mkUser := func(email, role, customer string) string {
		if _, err := e.Svc.CreateUser(ctx, f.sys, service.NewUser{Email: email, Name: role + " user", Role: role, CustomerID: customer, Password: testPassword}); err != nil {
			t.Fatalf("create user: %v", err)
		}
		return email
	}
	f.admin = mkUser("admin@a.test", "administrator", "")
	f.engineer = mkUser("engineer@a.test", "engineer", "")
	f.portal = mkUser("customer@a.test", "customer", e.A.Customer)
	mk := func(customer string, date calendar.Date, desc string, statuses ...string) billing.Invoice {
		t.Helper()
		lines := []service.LineInput{{Description: desc, Quantity: ptr("2"), UnitPrice: ptr("10.00")}}
		provider := "Azure"
		inv, err := e.Svc.CreateInvoice(ctx, f.sys, service.InvoiceInput{CustomerID: &customer, InvoiceDate: &date, Provider: &provider, Lines: &lines})
		if err != nil {
			t.Fatalf("create invoice: %v", err)
		}
		for _, s := range statuses {
			res, err := e.Svc.UpdateInvoiceStatus(ctx, f.sys, inv.ID, service.StatusChange{Status: s, Notify: ptr(false)})
			if err != nil {
				t.Fatalf("invoice → %s: %v", s, err)
			}
			inv = res.Invoice
		}
		return inv
	}
	f.oldOpen = mk(e.A.Customer, lq.From.AddDays(4), "Last quarter services", "open")
	f.newOpen = mk(e.A.Other, f.today, "This quarter services", "open")
	f.draftA = mk(e.A.Customer, f.today, "Publish quietly")
	f.draftB = mk(e.A.Customer, f.today, "Publish and notify")
	f.discard = mk(e.A.Other, f.today, "Discard me")
	f.toCorrect = mk(e.A.Other, f.today, "Wrong quantity", "open")
	f.ownDraft = mk(e.A.Customer, f.today, "Hidden draft")
	f.otherOpen = mk(e.A.Other, f.today, "Another customer's invoice", "open")
	f.ownOpen = mk(e.A.Customer, f.today, "Own invoice", "open")
	// The portal customer has a wallet and a primary card (test provider).
	if _, err := e.Svc.AddPaymentMethod(ctx, f.sys, e.A.Customer, service.NewPaymentMethod{Card: "4242424242424242", ExpMonth: 12, ExpYear: f.today.Year + 2}); err != nil {
		t.Fatalf("add card: %v", err)
	}
	if _, err := e.Svc.SaveWallet(ctx, f.sys, e.A.Customer, service.WalletInput{}); err != nil {
		t.Fatalf("open wallet: %v", err)
	}
	f.toPay = mk(e.A.Customer, f.today, "Pay me", "open")
	f.screenshots = os.Getenv("FACTURO_SCREENSHOTS")
	if f.screenshots == "" {
		f.screenshots = filepath.Join("testdata", "screenshots")
	}
	if err := os.MkdirAll(f.screenshots, 0o755); err != nil {
		t.Fatal(err)
	}
	return f
}

// newBrowser starts one headless Chromium for all subtests.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := exec.LookPath(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("chromium is required for the browser tests: %v", err)
		}
		t.Skipf("no %s: skipping the browser tests", chromiumPath)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.WindowSize(1280, 900),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	browser, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return browser
}

// session is one signed-in person: a fresh browser context (own cookies)
// in the shared browser.
type session struct {
	t   *testing.T
	ctx context.Context
	f   *fixture
}

func (f *fixture) session(t *testing.T, browser context.Context) *session {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	ctx, cancelT := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(cancelT)
	return &session{t: t, ctx: ctx, f: f}
}

// with is the same signed-in session reporting to another (sub)test.
func (s *session) with(t *testing.T) *session { return &session{t: t, ctx: s.ctx, f: s.f} }

func (s *session) run(actions ...chromedp.Action[chromedp.Void]) {
	s.t.Helper()
	if err := chromedp.Do(s.ctx, actions...); err != nil {
		s.t.Fatalf("browser: %v", err)
	}
}

func (s *session) url(path string) string { return s.f.env.URL + path }

func (s *session) login(email string) {
	s.t.Helper()
	s.run(
		chromedp.Navigate(s.url("/login")),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS("#signin")),
		chromedp.WaitVisible(chromedp.CSS("#logout")),
	)
}

// text is the text of the first element sel matches, once there is one.
// It is read in the page rather than through chromedp's node ids: an htmx
// swap can replace the node between chromedp's query and its read ("No
// node with given id found").
func (s *session) text(sel string) string {
	s.t.Helper()
	out, err := chromedp.Run(s.ctx, chromedp.Poll[[]string](
		fmt.Sprintf(`(function(){var e=document.querySelector(%q);return e?[e.textContent]:null})()`, sel),
		chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil || len(out) != 1 {
		s.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.Join(strings.Fields(out[0]), " ")
}

func evalJS[T any](s *session, js string, opts ...chromedp.EvaluateOption) T {
	s.t.Helper()
	v, err := chromedp.Run(s.ctx, chromedp.Evaluate[T](js, opts...))
	if err != nil {
		s.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

func (s *session) location() string {
	s.t.Helper()
	loc, err := chromedp.Run(s.ctx, chromedp.Location())
	if err != nil {
		s.t.Fatal(err)
	}
	return loc
}

func (s *session) screenshot(name string) {
	s.t.Helper()
	png, err := chromedp.Run(s.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		s.t.Fatalf("screenshot %s: %v", name, err)
	}
	if len(png) < 8 || string(png[1:4]) != "PNG" {
		s.t.Fatalf("screenshot %s is not a PNG", name)
	}
	if err := os.WriteFile(filepath.Join(s.f.screenshots, name+".png"), png, 0o644); err != nil {
		s.t.Fatal(err)
	}
}

func (s *session) open(path string) {
	s.t.Helper()
	s.run(chromedp.Navigate(s.url(path)), chromedp.WaitVisible(chromedp.CSS("main h1")))
}

func TestBrowser(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	browser := newBrowser(t)
	ctx := context.Background()
	// One administrator session serves the staff subtests (a sign-in costs
	// an argon2id hash); the sign-in itself is tested on its own.
	adminSession := f.session(t, browser)
	adminSession.login(f.admin)

	t.Run("login", func(t *testing.T) {
		s := f.session(t, browser)
		s.run(chromedp.Navigate(s.url("/console/invoices")), chromedp.WaitVisible(chromedp.CSS("#signin")))
		s.screenshot("login")
		s.run(
			chromedp.SendKeys(chromedp.CSS("#email"), f.admin),
			chromedp.SendKeys(chromedp.CSS("#password"), "not the password"),
			chromedp.Click(chromedp.CSS("#signin")),
			chromedp.WaitVisible(chromedp.CSS("#error")),
		)
		if msg := s.text("#error"); !strings.Contains(msg, "wrong") {
			t.Errorf("bad password message = %q", msg)
		}
		s.login(f.admin)
		loc := s.location()
		if !strings.HasSuffix(loc, "/console/invoices") {
			t.Errorf("after sign-in at %s, want the invoices it asked for", loc)
		}
		if h := s.text("main h1"); h != "Customer invoices" {
			t.Errorf("h1 = %q", h)
		}
		s.screenshot("console-invoices")
	})

	t.Run("publish without and with notification", func(t *testing.T) {
		s := adminSession.with(t)
		publish := func(inv billing.Invoice, notify bool) {
			s.open("/console/invoices/" + inv.ID)
			s.run(chromedp.Click(chromedp.CSS("#update-status")), chromedp.WaitVisible(chromedp.CSS("#confirm-status")))
			checked := evalJS[bool](s, `document.getElementById("notify").checked`)
			if checked {
				t.Errorf("notify is on by default when first publishing a draft (seeds 000, 001 want it off)")
			}
			if txt := s.text("#confirm-text"); txt != "This will change the status of the invoice. Are you sure?" {
				t.Errorf("confirmation text = %q", txt)
			}
			if notify {
				s.screenshot("update-status-dialog")
				s.run(chromedp.Click(chromedp.CSS("#notify")))
			}
			s.run(chromedp.Click(chromedp.CSS("#confirm-ok")), chromedp.WaitVisible(chromedp.CSS(".flash.ok")))
			if b := s.text("#status-badge"); b != "Open" {
				t.Errorf("status after publishing = %q", b)
			}
			// The outbox job sends what is due; the SMTP server has the email or not.
			if _, err := f.env.Svc.SendDueEmails(ctx, 100); err != nil {
				t.Fatal(err)
			}
			number := s.text("#doc-number")
			seen := 0
			for _, msg := range f.mail.Messages() {
				if strings.Contains(msg.Subject, number) {
					seen++
					if msg.To[0].Address != "one@customer.test" || msg.Attachments != 1 {
						t.Errorf("email of %s: to %v with %d attachments", number, msg.To, msg.Attachments)
					}
				}
			}
			if notify != (seen == 1) {
				t.Errorf("notify=%v: %d emails about %s on the SMTP server", notify, seen, number)
			}
		}
		publish(f.draftA, false)
		publish(f.draftB, true)
		// A later change has the notification on by default.
		s.open("/console/invoices/" + f.draftA.ID)
		s.run(chromedp.Click(chromedp.CSS("#update-status")), chromedp.WaitVisible(chromedp.CSS("#confirm-status")))
		checked := evalJS[bool](s, `document.getElementById("notify").checked`)
		if !checked {
			t.Errorf("notify is off by default for a change to an issued invoice (seeds want it on)")
		}
		s.run(chromedp.Click(chromedp.CSS("#confirm-cancel")))
		s.screenshot("invoice-open")
	})

	t.Run("filter by last quarter", func(t *testing.T) {
		s := adminSession.with(t)
		s.open("/console/invoices")
		if tbl := s.text("#invoices"); !strings.Contains(tbl, f.newOpen.Number) || !strings.Contains(tbl, f.oldOpen.Number) {
			t.Fatalf("unfiltered table lacks %s or %s:\n%s", f.newOpen.Number, f.oldOpen.Number, tbl)
		}
		s.run(
			chromedp.SetValue(chromedp.CSS("#preset"), "last_quarter"),
			chromedp.Click(chromedp.CSS("#apply-filter")),
			chromedp.Poll[chromedp.Void](fmt.Sprintf(`!document.querySelector("#invoices").innerText.includes(%q)`, f.newOpen.Number), chromedp.WithPollingTimeout(10*time.Second)),
		)
		tbl := s.text("#invoices")
		if !strings.Contains(tbl, f.oldOpen.Number) {
			t.Errorf("last quarter lacks %s:\n%s", f.oldOpen.Number, tbl)
		}
		loc := s.location()
		if !strings.Contains(loc, "preset=last_quarter") {
			t.Errorf("the filter is not in the address (%s): the view cannot be bookmarked", loc)
		}
		csvHref := evalJS[string](s, `document.getElementById("csv-export").getAttribute("href")`)
		if !strings.Contains(csvHref, "preset=last_quarter") {
			t.Errorf("CSV export %q does not carry the filter", csvHref)
		}
		s.screenshot("invoices-last-quarter")
	})

	t.Run("download a PDF", func(t *testing.T) {
		s := adminSession.with(t)
		s.open("/console/invoices/" + f.oldOpen.ID)
		s.run(chromedp.Click(chromedp.CSS("#download-menu > summary")), chromedp.WaitVisible(chromedp.CSS("#dl-pdf")))
		s.screenshot("download-menu")
		for _, key := range []string{"csv", "detailed_csv", "print", "ubl"} {
			if n := countNodes(s, "#dl-"+key); n != 1 {
				t.Errorf("the Download menu has %d %s entries", n, key)
			}
		}
		// The browser fetches the link with its session, as a click does.
		got := evalJS[string](s, `(async () => {
			const r = await fetch(document.getElementById("dl-pdf").href);
			const b = new Uint8Array(await r.arrayBuffer());
			return r.status + " " + r.headers.get("content-type") + " " + r.headers.get("content-disposition") + " " +
				String.fromCharCode(...b.slice(0, 5)) + " " + b.length;
		})()`, chromedp.EvalAwaitPromise)
		if !strings.HasPrefix(got, "200 application/pdf attachment;") || !strings.Contains(got, ".pdf") || !strings.Contains(got, " %PDF-") {
			t.Errorf("PDF download: %s", got)
		}
	})

	t.Run("editor computes totals as you type", func(t *testing.T) {
		s := adminSession.with(t)
		s.open("/console/invoices/new")
		s.run(
			chromedp.SetValue(chromedp.CSS("#customer_id"), f.env.A.Customer),
			chromedp.SendKeys(chromedp.CSS("#ld0"), "Consulting"),
			chromedp.SendKeys(chromedp.CSS("#lq0"), "3"),
			chromedp.SendKeys(chromedp.CSS("#lp0"), "100"),
			chromedp.Poll[chromedp.Void](`(document.getElementById("preview-total")||{innerText:""}).innerText.includes("300")`, chromedp.WithPollingTimeout(10*time.Second)),
		)
		s.screenshot("invoice-editor")
		s.run(chromedp.Click(chromedp.CSS("#save-draft")), chromedp.WaitVisible(chromedp.CSS("#status-badge")))
		if b := s.text("#status-badge"); b != "Draft" {
			t.Errorf("saved editor status = %q", b)
		}
		if tot := s.text("#doc-total"); !strings.Contains(tot, "300") {
			t.Errorf("saved total = %q", tot)
		}
	})

	t.Run("discard a draft", func(t *testing.T) {
		s := adminSession.with(t)
		s.open("/console/invoices/" + f.discard.ID)
		evalJS[bool](s, `window.confirm = () => true; true`)
		s.run(chromedp.Click(chromedp.CSS("#discard")), chromedp.WaitVisible(chromedp.CSS(".flash.ok")))
		if _, err := f.env.Svc.GetInvoice(ctx, f.sys, f.discard.ID); !fail.Is(err, fail.NotFound) {
			t.Errorf("discarded draft still there: %v", err)
		}
	})

	t.Run("correct an invoice", func(t *testing.T) {
		s := adminSession.with(t)
		s.open("/console/invoices/" + f.toCorrect.ID)
		s.run(
			chromedp.Click(chromedp.CSS("#correct-section > summary")),
			chromedp.WaitVisible(chromedp.CSS("#comment")),
			chromedp.SendKeys(chromedp.CSS("#comment"), "Wrong quantity billed"),
		)
		s.screenshot("invoice-correct")
		s.run(chromedp.Click(chromedp.CSS("#correct")), chromedp.WaitVisible(chromedp.CSS(".flash.ok")))
		orig, err := f.env.Svc.GetInvoice(ctx, f.sys, f.toCorrect.ID)
		if err != nil {
			t.Fatal(err)
		}
		if orig.CreditNoteID == "" || orig.ReplacementID == "" {
			t.Fatalf("no credit note or replacement after the correction: %+v", orig)
		}
		loc := s.location()
		if !strings.HasSuffix(strings.Split(loc, "?")[0], "/console/invoices/"+orig.ReplacementID) {
			t.Errorf("after correcting at %s, want the replacement draft %s", loc, orig.ReplacementID)
		}
		if b := s.text("#status-badge"); b != "Draft" {
			t.Errorf("replacement status = %q", b)
		}
	})

	t.Run("portal customer sees only its issued invoices", func(t *testing.T) {
		s := f.session(t, browser)
		s.login(f.portal)
		loc := s.location()
		if !strings.Contains(loc, "/portal/") {
			t.Errorf("customer landed on %s", loc)
		}
		tbl := s.text("#invoices")
		if !strings.Contains(tbl, f.ownOpen.Number) {
			t.Errorf("portal list lacks the customer's own open invoice %s:\n%s", f.ownOpen.Number, tbl)
		}
		for _, hidden := range []billing.Invoice{f.ownDraft, f.otherOpen} {
			if strings.Contains(tbl, hidden.DocumentNumber) || (hidden.Number != "" && strings.Contains(tbl, hidden.Number)) {
				t.Errorf("portal list shows %s (%s)", hidden.DocumentNumber, hidden.Status)
			}
		}
		s.screenshot("portal-invoices")
		s.open("/portal/invoices/" + f.ownOpen.ID)
		if n := s.text("#doc-number"); n != f.ownOpen.Number {
			t.Errorf("own invoice page shows %q", n)
		}
		if n := countNodes(s, "#update-status, #discard, #correct"); n != 0 {
			t.Errorf("portal invoice page offers %d staff actions", n)
		}
		s.screenshot("portal-invoice")
		for _, inv := range []billing.Invoice{f.ownDraft, f.otherOpen} {
			s.open("/portal/invoices/" + inv.ID)
			if h := s.text("main h1"); h != "Not found" {
				t.Errorf("portal opened %s (%s) by URL: %q", inv.ID, inv.Status, h)
			}
		}
		s.open("/console/invoices/" + f.ownDraft.ID)
		loc = s.location()
		if strings.Contains(loc, "/console/") {
			t.Errorf("customer reached the console: %s", loc)
		}
		s.open("/portal/account")
		s.screenshot("portal-account")
	})

	t.Run("portal wallet top-up and card payment", func(t *testing.T) {
		s := f.session(t, browser)
		s.login(f.portal)
		s.open("/portal/account")
		if b := s.text("#wallet-balance"); !strings.Contains(b, "0.00") {
			t.Fatalf("new wallet balance = %q", b)
		}
		s.run(
			chromedp.SendKeys(chromedp.CSS("#funds-amount"), "25"),
			chromedp.Click(chromedp.CSS("#add-funds")),
			chromedp.WaitVisible(chromedp.CSS(".flash.ok")),
		)
		if b := s.text("#wallet-balance"); !strings.Contains(b, "25.00") {
			t.Errorf("balance after adding 25 = %q", b)
		}
		w, err := f.env.Svc.GetWallet(ctx, f.sys, f.env.A.Customer)
		if err != nil || w.PaidBalance.String() != "25.00" || w.PaidBalance.Currency().Code() != "EUR" {
			t.Errorf("stored wallet = %+v, %v", w.PaidBalance, err)
		}
		s.screenshot("portal-wallet")
		s.open("/portal/invoices/" + f.toPay.ID)
		evalJS[bool](s, `window.confirm = () => true; true`)
		s.run(chromedp.Click(chromedp.CSS("#pay")), chromedp.WaitVisible(chromedp.CSS(".flash.ok")))
		if b := s.text("#status-badge"); b != "Closed" {
			t.Errorf("paid invoice status = %q", b)
		}
		if bal := s.text("#balance"); !strings.Contains(bal, "0.00") {
			t.Errorf("paid invoice balance = %q", bal)
		}
	})

	t.Run("engineer sees no sales items or invoices", func(t *testing.T) {
		s := f.session(t, browser)
		s.login(f.engineer)
		if n := countNodes(s, `a[href^="/console/invoices"], a[href^="/console/sales-items"]`); n != 0 {
			t.Errorf("engineer sees %d links to invoices or sales items", n)
		}
		for _, path := range []string{"/console/invoices", "/console/sales-items", "/console/invoices/" + f.ownOpen.ID} {
			s.open(path)
			if h := s.text("main h1"); h != "Not allowed" {
				t.Errorf("engineer at %s sees %q", path, h)
			}
			if body := s.text("main"); strings.Contains(body, f.ownOpen.Number) {
				t.Errorf("engineer at %s sees invoice %s", path, f.ownOpen.Number)
			}
		}
	})

	t.Run("administrator changes a role and uploads a logo", func(t *testing.T) {
		s := adminSession.with(t)
		u, err := f.env.Svc.CreateUser(ctx, f.sys, service.NewUser{Email: "staff@a.test", Name: "Sal Staff", Role: "sales", Password: testPassword})
		if err != nil {
			t.Fatal(err)
		}
		// The link to the section opens it.
		s.run(chromedp.Navigate(s.url("/console/settings#users")), chromedp.WaitVisible(chromedp.CSS("#role-"+u.ID)))
		s.run(
			chromedp.SetValue(chromedp.CSS("#role-"+u.ID), "finance_manager"),
			chromedp.Click(chromedp.CSS("#save-user-"+u.ID)),
			chromedp.WaitVisible(chromedp.CSS(".flash.ok")),
			chromedp.WaitVisible(chromedp.CSS("#role-"+u.ID)),
		)
		if got := evalJS[string](s, `document.getElementById("role-`+u.ID+`").value`); got != "finance_manager" {
			t.Errorf("role shown after saving = %q", got)
		}
		p, err := f.env.Svc.PrincipalForUser(ctx, f.env.A.ID, u.ID)
		if err != nil || p.Role != access.FinanceManager {
			t.Errorf("stored role = %s, %v", p.Role, err)
		}

		logo := filepath.Join(t.TempDir(), "logo.png")
		if err := os.WriteFile(logo, testPNG(t), 0o644); err != nil {
			t.Fatal(err)
		}
		s.open("/console/settings")
		if n := countNodes(s, "#logo-preview"); n != 0 {
			t.Fatalf("a logo preview before any upload")
		}
		s.run(
			chromedp.SetUploadFiles(chromedp.CSS("#logo"), []string{logo}),
			chromedp.Click(chromedp.CSS("#upload-logo")),
			chromedp.WaitVisible(chromedp.CSS(".flash.ok")),
			chromedp.WaitVisible(chromedp.CSS("#logo-preview")),
			// The preview is fetched from the authenticated route and decodes.
			chromedp.Poll[chromedp.Void](`(function(){var i=document.getElementById("logo-preview");return i.complete&&i.naturalWidth===24})()`,
				chromedp.WithPollingTimeout(10*time.Second)),
		)
		if _, typ, err := f.env.Svc.GetLogo(ctx, f.sys); err != nil || typ != "image/png" {
			t.Errorf("stored logo: %s, %v", typ, err)
		}
		// Open every section; reading the height lays the page out again
		// before the full-page screenshot measures it.
		evalJS[int](s, `document.querySelectorAll("details.section").forEach(function(d){d.open=true}); document.documentElement.scrollHeight`)
		s.screenshot("settings-role-and-logo")
	})

	t.Run("screenshots of the main pages", func(t *testing.T) {
		s := adminSession.with(t)
		for _, p := range []struct{ path, name string }{
			{"/console/invoices/" + f.oldOpen.ID, "invoice"},
			{"/console/sales-items", "sales-items"},
			{"/console/customers", "customers"},
			{"/console/customers/" + f.env.A.Customer, "customer"},
			{"/console/billing-runs", "billing-runs"},
			{"/console/ledger", "ledger"},
			{"/console/settings", "settings"},
		} {
			s.open(p.path)
			if n := countNodes(s, ".flash.err"); n != 0 {
				t.Errorf("%s shows an error: %s", p.path, s.text(".flash.err"))
			}
			s.screenshot(p.name)
		}
		// The language preference switches the whole page.
		s.open("/console/invoices")
		s.run(chromedp.SetValue(chromedp.CSS("#lang-select"), "es"),
			chromedp.Submit(chromedp.CSS("#lang-select")),
			chromedp.WaitVisible(chromedp.CSS(`html[lang="es"]`)))
		if h := s.text("main h1"); h != "Facturas de clientes" {
			t.Errorf("in Spanish the h1 is %q", h)
		}
		s.screenshot("invoices-es")
	})
}

func countNodes(s *session, sel string) int {
	return evalJS[int](s, fmt.Sprintf(`document.querySelectorAll(%q).length`, sel))
}
