package service_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/attachment"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

// TestApprovalWorkflow walks submit, reject, edit, submit, approve, issue,
// and shows that finance cannot approve and an unapproved draft cannot be issued.
func TestApprovalWorkflow(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := service.New(db)
		sys, customers := ledgerFixture(t, svc, 1)
		if _, err := svc.SetApprovalRequired(ctx, sys, true); err != nil {
			t.Fatal(err)
		}
		finance := access.Principal{TenantID: sys.TenantID, UserID: "usr_fin", Role: access.Finance, Name: "Finn"}
		manager := access.Principal{TenantID: sys.TenantID, UserID: "usr_mgr", Role: access.FinanceManager, Name: "Fernanda"}
		lines := []service.LineInput{{Description: "x", Quantity: ptr("1"), UnitPrice: ptr("100"), ItemSalesTaxGroup: "FULL"}}
		inv, err := svc.CreateInvoice(ctx, finance, service.InvoiceInput{CustomerID: &customers[0].ID, Lines: &lines})
		if err != nil {
			t.Fatal(err)
		}
		issue := func(p access.Principal) error {
			_, err := svc.UpdateInvoiceStatus(ctx, p, inv.ID, service.StatusChange{Status: "open"})
			return err
		}
		if err := issue(manager); !fail.Is(err, fail.Conflict) {
			t.Fatalf("issuing an unsubmitted draft: %v", err)
		}
		step := func(name string, fn func() (billing.Invoice, error), want billing.Status) {
			t.Helper()
			got, err := fn()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if got.Status != want {
				t.Fatalf("%s: status %s, want %s", name, got.Status, want)
			}
		}
		step("submit", func() (billing.Invoice, error) { return svc.SubmitInvoice(ctx, finance, inv.ID, "please check") }, billing.Submitted)
		if _, err := svc.ApproveInvoice(ctx, finance, inv.ID, ""); !fail.Is(err, fail.Forbidden) {
			t.Fatalf("finance approved: %v", err)
		}
		if _, err := svc.RejectInvoice(ctx, manager, inv.ID, ""); !fail.Is(err, fail.Invalid) {
			t.Fatalf("reject without a comment: %v", err)
		}
		step("reject", func() (billing.Invoice, error) { return svc.RejectInvoice(ctx, manager, inv.ID, "price is 90") }, billing.Draft)
		if err := issue(manager); !fail.Is(err, fail.Conflict) {
			t.Fatalf("issuing a rejected draft: %v", err)
		}
		lines[0].UnitPrice = ptr("90")
		if _, err := svc.UpdateInvoice(ctx, finance, inv.ID, service.InvoiceInput{Lines: &lines}); err != nil {
			t.Fatal(err)
		}
		step("submit again", func() (billing.Invoice, error) { return svc.SubmitInvoice(ctx, finance, inv.ID, "fixed") }, billing.Submitted)
		// Editing a submitted draft returns it to unsubmitted.
		step("edit while submitted", func() (billing.Invoice, error) {
			return svc.UpdateInvoice(ctx, finance, inv.ID, service.InvoiceInput{Notes: ptr("note")})
		}, billing.Draft)
		step("submit a third time", func() (billing.Invoice, error) { return svc.SubmitInvoice(ctx, finance, inv.ID, "") }, billing.Submitted)
		if err := issue(manager); !fail.Is(err, fail.Conflict) {
			t.Fatalf("issuing a submitted, unapproved draft: %v", err)
		}
		step("approve", func() (billing.Invoice, error) { return svc.ApproveInvoice(ctx, manager, inv.ID, "ok") }, billing.Approved)
		if err := issue(finance); err != nil {
			t.Fatalf("issuing an approved draft: %v", err)
		}
		got, err := svc.GetInvoice(ctx, manager, inv.ID)
		if err != nil || got.Status != billing.Open || !got.Total.Equal(got.Net.MustAdd(got.Tax)) || got.Net.String() != "90.00" {
			t.Fatalf("issued: %+v %v", got.Totals, err)
		}
		hist, err := svc.InvoiceWorkflow(ctx, manager, inv.ID)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range hist {
			actions = append(actions, e.Action+":"+e.ActorName)
		}
		want := "submitted:Finn rejected:Fernanda submitted:Finn returned:Finn submitted:Finn approved:Fernanda"
		if strings.Join(actions, " ") != want {
			t.Fatalf("history %v, want %s", actions, want)
		}
		if hist[1].Comment != "price is 90" {
			t.Fatalf("reject comment lost: %+v", hist[1])
		}
	})
}

// TestRecurringThreePeriods moves the clock across three months: exactly
// three drafts, also with two nodes running the schedule at once.
func TestRecurringThreePeriods(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
		var mu sync.Mutex
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		svc := service.New(db, service.WithClock(clock))
		sys, customers := ledgerFixture(t, svc, 1)
		lines := []service.LineInput{{Description: "Managed backup", Quantity: ptr("3"), UnitPrice: ptr("49.90"), ItemSalesTaxGroup: "FULL", ChargeType: "recurring"}}
		tpl, err := svc.CreateTemplate(ctx, sys, service.TemplateInput{Name: ptr("Backup"), CustomerID: &customers[0].ID,
			Interval: ptr("monthly"), Start: ptr(calendar.New(2026, 2, 1)), Invoice: &service.InvoiceInput{Lines: &lines, Provider: ptr("Acronis")}})
		if err != nil {
			t.Fatal(err)
		}
		paused, err := svc.CreateTemplate(ctx, sys, service.TemplateInput{Name: ptr("Paused"), CustomerID: &customers[0].ID,
			Interval: ptr("monthly"), Start: ptr(calendar.New(2026, 1, 1)), Status: ptr("paused"), Invoice: &service.InvoiceInput{Lines: &lines}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateTemplate(ctx, sys, service.TemplateInput{Name: ptr("Over"), CustomerID: &customers[0].ID,
			Interval: ptr("monthly"), Start: ptr(calendar.New(2025, 1, 1)), End: ptr(calendar.New(2025, 6, 30)),
			Invoice: &service.InvoiceInput{Lines: &lines}}); !fail.Is(err, fail.Invalid) {
			t.Fatalf("a template that ended in the past was accepted: %v", err)
		}
		ended, err := svc.CreateTemplate(ctx, sys, service.TemplateInput{Name: ptr("Ended"), CustomerID: &customers[0].ID,
			Interval: ptr("monthly"), Start: ptr(calendar.New(2026, 1, 1)), Invoice: &service.InvoiceInput{Lines: &lines}})
		if err != nil {
			t.Fatal(err)
		}
		if ended, err = svc.UpdateTemplate(ctx, sys, ended.ID, service.TemplateInput{Status: ptr("ended")}); err != nil || ended.Status != billing.TemplateEnded {
			t.Fatalf("ending a template: %v", err)
		}
		// A second node: its own connections and service, same database.
		var other *service.Service
		if db.Engine() == store.Postgres || db.Engine() == store.SQLite {
			db2, err := store.Open(ctx, testdbDSN(t, db))
			if err != nil {
				t.Fatal(err)
			}
			defer db2.Close()
			other = service.New(db2, service.WithClock(clock))
		}
		for _, day := range []time.Time{
			time.Date(2026, 1, 31, 12, 0, 0, 0, time.UTC), // before start: nothing
			time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC),  // February
			time.Date(2026, 2, 20, 12, 0, 0, 0, time.UTC), // still February: nothing new
			time.Date(2026, 4, 2, 12, 0, 0, 0, time.UTC),  // March and April, caught up
		} {
			mu.Lock()
			now = day
			mu.Unlock()
			var wg sync.WaitGroup
			errs := make(chan error, 2)
			for _, s := range []*service.Service{svc, other} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := s.RunRecurring(ctx, sys.TenantID); err != nil {
						errs <- err
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatalf("run on %s: %v", day.Format("2006-01-02"), err)
			}
		}
		page, err := svc.ListInvoices(ctx, sys, service.InvoiceFilter{Page: service.Page{Limit: 100}})
		if err != nil {
			t.Fatal(err)
		}
		periods := map[string]int{}
		for _, inv := range page.Items {
			if inv.TemplateID == paused.ID || inv.TemplateID == ended.ID {
				t.Fatalf("a paused or ended template made %s", inv.DocumentNumber)
			}
			if inv.TemplateID != tpl.ID {
				t.Fatalf("unexpected document %s", inv.DocumentNumber)
			}
			if inv.Status != billing.Draft || inv.Provider != "Acronis" || inv.PeriodStart.String() != inv.TemplatePeriod {
				t.Fatalf("generated document: %+v", inv)
			}
			periods[inv.TemplatePeriod]++
		}
		if len(page.Items) != 3 || periods["2026-02-01"] != 1 || periods["2026-03-01"] != 1 || periods["2026-04-01"] != 1 {
			t.Fatalf("documents per period: %v (%d documents)", periods, len(page.Items))
		}
		got, err := svc.GetTemplate(ctx, sys, tpl.ID)
		if err != nil || got.Next.String() != "2026-05-01" {
			t.Fatalf("next date %s, %v", got.Next, err)
		}
	})
}

func testdbDSN(t *testing.T, db *store.DB) string {
	t.Helper()
	dsn := store.DSNOf(db)
	if dsn == "" {
		t.Fatal("no DSN for the database")
	}
	return dsn
}

func TestCorrectionBadInputWritesNothing(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := service.New(db)
		p, customers := ledgerFixture(t, svc, 1)
		lines := []service.LineInput{{Description: "x", Quantity: ptr("1"), UnitPrice: ptr("10"), ItemSalesTaxGroup: "FULL"}}
		mk := func(status ...string) string {
			inv, err := svc.CreateInvoice(ctx, p, service.InvoiceInput{CustomerID: &customers[0].ID, Lines: &lines})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range status {
				if _, err := svc.UpdateInvoiceStatus(ctx, p, inv.ID, service.StatusChange{Status: s}); err != nil {
					t.Fatal(err)
				}
			}
			return inv.ID
		}
		draft, void, open := mk(), mk("open", "void"), mk("open")
		if _, err := svc.CorrectInvoice(ctx, p, open, "PRICE", "first"); err != nil {
			t.Fatal(err)
		}
		open2 := mk("open")
		pdf := append([]byte("%PDF-1.7\n"), make([]byte, 100)...)
		cases := []struct {
			name  string
			code  fail.Code
			field string
			do    func() error
		}{
			{"correct a draft", fail.Conflict, "", func() error { _, err := svc.CorrectInvoice(ctx, p, draft, "PRICE", ""); return err }},
			{"correct a void invoice", fail.Conflict, "", func() error { _, err := svc.CorrectInvoice(ctx, p, void, "PRICE", ""); return err }},
			{"correct twice", fail.Conflict, "", func() error { _, err := svc.CorrectInvoice(ctx, p, open, "PRICE", ""); return err }},
			{"unknown reason code", fail.Invalid, "reason_code", func() error { _, err := svc.CorrectInvoice(ctx, p, open2, "NOPE", ""); return err }},
			{"no reason code", fail.Invalid, "reason_code", func() error { _, err := svc.CorrectInvoice(ctx, p, open2, "", ""); return err }},
			{"attachment over the limit", fail.Invalid, "file", func() error {
				big := append([]byte("%PDF-"), make([]byte, attachment.MaxBytes)...)
				_, err := svc.AddAttachment(ctx, p, draft, "big.pdf", "application/pdf", big)
				return err
			}},
			{"bytes not matching the type", fail.Invalid, "content_type", func() error {
				_, err := svc.AddAttachment(ctx, p, draft, "fake.png", "image/png", pdf)
				return err
			}},
			{"type not accepted", fail.Invalid, "content_type", func() error {
				_, err := svc.AddAttachment(ctx, p, draft, "run.exe", "application/x-msdownload", []byte("MZ\x90\x00"))
				return err
			}},
			{"empty file", fail.Invalid, "file", func() error {
				_, err := svc.AddAttachment(ctx, p, draft, "empty.txt", "text/plain", nil)
				return err
			}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := rowCounts(t, db)
				err := tc.do()
				e, ok := fail.As(err)
				if !ok || e.Code != tc.code {
					t.Fatalf("got %v, want %s", err, tc.code)
				}
				if tc.field != "" && (len(e.Fields) == 0 || e.Fields[0].Field != tc.field) {
					t.Fatalf("fields %+v, want %s", e.Fields, tc.field)
				}
				sameCounts(t, before, rowCounts(t, db))
			})
		}
		// A good attachment is kept when the draft is issued, and reads back byte for byte.
		a, err := svc.AddAttachment(ctx, p, draft, `C:\docs\contrato firmado.pdf`, "application/pdf", pdf)
		if err != nil {
			t.Fatal(err)
		}
		if a.Filename != "contrato firmado.pdf" {
			t.Fatalf("filename %q", a.Filename)
		}
		if _, err := svc.UpdateInvoiceStatus(ctx, p, draft, service.StatusChange{Status: "open"}); err != nil {
			t.Fatal(err)
		}
		got, err := svc.GetAttachment(ctx, p, draft, a.ID)
		if err != nil || string(got.Data) != string(pdf) || got.ContentType != "application/pdf" {
			t.Fatalf("attachment after issue: %v", err)
		}
		if err := svc.DeleteAttachment(ctx, p, draft, a.ID); !fail.Is(err, fail.Conflict) {
			t.Fatalf("deleting an issued document's attachment: %v", err)
		}
	})
}
