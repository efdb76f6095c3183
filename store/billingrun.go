package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/service"
)

const runCols = `tenant_id, id, period_start, period_end, issue, status, phase, items_total, items_done, groups_total, groups_done,
	invoices_created, contract_items, error, started_at, updated_at, finished_at`

func scanRun(row interface{ Scan(...any) error }) (service.BillingRun, error) {
	var r service.BillingRun
	err := row.Scan(&r.TenantID, &r.ID, dateScan{&r.PeriodStart}, dateScan{&r.PeriodEnd}, &r.Issue, &r.Status, &r.Phase, &r.ItemsTotal,
		&r.ItemsDone, &r.GroupsTotal, &r.GroupsDone, &r.InvoicesCreated, &r.ContractItems, &r.Error, tsScan{&r.StartedAt},
		tsScan{&r.UpdatedAt}, ntsScan{&r.FinishedAt})
	return r, err
}

func (t *tx) StartBillingRun(ctx context.Context, r service.BillingRun) (service.BillingRun, error) {
	_, err := t.exec(ctx, `INSERT INTO billing_runs (tenant_id, id, period_start, period_end, issue, status, phase, started_at, updated_at)
		VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT (tenant_id, period_start, period_end) DO NOTHING`,
		r.TenantID, r.ID, dateArg(r.PeriodStart), dateArg(r.PeriodEnd), r.Issue, r.Status, r.Phase, t.d.ts(r.StartedAt), t.d.ts(r.UpdatedAt))
	if err != nil {
		return r, fmt.Errorf("start billing run: %w", err)
	}
	got, err := scanRun(t.queryRow(ctx, `SELECT `+runCols+` FROM billing_runs WHERE tenant_id = ? AND period_start = ? AND period_end = ?`,
		r.TenantID, dateArg(r.PeriodStart), dateArg(r.PeriodEnd)))
	if err != nil {
		return r, fmt.Errorf("read billing run: %w", err)
	}
	if got.Status == "failed" {
		// Resuming a failed run.
		if _, err := t.exec(ctx, `UPDATE billing_runs SET status = 'running', error = '' WHERE tenant_id = ? AND id = ?`, got.TenantID, got.ID); err != nil {
			return got, fmt.Errorf("resume billing run: %w", err)
		}
		got.Status, got.Error = "running", ""
	}
	return got, nil
}

func (t *tx) GetBillingRun(ctx context.Context, tenantID, runID string) (service.BillingRun, error) {
	r, err := scanRun(t.queryRow(ctx, `SELECT `+runCols+` FROM billing_runs WHERE tenant_id = ? AND id = ?`, tenantID, runID))
	if errNoRows(err) {
		return r, notFound("billing run", runID)
	}
	if err != nil {
		return r, fmt.Errorf("get billing run: %w", err)
	}
	return r, nil
}

func (t *tx) ListBillingRuns(ctx context.Context, tenantID string) ([]service.BillingRun, error) {
	rows, err := t.query(ctx, `SELECT `+runCols+` FROM billing_runs WHERE tenant_id = ? ORDER BY started_at DESC, id DESC LIMIT 200`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list billing runs: %w", err)
	}
	defer rows.Close()
	var out []service.BillingRun
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, fmt.Errorf("scan billing run: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (t *tx) AddBillingRunProgress(ctx context.Context, tenantID, runID string, p service.RunProgress) error {
	set := `items_total = items_total + ?, items_done = items_done + ?, groups_total = groups_total + ?, groups_done = groups_done + ?,
		invoices_created = invoices_created + ?, contract_items = contract_items + ?, updated_at = ?`
	args := []any{p.ItemsTotal, p.ItemsDone, p.GroupsTotal, p.GroupsDone, p.InvoicesCreated, p.ContractItems, t.d.ts(p.At)}
	if p.Phase != "" {
		set += `, phase = ?`
		args = append(args, p.Phase)
	}
	if p.Status != "" {
		set += `, status = ?`
		args = append(args, p.Status)
	}
	if p.Error != "" {
		set += `, error = ?`
		args = append(args, p.Error)
	}
	if p.Finished {
		set += `, finished_at = ?`
		args = append(args, t.d.ts(p.At))
	}
	res, err := t.exec(ctx, `UPDATE billing_runs SET `+set+` WHERE tenant_id = ? AND id = ?`, append(args, tenantID, runID)...)
	return mustAffect(res, err, "billing run", runID)
}

const billTo = `COALESCE(c.invoice_account_id, c.id)`

func (t *tx) BillingGroups(ctx context.Context, tenantID string, r calendar.Range) ([]service.BillingGroup, error) {
	rows, err := t.query(ctx, `SELECT `+billTo+`, si.provider, si.currency, count(*) FROM sales_items si
		JOIN customers c ON c.tenant_id = si.tenant_id AND c.id = si.customer_id
		WHERE si.tenant_id = ? AND si.status = 'pending' AND si.billing_date >= ? AND si.billing_date <= ?
		GROUP BY `+billTo+`, si.provider, si.currency ORDER BY 1, 2, 3`, tenantID, dateArg(r.From), dateArg(r.To))
	if err != nil {
		return nil, fmt.Errorf("billing groups: %w", err)
	}
	defer rows.Close()
	var out []service.BillingGroup
	for rows.Next() {
		var g service.BillingGroup
		if err := rows.Scan(&g.AccountID, &g.Provider, &g.Currency, &g.Items); err != nil {
			return nil, fmt.Errorf("scan billing group: %w", err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

func (t *tx) ClaimGroupItems(ctx context.Context, tenantID string, r calendar.Range, g service.BillingGroup, limit int) ([]billing.SalesItem, error) {
	lock := ""
	if t.d.engine == Postgres {
		lock = " FOR UPDATE OF si"
	}
	cols := "si." + joinCols(t.salesItemSelect(), ", si.")
	rows, err := t.query(ctx, `SELECT `+cols+` FROM sales_items si
		JOIN customers c ON c.tenant_id = si.tenant_id AND c.id = si.customer_id
		WHERE si.tenant_id = ? AND si.status = 'pending' AND si.billing_date >= ? AND si.billing_date <= ?
		AND `+billTo+` = ? AND si.provider = ? AND si.currency = ?
		ORDER BY si.billing_date, si.id LIMIT ?`+lock, tenantID, dateArg(r.From), dateArg(r.To), g.AccountID, g.Provider, g.Currency, limit)
	if err != nil {
		return nil, fmt.Errorf("claim group items: %w", err)
	}
	defer rows.Close()
	var out []billing.SalesItem
	for rows.Next() {
		si, err := scanSalesItem(rows)
		if err != nil {
			return nil, fmt.Errorf("scan sales item: %w", err)
		}
		out = append(out, si)
	}
	return out, rows.Err()
}

func (t *tx) MarkItemsInvoiced(ctx context.Context, tenantID, invoiceID string, itemIDs []string) (int, error) {
	total := 0
	for start := 0; start < len(itemIDs); start += 500 {
		batch := itemIDs[start:min(start+500, len(itemIDs))]
		args := []any{invoiceID, tenantID}
		for _, id := range batch {
			args = append(args, id)
		}
		res, err := t.exec(ctx, `UPDATE sales_items SET status = 'invoiced', invoice_id = ? WHERE tenant_id = ? AND id IN (`+
			placeholders(len(batch))+`) AND status = 'pending'`, args...)
		if err != nil {
			return total, fmt.Errorf("mark items invoiced: %w", err)
		}
		n, _ := res.RowsAffected()
		total += int(n)
	}
	return total, nil
}

// joinCols prefixes every column of a select list after the first (the
// caller prefixes the first): "a, b::text" → "a, si.b::text".
func joinCols(cols, sep string) string {
	parts := strings.Split(cols, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return strings.Join(parts, sep)
}

// ReleaseInvoiceItems returns a discarded draft's items to the customer's
// open items: pending with billing information, draft without.
func (t *tx) ReleaseInvoiceItems(ctx context.Context, tenantID, invoiceID string) (int, error) {
	res, err := t.exec(ctx, `UPDATE sales_items SET invoice_id = '', status = CASE WHEN (SELECT c.has_billing_info FROM customers c
		WHERE c.tenant_id = sales_items.tenant_id AND c.id = sales_items.customer_id) THEN 'pending' ELSE 'draft' END
		WHERE tenant_id = ? AND invoice_id = ? AND status = 'invoiced'`, tenantID, invoiceID)
	if err != nil {
		return 0, fmt.Errorf("release invoice items: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
