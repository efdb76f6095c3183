package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/internal/testserver"
)

// accRate is an exchange rate of the tenant's table.
type accRate struct {
	Currency string `json:"currency"`
	Date     string `json:"date"`
	Rate     string `json:"rate"`
}

// accSkipped is a group a billing run or invoice-now left out.
type accSkipped struct {
	CustomerID     string `json:"customer_id"`
	CustomerNumber string `json:"customer_number"`
	Provider       string `json:"provider"`
	Currency       string `json:"currency"`
	Items          int    `json:"items"`
	Reason         string `json:"reason"`
}

type accRunWithSkips struct {
	ID              string       `json:"id"`
	Status          string       `json:"status"`
	ItemsDone       int          `json:"items_done"`
	InvoicesCreated int          `json:"invoices_created"`
	Error           string       `json:"error"`
	Supplementary   bool         `json:"supplementary"`
	GroupsSkipped   []accSkipped `json:"groups_skipped"`
}

func accPutRate(t *testing.T, e *testserver.Env, key, cur, date, rate string) accRate {
	t.Helper()
	r := accDo(t, e, http.MethodPut, "/api/v1/exchange-rates/"+cur+"/"+date, key, map[string]any{"rate": rate})
	if r.Status != http.StatusOK {
		t.Fatalf("PUT rate %s %s %s: %d %s", cur, date, rate, r.Status, r.Body)
	}
	var out accRate
	r.JSON(t, &out)
	return out
}

func accRates(t *testing.T, e *testserver.Env, key, query string) []accRate {
	t.Helper()
	r := accDo(t, e, http.MethodGet, "/api/v1/exchange-rates"+query, key, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("GET rates%s: %d %s", query, r.Status, r.Body)
	}
	var l accList[accRate]
	r.JSON(t, &l)
	return l.Data
}

// TestBillingRunExchangeRateTable: a run over a USD item with no rate bills
// everyone else and skips the USD group with the reason shown on the run;
// with a rate in the tenant's table (the latest on or before the invoice
// date) the next run bills it at that rate, as does invoice-now; a draft in
// USD takes its rate from the table.
func TestBillingRunExchangeRateTable(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		f := accNewItemFixture(t, e)
		item := func(cust, desc, price, date, cur string) accItem {
			var it accItem
			accCreate(t, e, f.sales, "/api/v1/sales-items", map[string]any{"customer_id": cust, "description": desc, "quantity": "1",
				"unit_price": price, "billing_date": date, "provider": "Nimbus", "currency": cur}, &it)
			return it
		}
		eur := item(f.c1, "Workshop", "500", "2025-11-15", "EUR")
		usd := item(f.c2, "Hosting", "100", "2025-11-16", "USD")
		number := f.number(t, e, f.c2)

		run := func(from, to string) accRunWithSkips {
			t.Helper()
			r := accDo(t, e, http.MethodPost, "/api/v1/billing-runs", f.fm, map[string]any{"period_start": from, "period_end": to, "wait": true})
			if r.Status != http.StatusCreated {
				t.Fatalf("run %s..%s: %d %s", from, to, r.Status, r.Body)
			}
			var out accRunWithSkips
			r.JSON(t, &out)
			return out
		}
		status := func(id string) string {
			for _, it := range accItems(t, e, f.sales, "", 500) {
				if it.ID == id {
					return it.Status
				}
			}
			t.Fatalf("item %s not found", id)
			return ""
		}

		// A rate after the invoice date does not count.
		accPutRate(t, e, f.fm, "USD", "2025-12-01", "0.99")
		r1 := run("2025-11-01", "2025-11-30")
		if r1.Status != "completed" || r1.InvoicesCreated != 1 || r1.ItemsDone != 1 {
			t.Fatalf("run without a USD rate: %+v, want completed with the EUR invoice", r1)
		}
		if len(r1.GroupsSkipped) != 1 {
			t.Fatalf("run without a USD rate: groups_skipped %+v, want the USD group", r1.GroupsSkipped)
		}
		sk := r1.GroupsSkipped[0]
		if sk.CustomerID != f.c2 || sk.CustomerNumber != number || sk.Currency != "USD" || sk.Provider != "Nimbus" || sk.Items != 1 ||
			!strings.Contains(sk.Reason, "no exchange rate for USD on 2025-11-30") {
			t.Errorf("skipped group %+v, want %s (%s) USD with the reason", sk, f.c2, number)
		}
		if st := status(eur.ID); st != "invoiced" {
			t.Errorf("EUR item %s, want invoiced", st)
		}
		if st := status(usd.ID); st != "pending" {
			t.Errorf("USD item %s, want pending", st)
		}
		// The run's page in the API shows the skip too.
		var got accRunWithSkips
		accDo(t, e, http.MethodGet, "/api/v1/billing-runs/"+r1.ID, f.fm, nil).JSON(t, &got)
		if len(got.GroupsSkipped) != 1 || got.GroupsSkipped[0].Currency != "USD" {
			t.Errorf("GET run: groups_skipped %+v", got.GroupsSkipped)
		}

		// The latest rate on or before the invoice date is used.
		accPutRate(t, e, f.fm, "USD", "2025-10-01", "0.90")
		accPutRate(t, e, f.fm, "usd", "2025-11-20", "0.9234")
		// Running the period again (a supplementary run) bills the USD group.
		r2 := run("2025-11-01", "2025-11-30")
		if r2.Status != "completed" || r2.InvoicesCreated != 1 || len(r2.GroupsSkipped) != 0 || !r2.Supplementary || r2.ID == r1.ID {
			t.Fatalf("run again with a USD rate: %+v", r2)
		}
		if st := status(usd.ID); st != "invoiced" {
			t.Errorf("USD item %s after the rate was set, want invoiced", st)
		}
		var invs accList[struct {
			Currency     string `json:"currency"`
			ExchangeRate string `json:"exchange_rate"`
		}]
		accDo(t, e, http.MethodGet, "/api/v1/invoices?customer_id="+f.c2, f.fm, nil).JSON(t, &invs)
		if len(invs.Data) != 1 || invs.Data[0].Currency != "USD" || invs.Data[0].ExchangeRate != "0.9234" {
			t.Errorf("USD invoice: %+v, want one at 0.9234", invs.Data)
		}

		// invoice-now: a GBP group without a rate is skipped and reported,
		// the EUR group is billed.
		item(f.c1, "Licence", "40", "2025-12-02", "GBP")
		item(f.c1, "Support", "60", "2025-12-03", "EUR")
		var now struct {
			Invoices      []any        `json:"invoices"`
			ItemsBilled   int          `json:"items_billed"`
			GroupsSkipped []accSkipped `json:"groups_skipped"`
		}
		r := accDo(t, e, http.MethodPost, "/api/v1/customers/"+f.c1+"/invoice-now", f.fm, map[string]any{"period_start": "2025-12-01", "period_end": "2025-12-31"})
		if r.Status != http.StatusCreated {
			t.Fatalf("invoice-now: %d %s", r.Status, r.Body)
		}
		r.JSON(t, &now)
		if now.ItemsBilled != 1 || len(now.Invoices) != 1 || len(now.GroupsSkipped) != 1 || now.GroupsSkipped[0].Currency != "GBP" ||
			!strings.Contains(now.GroupsSkipped[0].Reason, "no exchange rate for GBP") {
			t.Errorf("invoice-now without a GBP rate: %s", r.Body)
		}

		// A draft in USD with no rate takes the table's rate of its date.
		var inv struct {
			ExchangeRate string `json:"exchange_rate"`
		}
		r = accDo(t, e, http.MethodPost, "/api/v1/invoices", f.fm, map[string]any{"customer_id": f.c1, "currency": "USD", "invoice_date": "2025-11-25",
			"lines": []map[string]any{{"description": "Setup", "quantity": "1", "unit_price": "10"}}})
		if r.Status != http.StatusCreated {
			t.Fatalf("USD draft without a rate: %d %s", r.Status, r.Body)
		}
		r.JSON(t, &inv)
		if inv.ExchangeRate != "0.9234" {
			t.Errorf("USD draft rate %q, want the table's 0.9234", inv.ExchangeRate)
		}
		// Without a rate in the table it is still refused, naming the field.
		p := accWantProblem(t, accDo(t, e, http.MethodPost, "/api/v1/invoices", f.fm, map[string]any{"customer_id": f.c1, "currency": "JPY",
			"lines": []map[string]any{{"description": "Setup", "quantity": "1", "unit_price": "10"}}}), http.StatusUnprocessableEntity, "invalid")
		if !strings.Contains(errFields(p)+p.Field, "exchange_rate") {
			t.Errorf("JPY draft without a rate: %+v, want exchange_rate named", p)
		}
	})
}

// TestExchangeRatesAPI: rates are set, listed with filters, changed and
// deleted; bad input names the field and writes nothing; a CSV import is
// all-or-nothing and names every bad line; only ledger roles write, staff
// read; one tenant never sees or changes another's rates.
func TestExchangeRatesAPI(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		fm, admin := e.A.Keys[access.FinanceManager], e.A.Keys[access.Administrator]
		accPutRate(t, e, fm, "USD", "2026-01-01", "0.92")
		accPutRate(t, e, admin, "GBP", "2026-01-01", "1.17")
		got := accPutRate(t, e, fm, "USD", "2026-01-01", "0.9300") // changes the rate of that day
		if got.Currency != "USD" || got.Date != "2026-01-01" || got.Rate != "0.93" {
			t.Errorf("PUT answer %+v", got)
		}
		accPutRate(t, e, e.A.Keys[access.Director], "USD", "2026-02-01", "0.94")
		if l := accRates(t, e, e.A.Keys[access.Sales], ""); len(l) != 3 {
			t.Errorf("list: %+v, want 3 rates", l)
		}
		if l := accRates(t, e, fm, "?currency=USD"); len(l) != 2 || l[0].Rate == "" {
			t.Errorf("USD rates: %+v", l)
		}
		if l := accRates(t, e, fm, "?currency=usd&from=2026-01-15&to=2026-12-31"); len(l) != 1 || l[0].Date != "2026-02-01" || l[0].Rate != "0.94" {
			t.Errorf("USD rates from 2026-01-15: %+v", l)
		}

		// Bad input: 422 naming the field, nothing written.
		before := e.Snapshot()
		for _, c := range []struct{ path, rate, field string }{
			{"/api/v1/exchange-rates/USD/2026-03-01", "0", "rate"},
			{"/api/v1/exchange-rates/USD/2026-03-01", "-1.5", "rate"},
			{"/api/v1/exchange-rates/USD/2026-03-01", "abc", "rate"},
			{"/api/v1/exchange-rates/USD/2026-03-01", "1.00000000001", "rate"},
			{"/api/v1/exchange-rates/XYZ/2026-03-01", "1", "currency"},
			{"/api/v1/exchange-rates/EUR/2026-03-01", "1", "currency"}, // the ledger currency
			{"/api/v1/exchange-rates/USD/2026-02-30", "1", "date"},
		} {
			p := accWantProblem(t, accDo(t, e, http.MethodPut, c.path, fm, map[string]any{"rate": c.rate}), http.StatusUnprocessableEntity, "invalid")
			if !strings.Contains(errFields(p)+" "+p.Field, c.field) {
				t.Errorf("PUT %s rate %q: %+v, want %s named", c.path, c.rate, p, c.field)
			}
		}
		accWantProblem(t, accDo(t, e, http.MethodDelete, "/api/v1/exchange-rates/USD/2026-03-01", fm, nil), http.StatusNotFound, "not_found")

		// CSV: one bad row refuses the whole file and every bad line is named.
		bad := "currency,date,rate\n" + // 1
			"USD,2026-03-01,0.95\n" + // 2: good
			"USD,2026-03-02,zero\n" + // 3: bad rate
			"XXX,2026-03-02,1\n" + // 4: bad currency
			"GBP,2026-13-01,1.2\n" + // 5: bad date
			"GBP,2026-03-01,-1\n" + // 6: negative
			"USD,2026-03-01,0.96\n" // 7: the same currency and date twice
		r := accDo(t, e, http.MethodPost, "/api/v1/exchange-rates/csv", fm, bad, "Content-Type", "text/csv")
		p := accWantProblem(t, r, http.StatusUnprocessableEntity, "invalid")
		fields := errFields(p)
		for _, want := range []string{"line 3.rate", "line 4.currency", "line 5.date", "line 6.rate", "line 7"} {
			if !strings.Contains(fields, want) {
				t.Errorf("CSV errors %q lack %q", fields, want)
			}
		}
		if strings.Contains(fields, "line 2.") {
			t.Errorf("CSV errors %q name the good line 2", fields)
		}
		p = accWantProblem(t, accDo(t, e, http.MethodPost, "/api/v1/exchange-rates/csv", fm, "moneda,fecha\nUSD,2026-03-01\n", "Content-Type", "text/csv"),
			http.StatusUnprocessableEntity, "invalid")
		if !strings.Contains(p.Detail+errFields(p)+p.Field, "currency") {
			t.Errorf("CSV without the header: %+v, want the columns named", p)
		}
		accUnchanged(t, e, "refused rate changes", before)

		good := "\ufeffCurrency,Date,Rate\r\nUSD,2026-03-01,0.95\r\n\r\nGBP,2026-03-01,1.18\r\nUSD,2026-01-01,0.931\r\n"
		r = accDo(t, e, http.MethodPost, "/api/v1/exchange-rates/csv", fm, good, "Content-Type", "text/csv")
		if r.Status != http.StatusOK {
			t.Fatalf("good CSV: %d %s", r.Status, r.Body)
		}
		var imp struct {
			Imported int `json:"imported"`
		}
		r.JSON(t, &imp)
		if imp.Imported != 3 {
			t.Errorf("good CSV imported %d, want 3", imp.Imported)
		}
		if l := accRates(t, e, fm, "?currency=USD&from=2026-01-01&to=2026-01-01"); len(l) != 1 || l[0].Rate != "0.931" {
			t.Errorf("USD 2026-01-01 after import: %+v, want 0.931", l)
		}
		if l := accRates(t, e, fm, ""); len(l) != 5 {
			t.Errorf("after import: %d rates, want 5", len(l))
		}

		// Roles: ledger roles write; finance, group manager and sales read;
		// engineers and customers neither.
		for _, role := range []access.Role{access.Finance, access.GroupManager, access.Sales, access.Engineer, access.Customer} {
			key := e.A.Keys[role]
			accWantProblem(t, accDo(t, e, http.MethodPut, "/api/v1/exchange-rates/USD/2026-04-01", key, map[string]any{"rate": "1"}), http.StatusForbidden, "forbidden")
			accWantProblem(t, accDo(t, e, http.MethodDelete, "/api/v1/exchange-rates/USD/2026-03-01", key, nil), http.StatusForbidden, "forbidden")
			accWantProblem(t, accDo(t, e, http.MethodPost, "/api/v1/exchange-rates/csv", key, "currency,date,rate\nUSD,2026-04-01,1\n", "Content-Type", "text/csv"),
				http.StatusForbidden, "forbidden")
			rl := accDo(t, e, http.MethodGet, "/api/v1/exchange-rates", key, nil)
			if role == access.Engineer || role == access.Customer {
				accWantProblem(t, rl, http.StatusForbidden, "forbidden")
			} else if rl.Status != http.StatusOK {
				t.Errorf("%s lists rates: %d", role, rl.Status)
			}
		}

		// Tenant isolation: B sees none of A's rates, its own same-day rate
		// is its own, and deleting in B leaves A's alone.
		fmB := e.B.Keys[access.FinanceManager]
		if l := accRates(t, e, fmB, ""); len(l) != 0 {
			t.Errorf("tenant B sees %+v", l)
		}
		accWantProblem(t, accDo(t, e, http.MethodDelete, "/api/v1/exchange-rates/USD/2026-03-01", fmB, nil), http.StatusNotFound, "not_found")
		accPutRate(t, e, fmB, "USD", "2026-03-01", "0.5")
		if l := accRates(t, e, fm, "?currency=USD&from=2026-03-01&to=2026-03-01"); len(l) != 1 || l[0].Rate != "0.95" {
			t.Errorf("A's USD rate after B set its own: %+v", l)
		}
		if r := accDo(t, e, http.MethodDelete, "/api/v1/exchange-rates/USD/2026-03-01", fmB, nil); r.Status != http.StatusNoContent {
			t.Fatalf("B deletes its rate: %d %s", r.Status, r.Body)
		}
		if l := accRates(t, e, fm, "?currency=USD&from=2026-03-01&to=2026-03-01"); len(l) != 1 {
			t.Errorf("A's USD rate after B deleted its own: %+v", l)
		}
		if l := accRates(t, e, fmB, ""); len(l) != 0 {
			t.Errorf("tenant B after delete: %+v", l)
		}
		// A deletes one of its own.
		if r := accDo(t, e, http.MethodDelete, "/api/v1/exchange-rates/USD/2026-03-01", fm, nil); r.Status != http.StatusNoContent {
			t.Fatalf("delete: %d %s", r.Status, r.Body)
		}
		if l := accRates(t, e, fm, "?currency=USD"); len(l) != 2 {
			t.Errorf("USD after delete: %+v", l)
		}
	})
}
