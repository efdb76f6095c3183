package store

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/service"
)

// --- settings

func (t *tx) GetWalletSettings(ctx context.Context, tenantID string) (service.WalletSettings, error) {
	ws := service.DefaultWalletSettings
	err := t.queryRow(ctx, `SELECT receipt_emails, allow_negative, recharge_max_attempts, recharge_backoff_seconds FROM wallet_settings
		WHERE tenant_id = ?`, tenantID).Scan(&ws.ReceiptEmails, &ws.AllowNegative, &ws.RechargeMaxAttempts, &ws.RechargeBackoffSecs)
	if errNoRows(err) {
		return service.DefaultWalletSettings, nil
	}
	if err != nil {
		return ws, fmt.Errorf("get wallet settings: %w", err)
	}
	return ws, nil
}

func (t *tx) SetWalletSettings(ctx context.Context, tenantID string, ws service.WalletSettings) error {
	_, err := t.exec(ctx, `INSERT INTO wallet_settings (tenant_id, receipt_emails, allow_negative, recharge_max_attempts, recharge_backoff_seconds)
		VALUES (?,?,?,?,?) ON CONFLICT (tenant_id) DO UPDATE SET receipt_emails = excluded.receipt_emails, allow_negative = excluded.allow_negative,
		recharge_max_attempts = excluded.recharge_max_attempts, recharge_backoff_seconds = excluded.recharge_backoff_seconds`,
		tenantID, ws.ReceiptEmails, ws.AllowNegative, ws.RechargeMaxAttempts, ws.RechargeBackoffSecs)
	if err != nil {
		return fmt.Errorf("set wallet settings: %w", err)
	}
	return nil
}

// --- wallets

const walletCols = `tenant_id, customer_id, id, currency, credit_rate, paid_balance, auto_recharge, recharge_threshold, recharge_amount,
	pending_recharge_id, created_at, updated_at`

func (t *tx) walletSelect() string {
	return `tenant_id, customer_id, id, currency, ` + t.d.dec("credit_rate") + `, ` + t.d.dec("paid_balance") + `, auto_recharge, ` +
		t.d.dec("recharge_threshold") + `, ` + t.d.dec("recharge_amount") + `, pending_recharge_id, created_at, updated_at`
}

func scanWallet(row interface{ Scan(...any) error }) (billing.Wallet, error) {
	var w billing.Wallet
	err := row.Scan(&w.TenantID, &w.CustomerID, &w.ID, &w.Currency, decScan{&w.CreditRate}, decScan{&w.PaidBalance}, &w.AutoRecharge,
		decScan{&w.RechargeThreshold}, decScan{&w.RechargeAmount}, &w.PendingRechargeID, tsScan{&w.CreatedAt}, tsScan{&w.UpdatedAt})
	return w, err
}

func (t *tx) InsertWallet(ctx context.Context, w billing.Wallet) error {
	_, err := t.exec(ctx, `INSERT INTO wallets (`+walletCols+`) VALUES (`+placeholders(12)+`)`, w.TenantID, w.CustomerID, w.ID, w.Currency,
		decArg(w.CreditRate), decArg(w.PaidBalance), w.AutoRecharge, decArg(w.RechargeThreshold), decArg(w.RechargeAmount),
		w.PendingRechargeID, t.d.ts(w.CreatedAt), t.d.ts(w.UpdatedAt))
	if ok, _ := uniqueViolation(err); ok {
		return fail.Conflictf("customer %s already has a wallet", w.CustomerID)
	}
	if err != nil {
		return fmt.Errorf("insert wallet: %w", err)
	}
	return nil
}

func (t *tx) UpdateWallet(ctx context.Context, w billing.Wallet) error {
	res, err := t.exec(ctx, `UPDATE wallets SET currency=?, credit_rate=?, paid_balance=?, auto_recharge=?, recharge_threshold=?,
		recharge_amount=?, pending_recharge_id=?, updated_at=? WHERE tenant_id=? AND customer_id=?`, w.Currency, decArg(w.CreditRate),
		decArg(w.PaidBalance), w.AutoRecharge, decArg(w.RechargeThreshold), decArg(w.RechargeAmount), w.PendingRechargeID,
		t.d.ts(w.UpdatedAt), w.TenantID, w.CustomerID)
	return mustAffect(res, err, "wallet of customer", w.CustomerID)
}

func (t *tx) getWallet(ctx context.Context, lock, tenantID, customerID string) (billing.Wallet, error) {
	w, err := scanWallet(t.queryRow(ctx, `SELECT `+t.walletSelect()+` FROM wallets WHERE tenant_id = ? AND customer_id = ?`+lock, tenantID, customerID))
	if errNoRows(err) {
		return w, fail.NotFoundf("customer %q has no wallet", customerID)
	}
	if err != nil {
		return w, fmt.Errorf("get wallet: %w", err)
	}
	return w, nil
}

func (t *tx) GetWallet(ctx context.Context, tenantID, customerID string) (billing.Wallet, error) {
	return t.getWallet(ctx, "", tenantID, customerID)
}

func (t *tx) GetWalletForUpdate(ctx context.Context, tenantID, customerID string) (billing.Wallet, error) {
	return t.getWallet(ctx, t.d.forUpdate(), tenantID, customerID)
}

func (t *tx) ListWallets(ctx context.Context, tenantID string) ([]billing.Wallet, error) {
	rows, err := t.query(ctx, `SELECT `+t.walletSelect()+` FROM wallets WHERE tenant_id = ? ORDER BY customer_id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list wallets: %w", err)
	}
	defer rows.Close()
	var out []billing.Wallet
	for rows.Next() {
		w, err := scanWallet(rows)
		if err != nil {
			return nil, fmt.Errorf("scan wallet: %w", err)
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// --- complimentary lots

func (t *tx) InsertGrant(ctx context.Context, g billing.Grant) error {
	_, err := t.exec(ctx, `INSERT INTO wallet_grants (tenant_id, id, customer_id, amount, remaining, expires_on, reason, created_at)
		VALUES (?,?,?,?,?,?,?,?)`, g.TenantID, g.ID, g.CustomerID, decArg(g.Amount), decArg(g.Remaining), dateArg(g.ExpiresOn), g.Reason, t.d.ts(g.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert wallet grant: %w", err)
	}
	return nil
}

func (t *tx) SetGrantRemaining(ctx context.Context, tenantID, grantID string, remaining decimal.Decimal) error {
	res, err := t.exec(ctx, `UPDATE wallet_grants SET remaining = ? WHERE tenant_id = ? AND id = ?`, decArg(remaining), tenantID, grantID)
	return mustAffect(res, err, "wallet grant", grantID)
}

func (t *tx) ListGrants(ctx context.Context, tenantID, customerID string) ([]billing.Grant, error) {
	rows, err := t.query(ctx, `SELECT tenant_id, id, customer_id, `+t.d.dec("amount")+`, `+t.d.dec("remaining")+`, expires_on, reason, created_at
		FROM wallet_grants WHERE tenant_id = ? AND customer_id = ? ORDER BY expires_on IS NULL, expires_on, created_at, id`, tenantID, customerID)
	if err != nil {
		return nil, fmt.Errorf("list wallet grants: %w", err)
	}
	defer rows.Close()
	var out []billing.Grant
	for rows.Next() {
		var g billing.Grant
		if err := rows.Scan(&g.TenantID, &g.ID, &g.CustomerID, decScan{&g.Amount}, decScan{&g.Remaining}, dateScan{&g.ExpiresOn},
			&g.Reason, tsScan{&g.CreatedAt}); err != nil {
			return nil, fmt.Errorf("scan wallet grant: %w", err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// --- movements

const movementCols = `tenant_id, id, customer_id, kind, ref, paid, complimentary, billed, paid_after, description, receipt_number,
	provider_ref, entry_id, sales_item_id, created_at`

func (t *tx) movementSelect() string {
	return `tenant_id, id, customer_id, kind, ref, ` + t.d.dec("paid") + `, ` + t.d.dec("complimentary") + `, ` + t.d.dec("billed") + `, ` +
		t.d.dec("paid_after") + `, description, receipt_number, provider_ref, entry_id, sales_item_id, created_at`
}

func scanMovement(row interface{ Scan(...any) error }) (billing.Movement, error) {
	var m billing.Movement
	err := row.Scan(&m.TenantID, &m.ID, &m.CustomerID, &m.Kind, &m.Ref, decScan{&m.Paid}, decScan{&m.Complimentary}, decScan{&m.Billed},
		decScan{&m.PaidAfter}, &m.Description, &m.ReceiptNumber, &m.ProviderRef, &m.EntryID, &m.SalesItemID, tsScan{&m.CreatedAt})
	return m, err
}

func (t *tx) InsertMovement(ctx context.Context, m billing.Movement) error {
	_, err := t.exec(ctx, `INSERT INTO wallet_movements (`+movementCols+`) VALUES (`+placeholders(15)+`)`, m.TenantID, m.ID, m.CustomerID,
		m.Kind, m.Ref, decArg(m.Paid), decArg(m.Complimentary), decArg(m.Billed), decArg(m.PaidAfter), m.Description, m.ReceiptNumber,
		m.ProviderRef, m.EntryID, m.SalesItemID, t.d.ts(m.CreatedAt))
	if ok, _ := uniqueViolation(err); ok {
		return fail.Conflictf("wallet %s %q was applied before", m.Kind, m.Ref)
	}
	if err != nil {
		return fmt.Errorf("insert wallet movement: %w", err)
	}
	return nil
}

func (t *tx) MovementByRef(ctx context.Context, tenantID, customerID, kind, ref string) (billing.Movement, error) {
	m, err := scanMovement(t.queryRow(ctx, `SELECT `+t.movementSelect()+` FROM wallet_movements WHERE tenant_id = ? AND customer_id = ?
		AND kind = ? AND ref = ?`, tenantID, customerID, kind, ref))
	if errNoRows(err) {
		return m, fail.NotFoundf("no wallet %s %q", kind, ref)
	}
	if err != nil {
		return m, fmt.Errorf("wallet movement by ref: %w", err)
	}
	return m, nil
}

func (t *tx) ListMovements(ctx context.Context, tenantID, customerID string, limit int) ([]billing.Movement, error) {
	rows, err := t.query(ctx, `SELECT `+t.movementSelect()+` FROM wallet_movements WHERE tenant_id = ? AND customer_id = ?
		ORDER BY id DESC LIMIT ?`, tenantID, customerID, limit)
	if err != nil {
		return nil, fmt.Errorf("list wallet movements: %w", err)
	}
	defer rows.Close()
	out := []billing.Movement{}
	for rows.Next() {
		m, err := scanMovement(rows)
		if err != nil {
			return nil, fmt.Errorf("scan wallet movement: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// --- recharge jobs

const rechargeCols = `tenant_id, id, customer_id, amount, status, auto, attempts, next_attempt_at, locked_until, last_error, movement_id,
	created_at, updated_at`

func (t *tx) rechargeSelect() string {
	return `tenant_id, id, customer_id, ` + t.d.dec("amount") + `, status, auto, attempts, next_attempt_at, locked_until, last_error,
	movement_id, created_at, updated_at`
}

func scanRecharge(row interface{ Scan(...any) error }) (service.Recharge, error) {
	var r service.Recharge
	err := row.Scan(&r.TenantID, &r.ID, &r.CustomerID, decScan{&r.Amount}, &r.Status, &r.Auto, &r.Attempts, tsScan{&r.NextAttemptAt},
		ntsScan{&r.LockedUntil}, &r.LastError, &r.MovementID, tsScan{&r.CreatedAt}, tsScan{&r.UpdatedAt})
	return r, err
}

func (t *tx) InsertRecharge(ctx context.Context, r service.Recharge) error {
	_, err := t.exec(ctx, `INSERT INTO wallet_recharges (`+rechargeCols+`) VALUES (`+placeholders(13)+`)`, r.TenantID, r.ID, r.CustomerID,
		decArg(r.Amount), r.Status, r.Auto, r.Attempts, t.d.ts(r.NextAttemptAt), t.d.nts(r.LockedUntil), r.LastError, r.MovementID,
		t.d.ts(r.CreatedAt), t.d.ts(r.UpdatedAt))
	if err != nil {
		return fmt.Errorf("insert wallet recharge: %w", err)
	}
	return nil
}

func (t *tx) UpdateRecharge(ctx context.Context, r service.Recharge) error {
	res, err := t.exec(ctx, `UPDATE wallet_recharges SET status=?, attempts=?, next_attempt_at=?, locked_until=?, last_error=?, movement_id=?,
		updated_at=? WHERE tenant_id=? AND id=?`, r.Status, r.Attempts, t.d.ts(r.NextAttemptAt), t.d.nts(r.LockedUntil), r.LastError,
		r.MovementID, t.d.ts(r.UpdatedAt), r.TenantID, r.ID)
	return mustAffect(res, err, "wallet recharge", r.ID)
}

func (t *tx) GetRechargeForUpdate(ctx context.Context, tenantID, rechargeID string) (service.Recharge, error) {
	r, err := scanRecharge(t.queryRow(ctx, `SELECT `+t.rechargeSelect()+` FROM wallet_recharges WHERE tenant_id = ? AND id = ?`+t.d.forUpdate(),
		tenantID, rechargeID))
	if errNoRows(err) {
		return r, notFound("wallet recharge", rechargeID)
	}
	if err != nil {
		return r, fmt.Errorf("get wallet recharge: %w", err)
	}
	return r, nil
}

func (t *tx) ListRecharges(ctx context.Context, tenantID, customerID string) ([]service.Recharge, error) {
	rows, err := t.query(ctx, `SELECT `+t.rechargeSelect()+` FROM wallet_recharges WHERE tenant_id = ? AND customer_id = ? ORDER BY id DESC`,
		tenantID, customerID)
	if err != nil {
		return nil, fmt.Errorf("list wallet recharges: %w", err)
	}
	return collectRecharges(rows)
}

func collectRecharges(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
	Close() error
}) ([]service.Recharge, error) {
	defer rows.Close()
	out := []service.Recharge{}
	for rows.Next() {
		r, err := scanRecharge(rows)
		if err != nil {
			return nil, fmt.Errorf("scan wallet recharge: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (t *tx) ClaimRecharges(ctx context.Context, tenantID string, now, leaseUntil time.Time, limit int) ([]service.Recharge, error) {
	skip := ""
	if t.d.engine == Postgres {
		skip = " FOR UPDATE SKIP LOCKED"
	}
	rows, err := t.query(ctx, `UPDATE wallet_recharges SET status = 'processing', locked_until = ?, updated_at = ?
		WHERE tenant_id = ? AND id IN (SELECT id FROM wallet_recharges WHERE tenant_id = ?
			AND ((status = 'pending' AND next_attempt_at <= ?) OR (status = 'processing' AND locked_until < ?))
			ORDER BY next_attempt_at, id LIMIT ?`+skip+`)
		RETURNING `+t.rechargeSelect(), t.d.ts(leaseUntil), t.d.ts(now), tenantID, tenantID, t.d.ts(now), t.d.ts(now), limit)
	if err != nil {
		return nil, fmt.Errorf("claim wallet recharges: %w", err)
	}
	return collectRecharges(rows)
}

func (t *tx) UsageItemExists(ctx context.Context, tenantID, recordID string) (bool, error) {
	var n int
	err := t.queryRow(ctx, `SELECT count(*) FROM sales_items WHERE tenant_id = ? AND source = 'usage' AND source_ref = ?`, tenantID, recordID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("usage item exists: %w", err)
	}
	return n > 0, nil
}
