package accountsql

import (
	"context"
	"fmt"

	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store/dbtx"
)

// --- payment methods

const paymentMethodCols = `tenant_id, id, customer_id, provider, provider_customer, token, brand, last4, exp_month, exp_year, is_primary, created_at`

func scanPaymentMethod(row interface{ Scan(...any) error }) (service.PaymentMethod, error) {
	var m service.PaymentMethod
	err := row.Scan(&m.TenantID, &m.ID, &m.CustomerID, &m.Provider, &m.ProviderCustomer, &m.Token, &m.Brand, &m.Last4,
		&m.ExpMonth, &m.ExpYear, &m.Primary, dbtx.ScanTS(&m.CreatedAt))
	return m, err
}

func (t *Accounts) InsertPaymentMethod(ctx context.Context, m service.PaymentMethod) error {
	_, err := t.Exec(ctx, `INSERT INTO payment_methods (`+paymentMethodCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
		m.TenantID, m.ID, m.CustomerID, m.Provider, m.ProviderCustomer, m.Token, m.Brand, m.Last4, m.ExpMonth, m.ExpYear,
		m.Primary, t.D.TS(m.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert payment method: %w", err)
	}
	return nil
}

func (t *Accounts) ListPaymentMethods(ctx context.Context, tenantID, customerID string) ([]service.PaymentMethod, error) {
	rows, err := t.Query(ctx, `SELECT `+paymentMethodCols+` FROM payment_methods WHERE tenant_id = ? AND customer_id = ?
		ORDER BY is_primary DESC, created_at, id`, tenantID, customerID)
	if err != nil {
		return nil, fmt.Errorf("list payment methods: %w", err)
	}
	defer rows.Close()
	var out []service.PaymentMethod
	for rows.Next() {
		m, err := scanPaymentMethod(rows)
		if err != nil {
			return nil, fmt.Errorf("scan payment method: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func (t *Accounts) GetPaymentMethod(ctx context.Context, tenantID, id string) (service.PaymentMethod, error) {
	m, err := scanPaymentMethod(t.QueryRow(ctx, `SELECT `+paymentMethodCols+` FROM payment_methods WHERE tenant_id = ? AND id = ?`, tenantID, id))
	if dbtx.ErrNoRows(err) {
		return m, dbtx.NotFound("payment method", id)
	}
	if err != nil {
		return m, fmt.Errorf("get payment method: %w", err)
	}
	return m, nil
}

func (t *Accounts) DeletePaymentMethod(ctx context.Context, tenantID, id string) error {
	res, err := t.Exec(ctx, `DELETE FROM payment_methods WHERE tenant_id = ? AND id = ?`, tenantID, id)
	return dbtx.MustAffect(res, err, "payment method", id)
}

func (t *Accounts) SetPrimaryPaymentMethod(ctx context.Context, tenantID, customerID, id string) error {
	if _, err := t.Exec(ctx, `UPDATE payment_methods SET is_primary = ? WHERE tenant_id = ? AND customer_id = ? AND is_primary = ?`,
		false, tenantID, customerID, true); err != nil {
		return fmt.Errorf("clear primary payment method: %w", err)
	}
	if id == "" {
		return nil
	}
	res, err := t.Exec(ctx, `UPDATE payment_methods SET is_primary = ? WHERE tenant_id = ? AND customer_id = ? AND id = ?`,
		true, tenantID, customerID, id)
	return dbtx.MustAffect(res, err, "payment method", id)
}
