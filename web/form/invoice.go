package form

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/messages"
	"github.com/facturo/facturo/service"
)

// Invoice is the invoice editor's form (seed 004) as typed or stored.
type Invoice struct {
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
	Lines                                               []Line
	Charges                                             []ChargeRow       // the posted charges section
	Posted                                              map[string]string // the custom fields as typed, for a failed save
}

// Line is one row of the free-text invoice editor (seed 004).
type Line struct {
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

// BlankLines are n blank rows of the editor, numbered from from.
func BlankLines(from, n int) []Line {
	out := make([]Line, n)
	for i := range out {
		out[i] = Line{Index: from + i, ChargeType: "one_time", Svc: -1}
	}
	return out
}

// ParseInvoice reads the editor form into the service's input. Lines left
// blank are skipped; a line with an amount and no quantity or price is
// entered by amount (seed 004). A line's sales tax group is its own, else
// the document's, else (neither chosen) the customer's.
func ParseInvoice(r *http.Request) (*Invoice, service.InvoiceInput, error) {
	if err := r.ParseForm(); err != nil {
		return nil, service.InvoiceInput{}, fail.Field("form", "could not read the form")
	}
	f := r.PostForm
	d := &Invoice{ID: r.PathValue("id"), CustomerID: f.Get("customer_id"), InvoiceDate: f.Get("invoice_date"), DueDate: f.Get("due_date"),
		PeriodStart: f.Get("period_start"), PeriodEnd: f.Get("period_end"), Currency: f.Get("currency"), Provider: f.Get("provider"),
		Notes: f.Get("notes"), ExchangeRate: f.Get("exchange_rate"), SalesTaxGroup: strings.TrimSpace(f.Get("sales_tax_group")),
		InvoiceAccountID: f.Get("invoice_account_id"), PaymentTermsDays: strings.TrimSpace(f.Get("payment_terms_days")),
		MethodOfPayment: f.Get("method_of_payment"), CashDiscountDate: f.Get("cash_discount_date"),
		CashDiscountPct: strings.TrimSpace(f.Get("cash_discount_percent")), HoldUntil: f.Get("hold_until"), Language: f.Get("language")}
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
		el := Line{Index: i, Description: at(desc, i), Quantity: at(qty, i), UnitPrice: at(price, i), Amount: at(amount, i),
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
	d.Charges = ParseCharges(f, &in)
	if cf := PostedCustomFields(f); cf != nil {
		in.CustomFields, d.Posted = cf, *cf
	}
	return d, in, c.Err()
}

// invoiceFields are the catalog keys of the labels of the editor's fields,
// by the field names of the service's errors.
var invoiceFields = map[string]string{
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

// InvoiceFieldLabel is how the editor names a field of the service's errors:
// its label, with the line's number for a line's field ("Line 2 ·
// Quantity"); a field the editor has no label for keeps its name.
func InvoiceFieldLabel(lang, field string) string {
	if key, ok := invoiceFields[field]; ok {
		return messages.Text(lang, key)
	}
	if m := linePath.FindStringSubmatch(field); m != nil {
		n, _ := strconv.Atoi(m[1])
		label := m[2]
		if key, ok := invoiceFields[label]; ok {
			label = messages.Text(lang, key)
		}
		return messages.Format(lang, "editor.line_n", n+1) + " · " + label
	}
	return field
}

// DateValue writes a stored date as a form value: "" when zero.
func DateValue(d calendar.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}
