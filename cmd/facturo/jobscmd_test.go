package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

// TestServeJobUIForOperators: serve --demo serves River's job UI on
// loopback: the jobs it ran are listed there and an operator can retry one;
// an address off loopback is refused, naming the flag.
func TestServeJobUIForOperators(t *testing.T) {
	clearEnv(t)
	s := serve(t, filepath.Join(t.TempDir(), "ui.db"))
	if !strings.HasPrefix(s.jobs, "http://127.0.0.1:") || !strings.HasSuffix(s.jobs, "/riverui/") {
		t.Fatalf("serve --demo printed the job UI at %q, want http://127.0.0.1:<port>/riverui/", s.jobs)
	}
	get := func(path string, v any) int {
		t.Helper()
		resp, err := http.Get(s.jobs + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if v != nil {
			if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
				t.Fatalf("GET %s: %v", path, err)
			}
		}
		return resp.StatusCode
	}
	if code := get("", nil); code != http.StatusOK {
		t.Fatalf("GET the job UI: %d", code)
	}
	type jobList struct {
		Data []struct {
			ID    int64  `json:"id"`
			Kind  string `json:"kind"`
			State string `json:"state"`
		} `json:"data"`
	}
	var done jobList
	deadline := time.Now().Add(time.Minute) // a guard against a hang: the jobs run at start
	for len(done.Data) == 0 && time.Now().Before(deadline) {
		done = jobList{}
		if code := get("api/jobs?state=completed&limit=20", &done); code != http.StatusOK {
			t.Fatalf("GET api/jobs: %d", code)
		}
		if len(done.Data) == 0 {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if len(done.Data) == 0 {
		t.Fatal("the job UI lists no completed job a minute after start")
	}
	job := done.Data[0]
	body := strings.NewReader(fmt.Sprintf(`{"ids":["%d"]}`, job.ID))
	resp, err := http.Post(s.jobs+"api/jobs/retry", "application/json", body)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("retrying job %d through the UI: %d", job.ID, resp.StatusCode)
	}
	s.stop(t)

	for _, addr := range []string{"0.0.0.0:8081", ":8081", "10.0.0.5:8081", "nonsense"} {
		code, _, stderr := cli(t, "serve", "--db", filepath.Join(t.TempDir(), "x.db"), "--addr", "127.0.0.1:0", "--admin-addr", addr)
		if code != 1 || !strings.Contains(stderr, "admin-addr") {
			t.Errorf("serve --admin-addr %s: exit %d, want 1 naming the flag:\n%s", addr, code, stderr)
		}
	}
}
