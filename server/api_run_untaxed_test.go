package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/internal/testserver"
)

// TestRunLeavesRefusedDocumentAsDraft: in a taxed tenant, a billing run with
// issue whose one invoice has a line without its tax code issues everyone
// else and leaves that invoice a draft, its audit trail saying why (before,
// one such line failed the whole run). A sales item made by hand takes an
// item sales tax group, and an unknown one is refused naming the field.
func TestRunLeavesRefusedDocumentAsDraft(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		f := accNewItemFixture(t, e)
		accTaxSetup(t, e, e.A, f.c1, f.c2)
		r := accDo(t, e, http.MethodPost, "/api/v1/sales-items", f.sales, map[string]any{"customer_id": f.c1, "description": "Workshop",
			"quantity": "1", "unit_price": "500", "billing_date": "2025-11-15", "item_sales_tax_group": "NOPE"})
		if p := accWantProblem(t, r, http.StatusUnprocessableEntity, "invalid"); p.Field != "item_sales_tax_group" {
			t.Errorf("unknown item group: field %q, want item_sales_tax_group", p.Field)
		}
		accCreate(t, e, f.sales, "/api/v1/sales-items", map[string]any{"customer_id": f.c1, "description": "Workshop",
			"quantity": "1", "unit_price": "500", "billing_date": "2025-11-15", "item_sales_tax_group": "FULL"}, nil)
		accCreate(t, e, f.sales, "/api/v1/sales-items", map[string]any{"customer_id": f.c2, "description": "Untaxed setup",
			"quantity": "1", "unit_price": "100", "billing_date": "2025-11-16"}, nil)
		var run struct {
			Status          string `json:"status"`
			InvoicesCreated int    `json:"invoices_created"`
		}
		r = accDo(t, e, http.MethodPost, "/api/v1/billing-runs", f.fm, map[string]any{"period_start": "2025-11-01", "period_end": "2025-11-30",
			"issue": true, "wait": true})
		if r.Status != http.StatusCreated {
			t.Fatalf("run: %d %s", r.Status, r.Body)
		}
		r.JSON(t, &run)
		if run.Status != "completed" || run.InvoicesCreated != 2 {
			t.Fatalf("run: %s", r.Body)
		}
		byCustomer := map[string]accInvoice{}
		for _, inv := range accListInvoices(t, e, f.fm, "") {
			byCustomer[inv.CustomerID] = inv
		}
		if inv := byCustomer[f.c1]; inv.Status != "open" || inv.Total != "605.00" {
			t.Errorf("taxed customer's invoice: %+v, want open 605.00", inv)
		}
		refused := byCustomer[f.c2]
		if refused.Status != "draft" {
			t.Fatalf("the invoice without its tax code is %q, want draft", refused.Status)
		}
		audit := accDo(t, e, http.MethodGet, "/api/v1/audit-events?target_id="+refused.ID, e.A.Keys[access.Administrator], nil)
		if audit.Status != http.StatusOK || !strings.Contains(string(audit.Body), "invoice.issue_refused") ||
			!strings.Contains(string(audit.Body), "item_sales_tax_group") {
			t.Errorf("the draft's audit trail does not say why it was not issued: %d %s", audit.Status, audit.Body)
		}
	})
}
