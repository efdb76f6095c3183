package web_test

import (
	"context"
	"encoding/json"
	"html"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/demo"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/internal/testserver"
	"github.com/facturo/facturo/messages"
	"github.com/facturo/facturo/payprovider/testcard"
	"github.com/facturo/facturo/server"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

// translatedPage is a page the translation test renders in every language.
type translatedPage struct {
	name string
	user string // who reads it: "admin", "engineer", "portal" or "" (not signed in)
	path string
	es   []string // texts the Spanish page must show (labels of the codes on it)
}

// translationPages lists the console and portal pages the translation test
// reads, over the demo's data; ids holds the ids the paths name. Add a
// page here when you add one to the console or the portal.
func translationPages(ids map[string]string) []translatedPage {
	return []translatedPage{
		{"login", "", "/login", nil},
		{"engineer home", "engineer", "/console/", nil},
		{"invoices", "admin", "/console/invoices", nil},
		{"issued invoice", "admin", "/console/invoices/" + ids["issued"], []string{"Estado cambiado"}},
		{"credit note", "admin", "/console/invoices/" + ids["credit_note"], nil},
		{"draft invoice", "admin", "/console/invoices/" + ids["draft"], []string{"720 h", "0,085\u00a0US$"}},
		{"new invoice", "admin", "/console/invoices/new", nil},
		{"edit invoice", "admin", "/console/invoices/" + ids["draft"] + "/edit", nil},
		{"sales items", "admin", "/console/sales-items", nil},
		{"customers", "admin", "/console/customers", nil},
		{"customer account", "admin", "/console/customers/" + ids["customer"], []string{"Plan SaaS", "Reventa",
			"Aplicación del marketplace", "Mensual", "Anual", "Activa", "Tarjeta", "Welcome credits", "Visa"}},
		{"billing runs", "admin", "/console/billing-runs", nil},
		{"billing run", "admin", "/console/billing-runs/" + ids["run"], []string{"· Todo hecho"}},
		{"ledger", "admin", "/console/ledger", nil},
		{"settings", "admin", "/console/settings", []string{"Factura publicada", "En cola"}},
		{"not found", "admin", "/console/invoices/inv_no_such_invoice", nil},
		{"portal invoices", "portal", "/portal/invoices", nil},
		{"portal invoice", "portal", "/portal/invoices/" + ids["portal_invoice"], nil},
		{"portal account", "portal", "/portal/account", []string{"Plan SaaS", "Mensual", "Recarga del monedero"}},
	}
}

// TestEveryVisibleTextTranslated renders every console and portal page over
// the demo's data in English, Spanish and Portuguese and fails on any text
// a reader sees (text, title, aria-label, placeholder, alt, data-confirm,
// the value of buttons) that is a raw catalog key or code ("monthly",
// "invoice.created") or, on a Spanish or Portuguese page, the same as on
// the English one — unless it is data someone typed (read from the
// database), a text the catalog itself gives in that language, or has no
// words (numbers, dates, amounts, ids, codes such as EUR).
func TestEveryVisibleTextTranslated(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testdb.Open(t, store.SQLite)
	svc := service.New(db, service.WithPaymentProvider(testcard.New()), service.WithPasswordCost(access.LeastPasswordCost))
	login, err := demo.Ensure(ctx, svc)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.New(svc, db, server.Config{Log: slog.New(slog.DiscardHandler)}))
	t.Cleanup(srv.Close)
	ids := demoIDs(t, svc, access.System(login.TenantID, "test"))
	users := map[string]string{"admin": demo.AdminEmail, "engineer": "engineer@demo.facturo.test", "portal": "portal@ferreteria-nunez.example"}
	data := typedData(t, db)

	pages := translationPages(ids)
	// texts[page][lang] is what the page shows in lang.
	texts := map[string]map[string][]string{}
	for _, who := range []string{"", "admin", "engineer", "portal"} {
		c := &client{t: t, base: srv.URL, c: &http.Client{Jar: must(cookiejar.New(nil)), CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
		if who != "" {
			code, _, body := c.do(http.MethodPost, "/login", url.Values{"email": {users[who]}, "password": {login.Password}})
			if code != http.StatusSeeOther {
				t.Fatalf("login %s: %d %s", who, code, body)
			}
		}
		for _, lang := range messages.Languages {
			if who != "" {
				if code, _, body := c.do(http.MethodPost, "/language", url.Values{"language": {lang}, "back": {"/"}}); code != http.StatusSeeOther {
					t.Fatalf("%s: set language %s: %d %s", who, lang, code, body)
				}
			}
			for _, p := range pages {
				if p.user != who {
					continue
				}
				code, _, body := c.do(http.MethodGet, p.path, nil, "Accept-Language", lang)
				if code != http.StatusOK && !(p.name == "not found" && code == http.StatusNotFound) {
					t.Fatalf("%s (%s) in %s: %d", p.name, p.path, lang, code)
				}
				if !strings.Contains(body, `lang="`+lang+`"`) {
					t.Fatalf("%s is not written in %s", p.name, lang)
				}
				if texts[p.name] == nil {
					texts[p.name] = map[string][]string{}
				}
				texts[p.name][lang] = visibleTexts(body)
				if lang == "es" {
					all := strings.Join(texts[p.name][lang], "\n")
					for _, w := range p.es {
						if !strings.Contains(all, w) {
							t.Errorf("%s in es does not show %q", p.name, w)
						}
					}
				}
				if os.Getenv("DEBUG_TEXTS") == p.name { // DEBUG_TEXTS=<page name> logs what the test reads on a page
					t.Logf("%s %s: %q", p.name, lang, texts[p.name][lang])
				}
			}
		}
	}
	catalogs := map[string]map[string]bool{}
	for _, lang := range messages.Languages {
		catalogs[lang] = catalogTexts(lang)
	}
	for _, p := range pages {
		en := map[string]bool{}
		for _, s := range texts[p.name]["en"] {
			en[s] = true
		}
		if len(en) < 5 {
			t.Errorf("%s: only %d texts in English: the page or the extraction is broken", p.name, len(en))
		}
		for _, lang := range messages.Languages {
			ok := catalogs[lang]
			var bad []string
			for _, s := range texts[p.name][lang] {
				switch {
				case strings.Contains(s, "%!"):
					bad = append(bad, s+" (format error)")
				case looksLikeCode(s) && !ok[s] && !data.whole[s]:
					bad = append(bad, s+" (a raw key or code)")
				case lang != "en" && en[s] && !allowedSame(s, ok, data):
					bad = append(bad, s+" (as in English)")
				}
			}
			slices.Sort(bad)
			bad = slices.Compact(bad)
			if len(bad) > 0 {
				t.Errorf("%s (%s) in %s shows %d untranslated texts:\n\t%s", p.name, p.path, lang, len(bad), strings.Join(bad, "\n\t"))
			}
		}
	}
}

// demoIDs finds the documents, customer and run of the demo that the
// translation test's pages show.
func demoIDs(t *testing.T, svc *service.Service, p access.Principal) map[string]string {
	t.Helper()
	ctx := context.Background()
	ids := map[string]string{}
	find := func(name string, f service.InvoiceFilter, ok func(billing.Invoice) bool) {
		f.Page = service.Page{Limit: service.MaxLimit}
		page, err := svc.ListInvoices(ctx, p, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, inv := range page.Items {
			if inv, err = svc.GetInvoice(ctx, p, inv.ID); err != nil { // with its lines
				t.Fatal(err)
			}
			if ok(inv) {
				ids[name] = inv.ID
				return
			}
		}
		if len(page.Items) == 0 {
			t.Fatalf("the demo has no %s", name)
		}
		ids[name] = page.Items[0].ID
	}
	cs, err := svc.ListCustomers(ctx, p, service.CustomerFilter{Query: "C-1002"})
	if err != nil || len(cs.Items) != 1 {
		t.Fatalf("customer C-1002: %v %d", err, len(cs.Items))
	}
	ids["customer"] = cs.Items[0].ID
	withUnit := func(inv billing.Invoice) bool {
		return slices.ContainsFunc(inv.Lines, func(l billing.Line) bool { return l.Unit != "" && l.UnitPrice != nil })
	}
	find("issued", service.InvoiceFilter{Statuses: []billing.Status{billing.Open}, Kind: billing.KindInvoice}, withUnit)
	find("credit_note", service.InvoiceFilter{Kind: billing.KindCreditNote}, func(billing.Invoice) bool { return true })
	find("draft", service.InvoiceFilter{Statuses: []billing.Status{billing.Draft}}, withUnit)
	find("portal_invoice", service.InvoiceFilter{CustomerID: ids["customer"], Kind: billing.KindInvoice},
		func(inv billing.Invoice) bool { return !inv.Status.IsDraft() })
	runs, err := svc.ListBillingRuns(ctx, p)
	if err != nil || len(runs) == 0 {
		t.Fatalf("billing runs: %v %d", err, len(runs))
	}
	ids["run"] = runs[0].ID
	return ids
}

var (
	dropped  = regexp.MustCompile(`(?is)<(script|style|textarea)\b[^>]*>.*?</(script|style|textarea)>|<!--.*?-->|<![^>]*>`)
	tagRE    = regexp.MustCompile(`(?s)<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:[^>"']|"[^"]*"|'[^']*')*)>`)
	attrRE   = regexp.MustCompile(`([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*"([^"]*)"`)
	spacesRE = regexp.MustCompile(`\s+`)
	// codeRE matches raw catalog keys and codes: "monthly", "run.phase.done",
	// "invoice.status_changed".
	codeRE = regexp.MustCompile(`^[a-z][a-z0-9]*(?:[._-][a-z0-9]+)*$`)
	// idRE matches the ids of records ("inv_01m978s3j38y3ayx242ktd0p44").
	idRE = regexp.MustCompile(`^[a-z]{2,5}_[0-9a-z]{16,}$`)
	// urlRE matches addresses written on a page.
	urlRE = regexp.MustCompile(`https?://\S*`)
)

// visibleTexts lists the texts a reader sees on an HTML page: its text
// nodes and the attributes people see or hear (title, aria-label,
// placeholder, alt, data-confirm, a button's value). Form values and
// textareas, which hold what the user typed, are left out.
func visibleTexts(page string) []string {
	page = dropped.ReplaceAllString(page, " ")
	var out []string
	add := func(s string) {
		s = strings.TrimSpace(spacesRE.ReplaceAllString(html.UnescapeString(s), " "))
		if s != "" {
			out = append(out, s)
		}
	}
	last := 0
	for _, m := range tagRE.FindAllStringSubmatchIndex(page, -1) {
		add(page[last:m[0]])
		last = m[1]
		attrs := map[string]string{}
		for _, a := range attrRE.FindAllStringSubmatch(page[m[6]:m[7]], -1) {
			attrs[strings.ToLower(a[1])] = a[2]
		}
		for _, a := range []string{"title", "aria-label", "placeholder", "alt", "data-confirm"} {
			if v, ok := attrs[a]; ok {
				add(v)
			}
		}
		if tag := strings.ToLower(page[m[4]:m[5]]); tag == "input" {
			if typ := strings.ToLower(attrs["type"]); typ == "submit" || typ == "button" || typ == "reset" {
				add(attrs["value"])
			}
		}
	}
	add(page[last:])
	return out
}

// looksLikeCode reports whether s is written like a catalog key or a
// machine code rather than for people.
func looksLikeCode(s string) bool { return codeRE.MatchString(s) && !idRE.MatchString(s) }

// catalogTexts is every text the catalog gives in lang: a page may show it
// in that language even where it reads as in English ("Total", "IBAN").
func catalogTexts(lang string) map[string]bool {
	m := map[string]bool{}
	for _, k := range messages.Keys() {
		if s, ok := messages.Lookup(lang, k); ok {
			m[strings.TrimSpace(spacesRE.ReplaceAllString(s, " "))] = true
		}
	}
	return m
}

// allowedSame reports whether s may read the same in another language as
// in English: a text the catalog gives in that language, data someone typed
// (whole or as parts of s), or no words at all (numbers, dates, amounts,
// ids, codes in capitals such as EUR).
func allowedSame(s string, catalog map[string]bool, data *typed) bool {
	if catalog[s] || data.whole[s] || properNames[s] || fileFormats[s] || pendingTranslations[s] != "" {
		return true
	}
	rest := urlRE.ReplaceAllString(s, " ")
	for _, d := range data.long {
		if strings.Contains(rest, d) {
			rest = strings.ReplaceAll(rest, d, " ")
		}
	}
	for _, w := range strings.FieldsFunc(rest, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' }) {
		if !hasLower(w) || catalog[w] || data.whole[w] || properNames[w] {
			continue
		}
		return false
	}
	return true
}

// pendingTranslations are texts other parts of issue 16 translate (the
// server's error messages: messages/errors.go); remove a line once its text
// is translated.
var pendingTranslations = map[string]string{}

// fileFormats are what a file must hold, which people copy as it is: the
// header of a usage CSV.
var fileFormats = map[string]bool{"record_id,customer,sku,quantity,unit,period_start,period_end": true}

// properNames read alike in every language.
var properNames = map[string]bool{"Facturo": true, "Stripe": true, "Visa": true, "Mastercard": true, "Amex": true}

func hasLower(s string) bool {
	for _, r := range s {
		if unicode.IsLower(r) {
			return true
		}
	}
	return false
}

// typed is the data people typed, read from the database: whole values,
// and those long enough to be recognised inside a longer text.
type typed struct {
	whole map[string]bool
	long  []string // longest first
}

// typedTables hold what people typed (names, addresses, descriptions,
// reasons). Tables the system writes its own words into (the audit log,
// journal entries, wallet movements, notifications, billing runs) are left
// out: their texts must come from the catalog.
var typedTables = []string{"tenants", "customers", "users", "api_keys", "tax_codes", "tax_groups", "ledger_accounts",
	"number_series", "invoices", "invoice_lines", "reason_codes", "recurring_templates", "attachments", "products", "contracts",
	"contract_parts", "tickets", "time_entries", "sales_items", "payment_methods", "payments", "refunds", "wallet_grants",
	"subscriptions", "tenant_branding", "webhook_endpoints", "exchange_rates", "custom_field_defs", "invoice_charges"}

// codeColumns hold codes, not typed text, in whatever table: a page must
// show their labels.
var codeColumns = map[string]bool{"kind": true, "interval": true, "status": true, "method": true, "unit": true, "charge_type": true,
	"source": true, "phase": true, "action": true, "role": true, "language": true, "brand": true, "category": true, "type": true}

func typedData(t *testing.T, db *store.DB) *typed {
	t.Helper()
	d := &typed{whole: map[string]bool{}}
	var add func(v any)
	add = func(v any) {
		switch x := v.(type) {
		case []byte:
			add(string(x))
		case string:
			x = strings.TrimSpace(x)
			if x == "" {
				return
			}
			if x[0] == '{' || x[0] == '[' {
				var j any
				if json.Unmarshal([]byte(x), &j) == nil {
					add(j)
					return
				}
			}
			d.whole[spacesRE.ReplaceAllString(x, " ")] = true
		case map[string]any:
			for _, e := range x {
				add(e)
			}
		case []any:
			for _, e := range x {
				add(e)
			}
		}
	}
	queries := []string{
		// What a usage charge drawn from a wallet was for, and why credits were granted.
		"SELECT description FROM wallet_movements WHERE kind = 'draw'",
	}
	for _, table := range typedTables {
		queries = append(queries, "SELECT * FROM "+table)
	}
	for _, q := range queries {
		rows, err := db.SQL().Query(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				if !codeColumns[cols[i]] {
					add(v)
				}
			}
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	for s := range d.whole {
		if len([]rune(s)) >= 4 && hasLower(s) {
			d.long = append(d.long, s)
		}
	}
	sort.Slice(d.long, func(i, j int) bool { return len(d.long[i]) > len(d.long[j]) })
	return d
}

// TestEveryAuditActionHasALabel: each audit action the service records
// has a label in the catalog, so the audit trail reads in the reader's
// language (a new action without one fails here).
func TestEveryAuditActionHasALabel(t *testing.T) {
	t.Parallel()
	literal := regexp.MustCompile(`(?:usecase\.Entry|\.And)\("([a-z_]+\.[a-z_.]+)"|action :?= "([a-z_]+\.[a-z_.]+)"|"([a-z_]+\.[a-z_.]+)"\)\s*$`)
	found := map[string]bool{}
	err := filepath.WalkDir("../service", func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, line := range strings.Split(string(b), "\n") {
			for _, m := range literal.FindAllStringSubmatch(line, -1) {
				for _, a := range m[1:] {
					if a != "" && (strings.Contains(line, "Entry(") || strings.Contains(line, "And(") || strings.Contains(line, "action")) {
						found[a] = true
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Actions made of a prefix and a variable: the workflow's and the
	// subscription changes'.
	for _, a := range []string{"invoice.submitted", "invoice.approved", "invoice.rejected",
		"subscription.quantity", "subscription.pause", "subscription.resume", "subscription.cancel"} {
		found[a] = true
	}
	if len(found) < 50 {
		t.Fatalf("found only %d audit actions: the scan is broken", len(found))
	}
	for a := range found {
		if !messages.Has("audit." + a) {
			t.Errorf("audit action %s has no label (audit.%s in messages/labels.go)", a, a)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestSkippedGroupReasonTranslated: the reason a billing run left a group
// out for want of an exchange rate reads in the reader's language.
func TestSkippedGroupReasonTranslated(t *testing.T) {
	t.Parallel()
	e := testserver.New(t, store.SQLite)
	ctx := context.Background()
	sys := access.System(e.A.ID, "test")
	if _, err := e.Svc.CreateUser(ctx, sys, service.NewUser{Email: "fm@a.test", Name: "Fina", Role: "finance_manager", Language: "es", Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	desc, q, price, day, jpy := "Licences", "1", "1000", calendar.New(2026, 10, 15), "JPY"
	if _, err := e.Svc.CreateSalesItem(ctx, sys, service.SalesItemInput{CustomerID: &e.A.Other, Description: &desc, Quantity: &q,
		UnitPrice: &price, BillingDate: &day, Currency: &jpy}); err != nil {
		t.Fatal(err)
	}
	run, err := e.Svc.RunBilling(ctx, sys, calendar.New(2026, 10, 1), calendar.New(2026, 10, 31), false, nil, nil)
	if err != nil || len(run.GroupsSkipped) != 1 {
		t.Fatalf("run: %+v, %v", run, err)
	}
	c := newClient(t, e)
	c.login("fm@a.test")
	_, _, page := c.do(http.MethodGet, "/console/billing-runs/"+run.ID, nil)
	if !strings.Contains(page, "falta el tipo de cambio de JPY del 31/10/2026") || strings.Contains(page, "no exchange rate") {
		t.Errorf("the skipped group's reason is not in Spanish:\n%.3000s", page)
	}
}

// TestOutboxErrorTranslated: the outbox says in the reader's language why
// a message went nowhere (the customer has no billing email).
func TestOutboxErrorTranslated(t *testing.T) {
	t.Parallel()
	e := testserver.New(t, store.SQLite)
	ctx := context.Background()
	sys := access.System(e.A.ID, "test")
	if _, err := e.Svc.CreateUser(ctx, sys, service.NewUser{Email: "admin@a.test", Name: "Ada", Role: "administrator", Language: "pt-BR", Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	name, legal, cur := "Sem E-mail Ltda", "Sem E-mail Ltda", "EUR"
	cust, err := e.Svc.CreateCustomer(ctx, sys, service.CustomerInput{Name: &name, Billing: &service.BillingInput{LegalName: &legal, Currency: &cur,
		Address: &billing.Address{Line1: "Rua 1", City: "Lisboa", Country: "PT"}}})
	if err != nil {
		t.Fatal(err)
	}
	lines := []service.LineInput{{Description: "Consultoria", Quantity: ptr("1"), UnitPrice: ptr("100")}}
	inv, err := e.Svc.CreateInvoice(ctx, sys, service.InvoiceInput{CustomerID: &cust.ID, Lines: &lines})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Svc.UpdateInvoiceStatus(ctx, sys, inv.ID, service.StatusChange{Status: "open", Notify: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, e)
	c.login("admin@a.test")
	_, _, page := c.do(http.MethodGet, "/console/settings", nil)
	if !strings.Contains(page, "Sem destinatário: o cliente não tem e-mail de faturamento") || strings.Contains(page, service.OutboxNoRecipient) {
		t.Errorf("the outbox does not say in Portuguese that the message had no recipient:\n%s", page[strings.Index(page, "outbox"):])
	}
}
