package sales

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/id"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service/usecase"
)

// RunStore reads and starts billing runs.
type RunStore interface {
	// StartBillingRun inserts the run of a period with r.Seq, or returns the
	// existing run with that seq (a failed one set running again).
	StartBillingRun(ctx context.Context, r BillingRun) (BillingRun, error)
	// LatestBillingRun returns the last run of a period, or a not_found
	// error.
	LatestBillingRun(ctx context.Context, tenantID string, r calendar.Range) (BillingRun, error)
	// StaleBillingRuns lists running runs whose lease expired before now.
	StaleBillingRuns(ctx context.Context, tenantID string, now time.Time) ([]BillingRun, error)
	GetBillingRun(ctx context.Context, tenantID, runID string) (BillingRun, error)
	ListBillingRuns(ctx context.Context, tenantID string) ([]BillingRun, error)
	// BillingRunSkips returns the groups the runs left out, by run id.
	BillingRunSkips(ctx context.Context, tenantID string, runIDs []string) (map[string][]SkippedGroup, error)
}

// RunRecorder records a run's lease and progress.
type RunRecorder interface {
	// LeaseBillingRun takes or renews the lease of a running run for owner
	// until until; false when another owner's lease is still valid at now.
	LeaseBillingRun(ctx context.Context, tenantID, runID, owner string, now, until time.Time) (bool, error)
	// AddBillingRunProgress adds to the run's counters (increments, so
	// several nodes may report on one run) and sets phase and status.
	AddBillingRunProgress(ctx context.Context, tenantID, runID string, p RunProgress) error
	// SetBillingRunSkips records the invoice groups a run left out of the
	// given bill-to accounts, replacing what an earlier attempt of the run
	// recorded for them.
	SetBillingRunSkips(ctx context.Context, tenantID, runID string, accounts []string, skips []SkippedGroup) error
}

// RunBatch is a planned part of a run's invoicing: whole bill-to accounts
// (about batchItems items), billed in one transaction by whichever node
// claims it, with the exchange rates the run was started with.
type RunBatch struct {
	Seq      int
	Accounts []string
	Items    int
	Rates    map[string]string
}

// GroupStore reads what a period has pending.
type GroupStore interface {
	// BillingGroups lists the pending items of a period grouped by bill-to
	// account, provider and currency, ordered by account, provider and
	// currency. With customerID, only that customer's items and those billed
	// to it count.
	BillingGroups(ctx context.Context, tenantID string, r calendar.Range, customerID string) ([]BillingGroup, error)
	// CountSkippedItems counts the items of a period a run leaves out: draft
	// items, and pending items whose bill-to account lacks billing
	// information.
	CountSkippedItems(ctx context.Context, tenantID string, r calendar.Range) (int, error)
}

// BillStore claims pending items and writes the invoices they go on.
type BillStore interface {
	// ClaimItems locks and returns the pending items of a period of the
	// customers, in id order. Items another transaction billed first are
	// left out.
	ClaimItems(ctx context.Context, tenantID string, r calendar.Range, customerIDs []string) ([]billing.SalesItem, error)
	// InsertInvoices inserts new documents with their lines in bulk.
	InsertInvoices(ctx context.Context, invs []billing.Invoice) error
	// MarkInvoiced sets items invoiced on their invoices; it returns how
	// many were still pending.
	MarkInvoiced(ctx context.Context, tenantID string, links []InvoicedItem) (int, error)
	// NextCounters reserves n consecutive values of a counter and returns
	// the last one.
	NextCounters(ctx context.Context, tenantID, name string, n int) (int64, error)
	// CustomersBilledTo returns the accounts and the customers billed to
	// them (sub-accounts).
	CustomersBilledTo(ctx context.Context, tenantID string, accounts []string) ([]billing.Customer, error)
}

// ItemReleaser returns a discarded or voided invoice's items to open (the
// invoices' use cases call it; billing never does).
type ItemReleaser interface {
	ReleaseInvoiceItems(ctx context.Context, tenantID, invoiceID string) (int, error)
}

// SkippedGroup is an invoice group (bill-to account, provider and currency)
// that billing left out, and why.
type SkippedGroup struct {
	AccountID      string    `json:"customer_id"`
	CustomerNumber string    `json:"customer_number"`
	CustomerName   string    `json:"customer_name"`
	Provider       string    `json:"provider"`
	Currency       string    `json:"currency"`
	Items          int       `json:"items"`
	Reason         string    `json:"reason"`
	At             time.Time `json:"-"` // when it was skipped
}

// BillingRun is one billing run of a period: durable, resumable, idempotent
// and safe to run on several nodes at once.
type BillingRun struct {
	ID              string            `json:"id"`
	TenantID        string            `json:"-"`
	PeriodStart     calendar.Date     `json:"period_start"`
	PeriodEnd       calendar.Date     `json:"period_end"`
	Issue           bool              `json:"issue"`
	Status          string            `json:"status"` // running, completed, failed
	Phase           string            `json:"phase"`  // contracts, invoicing, done
	ItemsTotal      int               `json:"items_total"`
	ItemsDone       int               `json:"items_done"`
	GroupsTotal     int               `json:"groups_total"`
	GroupsDone      int               `json:"groups_done"`
	InvoicesCreated int               `json:"invoices_created"`
	ContractItems   int               `json:"contract_items"` // contract and subscription items made by the run
	ItemsSkipped    int               `json:"items_skipped"`  // items of the period left out: their customer or bill-to account lacks billing information
	Error           string            `json:"error,omitempty"`
	StartedAt       time.Time         `json:"started_at"`
	UpdatedAt       time.Time         `json:"updated_at"`
	FinishedAt      *time.Time        `json:"finished_at,omitempty"`
	Rates           map[string]string `json:"-"`
	// Seq numbers the runs of one period: 1 for the first, then one more
	// for each supplementary run.
	Seq int `json:"seq"`
	// Supplements is, for a supplementary run, the period's first run.
	Supplements string     `json:"supplements,omitempty"`
	LeaseOwner  string     `json:"-"`
	LeaseUntil  *time.Time `json:"-"`
	// GroupsSkipped are the invoice groups the run left out, with the
	// reason (a currency without an exchange rate); their items stay
	// pending for a later run.
	GroupsSkipped []SkippedGroup `json:"groups_skipped"`
}

// Supplementary reports whether the run bills what became pending in its
// period after an earlier run of the period completed.
func (r BillingRun) Supplementary() bool { return r.Seq > 1 }

// runLease is how long a node holds a run without a sign of life; each
// batch renews it. A run whose lease has expired (its node crashed) is
// resumed by the next node that starts the period or sweeps.
const runLease = 2 * time.Minute

// errLeaseLost stops a node's work on a run another node took over.
var errLeaseLost = fail.Conflictf("another node took over this billing run")

// Percent is the share of the period's items invoiced so far.
func (r BillingRun) Percent() float64 {
	if r.Status == "completed" {
		return 100
	}
	if r.ItemsTotal == 0 {
		return 0
	}
	return float64(r.ItemsDone) * 100 / float64(r.ItemsTotal)
}

// ETA estimates the time left from the rate so far.
func (r BillingRun) ETA(now time.Time) time.Duration {
	if r.ItemsDone == 0 || r.ItemsTotal <= r.ItemsDone {
		return 0
	}
	elapsed := now.Sub(r.StartedAt)
	return time.Duration(float64(elapsed) * float64(r.ItemsTotal-r.ItemsDone) / float64(r.ItemsDone))
}

// RunProgress is an increment of a run's counters.
type RunProgress struct {
	ItemsTotal, ItemsDone, GroupsTotal, GroupsDone, InvoicesCreated, ContractItems int
	ItemsSkipped                                                                   *int // set, not added
	Phase, Status, Error                                                           string
	Finished                                                                       bool
	At                                                                             time.Time
}

// BillingGroup is the pending items that go on one invoice: same bill-to
// account, provider and currency (seed 000: one invoice per provider).
type BillingGroup struct {
	AccountID string
	Provider  string
	Currency  string
	Items     int
}

// maxItemsPerInvoice keeps invoices within billing.MaxLines.
const maxItemsPerInvoice = billing.MaxLines

// RunBilling runs (or resumes) the billing run of a period: it makes the
// contract items the period owes, exactly once per part and period, then
// groups pending items billed in the period into draft invoices, one per
// bill-to account, provider and currency, and optionally issues them. Every
// group is one transaction that claims its items, so a crash loses nothing
// and a rerun, or another node running the same period, bills no item twice.
//
// The node working on a run holds its lease (runLease), renewed in every
// batch's transaction: a start while a live node holds it returns the
// running run; a start after the lease expired (the node died) resumes it.
// Once the period's last run is completed, a start bills what became
// pending in the period since as a supplementary run (Seq > 1,
// Supplements naming the first run), or, with nothing pending, makes no
// run and returns the last one.
func (s *Service) RunBilling(ctx context.Context, p access.Principal, from, to calendar.Date, issue bool, rates map[string]string, progress func(BillingRun)) (BillingRun, error) {
	if err := p.Require(access.RunBilling); err != nil {
		return BillingRun{}, err
	}
	if from.IsZero() || to.IsZero() || to.Before(from) {
		return BillingRun{}, fail.Field("period_end", "give period_start and period_end, start first")
	}
	if err := checkRates(rates); err != nil {
		return BillingRun{}, err
	}
	// A run commits batch by batch, so a crash loses one batch and any node
	// resumes it: never inside a request's transaction.
	ctx = s.deps.Detach(ctx)
	period := calendar.Range{From: from, To: to}
	owner := id.NewAt("node", s.now())
	// A completed period is run again only for what became pending in it
	// since (a supplementary run); with nothing pending the last run is
	// the answer and no run is made.
	var seen *BillingRun
	if err := s.runs.Store.Read(ctx, func(tx RunsTx) error {
		r, err := tx.LatestBillingRun(ctx, p.TenantID, period)
		if err == nil {
			seen = &r
		} else if !fail.Is(err, fail.NotFound) {
			return err
		}
		return nil
	}); err != nil {
		return BillingRun{}, err
	}
	premade := 0
	if seen != nil && seen.Status == "completed" {
		made, pending, err := s.pendingInPeriod(ctx, p, period, rates)
		if err != nil {
			return *seen, err
		}
		if !pending {
			return s.reportRun(progress, *seen), nil
		}
		premade = made
	}
	now := s.now()
	var run BillingRun
	leased := false
	_, err := usecase.Write(ctx, s.runs, p, access.RunBilling, nil, func(tx RunsTx) (struct{}, usecase.Audit, error) {
		leased = false
		newRun := BillingRun{ID: id.NewAt("run", now), TenantID: p.TenantID, PeriodStart: from, PeriodEnd: to,
			Issue: issue, Status: "running", Phase: "contracts", StartedAt: now, UpdatedAt: now, Seq: 1}
		cur, err := tx.LatestBillingRun(ctx, p.TenantID, period)
		resume := false
		switch {
		case fail.Is(err, fail.NotFound):
		case err != nil:
			return struct{}{}, usecase.Audit{}, err
		case cur.Status != "completed":
			newRun, resume = cur, true
		case seen == nil || seen.ID != cur.ID || seen.Status != "completed":
			run = cur // another node has just run the period again
			return struct{}{}, usecase.Audit{}, nil
		default:
			newRun.Seq, newRun.Supplements = cur.Seq+1, cmp.Or(cur.Supplements, cur.ID)
		}
		if run, err = tx.StartBillingRun(ctx, newRun); err != nil || run.Status == "completed" {
			return struct{}{}, usecase.Audit{}, err
		}
		if leased, err = tx.LeaseBillingRun(ctx, p.TenantID, run.ID, owner, now, now.Add(runLease)); err != nil || !leased {
			return struct{}{}, usecase.Audit{}, err // !leased: a live node is running it
		}
		typ := "billing_run.started"
		switch {
		case resume || run.ID != newRun.ID:
			typ = "billing_run.resumed"
		case run.Seq > 1 && premade > 0:
			if err := tx.AddBillingRunProgress(ctx, p.TenantID, run.ID, RunProgress{ContractItems: premade, At: now}); err != nil {
				return struct{}{}, usecase.Audit{}, err
			}
			run.ContractItems += premade
		}
		return struct{}{}, usecase.Audit{}.Emit(typ, billingRunEvent(run)), nil
	})
	if err != nil {
		return run, err
	}
	if run.Status == "completed" {
		return s.reportRun(progress, run), nil
	}
	if !leased {
		// A live node is running it: help with its open batches.
		return s.helpRun(ctx, p, run, owner, progress)
	}
	// A resumed run keeps what it was started with.
	issue = run.Issue
	// lease renews the run's lease inside tx: a node whose lease another
	// node took over stops there, its transaction rolled back.
	lease := func(ctx context.Context, tx RunRecorder) error {
		now := s.now()
		ok, err := tx.LeaseBillingRun(ctx, p.TenantID, run.ID, owner, now, now.Add(runLease))
		if err == nil && !ok {
			err = errLeaseLost
		}
		return err
	}
	report := func() {
		if progress == nil {
			return
		}
		if r, err := s.getRun(ctx, p.TenantID, run.ID); err == nil {
			progress(r)
		}
	}
	abort := func(err error) (BillingRun, error) {
		if errors.Is(err, errLeaseLost) {
			return s.getRunOr(ctx, p.TenantID, run), nil // another node goes on with it
		}
		wctx := context.WithoutCancel(ctx)
		_, _ = usecase.Write(wctx, s.runs, p, access.RunBilling, nil, func(tx RunsTx) (struct{}, usecase.Audit, error) {
			if err := tx.AddBillingRunProgress(wctx, p.TenantID, run.ID, RunProgress{Status: "failed", Error: err.Error(), At: s.now()}); err != nil {
				return struct{}{}, usecase.Audit{}, err
			}
			r, err2 := tx.GetBillingRun(wctx, p.TenantID, run.ID)
			if err2 != nil {
				return struct{}{}, usecase.Audit{}, err2
			}
			return struct{}{}, usecase.Audit{}.Emit("billing_run.failed", billingRunEvent(r)), nil
		})
		return s.getRunOr(ctx, p.TenantID, run), err
	}
	// 1. Contract items of the period, a batch of contracts per transaction.
	stepStart := time.Now()
	if _, err := s.periodContractItems(ctx, p, period, func(tx BillingTx, made int) error {
		if err := lease(ctx, tx); err != nil {
			return err
		}
		return tx.AddBillingRunProgress(ctx, p.TenantID, run.ID, RunProgress{ContractItems: made, Status: "running", Phase: "contracts", At: s.now()})
	}); err != nil {
		return abort(err)
	}
	// Subscription periods starting by the period's end, each exactly once.
	if err := s.faultPoint("subscriptions"); err != nil {
		return abort(err)
	}
	subItems, err := s.deps.RenewSubscriptions(ctx, p.TenantID, to)
	if err != nil {
		return abort(err)
	}
	if subItems > 0 {
		if _, err := usecase.Write(ctx, s.runs, p, access.RunBilling, nil, func(tx RunsTx) (struct{}, usecase.Audit, error) {
			return struct{}{}, usecase.Audit{}, tx.AddBillingRunProgress(ctx, p.TenantID, run.ID,
				RunProgress{ContractItems: subItems, Status: "running", Phase: "contracts", At: s.now()})
		}); err != nil {
			return abort(err)
		}
	}
	s.step("contracts", stepStart)
	stepStart = time.Now()
	// 2. Invoices: planned as batches of whole bill-to accounts, one invoice
	// per account, provider and currency; this node and any node that joins
	// the run claim the open batches and bill each in its own transaction.
	var groups []BillingGroup
	skipped := 0
	if err := s.runs.Store.Read(ctx, func(tx RunsTx) error {
		var err error
		if skipped, err = tx.CountSkippedItems(ctx, p.TenantID, period); err != nil {
			return err
		}
		groups, err = tx.BillingGroups(ctx, p.TenantID, period, "")
		return err
	}); err != nil {
		return abort(err)
	}
	remaining := 0
	for _, g := range groups {
		remaining += g.Items
	}
	batches := planBatches(groups, s.batchItems(), rates)
	// Totals: what earlier attempts did plus what is left now.
	if _, err := usecase.Write(ctx, s.plans, p, access.RunBilling, nil, func(tx PlanTx) (struct{}, usecase.Audit, error) {
		if err := lease(ctx, tx); err != nil {
			return struct{}{}, usecase.Audit{}, err
		}
		cur, err := tx.GetBillingRun(ctx, p.TenantID, run.ID)
		if err != nil {
			return struct{}{}, usecase.Audit{}, err
		}
		if err := tx.PlanBillingRunBatches(ctx, p.TenantID, run.ID, batches); err != nil {
			return struct{}{}, usecase.Audit{}, err
		}
		return struct{}{}, usecase.Audit{}, tx.AddBillingRunProgress(ctx, p.TenantID, run.ID, RunProgress{ItemsTotal: cur.ItemsDone + remaining - cur.ItemsTotal,
			GroupsTotal: cur.GroupsDone + len(groups) - cur.GroupsTotal, ItemsSkipped: &skipped, Phase: "invoicing", Status: "running", At: s.now()})
	}); err != nil {
		return abort(err)
	}
	s.step("plan", stepStart)
	report()
	if _, err := s.billBatches(ctx, p, run, period, owner, issue, lease, report); err != nil {
		return abort(err)
	}
	// Batches other nodes hold: wait for them, keeping the lease; one whose
	// node died is open again and billed here.
	for {
		open := 0
		if _, err := usecase.Write(ctx, s.plans, p, access.RunBilling, nil, func(tx PlanTx) (struct{}, usecase.Audit, error) {
			var err error
			if open, err = tx.OpenBillingRunBatches(ctx, p.TenantID, run.ID); err != nil {
				return struct{}{}, usecase.Audit{}, err
			}
			return struct{}{}, usecase.Audit{}, lease(ctx, tx)
		}); err != nil {
			return abort(err)
		}
		if open == 0 {
			break
		}
		select {
		case <-ctx.Done():
			return abort(ctx.Err())
		case <-time.After(batchWait):
		}
		if _, err := s.billBatches(ctx, p, run, period, owner, issue, lease, report); err != nil {
			return abort(err)
		}
	}
	_, err = usecase.Write(ctx, s.runs, p, access.RunBilling, nil, func(tx RunsTx) (struct{}, usecase.Audit, error) {
		if err := lease(ctx, tx); err != nil {
			return struct{}{}, usecase.Audit{}, err
		}
		if err := tx.AddBillingRunProgress(ctx, p.TenantID, run.ID, RunProgress{Status: "completed", Phase: "done", Finished: true, At: s.now()}); err != nil {
			return struct{}{}, usecase.Audit{}, err
		}
		r, err := tx.GetBillingRun(ctx, p.TenantID, run.ID)
		if err != nil {
			return struct{}{}, usecase.Audit{}, err
		}
		skips, err := tx.BillingRunSkips(ctx, p.TenantID, []string{r.ID})
		if err != nil {
			return struct{}{}, usecase.Audit{}, err
		}
		r.GroupsSkipped = skips[r.ID]
		return struct{}{}, usecase.Audit{}.Emit("billing_run.completed", billingRunEvent(r)), nil
	})
	if err != nil {
		return abort(err)
	}
	out, err := s.getRun(ctx, p.TenantID, run.ID)
	if progress != nil && err == nil {
		progress(out)
	}
	return out, err
}

// reportRun hands a run that needs no work to progress, and returns it.
func (s *Service) reportRun(progress func(BillingRun), r BillingRun) BillingRun {
	if progress != nil {
		progress(r)
	}
	return r
}

// periodContractItems makes the contract items the tenant's contracts owe
// for the periods billed in period, for p (who runs the billing), a batch
// of contracts per transaction; each, when set, runs inside each batch's
// transaction with what it made.
func (s *Service) periodContractItems(ctx context.Context, p access.Principal, period calendar.Range, each func(tx BillingTx, made int) error) (int, error) {
	tenantID := p.TenantID
	var contracts []billing.Contract
	if err := s.billing.Store.Read(ctx, func(tx BillingTx) error {
		var err error
		contracts, err = tx.ListContracts(ctx, tenantID, "")
		return err
	}); err != nil {
		return 0, err
	}
	const contractBatch = 50
	total := 0
	for start := 0; start < len(contracts); start += contractBatch {
		batch := contracts[start:min(start+contractBatch, len(contracts))]
		if err := s.faultPoint("contracts"); err != nil {
			return total, err
		}
		made, err := usecase.Write(ctx, s.billing, p, access.RunBilling, nil, func(tx BillingTx) (int, usecase.Audit, error) {
			made := 0
			for _, c := range batch {
				n, err := s.contractItems(ctx, tx, tenantID, c, period)
				if err != nil {
					return 0, usecase.Audit{}, err
				}
				made += n
			}
			if each != nil {
				return made, usecase.Audit{}, each(tx, made)
			}
			return made, usecase.Audit{}, nil
		})
		if err != nil {
			return total, err
		}
		total += made
	}
	return total, nil
}

// errDryRun rolls back a transaction that only looked.
var errDryRun = errors.New("dry run")

// pendingInPeriod makes what a period owes since its last run (contract
// items, subscription periods; each exactly once, so this is safe) and
// reports whether anything in it would be billed now: a group that would
// make an invoice (its transaction rolled back), or one that fails to bill,
// so that the run says why instead of leaving it behind.
func (s *Service) pendingInPeriod(ctx context.Context, p access.Principal, period calendar.Range, rates map[string]string) (int, bool, error) {
	made, err := s.periodContractItems(ctx, p, period, nil)
	if err != nil {
		return made, false, err
	}
	n, err := s.deps.RenewSubscriptions(ctx, p.TenantID, period.To)
	if err != nil {
		return made, false, err
	}
	made += n
	var groups []BillingGroup
	if err := s.runs.Store.Read(ctx, func(tx RunsTx) error {
		var err error
		groups, err = tx.BillingGroups(ctx, p.TenantID, period, "")
		return err
	}); err != nil {
		return made, false, err
	}
	var accounts []string
	for _, g := range groups {
		if len(accounts) == 0 || accounts[len(accounts)-1] != g.AccountID {
			accounts = append(accounts, g.AccountID)
		}
	}
	const perTx = 200
	for start := 0; start < len(accounts); start += perTx {
		batch := accounts[start:min(start+perTx, len(accounts))]
		billed := false
		_, err := usecase.Write(ctx, s.billing, p, access.RunBilling, nil, func(tx BillingTx) (struct{}, usecase.Audit, error) {
			invs, _, err := s.billAccounts(ctx, tx, p, batch, billOptions{period: period, invDate: period.To, invPeriod: &period, rates: rates})
			if err != nil {
				return struct{}{}, usecase.Audit{}, err
			}
			billed = len(invs) > 0
			return struct{}{}, usecase.Audit{}, errDryRun
		})
		if billed || (err != nil && !errors.Is(err, errDryRun)) {
			return made, true, nil
		}
	}
	return made, false, nil
}

// ResumeBillingRuns resumes the tenant's runs whose node stopped without
// finishing them (their lease expired), each on this node. Every node's
// sweep calls it; the lease lets one node at a time work on a run.
func (s *Service) ResumeBillingRuns(ctx context.Context, tenantID string) ([]BillingRun, error) {
	var stale []BillingRun
	if err := s.runs.Store.Read(ctx, func(tx RunsTx) error {
		var err error
		stale, err = tx.StaleBillingRuns(ctx, tenantID, s.now())
		return err
	}); err != nil {
		return nil, err
	}
	var out []BillingRun
	for _, r := range stale {
		done, err := s.RunBilling(ctx, access.System(tenantID, "billing run resume"), r.PeriodStart, r.PeriodEnd, r.Issue, nil, nil)
		if err != nil {
			return out, fmt.Errorf("resume billing run %s: %w", r.ID, err)
		}
		out = append(out, done)
	}
	return out, nil
}

// TraceSteps are the steps of a billing run Deps.Trace is told about, in
// order: per run, the contract items and the plan; per batch, the steps of
// billing its accounts (billAccounts), the rest of the batch's
// transaction, and its commit.
var TraceSteps = []string{"contracts", "plan", "customers", "claim", "price", "number", "insert", "mark", "issue", "events",
	"progress", "commit"}

// step tells Deps.Trace how long step took since start.
func (s *Service) step(name string, start time.Time) {
	if s.deps.Trace != nil {
		s.deps.Trace(name, time.Since(start))
	}
}

// batchWait is how long the node running a run waits between looks at the
// batches other nodes hold.
const batchWait = 100 * time.Millisecond

// planBatches splits the groups of a period (ordered by account) into
// batches of whole accounts of about batchItems items each.
func planBatches(groups []BillingGroup, batchItems int, rates map[string]string) []RunBatch {
	var out []RunBatch
	for start := 0; start < len(groups); {
		end, items := start, 0
		for end < len(groups) && (items < batchItems || (end > start && groups[end].AccountID == groups[end-1].AccountID)) {
			items += groups[end].Items
			end++
		}
		b := RunBatch{Items: items, Rates: rates}
		for _, g := range groups[start:end] {
			if len(b.Accounts) == 0 || b.Accounts[len(b.Accounts)-1] != g.AccountID {
				b.Accounts = append(b.Accounts, g.AccountID)
			}
		}
		out = append(out, b)
		start = end
	}
	return out
}

// billBatches claims and bills the run's open batches, one transaction
// each, until none is left that another node does not hold, and returns
// how many it billed. lease renews the run's lease in each batch's
// transaction (nil on a node helping the node that runs it); report, when
// set, follows each batch.
func (s *Service) billBatches(ctx context.Context, p access.Principal, run BillingRun, period calendar.Range, node string, issue bool,
	lease func(context.Context, RunRecorder) error, report func()) (int, error) {
	n := 0
	for {
		if err := s.faultPoint("group"); err != nil {
			return n, err
		}
		billed, err := s.billNextBatch(ctx, p, run, period, node, issue, lease)
		if err != nil || !billed {
			return n, err
		}
		n++
		if report != nil {
			report()
		}
	}
}

// billNextBatch claims the run's next open batch and bills its bill-to
// accounts in one transaction, which records the progress and marks the
// batch done by node; false when no batch was open.
func (s *Service) billNextBatch(ctx context.Context, p access.Principal, run BillingRun, period calendar.Range, node string,
	issue bool, lease func(context.Context, RunRecorder) error) (bool, error) {
	var done time.Time // when the transaction's work ended: the commit follows
	defer func() {
		if !done.IsZero() {
			s.step("commit", done)
		}
	}()
	return usecase.Write(ctx, s.batches, p, access.RunBilling, nil, func(tx BatchTx) (bool, usecase.Audit, error) {
		defer func() { done = time.Now() }()
		b, ok, err := tx.ClaimBillingRunBatch(ctx, p.TenantID, run.ID)
		if err != nil || !ok {
			return false, usecase.Audit{}, err
		}
		held := 0
		var skipped []SkippedGroup
		invs, n, err := s.billAccounts(ctx, tx, p, b.Accounts, billOptions{period: period, invDate: period.To, invPeriod: &period,
			issue: issue, rates: b.Rates, event: map[string]any{"billing_run_id": run.ID}, held: &held, skipped: &skipped})
		if err != nil {
			return false, usecase.Audit{}, fmt.Errorf("bill accounts %s to %s: %w", b.Accounts[0], b.Accounts[len(b.Accounts)-1], err)
		}
		defer s.step("progress", time.Now())
		// The run's row last, after the document counter billing took:
		// every node takes the two in this order, so none deadlocks.
		if lease != nil {
			if err := lease(ctx, tx); err != nil {
				return false, usecase.Audit{}, err
			}
		}
		if err := tx.SetBillingRunSkips(ctx, p.TenantID, run.ID, b.Accounts, skipped); err != nil {
			return false, usecase.Audit{}, err
		}
		// Held credits stay pending: they leave the run's total.
		if err := tx.AddBillingRunProgress(ctx, p.TenantID, run.ID, RunProgress{ItemsTotal: -held, ItemsDone: n, GroupsDone: len(invs), InvoicesCreated: len(invs),
			Status: "running", Phase: "invoicing", At: s.now()}); err != nil {
			return false, usecase.Audit{}, err
		}
		if err := tx.FinishBillingRunBatch(ctx, p.TenantID, run.ID, b.Seq, node, s.now()); err != nil {
			return false, usecase.Audit{}, err
		}
		if len(invs) == 0 {
			return true, usecase.Audit{}, nil
		}
		return true, usecase.Entry("billing_run.invoiced", "billing_run", run.ID, map[string]any{"accounts": len(b.Accounts),
			"invoices": len(invs), "items": n, "first": invs[0].DocumentNumber, "last": invs[len(invs)-1].DocumentNumber,
			"batch": b.Seq, "node": node}), nil
	})
}

// helpRun bills open batches of a run another live node is running, as
// node, and returns the run as it stands: the node running it completes it.
func (s *Service) helpRun(ctx context.Context, p access.Principal, run BillingRun, node string, progress func(BillingRun)) (BillingRun, error) {
	period := calendar.Range{From: run.PeriodStart, To: run.PeriodEnd}
	_, err := s.billBatches(ctx, p, run, period, node, run.Issue, nil, nil)
	return s.reportRun(progress, s.getRunOr(ctx, p.TenantID, run)), err
}

// HelpBillingRun bills, on this node, the open batches of a tenant's
// running billing run, and returns how many it billed: the job a run's
// start inserts so that other nodes share the work (none once the run is
// no longer running).
func (s *Service) HelpBillingRun(ctx context.Context, tenantID, runID string) (int, error) {
	ctx = s.deps.Detach(ctx)
	run, err := s.getRun(ctx, tenantID, runID)
	if fail.Is(err, fail.NotFound) {
		return 0, nil
	}
	if err != nil || run.Status != "running" {
		return 0, err
	}
	p := access.System(tenantID, "billing run helper")
	period := calendar.Range{From: run.PeriodStart, To: run.PeriodEnd}
	return s.billBatches(ctx, p, run, period, id.NewAt("node", s.now()), run.Issue, nil, nil)
}

func checkRates(rates map[string]string) error {
	for cur, r := range rates {
		if _, err := money.ParseCurrency(cur); err != nil {
			return fail.Field("exchange_rates."+cur, "%v", err)
		}
		d, err := money.ReadDecimal("exchange_rates."+cur, r, "0.92")
		if err != nil {
			return err
		}
		if !d.IsPositive() {
			return fail.Field("exchange_rates."+cur, "must be above 0")
		}
	}
	return nil
}

func (s *Service) getRun(ctx context.Context, tenantID, runID string) (BillingRun, error) {
	var r BillingRun
	err := s.runs.Store.Read(ctx, func(tx RunsTx) error {
		var err error
		if r, err = tx.GetBillingRun(ctx, tenantID, runID); err != nil {
			return err
		}
		skips, err := tx.BillingRunSkips(ctx, tenantID, []string{r.ID})
		r.GroupsSkipped = skips[r.ID]
		return err
	})
	return r, err
}

func (s *Service) getRunOr(ctx context.Context, tenantID string, fallback BillingRun) BillingRun {
	if r, err := s.getRun(context.WithoutCancel(ctx), tenantID, fallback.ID); err == nil {
		return r
	}
	return fallback
}

// GetBillingRun returns a run with its progress.
func (s *Service) GetBillingRun(ctx context.Context, p access.Principal, runID string) (BillingRun, error) {
	if err := p.Require(access.RunBilling); err != nil {
		return BillingRun{}, err
	}
	return s.getRun(ctx, p.TenantID, runID)
}

// ListBillingRuns lists the tenant's runs, newest first.
func (s *Service) ListBillingRuns(ctx context.Context, p access.Principal) ([]BillingRun, error) {
	if err := p.Require(access.RunBilling); err != nil {
		return nil, err
	}
	var out []BillingRun
	err := s.runs.Store.Read(ctx, func(tx RunsTx) error {
		var err error
		if out, err = tx.ListBillingRuns(ctx, p.TenantID); err != nil {
			return err
		}
		ids := make([]string, len(out))
		for k, r := range out {
			ids[k] = r.ID
		}
		skips, err := tx.BillingRunSkips(ctx, p.TenantID, ids)
		for k := range out {
			out[k].GroupsSkipped = skips[out[k].ID]
		}
		return err
	})
	return out, err
}

// SetBillingRunDay sets the day of the month (1–28) on which the previous
// month's billing run starts by itself; 0 turns the schedule off.
func (s *Service) SetBillingRunDay(ctx context.Context, p access.Principal, day int) (billing.Tenant, error) {
	return usecase.Write(ctx, s.runs, p, access.ManageTenant, func() error {
		if day < 0 || day > 28 {
			return fail.Field("billing_run_day", "%d is not a day from 1 to 28 (or 0 for no scheduled billing run)", day)
		}
		return nil
	}, func(tx RunsTx) (billing.Tenant, usecase.Audit, error) {
		t, err := tx.GetTenant(ctx, p.TenantID)
		if err != nil {
			return billing.Tenant{}, usecase.Audit{}, err
		}
		t.BillingRunDay = day
		t.UpdatedAt = s.now()
		if err := tx.UpdateTenant(ctx, t); err != nil {
			return billing.Tenant{}, usecase.Audit{}, err
		}
		return t, usecase.Entry("tenant.billing_run_day", "tenant", t.ID, map[string]int{"billing_run_day": day}), nil
	})
}

// ScheduledBillingRun starts the previous month's run when the tenant's
// billing day has come and that run is not completed. Every node may call
// it: the run itself is idempotent and safe to run on several nodes.
func (s *Service) ScheduledBillingRun(ctx context.Context, tenantID string) (*BillingRun, error) {
	var tenant billing.Tenant
	if err := s.runs.Store.Read(ctx, func(tx RunsTx) error {
		var err error
		tenant, err = tx.GetTenant(ctx, tenantID)
		return err
	}); err != nil {
		return nil, err
	}
	if tenant.BillingRunDay == 0 {
		return nil, nil
	}
	today := calendar.Today(s.now(), tenant.Location())
	if today.Day < tenant.BillingRunDay {
		return nil, nil
	}
	first := calendar.New(today.Year, today.Month, 1)
	from, to := first.AddMonths(-1), first.AddDays(-1)
	runs, err := s.ListBillingRuns(ctx, access.System(tenantID, "schedule"))
	if err != nil {
		return nil, err
	}
	for _, r := range runs {
		if r.PeriodStart == from && r.PeriodEnd == to && r.Status == "completed" {
			return nil, nil
		}
	}
	r, err := s.RunBilling(ctx, access.System(tenantID, "billing schedule"), from, to, false, nil, nil)
	return &r, err
}

// billingRunEvent is the data of billing_run.* events.
func billingRunEvent(r BillingRun) map[string]any {
	return map[string]any{"id": r.ID, "status": r.Status, "period_start": r.PeriodStart.String(), "period_end": r.PeriodEnd.String(),
		"issue": r.Issue, "items_done": r.ItemsDone, "items_total": r.ItemsTotal, "invoices_created": r.InvoicesCreated, "error": r.Error,
		"supplementary": r.Supplementary(), "supplements": r.Supplements, "groups_skipped": len(r.GroupsSkipped)}
}
