package paymentsql

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store/dbtx"
	"github.com/facturo/facturo/store/enginesql"
	"github.com/facturo/facturo/store/invoicesql"
	"github.com/facturo/facturo/store/sqlitesql"
)

// --- payments

// paymentOf is the payment a row holds; tenantCurrency is the currency of
// its accounting amount.
func paymentOf(r sqlitesql.Payment, tenantCurrency string) (service.Payment, error) {
	var p dbtx.Parse
	out := service.Payment{TenantID: r.TenantID, ID: r.ID, CustomerID: r.CustomerID, Method: r.Method, Amount: money.In(p.Dec(r.Amount), r.Currency),
		Currency: r.Currency, ExchangeRate: p.Dec(r.ExchangeRate), AmountAccounting: money.In(p.Dec(r.AmountAccounting), tenantCurrency),
		Unapplied: money.In(p.Dec(r.Unapplied), r.Currency), Refunded: money.In(p.Dec(r.Refunded), r.Currency), Date: p.Date(r.PaymentDate),
		Reference: r.Reference, PaymentMethodID: r.PaymentMethodID, CardBrand: r.CardBrand, CardLast4: r.CardLast4, Provider: r.Provider,
		ChargeID: r.ChargeID, EntryID: r.EntryID, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC()}
	if p.Err != nil {
		return out, fmt.Errorf("payment %s: %w", r.ID, p.Err)
	}
	return out, nil
}

// paymentWithCurrency is a payment row beside its tenant's currency, as the
// generated queries return it and ListPayments scans it.
type paymentWithCurrency = sqlitesql.GetPaymentRow

func paymentsOf(rows []paymentWithCurrency) ([]service.Payment, error) {
	out := make([]service.Payment, 0, len(rows))
	for _, r := range rows {
		p, err := paymentOf(r.Payment, r.TenantCurrency)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func (t *Payments) InsertPayment(ctx context.Context, p service.Payment) error {
	err := enginesql.For(t.Tx).InsertPayment(ctx, sqlitesql.InsertPaymentParams{TenantID: p.TenantID, ID: p.ID, CustomerID: p.CustomerID,
		Method: p.Method, Amount: p.Amount.Decimal().String(), Currency: p.Currency, ExchangeRate: p.ExchangeRate.String(),
		AmountAccounting: p.AmountAccounting.Decimal().String(), Unapplied: p.Unapplied.Decimal().String(), Refunded: p.Refunded.Decimal().String(),
		PaymentDate: dbtx.DateText(p.Date), Reference: p.Reference, PaymentMethodID: p.PaymentMethodID, CardBrand: p.CardBrand,
		CardLast4: p.CardLast4, Provider: p.Provider, ChargeID: p.ChargeID, EntryID: p.EntryID, CreatedBy: p.CreatedBy, CreatedAt: dbtx.TimeOf(p.CreatedAt)})
	if err != nil {
		return fmt.Errorf("insert payment: %w", err)
	}
	return nil
}

func (t *Payments) UpdatePaymentBalances(ctx context.Context, p service.Payment) error {
	n, err := enginesql.For(t.Tx).UpdatePaymentBalances(ctx, sqlitesql.UpdatePaymentBalancesParams{Unapplied: p.Unapplied.Decimal().String(),
		Refunded: p.Refunded.Decimal().String(), TenantID: p.TenantID, ID: p.ID})
	return dbtx.MustAffectRows(n, err, "payment", p.ID)
}

func (t *Payments) gotPayment(r paymentWithCurrency, err error, id string) (service.Payment, error) {
	if dbtx.ErrNoRows(err) {
		return service.Payment{}, dbtx.NotFound("payment", id)
	}
	if err != nil {
		return service.Payment{}, fmt.Errorf("get payment: %w", err)
	}
	return paymentOf(r.Payment, r.TenantCurrency)
}

func (t *Payments) GetPayment(ctx context.Context, tenantID, id string) (service.Payment, error) {
	r, err := enginesql.For(t.Tx).GetPayment(ctx, sqlitesql.GetPaymentParams{TenantID: tenantID, ID: id})
	return t.gotPayment(r, err, id)
}

func (t *Payments) GetPaymentForUpdate(ctx context.Context, tenantID, id string) (service.Payment, error) {
	r, err := enginesql.For(t.Tx).GetPaymentForUpdate(ctx, sqlitesql.GetPaymentForUpdateParams{TenantID: tenantID, ID: id})
	return t.gotPayment(paymentWithCurrency(r), err, id)
}

func (t *Payments) ListPayments(ctx context.Context, tenantID string, f service.PaymentFilter) ([]service.Payment, error) {
	w := dbtx.TenantWhere("tenant_id", tenantID)
	if f.CustomerID != "" {
		w.And("customer_id = ?", f.CustomerID)
	}
	rows, err := t.Query(ctx, `SELECT *, `+dbtx.AccountingCurrency("payments")+` AS tenant_currency FROM payments WHERE `+w.String()+
		` ORDER BY created_at DESC, id DESC LIMIT ?`, append(w.Args(), f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("list payments: %w", err)
	}
	rs, err := dbtx.ScanRows[paymentWithCurrency](rows)
	if err != nil {
		return nil, err
	}
	return paymentsOf(rs)
}

func (t *Payments) CreditPayments(ctx context.Context, tenantID, customerID, currency string) ([]service.Payment, error) {
	rows, err := enginesql.For(t.Tx).CreditPayments(ctx, sqlitesql.CreditPaymentsParams{TenantID: tenantID, CustomerID: customerID, Currency: currency})
	if err != nil {
		return nil, fmt.Errorf("credit payments: %w", err)
	}
	out := make([]paymentWithCurrency, 0, len(rows))
	for _, r := range rows {
		out = append(out, paymentWithCurrency(r))
	}
	return paymentsOf(out)
}

// --- applications and refunds

func (t *Payments) InsertApplication(ctx context.Context, a service.Application) error {
	err := enginesql.For(t.Tx).InsertApplication(ctx, sqlitesql.InsertApplicationParams{TenantID: a.TenantID, ID: a.ID, SourceType: a.SourceType,
		SourceID: a.SourceID, InvoiceID: a.InvoiceID, Amount: a.Amount.Decimal().String(), AmountAccounting: a.AmountAccounting.Decimal().String(),
		Reversed: a.Reversed.Decimal().String(), EntryID: a.EntryID, CreatedAt: dbtx.TimeOf(a.CreatedAt)})
	if err != nil {
		return fmt.Errorf("insert payment application: %w", err)
	}
	return nil
}

func (t *Payments) UpdateApplicationReversed(ctx context.Context, a service.Application) error {
	n, err := enginesql.For(t.Tx).UpdateApplicationReversed(ctx, sqlitesql.UpdateApplicationReversedParams{Reversed: a.Reversed.Decimal().String(),
		TenantID: a.TenantID, ID: a.ID})
	return dbtx.MustAffectRows(n, err, "payment application", a.ID)
}

// applicationRow is an application with the currency of its invoice (of
// its amounts) and its tenant's (of its accounting amount).
type applicationRow struct {
	sqlitesql.PaymentApplication
	InvoiceCurrency string `db:"invoice_currency"`
	TenantCurrency  string `db:"tenant_currency"`
}

func (t *Payments) ListApplications(ctx context.Context, tenantID, sourceID, invoiceID string) ([]service.Application, error) {
	w := dbtx.TenantWhere("tenant_id", tenantID)
	if sourceID != "" {
		w.And("source_id = ?", sourceID)
	}
	if invoiceID != "" {
		w.And("invoice_id = ?", invoiceID)
	}
	rows, err := t.Query(ctx, `SELECT *,
		(SELECT currency FROM invoices i WHERE i.tenant_id = payment_applications.tenant_id AND i.id = payment_applications.invoice_id) AS invoice_currency,
		`+dbtx.AccountingCurrency("payment_applications")+` AS tenant_currency
		FROM payment_applications WHERE `+w.String()+` ORDER BY created_at, id`, w.Args()...)
	if err != nil {
		return nil, fmt.Errorf("list payment applications: %w", err)
	}
	rs, err := dbtx.ScanRows[applicationRow](rows)
	if err != nil {
		return nil, err
	}
	var p dbtx.Parse
	out := make([]service.Application, 0, len(rs))
	for _, r := range rs {
		cur := r.InvoiceCurrency
		out = append(out, service.Application{TenantID: r.TenantID, ID: r.ID, SourceType: r.SourceType, SourceID: r.SourceID, InvoiceID: r.InvoiceID,
			Amount: money.In(p.Dec(r.Amount), cur), AmountAccounting: money.In(p.Dec(r.AmountAccounting), r.TenantCurrency),
			Reversed: money.In(p.Dec(r.Reversed), cur), EntryID: r.EntryID, CreatedAt: r.CreatedAt.UTC()})
	}
	if p.Err != nil {
		return nil, fmt.Errorf("payment applications: %w", p.Err)
	}
	return out, nil
}

func (t *Payments) InsertRefund(ctx context.Context, r service.Refund) error {
	err := enginesql.For(t.Tx).InsertRefund(ctx, sqlitesql.InsertRefundParams{TenantID: r.TenantID, ID: r.ID, PaymentID: r.PaymentID,
		Amount: r.Amount.Decimal().String(), AmountAccounting: r.AmountAccounting.Decimal().String(), Reason: r.Reason, ProviderRefund: r.ProviderRefund,
		RefundDate: dbtx.DateText(r.Date), EntryID: r.EntryID, CreatedBy: r.CreatedBy, CreatedAt: dbtx.TimeOf(r.CreatedAt)})
	if err != nil {
		return fmt.Errorf("insert refund: %w", err)
	}
	return nil
}

func (t *Payments) ListRefunds(ctx context.Context, tenantID, paymentID string) ([]service.Refund, error) {
	rows, err := enginesql.For(t.Tx).ListRefunds(ctx, sqlitesql.ListRefundsParams{TenantID: tenantID, PaymentID: paymentID})
	if err != nil {
		return nil, fmt.Errorf("list refunds: %w", err)
	}
	var p dbtx.Parse
	out := make([]service.Refund, 0, len(rows))
	for _, row := range rows {
		r := row.Refund
		out = append(out, service.Refund{TenantID: r.TenantID, ID: r.ID, PaymentID: r.PaymentID, Amount: money.In(p.Dec(r.Amount), row.Currency),
			AmountAccounting: money.In(p.Dec(r.AmountAccounting), row.TenantCurrency), Reason: r.Reason, ProviderRefund: r.ProviderRefund,
			Date: p.Date(r.RefundDate), EntryID: r.EntryID, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC()})
	}
	if p.Err != nil {
		return nil, fmt.Errorf("refunds: %w", p.Err)
	}
	return out, nil
}

func (t *Payments) UpdateInvoiceSettlement(ctx context.Context, inv billing.Invoice) error {
	before, err := invoicesql.DueBefore(ctx, t.Tx, inv.TenantID, inv.ID)
	if err != nil {
		return err
	}
	n, err := enginesql.For(t.Tx).UpdateInvoiceSettlement(ctx, sqlitesql.UpdateInvoiceSettlementParams{Status: string(inv.Status),
		Paid: inv.Paid.Decimal().String(), Balance: inv.Balance.Decimal().String(), BalanceAccounting: inv.BalanceAccounting.Decimal().String(),
		CloseReason: inv.CloseReason, ClosedAt: dbtx.NTimeOf(inv.ClosedAt), UpdatedAt: dbtx.TimeOf(inv.UpdatedAt), TenantID: inv.TenantID, ID: inv.ID})
	if err := dbtx.MustAffectRows(n, err, "invoice", inv.ID); err != nil {
		return err
	}
	// The statement changes the status and the balance, and so the
	// document's part of the receivable dues.
	after := before.Settled(inv.Status, inv.BalanceAccounting.Decimal())
	invoicesql.RememberDue(t.Tx, inv.TenantID, inv.ID, after)
	return invoicesql.ApplyDues(ctx, t.Tx, []invoicesql.Due{before}, []invoicesql.Due{after})
}

// --- dunning

func (t *Payments) GetDunningOffsets(ctx context.Context, tenantID string) ([]int, error) {
	r, err := enginesql.For(t.Tx).GetDunningSettings(ctx, tenantID)
	if dbtx.ErrNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get dunning offsets: %w", err)
	}
	var out []int
	for _, f := range strings.Split(r.Offsets, ",") {
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("dunning offsets %q: %w", r.Offsets, err)
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
	if err := enginesql.For(t.Tx).SetDunningOffsets(ctx, sqlitesql.SetDunningOffsetsParams{TenantID: tenantID, Offsets: strings.Join(parts, ",")}); err != nil {
		return fmt.Errorf("set dunning offsets: %w", err)
	}
	return nil
}

func (t *Payments) MaxDunningStep(ctx context.Context, tenantID, invoiceID string) (int, error) {
	steps, err := enginesql.For(t.Tx).DunningSteps(ctx, sqlitesql.DunningStepsParams{TenantID: tenantID, InvoiceID: invoiceID})
	if err != nil {
		return 0, fmt.Errorf("max dunning step: %w", err)
	}
	if len(steps) == 0 {
		return 0, nil
	}
	return int(steps[0]), nil
}

func (t *Payments) InsertDunningStep(ctx context.Context, tenantID, invoiceID string, step int, notificationID string, at time.Time) (bool, error) {
	n, err := enginesql.For(t.Tx).InsertDunningStep(ctx, sqlitesql.InsertDunningStepParams{TenantID: tenantID, InvoiceID: invoiceID,
		Step: int64(step), NotificationID: notificationID, CreatedAt: dbtx.TimeOf(at)})
	if err != nil {
		return false, fmt.Errorf("insert dunning step: %w", err)
	}
	return n == 1, nil
}
