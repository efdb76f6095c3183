package web

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/customfield"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/web/form"
	"github.com/facturo/facturo/web/format"
	"github.com/facturo/facturo/web/pager"
)

// The account billing dashboard of seed 003, for a customer in the portal
// (/portal/account) and for staff on a customer's page
// (/console/customers/{id}): billing information, payment methods, the
// wallet, subscriptions and the transaction history.

func (h *Handler) registerAccount(mux *http.ServeMux) {
	for _, area := range []struct {
		prefix string
		guard  func(http.HandlerFunc) http.HandlerFunc
	}{{"/portal/account", h.customer}, {"/console/customers/{id}", h.staff}} {
		mux.HandleFunc("POST "+area.prefix+"/cards", area.guard(h.cardAdd))
		mux.HandleFunc("POST "+area.prefix+"/cards/setup", area.guard(h.cardSetup))
		mux.HandleFunc("POST "+area.prefix+"/cards/{mid}/primary", area.guard(h.cardPrimary))
		mux.HandleFunc("POST "+area.prefix+"/cards/{mid}/remove", area.guard(h.cardRemove))
		mux.HandleFunc("POST "+area.prefix+"/wallet/funds", area.guard(h.walletFunds))
		mux.HandleFunc("POST "+area.prefix+"/wallet", area.guard(h.walletSave))
	}
	h.registerCustomers(mux)
	mux.HandleFunc("POST /portal/invoices/{id}/pay", h.customer(h.invoicePay))
	mux.HandleFunc("POST /console/invoices/{id}/pay", h.staff(h.invoicePay))
}

// accountTarget is the customer a dashboard request is about and where its page is.
func accountTarget(r *http.Request) (customerID, page string) {
	p := access.FromContext(r.Context())
	if p.IsCustomer() {
		return p.CustomerID, "/portal/account"
	}
	id := r.PathValue("id")
	return id, "/console/customers/" + url.PathEscape(id)
}

type accountData struct {
	D           service.Dashboard
	Base        string // where the forms post
	InvoiceBase string
	Portal      bool
	CanBilling  bool
	CanCards    bool
	CanWallet   bool // add funds and auto-recharge
	CanOpen     bool // open a wallet (staff)
	CanDetails  bool // change the account's header (staff who may write customers)
	Years       []int
	// The page of the transaction history shown, and its pager.
	Transactions []service.Transaction
	TxPager      pager.Pager
	// Provider is the card processor ("test", "stripe"): Stripe's cards
	// are entered in Stripe.js's field, with its publishable key.
	Provider       string
	PublishableKey string
	// The form whose save failed, with what was typed in it.
	form.Account
	Billing *form.Customer // the billing information form
	Details *form.Customer // the header form, for CanDetails
	// InvoiceAccount is the bill-to account's number and name, when it is
	// another customer.
	InvoiceAccount string
	// CustomFields are the customer's custom fields under their labels.
	CustomFields []customfield.Labeled
}

// txPageSize is the number of transactions a page of the history shows.
const txPageSize = 20

// StripeJS is where the card form loads Stripe.js from: Stripe requires
// its own copy, never a bundled one.
const StripeJS = "https://js.stripe.com/v3/"

func (h *Handler) loadAccount(r *http.Request) (*accountData, error) {
	ctx := r.Context()
	p := access.FromContext(ctx)
	cid, base := accountTarget(r)
	d, err := h.svc.GetDashboard(ctx, p, cid)
	if err != nil {
		return nil, err
	}
	portal := p.IsCustomer()
	a := &accountData{D: d, Base: base, Portal: portal, InvoiceBase: "/console/invoices",
		CanBilling: portal || can(p, access.WriteBillingInfo), CanCards: portal || can(p, access.ManagePayments),
		CanWallet: portal || can(p, access.ManageWallets), CanOpen: !portal && can(p, access.ManageWallets),
		Provider: h.svc.PaymentProviderName(), PublishableKey: h.svc.PaymentProviderKey(),
		CanDetails: !portal && can(p, access.WriteCustomers)}
	if portal {
		a.InvoiceBase = "/portal/invoices"
	}
	// The dashboard holds the latest transactions (a few hundred at most):
	// they are paged here.
	pg, lo, hi := pager.Slice(base, nil, r.URL.Query(), "tx_page", "#transactions", txPageSize, len(d.Transactions))
	a.Transactions, a.TxPager = d.Transactions[lo:hi], pg
	a.CustomFields = h.customFieldsOf(r, customfield.Customer, d.Customer.CustomFields)
	y := h.today(r).Year
	for i := range 11 {
		a.Years = append(a.Years, y+i)
	}
	if id := d.Customer.InvoiceAccountID; id != "" && id != d.Customer.ID && !portal {
		if acct, err := h.svc.GetCustomer(ctx, p, id); err == nil {
			a.InvoiceAccount = acct.Number + " · " + acct.Name
		}
	}
	if err := h.fillAccountForms(r, a); err != nil {
		return nil, err
	}
	return a, nil
}

func (h *Handler) accountPage(w http.ResponseWriter, r *http.Request) {
	a, err := h.loadAccount(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	section := "customers"
	if a.Portal {
		section = "account"
	}
	h.render(w, r, "account", http.StatusOK, h.newView(r, section, a.D.Customer.Name, a))
}

// accountError shows the dashboard again with the error of a form.
func (h *Handler) accountError(w http.ResponseWriter, r *http.Request, err error) {
	a, lerr := h.loadAccount(r)
	if lerr != nil {
		h.fail(w, r, err)
		return
	}
	section := "customers"
	if a.Portal {
		section = "account"
	}
	v := h.newView(r, section, a.D.Customer.Name, a)
	v.failed(r, err)
	h.render(w, r, "account", statusOf(r, err), v)
}

func (h *Handler) accountDone(w http.ResponseWriter, r *http.Request, ok, anchor string) {
	_, base := accountTarget(r)
	redirect(w, r, base+"?ok="+ok+"#"+anchor)
}

// cardAdd keeps a card: a test card number typed into the form, or the
// pm_… id Stripe.js sent back after confirming the SetupIntent (Stripe
// never sends Facturo the card itself; the service refuses a card number
// when the provider is not the test one).
func (h *Handler) cardAdd(w http.ResponseWriter, r *http.Request) {
	p := access.FromContext(r.Context())
	cid, _ := accountTarget(r)
	month, _ := strconv.Atoi(r.PostFormValue("exp_month"))
	year, _ := strconv.Atoi(r.PostFormValue("exp_year"))
	card := strings.ReplaceAll(strings.ReplaceAll(r.PostFormValue("card"), " ", ""), "-", "")
	if pm := strings.TrimSpace(r.PostFormValue("payment_method_id")); pm != "" && card == "" {
		card = pm
	}
	_, err := h.svc.AddPaymentMethod(r.Context(), p, cid, service.NewPaymentMethod{Card: card, ExpMonth: month, ExpYear: year,
		Primary: r.PostFormValue("primary") != "", IdempotencyKey: r.PostFormValue("key")})
	if err != nil {
		h.accountError(w, r, err)
		return
	}
	h.accountDone(w, r, "card_added", "payment-methods")
}

// cardSetup answers the card form's script with what it needs to take a
// card with the provider's own script, as JSON: the provider, its
// publishable key and a client secret (Stripe: a SetupIntent's). A refusal
// is {"error": message} with the error's status.
func (h *Handler) cardSetup(w http.ResponseWriter, r *http.Request) {
	cid, _ := accountTarget(r)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	setup, err := h.svc.SetupCard(r.Context(), access.FromContext(r.Context()), cid)
	if err != nil {
		w.WriteHeader(statusOf(r, err))
		_ = json.NewEncoder(w).Encode(map[string]string{"error": errorText(r, err)})
		return
	}
	_ = json.NewEncoder(w).Encode(setup)
}

func (h *Handler) cardPrimary(w http.ResponseWriter, r *http.Request) {
	cid, _ := accountTarget(r)
	if _, err := h.svc.SetPrimaryPaymentMethod(r.Context(), access.FromContext(r.Context()), cid, r.PathValue("mid")); err != nil {
		h.accountError(w, r, err)
		return
	}
	h.accountDone(w, r, "saved", "payment-methods")
}

func (h *Handler) cardRemove(w http.ResponseWriter, r *http.Request) {
	cid, _ := accountTarget(r)
	if err := h.svc.RemovePaymentMethod(r.Context(), access.FromContext(r.Context()), cid, r.PathValue("mid")); err != nil {
		h.accountError(w, r, err)
		return
	}
	h.accountDone(w, r, "card_removed", "payment-methods")
}

func (h *Handler) walletFunds(w http.ResponseWriter, r *http.Request) {
	cid, _ := accountTarget(r)
	if _, err := h.svc.AddFunds(r.Context(), access.FromContext(r.Context()), cid, r.PostFormValue("amount")); err != nil {
		h.accountError(w, r, err)
		return
	}
	h.accountDone(w, r, "funds_added", "wallet")
}

// walletSave opens a wallet (staff) or changes automatic recharge.
func (h *Handler) walletSave(w http.ResponseWriter, r *http.Request) {
	p := access.FromContext(r.Context())
	cid, _ := accountTarget(r)
	var in service.WalletInput
	if r.PostFormValue("open") != "" {
		if cur := r.PostFormValue("currency"); cur != "" {
			in.Currency = &cur
		}
	} else {
		on := r.PostFormValue("auto_recharge") != ""
		threshold, amount := r.PostFormValue("recharge_threshold"), r.PostFormValue("recharge_amount")
		in.AutoRecharge, in.RechargeThreshold, in.RechargeAmount = &on, &threshold, &amount
	}
	if _, err := h.svc.SaveWallet(r.Context(), p, cid, in); err != nil {
		h.accountError(w, r, err)
		return
	}
	h.accountDone(w, r, "saved", "wallet")
}

// invoicePay charges the primary card for an invoice's balance.
func (h *Handler) invoicePay(w http.ResponseWriter, r *http.Request) {
	p := access.FromContext(r.Context())
	id := r.PathValue("id")
	base := "/console/invoices/"
	if p.IsCustomer() {
		base = "/portal/invoices/"
	}
	if _, err := h.svc.PayInvoice(r.Context(), p, id, r.PostFormValue("amount"), r.PostFormValue("key")); err != nil {
		d, lerr := h.loadInvoicePage(r, id, strings.TrimSuffix(base, "/"))
		if lerr != nil {
			h.fail(w, r, err)
			return
		}
		v := h.newView(r, "invoices", T(infoFrom(r.Context()).lang, "invoice.title")+" "+format.InvoiceLabel(d.Inv), d)
		v.failed(r, err)
		h.render(w, r, "invoice", statusOf(r, err), v)
		return
	}
	redirect(w, r, base+url.PathEscape(id)+"?ok=paid")
}

// formKey is a fresh idempotency key for a form that charges a card, so a
// double submit charges once.
func formKey() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "web-" + hex.EncodeToString(b)
}
