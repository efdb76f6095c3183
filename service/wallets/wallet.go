package wallets

import (
	"context"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/id"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/numbering"
	"github.com/facturo/facturo/service/collections"
	"github.com/facturo/facturo/service/notify"
	"github.com/facturo/facturo/service/usecase"
	"github.com/facturo/facturo/wallet"
)

// WalletInput creates a wallet or changes its settings; nil fields stay.
type WalletInput struct {
	Currency          *string
	CreditRate        *string
	AutoRecharge      *bool
	RechargeThreshold *string
	RechargeAmount    *string
}

// set writes in's fields into w, refusing decimals it cannot read.
func (in WalletInput) set(w *wallet.Wallet) error {
	var c fail.Collector
	dec := func(field string, v *string, dst *decimal.Decimal) {
		if v == nil {
			return
		}
		d, err := money.ReadDecimal(field, *v, "25.00")
		if err != nil {
			c.Merge("", err)
			return
		}
		*dst = d
	}
	if in.Currency != nil {
		w.Currency = strings.ToUpper(strings.TrimSpace(*in.Currency))
	}
	threshold, amount := w.RechargeThreshold.Decimal(), w.RechargeAmount.Decimal()
	dec("credit_rate", in.CreditRate, &w.CreditRate)
	dec("recharge_threshold", in.RechargeThreshold, &threshold)
	dec("recharge_amount", in.RechargeAmount, &amount)
	// The amounts are in the wallet's currency (Normalize checks it).
	w.RechargeThreshold, w.RechargeAmount = money.In(threshold, w.Currency), money.In(amount, w.Currency)
	w.PaidBalance = money.In(w.PaidBalance.Decimal(), w.Currency)
	set(&w.AutoRecharge, in.AutoRecharge)
	return c.Err()
}

// check refuses what set would refuse of in alone (before any transaction).
func (in WalletInput) check() error {
	var scratch wallet.Wallet
	return in.set(&scratch)
}

// apply writes in's fields into w and checks the result.
func (in WalletInput) apply(w *wallet.Wallet) error {
	if err := in.set(w); err != nil {
		return err
	}
	return w.Normalize()
}

// walletAccess lets staff holding perm, or the customer on its own
// account, act on a customer's wallet: it returns the permission the
// envelope checks and the check that the customer sees customerID.
func walletAccess(p access.Principal, customerID string, perm access.Permission) (access.Permission, func() error) {
	if !p.IsCustomer() {
		return perm, func() error { return nil }
	}
	return access.OwnAccount, func() error {
		if !p.SeesCustomer(customerID) {
			return fail.NotFoundf("no wallet for customer %q", customerID)
		}
		return nil
	}
}

// readWallet reads, in one transaction, what fn returns of customerID's
// wallet once p may see it (staff with the wallets permission, or the
// customer itself).
func readWallet[T any](ctx context.Context, s *Service, p access.Principal, customerID string, fn func(tx WalletReadsTx) (T, error)) (T, error) {
	var zero T
	perm, sees := walletAccess(p, customerID, access.ManageWallets)
	if err := usecase.Allow(p, perm); err != nil {
		return zero, err
	}
	if err := sees(); err != nil {
		return zero, err
	}
	return usecase.Read(ctx, s.walletReads, p, perm, fn)
}

// SaveWallet opens a customer's wallet, or changes its settings. Staff
// with the wallets permission set everything; the customer itself (the
// account's owner) sets automatic recharge: on or off, threshold and amount.
// Turning automatic recharge on needs a primary card.
func (s *Service) SaveWallet(ctx context.Context, p access.Principal, customerID string, in WalletInput) (WalletView, error) {
	perm, sees := walletAccess(p, customerID, access.ManageWallets)
	check := func() error {
		if err := sees(); err != nil {
			return err
		}
		if p.IsCustomer() && (in.Currency != nil || in.CreditRate != nil) {
			return fail.Forbiddenf("customers may change automatic recharge only")
		}
		return in.check()
	}
	return usecase.Write(ctx, s.wallets, p, perm, check, func(tx WalletsTx) (WalletView, usecase.Audit, error) {
		none := usecase.Audit{}
		tenant, err := tx.GetTenant(ctx, p.TenantID)
		if err != nil {
			return WalletView{}, none, err
		}
		cust, err := tx.GetCustomer(ctx, p.TenantID, customerID)
		if fail.Is(err, fail.NotFound) {
			return WalletView{}, none, fail.NotFoundf("no customer %q", customerID)
		} else if err != nil {
			return WalletView{}, none, err
		}
		w, err := tx.GetWalletForUpdate(ctx, p.TenantID, customerID)
		created := false
		if fail.Is(err, fail.NotFound) {
			if p.IsCustomer() {
				return WalletView{}, none, fail.NotFoundf("customer %s has no wallet yet", cust.Number)
			}
			now := s.now()
			w = wallet.Wallet{ID: id.NewAt("wal", now), TenantID: p.TenantID, CustomerID: customerID, Currency: tenant.Currency,
				CreditRate: decimal.NewFromInt(1), CreatedAt: now}
			created = true
		} else if err != nil {
			return WalletView{}, none, err
		}
		before := w
		if err := in.apply(&w); err != nil {
			return WalletView{}, none, err
		}
		if w.Currency != tenant.Currency {
			return WalletView{}, none, fail.Field("currency", "wallets are kept in the tenant's accounting currency %s", tenant.Currency)
		}
		if w.AutoRecharge && !before.AutoRecharge {
			if err := s.deps.PrimaryCard(ctx, tx, p.TenantID, customerID); fail.Is(err, fail.Conflict) {
				return WalletView{}, none, fail.Field("auto_recharge", "customer %s has no primary card to recharge from: add a card first", cust.Number)
			} else if err != nil {
				return WalletView{}, none, err
			}
		}
		w.UpdatedAt = s.now()
		if created {
			err = tx.InsertWallet(ctx, w)
		} else {
			err = tx.UpdateWallet(ctx, w)
		}
		if err != nil {
			return WalletView{}, none, err
		}
		grants, err := tx.ListGrants(ctx, p.TenantID, customerID)
		if err != nil {
			return WalletView{}, none, err
		}
		out := walletView(w, grants, calendar.Today(s.now(), tenant.Location()))
		if created {
			return out, usecase.Entry("wallet.created", "wallet", w.ID, w), nil
		}
		return out, usecase.Entry("wallet.updated", "wallet", w.ID, usecase.Diff(before, w)), nil
	})
}

// GetWallet returns a customer's wallet with its balances.
func (s *Service) GetWallet(ctx context.Context, p access.Principal, customerID string) (WalletView, error) {
	return readWallet(ctx, s, p, customerID, func(tx WalletReadsTx) (WalletView, error) {
		return LoadView(ctx, tx, s.now(), p.TenantID, customerID)
	})
}

// ListWalletMovements lists a wallet's movements, newest first.
func (s *Service) ListWalletMovements(ctx context.Context, p access.Principal, customerID string, limit int) ([]wallet.Movement, error) {
	if limit <= 0 || limit > s.deps.PageLimit {
		limit = s.deps.PageLimit
	}
	return readWallet(ctx, s, p, customerID, func(tx WalletReadsTx) ([]wallet.Movement, error) {
		return tx.ListMovements(ctx, p.TenantID, customerID, limit)
	})
}

// ListWalletRecharges lists a wallet's recharge jobs, newest first.
func (s *Service) ListWalletRecharges(ctx context.Context, p access.Principal, customerID string) ([]Recharge, error) {
	return readWallet(ctx, s, p, customerID, func(tx WalletReadsTx) ([]Recharge, error) {
		return tx.ListRecharges(ctx, p.TenantID, customerID)
	})
}

// GrantCredits gives a customer complimentary credits (staff with the
// wallets permission), kept apart from paid credits, usable until
// expiresOn (zero: no expiry).
func (s *Service) GrantCredits(ctx context.Context, p access.Principal, customerID, amount string, expiresOn calendar.Date, reason string) (WalletView, error) {
	reason = strings.TrimSpace(reason)
	check := func() error {
		if len(reason) > 500 {
			return fail.Field("reason", "must be at most 500 characters")
		}
		_, err := parsePositive("amount", amount)
		return err
	}
	return usecase.Write(ctx, s.wallets, p, access.ManageWallets, check, func(tx WalletsTx) (WalletView, usecase.Audit, error) {
		none := usecase.Audit{}
		w, err := tx.GetWalletForUpdate(ctx, p.TenantID, customerID)
		if err != nil {
			return WalletView{}, none, err
		}
		tenant, err := tx.GetTenant(ctx, p.TenantID)
		if err != nil {
			return WalletView{}, none, err
		}
		today := calendar.Today(s.now(), tenant.Location())
		amt, err := parseAmount("amount", amount, w.Currency)
		if err != nil {
			return WalletView{}, none, err
		}
		if !expiresOn.IsZero() && expiresOn.Before(today) {
			return WalletView{}, none, fail.Field("expires_on", "is in the past")
		}
		now := s.now()
		g := wallet.Grant{ID: id.NewAt("wgr", now), TenantID: p.TenantID, CustomerID: customerID, Amount: amt, Remaining: amt, Currency: w.Currency,
			ExpiresOn: expiresOn, Reason: reason, CreatedAt: now}
		if err := tx.InsertGrant(ctx, g); err != nil {
			return WalletView{}, none, err
		}
		desc := wallet.GrantDescription(reason)
		if err := tx.InsertMovement(ctx, wallet.Movement{ID: id.NewAt("wmv", now), TenantID: p.TenantID, CustomerID: customerID, Currency: w.Currency,
			Kind: wallet.MoveGrant, Complimentary: amt, PaidAfter: w.PaidBalance, Description: desc, CreatedAt: now}); err != nil {
			return WalletView{}, none, err
		}
		grants, err := tx.ListGrants(ctx, p.TenantID, customerID)
		if err != nil {
			return WalletView{}, none, err
		}
		return walletView(w, grants, today), usecase.Entry("wallet.credits_granted", "wallet", w.ID, g), nil
	})
}

// AddFunds charges the customer's primary card and adds the amount to its
// paid credits (staff with the wallets permission, or the customer itself).
// A declined card writes nothing. The card is charged between a read of the
// wallet and the write that credits it, outside any write transaction: the
// provider call is slow and must not hold locks.
func (s *Service) AddFunds(ctx context.Context, p access.Principal, customerID, amount string) (wallet.Movement, error) {
	perm, sees := walletAccess(p, customerID, access.ManageWallets)
	check := func() error {
		if err := sees(); err != nil {
			return err
		}
		_, err := parsePositive("amount", amount)
		return err
	}
	if err := usecase.Allow(p, perm); err != nil {
		return wallet.Movement{}, err
	}
	if err := check(); err != nil {
		return wallet.Movement{}, err
	}
	type read struct {
		w   wallet.Wallet
		amt money.Amount
	}
	r, err := usecase.Read(ctx, s.walletReads, p, perm, func(tx WalletReadsTx) (read, error) {
		w, err := tx.GetWallet(ctx, p.TenantID, customerID)
		if err != nil {
			return read{}, err
		}
		amt, err := parseAmount("amount", amount, w.Currency)
		return read{w, amt}, err
	})
	if err != nil {
		return wallet.Movement{}, err
	}
	key := id.NewAt("wtu", s.now())
	ref, err := s.chargeForWallet(ctx, p.TenantID, customerID, r.amt, wallet.TopUpDescription, key)
	if err != nil {
		return wallet.Movement{}, err
	}
	// The card is charged: record it even if the request goes away.
	ctx = context.WithoutCancel(ctx)
	return usecase.Write(ctx, s.wallets, p, perm, sees, func(tx WalletsTx) (wallet.Movement, usecase.Audit, error) {
		w, err := tx.GetWalletForUpdate(ctx, p.TenantID, customerID)
		if err != nil {
			return wallet.Movement{}, usecase.Audit{}, err
		}
		var a usecase.Audit
		m, err := s.creditWallet(ctx, tx, &w, wallet.MoveTopUp, key, r.amt, ref, wallet.TopUpDescription, &a)
		if err != nil {
			return wallet.Movement{}, usecase.Audit{}, err
		}
		return m, a.And("wallet.top_up", "wallet", w.ID, map[string]string{"amount": r.amt.String(), "receipt": m.ReceiptNumber}), nil
	})
}

// chargeForWallet charges the customer's primary card (outside any write
// transaction: the provider call is slow and must not hold locks).
func (s *Service) chargeForWallet(ctx context.Context, tenantID, customerID string, amount money.Amount, desc, key string) (string, error) {
	var ref string
	err := s.walletReads.Store.Read(ctx, func(tx WalletReadsTx) error {
		tenant, err := tx.GetTenant(ctx, tenantID)
		if err != nil {
			return err
		}
		ref, err = s.deps.ChargeCard(ctx, tx, tenantID, customerID, calendar.Today(s.now(), tenant.Location()), amount, desc, key)
		return err
	})
	return ref, err
}

// creditWallet adds paid credits bought with a card: Dr bank / Cr customer
// prepayments, a receipt number, and a receipt email only when the tenant
// turns receipt emails on. w must be locked. The events go into a.
func (s *Service) creditWallet(ctx context.Context, tx CreditTx, w *wallet.Wallet, kind, ref string, amt money.Amount, providerRef, desc string, a *usecase.Audit) (wallet.Movement, error) {
	env, err := tx.WalletEnv(ctx, w.TenantID)
	if err != nil {
		return wallet.Movement{}, err
	}
	tenant, roles := env.Tenant, billing.RoleAccounts(env.Accounts)
	now := s.now()
	n, err := tx.NextCounter(ctx, w.TenantID, numbering.WalletReceipt.Counter)
	if err != nil {
		return wallet.Movement{}, err
	}
	zero := money.Zero(amt.Currency())
	m := wallet.Movement{ID: id.NewAt("wmv", now), TenantID: w.TenantID, CustomerID: w.CustomerID, Kind: kind, Ref: ref, Paid: amt, Currency: w.Currency,
		Complimentary: zero, Billed: zero,
		Description: desc, ReceiptNumber: numbering.WalletReceipt.Format(n), ProviderRef: providerRef, CreatedAt: now}
	var b ledger.Builder
	b.Debit(roles[ledger.RoleBank], amt, ledger.Line{Currency: w.Currency, Amount: amt})
	b.Credit(roles[ledger.RolePrepayments], amt, ledger.Line{CustomerID: w.CustomerID, Currency: w.Currency, Amount: amt.Neg()})
	e, err := s.deps.Post(ctx, tx, w.TenantID, calendar.Today(now, tenant.Location()), desc+" "+m.ReceiptNumber, "wallet_top_up", m.ID, "", b.Lines())
	if err != nil {
		return wallet.Movement{}, err
	}
	m.EntryID = e.ID
	w.PaidBalance = w.PaidBalance.MustAdd(amt)
	w.UpdatedAt = now
	m.PaidAfter = w.PaidBalance
	if err := tx.InsertMovement(ctx, m); err != nil {
		return wallet.Movement{}, err
	}
	if err := tx.UpdateWallet(ctx, *w); err != nil {
		return wallet.Movement{}, err
	}
	*a = a.Emit("wallet.topped_up", walletEvent(*w, m, w.PaidBalance))
	if env.Settings.ReceiptEmails {
		if err := s.walletNotice(ctx, tx, *w, "wallet.receipt", map[string]string{"receipt": m.ReceiptNumber, "amount": amt.String(),
			"currency": w.Currency}, a); err != nil {
			return wallet.Movement{}, err
		}
	}
	return m, nil
}

// walletNotice queues a notification about a wallet to the customer's
// billing email; wallet.low_balance and wallet.recharge_failed are also
// webhook events, which go into a.
func (s *Service) walletNotice(ctx context.Context, tx NoticeTx, w wallet.Wallet, kind string, payload map[string]string, a *usecase.Audit) error {
	cust, err := tx.GetCustomer(ctx, w.TenantID, w.CustomerID)
	if err != nil {
		return err
	}
	now := s.now()
	payload["customer_name"] = collections.CustomerName(cust)
	if kind != "wallet.receipt" {
		data := map[string]any{"wallet_id": w.ID, "customer_id": w.CustomerID}
		for k, v := range payload {
			data[k] = v
		}
		*a = a.Emit(kind, data)
	}
	return tx.InsertNotification(ctx, notify.Notification{ID: id.NewAt("ntf", now), TenantID: w.TenantID, Kind: kind, TargetType: "wallet",
		TargetID: w.ID, Recipient: cust.Billing.Email, Language: cust.Billing.Language, Payload: payload, Status: notify.NotificationQueued, CreatedAt: now})
}

// walletEvent is the data of wallet.* events about a movement.
func walletEvent(w wallet.Wallet, m wallet.Movement, balance money.Amount) map[string]any {
	return map[string]any{"wallet_id": w.ID, "customer_id": w.CustomerID, "currency": w.Currency, "movement_id": m.ID,
		"kind": m.Kind, "ref": m.Ref, "paid": m.Paid.String(), "complimentary": m.Complimentary.String(), "billed": m.Billed.String(), "paid_balance": w.PaidBalance.String(),
		"balance": balance.String(), "receipt_number": m.ReceiptNumber}
}
