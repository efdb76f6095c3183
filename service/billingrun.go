package service

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/id"
	"github.com/facturo/facturo/money"
)

// BillingRunStore persists billing runs and finds what they bill.
type BillingRunStore interface {
	// StartBillingRun inserts the run of a period, or returns the existing one.
	StartBillingRun(ctx context.Context, r BillingRun) (BillingRun, error)
	GetBillingRun(ctx context.Context, tenantID, runID string) (BillingRun, error)
	ListBillingRuns(ctx context.Context, tenantID string) ([]BillingRun, error)
	// AddBillingRunProgress adds to the run's counters (increments, so
	// several nodes may report on one run) and sets phase and status.
	AddBillingRunProgress(ctx context.Context, tenantID, runID string, p RunProgress) error
	// BillingGroups lists the pending items of a period grouped by bill-to
	// account, provider and currency, in a stable order.
	BillingGroups(ctx context.Context, tenantID string, r calendar.Range) ([]BillingGroup, error)
	// ClaimGroupItems locks and returns up to limit pending items of a group
	// (only those still pending once locked).
	ClaimGroupItems(ctx context.Context, tenantID string, r calendar.Range, g BillingGroup, limit int) ([]billing.SalesItem, error)
	// MarkItemsInvoiced sets the items invoiced on an invoice; it returns how
	// many were still pending.
	MarkItemsInvoiced(ctx context.Context, tenantID, invoiceID string, itemIDs []string) (int, error)
	// ReleaseInvoiceItems returns a discarded draft's items to open.
	ReleaseInvoiceItems(ctx context.Context, tenantID, invoiceID string) (int, error)
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
	Error           string            `json:"error,omitempty"`
	StartedAt       time.Time         `json:"started_at"`
	UpdatedAt       time.Time         `json:"updated_at"`
	FinishedAt      *time.Time        `json:"finished_at,omitempty"`
	Rates           map[string]string `json:"-"`
}

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
func (s *Service) RunBilling(ctx context.Context, p access.Principal, from, to calendar.Date, issue bool, rates map[string]string, progress func(BillingRun)) (BillingRun, error) {
	if err := p.Require(access.RunBilling); err != nil {
		return BillingRun{}, err
	}
	if from.IsZero() || to.IsZero() || to.Before(from) {
		return BillingRun{}, fail.Field("period_end", "give period_start and period_end, start first")
	}
	for cur, r := range rates {
		if _, err := money.ParseCurrency(cur); err != nil {
			return BillingRun{}, fail.Field("rates."+cur, "is not an ISO 4217 currency")
		}
		if d, err := money.ParseDecimal(r); err != nil || !d.IsPositive() {
			return BillingRun{}, fail.Field("rates."+cur, "must be a positive decimal")
		}
	}
	period := calendar.Range{From: from, To: to}
	now := s.Now()
	var run BillingRun
	err := s.store.Write(ctx, func(tx Tx) error {
		var err error
		newID := id.NewAt("run", now)
		run, err = tx.StartBillingRun(ctx, BillingRun{ID: newID, TenantID: p.TenantID, PeriodStart: from, PeriodEnd: to,
			Issue: issue, Status: "running", Phase: "contracts", StartedAt: now, UpdatedAt: now})
		if err != nil || run.Status == "completed" {
			return err
		}
		typ := "billing_run.started"
		if run.ID != newID {
			typ = "billing_run.resumed"
		}
		return s.emitEvent(ctx, tx, p.TenantID, typ, billingRunEvent(run))
	})
	if err != nil {
		return run, err
	}
	if run.Status == "completed" {
		return run, nil
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
		_ = s.store.Write(context.WithoutCancel(ctx), func(tx Tx) error {
			if err := tx.AddBillingRunProgress(ctx, p.TenantID, run.ID, RunProgress{Status: "failed", Error: err.Error(), At: s.Now()}); err != nil {
				return err
			}
			r, err2 := tx.GetBillingRun(ctx, p.TenantID, run.ID)
			if err2 != nil {
				return err2
			}
			return s.emitEvent(ctx, tx, p.TenantID, "billing_run.failed", billingRunEvent(r))
		})
		return s.getRunOr(ctx, p.TenantID, run), err
	}
	// 1. Contract items of the period, a batch of contracts per transaction.
	var contracts []billing.Contract
	if err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		contracts, err = tx.ListContracts(ctx, p.TenantID, "")
		return err
	}); err != nil {
		return abort(err)
	}
	const contractBatch = 50
	for start := 0; start < len(contracts); start += contractBatch {
		batch := contracts[start:min(start+contractBatch, len(contracts))]
		if err := s.faultPoint("contracts"); err != nil {
			return abort(err)
		}
		err := s.store.Write(ctx, func(tx Tx) error {
			made := 0
			for _, c := range batch {
				n, err := s.contractItems(ctx, tx, p.TenantID, c, period)
				if err != nil {
					return err
				}
				made += n
			}
			return tx.AddBillingRunProgress(ctx, p.TenantID, run.ID, RunProgress{ContractItems: made, Status: "running", Phase: "contracts", At: s.Now()})
		})
		if err != nil {
			return abort(err)
		}
	}
	// Subscription periods starting by the period's end, each exactly once.
	if err := s.faultPoint("subscriptions"); err != nil {
		return abort(err)
	}
	subItems, err := s.RenewSubscriptions(ctx, p.TenantID, to)
	if err != nil {
		return abort(err)
	}
	if subItems > 0 {
		if err := s.store.Write(ctx, func(tx Tx) error {
			return tx.AddBillingRunProgress(ctx, p.TenantID, run.ID, RunProgress{ContractItems: subItems, Status: "running", Phase: "contracts", At: s.Now()})
		}); err != nil {
			return abort(err)
		}
	}
	// 2. One invoice per group, each in its own transaction.
	var groups []BillingGroup
	var tenant billing.Tenant
	if err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		if tenant, err = tx.GetTenant(ctx, p.TenantID); err != nil {
			return err
		}
		groups, err = tx.BillingGroups(ctx, p.TenantID, period)
		return err
	}); err != nil {
		return abort(err)
	}
	remaining := 0
	for _, g := range groups {
		remaining += g.Items
	}
	// Totals: what earlier attempts did plus what is left now.
	if err := s.store.Write(ctx, func(tx Tx) error {
		cur, err := tx.GetBillingRun(ctx, p.TenantID, run.ID)
		if err != nil {
			return err
		}
		return tx.AddBillingRunProgress(ctx, p.TenantID, run.ID, RunProgress{ItemsTotal: cur.ItemsDone + remaining - cur.ItemsTotal,
			GroupsTotal: cur.GroupsDone + len(groups) - cur.GroupsTotal, Phase: "invoicing", Status: "running", At: s.Now()})
	}); err != nil {
		return abort(err)
	}
	report()
	for _, g := range groups {
		for {
			if err := s.faultPoint("group"); err != nil {
				return abort(err)
			}
			n, err := s.billGroup(ctx, p, run, tenant, period, g, issue, rates)
			if err != nil {
				return abort(fmt.Errorf("bill %s/%s/%s: %w", g.AccountID, g.Provider, g.Currency, err))
			}
			report()
			if n < maxItemsPerInvoice {
				break
			}
		}
	}
	err = s.store.Write(ctx, func(tx Tx) error {
		if err := tx.AddBillingRunProgress(ctx, p.TenantID, run.ID, RunProgress{Status: "completed", Phase: "done", Finished: true, At: s.Now()}); err != nil {
			return err
		}
		r, err := tx.GetBillingRun(ctx, p.TenantID, run.ID)
		if err != nil {
			return err
		}
		return s.emitEvent(ctx, tx, p.TenantID, "billing_run.completed", billingRunEvent(r))
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

// billGroup makes one invoice from a group's pending items, in one
// transaction. It returns how many items it billed (0 when another node got
// them first).
func (s *Service) billGroup(ctx context.Context, p access.Principal, run BillingRun, tenant billing.Tenant, period calendar.Range,
	g BillingGroup, issue bool, rates map[string]string) (int, error) {
	billed := 0
	err := s.store.Write(ctx, func(tx Tx) error {
		items, err := tx.ClaimGroupItems(ctx, p.TenantID, period, g, maxItemsPerInvoice)
		if err != nil || len(items) == 0 {
			return err
		}
		now := s.Now()
		inv := billing.Invoice{ID: id.NewAt(id.Invoice, now), TenantID: p.TenantID, Status: billing.Draft, CustomerID: g.AccountID,
			InvoiceDate: period.To, PeriodStart: period.From, PeriodEnd: period.To, Provider: g.Provider, Currency: g.Currency,
			CreatedAt: now, UpdatedAt: now}
		if g.Currency != tenant.Currency {
			r, ok := rates[g.Currency]
			if !ok {
				return fail.Field("rates."+g.Currency, "no exchange rate for %s: give one to bill %s items", g.Currency, g.Currency)
			}
			inv.ExchangeRate, _ = decimal.NewFromString(r)
		}
		custs := map[string]billing.Customer{}
		ids := make([]string, 0, len(items))
		for _, si := range items {
			c, ok := custs[si.CustomerID]
			if !ok {
				if c, err = tx.GetCustomer(ctx, p.TenantID, si.CustomerID); err != nil {
					return err
				}
				custs[si.CustomerID] = c
			}
			desc := si.Description
			if si.CustomerID != g.AccountID {
				desc = c.Name + ": " + desc // a sub-account's item on its reseller's invoice
			}
			q, up := si.Quantity, si.UnitPrice
			inv.Lines = append(inv.Lines, billing.Line{Description: desc, ProductID: si.ProductID, Account: si.Account,
				SalesTaxGroup: c.SalesTaxGroup, ItemSalesTaxGroup: si.ItemSalesTaxGroup, Quantity: &q, Unit: si.Unit, UnitPrice: &up,
				Discount: si.Discount, ChargeType: si.ChargeType, ServiceStart: si.PeriodStart, ServiceEnd: si.PeriodEnd})
			ids = append(ids, si.ID)
		}
		if err := s.prepare(ctx, tx, p, &inv, InvoiceInput{}); err != nil {
			return err
		}
		n, err := tx.NextCounter(ctx, p.TenantID, "document")
		if err != nil {
			return err
		}
		inv.DocumentNumber = fmt.Sprintf("D-%06d", n)
		if err := tx.InsertInvoice(ctx, inv); err != nil {
			return err
		}
		marked, err := tx.MarkItemsInvoiced(ctx, p.TenantID, inv.ID, ids)
		if err != nil {
			return err
		}
		if marked != len(ids) {
			return fail.Conflictf("items of group %s changed while billing; run again", g.AccountID)
		}
		if issue {
			today := calendar.Today(s.Now(), tenant.Location())
			if err := s.issue(ctx, tx, p, &inv, tenant, today); err != nil {
				return err
			}
			if err := tx.UpdateInvoice(ctx, inv); err != nil {
				return err
			}
		}
		billed = len(ids)
		extra := map[string]any{"billing_run_id": run.ID, "sales_item_ids": ids}
		if err := s.emitEvent(ctx, tx, p.TenantID, "invoice.created", invoiceEvent(inv, extra)); err != nil {
			return err
		}
		if issue {
			if err := s.emitEvent(ctx, tx, p.TenantID, "invoice.issued", invoiceEvent(inv, extra)); err != nil {
				return err
			}
		}
		if err := tx.AddBillingRunProgress(ctx, p.TenantID, run.ID, RunProgress{ItemsDone: billed, GroupsDone: 1, InvoicesCreated: 1,
			Status: "running", Phase: "invoicing", At: s.Now()}); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, "billing_run.invoiced", "invoice", inv.ID, map[string]any{"run_id": run.ID, "items": billed, "status": inv.Status})
	})
	return billed, err
}

func (s *Service) getRun(ctx context.Context, tenantID, runID string) (BillingRun, error) {
	var r BillingRun
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		r, err = tx.GetBillingRun(ctx, tenantID, runID)
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
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = tx.ListBillingRuns(ctx, p.TenantID)
		return err
	})
	return out, err
}

// WithFaultHook makes the service call hook at each durable step of long
// work (billing runs); an error from it aborts the work there, as a crash
// would. Tests use it to kill runs at random points.
func WithFaultHook(hook func(point string) error) Option { return func(s *Service) { s.fault = hook } }

func (s *Service) faultPoint(point string) error {
	if s.fault == nil {
		return nil
	}
	return s.fault(point)
}

// SetBillingRunDay sets the day of the month (1–28) on which the previous
// month's billing run starts by itself; 0 turns the schedule off.
func (s *Service) SetBillingRunDay(ctx context.Context, p access.Principal, day int) (billing.Tenant, error) {
	if err := p.Require(access.ManageTenant); err != nil {
		return billing.Tenant{}, err
	}
	if day < 0 || day > 28 {
		return billing.Tenant{}, fail.Field("billing_run_day", "use a day from 1 to 28, or 0 for no schedule")
	}
	var t billing.Tenant
	err := s.store.Write(ctx, func(tx Tx) error {
		var err error
		if t, err = tx.GetTenant(ctx, p.TenantID); err != nil {
			return err
		}
		t.BillingRunDay = day
		t.UpdatedAt = s.Now()
		if err := tx.UpdateTenant(ctx, t); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, "tenant.billing_run_day", "tenant", t.ID, map[string]int{"billing_run_day": day})
	})
	return t, err
}

// ScheduledBillingRun starts the previous month's run when the tenant's
// billing day has come and that run is not completed. Every node may call
// it: the run itself is idempotent and safe to run on several nodes.
func (s *Service) ScheduledBillingRun(ctx context.Context, tenantID string) (*BillingRun, error) {
	var tenant billing.Tenant
	if err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		tenant, err = tx.GetTenant(ctx, tenantID)
		return err
	}); err != nil {
		return nil, err
	}
	if tenant.BillingRunDay == 0 {
		return nil, nil
	}
	today := calendar.Today(s.Now(), tenant.Location())
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
		"issue": r.Issue, "items_done": r.ItemsDone, "items_total": r.ItemsTotal, "invoices_created": r.InvoicesCreated, "error": r.Error}
}
