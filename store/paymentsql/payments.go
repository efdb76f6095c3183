package paymentsql

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store/dbtx"
	"github.com/facturo/facturo/store/invoicesql"
)

// --- payments

func (t *Payments) paymentCols() string {
	d := t.D
	return `tenant_id, id, customer_id, method, ` + d.Dec("amount") + `, currency, ` + d.Dec("exchange_rate") + `, ` + d.Dec("amount_accounting") +
		`, ` + d.Dec("unapplied") + `, ` + d.Dec("refunded") + `, payment_date, reference, payment_method_id, card_brand, card_last4,
		provider, charge_id, entry_id, created_by, created_at, ` + dbtx.AccountingCurrency("payments")
}

func scanPayment(row interface{ Scan(...any) error }) (service.Payment, error) {
	var p service.Payment
	var amount, accounting, unapplied, refunded decimal.Decimal
	var acc string
	err := row.Scan(&p.TenantID, &p.ID, &p.CustomerID, &p.Method, dbtx.ScanDec(&amount), &p.Currency, dbtx.ScanDec(&p.ExchangeRate),
		dbtx.ScanDec(&accounting), dbtx.ScanDec(&unapplied), dbtx.ScanDec(&refunded), dbtx.ScanDate(&p.Date), &p.Reference,
		&p.PaymentMethodID, &p.CardBrand, &p.CardLast4, &p.Provider, &p.ChargeID, &p.EntryID, &p.CreatedBy, dbtx.ScanTS(&p.CreatedAt), &acc)
	p.Amount, p.AmountAccounting = money.In(amount, p.Currency), money.In(accounting, acc)
	p.Unapplied, p.Refunded = money.In(unapplied, p.Currency), money.In(refunded, p.Currency)
	return p, err
}

func (t *Payments) InsertPayment(ctx context.Context, p service.Payment) error {
	_, err := t.Exec(ctx, `INSERT INTO payments (tenant_id, id, customer_id, method, amount, currency, exchange_rate, amount_accounting,
		unapplied, refunded, payment_date, reference, payment_method_id, card_brand, card_last4, provider, charge_id, entry_id, created_by, created_at)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		p.TenantID, p.ID, p.CustomerID, p.Method, dbtx.DecArg(p.Amount.Decimal()), p.Currency, dbtx.DecArg(p.ExchangeRate), dbtx.DecArg(p.AmountAccounting.Decimal()),
		dbtx.DecArg(p.Unapplied.Decimal()), dbtx.DecArg(p.Refunded.Decimal()), dbtx.DateArg(p.Date), p.Reference, p.PaymentMethodID, p.CardBrand, p.CardLast4,
		p.Provider, p.ChargeID, p.EntryID, p.CreatedBy, t.D.TS(p.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert payment: %w", err)
	}
	return nil
}

func (t *Payments) UpdatePaymentBalances(ctx context.Context, p service.Payment) error {
	res, err := t.Exec(ctx, `UPDATE payments SET unapplied = ?, refunded = ? WHERE tenant_id = ? AND id = ?`,
		dbtx.DecArg(p.Unapplied.Decimal()), dbtx.DecArg(p.Refunded.Decimal()), p.TenantID, p.ID)
	return dbtx.MustAffect(res, err, "payment", p.ID)
}

func (t *Payments) getPayment(ctx context.Context, suffix, tenantID, id string) (service.Payment, error) {
	p, err := scanPayment(t.QueryRow(ctx, `SELECT `+t.paymentCols()+` FROM payments WHERE tenant_id = ? AND id = ?`+suffix, tenantID, id))
	if dbtx.ErrNoRows(err) {
		return p, dbtx.NotFound("payment", id)
	}
	if err != nil {
		return p, fmt.Errorf("get payment: %w", err)
	}
	return p, nil
}

func (t *Payments) GetPayment(ctx context.Context, tenantID, id string) (service.Payment, error) {
	return t.getPayment(ctx, "", tenantID, id)
}

func (t *Payments) GetPaymentForUpdate(ctx context.Context, tenantID, id string) (service.Payment, error) {
	return t.getPayment(ctx, t.D.ForUpdate(), tenantID, id)
}

// listPayments lists the payments w selects, ordered and limited by tail
// (whose arguments follow w's).
func (t *Payments) listPayments(ctx context.Context, w *dbtx.Where, tail string, tailArgs ...any) ([]service.Payment, error) {
	rows, err := t.Query(ctx, `SELECT `+t.paymentCols()+` FROM payments WHERE `+w.String()+tail, append(w.Args(), tailArgs...)...)
	if err != nil {
		return nil, fmt.Errorf("list payments: %w", err)
	}
	defer rows.Close()
	var out []service.Payment
	for rows.Next() {
		p, err := scanPayment(rows)
		if err != nil {
			return nil, fmt.Errorf("scan payment: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func (t *Payments) ListPayments(ctx context.Context, tenantID string, f service.PaymentFilter) ([]service.Payment, error) {
	w := dbtx.TenantWhere("tenant_id", tenantID)
	if f.CustomerID != "" {
		w.And("customer_id = ?", f.CustomerID)
	}
	return t.listPayments(ctx, w, ` ORDER BY created_at DESC, id DESC LIMIT ?`, f.Limit)
}

func (t *Payments) CreditPayments(ctx context.Context, tenantID, customerID, currency string) ([]service.Payment, error) {
	// unapplied is exact decimal text on SQLite, where zero is always "0".
	w := dbtx.TenantWhere("tenant_id", tenantID)
	w.And("customer_id = ?", customerID)
	w.And("currency = ?", currency)
	w.And("unapplied <> '0'")
	return t.listPayments(ctx, w, ` ORDER BY created_at, id`+t.D.ForUpdate())
}

// --- applications and refunds

func (t *Payments) InsertApplication(ctx context.Context, a service.Application) error {
	_, err := t.Exec(ctx, `INSERT INTO payment_applications (tenant_id, id, source_type, source_id, invoice_id, amount, amount_accounting,
		reversed, entry_id, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)`,
		a.TenantID, a.ID, a.SourceType, a.SourceID, a.InvoiceID, dbtx.DecArg(a.Amount.Decimal()), dbtx.DecArg(a.AmountAccounting.Decimal()), dbtx.DecArg(a.Reversed.Decimal()),
		a.EntryID, t.D.TS(a.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert payment application: %w", err)
	}
	return nil
}

func (t *Payments) UpdateApplicationReversed(ctx context.Context, a service.Application) error {
	res, err := t.Exec(ctx, `UPDATE payment_applications SET reversed = ? WHERE tenant_id = ? AND id = ?`, dbtx.DecArg(a.Reversed.Decimal()), a.TenantID, a.ID)
	return dbtx.MustAffect(res, err, "payment application", a.ID)
}

func (t *Payments) ListApplications(ctx context.Context, tenantID, sourceID, invoiceID string) ([]service.Application, error) {
	w := dbtx.TenantWhere("tenant_id", tenantID)
	if sourceID != "" {
		w.And("source_id = ?", sourceID)
	}
	if invoiceID != "" {
		w.And("invoice_id = ?", invoiceID)
	}
	d := t.D
	rows, err := t.Query(ctx, `SELECT tenant_id, id, source_type, source_id, invoice_id, `+d.Dec("amount")+`, `+d.Dec("amount_accounting")+`, `+
		d.Dec("reversed")+`, entry_id, created_at,
		(SELECT currency FROM invoices i WHERE i.tenant_id = payment_applications.tenant_id AND i.id = payment_applications.invoice_id),
		`+dbtx.AccountingCurrency("payment_applications")+`
		FROM payment_applications WHERE `+w.String()+` ORDER BY created_at, id`, w.Args()...)
	if err != nil {
		return nil, fmt.Errorf("list payment applications: %w", err)
	}
	defer rows.Close()
	var out []service.Application
	for rows.Next() {
		var a service.Application
		var amount, accounting, reversed decimal.Decimal
		var cur, acc string
		if err := rows.Scan(&a.TenantID, &a.ID, &a.SourceType, &a.SourceID, &a.InvoiceID, dbtx.ScanDec(&amount), dbtx.ScanDec(&accounting),
			dbtx.ScanDec(&reversed), &a.EntryID, dbtx.ScanTS(&a.CreatedAt), &cur, &acc); err != nil {
			return nil, fmt.Errorf("scan payment application: %w", err)
		}
		a.Amount, a.AmountAccounting, a.Reversed = money.In(amount, cur), money.In(accounting, acc), money.In(reversed, cur)
		out = append(out, a)
	}
	return out, rows.Err()
}

func (t *Payments) InsertRefund(ctx context.Context, r service.Refund) error {
	_, err := t.Exec(ctx, `INSERT INTO refunds (tenant_id, id, payment_id, amount, amount_accounting, reason, provider_refund, refund_date,
		entry_id, created_by, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
		r.TenantID, r.ID, r.PaymentID, dbtx.DecArg(r.Amount.Decimal()), dbtx.DecArg(r.AmountAccounting.Decimal()), r.Reason, r.ProviderRefund, dbtx.DateArg(r.Date),
		r.EntryID, r.CreatedBy, t.D.TS(r.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert refund: %w", err)
	}
	return nil
}

func (t *Payments) ListRefunds(ctx context.Context, tenantID, paymentID string) ([]service.Refund, error) {
	d := t.D
	rows, err := t.Query(ctx, `SELECT tenant_id, id, payment_id, `+d.Dec("amount")+`, `+d.Dec("amount_accounting")+`, reason, provider_refund,
		refund_date, entry_id, created_by, created_at,
		(SELECT currency FROM payments p WHERE p.tenant_id = refunds.tenant_id AND p.id = refunds.payment_id), `+dbtx.AccountingCurrency("refunds")+`
		FROM refunds WHERE tenant_id = ? AND payment_id = ? ORDER BY created_at, id`, tenantID, paymentID)
	if err != nil {
		return nil, fmt.Errorf("list refunds: %w", err)
	}
	defer rows.Close()
	var out []service.Refund
	for rows.Next() {
		var r service.Refund
		var amount, accounting decimal.Decimal
		var cur, acc string
		if err := rows.Scan(&r.TenantID, &r.ID, &r.PaymentID, dbtx.ScanDec(&amount), dbtx.ScanDec(&accounting), &r.Reason, &r.ProviderRefund,
			dbtx.ScanDate(&r.Date), &r.EntryID, &r.CreatedBy, dbtx.ScanTS(&r.CreatedAt), &cur, &acc); err != nil {
			return nil, fmt.Errorf("scan refund: %w", err)
		}
		r.Amount, r.AmountAccounting = money.In(amount, cur), money.In(accounting, acc)
		out = append(out, r)
	}
	return out, rows.Err()
}

func (t *Payments) UpdateInvoiceSettlement(ctx context.Context, inv billing.Invoice) error {
	before, err := invoicesql.DueBefore(ctx, t.Tx, inv.TenantID, inv.ID)
	if err != nil {
		return err
	}
	res, err := t.Exec(ctx, `UPDATE invoices SET status = ?, paid = ?, balance = ?, balance_accounting = ?, close_reason = ?, closed_at = ?,
		updated_at = ? WHERE tenant_id = ? AND id = ?`,
		string(inv.Status), dbtx.DecArg(inv.Paid.Decimal()), dbtx.DecArg(inv.Balance.Decimal()), dbtx.DecArg(inv.BalanceAccounting.Decimal()), inv.CloseReason, t.D.NTS(inv.ClosedAt),
		t.D.TS(inv.UpdatedAt), inv.TenantID, inv.ID)
	if err := dbtx.MustAffect(res, err, "invoice", inv.ID); err != nil {
		return err
	}
	// The statement changes the status and the balance, and so the
	// document's part of the receivable dues.
	return invoicesql.ApplyDues(ctx, t.Tx, []invoicesql.Due{before}, []invoicesql.Due{before.Settled(inv.Status, inv.BalanceAccounting.Decimal())})
}

// --- dunning

func (t *Payments) GetDunningOffsets(ctx context.Context, tenantID string) ([]int, error) {
	var s string
	err := t.QueryRow(ctx, `SELECT offsets FROM dunning_settings WHERE tenant_id = ?`, tenantID).Scan(&s)
	if dbtx.ErrNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get dunning offsets: %w", err)
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("dunning offsets %q: %w", s, err)
		}
		out = append(out, n)
	}
	return out, nil
}

func (t *Payments) SetDunningOffsets(ctx context.Context, tenantID string, offsets []int) error {
	parts := make([]string, len(offsets))
	for i, n := range offsets {
		parts[i] = strconv.Itoa(n)
	}
	_, err := t.Exec(ctx, `INSERT INTO dunning_settings (tenant_id, offsets) VALUES (?, ?)
		ON CONFLICT (tenant_id) DO UPDATE SET offsets = excluded.offsets`, tenantID, strings.Join(parts, ","))
	if err != nil {
		return fmt.Errorf("set dunning offsets: %w", err)
	}
	return nil
}

func (t *Payments) MaxDunningStep(ctx context.Context, tenantID, invoiceID string) (int, error) {
	var n int
	err := t.QueryRow(ctx, `SELECT COALESCE(MAX(step), 0) FROM dunning_steps WHERE tenant_id = ? AND invoice_id = ?`, tenantID, invoiceID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("max dunning step: %w", err)
	}
	return n, nil
}

func (t *Payments) InsertDunningStep(ctx context.Context, tenantID, invoiceID string, step int, notificationID string, at time.Time) (bool, error) {
	res, err := t.Exec(ctx, `INSERT INTO dunning_steps (tenant_id, invoice_id, step, notification_id, created_at) VALUES (?,?,?,?,?)
		ON CONFLICT (tenant_id, invoice_id, step) DO NOTHING`, tenantID, invoiceID, step, notificationID, t.D.TS(at))
	if err != nil {
		return false, fmt.Errorf("insert dunning step: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("rows affected: %w", err)
	}
	return n == 1, nil
}
