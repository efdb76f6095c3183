package accountsql

import (
	"context"
	"fmt"

	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store/dbtx"
	"github.com/facturo/facturo/store/enginesql"
	"github.com/facturo/facturo/store/sqlitesql"
)

// --- payment methods

// paymentMethodOf is the payment method a row holds.
func paymentMethodOf(r sqlitesql.PaymentMethod) service.PaymentMethod {
	return service.PaymentMethod{TenantID: r.TenantID, ID: r.ID, CustomerID: r.CustomerID, Provider: r.Provider,
		ProviderCustomer: r.ProviderCustomer, Token: r.Token, Brand: r.Brand, Last4: r.Last4, ExpMonth: int(r.ExpMonth),
		ExpYear: int(r.ExpYear), Primary: r.IsPrimary, CreatedAt: r.CreatedAt.UTC()}
}

func (t *Accounts) InsertPaymentMethod(ctx context.Context, m service.PaymentMethod) error {
	err := enginesql.For(t.Tx).InsertPaymentMethod(ctx, sqlitesql.InsertPaymentMethodParams{TenantID: m.TenantID, ID: m.ID,
		CustomerID: m.CustomerID, Provider: m.Provider, ProviderCustomer: m.ProviderCustomer, Token: m.Token, Brand: m.Brand, Last4: m.Last4,
		ExpMonth: int64(m.ExpMonth), ExpYear: int64(m.ExpYear), IsPrimary: m.Primary, CreatedAt: dbtx.TimeOf(m.CreatedAt)})
	if err != nil {
		return fmt.Errorf("insert payment method: %w", err)
	}
	return nil
}

func (t *Accounts) ListPaymentMethods(ctx context.Context, tenantID, customerID string) ([]service.PaymentMethod, error) {
	rows, err := enginesql.For(t.Tx).ListPaymentMethods(ctx, sqlitesql.ListPaymentMethodsParams{TenantID: tenantID, CustomerID: customerID})
	if err != nil {
		return nil, fmt.Errorf("list payment methods: %w", err)
	}
	out := make([]service.PaymentMethod, 0, len(rows))
	for _, r := range rows {
		out = append(out, paymentMethodOf(r))
	}
	return out, nil
}

func (t *Accounts) GetPaymentMethod(ctx context.Context, tenantID, id string) (service.PaymentMethod, error) {
	r, err := enginesql.For(t.Tx).GetPaymentMethod(ctx, sqlitesql.GetPaymentMethodParams{TenantID: tenantID, ID: id})
	if dbtx.ErrNoRows(err) {
		return service.PaymentMethod{}, dbtx.NotFound("payment method", id)
	}
	if err != nil {
		return service.PaymentMethod{}, fmt.Errorf("get payment method: %w", err)
	}
	return paymentMethodOf(r), nil
}

func (t *Accounts) DeletePaymentMethod(ctx context.Context, tenantID, id string) error {
	n, err := enginesql.For(t.Tx).DeletePaymentMethod(ctx, sqlitesql.DeletePaymentMethodParams{TenantID: tenantID, ID: id})
	return dbtx.MustAffectRows(n, err, "payment method", id)
}

func (t *Accounts) SetPrimaryPaymentMethod(ctx context.Context, tenantID, customerID, id string) error {
	q := enginesql.For(t.Tx)
	if err := q.ClearPrimaryPaymentMethod(ctx, sqlitesql.ClearPrimaryPaymentMethodParams{TenantID: tenantID, CustomerID: customerID}); err != nil {
		return fmt.Errorf("clear primary payment method: %w", err)
	}
	if id == "" {
		return nil
	}
	n, err := q.SetPrimaryPaymentMethod(ctx, sqlitesql.SetPrimaryPaymentMethodParams{TenantID: tenantID, CustomerID: customerID, ID: id})
	return dbtx.MustAffectRows(n, err, "payment method", id)
}
