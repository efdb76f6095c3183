package server_test

import (
	"net/http"
	"testing"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/internal/testserver"
)

// TestInvoiceTotalsCreditLimit (issue 12 §2, seed 004's totals with the
// customer's credit limit): the limit is in the customer's currency and only
// the account's open documents in that currency count against it, credit
// notes reducing what is owed. It answered 500 on SQLite as soon as a credit
// note was open, and subtracted EUR from a GBP limit on both engines.
func TestInvoiceTotalsCreditLimit(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		fm := e.A.Keys[access.FinanceManager]
		var cust struct {
			ID string `json:"id"`
		}
		accCreate(t, e, fm, "/api/v1/customers", map[string]any{"name": "Albion Ltd", "credit_limit": "1000.00",
			"billing": map[string]any{"legal_name": "Albion Ltd", "email": "ap@albion.example", "currency": "GBP",
				"address": map[string]any{"line1": "1 High St", "city": "London", "country": "GB"}}}, &cust)
		doc := func(kind, currency, rate, price string) map[string]any {
			b := map[string]any{"customer_id": cust.ID, "kind": kind, "currency": currency,
				"lines": []any{map[string]any{"description": "Services", "quantity": "1", "unit_price": price}}}
			if rate != "" {
				b["exchange_rate"] = rate
			}
			return b
		}
		issue := func(body map[string]any) accInvoice {
			t.Helper()
			inv := accPost(t, e, fm, body)
			return accStatus(t, e, fm, inv.ID, map[string]any{"status": "open"}).Invoice
		}
		issue(doc("invoice", "GBP", "1.17", "300.10"))   // owed 300.10 GBP
		issue(doc("credit_note", "GBP", "1.17", "0.20")) // 0.20 GBP credit: owed 299.90
		issue(doc("invoice", "EUR", "", "500.00"))       // EUR: not in a GBP limit
		issue(doc("credit_note", "EUR", "", "7.00"))     // nor is EUR credit
		draft := accPost(t, e, fm, doc("invoice", "GBP", "1.17", "100.00"))
		type totals struct {
			Currency           string `json:"currency"`
			CreditCurrency     string `json:"credit_currency"`
			CreditLimit        string `json:"credit_limit"`
			OpenBalance        string `json:"open_balance"`
			AvailableAfter     string `json:"available_after"`
			CreditLimitReached bool   `json:"credit_limit_reached"`
		}
		get := func(id string) totals {
			t.Helper()
			r := accDo(t, e, http.MethodGet, "/api/v1/invoices/"+id+"/totals", fm, nil)
			if r.Status != http.StatusOK {
				t.Fatalf("totals: %d %s", r.Status, accShort(r.Body))
			}
			var v totals
			r.JSON(t, &v)
			return v
		}
		want := totals{Currency: "GBP", CreditCurrency: "GBP", CreditLimit: "1000.00", OpenBalance: "299.90", AvailableAfter: "600.10"}
		if got := get(draft.ID); got != want {
			t.Errorf("totals of a GBP draft: %+v, want %+v", got, want)
		}
		// A draft in another currency takes nothing from the GBP limit.
		eur := accPost(t, e, fm, doc("invoice", "EUR", "", "900.00"))
		want.Currency, want.AvailableAfter = "EUR", "700.10"
		if got := get(eur.ID); got != want {
			t.Errorf("totals of a EUR draft: %+v, want %+v", got, want)
		}
		// Past the limit.
		big := accPost(t, e, fm, doc("invoice", "GBP", "1.17", "700.11"))
		want.Currency, want.AvailableAfter, want.CreditLimitReached = "GBP", "-0.01", true
		if got := get(big.ID); got != want {
			t.Errorf("totals of a GBP draft past the limit: %+v, want %+v", got, want)
		}
	})
}
