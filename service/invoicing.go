package service

import (
	"context"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/service/bookkeeping"
	"github.com/facturo/facturo/service/collections"
	"github.com/facturo/facturo/service/invoicing"
	"github.com/facturo/facturo/service/notify"
	"github.com/facturo/facturo/service/usecase"
)

// The document use cases (drafts, issuing, status changes, corrections,
// approval, recurring templates, attachments, renderings and branding) live
// in package invoicing; Service embeds it, so its methods are Service's.
// These names keep the types reachable as they were.
type (
	// LineInput is one line as a client enters it.
	LineInput = invoicing.LineInput
	// ChargeInput is one header charge as a client enters it.
	ChargeInput = invoicing.ChargeInput
	// SplitInput distributes a line over an account by percent.
	SplitInput = invoicing.SplitInput
	// InstallmentInput is one due date of a payment schedule.
	InstallmentInput = invoicing.InstallmentInput
	// InvoiceInput creates or edits a draft; nil fields stay (or default on create).
	InvoiceInput = invoicing.InvoiceInput
	// StatusChange is seed 000's "update status".
	StatusChange = invoicing.StatusChange
	// StatusResult is the document after a status change.
	StatusResult = invoicing.StatusResult
	// Correction is the outcome of correcting an invoice.
	Correction = invoicing.Correction
	// WorkflowEvent is one step of a draft's approval history.
	WorkflowEvent = invoicing.WorkflowEvent
	// TemplateInput creates or changes a recurring template; nil fields stay.
	TemplateInput = invoicing.TemplateInput
	// BrandingPatch holds the branding settings to change; nil fields stay.
	BrandingPatch = invoicing.BrandingPatch
)

// InvoiceStore persists invoices and credit notes: the part package
// invoicing uses, and the document list page by page.
type InvoiceStore interface {
	invoicing.InvoiceStore
	// OpenBalance sums the balances of a bill-to account's issued, unsettled
	// documents in currency (credit notes negative), exactly.
	OpenBalance(ctx context.Context, tenantID, accountID, currency string) (decimal.Decimal, error)
	InvoiceLister // headers, no lines
}

// DocumentStore holds what rendering documents needs beyond the invoices:
// the tenant's branding (package invoicing) and the lines of many documents
// at once (the export).
type DocumentStore interface {
	invoicing.BrandingStore
	// InvoiceLines returns the lines of the given documents by document id.
	InvoiceLines(ctx context.Context, tenantID string, invoiceIDs []string) (map[string][]billing.Line, error)
}

// invoicer is the embedded invoicing service (an alias, so the embedded
// field is named invoicer, not a second Service).
type invoicer = invoicing.Service

// newInvoicing returns the invoicing service over store, its transactions
// narrowed to what each part of it declares, with what it needs of the rest
// of the service. The area's transactions are the store's, narrowed: the
// root code it calls asserts the interface its callee declares, which the
// store's transaction implements (see the checks in callbacks.go).
func (s *Service) newInvoicing(store Store) *invoicing.Service {
	return invoicing.New(invoicing.Stores{
		Invoices:      usecase.Narrow[invoicing.InvoicesTx, Tx](store, func(tx Tx) invoicing.InvoicesTx { return tx }),
		Corrections:   usecase.Narrow[invoicing.CorrectionsTx, Tx](store, func(tx Tx) invoicing.CorrectionsTx { return tx }),
		Tenants:       usecase.Narrow[invoicing.TenantsTx, Tx](store, func(tx Tx) invoicing.TenantsTx { return tx }),
		Templates:     usecase.Narrow[invoicing.TemplatesTx, Tx](store, func(tx Tx) invoicing.TemplatesTx { return tx }),
		TemplateReads: usecase.Narrow[invoicing.TemplateReadsTx, Tx](store, func(tx Tx) invoicing.TemplateReadsTx { return tx }),
		ReasonCodes:   usecase.Narrow[invoicing.ReasonCodesTx, Tx](store, func(tx Tx) invoicing.ReasonCodesTx { return tx }),
		Attachments:   usecase.Narrow[invoicing.AttachmentsTx, Tx](store, func(tx Tx) invoicing.AttachmentsTx { return tx }),
		Documents:     usecase.Narrow[invoicing.DocumentsTx, Tx](store, func(tx Tx) invoicing.DocumentsTx { return tx }),
	}, invoicing.Deps{
		Emit: func(ctx context.Context, tx usecase.AuditTx, tenantID string, e usecase.Event) error {
			return s.emitEvent(ctx, tx.(notify.EventStore), tenantID, e.Type, e.Data)
		},
		InvoiceEvent: invoiceEvent,
		Mail: func(ctx context.Context, tx usecase.AuditTx, tenantID, kind string, inv billing.Invoice, payload map[string]string) error {
			return s.queueNotification(ctx, tx.(notify.NotificationStore), Notification{TenantID: tenantID, Kind: kind,
				TargetType: "invoice", TargetID: inv.ID, Recipient: inv.BillTo.Email, Language: inv.Language, Payload: payload})
		},
		Ledger: rootLedger{s},
		UseCredit: func(ctx context.Context, tx usecase.AuditTx, p access.Principal, inv *billing.Invoice) (billing.Change, error) {
			return s.UseCredit(ctx, tx.(collections.PaymentsTx), p, inv)
		},
		CashDiscountSource: cashDiscountSource,
		DefaultExchangeRate: func(ctx context.Context, tx usecase.AuditTx, tenant billing.Tenant, inv *billing.Invoice, billTo billing.Customer) error {
			return bookkeeping.DefaultExchangeRate(ctx, tx.(bookkeeping.RateReader), tenant, inv, billTo)
		},
		LastIssuedDate: func(ctx context.Context, tx usecase.AuditTx, tenantID string, kind billing.Kind, from, to calendar.Date) (calendar.Date, error) {
			return lastIssuedDate(ctx, tx.(InvoiceLister), tenantID, kind, from, to)
		},
	}, s.Now)
}

// lastIssuedDate is the latest invoice date, from..to, of the documents of
// kind issued.
func lastIssuedDate(ctx context.Context, tx InvoiceLister, tenantID string, kind billing.Kind, from, to calendar.Date) (calendar.Date, error) {
	var issued []billing.Status
	for _, st := range billing.Statuses {
		if st.IsIssued() {
			issued = append(issued, st)
		}
	}
	f := InvoiceFilter{Kind: kind, Statuses: issued, From: from, To: to, Sort: "invoice_date", Desc: true, Page: Page{Limit: 1}}
	if err := f.Page.decode(); err != nil {
		return calendar.Date{}, err
	}
	invs, err := tx.ListInvoices(ctx, tenantID, f)
	if err != nil || len(invs) == 0 {
		return calendar.Date{}, err
	}
	return invs[0].InvoiceDate, nil
}

// rootLedger posts the entries of package invoicing with the root's voucher numbering.
type rootLedger struct{ s *Service }

// Post checks and appends a journal entry with the next voucher number.
func (l rootLedger) Post(ctx context.Context, tx usecase.AuditTx, tenantID string, date calendar.Date, desc, sourceType, sourceID, reverses string, lines []ledger.Line) (ledger.Entry, error) {
	return l.s.post(ctx, tx.(bookkeeping.PostingTx), tenantID, date, desc, sourceType, sourceID, reverses, lines)
}

// Entry reads the posted entry entryID.
func (l rootLedger) Entry(ctx context.Context, tx usecase.AuditTx, tenantID, entryID string) (ledger.Entry, error) {
	return tx.(EntryReader).GetEntry(ctx, tenantID, entryID)
}

// controlAccountErr refuses a control account where a revenue account belongs.
func controlAccountErr(field, account string) error {
	return invoicing.ControlAccountErr(field, account)
}

// requireInvoiceRead refuses p reading documents (invoicing.ReadPermission).
func (s *Service) requireInvoiceRead(p access.Principal) error {
	return p.Require(invoicing.ReadPermission(p))
}

// invoiceVisible reports whether p may see inv (invoicing.Visible).
func invoiceVisible(p access.Principal, inv billing.Invoice) bool { return invoicing.Visible(p, inv) }

// label names a document (invoicing.Label).
func label(inv billing.Invoice) string { return invoicing.Label(inv) }

// ListNotifications lists the notifications about one document of the
// caller's tenant; a document that is not there is not found.
func (s *Service) ListNotifications(ctx context.Context, p access.Principal, targetID string) ([]Notification, error) {
	if err := p.Require(access.ReadInvoices); err != nil {
		return nil, err
	}
	var out []Notification
	err := s.lists.Read(ctx, func(tx ListTx) error {
		if _, err := tx.GetInvoice(ctx, p.TenantID, targetID); err != nil {
			return err
		}
		var err error
		out, err = tx.ListNotifications(ctx, p.TenantID, targetID)
		return err
	})
	return out, err
}

// The approval steps are Service's own methods, not only promoted ones: the
// API takes them as method values of a Service that may still be nil when
// the routes are registered (the OpenAPI golden test does so).

// SubmitInvoice sends a draft for approval (invoicing.Service.SubmitInvoice).
func (s *Service) SubmitInvoice(ctx context.Context, p access.Principal, invoiceID, comment string) (billing.Invoice, error) {
	return s.invoicer.SubmitInvoice(ctx, p, invoiceID, comment)
}

// ApproveInvoice approves a submitted draft (invoicing.Service.ApproveInvoice).
func (s *Service) ApproveInvoice(ctx context.Context, p access.Principal, invoiceID, comment string) (billing.Invoice, error) {
	return s.invoicer.ApproveInvoice(ctx, p, invoiceID, comment)
}

// RejectInvoice returns a submitted draft to its author (invoicing.Service.RejectInvoice).
func (s *Service) RejectInvoice(ctx context.Context, p access.Principal, invoiceID, comment string) (billing.Invoice, error) {
	return s.invoicer.RejectInvoice(ctx, p, invoiceID, comment)
}
