package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/customfield"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/messages"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/tax"
	"github.com/facturo/facturo/web/form"
	"github.com/facturo/facturo/web/format"
)

func can(p access.Principal, perm access.Permission) bool { return p.Require(perm) == nil }

// editorData is the invoice editor's page: the form as typed or stored,
// and the choices and preview it shows.
type editorData struct {
	form.Invoice
	Languages               []string
	Customers               []billing.Customer
	SalesGroups, ItemGroups []tax.Group
	Preview                 *billing.Invoice
	PreviewErr              string
	// PreviewErrs are the preview's field errors, each named by its label
	// ("Line 2 · Quantity") rather than its API path.
	PreviewErrs []fail.FieldError
	ChargeTypes []string
	// CustomFields are the inputs of the invoice's custom fields, under
	// their labels (customfields.go).
	CustomFields []form.CustomFieldInput
}

var chargeTypes = []string{"one_time", "recurring", "usage", "time"}

// taxGroups fills d's sales and item sales tax groups for the selects.
func (h *Handler) taxGroups(r *http.Request, d *editorData) {
	groups, err := h.svc.ListTaxGroups(r.Context(), access.FromContext(r.Context()))
	if err != nil {
		return
	}
	for _, g := range groups {
		if g.Kind == tax.SalesGroup {
			d.SalesGroups = append(d.SalesGroups, g)
		} else {
			d.ItemGroups = append(d.ItemGroups, g)
		}
	}
}

func (h *Handler) editorCustomers(r *http.Request) []billing.Customer {
	page, err := h.svc.ListCustomers(r.Context(), access.FromContext(r.Context()), service.CustomerFilter{Page: service.Page{Limit: service.MaxLimit}, Sort: "name"})
	if err != nil {
		return nil
	}
	return page.Items
}

func (h *Handler) invoiceNew(w http.ResponseWriter, r *http.Request) {
	lang := infoFrom(r.Context()).lang
	d := &editorData{Invoice: form.Invoice{CustomerID: r.URL.Query().Get("customer"), Lines: form.BlankLines(0, 3)}, Customers: h.editorCustomers(r), ChargeTypes: chargeTypes}
	h.taxGroups(r, d)
	h.customerDefaults(r, d)
	d.CustomFields = h.customFieldInputs(r, customfield.Invoice, nil)
	h.render(w, r, "editor", http.StatusOK, h.newView(r, "invoices", T(lang, "editor.new"), d))
}

// customerDefaults prefills the header fields the customer gives a new
// draft (bill-to account, payment terms, language) as the service computes
// them: a preview of a draft of d's customer without lines.
func (h *Handler) customerDefaults(r *http.Request, d *editorData) {
	d.Languages = messages.Languages
	if d.CustomerID == "" {
		return
	}
	cid := d.CustomerID
	inv, err := h.svc.PreviewInvoice(r.Context(), access.FromContext(r.Context()), service.InvoiceInput{CustomerID: &cid})
	if err != nil {
		return // the preview names what is wrong once lines are entered
	}
	d.InvoiceAccountID, d.Language = inv.InvoiceAccountID, inv.Language
	d.PaymentTermsDays = strconv.Itoa(inv.PaymentTermsDays)
	if inv.MethodOfPayment != "" { // the customer's, where it has one
		d.MethodOfPayment = inv.MethodOfPayment
	}
}

// invoiceDefaults answers the editor's header fields for the customer just
// chosen (htmx swaps them in): the customer's bill-to account, terms and
// language, and the other fields as the user left them.
func (h *Handler) invoiceDefaults(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := &editorData{Invoice: form.Invoice{CustomerID: q.Get("customer_id"), MethodOfPayment: q.Get("method_of_payment"),
		CashDiscountDate: q.Get("cash_discount_date"), CashDiscountPct: q.Get("cash_discount_percent"), HoldUntil: q.Get("hold_until")},
		Customers: h.editorCustomers(r)}
	h.customerDefaults(r, d)
	h.fragment(w, r, "editor", "defaults", http.StatusOK, h.newView(r, "invoices", "", d))
}

func (h *Handler) invoiceEdit(w http.ResponseWriter, r *http.Request) {
	p := access.FromContext(r.Context())
	inv, err := h.svc.GetInvoice(r.Context(), p, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !inv.Status.IsDraft() {
		h.fail(w, r, fail.Conflictf("invoice %s is %s: an issued document cannot be edited; correct it instead", inv.Number, inv.Status))
		return
	}
	d := &editorData{Invoice: form.Invoice{ID: inv.ID, CustomerID: inv.CustomerID, InvoiceDate: form.DateValue(inv.InvoiceDate),
		DueDate: form.DateValue(inv.DueDate), PeriodStart: form.DateValue(inv.PeriodStart), PeriodEnd: form.DateValue(inv.PeriodEnd),
		Currency: inv.Currency, Provider: inv.Provider, Notes: inv.Notes, InvoiceAccountID: inv.InvoiceAccountID,
		PaymentTermsDays: strconv.Itoa(inv.PaymentTermsDays), MethodOfPayment: inv.MethodOfPayment,
		CashDiscountDate: form.DateValue(inv.CashDiscountDate), HoldUntil: form.DateValue(inv.HoldUntil), Language: inv.Language},
		Customers: h.editorCustomers(r), ChargeTypes: chargeTypes, Preview: &inv, Languages: messages.Languages}
	if !inv.CashDiscountPct.IsZero() {
		d.CashDiscountPct = inv.CashDiscountPct.String()
	}
	h.taxGroups(r, d)
	if len(inv.Lines) > 0 {
		d.SalesTaxGroup = inv.Lines[0].SalesTaxGroup
	}
	if !inv.ExchangeRate.IsZero() && !inv.ExchangeRate.Equal(decimal.NewFromInt(1)) {
		d.ExchangeRate = inv.ExchangeRate.String()
	}
	for i, l := range inv.Lines {
		el := form.Line{Index: i, Description: l.Description, Unit: l.Unit, ChargeType: string(l.ChargeType), Account: l.Account,
			ItemSalesTaxGroup: l.ItemSalesTaxGroup, ProductID: l.ProductID, Computed: l.Amount.Format(infoFrom(r.Context()).lang), Svc: i}
		if l.SalesTaxGroup != d.SalesTaxGroup {
			el.SalesTaxGroup = l.SalesTaxGroup // its own; the others take the document's
		}
		if l.AmountOnly() {
			el.Amount = l.Amount.Decimal().String() // as entered
		} else {
			el.Quantity, el.UnitPrice = format.Decimal(l.Quantity), l.UnitPrice.Decimal().String()
		}
		d.Lines = append(d.Lines, el)
	}
	d.Lines = append(d.Lines, form.BlankLines(len(d.Lines), 2)...)
	d.CustomFields = h.customFieldInputs(r, customfield.Invoice, inv.CustomFields)
	lang := infoFrom(r.Context()).lang
	h.render(w, r, "editor", http.StatusOK, h.newView(r, "invoices", T(lang, "editor.edit")+" "+format.InvoiceLabel(inv), d))
}

// parseEditor reads the editor form (form.ParseInvoice) into the editor's
// page and the service's input.
func parseEditor(r *http.Request) (*editorData, service.InvoiceInput, error) {
	fi, in, err := form.ParseInvoice(r)
	if fi == nil {
		return nil, in, err
	}
	return &editorData{Invoice: *fi, ChargeTypes: chargeTypes, Languages: messages.Languages}, in, err
}

func (h *Handler) invoicePreview(w http.ResponseWriter, r *http.Request) {
	p := access.FromContext(r.Context())
	lang := infoFrom(r.Context()).lang
	d, in, err := parseEditor(r)
	if err == nil {
		if id := r.PostFormValue("id"); id != "" {
			// Editing: the customer comes from the draft (its select is disabled).
			if inv, gerr := h.svc.GetInvoice(r.Context(), p, id); gerr == nil {
				cid := inv.CustomerID
				in.CustomerID = &cid
			}
		}
		if in.CustomerID == nil || *in.CustomerID == "" {
			err = fail.Field("customer_id", "choose a customer")
		}
	}
	if err == nil {
		var inv billing.Invoice
		inv, err = h.svc.PreviewInvoice(r.Context(), p, in)
		if err == nil {
			d.Preview = &inv
		}
	}
	if err != nil {
		if d.PreviewErrs = fieldErrors(r.Context(), err); len(d.PreviewErrs) > 0 {
			for i := range d.PreviewErrs {
				d.PreviewErrs[i].Field = form.InvoiceFieldLabel(lang, d.PreviewErrs[i].Field)
			}
		} else {
			d.PreviewErr = errorText(r, err)
		}
	}
	v := h.newView(r, "invoices", T(lang, "editor.totals"), d)
	h.fragment(w, r, "editor", "totals", http.StatusOK, v)
}

func (h *Handler) invoiceLineRow(w http.ResponseWriter, r *http.Request) {
	i, _ := strconv.Atoi(r.URL.Query().Get("i"))
	if i < 0 || i > billing.MaxLines {
		i = 0
	}
	d := &editorData{Invoice: form.Invoice{Lines: form.BlankLines(i, 1)}, ChargeTypes: chargeTypes}
	h.taxGroups(r, d)
	h.fragment(w, r, "editor", "newline", http.StatusOK, h.newView(r, "invoices", "", d))
}

func (h *Handler) invoiceCreate(w http.ResponseWriter, r *http.Request) {
	p := access.FromContext(r.Context())
	d, in, err := parseEditor(r)
	if err == nil {
		var inv billing.Invoice
		inv, err = h.svc.CreateInvoice(r.Context(), p, in)
		if err == nil {
			redirect(w, r, "/console/invoices/"+url.PathEscape(inv.ID)+"?ok=saved")
			return
		}
	}
	h.editorError(w, r, d, err, "editor.new")
}

func (h *Handler) invoiceSave(w http.ResponseWriter, r *http.Request) {
	p := access.FromContext(r.Context())
	d, in, err := parseEditor(r)
	if err == nil {
		var inv billing.Invoice
		inv, err = h.svc.UpdateInvoice(r.Context(), p, r.PathValue("id"), in)
		if err == nil {
			redirect(w, r, "/console/invoices/"+url.PathEscape(inv.ID)+"?ok=saved")
			return
		}
	}
	h.editorError(w, r, d, err, "editor.edit")
}

func (h *Handler) editorError(w http.ResponseWriter, r *http.Request, d *editorData, err error, titleKey string) {
	if d == nil {
		h.fail(w, r, err)
		return
	}
	lang := infoFrom(r.Context()).lang
	d.Customers = h.editorCustomers(r)
	h.taxGroups(r, d)
	d.Lines = append(d.Lines, form.BlankLines(len(d.Lines), 1)...)
	d.CustomFields = h.customFieldInputs(r, customfield.Invoice, d.Posted)
	v := h.newView(r, "invoices", T(lang, titleKey), d)
	v.failed(r, err)
	status := statusOf(r, err)
	h.render(w, r, "editor", status, v)
}
