// Package jobs runs Facturo's periodic background work as River jobs
// (github.com/riverqueue/river) in the database Facturo already uses, on
// SQLite and PostgreSQL alike.
//
// Each Kind is a job kind with its own worker. One elected leader among
// the nodes sharing a database enqueues each kind once per period (River's
// periodic jobs run on the leader only); the work of a tenant kind is fanned
// out as one job per tenant, which any node may take, so a sweep scales out
// across nodes instead of every node sweeping every tenant. Jobs are unique
// per kind, arguments and period, so a new leader, a restart or a retried
// fan-out never runs a period twice. A failed job is retried with River's
// backoff; a job whose node died is rescued by the leader after
// Config.RescueAfter and run again by another node, once.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/jobs/jobargs"
	"github.com/facturo/facturo/service"
)

// Service is what the jobs run of Facturo's use cases (*service.Service).
type Service interface {
	ListTenants(ctx context.Context) ([]billing.Tenant, error)
	RunRecurring(ctx context.Context, tenantID string) (int, error)
	ResumeBillingRuns(ctx context.Context, tenantID string) ([]service.BillingRun, error)
	ScheduledBillingRun(ctx context.Context, tenantID string) (*service.BillingRun, error)
	SweepPastDue(ctx context.Context, tenantID string) (int, error)
	SweepDunning(ctx context.Context, tenantID string) (int, error)
	RenewDueSubscriptions(ctx context.Context, tenantID string) (int, error)
	ProcessWalletRecharges(ctx context.Context, tenantID string, limit int) (int, error)
	RunWalletRecharge(ctx context.Context, tenantID, rechargeID string) (int, error)
	SendDueEmails(ctx context.Context, limit int) (service.EmailRun, error)
	SendEmail(ctx context.Context, tenantID, notificationID string) (service.EmailRun, error)
	DeliverDueWebhooks(ctx context.Context, limit int) (service.WebhookRun, error)
	HelpBillingRun(ctx context.Context, tenantID, runID string) (int, error)
}

// Database is the store as the jobs use it (*store.DB): River's driver over
// it, and the hourly upkeep.
type Database interface {
	JobDriver() riverdriver.Driver[*sql.Tx]
	// PurgeExpired deletes expired sessions and records older than keep.
	PurgeExpired(ctx context.Context, now time.Time, keep time.Duration) error
	// Optimize refreshes the query planner's statistics.
	Optimize(ctx context.Context) error
}

// The kinds of periodic work.
const (
	KindRecurring       = "recurring_invoices"    // documents recurring templates owe
	KindResumeRuns      = "resume_billing_runs"   // billing runs whose node stopped
	KindScheduledRun    = "scheduled_billing_run" // a tenant's billing run on its schedule
	KindPastDue         = "past_due"              // overdue documents marked past due
	KindDunning         = "dunning"               // reminders of past-due documents
	KindRenewals        = "subscription_renewals" // subscription periods billed
	KindWalletRecharges = "wallet_recharges"      // due automatic wallet recharges
	KindPurge           = "purge"                 // expired sessions and records; planner statistics
	KindEmails          = "email_outbox"          // the outbox's due emails
	KindWebhooks        = "webhook_deliveries"    // the due webhook deliveries
)

// kindFanOut is the job that turns one period of a tenant kind into one job
// per tenant.
const kindFanOut = "fan_out"

// walletRechargeBatch is how many recharge jobs of a tenant one pass runs.
const walletRechargeBatch = 100

// outboxBatch is how many messages (or deliveries) one claim takes; a job
// claims batch after batch while it finds work, within its timeout.
const outboxBatch = 50

// A Kind is one kind of periodic work: how often it runs, whether it runs
// once per tenant (fanned out) or once for the whole database, how long one
// job of it may take, and what it does. Each Kind has its own job arguments
// type (Work[K]) and worker.
type Kind struct {
	Name      string
	Every     time.Duration
	PerTenant bool
	Timeout   time.Duration
	run       func(ctx context.Context, r *Runner, tenantID string) (int, error)
	// args are the arguments of the kind's job for a tenant ("" for all).
	args func(tenantID string) river.JobArgs
	// register adds the kind's worker.
	register func(ws *river.Workers, r *Runner, k Kind) error
}

// newKind is the Kind of marker K.
func newKind[K marker](every time.Duration, perTenant bool, timeout time.Duration,
	run func(ctx context.Context, r *Runner, tenantID string) (int, error)) Kind {
	var m K
	return Kind{Name: m.kind(), Every: every, PerTenant: perTenant, Timeout: timeout, run: run,
		args: func(tenantID string) river.JobArgs { return Work[K]{TenantID: tenantID} },
		register: func(ws *river.Workers, r *Runner, k Kind) error {
			return river.AddWorkerSafely[Work[K]](ws, &kindWorker[K]{r: r, k: k})
		}}
}

// Kinds lists the periodic work, in the order of the loops it replaces.
func Kinds() []Kind {
	return []Kind{
		newKind[recurringKind](10*time.Minute, true, 10*time.Minute,
			func(ctx context.Context, r *Runner, t string) (int, error) { return r.svc.RunRecurring(ctx, t) }),
		newKind[resumeRunsKind](10*time.Minute, true, time.Hour,
			func(ctx context.Context, r *Runner, t string) (int, error) {
				runs, err := r.svc.ResumeBillingRuns(ctx, t)
				return len(runs), err
			}),
		newKind[scheduledRunKind](10*time.Minute, true, time.Hour,
			func(ctx context.Context, r *Runner, t string) (int, error) {
				run, err := r.svc.ScheduledBillingRun(ctx, t)
				if run == nil {
					return 0, err
				}
				return run.InvoicesCreated, err
			}),
		newKind[pastDueKind](10*time.Minute, true, 10*time.Minute,
			func(ctx context.Context, r *Runner, t string) (int, error) { return r.svc.SweepPastDue(ctx, t) }),
		newKind[dunningKind](10*time.Minute, true, 10*time.Minute,
			func(ctx context.Context, r *Runner, t string) (int, error) { return r.svc.SweepDunning(ctx, t) }),
		newKind[renewalsKind](10*time.Minute, true, 10*time.Minute,
			func(ctx context.Context, r *Runner, t string) (int, error) {
				return r.svc.RenewDueSubscriptions(ctx, t)
			}),
		// Each recharge attempt is a job of its own, inserted with it
		// (jobargs.WalletRecharge); this sweep takes the due ones whose job
		// was lost (made before jobs were, or whose job gave up).
		newKind[walletRechargesKind](10*time.Minute, false, 5*time.Minute,
			func(ctx context.Context, r *Runner, _ string) (int, error) {
				return r.eachTenant(ctx, r.rechargeTenant)
			}),
		// Each outbox message is sent by a job of its own, inserted with it
		// (jobargs.SendEmail); this sweep sends the due ones whose job was
		// lost, or that were queued while no SMTP server was configured.
		newKind[emailsKind](time.Minute, false, 5*time.Minute,
			func(ctx context.Context, r *Runner, _ string) (int, error) { return r.drain(ctx, r.sendEmails) }),
		// The webhook deliveries are woken by a job their transaction
		// inserts (jobargs.DeliverWebhooks), which claims batches under a
		// lease while it finds work; this sweep takes the due ones whose
		// job was lost, or whose node died holding their lease. A backlog
		// that outlasts a job gets the next job beside it, on another
		// node, each claiming other deliveries.
		newKind[webhooksKind](time.Minute, false, 5*time.Minute,
			func(ctx context.Context, r *Runner, _ string) (int, error) { return r.drain(ctx, r.deliverWebhooks) }),
		newKind[purgeKind](time.Hour, false, 10*time.Minute,
			func(ctx context.Context, r *Runner, _ string) (int, error) {
				if err := r.db.PurgeExpired(ctx, time.Now(), 48*time.Hour); err != nil {
					return 0, err
				}
				return 0, r.db.Optimize(ctx)
			}),
	}
}

// A marker names a Kind in the type of its job's arguments (Work[K]).
type marker interface{ kind() string }

type (
	recurringKind       struct{}
	resumeRunsKind      struct{}
	scheduledRunKind    struct{}
	pastDueKind         struct{}
	dunningKind         struct{}
	renewalsKind        struct{}
	walletRechargesKind struct{}
	purgeKind           struct{}
	emailsKind          struct{}
	webhooksKind        struct{}
)

func (recurringKind) kind() string       { return KindRecurring }
func (resumeRunsKind) kind() string      { return KindResumeRuns }
func (scheduledRunKind) kind() string    { return KindScheduledRun }
func (pastDueKind) kind() string         { return KindPastDue }
func (dunningKind) kind() string         { return KindDunning }
func (renewalsKind) kind() string        { return KindRenewals }
func (walletRechargesKind) kind() string { return KindWalletRecharges }
func (purgeKind) kind() string           { return KindPurge }
func (emailsKind) kind() string          { return KindEmails }
func (webhooksKind) kind() string        { return KindWebhooks }

// Work is the arguments of one job of the Kind K: the tenant it is for,
// empty for a kind run once for the whole database.
type Work[K marker] struct {
	TenantID string `json:"tenant_id,omitempty"`
}

// Kind is the job's River kind, the Kind's name.
func (Work[K]) Kind() string {
	var m K
	return m.kind()
}

// FanOut is the arguments of the job that makes one period's Work jobs of a
// tenant kind, one per tenant.
type FanOut struct {
	Of string `json:"of"`
}

// Kind is the job's River kind.
func (FanOut) Kind() string { return kindFanOut }

// Config sets up a Runner. Zero values take the defaults.
type Config struct {
	// Node names this node in River's tables (attempted_by, the leader);
	// default host name and process id.
	Node string
	// Every overrides the period of kinds by name (tests make them short).
	Every map[string]time.Duration
	// RescueAfter is how long a job may stay running before the leader
	// takes its node for dead and another node runs it again; default 2
	// hours, over the longest Kind.Timeout.
	RescueAfter time.Duration
	// Workers is how many jobs this node runs at once; default 4.
	Workers int
	// Logger logs what the jobs did; default slog.Default().
	Logger *slog.Logger
}

// Runner is this node's River client over the Facturo database.
type Runner struct {
	svc    Service
	db     Database
	log    *slog.Logger
	kinds  map[string]Kind
	client *river.Client[*sql.Tx]
}

// New returns the Runner of this node. Start starts it.
func New(db Database, svc Service, cfg Config) (*Runner, error) {
	r := &Runner{svc: svc, db: db, log: cfg.Logger, kinds: map[string]Kind{}}
	if r.log == nil {
		r.log = slog.Default()
	}
	if cfg.Node == "" {
		host, _ := os.Hostname()
		cfg.Node = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	if cfg.RescueAfter <= 0 {
		cfg.RescueAfter = 2 * time.Hour
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	workers := river.NewWorkers()
	var periodic []*river.PeriodicJob
	for _, k := range Kinds() {
		if d, ok := cfg.Every[k.Name]; ok {
			k.Every = d
		}
		// The leader rescues a running job only once its kind's timeout
		// has passed too: no job outlives the rescue.
		k.Timeout = min(k.Timeout, cfg.RescueAfter)
		r.kinds[k.Name] = k
		if err := k.register(workers, r, k); err != nil {
			return nil, fmt.Errorf("jobs: %w", err)
		}
		periodic = append(periodic, river.NewPeriodicJob(river.PeriodicInterval(k.Every), r.periodicArgs(k),
			&river.PeriodicJobOpts{ID: k.Name, RunOnStart: true}))
	}
	if err := river.AddWorkerSafely(workers, &fanOutWorker{r: r}); err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	// One charge, or one message rendered and sent, and its outcome recorded.
	txTimeout := min(5*time.Minute, cfg.RescueAfter)
	if err := river.AddWorkerSafely(workers, &txWorker[jobargs.WalletRecharge]{run: r.recharge, timeout: txTimeout}); err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	if err := river.AddWorkerSafely(workers, &txWorker[jobargs.SendEmail]{run: r.sendEmail, timeout: txTimeout}); err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	if err := river.AddWorkerSafely(workers, &txWorker[jobargs.DeliverWebhooks]{run: r.wakeWebhooks, timeout: 5 * time.Minute}); err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	// A helper bills batches of a run, each in its own transaction, as long
	// as the run has open ones.
	if err := river.AddWorkerSafely(workers, &txWorker[jobargs.HelpBillingRun]{run: r.helpRun, timeout: min(time.Hour, cfg.RescueAfter)}); err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	client, err := river.NewClient(db.JobDriver(), &river.Config{
		ID:                   cfg.Node,
		Logger:               slog.New(warnings{r.log.Handler()}).With("component", "jobs"),
		PeriodicJobs:         periodic,
		Queues:               map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.Workers}},
		Workers:              workers,
		RescueStuckJobsAfter: cfg.RescueAfter,
		// Each kind bounds its own jobs (Kind.Timeout); River wants its
		// default no longer than the rescue.
		JobTimeout: min(10*time.Minute, cfg.RescueAfter),
		// database/sql has no LISTEN; a node looks for new jobs every second.
		PollOnly: true,
	})
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	r.client = client
	return r, nil
}

// periodOpts makes a job unique per kind, arguments and period of k, so a
// period runs once whoever enqueues it and however often.
func periodOpts(k Kind) *river.InsertOpts {
	return &river.InsertOpts{MaxAttempts: 10, UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: k.Every}}
}

// periodicArgs is what the leader enqueues each period of k: the fan-out
// of a tenant kind, or the one job of a kind run for the whole database.
func (r *Runner) periodicArgs(k Kind) river.PeriodicJobConstructor {
	return func() (river.JobArgs, *river.InsertOpts) {
		if k.PerTenant {
			return FanOut{Of: k.Name}, periodOpts(k)
		}
		return k.args(""), periodOpts(k)
	}
}

// Client is the River client, for the operators' view of the jobs and for tests.
func (r *Runner) Client() *river.Client[*sql.Tx] { return r.client }

// Start starts working and, on the elected leader, enqueuing the periodic work.
func (r *Runner) Start(ctx context.Context) error {
	if err := r.client.Start(ctx); err != nil {
		return fmt.Errorf("jobs: %w", err)
	}
	return nil
}

// Stop lets the running jobs finish within grace, then cancels them (a
// canceled job is retried, by this node after a restart or by another).
func (r *Runner) Stop(grace time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := r.client.Stop(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		hard, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err = r.client.StopAndCancel(hard)
	}
	if err != nil {
		return fmt.Errorf("jobs: stop: %w", err)
	}
	return nil
}

// fanOutWorker makes one period's Work jobs of a tenant kind, one per tenant.
type fanOutWorker struct {
	river.WorkerDefaults[FanOut]
	r *Runner
}

// Work inserts the tenants' jobs; unique per period, a retry inserts none twice.
func (w *fanOutWorker) Work(ctx context.Context, job *river.Job[FanOut]) error {
	k, ok := w.r.kinds[job.Args.Of]
	if !ok || !k.PerTenant {
		return river.JobCancel(fmt.Errorf("%q is not a tenant kind", job.Args.Of))
	}
	tenants, err := w.r.svc.ListTenants(ctx)
	if err != nil {
		return err
	}
	if len(tenants) == 0 {
		return nil
	}
	params := make([]river.InsertManyParams, 0, len(tenants))
	for _, t := range tenants {
		params = append(params, river.InsertManyParams{Args: k.args(t.ID), InsertOpts: periodOpts(k)})
	}
	if _, err := river.ClientFromContext[*sql.Tx](ctx).InsertMany(ctx, params); err != nil {
		return fmt.Errorf("fan out %s: %w", k.Name, err)
	}
	return nil
}

// txWorker runs the jobs of one kind that business transactions insert
// (package jobargs): run does the work of the job's arguments.
type txWorker[A river.JobArgs] struct {
	river.WorkerDefaults[A]
	run     func(ctx context.Context, args A) error
	timeout time.Duration
}

// Work runs the job.
func (w *txWorker[A]) Work(ctx context.Context, job *river.Job[A]) error {
	if err := w.run(ctx, job.Args); err != nil {
		return fmt.Errorf("%s job %d: %w", job.Kind, job.ID, err)
	}
	return nil
}

// Timeout bounds one job.
func (w *txWorker[A]) Timeout(*river.Job[A]) time.Duration { return w.timeout }

// recharge runs one attempt of a wallet's automatic recharge if it is
// still due: the job the store inserted in the transaction that made it due.
func (r *Runner) recharge(ctx context.Context, a jobargs.WalletRecharge) error {
	n, err := r.svc.RunWalletRecharge(ctx, a.TenantID, a.RechargeID)
	if n > 0 && err == nil {
		r.log.Info("job done", "kind", jobargs.KindWalletRecharge, "tenant", a.TenantID, "recharge", a.RechargeID)
	}
	return err
}

// helpRun bills open batches of a running billing run beside the node that
// started it: the job the store inserted with the run's plan.
func (r *Runner) helpRun(ctx context.Context, a jobargs.HelpBillingRun) error {
	n, err := r.svc.HelpBillingRun(ctx, a.TenantID, a.RunID)
	if n > 0 {
		r.log.Info("job done", "kind", jobargs.KindHelpBillingRun, "tenant", a.TenantID, "run", a.RunID, "batches", n)
	}
	return err
}

// sendEmail makes one attempt at an outbox message if it is still queued
// and due: the job the store inserted in the transaction that queued it
// (or scheduled its retry).
func (r *Runner) sendEmail(ctx context.Context, a jobargs.SendEmail) error {
	run, err := r.svc.SendEmail(ctx, a.TenantID, a.NotificationID)
	if run.Retrying+run.Failed > 0 {
		r.log.Warn("email", "id", a.NotificationID, "retrying", run.Retrying > 0, "failed", run.Failed > 0, "last_error", run.LastError)
	}
	return err
}

// kindWorker runs the jobs of the Kind K.
type kindWorker[K marker] struct {
	river.WorkerDefaults[Work[K]]
	r *Runner
	k Kind
}

// Work runs the kind for the job's tenant (or the whole database).
func (w *kindWorker[K]) Work(ctx context.Context, job *river.Job[Work[K]]) error {
	n, err := w.k.run(ctx, w.r, job.Args.TenantID)
	if err != nil {
		return fmt.Errorf("%s: %w", w.k.Name, err)
	}
	if n > 0 {
		w.r.log.Info("job done", "kind", w.k.Name, "tenant", job.Args.TenantID, "count", n)
	}
	return nil
}

// Timeout bounds one job of the kind.
func (w *kindWorker[K]) Timeout(*river.Job[Work[K]]) time.Duration { return w.k.Timeout }

// eachTenant runs fn for every tenant and sums what it did; a tenant's
// failure does not stop the others, and fails the job (which is retried).
func (r *Runner) eachTenant(ctx context.Context, fn func(ctx context.Context, tenantID string) (int, error)) (int, error) {
	tenants, err := r.svc.ListTenants(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	var errs []error
	for _, t := range tenants {
		n, err := fn(ctx, t.ID)
		total += n
		if err != nil {
			errs = append(errs, fmt.Errorf("tenant %s: %w", t.ID, err))
			if ctx.Err() != nil {
				break
			}
		}
	}
	return total, errors.Join(errs...)
}

// drain runs one claim after another while they find work (and ctx
// lasts), and returns how many items they took.
func (r *Runner) drain(ctx context.Context, claim func(ctx context.Context) (int, error)) (int, error) {
	total := 0
	for ctx.Err() == nil {
		n, err := claim(ctx)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
	return total, nil
}

// sendEmails sends one batch of due outbox messages.
func (r *Runner) sendEmails(ctx context.Context) (int, error) {
	run, err := r.svc.SendDueEmails(ctx, outboxBatch)
	switch {
	case run.Retrying+run.Failed > 0:
		r.log.Warn("emails", "sent", run.Sent, "retrying", run.Retrying, "failed", run.Failed, "skipped", run.Skipped, "last_error", run.LastError)
	case run.Claimed > 0:
		r.log.Info("emails", "sent", run.Sent, "skipped", run.Skipped)
	}
	return run.Claimed, err
}

// wakeWebhooks posts the due webhook deliveries, batch after batch: the
// job a transaction inserted with the deliveries it queued or scheduled.
func (r *Runner) wakeWebhooks(ctx context.Context, _ jobargs.DeliverWebhooks) error {
	_, err := r.drain(ctx, r.deliverWebhooks)
	return err
}

// deliverWebhooks posts one batch of due webhook deliveries.
func (r *Runner) deliverWebhooks(ctx context.Context) (int, error) {
	run, err := r.svc.DeliverDueWebhooks(ctx, outboxBatch)
	if run.Failed > 0 {
		r.log.Warn("webhooks given up", "count", run.Failed)
	}
	return run.Claimed, err
}

func (r *Runner) rechargeTenant(ctx context.Context, tenantID string) (int, error) {
	return r.svc.ProcessWalletRecharges(ctx, tenantID, walletRechargeBatch)
}

// warnings passes on River's own log records from warnings up: its
// informational ones (a client started, job counts every few seconds) would
// drown the application's.
type warnings struct{ slog.Handler }

func (w warnings) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && w.Handler.Enabled(ctx, l)
}

func (w warnings) WithAttrs(as []slog.Attr) slog.Handler { return warnings{w.Handler.WithAttrs(as)} }

func (w warnings) WithGroup(name string) slog.Handler { return warnings{w.Handler.WithGroup(name)} }
