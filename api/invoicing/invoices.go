package invoicing

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/api/core"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service"
)

// LineSplit distributes a line over an account.
type LineSplit struct {
	Account string `json:"account"`
	Percent string `json:"percent" doc:"Percent of the line, e.g. \"60\"; a line's splits add up to 100."`
}

// InvoiceLine is an invoice line as the API shows it. Amounts are decimal strings.
type InvoiceLine struct {
	Position          int         `json:"position"`
	Description       string      `json:"description"`
	ProductID         string      `json:"product_id,omitempty"`
	Account           string      `json:"account"`
	SalesTaxGroup     string      `json:"sales_tax_group"`
	ItemSalesTaxGroup string      `json:"item_sales_tax_group"`
	Quantity          *string     `json:"quantity" doc:"null when the line was entered as an amount alone"`
	Unit              string      `json:"unit,omitempty"`
	UnitPrice         *string     `json:"unit_price"`
	Discount          string      `json:"discount"`
	Amount            string      `json:"amount"`
	ChargeType        string      `json:"charge_type"`
	ServiceStart      *core.Date  `json:"service_start" nullable:"true"`
	ServiceEnd        *core.Date  `json:"service_end" nullable:"true"`
	Distribution      []LineSplit `json:"distribution"`
	TaxCodes          []string    `json:"tax_codes"`
	TaxAmount         string      `json:"tax_amount"`
}

// TaxLine is the tax of one code on a document.
type TaxLine struct {
	Code                string `json:"code"`
	Name                string `json:"name"`
	Category            string `json:"category"`
	Rate                string `json:"rate"`
	ExemptionReason     string `json:"exemption_reason,omitempty"`
	ExemptionReasonCode string `json:"exemption_reason_code,omitempty"`
	Base                string `json:"base"`
	Amount              string `json:"amount"`
}

// Installment is one due date of a payment schedule.
type Installment struct {
	DueDate core.Date `json:"due_date"`
	Amount  string    `json:"amount"`
}

// Invoice is an invoice or credit note as the API shows it.
type Invoice struct {
	ID                  string            `json:"id"`
	Kind                string            `json:"kind" enum:"invoice,credit_note"`
	Status              string            `json:"status" enum:"draft,submitted,approved,open,past_due,closed,void"`
	AllowedStatuses     []string          `json:"allowed_statuses" doc:"The statuses this document may change to."`
	DocumentNumber      string            `json:"document_number" doc:"Assigned when the document is created."`
	Number              string            `json:"number" doc:"The legal number, assigned when issued."`
	CustomerID          string            `json:"customer_id"`
	InvoiceAccountID    string            `json:"invoice_account_id" doc:"The bill-to account."`
	BillTo              billing.Party     `json:"bill_to"`
	InvoiceDate         *core.Date        `json:"invoice_date"`
	DocumentDate        *core.Date        `json:"document_date"`
	DueDate             *core.Date        `json:"due_date"`
	CashDiscountDate    *core.Date        `json:"cash_discount_date" nullable:"true"`
	CashDiscountPercent string            `json:"cash_discount_percent"`
	CashDiscountAmount  string            `json:"cash_discount_amount" doc:"The cash discount: cash_discount_percent of the total, tax included, rounded to the currency. A payment by cash_discount_date of total less this amount settles the invoice."`
	PeriodStart         *core.Date        `json:"period_start" nullable:"true"`
	PeriodEnd           *core.Date        `json:"period_end" nullable:"true"`
	Currency            string            `json:"currency"`
	ExchangeRate        string            `json:"exchange_rate"`
	Provider            string            `json:"provider"`
	MethodOfPayment     string            `json:"method_of_payment"`
	PaymentTermsDays    int               `json:"payment_terms_days"`
	PaymentSchedule     []Installment     `json:"payment_schedule"`
	HoldUntil           *core.Date        `json:"hold_until" nullable:"true"`
	Language            string            `json:"language"`
	CustomFields        map[string]string `json:"custom_fields"`
	Notes               string            `json:"notes"`
	ExternalRefs        map[string]string `json:"external_refs"`
	Lines               []InvoiceLine     `json:"lines,omitempty"`
	Charges             []InvoiceCharge   `json:"charges,omitempty" doc:"Header charges (freight, a handling fee), each taxed like a line and posted to its own account; with the lines."`
	ChargeTotal         string            `json:"charge_total,omitempty" doc:"The sum of the charges, included in net; with the charges."`
	Taxes               []TaxLine         `json:"taxes"`
	Net                 string            `json:"net"`
	Tax                 string            `json:"tax"`
	Total               string            `json:"total"`
	Paid                string            `json:"paid"`
	Balance             string            `json:"balance"`
	TotalAccounting     string            `json:"total_accounting" doc:"Total in the tenant's accounting currency."`
	TaxMode             string            `json:"tax_mode"`
	OriginalID          string            `json:"original_id,omitempty" doc:"For a correction's credit note and replacement: the corrected invoice."`
	CreditNoteID        string            `json:"credit_note_id,omitempty" doc:"The credit note of the correction."`
	ReplacementID       string            `json:"replacement_id,omitempty" doc:"The corrected replacement draft."`
	CorrectionReason    string            `json:"correction_reason,omitempty"`
	CorrectionComment   string            `json:"correction_comment,omitempty"`
	TemplateID          string            `json:"template_id,omitempty" doc:"The recurring template that made this document."`
	TemplatePeriod      string            `json:"template_period,omitempty"`
	EntryID             string            `json:"entry_id,omitempty"`
	VoidEntryID         string            `json:"void_entry_id,omitempty"`
	CloseReason         string            `json:"close_reason,omitempty"`
	IssuedAt            *time.Time        `json:"issued_at,omitempty"`
	ClosedAt            *time.Time        `json:"closed_at,omitempty"`
	VoidedAt            *time.Time        `json:"voided_at,omitempty"`
	CreatedAt           time.Time         `json:"created_at"`
	UpdatedAt           time.Time         `json:"updated_at"`
}

// unitPrice renders a unit price with at least the currency's digits
// (money.Price); nil stays nil.
func unitPrice(p *money.UnitPrice) *string {
	if p == nil {
		return nil
	}
	s := p.String()
	return &s
}

// DocContext is what showing a document needs besides the document: the
// tenant's accounting currency and the status context of its next moves.
type DocContext struct {
	Accounting string
	Status     billing.StatusContext
}

// DocContextOf reads the document context of p's tenant.
func DocContextOf(ctx context.Context, svc *service.Service, p access.Principal) (DocContext, error) {
	sc, err := svc.InvoiceStatusContext(ctx, p)
	if err != nil {
		return DocContext{}, err
	}
	acc, err := core.Accounting(ctx, svc, p)
	return DocContext{Accounting: acc, Status: sc}, err
}

// invoiceBody answers a use case that returned one document: the document
// with its lines in the caller's document context, or the use case's error.
func (h *Handlers) invoiceBody(ctx context.Context, p access.Principal, inv billing.Invoice, err error) (*core.Body[Invoice], error) {
	if err != nil {
		return nil, err
	}
	dc, err := DocContextOf(ctx, h.Svc, p)
	if err != nil {
		return nil, err
	}
	return &core.Body[Invoice]{Body: InvoiceOut(inv, true, dc)}, nil
}

func decPtr(d *decimal.Decimal) *string {
	if d == nil {
		return nil
	}
	s := d.String()
	return &s
}

// InvoiceOut is a document as the API shows it: dc gives the accounting
// currency and the statuses it may change to now (the same guards the
// status change runs).
func InvoiceOut(inv billing.Invoice, withLines bool, dc DocContext) Invoice {
	cur := inv.Currency
	out := Invoice{ID: inv.ID, Kind: string(inv.Kind), Status: string(inv.Status), DocumentNumber: inv.DocumentNumber, Number: inv.Number,
		CustomerID: inv.CustomerID, InvoiceAccountID: inv.InvoiceAccountID, BillTo: inv.BillTo, InvoiceDate: core.DateOrNil(inv.InvoiceDate),
		DocumentDate: core.DateOrNil(inv.DocumentDate), DueDate: core.DateOrNil(inv.DueDate), CashDiscountDate: core.DateOrNil(inv.CashDiscountDate),
		CashDiscountPercent: inv.CashDiscountPct.String(), CashDiscountAmount: core.Fixed(inv.CashDiscount), PeriodStart: core.DateOrNil(inv.PeriodStart), PeriodEnd: core.DateOrNil(inv.PeriodEnd),
		Currency: cur, ExchangeRate: inv.ExchangeRate.String(), Provider: inv.Provider, MethodOfPayment: inv.MethodOfPayment,
		PaymentTermsDays: inv.PaymentTermsDays, HoldUntil: core.DateOrNil(inv.HoldUntil), Language: inv.Language,
		CustomFields: inv.CustomFields, Notes: inv.Notes, ExternalRefs: inv.ExternalRefs, Taxes: []TaxLine{},
		Net: core.Fixed(inv.Net), Tax: core.Fixed(inv.Tax), Total: core.Fixed(inv.Total), Paid: core.Fixed(inv.Paid),
		Balance: core.Fixed(inv.Balance), TaxMode: string(inv.TaxMode), EntryID: inv.EntryID, VoidEntryID: inv.VoidEntryID,
		CloseReason: inv.CloseReason, IssuedAt: inv.IssuedAt, ClosedAt: inv.ClosedAt, VoidedAt: inv.VoidedAt,
		CreatedAt: inv.CreatedAt, UpdatedAt: inv.UpdatedAt, AllowedStatuses: []string{}, PaymentSchedule: []Installment{},
		OriginalID: inv.OriginalID, CreditNoteID: inv.CreditNoteID, ReplacementID: inv.ReplacementID,
		CorrectionReason: inv.CorrectionReason, CorrectionComment: inv.CorrectionComment, TemplateID: inv.TemplateID, TemplatePeriod: inv.TemplatePeriod}
	out.TotalAccounting = core.Fixed(inv.TotalAccounting)
	for _, s := range inv.AllowedStatuses(dc.Status) {
		out.AllowedStatuses = append(out.AllowedStatuses, string(s))
	}
	for _, in := range inv.PaymentSchedule {
		out.PaymentSchedule = append(out.PaymentSchedule, Installment{DueDate: core.Date{Date: in.DueDate}, Amount: core.Fixed(in.Amount)})
	}
	for _, t := range inv.Taxes {
		out.Taxes = append(out.Taxes, TaxLine{Code: t.Code, Name: t.Name, Category: string(t.Category), Rate: t.Rate.String(),
			ExemptionReason: t.ExemptionReason, ExemptionReasonCode: t.ExemptionReasonCode, Base: core.Fixed(t.Base), Amount: core.Fixed(t.Amount)})
	}
	if withLines {
		out.Lines = make([]InvoiceLine, 0, len(inv.Lines))
		for _, l := range inv.Lines {
			ol := InvoiceLine{Position: l.Position, Description: l.Description, ProductID: l.ProductID, Account: l.Account,
				SalesTaxGroup: l.SalesTaxGroup, ItemSalesTaxGroup: l.ItemSalesTaxGroup, Quantity: decPtr(l.Quantity), Unit: l.Unit,
				UnitPrice: unitPrice(l.UnitPrice), Discount: core.Fixed(l.Discount), Amount: core.Fixed(l.Amount), ChargeType: string(l.ChargeType),
				ServiceStart: core.DateOrNil(l.ServiceStart), ServiceEnd: core.DateOrNil(l.ServiceEnd), Distribution: []LineSplit{},
				TaxCodes: append([]string{}, l.TaxCodes...), TaxAmount: core.Fixed(l.TaxAmount)}
			for _, s := range l.Distribution {
				ol.Distribution = append(ol.Distribution, LineSplit{Account: s.Account, Percent: s.Percent.String()})
			}
			out.Lines = append(out.Lines, ol)
		}
		if len(inv.Charges) > 0 {
			out.Charges, out.ChargeTotal = chargesOut(inv), core.Fixed(inv.ChargeTotal())
		}
	}
	return out
}

// LineInput is one line to save. Give quantity and unit_price, or amount alone.
type LineInput struct {
	Description       string      `json:"description" maxLength:"1000"`
	ProductID         string      `json:"product_id,omitempty"`
	Account           string      `json:"account,omitempty" doc:"Main (revenue) account; the tenant's revenue account when omitted."`
	SalesTaxGroup     *string     `json:"sales_tax_group,omitempty" doc:"Defaults to the customer's sales tax group."`
	ItemSalesTaxGroup string      `json:"item_sales_tax_group,omitempty"`
	Quantity          *string     `json:"quantity,omitempty"`
	Unit              string      `json:"unit,omitempty" maxLength:"20"`
	UnitPrice         *string     `json:"unit_price,omitempty"`
	Discount          string      `json:"discount,omitempty" doc:"Line discount as an amount."`
	Amount            *string     `json:"amount,omitempty" doc:"Give alone to enter the line by amount (clears quantity and unit price)."`
	ChargeType        string      `json:"charge_type,omitempty" enum:"recurring,usage,one_time,time,"`
	ServiceStart      *core.Date  `json:"service_start,omitempty"`
	ServiceEnd        *core.Date  `json:"service_end,omitempty"`
	Distribution      []LineSplit `json:"distribution,omitempty"`
}

// InvoiceInput creates or edits a draft; omitted fields stay.
type InvoiceInput struct {
	Kind                *string            `json:"kind,omitempty" enum:"invoice,credit_note"`
	CustomerID          *string            `json:"customer_id,omitempty" doc:"Required on create."`
	InvoiceAccountID    *string            `json:"invoice_account_id,omitempty" doc:"Bill-to account; the customer's invoice account when omitted."`
	InvoiceDate         *core.Date         `json:"invoice_date,omitempty"`
	DocumentDate        *core.Date         `json:"document_date,omitempty"`
	DueDate             *core.Date         `json:"due_date,omitempty" doc:"From the payment terms when omitted."`
	CashDiscountDate    *core.Date         `json:"cash_discount_date,omitempty"`
	CashDiscountPercent *string            `json:"cash_discount_percent,omitempty"`
	PeriodStart         *core.Date         `json:"period_start,omitempty"`
	PeriodEnd           *core.Date         `json:"period_end,omitempty"`
	Currency            *string            `json:"currency,omitempty"`
	ExchangeRate        *string            `json:"exchange_rate,omitempty" doc:"Accounting-currency units per unit of the document currency; required for a foreign currency."`
	Provider            *string            `json:"provider,omitempty" doc:"The cloud vendor or source: one invoice per provider."`
	MethodOfPayment     *string            `json:"method_of_payment,omitempty"`
	PaymentTermsDays    *int               `json:"payment_terms_days,omitempty"`
	PaymentSchedule     *[]Installment     `json:"payment_schedule,omitempty"`
	HoldUntil           *core.Date         `json:"hold_until,omitempty"`
	Language            *string            `json:"language,omitempty"`
	CustomFields        *map[string]string `json:"custom_fields,omitempty"`
	Notes               *string            `json:"notes,omitempty" maxLength:"4000"`
	ExternalRefs        *map[string]string `json:"external_refs,omitempty"`
	Lines               *[]LineInput       `json:"lines,omitempty" maxItems:"1000"`
	Charges             *[]ChargeInput     `json:"charges,omitempty" maxItems:"50" doc:"Header charges; replaces them all (an empty list removes them)."`
}

// InvoiceCreateInput is the body of POST /invoices: the draft, and whether
// to issue it at once.
type InvoiceCreateInput struct {
	InvoiceInput
	Issue  bool  `json:"issue,omitempty" doc:"Issue the document at once (status open: legal number, ledger posting) in the transaction that creates it; the answer is the issued document. When it cannot be issued (incomplete, or the tenant requires approval) nothing is created."`
	Notify *bool `json:"notify,omitempty" doc:"With issue: email the customer the issued document. Default: false, as when a draft is published."`
}

func (in InvoiceInput) toService() service.InvoiceInput {
	out := service.InvoiceInput{Kind: in.Kind, CustomerID: in.CustomerID, InvoiceAccountID: in.InvoiceAccountID,
		InvoiceDate: core.OptionalDate(in.InvoiceDate), DocumentDate: core.OptionalDate(in.DocumentDate), DueDate: core.OptionalDate(in.DueDate), CashDiscountDate: core.OptionalDate(in.CashDiscountDate),
		CashDiscountPct: in.CashDiscountPercent, PeriodStart: core.OptionalDate(in.PeriodStart), PeriodEnd: core.OptionalDate(in.PeriodEnd), Currency: in.Currency,
		ExchangeRate: in.ExchangeRate, Provider: in.Provider, MethodOfPayment: in.MethodOfPayment, PaymentTermsDays: in.PaymentTermsDays,
		HoldUntil: core.OptionalDate(in.HoldUntil), Language: in.Language, CustomFields: in.CustomFields, Notes: in.Notes, ExternalRefs: in.ExternalRefs,
		Charges: chargesIn(in.Charges)}
	if in.PaymentSchedule != nil {
		sched := make([]service.InstallmentInput, 0, len(*in.PaymentSchedule))
		for _, i := range *in.PaymentSchedule {
			sched = append(sched, service.InstallmentInput{DueDate: i.DueDate.Date, Amount: i.Amount})
		}
		out.PaymentSchedule = &sched
	}
	if in.Lines != nil {
		lines := make([]service.LineInput, 0, len(*in.Lines))
		for _, l := range *in.Lines {
			sl := service.LineInput{Description: l.Description, ProductID: l.ProductID, Account: l.Account, SalesTaxGroup: l.SalesTaxGroup,
				ItemSalesTaxGroup: l.ItemSalesTaxGroup, Quantity: l.Quantity, Unit: l.Unit, UnitPrice: l.UnitPrice, Discount: l.Discount,
				Amount: l.Amount, ChargeType: l.ChargeType}
			if l.ServiceStart != nil {
				sl.ServiceStart = l.ServiceStart.Date
			}
			if l.ServiceEnd != nil {
				sl.ServiceEnd = l.ServiceEnd.Date
			}
			for _, s := range l.Distribution {
				sl.Distribution = append(sl.Distribution, service.SplitInput{Account: s.Account, Percent: s.Percent})
			}
			lines = append(lines, sl)
		}
		out.Lines = &lines
	}
	return out
}

// InvoiceFilterParams are the invoice list's filters and sort (seed 000),
// shared by the list and the CSV exports.
type InvoiceFilterParams struct {
	Status   string `query:"status" doc:"Comma-separated statuses: draft, submitted, approved, open, past_due, closed, void."`
	Kind     string `query:"kind" enum:"invoice,credit_note,"`
	Customer string `query:"customer_id" doc:"The customer or bill-to account."`
	Provider string `query:"provider"`
	Preset   string `query:"date_preset" enum:"month_to_date,quarter_to_date,year_to_date,two_months_ago,last_quarter,last_year," doc:"A range of invoice dates, in the tenant's time zone."`
	From     string `query:"from" doc:"Invoice date from (inclusive), 2026-01-01."`
	To       string `query:"to" doc:"Invoice date to (inclusive)."`
	Q        string `query:"q" maxLength:"200" doc:"Search number and customer."`
	Sort     string `query:"sort" doc:"invoice_date, number, customer, provider, period, amount, status, due_date, created_at; prefix - for descending. Default -invoice_date."`
}

type invoiceListIn struct {
	core.PageParams
	InvoiceFilterParams
}

// filter returns the service filter of the parameters (without the page).
func (in *InvoiceFilterParams) filter() (service.InvoiceFilter, error) {
	f := service.InvoiceFilter{Kind: billing.Kind(in.Kind), CustomerID: in.Customer, Provider: in.Provider, Preset: in.Preset,
		Query: in.Q, Sort: in.Sort}
	if strings.HasPrefix(f.Sort, "-") {
		f.Sort, f.Desc = f.Sort[1:], true
	}
	if in.Status != "" {
		for _, s := range strings.Split(in.Status, ",") {
			f.Statuses = append(f.Statuses, billing.Status(strings.TrimSpace(s)))
		}
	}
	var err error
	if f.From, err = core.ParseDateParam("from", in.From); err != nil {
		return f, err
	}
	if f.To, err = core.ParseDateParam("to", in.To); err != nil {
		return f, err
	}
	return f, nil
}

func (h *Handlers) registerInvoices(api huma.API) {
	tags := []string{"Invoices"}
	core.Op(api, huma.Operation{OperationID: "list-invoices", Method: http.MethodGet, Path: "/api/v1/invoices", Summary: "List invoices and credit notes", Tags: tags},
		func(ctx context.Context, p access.Principal, in *invoiceListIn) (*core.Body[core.List[Invoice]], error) {
			f, err := in.filter()
			if err != nil {
				return nil, err
			}
			f.Page = in.Page()
			page, err := h.Svc.ListInvoices(ctx, p, f)
			if err != nil {
				return nil, err
			}
			dc, err := DocContextOf(ctx, h.Svc, p)
			if err != nil {
				return nil, err
			}
			return core.ListOf(page, func(inv billing.Invoice) Invoice { return InvoiceOut(inv, false, dc) }), nil
		})
	type createIn struct {
		core.IdempotencyHeader
		Body InvoiceCreateInput
	}
	core.Op(api, huma.Operation{OperationID: "create-invoice", Method: http.MethodPost, Path: "/api/v1/invoices", Summary: "Create a draft invoice or credit note",
		Description: `With "issue": true the document is created and issued (status open: legal number, ledger posting) in one transaction: when it cannot be issued, the answer says why and nothing is created.`,
		Tags:        tags},
		func(ctx context.Context, p access.Principal, in *createIn) (*core.Body[Invoice], error) {
			if !in.Body.Issue {
				if in.Body.Notify != nil {
					return nil, fail.Field("notify", `notify applies with "issue": true; a draft emails no one`)
				}
				inv, err := h.Svc.CreateInvoice(ctx, p, in.Body.toService())
				return h.invoiceBody(ctx, p, inv, err)
			}
			res, err := h.Svc.CreateIssuedInvoice(ctx, p, in.Body.toService(), in.Body.Notify)
			return h.invoiceBody(ctx, p, res.Invoice, err)
		})
	type previewIn struct {
		core.IdempotencyHeader
		Body InvoiceInput
	}
	core.Op(api, huma.Operation{OperationID: "preview-invoice", Method: http.MethodPost, Path: "/api/v1/invoices/preview", Summary: "Compute a draft's totals without saving",
		Tags: tags, DefaultStatus: http.StatusOK},
		func(ctx context.Context, p access.Principal, in *previewIn) (*core.Body[Invoice], error) {
			inv, err := h.Svc.PreviewInvoice(ctx, p, in.Body.toService())
			return h.invoiceBody(ctx, p, inv, err)
		})
	type idIn struct {
		ID string `path:"id"`
	}
	core.Op(api, huma.Operation{OperationID: "get-invoice", Method: http.MethodGet, Path: "/api/v1/invoices/{id}", Summary: "Get an invoice", Tags: tags},
		func(ctx context.Context, p access.Principal, in *idIn) (*core.Body[Invoice], error) {
			inv, err := h.Svc.GetInvoice(ctx, p, in.ID)
			return h.invoiceBody(ctx, p, inv, err)
		})
	type patchIn struct {
		ID   string `path:"id"`
		Body InvoiceInput
	}
	core.Op(api, huma.Operation{OperationID: "update-invoice", Method: http.MethodPatch, Path: "/api/v1/invoices/{id}", Summary: "Edit a draft",
		Description: "Only drafts can be edited; lines, when given, replace all lines. Issued documents are changed by a correction.", Tags: tags},
		func(ctx context.Context, p access.Principal, in *patchIn) (*core.Body[Invoice], error) {
			inv, err := h.Svc.UpdateInvoice(ctx, p, in.ID, in.Body.toService())
			return h.invoiceBody(ctx, p, inv, err)
		})
	core.Op(api, huma.Operation{OperationID: "discard-invoice", Method: http.MethodDelete, Path: "/api/v1/invoices/{id}", Summary: "Discard a draft",
		Tags: tags, DefaultStatus: http.StatusNoContent},
		func(ctx context.Context, p access.Principal, in *idIn) (*core.Empty, error) {
			return &core.Empty{}, h.Svc.DiscardInvoice(ctx, p, in.ID)
		})
	type statusIn struct {
		core.IdempotencyHeader
		ID   string `path:"id"`
		Body struct {
			Status string `json:"status" enum:"draft,submitted,approved,open,past_due,closed,void" doc:"The target status; open issues a draft. A change the document's status does not allow is 409 with the allowed ones (nothing leads back to draft)."`
			Notify *bool  `json:"notify,omitempty" doc:"Email the customer. Default: false when publishing a draft, true for changes to issued documents."`
			Reason string `json:"reason,omitempty" maxLength:"500" doc:"Why; required to close with a balance (it is written off)."`
			Redate bool   `json:"redate,omitempty" doc:"With open: date the document today (its due date moves with it). Numbers follow dates in a series (Spain, Portugal): a draft dated before the last issued document is refused unless redated."`
		}
	}
	type statusOut struct {
		Invoice  Invoice  `json:"invoice"`
		Notified bool     `json:"notified" doc:"Whether a notification to the customer was queued."`
		Warnings []string `json:"warnings,omitempty" doc:"What the change did not refuse but you must know, e.g. that no EN 16931 e-invoice can be made in the document's currency."`
	}
	core.Op(api, huma.Operation{OperationID: "update-invoice-status", Method: http.MethodPost, Path: "/api/v1/invoices/{id}/status", Summary: "Update status",
		Description: "Seeds 000/001's update status: issue (draft → open: number, ledger posting, frozen), past due, close, void (reversal). Illegal changes are 409 with the allowed ones.",
		Tags:        tags, DefaultStatus: http.StatusOK},
		func(ctx context.Context, p access.Principal, in *statusIn) (*core.Body[statusOut], error) {
			res, err := h.Svc.UpdateInvoiceStatus(ctx, p, in.ID, service.StatusChange{Status: in.Body.Status, Notify: in.Body.Notify, Reason: in.Body.Reason, Redate: in.Body.Redate})
			if err != nil {
				return nil, err
			}
			dc, err := DocContextOf(ctx, h.Svc, p)
			if err != nil {
				return nil, err
			}
			return &core.Body[statusOut]{Body: statusOut{Invoice: InvoiceOut(res.Invoice, true, dc), Notified: res.Notified, Warnings: res.Warnings}}, nil
		})
	type totalsOut struct {
		Currency           string `json:"currency"`
		Net                string `json:"net"`
		Tax                string `json:"tax"`
		Total              string `json:"total"`
		Paid               string `json:"paid"`
		Balance            string `json:"balance"`
		CreditCurrency     string `json:"credit_currency" doc:"The currency of credit_limit, open_balance and available_after: the bill-to account's billing currency."`
		CreditLimit        string `json:"credit_limit"`
		OpenBalance        string `json:"open_balance" doc:"What the bill-to account owes on its open documents in credit_currency (credit notes subtracted); documents in other currencies do not count against the limit."`
		AvailableAfter     string `json:"available_after" doc:"Credit limit − open balance − this draft (when it is in credit_currency)."`
		CreditLimitReached bool   `json:"credit_limit_reached"`
	}
	core.Op(api, huma.Operation{OperationID: "get-invoice-totals", Method: http.MethodGet, Path: "/api/v1/invoices/{id}/totals", Summary: "Totals with the customer's credit limit", Tags: tags},
		func(ctx context.Context, p access.Principal, in *idIn) (*core.Body[totalsOut], error) {
			v, err := h.Svc.InvoiceTotals(ctx, p, in.ID)
			if err != nil {
				return nil, err
			}
			c := v.Currency
			return &core.Body[totalsOut]{Body: totalsOut{Currency: c, Net: core.Fixed(v.Net), Tax: core.Fixed(v.Tax), Total: core.Fixed(v.Total), Paid: core.Fixed(v.Paid),
				Balance: core.Fixed(v.Balance), CreditCurrency: v.CreditCurrency, CreditLimit: core.Fixed(v.CreditLimit),
				OpenBalance: core.Fixed(v.OpenBalance), AvailableAfter: core.Fixed(v.AvailableAfter),
				CreditLimitReached: v.CreditLimitReached}}, nil
		})
	core.Op(api, huma.Operation{OperationID: "list-invoice-notifications", Method: http.MethodGet, Path: "/api/v1/invoices/{id}/notifications", Summary: "Notifications queued for a document", Tags: tags},
		func(ctx context.Context, p access.Principal, in *idIn) (*core.Body[core.List[service.Notification]], error) {
			ns, err := h.Svc.ListNotifications(ctx, p, in.ID)
			if err != nil {
				return nil, err
			}
			return core.ListOf(service.PageOf[service.Notification]{Items: ns}, func(n service.Notification) service.Notification { return n }), nil
		})
}
