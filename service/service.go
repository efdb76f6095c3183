// Package service holds Facturo's use cases: one method per user action, each
// running in one database transaction, checking the caller's role and
// scoping every query to the caller's tenant. It declares the storage it
// needs (Store, Tx); the store package implements it on SQLite and PostgreSQL.
package service

import (
	"context"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/service/bookkeeping"
	"github.com/facturo/facturo/service/collections"
	"github.com/facturo/facturo/service/identity"
	"github.com/facturo/facturo/service/invoicing"
	"github.com/facturo/facturo/service/notify"
	"github.com/facturo/facturo/service/sales"
	"github.com/facturo/facturo/service/usecase"
	"github.com/facturo/facturo/service/wallets"
)

// Store runs transactions. Implementations must make Write transactions
// atomic and isolated; a returned error rolls everything back.
//
// A store may run the Write and Read calls of one request inside one
// transaction the request opened (the API does so for a POST with an
// Idempotency-Key, to commit the key and the response with the change).
// Each call stays atomic on its own (a failed Write undoes all it did), but
// nothing commits before the request ends. Work that must commit on its own
// steps, or that outlives the request, runs on Detach(ctx).
type Store interface {
	// Write runs fn in one read-write transaction and commits if fn returns nil.
	Write(ctx context.Context, fn func(Tx) error) error
	// Read runs fn in a read-only transaction (one consistent snapshot).
	Read(ctx context.Context, fn func(Tx) error) error
	// APIKeyByHash is Tx.APIKeyByHash outside any transaction. Every API
	// request authenticates with this one statement, which sees the latest
	// committed state by itself (a revocation takes effect at once); without
	// BEGIN and COMMIT it is one round trip to PostgreSQL instead of three.
	APIKeyByHash(ctx context.Context, hash string) (access.APIKey, error)
}

// Tx is everything the use cases read and write within one transaction.
// Every method that touches tenant data takes the tenant id and filters by it.
type Tx interface {
	TenantStore
	UserStore
	APIKeyStore
	CustomerStore
	AuditStore
	CounterStore
	SettingsStore
	CustomFieldStore
	identity.SetupReader
	InvoiceStore
	bookkeeping.LedgerStore
	NotificationStore
	invoicing.ReasonCodeStore
	invoicing.WorkflowStore
	invoicing.TemplateStore
	invoicing.TemplateReader
	invoicing.AttachmentStore
	sales.CatalogStore
	sales.ContractStore
	sales.TicketStore
	sales.ItemStore
	sales.UsageImportStore
	SalesItemLister
	sales.RunStore
	sales.RunRecorder
	sales.PlanTx
	sales.BatchTx
	sales.GroupStore
	sales.BillStore
	sales.ItemReleaser
	PaymentMethodStore
	collections.PaymentStore
	collections.ApplicationStore
	collections.RefundStore
	collections.PaymentReader
	collections.SettlementStore
	collections.DunningStore
	SubscriptionStore
	wallets.WalletStore
	wallets.RechargeStore
	wallets.EnvReader
	DocumentStore
	OutboxStore
	WebhookStore
	bookkeeping.ExchangeRateStore
}

// ListTx is what the lists the root package serves page by page read (their
// filters carry the root's Page): the audit log, the outbox and webhook
// delivery log, customers, sales items and documents. Those use cases read
// through it, not through the whole Tx.
type ListTx interface {
	ListAudit(ctx context.Context, tenantID string, f AuditFilter) ([]AuditEntry, error)
	ListOutbox(ctx context.Context, tenantID string, f OutboxFilter) ([]Notification, error)
	GetWebhookEndpoint(ctx context.Context, tenantID, endpointID string) (WebhookEndpoint, error)
	ListWebhookAttempts(ctx context.Context, tenantID, endpointID string, page Page) ([]WebhookAttempt, error)
	ListWebhookDeliveries(ctx context.Context, tenantID, endpointID, status string, page Page) ([]WebhookDelivery, error)
	ListNotifications(ctx context.Context, tenantID, targetID string) ([]Notification, error)
	ListCustomers(ctx context.Context, tenantID string, f CustomerFilter) ([]billing.Customer, error)
	ListSalesItems(ctx context.Context, tenantID string, f SalesItemFilter) ([]billing.SalesItem, error)
	GetTenant(ctx context.Context, tenantID string) (billing.Tenant, error)
	GetInvoice(ctx context.Context, tenantID, invoiceID string) (billing.Invoice, error)
	InvoiceLister
	InvoiceLines(ctx context.Context, tenantID string, invoiceIDs []string) (map[string][]billing.Line, error)
}

// InvoiceLister reads documents page by page with the root's InvoiceFilter.
type InvoiceLister interface {
	ListInvoices(ctx context.Context, tenantID string, f InvoiceFilter) ([]billing.Invoice, error)
}

// CounterStore hands out per-tenant sequence numbers (customer numbers; legal
// invoice numbers use the same gapless mechanism).
type CounterStore interface {
	// NextCounter increments and returns the named counter, starting at 1.
	// Within a write transaction it is gapless: a rollback returns the number.
	NextCounter(ctx context.Context, tenantID, name string) (int64, error)
}

type detachedKey struct{}

// Detach returns a context for work that commits in its own transactions
// whatever the request around it does (a billing run, durable work any node
// resumes): its Write and Read calls never join a transaction the request
// opened. It is canceled like ctx; work that outlives the request also uses
// context.WithoutCancel.
func Detach(ctx context.Context) context.Context {
	return context.WithValue(ctx, detachedKey{}, true)
}

// Detached reports whether ctx came from Detach: a Store runs its calls in
// transactions of their own.
func Detached(ctx context.Context) bool {
	v, _ := ctx.Value(detachedKey{}).(bool)
	return v
}

// Clock tells the time; tests move it.
type Clock func() time.Time

// Service is the entry point of every use case. The identity and settings
// use cases are those of the embedded identity.Service, the notification
// use cases those of the embedded notify.Service, the catalog, sales item
// and billing run use cases those of the embedded sales.Service, the
// account use cases those of the embedded accounts.Service, the invoice and
// document use cases those of the embedded invoicing.Service, the ledger
// reports and exchange rates those of the embedded bookkeeping.Service, the
// payment, settlement, refund and dunning use cases those of the embedded
// collections.Service, the wallet use cases those of the embedded
// wallets.Service.
type Service struct {
	*identity.Service
	*notifier
	*salesService
	*accountsService
	*invoicer
	*bookkeeper
	*collector
	*walleter

	store Store
	// lists reads the root's page-by-page lists (ListTx).
	lists    usecase.Store[ListTx]
	now      Clock
	fault    func(point string) error
	trace    func(step string, took time.Duration)
	provider PaymentProvider
	// billBatchItems is about how many items one billing transaction bills.
	billBatchItems int

	// passwordCost is the work of each password hash stored.
	passwordCost access.PasswordCost

	// notifyCfg is what the options set up for sending emails and webhooks.
	notifyCfg notify.Config
}

// Option configures a Service.
type Option func(*Service)

// WithClock replaces the wall clock.
func WithClock(c Clock) Option { return func(s *Service) { s.now = c } }

// WithPasswordCost sets the work of each password hash the service stores
// (access.DefaultPasswordCost without it). Tests use access.LeastPasswordCost
// so that their many users cost nothing to create and sign in; production
// never sets it.
func WithPasswordCost(c access.PasswordCost) Option {
	return func(s *Service) { s.passwordCost = c }
}

// New returns a Service over store.
func New(store Store, opts ...Option) *Service {
	s := &Service{store: store, now: time.Now, passwordCost: access.DefaultPasswordCost,
		lists: usecase.Narrow[ListTx, Tx](store, func(tx Tx) ListTx { return tx })}
	for _, o := range opts {
		o(s)
	}
	s.Service = newIdentity(store, s.Now, s.passwordCost)
	s.notifier = s.newNotify(store, s.Now)
	// Accounts first: sales binds its method RenewSubscriptions.
	s.accountsService = s.newAccounts(store)
	s.salesService = s.newSales(store)
	s.invoicer = s.newInvoicing(store)
	s.bookkeeper = s.newBookkeeping(store)
	s.collector = s.newCollections(store)
	s.walleter = s.newWallets(store)
	return s
}

// Now returns the service clock's current time in UTC, truncated to the
// microsecond both engines store, so what a call returns equals what a later
// read returns.
func (s *Service) Now() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// AuditEntry records one write: who, what, on which target, when, and what
// changed. The envelope (package usecase) writes it.
type AuditEntry = usecase.AuditEntry

// AuditStore appends to and reads the audit log.
type AuditStore interface {
	InsertAudit(ctx context.Context, e AuditEntry) error
	ListAudit(ctx context.Context, tenantID string, f AuditFilter) ([]AuditEntry, error)
}

// AuditFilter selects audit entries, newest first.
type AuditFilter struct {
	TargetID   string
	TargetType string
	Action     string
	Page       Page
}

// ListAudit returns audit entries of the caller's tenant, newest first.
func (s *Service) ListAudit(ctx context.Context, p access.Principal, f AuditFilter) (PageOf[AuditEntry], error) {
	if err := p.Require(access.ReadAudit); err != nil {
		return PageOf[AuditEntry]{}, err
	}
	if err := f.Page.decode(); err != nil {
		return PageOf[AuditEntry]{}, err
	}
	var out []AuditEntry
	err := s.lists.Read(ctx, func(tx ListTx) error {
		var err error
		out, err = tx.ListAudit(ctx, p.TenantID, f)
		return err
	})
	if err != nil {
		return PageOf[AuditEntry]{}, err
	}
	return pageOf(out, f.Page.Limit, func(e AuditEntry) Cursor { return Cursor{ID: e.ID} }), nil
}

// diff returns the changed fields between two flat JSON renderings of a value,
// as {"field": {"from": …, "to": …}}, for the audit log.
func diff(before, after any) map[string]any { return usecase.Diff(before, after) }

// set copies *v into *dst when v is non-nil.
func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
