package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/internal/stripemock"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/internal/testserver"
	"github.com/facturo/facturo/payprovider/stripe"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
	"github.com/facturo/facturo/web"
)

// cardUsers adds a finance manager, an engineer and a customer-role user of
// e.A.Customer.
func cardUsers(t *testing.T, e *testserver.Env) {
	t.Helper()
	sys := access.System(e.A.ID, "test")
	for _, u := range []service.NewUser{
		{Email: "fm@a.test", Name: "Fina", Role: "finance_manager", Password: testPassword},
		{Email: "eng@a.test", Name: "Eng", Role: "engineer", Password: testPassword},
		{Email: "cust@a.test", Name: "Cust", Role: "customer", CustomerID: e.A.Customer, Password: testPassword},
	} {
		if _, err := e.Svc.CreateUser(context.Background(), sys, u); err != nil {
			t.Fatal(err)
		}
	}
}

// stripeServer is a server whose payment provider is Stripe, served by
// stripe-mock.
func stripeServer(t *testing.T, publishable string) (*testserver.Env, *stripemock.Recorder) {
	t.Helper()
	base, rec := stripemock.Start(t)
	sp, err := stripe.New(stripe.Config{Key: "sk_test_facturo", URL: base, PublishableKey: publishable})
	if err != nil {
		t.Fatal(err)
	}
	e := testserver.NewOnWith(t, testdb.Open(t, store.SQLite), service.WithPaymentProvider(sp))
	cardUsers(t, e)
	return e, rec
}

type setupAnswer struct {
	Provider       string `json:"provider"`
	PublishableKey string `json:"publishable_key"`
	ClientSecret   string `json:"client_secret"`
	Error          string `json:"error"`
}

func setupJSON(t *testing.T, body string) setupAnswer {
	t.Helper()
	var a setupAnswer
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		t.Fatalf("setup answer %q: %v", body, err)
	}
	return a
}

// TestCardEntryStripe is the server side of card entry on Stripe, with
// stripe-mock as Stripe: the page loads Stripe.js with the publishable key
// and has no card number field; the setup route answers a SetupIntent's
// client secret as JSON (same-origin only); the pm_… id posted back is
// attached and kept; a card number is refused (422 at the card field) and
// reaches neither Stripe nor the database.
func TestCardEntryStripe(t *testing.T) {
	t.Parallel()
	e, rec := stripeServer(t, "pk_test_facturo")
	ctx := context.Background()
	sys := access.System(e.A.ID, "test")
	c := newClient(t, e)
	c.login("cust@a.test")

	code, _, page := c.do(http.MethodGet, "/portal/account", nil)
	if code != 200 || !strings.Contains(page, `<script src="`+web.StripeJS+`" defer></script>`) ||
		!strings.Contains(page, `data-key="pk_test_facturo"`) || !strings.Contains(page, `data-setup="/portal/account/cards/setup"`) ||
		!strings.Contains(page, `id="card-element"`) || strings.Contains(page, `name="card"`) || strings.Contains(page, "sk_test") {
		t.Fatalf("portal account page with Stripe: %d\n%s", code, page)
	}

	rec.Take()
	code, h, body := c.do(http.MethodPost, "/portal/account/cards/setup", nil, "Accept", "application/json")
	a := setupJSON(t, body)
	if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "application/json") || h.Get("Cache-Control") != "no-store" ||
		a.Provider != "stripe" || a.PublishableKey != "pk_test_facturo" || !strings.HasPrefix(a.ClientSecret, "seti_") {
		t.Fatalf("setup: %d %v %q", code, h, body)
	}
	if reqs := rec.Take(); len(reqs) != 1 || reqs[0].Path != "/v1/setup_intents" {
		t.Fatalf("setup requests: %+v", reqs)
	}
	// Cross-site, the session cookie does not count: refused, no SetupIntent.
	if code, _, _ := c.do(http.MethodPost, "/portal/account/cards/setup", nil, "Sec-Fetch-Site", "cross-site"); code != http.StatusForbidden {
		t.Errorf("cross-site setup: %d, want 403", code)
	}
	if reqs := rec.Take(); len(reqs) != 0 {
		t.Errorf("a cross-site setup reached Stripe: %+v", reqs)
	}

	// A card number is refused at its field, on the page, with nothing stored.
	code, _, body = c.do(http.MethodPost, "/portal/account/cards", url.Values{"card": {"4242 4242 4242 4242"}, "exp_month": {"12"}, "exp_year": {"2099"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, `data-field="card"`) || !strings.Contains(body, "never a card number") {
		t.Fatalf("card number: %d\n%s", code, body)
	}
	if reqs := rec.Take(); len(reqs) != 0 {
		t.Fatalf("a card number reached Stripe: %+v", reqs)
	}
	if ms, _ := e.Svc.ListPaymentMethods(ctx, sys, e.A.Customer); len(ms) != 0 {
		t.Fatalf("cards after a refused card number: %+v", ms)
	}

	// The confirmed payment method: attached, kept, listed.
	code, h, body = c.do(http.MethodPost, "/portal/account/cards", url.Values{"payment_method_id": {"pm_card_visa"}, "key": {"web-1"}})
	if code != http.StatusSeeOther || h.Get("Location") != "/portal/account?ok=card_added#payment-methods" {
		t.Fatalf("add pm: %d %v\n%s", code, h, body)
	}
	reqs := rec.Take()
	if len(reqs) != 2 || reqs[0].Path != "/v1/customers" || reqs[1].Path != "/v1/payment_methods/pm_card_visa/attach" {
		t.Fatalf("attach requests: %+v", reqs)
	}
	ms, err := e.Svc.ListPaymentMethods(ctx, sys, e.A.Customer)
	if err != nil || len(ms) != 1 || ms[0].Provider != "stripe" || ms[0].Token != "pm_card_visa" || ms[0].Brand != "visa" || ms[0].Last4 != "4242" || !ms[0].Primary {
		t.Fatalf("stored cards: %+v %v", ms, err)
	}
	if _, _, page = c.do(http.MethodGet, "/portal/account", nil); !strings.Contains(page, "•••• 4242") {
		t.Errorf("the portal does not list the new card")
	}

	// Staff: a finance manager sets up a card on a customer's page; an
	// engineer may not; a customer cannot reach the staff route.
	fm := newClient(t, e)
	fm.login("fm@a.test")
	code, _, page = fm.do(http.MethodGet, "/console/customers/"+e.A.Other, nil)
	if code != 200 || !strings.Contains(page, `data-setup="/console/customers/`+e.A.Other+`/cards/setup"`) {
		t.Fatalf("console customer page: %d", code)
	}
	code, _, body = fm.do(http.MethodPost, "/console/customers/"+e.A.Other+"/cards/setup", nil)
	if a := setupJSON(t, body); code != 200 || !strings.HasPrefix(a.ClientSecret, "seti_") {
		t.Fatalf("staff setup: %d %s", code, body)
	}
	rec.Take()
	eng := newClient(t, e)
	eng.login("eng@a.test")
	code, _, body = eng.do(http.MethodPost, "/console/customers/"+e.A.Other+"/cards/setup", nil)
	if a := setupJSON(t, body); code != http.StatusForbidden || a.Error == "" || a.ClientSecret != "" {
		t.Errorf("engineer setup: %d %s", code, body)
	}
	if code, h, _ := c.do(http.MethodPost, "/console/customers/"+e.A.Other+"/cards/setup", nil); code != http.StatusSeeOther || h.Get("Location") != "/portal" {
		t.Errorf("customer at the staff setup route: %d %v", code, h)
	}
	if code, _, _ := c.do(http.MethodPost, "/console/customers/"+e.A.Other+"/cards", url.Values{"payment_method_id": {"pm_card_visa"}}); code != http.StatusSeeOther {
		t.Errorf("customer at the staff card route: %d", code)
	}
	if reqs := rec.Take(); len(reqs) != 0 {
		t.Errorf("refused setups reached Stripe: %+v", reqs)
	}
	if ms, _ := e.Svc.ListPaymentMethods(ctx, sys, e.A.Other); len(ms) != 0 {
		t.Errorf("the other customer got cards: %+v", ms)
	}
}

// TestCardEntryStripeUnconfigured: without a publishable key the form says
// so, cannot be sent, and loads no script.
func TestCardEntryStripeUnconfigured(t *testing.T) {
	t.Parallel()
	e, _ := stripeServer(t, "")
	c := newClient(t, e)
	c.login("cust@a.test")
	_, _, page := c.do(http.MethodGet, "/portal/account", nil)
	if !strings.Contains(page, "publishable key is not configured") || !strings.Contains(page, `id="add-card" disabled`) ||
		strings.Contains(page, web.StripeJS) {
		t.Fatalf("unconfigured Stripe page:\n%s", page)
	}
}

// TestCardEntryTestProvider: with the test provider the page keeps
// Facturo's card number form and loads no Stripe.js; the setup route
// answers the provider's stand-in.
func TestCardEntryTestProvider(t *testing.T) {
	t.Parallel()
	e := testserver.New(t, store.SQLite)
	cardUsers(t, e)
	c := newClient(t, e)
	c.login("cust@a.test")
	_, _, page := c.do(http.MethodGet, "/portal/account", nil)
	if !strings.Contains(page, `id="card-number" name="card"`) || strings.Contains(page, "js.stripe.com") || strings.Contains(page, `data-provider="stripe"`) {
		t.Fatalf("test provider page:\n%s", page)
	}
	code, _, body := c.do(http.MethodPost, "/portal/account/cards/setup", nil)
	if a := setupJSON(t, body); code != 200 || a.Provider != "test" || !strings.HasPrefix(a.ClientSecret, "seti_test_") {
		t.Fatalf("test setup: %d %s", code, body)
	}
	code, _, _ = c.do(http.MethodPost, "/portal/account/cards", url.Values{"card": {"4242 4242 4242 4242"}, "exp_month": {"12"}, "exp_year": {"2099"}})
	if code != http.StatusSeeOther {
		t.Fatalf("test card: %d", code)
	}
	ms, err := e.Svc.ListPaymentMethods(context.Background(), access.System(e.A.ID, "test"), e.A.Customer)
	if err != nil || len(ms) != 1 || ms[0].Provider != "test" || ms[0].Last4 != "4242" {
		t.Fatalf("stored test card: %+v %v", ms, err)
	}
}
