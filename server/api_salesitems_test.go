package server_test

// Acceptance tests over HTTP, on every engine, of seed 002's sales items:
// usage import (CSV and JSON), the list with its filters, sorts, cursor
// pages and advanced filter, the draft → pending → invoiced lifecycle, time
// logged by engineers, and billing runs.

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/internal/testserver"
)

// accItem is a sales item as the API shows it.
type accItem struct {
	ID               string `json:"id"`
	CustomerID       string `json:"customer_id"`
	Source           string `json:"source"`
	SourceRef        string `json:"source_ref"`
	ProductID        string `json:"product_id"`
	Description      string `json:"description"`
	Quantity         string `json:"quantity"`
	UnitPrice        string `json:"unit_price"`
	Gross            string `json:"amount_before_discount"`
	BillingDate      string `json:"billing_date"`
	Provider         string `json:"provider"`
	Currency         string `json:"currency"`
	Status           string `json:"status"`
	Invoiced         bool   `json:"invoiced"`
	InvoiceID        string `json:"invoice_id"`
	NeedsBillingInfo bool   `json:"needs_billing_info"`
	CreatedAt        string `json:"created_at"`
}

// accUsageReport is the answer of a usage import.
type accUsageReport struct {
	Imported   int `json:"imported"`
	Duplicates int `json:"duplicates"`
	Rejected   int `json:"rejected"`
	Rows       []struct {
		Line     int    `json:"line"`
		RecordID string `json:"record_id"`
		Status   string `json:"status"`
		Reason   string `json:"reason"`
		ItemID   string `json:"sales_item_id"`
	} `json:"rows"`
}

// accCreate POSTs body and decodes the 201 (or 200) answer into out.
func accCreate(t *testing.T, e *testserver.Env, key, path string, body, out any, headers ...string) {
	t.Helper()
	r := accDo(t, e, http.MethodPost, path, key, body, headers...)
	if r.Status != http.StatusCreated && r.Status != http.StatusOK && r.Status != http.StatusAccepted {
		t.Fatalf("POST %s: %d %s", path, r.Status, r.Body)
	}
	if out != nil {
		r.JSON(t, out)
	}
}

// accItems lists sales items with query, following every page.
func accItems(t *testing.T, e *testserver.Env, key, query string, limit int) []accItem {
	t.Helper()
	var out []accItem
	cursor := ""
	for page := 0; ; page++ {
		q := fmt.Sprintf("?limit=%d", limit)
		if query != "" {
			q += "&" + query
		}
		if cursor != "" {
			q += "&cursor=" + url.QueryEscape(cursor)
		}
		r := accDo(t, e, http.MethodGet, "/api/v1/sales-items"+q, key, nil)
		if r.Status != http.StatusOK {
			t.Fatalf("sales items %s: %d %s", q, r.Status, r.Body)
		}
		var l accList[accItem]
		r.JSON(t, &l)
		out = append(out, l.Data...)
		if !l.HasMore {
			if l.NextCursor != "" && len(l.Data) == limit {
				t.Errorf("sales items %s: a cursor without more rows", q)
			}
			return out
		}
		if l.NextCursor == "" || len(l.Data) != limit {
			t.Fatalf("sales items %s: has_more with %d rows and cursor %q", q, len(l.Data), l.NextCursor)
		}
		if page > 100 {
			t.Fatalf("sales items %s: more than 100 pages", query)
		}
		cursor = l.NextCursor
	}
}

func accItemIDs(items []accItem) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	return out
}

// accItemFixture builds, over HTTP, the sales items the list tests read.
type accItemFixture struct {
	sales, fm     string
	c1, c2        string // customers with billing information
	later, noInfo string // a customer completed later; one never completed
	byRef         map[string]string
}

func accNewItemFixture(t *testing.T, e *testserver.Env) *accItemFixture {
	t.Helper()
	f := &accItemFixture{sales: e.A.Keys[access.Sales], fm: e.A.Keys[access.FinanceManager], c1: e.A.Customer, c2: e.A.Other, byRef: map[string]string{}}
	admin := e.A.Keys[access.Administrator]
	for _, p := range []map[string]any{
		{"code": "AWS-EC2", "name": "EC2 compute", "charge_type": "usage", "unit": "h", "default_price": "0.12", "provider": "AWS"},
		{"code": "AZ-VM", "name": "Azure VM", "charge_type": "usage", "unit": "h", "default_price": "2.50", "provider": "Azure"},
		{"code": "SUPPORT", "name": "Support hour", "charge_type": "time", "unit": "h", "default_price": "80.00"},
	} {
		accCreate(t, e, admin, "/api/v1/products", p, nil)
	}
	var c struct {
		ID     string `json:"id"`
		Number string `json:"number"`
	}
	accCreate(t, e, f.sales, "/api/v1/customers", map[string]any{"name": "Later Co"}, &c)
	f.later = c.ID
	accCreate(t, e, f.sales, "/api/v1/customers", map[string]any{"name": "No Info Ltd"}, &c)
	f.noInfo = c.ID
	return f
}

// number returns a customer's number.
func (f *accItemFixture) number(t *testing.T, e *testserver.Env, id string) string {
	t.Helper()
	var c struct {
		Number string `json:"number"`
	}
	r := accDo(t, e, http.MethodGet, "/api/v1/customers/"+id, f.sales, nil)
	r.JSON(t, &c)
	if c.Number == "" {
		t.Fatalf("customer %s has no number: %s", id, r.Body)
	}
	return c.Number
}

// TestUsageImport: a CSV file with bad rows imports the good ones and
// reports each bad one with its line and reason; importing it again adds
// nothing. The JSON import reports the same way.
func TestUsageImport(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		f := accNewItemFixture(t, e)
		n1, n2, nl := f.number(t, e, f.c1), f.number(t, e, f.c2), f.number(t, e, f.later)
		nov := ",2025-11-01,2025-11-30\n"
		csv := "record_id,customer,sku,quantity,unit,period_start,period_end\n" + // line 1
			"u1," + n1 + ",AWS-EC2,100,h" + nov + // 2: imported
			"u2," + n1 + ",AZ-VM,3," + nov + // 3: imported
			"u3,NO-SUCH-CUSTOMER,AWS-EC2,1,h" + nov + // 4: unknown customer
			"u4," + n2 + ",NO-SUCH-SKU,1," + nov + // 5: unknown product
			"u5," + n2 + ",AWS-EC2,lots," + nov + // 6: bad quantity
			"u6," + n2 + ",AWS-EC2,5,,2025-13-01,2025-11-30\n" + // 7: bad date
			"," + n2 + ",AWS-EC2,5," + nov + // 8: no record id
			"u7," + n2 + ",AWS-EC2,5,,2025-11-30,2025-11-01\n" + // 9: period backwards
			"\n" + // 10: blank
			"u8," + n2 + ",AZ-VM,7," + nov + // 11: imported
			"u9," + nl + ",AWS-EC2,10,h" + nov + // 12: imported, draft (no billing info)
			"u1," + n1 + ",AWS-EC2,100,h" + nov + // 13: duplicate of line 2
			"u1\"0," + n1 + ",AWS-EC2,1,h" + nov // 14: not CSV (bare quote)
		wantRejected := map[int]string{4: "customer", 5: "product", 6: "quantity", 7: "period", 8: "record_id", 9: "period", 14: "unreadable"}
		wantImported := map[int]string{2: "u1", 3: "u2", 11: "u8", 12: "u9"}

		before := e.Snapshot()
		var rep accUsageReport
		accCreate(t, e, f.sales, "/api/v1/usage/csv", csv, &rep, "Content-Type", "text/csv")
		if rep.Imported != 4 || rep.Duplicates != 1 || rep.Rejected != 7 || len(rep.Rows) != 12 {
			t.Errorf("CSV import: %d imported, %d duplicates, %d rejected, %d rows; want 4, 1, 7, 12: %+v",
				rep.Imported, rep.Duplicates, rep.Rejected, len(rep.Rows), rep.Rows)
		}
		lines := map[int]bool{}
		for _, row := range rep.Rows {
			lines[row.Line] = true
			switch {
			case wantRejected[row.Line] != "":
				if row.Status != "rejected" || !strings.Contains(strings.ToLower(row.Reason), wantRejected[row.Line]) {
					t.Errorf("line %d: %+v, want rejected for its %s", row.Line, row, wantRejected[row.Line])
				}
			case wantImported[row.Line] != "":
				if row.Status != "imported" || row.RecordID != wantImported[row.Line] || row.ItemID == "" {
					t.Errorf("line %d: %+v, want %s imported", row.Line, row, wantImported[row.Line])
				}
			case row.Line == 13:
				if row.Status != "duplicate" || row.ItemID != "" {
					t.Errorf("line 13: %+v, want duplicate", row)
				}
			default:
				t.Errorf("a report row for line %d: %+v", row.Line, row)
			}
		}
		if len(lines) != 12 {
			t.Errorf("report lines %v: want 2–9 and 11–14 once each", lines)
		}
		after := e.Snapshot()
		if after["sales_items"]-before["sales_items"] != 4 {
			t.Errorf("CSV import added %d sales items, want 4", after["sales_items"]-before["sales_items"])
		}

		// The same file again adds nothing.
		var again accUsageReport
		accCreate(t, e, f.sales, "/api/v1/usage/csv", csv, &again, "Content-Type", "text/csv")
		if again.Imported != 0 || again.Duplicates != 5 || again.Rejected != 7 {
			t.Errorf("second import: %d imported, %d duplicates, %d rejected; want 0, 5, 7", again.Imported, again.Duplicates, again.Rejected)
		}
		if n := e.Snapshot()["sales_items"]; n != after["sales_items"] {
			t.Errorf("second import changed the sales items: %d → %d", after["sales_items"], n)
		}

		// What the items are: product defaults, gross = quantity × price, draft without billing information.
		items := accItems(t, e, f.sales, "source=usage", 500)
		bySource := map[string]accItem{}
		for _, it := range items {
			bySource[it.SourceRef] = it
		}
		for ref, want := range map[string]struct{ cust, provider, gross, status string }{
			"u1": {f.c1, "AWS", "12.00", "pending"}, "u2": {f.c1, "Azure", "7.50", "pending"},
			"u8": {f.c2, "Azure", "17.50", "pending"}, "u9": {f.later, "AWS", "1.20", "draft"},
		} {
			it, ok := bySource[ref]
			if !ok || it.CustomerID != want.cust || it.Provider != want.provider || it.Gross != want.gross || it.Status != want.status ||
				it.BillingDate != "2025-11-30" || it.Currency != "EUR" || it.NeedsBillingInfo != (want.status == "draft") {
				t.Errorf("usage item %s: %+v, want %+v", ref, it, want)
			}
		}
		if len(items) != 4 {
			t.Errorf("usage items: %d, want 4", len(items))
		}

		// A file without the header is refused as a whole.
		before = e.Snapshot()
		r := accDo(t, e, http.MethodPost, "/api/v1/usage/csv", f.sales, "u1,"+n1+",AWS-EC2,1,h,2025-11-01,2025-11-30\n", "Content-Type", "text/csv")
		if p := accWantProblem(t, r, http.StatusUnprocessableEntity, "invalid"); p.Field != "file" {
			t.Errorf("CSV without header: field %q, want file", p.Field)
		}
		accUnchanged(t, e, "CSV without header", before)

		// JSON: the same report, lines numbered from 1.
		var jrep accUsageReport
		accCreate(t, e, f.sales, "/api/v1/usage", map[string]any{"records": []any{
			map[string]any{"record_id": "j1", "customer": n2, "sku": "AWS-EC2", "quantity": "40", "period_start": "2025-12-01", "period_end": "2025-12-31"},
			map[string]any{"record_id": "j2", "customer": n2, "sku": "GONE", "quantity": "1", "period_start": "2025-12-01", "period_end": "2025-12-31"},
			map[string]any{"record_id": "u8", "customer": n2, "sku": "AZ-VM", "quantity": "7", "period_start": "2025-11-01", "period_end": "2025-11-30"},
		}}, &jrep)
		if jrep.Imported != 1 || jrep.Rejected != 1 || jrep.Duplicates != 1 || len(jrep.Rows) != 3 ||
			jrep.Rows[0].Line != 1 || jrep.Rows[0].Status != "imported" ||
			jrep.Rows[1].Line != 2 || jrep.Rows[1].Status != "rejected" || !strings.Contains(jrep.Rows[1].Reason, "GONE") ||
			jrep.Rows[2].Line != 3 || jrep.Rows[2].Status != "duplicate" {
			t.Errorf("JSON import: %+v", jrep)
		}
		// Engineers and customers may not import.
		for _, role := range []access.Role{access.Engineer, access.Customer} {
			before := e.Snapshot()
			accWantProblem(t, accDo(t, e, http.MethodPost, "/api/v1/usage/csv", e.A.Keys[role], csv, "Content-Type", "text/csv"), http.StatusForbidden, "forbidden")
			accUnchanged(t, e, "import as "+string(role), before)
		}
	})
}

// TestSalesItemLifecycle: draft while the customer lacks billing
// information, pending once it is completed, invoiced by a billing run (one
// invoice per bill-to account, provider and currency); engineers log time
// but never see sales items.
func TestSalesItemLifecycle(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		f := accNewItemFixture(t, e)
		n1, n2, nl := f.number(t, e, f.c1), f.number(t, e, f.c2), f.number(t, e, f.later)
		nov := ",2025-11-01,2025-11-30\n"
		accCreate(t, e, f.sales, "/api/v1/usage/csv", "record_id,customer,sku,quantity,unit,period_start,period_end\n"+
			"u1,"+n1+",AWS-EC2,100,h"+nov+"u2,"+n1+",AZ-VM,3,"+nov+"u8,"+n2+",AZ-VM,7,"+nov+"u9,"+nl+",AWS-EC2,10,h"+nov+
			"dec,"+n1+",AWS-EC2,1,h,2025-12-01,2025-12-31\n", nil, "Content-Type", "text/csv")
		manual := func(cust, desc, q, price, date string) accItem {
			var it accItem
			accCreate(t, e, f.sales, "/api/v1/sales-items", map[string]any{"customer_id": cust, "description": desc, "quantity": q,
				"unit_price": price, "billing_date": date}, &it)
			return it
		}
		m1 := manual(f.c1, "Onboarding workshop", "1", "500", "2025-11-15")
		m4 := manual(f.later, "Setup", "2", "40", "2025-11-20")
		m5 := manual(f.noInfo, "Consulting", "3", "90", "2025-11-21")
		if m1.Status != "pending" || m4.Status != "draft" || !m4.NeedsBillingInfo || m5.Status != "draft" {
			t.Errorf("manual items: %s %s %s, want pending, draft, draft", m1.Status, m4.Status, m5.Status)
		}

		// An engineer sees tickets and logs time, but not sales items.
		eng := e.A.Keys[access.Engineer]
		var tkt struct {
			ID     string `json:"id"`
			Number string `json:"number"`
		}
		accCreate(t, e, f.sales, "/api/v1/tickets", map[string]any{"customer_id": f.c2, "title": "VPN down"}, &tkt)
		var tickets accList[struct {
			ID string `json:"id"`
		}]
		accDo(t, e, http.MethodGet, "/api/v1/tickets?customer_id="+f.c2, eng, nil).JSON(t, &tickets)
		if len(tickets.Data) != 1 || tickets.Data[0].ID != tkt.ID {
			t.Errorf("engineer's tickets: %+v", tickets.Data)
		}
		type timeOut struct {
			Entry struct {
				ID       string `json:"id"`
				Minutes  int    `json:"minutes"`
				Billable bool   `json:"billable"`
			} `json:"time_entry"`
			SalesItem *accItem `json:"sales_item"`
		}
		before := e.Snapshot()
		var billable timeOut
		accCreate(t, e, eng, "/api/v1/tickets/"+tkt.ID+"/time-entries", map[string]any{"work_date": "2025-11-25", "minutes": 90,
			"billable": true, "rate": "80.00", "description": "Reset the tunnel"}, &billable)
		if si := billable.SalesItem; si == nil || si.Source != "ticket" || si.CustomerID != f.c2 || si.Gross != "120.00" ||
			si.Status != "pending" || si.BillingDate != "2025-11-25" || !strings.Contains(si.Description, tkt.Number) {
			t.Errorf("billable time's sales item: %+v", billable.SalesItem)
		}
		mid := e.Snapshot()
		if mid["time_entries"] != before["time_entries"]+1 || mid["sales_items"] != before["sales_items"]+1 {
			t.Errorf("billable time: %v → %v, want one time entry and one sales item", before, mid)
		}
		var free timeOut
		accCreate(t, e, eng, "/api/v1/tickets/"+tkt.ID+"/time-entries", map[string]any{"work_date": "2025-11-26", "minutes": 15,
			"billable": false, "description": "Called back"}, &free)
		after := e.Snapshot()
		if free.SalesItem != nil || after["sales_items"] != mid["sales_items"] || after["time_entries"] != mid["time_entries"]+1 {
			t.Errorf("non-billable time: item %+v, %v → %v; want a time entry and no sales item", free.SalesItem, mid, after)
		}
		for _, path := range []string{"/api/v1/sales-items", "/api/v1/sales-items/" + billable.SalesItem.ID, "/api/v1/contracts"} {
			accWantProblem(t, accDo(t, e, http.MethodGet, path, eng, nil), http.StatusForbidden, "forbidden")
		}
		before = e.Snapshot()
		accWantProblem(t, accDo(t, e, http.MethodPost, "/api/v1/sales-items", eng, map[string]any{"customer_id": f.c1, "description": "x",
			"quantity": "1", "unit_price": "1"}), http.StatusForbidden, "forbidden")
		accWantProblem(t, accDo(t, e, http.MethodPost, "/api/v1/tickets/"+tkt.ID+"/time-entries", eng, map[string]any{"work_date": "2025-11-25",
			"minutes": 30, "billable": true, "description": "no rate"}), http.StatusUnprocessableEntity, "invalid")
		accUnchanged(t, e, "refused engineer calls", before)

		// Completing Later Co's billing information (and billing it to c1)
		// turns its draft items pending; No Info Ltd's stay draft.
		r := accDo(t, e, http.MethodPatch, "/api/v1/customers/"+f.later, f.sales, map[string]any{"invoice_account_id": f.c1,
			"billing": map[string]any{"legal_name": "Later Co S.L.", "email": "ap@later.example", "currency": "EUR",
				"address": map[string]any{"line1": "Gran Vía 1", "city": "Madrid", "postal_code": "28013", "country": "ES"}}})
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"has_billing_info":true`) {
			t.Fatalf("complete billing info: %d %s", r.Status, r.Body)
		}
		for _, it := range accItems(t, e, f.sales, "customer_id="+f.later, 500) {
			if it.Status != "pending" || it.NeedsBillingInfo {
				t.Errorf("Later Co's item after billing info: %+v, want pending", it)
			}
		}
		for _, it := range accItems(t, e, f.sales, "customer_id="+f.noInfo, 500) {
			if it.Status != "draft" {
				t.Errorf("No Info Ltd's item: %+v, want draft", it)
			}
		}

		// The billing run of November: one invoice per bill-to account,
		// provider and currency.
		var run struct {
			ID              string  `json:"id"`
			Status          string  `json:"status"`
			Percent         float64 `json:"percent"`
			ItemsTotal      int     `json:"items_total"`
			ItemsDone       int     `json:"items_done"`
			InvoicesCreated int     `json:"invoices_created"`
			CustomersTotal  int     `json:"customers_total"`
			CustomersDone   int     `json:"customers_done"`
		}
		accWantProblem(t, accDo(t, e, http.MethodPost, "/api/v1/billing-runs", e.A.Keys[access.Finance],
			map[string]any{"period_start": "2025-11-01", "period_end": "2025-11-30", "wait": true}), http.StatusForbidden, "forbidden")
		accCreate(t, e, f.fm, "/api/v1/billing-runs", map[string]any{"period_start": "2025-11-01", "period_end": "2025-11-30", "wait": true}, &run)
		// u1 u9 | u2 | m1 m4 | u8 | ticket: 7 items, 5 groups (m5 is draft; dec is December).
		if run.Status != "completed" || run.Percent != 100 || run.ItemsTotal != 7 || run.ItemsDone != 7 || run.InvoicesCreated != 5 ||
			run.CustomersTotal != 5 || run.CustomersDone != 5 {
			t.Errorf("billing run: %+v, want completed, 100 %%, 7 items, 5 invoices", run)
		}
		var got struct {
			ID      string  `json:"id"`
			Status  string  `json:"status"`
			Percent float64 `json:"percent"`
		}
		accDo(t, e, http.MethodGet, "/api/v1/billing-runs/"+run.ID, f.fm, nil).JSON(t, &got)
		if got.ID != run.ID || got.Status != "completed" || got.Percent != 100 {
			t.Errorf("GET billing run: %+v, want completed at 100 %%", got)
		}
		invoiced := accItems(t, e, f.sales, "invoiced=true", 500)
		if len(invoiced) != 7 {
			t.Fatalf("invoiced items: %d, want 7", len(invoiced))
		}
		billTo := func(cust string) string {
			if cust == f.later {
				return f.c1
			}
			return cust
		}
		groups := map[string]string{} // bill-to/provider/currency → invoice
		invoices := map[string]int{}  // invoice → items
		for _, it := range invoiced {
			g := billTo(it.CustomerID) + "/" + it.Provider + "/" + it.Currency
			if it.InvoiceID == "" || !it.Invoiced {
				t.Errorf("invoiced item without invoice: %+v", it)
			}
			if prev, ok := groups[g]; ok && prev != it.InvoiceID {
				t.Errorf("group %s on two invoices: %s and %s", g, prev, it.InvoiceID)
			}
			groups[g] = it.InvoiceID
			invoices[it.InvoiceID]++
		}
		if len(groups) != 5 || len(invoices) != 5 {
			t.Errorf("groups %v on invoices %v: want 5 and 5", groups, invoices)
		}
		for g, id := range groups {
			inv := accGetInvoice(t, e, f.fm, id)
			parts := strings.Split(g, "/")
			if inv.CustomerID != parts[0] || inv.Provider != parts[1] || inv.Currency != parts[2] || len(inv.Lines) != invoices[id] || inv.Status != "draft" {
				t.Errorf("invoice of group %s: customer %s provider %q currency %s, %d lines, %s; want %d lines, draft",
					g, inv.CustomerID, inv.Provider, inv.Currency, len(inv.Lines), inv.Status, invoices[id])
			}
		}
		// Invoiced items are frozen; running the period again changes nothing.
		accWantProblem(t, accDo(t, e, http.MethodPatch, "/api/v1/sales-items/"+m1.ID, f.sales, map[string]any{"description": "x"}), http.StatusConflict, "conflict")
		before = e.Snapshot()
		var again struct {
			ID string `json:"id"`
		}
		accCreate(t, e, f.fm, "/api/v1/billing-runs", map[string]any{"period_start": "2025-11-01", "period_end": "2025-11-30", "wait": true}, &again)
		if again.ID != run.ID {
			t.Errorf("rerun: run %s, want %s", again.ID, run.ID)
		}
		if after := e.Snapshot(); after["invoices"] != before["invoices"] || after["sales_items"] != before["sales_items"] {
			t.Errorf("rerun changed the database: %v → %v", before, after)
		}
		// Cancelling: pending or draft only.
		var cancelled accItem
		accCreate(t, e, f.sales, "/api/v1/sales-items/"+m5.ID+"/cancel", nil, &cancelled)
		if cancelled.Status != "cancelled" {
			t.Errorf("cancelled item: %+v", cancelled)
		}
		accWantProblem(t, accDo(t, e, http.MethodPost, "/api/v1/sales-items/"+m1.ID+"/cancel", f.sales, nil), http.StatusConflict, "conflict")
	})
}

// TestSalesItemList: every filter, every sort both ways with cursor pages,
// and the advanced filter, checked against the full list.
func TestSalesItemList(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		f := accNewItemFixture(t, e)
		n1, n2, nl := f.number(t, e, f.c1), f.number(t, e, f.c2), f.number(t, e, f.later)
		csv := "record_id,customer,sku,quantity,unit,period_start,period_end\n"
		for i, row := range []struct{ cust, sku, q, from, to string }{
			{n1, "AWS-EC2", "100", "2025-11-01", "2025-11-30"}, {n1, "AZ-VM", "3", "2025-11-01", "2025-11-30"},
			{n2, "AZ-VM", "7", "2025-11-01", "2025-11-30"}, {nl, "AWS-EC2", "10", "2025-11-01", "2025-11-30"},
			{n1, "AWS-EC2", "1000", "2025-12-01", "2025-12-31"}, {n2, "AWS-EC2", "250", "2025-10-01", "2025-10-31"},
			{n2, "SUPPORT", "2", "2025-12-01", "2025-12-15"}, {n1, "AZ-VM", "3", "2025-10-01", "2025-10-31"},
		} {
			csv += fmt.Sprintf("r%d,%s,%s,%s,,%s,%s\n", i, row.cust, row.sku, row.q, row.from, row.to)
		}
		accCreate(t, e, f.sales, "/api/v1/usage/csv", csv, nil, "Content-Type", "text/csv")
		for _, m := range []struct{ cust, desc, q, price, date string }{
			{f.c1, "Onboarding workshop", "1", "500", "2025-11-15"}, {f.c2, "Extra storage", "10", "1.5", "2025-12-10"},
			{f.c1, "Travel", "1", "120", "2025-10-05"}, {f.later, "Setup", "2", "40", "2025-11-20"},
			{f.noInfo, "Consulting", "3", "90", "2025-12-21"}, {f.c2, "Cabling", "1", "7.50", "2025-11-30"},
		} {
			var it accItem
			accCreate(t, e, f.sales, "/api/v1/sales-items", map[string]any{"customer_id": m.cust, "description": m.desc, "quantity": m.q,
				"unit_price": m.price, "billing_date": m.date}, &it)
			if m.desc == "Travel" {
				accCreate(t, e, f.sales, "/api/v1/sales-items/"+it.ID+"/cancel", nil, nil)
			}
		}
		var tkt struct {
			ID string `json:"id"`
		}
		accCreate(t, e, f.sales, "/api/v1/tickets", map[string]any{"customer_id": f.c2, "title": "Printer"}, &tkt)
		accCreate(t, e, e.A.Keys[access.Engineer], "/api/v1/tickets/"+tkt.ID+"/time-entries", map[string]any{"work_date": "2025-11-25",
			"minutes": 45, "billable": true, "rate": "100", "description": "Replaced the drum"}, nil)
		// October invoiced: c2's AWS usage and c1's Azure usage.
		accCreate(t, e, f.fm, "/api/v1/billing-runs", map[string]any{"period_start": "2025-10-01", "period_end": "2025-10-31", "wait": true}, nil)

		all := accItems(t, e, f.sales, "", 500)
		if len(all) != 15 {
			t.Fatalf("all items: %d, want 15", len(all))
		}
		statuses := map[string]int{}
		for _, it := range all {
			statuses[it.Status]++
		}
		if statuses["draft"] == 0 || statuses["pending"] == 0 || statuses["invoiced"] == 0 || statuses["cancelled"] == 0 {
			t.Fatalf("the fixture lacks a status: %v", statuses)
		}
		gross := func(it accItem) decimal.Decimal { return accDec(t, it.Gross) }
		check := func(query string, keep func(accItem) bool) {
			t.Helper()
			var want []string
			for _, it := range all {
				if keep(it) {
					want = append(want, it.ID)
				}
			}
			got := accItemIDs(accItems(t, e, f.sales, query, 500))
			if !accSameSet(got, want) {
				t.Errorf("sales items?%s: %d rows %v, want %d %v", query, len(got), got, len(want), want)
			}
			if len(want) == 0 || len(want) == len(all) {
				t.Errorf("sales items?%s: the fixture gives %d of %d rows: the check proves nothing", query, len(want), len(all))
			}
		}
		in := func(s string, set ...string) bool { return slices.Contains(set, s) }
		check("customer_id="+f.c1, func(it accItem) bool { return it.CustomerID == f.c1 })
		check("status=pending", func(it accItem) bool { return it.Status == "pending" })
		check("status=draft,cancelled", func(it accItem) bool { return in(it.Status, "draft", "cancelled") })
		check("source=usage", func(it accItem) bool { return it.Source == "usage" })
		check("source=manual,ticket", func(it accItem) bool { return in(it.Source, "manual", "ticket") })
		check("provider=AWS", func(it accItem) bool { return it.Provider == "AWS" })
		check("from=2025-11-01&to=2025-11-30", func(it accItem) bool { return it.BillingDate >= "2025-11-01" && it.BillingDate <= "2025-11-30" })
		check("from=2025-12-01", func(it accItem) bool { return it.BillingDate >= "2025-12-01" })
		check("to=2025-10-31", func(it accItem) bool { return it.BillingDate <= "2025-10-31" })
		check("invoiced=true", func(it accItem) bool { return it.Status == "invoiced" })
		check("invoiced=false", func(it accItem) bool { return it.Status != "invoiced" })
		check("min_amount=20", func(it accItem) bool { return gross(it).GreaterThanOrEqual(decimal.NewFromInt(20)) })
		check("max_amount=15", func(it accItem) bool { return gross(it).LessThanOrEqual(decimal.NewFromInt(15)) })
		check("min_amount=7.5&max_amount=120", func(it accItem) bool {
			return gross(it).GreaterThanOrEqual(decimal.RequireFromString("7.5")) && gross(it).LessThanOrEqual(decimal.NewFromInt(120))
		})
		check("customer_id="+f.c2+"&invoiced=false&provider=Azure", func(it accItem) bool {
			return it.CustomerID == f.c2 && it.Status != "invoiced" && it.Provider == "Azure"
		})

		// Every sort, both ways: pages of 4 concatenate to the one-page list,
		// with no row twice and none missing, in order. By customer is by
		// the customer's name (issue 16).
		names := map[string]string{}
		for _, id := range []string{f.c1, f.c2, f.later, f.noInfo} {
			cu, err := e.Svc.GetCustomer(context.Background(), access.System(e.A.ID, "test"), id)
			if err != nil {
				t.Fatal(err)
			}
			names[id] = cu.Name
		}
		for _, col := range []string{"billing_date", "customer", "description", "gross", "status", "source", "provider", "created_at"} {
			for _, sort := range []string{col, "-" + col} {
				whole := accItems(t, e, f.sales, "sort="+sort, 500)
				paged := accItems(t, e, f.sales, "sort="+sort, 4)
				if !slices.Equal(accItemIDs(paged), accItemIDs(whole)) {
					t.Errorf("sort=%s: pages %v, one page %v", sort, accItemIDs(paged), accItemIDs(whole))
				}
				if !accSameSet(accItemIDs(paged), accItemIDs(all)) {
					t.Errorf("sort=%s: pages hold %d rows, not the %d items once each", sort, len(paged), len(all))
				}
				for i := 1; i < len(whole); i++ {
					a, b := whole[i-1], whole[i]
					var c int
					switch col {
					case "billing_date":
						c = strings.Compare(a.BillingDate, b.BillingDate)
					case "gross":
						c = gross(a).Cmp(gross(b))
					case "status":
						c = strings.Compare(a.Status, b.Status)
					case "source":
						c = strings.Compare(a.Source, b.Source)
					case "customer":
						c = strings.Compare(names[a.CustomerID], names[b.CustomerID])
					case "created_at":
						c = strings.Compare(a.CreatedAt, b.CreatedAt)
					default:
						continue // text in the database's collation
					}
					if c == 0 {
						c = strings.Compare(a.ID, b.ID)
					}
					if (sort[0] == '-') != (c > 0) {
						t.Errorf("sort=%s: %s (%s %s %s %s) before %s (%s %s %s %s)", sort, a.ID, a.BillingDate, a.Gross, a.Status, a.CreatedAt, b.ID, b.BillingDate, b.Gross, b.Status, b.CreatedAt)
						break
					}
				}
			}
		}
		// Pages with a filter, and a sort the list does not know.
		check2 := accItems(t, e, f.sales, "sort=-gross&invoiced=false", 2)
		if want := accItems(t, e, f.sales, "sort=-gross&invoiced=false", 500); !slices.Equal(accItemIDs(check2), accItemIDs(want)) {
			t.Errorf("filtered pages: %v, want %v", accItemIDs(check2), accItemIDs(want))
		}
		accWantProblem(t, accDo(t, e, http.MethodGet, "/api/v1/sales-items?sort=secret", f.sales, nil), http.StatusUnprocessableEntity, "invalid")
		accWantProblem(t, accDo(t, e, http.MethodGet, "/api/v1/sales-items?cursor=garbage", f.sales, nil), http.StatusUnprocessableEntity, "invalid")
		// A cursor of one sort given with another: 422 on cursor, never a 500.
		for _, from := range []string{"description", "customer", "status"} {
			var l accList[accItem]
			accDo(t, e, http.MethodGet, "/api/v1/sales-items?limit=2&sort="+from, f.sales, nil).JSON(t, &l)
			for _, to := range []string{"billing_date", "gross", "created_at"} {
				r := accDo(t, e, http.MethodGet, "/api/v1/sales-items?limit=2&sort="+to+"&cursor="+url.QueryEscape(l.NextCursor), f.sales, nil)
				if p := accWantProblem(t, r, http.StatusUnprocessableEntity, "invalid"); p.Field != "cursor" {
					t.Errorf("a %s cursor with sort=%s: field %q, want cursor", from, to, p.Field)
				}
			}
		}

		// The advanced filter.
		adv := func(filter string) string { return "filter=" + url.QueryEscape(filter) }
		check(adv(`{"op":"or","conditions":[{"op":"eq","field":"provider","value":"AWS"},{"op":"gt","field":"gross","value":"100"}]}`),
			func(it accItem) bool { return it.Provider == "AWS" || gross(it).GreaterThan(decimal.NewFromInt(100)) })
		check(adv(`{"op":"and","conditions":[{"op":"or","conditions":[{"op":"eq","field":"status","value":"pending"},`+
			`{"op":"eq","field":"status","value":"draft"}]},{"op":"gte","field":"billing_date","value":"2025-12-01"}]}`),
			func(it accItem) bool { return in(it.Status, "pending", "draft") && it.BillingDate >= "2025-12-01" })
		check(adv(`{"op":"or","conditions":[{"op":"and","conditions":[{"op":"eq","field":"customer_id","value":"`+f.c1+`"},`+
			`{"op":"lt","field":"gross","value":"10"}]},{"op":"in","field":"source","values":["ticket","manual"]}]}`),
			func(it accItem) bool {
				return (it.CustomerID == f.c1 && gross(it).LessThan(decimal.NewFromInt(10))) || in(it.Source, "ticket", "manual")
			})
		check(adv(`{"op":"contains","field":"description","value":"STORAGE"}`),
			func(it accItem) bool { return strings.Contains(strings.ToLower(it.Description), "storage") })
		check(adv(`{"op":"ne","field":"currency","value":"USD"}`)+"&status=pending", func(it accItem) bool { return it.Status == "pending" })
		// A value is data, never SQL.
		if got := accItems(t, e, f.sales, adv(`{"op":"eq","field":"description","value":"x' OR '1'='1"}`), 500); len(got) != 0 {
			t.Errorf("injection-shaped value matched %d rows", len(got))
		}
		for filter, field := range map[string]string{
			`{"op":"or","conditions":[{"op":"eq","field":"secret","value":"x"}]}`:                                                                             "filter.conditions[0].field",
			`{"op":"and","conditions":[{"op":"eq","field":"provider","value":"AWS"},{"op":"or","conditions":[{"op":"eq","field":"tenant_id","value":"x"}]}]}`: "filter.conditions[1].conditions[0].field",
			`{"op":"or","conditions":[{"op":"like","field":"provider","value":"x"}]}`:                                                                         "filter.conditions[0].op",
			`{"op":"or","conditions":[{"op":"gt","field":"gross","value":"lots"}]}`:                                                                           "filter.conditions[0].value",
			`{"op":"or","conditions":[]}`:                                           "filter.conditions",
			`{"op":"or","conditions":[{"op":"eq","field":"provider","value":"AWS"}`: "filter",
			`{"op":"eq","field":"provider","value":"AWS","sql":"DROP TABLE"}`:       "filter",
		} {
			r := accDo(t, e, http.MethodGet, "/api/v1/sales-items?"+adv(filter), f.sales, nil)
			p := accWantProblem(t, r, http.StatusUnprocessableEntity, "invalid")
			if p.Field != field {
				t.Errorf("filter %s: field %q, want %q (%s)", filter, p.Field, field, r.Body)
			}
		}
		for q, field := range map[string]string{"status=open": "status", "source=email": "source", "from=yesterday": "from",
			"min_amount=ten": "min_amount", "invoiced=maybe": "invoiced"} {
			r := accDo(t, e, http.MethodGet, "/api/v1/sales-items?"+q, f.sales, nil)
			if p := accWantProblem(t, r, http.StatusUnprocessableEntity, "invalid"); p.Field != field {
				t.Errorf("?%s: field %q, want %q", q, p.Field, field)
			}
		}
		// Tenant B sees none of A's items.
		if got := accItems(t, e, e.B.Keys[access.Sales], "", 500); len(got) != 0 {
			t.Errorf("tenant B sees %d of A's sales items", len(got))
		}
		accWantProblem(t, accDo(t, e, http.MethodGet, "/api/v1/sales-items/"+all[0].ID, e.B.Keys[access.Sales], nil), http.StatusNotFound, "not_found")
	})
}
