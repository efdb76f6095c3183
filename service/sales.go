package service

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/service/accounts"
	"github.com/facturo/facturo/service/bookkeeping"
	"github.com/facturo/facturo/service/identity"
	"github.com/facturo/facturo/service/invoicing"
	"github.com/facturo/facturo/service/notify"
	"github.com/facturo/facturo/service/sales"
	"github.com/facturo/facturo/service/usecase"
	"github.com/facturo/facturo/service/wallets"
)

// The catalog, sales item, contract, ticket, usage, billing run and
// "invoice now" use cases live in package sales; Service embeds it, so its
// methods are Service's. These names keep the types reachable as they were.
type (
	// Ticket is a support ticket of a customer.
	Ticket = sales.Ticket
	// TimeEntry is time logged on a ticket.
	TimeEntry = sales.TimeEntry
	// ProductInput creates or changes a product; nil fields stay.
	ProductInput = sales.ProductInput
	// SalesItemInput creates or edits a sales item by hand; nil fields stay.
	SalesItemInput = sales.SalesItemInput
	// Condition is a node of the sales items' advanced filter.
	Condition = sales.Condition
	// PartInput is one contract part as a client enters it.
	PartInput = sales.PartInput
	// ContractInput creates or changes a contract.
	ContractInput = sales.ContractInput
	// TimeEntryInput is time logged on a ticket.
	TimeEntryInput = sales.TimeEntryInput
	// UsageRecord is one row of vendor usage.
	UsageRecord = sales.UsageRecord
	// UsageRowResult says what became of one usage row.
	UsageRowResult = sales.UsageRowResult
	// UsageReport sums a usage import.
	UsageReport = sales.UsageReport
	// UsageImport is a usage file imported from the console in batches.
	UsageImport = sales.UsageImport
	// BillingRun is one billing run of a period.
	BillingRun = sales.BillingRun
	// RunProgress is an increment of a run's counters.
	RunProgress = sales.RunProgress
	// BillingGroup is the pending items that go on one invoice.
	BillingGroup = sales.BillingGroup
	// ClaimedItem is a pending sales item locked for billing.
	ClaimedItem = sales.ClaimedItem
	// InvoicedItem links a billed sales item to its invoice.
	InvoicedItem = sales.InvoicedItem
	// SkippedGroup is an invoice group billing left out, and why.
	SkippedGroup = sales.SkippedGroup
	// RunBatch is a planned part of a run's invoicing, billed by any node.
	RunBatch = sales.RunBatch
	// InvoiceNowInput is what "invoice now" bills for one customer.
	InvoiceNowInput = sales.InvoiceNowInput
	// InvoiceNowResult is what "invoice now" made.
	InvoiceNowResult = sales.InvoiceNowResult
)

// TraceSteps are the steps of a billing run WithBillingTrace reports, in order.
var TraceSteps = sales.TraceSteps

// SalesItemSorts are the sales item list's sort columns.
var SalesItemSorts = sales.SalesItemSorts

// AdvancedFields are the fields the advanced filter may compare.
var AdvancedFields = sales.AdvancedFields

// AdvancedOps are the advanced filter's comparisons.
var AdvancedOps = sales.AdvancedOps

// AdvancedFieldNames are the advanced filter's fields, sorted.
func AdvancedFieldNames() []string { return sales.AdvancedFieldNames() }

// SalesItemLister reads the sales item list page by page (the parts of the
// catalog, contracts, tickets, sales items and billing runs package sales
// uses are its own store interfaces, which Tx embeds).
type SalesItemLister interface {
	ListSalesItems(ctx context.Context, tenantID string, f SalesItemFilter) ([]billing.SalesItem, error)
}

// salesService is the embedded sales service (an alias, so the embedded
// field is named salesService, not a second Service).
type salesService = sales.Service

// newSales returns the sales service over store, its transactions narrowed
// to what each part of it declares, with what it needs of the rest of the
// service. The area's transactions are the store's, narrowed: the root
// code it calls asserts the interface its callee declares (see
// callbacks.go); billing a batch wraps the whole transaction (memoTx).
func (s *Service) newSales(store Store) *sales.Service {
	return sales.New(sales.Stores{
		Catalog:   usecase.Narrow[sales.CatalogTx, Tx](store, func(tx Tx) sales.CatalogTx { return tx }),
		Items:     usecase.Narrow[sales.ItemsTx, Tx](store, func(tx Tx) sales.ItemsTx { return tx }),
		Contracts: usecase.Narrow[sales.ContractsTx, Tx](store, func(tx Tx) sales.ContractsTx { return tx }),
		Tickets:   usecase.Narrow[sales.TicketsTx, Tx](store, func(tx Tx) sales.TicketsTx { return tx }),
		Runs:      usecase.Narrow[sales.RunsTx, Tx](store, func(tx Tx) sales.RunsTx { return tx }),
		Billing:   usecase.Narrow[sales.BillingTx, Tx](store, func(tx Tx) sales.BillingTx { return tx }),
		Plans:     usecase.Narrow[sales.PlanTx, Tx](store, func(tx Tx) sales.PlanTx { return tx }),
		Batches:   usecase.Narrow[sales.BatchTx, Tx](store, func(tx Tx) sales.BatchTx { return tx }),
	}, sales.Deps{
		Emit: func(ctx context.Context, tx usecase.AuditTx, tenantID string, e usecase.Event) error {
			return s.emitEvent(ctx, tx.(notify.EventStore), tenantID, e.Type, e.Data)
		},
		RefuseControlAccount: func(ctx context.Context, tx sales.CatalogTx, tenantID, field, account string) error {
			setup, err := tx.(identity.SetupReader).Setup(ctx, tenantID)
			if err != nil {
				return err
			}
			if setup.ControlAccounts()[account] {
				return controlAccountErr(field, account)
			}
			return nil
		},
		Invoices: salesInvoices{s},
		RateFor: func(ctx context.Context, tx sales.BillTx, tenant billing.Tenant, explicit map[string]string, currency string, date calendar.Date) (decimal.Decimal, bool, error) {
			return exchangeRateFor(ctx, tx.(bookkeeping.RateReader), tenant, explicit, currency, date)
		},
		NoRateReason:       noRateReason,
		RenewSubscriptions: s.RenewSubscriptions,
		RenewDue: func(ctx context.Context, tx sales.BillingTx, tenantID, customerID string, upTo calendar.Date) (int, error) {
			return s.renewDue(ctx, tx.(accounts.SubscriptionsTx), tenantID, customerID, upTo)
		},
		DrawUsage: func(ctx context.Context, tx sales.ItemsTx, si billing.SalesItem, recordID string) (UsageRowResult, bool, error) {
			return s.drawUsageRow(ctx, tx.(wallets.DrawTx), si, recordID)
		},
		Detach:     Detach,
		Fault:      s.faultPoint,
		Trace:      s.traceStep,
		BatchItems: func() int { return s.billBatchItems },
	}, s.Now)
}

// renewDue bills, in tx, the subscription periods of one customer due by
// upTo, as a billing run renews them (each period once, the row locked).
func (s *Service) renewDue(ctx context.Context, tx accounts.SubscriptionsTx, tenantID, customerID string, upTo calendar.Date) (int, error) {
	subs, err := tx.DueSubscriptionIDs(ctx, tenantID, customerID, upTo, 1000)
	if err != nil {
		return 0, err
	}
	made := 0
	for _, sid := range subs {
		sub, err := tx.GetSubscriptionForUpdate(ctx, tenantID, sid)
		if err != nil {
			return made, err
		}
		n, err := s.RenewPeriods(ctx, tx, &sub, upTo)
		if err != nil {
			return made, err
		}
		made += n
	}
	return made, nil
}

// salesInvoices prepares and issues the invoices billing makes, with the
// root's invoice rules (sales.Invoicer).
type salesInvoices struct{ s *Service }

// Memo remembers the settings and customers of one billing transaction.
func (b salesInvoices) Memo(tx sales.BillTx, customers []billing.Customer) sales.BillTx {
	m := newMemoTx(tx.(Tx))
	for _, c := range customers {
		m.customers[c.ID] = c
	}
	return m
}

// Prepare completes and checks a draft made of sales items.
func (b salesInvoices) Prepare(ctx context.Context, tx sales.BillTx, p access.Principal, inv *billing.Invoice) error {
	return b.s.PrepareDraft(ctx, tx.(invoicing.IssueTx), p, inv, InvoiceInput{})
}

// Issue issues a prepared draft and saves it.
func (b salesInvoices) Issue(ctx context.Context, tx sales.BillTx, p access.Principal, inv *billing.Invoice, tenant billing.Tenant, today calendar.Date) error {
	wide := tx.(invoicing.IssueTx)
	if err := b.s.IssueDraft(ctx, wide, p, inv, tenant, today); err != nil {
		return fmt.Errorf("issue %s: %w", inv.DocumentNumber, err)
	}
	return wide.UpdateInvoice(ctx, *inv)
}

// EmitBilled emits invoice.created (and invoice.issued) for what one
// billing transaction made.
func (b salesInvoices) EmitBilled(ctx context.Context, tx sales.BillTx, tenantID string, invs []billing.Invoice, issued bool, extra map[string]any) error {
	return b.s.emitBilledEvents(ctx, tx.(notify.EventStore), tenantID, invs, issued, extra)
}

// WithBillingBatch sets about how many items one billing-run transaction
// bills (default 5,000); tests make it small to crash between batches.
func WithBillingBatch(items int) Option { return func(s *Service) { s.billBatchItems = items } }

// WithFaultHook makes the service call hook at each durable step of long
// work (billing runs); an error from it aborts the work there, as a crash
// would. Tests use it to kill runs at random points.
func WithFaultHook(hook func(point string) error) Option { return func(s *Service) { s.fault = hook } }

// WithBillingTrace makes billing runs report how long each step of each
// batch took (step names: TraceSteps); benchmarks sum them per phase.
func WithBillingTrace(trace func(step string, took time.Duration)) Option {
	return func(s *Service) { s.trace = trace }
}

func (s *Service) traceStep(step string, took time.Duration) {
	if s.trace != nil {
		s.trace(step, took)
	}
}

func (s *Service) faultPoint(point string) error {
	if s.fault == nil {
		return nil
	}
	return s.fault(point)
}

// requireSalesItems is seed 002's rule: only administrator, director, group
// manager, finance manager, finance and sales manage sales items.
func requireSalesItems(p access.Principal) error { return p.Require(access.ManageSalesItems) }

// The sales item list is read page by page, with the root's Page (package
// sales would need it in a package of its own).

// SalesItemFilter selects and orders sales items (seed 002's list, filter and advanced filter).
type SalesItemFilter struct {
	CustomerID string
	// Query is text searched, case-insensitively, in the item's
	// description, provider and source reference and in its customer's
	// number and name (accent-insensitively there).
	Query    string
	Statuses []billing.ItemStatus
	Sources  []billing.Source
	Provider string
	From, To calendar.Date // billing date
	Invoiced *bool
	MinGross *decimal.Decimal `money:"-"` // bounds on each item's gross, in the item's own currency
	MaxGross *decimal.Decimal `money:"-"`
	Advanced *Condition       // conditions combined with and/or/not
	Sort     string
	Desc     bool
	Page     Page
}

// ListSalesItems lists sales items with filters, sort, cursor pagination and the advanced filter.
func (s *Service) ListSalesItems(ctx context.Context, p access.Principal, f SalesItemFilter) (PageOf[billing.SalesItem], error) {
	if err := requireSalesItems(p); err != nil {
		return PageOf[billing.SalesItem]{}, err
	}
	var c fail.Collector
	for _, st := range f.Statuses {
		if !slices.Contains(billing.ItemStatuses, st) {
			c.Add("status", "%q is not a status: use draft, pending, invoiced or cancelled", st)
		}
	}
	for _, src := range f.Sources {
		if !slices.Contains(billing.Sources, src) {
			c.Add("source", "%q is not a source: use contract, ticket, usage, subscription or manual", src)
		}
	}
	f.Query = strings.TrimSpace(f.Query)
	if len(f.Query) > 200 {
		c.Add("q", "at most 200 characters")
	}
	if f.Sort == "" {
		f.Sort = "billing_date"
	}
	if !slices.Contains(SalesItemSorts, f.Sort) {
		c.Add("sort", "%q is not sortable: use one of %v", f.Sort, SalesItemSorts)
	}
	if f.Advanced != nil {
		if err := f.Advanced.Check("filter"); err != nil {
			c.Merge("", err)
		}
	}
	if err := f.Page.decode(); err != nil {
		c.Merge("", err)
	}
	if err := c.Err(); err != nil {
		return PageOf[billing.SalesItem]{}, err
	}
	var rows []billing.SalesItem
	lastName := "" // sorted by customer: the name of the page's last row's customer
	err := s.lists.Read(ctx, func(tx ListTx) error {
		var err error
		rows, err = tx.ListSalesItems(ctx, p.TenantID, f)
		if err != nil || f.Sort != "customer" || len(rows) <= f.Page.Limit {
			return err
		}
		cs, err := tx.ListCustomers(ctx, p.TenantID, CustomerFilter{CustomerID: rows[f.Page.Limit-1].CustomerID, Archived: ArchivedInclude, Sort: SortNumber, Page: Page{Limit: 1}})
		if err == nil && len(cs) > 0 {
			lastName = cs[0].Name
		}
		return err
	})
	if err != nil {
		return PageOf[billing.SalesItem]{}, err
	}
	return pageOf(rows, f.Page.Limit, func(si billing.SalesItem) Cursor {
		if f.Sort == "customer" {
			return Cursor{Sort: lastName, ID: si.ID}
		}
		return Cursor{Sort: SalesItemSortValue(si, f.Sort), ID: si.ID}
	}), nil
}

// SalesItemSortValue is the cursor value of an item for a sort column
// (for "customer", which sorts by the customer's name, the caller knows
// the name: here it is the customer's id).
func SalesItemSortValue(si billing.SalesItem, sort string) string {
	switch sort {
	case "customer":
		return si.CustomerID
	case "description":
		return si.Description
	case "gross":
		return si.Gross.Decimal().String()
	case "status":
		return string(si.Status)
	case "source":
		return string(si.Source)
	case "provider":
		return si.Provider
	case "created_at":
		return si.CreatedAt.UTC().Format(TimeLayout)
	}
	return si.BillingDate.String()
}

// memoTx remembers, for one transaction, the settings and customers that
// preparing many invoices reads again and again: the tenant's
// configuration is read once, as one billing.Setup.
type memoTx struct {
	Tx
	setup     *billing.Setup
	customers map[string]billing.Customer
}

func newMemoTx(tx Tx) *memoTx { return &memoTx{Tx: tx, customers: map[string]billing.Customer{}} }

func (m *memoTx) Setup(ctx context.Context, tenantID string) (billing.Setup, error) {
	if m.setup == nil {
		v, err := m.Tx.Setup(ctx, tenantID)
		if err != nil {
			return v, err
		}
		m.setup = &v
	}
	return *m.setup, nil
}

func (m *memoTx) GetTenant(ctx context.Context, tenantID string) (billing.Tenant, error) {
	s, err := m.Setup(ctx, tenantID)
	return s.Tenant, err
}

func (m *memoTx) TaxSetup(ctx context.Context, tenantID string) (billing.TaxSetup, error) {
	s, err := m.Setup(ctx, tenantID)
	return s.Tax, err
}

func (m *memoTx) ListAccounts(ctx context.Context, tenantID string) ([]ledger.Account, error) {
	s, err := m.Setup(ctx, tenantID)
	return s.Accounts, err
}

func (m *memoTx) ListPostingProfiles(ctx context.Context, tenantID string) ([]ledger.PostingProfile, error) {
	s, err := m.Setup(ctx, tenantID)
	return s.Profiles, err
}

func (m *memoTx) ListSeries(ctx context.Context, tenantID string) (map[string]string, error) {
	s, err := m.Setup(ctx, tenantID)
	return s.Series, err
}

func (m *memoTx) GetCustomer(ctx context.Context, tenantID, customerID string) (billing.Customer, error) {
	if c, ok := m.customers[customerID]; ok {
		return c, nil
	}
	c, err := m.Tx.GetCustomer(ctx, tenantID, customerID)
	if err != nil {
		return c, err
	}
	m.customers[customerID] = c
	return c, nil
}

// emitBilledEvents emits invoice.created (and invoice.issued) for the
// invoices one billing transaction made, reading the endpoints once.
func (s *Service) emitBilledEvents(ctx context.Context, tx notify.EventStore, tenantID string, invs []billing.Invoice, issued bool, extra map[string]any) error {
	if len(invs) == 0 {
		return nil
	}
	eps, err := tx.ListWebhookEndpoints(ctx, tenantID, true)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(eps, func(e WebhookEndpoint) bool { return e.Wants("invoice.created") || e.Wants("invoice.issued") }) {
		return nil
	}
	for _, inv := range invs {
		if err := s.emitEvent(ctx, tx, tenantID, "invoice.created", invoiceEvent(inv, extra)); err != nil {
			return err
		}
		if issued && inv.Status != billing.Draft {
			if err := s.emitEvent(ctx, tx, tenantID, "invoice.issued", invoiceEvent(inv, extra)); err != nil {
				return err
			}
		}
	}
	return nil
}

// The statuses of a usage import.
const (
	ImportRunning     = sales.ImportRunning
	ImportDone        = sales.ImportDone
	ImportInterrupted = sales.ImportInterrupted
)
