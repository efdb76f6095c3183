package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/internal/testserver"
)

// TestInvoiceNowHTTP: POST /customers/{id}/invoice-now bills one customer's
// pending items at once; bad input and a customer lacking billing
// information are refused with nothing written; a waited billing run
// answers 201; the tenant's billing_run_day is validated.
func TestInvoiceNowHTTP(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		f := accNewItemFixture(t, e)
		manual := func(cust, desc, price, date string) accItem {
			var it accItem
			accCreate(t, e, f.sales, "/api/v1/sales-items", map[string]any{"customer_id": cust, "description": desc, "quantity": "1",
				"unit_price": price, "billing_date": date, "provider": "Nimbus"}, &it)
			return it
		}
		manual(f.c1, "Workshop", "500", "2025-11-15")
		manual(f.c1, "Training", "300", "2025-11-16")
		other := manual(f.c2, "Audit", "900", "2025-11-17")
		manual(f.noInfo, "Consulting", "90", "2025-11-21")

		before := e.Snapshot()
		path := "/api/v1/customers/" + f.c1 + "/invoice-now"
		accWantProblem(t, accDo(t, e, http.MethodPost, path, e.A.Keys[access.Sales], nil), http.StatusForbidden, "forbidden")
		p := accWantProblem(t, accDo(t, e, http.MethodPost, path, f.fm, map[string]any{"period_start": "2025-11-30", "period_end": "2025-11-01"}),
			http.StatusUnprocessableEntity, "invalid")
		if !strings.Contains(p.Detail+p.Field+errFields(p), "period_end") {
			t.Errorf("bad period: %+v, want period_end named", p)
		}
		accWantProblem(t, accDo(t, e, http.MethodPost, path, f.fm, map[string]any{"period_end": "2025-13-01"}), http.StatusUnprocessableEntity, "invalid")
		accWantProblem(t, accDo(t, e, http.MethodPost, "/api/v1/customers/cus_nope/invoice-now", f.fm, nil), http.StatusNotFound, "not_found")
		accWantProblem(t, accDo(t, e, http.MethodPost, "/api/v1/customers/"+f.noInfo+"/invoice-now", f.fm, nil), http.StatusConflict, "conflict")
		accUnchanged(t, e, "refused invoice-now calls", before)

		var res struct {
			Invoices []struct {
				ID       string `json:"id"`
				Status   string `json:"status"`
				Provider string `json:"provider"`
				Lines    []any  `json:"lines"`
			} `json:"invoices"`
			ItemsBilled int `json:"items_billed"`
		}
		r := accDo(t, e, http.MethodPost, path, f.fm, map[string]any{"period_start": "2025-11-01", "period_end": "2025-11-30"})
		if r.Status != http.StatusCreated {
			t.Fatalf("invoice now: %d %s", r.Status, r.Body)
		}
		r.JSON(t, &res)
		if res.ItemsBilled != 2 || len(res.Invoices) != 1 || res.Invoices[0].Status != "draft" || len(res.Invoices[0].Lines) != 2 ||
			res.Invoices[0].Provider != "Nimbus" {
			t.Fatalf("invoice now: %s", r.Body)
		}
		for _, it := range accItems(t, e, f.sales, "customer_id="+f.c2, 500) {
			if it.ID == other.ID && it.Status != "pending" {
				t.Errorf("another customer's item is %s", it.Status)
			}
		}

		// A waited run answers 201 with the finished run and counts the
		// draft item it skipped.
		var run struct {
			Status       string `json:"status"`
			ItemsDone    int    `json:"items_done"`
			ItemsSkipped int    `json:"items_skipped"`
		}
		r = accDo(t, e, http.MethodPost, "/api/v1/billing-runs", f.fm, map[string]any{"period_start": "2025-11-01", "period_end": "2025-11-30", "wait": true})
		if r.Status != http.StatusCreated {
			t.Fatalf("waited run: %d %s", r.Status, r.Body)
		}
		r.JSON(t, &run)
		if run.Status != "completed" || run.ItemsDone != 1 || run.ItemsSkipped != 1 {
			t.Errorf("waited run: %s", r.Body)
		}

		// The scheduled billing day is a tenant setting.
		admin := e.A.Keys[access.Administrator]
		before = e.Snapshot()
		for _, bad := range []int{29, -1} {
			p := accWantProblem(t, accDo(t, e, http.MethodPatch, "/api/v1/tenant", admin, map[string]any{"billing_run_day": bad}),
				http.StatusUnprocessableEntity, "invalid")
			if !strings.Contains(errFields(p)+p.Field, "billing_run_day") {
				t.Errorf("billing_run_day %d: %+v, want the field named", bad, p)
			}
		}
		accWantProblem(t, accDo(t, e, http.MethodPatch, "/api/v1/tenant", f.fm, map[string]any{"billing_run_day": 5}), http.StatusForbidden, "forbidden")
		accUnchanged(t, e, "refused billing day", before)
		var ten struct {
			BillingRunDay int `json:"billing_run_day"`
		}
		r = accDo(t, e, http.MethodPatch, "/api/v1/tenant", admin, map[string]any{"billing_run_day": 5})
		r.JSON(t, &ten)
		if r.Status != http.StatusOK || ten.BillingRunDay != 5 {
			t.Fatalf("set billing day: %d %s", r.Status, r.Body)
		}
		ten.BillingRunDay = 0
		accDo(t, e, http.MethodGet, "/api/v1/tenant", admin, nil).JSON(t, &ten)
		if ten.BillingRunDay != 5 {
			t.Errorf("GET tenant: billing_run_day %d, want 5", ten.BillingRunDay)
		}
	})
}

func errFields(p accProblem) string {
	var sb strings.Builder
	for _, e := range p.Errors {
		sb.WriteString(e.Field + " ")
	}
	return sb.String()
}
