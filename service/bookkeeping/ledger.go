package bookkeeping

import (
	"context"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/receivables"
	"github.com/facturo/facturo/service/identity"
)

// LedgerStore appends journal entries and reads ledger reports: the
// journal and the receivables (the root transaction embeds it).
type LedgerStore interface {
	JournalStore
	ReceivablesStore
}

// JournalStore appends journal entries and reads the ledger reports.
type JournalStore interface {
	InsertEntry(ctx context.Context, e ledger.Entry) error
	GetEntry(ctx context.Context, tenantID, entryID string) (ledger.Entry, error)
	// EntriesBySource lists, oldest first, the entries a source posted
	// (source_type and source_id: a write-off of an invoice, for example).
	EntriesBySource(ctx context.Context, tenantID, sourceType, sourceID string) ([]ledger.Entry, error)
	// HasEntries reports whether the tenant's journal holds any entry.
	HasEntries(ctx context.Context, tenantID string) (bool, error)
	// TrialBalance sums debits and credits per account up to and including asOf.
	TrialBalance(ctx context.Context, tenantID string, asOf calendar.Date) ([]ledger.Balance, error)
	// AccountLines lists an account's postings in a date range, oldest first.
	AccountLines(ctx context.Context, tenantID, account string, from, to calendar.Date, limit int) ([]AccountLine, error)
	// Journal lists issued documents with their vouchers, newest first.
	Journal(ctx context.Context, tenantID string, f JournalFilter) ([]JournalRow, error)
}

// ReceivablesStore reads the customer subledger and the open documents by
// due date.
type ReceivablesStore interface {
	// SubledgerBalances sums the postings on the given accounts per customer.
	SubledgerBalances(ctx context.Context, tenantID string, accounts []string) (map[string]decimal.Decimal, error)
	// OpenDocuments lists issued documents with a balance (open, past due).
	OpenDocuments(ctx context.Context, tenantID, customerID string) ([]billing.Invoice, error)
	// AgingBalances sums the accounting-currency balances of open and past
	// due documents (credit notes negative) per bill-to account and bucket:
	// bucket i holds due dates on or after cuts[i], the last bucket the rest.
	// Accounts limits the sums to those bill-to accounts (nil: all).
	AgingBalances(ctx context.Context, tenantID string, cuts []calendar.Date, accounts []string) ([]AgingBalance, error)
	// AgingTotals sums every open and past due document per bucket, from
	// the summary kept per due date.
	AgingTotals(ctx context.Context, tenantID string, cuts []calendar.Date) (AgingTotals, error)
	// OpenAccounts lists, in id order, up to limit bill-to accounts after
	// the given id that have open or past due documents.
	OpenAccounts(ctx context.Context, tenantID, after string, limit int) ([]string, error)
}

// AgingBalance is one bill-to account's open balance in one aging bucket.
type AgingBalance struct {
	AccountID      string
	CustomerNumber string
	Name           string
	Bucket         int          // index into AgingBuckets
	Balance        money.Amount // in the accounting currency
}

// AgingTotals is the open balance of a tenant's documents per aging bucket.
type AgingTotals struct {
	Buckets   []money.Amount // in AgingBuckets order, in the accounting currency
	Documents int
}

// AccountLine is one posting on an account with the entry it belongs to.
type AccountLine struct {
	EntryID     string        `json:"entry_id"`
	EntryNumber string        `json:"entry_number"`
	Date        calendar.Date `json:"date"`
	Description string        `json:"description"`
	Debit       money.Amount  `json:"debit"`
	Credit      money.Amount  `json:"credit"`
	Balance     money.Amount  `json:"balance"` // running, debit − credit
	CustomerID  string        `json:"customer_id"`
	InvoiceID   string        `json:"invoice_id"`
	Currency    string        `json:"currency"` // the accounting currency
}

// TrialBalance returns every account's debits, credits and net at a date.
// Their nets sum to zero.
func (s *Service) TrialBalance(ctx context.Context, p access.Principal, asOf calendar.Date) ([]ledger.Balance, error) {
	if err := p.Require(access.ReadLedger); err != nil {
		return nil, err
	}
	var out []ledger.Balance
	err := s.journal.Read(ctx, func(tx JournalTx) error {
		asOf, err := s.dateOrToday(ctx, tx, p.TenantID, asOf)
		if err != nil {
			return err
		}
		out, err = tx.TrialBalance(ctx, p.TenantID, asOf)
		return err
	})
	return out, err
}

// AccountLedger lists an account's postings with a running balance.
func (s *Service) AccountLedger(ctx context.Context, p access.Principal, account string, from, to calendar.Date, limit int) ([]AccountLine, error) {
	if err := p.Require(access.ReadLedger); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 10000 {
		limit = 1000
	}
	var out []AccountLine
	err := s.journal.Read(ctx, func(tx JournalTx) error {
		if err := identity.RequireAccount(ctx, tx, p.TenantID, "account", account); err != nil {
			return err
		}
		var err error
		out, err = tx.AccountLines(ctx, p.TenantID, account, from, to, limit)
		return err
	})
	return out, err
}

// AgingBuckets are the buckets of the receivables report
// (receivables.AgingBuckets).
var AgingBuckets = receivables.AgingBuckets

// CustomerAging is one customer's open balance by days past due, in the
// accounting currency, with its subledger balance.
type CustomerAging struct {
	CustomerID     string                  `json:"customer_id"`
	CustomerNumber string                  `json:"customer_number"`
	Name           string                  `json:"name"`
	Buckets        map[string]money.Amount `json:"buckets"`
	Total          money.Amount            `json:"total"`
	Ledger         money.Amount            `json:"ledger"`   // receivables postings for the customer: equals Total
	Currency       string                  `json:"currency"` // the accounting currency
}

// newCustomerAging returns a customer's aging with every bucket, its total
// and its ledger balance at zero in currency cur.
func newCustomerAging(id, number, name, cur string) *CustomerAging {
	zero := money.In(decimal.Zero, cur)
	a := &CustomerAging{CustomerID: id, CustomerNumber: number, Name: name, Buckets: map[string]money.Amount{},
		Total: zero, Ledger: zero, Currency: cur}
	for _, b := range AgingBuckets {
		a.Buckets[b] = zero
	}
	return a
}

// add adds balance, in the aging's currency, to bucket b and the total.
func (a *CustomerAging) add(b string, balance money.Amount) {
	a.Buckets[b] = a.Buckets[b].MustAdd(balance)
	a.Total = a.Total.MustAdd(balance)
}

// ReceivablesAging returns the customer subledger with aging buckets at a date.
func (s *Service) ReceivablesAging(ctx context.Context, p access.Principal, asOf calendar.Date) ([]CustomerAging, error) {
	if err := p.Require(access.ReadLedger); err != nil {
		return nil, err
	}
	var out []CustomerAging
	err := s.receivables.Read(ctx, func(tx ReceivablesTx) error {
		asOf, err := s.dateOrToday(ctx, tx, p.TenantID, asOf)
		if err != nil {
			return err
		}
		// The buckets are summed by the database: a report over every open
		// document must not read each one (1,000,000 invoices, BENCHMARKS.md).
		rows, err := tx.AgingBalances(ctx, p.TenantID, receivables.AgingCuts(asOf), nil)
		if err != nil {
			return err
		}
		cur, err := tenantCurrency(ctx, tx, p.TenantID)
		if err != nil {
			return err
		}
		recv, err := receivableAccounts(ctx, tx, p.TenantID)
		if err != nil {
			return err
		}
		sub, err := tx.SubledgerBalances(ctx, p.TenantID, recv)
		if err != nil {
			return err
		}
		by := map[string]*CustomerAging{}
		var order []string
		get := func(id, number, name string) *CustomerAging {
			a := by[id]
			if a == nil {
				a = newCustomerAging(id, number, name, cur)
				by[id] = a
				order = append(order, id)
			}
			return a
		}
		for _, r := range rows {
			get(r.AccountID, r.CustomerNumber, r.Name).add(receivables.AgingBucket(r.Bucket), r.Balance)
		}
		for cust, bal := range sub {
			if cust == "" {
				continue
			}
			a, ok := by[cust]
			if !ok {
				c, err := tx.GetCustomer(ctx, p.TenantID, cust)
				if err != nil {
					return err
				}
				a = get(cust, c.Number, c.Name)
			}
			a.Ledger = money.In(bal, cur)
		}
		slices.Sort(order)
		for _, id := range order {
			out = append(out, *by[id])
		}
		return nil
	})
	return out, err
}

// OpenReceivable is what a bill-to account owes at a date, in the
// accounting currency: the balances of its open and past-due invoices less
// those of its open credit notes. Customer credit (unapplied payments) is
// not part of it: it is a liability on its own account. It equals the
// account's postings on the receivables accounts (the ledger's subledger).
type OpenReceivable struct {
	Open    money.Amount // everything still owed
	PastDue money.Amount // the part due before the date
}

// OpenReceivableAt is the one definition of a bill-to account's open
// receivable, used by the dashboard, the portal, the invoice totals and
// (through the same summary, AgingBalances) the receivables reports: the
// sum of the account's aging buckets at today, the buckets after the first
// being past due.
func OpenReceivableAt(ctx context.Context, tx ReceivablesStore, tenantID, accountID string, today calendar.Date) (OpenReceivable, error) {
	rows, err := tx.AgingBalances(ctx, tenantID, receivables.AgingCuts(today), []string{accountID})
	if err != nil {
		return OpenReceivable{}, err
	}
	var out OpenReceivable
	for i, r := range rows {
		if i == 0 {
			out.Open, out.PastDue = money.Zero(r.Balance.Currency()), money.Zero(r.Balance.Currency())
		}
		out.Open = out.Open.MustAdd(r.Balance)
		if receivables.IsPastDue(r.Bucket) {
			out.PastDue = out.PastDue.MustAdd(r.Balance)
		}
	}
	return out, nil
}

// AgingPage is one page of the receivables aging at a date: the totals of
// every open document per bucket, and the bill-to accounts of the page.
type AgingPage struct {
	AsOf      calendar.Date           `json:"as_of"`
	Totals    map[string]money.Amount `json:"totals"`
	Total     money.Amount            `json:"total"`
	Documents int                     `json:"documents"`
	Customers []CustomerAging         `json:"customers"`
	Currency  string                  `json:"currency"` // the accounting currency
	// Next is the after of the following page; empty on the last page.
	Next string `json:"next,omitempty"`
}

// tenantCurrency is the tenant's accounting currency.
func tenantCurrency(ctx context.Context, tx TenantReader, tenantID string) (string, error) {
	t, err := tx.GetTenant(ctx, tenantID)
	return t.Currency, err
}

// ReceivablesAgingPage returns the aging totals and limit bill-to accounts
// after the given account id (in id order). It reads summaries and one
// index range per account, so it costs the same with any number of
// documents (the console's ledger page; ReceivablesAging is the full
// report with each customer's subledger balance).
func (s *Service) ReceivablesAgingPage(ctx context.Context, p access.Principal, asOf calendar.Date, after string, limit int) (AgingPage, error) {
	if err := p.Require(access.ReadLedger); err != nil {
		return AgingPage{}, err
	}
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	var out AgingPage
	err := s.receivables.Read(ctx, func(tx ReceivablesTx) error {
		asOf, err := s.dateOrToday(ctx, tx, p.TenantID, asOf)
		if err != nil {
			return err
		}
		cur, err := tenantCurrency(ctx, tx, p.TenantID)
		if err != nil {
			return err
		}
		out = AgingPage{AsOf: asOf, Totals: map[string]money.Amount{}, Total: money.In(decimal.Zero, cur), Customers: []CustomerAging{}, Currency: cur}
		cuts := receivables.AgingCuts(asOf)
		tot, err := tx.AgingTotals(ctx, p.TenantID, cuts)
		if err != nil {
			return err
		}
		for i, b := range AgingBuckets {
			out.Totals[b] = tot.Buckets[i]
			out.Total = out.Total.MustAdd(out.Totals[b])
		}
		out.Documents = tot.Documents
		ids, err := tx.OpenAccounts(ctx, p.TenantID, after, limit+1)
		if err != nil {
			return err
		}
		if len(ids) > limit {
			ids = ids[:limit]
			out.Next = ids[limit-1]
		}
		if len(ids) == 0 {
			return nil // (nil accounts would mean all of them)
		}
		rows, err := tx.AgingBalances(ctx, p.TenantID, cuts, ids)
		if err != nil {
			return err
		}
		by := map[string]int{}
		for _, r := range rows {
			i, ok := by[r.AccountID]
			if !ok {
				i = len(out.Customers)
				by[r.AccountID] = i
				out.Customers = append(out.Customers, *newCustomerAging(r.AccountID, r.CustomerNumber, r.Name, cur))
			}
			out.Customers[i].add(receivables.AgingBucket(r.Bucket), r.Balance)
		}
		return nil
	})
	return out, err
}

// dateOrToday is d, or the tenant's today when d is zero.
func (s *Service) dateOrToday(ctx context.Context, tx TenantReader, tenantID string, d calendar.Date) (calendar.Date, error) {
	if !d.IsZero() {
		return d, nil
	}
	t, err := tx.GetTenant(ctx, tenantID)
	if err != nil {
		return d, err
	}
	return calendar.Today(s.now(), t.Location()), nil
}

// receivableAccounts lists every account a posting profile uses for receivables.
func receivableAccounts(ctx context.Context, tx ReceivablesTx, tenantID string) ([]string, error) {
	profiles, err := tx.ListPostingProfiles(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, pp := range profiles {
		if !slices.Contains(out, pp.ReceivablesAccount) {
			out = append(out, pp.ReceivablesAccount)
		}
	}
	return out, nil
}

// JournalFilter selects rows of the invoice journal.
type JournalFilter struct {
	CustomerID string
	From, To   calendar.Date
	Limit      int
}

// JournalRow is one issued document in the invoice journal with its voucher.
type JournalRow struct {
	InvoiceID    string         `json:"invoice_id"`
	Number       string         `json:"number"`
	Kind         billing.Kind   `json:"kind"`
	Status       billing.Status `json:"status"`
	InvoiceDate  calendar.Date  `json:"invoice_date"`
	CustomerID   string         `json:"customer_id"`
	CustomerName string         `json:"customer_name"`
	Currency     string         `json:"currency"`
	Total        money.Amount   `json:"total"`
	Voucher      string         `json:"voucher"`
	VoidVoucher  string         `json:"void_voucher,omitempty"`
}

// InvoiceJournal lists issued documents with their ledger vouchers (seed 004).
func (s *Service) InvoiceJournal(ctx context.Context, p access.Principal, f JournalFilter) ([]JournalRow, error) {
	if err := p.Require(access.ReadLedger); err != nil {
		return nil, err
	}
	if f.Limit <= 0 || f.Limit > 10000 {
		f.Limit = 500
	}
	var out []JournalRow
	err := s.journal.Read(ctx, func(tx JournalTx) error {
		var err error
		out, err = tx.Journal(ctx, p.TenantID, f)
		return err
	})
	return out, err
}

// Entry is a journal entry as outputs show it: ledger.Entry with the
// accounting currency its debits and credits are in.
type Entry struct {
	ID          string        `json:"id"`
	Number      string        `json:"number"` // voucher number
	Date        calendar.Date `json:"date"`
	Description string        `json:"description"`
	SourceType  string        `json:"source_type"` // invoice, credit_note, payment …
	SourceID    string        `json:"source_id"`
	ReversesID  string        `json:"reverses_id,omitempty"`
	Lines       []ledger.Line `json:"lines"`
	CreatedAt   time.Time     `json:"created_at"`
	Currency    string        `json:"currency,omitempty"` // the accounting currency of debits and credits
}

// entryOf is e as outputs show it, with the accounting currency of its
// debits and credits.
func entryOf(e ledger.Entry, accounting string) Entry {
	return Entry{ID: e.ID, Number: e.Number, Date: e.Date, Description: e.Description, SourceType: e.SourceType, SourceID: e.SourceID,
		ReversesID: e.ReversesID, Lines: e.Lines, CreatedAt: e.CreatedAt, Currency: accounting}
}

// GetEntry returns one journal entry.
func (s *Service) GetEntry(ctx context.Context, p access.Principal, entryID string) (Entry, error) {
	if err := p.Require(access.ReadLedger); err != nil {
		return Entry{}, err
	}
	var out Entry
	err := s.journal.Read(ctx, func(tx JournalTx) error {
		e, err := tx.GetEntry(ctx, p.TenantID, entryID)
		if err != nil {
			return err
		}
		cur, err := tenantCurrency(ctx, tx, p.TenantID)
		out = entryOf(e, cur)
		return err
	})
	return out, err
}

// InvoiceTotalsView is seed 004's totals view: the document's amounts with
// the customer's credit limit, open balance and what would remain available.
type InvoiceTotalsView struct {
	billing.Totals
	Currency           string       `json:"currency"`
	CreditCurrency     string       `json:"credit_currency"`      // the credit limit's (billing.Customer.CreditCurrency)
	CreditLimit        money.Amount `json:"credit_limit"`         // in CreditCurrency
	OpenBalance        money.Amount `json:"open_balance"`         // the account's open documents in CreditCurrency
	AvailableAfter     money.Amount `json:"available_after"`      // credit limit − open balance − this draft (if not yet issued and in CreditCurrency)
	CreditLimitReached bool         `json:"credit_limit_reached"` // available_after < 0 with a limit set
}

// InvoiceTotals returns the totals view of a document.
func (s *Service) InvoiceTotals(ctx context.Context, p access.Principal, invoiceID string) (InvoiceTotalsView, error) {
	inv, err := s.deps.GetInvoice(ctx, p, invoiceID)
	if err != nil {
		return InvoiceTotalsView{}, err
	}
	var v InvoiceTotalsView
	err = s.receivables.Read(ctx, func(tx ReceivablesTx) error {
		acct, err := tx.GetCustomer(ctx, p.TenantID, inv.InvoiceAccountID)
		if err != nil {
			return err
		}
		tenant, err := tx.GetTenant(ctx, p.TenantID)
		if err != nil {
			return err
		}
		cur := acct.CreditCurrency(tenant.Currency)
		open, err := tx.OpenBalance(ctx, p.TenantID, inv.InvoiceAccountID, cur)
		if err != nil {
			return err
		}
		avail := acct.CreditLimit.Decimal().Sub(open)
		if inv.Status.IsDraft() && inv.Kind == billing.KindInvoice && inv.Currency == cur {
			avail = avail.Sub(inv.Total.Decimal())
		}
		v = InvoiceTotalsView{Totals: inv.Totals, Currency: inv.Currency, CreditCurrency: cur, CreditLimit: money.In(acct.CreditLimit.Decimal(), cur),
			OpenBalance: money.In(open, cur), AvailableAfter: money.In(avail, cur), CreditLimitReached: acct.CreditLimit.Sign() > 0 && avail.IsNegative()}
		return nil
	})
	return v, err
}
