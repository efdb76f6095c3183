package salessql

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store/dbtx"
)

const runCols = `tenant_id, id, period_start, period_end, issue, status, phase, items_total, items_done, groups_total, groups_done,
	invoices_created, contract_items, items_skipped, error, started_at, updated_at, finished_at, seq, supplements, lease_owner, lease_until`

func scanRun(row interface{ Scan(...any) error }) (service.BillingRun, error) {
	var r service.BillingRun
	err := row.Scan(&r.TenantID, &r.ID, dbtx.ScanDate(&r.PeriodStart), dbtx.ScanDate(&r.PeriodEnd), &r.Issue, &r.Status, &r.Phase, &r.ItemsTotal,
		&r.ItemsDone, &r.GroupsTotal, &r.GroupsDone, &r.InvoicesCreated, &r.ContractItems, &r.ItemsSkipped, &r.Error, dbtx.ScanTS(&r.StartedAt),
		dbtx.ScanTS(&r.UpdatedAt), dbtx.ScanNTS(&r.FinishedAt), &r.Seq, &r.Supplements, &r.LeaseOwner, dbtx.ScanNTS(&r.LeaseUntil))
	return r, err
}

func (t *Sales) StartBillingRun(ctx context.Context, r service.BillingRun) (service.BillingRun, error) {
	if r.Seq == 0 {
		r.Seq = 1
	}
	// Every unique key arbitrates, not only the period's: a node resuming a
	// run inserts the run it read (its id too), and on PostgreSQL a conflict
	// on a key that is not an arbiter is an error, not "nothing to do".
	_, err := t.Exec(ctx, `INSERT INTO billing_runs (tenant_id, id, period_start, period_end, issue, status, phase, started_at, updated_at, seq, supplements)
		VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING`,
		r.TenantID, r.ID, dbtx.DateArg(r.PeriodStart), dbtx.DateArg(r.PeriodEnd), r.Issue, r.Status, r.Phase, t.D.TS(r.StartedAt), t.D.TS(r.UpdatedAt),
		r.Seq, r.Supplements)
	if err != nil {
		return r, fmt.Errorf("start billing run: %w", err)
	}
	got, err := scanRun(t.QueryRow(ctx, `SELECT `+runCols+` FROM billing_runs WHERE tenant_id = ? AND period_start = ? AND period_end = ? AND seq = ?`,
		r.TenantID, dbtx.DateArg(r.PeriodStart), dbtx.DateArg(r.PeriodEnd), r.Seq))
	if err != nil {
		return r, fmt.Errorf("read billing run: %w", err)
	}
	if got.Status == "failed" {
		// Resuming a failed run.
		if _, err := t.Exec(ctx, `UPDATE billing_runs SET status = 'running', error = '' WHERE tenant_id = ? AND id = ?`, got.TenantID, got.ID); err != nil {
			return got, fmt.Errorf("resume billing run: %w", err)
		}
		got.Status, got.Error = "running", ""
	}
	return got, nil
}

// LatestBillingRun returns the last run of a period (the highest seq).
// Two nodes starting the same supplementary run insert the same seq: the
// unique key keeps one.
func (t *Sales) LatestBillingRun(ctx context.Context, tenantID string, r calendar.Range) (service.BillingRun, error) {
	got, err := scanRun(t.QueryRow(ctx, `SELECT `+runCols+` FROM billing_runs WHERE tenant_id = ? AND period_start = ? AND period_end = ?
		ORDER BY seq DESC LIMIT 1`, tenantID, dbtx.DateArg(r.From), dbtx.DateArg(r.To)))
	if dbtx.ErrNoRows(err) {
		return got, dbtx.NotFound("billing run", r.From.String()+".."+r.To.String())
	}
	if err != nil {
		return got, fmt.Errorf("latest billing run: %w", err)
	}
	return got, nil
}

// LeaseBillingRun takes or renews the lease of a running run for owner
// until until; it reports false when another owner holds a lease that has
// not expired at now (or the run is not running).
func (t *Sales) LeaseBillingRun(ctx context.Context, tenantID, runID, owner string, now, until time.Time) (bool, error) {
	res, err := t.Exec(ctx, `UPDATE billing_runs SET lease_owner = ?, lease_until = ? WHERE tenant_id = ? AND id = ? AND status = 'running'
		AND (lease_owner = ? OR lease_owner = '' OR lease_until IS NULL OR lease_until < ?)`,
		owner, t.D.TS(until), tenantID, runID, owner, t.D.TS(now))
	if err != nil {
		return false, fmt.Errorf("lease billing run: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// StaleBillingRuns lists the running runs whose lease has expired at now:
// their node stopped without finishing them.
func (t *Sales) StaleBillingRuns(ctx context.Context, tenantID string, now time.Time) ([]service.BillingRun, error) {
	rows, err := t.Query(ctx, `SELECT `+runCols+` FROM billing_runs WHERE tenant_id = ? AND status = 'running'
		AND (lease_until IS NULL OR lease_until < ?) ORDER BY started_at, id LIMIT 100`, tenantID, t.D.TS(now))
	if err != nil {
		return nil, fmt.Errorf("stale billing runs: %w", err)
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

func (t *Sales) GetBillingRun(ctx context.Context, tenantID, runID string) (service.BillingRun, error) {
	r, err := scanRun(t.QueryRow(ctx, `SELECT `+runCols+` FROM billing_runs WHERE tenant_id = ? AND id = ?`, tenantID, runID))
	if dbtx.ErrNoRows(err) {
		return r, dbtx.NotFound("billing run", runID)
	}
	if err != nil {
		return r, fmt.Errorf("get billing run: %w", err)
	}
	return r, nil
}

func (t *Sales) ListBillingRuns(ctx context.Context, tenantID string) ([]service.BillingRun, error) {
	rows, err := t.Query(ctx, `SELECT `+runCols+` FROM billing_runs WHERE tenant_id = ? ORDER BY started_at DESC, id DESC LIMIT 200`, tenantID)
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

func (t *Sales) AddBillingRunProgress(ctx context.Context, tenantID, runID string, p service.RunProgress) error {
	set := `items_total = items_total + ?, items_done = items_done + ?, groups_total = groups_total + ?, groups_done = groups_done + ?,
		invoices_created = invoices_created + ?, contract_items = contract_items + ?, updated_at = ?`
	args := []any{p.ItemsTotal, p.ItemsDone, p.GroupsTotal, p.GroupsDone, p.InvoicesCreated, p.ContractItems, t.D.TS(p.At)}
	if p.Phase != "" {
		set += `, phase = ?`
		args = append(args, p.Phase)
	}
	if p.Status != "" {
		set += `, status = ?`
		args = append(args, p.Status)
	}
	if p.ItemsSkipped != nil {
		set += `, items_skipped = ?`
		args = append(args, *p.ItemsSkipped)
	}
	if p.Error != "" {
		set += `, error = ?`
		args = append(args, p.Error)
	}
	if p.Finished {
		set += `, finished_at = ?`
		args = append(args, t.D.TS(p.At))
	}
	if p.Status == "completed" || p.Status == "failed" {
		set += `, lease_owner = '', lease_until = NULL` // a finished or failed run holds no lease
	}
	res, err := t.Exec(ctx, `UPDATE billing_runs SET `+set+` WHERE tenant_id = ? AND id = ?`, append(args, tenantID, runID)...)
	return dbtx.MustAffect(res, err, "billing run", runID)
}

const billTo = `COALESCE(NULLIF(c.invoice_account_id, ''), c.id)`

// forCustomer restricts items to one customer's and those billed to it.
func forCustomer(customerID string, args []any) (string, []any) {
	if customerID == "" {
		return "", args
	}
	return ` AND (si.customer_id = ? OR ` + billTo + ` = ?)`, append(args, customerID, customerID)
}

func (t *Sales) BillingGroups(ctx context.Context, tenantID string, r calendar.Range, customerID string) ([]service.BillingGroup, error) {
	cond, args := forCustomer(customerID, []any{tenantID, dbtx.DateArg(r.From), dbtx.DateArg(r.To)})
	rows, err := t.Query(ctx, `SELECT `+billTo+`, si.provider, si.currency, count(*) FROM sales_items si
		JOIN customers c ON c.tenant_id = si.tenant_id AND c.id = si.customer_id
		JOIN customers a ON a.tenant_id = c.tenant_id AND a.id = `+billTo+`
		WHERE si.tenant_id = ? AND si.status = 'pending' AND a.has_billing_info AND si.billing_date >= ? AND si.billing_date <= ?`+cond+`
		GROUP BY `+billTo+`, si.provider, si.currency ORDER BY 1, 2, 3`, args...)
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

func (t *Sales) ClaimItems(ctx context.Context, tenantID string, r calendar.Range, customerIDs []string) ([]billing.SalesItem, error) {
	var out []billing.SalesItem
	lock := ""
	if t.D.Engine == dbtx.Postgres {
		lock = " FOR UPDATE"
		if err := t.customPlans(ctx); err != nil {
			return nil, err
		}
	}
	const chunk = 1000
	for start := 0; start < len(customerIDs); start += chunk {
		batch := customerIDs[start:min(start+chunk, len(customerIDs))]
		args := []any{tenantID, dbtx.DateArg(r.From), dbtx.DateArg(r.To)}
		for _, c := range batch {
			args = append(args, c)
		}
		// Locked in id order, so transactions claiming overlapping sets
		// wait for each other instead of deadlocking.
		rows, err := t.Query(ctx, `SELECT `+t.salesItemSelect()+` FROM sales_items
			WHERE tenant_id = ? AND status = 'pending' AND billing_date >= ? AND billing_date <= ?
			AND customer_id IN (`+dbtx.Placeholders(len(batch))+`) ORDER BY id`+lock, args...)
		if err != nil {
			return nil, fmt.Errorf("claim items: %w", err)
		}
		for rows.Next() {
			si, err := scanSalesItem(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("scan sales item: %w", err)
			}
			out = append(out, si)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("claim items: %w", err)
		}
	}
	return out, nil
}

func (t *Sales) MarkInvoiced(ctx context.Context, tenantID string, links []service.InvoicedItem) (int, error) {
	total := 0
	if t.D.Engine == dbtx.Postgres {
		if err := t.customPlans(ctx); err != nil {
			return 0, err
		}
		items, invs := make([]string, len(links)), make([]string, len(links))
		for i, l := range links {
			items[i], invs[i] = l.ItemID, l.InvoiceID
		}
		res, err := t.Exec(ctx, `UPDATE sales_items SET status = 'invoiced', invoice_id = u.invoice_id
			FROM unnest(?::text[], ?::text[]) AS u(item_id, invoice_id)
			WHERE sales_items.tenant_id = ? AND sales_items.id = u.item_id AND sales_items.status = 'pending'`, items, invs, tenantID)
		if err != nil {
			return 0, fmt.Errorf("mark items invoiced: %w", err)
		}
		n, _ := res.RowsAffected()
		return int(n), nil
	}
	const per = 5000
	for start := 0; start < len(links); start += per {
		batch := links[start:min(start+per, len(links))]
		var sb strings.Builder
		args := make([]any, 0, 2*len(batch)+1)
		for i, l := range batch {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString("(?,?)")
			args = append(args, l.ItemID, l.InvoiceID)
		}
		args = append(args, tenantID)
		res, err := t.Exec(ctx, `WITH v(item_id, invoice_id) AS (VALUES `+sb.String()+`)
			UPDATE sales_items SET status = 'invoiced', invoice_id = v.invoice_id FROM v
			WHERE sales_items.tenant_id = ? AND sales_items.id = v.item_id AND sales_items.status = 'pending'`, args...)
		if err != nil {
			return total, fmt.Errorf("mark items invoiced: %w", err)
		}
		n, _ := res.RowsAffected()
		total += int(n)
	}
	return total, nil
}

func (t *Sales) CountSkippedItems(ctx context.Context, tenantID string, r calendar.Range) (int, error) {
	var n int
	err := t.QueryRow(ctx, `SELECT count(*) FROM sales_items si
		JOIN customers c ON c.tenant_id = si.tenant_id AND c.id = si.customer_id
		JOIN customers a ON a.tenant_id = c.tenant_id AND a.id = `+billTo+`
		WHERE si.tenant_id = ? AND si.billing_date >= ? AND si.billing_date <= ?
		AND (si.status = 'draft' OR (si.status = 'pending' AND NOT a.has_billing_info))`,
		tenantID, dbtx.DateArg(r.From), dbtx.DateArg(r.To)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count skipped items: %w", err)
	}
	return n, nil
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
func (t *Sales) ReleaseInvoiceItems(ctx context.Context, tenantID, invoiceID string) (int, error) {
	res, err := t.Exec(ctx, `UPDATE sales_items SET invoice_id = '', status = CASE WHEN (SELECT c.has_billing_info FROM customers c
		WHERE c.tenant_id = sales_items.tenant_id AND c.id = sales_items.customer_id) THEN 'pending' ELSE 'draft' END
		WHERE tenant_id = ? AND invoice_id = ? AND status = 'invoiced'`, tenantID, invoiceID)
	if err != nil {
		return 0, fmt.Errorf("release invoice items: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// customPlans makes PostgreSQL plan each statement of the transaction for
// its own parameters: the billing statements bind hundreds of ids, and a
// cached generic plan cannot tell that they hit a few index entries.
func (t *Sales) customPlans(ctx context.Context) error {
	if _, err := t.Exec(ctx, `SET LOCAL plan_cache_mode = force_custom_plan`); err != nil {
		return fmt.Errorf("plan cache mode: %w", err)
	}
	return nil
}

func (t *Sales) SetBillingRunSkips(ctx context.Context, tenantID, runID string, accounts []string, skips []service.SkippedGroup) error {
	for start := 0; start < len(accounts); start += 500 {
		batch := accounts[start:min(start+500, len(accounts))]
		args := []any{tenantID, runID}
		for _, a := range batch {
			args = append(args, a)
		}
		if _, err := t.Exec(ctx, `DELETE FROM billing_run_skips WHERE tenant_id = ? AND run_id = ? AND account_id IN (`+dbtx.Placeholders(len(batch))+`)`,
			args...); err != nil {
			return fmt.Errorf("clear skipped groups: %w", err)
		}
	}
	for _, s := range skips {
		if _, err := t.Exec(ctx, `INSERT INTO billing_run_skips (tenant_id, run_id, account_id, customer_number, customer_name, provider, currency, items, reason, created_at)
			VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT (tenant_id, run_id, account_id, provider, currency)
			DO UPDATE SET items = excluded.items, reason = excluded.reason`,
			tenantID, runID, s.AccountID, s.CustomerNumber, s.CustomerName, s.Provider, s.Currency, s.Items, s.Reason, t.D.TS(s.At)); err != nil {
			return fmt.Errorf("record skipped group: %w", err)
		}
	}
	return nil
}

func (t *Sales) BillingRunSkips(ctx context.Context, tenantID string, runIDs []string) (map[string][]service.SkippedGroup, error) {
	out := map[string][]service.SkippedGroup{}
	if len(runIDs) == 0 {
		return out, nil
	}
	args := []any{tenantID}
	for _, id := range runIDs {
		args = append(args, id)
	}
	rows, err := t.Query(ctx, `SELECT run_id, account_id, customer_number, customer_name, provider, currency, items, reason FROM billing_run_skips
		WHERE tenant_id = ? AND run_id IN (`+dbtx.Placeholders(len(runIDs))+`) ORDER BY run_id, customer_number, account_id, provider, currency`, args...)
	if err != nil {
		return nil, fmt.Errorf("skipped groups: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var run string
		var s service.SkippedGroup
		if err := rows.Scan(&run, &s.AccountID, &s.CustomerNumber, &s.CustomerName, &s.Provider, &s.Currency, &s.Items, &s.Reason); err != nil {
			return nil, fmt.Errorf("scan skipped group: %w", err)
		}
		out[run] = append(out[run], s)
	}
	return out, rows.Err()
}
