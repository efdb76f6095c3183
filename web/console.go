package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/documents"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/tax"
	"github.com/facturo/facturo/web/form"
	"github.com/facturo/facturo/web/format"
	"github.com/facturo/facturo/web/pager"
)

func (h *Handler) registerConsoleMore(mux *http.ServeMux) {
	mux.HandleFunc("GET /console/sales-items", h.staff(h.salesItems))
	mux.HandleFunc("GET /console/customers", h.staff(h.customers))
	mux.HandleFunc("GET /console/customers/{id}", h.staff(h.accountPage))
	mux.HandleFunc("POST /console/customers/{id}/billing", h.staff(h.customerBilling))
	mux.HandleFunc("GET /console/billing-runs", h.staff(h.billingRuns))
	mux.HandleFunc("POST /console/billing-runs", h.staff(h.billingRunStart))
	mux.HandleFunc("GET /console/billing-runs/{id}", h.staff(h.billingRun))
	mux.HandleFunc("GET /console/ledger", h.staff(h.ledgerPage))
	mux.HandleFunc("GET /console/settings", h.staff(h.settings))
	mux.HandleFunc("POST /console/settings/users", h.staff(h.userCreate))
	mux.HandleFunc("POST /console/settings/api-keys", h.staff(h.apiKeyCreate))
	mux.HandleFunc("POST /console/settings/api-keys/{id}/revoke", h.staff(h.apiKeyRevoke))
	mux.HandleFunc("POST /console/settings/tenant", h.staff(h.tenantSave))
	mux.HandleFunc("POST /console/settings/outbox/{id}/retry", h.staff(h.outboxRetry))
	mux.HandleFunc("POST /console/settings/webhooks", h.staff(h.webhookCreate))
	mux.HandleFunc("POST /console/settings/webhooks/{id}/enabled", h.staff(h.webhookEnabled))
	mux.HandleFunc("POST /console/settings/webhooks/{id}/delete", h.staff(h.webhookDelete))
	h.registerSettings(mux)
	h.registerSalesItems(mux)
}

type salesItemsData struct {
	form.SalesItems // the filter as typed
	Rows            []billing.SalesItem
	Drafts          []billing.Customer // customers whose items wait for billing information (seed 002)
	Pager           pager.Pager
	Statuses        []billing.ItemStatus
	Sources         []billing.Source
	Sorts           []string
	Names           map[string]string
	Import          *usageResult
	CanManage       bool
}

func (h *Handler) salesItems(w http.ResponseWriter, r *http.Request) {
	h.salesItemsWith(w, r, nil, nil)
}

// salesItemsWith renders the sales items page, with a usage import's
// report or error when there is one.
func (h *Handler) salesItemsWith(w http.ResponseWriter, r *http.Request, imp *usageResult, impErr error) {
	ctx := r.Context()
	p := access.FromContext(ctx)
	q := r.URL.Query()
	lang := infoFrom(ctx).lang
	fq, f, dateErr := form.ParseSalesItems(q, lang)
	d := &salesItemsData{SalesItems: fq, Statuses: billing.ItemStatuses, Sources: billing.Sources, Sorts: service.SalesItemSorts,
		Names: map[string]string{}, Import: imp, CanManage: can(p, access.ManageSalesItems)}
	var c fail.Collector
	if strings.TrimSpace(d.Customer) != "" {
		cu, err := h.resolveCustomer(ctx, p, "customer", d.Customer)
		if err != nil {
			c.Merge("", err)
		} else {
			d.CustomerID = cu.ID
		}
	}
	f.CustomerID = d.CustomerID
	c.Merge("", dateErr)
	v := h.newView(r, "sales_items", T(lang, "nav.sales_items"), d)
	err := c.Err()
	var page service.PageOf[billing.SalesItem]
	if err == nil {
		page, err = h.svc.ListSalesItems(ctx, p, f)
	}
	if err != nil {
		if fail.CodeOf(err) != fail.Invalid {
			h.fail(w, r, err)
			return
		}
		v.failed(r, err)
		h.render(w, r, "salesitems", statusOf(r, err), v)
		return
	}
	if impErr != nil {
		v.failed(r, impErr)
	}
	d.Rows = page.Items
	seen := map[string]bool{}
	for _, si := range page.Items {
		if _, ok := d.Names[si.CustomerID]; !ok {
			if cu, err := h.svc.GetCustomer(ctx, p, si.CustomerID); err == nil {
				d.Names[si.CustomerID] = cu.Name
				if si.Status == billing.ItemDraft && !seen[cu.ID] && !cu.HasBillingInfo {
					seen[cu.ID] = true
					d.Drafts = append(d.Drafts, cu)
				}
			} else {
				d.Names[si.CustomerID] = si.CustomerID
			}
		}
	}
	d.Pager = pager.Keyset("/console/sales-items", d.Values, q, "cursor", f.Page.Limit, len(page.Items), page.Next)
	status := http.StatusOK
	if impErr != nil {
		status = statusOf(r, impErr)
	}
	h.render(w, r, "salesitems", status, v)
}

type customersData struct {
	Rows      []billing.Customer
	CanCreate bool // may create customers
	Q         string
	Pager     pager.Pager
}

func (h *Handler) customers(w http.ResponseWriter, r *http.Request) {
	p := access.FromContext(r.Context())
	q := r.URL.Query()
	page, err := h.svc.ListCustomers(r.Context(), p, service.CustomerFilter{Query: q.Get("q"), Page: service.Page{Limit: 50, Cursor: q.Get("cursor")}})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := &customersData{Rows: page.Items, Q: q.Get("q"), CanCreate: can(p, access.WriteCustomers)}
	d.Pager = pager.Keyset("/console/customers", url.Values{"q": {d.Q}}, q, "cursor", 50, len(page.Items), page.Next)
	h.render(w, r, "customers", http.StatusOK, h.newView(r, "customers", T(infoFrom(r.Context()).lang, "nav.customers"), d))
}

func (h *Handler) customerBilling(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := h.svc.UpdateCustomer(r.Context(), access.FromContext(r.Context()), id, form.CustomerBilling(r)); err != nil {
		h.accountError(w, r, err)
		return
	}
	redirect(w, r, "/console/customers/"+url.PathEscape(id)+"?ok=saved#billing")
}

type runsData struct {
	Runs     []service.BillingRun
	Run      *service.BillingRun
	From     string
	To       string
	Issue    bool // issue the invoices (as typed after a failed start)
	CanRates bool // may add the exchange rates a run lacked
	// Timing of the run shown: how long it has run (or took) and, while
	// it runs, about how long is left.
	Elapsed, Left string
}

func (h *Handler) billingRuns(w http.ResponseWriter, r *http.Request) {
	h.showBillingRuns(w, r, nil)
}

// showBillingRuns shows the runs and the start form; after a failed start
// (failure), the form keeps what was typed and shows each error at its field.
func (h *Handler) showBillingRuns(w http.ResponseWriter, r *http.Request, failure error) {
	p := access.FromContext(r.Context())
	runs, err := h.svc.ListBillingRuns(r.Context(), p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	tr, _ := calendar.Preset("month_to_date", h.today(r))
	prev := tr.From.AddMonths(-1)
	d := &runsData{Runs: runs, From: prev.String(), To: tr.From.AddDays(-1).String()}
	v := h.newView(r, "billing_runs", T(infoFrom(r.Context()).lang, "nav.billing_runs"), d)
	status := http.StatusOK
	if failure != nil {
		d.From, d.To, d.Issue = r.PostFormValue("from"), r.PostFormValue("to"), r.PostFormValue("issue") != ""
		v.failed(r, failure)
		status = statusOf(r, failure)
	}
	h.render(w, r, "billingruns", status, v)
}

func (h *Handler) billingRunStart(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := access.FromContext(ctx)
	from, ferr := calendar.Parse(r.PostFormValue("from"))
	to, terr := calendar.Parse(r.PostFormValue("to"))
	var c fail.Collector
	if ferr != nil {
		c.Add("from", "%q is not a date such as 2026-01-31", r.PostFormValue("from"))
	}
	if terr != nil {
		c.Add("to", "%q is not a date such as 2026-01-31", r.PostFormValue("to"))
	}
	if err := c.Err(); err != nil {
		h.showBillingRuns(w, r, err)
		return
	}
	issue := r.PostFormValue("issue") != ""
	started := make(chan service.BillingRun, 1)
	errc := make(chan error, 1)
	go func() {
		// The run outlives the request: it is durable work any node can resume.
		once := false
		_, err := h.svc.RunBilling(context.WithoutCancel(ctx), p, from, to, issue, nil, func(run service.BillingRun) {
			if !once {
				once = true
				started <- run
			}
		})
		if !once {
			errc <- err
		}
	}()
	select {
	case run := <-started:
		redirect(w, r, "/console/billing-runs/"+url.PathEscape(run.ID))
	case err := <-errc:
		if err != nil {
			if fail.Is(err, fail.Invalid) {
				h.showBillingRuns(w, r, err)
				return
			}
			h.fail(w, r, err)
			return
		}
		redirect(w, r, "/console/billing-runs?ok=run_done")
	}
}

func (h *Handler) billingRun(w http.ResponseWriter, r *http.Request) {
	p := access.FromContext(r.Context())
	run, err := h.svc.GetBillingRun(r.Context(), p, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := &runsData{Run: &run, CanRates: can(p, access.ManageExchangeRates)}
	d.Elapsed, d.Left = format.RunTiming(run, h.svc.Now())
	v := h.newView(r, "billing_runs", T(infoFrom(r.Context()).lang, "run.title"), d)
	if r.Header.Get("HX-Request") != "" {
		h.fragment(w, r, "billingrun", "progress", http.StatusOK, v)
		return
	}
	h.render(w, r, "billingrun", http.StatusOK, v)
}

type ledgerData struct {
	AsOf     string
	Balances []ledger.Balance
	Aging    service.AgingPage
	Buckets  []string
	After    string // the page's first customer follows this id
	// The trial balance's totals row (ok when there are balances).
	Debits, Credits money.Amount
	HasTotals       bool
	Pager           pager.Pager // the aging's customers
}

// ledgerPage shows the trial balance and one page of the receivables
// aging; both read the ledger summaries, so the page costs the same with
// any number of invoices.
func (h *Handler) ledgerPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := access.FromContext(ctx)
	q := r.URL.Query()
	asOf := h.today(r)
	if s := q.Get("as_of"); s != "" {
		d, err := calendar.Parse(s)
		if err != nil {
			h.fail(w, r, fail.Field("as_of", "%v", err))
			return
		}
		asOf = d
	}
	tb, err := h.svc.TrialBalance(ctx, p, asOf)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	aging, err := h.svc.ReceivablesAgingPage(ctx, p, asOf, q.Get("after"), 50)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := &ledgerData{AsOf: asOf.String(), Balances: tb, Aging: aging, Buckets: service.AgingBuckets, After: q.Get("after")}
	for i, b := range tb {
		if i == 0 {
			d.Debits, d.Credits, d.HasTotals = b.Debit, b.Credit, true
			continue
		}
		d.Debits, d.Credits = d.Debits.MustAdd(b.Debit), d.Credits.MustAdd(b.Credit)
	}
	d.Pager = pager.Keyset("/console/ledger", url.Values{"as_of": {d.AsOf}}, q, "after", 50, len(aging.Customers), aging.Next)
	h.render(w, r, "ledger", http.StatusOK, h.newView(r, "ledger", T(infoFrom(ctx).lang, "nav.ledger"), d))
}

type settingsData struct {
	Tenant      billing.Tenant
	TaxCodes    []tax.Code
	Series      map[string]string
	ReasonCodes []billing.ReasonCode
	Users       []access.User
	Keys        []access.APIKey
	NewSecret   string
	Roles       []access.Role
	CanTenant   bool
	CanUsers    bool
	CanKeys     bool
	Outbox      []service.Notification
	Webhooks    []service.WebhookEndpoint
	NewHook     *service.WebhookEndpoint // just created: its secret is shown once
	CanOutbox   bool
	CanRetry    bool
	CanWebhooks bool
	// The exchange-rate table: every staff role reads it, the ledger roles
	// edit it.
	ExchangeRates []service.ExchangeRate
	CanReadRates  bool
	CanRates      bool
	RateForm      form.Rate
	// The edit forms (settings.go): what they show, which one failed
	// ("tax", "series:invoice", "user:usr_…", …) and the section to open.
	TaxForm     form.Tax
	ReasonForm  form.Reason
	Branding    documents.Branding // without the logo bytes
	HasLogo     bool
	LogoVersion string // changes with the logo, so the preview is fetched again
	Accounts    []ledger.Account
	Categories  []tax.Category
	StaffRoles  []access.Role
	Me          string // the signed-in user's id: no disabling or demoting yourself
	Failed      string
	Form        *form.Errors // of the failed form, shared with the page's view
	Open        string
	settingsConfig
}

// Err is the message for field when form is the one that failed, or "".
func (d *settingsData) Err(form, field string) string {
	if d.Failed != form {
		return ""
	}
	return d.Form.Err(field)
}

func (h *Handler) loadSettings(r *http.Request) *settingsData {
	ctx := r.Context()
	p := access.FromContext(ctx)
	d := &settingsData{Roles: access.Roles, CanTenant: can(p, access.ManageTenant), CanUsers: can(p, access.ManageUsers), CanKeys: can(p, access.ManageAPIKeys)}
	d.Tenant, _ = h.svc.GetTenant(ctx, p)
	d.TaxCodes, _ = h.svc.ListTaxCodes(ctx, p)
	d.Series, _ = h.svc.ListSeries(ctx, p)
	d.ReasonCodes, _ = h.svc.ListReasonCodes(ctx, p)
	if d.CanUsers {
		d.Users, _ = h.svc.ListUsers(ctx, p)
	}
	if d.CanKeys {
		d.Keys, _ = h.svc.ListAPIKeys(ctx, p)
	}
	d.CanOutbox, d.CanRetry, d.CanWebhooks = can(p, access.ReadNotifications), can(p, access.RetryEmail), can(p, access.ManageWebhooks)
	if d.CanOutbox {
		if page, err := h.svc.ListOutbox(ctx, p, service.OutboxFilter{Page: service.Page{Limit: 50}}); err == nil {
			d.Outbox = page.Items
		}
	}
	if d.CanWebhooks {
		d.Webhooks, _ = h.svc.ListWebhookEndpoints(ctx, p)
	}
	d.CanReadRates, d.CanRates = can(p, access.ReadExchangeRates), can(p, access.ManageExchangeRates)
	if d.CanReadRates {
		d.ExchangeRates, _ = h.svc.ListExchangeRates(ctx, p, service.ExchangeRateFilter{})
	}
	h.loadSettingsConfig(r, d)
	h.settingsForms(r, d)
	return d
}

func (h *Handler) settings(w http.ResponseWriter, r *http.Request) {
	d := h.loadSettings(r)
	h.render(w, r, "settings", http.StatusOK, h.newView(r, "settings", T(infoFrom(r.Context()).lang, "nav.settings"), d))
}

func (h *Handler) settingsError(w http.ResponseWriter, r *http.Request, err error) {
	v := h.newView(r, "settings", T(infoFrom(r.Context()).lang, "nav.settings"), h.loadSettings(r))
	v.failed(r, err)
	h.render(w, r, "settings", statusOf(r, err), v)
}

func (h *Handler) userCreate(w http.ResponseWriter, r *http.Request) {
	p := access.FromContext(r.Context())
	_, err := h.svc.CreateUser(r.Context(), p, service.NewUser{Email: r.PostFormValue("email"), Name: r.PostFormValue("name"),
		Role: r.PostFormValue("role"), CustomerID: r.PostFormValue("customer_id"), Password: r.PostFormValue("password"), Language: r.PostFormValue("language")})
	if err != nil {
		h.settingsError(w, r, err)
		return
	}
	redirect(w, r, "/console/settings?ok=saved#users")
}

func (h *Handler) apiKeyCreate(w http.ResponseWriter, r *http.Request) {
	p := access.FromContext(r.Context())
	k, err := h.svc.CreateAPIKey(r.Context(), p, service.NewAPIKey{Name: r.PostFormValue("name"), Role: r.PostFormValue("role"), CustomerID: r.PostFormValue("customer_id")})
	if err != nil {
		h.settingsError(w, r, err)
		return
	}
	// The secret is shown once, on this response only.
	d := h.loadSettings(r)
	d.NewSecret = k.Secret
	h.render(w, r, "settings", http.StatusOK, h.newView(r, "settings", T(infoFrom(r.Context()).lang, "nav.settings"), d))
}

func (h *Handler) apiKeyRevoke(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.RevokeAPIKey(r.Context(), access.FromContext(r.Context()), r.PathValue("id")); err != nil {
		h.settingsError(w, r, err)
		return
	}
	redirect(w, r, "/console/settings?ok=saved#api-keys")
}

func (h *Handler) tenantSave(w http.ResponseWriter, r *http.Request) {
	p := access.FromContext(r.Context())
	s := func(k string) *string { v := r.PostFormValue(k); return &v }
	_, err := h.svc.UpdateTenant(r.Context(), p, service.TenantPatch{Name: s("name"), LegalName: s("legal_name"), TaxID: s("tax_id"), Language: s("language")})
	if err != nil {
		h.settingsError(w, r, err)
		return
	}
	redirect(w, r, "/console/settings?ok=saved")
}

// today is the tenant's civil date.
func (h *Handler) today(r *http.Request) calendar.Date {
	loc := time.UTC
	if t, err := h.svc.GetTenant(r.Context(), access.FromContext(r.Context())); err == nil {
		loc = t.Location()
	}
	return calendar.Today(h.svc.Now(), loc)
}

func (h *Handler) outboxRetry(w http.ResponseWriter, r *http.Request) {
	if _, err := h.svc.RetryNotification(r.Context(), access.FromContext(r.Context()), r.PathValue("id")); err != nil {
		h.settingsError(w, r, err)
		return
	}
	redirect(w, r, "/console/settings?ok=saved#outbox")
}

func (h *Handler) webhookCreate(w http.ResponseWriter, r *http.Request) {
	p := access.FromContext(r.Context())
	u, desc := r.PostFormValue("url"), r.PostFormValue("description")
	var events []string
	for _, e := range strings.Split(r.PostFormValue("events"), ",") {
		if e = strings.TrimSpace(e); e != "" {
			events = append(events, e)
		}
	}
	hook, err := h.svc.CreateWebhookEndpoint(r.Context(), p, service.WebhookEndpointInput{URL: &u, Description: &desc, Events: events})
	if err != nil {
		h.settingsError(w, r, err)
		return
	}
	d := h.loadSettings(r)
	d.NewHook = &hook
	h.render(w, r, "settings", http.StatusOK, h.newView(r, "settings", T(infoFrom(r.Context()).lang, "nav.settings"), d))
}

func (h *Handler) webhookEnabled(w http.ResponseWriter, r *http.Request) {
	on := r.PostFormValue("enabled") == "1"
	if _, err := h.svc.UpdateWebhookEndpoint(r.Context(), access.FromContext(r.Context()), r.PathValue("id"), service.WebhookEndpointInput{Enabled: &on}); err != nil {
		h.settingsError(w, r, err)
		return
	}
	redirect(w, r, "/console/settings?ok=saved#webhooks")
}

func (h *Handler) webhookDelete(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.DeleteWebhookEndpoint(r.Context(), access.FromContext(r.Context()), r.PathValue("id")); err != nil {
		h.settingsError(w, r, err)
		return
	}
	redirect(w, r, "/console/settings?ok=saved#webhooks")
}
