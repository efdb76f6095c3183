package salessql

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/jobs/jobargs"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store/dbtx"
	"github.com/facturo/facturo/store/enginesql"
	"github.com/facturo/facturo/store/sqlitesql"
)

// runOf is the billing run a row holds.
func runOf(r sqlitesql.BillingRun) (service.BillingRun, error) {
	var p dbtx.Parse
	out := service.BillingRun{TenantID: r.TenantID, ID: r.ID, PeriodStart: p.Date(r.PeriodStart), PeriodEnd: p.Date(r.PeriodEnd), Issue: r.Issue,
		Status: r.Status, Phase: r.Phase, ItemsTotal: int(r.ItemsTotal), ItemsDone: int(r.ItemsDone), GroupsTotal: int(r.GroupsTotal),
		GroupsDone: int(r.GroupsDone), InvoicesCreated: int(r.InvoicesCreated), ContractItems: int(r.ContractItems),
		ItemsSkipped: int(r.ItemsSkipped), Error: r.Error, StartedAt: r.StartedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		FinishedAt: r.FinishedAt.Ptr(), Seq: int(r.Seq), Supplements: r.Supplements, LeaseOwner: r.LeaseOwner, LeaseUntil: r.LeaseUntil.Ptr()}
	if p.Err != nil {
		return out, fmt.Errorf("billing run %s: %w", r.ID, p.Err)
	}
	return out, nil
}

func runsOf(rows []sqlitesql.BillingRun, err error) ([]service.BillingRun, error) {
	if err != nil {
		return nil, err
	}
	return dbtx.Map(rows, runOf)
}

func (t *Sales) StartBillingRun(ctx context.Context, r service.BillingRun) (service.BillingRun, error) {
	if r.Seq == 0 {
		r.Seq = 1
	}
	q := enginesql.For(t.Tx)
	err := q.InsertBillingRun(ctx, sqlitesql.InsertBillingRunParams{TenantID: r.TenantID, ID: r.ID, PeriodStart: dbtx.DateText(r.PeriodStart),
		PeriodEnd: dbtx.DateText(r.PeriodEnd), Issue: r.Issue, Status: r.Status, Phase: r.Phase, StartedAt: dbtx.TimeOf(r.StartedAt),
		UpdatedAt: dbtx.TimeOf(r.UpdatedAt), Seq: int64(r.Seq), Supplements: r.Supplements})
	if err != nil {
		return r, fmt.Errorf("start billing run: %w", err)
	}
	row, err := q.BillingRunOf(ctx, sqlitesql.BillingRunOfParams{TenantID: r.TenantID, PeriodStart: dbtx.DateText(r.PeriodStart),
		PeriodEnd: dbtx.DateText(r.PeriodEnd), Seq: int64(r.Seq)})
	if err != nil {
		return r, fmt.Errorf("read billing run: %w", err)
	}
	got, err := runOf(row)
	if err != nil {
		return r, err
	}
	if got.Status == "failed" {
		// Resuming a failed run.
		if err := q.ResumeBillingRun(ctx, sqlitesql.ResumeBillingRunParams{TenantID: got.TenantID, ID: got.ID}); err != nil {
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
	row, err := enginesql.For(t.Tx).LatestBillingRun(ctx, sqlitesql.LatestBillingRunParams{TenantID: tenantID,
		PeriodStart: dbtx.DateText(r.From), PeriodEnd: dbtx.DateText(r.To)})
	if dbtx.ErrNoRows(err) {
		return service.BillingRun{}, dbtx.NotFound("billing run", r.From.String()+".."+r.To.String())
	}
	if err != nil {
		return service.BillingRun{}, fmt.Errorf("latest billing run: %w", err)
	}
	return runOf(row)
}

// LeaseBillingRun takes or renews the lease of a running run for owner
// until until; it reports false when another owner holds a lease that has
// not expired at now (or the run is not running).
func (t *Sales) LeaseBillingRun(ctx context.Context, tenantID, runID, owner string, now, until time.Time) (bool, error) {
	n, err := enginesql.For(t.Tx).LeaseBillingRun(ctx, sqlitesql.LeaseBillingRunParams{Owner: owner, LeaseUntil: dbtx.TimeOf(until),
		TenantID: tenantID, ID: runID, Now: dbtx.TimeOf(now)})
	if err != nil {
		return false, fmt.Errorf("lease billing run: %w", err)
	}
	return n == 1, nil
}

// StaleBillingRuns lists the running runs whose lease has expired at now:
// their node stopped without finishing them.
func (t *Sales) StaleBillingRuns(ctx context.Context, tenantID string, now time.Time) ([]service.BillingRun, error) {
	runs, err := runsOf(enginesql.For(t.Tx).StaleBillingRuns(ctx, sqlitesql.StaleBillingRunsParams{TenantID: tenantID, Now: dbtx.TimeOf(now)}))
	if err != nil {
		return nil, fmt.Errorf("stale billing runs: %w", err)
	}
	return runs, nil
}

func (t *Sales) GetBillingRun(ctx context.Context, tenantID, runID string) (service.BillingRun, error) {
	row, err := enginesql.For(t.Tx).GetBillingRun(ctx, sqlitesql.GetBillingRunParams{TenantID: tenantID, ID: runID})
	if dbtx.ErrNoRows(err) {
		return service.BillingRun{}, dbtx.NotFound("billing run", runID)
	}
	if err != nil {
		return service.BillingRun{}, fmt.Errorf("get billing run: %w", err)
	}
	return runOf(row)
}

func (t *Sales) ListBillingRuns(ctx context.Context, tenantID string) ([]service.BillingRun, error) {
	runs, err := runsOf(enginesql.For(t.Tx).ListBillingRuns(ctx, tenantID))
	if err != nil {
		return nil, fmt.Errorf("list billing runs: %w", err)
	}
	return runs, nil
}

func (t *Sales) AddBillingRunProgress(ctx context.Context, tenantID, runID string, p service.RunProgress) error {
	arg := sqlitesql.AddBillingRunProgressParams{ItemsTotal: int64(p.ItemsTotal), ItemsDone: int64(p.ItemsDone), GroupsTotal: int64(p.GroupsTotal),
		GroupsDone: int64(p.GroupsDone), InvoicesCreated: int64(p.InvoicesCreated), ContractItems: int64(p.ContractItems),
		UpdatedAt: dbtx.TimeOf(p.At), Phase: p.Phase, Status: p.Status, Error: p.Error, TenantID: tenantID, ID: runID}
	if p.ItemsSkipped != nil {
		arg.ItemsSkipped = sql.NullInt64{Int64: int64(*p.ItemsSkipped), Valid: true}
	}
	if p.Finished {
		arg.FinishedAt = dbtx.TimeOf(p.At)
	}
	n, err := enginesql.For(t.Tx).AddBillingRunProgress(ctx, arg)
	return dbtx.MustAffectRows(n, err, "billing run", runID)
}

func (t *Sales) BillingGroups(ctx context.Context, tenantID string, r calendar.Range, customerID string) ([]service.BillingGroup, error) {
	rows, err := enginesql.For(t.Tx).BillingGroups(ctx, sqlitesql.BillingGroupsParams{TenantID: tenantID, FromDate: dbtx.DateText(r.From),
		ToDate: dbtx.DateText(r.To), CustomerID: customerID})
	if err != nil {
		return nil, fmt.Errorf("billing groups: %w", err)
	}
	out := make([]service.BillingGroup, 0, len(rows))
	for _, g := range rows {
		out = append(out, service.BillingGroup{AccountID: g.AccountID, Provider: g.Provider, Currency: g.Currency, Items: int(g.Items)})
	}
	return out, nil
}

func (t *Sales) ClaimItems(ctx context.Context, tenantID string, r calendar.Range, customerIDs []string) ([]billing.SalesItem, error) {
	var out []billing.SalesItem
	q := enginesql.For(t.Tx)
	const chunk = 1000
	err := t.withCustomPlans(ctx, func() error {
		for start := 0; start < len(customerIDs); start += chunk {
			rows, err := q.ClaimItems(ctx, sqlitesql.ClaimItemsParams{TenantID: tenantID, FromDate: dbtx.DateText(r.From), ToDate: dbtx.DateText(r.To),
				CustomerIds: customerIDs[start:min(start+chunk, len(customerIDs))]})
			if err != nil {
				return fmt.Errorf("claim items: %w", err)
			}
			items, err := salesItemsOf(rows)
			if err != nil {
				return err
			}
			out = append(out, items...)
		}
		return nil
	})
	return out, err
}

// MarkInvoiced links the items to their invoices, many in one statement:
// sqlc writes no statement over a list of pairs, so it is written here.
func (t *Sales) MarkInvoiced(ctx context.Context, tenantID string, links []service.InvoicedItem) (int, error) {
	total := 0
	if t.D.Engine == dbtx.Postgres {
		items, invs := make([]string, len(links)), make([]string, len(links))
		for i, l := range links {
			items[i], invs[i] = l.ItemID, l.InvoiceID
		}
		var n int64
		err := t.withCustomPlans(ctx, func() error {
			res, err := t.Exec(ctx, `UPDATE sales_items SET status = 'invoiced', invoice_id = u.invoice_id
				FROM unnest(?::text[], ?::text[]) AS u(item_id, invoice_id)
				WHERE sales_items.tenant_id = ? AND sales_items.id = u.item_id AND sales_items.status = 'pending'`, items, invs, tenantID)
			if err != nil {
				return fmt.Errorf("mark items invoiced: %w", err)
			}
			n, _ = res.RowsAffected()
			return nil
		})
		return int(n), err
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
	n, err := enginesql.For(t.Tx).CountSkippedItems(ctx, sqlitesql.CountSkippedItemsParams{TenantID: tenantID, FromDate: dbtx.DateText(r.From),
		ToDate: dbtx.DateText(r.To)})
	if err != nil {
		return 0, fmt.Errorf("count skipped items: %w", err)
	}
	return int(n), nil
}

// ReleaseInvoiceItems returns a discarded draft's items to the customer's
// open items: pending with billing information, draft without.
func (t *Sales) ReleaseInvoiceItems(ctx context.Context, tenantID, invoiceID string) (int, error) {
	n, err := enginesql.For(t.Tx).ReleaseInvoiceItems(ctx, sqlitesql.ReleaseInvoiceItemsParams{TenantID: tenantID, InvoiceID: invoiceID})
	if err != nil {
		return 0, fmt.Errorf("release invoice items: %w", err)
	}
	return int(n), nil
}

// withCustomPlans runs fn with PostgreSQL planning each statement for its
// own parameters: the billing statements bind hundreds of ids, and a cached
// generic plan cannot tell that they hit a few index entries. Only fn's
// statements: the rest of the transaction (the foreign-key checks of every
// invoice and line the run inserts) keeps its cached plans.
func (t *Sales) withCustomPlans(ctx context.Context, fn func() error) error {
	if t.D.Engine != dbtx.Postgres {
		return fn()
	}
	if _, err := t.Exec(ctx, `SET LOCAL plan_cache_mode = force_custom_plan`); err != nil {
		return fmt.Errorf("plan cache mode: %w", err)
	}
	if err := fn(); err != nil {
		return err
	}
	if _, err := t.Exec(ctx, `SET LOCAL plan_cache_mode = auto`); err != nil {
		return fmt.Errorf("plan cache mode: %w", err)
	}
	return nil
}

func (t *Sales) SetBillingRunSkips(ctx context.Context, tenantID, runID string, accounts []string, skips []service.SkippedGroup) error {
	q := enginesql.For(t.Tx)
	for start := 0; start < len(accounts); start += 500 {
		if err := q.ClearBillingRunSkips(ctx, sqlitesql.ClearBillingRunSkipsParams{TenantID: tenantID, RunID: runID,
			Accounts: accounts[start:min(start+500, len(accounts))]}); err != nil {
			return fmt.Errorf("clear skipped groups: %w", err)
		}
	}
	for _, s := range skips {
		if err := q.UpsertBillingRunSkip(ctx, sqlitesql.UpsertBillingRunSkipParams{TenantID: tenantID, RunID: runID, AccountID: s.AccountID,
			CustomerNumber: s.CustomerNumber, CustomerName: s.CustomerName, Provider: s.Provider, Currency: s.Currency, Items: int64(s.Items),
			Reason: s.Reason, CreatedAt: dbtx.TimeOf(s.At)}); err != nil {
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
	rows, err := enginesql.For(t.Tx).BillingRunSkips(ctx, sqlitesql.BillingRunSkipsParams{TenantID: tenantID, RunIds: runIDs})
	if err != nil {
		return nil, fmt.Errorf("skipped groups: %w", err)
	}
	for _, r := range rows {
		out[r.RunID] = append(out[r.RunID], service.SkippedGroup{AccountID: r.AccountID, CustomerNumber: r.CustomerNumber,
			CustomerName: r.CustomerName, Provider: r.Provider, Currency: r.Currency, Items: int(r.Items), Reason: r.Reason})
	}
	return out, nil
}

func (t *Sales) PlanBillingRunBatches(ctx context.Context, tenantID, runID string, batches []service.RunBatch) error {
	q := enginesql.For(t.Tx)
	if err := q.DropOpenBillingRunBatches(ctx, sqlitesql.DropOpenBillingRunBatchesParams{TenantID: tenantID, RunID: runID}); err != nil {
		return fmt.Errorf("replan billing run: %w", err)
	}
	last, err := q.LastBillingRunBatch(ctx, sqlitesql.LastBillingRunBatchParams{TenantID: tenantID, RunID: runID})
	if err != nil {
		return fmt.Errorf("replan billing run: %w", err)
	}
	rows := make([]sqlitesql.BillingRunBatch, len(batches))
	for i, b := range batches {
		accounts, err := dbtx.JSONArg(b.Accounts)
		if err != nil {
			return err
		}
		rates, err := dbtx.JSONArg(dbtx.NonNilMap(b.Rates))
		if err != nil {
			return err
		}
		rows[i] = sqlitesql.BillingRunBatch{TenantID: tenantID, RunID: runID, Seq: last + int64(i) + 1, Accounts: accounts,
			Items: int64(b.Items), Rates: rates, Status: "planned"}
	}
	if err := dbtx.BulkInsertRows(ctx, t.Tx, "billing_run_batches", rows); err != nil {
		return fmt.Errorf("plan billing run: %w", err)
	}
	// PostgreSQL bills batches side by side (FOR UPDATE SKIP LOCKED): jobs
	// that any serve node takes help the node that planned them. SQLite has
	// one writer, so helpers would only queue behind it.
	if t.D.Engine != dbtx.Postgres || t.Jobs == nil {
		return nil
	}
	for i := range min(len(batches)-1, runHelpers) {
		args := jobargs.HelpBillingRun{TenantID: tenantID, RunID: runID, Helper: i + 1, Plan: int(last) + len(batches)}
		if err := t.InsertJob(ctx, args, args.Opts()); err != nil {
			return err
		}
	}
	return nil
}

// runHelpers is how many helper jobs a plan inserts at most: the nodes
// beside the one that planned it that may bill its batches at once.
const runHelpers = 3

func (t *Sales) ClaimBillingRunBatch(ctx context.Context, tenantID, runID string) (service.RunBatch, bool, error) {
	rows, err := enginesql.For(t.Tx).ClaimBillingRunBatch(ctx, sqlitesql.ClaimBillingRunBatchParams{TenantID: tenantID, RunID: runID})
	if err != nil || len(rows) == 0 {
		if err != nil {
			err = fmt.Errorf("claim a billing run batch: %w", err)
		}
		return service.RunBatch{}, false, err
	}
	r := rows[0]
	b := service.RunBatch{Seq: int(r.Seq), Items: int(r.Items)}
	if err := json.Unmarshal([]byte(r.Accounts), &b.Accounts); err != nil {
		return b, false, fmt.Errorf("billing run batch %d accounts: %w", r.Seq, err)
	}
	if err := json.Unmarshal([]byte(r.Rates), &b.Rates); err != nil {
		return b, false, fmt.Errorf("billing run batch %d rates: %w", r.Seq, err)
	}
	return b, true, nil
}

func (t *Sales) FinishBillingRunBatch(ctx context.Context, tenantID, runID string, seq int, node string, at time.Time) error {
	n, err := enginesql.For(t.Tx).FinishBillingRunBatch(ctx, sqlitesql.FinishBillingRunBatchParams{DoneBy: node, DoneAt: dbtx.TimeOf(at),
		TenantID: tenantID, RunID: runID, Seq: int64(seq)})
	return dbtx.MustAffectRows(n, err, "open billing run batch", fmt.Sprint(seq))
}

func (t *Sales) OpenBillingRunBatches(ctx context.Context, tenantID, runID string) (int, error) {
	n, err := enginesql.For(t.Tx).OpenBillingRunBatches(ctx, sqlitesql.OpenBillingRunBatchesParams{TenantID: tenantID, RunID: runID})
	if err != nil {
		return 0, fmt.Errorf("open billing run batches: %w", err)
	}
	return int(n), nil
}
