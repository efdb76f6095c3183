package web

import (
	"net/http"
	"net/url"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/customfield"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/tax"
	"github.com/facturo/facturo/web/form"
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

// loadCustomerForm fills the choices of the customer form for customer
// self ("" for a new one).
func (h *Handler) loadCustomerForm(r *http.Request, self string, values map[string]string) (*form.Customer, error) {
	ctx := r.Context()
	p := access.FromContext(ctx)
	f := &form.Customer{Values: values, SelfID: self, Action: "/console/customers/new", New: self == ""}
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
	Form *form.Customer
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
	f.CustomFields = h.customFieldInputs(r, customfield.Customer, form.PostedCustomValues(r.PostForm))
	v := h.newView(r, "customers", T(infoFrom(r.Context()).lang, "customer.new"), &customerNewData{Form: f})
	status := http.StatusOK
	if failure != nil {
		v.failed(r, failure)
		status = statusOf(r, failure)
	}
	h.render(w, r, "customernew", status, v)
}

func (h *Handler) customerCreate(w http.ResponseWriter, r *http.Request) {
	in := form.CustomerHeader(r)
	bin := form.CustomerBilling(r)
	in.Billing = bin.Billing
	c, err := h.svc.CreateCustomer(r.Context(), access.FromContext(r.Context()), in)
	if err != nil {
		h.showCustomerNew(w, r, form.PostedValues(r, form.HeaderFields, form.BillingFields), err)
		return
	}
	redirect(w, r, "/console/customers/"+url.PathEscape(c.ID)+"?ok=customer_created")
}

// customerSave changes the header of a customer from its page.
func (h *Handler) customerSave(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := h.svc.UpdateCustomer(r.Context(), access.FromContext(r.Context()), id, form.CustomerHeader(r)); err != nil {
		h.accountError(w, r, err)
		return
	}
	redirect(w, r, "/console/customers/"+url.PathEscape(id)+"?ok=saved#details")
}

// fillAccountForms prepares the billing and header forms of the account
// page, with the posted values of the form that failed.
func (h *Handler) fillAccountForms(r *http.Request, a *accountData) error {
	a.Account = form.PostedAccount(r)
	c := a.D.Customer
	stored := form.CustomerValues(c)
	bill := form.Pick(stored, form.BillingFields)
	if a.Failed == "billing" {
		bill = form.PostedValues(r, form.BillingFields)
	}
	a.Billing = &form.Customer{Values: bill, Action: a.Base + "/billing"}
	if a.Portal || !a.CanDetails {
		return nil
	}
	head := form.Pick(stored, form.HeaderFields)
	if a.Failed == "details" {
		head = form.PostedValues(r, form.HeaderFields)
	}
	f, err := h.loadCustomerForm(r, c.ID, head)
	if err != nil {
		return err
	}
	custom := c.CustomFields
	if a.Failed == "details" {
		custom = form.PostedCustomValues(r.PostForm)
	}
	f.CustomFields = h.customFieldInputs(r, customfield.Customer, custom)
	a.Details = f
	return nil
}
