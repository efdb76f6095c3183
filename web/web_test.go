package web_test

import (
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/internal/testserver"
	"github.com/facturo/facturo/numbering"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
	"github.com/facturo/facturo/tax"
	"github.com/facturo/facturo/web"
)

// client is a cookie-keeping HTTP client that does not follow redirects.
type client struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newClient(t *testing.T, e *testserver.Env) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: e.URL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *client) do(method, path string, form url.Values, hdr ...string) (int, http.Header, string) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func (c *client) login(email string) {
	c.t.Helper()
	code, h, body := c.do(http.MethodPost, "/login", url.Values{"email": {email}, "password": {testPassword}})
	if code != http.StatusSeeOther {
		c.t.Fatalf("login %s: %d %s", email, code, body)
	}
	_ = h
}

func TestWebHTTP(t *testing.T) {
	t.Parallel()
	e := testserver.New(t, store.SQLite)
	ctx := context.Background()
	sys := access.System(e.A.ID, "test")
	for _, u := range []service.NewUser{
		{Email: "fm@a.test", Name: "Fina", Role: "finance_manager", Password: testPassword},
		{Email: "eng@a.test", Name: "Eng", Role: "engineer", Password: testPassword},
		{Email: "cust@a.test", Name: "Cust", Role: "customer", CustomerID: e.A.Customer, Password: testPassword},
	} {
		if _, err := e.Svc.CreateUser(ctx, sys, u); err != nil {
			t.Fatal(err)
		}
	}
	mk := func(customer, desc string, issue bool) billing.Invoice {
		lines := []service.LineInput{{Description: desc, Quantity: ptr("1"), UnitPrice: ptr("99.90")}}
		inv, err := e.Svc.CreateInvoice(ctx, sys, service.InvoiceInput{CustomerID: &customer, Lines: &lines})
		if err != nil {
			t.Fatal(err)
		}
		if issue {
			res, err := e.Svc.UpdateInvoiceStatus(ctx, sys, inv.ID, service.StatusChange{Status: "open"})
			if err != nil {
				t.Fatal(err)
			}
			inv = res.Invoice
		}
		return inv
	}
	own, draft, other := mk(e.A.Customer, "own", true), mk(e.A.Customer, "draft", false), mk(e.A.Other, "other", true)
	// Tenant B's invoice: never visible from tenant A.
	bInv, err := e.Svc.CreateInvoice(ctx, access.System(e.B.ID, "test"), service.InvoiceInput{CustomerID: &e.B.Customer,
		Lines: &[]service.LineInput{{Description: "b", Amount: ptr("5")}}})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("anonymous is sent to sign in", func(t *testing.T) {
		c := newClient(t, e)
		for _, p := range []string{"/", "/console/invoices", "/portal/invoices"} {
			code, h, _ := c.do(http.MethodGet, p, nil)
			if code != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/login") {
				t.Errorf("GET %s: %d → %q", p, code, h.Get("Location"))
			}
		}
		code, _, body := c.do(http.MethodGet, "/login?next=//evil.example/", nil)
		if code != 200 || strings.Contains(body, "evil.example") {
			t.Errorf("login page keeps a foreign next: %d", code)
		}
		code, _, body = c.do(http.MethodPost, "/login", url.Values{"email": {"fm@a.test"}, "password": {"wrong password!"}})
		if code != http.StatusUnauthorized || !strings.Contains(body, "wrong") {
			t.Errorf("bad password: %d", code)
		}
	})

	t.Run("cross-origin form posts are refused", func(t *testing.T) {
		c := newClient(t, e)
		c.login("fm@a.test")
		code, _, _ := c.do(http.MethodPost, "/console/invoices/"+draft.ID+"/discard", url.Values{}, "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
		if code != http.StatusForbidden {
			t.Errorf("cross-site discard: %d", code)
		}
		if _, err := e.Svc.GetInvoice(ctx, sys, draft.ID); err != nil {
			t.Errorf("the draft was discarded by a cross-site post: %v", err)
		}
	})

	t.Run("CSV export of the filtered view", func(t *testing.T) {
		c := newClient(t, e)
		c.login("fm@a.test")
		code, h, body := c.do(http.MethodGet, "/console/invoices.csv?status=open", nil)
		if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") {
			t.Fatalf("csv: %d %s", code, h.Get("Content-Type"))
		}
		rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 3 {
			t.Fatalf("csv rows = %v", rows)
		}
		if !strings.Contains(body, own.Number) || !strings.Contains(body, other.Number) || strings.Contains(body, draft.DocumentNumber) {
			t.Errorf("csv of open invoices = %v", rows)
		}
		code, _, _ = c.do(http.MethodGet, "/console/invoices?preset=next_century", nil)
		if code != http.StatusUnprocessableEntity {
			t.Errorf("unknown preset: %d", code)
		}
	})

	t.Run("portal isolation", func(t *testing.T) {
		c := newClient(t, e)
		c.login("cust@a.test")
		for _, id := range []string{draft.ID, other.ID, bInv.ID, "inv_nonexistent"} {
			if code, _, _ := c.do(http.MethodGet, "/portal/invoices/"+id, nil); code != http.StatusNotFound {
				t.Errorf("portal GET %s: %d, want 404", id, code)
			}
		}
		if code, _, body := c.do(http.MethodGet, "/portal/invoices/"+own.ID, nil); code != 200 || !strings.Contains(body, own.Number) {
			t.Errorf("own invoice: %d", code)
		}
		code, _, body := c.do(http.MethodGet, "/portal/invoices.csv", nil)
		if code != 200 || !strings.Contains(body, own.Number) || strings.Contains(body, other.Number) || strings.Contains(body, draft.DocumentNumber) {
			t.Errorf("portal csv: %d %s", code, body)
		}
		if code, _, _ := c.do(http.MethodGet, "/portal/invoices?status=draft", nil); code != http.StatusUnprocessableEntity {
			t.Errorf("portal asking for drafts: %d", code)
		}
		if code, h, _ := c.do(http.MethodGet, "/console/invoices", nil); code != http.StatusSeeOther || h.Get("Location") != "/portal" {
			t.Errorf("customer at the console: %d %s", code, h.Get("Location"))
		}
		// Billing information of another customer cannot be changed from the portal.
		code, _, _ = c.do(http.MethodPost, "/console/customers/"+e.A.Other+"/billing", url.Values{"legal_name": {"Hacked"}})
		if code != http.StatusSeeOther {
			t.Errorf("customer posting to the console: %d", code)
		}
		cu, _ := e.Svc.GetCustomer(ctx, sys, e.A.Other)
		if cu.Billing.LegalName == "Hacked" {
			t.Errorf("a customer changed another customer's billing information")
		}
	})

	t.Run("engineer", func(t *testing.T) {
		c := newClient(t, e)
		c.login("eng@a.test")
		for _, p := range []string{"/console/invoices", "/console/sales-items", "/console/invoices/" + own.ID, "/console/invoices.csv", "/console/ledger"} {
			if code, _, body := c.do(http.MethodGet, p, nil); code != http.StatusForbidden || strings.Contains(body, own.Number) {
				t.Errorf("engineer GET %s: %d", p, code)
			}
		}
		if code, _, body := c.do(http.MethodGet, "/console/", nil); code != 200 || strings.Contains(body, `href="/console/invoices"`) {
			t.Errorf("engineer home: %d", code)
		}
	})

	t.Run("editor preview is computed by the server", func(t *testing.T) {
		c := newClient(t, e)
		c.login("fm@a.test")
		form := url.Values{"customer_id": {e.A.Customer}, "line_description": {"A", "B", ""}, "line_quantity": {"2", "", ""},
			"line_unit_price": {"10.005", "", ""}, "line_amount": {"", "7.5", ""}, "line_unit": {"", "", ""}, "line_charge_type": {"one_time", "one_time", "one_time"},
			"line_account": {"", "", ""}}
		code, _, body := c.do(http.MethodPost, "/console/invoices/preview", form, "HX-Request", "true")
		if code != 200 || !strings.Contains(body, `id="preview-total"`) || !strings.Contains(body, "27.51") {
			t.Errorf("preview: %d %s", code, body)
		}
		form.Set("line_quantity", "two")
		_, _, body = c.do(http.MethodPost, "/console/invoices/preview", form, "HX-Request", "true")
		if !strings.Contains(body, "preview-error") {
			t.Errorf("a bad quantity gives no message: %s", body)
		}
	})

	t.Run("language preference", func(t *testing.T) {
		c := newClient(t, e)
		c.login("fm@a.test")
		if code, _, _ := c.do(http.MethodPost, "/language", url.Values{"language": {"pt-BR"}, "back": {"/console/invoices"}}); code != http.StatusSeeOther {
			t.Fatalf("set language: %d", code)
		}
		if _, _, body := c.do(http.MethodGet, "/console/invoices", nil); !strings.Contains(body, "Faturas de clientes") || !strings.Contains(body, `lang="pt-BR"`) {
			t.Errorf("page not in Portuguese")
		}
		if code, _, _ := c.do(http.MethodPost, "/language", url.Values{"language": {"klingon"}}); code != http.StatusUnprocessableEntity {
			t.Errorf("unknown language: %d", code)
		}
	})
}

// TestCatalog checks every message key the templates and handlers use is
// translated into English, Spanish and Portuguese.
func TestCatalog(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("templates/*.html")
	gos, _ := filepath.Glob("*.go")
	literal := regexp.MustCompile(`(?:\bt|\btf) (?:\$\.Lang|\.Lang|\$\.L|\.L|\.V\.Lang) "([a-z_.0-9]+)"|\bT\([^,()]+(?:\([^)]*\))?[^,()]*, "([a-z_.0-9]+)"\)`)
	keys := map[string]bool{}
	for _, f := range append(files, gos...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literal.FindAllStringSubmatch(string(b), -1) {
			keys[m[1]+m[2]] = true
		}
	}
	// Keys built from values.
	for _, s := range billing.Statuses {
		keys["status."+string(s)] = true
	}
	for _, r := range access.Roles {
		keys["role."+string(r)] = true
	}
	for _, l := range billing.Languages {
		keys["lang."+l] = true
	}
	for _, s := range billing.ItemStatuses {
		keys["item."+string(s)] = true
	}
	for _, s := range billing.Sources {
		keys["source."+string(s)] = true
	}
	for _, s := range service.SalesItemSorts {
		keys["sisort."+s] = true
	}
	for _, c := range tax.Categories {
		keys["taxcat."+string(c)] = true
	}
	for k := range numbering.DefaultSeries {
		keys["series."+k] = true
	}
	for _, s := range service.AgingBuckets {
		keys["aging."+s] = true
	}
	if len(keys) < 100 {
		t.Fatalf("found only %d keys: the pattern is broken", len(keys))
	}
	for k := range keys {
		for i, lang := range []string{"en", "es", "pt-BR"} {
			if got := web.T(lang, k); got == k || got == "" {
				t.Errorf("message %q has no %s text (%d)", k, lang, i)
			}
		}
	}
}
