package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/customfield"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/messages"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/tax"
)

func can(p access.Principal, perm access.Permission) bool { return p.Require(perm) == nil }

// editorLine is one row of the free-text invoice editor (seed 004).
type editorLine struct {
	Index                                          int
	Description, Quantity, UnitPrice, Amount, Unit string
	ChargeType, Account                            string
	SalesTaxGroup, ItemSalesTaxGroup, ProductID    string
	Computed                                       string
	// Svc is the line's index in the service's input (blank rows are
	// skipped), which names its errors ("lines[Svc].quantity"); -1 for a
	// blank row.
	Svc int
}

type editorData struct {
	ID                               string // empty for a new draft
	CustomerID, InvoiceDate, DueDate string
	PeriodStart, PeriodEnd, Currency string
	Provider, Notes, ExchangeRate    string
	// SalesTaxGroup is the document's sales tax group, given to every
	// line without its own; empty takes the customer's (seed 004).
	SalesTaxGroup string
	// The header fields of seed 004: the bill-to account (another customer
	// who pays), payment terms, method of payment, cash discount, hold and
	// language. Empty takes the customer's where the domain does.
	InvoiceAccountID, PaymentTermsDays, MethodOfPayment string
	CashDiscountDate, CashDiscountPct, HoldUntil        string
	Language                                            string
	Languages                                           []string
	Lines                                               []editorLine
	Customers                                           []billing.Customer
	SalesGroups, ItemGroups                             []tax.Group
	Preview                                             *billing.Invoice
	PreviewErr                                          string
	// PreviewErrs are the preview's field errors, each named by its label
	// ("Line 2 · Quantity") rather than its API path.
	PreviewErrs []fail.FieldError
	ChargeTypes []string
	Charges     []chargeRow // the posted charges section (charges.go)
	// CustomFields are the inputs of the invoice's custom fields, under
	// their labels (customfields.go).
	CustomFields []customFieldInput
	posted       map[string]string // the custom fields as typed, for a failed save
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

func blankLines(from, n int) []editorLine {
	out := make([]editorLine, n)
	for i := range out {
		out[i] = editorLine{Index: from + i, ChargeType: "one_time", Svc: -1}
	}
	return out
}

func (h *Handler) invoiceNew(w http.ResponseWriter, r *http.Request) {
	lang := infoFrom(r.Context()).lang
	d := &editorData{CustomerID: r.URL.Query().Get("customer"), Lines: blankLines(0, 3), Customers: h.editorCustomers(r), ChargeTypes: chargeTypes}
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
}

// invoiceDefaults answers the editor's header fields for the customer just
// chosen (htmx swaps them in): the customer's bill-to account, terms and
// language, and the other fields as the user left them.
func (h *Handler) invoiceDefaults(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := &editorData{CustomerID: q.Get("customer_id"), Customers: h.editorCustomers(r), MethodOfPayment: q.Get("method_of_payment"),
		CashDiscountDate: q.Get("cash_discount_date"), CashDiscountPct: q.Get("cash_discount_percent"), HoldUntil: q.Get("hold_until")}
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
	d := &editorData{ID: inv.ID, CustomerID: inv.CustomerID, InvoiceDate: dateOrEmpty(inv.InvoiceDate), DueDate: dateOrEmpty(inv.DueDate),
		PeriodStart: dateOrEmpty(inv.PeriodStart), PeriodEnd: dateOrEmpty(inv.PeriodEnd), Currency: inv.Currency, Provider: inv.Provider,
		Notes: inv.Notes, Customers: h.editorCustomers(r), ChargeTypes: chargeTypes, Preview: &inv,
		InvoiceAccountID: inv.InvoiceAccountID, PaymentTermsDays: strconv.Itoa(inv.PaymentTermsDays), MethodOfPayment: inv.MethodOfPayment,
		CashDiscountDate: dateOrEmpty(inv.CashDiscountDate), HoldUntil: dateOrEmpty(inv.HoldUntil), Language: inv.Language,
		Languages: messages.Languages}
	if !inv.CashDiscountPct.IsZero() {
		d.CashDiscountPct = inv.CashDiscountPct.String()
	}
	h.taxGroups(r, d)
	if len(inv.Lines) > 0 {
		d.SalesTaxGroup = inv.Lines[0].SalesTaxGroup
	}
	if !inv.ExchangeRate.IsZero() && !inv.ExchangeRate.Equal(one) {
		d.ExchangeRate = inv.ExchangeRate.String()
	}
	for i, l := range inv.Lines {
		el := editorLine{Index: i, Description: l.Description, Unit: l.Unit, ChargeType: string(l.ChargeType), Account: l.Account,
			ItemSalesTaxGroup: l.ItemSalesTaxGroup, ProductID: l.ProductID, Computed: l.Amount.Format(infoFrom(r.Context()).lang), Svc: i}
		if l.SalesTaxGroup != d.SalesTaxGroup {
			el.SalesTaxGroup = l.SalesTaxGroup // its own; the others take the document's
		}
		if l.AmountOnly() {
			el.Amount = l.Amount.Decimal().String() // as entered
		} else {
			el.Quantity, el.UnitPrice = decString(l.Quantity), l.UnitPrice.Decimal().String()
		}
		d.Lines = append(d.Lines, el)
	}
	d.Lines = append(d.Lines, blankLines(len(d.Lines), 2)...)
	d.CustomFields = h.customFieldInputs(r, customfield.Invoice, inv.CustomFields)
	lang := infoFrom(r.Context()).lang
	h.render(w, r, "editor", http.StatusOK, h.newView(r, "invoices", T(lang, "editor.edit")+" "+invoiceLabel(inv), d))
}

// parseEditor reads the editor form into the service's input. Lines left
// blank are skipped; a line with an amount and no quantity or price is
// entered by amount (seed 004). A line's sales tax group is its own, else
// the document's, else (neither chosen) the customer's.
func parseEditor(r *http.Request) (*editorData, service.InvoiceInput, error) {
	if err := r.ParseForm(); err != nil {
		return nil, service.InvoiceInput{}, fail.Field("form", "could not read the form")
	}
	f := r.PostForm
	d := &editorData{ID: r.PathValue("id"), CustomerID: f.Get("customer_id"), InvoiceDate: f.Get("invoice_date"), DueDate: f.Get("due_date"),
		PeriodStart: f.Get("period_start"), PeriodEnd: f.Get("period_end"), Currency: f.Get("currency"), Provider: f.Get("provider"),
		Notes: f.Get("notes"), ExchangeRate: f.Get("exchange_rate"), SalesTaxGroup: strings.TrimSpace(f.Get("sales_tax_group")), ChargeTypes: chargeTypes,
		InvoiceAccountID: f.Get("invoice_account_id"), PaymentTermsDays: strings.TrimSpace(f.Get("payment_terms_days")),
		MethodOfPayment: f.Get("method_of_payment"), CashDiscountDate: f.Get("cash_discount_date"),
		CashDiscountPct: strings.TrimSpace(f.Get("cash_discount_percent")), HoldUntil: f.Get("hold_until"), Language: f.Get("language"),
		Languages: messages.Languages}
	var in service.InvoiceInput
	var c fail.Collector
	str := func(s string) *string { return &s }
	if d.ID == "" {
		in.CustomerID = str(d.CustomerID)
	}
	date := func(field, v string) *calendar.Date {
		if v == "" {
			return nil
		}
		dt, err := calendar.Parse(v)
		if err != nil {
			c.Add(field, "%v", err)
			return nil
		}
		return &dt
	}
	in.InvoiceDate = date("invoice_date", d.InvoiceDate)
	in.DueDate = date("due_date", d.DueDate)
	in.PeriodStart = date("period_start", d.PeriodStart)
	in.PeriodEnd = date("period_end", d.PeriodEnd)
	if d.Currency != "" {
		in.Currency = str(strings.ToUpper(strings.TrimSpace(d.Currency)))
	}
	if d.ExchangeRate != "" {
		in.ExchangeRate = str(d.ExchangeRate)
	}
	in.Provider = str(d.Provider)
	in.Notes = str(d.Notes)
	// The header fields: a cleared date or percent clears the draft's.
	in.InvoiceAccountID = str(d.InvoiceAccountID)
	if d.PaymentTermsDays != "" {
		n, err := strconv.Atoi(d.PaymentTermsDays)
		if err != nil {
			c.Add("payment_terms_days", "must be a whole number of days")
		} else {
			in.PaymentTermsDays = &n
		}
	}
	in.MethodOfPayment = str(d.MethodOfPayment)
	none := calendar.Date{}
	in.CashDiscountDate, in.HoldUntil = &none, &none
	if dt := date("cash_discount_date", d.CashDiscountDate); dt != nil {
		in.CashDiscountDate = dt
	}
	if dt := date("hold_until", d.HoldUntil); dt != nil {
		in.HoldUntil = dt
	}
	in.CashDiscountPct = str("0")
	if d.CashDiscountPct != "" {
		in.CashDiscountPct = str(d.CashDiscountPct)
	}
	in.Language = str(d.Language)
	desc, qty, price, amount := f["line_description"], f["line_quantity"], f["line_unit_price"], f["line_amount"]
	unit, charge, account := f["line_unit"], f["line_charge_type"], f["line_account"]
	salesGroup, itemGroup, product := f["line_sales_tax_group"], f["line_item_sales_tax_group"], f["line_product_id"]
	at := func(s []string, i int) string {
		if i < len(s) {
			return strings.TrimSpace(s[i])
		}
		return ""
	}
	lines := []service.LineInput{}
	for i := range desc {
		el := editorLine{Index: i, Description: at(desc, i), Quantity: at(qty, i), UnitPrice: at(price, i), Amount: at(amount, i),
			Unit: at(unit, i), ChargeType: at(charge, i), Account: at(account, i), SalesTaxGroup: at(salesGroup, i),
			ItemSalesTaxGroup: at(itemGroup, i), ProductID: at(product, i), Svc: -1}
		if el.Description == "" && el.Quantity == "" && el.UnitPrice == "" && el.Amount == "" {
			d.Lines = append(d.Lines, el)
			continue
		}
		el.Svc = len(lines)
		d.Lines = append(d.Lines, el)
		li := service.LineInput{Description: el.Description, Unit: el.Unit, ChargeType: el.ChargeType, Account: el.Account,
			ItemSalesTaxGroup: el.ItemSalesTaxGroup, ProductID: el.ProductID}
		switch {
		case el.SalesTaxGroup != "":
			li.SalesTaxGroup = str(el.SalesTaxGroup)
		case d.SalesTaxGroup != "":
			li.SalesTaxGroup = str(d.SalesTaxGroup)
		}
		if el.Amount != "" && el.Quantity == "" && el.UnitPrice == "" {
			li.Amount = str(el.Amount)
		} else {
			li.Quantity, li.UnitPrice = str(el.Quantity), str(el.UnitPrice)
		}
		lines = append(lines, li)
	}
	in.Lines = &lines
	d.Charges = parseCharges(f, &in)
	if cf := postedCustomFields(f); cf != nil {
		in.CustomFields, d.posted = cf, *cf
	}
	return d, in, c.Err()
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
				d.PreviewErrs[i].Field = editorFieldLabel(lang, d.PreviewErrs[i].Field)
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
	d := &editorData{ChargeTypes: chargeTypes, Lines: blankLines(i, 1)}
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
	d.Lines = append(d.Lines, blankLines(len(d.Lines), 1)...)
	d.CustomFields = h.customFieldInputs(r, customfield.Invoice, d.posted)
	v := h.newView(r, "invoices", T(lang, titleKey), d)
	v.failed(r, err)
	status := statusOf(r, err)
	h.render(w, r, "editor", status, v)
}

// editorFields are the catalog keys of the labels of the editor's fields,
// by the field names of the service's errors.
var editorFields = map[string]string{
	"customer_id": "col.customer", "invoice_date": "invoice.date", "due_date": "invoice.due_date", "period_start": "period.start",
	"period_end": "period.end", "currency": "currency", "exchange_rate": "exchange_rate", "provider": "col.provider", "notes": "notes",
	"invoice_account_id": "editor.bill_to", "payment_terms_days": "invoice.terms", "method_of_payment": "invoice.method",
	"cash_discount_date": "editor.cash_discount_date", "cash_discount_percent": "editor.cash_discount_pct",
	"hold_until": "editor.hold_until", "language": "language",
	"description": "line.description", "quantity": "line.quantity", "unit": "line.unit", "unit_price": "line.price",
	"amount": "line.amount", "charge_type": "line.charge_type", "account": "line.account", "sales_tax_group": "editor.tax_group",
	"item_sales_tax_group": "line.item_tax_group",
}

var linePath = regexp.MustCompile(`^lines\[(\d+)\]\.([a-z_]+)$`)

// editorFieldLabel is how the editor names a field of the service's errors:
// its label, with the line's number for a line's field ("Line 2 ·
// Quantity"); a field the editor has no label for keeps its name.
func editorFieldLabel(lang, field string) string {
	if key, ok := editorFields[field]; ok {
		return T(lang, key)
	}
	if m := linePath.FindStringSubmatch(field); m != nil {
		n, _ := strconv.Atoi(m[1])
		label := m[2]
		if key, ok := editorFields[label]; ok {
			label = T(lang, key)
		}
		return Tf(lang, "editor.line_n", n+1) + " · " + label
	}
	return field
}
