// Package invoicing holds the use cases of a tenant's documents: drafts of
// invoices and credit notes, issuing them (legal numbering, posting), their
// status changes (past due, close, void), corrections and reason codes, the
// approval workflow, recurring templates, attachments, and the renderings
// and branding of documents. Every write runs through the envelope of
// package usecase.
//
// It declares the storage it needs, small store interfaces by noun
// (InvoiceStore, ReasonCodeStore, WorkflowStore, TemplateStore,
// TemplateReader, AttachmentStore, BrandingStore) combined into one
// transaction interface per kind of use case (IssueTx at the core of
// InvoicesTx, CorrectionsTx and TemplatesTx; ReasonCodesTx,
// TemplateReadsTx, AttachmentsTx, DocumentsTx); the root
// service narrows its store to them (usecase.Narrow), and the store package
// implements them. What it needs of other areas (webhook events, the email
// outbox, ledger posting, customer credit, exchange rates, the document
// list) comes in through Deps.
package invoicing

import (
	"context"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/attachment"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/customfield"
	"github.com/facturo/facturo/documents"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/service/usecase"
)

// InvoiceStore persists invoices and credit notes (the list page by page is
// the root's).
type InvoiceStore interface {
	InsertInvoice(ctx context.Context, inv billing.Invoice) error
	GetInvoice(ctx context.Context, tenantID, invoiceID string) (billing.Invoice, error)
	// GetInvoiceForUpdate reads and (on PostgreSQL) locks the invoice row.
	GetInvoiceForUpdate(ctx context.Context, tenantID, invoiceID string) (billing.Invoice, error)
	// UpdateInvoice writes the header, totals and lines.
	UpdateInvoice(ctx context.Context, inv billing.Invoice) error
	DeleteInvoice(ctx context.Context, tenantID, invoiceID string) error
	// DueInvoiceIDs lists open invoices with a balance whose due date is before today.
	DueInvoiceIDs(ctx context.Context, tenantID string, today calendar.Date, limit int) ([]string, error)
}

// ReasonCodeStore persists the reasons a document may be corrected for.
type ReasonCodeStore interface {
	UpsertReasonCode(ctx context.Context, tenantID string, r billing.ReasonCode) error
	ListReasonCodes(ctx context.Context, tenantID string) ([]billing.ReasonCode, error)
}

// WorkflowStore persists the approval history of drafts.
type WorkflowStore interface {
	AppendWorkflow(ctx context.Context, tenantID string, e WorkflowEvent) error
	ListWorkflow(ctx context.Context, tenantID, invoiceID string) ([]WorkflowEvent, error)
}

// TemplateStore persists recurring invoice templates.
type TemplateStore interface {
	InsertTemplate(ctx context.Context, t billing.Template) error
	UpdateTemplate(ctx context.Context, t billing.Template) error
	GetTemplateForUpdate(ctx context.Context, tenantID, id string) (billing.Template, error)
}

// TemplateReader reads recurring invoice templates.
type TemplateReader interface {
	GetTemplate(ctx context.Context, tenantID, id string) (billing.Template, error)
	ListTemplates(ctx context.Context, tenantID string) ([]billing.Template, error)
	DueTemplateIDs(ctx context.Context, tenantID string, today calendar.Date) ([]string, error)
}

// AttachmentStore persists the files kept with documents.
type AttachmentStore interface {
	InsertAttachment(ctx context.Context, a attachment.Attachment) error
	ListAttachments(ctx context.Context, tenantID, invoiceID string) ([]attachment.Attachment, error)
	GetAttachment(ctx context.Context, tenantID, invoiceID, id string) (attachment.Attachment, error)
	DeleteAttachment(ctx context.Context, tenantID, invoiceID, id string) error
}

// BrandingStore persists the tenant's document branding.
type BrandingStore interface {
	// GetBranding returns the tenant's branding (the zero Branding when none is set).
	GetBranding(ctx context.Context, tenantID string) (documents.Branding, error)
	PutBranding(ctx context.Context, tenantID string, b documents.Branding, at time.Time) error
}

// Setup is what preparing and issuing a document reads besides the
// document: its parties and products, the tenant's configuration (one
// billing.Setup: tax setup, chart of accounts, posting profiles, number
// series), and the counters that number it.
type Setup interface {
	GetTenant(ctx context.Context, tenantID string) (billing.Tenant, error)
	GetCustomer(ctx context.Context, tenantID, customerID string) (billing.Customer, error)
	GetProduct(ctx context.Context, tenantID, productID string) (billing.Product, error)
	// Setup reads the tenant's configuration whole.
	Setup(ctx context.Context, tenantID string) (billing.Setup, error)
	// NextCounter increments and returns the named per-tenant counter,
	// gaplessly within a write transaction.
	NextCounter(ctx context.Context, tenantID, name string) (int64, error)
}

// IssueTx is what preparing, issuing, closing and voiding one document
// reads and writes in one transaction: the document, its parties and the
// tenant's configuration.
type IssueTx interface {
	usecase.AuditTx
	Setup
	InsertInvoice(ctx context.Context, inv billing.Invoice) error
	GetInvoiceForUpdate(ctx context.Context, tenantID, invoiceID string) (billing.Invoice, error)
	UpdateInvoice(ctx context.Context, inv billing.Invoice) error
	// ReleaseInvoiceItems returns a voided invoice's sales items to open.
	ReleaseInvoiceItems(ctx context.Context, tenantID, invoiceID string) (int, error)
}

// InvoicesTx is what the draft, issue, status and approval use cases read
// and write in one transaction.
type InvoicesTx interface {
	IssueTx
	InvoiceStore
	WorkflowStore
}

// CorrectionsTx is what correcting an invoice reads and writes in one
// transaction: it issues a credit note and prepares a replacement.
type CorrectionsTx interface {
	IssueTx
	ListReasonCodes(ctx context.Context, tenantID string) ([]billing.ReasonCode, error)
	// EntriesBySource lists, oldest first, the journal entries a source posted.
	EntriesBySource(ctx context.Context, tenantID, sourceType, sourceID string) ([]ledger.Entry, error)
}

// ReasonCodesTx is what the reason code use cases read and write in one
// transaction.
type ReasonCodesTx interface {
	usecase.AuditTx
	ReasonCodeStore
}

// TenantsTx is what turning the approval workflow on or off reads and
// writes in one transaction.
type TenantsTx interface {
	usecase.AuditTx
	GetTenant(ctx context.Context, tenantID string) (billing.Tenant, error)
	UpdateTenant(ctx context.Context, t billing.Tenant) error
}

// TemplatesTx is what the recurring template use cases that write read and
// write in one transaction (they prepare and issue documents too).
type TemplatesTx interface {
	IssueTx
	TemplateStore
}

// TemplateReadsTx is what reading templates, and finding those due, reads
// in one transaction.
type TemplateReadsTx interface {
	usecase.AuditTx
	TemplateReader
	GetTenant(ctx context.Context, tenantID string) (billing.Tenant, error)
}

// AttachmentsTx is what the attachment use cases read and write in one transaction.
type AttachmentsTx interface {
	usecase.AuditTx
	AttachmentStore
	GetInvoice(ctx context.Context, tenantID, invoiceID string) (billing.Invoice, error)
	GetInvoiceForUpdate(ctx context.Context, tenantID, invoiceID string) (billing.Invoice, error)
}

// DocumentsTx is what the branding and rendering use cases read and write
// in one transaction.
type DocumentsTx interface {
	usecase.AuditTx
	BrandingStore
	GetTenant(ctx context.Context, tenantID string) (billing.Tenant, error)
	GetInvoice(ctx context.Context, tenantID, invoiceID string) (billing.Invoice, error)
	// ListCustomFieldDefs reads the labels of the custom fields documents print.
	ListCustomFieldDefs(ctx context.Context, tenantID string) ([]customfield.Def, error)
}

// Stores are the transactions the invoicing use cases open, one kind per part.
type Stores struct {
	Invoices      usecase.Store[InvoicesTx]
	Corrections   usecase.Store[CorrectionsTx]
	ReasonCodes   usecase.Store[ReasonCodesTx]
	Tenants       usecase.Store[TenantsTx]
	Templates     usecase.Store[TemplatesTx]
	TemplateReads usecase.Store[TemplateReadsTx]
	Attachments   usecase.Store[AttachmentsTx]
	Documents     usecase.Store[DocumentsTx]
}

// Ledger posts journal entries (the root's numbering of vouchers).
type Ledger interface {
	// Post checks and appends a journal entry with the next voucher number.
	Post(ctx context.Context, tx usecase.AuditTx, tenantID string, date calendar.Date, desc, sourceType, sourceID, reverses string, lines []ledger.Line) (ledger.Entry, error)
	// Entry reads the posted entry entryID.
	Entry(ctx context.Context, tx usecase.AuditTx, tenantID, entryID string) (ledger.Entry, error)
}

// Deps is what the invoicing use cases need of the rest of the service.
type Deps struct {
	// Emit records one webhook event in tx, the transaction of the change
	// it reports.
	Emit func(ctx context.Context, tx usecase.AuditTx, tenantID string, e usecase.Event) error
	// InvoiceEvent is the data of an invoice.* event about inv, with extra.
	InvoiceEvent func(inv billing.Invoice, extra map[string]any) map[string]any
	// Mail queues, in tx, an email of kind about inv to its bill-to contact.
	Mail func(ctx context.Context, tx usecase.AuditTx, tenantID, kind string, inv billing.Invoice, payload map[string]string) error
	// Ledger posts the entries of issuing, closing, voiding and correcting,
	// and reads the issue entry a void undoes.
	Ledger Ledger
	// UseCredit applies the customer's unapplied payments to an invoice
	// being issued (in memory: the caller writes the invoice), returning
	// the change that made to it (its closing when paid in full).
	UseCredit func(ctx context.Context, tx usecase.AuditTx, p access.Principal, inv *billing.Invoice) (billing.Change, error)
	// CashDiscountSource is the source type of the entries that grant a
	// cash discount: a correction reverses them as it does write-offs.
	CashDiscountSource string
	// DefaultExchangeRate gives a draft in a foreign currency without a
	// rate the rate of the tenant's table on its invoice date.
	DefaultExchangeRate func(ctx context.Context, tx usecase.AuditTx, tenant billing.Tenant, inv *billing.Invoice, billTo billing.Customer) error
	// LastIssuedDate is the latest invoice date of the documents of kind
	// issued with invoice dates from..to (the root's document list).
	LastIssuedDate func(ctx context.Context, tx usecase.AuditTx, tenantID string, kind billing.Kind, from, to calendar.Date) (calendar.Date, error)
}

// Service runs the invoicing use cases.
type Service struct {
	invoices      usecase.Env[InvoicesTx]
	corrections   usecase.Env[CorrectionsTx]
	reasonCodes   usecase.Env[ReasonCodesTx]
	tenants       usecase.Env[TenantsTx]
	templates     usecase.Env[TemplatesTx]
	templateReads usecase.Env[TemplateReadsTx]
	attachments   usecase.Env[AttachmentsTx]
	documents     usecase.Env[DocumentsTx]
	deps          Deps
	now           func() time.Time
}

// New returns a Service over st with deps. now is the service clock: UTC,
// truncated to the microsecond both engines store.
func New(st Stores, deps Deps, now func() time.Time) *Service {
	emit := func(ctx context.Context, tx usecase.AuditTx, tenantID string, e usecase.Event) error {
		return deps.Emit(ctx, tx, tenantID, e)
	}
	return &Service{
		invoices: usecase.Env[InvoicesTx]{Store: st.Invoices, Now: now,
			Emit: func(ctx context.Context, tx InvoicesTx, tenantID string, e usecase.Event) error {
				return emit(ctx, tx, tenantID, e)
			}},
		corrections: usecase.Env[CorrectionsTx]{Store: st.Corrections, Now: now,
			Emit: func(ctx context.Context, tx CorrectionsTx, tenantID string, e usecase.Event) error {
				return emit(ctx, tx, tenantID, e)
			}},
		reasonCodes:   usecase.Env[ReasonCodesTx]{Store: st.ReasonCodes, Now: now},
		templateReads: usecase.Env[TemplateReadsTx]{Store: st.TemplateReads, Now: now},
		tenants:       usecase.Env[TenantsTx]{Store: st.Tenants, Now: now},
		templates: usecase.Env[TemplatesTx]{Store: st.Templates, Now: now,
			Emit: func(ctx context.Context, tx TemplatesTx, tenantID string, e usecase.Event) error {
				return emit(ctx, tx, tenantID, e)
			}},
		attachments: usecase.Env[AttachmentsTx]{Store: st.Attachments, Now: now},
		documents:   usecase.Env[DocumentsTx]{Store: st.Documents, Now: now},
		deps:        deps,
		now:         now,
	}
}

// invoiceEvent is the event of type about inv, with extra data.
func (s *Service) invoiceEvent(typ string, inv billing.Invoice, extra map[string]any) usecase.Event {
	return usecase.Event{Type: typ, Data: s.deps.InvoiceEvent(inv, extra)}
}

// set copies *v into *dst when v is non-nil.
func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// Label names a document: its legal number, or its document number while a draft.
func Label(inv billing.Invoice) string {
	if inv.Number != "" {
		return inv.Number
	}
	return inv.DocumentNumber
}

// Visible reports whether p may see inv: staff every document, a customer
// its own issued ones.
func Visible(p access.Principal, inv billing.Invoice) bool {
	return p.SeesInvoice(inv.Status.VisibleToCustomer(), inv.CustomerID, inv.InvoiceAccountID)
}

// ReadPermission is the permission reading documents takes: a customer's
// own account, or reading invoices.
func ReadPermission(p access.Principal) access.Permission {
	if p.IsCustomer() {
		return access.OwnAccount
	}
	return access.ReadInvoices
}
