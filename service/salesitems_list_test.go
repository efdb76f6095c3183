package service_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

// TestSalesItemTextSearchAndCustomerSort (issue 16): the sales item list
// searches the item's text columns and its customer's number and name,
// only in the caller's tenant; sorting by customer sorts by the customer's
// name, across pages.
func TestSalesItemTextSearchAndCustomerSort(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		// Created in this order so their ids sort the other way round from
		// their names.
		zeta := e.customer(t, e.pa, "Zeta Ópticas")
		mid := e.customer(t, e.pa, "Mitte GmbH")
		alpha := e.customer(t, e.pa, "Alpha Labs")
		other := e.customer(t, e.pb, "Alpha Labs Brasil")
		day := calendar.New(2025, 3, 1)
		item := func(pr access.Principal, customer billing.Customer, desc, provider string) billing.SalesItem {
			t.Helper()
			return must(e.svc.CreateSalesItem(e.ctx, pr, service.SalesItemInput{CustomerID: &customer.ID, Description: ptr(desc),
				Quantity: ptr("1"), UnitPrice: ptr("10"), BillingDate: &day, Provider: ptr(provider)})).ok(t)
		}
		backup := item(e.pa, zeta, "Cloud Backup 500 GB", "Acronis")
		seats := item(e.pa, mid, "Microsoft 365 seats", "Microsoft")
		consult := item(e.pa, alpha, "Consulting hours", "Nimbus")
		support := item(e.pa, alpha, "Support plan", "Nimbus")
		item(e.pb, other, "Cloud Backup 1 TB", "Acronis") // tenant B: never found from A

		ids := func(f service.SalesItemFilter) []string {
			t.Helper()
			if f.Page.Limit == 0 {
				f.Page.Limit = 100
			}
			var out []string
			for {
				page := must(e.svc.ListSalesItems(e.ctx, e.pa, f)).ok(t)
				for _, si := range page.Items {
					out = append(out, si.ID)
				}
				if page.Next == "" {
					return out
				}
				f.Page.Cursor = page.Next
			}
		}
		sameSet := func(what string, got []string, want ...billing.SalesItem) {
			t.Helper()
			var w []string
			for _, si := range want {
				w = append(w, si.ID)
			}
			slices.Sort(got)
			slices.Sort(w)
			if !slices.Equal(got, w) {
				t.Errorf("%s: got %v, want %v", what, got, w)
			}
		}
		sameSet("description, any case", ids(service.SalesItemFilter{Query: "cloud BACKUP"}), backup)
		sameSet("provider", ids(service.SalesItemFilter{Query: "microsoft"}), seats)
		sameSet("customer name, without its accent", ids(service.SalesItemFilter{Query: "opticas"}), backup)
		sameSet("customer number", ids(service.SalesItemFilter{Query: alpha.Number}), consult, support)
		sameSet("search and customer filter", ids(service.SalesItemFilter{Query: "plan", CustomerID: alpha.ID}), support)
		sameSet("wildcards are literal", ids(service.SalesItemFilter{Query: "%"}))
		if _, err := e.svc.ListSalesItems(e.ctx, e.pa, service.SalesItemFilter{Query: string(make([]byte, 201))}); err == nil {
			t.Error("a 201-character search was accepted")
		} else {
			wantFields(t, err, "q")
		}

		// By customer: by name, then id; one row per page walks the same order.
		want := []string{consult.ID, support.ID, seats.ID, backup.ID}
		if consult.ID > support.ID {
			want[0], want[1] = support.ID, consult.ID
		}
		if got := ids(service.SalesItemFilter{Sort: "customer"}); !slices.Equal(got, want) {
			t.Errorf("sorted by customer: %v, want %v (Alpha, Alpha, Mitte, Zeta)", got, want)
		}
		if got := ids(service.SalesItemFilter{Sort: "customer", Page: service.Page{Limit: 1}}); !slices.Equal(got, want) {
			t.Errorf("sorted by customer, one per page: %v, want %v", got, want)
		}
		rev := slices.Clone(want)
		slices.Reverse(rev)
		if got := ids(service.SalesItemFilter{Sort: "customer", Desc: true, Page: service.Page{Limit: 2}}); !slices.Equal(got, rev) {
			t.Errorf("sorted by customer descending, two per page: %v, want %v", got, rev)
		}
	})
}

// TestUsageRejectionCodes (issue 16): each rejected usage row names its
// reason with a code and the value at fault, so the console can word it in
// the reader's language; the good rows are imported.
func TestUsageRejectionCodes(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := billedCustomer(t, e, "Usage Co")
		must(e.svc.CreateProduct(e.ctx, e.pa, service.ProductInput{Code: ptr("GB"), Name: ptr("Storage GB"), ChargeType: ptr("usage"), DefaultPrice: ptr("0.1")})).ok(t)
		from, to := calendar.New(2025, 2, 1), calendar.New(2025, 2, 28)
		rep := must(e.svc.ImportUsage(e.ctx, e.pa, []service.UsageRecord{
			{Line: 2, RecordID: "ok", CustomerRef: c.Number, SKU: "GB", Quantity: "10", PeriodStart: from, PeriodEnd: to},
			{Line: 3, RecordID: "", CustomerRef: c.Number, SKU: "GB", Quantity: "1", PeriodStart: from, PeriodEnd: to},
			{Line: 4, RecordID: "c", CustomerRef: "C-NOPE", SKU: "GB", Quantity: "1", PeriodStart: from, PeriodEnd: to},
			{Line: 5, RecordID: "p", CustomerRef: c.Number, SKU: "NOPE", Quantity: "1", PeriodStart: from, PeriodEnd: to},
			{Line: 6, RecordID: "q", CustomerRef: c.Number, SKU: "GB", Quantity: "lots", PeriodStart: from, PeriodEnd: to},
			{Line: 7, RecordID: "d", CustomerRef: c.Number, SKU: "GB", Quantity: "1", PeriodStart: to, PeriodEnd: from},
		})).ok(t)
		if rep.Imported != 1 || rep.Rejected != 5 {
			t.Fatalf("imported %d, rejected %d; want 1 and 5", rep.Imported, rep.Rejected)
		}
		want := map[int]string{3: "record_id", 4: "customer", 5: "product", 6: "quantity", 7: "period"}
		for _, r := range rep.Rows {
			if r.Status != "rejected" {
				continue
			}
			if r.Code != want[r.Line] || r.Reason == "" {
				t.Errorf("line %d: code %q (reason %q), want %q", r.Line, r.Code, r.Reason, want[r.Line])
			}
		}
		for _, r := range rep.Rows {
			if r.Line == 6 && (len(r.Args) != 1 || r.Args[0] != "lots") {
				t.Errorf("the quantity's rejection carries %v, want the value at fault", r.Args)
			}
		}
	})
}

// TestUsageImportProgress (issue 16): an import started from the console
// records its progress in the transaction of each batch, keeps its rejected
// rows with their codes and values, counts like ImportUsage, and is read
// only in its own tenant.
func TestUsageImportProgress(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := billedCustomer(t, e, "Usage Co")
		must(e.svc.CreateProduct(e.ctx, e.pa, service.ProductInput{Code: ptr("GB"), Name: ptr("Storage GB"), ChargeType: ptr("usage"), DefaultPrice: ptr("0.1")})).ok(t)
		from, to := calendar.New(2025, 2, 1), calendar.New(2025, 2, 28)
		var recs []service.UsageRecord
		for i := range 1100 {
			r := service.UsageRecord{Line: i + 2, RecordID: fmt.Sprintf("r%d", i), CustomerRef: c.Number, SKU: "GB", Quantity: "1", PeriodStart: from, PeriodEnd: to}
			if i%250 == 7 {
				r.SKU = "NOPE" // 5 rows: 7, 257, 507, 757, 1007
			}
			recs = append(recs, r)
		}
		pre := []service.UsageRowResult{{Line: 1200, RecordID: "bad-csv", Status: "rejected", Code: "csv_row", Reason: "the row cannot be read as CSV"}}
		imp := must(e.svc.StartUsageImport(e.ctx, e.pa, len(recs), pre)).ok(t)
		if imp.Status != service.ImportRunning || imp.Total != 1101 || imp.Processed != 1 {
			t.Fatalf("started: %+v", imp)
		}
		var seen []int
		done, err := e.svc.RunUsageImport(e.ctx, e.pa, imp.ID, recs, func(u service.UsageImport) {
			// What any node reads after each batch is what the batch wrote.
			got, err := e.svc.GetUsageImport(e.ctx, e.pa, imp.ID)
			if err != nil || got.Processed != u.Processed {
				t.Errorf("after a batch, another read: %d (%v), want %d", got.Processed, err, u.Processed)
			}
			seen = append(seen, u.Processed)
		})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(seen, []int{501, 1001, 1101}) {
			t.Errorf("progress after each batch: %v", seen)
		}
		got := must(e.svc.GetUsageImport(e.ctx, e.pa, imp.ID)).ok(t)
		if got.Status != service.ImportDone || got.Imported != 1095 || got.Duplicates != 0 || len(got.Rejected) != 6 || got.Processed != 1101 ||
			done.Imported != got.Imported {
			t.Fatalf("done: status %s imported %d duplicates %d rejected %d processed %d", got.Status, got.Imported, got.Duplicates, len(got.Rejected), got.Processed)
		}
		for _, r := range got.Rejected {
			if r.Line == 1200 && r.Code != "csv_row" || r.Line != 1200 && (r.Code != "product" || len(r.Args) != 1 || r.Args[0] != "NOPE") {
				t.Errorf("rejected row kept as %+v", r)
			}
		}
		// The same file again: nothing new, every good row a duplicate.
		again := must(e.svc.StartUsageImport(e.ctx, e.pa, len(recs), nil)).ok(t)
		if again2 := must(e.svc.RunUsageImport(e.ctx, e.pa, again.ID, recs, nil)).ok(t); again2.Imported != 0 || again2.Duplicates != 1095 {
			t.Errorf("imported again: %d new, %d duplicates", again2.Imported, again2.Duplicates)
		}
		if _, err := e.svc.GetUsageImport(e.ctx, e.pb, imp.ID); !fail.Is(err, fail.NotFound) {
			t.Errorf("another tenant reads the import: %v", err)
		}
		// An import whose node stopped: running, then no batch for longer
		// than ImportStale, reads as interrupted; a finished one does not.
		stuck := must(e.svc.StartUsageImport(e.ctx, e.pa, len(recs), nil)).ok(t)
		if got := must(e.svc.GetUsageImport(e.ctx, e.pa, stuck.ID)).ok(t); got.Status != service.ImportRunning {
			t.Errorf("a fresh import reads %s", got.Status)
		}
		e.clock.Advance(3 * time.Minute)
		if got := must(e.svc.GetUsageImport(e.ctx, e.pa, stuck.ID)).ok(t); got.Status != service.ImportInterrupted {
			t.Errorf("an import with no batch for 3 minutes reads %s, want interrupted", got.Status)
		}
		if got := must(e.svc.GetUsageImport(e.ctx, e.pa, imp.ID)).ok(t); got.Status != service.ImportDone {
			t.Errorf("a finished import reads %s", got.Status)
		}
	})
}
