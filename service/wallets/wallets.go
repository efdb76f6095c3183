// Package wallets holds the use cases of prepaid customer wallets: the
// tenant's wallet policies, opening a wallet and its automatic recharge,
// complimentary credits, top-ups charged to the primary card, usage drawn
// from the wallet, and the durable automatic recharge jobs. Every write a
// principal makes runs through the envelope of package usecase; the
// recharge jobs run for the system principal of their tenant.
//
// It declares the storage it needs, small store interfaces by noun
// (WalletSettingsStore, WalletStore, RechargeStore, EnvReader) combined into
// one transaction interface per kind of use case (CreditTx at the core of
// WalletsTx, RechargesTx and DrawTx; WalletReadsTx, SettingsTx); the root
// service narrows its store to them (usecase.Narrow), and the store package
// implements them. What it needs of other areas (webhook events, ledger
// posting, the primary card and its charge, completing a sales item) comes
// in through Deps.
//
// Wallets (seed 003), and how they meet the ledger and sales items:
//
//   - Top-up (add funds, or an automatic recharge): the primary card is
//     charged, then Dr bank / Cr customer prepayments (a liability) for the
//     amount, and the wallet's paid credits grow. Each top-up has a receipt
//     number; it is emailed only when the tenant turns receipt_emails on.
//   - Complimentary credits: granted by staff in lots with an optional
//     expiry. No money was received, so they are not a liability and post
//     nothing; using them earns no revenue either.
//   - Usage charge (a draw): when usage is recorded for a customer with a
//     wallet in the usage's currency (POST …/wallet/draws, or a usage import
//     row, POST /api/v1/usage, at the moment it is imported), complimentary credits pay first (the lots expiring soonest
//     first), then paid credits; the paid part posts Dr customer
//     prepayments / Cr revenue (the product's revenue account, or the
//     revenue account) at once, and what the wallet does not cover becomes
//     a pending usage sales item that the next billing run invoices. The
//     paid balance never goes below zero unless the tenant's allow_negative
//     setting is on (then paid credits cover the whole charge).
//   - Automatic recharge: when a draw leaves the balance (paid plus usable
//     complimentary) below the owner's threshold, the draw inserts one
//     durable recharge job and marks the wallet; the wallet row is locked
//     by every draw, so however many draws cross the threshold together,
//     one job is made and the card is charged once. A failed charge queues
//     a wallet.recharge_failed notification and retries after the tenant's
//     backoff (doubling) up to its maximum attempts; crossing the threshold
//     queues wallet.low_balance.
//
// Wallets are kept in the tenant's accounting currency, so the ledger needs
// no conversion.
package wallets

import (
	"context"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service/notify"
	"github.com/facturo/facturo/service/usecase"
	"github.com/facturo/facturo/wallet"
)

// WalletSettingsStore persists a tenant's wallet policies.
type WalletSettingsStore interface {
	GetWalletSettings(ctx context.Context, tenantID string) (WalletSettings, error) // defaults when never set
	SetWalletSettings(ctx context.Context, tenantID string, ws WalletSettings) error
}

// WalletStore persists wallets, their settings, complimentary lots and
// movements (the recharge jobs are RechargeStore).
type WalletStore interface {
	WalletSettingsStore
	InsertWallet(ctx context.Context, w wallet.Wallet) error // conflict when the customer has one
	UpdateWallet(ctx context.Context, w wallet.Wallet) error
	GetWallet(ctx context.Context, tenantID, customerID string) (wallet.Wallet, error)
	// GetWalletForUpdate locks the wallet row until the transaction ends:
	// every change of a wallet takes this lock first.
	GetWalletForUpdate(ctx context.Context, tenantID, customerID string) (wallet.Wallet, error)
	ListWallets(ctx context.Context, tenantID string) ([]wallet.Wallet, error)
	InsertGrant(ctx context.Context, g wallet.Grant) error
	SetGrantRemaining(ctx context.Context, tenantID, grantID string, remaining money.Amount) error
	// ListGrants lists a wallet's lots, those expiring soonest first (no expiry last).
	ListGrants(ctx context.Context, tenantID, customerID string) ([]wallet.Grant, error)
	InsertMovement(ctx context.Context, m wallet.Movement) error // conflict on a repeated (kind, ref)
	MovementByRef(ctx context.Context, tenantID, customerID, kind, ref string) (wallet.Movement, error)
	// ListMovements lists a wallet's movements, newest first.
	ListMovements(ctx context.Context, tenantID, customerID string, limit int) ([]wallet.Movement, error)
	// UsageItemExists reports whether a usage record became a sales item
	// before the customer had a wallet.
	UsageItemExists(ctx context.Context, tenantID, recordID string) (bool, error)
}

// RechargeStore keeps the durable automatic top-up jobs. Inserting or
// updating a pending recharge also inserts, in the same transaction, the
// job that runs its next attempt when it is due (jobargs.WalletRecharge).
type RechargeStore interface {
	InsertRecharge(ctx context.Context, r Recharge) error
	UpdateRecharge(ctx context.Context, r Recharge) error
	GetRechargeForUpdate(ctx context.Context, tenantID, rechargeID string) (Recharge, error)
	ListRecharges(ctx context.Context, tenantID, customerID string) ([]Recharge, error)
	// ClaimRecharges marks up to limit due jobs (pending and due, or
	// processing with an expired lease) processing until leaseUntil and
	// returns them; concurrent callers never get the same job.
	ClaimRecharges(ctx context.Context, tenantID string, now, leaseUntil time.Time, limit int) ([]Recharge, error)
	// ClaimRecharge claims one recharge as ClaimRecharges would; false when
	// it is not due, finished, or another node holds it.
	ClaimRecharge(ctx context.Context, tenantID, rechargeID string, now, leaseUntil time.Time) (Recharge, bool, error)
}

// SettingsTx is what the wallet policy use cases read and write in one transaction.
type SettingsTx interface {
	usecase.AuditTx
	WalletSettingsStore
}

// WalletReader reads one customer's wallet.
type WalletReader interface {
	GetWallet(ctx context.Context, tenantID, customerID string) (wallet.Wallet, error) // fail.NotFound if absent
}

// ViewReader is what a wallet's view reads: the tenant (for its today),
// the wallet and its complimentary lots.
type ViewReader interface {
	WalletReader
	GetTenant(ctx context.Context, tenantID string) (billing.Tenant, error)
	ListGrants(ctx context.Context, tenantID, customerID string) ([]wallet.Grant, error)
}

// Env is what every change of a wallet reads of its tenant: the tenant
// (its today), its wallet policies and its chart of accounts (the role
// accounts top-ups and draws post to).
type Env struct {
	Tenant   billing.Tenant
	Settings WalletSettings
	Accounts []ledger.Account
}

// EnvReader reads a tenant's wallet Env in one call.
type EnvReader interface {
	WalletEnv(ctx context.Context, tenantID string) (Env, error)
}

// NoticeTx is what queueing a notice to a wallet's customer reads and writes.
type NoticeTx interface {
	GetCustomer(ctx context.Context, tenantID, customerID string) (billing.Customer, error) // fail.NotFound if absent
	// InsertNotification queues an email.
	InsertNotification(ctx context.Context, n notify.Notification) error
}

// CreditTx is what crediting a wallet (a top-up, a recharge) reads and
// writes: the core of the wallet, recharge and draw transactions.
type CreditTx interface {
	usecase.AuditTx
	EnvReader
	NoticeTx
	// GetWalletForUpdate locks the wallet row until the transaction ends:
	// every change of a wallet takes this lock first.
	GetWalletForUpdate(ctx context.Context, tenantID, customerID string) (wallet.Wallet, error)
	UpdateWallet(ctx context.Context, w wallet.Wallet) error
	InsertMovement(ctx context.Context, m wallet.Movement) error // conflict on a repeated (kind, ref)
	// NextCounter increments and returns the named per-tenant counter (the
	// receipt numbers), gapless within the transaction.
	NextCounter(ctx context.Context, tenantID, name string) (int64, error)
}

// WalletsTx is what opening a wallet, granting credits and adding funds
// read and write in one transaction.
type WalletsTx interface {
	CreditTx
	GetTenant(ctx context.Context, tenantID string) (billing.Tenant, error)
	InsertWallet(ctx context.Context, w wallet.Wallet) error // conflict when the customer has one
	InsertGrant(ctx context.Context, g wallet.Grant) error
	ListGrants(ctx context.Context, tenantID, customerID string) ([]wallet.Grant, error)
}

// RechargesTx is what claiming and recording automatic recharge jobs read
// and write in one transaction.
type RechargesTx interface {
	CreditTx
	UpdateRecharge(ctx context.Context, r Recharge) error
	GetRechargeForUpdate(ctx context.Context, tenantID, rechargeID string) (Recharge, error)
	// ClaimRecharges marks up to limit due jobs (pending and due, or
	// processing with an expired lease) processing until leaseUntil and
	// returns them; concurrent callers never get the same job.
	ClaimRecharges(ctx context.Context, tenantID string, now, leaseUntil time.Time, limit int) ([]Recharge, error)
	// ClaimRecharge claims one recharge as ClaimRecharges would; false when
	// it is not due, finished, or another node holds it.
	ClaimRecharge(ctx context.Context, tenantID, rechargeID string, now, leaseUntil time.Time) (Recharge, bool, error)
}

// DrawTx is what drawing usage from a wallet reads and writes in one
// transaction: the lots it takes from, the recharge it may start, and the
// sales item of what the wallet does not cover.
type DrawTx interface {
	CreditTx
	ListGrants(ctx context.Context, tenantID, customerID string) ([]wallet.Grant, error)
	SetGrantRemaining(ctx context.Context, tenantID, grantID string, remaining money.Amount) error
	MovementByRef(ctx context.Context, tenantID, customerID, kind, ref string) (wallet.Movement, error)
	// UsageItemExists reports whether a usage record became a sales item
	// before the customer had a wallet.
	UsageItemExists(ctx context.Context, tenantID, recordID string) (bool, error)
	InsertRecharge(ctx context.Context, r Recharge) error
	// GetProduct finds the product usage is charged for (fail.NotFound if absent).
	GetProduct(ctx context.Context, tenantID, productID string) (billing.Product, error)
	// InsertSalesItem adds the sales item of the usage a wallet did not cover.
	InsertSalesItem(ctx context.Context, si billing.SalesItem) error
}

// WalletReadsTx is what reading a wallet, its movements and recharges, and
// charging a card for a top-up, read in one transaction.
type WalletReadsTx interface {
	usecase.AuditTx
	ViewReader
	GetCustomer(ctx context.Context, tenantID, customerID string) (billing.Customer, error)
	// ListMovements lists a wallet's movements, newest first.
	ListMovements(ctx context.Context, tenantID, customerID string, limit int) ([]wallet.Movement, error)
	ListRecharges(ctx context.Context, tenantID, customerID string) ([]Recharge, error)
}

// Stores are the transactions the wallet use cases open, one kind per part.
type Stores struct {
	Wallets     usecase.Store[WalletsTx]
	Recharges   usecase.Store[RechargesTx]
	Draws       usecase.Store[DrawTx]
	WalletReads usecase.Store[WalletReadsTx]
	Settings    usecase.Store[SettingsTx]
}

// Deps is what the wallet use cases need of the rest of the service.
type Deps struct {
	// Emit records one webhook event in tx, the transaction of the change
	// it reports.
	Emit func(ctx context.Context, tx usecase.AuditTx, tenantID string, e usecase.Event) error
	// Post checks and appends a journal entry with the next voucher number.
	Post func(ctx context.Context, tx usecase.AuditTx, tenantID string, date calendar.Date, desc, sourceType, sourceID, reverses string, lines []ledger.Line) (ledger.Entry, error)
	// PrimaryCard returns a fail.Conflict naming what to do when the
	// customer has no primary card (automatic recharge needs one).
	PrimaryCard func(ctx context.Context, tx usecase.AuditTx, tenantID, customerID string) error
	// ChargeCard charges the customer's primary card within tx (a read
	// transaction: the provider call must not hold locks) and returns the
	// provider's charge id.
	ChargeCard func(ctx context.Context, tx usecase.AuditTx, tenantID, customerID string, today calendar.Date, amount money.Amount, desc, key string) (string, error)
	// CompleteItem fills a sales item's defaults from its product and
	// customer, sets its status and validates it (the sales area's rule).
	CompleteItem func(ctx context.Context, tx usecase.AuditTx, tenantID string, si *billing.SalesItem, fromProduct bool) error
	// PageLimit is the most movements one list returns.
	PageLimit int
}

// Service runs the wallet use cases.
type Service struct {
	wallets     usecase.Env[WalletsTx]
	recharges   usecase.Env[RechargesTx]
	draws       usecase.Env[DrawTx]
	walletReads usecase.Env[WalletReadsTx]
	settings    usecase.Env[SettingsTx]
	deps        Deps
	now         func() time.Time
}

// New returns a Service over st with deps. now is the service clock: UTC,
// truncated to the microsecond both engines store.
func New(st Stores, deps Deps, now func() time.Time) *Service {
	return &Service{
		wallets: usecase.Env[WalletsTx]{Store: st.Wallets, Now: now,
			Emit: func(ctx context.Context, tx WalletsTx, tenantID string, e usecase.Event) error {
				return deps.Emit(ctx, tx, tenantID, e)
			}},
		recharges: usecase.Env[RechargesTx]{Store: st.Recharges, Now: now,
			Emit: func(ctx context.Context, tx RechargesTx, tenantID string, e usecase.Event) error {
				return deps.Emit(ctx, tx, tenantID, e)
			}},
		draws: usecase.Env[DrawTx]{Store: st.Draws, Now: now,
			Emit: func(ctx context.Context, tx DrawTx, tenantID string, e usecase.Event) error {
				return deps.Emit(ctx, tx, tenantID, e)
			}},
		walletReads: usecase.Env[WalletReadsTx]{Store: st.WalletReads, Now: now},
		settings:    usecase.Env[SettingsTx]{Store: st.Settings, Now: now},
		deps:        deps,
		now:         now,
	}
}

// emit records, in a transaction that is not the envelope's (a usage import
// row's), the events a use case returned.
func (s *Service) emit(ctx context.Context, tx usecase.AuditTx, tenantID string, a usecase.Audit) error {
	for _, e := range a.Events {
		if err := s.deps.Emit(ctx, tx, tenantID, e); err != nil {
			return err
		}
	}
	return nil
}

// WalletSettings are a tenant's wallet policies.
type WalletSettings struct {
	ReceiptEmails       bool `json:"receipt_emails"`        // email top-up receipts to the customer (seed 003: off)
	AllowNegative       bool `json:"allow_negative"`        // draws may take paid credits below zero
	RechargeMaxAttempts int  `json:"recharge_max_attempts"` // charges tried per recharge
	RechargeBackoffSecs int  `json:"recharge_backoff_seconds"`
}

// DefaultWalletSettings are the settings of a tenant that never set them.
var DefaultWalletSettings = WalletSettings{RechargeMaxAttempts: 4, RechargeBackoffSecs: 300}

// Recharge is a durable automatic top-up job.
type Recharge struct {
	ID            string       `json:"id"`
	TenantID      string       `json:"-"`
	CustomerID    string       `json:"customer_id"`
	Amount        money.Amount `json:"amount"`   // in the wallet's currency
	Currency      string       `json:"currency"` // the wallet's
	Status        string       `json:"status"`   // pending, processing, succeeded, failed
	Auto          bool         `json:"auto"`
	Attempts      int          `json:"attempts"` // failed attempts so far
	NextAttemptAt time.Time    `json:"next_attempt_at"`
	LockedUntil   *time.Time   `json:"-"`
	LastError     string       `json:"last_error,omitempty"`
	MovementID    string       `json:"movement_id,omitempty"`
	CreatedAt     time.Time    `json:"created_at"`
	UpdatedAt     time.Time    `json:"updated_at"`
}

// RemovalCheck refuses removing a customer's primary card while its
// wallet recharges automatically: set another card primary, or turn
// automatic recharge off, first. It runs in the removing transaction.
func RemovalCheck(ctx context.Context, tx WalletReader, tenantID, customerID string) error {
	w, err := tx.GetWallet(ctx, tenantID, customerID)
	if fail.Is(err, fail.NotFound) {
		return nil
	} else if err != nil {
		return err
	}
	if w.AutoRecharge {
		return &fail.Error{Code: fail.Conflict, Message: "this is the primary card and the wallet recharges from it automatically: " +
			"set another card as primary, or turn automatic recharge off, before removing it",
			Fields: []fail.FieldError{{Field: "payment_method", Message: "pays the wallet's automatic recharge"}}}
	}
	return nil
}

// WalletView is a wallet with its balances, as the dashboard shows it.
type WalletView struct {
	wallet.Wallet
	Complimentary money.Amount    `json:"complimentary_balance"` // usable complimentary credits, kept apart
	Balance       money.Amount    `json:"balance"`               // paid + complimentary
	PaidCredits   decimal.Decimal `json:"paid_credits" money:"-"`
	CompCredits   decimal.Decimal `json:"complimentary_credits" money:"-"`
	Grants        []wallet.Grant  `json:"grants"`
}

func walletView(w wallet.Wallet, grants []wallet.Grant, today calendar.Date) WalletView {
	v := WalletView{Wallet: w, Grants: grants, Complimentary: money.Zero(w.PaidBalance.Currency())}
	if v.Grants == nil {
		v.Grants = []wallet.Grant{}
	}
	for _, g := range grants {
		if g.Usable(today) {
			v.Complimentary = v.Complimentary.MustAdd(g.Remaining)
		}
	}
	v.Balance = w.PaidBalance.MustAdd(v.Complimentary)
	v.PaidCredits = w.PaidBalance.Decimal().Mul(w.CreditRate)
	v.CompCredits = v.Complimentary.Decimal().Mul(w.CreditRate)
	return v
}

// LoadView reads a customer's wallet with its balances as of now in the
// tenant's time zone (fail.NotFound without a wallet).
func LoadView(ctx context.Context, tx ViewReader, now time.Time, tenantID, customerID string) (WalletView, error) {
	tenant, err := tx.GetTenant(ctx, tenantID)
	if err != nil {
		return WalletView{}, err
	}
	w, err := tx.GetWallet(ctx, tenantID, customerID)
	if err != nil {
		return WalletView{}, err
	}
	grants, err := tx.ListGrants(ctx, tenantID, customerID)
	if err != nil {
		return WalletView{}, err
	}
	return walletView(w, grants, calendar.Today(now, tenant.Location())), nil
}

// parsePositive reads a decimal above zero: the checks of an amount that
// need no currency, made before any transaction.
func parsePositive(field, v string) (decimal.Decimal, error) {
	d, err := money.ReadDecimal(field, v, "25.00")
	if err != nil {
		return d, err
	}
	if !d.IsPositive() {
		return d, fail.Field(field, "must be above 0")
	}
	return d, nil
}

// parseAmount reads a positive amount of currency cur.
func parseAmount(field, v, cur string) (money.Amount, error) {
	d, err := money.ReadDecimal(field, v, "25.00")
	if err != nil {
		return money.Amount{}, err
	}
	c, err := money.ParseCurrency(cur)
	if err != nil {
		return money.Amount{}, fail.Field("currency", "%v", err)
	}
	a := money.New(d, c)
	if a.Sign() <= 0 {
		return a, fail.Field(field, "must be above 0")
	}
	if !a.IsRounded() {
		return a, fail.Field(field, "has more decimals than %s allows", c.Code())
	}
	return a, nil
}

// set copies *v into *dst when v is non-nil.
func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
