package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/demo"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/internal/mailpit"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/jobs"
	"github.com/facturo/facturo/jobs/jobargs"
	"github.com/facturo/facturo/mailer"
	"github.com/facturo/facturo/payprovider/testcard"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
	"github.com/facturo/facturo/webhook"
)

// counting is the jobs' Service for the scheduling tests: two tenants, and
// a count of every run of every kind for every tenant. (The database under
// the jobs is real; what the jobs call is counted.)
type counting struct {
	mu   sync.Mutex
	runs map[string]int // "kind tenant"
}

func (c *counting) ran(kind, tenantID string) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.runs[kind+" "+tenantID]++
	return 0, nil
}

func (c *counting) count(kind, tenantID string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.runs[kind+" "+tenantID]
}

var tenants = []string{"ten_a", "ten_b"}

func (c *counting) ListTenants(context.Context) ([]billing.Tenant, error) {
	var out []billing.Tenant
	for _, id := range tenants {
		out = append(out, billing.Tenant{ID: id})
	}
	return out, nil
}
func (c *counting) RunRecurring(_ context.Context, t string) (int, error) {
	return c.ran(jobs.KindRecurring, t)
}
func (c *counting) ResumeBillingRuns(_ context.Context, t string) ([]service.BillingRun, error) {
	_, err := c.ran(jobs.KindResumeRuns, t)
	return nil, err
}
func (c *counting) ScheduledBillingRun(_ context.Context, t string) (*service.BillingRun, error) {
	_, err := c.ran(jobs.KindScheduledRun, t)
	return nil, err
}
func (c *counting) SweepPastDue(_ context.Context, t string) (int, error) {
	return c.ran(jobs.KindPastDue, t)
}
func (c *counting) SweepDunning(_ context.Context, t string) (int, error) {
	return c.ran(jobs.KindDunning, t)
}
func (c *counting) RenewDueSubscriptions(_ context.Context, t string) (int, error) {
	return c.ran(jobs.KindRenewals, t)
}
func (c *counting) ProcessWalletRecharges(_ context.Context, t string, _ int) (int, error) {
	return c.ran(jobs.KindWalletRecharges, t)
}
func (c *counting) RunWalletRecharge(_ context.Context, t, _ string) (int, error) {
	return c.ran(jobargs.KindWalletRecharge, t)
}
func (c *counting) SendEmail(_ context.Context, t, _ string) (service.EmailRun, error) {
	_, err := c.ran(jobargs.KindSendEmail, t)
	return service.EmailRun{}, err
}
func (c *counting) SendDueEmails(context.Context, int) (service.EmailRun, error) {
	_, err := c.ran(jobs.KindEmails, "")
	return service.EmailRun{}, err
}
func (c *counting) DeliverDueWebhooks(context.Context, int) (service.WebhookRun, error) {
	_, err := c.ran(jobs.KindWebhooks, "")
	return service.WebhookRun{}, err
}

func (c *counting) HelpBillingRun(_ context.Context, tenantID, _ string) (int, error) {
	return c.ran(jobargs.KindHelpBillingRun, tenantID)
}

// period is every kind's period in the scheduling tests.
const period = 2 * time.Second

func every(d time.Duration) map[string]time.Duration {
	m := map[string]time.Duration{}
	for _, k := range jobs.Kinds() {
		m[k.Name] = d
	}
	return m
}

// jobRow is a finished job as River's table holds it.
type jobRow struct {
	kind, tenant, node string
	created            time.Time
}

// completedJobs reads the completed jobs from River's table.
func completedJobs(t *testing.T, db *store.DB) []jobRow {
	t.Helper()
	rows, err := db.SQL().Query(`SELECT kind, args, attempted_by, created_at FROM river_job WHERE state = 'completed' ORDER BY id`)
	if err != nil {
		t.Fatalf("read jobs: %v", err)
	}
	defer rows.Close()
	var out []jobRow
	for rows.Next() {
		var r jobRow
		var args, by []byte
		var created any
		if err := rows.Scan(&r.kind, &args, &by, &created); err != nil {
			t.Fatalf("read jobs: %v", err)
		}
		var a struct {
			TenantID string `json:"tenant_id"`
			Of       string `json:"of"`
		}
		if err := json.Unmarshal(args, &a); err != nil {
			t.Fatalf("job args %s: %v", args, err)
		}
		r.tenant = a.TenantID + a.Of
		r.node = strings.Trim(string(by), `{}[]"`) // a text[] on PostgreSQL, a JSON array on SQLite
		r.created = asTime(t, created)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// asTime reads a timestamp as either engine's driver returns it.
func asTime(t *testing.T, v any) time.Time {
	t.Helper()
	switch v := v.(type) {
	case time.Time:
		return v
	case string:
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999"} {
			if tm, err := time.Parse(layout, v); err == nil {
				return tm
			}
		}
	}
	t.Fatalf("created_at %v (%T) is not a time", v, v)
	return time.Time{}
}

// start starts a Runner of svc over db, stopped when the test ends.
func start(t *testing.T, db jobs.Database, svc jobs.Service, cfg jobs.Config) *jobs.Runner {
	t.Helper()
	r, err := jobs.New(db, svc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Stop(10 * time.Second); err != nil {
			t.Error(err)
		}
	})
	return r
}

// waitFor polls cond until it holds, failing the test after a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited a minute for %s", what)
		}
		<-tick.C
	}
}

// TestPeriodicWorkRunsOncePerPeriodAcrossNodes: three nodes on one
// PostgreSQL database run each periodic kind, for each tenant, once per
// period: not once per node, and every run is one job run once.
func TestPeriodicWorkRunsOncePerPeriodAcrossNodes(t *testing.T) {
	t.Parallel()
	first := testdb.Open(t, store.Postgres)
	svc := &counting{runs: map[string]int{}}
	var runners []*jobs.Runner
	for i := range 3 {
		db := first
		if i > 0 {
			var err error
			if db, err = store.Open(context.Background(), store.DSNOf(first)); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
		}
		r, err := jobs.New(db, svc, jobs.Config{Node: fmt.Sprintf("node-%d", i+1), Every: every(period)})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		runners = append(runners, r)
	}
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		for _, r := range runners {
			if err := r.Stop(10 * time.Second); err != nil {
				t.Error(err)
			}
		}
	}
	t.Cleanup(stop)

	// Until every tenant kind has run three periods for both tenants.
	waitFor(t, "three periods of every kind", func() bool {
		for _, k := range jobs.Kinds() {
			for _, ten := range tenants {
				if k.PerTenant && svc.count(k.Name, ten) < 3 {
					return false
				}
			}
		}
		return true
	})
	stop()

	done := completedJobs(t, first)
	byKey := map[string][]time.Time{}
	jobsOf := map[string]int{}
	nodes := map[string]bool{}
	for _, j := range done {
		byKey[j.kind+" "+j.tenant] = append(byKey[j.kind+" "+j.tenant], j.created)
		jobsOf[j.kind+" "+j.tenant]++
		nodes[j.node] = true
	}
	for _, k := range jobs.Kinds() {
		if !k.PerTenant {
			continue
		}
		for _, ten := range tenants {
			key := k.Name + " " + ten
			// Every run was a job, run once.
			if got, want := svc.count(k.Name, ten), jobsOf[key]; got != want {
				t.Errorf("%s: %d runs, %d completed jobs", key, got, want)
			}
		}
	}
	// Once per period: no two jobs of one kind and tenant (or two fan-outs
	// of one kind) in less than half a period, which three nodes each
	// enqueuing would make.
	for key, times := range byKey {
		sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
		for i := 1; i < len(times); i++ {
			if gap := times[i].Sub(times[i-1]); gap < period/2 {
				t.Errorf("%s ran twice %v apart, in one period of %v: at %v", key, gap, period, times)
				break
			}
		}
	}
	if len(byKey) < len(jobs.Kinds()) {
		t.Errorf("completed jobs of %d kinds and tenants, want every kind: %v", len(byKey), slices.Sorted(mapsKeys(byKey)))
	}
	t.Logf("%d jobs completed by nodes %v", len(done), slices.Sorted(mapsKeys(nodes)))
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// TestJobsDoTheWork: on each engine, the periodic jobs do what the loops
// they replace did, through the real service: the demo tenant's documents
// that fell due are marked past due by the past-due job.
func TestJobsDoTheWork(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := context.Background()
		var mu sync.Mutex
		now := time.Now()
		clock := func() time.Time {
			mu.Lock()
			defer mu.Unlock()
			return now
		}
		svc := service.New(db, service.WithClock(clock), service.WithPasswordCost(access.LeastPasswordCost))
		login, err := demo.Ensure(ctx, svc)
		if err != nil {
			t.Fatal(err)
		}
		p := access.System(login.TenantID, "test")
		pastDue := func() int {
			page, err := svc.ListInvoices(ctx, p, service.InvoiceFilter{Statuses: []billing.Status{billing.PastDue}, Page: service.Page{Limit: service.MaxLimit}})
			if err != nil {
				t.Fatal(err)
			}
			return len(page.Items)
		}
		before := pastDue()
		// A year later every open document is overdue.
		mu.Lock()
		now = now.AddDate(1, 0, 0)
		mu.Unlock()

		start(t, db, svc, jobs.Config{Every: every(time.Hour)})
		waitFor(t, "the past-due job", func() bool { return pastDue() > before })
	})
}

// failing fails every past-due sweep of one tenant.
type failing struct {
	counting
	tenant string
}

func (f *failing) SweepPastDue(ctx context.Context, t string) (int, error) {
	if t == f.tenant {
		return 0, fmt.Errorf("the ledger of %s is locked", t)
	}
	return f.counting.SweepPastDue(ctx, t)
}

// TestOperatorsSeeAndRetryFailedJobs: a failing job is listed as retryable
// with its error, and an operator's retry makes it run again at once.
func TestOperatorsSeeAndRetryFailedJobs(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := context.Background()
		svc := &failing{counting: counting{runs: map[string]int{}}, tenant: "ten_b"}
		r := start(t, db, svc, jobs.Config{Every: every(time.Hour)})
		var failed jobs.Job
		waitFor(t, "the failed past-due job of ten_b", func() bool {
			list, err := r.List(ctx, []string{"retryable"}, 10)
			if err != nil {
				t.Fatal(err)
			}
			for _, j := range list {
				if j.Kind == jobs.KindPastDue && j.TenantID == "ten_b" {
					failed = j
					return true
				}
			}
			return false
		})
		// River retries after attempt⁴ seconds: the first retry may have run.
		if failed.Attempt < 1 || len(failed.Errors) != failed.Attempt || !strings.Contains(failed.Errors[0], "the ledger of ten_b is locked") {
			t.Fatalf("failed job %+v, want one error per attempt, the sweep's", failed)
		}
		if !failed.ScheduledAt.After(time.Now()) {
			t.Errorf("a failed job is retried later (backoff): scheduled at %v", failed.ScheduledAt)
		}
		if svc.count(jobs.KindPastDue, "ten_a") != 1 {
			t.Errorf("ten_a's sweep ran %d times, want once: one tenant's failure is its own", svc.count(jobs.KindPastDue, "ten_a"))
		}
		// Listed again in case an automatic retry ran in between.
		list, err := r.List(ctx, []string{"retryable"}, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range list {
			if j.ID == failed.ID {
				failed = j
			}
		}
		again, err := r.Retry(ctx, failed.ID)
		if err != nil {
			t.Fatal(err)
		}
		if again.ScheduledAt.After(time.Now().Add(time.Second)) {
			t.Errorf("retried job scheduled at %v, want now", again.ScheduledAt)
		}
		waitFor(t, "the retried job's next attempt", func() bool {
			list, err := r.List(ctx, nil, 50)
			if err != nil {
				t.Fatal(err)
			}
			for _, j := range list {
				if j.ID == failed.ID {
					return j.Attempt == failed.Attempt+1 && len(j.Errors) == j.Attempt
				}
			}
			return false
		})
		if _, err := r.List(ctx, []string{"failed"}, 10); !fail.Is(err, fail.Invalid) {
			t.Errorf("listing state failed: %v, want invalid naming the states", err)
		}
		if _, err := r.Retry(ctx, 987654); !fail.Is(err, fail.NotFound) {
			t.Errorf("retrying a job that is not there: %v, want not found", err)
		}
	})
}

// holding blocks the past-due sweep of ten_a, as a node does that dies
// in the middle of it: it signals held and never finishes before release.
type holding struct {
	counting
	held, release chan struct{}
	once          sync.Once
}

func (h *holding) SweepPastDue(ctx context.Context, t string) (int, error) {
	if t != "ten_a" {
		return h.counting.SweepPastDue(ctx, t)
	}
	h.once.Do(func() { close(h.held) })
	<-h.release // a dead node's work never ends; ctx does not reach it
	return 0, nil
}

// TestAJobOfADeadNodeIsFinishedOnceByAnother: a node dies while it holds a
// job (its database connections gone, its work never finishing); the other
// node, elected leader when the dead one's term runs out, rescues the job
// and runs it, once.
func TestAJobOfADeadNodeIsFinishedOnceByAnother(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	main := testdb.Open(t, store.Postgres)
	dying, err := store.Open(ctx, store.DSNOf(main))
	if err != nil {
		t.Fatal(err)
	}
	const rescue = time.Second
	a := &holding{counting: counting{runs: map[string]int{}}, held: make(chan struct{}), release: make(chan struct{})}
	ra, err := jobs.New(dying, a, jobs.Config{Node: "node-a", Every: every(time.Hour), RescueAfter: rescue, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := ra.Start(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-a.held:
	case <-time.After(time.Minute):
		t.Fatal("node a never took ten_a's past-due job")
	}
	b := &counting{runs: map[string]int{}}
	start(t, main, b, jobs.Config{Node: "node-b", Every: every(time.Hour), RescueAfter: rescue})
	// Node a dies: its connections go, its sweep hangs on.
	dying.Close()

	job := func() (jobRow, bool) {
		for _, j := range completedJobs(t, main) {
			if j.kind == jobs.KindPastDue && j.tenant == "ten_a" {
				return j, true
			}
		}
		return jobRow{}, false
	}
	waitFor(t, "node b to finish ten_a's past-due job", func() bool { _, ok := job(); return ok })
	close(a.release) // too late: node a cannot record anything
	_ = ra.Stop(time.Second)

	j, _ := job()
	if j.node != "node-a,node-b" && j.node != "node-a\",\"node-b" {
		t.Errorf("ten_a's past-due job was attempted by %q, want node-a then node-b", j.node)
	}
	if got := b.count(jobs.KindPastDue, "ten_a"); got != 1 {
		t.Errorf("node b ran ten_a's sweep %d times, want once", got)
	}
	if got := a.count(jobs.KindPastDue, "ten_a"); got != 0 {
		t.Errorf("the dead node finished ten_a's sweep %d times", got)
	}
	var n int
	if err := main.SQL().QueryRow(`SELECT count(*) FROM river_job WHERE kind = 'past_due' AND args->>'tenant_id' = 'ten_a'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("ten_a has %d past-due jobs (%v), want the one", n, err)
	}
}

// rechargeJobs returns the recharge ids of River's wallet_recharge jobs,
// with their states.
func rechargeJobs(t *testing.T, db *store.DB) map[string]string {
	t.Helper()
	return jobsOf(t, db, jobargs.KindWalletRecharge, "recharge_id")
}

// TestAWalletRechargeIsAJobOfItsTransaction: the draw that makes a wallet's
// automatic recharge due inserts the job that runs it in its own
// transaction (a rolled-back change leaves no job), and the job charges the
// card, once.
func TestAWalletRechargeIsAJobOfItsTransaction(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := context.Background()
		svc := service.New(db, service.WithPaymentProvider(testcard.New()), service.WithPasswordCost(access.LeastPasswordCost))
		login, err := demo.Ensure(ctx, svc)
		if err != nil {
			t.Fatal(err)
		}
		p := access.System(login.TenantID, "test")
		page, err := svc.ListCustomers(ctx, p, service.CustomerFilter{Query: "C-1002"})
		if err != nil || len(page.Items) != 1 {
			t.Fatalf("the demo's customer C-1002: %v, %d found", err, len(page.Items))
		}
		cid := page.Items[0].ID
		known := map[string]bool{}
		rcs, err := svc.ListWalletRecharges(ctx, p, cid)
		if err != nil {
			t.Fatal(err)
		}
		for _, rc := range rcs {
			known[rc.ID] = true
		}
		// Below the threshold of 20.00: a recharge of 50.00 is due.
		if _, err := svc.DrawWallet(ctx, p, service.UsageCharge{CustomerID: cid, Ref: "big-usage", Amount: "45.00", Description: "usage"}); err != nil {
			t.Fatal(err)
		}
		rcs, err = svc.ListWalletRecharges(ctx, p, cid)
		if err != nil {
			t.Fatal(err)
		}
		var rc service.Recharge
		for _, r := range rcs {
			if !known[r.ID] {
				rc = r
			}
		}
		if rc.ID == "" || rc.Status != "pending" {
			t.Fatalf("recharges after the draw %+v: want a new pending one", rcs)
		}
		if state := rechargeJobs(t, db)[rc.ID]; state != "available" && state != "scheduled" {
			t.Fatalf("the recharge's job is %q, want inserted with the draw", state)
		}

		// A change that rolls back leaves no job.
		undo := errors.New("undo")
		inserted := false
		err = db.Write(ctx, func(tx service.Tx) error {
			ghost := rc
			ghost.ID, ghost.Status = "rch_rolled_back", "pending"
			if err := tx.InsertRecharge(ctx, ghost); err != nil {
				return err
			}
			inserted = true
			return undo
		})
		if !errors.Is(err, undo) || !inserted {
			t.Fatalf("the rolled-back insert: %v (inserted %v)", err, inserted)
		}
		if state, ok := rechargeJobs(t, db)["rch_rolled_back"]; ok {
			t.Fatalf("a rolled-back recharge left a %s job", state)
		}

		start(t, db, svc, jobs.Config{Every: every(time.Hour)})
		waitFor(t, "the recharge job", func() bool { return rechargeJobs(t, db)[rc.ID] == "completed" })
		rcs, err = svc.ListWalletRecharges(ctx, p, cid)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rcs {
			if r.ID == rc.ID && (r.Status != "succeeded" || r.MovementID == "" || r.Attempts != 0) {
				t.Errorf("recharge after its job %+v, want succeeded at the first attempt with its movement", r)
			}
		}
	})
}

// jobsOf returns River's jobs of kind by the id in their arguments' field
// key, with their state.
func jobsOf(t *testing.T, db *store.DB, kind, key string) map[string]string {
	t.Helper()
	args := "args"
	if db.Engine() == store.SQLite {
		args = "json(args)" // River keeps SQLite's args as JSONB
	}
	rows, err := db.SQL().Query(`SELECT ` + args + `, state FROM river_job WHERE kind = '` + kind + `'`)
	if err != nil {
		t.Fatalf("read jobs: %v", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var raw []byte
		var state string
		if err := rows.Scan(&raw, &state); err != nil {
			t.Fatal(err)
		}
		var a map[string]any
		if err := json.Unmarshal(raw, &a); err != nil {
			t.Fatalf("job args %s: %v", raw, err)
		}
		id, _ := a[key].(string)
		out[id] = state
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestAQueuedEmailIsAJobOfItsTransaction: queuing an outbox message inserts
// the job that sends it in the same transaction (a rolled-back change
// leaves none); the job sends it through a real SMTP server, once, with no
// sweep of the outbox due.
func TestAQueuedEmailIsAJobOfItsTransaction(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := context.Background()
		mp := mailpit.Start(t)
		m, err := mailer.New(mailer.Config{URL: "smtp://" + mp.SMTP, From: "Billing <billing@example.com>"})
		if err != nil {
			t.Fatal(err)
		}
		svc := service.New(db, service.WithMailer(m), service.WithPasswordCost(access.LeastPasswordCost))
		login, err := demo.Ensure(ctx, svc)
		if err != nil {
			t.Fatal(err)
		}
		p := access.System(login.TenantID, "test")
		queued, err := svc.ListOutbox(ctx, p, service.OutboxFilter{Status: "queued", Page: service.Page{Limit: service.MaxLimit}})
		if err != nil || len(queued.Items) == 0 {
			t.Fatalf("the demo's queued messages: %v, %d", err, len(queued.Items))
		}
		sendJobs := jobsOf(t, db, jobargs.KindSendEmail, "notification_id")
		for _, n := range queued.Items {
			if st := sendJobs[n.ID]; st != "available" && st != "scheduled" {
				t.Errorf("queued message %s has a %q send_email job, want one inserted with it", n.ID, st)
			}
		}

		// A change that rolls back leaves no job.
		undo := errors.New("undo")
		inserted := false
		err = db.Write(ctx, func(tx service.Tx) error {
			ghost := queued.Items[0]
			ghost.ID = "ntf_rolled_back"
			if err := tx.InsertNotification(ctx, ghost); err != nil {
				return err
			}
			inserted = true
			return undo
		})
		if !errors.Is(err, undo) || !inserted {
			t.Fatalf("the rolled-back insert: %v (inserted %v)", err, inserted)
		}
		if st, ok := jobsOf(t, db, jobargs.KindSendEmail, "notification_id")["ntf_rolled_back"]; ok {
			t.Fatalf("a rolled-back message left a %s job", st)
		}

		// The sweep of the outbox runs at start, then not for an hour: what
		// is queued after it is sent by its own job.
		start(t, db, svc, jobs.Config{Every: every(time.Hour)})
		waitFor(t, "the outbox sweep at start", func() bool {
			return slices.Contains(slices.Collect(maps.Values(jobsOf(t, db, jobs.KindEmails, ""))), "completed")
		})
		drafts, err := svc.ListInvoices(ctx, p, service.InvoiceFilter{Statuses: []billing.Status{billing.Draft}, Page: service.Page{Limit: service.MaxLimit}})
		if err != nil {
			t.Fatal(err)
		}
		notify := true
		var published billing.Invoice
		for _, d := range drafts.Items {
			if d.BillTo.Email == "" {
				continue
			}
			res, err := svc.UpdateInvoiceStatus(ctx, p, d.ID, service.StatusChange{Status: "open", Notify: &notify, Redate: true})
			if err == nil {
				published = res.Invoice
				break
			}
		}
		if published.ID == "" {
			t.Fatal("no demo draft with a billing email could be published")
		}
		sent := func(number string) int {
			n := 0
			for _, msg := range mp.Messages() {
				if strings.Contains(msg.Subject, number) {
					n++
				}
			}
			return n
		}
		waitFor(t, "the published invoice's email", func() bool { return sent(published.Number) > 0 })
		waitFor(t, "every queued message sent", func() bool {
			q, err := svc.ListOutbox(ctx, p, service.OutboxFilter{Status: "queued", Page: service.Page{Limit: 1}})
			return err == nil && len(q.Items) == 0
		})
		if n := sent(published.Number); n != 1 {
			t.Errorf("the published invoice's email arrived %d times, want once", n)
		}
		all, err := svc.ListOutbox(ctx, p, service.OutboxFilter{Status: "sent", Page: service.Page{Limit: service.MaxLimit}})
		if err != nil {
			t.Fatal(err)
		}
		if got := len(mp.Messages()); got != len(all.Items) {
			t.Errorf("%d emails arrived for %d messages sent: one each", got, len(all.Items))
		}
	})
}

// hookCounter is a webhook endpoint in the test: it counts the requests of
// each webhook-id and answers 204.
type hookCounter struct {
	mu  sync.Mutex
	ids map[string]int
}

func (h *hookCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.ids[r.Header.Get("webhook-id")+" "+r.URL.Path]++
	h.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (h *hookCounter) counts() map[string]int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return maps.Clone(h.ids)
}

// countJobs counts River's jobs of a kind, in the states given (all if none).
func countJobs(t *testing.T, db *store.DB, kind string, states ...string) int {
	t.Helper()
	var n int
	q := `SELECT count(*) FROM river_job WHERE kind = '` + kind + `'`
	if len(states) > 0 {
		q += ` AND state IN ('` + strings.Join(states, "','") + `')`
	}
	if err := db.SQL().QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("count jobs: %v", err)
	}
	return n
}

// TestAWebhookDeliveryIsWokenByItsTransaction: the transaction that queues
// webhook deliveries inserts one job that posts them, however many it
// queues (a rolled-back change leaves none); the job posts each once, with
// no sweep of the deliveries due.
func TestAWebhookDeliveryIsWokenByItsTransaction(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := context.Background()
		svc := service.New(db, service.WithWebhookSender(webhook.NewSender(true)), service.WithPrivateWebhookTargets(),
			service.WithPasswordCost(access.LeastPasswordCost))
		login, err := demo.Ensure(ctx, svc)
		if err != nil {
			t.Fatal(err)
		}
		p := access.System(login.TenantID, "test")
		hooks := &hookCounter{ids: map[string]int{}}
		srv := httptest.NewServer(hooks)
		t.Cleanup(srv.Close)
		for _, path := range []string{"/erp", "/crm"} {
			url := srv.URL + path
			if _, err := svc.CreateWebhookEndpoint(ctx, p, service.WebhookEndpointInput{URL: &url, Events: []string{"sales_item.*"}}); err != nil {
				t.Fatal(err)
			}
		}
		page, err := svc.ListCustomers(ctx, p, service.CustomerFilter{Query: "C-1002"})
		if err != nil || len(page.Items) != 1 {
			t.Fatalf("the demo customer C-1002: %v, %d", err, len(page.Items))
		}
		cid := page.Items[0].ID
		addItem := func(desc string) {
			t.Helper()
			if _, err := svc.CreateSalesItem(ctx, p, service.SalesItemInput{CustomerID: &cid, Description: &desc,
				Quantity: ptr("1"), UnitPrice: ptr("10.00")}); err != nil {
				t.Fatal(err)
			}
		}

		// One change, two deliveries (one per endpoint): one job.
		before := countJobs(t, db, jobargs.KindDeliverWebhooks)
		addItem("before the workers")
		if got := countJobs(t, db, jobargs.KindDeliverWebhooks) - before; got != 1 {
			t.Errorf("a change queuing two deliveries inserted %d deliver_webhooks jobs, want 1", got)
		}
		// A change that rolls back leaves none.
		undo := errors.New("undo")
		err = db.Write(ctx, func(tx service.Tx) error {
			now := time.Now()
			ev := service.WebhookEvent{ID: "evt_rolled_back", TenantID: login.TenantID, Type: "sales_item.created", Payload: []byte(`{}`), CreatedAt: now}
			eps, err := tx.ListWebhookEndpoints(ctx, login.TenantID, true)
			if err != nil || len(eps) == 0 {
				return fmt.Errorf("endpoints: %v", err)
			}
			d := service.WebhookDelivery{ID: "whd_rolled_back", TenantID: login.TenantID, EndpointID: eps[0].ID, EventID: ev.ID,
				EventType: ev.Type, Status: service.WebhookPending, NextAttemptAt: now.Add(time.Hour), CreatedAt: now, UpdatedAt: now}
			if err := tx.InsertWebhookEvent(ctx, ev, []service.WebhookDelivery{d}); err != nil {
				return err
			}
			return undo
		})
		if !errors.Is(err, undo) {
			t.Fatalf("the rolled-back event: %v", err)
		}
		if got := countJobs(t, db, jobargs.KindDeliverWebhooks) - before; got != 1 {
			t.Errorf("after a rolled-back delivery %d deliver_webhooks jobs, want the 1 of before", got)
		}

		// The sweep of the deliveries runs at start, then not for an
		// hour: what is queued after it is posted by its own job.
		start(t, db, svc, jobs.Config{Every: every(time.Hour)})
		waitFor(t, "the webhook sweep at start", func() bool { return countJobs(t, db, jobs.KindWebhooks, "completed") == 1 })
		addItem("after the sweep")
		waitFor(t, "four deliveries", func() bool { return len(hooks.counts()) == 4 })
		waitFor(t, "the wake-up jobs done", func() bool {
			return countJobs(t, db, jobargs.KindDeliverWebhooks, "available", "scheduled", "running", "retryable") == 0
		})
		for req, n := range hooks.counts() {
			if n != 1 {
				t.Errorf("%s arrived %d times, want once", req, n)
			}
		}
		if n := countJobs(t, db, jobs.KindWebhooks); n != 1 {
			t.Errorf("%d webhook sweeps ran, want the one at start", n)
		}
	})
}

func ptr[T any](v T) *T { return &v }
