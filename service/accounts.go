package service

import (
	"context"
	"slices"
	"strings"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service/accounts"
	"github.com/facturo/facturo/service/bookkeeping"
	"github.com/facturo/facturo/service/collections"
	"github.com/facturo/facturo/service/sales"
	"github.com/facturo/facturo/service/usecase"
	"github.com/facturo/facturo/service/wallets"
)

// The account use cases (customers, cards on file, subscriptions and the
// account dashboard) live in package accounts; Service embeds it, so its
// methods are Service's. These names keep the types reachable as they were.
type (
	// CustomerInput creates or changes a customer; nil fields stay (or default on create).
	CustomerInput = accounts.CustomerInput
	// BillingInput is the billing information to set; nil fields stay.
	BillingInput = accounts.BillingInput
	// PaymentProvider is the card processor Facturo charges through.
	PaymentProvider = accounts.PaymentProvider
	// AttachCardRequest asks a provider to keep a card.
	AttachCardRequest = accounts.AttachCardRequest
	// ProviderCard is what Facturo stores of a card.
	ProviderCard = accounts.ProviderCard
	// ChargeRequest charges a stored card.
	ChargeRequest = accounts.ChargeRequest
	// ProviderCharge is a successful charge.
	ProviderCharge = accounts.ProviderCharge
	// RefundRequest refunds part or all of a charge.
	RefundRequest = accounts.RefundRequest
	// ProviderRefund is a successful refund.
	ProviderRefund = accounts.ProviderRefund
	// CardSetup is what the browser needs to take a card with the provider's script.
	CardSetup = accounts.CardSetup
	// DeclineError is a card the provider refused: declined, expired, invalid.
	DeclineError = accounts.DeclineError
	// PaymentMethodStore persists cards on file.
	PaymentMethodStore = accounts.PaymentMethodStore
	// PaymentMethod is a card on file (never the card number).
	PaymentMethod = accounts.PaymentMethod
	// NewPaymentMethod adds a card.
	NewPaymentMethod = accounts.NewPaymentMethod
	// SubscriptionStore persists subscriptions.
	SubscriptionStore = accounts.SubscriptionStore
	// SubscriptionInput creates a subscription; nil fields take defaults.
	SubscriptionInput = accounts.SubscriptionInput
	// SubscriptionChange is one action on a subscription.
	SubscriptionChange = accounts.SubscriptionChange
	// Dashboard is seed 003's account billing dashboard, with the wallet's view.
	Dashboard = accounts.Dashboard[WalletView]
	// ChargeSummary sums a customer's charges.
	ChargeSummary = accounts.ChargeSummary
	// Transaction is one line of a dashboard's transaction history.
	Transaction = accounts.Transaction
)

// CustomerStore persists customers: the part package accounts uses, and
// listing them page by page.
type CustomerStore interface {
	accounts.CustomerStore
	ListCustomers(ctx context.Context, tenantID string, f CustomerFilter) ([]billing.Customer, error)
}

// accountsService is the embedded account service (an alias, so the
// embedded field is named accountsService, not a second Service).
type accountsService = accounts.Service

// WithPaymentProvider sets the card processor. Without one, card actions
// answer that no provider is configured.
func WithPaymentProvider(p PaymentProvider) Option { return func(s *Service) { s.provider = p } }

// newAccounts returns the account service over store, its transactions
// narrowed to what each part of it declares, with what it needs of the rest
// of the service. The area's transactions are the store's, narrowed: the
// root code it calls asserts the interface its callee declares (see
// callbacks.go). A primary card may not be removed while it pays a wallet's
// automatic recharge (wallets.RemovalCheck).
func (s *Service) newAccounts(store Store) *accounts.Service {
	walletCheck := func(ctx context.Context, tx accounts.PayMethodsTx, tenantID, customerID string) error {
		return wallets.RemovalCheck(ctx, tx.(wallets.WalletReader), tenantID, customerID)
	}
	return accounts.New(accounts.Stores{
		Customers:     usecase.Narrow[accounts.CustomersTx, Tx](store, func(tx Tx) accounts.CustomersTx { return tx }),
		PayMethods:    usecase.Narrow[accounts.PayMethodsTx, Tx](store, func(tx Tx) accounts.PayMethodsTx { return tx }),
		Subscriptions: usecase.Narrow[accounts.SubscriptionsTx, Tx](store, func(tx Tx) accounts.SubscriptionsTx { return tx }),
		Dashboard:     usecase.Narrow[accounts.DashboardTx, Tx](store, func(tx Tx) accounts.DashboardTx { return tx }),
	}, accounts.Deps{
		Provider:             s.provider,
		PrimaryRemovalChecks: []accounts.RemovalCheck{walletCheck},
		CompleteItem: func(ctx context.Context, tx accounts.SubscriptionsTx, tenantID string, si *billing.SalesItem, fromProduct bool) error {
			return s.CompleteItem(ctx, tx.(sales.CompleteTx), tenantID, si, fromProduct)
		},
	}, s.Now)
}

// requireOwnAccount checks p may manage customerID's payment methods and
// pay its invoices: staff with perm, or the customer itself.
func requireOwnAccount(p access.Principal, perm access.Permission, customerID string) error {
	return accounts.RequireOwnAccount(p, perm, customerID)
}

// providerErr turns a provider error into a domain error (accounts.ProviderErr).
func providerErr(err error) error { return accounts.ProviderErr(err) }

// requireProvider refuses card actions while no payment provider is configured.
func (s *Service) requireProvider() error { return accounts.RequireProvider(s.provider) }

// GetDashboard returns a customer's billing dashboard (accounts.GetDashboard):
// staff who read customers see any of the tenant's; a customer sees its own
// only (another account is not found), and never a draft.
func (s *Service) GetDashboard(ctx context.Context, p access.Principal, customerID string) (Dashboard, error) {
	return accounts.GetDashboard[WalletView](ctx, s.accountsService, dashboardReads{s}, p, customerID)
}

// dashboardReads reads, in the dashboard's transaction, what it shows of
// wallets, invoices, payments and the ledger (accounts.DashboardReads).
type dashboardReads struct{ s *Service }

// Wallet returns the customer's wallet view, or nil without a wallet.
func (r dashboardReads) Wallet(ctx context.Context, tx accounts.DashboardTx, tenantID, customerID string) (*WalletView, error) {
	w, err := r.s.walletView(ctx, tx.(wallets.ViewReader), tenantID, customerID)
	if fail.Is(err, fail.NotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	return &w, nil
}

// Invoices lists the customer's latest invoices, newest invoice date first.
func (r dashboardReads) Invoices(ctx context.Context, tx accounts.DashboardTx, tenantID, customerID string, portal bool, limit int) ([]billing.Invoice, error) {
	f := InvoiceFilter{CustomerID: customerID, Sort: "invoice_date", Desc: true, Page: Page{Limit: limit}, customerOnly: portal}
	if portal {
		f.Statuses = slices.Clone(billing.PortalStatuses)
	}
	if err := f.Page.decode(); err != nil {
		return nil, err
	}
	return tx.(InvoiceLister).ListInvoices(ctx, tenantID, f)
}

// Payments lists the customer's latest payments, newest first, with their refunds.
func (r dashboardReads) Payments(ctx context.Context, tx accounts.DashboardTx, tenantID, customerID string, limit int) ([]accounts.Received, error) {
	wide := tx.(collections.PaymentReader)
	pays, err := wide.ListPayments(ctx, tenantID, PaymentFilter{CustomerID: customerID, Limit: limit})
	if err != nil {
		return nil, err
	}
	out := make([]accounts.Received, 0, len(pays))
	for _, pay := range pays {
		rc := accounts.Received{ID: pay.ID, At: pay.CreatedAt, Method: pay.Method, Reference: pay.Reference, CardBrand: pay.CardBrand,
			CardLast4: pay.CardLast4, Amount: pay.Amount, Currency: pay.Currency, AmountAccounting: pay.AmountAccounting}
		if pay.Refunded.Sign() > 0 {
			rs, err := wide.ListRefunds(ctx, tenantID, pay.ID)
			if err != nil {
				return nil, err
			}
			for _, rf := range rs {
				rc.Refunds = append(rc.Refunds, accounts.ReceivedRefund{ID: rf.ID, At: rf.CreatedAt, Reason: rf.Reason,
					Amount: rf.Amount, AmountAccounting: rf.AmountAccounting})
			}
		}
		out = append(out, rc)
	}
	return out, nil
}

// OpenReceivable is what the customer owes by the ledger, and the part past due.
func (r dashboardReads) OpenReceivable(ctx context.Context, tx accounts.DashboardTx, tenantID, customerID string, today calendar.Date) (money.Amount, money.Amount, error) {
	recv, err := r.s.openReceivable(ctx, tx.(bookkeeping.ReceivablesStore), tenantID, customerID, today)
	return recv.Open, recv.PastDue, err
}

// Customers are listed page by page, with the root's Page (package accounts
// would need it in a package of its own).

// Customer sort keys.
const (
	SortNumber    = "number"
	SortName      = "name"
	SortCreatedAt = "created_at"
	SortUpdatedAt = "updated_at"
)

// CustomerSorts lists the columns customers can be sorted by.
var CustomerSorts = []string{SortNumber, SortName, SortCreatedAt, SortUpdatedAt}

// Archived filter values.
const (
	ArchivedExclude = "exclude"
	ArchivedInclude = "include"
	ArchivedOnly    = "only"
)

// CustomerFilter selects and orders customers.
type CustomerFilter struct {
	Query          string // matches number, name, legal name, email, tax id, external ids; accent- and case-insensitive
	Archived       string // exclude (default), include, only
	HasBillingInfo *bool
	Currency       string
	Country        string
	ParentID       string
	SalesTaxGroup  string
	CustomerID     string // set by the service for the customer role
	Sort           string // one of CustomerSorts; default number
	Desc           bool
	Page           Page
}

// ListCustomers lists the tenant's customers with filters, search, sort and
// cursor pagination. A customer-role caller sees only its own account.
func (s *Service) ListCustomers(ctx context.Context, p access.Principal, f CustomerFilter) (PageOf[billing.Customer], error) {
	if own, scoped := p.CustomerScope(); scoped {
		if err := p.Require(access.OwnAccount); err != nil {
			return PageOf[billing.Customer]{}, err
		}
		if own == "" { // an empty id would filter nothing: fail closed
			return PageOf[billing.Customer]{}, nil
		}
		f.CustomerID = own
	} else if err := p.Require(access.ReadCustomers); err != nil {
		return PageOf[billing.Customer]{}, err
	}
	var c fail.Collector
	if f.Sort == "" {
		f.Sort = SortNumber
	}
	if !contains(CustomerSorts, f.Sort) {
		c.Add("sort", "%q is not sortable: use one of %v", f.Sort, CustomerSorts)
	}
	if f.Archived == "" {
		f.Archived = ArchivedExclude
	}
	if !contains([]string{ArchivedExclude, ArchivedInclude, ArchivedOnly}, f.Archived) {
		c.Add("archived", "use exclude, include or only")
	}
	if f.Currency != "" {
		f.Currency = strings.ToUpper(strings.TrimSpace(f.Currency))
		if _, err := money.ParseCurrency(f.Currency); err != nil {
			c.Add("currency", "%v", err)
		}
	}
	if err := f.Page.decode(); err != nil {
		c.Merge("", err)
	}
	if err := c.Err(); err != nil {
		return PageOf[billing.Customer]{}, err
	}
	f.Query = billing.Fold(f.Query)
	var rows []billing.Customer
	err := s.lists.Read(ctx, func(tx ListTx) error {
		var err error
		rows, err = tx.ListCustomers(ctx, p.TenantID, f)
		return err
	})
	if err != nil {
		return PageOf[billing.Customer]{}, err
	}
	return pageOf(rows, f.Page.Limit, func(c billing.Customer) Cursor {
		return Cursor{Sort: CustomerSortValue(c, f.Sort), ID: c.ID}
	}), nil
}

// CustomerSortValue is the value of c's sort column, as the cursor carries it.
func CustomerSortValue(c billing.Customer, sort string) string {
	switch sort {
	case SortName:
		return c.Name
	case SortCreatedAt:
		return c.CreatedAt.UTC().Format(TimeLayout)
	case SortUpdatedAt:
		return c.UpdatedAt.UTC().Format(TimeLayout)
	default:
		return c.Number
	}
}

// TimeLayout renders timestamps with fixed width so they sort as text.
const TimeLayout = "2006-01-02T15:04:05.000000Z"

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
