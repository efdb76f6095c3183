package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/customfield"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/tax"
)

// The customer forms of the console: a new customer
// (/console/customers/new) and the account's header on its page
// (/console/customers/{id}/edit), with seed 004's header fields and the
// billing information. Who may create or change what is the service's
// rule; the page offers the forms only to the roles it lets.

func (h *Handler) registerCustomers(mux *http.ServeMux) {
	mux.HandleFunc("GET /console/customers/new", h.staff(h.customerNew))
	mux.HandleFunc("POST /console/customers/new", h.staff(h.customerCreate))
	mux.HandleFunc("POST /console/customers/{id}/edit", h.staff(h.customerSave))
}

// headerFields are the form names of a customer's header (seed 004 and the
// external references of seed 000), in the order the form shows them.
var headerFields = []string{"number", "name", "invoice_account_id", "payment_terms_days", "method_of_payment", "credit_limit",
	"sales_tax_group", "posting_profile", "sap_id", "billing_contract_number", "sales_account_executive"}

// billingFields are the form names of the billing information.
var billingFields = []string{"legal_name", "tax_id", "email", "currency", "language", "line1", "line2", "city", "postal_code", "region", "country"}

// customerForm is the customer form as the page shows it: what is stored,
// or after a failed save what the user typed, and the choices it offers.
type customerForm struct {
	Action   string
	New      bool
	Values   map[string]string
	Accounts []billing.Customer // other customers that may be the bill-to account
	Groups   []tax.Group        // the tenant's sales tax groups
	Profiles []ledger.PostingProfile
	SelfID   string
	// CustomFields are the inputs of the customer's custom fields, under
	// their labels (customfields.go).
	CustomFields []customFieldInput
}

// V is the value of the form field name.
func (f *customerForm) V(name string) string { return f.Values[name] }

// customerValues are the form values of c.
func customerValues(c billing.Customer) map[string]string {
	b, a := c.Billing, c.Billing.Address
	limit := ""
	if !c.CreditLimit.IsZero() {
		limit = c.CreditLimit.Fixed()
	}
	return map[string]string{"number": c.Number, "name": c.Name, "invoice_account_id": c.InvoiceAccountID,
		"payment_terms_days": strconv.Itoa(c.PaymentTermsDays), "method_of_payment": c.MethodOfPayment, "credit_limit": limit,
		"sales_tax_group": c.SalesTaxGroup, "posting_profile": c.PostingProfile, "sap_id": c.SAPID,
		"billing_contract_number": c.BillingContractNumber, "sales_account_executive": c.SalesAccountExecutive,
		"legal_name": b.LegalName, "tax_id": b.TaxID, "email": b.Email, "currency": b.Currency, "language": b.Language,
		"line1": a.Line1, "line2": a.Line2, "city": a.City, "postal_code": a.PostalCode, "region": a.Region, "country": a.Country}
}

// postedValues are the values of fields as the user typed them.
func postedValues(r *http.Request, fields ...[]string) map[string]string {
	out := map[string]string{}
	for _, fs := range fields {
		for _, k := range fs {
			out[k] = r.PostFormValue(k)
		}
	}
	return out
}

// headerInput reads the header fields of the customer form. Payment terms
// that are not a whole number go to the service as out of range, so its
// one rule names them together with every other field at fault.
func headerInput(r *http.Request) service.CustomerInput {
	f := func(k string) *string { v := strings.TrimSpace(r.PostFormValue(k)); return &v }
	terms := -1
	if s := strings.TrimSpace(r.PostFormValue("payment_terms_days")); s == "" {
		terms = 0
	} else if n, err := strconv.Atoi(s); err == nil {
		terms = n
	}
	in := service.CustomerInput{Name: f("name"), InvoiceAccountID: f("invoice_account_id"), PaymentTermsDays: &terms,
		MethodOfPayment: f("method_of_payment"), CreditLimit: f("credit_limit"), SalesTaxGroup: f("sales_tax_group"),
		SAPID: f("sap_id"), BillingContractNumber: f("billing_contract_number"), SalesAccountExecutive: f("sales_account_executive")}
	if r.PostForm.Has("number") {
		in.Number = f("number")
	}
	if r.PostForm.Has("posting_profile") {
		in.PostingProfile = f("posting_profile")
	}
	in.CustomFields = postedCustomFields(r.PostForm)
	return in
}

// loadCustomerForm fills the choices of the customer form for customer
// self ("" for a new one).
func (h *Handler) loadCustomerForm(r *http.Request, self string, values map[string]string) (*customerForm, error) {
	ctx := r.Context()
	p := access.FromContext(ctx)
	f := &customerForm{Values: values, SelfID: self, Action: "/console/customers/new", New: self == ""}
	if self != "" {
		f.Action = "/console/customers/" + url.PathEscape(self) + "/edit"
	}
	page, err := h.svc.ListCustomers(ctx, p, service.CustomerFilter{Sort: "number", Page: service.Page{Limit: 200}})
	if err != nil {
		return nil, err
	}
	current := values["invoice_account_id"]
	found := current == ""
	for _, c := range page.Items {
		if c.ID == self {
			continue
		}
		found = found || c.ID == current
		f.Accounts = append(f.Accounts, c)
	}
	if !found {
		// The chosen account lies beyond the first page: offer it too.
		if c, err := h.svc.GetCustomer(ctx, p, current); err == nil {
			f.Accounts = append(f.Accounts, c)
		}
	}
	groups, err := h.svc.ListTaxGroups(ctx, p)
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		if g.Kind == tax.SalesGroup {
			f.Groups = append(f.Groups, g)
		}
	}
	// A choice only where the tenant has several profiles and the role may
	// read them.
	if profiles, err := h.svc.ListPostingProfiles(ctx, p); err == nil && len(profiles) > 1 {
		f.Profiles = profiles
	}
	return f, nil
}

type customerNewData struct {
	Form *customerForm
}

func (h *Handler) customerNew(w http.ResponseWriter, r *http.Request) {
	if err := access.FromContext(r.Context()).Require(access.WriteCustomers); err != nil {
		h.fail(w, r, err)
		return
	}
	values := map[string]string{"payment_terms_days": "30"}
	h.showCustomerNew(w, r, values, nil)
}

func (h *Handler) showCustomerNew(w http.ResponseWriter, r *http.Request, values map[string]string, failure error) {
	if failure != nil && !fail.Is(failure, fail.Invalid) {
		h.fail(w, r, failure)
		return
	}
	f, err := h.loadCustomerForm(r, "", values)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f.CustomFields = h.customFieldInputs(r, customfield.Customer, postedCustomValues(r.PostForm))
	v := h.newView(r, "customers", T(infoFrom(r.Context()).lang, "customer.new"), &customerNewData{Form: f})
	status := http.StatusOK
	if failure != nil {
		v.failed(r, failure)
		status = statusOf(r, failure)
	}
	h.render(w, r, "customernew", status, v)
}

func (h *Handler) customerCreate(w http.ResponseWriter, r *http.Request) {
	in := headerInput(r)
	bin := billingInput(r)
	in.Billing = bin.Billing
	c, err := h.svc.CreateCustomer(r.Context(), access.FromContext(r.Context()), in)
	if err != nil {
		h.showCustomerNew(w, r, postedValues(r, headerFields, billingFields), err)
		return
	}
	redirect(w, r, "/console/customers/"+url.PathEscape(c.ID)+"?ok=customer_created")
}

// customerSave changes the header of a customer from its page.
func (h *Handler) customerSave(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := h.svc.UpdateCustomer(r.Context(), access.FromContext(r.Context()), id, headerInput(r)); err != nil {
		h.accountError(w, r, err)
		return
	}
	redirect(w, r, "/console/customers/"+url.PathEscape(id)+"?ok=saved#details")
}

// accountForm is the form of the account page a request posted: its
// posted values are shown again after a failed save.
func accountForm(r *http.Request) string {
	if r.Method != http.MethodPost {
		return ""
	}
	p := r.URL.Path
	switch {
	case strings.HasSuffix(p, "/billing"):
		return "billing"
	case strings.HasSuffix(p, "/edit"):
		return "details"
	case strings.HasSuffix(p, "/cards"):
		return "card"
	case strings.HasSuffix(p, "/wallet/funds"):
		return "funds"
	case strings.HasSuffix(p, "/wallet"):
		return "recharge"
	}
	return ""
}

// Val is the value of field name of form: what the user typed when that
// form failed, else stored.
func (a *accountData) Val(form, name, stored string) string {
	if a.Failed == form && a.Posted != nil {
		return a.Posted.Get(name)
	}
	return stored
}

// Checked is whether checkbox name of form is ticked: as posted when the
// form failed, else stored.
func (a *accountData) Checked(form, name string, stored bool) bool {
	if a.Failed == form && a.Posted != nil {
		return a.Posted.Get(name) != ""
	}
	return stored
}

// fillAccountForms prepares the billing and header forms of the account
// page, with the posted values of the form that failed.
func (h *Handler) fillAccountForms(r *http.Request, a *accountData) error {
	a.Failed = accountForm(r)
	if a.Failed != "" {
		a.Posted = r.PostForm
	}
	c := a.D.Customer
	stored := customerValues(c)
	bill := maps(stored, billingFields)
	if a.Failed == "billing" {
		bill = postedValues(r, billingFields)
	}
	a.Billing = &customerForm{Values: bill, Action: a.Base + "/billing"}
	if a.Portal || !a.CanDetails {
		return nil
	}
	head := maps(stored, headerFields)
	if a.Failed == "details" {
		head = postedValues(r, headerFields)
	}
	f, err := h.loadCustomerForm(r, c.ID, head)
	if err != nil {
		return err
	}
	custom := c.CustomFields
	if a.Failed == "details" {
		custom = postedCustomValues(r.PostForm)
	}
	f.CustomFields = h.customFieldInputs(r, customfield.Customer, custom)
	a.Details = f
	return nil
}

// maps is the part of m named by keys.
func maps(m map[string]string, keys []string) map[string]string {
	out := make(map[string]string, len(keys))
	for k, v := range m {
		if slices.Contains(keys, k) {
			out[k] = v
		}
	}
	return out
}
