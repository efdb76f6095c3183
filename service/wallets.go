package service

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/id"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/receivables"
)

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

// WalletStore persists wallets, their settings, complimentary lots and
// movements (the recharge jobs are RechargeStore).
type WalletStore interface {
	GetWalletSettings(ctx context.Context, tenantID string) (WalletSettings, error) // defaults when never set
	SetWalletSettings(ctx context.Context, tenantID string, ws WalletSettings) error
	InsertWallet(ctx context.Context, w billing.Wallet) error // conflict when the customer has one
	UpdateWallet(ctx context.Context, w billing.Wallet) error
	GetWallet(ctx context.Context, tenantID, customerID string) (billing.Wallet, error)
	// GetWalletForUpdate locks the wallet row until the transaction ends:
	// every change of a wallet takes this lock first.
	GetWalletForUpdate(ctx context.Context, tenantID, customerID string) (billing.Wallet, error)
	ListWallets(ctx context.Context, tenantID string) ([]billing.Wallet, error)
	InsertGrant(ctx context.Context, g billing.Grant) error
	SetGrantRemaining(ctx context.Context, tenantID, grantID string, remaining decimal.Decimal) error
	// ListGrants lists a wallet's lots, those expiring soonest first (no expiry last).
	ListGrants(ctx context.Context, tenantID, customerID string) ([]billing.Grant, error)
	InsertMovement(ctx context.Context, m billing.Movement) error // conflict on a repeated (kind, ref)
	MovementByRef(ctx context.Context, tenantID, customerID, kind, ref string) (billing.Movement, error)
	// ListMovements lists a wallet's movements, newest first.
	ListMovements(ctx context.Context, tenantID, customerID string, limit int) ([]billing.Movement, error)
	// UsageItemExists reports whether a usage record became a sales item
	// before the customer had a wallet.
	UsageItemExists(ctx context.Context, tenantID, recordID string) (bool, error)
}

// RechargeStore keeps the durable automatic top-up jobs.
type RechargeStore interface {
	InsertRecharge(ctx context.Context, r Recharge) error
	UpdateRecharge(ctx context.Context, r Recharge) error
	GetRechargeForUpdate(ctx context.Context, tenantID, rechargeID string) (Recharge, error)
	ListRecharges(ctx context.Context, tenantID, customerID string) ([]Recharge, error)
	// ClaimRecharges marks up to limit due jobs (pending and due, or
	// processing with an expired lease) processing until leaseUntil and
	// returns them; concurrent callers never get the same job.
	ClaimRecharges(ctx context.Context, tenantID string, now, leaseUntil time.Time, limit int) ([]Recharge, error)
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
	ID            string          `json:"id"`
	TenantID      string          `json:"-"`
	CustomerID    string          `json:"customer_id"`
	Amount        decimal.Decimal `json:"amount"`
	Status        string          `json:"status"` // pending, processing, succeeded, failed
	Auto          bool            `json:"auto"`
	Attempts      int             `json:"attempts"` // failed attempts so far
	NextAttemptAt time.Time       `json:"next_attempt_at"`
	LockedUntil   *time.Time      `json:"-"`
	LastError     string          `json:"last_error,omitempty"`
	MovementID    string          `json:"movement_id,omitempty"`
	CreatedAt     time.Time       `json:"created_at"`
	UpdatedAt     time.Time       `json:"updated_at"`
}

// walletRemovalCheck refuses removing a customer's primary card while its
// wallet recharges automatically: set another card primary, or turn
// automatic recharge off, first.
func walletRemovalCheck(ctx context.Context, tx Tx, tenantID, customerID string) error {
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

// chargeForWallet charges the customer's primary card (outside any write
// transaction: the provider call is slow and must not hold locks).
func (s *Service) chargeForWallet(ctx context.Context, tenantID, customerID string, amount decimal.Decimal, currency, desc, key string) (string, error) {
	var ref string
	err := s.store.Read(ctx, func(tx Tx) error {
		tenant, err := tx.GetTenant(ctx, tenantID)
		if err != nil {
			return err
		}
		_, ch, err := s.ChargePrimaryCard(ctx, tx, tenantID, customerID, calendar.Today(s.Now(), tenant.Location()), amount, currency, desc, key)
		ref = ch.ChargeID
		return err
	})
	return ref, err
}

// WalletView is a wallet with its balances, as the dashboard shows it.
type WalletView struct {
	billing.Wallet
	Complimentary decimal.Decimal `json:"complimentary_balance"` // usable complimentary credits, kept apart
	Balance       decimal.Decimal `json:"balance"`               // paid + complimentary
	PaidCredits   decimal.Decimal `json:"paid_credits" money:"-"`
	CompCredits   decimal.Decimal `json:"complimentary_credits" money:"-"`
	Grants        []billing.Grant `json:"grants"`
}

// MarshalJSON writes the balances with the wallet currency's digits
// (credits as they are).
func (w WalletView) MarshalJSON() ([]byte, error) {
	type plain WalletView
	return money.MarshalFixed(plain(w), money.Codes{Currency: w.Currency})
}

func walletView(w billing.Wallet, grants []billing.Grant, today calendar.Date) WalletView {
	v := WalletView{Wallet: w, Grants: grants}
	if v.Grants == nil {
		v.Grants = []billing.Grant{}
	}
	for _, g := range grants {
		if g.Usable(today) {
			v.Complimentary = v.Complimentary.Add(g.Remaining)
		}
	}
	v.Balance = w.PaidBalance.Add(v.Complimentary)
	v.PaidCredits = w.PaidBalance.Mul(w.CreditRate)
	v.CompCredits = v.Complimentary.Mul(w.CreditRate)
	return v
}

// GetWalletSettings returns the tenant's wallet policies.
func (s *Service) GetWalletSettings(ctx context.Context, p access.Principal) (WalletSettings, error) {
	if err := p.Require(access.ReadSettings); err != nil {
		return WalletSettings{}, err
	}
	var out WalletSettings
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = tx.GetWalletSettings(ctx, p.TenantID)
		return err
	})
	return out, err
}

// SetWalletSettings changes the tenant's wallet policies (administrator).
func (s *Service) SetWalletSettings(ctx context.Context, p access.Principal, ws WalletSettings) (WalletSettings, error) {
	if err := p.Require(access.ManageTenant); err != nil {
		return ws, err
	}
	if err := ws.validate(); err != nil {
		return ws, err
	}
	err := s.store.Write(ctx, func(tx Tx) error {
		before, err := tx.GetWalletSettings(ctx, p.TenantID)
		if err != nil {
			return err
		}
		return s.saveWalletSettings(ctx, tx, p, before, ws)
	})
	return ws, err
}

// WalletSettingsPatch changes some of the wallet policies; nil fields stay.
type WalletSettingsPatch struct {
	ReceiptEmails       *bool `json:"receipt_emails,omitempty"`
	AllowNegative       *bool `json:"allow_negative,omitempty"`
	RechargeMaxAttempts *int  `json:"recharge_max_attempts,omitempty"`
	RechargeBackoffSecs *int  `json:"recharge_backoff_seconds,omitempty"`
}

// UpdateWalletSettings changes the wallet policies named in patch and keeps
// the others (administrator).
func (s *Service) UpdateWalletSettings(ctx context.Context, p access.Principal, patch WalletSettingsPatch) (WalletSettings, error) {
	if err := p.Require(access.ManageTenant); err != nil {
		return WalletSettings{}, err
	}
	var out WalletSettings
	err := s.store.Write(ctx, func(tx Tx) error {
		before, err := tx.GetWalletSettings(ctx, p.TenantID)
		if err != nil {
			return err
		}
		ws := before
		set(&ws.ReceiptEmails, patch.ReceiptEmails)
		set(&ws.AllowNegative, patch.AllowNegative)
		set(&ws.RechargeMaxAttempts, patch.RechargeMaxAttempts)
		set(&ws.RechargeBackoffSecs, patch.RechargeBackoffSecs)
		if err := ws.validate(); err != nil {
			return err
		}
		out = ws
		return s.saveWalletSettings(ctx, tx, p, before, ws)
	})
	return out, err
}

// validate checks the recharge retry policy.
func (ws WalletSettings) validate() error {
	var c fail.Collector
	if ws.RechargeMaxAttempts < 1 || ws.RechargeMaxAttempts > 20 {
		c.Add("recharge_max_attempts", "use 1 to 20")
	}
	if ws.RechargeBackoffSecs < 1 || ws.RechargeBackoffSecs > 86400 {
		c.Add("recharge_backoff_seconds", "use 1 to 86400")
	}
	return c.Err()
}

func (s *Service) saveWalletSettings(ctx context.Context, tx Tx, p access.Principal, before, ws WalletSettings) error {
	if err := tx.SetWalletSettings(ctx, p.TenantID, ws); err != nil {
		return err
	}
	return s.audit(ctx, tx, p, "wallet_settings.updated", "tenant", p.TenantID, diff(before, ws))
}

// WalletInput creates a wallet or changes its settings; nil fields stay.
type WalletInput struct {
	Currency          *string
	CreditRate        *string
	AutoRecharge      *bool
	RechargeThreshold *string
	RechargeAmount    *string
}

func (in WalletInput) apply(w *billing.Wallet) error {
	var c fail.Collector
	dec := func(field string, v *string, dst *decimal.Decimal) {
		if v == nil {
			return
		}
		d, err := money.ParseDecimal(*v)
		if err != nil {
			c.Add(field, "%q is not a decimal such as \"25.00\"", *v)
			return
		}
		*dst = d
	}
	if in.Currency != nil {
		w.Currency = strings.ToUpper(strings.TrimSpace(*in.Currency))
	}
	dec("credit_rate", in.CreditRate, &w.CreditRate)
	dec("recharge_threshold", in.RechargeThreshold, &w.RechargeThreshold)
	dec("recharge_amount", in.RechargeAmount, &w.RechargeAmount)
	set(&w.AutoRecharge, in.AutoRecharge)
	if err := c.Err(); err != nil {
		return err
	}
	return w.Normalize()
}

// requireWalletAccess lets staff holding perm, or the customer on its own
// account, act on a customer's wallet.
func requireWalletAccess(p access.Principal, customerID string, perm access.Permission) error {
	if p.IsCustomer() {
		if err := p.Require(access.OwnAccount); err != nil {
			return err
		}
		if !p.SeesCustomer(customerID) {
			return fail.NotFoundf("no wallet for customer %q", customerID)
		}
		return nil
	}
	return p.Require(perm)
}

// SaveWallet opens a customer's wallet, or changes its settings. Staff
// with the wallets permission set everything; the customer itself (the
// account's owner) sets automatic recharge: on or off, threshold and amount.
// Turning automatic recharge on needs a primary card.
func (s *Service) SaveWallet(ctx context.Context, p access.Principal, customerID string, in WalletInput) (WalletView, error) {
	if err := requireWalletAccess(p, customerID, access.ManageWallets); err != nil {
		return WalletView{}, err
	}
	if p.IsCustomer() && (in.Currency != nil || in.CreditRate != nil) {
		return WalletView{}, fail.Forbiddenf("customers may change automatic recharge only")
	}
	var out WalletView
	err := s.store.Write(ctx, func(tx Tx) error {
		tenant, err := tx.GetTenant(ctx, p.TenantID)
		if err != nil {
			return err
		}
		cust, err := tx.GetCustomer(ctx, p.TenantID, customerID)
		if fail.Is(err, fail.NotFound) {
			return fail.NotFoundf("no customer %q", customerID)
		} else if err != nil {
			return err
		}
		w, err := tx.GetWalletForUpdate(ctx, p.TenantID, customerID)
		created := false
		if fail.Is(err, fail.NotFound) {
			if p.IsCustomer() {
				return fail.NotFoundf("customer %s has no wallet yet", cust.Number)
			}
			now := s.Now()
			w = billing.Wallet{ID: id.NewAt("wal", now), TenantID: p.TenantID, CustomerID: customerID, Currency: tenant.Currency,
				CreditRate: decimal.NewFromInt(1), CreatedAt: now}
			created = true
		} else if err != nil {
			return err
		}
		before := w
		if err := in.apply(&w); err != nil {
			return err
		}
		if w.Currency != tenant.Currency {
			return fail.Field("currency", "wallets are kept in the tenant's accounting currency %s", tenant.Currency)
		}
		if w.AutoRecharge && !before.AutoRecharge {
			if _, err := s.primaryPaymentMethod(ctx, tx, p.TenantID, customerID); fail.Is(err, fail.Conflict) {
				return fail.Field("auto_recharge", "customer %s has no primary card to recharge from: add a card first", cust.Number)
			} else if err != nil {
				return err
			}
		}
		w.UpdatedAt = s.Now()
		if created {
			err = tx.InsertWallet(ctx, w)
		} else {
			err = tx.UpdateWallet(ctx, w)
		}
		if err != nil {
			return err
		}
		grants, err := tx.ListGrants(ctx, p.TenantID, customerID)
		if err != nil {
			return err
		}
		out = walletView(w, grants, calendar.Today(s.Now(), tenant.Location()))
		if created {
			return s.audit(ctx, tx, p, "wallet.created", "wallet", w.ID, w)
		}
		return s.audit(ctx, tx, p, "wallet.updated", "wallet", w.ID, diff(before, w))
	})
	return out, err
}

// GetWallet returns a customer's wallet with its balances.
func (s *Service) GetWallet(ctx context.Context, p access.Principal, customerID string) (WalletView, error) {
	if err := requireWalletAccess(p, customerID, access.ManageWallets); err != nil {
		return WalletView{}, err
	}
	var out WalletView
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = s.walletView(ctx, tx, p.TenantID, customerID)
		return err
	})
	return out, err
}

func (s *Service) walletView(ctx context.Context, tx Tx, tenantID, customerID string) (WalletView, error) {
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
	return walletView(w, grants, calendar.Today(s.Now(), tenant.Location())), nil
}

// ListWalletMovements lists a wallet's movements, newest first.
func (s *Service) ListWalletMovements(ctx context.Context, p access.Principal, customerID string, limit int) ([]billing.Movement, error) {
	if err := requireWalletAccess(p, customerID, access.ManageWallets); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > MaxLimit {
		limit = MaxLimit
	}
	var out []billing.Movement
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = tx.ListMovements(ctx, p.TenantID, customerID, limit)
		return err
	})
	return out, err
}

// ListWalletRecharges lists a wallet's recharge jobs, newest first.
func (s *Service) ListWalletRecharges(ctx context.Context, p access.Principal, customerID string) ([]Recharge, error) {
	if err := requireWalletAccess(p, customerID, access.ManageWallets); err != nil {
		return nil, err
	}
	var out []Recharge
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = tx.ListRecharges(ctx, p.TenantID, customerID)
		return err
	})
	return out, err
}

// parseAmount reads a positive amount of currency cur.
func parseAmount(field, v, cur string) (decimal.Decimal, error) {
	d, err := money.ParseDecimal(v)
	if err != nil {
		return d, fail.Field(field, "%q is not a decimal such as \"25.00\"", v)
	}
	c, err := money.ParseCurrency(cur)
	if err != nil {
		return d, fail.Field("currency", "%v", err)
	}
	if !d.IsPositive() {
		return d, fail.Field(field, "must be above 0")
	}
	if !c.Round(d).Equal(d) {
		return d, fail.Field(field, "has more decimals than %s allows", c.Code())
	}
	return d, nil
}

// GrantCredits gives a customer complimentary credits (staff with the
// wallets permission), kept apart from paid credits, usable until
// expiresOn (zero: no expiry).
func (s *Service) GrantCredits(ctx context.Context, p access.Principal, customerID, amount string, expiresOn calendar.Date, reason string) (WalletView, error) {
	if err := p.Require(access.ManageWallets); err != nil {
		return WalletView{}, err
	}
	reason = strings.TrimSpace(reason)
	if len(reason) > 500 {
		return WalletView{}, fail.Field("reason", "must be at most 500 characters")
	}
	var out WalletView
	err := s.store.Write(ctx, func(tx Tx) error {
		w, err := tx.GetWalletForUpdate(ctx, p.TenantID, customerID)
		if err != nil {
			return err
		}
		tenant, err := tx.GetTenant(ctx, p.TenantID)
		if err != nil {
			return err
		}
		today := calendar.Today(s.Now(), tenant.Location())
		amt, err := parseAmount("amount", amount, w.Currency)
		if err != nil {
			return err
		}
		if !expiresOn.IsZero() && expiresOn.Before(today) {
			return fail.Field("expires_on", "is in the past")
		}
		now := s.Now()
		g := billing.Grant{ID: id.NewAt("wgr", now), TenantID: p.TenantID, CustomerID: customerID, Amount: amt, Remaining: amt,
			ExpiresOn: expiresOn, Reason: reason, CreatedAt: now}
		if err := tx.InsertGrant(ctx, g); err != nil {
			return err
		}
		desc := "Complimentary credits"
		if reason != "" {
			desc += ": " + reason
		}
		if err := tx.InsertMovement(ctx, billing.Movement{ID: id.NewAt("wmv", now), TenantID: p.TenantID, CustomerID: customerID,
			Kind: billing.MoveGrant, Complimentary: amt, PaidAfter: w.PaidBalance, Description: desc, CreatedAt: now}); err != nil {
			return err
		}
		grants, err := tx.ListGrants(ctx, p.TenantID, customerID)
		if err != nil {
			return err
		}
		out = walletView(w, grants, today)
		return s.audit(ctx, tx, p, "wallet.credits_granted", "wallet", w.ID, g)
	})
	return out, err
}

// AddFunds charges the customer's primary card and adds the amount to its
// paid credits (staff with the wallets permission, or the customer itself).
// A declined card writes nothing.
func (s *Service) AddFunds(ctx context.Context, p access.Principal, customerID, amount string) (billing.Movement, error) {
	if err := requireWalletAccess(p, customerID, access.ManageWallets); err != nil {
		return billing.Movement{}, err
	}
	var w billing.Wallet
	var amt decimal.Decimal
	if err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		if w, err = tx.GetWallet(ctx, p.TenantID, customerID); err != nil {
			return err
		}
		amt, err = parseAmount("amount", amount, w.Currency)
		return err
	}); err != nil {
		return billing.Movement{}, err
	}
	key := id.NewAt("wtu", s.Now())
	ref, err := s.chargeForWallet(ctx, p.TenantID, customerID, amt, w.Currency, "Wallet top-up", key)
	if err != nil {
		return billing.Movement{}, err
	}
	var m billing.Movement
	err = s.store.Write(context.WithoutCancel(ctx), func(tx Tx) error {
		w, err := tx.GetWalletForUpdate(ctx, p.TenantID, customerID)
		if err != nil {
			return err
		}
		if m, err = s.creditWallet(ctx, tx, &w, billing.MoveTopUp, key, amt, ref, "Wallet top-up"); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, "wallet.top_up", "wallet", w.ID, map[string]string{"amount": amt.String(), "receipt": m.ReceiptNumber})
	})
	return m, err
}

// creditWallet adds paid credits bought with a card: Dr bank / Cr customer
// prepayments, a receipt number, and a receipt email only when the tenant
// turns receipt emails on. w must be locked.
func (s *Service) creditWallet(ctx context.Context, tx Tx, w *billing.Wallet, kind, ref string, amt decimal.Decimal, providerRef, desc string) (billing.Movement, error) {
	tenant, err := tx.GetTenant(ctx, w.TenantID)
	if err != nil {
		return billing.Movement{}, err
	}
	roles, err := s.roleAccounts(ctx, tx, w.TenantID)
	if err != nil {
		return billing.Movement{}, err
	}
	now := s.Now()
	n, err := tx.NextCounter(ctx, w.TenantID, "wallet_receipt")
	if err != nil {
		return billing.Movement{}, err
	}
	m := billing.Movement{ID: id.NewAt("wmv", now), TenantID: w.TenantID, CustomerID: w.CustomerID, Kind: kind, Ref: ref, Paid: amt,
		Description: desc, ReceiptNumber: fmt.Sprintf("WR-%06d", n), ProviderRef: providerRef, CreatedAt: now}
	var b ledger.Builder
	b.Debit(roles[ledger.RoleBank], amt, ledger.Line{Currency: w.Currency, Amount: amt})
	b.Credit(roles[ledger.RolePrepayments], amt, ledger.Line{CustomerID: w.CustomerID, Currency: w.Currency, Amount: amt.Neg()})
	e, err := s.post(ctx, tx, w.TenantID, calendar.Today(now, tenant.Location()), desc+" "+m.ReceiptNumber, "wallet_top_up", m.ID, "", b.Lines())
	if err != nil {
		return billing.Movement{}, err
	}
	m.EntryID = e.ID
	w.PaidBalance = w.PaidBalance.Add(amt)
	w.UpdatedAt = now
	m.PaidAfter = w.PaidBalance
	if err := tx.InsertMovement(ctx, m); err != nil {
		return billing.Movement{}, err
	}
	if err := tx.UpdateWallet(ctx, *w); err != nil {
		return billing.Movement{}, err
	}
	if err := s.emitEvent(ctx, tx, w.TenantID, "wallet.topped_up", walletEvent(*w, m, w.PaidBalance)); err != nil {
		return billing.Movement{}, err
	}
	ws, err := tx.GetWalletSettings(ctx, w.TenantID)
	if err != nil {
		return billing.Movement{}, err
	}
	if ws.ReceiptEmails {
		if err := s.walletNotice(ctx, tx, *w, "wallet.receipt", map[string]string{"receipt": m.ReceiptNumber, "amount": amt.String(),
			"currency": w.Currency}); err != nil {
			return billing.Movement{}, err
		}
	}
	return m, nil
}

// walletNotice queues a notification about a wallet to the customer's billing email.
func (s *Service) walletNotice(ctx context.Context, tx Tx, w billing.Wallet, kind string, payload map[string]string) error {
	cust, err := tx.GetCustomer(ctx, w.TenantID, w.CustomerID)
	if err != nil {
		return err
	}
	now := s.Now()
	payload["customer_name"] = customerName(cust)
	if kind != "wallet.receipt" { // wallet.low_balance, wallet.recharge_failed: also webhook events
		data := map[string]any{"wallet_id": w.ID, "customer_id": w.CustomerID}
		for k, v := range payload {
			data[k] = v
		}
		if err := s.emitEvent(ctx, tx, w.TenantID, kind, data); err != nil {
			return err
		}
	}
	return tx.InsertNotification(ctx, Notification{ID: id.NewAt("ntf", now), TenantID: w.TenantID, Kind: kind, TargetType: "wallet",
		TargetID: w.ID, Recipient: cust.Billing.Email, Language: cust.Billing.Language, Payload: payload, Status: "queued", CreatedAt: now})
}

// UsageCharge is usage to charge to a customer's wallet.
type UsageCharge struct {
	CustomerID  string
	Ref         string // the usage record's id: a charge with the same ref is applied once
	Amount      string
	ProductID   string
	Description string
	Date        calendar.Date // default today
}

// DrawResult is what a usage charge did.
type DrawResult struct {
	Movement  billing.Movement   `json:"movement"`
	SalesItem *billing.SalesItem `json:"sales_item,omitempty"` // the part the wallet did not cover
	Replayed  bool               `json:"replayed"`             // the ref was charged before; nothing changed
}

// DrawWallet charges usage to a customer's wallet (see the rules at the top
// of this file), in one transaction holding the wallet's lock.
func (s *Service) DrawWallet(ctx context.Context, p access.Principal, in UsageCharge) (DrawResult, error) {
	if err := p.Require(access.ManageWallets); err != nil {
		return DrawResult{}, err
	}
	in.Ref, in.Description = strings.TrimSpace(in.Ref), strings.TrimSpace(in.Description)
	if len(in.Ref) > 200 {
		return DrawResult{}, fail.Field("ref", "must be at most 200 characters")
	}
	if in.Description == "" && in.ProductID == "" {
		return DrawResult{}, fail.Field("description", "give a description or a product_id")
	}
	var out DrawResult
	err := s.store.Write(ctx, func(tx Tx) error {
		// What the draw reads besides the wallet is read before taking the
		// wallet's lock, so the lock is held for as few statements as possible.
		env, err := s.loadDrawEnv(ctx, tx, p.TenantID)
		if err != nil {
			return err
		}
		w, err := tx.GetWalletForUpdate(ctx, p.TenantID, in.CustomerID)
		if fail.Is(err, fail.NotFound) {
			return fail.Field("customer_id", "customer %q has no wallet", in.CustomerID)
		} else if err != nil {
			return err
		}
		amt, err := parseAmount("amount", in.Amount, w.Currency)
		if err != nil {
			return err
		}
		if in.Ref != "" {
			m, err := tx.MovementByRef(ctx, p.TenantID, in.CustomerID, billing.MoveDraw, in.Ref)
			if err == nil {
				out = DrawResult{Movement: m, Replayed: true}
				return nil
			} else if !fail.Is(err, fail.NotFound) {
				return err
			}
		}
		out, err = s.draw(ctx, tx, env, &w, in, amt)
		return err
	})
	return out, err
}

// drawEnv is what a draw reads besides the wallet.
type drawEnv struct {
	tenant billing.Tenant
	ws     WalletSettings
	roles  map[ledger.Role]string
}

func (s *Service) loadDrawEnv(ctx context.Context, tx Tx, tenantID string) (drawEnv, error) {
	var env drawEnv
	var err error
	if env.tenant, err = tx.GetTenant(ctx, tenantID); err != nil {
		return env, err
	}
	if env.ws, err = tx.GetWalletSettings(ctx, tenantID); err != nil {
		return env, err
	}
	env.roles, err = s.roleAccounts(ctx, tx, tenantID)
	return env, err
}

// draw applies a usage charge to a locked wallet.
func (s *Service) draw(ctx context.Context, tx Tx, env drawEnv, w *billing.Wallet, in UsageCharge, amt decimal.Decimal) (DrawResult, error) {
	tenant, ws := env.tenant, env.ws
	var err error
	now := s.Now()
	today := calendar.Today(now, tenant.Location())
	if in.Date.IsZero() {
		in.Date = today
	}
	grants, err := tx.ListGrants(ctx, w.TenantID, w.CustomerID)
	if err != nil {
		return DrawResult{}, err
	}
	before := walletView(*w, grants, today).Balance
	cur, err := money.ParseCurrency(w.Currency)
	if err != nil {
		return DrawResult{}, fmt.Errorf("wallet of %s: %w", w.CustomerID, err)
	}
	drawn, err := receivables.PlanDraw(money.New(amt, cur), money.New(w.PaidBalance, cur), receivables.UsableLots(grants, cur, today), ws.AllowNegative)
	if err != nil {
		return DrawResult{}, err
	}
	comp, paid, billed := drawn.Comp.Decimal(), drawn.Paid.Decimal(), drawn.Billed.Decimal()
	for _, g := range grants {
		if take, ok := drawn.FromLots[g.ID]; ok {
			if err := tx.SetGrantRemaining(ctx, w.TenantID, g.ID, g.Remaining.Sub(take.Decimal())); err != nil {
				return DrawResult{}, err
			}
		}
	}
	var prod billing.Product
	if in.ProductID != "" {
		if prod, err = tx.GetProduct(ctx, w.TenantID, in.ProductID); fail.Is(err, fail.NotFound) {
			return DrawResult{}, fail.Field("product_id", "no product %q", in.ProductID)
		} else if err != nil {
			return DrawResult{}, err
		}
		if in.Description == "" {
			in.Description = prod.Name
		}
	}
	m := billing.Movement{ID: id.NewAt("wmv", now), TenantID: w.TenantID, CustomerID: w.CustomerID, Kind: billing.MoveDraw, Ref: in.Ref,
		Paid: paid.Neg(), Complimentary: comp.Neg(), Billed: billed, Description: in.Description, CreatedAt: now}
	if paid.Sign() != 0 {
		roles := env.roles
		revenue := roles[ledger.RoleRevenue]
		if prod.Account != "" {
			revenue = prod.Account
		}
		var b ledger.Builder
		b.Debit(roles[ledger.RolePrepayments], paid, ledger.Line{CustomerID: w.CustomerID, Currency: w.Currency, Amount: paid})
		b.Credit(revenue, paid, ledger.Line{Currency: w.Currency, Amount: paid.Neg()})
		e, err := s.post(ctx, tx, w.TenantID, in.Date, "Wallet usage: "+in.Description, "wallet_draw", m.ID, "", b.Lines())
		if err != nil {
			return DrawResult{}, err
		}
		m.EntryID = e.ID
	}
	var item *billing.SalesItem
	if billed.IsPositive() {
		ref := in.Ref
		if ref == "" {
			ref = m.ID
		}
		si := billing.SalesItem{ID: id.NewAt(id.SalesItem, now), TenantID: w.TenantID, CustomerID: w.CustomerID, Source: billing.SourceUsage,
			SourceRef: "wallet:" + ref, ProductID: in.ProductID, Description: in.Description + " (not covered by the wallet)",
			Quantity: decimal.NewFromInt(1), UnitPrice: billed, Currency: w.Currency, BillingDate: in.Date, PeriodStart: in.Date,
			PeriodEnd: in.Date, ChargeType: billing.Usage, CreatedAt: now, UpdatedAt: now}
		if err := s.completeItem(ctx, tx, w.TenantID, &si, true); err != nil {
			return DrawResult{}, err
		}
		if err := tx.InsertSalesItem(ctx, si); err != nil {
			return DrawResult{}, err
		}
		m.SalesItemID, item = si.ID, &si
	}
	w.PaidBalance = w.PaidBalance.Sub(paid)
	w.UpdatedAt = now
	m.PaidAfter = w.PaidBalance
	if err := tx.InsertMovement(ctx, m); err != nil {
		return DrawResult{}, err
	}
	after := before.Sub(paid).Sub(comp)
	if receivables.CrossesThreshold(money.New(before, cur), money.New(after, cur), money.New(w.RechargeThreshold, cur)) {
		if err := s.walletNotice(ctx, tx, *w, "wallet.low_balance", map[string]string{"balance": after.String(),
			"threshold": w.RechargeThreshold.String(), "currency": w.Currency}); err != nil {
			return DrawResult{}, err
		}
	}
	if w.NeedsRecharge(after) {
		rc := Recharge{ID: id.NewAt("wrc", now), TenantID: w.TenantID, CustomerID: w.CustomerID, Amount: w.RechargeAmount,
			Status: "pending", Auto: true, NextAttemptAt: now, CreatedAt: now, UpdatedAt: now}
		if err := tx.InsertRecharge(ctx, rc); err != nil {
			return DrawResult{}, err
		}
		w.PendingRechargeID = rc.ID
	}
	if err := tx.UpdateWallet(ctx, *w); err != nil {
		return DrawResult{}, err
	}
	if err := s.emitEvent(ctx, tx, w.TenantID, "wallet.drawn", walletEvent(*w, m, after)); err != nil {
		return DrawResult{}, err
	}
	return DrawResult{Movement: m, SalesItem: item}, nil
}

// walletEvent is the data of wallet.* events about a movement.
func walletEvent(w billing.Wallet, m billing.Movement, balance decimal.Decimal) map[string]any {
	return map[string]any{"wallet_id": w.ID, "customer_id": w.CustomerID, "currency": w.Currency, "movement_id": m.ID,
		"kind": m.Kind, "ref": m.Ref, "paid": m.Paid.String(), "complimentary": m.Complimentary.String(), "billed": m.Billed.String(), "paid_balance": w.PaidBalance.String(),
		"balance": balance.String(), "receipt_number": m.ReceiptNumber}
}

// rechargeLease is how long a node owns a claimed recharge job; a node that
// dies while charging leaves it to be claimed again after this, and the
// retry uses the same idempotency key, so the card is charged once.
const rechargeLease = 2 * time.Minute

// ProcessWalletRecharges runs the tenant's due recharge jobs: it charges the
// primary card and adds the paid credits, or records the failure, queues a
// wallet.recharge_failed notification and schedules a retry by the tenant's
// policy. Every node may call it: a job is claimed by one at a time.
func (s *Service) ProcessWalletRecharges(ctx context.Context, tenantID string, limit int) (int, error) {
	now := s.Now()
	var jobs []Recharge
	if err := s.store.Write(ctx, func(tx Tx) error {
		var err error
		jobs, err = tx.ClaimRecharges(ctx, tenantID, now, now.Add(rechargeLease), limit)
		return err
	}); err != nil {
		return 0, err
	}
	done := 0
	for _, rc := range jobs {
		if err := s.runRecharge(ctx, rc); err != nil {
			return done, err
		}
		done++
	}
	return done, nil
}

func (s *Service) runRecharge(ctx context.Context, rc Recharge) error {
	var w billing.Wallet
	if err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		w, err = tx.GetWallet(ctx, rc.TenantID, rc.CustomerID)
		return err
	}); err != nil {
		return err
	}
	key := rc.ID + "-" + strconv.Itoa(rc.Attempts+1)
	ref, chargeErr := s.chargeForWallet(ctx, rc.TenantID, rc.CustomerID, rc.Amount, w.Currency, "Wallet automatic recharge", key)
	return s.store.Write(context.WithoutCancel(ctx), func(tx Tx) error {
		w, err := tx.GetWalletForUpdate(ctx, rc.TenantID, rc.CustomerID)
		if err != nil {
			return err
		}
		cur, err := tx.GetRechargeForUpdate(ctx, rc.TenantID, rc.ID)
		if err != nil {
			return err
		}
		if cur.Status != "processing" {
			return nil // finished by another node meanwhile
		}
		now := s.Now()
		cur.UpdatedAt, cur.LockedUntil = now, nil
		if chargeErr == nil {
			m, err := s.creditWallet(ctx, tx, &w, billing.MoveRecharge, rc.ID, rc.Amount, ref, "Wallet automatic recharge")
			if err != nil {
				return err
			}
			cur.Status, cur.MovementID, cur.LastError = "succeeded", m.ID, ""
		} else {
			ws, err := tx.GetWalletSettings(ctx, rc.TenantID)
			if err != nil {
				return err
			}
			cur.Attempts++
			cur.LastError = chargeErr.Error()
			final := cur.Attempts >= ws.RechargeMaxAttempts
			if final {
				cur.Status = "failed"
			} else {
				cur.Status = "pending"
				cur.NextAttemptAt = now.Add(billing.RechargeDelay(time.Duration(ws.RechargeBackoffSecs)*time.Second, cur.Attempts))
			}
			if cur.Attempts == 1 || final {
				if err := s.walletNotice(ctx, tx, w, "wallet.recharge_failed", map[string]string{"amount": rc.Amount.String(),
					"currency": w.Currency, "attempt": strconv.Itoa(cur.Attempts), "will_retry": strconv.FormatBool(!final),
					"error": chargeErr.Error()}); err != nil {
					return err
				}
			}
		}
		if cur.Status == "succeeded" || cur.Status == "failed" {
			if w.PendingRechargeID == rc.ID {
				w.PendingRechargeID = ""
				w.UpdatedAt = now
				if err := tx.UpdateWallet(ctx, w); err != nil {
					return err
				}
			}
		}
		return tx.UpdateRecharge(ctx, cur)
	})
}

// drawUsageRow charges an imported usage row to the customer's wallet when
// it has one in the row's currency (inside the import's transaction); ok is
// false when it has none, and the row becomes a sales item as before.
func (s *Service) drawUsageRow(ctx context.Context, tx Tx, si billing.SalesItem, recordID string) (res UsageRowResult, ok bool, err error) {
	w, err := tx.GetWalletForUpdate(ctx, si.TenantID, si.CustomerID)
	if fail.Is(err, fail.NotFound) {
		return res, false, nil
	} else if err != nil {
		return res, false, err
	}
	if w.Currency != si.Currency || !si.Net().IsPositive() {
		return res, false, nil
	}
	res.RecordID = recordID
	if _, err := tx.MovementByRef(ctx, si.TenantID, si.CustomerID, billing.MoveDraw, recordID); err == nil {
		res.Status = "duplicate"
		return res, true, nil
	} else if !fail.Is(err, fail.NotFound) {
		return res, false, err
	}
	if dup, err := tx.UsageItemExists(ctx, si.TenantID, recordID); err != nil {
		return res, false, err
	} else if dup {
		res.Status = "duplicate"
		return res, true, nil
	}
	env, err := s.loadDrawEnv(ctx, tx, si.TenantID)
	if err != nil {
		return res, false, err
	}
	r, err := s.draw(ctx, tx, env, &w, UsageCharge{CustomerID: si.CustomerID, Ref: recordID, ProductID: si.ProductID, Description: si.Description,
		Date: si.BillingDate}, si.Net())
	if err != nil {
		return res, false, err
	}
	res.Status = "imported"
	if r.SalesItem != nil {
		res.ItemID = r.SalesItem.ID
	}
	return res, true, nil
}
