package accountsql

import (
	"context"
	"fmt"
	"time"

	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/jobs/jobargs"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store/dbtx"
	"github.com/facturo/facturo/store/enginesql"
	"github.com/facturo/facturo/store/sqlitesql"
	"github.com/facturo/facturo/wallet"
)

// --- settings

func (t *Accounts) GetWalletSettings(ctx context.Context, tenantID string) (service.WalletSettings, error) {
	r, err := enginesql.For(t.Tx).GetWalletSettings(ctx, tenantID)
	if dbtx.ErrNoRows(err) {
		return service.DefaultWalletSettings, nil
	}
	if err != nil {
		return service.DefaultWalletSettings, fmt.Errorf("get wallet settings: %w", err)
	}
	return service.WalletSettings{ReceiptEmails: r.ReceiptEmails, AllowNegative: r.AllowNegative, RechargeMaxAttempts: int(r.RechargeMaxAttempts),
		RechargeBackoffSecs: int(r.RechargeBackoffSeconds)}, nil
}

func (t *Accounts) SetWalletSettings(ctx context.Context, tenantID string, ws service.WalletSettings) error {
	err := enginesql.For(t.Tx).SetWalletSettings(ctx, sqlitesql.SetWalletSettingsParams{TenantID: tenantID, ReceiptEmails: ws.ReceiptEmails,
		AllowNegative: ws.AllowNegative, RechargeMaxAttempts: int64(ws.RechargeMaxAttempts), RechargeBackoffSeconds: int64(ws.RechargeBackoffSecs)})
	if err != nil {
		return fmt.Errorf("set wallet settings: %w", err)
	}
	return nil
}

// --- wallets

// walletOf is the wallet a row holds.
func walletOf(r sqlitesql.Wallet) (wallet.Wallet, error) {
	var p dbtx.Parse
	w := wallet.Wallet{TenantID: r.TenantID, CustomerID: r.CustomerID, ID: r.ID, Currency: r.Currency, CreditRate: p.Dec(r.CreditRate),
		PaidBalance: money.In(p.Dec(r.PaidBalance), r.Currency), AutoRecharge: r.AutoRecharge,
		RechargeThreshold: money.In(p.Dec(r.RechargeThreshold), r.Currency), RechargeAmount: money.In(p.Dec(r.RechargeAmount), r.Currency),
		PendingRechargeID: r.PendingRechargeID, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if p.Err != nil {
		return w, fmt.Errorf("wallet of customer %s: %w", r.CustomerID, p.Err)
	}
	return w, nil
}

func (t *Accounts) InsertWallet(ctx context.Context, w wallet.Wallet) error {
	err := enginesql.For(t.Tx).InsertWallet(ctx, sqlitesql.InsertWalletParams{TenantID: w.TenantID, CustomerID: w.CustomerID, ID: w.ID,
		Currency: w.Currency, CreditRate: w.CreditRate.String(), PaidBalance: w.PaidBalance.Decimal().String(), AutoRecharge: w.AutoRecharge,
		RechargeThreshold: w.RechargeThreshold.Decimal().String(), RechargeAmount: w.RechargeAmount.Decimal().String(),
		PendingRechargeID: w.PendingRechargeID, CreatedAt: dbtx.TimeOf(w.CreatedAt), UpdatedAt: dbtx.TimeOf(w.UpdatedAt)})
	if ok, _ := dbtx.UniqueViolation(err); ok {
		return fail.Conflictf("customer %s already has a wallet", w.CustomerID)
	}
	if err != nil {
		return fmt.Errorf("insert wallet: %w", err)
	}
	return nil
}

func (t *Accounts) UpdateWallet(ctx context.Context, w wallet.Wallet) error {
	n, err := enginesql.For(t.Tx).UpdateWallet(ctx, sqlitesql.UpdateWalletParams{Currency: w.Currency, CreditRate: w.CreditRate.String(),
		PaidBalance: w.PaidBalance.Decimal().String(), AutoRecharge: w.AutoRecharge, RechargeThreshold: w.RechargeThreshold.Decimal().String(),
		RechargeAmount: w.RechargeAmount.Decimal().String(), PendingRechargeID: w.PendingRechargeID, UpdatedAt: dbtx.TimeOf(w.UpdatedAt),
		TenantID: w.TenantID, CustomerID: w.CustomerID})
	return dbtx.MustAffectRows(n, err, "wallet of customer", w.CustomerID)
}

func (t *Accounts) gotWallet(r sqlitesql.Wallet, err error, customerID string) (wallet.Wallet, error) {
	if dbtx.ErrNoRows(err) {
		return wallet.Wallet{}, fail.NotFoundf("customer %q has no wallet", customerID)
	}
	if err != nil {
		return wallet.Wallet{}, fmt.Errorf("get wallet: %w", err)
	}
	return walletOf(r)
}

func (t *Accounts) GetWallet(ctx context.Context, tenantID, customerID string) (wallet.Wallet, error) {
	r, err := enginesql.For(t.Tx).GetWallet(ctx, sqlitesql.GetWalletParams{TenantID: tenantID, CustomerID: customerID})
	return t.gotWallet(r, err, customerID)
}

func (t *Accounts) GetWalletForUpdate(ctx context.Context, tenantID, customerID string) (wallet.Wallet, error) {
	r, err := enginesql.For(t.Tx).GetWalletForUpdate(ctx, sqlitesql.GetWalletForUpdateParams{TenantID: tenantID, CustomerID: customerID})
	return t.gotWallet(r, err, customerID)
}

func (t *Accounts) ListWallets(ctx context.Context, tenantID string) ([]wallet.Wallet, error) {
	rows, err := enginesql.For(t.Tx).ListWallets(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list wallets: %w", err)
	}
	return dbtx.Map(rows, walletOf)
}

// --- complimentary lots

func (t *Accounts) InsertGrant(ctx context.Context, g wallet.Grant) error {
	err := enginesql.For(t.Tx).InsertGrant(ctx, sqlitesql.InsertGrantParams{TenantID: g.TenantID, ID: g.ID, CustomerID: g.CustomerID,
		Amount: g.Amount.Decimal().String(), Remaining: g.Remaining.Decimal().String(), ExpiresOn: dbtx.NDateText(g.ExpiresOn), Reason: g.Reason,
		CreatedAt: dbtx.TimeOf(g.CreatedAt)})
	if err != nil {
		return fmt.Errorf("insert wallet grant: %w", err)
	}
	return nil
}

func (t *Accounts) SetGrantRemaining(ctx context.Context, tenantID, grantID string, remaining money.Amount) error {
	n, err := enginesql.For(t.Tx).SetGrantRemaining(ctx, sqlitesql.SetGrantRemainingParams{Remaining: remaining.Decimal().String(),
		TenantID: tenantID, ID: grantID})
	return dbtx.MustAffectRows(n, err, "wallet grant", grantID)
}

func (t *Accounts) ListGrants(ctx context.Context, tenantID, customerID string) ([]wallet.Grant, error) {
	rows, err := enginesql.For(t.Tx).ListGrants(ctx, sqlitesql.ListGrantsParams{TenantID: tenantID, CustomerID: customerID})
	if err != nil {
		return nil, fmt.Errorf("list wallet grants: %w", err)
	}
	var p dbtx.Parse
	out := make([]wallet.Grant, 0, len(rows))
	for _, r := range rows {
		g, cur := r.WalletGrant, r.Currency
		out = append(out, wallet.Grant{TenantID: g.TenantID, ID: g.ID, CustomerID: g.CustomerID, Amount: money.In(p.Dec(g.Amount), cur),
			Remaining: money.In(p.Dec(g.Remaining), cur), ExpiresOn: p.NDate(g.ExpiresOn), Reason: g.Reason, CreatedAt: g.CreatedAt.UTC(), Currency: cur})
	}
	if p.Err != nil {
		return nil, fmt.Errorf("wallet grants: %w", p.Err)
	}
	return out, nil
}

// --- movements

// movementOf is the movement a row holds, in its wallet's currency cur.
func movementOf(m sqlitesql.WalletMovement, cur string, p *dbtx.Parse) wallet.Movement {
	return wallet.Movement{TenantID: m.TenantID, ID: m.ID, CustomerID: m.CustomerID, Kind: m.Kind, Ref: m.Ref,
		Paid: money.In(p.Dec(m.Paid), cur), Complimentary: money.In(p.Dec(m.Complimentary), cur), Billed: money.In(p.Dec(m.Billed), cur),
		PaidAfter: money.In(p.Dec(m.PaidAfter), cur), Description: m.Description, ReceiptNumber: m.ReceiptNumber, ProviderRef: m.ProviderRef,
		EntryID: m.EntryID, SalesItemID: m.SalesItemID, CreatedAt: m.CreatedAt.UTC(), Currency: cur}
}

func (t *Accounts) InsertMovement(ctx context.Context, m wallet.Movement) error {
	err := enginesql.For(t.Tx).InsertMovement(ctx, sqlitesql.InsertMovementParams{TenantID: m.TenantID, ID: m.ID, CustomerID: m.CustomerID,
		Kind: m.Kind, Ref: m.Ref, Paid: m.Paid.Decimal().String(), Complimentary: m.Complimentary.Decimal().String(),
		Billed: m.Billed.Decimal().String(), PaidAfter: m.PaidAfter.Decimal().String(), Description: m.Description, ReceiptNumber: m.ReceiptNumber,
		ProviderRef: m.ProviderRef, EntryID: m.EntryID, SalesItemID: m.SalesItemID, CreatedAt: dbtx.TimeOf(m.CreatedAt)})
	if ok, _ := dbtx.UniqueViolation(err); ok {
		return fail.Conflictf("wallet %s %q was applied before", m.Kind, m.Ref)
	}
	if err != nil {
		return fmt.Errorf("insert wallet movement: %w", err)
	}
	return nil
}

func (t *Accounts) MovementByRef(ctx context.Context, tenantID, customerID, kind, ref string) (wallet.Movement, error) {
	r, err := enginesql.For(t.Tx).MovementByRef(ctx, sqlitesql.MovementByRefParams{TenantID: tenantID, CustomerID: customerID, Kind: kind, Ref: ref})
	if dbtx.ErrNoRows(err) {
		return wallet.Movement{}, fail.NotFoundf("no wallet %s %q", kind, ref)
	}
	if err != nil {
		return wallet.Movement{}, fmt.Errorf("wallet movement by ref: %w", err)
	}
	var p dbtx.Parse
	m := movementOf(r.WalletMovement, r.Currency, &p)
	if p.Err != nil {
		return m, fmt.Errorf("wallet movement %s: %w", r.WalletMovement.ID, p.Err)
	}
	return m, nil
}

func (t *Accounts) ListMovements(ctx context.Context, tenantID, customerID string, limit int) ([]wallet.Movement, error) {
	rows, err := enginesql.For(t.Tx).ListMovements(ctx, sqlitesql.ListMovementsParams{TenantID: tenantID, CustomerID: customerID, Max: int64(limit)})
	if err != nil {
		return nil, fmt.Errorf("list wallet movements: %w", err)
	}
	var p dbtx.Parse
	out := make([]wallet.Movement, 0, len(rows))
	for _, r := range rows {
		out = append(out, movementOf(r.WalletMovement, r.Currency, &p))
	}
	if p.Err != nil {
		return nil, fmt.Errorf("wallet movements: %w", p.Err)
	}
	return out, nil
}

// --- recharge jobs

// rechargeOf is the recharge a row holds, in its wallet's currency cur.
func rechargeOf(r sqlitesql.WalletRecharge, cur string) (service.Recharge, error) {
	var p dbtx.Parse
	out := service.Recharge{TenantID: r.TenantID, ID: r.ID, CustomerID: r.CustomerID, Amount: money.In(p.Dec(r.Amount), cur), Status: r.Status,
		Auto: r.Auto, Attempts: int(r.Attempts), NextAttemptAt: r.NextAttemptAt.UTC(), LockedUntil: r.LockedUntil.Ptr(), LastError: r.LastError,
		MovementID: r.MovementID, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Currency: cur}
	if p.Err != nil {
		return out, fmt.Errorf("wallet recharge %s: %w", r.ID, p.Err)
	}
	return out, nil
}

func (t *Accounts) InsertRecharge(ctx context.Context, r service.Recharge) error {
	err := enginesql.For(t.Tx).InsertRecharge(ctx, sqlitesql.InsertRechargeParams{TenantID: r.TenantID, ID: r.ID, CustomerID: r.CustomerID,
		Amount: r.Amount.Decimal().String(), Status: r.Status, Auto: r.Auto, Attempts: int64(r.Attempts), NextAttemptAt: dbtx.TimeOf(r.NextAttemptAt),
		LockedUntil: dbtx.NTimeOf(r.LockedUntil), LastError: r.LastError, MovementID: r.MovementID, CreatedAt: dbtx.TimeOf(r.CreatedAt),
		UpdatedAt: dbtx.TimeOf(r.UpdatedAt)})
	if err != nil {
		return fmt.Errorf("insert wallet recharge: %w", err)
	}
	return t.scheduleRecharge(ctx, r)
}

// scheduleRecharge inserts, in the transaction of the change, the job that
// runs a pending recharge's next attempt when it is due.
func (t *Accounts) scheduleRecharge(ctx context.Context, r service.Recharge) error {
	if r.Status != "pending" {
		return nil
	}
	args := jobargs.WalletRecharge{TenantID: r.TenantID, RechargeID: r.ID, Attempt: r.Attempts}
	return t.InsertJob(ctx, args, args.Opts(r.NextAttemptAt))
}

func (t *Accounts) UpdateRecharge(ctx context.Context, r service.Recharge) error {
	n, err := enginesql.For(t.Tx).UpdateRecharge(ctx, sqlitesql.UpdateRechargeParams{Status: r.Status, Attempts: int64(r.Attempts),
		NextAttemptAt: dbtx.TimeOf(r.NextAttemptAt), LockedUntil: dbtx.NTimeOf(r.LockedUntil), LastError: r.LastError, MovementID: r.MovementID,
		UpdatedAt: dbtx.TimeOf(r.UpdatedAt), TenantID: r.TenantID, ID: r.ID})
	if err := dbtx.MustAffectRows(n, err, "wallet recharge", r.ID); err != nil {
		return err
	}
	return t.scheduleRecharge(ctx, r)
}

func (t *Accounts) GetRechargeForUpdate(ctx context.Context, tenantID, rechargeID string) (service.Recharge, error) {
	r, err := enginesql.For(t.Tx).GetRechargeForUpdate(ctx, sqlitesql.GetRechargeForUpdateParams{TenantID: tenantID, ID: rechargeID})
	if dbtx.ErrNoRows(err) {
		return service.Recharge{}, dbtx.NotFound("wallet recharge", rechargeID)
	}
	if err != nil {
		return service.Recharge{}, fmt.Errorf("get wallet recharge: %w", err)
	}
	return rechargeOf(r.WalletRecharge, r.Currency)
}

func (t *Accounts) ListRecharges(ctx context.Context, tenantID, customerID string) ([]service.Recharge, error) {
	rows, err := enginesql.For(t.Tx).ListRecharges(ctx, sqlitesql.ListRechargesParams{TenantID: tenantID, CustomerID: customerID})
	if err != nil {
		return nil, fmt.Errorf("list wallet recharges: %w", err)
	}
	out := make([]service.Recharge, 0, len(rows))
	for _, r := range rows {
		rc, err := rechargeOf(r.WalletRecharge, r.Currency)
		if err != nil {
			return nil, err
		}
		out = append(out, rc)
	}
	return out, nil
}

func (t *Accounts) ClaimRecharges(ctx context.Context, tenantID string, now, leaseUntil time.Time, limit int) ([]service.Recharge, error) {
	q := enginesql.For(t.Tx)
	ids, err := q.ClaimRecharges(ctx, sqlitesql.ClaimRechargesParams{LeaseUntil: dbtx.TimeOf(leaseUntil), Now: dbtx.TimeOf(now),
		TenantID: tenantID, Max: int64(limit)})
	if err != nil {
		return nil, fmt.Errorf("claim wallet recharges: %w", err)
	}
	if len(ids) == 0 {
		return []service.Recharge{}, nil
	}
	// The claimed rows, read again with their wallet's currency.
	rows, err := q.ListRechargesByID(ctx, sqlitesql.ListRechargesByIDParams{TenantID: tenantID, Ids: ids})
	if err != nil {
		return nil, fmt.Errorf("read claimed wallet recharges: %w", err)
	}
	out := make([]service.Recharge, 0, len(rows))
	for _, r := range rows {
		rc, err := rechargeOf(r.WalletRecharge, r.Currency)
		if err != nil {
			return nil, err
		}
		out = append(out, rc)
	}
	return out, nil
}

func (t *Accounts) ClaimRecharge(ctx context.Context, tenantID, rechargeID string, now, leaseUntil time.Time) (service.Recharge, bool, error) {
	q := enginesql.For(t.Tx)
	n, err := q.ClaimRecharge(ctx, sqlitesql.ClaimRechargeParams{LeaseUntil: dbtx.TimeOf(leaseUntil), Now: dbtx.TimeOf(now),
		TenantID: tenantID, ID: rechargeID})
	if err != nil {
		return service.Recharge{}, false, fmt.Errorf("claim wallet recharge: %w", err)
	}
	if n == 0 {
		return service.Recharge{}, false, nil
	}
	r, err := q.GetRecharge(ctx, sqlitesql.GetRechargeParams{TenantID: tenantID, ID: rechargeID})
	if err != nil {
		return service.Recharge{}, false, fmt.Errorf("read claimed wallet recharge: %w", err)
	}
	rc, err := rechargeOf(r.WalletRecharge, r.Currency)
	return rc, err == nil, err
}

func (t *Accounts) UsageItemExists(ctx context.Context, tenantID, recordID string) (bool, error) {
	n, err := enginesql.For(t.Tx).UsageItemExists(ctx, sqlitesql.UsageItemExistsParams{TenantID: tenantID, SourceRef: recordID})
	if err != nil {
		return false, fmt.Errorf("usage item exists: %w", err)
	}
	return n > 0, nil
}
