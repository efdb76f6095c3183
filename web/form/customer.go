package form

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/tax"
)

// HeaderFields are the form names of a customer's header (seed 004 and the
// external references of seed 000), in the order the form shows them.
var HeaderFields = []string{"number", "name", "invoice_account_id", "payment_terms_days", "method_of_payment", "credit_limit",
	"sales_tax_group", "posting_profile", "sap_id", "billing_contract_number", "sales_account_executive"}

// BillingFields are the form names of the billing information.
var BillingFields = []string{"legal_name", "tax_id", "email", "currency", "language", "line1", "line2", "city", "postal_code", "region", "country"}

// Customer is the customer form as the page shows it: what is stored,
// or after a failed save what the user typed, and the choices it offers.
type Customer struct {
	Action   string
	New      bool
	Values   map[string]string
	Accounts []billing.Customer // other customers that may be the bill-to account
	Groups   []tax.Group        // the tenant's sales tax groups
	Profiles []ledger.PostingProfile
	SelfID   string
	// CustomFields are the inputs of the customer's custom fields, under
	// their labels.
	CustomFields []CustomFieldInput
}

// V is the value of the form field name.
func (f *Customer) V(name string) string { return f.Values[name] }

// CustomerValues are the form values of c.
func CustomerValues(c billing.Customer) map[string]string {
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

// PostedValues are the values of fields as the user typed them.
func PostedValues(r *http.Request, fields ...[]string) map[string]string {
	out := map[string]string{}
	for _, fs := range fields {
		for _, k := range fs {
			out[k] = r.PostFormValue(k)
		}
	}
	return out
}

// CustomerHeader reads the header fields of the customer form. Payment terms
// that are not a whole number go to the service as out of range, so its
// one rule names them together with every other field at fault.
func CustomerHeader(r *http.Request) service.CustomerInput {
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
	in.CustomFields = PostedCustomFields(r.PostForm)
	return in
}

// CustomerBilling reads the billing information form.
func CustomerBilling(r *http.Request) service.CustomerInput {
	f := func(k string) *string { v := strings.TrimSpace(r.PostFormValue(k)); return &v }
	addr := billing.Address{Line1: r.PostFormValue("line1"), Line2: r.PostFormValue("line2"), City: r.PostFormValue("city"),
		PostalCode: r.PostFormValue("postal_code"), Region: r.PostFormValue("region"), Country: strings.ToUpper(strings.TrimSpace(r.PostFormValue("country")))}
	return service.CustomerInput{Billing: &service.BillingInput{LegalName: f("legal_name"), Address: &addr, TaxID: f("tax_id"),
		Email: f("email"), Language: f("language"), Currency: f("currency")}}
}

// Pick is the part of m named by keys.
func Pick(m map[string]string, keys []string) map[string]string {
	out := make(map[string]string, len(keys))
	for k, v := range m {
		if slices.Contains(keys, k) {
			out[k] = v
		}
	}
	return out
}
