package accountsql

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/jobs/jobargs"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store/dbtx"
)

// --- settings

func (t *Accounts) GetWalletSettings(ctx context.Context, tenantID string) (service.WalletSettings, error) {
	ws := service.DefaultWalletSettings
	err := t.QueryRow(ctx, `SELECT receipt_emails, allow_negative, recharge_max_attempts, recharge_backoff_seconds FROM wallet_settings
		WHERE tenant_id = ?`, tenantID).Scan(&ws.ReceiptEmails, &ws.AllowNegative, &ws.RechargeMaxAttempts, &ws.RechargeBackoffSecs)
	if dbtx.ErrNoRows(err) {
		return service.DefaultWalletSettings, nil
	}
	if err != nil {
		return ws, fmt.Errorf("get wallet settings: %w", err)
	}
	return ws, nil
}

func (t *Accounts) SetWalletSettings(ctx context.Context, tenantID string, ws service.WalletSettings) error {
	_, err := t.Exec(ctx, `INSERT INTO wallet_settings (tenant_id, receipt_emails, allow_negative, recharge_max_attempts, recharge_backoff_seconds)
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

func (t *Accounts) walletSelect() string {
	return `tenant_id, customer_id, id, currency, ` + t.D.Dec("credit_rate") + `, ` + t.D.Dec("paid_balance") + `, auto_recharge, ` +
		t.D.Dec("recharge_threshold") + `, ` + t.D.Dec("recharge_amount") + `, pending_recharge_id, created_at, updated_at`
}

func scanWallet(row interface{ Scan(...any) error }) (billing.Wallet, error) {
	var w billing.Wallet
	var paid, threshold, amount decimal.Decimal
	err := row.Scan(&w.TenantID, &w.CustomerID, &w.ID, &w.Currency, dbtx.ScanDec(&w.CreditRate), dbtx.ScanDec(&paid), &w.AutoRecharge,
		dbtx.ScanDec(&threshold), dbtx.ScanDec(&amount), &w.PendingRechargeID, dbtx.ScanTS(&w.CreatedAt), dbtx.ScanTS(&w.UpdatedAt))
	w.PaidBalance, w.RechargeThreshold, w.RechargeAmount = money.In(paid, w.Currency), money.In(threshold, w.Currency), money.In(amount, w.Currency)
	return w, err
}

func (t *Accounts) InsertWallet(ctx context.Context, w billing.Wallet) error {
	_, err := t.Exec(ctx, `INSERT INTO wallets (`+walletCols+`) VALUES (`+dbtx.Placeholders(12)+`)`, w.TenantID, w.CustomerID, w.ID, w.Currency,
		dbtx.DecArg(w.CreditRate), dbtx.DecArg(w.PaidBalance.Decimal()), w.AutoRecharge, dbtx.DecArg(w.RechargeThreshold.Decimal()),
		dbtx.DecArg(w.RechargeAmount.Decimal()), w.PendingRechargeID, t.D.TS(w.CreatedAt), t.D.TS(w.UpdatedAt))
	if ok, _ := dbtx.UniqueViolation(err); ok {
		return fail.Conflictf("customer %s already has a wallet", w.CustomerID)
	}
	if err != nil {
		return fmt.Errorf("insert wallet: %w", err)
	}
	return nil
}

func (t *Accounts) UpdateWallet(ctx context.Context, w billing.Wallet) error {
	res, err := t.Exec(ctx, `UPDATE wallets SET currency=?, credit_rate=?, paid_balance=?, auto_recharge=?, recharge_threshold=?,
		recharge_amount=?, pending_recharge_id=?, updated_at=? WHERE tenant_id=? AND customer_id=?`, w.Currency, dbtx.DecArg(w.CreditRate),
		dbtx.DecArg(w.PaidBalance.Decimal()), w.AutoRecharge, dbtx.DecArg(w.RechargeThreshold.Decimal()), dbtx.DecArg(w.RechargeAmount.Decimal()), w.PendingRechargeID,
		t.D.TS(w.UpdatedAt), w.TenantID, w.CustomerID)
	return dbtx.MustAffect(res, err, "wallet of customer", w.CustomerID)
}

func (t *Accounts) getWallet(ctx context.Context, lock, tenantID, customerID string) (billing.Wallet, error) {
	w, err := scanWallet(t.QueryRow(ctx, `SELECT `+t.walletSelect()+` FROM wallets WHERE tenant_id = ? AND customer_id = ?`+lock, tenantID, customerID))
	if dbtx.ErrNoRows(err) {
		return w, fail.NotFoundf("customer %q has no wallet", customerID)
	}
	if err != nil {
		return w, fmt.Errorf("get wallet: %w", err)
	}
	return w, nil
}

func (t *Accounts) GetWallet(ctx context.Context, tenantID, customerID string) (billing.Wallet, error) {
	return t.getWallet(ctx, "", tenantID, customerID)
}

func (t *Accounts) GetWalletForUpdate(ctx context.Context, tenantID, customerID string) (billing.Wallet, error) {
	return t.getWallet(ctx, t.D.ForUpdate(), tenantID, customerID)
}

func (t *Accounts) ListWallets(ctx context.Context, tenantID string) ([]billing.Wallet, error) {
	rows, err := t.Query(ctx, `SELECT `+t.walletSelect()+` FROM wallets WHERE tenant_id = ? ORDER BY customer_id`, tenantID)
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

func (t *Accounts) InsertGrant(ctx context.Context, g billing.Grant) error {
	_, err := t.Exec(ctx, `INSERT INTO wallet_grants (tenant_id, id, customer_id, amount, remaining, expires_on, reason, created_at)
		VALUES (?,?,?,?,?,?,?,?)`, g.TenantID, g.ID, g.CustomerID, dbtx.DecArg(g.Amount.Decimal()), dbtx.DecArg(g.Remaining.Decimal()), dbtx.DateArg(g.ExpiresOn), g.Reason, t.D.TS(g.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert wallet grant: %w", err)
	}
	return nil
}

func (t *Accounts) SetGrantRemaining(ctx context.Context, tenantID, grantID string, remaining money.Amount) error {
	res, err := t.Exec(ctx, `UPDATE wallet_grants SET remaining = ? WHERE tenant_id = ? AND id = ?`, dbtx.DecArg(remaining.Decimal()), tenantID, grantID)
	return dbtx.MustAffect(res, err, "wallet grant", grantID)
}

func (t *Accounts) ListGrants(ctx context.Context, tenantID, customerID string) ([]billing.Grant, error) {
	rows, err := t.Query(ctx, `SELECT g.tenant_id, g.id, g.customer_id, `+t.D.Dec("g.amount")+`, `+t.D.Dec("g.remaining")+`, g.expires_on, g.reason,
		g.created_at, w.currency
		FROM wallet_grants g JOIN wallets w ON w.tenant_id = g.tenant_id AND w.customer_id = g.customer_id
		WHERE g.tenant_id = ? AND g.customer_id = ? ORDER BY g.expires_on IS NULL, g.expires_on, g.created_at, g.id`, tenantID, customerID)
	if err != nil {
		return nil, fmt.Errorf("list wallet grants: %w", err)
	}
	defer rows.Close()
	var out []billing.Grant
	for rows.Next() {
		var g billing.Grant
		var amount, remaining decimal.Decimal
		var cur string
		if err := rows.Scan(&g.TenantID, &g.ID, &g.CustomerID, dbtx.ScanDec(&amount), dbtx.ScanDec(&remaining), dbtx.ScanDate(&g.ExpiresOn),
			&g.Reason, dbtx.ScanTS(&g.CreatedAt), &cur); err != nil {
			return nil, fmt.Errorf("scan wallet grant: %w", err)
		}
		g.Amount, g.Remaining, g.Currency = money.In(amount, cur), money.In(remaining, cur), cur
		out = append(out, g)
	}
	return out, rows.Err()
}

// --- movements

const movementCols = `tenant_id, id, customer_id, kind, ref, paid, complimentary, billed, paid_after, description, receipt_number,
	provider_ref, entry_id, sales_item_id, created_at`

// movementFrom selects movements m with their wallet's currency (the
// currency of their amounts).
func (t *Accounts) movementFrom() string {
	return `SELECT m.tenant_id, m.id, m.customer_id, m.kind, m.ref, ` + t.D.Dec("m.paid") + `, ` + t.D.Dec("m.complimentary") + `, ` +
		t.D.Dec("m.billed") + `, ` + t.D.Dec("m.paid_after") + `, m.description, m.receipt_number, m.provider_ref, m.entry_id, m.sales_item_id,
		m.created_at, w.currency
		FROM wallet_movements m JOIN wallets w ON w.tenant_id = m.tenant_id AND w.customer_id = m.customer_id`
}

func scanMovement(row interface{ Scan(...any) error }) (billing.Movement, error) {
	var m billing.Movement
	var paid, comp, billed, after decimal.Decimal
	var cur string
	err := row.Scan(&m.TenantID, &m.ID, &m.CustomerID, &m.Kind, &m.Ref, dbtx.ScanDec(&paid), dbtx.ScanDec(&comp), dbtx.ScanDec(&billed),
		dbtx.ScanDec(&after), &m.Description, &m.ReceiptNumber, &m.ProviderRef, &m.EntryID, &m.SalesItemID, dbtx.ScanTS(&m.CreatedAt), &cur)
	m.Paid, m.Complimentary, m.Billed, m.PaidAfter = money.In(paid, cur), money.In(comp, cur), money.In(billed, cur), money.In(after, cur)
	m.Currency = cur
	return m, err
}

func (t *Accounts) InsertMovement(ctx context.Context, m billing.Movement) error {
	_, err := t.Exec(ctx, `INSERT INTO wallet_movements (`+movementCols+`) VALUES (`+dbtx.Placeholders(15)+`)`, m.TenantID, m.ID, m.CustomerID,
		m.Kind, m.Ref, dbtx.DecArg(m.Paid.Decimal()), dbtx.DecArg(m.Complimentary.Decimal()), dbtx.DecArg(m.Billed.Decimal()),
		dbtx.DecArg(m.PaidAfter.Decimal()), m.Description, m.ReceiptNumber,
		m.ProviderRef, m.EntryID, m.SalesItemID, t.D.TS(m.CreatedAt))
	if ok, _ := dbtx.UniqueViolation(err); ok {
		return fail.Conflictf("wallet %s %q was applied before", m.Kind, m.Ref)
	}
	if err != nil {
		return fmt.Errorf("insert wallet movement: %w", err)
	}
	return nil
}

func (t *Accounts) MovementByRef(ctx context.Context, tenantID, customerID, kind, ref string) (billing.Movement, error) {
	m, err := scanMovement(t.QueryRow(ctx, t.movementFrom()+` WHERE m.tenant_id = ? AND m.customer_id = ?
		AND m.kind = ? AND m.ref = ?`, tenantID, customerID, kind, ref))
	if dbtx.ErrNoRows(err) {
		return m, fail.NotFoundf("no wallet %s %q", kind, ref)
	}
	if err != nil {
		return m, fmt.Errorf("wallet movement by ref: %w", err)
	}
	return m, nil
}

func (t *Accounts) ListMovements(ctx context.Context, tenantID, customerID string, limit int) ([]billing.Movement, error) {
	rows, err := t.Query(ctx, t.movementFrom()+` WHERE m.tenant_id = ? AND m.customer_id = ?
		ORDER BY m.id DESC LIMIT ?`, tenantID, customerID, limit)
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

// rechargeFrom selects recharges r with their wallet's currency (the
// currency of their amount).
func (t *Accounts) rechargeFrom() string {
	return `SELECT r.tenant_id, r.id, r.customer_id, ` + t.D.Dec("r.amount") + `, r.status, r.auto, r.attempts, r.next_attempt_at, r.locked_until,
	r.last_error, r.movement_id, r.created_at, r.updated_at, w.currency
	FROM wallet_recharges r JOIN wallets w ON w.tenant_id = r.tenant_id AND w.customer_id = r.customer_id`
}

func scanRecharge(row interface{ Scan(...any) error }) (service.Recharge, error) {
	var r service.Recharge
	var amount decimal.Decimal
	var cur string
	err := row.Scan(&r.TenantID, &r.ID, &r.CustomerID, dbtx.ScanDec(&amount), &r.Status, &r.Auto, &r.Attempts, dbtx.ScanTS(&r.NextAttemptAt),
		dbtx.ScanNTS(&r.LockedUntil), &r.LastError, &r.MovementID, dbtx.ScanTS(&r.CreatedAt), dbtx.ScanTS(&r.UpdatedAt), &cur)
	r.Amount, r.Currency = money.In(amount, cur), cur
	return r, err
}

func (t *Accounts) InsertRecharge(ctx context.Context, r service.Recharge) error {
	_, err := t.Exec(ctx, `INSERT INTO wallet_recharges (`+rechargeCols+`) VALUES (`+dbtx.Placeholders(13)+`)`, r.TenantID, r.ID, r.CustomerID,
		dbtx.DecArg(r.Amount.Decimal()), r.Status, r.Auto, r.Attempts, t.D.TS(r.NextAttemptAt), t.D.NTS(r.LockedUntil), r.LastError, r.MovementID,
		t.D.TS(r.CreatedAt), t.D.TS(r.UpdatedAt))
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
	res, err := t.Exec(ctx, `UPDATE wallet_recharges SET status=?, attempts=?, next_attempt_at=?, locked_until=?, last_error=?, movement_id=?,
		updated_at=? WHERE tenant_id=? AND id=?`, r.Status, r.Attempts, t.D.TS(r.NextAttemptAt), t.D.NTS(r.LockedUntil), r.LastError,
		r.MovementID, t.D.TS(r.UpdatedAt), r.TenantID, r.ID)
	if err := dbtx.MustAffect(res, err, "wallet recharge", r.ID); err != nil {
		return err
	}
	return t.scheduleRecharge(ctx, r)
}

func (t *Accounts) GetRechargeForUpdate(ctx context.Context, tenantID, rechargeID string) (service.Recharge, error) {
	r, err := scanRecharge(t.QueryRow(ctx, t.rechargeFrom()+` WHERE r.tenant_id = ? AND r.id = ?`+t.D.ForUpdateOf("r"),
		tenantID, rechargeID))
	if dbtx.ErrNoRows(err) {
		return r, dbtx.NotFound("wallet recharge", rechargeID)
	}
	if err != nil {
		return r, fmt.Errorf("get wallet recharge: %w", err)
	}
	return r, nil
}

func (t *Accounts) ListRecharges(ctx context.Context, tenantID, customerID string) ([]service.Recharge, error) {
	rows, err := t.Query(ctx, t.rechargeFrom()+` WHERE r.tenant_id = ? AND r.customer_id = ? ORDER BY r.id DESC`,
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

// rechargeDue is the condition of a recharge a node may claim at now (the
// argument, twice): pending and due, or processing under an expired lease.
const rechargeDue = `((status = 'pending' AND next_attempt_at <= ?) OR (status = 'processing' AND locked_until < ?))`

func (t *Accounts) ClaimRecharges(ctx context.Context, tenantID string, now, leaseUntil time.Time, limit int) ([]service.Recharge, error) {
	skip := ""
	if t.D.Engine == dbtx.Postgres {
		skip = " FOR UPDATE SKIP LOCKED"
	}
	rows, err := t.Query(ctx, `UPDATE wallet_recharges SET status = 'processing', locked_until = ?, updated_at = ?
		WHERE tenant_id = ? AND id IN (SELECT id FROM wallet_recharges WHERE tenant_id = ?
			AND `+rechargeDue+`
			ORDER BY next_attempt_at, id LIMIT ?`+skip+`)
		RETURNING id`, t.D.TS(leaseUntil), t.D.TS(now), tenantID, tenantID, t.D.TS(now), t.D.TS(now), limit)
	if err != nil {
		return nil, fmt.Errorf("claim wallet recharges: %w", err)
	}
	var ids []any
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("claim wallet recharges: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("claim wallet recharges: %w", err)
	}
	if len(ids) == 0 {
		return []service.Recharge{}, nil
	}
	// The claimed rows, read again with their wallet's currency.
	rows, err = t.Query(ctx, t.rechargeFrom()+` WHERE r.tenant_id = ? AND r.id IN (`+dbtx.Placeholders(len(ids))+`)
		ORDER BY r.next_attempt_at, r.id`, append([]any{tenantID}, ids...)...)
	if err != nil {
		return nil, fmt.Errorf("read claimed wallet recharges: %w", err)
	}
	return collectRecharges(rows)
}

func (t *Accounts) ClaimRecharge(ctx context.Context, tenantID, rechargeID string, now, leaseUntil time.Time) (service.Recharge, bool, error) {
	res, err := t.Exec(ctx, `UPDATE wallet_recharges SET status = 'processing', locked_until = ?, updated_at = ?
		WHERE tenant_id = ? AND id = ? AND `+rechargeDue, t.D.TS(leaseUntil), t.D.TS(now), tenantID, rechargeID, t.D.TS(now), t.D.TS(now))
	if err != nil {
		return service.Recharge{}, false, fmt.Errorf("claim wallet recharge: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return service.Recharge{}, false, err
	}
	r, err := scanRecharge(t.QueryRow(ctx, t.rechargeFrom()+` WHERE r.tenant_id = ? AND r.id = ?`, tenantID, rechargeID))
	if err != nil {
		return r, false, fmt.Errorf("read claimed wallet recharge: %w", err)
	}
	return r, true, nil
}

func (t *Accounts) UsageItemExists(ctx context.Context, tenantID, recordID string) (bool, error) {
	var n int
	err := t.QueryRow(ctx, `SELECT count(*) FROM sales_items WHERE tenant_id = ? AND source = 'usage' AND source_ref = ?`, tenantID, recordID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("usage item exists: %w", err)
	}
	return n > 0, nil
}
