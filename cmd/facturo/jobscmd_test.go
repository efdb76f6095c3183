package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/riverqueue/river"

	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/store"
)

// pastDueArgs inserts a past-due job as the leader's fan-out does.
type pastDueArgs struct {
	TenantID string `json:"tenant_id"`
}

func (pastDueArgs) Kind() string { return "past_due" }

// TestJobsCommand: an operator lists the jobs with their state and tenant,
// retries a discarded one, and gets a clear error for a wrong state or id.
func TestJobsCommand(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		dsn := store.DSNOf(db)
		inserter, err := river.NewClient(db.JobDriver(), &river.Config{})
		if err != nil {
			t.Fatal(err)
		}
		res, err := inserter.Insert(ctx, pastDueArgs{TenantID: "ten_x"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		id := res.Job.ID
		// As River leaves a job whose attempts ran out.
		if _, err := db.SQL().ExecContext(ctx, `UPDATE river_job SET state = 'discarded', attempt = max_attempts, finalized_at = scheduled_at WHERE id = `+fmt.Sprint(id)); err != nil {
			t.Fatal(err)
		}

		code, stdout, stderr := cli(t, "jobs", "list", "--db", dsn, "--state", "discarded")
		if code != 0 || !strings.Contains(stdout, fmt.Sprintf("%d  ", id)) || !strings.Contains(stdout, "past_due") ||
			!strings.Contains(stdout, "discarded") || !strings.Contains(stdout, "ten_x") {
			t.Fatalf("jobs list exit %d, want the discarded past_due job %d of ten_x:\n%s%s", code, id, stdout, stderr)
		}
		if code, stdout, _ := cli(t, "jobs", "list", "--db", dsn, "--state", "running"); code != 0 || strings.Contains(stdout, "past_due") {
			t.Errorf("jobs list --state running exit %d lists the discarded job:\n%s", code, stdout)
		}
		code, stdout, stderr = cli(t, "jobs", "retry", "--db", dsn, "--id", fmt.Sprint(id))
		if code != 0 || !strings.Contains(stdout, "available") {
			t.Fatalf("jobs retry exit %d, want the job available again:\n%s%s", code, stdout, stderr)
		}
		if code, stdout, _ := cli(t, "jobs", "list", "--db", dsn, "--state", "available"); code != 0 || !strings.Contains(stdout, "past_due") {
			t.Errorf("after retry, jobs list --state available exit %d:\n%s", code, stdout)
		}

		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"list", "--state", "failed"}, "state: \"failed\" is not a job state"},
			{[]string{"list", "--limit", "0"}, "limit: use 1 to 1000"},
			{[]string{"retry", "--id", "abc"}, "id: \"abc\" is not a job id"},
			{[]string{"retry"}, "id: name the job"},
			{[]string{"retry", "--id", "987654"}, "job 987654 not found"},
		} {
			args := append([]string{"jobs", c.args[0], "--db", dsn}, c.args[1:]...)
			if code, _, stderr := cli(t, args...); code != 1 || !strings.Contains(stderr, c.want) {
				t.Errorf("facturo %v exit %d, want 1 and %q:\n%s", args, code, c.want, stderr)
			}
		}
	})
}
