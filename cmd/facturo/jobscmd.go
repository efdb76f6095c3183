package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/jobs"
	"github.com/facturo/facturo/service"
)

// runJobs lists the background jobs and retries a failed one: the
// operator's view of River's job table (jobs list | jobs retry).
func runJobs(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub, rest, err := subcommand(args, "jobs", stderr, "list", "retry")
	if err != nil {
		return err
	}
	var f *flags
	var states, limit, id *string
	if sub == "list" {
		f = newFlags("jobs list", "Lists the background jobs, newest first, with the errors of their failed attempts.", stderr)
		states = f.String("state", "", "", "comma-separated states: "+strings.Join(jobs.States(), ", ")+" (a failing job is retryable, then discarded); default all")
		limit = f.String("limit", "", "50", "how many jobs to list (1-1000)")
	} else {
		f = newFlags("jobs retry", "Runs a job again now: a failed (retryable or discarded), cancelled or completed one; a running job is left alone.", stderr)
		id = f.String("id", "", "", "the job's id, from jobs list (required)")
	}
	dsn := f.dbFlag()
	if err := f.parse(rest); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := jobs.New(db, service.New(db), jobs.Config{})
	if err != nil {
		return err
	}
	if sub == "retry" {
		if *id == "" {
			return fail.Field("id", "name the job: facturo jobs retry --id <job id from jobs list>")
		}
		n, err := strconv.ParseInt(*id, 10, 64)
		if err != nil {
			return fail.Field("id", "%q is not a job id (a number from jobs list)", *id)
		}
		j, err := r.Retry(ctx, n)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "job %d (%s) is %s, to run at %s\n", j.ID, j.Kind, j.State, j.ScheduledAt.UTC().Format(time.RFC3339))
		return nil
	}
	n, err := strconv.Atoi(*limit)
	if err != nil {
		return fail.Field("limit", "%q is not a number", *limit)
	}
	var want []string
	if *states != "" {
		for _, s := range strings.Split(*states, ",") {
			want = append(want, strings.TrimSpace(s))
		}
	}
	list, err := r.List(ctx, want, n)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tKIND\tSTATE\tTENANT\tATTEMPT\tSCHEDULED\tLAST ERROR")
	for _, j := range list {
		last := ""
		if len(j.Errors) > 0 {
			last = j.Errors[len(j.Errors)-1]
		}
		kind := j.Kind
		if j.Of != "" {
			kind += " " + j.Of
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%d/%d\t%s\t%s\n", j.ID, kind, j.State, j.TenantID, j.Attempt, j.MaxAttempts,
			j.ScheduledAt.UTC().Format(time.RFC3339), last)
	}
	return w.Flush()
}
