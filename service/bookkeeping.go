package service

import (
	"context"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/service/bookkeeping"
	"github.com/facturo/facturo/service/usecase"
)

// The ledger reports, receivables reports and exchange-rate use cases live
// in package bookkeeping; Service embeds it, so its methods are Service's.
// These names keep the types reachable as they were.
type (
	// LedgerStore appends journal entries and reads ledger reports.
	LedgerStore = bookkeeping.LedgerStore
	// ExchangeRateStore persists the tenant's exchange-rate table.
	ExchangeRateStore = bookkeeping.ExchangeRateStore
	// AgingBalance is one bill-to account's open balance in one aging bucket.
	AgingBalance = bookkeeping.AgingBalance
	// AgingTotals is the open balance of a tenant's documents per aging bucket.
	AgingTotals = bookkeeping.AgingTotals
	// AccountLine is one posting on an account with the entry it belongs to.
	AccountLine = bookkeeping.AccountLine
	// CustomerAging is one customer's open balance by days past due.
	CustomerAging = bookkeeping.CustomerAging
	// OpenReceivable is what a bill-to account owes at a date.
	OpenReceivable = bookkeeping.OpenReceivable
	// AgingPage is one page of the receivables aging at a date.
	AgingPage = bookkeeping.AgingPage
	// JournalFilter selects rows of the invoice journal.
	JournalFilter = bookkeeping.JournalFilter
	// JournalRow is one issued document in the invoice journal with its voucher.
	JournalRow = bookkeeping.JournalRow
	// Entry is a journal entry as outputs show it.
	Entry = bookkeeping.Entry
	// InvoiceTotalsView is seed 004's totals view of a document.
	InvoiceTotalsView = bookkeeping.InvoiceTotalsView
	// ExchangeRate is one row of the tenant's exchange-rate table.
	ExchangeRate = bookkeeping.ExchangeRate
	// ExchangeRateFilter narrows the list of rates; zero fields match all.
	ExchangeRateFilter = bookkeeping.ExchangeRateFilter
	// ExchangeRateInput is one rate as given by a user.
	ExchangeRateInput = bookkeeping.ExchangeRateInput
)

// AgingBuckets are the buckets of the receivables report
// (receivables.AgingBuckets).
var AgingBuckets = bookkeeping.AgingBuckets

// ParseExchangeRatesCSV reads an exchange-rate CSV file
// (bookkeeping.ParseExchangeRatesCSV).
var ParseExchangeRatesCSV = bookkeeping.ParseExchangeRatesCSV

// bookkeeper is the embedded bookkeeping service (an alias, so the embedded
// field is named bookkeeper, not a second Service).
type bookkeeper = bookkeeping.Service

// newBookkeeping returns the bookkeeping service over store, its
// transactions narrowed to what each part of it declares.
func (s *Service) newBookkeeping(store Store) *bookkeeping.Service {
	return bookkeeping.New(bookkeeping.Stores{
		Journal:     usecase.Narrow[bookkeeping.JournalTx, Tx](store, func(tx Tx) bookkeeping.JournalTx { return tx }),
		Receivables: usecase.Narrow[bookkeeping.ReceivablesTx, Tx](store, func(tx Tx) bookkeeping.ReceivablesTx { return tx }),
		Rates:       usecase.Narrow[bookkeeping.RatesTx, Tx](store, func(tx Tx) bookkeeping.RatesTx { return tx }),
	}, bookkeeping.Deps{
		GetInvoice: func(ctx context.Context, p access.Principal, invoiceID string) (billing.Invoice, error) {
			return s.GetInvoice(ctx, p, invoiceID)
		},
	}, s.Now)
}

// openReceivable is a bill-to account's open receivable at today
// (bookkeeping.OpenReceivableAt).
func (s *Service) openReceivable(ctx context.Context, tx bookkeeping.ReceivablesStore, tenantID, accountID string, today calendar.Date) (OpenReceivable, error) {
	return bookkeeping.OpenReceivableAt(ctx, tx, tenantID, accountID, today)
}

// exchangeRateFor is the one rule for a document's rate (bookkeeping.RateFor).
func exchangeRateFor(ctx context.Context, tx bookkeeping.RateReader, tenant billing.Tenant, explicit map[string]string, currency string, date calendar.Date) (decimal.Decimal, bool, error) {
	return bookkeeping.RateFor(ctx, tx, tenant, explicit, currency, date)
}

// NoRateOf reads back the currency and date of a billing run's reason for
// skipping a group for want of an exchange rate (bookkeeping.NoRateOf).
func NoRateOf(reason string) (string, calendar.Date, bool) { return bookkeeping.NoRateOf(reason) }

// noRateReason says why a group in currency was not billed (bookkeeping.NoRateReason).
func noRateReason(currency string, date calendar.Date) string {
	return bookkeeping.NoRateReason(currency, date)
}

// post checks and appends a journal entry with the next voucher number
// (bookkeeping.Post).
func (s *Service) post(ctx context.Context, tx bookkeeping.PostingTx, tenantID string, date calendar.Date, desc, sourceType, sourceID, reverses string, lines []ledger.Line) (ledger.Entry, error) {
	return bookkeeping.Post(ctx, tx, s.Now(), tenantID, date, desc, sourceType, sourceID, reverses, lines)
}
