package server_test

import (
	"net/http"
	"net/url"
	"slices"
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

// TestAmountComparisonsExact (issue 12 §2, class guard): the sales item
// list's amount filters, advanced filter and sort, and the invoice list's
// amount sort and its cursor, compare amounts exactly on both engines.
// 9007199254740993.01, .02 and .03 are one float64 (2^53), so any float on
// the way makes them equal.
func TestAmountComparisonsExact(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		fm := e.A.Keys[access.FinanceManager]
		const base = "9007199254740993.0"
		ids := map[string]string{} // price → sales item id
		// Created out of order, so that a tie on a float sorts them by id in the wrong order.
		for _, d := range []string{"2", "3", "1"} {
			var it accItem
			accCreate(t, e, fm, "/api/v1/sales-items", map[string]any{"customer_id": e.A.Customer, "description": "Big " + d,
				"quantity": "1", "unit_price": base + d}, &it)
			ids[d] = it.ID
		}
		// Small amounts whose float sums differ from their exact ones: 0.1 + 0.2.
		for _, p := range []string{"0.30", "0.10", "0.20"} {
			accCreate(t, e, fm, "/api/v1/sales-items", map[string]any{"customer_id": e.A.Customer, "description": "Small " + p,
				"quantity": "1", "unit_price": p}, nil)
		}
		names := func(query string) []string {
			t.Helper()
			var out []string
			for _, it := range accItems(t, e, fm, query, 1) {
				for d, id := range ids {
					if it.ID == id {
						out = append(out, d)
					}
				}
			}
			return out
		}
		enc := func(s string) string { return url.QueryEscape(s) }
		for _, c := range []struct {
			query string
			want  []string
		}{
			{"sort=gross&min_amount=" + base + "2", []string{"2", "3"}},
			{"sort=gross&max_amount=" + base + "2", []string{"1", "2"}},
			{"sort=gross&min_amount=" + base + "2&max_amount=" + base + "2", []string{"2"}},
			{"sort=gross&min_amount=" + base + "20000", []string{"2", "3"}},
			{"sort=gross", []string{"1", "2", "3"}},
			{"sort=-gross", []string{"3", "2", "1"}},
			{"sort=gross&filter=" + enc(`{"op":"eq","field":"gross","value":"`+base+`2"}`), []string{"2"}},
			{"sort=gross&filter=" + enc(`{"op":"ne","field":"unit_price","value":"`+base+`2"}`) + "&min_amount=1", []string{"1", "3"}},
			{"sort=gross&filter=" + enc(`{"op":"in","field":"gross","values":["`+base+`1","`+base+`30"]}`), []string{"1", "3"}},
			{"sort=-gross&filter=" + enc(`{"op":"gt","field":"gross","value":"`+base+`1"}`), []string{"3", "2"}},
			{"sort=gross&filter=" + enc(`{"op":"lte","field":"unit_price","value":"`+base+`2"}`) + "&min_amount=1", []string{"1", "2"}},
			{"sort=gross&filter=" + enc(`{"op":"not","conditions":[{"op":"gte","field":"gross","value":"`+base+`2"}]}`) + "&min_amount=1", []string{"1"}},
		} {
			if got := names(c.query); !slices.Equal(got, c.want) {
				t.Errorf("sales items ?%s (pages of 1): %v, want %v", c.query, got, c.want)
			}
		}
		// 0.10 + 0.20 is not 0.30 in floats; exactly, the small ones sum to 0.60 and 0.30 equals 0.30.
		var small []accItem
		small = accItems(t, e, fm, "sort=gross&max_amount=0.3&filter="+enc(`{"op":"eq","field":"gross","value":"0.3"}`), 10)
		if len(small) != 1 || small[0].Gross != "0.30" {
			t.Errorf("gross = 0.3: %+v, want the 0.30 item", small)
		}

		// Sums: 0.10 + 0.20 issued for the other customer, less a 0.30 credit
		// note, then 0.10 + 0.20 again: receivables and the open balance are
		// 0.30 exactly (a float sum would be 0.30000000000000004).
		for _, c := range []struct{ kind, price string }{{"invoice", "0.10"}, {"invoice", "0.20"}, {"credit_note", "0.30"}, {"invoice", "0.10"}, {"invoice", "0.20"}} {
			inv := accPost(t, e, fm, map[string]any{"customer_id": e.A.Other, "kind": c.kind,
				"lines": []any{map[string]any{"description": "Small", "quantity": "1", "unit_price": c.price}}})
			accStatus(t, e, fm, inv.ID, map[string]any{"status": "open"})
		}
		if tb := accTrialBalance(t, e, e.A.Keys[access.Administrator], ""); tb["1100"].Net != "0.30" {
			t.Errorf("receivables 1100: %+v, want 0.30", tb["1100"])
		}
		draft := accPost(t, e, fm, accInvBody(e.A.Other))
		var tot struct {
			OpenBalance string `json:"open_balance"`
		}
		accDo(t, e, http.MethodGet, "/api/v1/invoices/"+draft.ID+"/totals", fm, nil).JSON(t, &tot)
		if tot.OpenBalance != "0.30" {
			t.Errorf("open balance %q, want 0.30", tot.OpenBalance)
		}

		// The invoice list sorted by amount, in pages of one (its cursor carries
		// the amount): 10000 × 900719925474.09930d = 9007199254740993.0d.
		inv := map[string]string{}
		for _, d := range []string{"2", "3", "1"} {
			created := accPost(t, e, fm, map[string]any{"customer_id": e.A.Customer,
				"lines": []any{map[string]any{"description": "Big", "quantity": "10000", "unit_price": "900719925474.09930" + d}}})
			if created.Total != base+d {
				t.Fatalf("invoice total %s, want %s", created.Total, base+d)
			}
			inv[created.ID] = d
		}
		for _, sort := range []string{"amount", "-amount"} {
			var got []string
			cursor := ""
			for range 20 {
				q := "/api/v1/invoices?limit=1&sort=" + sort
				if cursor != "" {
					q += "&cursor=" + url.QueryEscape(cursor)
				}
				var l accList[accInvoice]
				r := accDo(t, e, http.MethodGet, q, fm, nil)
				if r.Status != http.StatusOK {
					t.Fatalf("%s: %d %s", q, r.Status, r.Body)
				}
				r.JSON(t, &l)
				for _, i := range l.Data {
					if d, ok := inv[i.ID]; ok {
						got = append(got, d)
					}
				}
				if !l.HasMore {
					break
				}
				cursor = l.NextCursor
			}
			want := []string{"1", "2", "3"}
			if sort == "-amount" {
				want = []string{"3", "2", "1"}
			}
			if !slices.Equal(got, want) {
				t.Errorf("invoices sorted by %s in pages of 1: %v, want %v", sort, got, want)
			}
		}
	})
}
