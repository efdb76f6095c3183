// Package sales holds the use cases of what a tenant sells and bills: the
// product catalog, sales items made by hand, contracts, tickets and logged
// time, vendor usage imports, billing runs and "invoice now". Every write of
// one transaction runs through the envelope of package usecase.
//
// It declares the storage it needs, small store interfaces by noun
// (CatalogStore, ContractStore, TicketStore, ItemStore, RunStore,
// RunRecorder, GroupStore, BillStore) combined into one transaction
// interface per part (CatalogTx, ItemsTx, ContractsTx, TicketsTx, RunsTx,
// BillingTx); the root service narrows its store to them (usecase.Narrow),
// and the store package implements them. What it needs of other areas
// (preparing and issuing invoices, webhook events, renewing subscriptions,
// drawing wallets, exchange rates) comes in through Deps.
package sales

import (
	"context"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/service/identity"
	"github.com/facturo/facturo/service/usecase"
)

// CatalogStore persists the product catalog.
type CatalogStore interface {
	ProductReader
	InsertProduct(ctx context.Context, p billing.Product) error // conflict on a duplicate code
	UpdateProduct(ctx context.Context, p billing.Product) error
	ProductByCode(ctx context.Context, tenantID, code string) (billing.Product, error)
	ListProducts(ctx context.Context, tenantID string) ([]billing.Product, error)
}

// ProductReader finds a product.
type ProductReader interface {
	GetProduct(ctx context.Context, tenantID, productID string) (billing.Product, error)
}

// ContractStore persists contracts with their parts.
type ContractStore interface {
	ContractLister
	InsertContract(ctx context.Context, c billing.Contract) error
	UpdateContract(ctx context.Context, c billing.Contract) error
	GetContract(ctx context.Context, tenantID, contractID string) (billing.Contract, error)
}

// ContractLister lists the tenant's contracts, or one customer's.
type ContractLister interface {
	ListContracts(ctx context.Context, tenantID, customerID string) ([]billing.Contract, error)
	// ContractPartPeriods returns the periods already billed for a part.
	ContractPartPeriods(ctx context.Context, tenantID, partID string) ([]calendar.Range, error)
}

// TicketStore persists tickets and the time logged on them.
type TicketStore interface {
	InsertTicket(ctx context.Context, t Ticket) error
	GetTicket(ctx context.Context, tenantID, ticketID string) (Ticket, error)
	ListTickets(ctx context.Context, tenantID, customerID string) ([]Ticket, error)
	InsertTimeEntry(ctx context.Context, e TimeEntry) error
	ListTimeEntries(ctx context.Context, tenantID, ticketID string) ([]TimeEntry, error)
}

// ItemStore persists sales items (the list page by page is the root's).
type ItemStore interface {
	ItemInserter
	UpdateSalesItem(ctx context.Context, si billing.SalesItem) error
	GetSalesItem(ctx context.Context, tenantID, itemID string) (billing.SalesItem, error)
	GetSalesItemForUpdate(ctx context.Context, tenantID, itemID string) (billing.SalesItem, error)
	// SetOpenItemsStatus moves a customer's draft or pending items to status.
	SetOpenItemsStatus(ctx context.Context, tenantID, customerID string, status billing.ItemStatus, at time.Time) (int, error)
	// CustomerByRef finds a customer by number or SAP id (usage files).
	CustomerByRef(ctx context.Context, tenantID, ref string) (billing.Customer, error)
}

// ItemInserter adds sales items.
type ItemInserter interface {
	// InsertSalesItem adds an item; for sources other than manual, a second
	// item with the same (source, source_ref) is refused with fail.Conflict.
	InsertSalesItem(ctx context.Context, si billing.SalesItem) error
}

// TenantReader reads the tenant.
type TenantReader interface {
	GetTenant(ctx context.Context, tenantID string) (billing.Tenant, error)
}

// CustomerReader finds a customer.
type CustomerReader interface {
	GetCustomer(ctx context.Context, tenantID, customerID string) (billing.Customer, error)
}

// Parties reads the tenant and its customers.
type Parties interface {
	TenantReader
	CustomerReader
}

// Counter hands out per-tenant sequence numbers.
type Counter interface {
	// NextCounter increments and returns the named counter, starting at 1.
	NextCounter(ctx context.Context, tenantID, name string) (int64, error)
}

// CompleteTx is what completing a sales item reads (CompleteItem): its
// customer, product, tenant and tax groups.
type CompleteTx interface {
	Parties
	identity.TaxSetupReader
	ProductReader
}

// CatalogTx is what the product use cases read and write in one transaction.
type CatalogTx interface {
	usecase.AuditTx
	CatalogStore
	identity.TaxSetupReader
	identity.AccountLister
	TenantReader
}

// ItemsTx is what the sales item and usage import use cases read and write
// in one transaction.
type ItemsTx interface {
	usecase.AuditTx
	ItemStore
	UsageImportStore
	CompleteTx
	ProductByCode(ctx context.Context, tenantID, code string) (billing.Product, error)
}

// ContractsTx is what the contract use cases read and write in one transaction.
type ContractsTx interface {
	usecase.AuditTx
	ContractStore
	CustomerReader
	ProductReader
	Counter
}

// TicketsTx is what the ticket and time use cases read and write in one
// transaction (billable time becomes a sales item).
type TicketsTx interface {
	usecase.AuditTx
	TicketStore
	CompleteTx
	ItemInserter
	Counter
}

// RunsTx is what the bookkeeping of billing runs (start, progress, end,
// schedule) reads and writes in one transaction.
type RunsTx interface {
	usecase.AuditTx
	RunStore
	RunRecorder
	GroupStore
	TenantReader
	UpdateTenant(ctx context.Context, t billing.Tenant) error
}

// BillTx is what billing bill-to accounts reads and writes in one
// transaction (billAccounts): claiming their items, writing the invoices,
// and the parties, products and tax setup the invoices are made of.
type BillTx interface {
	usecase.AuditTx
	BillStore
	CompleteTx
}

// BillingTx is what one billing transaction of "invoice now", of a run's
// contract items or of its look for anything pending reads and writes:
// contract items, billing accounts, and the run's progress.
type BillingTx interface {
	BillTx
	RunRecorder
	ContractLister
	ItemInserter
}

// BatchTx is what billing one planned batch of a run reads and writes: the
// batch's claim, its accounts billed, the run's progress.
type BatchTx interface {
	BillTx
	RunRecorder
	ClaimBillingRunBatch(ctx context.Context, tenantID, runID string) (RunBatch, bool, error)
	FinishBillingRunBatch(ctx context.Context, tenantID, runID string, seq int, node string, at time.Time) error
}

// PlanTx is what planning a run's invoicing in batches, and waiting for the
// batches other nodes hold, reads and writes.
type PlanTx interface {
	usecase.AuditTx
	RunRecorder
	GetBillingRun(ctx context.Context, tenantID, runID string) (BillingRun, error)
	PlanBillingRunBatches(ctx context.Context, tenantID, runID string, batches []RunBatch) error
	OpenBillingRunBatches(ctx context.Context, tenantID, runID string) (int, error)
}

// Invoicer prepares and issues the documents billing makes: the invoicing
// area's rules, reached through the root service.
type Invoicer interface {
	// Memo returns tx remembering, for the rest of the transaction, the
	// settings and customers that preparing many documents reads again and
	// again, starting with customers.
	Memo(tx BillTx, customers []billing.Customer) BillTx
	// Prepare completes and checks a draft made of sales items (as creating
	// a draft does), in tx.
	Prepare(ctx context.Context, tx BillTx, p access.Principal, inv *billing.Invoice) error
	// Issue issues a prepared draft dated today and saves it, in tx.
	Issue(ctx context.Context, tx BillTx, p access.Principal, inv *billing.Invoice, tenant billing.Tenant, today calendar.Date) error
	// EmitBilled records invoice.created (and invoice.issued when issued)
	// for the documents one billing transaction made, with extra data.
	EmitBilled(ctx context.Context, tx BillTx, tenantID string, invs []billing.Invoice, issued bool, extra map[string]any) error
}

// Deps is what the sales use cases need of the rest of the service.
type Deps struct {
	// Emit records one webhook event in tx, the transaction of the change
	// it reports.
	Emit func(ctx context.Context, tx usecase.AuditTx, tenantID string, e usecase.Event) error
	// RefuseControlAccount refuses, on field, a control account where a
	// revenue account belongs.
	RefuseControlAccount func(ctx context.Context, tx CatalogTx, tenantID, field, account string) error
	// Invoices prepares and issues what billing makes.
	Invoices Invoicer
	// RateFor is the exchange rate of a document in currency dated date:
	// explicit first, then the tenant's table; ok is false when there is none.
	RateFor func(ctx context.Context, tx BillTx, tenant billing.Tenant, explicit map[string]string, currency string, date calendar.Date) (rate decimal.Decimal, ok bool, err error)
	// NoRateReason says why a group in currency dated date was not billed.
	NoRateReason func(currency string, date calendar.Date) string
	// RenewSubscriptions bills every subscription period of the tenant due
	// by upTo, in transactions of its own; it returns the items made.
	RenewSubscriptions func(ctx context.Context, tenantID string, upTo calendar.Date) (int, error)
	// RenewDue bills, in tx, the subscription periods of one customer due
	// by upTo; it returns the items made.
	RenewDue func(ctx context.Context, tx BillingTx, tenantID, customerID string, upTo calendar.Date) (int, error)
	// DrawUsage charges an imported usage row to the customer's wallet in
	// tx; ok is false when the row becomes a sales item instead.
	DrawUsage func(ctx context.Context, tx ItemsTx, si billing.SalesItem, recordID string) (res UsageRowResult, ok bool, err error)
	// Detach returns a context whose transactions never join the request's
	// (a billing run commits batch by batch).
	Detach func(ctx context.Context) context.Context
	// Fault is called at each durable step of a billing run; an error
	// aborts the run there, as a crash would. Nil for none.
	Fault func(point string) error
	// Trace, when set, is told how long each step of a billing run took
	// (TraceSteps).
	Trace func(step string, took time.Duration)
	// BatchItems is about how many items one billing transaction bills.
	BatchItems func() int
}

// Stores are the transactions the sales use cases open, one kind per part.
type Stores struct {
	Catalog   usecase.Store[CatalogTx]
	Items     usecase.Store[ItemsTx]
	Contracts usecase.Store[ContractsTx]
	Tickets   usecase.Store[TicketsTx]
	Runs      usecase.Store[RunsTx]
	Billing   usecase.Store[BillingTx]
	Plans     usecase.Store[PlanTx]
	Batches   usecase.Store[BatchTx]
}

// Service runs the sales and billing use cases.
type Service struct {
	catalog   usecase.Env[CatalogTx]
	items     usecase.Env[ItemsTx]
	contracts usecase.Env[ContractsTx]
	tickets   usecase.Env[TicketsTx]
	runs      usecase.Env[RunsTx]
	billing   usecase.Env[BillingTx]
	plans     usecase.Env[PlanTx]
	batches   usecase.Env[BatchTx]
	deps      Deps
	now       func() time.Time
}

// New returns a Service over st. now is the service clock: UTC, truncated to
// the microsecond both engines store.
func New(st Stores, d Deps, now func() time.Time) *Service {
	return &Service{
		catalog:   usecase.Env[CatalogTx]{Store: st.Catalog, Now: now, Emit: emitter[CatalogTx](d)},
		items:     usecase.Env[ItemsTx]{Store: st.Items, Now: now, Emit: emitter[ItemsTx](d)},
		contracts: usecase.Env[ContractsTx]{Store: st.Contracts, Now: now, Emit: emitter[ContractsTx](d)},
		tickets:   usecase.Env[TicketsTx]{Store: st.Tickets, Now: now, Emit: emitter[TicketsTx](d)},
		runs:      usecase.Env[RunsTx]{Store: st.Runs, Now: now, Emit: emitter[RunsTx](d)},
		billing:   usecase.Env[BillingTx]{Store: st.Billing, Now: now, Emit: emitter[BillingTx](d)},
		plans:     usecase.Env[PlanTx]{Store: st.Plans, Now: now, Emit: emitter[PlanTx](d)},
		batches:   usecase.Env[BatchTx]{Store: st.Batches, Now: now, Emit: emitter[BatchTx](d)},
		deps:      d,
		now:       now,
	}
}

// emitter is d.Emit for the envelope of transactions X.
func emitter[X usecase.AuditTx](d Deps) func(ctx context.Context, tx X, tenantID string, e usecase.Event) error {
	return func(ctx context.Context, tx X, tenantID string, e usecase.Event) error {
		return d.Emit(ctx, tx, tenantID, e)
	}
}

// emit records one event in tx outside the envelope (the steps of a run).
func (s *Service) emit(ctx context.Context, tx usecase.AuditTx, tenantID, eventType string, data any) error {
	return s.deps.Emit(ctx, tx, tenantID, usecase.Event{Type: eventType, Data: data})
}

// record writes one audit entry in tx outside the envelope (the steps of a
// run, each its own transaction).
func (s *Service) record(ctx context.Context, tx usecase.AuditTx, p access.Principal, action, targetType, targetID string, changes any) error {
	return usecase.Record(ctx, tx, s.now, p, usecase.Change{Action: action, TargetType: targetType, TargetID: targetID, Changes: changes})
}

// faultPoint calls the fault hook at a durable step of long work.
func (s *Service) faultPoint(point string) error {
	if s.deps.Fault == nil {
		return nil
	}
	return s.deps.Fault(point)
}

// batchItems is about how many items one billing transaction bills.
func (s *Service) batchItems() int {
	if s.deps.BatchItems != nil {
		if n := s.deps.BatchItems(); n > 0 {
			return n
		}
	}
	return 5000
}

// set copies *v into *dst when v is non-nil.
func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
