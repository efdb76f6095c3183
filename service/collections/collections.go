// Package collections holds the use cases of money coming in and going back:
// payments (recorded by hand or charged to a card), their settlement against
// invoices and credit notes, refunds, customer credit, and dunning
// reminders. The rules live in package receivables; this package reads and
// writes what they decide, in one transaction per use case.
//
// It declares the storage it needs, small store interfaces by noun
// (PaymentStore, PaymentReader, ApplicationStore, RefundStore,
// SettlementStore, DunningStore) combined into one transaction interface per
// kind of use case (PaymentsTx, PaymentReadsTx, DunningTx); the root
// service narrows its store to them (usecase.Narrow), and the store package
// implements them. What it needs of
// other areas (webhook events, ledger posting, card charges, fault points)
// comes in through Deps.
package collections

import (
	"context"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service/accounts"
	"github.com/facturo/facturo/service/invoicing"
	"github.com/facturo/facturo/service/notify"
	"github.com/facturo/facturo/service/usecase"
)

// PaymentStore persists payments.
type PaymentStore interface {
	InsertPayment(ctx context.Context, p Payment) error
	// UpdatePaymentBalances writes a payment's unapplied and refunded amounts.
	UpdatePaymentBalances(ctx context.Context, p Payment) error
	// GetPaymentForUpdate reads and (on PostgreSQL) locks the payment row.
	GetPaymentForUpdate(ctx context.Context, tenantID, id string) (Payment, error)
	// CreditPayments lists, oldest first and locked, a customer's payments in
	// currency with an unapplied amount.
	CreditPayments(ctx context.Context, tenantID, customerID, currency string) ([]Payment, error)
}

// ApplicationStore persists the applications of payments and credit notes
// to invoices (settlement).
type ApplicationStore interface {
	InsertApplication(ctx context.Context, a Application) error
	// UpdateApplicationReversed writes how much of an application a refund took back.
	UpdateApplicationReversed(ctx context.Context, a Application) error
	// ListApplications lists the applications of a payment or credit note
	// (sourceID) or to an invoice (invoiceID), oldest first.
	ListApplications(ctx context.Context, tenantID, sourceID, invoiceID string) ([]Application, error)
}

// RefundStore persists refunds of payments.
type RefundStore interface {
	InsertRefund(ctx context.Context, r Refund) error
}

// PaymentReader reads payments and their refunds.
type PaymentReader interface {
	GetPayment(ctx context.Context, tenantID, id string) (Payment, error)
	ListPayments(ctx context.Context, tenantID string, f PaymentFilter) ([]Payment, error)
	ListRefunds(ctx context.Context, tenantID, paymentID string) ([]Refund, error)
}

// SettlementStore writes what settlement changes of an invoice.
type SettlementStore interface {
	// UpdateInvoiceSettlement writes only an invoice's status, paid,
	// balances and closing fields.
	UpdateInvoiceSettlement(ctx context.Context, inv billing.Invoice) error
}

// DunningStore persists the reminder schedule and the reminder steps sent.
type DunningStore interface {
	GetDunningOffsets(ctx context.Context, tenantID string) ([]int, error)
	SetDunningOffsets(ctx context.Context, tenantID string, offsets []int) error
	// MaxDunningStep returns the highest reminder step recorded for an invoice (0: none).
	MaxDunningStep(ctx context.Context, tenantID, invoiceID string) (int, error)
	// InsertDunningStep records a reminder step; false if it was already there.
	InsertDunningStep(ctx context.Context, tenantID, invoiceID string, step int, notificationID string, at time.Time) (bool, error)
}

// OpenDocuments reads and locks the documents collections settle.
type OpenDocuments interface {
	// GetInvoiceForUpdate reads and (on PostgreSQL) locks the invoice row.
	GetInvoiceForUpdate(ctx context.Context, tenantID, invoiceID string) (billing.Invoice, error)
	// OpenDocuments lists issued documents with a balance (open, past due).
	OpenDocuments(ctx context.Context, tenantID, customerID string) ([]billing.Invoice, error)
	// InsertNotification queues an email.
	InsertNotification(ctx context.Context, n notify.Notification) error
}

// PaymentsTx is what the payment, settlement, refund and credit use cases
// read and write in one transaction.
type PaymentsTx interface {
	usecase.AuditTx
	PaymentStore
	ApplicationStore
	RefundStore
	SettlementStore
	OpenDocuments
	GetCustomer(ctx context.Context, tenantID, customerID string) (billing.Customer, error)
	// Setup reads the tenant's configuration whole (billing.Setup).
	Setup(ctx context.Context, tenantID string) (billing.Setup, error)
}

// PaymentReadsTx is what reading payments, their applications and
// refunds, and a customer's credit reads in one transaction.
type PaymentReadsTx interface {
	usecase.AuditTx
	PaymentReader
	GetCustomer(ctx context.Context, tenantID, customerID string) (billing.Customer, error)
	ListApplications(ctx context.Context, tenantID, sourceID, invoiceID string) ([]Application, error)
	// OpenDocuments lists issued documents with a balance (open, past due).
	OpenDocuments(ctx context.Context, tenantID, customerID string) ([]billing.Invoice, error)
}

// DunningTx is what the dunning use cases read and write in one transaction.
type DunningTx interface {
	usecase.AuditTx
	DunningStore
	OpenDocuments
	GetTenant(ctx context.Context, tenantID string) (billing.Tenant, error)
}

// Stores are the transactions the collections use cases open, one kind per part.
type Stores struct {
	Payments     usecase.Store[PaymentsTx]
	PaymentReads usecase.Store[PaymentReadsTx]
	Dunning      usecase.Store[DunningTx]
}

// Deps is what the collections use cases need of the rest of the service.
type Deps struct {
	// Emit records one webhook event in tx, the transaction of the change
	// it reports.
	Emit func(ctx context.Context, tx usecase.AuditTx, tenantID string, e usecase.Event) error
	// Post checks and appends a journal entry with the next voucher number.
	Post func(ctx context.Context, tx usecase.AuditTx, tenantID string, date calendar.Date, desc, sourceType, sourceID, reverses string, lines []ledger.Line) (ledger.Entry, error)
	// ChargeCard charges a customer's primary card within tx.
	ChargeCard func(ctx context.Context, tx usecase.AuditTx, tenantID, customerID string, today calendar.Date, amount money.Amount, desc, key string) (accounts.PaymentMethod, accounts.ProviderCharge, error)
	// Provider is the card processor (nil: none configured).
	Provider accounts.PaymentProvider
	// Fault is called at each durable step of long work; an error aborts
	// the work there, as a crash would (tests).
	Fault func(point string) error
}

// Service runs the collections use cases.
type Service struct {
	payments     usecase.Env[PaymentsTx]
	paymentReads usecase.Env[PaymentReadsTx]
	dunning      usecase.Env[DunningTx]
	deps         Deps
	now          func() time.Time
}

// New returns a Service over st with deps. now is the service clock: UTC,
// truncated to the microsecond both engines store.
func New(st Stores, deps Deps, now func() time.Time) *Service {
	return &Service{
		payments: usecase.Env[PaymentsTx]{Store: st.Payments, Now: now,
			Emit: func(ctx context.Context, tx PaymentsTx, tenantID string, e usecase.Event) error {
				return deps.Emit(ctx, tx, tenantID, e)
			}},
		paymentReads: usecase.Env[PaymentReadsTx]{Store: st.PaymentReads, Now: now},
		dunning:      usecase.Env[DunningTx]{Store: st.Dunning, Now: now},
		deps:         deps,
		now:          now,
	}
}

// post checks and appends a journal entry with the next voucher number.
func (s *Service) post(ctx context.Context, tx usecase.AuditTx, tenantID string, date calendar.Date, desc, sourceType, sourceID, reverses string, lines []ledger.Line) (ledger.Entry, error) {
	return s.deps.Post(ctx, tx, tenantID, date, desc, sourceType, sourceID, reverses, lines)
}

// requireProvider refuses card actions while no payment provider is configured.
func (s *Service) requireProvider() error { return accounts.RequireProvider(s.deps.Provider) }

func (s *Service) faultPoint(point string) error {
	if s.deps.Fault == nil {
		return nil
	}
	return s.deps.Fault(point)
}

// providerErr turns a provider error into a domain error (accounts.ProviderErr).
func providerErr(err error) error { return accounts.ProviderErr(err) }

// requireOwnAccount lets staff with perm, or the customer itself, act on customerID.
func requireOwnAccount(p access.Principal, perm access.Permission, customerID string) error {
	return accounts.RequireOwnAccount(p, perm, customerID)
}

// label names a document (invoicing.Label).
func label(inv billing.Invoice) string { return invoicing.Label(inv) }

// invoiceVisible reports whether p may see inv (invoicing.Visible).
func invoiceVisible(p access.Principal, inv billing.Invoice) bool { return invoicing.Visible(p, inv) }
