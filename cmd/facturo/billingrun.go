package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/service"
)

// runBillingRun runs (or resumes) the billing run of a period with a progress bar.
func runBillingRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("billing-run", "Runs (or resumes) the billing run of a period: contract items, then one draft invoice per bill-to account, provider and currency. Foreign currencies take the exchange-rate table's rate of the period's last day; a group without one is skipped and listed. Safe to run again or on several nodes.", stderr)
	dsn := f.dbFlag()
	tenant := f.String("tenant", "FACTURO_TENANT", "", "tenant id (default: the only tenant)")
	fromS := f.String("from", "", "", "first day of the period, e.g. 2026-10-01 (default: the first day of last month)")
	toS := f.String("to", "", "", "last day of the period (default: the last day of last month)")
	issue := f.Bool("issue", "", false, "issue the invoices instead of leaving drafts")
	if err := f.parse(args); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := service.New(db)
	tid, err := tenantFor(ctx, svc, *tenant)
	if err != nil {
		return err
	}
	first := calendar.New(time.Now().Year(), time.Now().Month(), 1)
	from, to := first.AddMonths(-1), first.AddDays(-1)
	if *fromS != "" {
		if from, err = calendar.Parse(*fromS); err != nil {
			return fmt.Errorf("--from: %w", err)
		}
	}
	if *toS != "" {
		if to, err = calendar.Parse(*toS); err != nil {
			return fmt.Errorf("--to: %w", err)
		}
	}
	bar := progressbar.NewOptions(100, progressbar.OptionSetWriter(stderr), progressbar.OptionSetDescription(fmt.Sprintf("billing %s – %s", from, to)),
		progressbar.OptionShowCount(), progressbar.OptionSetPredictTime(true), progressbar.OptionClearOnFinish())
	run, err := svc.RunBilling(ctx, access.System(tid, "cli"), from, to, *issue, nil, func(r service.BillingRun) {
		if r.ItemsTotal > 0 {
			bar.ChangeMax(r.ItemsTotal)
			_ = bar.Set(r.ItemsDone)
			bar.Describe(fmt.Sprintf("billing %s – %s: %d/%d customers", from, to, r.GroupsDone, r.GroupsTotal))
		}
	})
	_ = bar.Finish()
	if err != nil {
		return err
	}
	kind := "run"
	if run.Supplementary() {
		kind = "supplementary run (supplements " + run.Supplements + ")"
	}
	fmt.Fprintf(stdout, "%s %s %s: %d items on %d invoices, %d contract items made\n", kind, run.ID, run.Status, run.ItemsDone, run.InvoicesCreated, run.ContractItems)
	if run.Status == "running" {
		fmt.Fprintln(stdout, "another node is running it; run this again to resume it once that node has stopped for 2 minutes")
	}
	for _, g := range run.GroupsSkipped {
		fmt.Fprintf(stdout, "skipped %s %s (%s, %s): %d items: %s\n", g.CustomerNumber, g.CustomerName, g.Provider, g.Currency, g.Items, g.Reason)
	}
	return nil
}
