package dbtx

import (
	"context"
	"fmt"

	"github.com/facturo/facturo/money"
)

// The tenant's accounting currency is its currency column: the currency of
// every *_accounting amount, of the journal's debits and credits and of
// the receivables summaries. These two are the store's one way to read it.

// AccountingCurrency selects, as a scalar subquery, the accounting
// currency of the tenant of a row of table (a table name or alias with a
// tenant_id column), for a SELECT list that pairs stored decimals with it.
func AccountingCurrency(table string) string {
	return `(SELECT tn.currency FROM tenants tn WHERE tn.id = ` + table + `.tenant_id)`
}

// TenantCurrency reads the accounting currency of tenantID, for a query
// whose rows are sums (no tenant row to select it beside).
func TenantCurrency(ctx context.Context, t *Tx, tenantID string) (money.Currency, error) {
	var code string
	if err := t.QueryRow(ctx, `SELECT currency FROM tenants WHERE id = ?`, tenantID).Scan(&code); err != nil {
		return money.Currency{}, fmt.Errorf("tenant currency: %w", err)
	}
	return money.ParseCurrency(code)
}
