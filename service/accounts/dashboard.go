package accounts

import (
	"context"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/subscription"
	"github.com/facturo/facturo/wallet"
)

// Dashboard is seed 003's account billing dashboard: everything about one
// customer's billing on one page, for staff and for the customer itself.
// W is the wallet's view, which the wallet area defines.
type Dashboard[W any] struct {
	Customer       billing.Customer            `json:"customer"` // with its billing information (address)
	Subscriptions  []subscription.Subscription `json:"subscriptions"`
	PaymentMethods []PaymentMethod             `json:"payment_methods"`
	Wallet         *W                          `json:"wallet"` // nil without a wallet
	Summary        ChargeSummary               `json:"summary"`
	Invoices       []billing.Invoice           `json:"invoices"`     // newest first; a customer never sees drafts
	Transactions   []Transaction               `json:"transactions"` // newest first
}

// ChargeSummary sums a customer's charges, in the tenant's accounting
// currency but for Recurring.
type ChargeSummary struct {
	Currency         string       `json:"currency"` // the tenant's accounting currency
	Invoiced         money.Amount `json:"invoiced"` // issued invoices less credit notes, all time
	InvoicedThisYear money.Amount `json:"invoiced_this_year"`
	Open             money.Amount `json:"open"`     // the open receivable (openReceivable): invoices less credit notes
	PastDue          money.Amount `json:"past_due"` // the part of it due before today
	Paid             money.Amount `json:"paid"`     // payments received (latest 50)
	Refunded         money.Amount `json:"refunded"` // refunds of those payments
	WalletDrawn      money.Amount `json:"wallet_drawn"`
	WalletToppedUp   money.Amount `json:"wallet_topped_up"`
	Recurring        money.Amount `json:"recurring_monthly"` // active subscriptions in RecurringCurrency, per month
	// RecurringCurrency is the currency of the subscriptions (the first
	// active one's; subscriptions in another currency are not summed).
	RecurringCurrency string `json:"recurring_currency"`
}

// Transaction is one line of the transaction history: an invoice or credit
// note, a payment or refund, or a wallet movement.
type Transaction struct {
	ID          string    `json:"id"`
	Kind        string    `json:"kind"` // invoice, credit_note, wallet_top_up, wallet_recharge, wallet_draw, wallet_grant …
	At          time.Time `json:"at"`
	Reference   string    `json:"reference"` // invoice number, receipt number …
	Description string    `json:"description"`
	// Note is the part of Description someone wrote, which pages show as
	// it is beside the kind's label: an invoice's provider, a refund's or a
	// grant's reason, a usage charge's description; "" where the
	// description only names the kind (a top-up) or is a code (Method).
	Note string `json:"-"`
	// Method is a payment's method (bank_transfer, cash, card), which pages
	// label in the reader's language.
	Method   string       `json:"-"`
	Amount   money.Amount `json:"amount"`
	Currency string       `json:"currency"`
	Status   string       `json:"status,omitempty"`
}

// dashboardLimit bounds the invoices and transactions a dashboard shows.
const dashboardLimit = 50

// DashboardReads is what the dashboard shows of the other areas (wallets,
// invoices, payments, the ledger), read in the dashboard's transaction. W is
// the wallet's view.
type DashboardReads[W any] interface {
	// Wallet returns the customer's wallet, or nil when it has none.
	Wallet(ctx context.Context, tx DashboardTx, tenantID, customerID string) (*W, error)
	// Invoices lists the customer's latest invoices, newest invoice date
	// first, at least limit of them when there are; portal lists only what
	// the customer itself may see (never a draft).
	Invoices(ctx context.Context, tx DashboardTx, tenantID, customerID string, portal bool, limit int) ([]billing.Invoice, error)
	// Payments lists the customer's latest limit payments, newest first,
	// each with its refunds.
	Payments(ctx context.Context, tx DashboardTx, tenantID, customerID string, limit int) ([]Received, error)
	// OpenReceivable is what the customer owes by the ledger, over all its
	// documents, and the part of it due before today.
	OpenReceivable(ctx context.Context, tx DashboardTx, tenantID, customerID string, today calendar.Date) (open, pastDue money.Amount, err error)
}

// Received is a payment as the dashboard shows it.
type Received struct {
	ID               string
	At               time.Time
	Method           string
	Reference        string
	CardBrand        string
	CardLast4        string
	Amount           money.Amount // in Currency
	Currency         string
	AmountAccounting money.Amount
	Refunds          []ReceivedRefund
}

// ReceivedRefund is a refund of a payment as the dashboard shows it.
type ReceivedRefund struct {
	ID               string
	At               time.Time
	Reason           string
	Amount           money.Amount // in the payment's currency
	AmountAccounting money.Amount
}

// GetDashboard returns a customer's billing dashboard, with what reads
// finds of the other areas: staff who read customers see any of the
// tenant's; a customer sees its own only (another account is not found),
// and never a draft.
func GetDashboard[W any](ctx context.Context, s *Service, reads DashboardReads[W], p access.Principal, customerID string) (Dashboard[W], error) {
	customer := p.IsCustomer()
	if customer && customerID == "" {
		customerID = p.CustomerID
	}
	if err := RequireCustomerRead(p, customerID); err != nil {
		return Dashboard[W]{}, err
	}
	// Staff see the wallet and the payments only with the permission their
	// own endpoints ask for (DESIGN.md roles: sales and group managers read
	// customers and invoices, not wallets or payments); the customer sees
	// its own.
	seesWallet := customer || p.Require(access.ManageWallets) == nil
	seesPayments := customer || p.Require(access.ManagePayments) == nil
	var d Dashboard[W]
	err := s.dashboard.Store.Read(ctx, func(tx DashboardTx) error {
		tenant, err := tx.GetTenant(ctx, p.TenantID)
		if err != nil {
			return err
		}
		now := s.now()
		today := calendar.Today(now, tenant.Location())
		if d.Customer, err = tx.GetCustomer(ctx, p.TenantID, customerID); err != nil {
			return err
		}
		if d.Subscriptions, err = tx.ListSubscriptions(ctx, p.TenantID, customerID); err != nil {
			return err
		}
		if d.PaymentMethods, err = tx.ListPaymentMethods(ctx, p.TenantID, customerID); err != nil {
			return err
		}
		if d.PaymentMethods == nil {
			d.PaymentMethods = []PaymentMethod{}
		}
		if seesWallet {
			if d.Wallet, err = reads.Wallet(ctx, tx, p.TenantID, customerID); err != nil {
				return err
			}
		}
		if d.Invoices, err = reads.Invoices(ctx, tx, p.TenantID, customerID, customer, dashboardLimit); err != nil {
			return err
		}
		if len(d.Invoices) > dashboardLimit {
			d.Invoices = d.Invoices[:dashboardLimit]
		}
		if d.Invoices == nil {
			d.Invoices = []billing.Invoice{}
		}
		var moves []wallet.Movement
		if d.Wallet != nil {
			if moves, err = tx.ListMovements(ctx, p.TenantID, customerID, dashboardLimit); err != nil {
				return err
			}
		}
		var pays []Received
		if seesPayments {
			if pays, err = reads.Payments(ctx, tx, p.TenantID, customerID, dashboardLimit); err != nil {
				return err
			}
		}
		d.Summary, d.Transactions = summarize(tenant.Currency, today, d.Invoices, moves, d.Subscriptions)
		// What the customer owes is the ledger's figure, over all its
		// documents, not only the page of them the dashboard lists.
		open, pastDue, err := reads.OpenReceivable(ctx, tx, p.TenantID, customerID, today)
		if err != nil {
			return err
		}
		if !open.Currency().IsZero() { // none when nothing is open: the summary's zeros stay
			d.Summary.Open, d.Summary.PastDue = open, pastDue
		}
		for _, pay := range pays {
			d.Summary.Paid = d.Summary.Paid.MustAdd(pay.AmountAccounting)
			ref := pay.Reference
			if pay.CardLast4 != "" {
				ref = pay.CardBrand + " ····" + pay.CardLast4
			}
			d.Transactions = append(d.Transactions, Transaction{ID: pay.ID, Kind: "payment", At: pay.At, Reference: ref,
				Description: pay.Method, Method: pay.Method, Amount: pay.Amount, Currency: pay.Currency})
		}
		for _, pay := range pays {
			for _, r := range pay.Refunds {
				d.Summary.Refunded = d.Summary.Refunded.MustAdd(r.AmountAccounting)
				d.Transactions = append(d.Transactions, Transaction{ID: r.ID, Kind: "refund", At: r.At, Reference: pay.ID,
					Description: r.Reason, Note: r.Reason, Amount: r.Amount.Neg(), Currency: pay.Currency})
			}
		}
		slices.SortStableFunc(d.Transactions, func(a, b Transaction) int { return b.At.Compare(a.At) })
		return nil
	})
	return d, err
}

// summarize builds the charge summary and the transaction history.
func summarize(currency string, today calendar.Date, invs []billing.Invoice, moves []wallet.Movement, subs []subscription.Subscription) (ChargeSummary, []Transaction) {
	zero := money.In(decimal.Zero, currency)
	sum := ChargeSummary{Currency: currency, Invoiced: zero, InvoicedThisYear: zero, Open: zero, PastDue: zero,
		Paid: zero, Refunded: zero, WalletDrawn: zero, WalletToppedUp: zero}
	txs := []Transaction{}
	for _, inv := range invs {
		if inv.Status.IsDraft() {
			continue
		}
		amount := money.In(inv.TotalAccounting.Decimal(), currency)
		if inv.Kind == billing.KindCreditNote {
			amount = amount.Neg()
		}
		if inv.Status != billing.Void {
			sum.Invoiced = sum.Invoiced.MustAdd(amount)
			if inv.InvoiceDate.Year == today.Year {
				sum.InvoicedThisYear = sum.InvoicedThisYear.MustAdd(amount)
			}
		}
		at := inv.CreatedAt
		if inv.IssuedAt != nil {
			at = *inv.IssuedAt
		}
		txs = append(txs, Transaction{ID: inv.ID, Kind: string(inv.Kind), At: at, Reference: inv.Number, Description: inv.Provider, Note: inv.Provider,
			Amount: inv.Total, Currency: inv.Currency, Status: string(inv.Status)})
	}
	for _, m := range moves {
		amount := m.Paid.MustAdd(m.Complimentary)
		switch m.Kind {
		case wallet.MoveDraw:
			sum.WalletDrawn = sum.WalletDrawn.MustSub(amount)
		case wallet.MoveTopUp, wallet.MoveRecharge:
			sum.WalletToppedUp = sum.WalletToppedUp.MustAdd(m.Paid)
		}
		txs = append(txs, Transaction{ID: m.ID, Kind: "wallet_" + m.Kind, At: m.CreatedAt, Reference: m.ReceiptNumber,
			Description: m.Description, Note: m.Note(), Amount: amount, Currency: currency})
	}
	recurring := decimal.Zero
	for _, sub := range subs {
		if sub.Status != subscription.SubActive {
			continue
		}
		if sum.RecurringCurrency == "" {
			sum.RecurringCurrency = sub.Currency
		}
		if sub.Currency != sum.RecurringCurrency {
			continue
		}
		recurring = recurring.Add(sub.MonthlyAmount().Decimal())
	}
	if sum.RecurringCurrency == "" {
		sum.RecurringCurrency = currency
	}
	sum.Recurring = money.In(recurring, sum.RecurringCurrency)
	slices.SortStableFunc(txs, func(a, b Transaction) int { return b.At.Compare(a.At) })
	return sum, txs
}
