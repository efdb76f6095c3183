package server_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/internal/testserver"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service"
)

// Amount-named members of every JSON output. A member whose name matches
// amountKey holds an amount with exactly its currency's digits; one that
// matches priceKey a unit price with at least them. Their currency is the
// "currency" member of the nearest enclosing object, but *_accounting
// amounts, open_balance and available_after are in the accounting
// currency (accounting_currency, else the tenant's), as are debits and
// credits (ledger lines carry their document's currency for their
// amount), a customer's in its billing currency, the invoice totals'
// credit figures in credit_currency, and recurring_monthly
// in recurring_currency.
var (
	amountKey = regexp.MustCompile(`^(amount|total|net|tax|paid|balance|debit|credit|open|past_due|invoiced|invoiced_this_year|refunded|` +
		`unapplied|unapplied_payments|reversed|gross|discount|credit_limit|open_balance|available_after|recurring_monthly|ledger|` +
		`open_credit_notes|open_invoices|applied|line_tax|remaining|complimentary|billed|paid_after|paid_balance|complimentary_balance|` +
		`recharge_threshold|recharge_amount|wallet_drawn|wallet_topped_up|.*_accounting)$`)
	priceKey   = regexp.MustCompile(`^(unit_price|price|default_price)$`)
	mapOfSums  = map[string]bool{"buckets": true, "totals": true, "applied": true} // objects whose members are all amounts
	accountKey = regexp.MustCompile(`^(.*_accounting|open_balance|available_after|debit|credit)$`)
)

// amountChecker walks JSON outputs and reports every amount whose number
// of decimals is not its currency's.
type amountChecker struct {
	t          *testing.T
	accounting string
	checked    map[string]int // currency → amounts checked
}

func (c *amountChecker) digits(code string) int32 {
	cur, err := money.ParseCurrency(code)
	if err != nil {
		c.t.Errorf("no currency %q for an amount", code)
		return -1
	}
	return cur.Digits()
}

func (c *amountChecker) check(where, key, value, code string, price bool) {
	c.t.Helper()
	if code == "" {
		c.t.Errorf("%s: %s = %q has no currency to check it against", where, key, value)
		return
	}
	frac := 0
	if _, f, ok := strings.Cut(value, "."); ok {
		frac = len(f)
	}
	want := int(c.digits(code))
	if frac != want && !(price && frac > want) {
		c.t.Errorf("%s: %s = %q has %d decimals; %s has %d", where, key, value, frac, code, want)
	}
	c.checked[code]++
}

// walk checks v, a decoded JSON value found under key, in currency code.
func (c *amountChecker) walk(where, key string, v any, codes map[string]string) {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			c.walk(where, key, e, codes)
		}
	case map[string]any:
		inner := map[string]string{"currency": codes["currency"], "accounting": codes["accounting"], "recurring": codes["recurring"]}
		if s, ok := x["currency"].(string); ok && s != "" {
			inner["currency"] = s
		}
		if b, ok := x["billing"].(map[string]any); ok { // a customer: amounts in its billing currency
			if s, ok := b["currency"].(string); ok && s != "" {
				inner["currency"] = s
			}
		}
		if s, ok := x["accounting_currency"].(string); ok && s != "" {
			inner["accounting"] = s
		}
		credit := ""
		if s, ok := x["credit_currency"].(string); ok && s != "" { // invoice totals: the credit figures in the limit's currency
			credit = s
		}
		if s, ok := x["recurring_currency"].(string); ok && s != "" {
			inner["recurring"] = s
		}
		for k, e := range x {
			if mapOfSums[k] {
				if m, ok := e.(map[string]any); ok {
					for mk, mv := range m {
						if s, ok := mv.(string); ok {
							c.check(where, k+"."+mk, s, inner["currency"], false)
						}
					}
					continue
				}
			}
			s, isString := e.(string)
			switch {
			case !isString:
				c.walk(where, k, e, inner)
			case credit != "" && (k == "credit_limit" || k == "open_balance" || k == "available_after"):
				c.check(where, k, s, credit, false)
			case k == "recurring_monthly":
				c.check(where, k, s, inner["recurring"], false)
			case accountKey.MatchString(k):
				c.check(where, k, s, inner["accounting"], false)
			case amountKey.MatchString(k):
				c.check(where, k, s, inner["currency"], false)
			case priceKey.MatchString(k):
				c.check(where, k, s, inner["currency"], true)
			}
		}
	}
}

// TestAmountsHaveTheirCurrencysDigits is the class guard of issue 12's
// currency digits: in a tenant with a JPY, a EUR and a BHD customer (0, 2
// and 3 decimals) with invoices, credit notes, payments and subscriptions,
// every amount of the JSON GET responses, of the webhook payloads and of
// the CSV exports (invoices and detailed lines) has exactly its currency's
// digits (unit prices: at least), and the PDF and print documents show
// unit prices with at least them.
func TestAmountsHaveTheirCurrencysDigits(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		ctx := context.Background()
		e.Clock.Set(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC))
		sys := access.System(e.A.ID, "test")
		admin, finance := e.A.Keys[access.Administrator], e.A.Keys[access.FinanceManager]
		if _, err := e.Svc.CreateWebhookEndpoint(ctx, sys, service.WebhookEndpointInput{URL: accPtr("https://hooks.example.com/facturo")}); err != nil {
			t.Fatalf("webhook endpoint: %v", err)
		}
		ids := map[string][]string{}
		type custSpec struct{ cur, price, rate string }
		for _, cs := range []custSpec{{"JPY", "1200", "0.0061"}, {"EUR", "11.7", ""}, {"BHD", "1.2", "2.4500"}} {
			name, legal, email, cur := "Customer "+cs.cur, "Customer "+cs.cur+" S.L.", "billing@example.com", cs.cur
			c, err := e.Svc.CreateCustomer(ctx, sys, service.CustomerInput{Name: &name, CreditLimit: accPtr("5000"), Billing: &service.BillingInput{
				LegalName: &legal, Email: &email, Currency: &cur, Address: &billing.Address{Line1: "Calle 1", City: "Madrid", Country: "ES"}}})
			if err != nil {
				t.Fatalf("customer %s: %v", cs.cur, err)
			}
			ids["customer"] = append(ids["customer"], c.ID)
			issue := func(kind, qty, price string) accInvoice {
				body := map[string]any{"customer_id": c.ID, "kind": kind,
					"lines": []any{map[string]any{"description": "Service", "quantity": qty, "unit_price": price}}}
				if cs.rate != "" {
					body["exchange_rate"] = cs.rate
				}
				return accStatus(t, e, finance, accPost(t, e, finance, body).ID, map[string]any{"status": "open"}).Invoice
			}
			inv := issue("invoice", "7", cs.price)
			issue("credit_note", "1", cs.price)
			ids["invoice"] = append(ids["invoice"], inv.ID)
			pay := map[string]any{"customer_id": c.ID, "method": "cash", "amount": money.New(accDec(t, inv.Total).Div(accDec(t, "3")), money.MustCurrency(cs.cur)).Round().StringFixed(),
				"invoices": []any{map[string]any{"invoice_id": inv.ID}}}
			if cs.rate != "" {
				pay["exchange_rate"] = cs.rate
			}
			r := accDo(t, e, http.MethodPost, "/api/v1/payments", finance, pay)
			if r.Status != http.StatusCreated {
				t.Fatalf("payment %s: %d %s", cs.cur, r.Status, r.Body)
			}
			var p struct {
				ID string `json:"id"`
			}
			r.JSON(t, &p)
			ids["payment"] = append(ids["payment"], p.ID)
			prod, err := e.Svc.CreateProduct(ctx, sys, service.ProductInput{Code: accPtr("P-" + cs.cur), Name: accPtr("Plan " + cs.cur),
				ChargeType: accPtr("recurring"), DefaultPrice: accPtr(map[string]string{"JPY": "10000", "EUR": "100", "BHD": "10"}[cs.cur]), Currency: accPtr(cs.cur)})
			if err != nil {
				t.Fatalf("product %s: %v", cs.cur, err)
			}
			sub, err := e.Svc.CreateSubscription(ctx, sys, service.SubscriptionInput{CustomerID: c.ID, Kind: "saas", ProductID: prod.ID, Quantity: "1", Interval: "yearly",
				Start: calendar.New(2026, 3, 1)})
			if err != nil {
				t.Fatalf("subscription %s: %v", cs.cur, err)
			}
			ids["subscription"] = append(ids["subscription"], sub.ID)
			// A contract part priced in the product's currency, and a wallet
			// (in the accounting currency, EUR) with a grant and a draw.
			const small = "5.5"
			r = accDo(t, e, http.MethodPost, "/api/v1/contracts", admin, map[string]any{"customer_id": c.ID, "name": "Support " + cs.cur,
				"parts": []any{map[string]any{"product_id": prod.ID, "quantity": "2", "price": cs.price, "interval": "monthly", "start_date": "2026-03-01"}}})
			if r.Status != http.StatusCreated {
				t.Fatalf("contract %s: %d %s", cs.cur, r.Status, r.Body)
			}
			base := "/api/v1/customers/" + c.ID + "/wallet"
			for _, step := range []struct {
				method, path string
				body         map[string]any
			}{
				{http.MethodPut, base, map[string]any{"credit_rate": "100", "recharge_threshold": small, "recharge_amount": small}},
				{http.MethodPost, base + "/grants", map[string]any{"amount": small, "reason": "welcome"}},
				{http.MethodPost, base + "/draws", map[string]any{"ref": "use-" + cs.cur, "amount": small, "description": "Usage"}},
			} {
				if r := accDo(t, e, step.method, step.path, admin, step.body); r.Status/100 != 2 {
					t.Fatalf("%s %s: %d %s", step.method, step.path, r.Status, r.Body)
				}
			}
		}
		// A yearly JPY subscription of 10,000 bills 833 a month (not 833.33).
		var dash struct {
			Summary struct {
				Recurring string `json:"recurring_monthly"`
			} `json:"summary"`
		}
		accDo(t, e, http.MethodGet, "/api/v1/customers/"+ids["customer"][0]+"/dashboard", finance, nil).JSON(t, &dash)
		if dash.Summary.Recurring != "833" {
			t.Errorf("JPY recurring_monthly %q, want 833", dash.Summary.Recurring)
		}

		c := &amountChecker{t: t, accounting: "EUR", checked: map[string]int{}}
		top := map[string]string{"accounting": "EUR"}
		var entries []string
		get := func(path, key string) {
			t.Helper()
			r := accDo(t, e, http.MethodGet, path, key, nil)
			if r.Status != http.StatusOK {
				t.Errorf("GET %s: %d %s", path, r.Status, accShort(r.Body))
				return
			}
			var v any
			if err := json.Unmarshal(r.Body, &v); err != nil {
				t.Errorf("GET %s: %v", path, err)
				return
			}
			c.walk("GET "+path, "", v, top)
			for _, m := range regexp.MustCompile(`"entry_id":"(je_[^"]+)"`).FindAllSubmatch(r.Body, -1) {
				entries = append(entries, string(m[1]))
			}
		}
		for _, path := range []string{"/api/v1/invoices", "/api/v1/payments", "/api/v1/customers", "/api/v1/sales-items", "/api/v1/subscriptions",
			"/api/v1/products", "/api/v1/ledger/trial-balance", "/api/v1/ledger/receivables", "/api/v1/ledger/invoice-journal",
			"/api/v1/ledger/accounts/1100/lines", "/api/v1/ledger/accounts/4000/lines", "/api/v1/outbox"} {
			get(path, admin)
		}
		// Every other JSON GET of the OpenAPI document without a path
		// parameter, so an output added later is checked too.
		for op := range accOperations(t, e) {
			path, ok := strings.CutPrefix(op, "GET ")
			if !ok || strings.Contains(path, "{") || strings.HasSuffix(path, ".csv") || strings.HasPrefix(path, "/api/v1/me") ||
				path == "/api/v1/openapi.json" || path == "/api/v1/tenant/logo" {
				continue
			}
			get(path, admin)
		}
		for _, id := range ids["customer"] {
			for _, sub := range []string{"", "/credit", "/dashboard", "/wallet", "/wallet/movements", "/wallet/recharges"} {
				get("/api/v1/customers/"+id+sub, admin)
			}
		}
		for _, id := range ids["invoice"] {
			get("/api/v1/invoices/"+id, admin)
			get("/api/v1/invoices/"+id+"/totals", admin)
		}
		for _, id := range ids["payment"] {
			get("/api/v1/payments/"+id, admin)
		}
		for _, id := range ids["subscription"] {
			get("/api/v1/subscriptions/"+id, admin)
		}
		for _, id := range entries {
			get("/api/v1/ledger/entries/"+id, admin)
		}
		get("/api/v1/me/dashboard", e.A.Keys[access.Customer])

		// Webhook payloads, as stored for delivery.
		rows, err := e.DB.SQL().QueryContext(ctx, accSQL(e, `SELECT type, payload FROM webhook_events WHERE tenant_id = ?`), e.A.ID)
		if err != nil {
			t.Fatal(err)
		}
		events := 0
		for rows.Next() {
			var typ string
			var payload []byte
			if err := rows.Scan(&typ, &payload); err != nil {
				t.Fatal(err)
			}
			var v any
			if err := json.Unmarshal(payload, &v); err != nil {
				t.Fatalf("webhook %s: %v", typ, err)
			}
			c.walk("webhook "+typ, "", v, top)
			events++
		}
		rows.Close()
		if events == 0 {
			t.Error("no webhook event was stored")
		}
		// The CSV exports: each row as an object of its columns.
		for _, path := range []string{"/api/v1/invoices.csv", "/api/v1/invoice-lines.csv"} {
			r := accDo(t, e, http.MethodGet, path, admin, nil)
			if r.Status != http.StatusOK {
				t.Errorf("GET %s: %d %s", path, r.Status, accShort(r.Body))
				continue
			}
			recs, err := csv.NewReader(strings.NewReader(string(r.Body))).ReadAll()
			if err != nil || len(recs) < 2 {
				t.Errorf("GET %s: %d rows, %v", path, len(recs), err)
				continue
			}
			for _, rec := range recs[1:] {
				row := map[string]any{}
				for i, col := range recs[0] {
					if rec[i] != "" {
						row[col] = rec[i]
					}
				}
				c.walk(path, "", row, top)
			}
		}
		for _, cur := range []string{"JPY", "EUR", "BHD"} {
			if c.checked[cur] < 20 {
				t.Errorf("only %d %s amounts checked (%v)", c.checked[cur], cur, c.checked)
			}
		}

		// Documents: the EUR invoice's unit price 11.7 shows with two
		// decimals, the JPY one's with none, the BHD one's with three.
		for i, want := range []string{"1,200", "11.70", "1.200"} {
			id := ids["invoice"][i]
			r := accDo(t, e, http.MethodGet, "/api/v1/invoices/"+id+"/print", admin, nil)
			if r.Status != http.StatusOK {
				t.Errorf("print: %d %s", r.Status, accShort(r.Body))
			} else if !strings.Contains(string(r.Body), ">"+want+"<") {
				t.Errorf("print of invoice %d lacks the unit price %s", i, want)
			}
			if _, err := exec.LookPath("pdftotext"); err == nil {
				r := accDo(t, e, http.MethodGet, "/api/v1/invoices/"+id+"/pdf", admin, nil)
				if r.Status != http.StatusOK {
					t.Errorf("pdf: %d", r.Status)
					continue
				}
				cmd := exec.Command("pdftotext", "-layout", "-", "-")
				cmd.Stdin = strings.NewReader(string(r.Body))
				out, err := cmd.Output()
				if err != nil {
					t.Fatalf("pdftotext: %v", err)
				}
				if !regexp.MustCompile(`(^|\s)` + regexp.QuoteMeta(want) + `(\s|$)`).Match(out) {
					t.Errorf("PDF of invoice %d lacks the unit price %s:\n%s", i, want, out)
				}
			}
		}
	})
}
