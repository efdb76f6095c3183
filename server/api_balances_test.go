package server_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/internal/testserver"
)

// accDashboardSummary is the part of a dashboard the balance tests read.
type accDashboardSummary struct {
	Summary struct {
		Currency string `json:"currency"`
		Open     string `json:"open"`
		PastDue  string `json:"past_due"`
	} `json:"summary"`
}

// accReceivable returns a customer's row of /ledger/receivables (zero
// values when it has none).
func accReceivable(t *testing.T, e *testserver.Env, key, customerID string) accAging {
	t.Helper()
	r := accDo(t, e, http.MethodGet, "/api/v1/ledger/receivables", key, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("receivables: %d %s", r.Status, r.Body)
	}
	var list accList[accAging]
	r.JSON(t, &list)
	for _, a := range list.Data {
		if a.CustomerID == customerID {
			return a
		}
	}
	return accAging{Total: "0.00", Ledger: "0.00"}
}

// TestOpenBalanceNetsCreditNotes is the demo's C-1002: a customer with
// open invoices and an open credit note owes the invoices less the credit
// note, and the staff dashboard, the portal, the invoice totals' open
// balance and the receivables report all say the same as the ledger.
func TestOpenBalanceNetsCreditNotes(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		finance := e.A.Keys[access.FinanceManager]
		e.Clock.Set(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC))
		cust := e.A.Customer
		inv1 := accStatus(t, e, finance, accPost(t, e, finance, accInvBody(cust)).ID, map[string]any{"status": "open"}).Invoice
		inv2 := accStatus(t, e, finance, accPost(t, e, finance, map[string]any{"customer_id": cust,
			"lines": []any{map[string]any{"description": "Licences", "quantity": "3", "unit_price": "40.79"}}}).ID, map[string]any{"status": "open"}).Invoice
		_ = accStatus(t, e, finance, accPost(t, e, finance, map[string]any{"customer_id": cust, "kind": "credit_note",
			"lines": []any{map[string]any{"description": "Refund", "quantity": "1", "unit_price": "70.79"}}}).ID, map[string]any{"status": "open"}).Invoice
		// A part payment of the first invoice.
		if r := accDo(t, e, http.MethodPost, "/api/v1/payments", finance, map[string]any{"customer_id": cust, "method": "cash", "amount": "5.00",
			"invoices": []any{map[string]any{"invoice_id": inv1.ID}}}); r.Status != http.StatusCreated {
			t.Fatalf("payment: %d %s", r.Status, r.Body)
		}
		// 20.00 − 5.00 + 122.37 − 70.79
		const want = "66.58"
		rec := accReceivable(t, e, finance, cust)
		if rec.Total != want || rec.Ledger != want {
			t.Errorf("receivables report: total %s ledger %s, want %s", rec.Total, rec.Ledger, want)
		}
		var staff, portal accDashboardSummary
		if r := accDo(t, e, http.MethodGet, "/api/v1/customers/"+cust+"/dashboard", finance, nil); r.Status != http.StatusOK {
			t.Fatalf("dashboard: %d %s", r.Status, r.Body)
		} else {
			r.JSON(t, &staff)
		}
		if r := accDo(t, e, http.MethodGet, "/api/v1/me/dashboard", e.A.Keys[access.Customer], nil); r.Status != http.StatusOK {
			t.Fatalf("portal dashboard: %d %s", r.Status, r.Body)
		} else {
			r.JSON(t, &portal)
		}
		if staff.Summary.Open != want || portal.Summary.Open != want {
			t.Errorf("open: staff dashboard %s, portal %s, want %s (the ledger's)", staff.Summary.Open, portal.Summary.Open, want)
		}
		if !accDec(t, staff.Summary.PastDue).IsZero() || !accDec(t, portal.Summary.PastDue).IsZero() {
			t.Errorf("past due: staff %s, portal %s, want 0.00", staff.Summary.PastDue, portal.Summary.PastDue)
		}
		var totals struct {
			OpenBalance string `json:"open_balance"`
		}
		if r := accDo(t, e, http.MethodGet, "/api/v1/invoices/"+inv2.ID+"/totals", finance, nil); r.Status != http.StatusOK {
			t.Errorf("totals: %d %s", r.Status, r.Body)
		} else if r.JSON(t, &totals); totals.OpenBalance != want {
			t.Errorf("totals open_balance %s, want %s", totals.OpenBalance, want)
		}
	})
}
