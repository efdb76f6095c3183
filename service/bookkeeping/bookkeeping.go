// Package bookkeeping holds the use cases of a tenant's books: the ledger
// reports (trial balance, account ledger, journal entries, the invoice
// journal), the receivables reports (aging, the open receivable of an
// account, an invoice's totals view against the credit limit) and the
// exchange-rate table with the one rule for a document's rate. Every write
// runs through the envelope of package usecase.
//
// It declares the storage it needs, small store interfaces by noun
// (JournalStore, ReceivablesStore, ExchangeRateStore) combined into one
// transaction interface per part (JournalTx, ReceivablesTx, RatesTx); the
// root service narrows its store to them (usecase.Narrow), and the store
// package implements them. What it needs of other areas (reading a
// document as its caller may) comes in through Deps.
package bookkeeping

import (
	"context"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/service/usecase"
)

// TenantReader reads the tenant (its accounting currency and time zone).
type TenantReader interface {
	GetTenant(ctx context.Context, tenantID string) (billing.Tenant, error)
}

// JournalTx is what the ledger reports read in one transaction.
type JournalTx interface {
	JournalStore
	TenantReader
	// ListAccounts reads the chart of accounts (an account ledger's account
	// must be in it).
	ListAccounts(ctx context.Context, tenantID string) ([]ledger.Account, error)
}

// ReceivablesTx is what the receivables reports read in one transaction.
type ReceivablesTx interface {
	ReceivablesStore
	TenantReader
	GetCustomer(ctx context.Context, tenantID, customerID string) (billing.Customer, error)
	// ListPostingProfiles reads the posting profiles (their receivables
	// accounts make the customer subledger).
	ListPostingProfiles(ctx context.Context, tenantID string) ([]ledger.PostingProfile, error)
	// OpenBalance sums the balances of a bill-to account's issued, unsettled
	// documents in currency (credit notes negative), exactly.
	OpenBalance(ctx context.Context, tenantID, accountID, currency string) (decimal.Decimal, error)
}

// RatesTx is what the exchange-rate use cases read and write in one transaction.
type RatesTx interface {
	usecase.AuditTx
	ExchangeRateStore
	TenantReader
}

// Stores are the transactions the bookkeeping use cases open, one kind per part.
type Stores struct {
	Journal     usecase.Store[JournalTx]
	Receivables usecase.Store[ReceivablesTx]
	Rates       usecase.Store[RatesTx]
}

// Deps is what bookkeeping needs of the rest of the service.
type Deps struct {
	// GetInvoice reads a document as p may see it (the invoicing area).
	GetInvoice func(ctx context.Context, p access.Principal, invoiceID string) (billing.Invoice, error)
}

// Service runs the bookkeeping use cases.
type Service struct {
	journal     usecase.Store[JournalTx]
	receivables usecase.Store[ReceivablesTx]
	rates       usecase.Env[RatesTx]
	deps        Deps
	now         func() time.Time
}

// New returns a Service over st. now is the service clock: UTC, truncated to
// the microsecond both engines store.
func New(st Stores, deps Deps, now func() time.Time) *Service {
	return &Service{
		journal:     st.Journal,
		receivables: st.Receivables,
		rates:       usecase.Env[RatesTx]{Store: st.Rates, Now: now},
		deps:        deps,
		now:         now,
	}
}
