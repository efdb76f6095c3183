package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"riverqueue.com/riverui"

	"github.com/facturo/facturo/fail"
)

// Job is one job as an operator sees it.
type Job struct {
	ID          int64
	Kind        string
	Of          string // the kind a fan_out job fans out
	State       string // available, scheduled, running, retryable, completed, cancelled, discarded
	TenantID    string // empty for a job of the whole database
	Attempt     int
	MaxAttempts int
	CreatedAt   time.Time
	ScheduledAt time.Time // when it runs (next, for a retryable job)
	Errors      []string  // one line per failed attempt, oldest first
}

// States lists the states a job may be listed by. A failing job is
// retryable until its attempts run out, then discarded.
func States() []string {
	var out []string
	for _, s := range rivertype.JobStates() {
		out = append(out, string(s))
	}
	return out
}

// List returns up to limit jobs in the given states (every state when
// none), newest first.
func (r *Runner) List(ctx context.Context, states []string, limit int) ([]Job, error) {
	if limit <= 0 || limit > 1000 {
		return nil, fail.Field("limit", "use 1 to 1000")
	}
	p := river.NewJobListParams().First(limit).OrderBy(river.JobListOrderByID, river.SortOrderDesc)
	if len(states) > 0 {
		var js []rivertype.JobState
		for _, s := range states {
			if !slices.Contains(States(), s) {
				return nil, fail.Field("state", "%q is not a job state: use one of %v", s, States())
			}
			js = append(js, rivertype.JobState(s))
		}
		p = p.States(js...)
	}
	res, err := r.client.JobList(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	out := make([]Job, 0, len(res.Jobs))
	for _, row := range res.Jobs {
		out = append(out, jobOf(row))
	}
	return out, nil
}

// Retry makes a job run again now: a failed (retryable or discarded) or
// cancelled one, or a completed one (every kind may run again). A running
// job is left alone.
func (r *Runner) Retry(ctx context.Context, id int64) (Job, error) {
	row, err := r.client.JobRetry(ctx, id)
	if errors.Is(err, river.ErrNotFound) {
		return Job{}, fail.NotFoundf("job %d not found", id)
	}
	if err != nil {
		return Job{}, fmt.Errorf("retry job %d: %w", id, err)
	}
	return jobOf(row), nil
}

func jobOf(row *rivertype.JobRow) Job {
	j := Job{ID: row.ID, Kind: row.Kind, State: string(row.State), Attempt: row.Attempt, MaxAttempts: row.MaxAttempts,
		CreatedAt: row.CreatedAt, ScheduledAt: row.ScheduledAt}
	var args struct {
		TenantID string `json:"tenant_id"`
		Of       string `json:"of"`
	}
	if json.Unmarshal(row.EncodedArgs, &args) == nil {
		j.TenantID, j.Of = args.TenantID, args.Of
	}
	for _, e := range row.Errors {
		j.Errors = append(j.Errors, fmt.Sprintf("attempt %d at %s: %s", e.Attempt, e.At.UTC().Format(time.RFC3339), e.Error))
	}
	return j
}

// UI returns River's web UI (riverqueue.com/riverui) over this node's
// client, under prefix: every tenant's jobs by state with their errors, and
// retry, cancel and delete. It has no sign-in of its own: it is for
// operators, and serve binds it to a loopback address only.
func (r *Runner) UI(ctx context.Context, prefix string) (http.Handler, error) {
	h, err := riverui.NewHandler(&riverui.HandlerOpts{Endpoints: riverui.NewEndpoints(r.client, nil),
		Logger: slog.New(warnings{r.log.Handler()}), Prefix: prefix})
	if err != nil {
		return nil, fmt.Errorf("jobs UI: %w", err)
	}
	if err := h.Start(ctx); err != nil {
		return nil, fmt.Errorf("jobs UI: %w", err)
	}
	return h, nil
}
