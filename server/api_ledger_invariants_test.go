package server_test

// Acceptance tests of the ledger invariants of issue 12 over a real server
// and database, on every engine: control accounts are never a line's
// account, zero-total documents issue and close at once (alone, in billing
// runs and in invoice-now), the accounting currency is fixed once anything
// is posted, and correcting a partly paid, written-off invoice leaves the
// customer the credit it paid.

import (
	"net/http"
	"strings"
	"testing"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/internal/testserver"
)

// TestControlAccountsRefusedOnLines: a line or a line distribution may not
// post to a control account (receivables, tax, prepayments, unapplied
// payments): create, edit and issue answer 422 naming the field, and write
// nothing.
func TestControlAccountsRefusedOnLines(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		fin := e.A.Keys[access.Finance]
		line := func(account string, dist ...map[string]any) map[string]any {
			l := map[string]any{"description": "Managed services", "quantity": "1", "unit_price": "100.00", "account": account}
			if len(dist) > 0 {
				l["distribution"] = dist
			}
			return l
		}
		body := func(lines ...map[string]any) map[string]any {
			return map[string]any{"customer_id": e.A.Customer, "lines": lines}
		}
		before := e.Snapshot()
		for _, c := range []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"receivables", body(line("1100")), "lines[0].account"},
			{"tax payable", body(line("4100"), line("2100")), "lines[1].account"},
			{"prepayments", body(line("2200")), "lines[0].account"},
			{"unapplied payments", body(line("2300")), "lines[0].account"},
			{"distribution to receivables", body(line("4100", map[string]any{"account": "4100", "percent": "60"},
				map[string]any{"account": "1100", "percent": "40"})), "lines[0].distribution[1].account"},
		} {
			p := accWantProblem(t, accDo(t, e, http.MethodPost, "/api/v1/invoices", fin, c.body), http.StatusUnprocessableEntity, "invalid")
			if p.Field != c.field || !strings.Contains(p.Detail, "control account") {
				t.Errorf("%s: field %q detail %q, want field %s and the control account named", c.name, p.Field, p.Detail, c.field)
			}
		}
		accUnchanged(t, e, "refused drafts with control accounts", before)

		// Editing a draft to a control account is refused the same way.
		draft := accPost(t, e, fin, body(line("4100")))
		before = e.Snapshot()
		p := accWantProblem(t, accDo(t, e, http.MethodPatch, "/api/v1/invoices/"+draft.ID, fin, map[string]any{"lines": []any{line("1100")}}),
			http.StatusUnprocessableEntity, "invalid")
		if p.Field != "lines[0].account" {
			t.Errorf("edit to 1100: field %q, want lines[0].account", p.Field)
		}
		accUnchanged(t, e, "refused edit", before)

		// A draft saved before the rule (its line's account set in the
		// database) cannot be issued either.
		if _, err := e.DB.SQL().Exec(accSQL(e, `UPDATE invoice_lines SET account = '1100' WHERE tenant_id = ? AND invoice_id = ?`), e.A.ID, draft.ID); err != nil {
			t.Fatal(err)
		}
		before = e.Snapshot()
		p = accWantProblem(t, accDo(t, e, http.MethodPost, "/api/v1/invoices/"+draft.ID+"/status", fin, map[string]any{"status": "open"}),
			http.StatusUnprocessableEntity, "invalid")
		if p.Field != "lines[0].account" {
			t.Errorf("issue with 1100: field %q, want lines[0].account", p.Field)
		}
		accUnchanged(t, e, "refused issue", before)
	})
}

// TestZeroTotalDocumentsIssue: a document whose total is zero (quantity 0,
// price 0, a discount of the whole amount, a zero credit note) issues,
// takes its number and is closed at once; it posts no journal entry, and
// the trial balance still nets to zero.
func TestZeroTotalDocumentsIssue(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		fin := e.A.Keys[access.Finance]
		mk := func(kind, qty, price, discount string) map[string]any {
			return map[string]any{"customer_id": e.A.Customer, "kind": kind, "lines": []any{map[string]any{"description": "Free of charge",
				"quantity": qty, "unit_price": price, "discount": discount}}}
		}
		for name, body := range map[string]map[string]any{
			"quantity 0":        mk("invoice", "0", "50.00", ""),
			"price 0":           mk("invoice", "3", "0", ""),
			"100 % discount":    mk("invoice", "2", "10.00", "20.00"),
			"zero credit note":  mk("credit_note", "1", "0", ""),
			"zero with a price": mk("invoice", "0", "0.00", "0"),
		} {
			d := accPost(t, e, fin, body)
			out := accStatus(t, e, fin, d.ID, map[string]any{"status": "open"})
			inv := out.Invoice
			if inv.Status != "closed" || inv.Number == "" || inv.EntryID != "" || !accDec(t, inv.Total).IsZero() || !accDec(t, inv.Balance).IsZero() {
				t.Errorf("%s: issued as status %s number %q entry %q total %s balance %s; want closed, numbered, no entry",
					name, inv.Status, inv.Number, inv.EntryID, inv.Total, inv.Balance)
			}
			if got := accGetInvoice(t, e, fin, d.ID); got.Status != "closed" || got.Number != inv.Number {
				t.Errorf("%s: read back %s %q", name, got.Status, got.Number)
			}
		}
		tb := accTrialBalance(t, e, e.A.Keys[access.FinanceManager], "")
		if n := accDec(t, tb["1100"].Net); !n.IsZero() {
			t.Errorf("receivables %s after zero documents, want 0", n)
		}
	})
}

// TestFreeItemsInBillingRuns: a free item (price 0) on an invoice of its
// own no longer fails a billing run or invoice-now with issue: true; every
// customer of the batch is billed, the zero invoice closed at once.
func TestFreeItemsInBillingRuns(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		f := accNewItemFixture(t, e)
		item := func(cust, desc, price, date, provider string) {
			accCreate(t, e, f.sales, "/api/v1/sales-items", map[string]any{"customer_id": cust, "description": desc, "quantity": "1",
				"unit_price": price, "billing_date": date, "provider": provider}, nil)
		}
		type invoice struct {
			ID         string `json:"id"`
			CustomerID string `json:"customer_id"`
			Status     string `json:"status"`
			Number     string `json:"number"`
			Total      string `json:"total"`
			Provider   string `json:"provider"`
		}
		// A run: one customer's only item is free, the other's are paid.
		item(f.c1, "Workshop", "500", "2025-11-15", "Nimbus")
		item(f.c1, "Training", "300", "2025-11-16", "Nimbus")
		item(f.c2, "Free trial", "0", "2025-11-17", "Nimbus")
		var run struct {
			Status          string `json:"status"`
			InvoicesCreated int    `json:"invoices_created"`
			Error           string `json:"error"`
		}
		r := accDo(t, e, http.MethodPost, "/api/v1/billing-runs", f.fm, map[string]any{"period_start": "2025-11-01", "period_end": "2025-11-30",
			"issue": true, "wait": true})
		if r.Status != http.StatusCreated {
			t.Fatalf("run with a free item: %d %s", r.Status, r.Body)
		}
		r.JSON(t, &run)
		if run.Status != "completed" || run.InvoicesCreated != 2 {
			t.Fatalf("run with a free item: %s", r.Body)
		}
		byCustomer := map[string]accInvoice{}
		for _, inv := range accListInvoices(t, e, f.fm, "") {
			byCustomer[inv.CustomerID] = inv
		}
		if inv := byCustomer[f.c1]; inv.Status != "open" || inv.Number == "" || inv.Total != "800.00" {
			t.Errorf("paid customer's invoice: %+v", inv)
		}
		if inv := byCustomer[f.c2]; inv.Status != "closed" || inv.Number == "" || !accDec(t, inv.Total).IsZero() {
			t.Errorf("free customer's invoice: %+v", inv)
		}

		// invoice-now: a free item of another provider makes an invoice of
		// its own among the paid one's.
		item(f.c1, "Migration", "250", "2025-12-01", "Nimbus")
		item(f.c1, "Onboarding (free)", "0.00", "2025-12-02", "Gratis")
		var res struct {
			Invoices    []invoice `json:"invoices"`
			ItemsBilled int       `json:"items_billed"`
		}
		r = accDo(t, e, http.MethodPost, "/api/v1/customers/"+f.c1+"/invoice-now", f.fm, map[string]any{"period_start": "2025-12-01",
			"period_end": "2025-12-31", "issue": true})
		if r.Status != http.StatusCreated {
			t.Fatalf("invoice-now with a free item: %d %s", r.Status, r.Body)
		}
		r.JSON(t, &res)
		if res.ItemsBilled != 2 || len(res.Invoices) != 2 {
			t.Fatalf("invoice-now with a free item: %s", r.Body)
		}
		for _, inv := range res.Invoices {
			want := map[string]string{"Nimbus": "open", "Gratis": "closed"}[inv.Provider]
			if inv.Status != want || inv.Number == "" {
				t.Errorf("invoice-now: %s invoice is %s (number %q), want %s", inv.Provider, inv.Status, inv.Number, want)
			}
		}
		accTrialBalance(t, e, f.fm, "")
	})
}

// TestTenantCurrencyFixedOncePosted: the accounting currency can change
// while the ledger is empty; once anything is posted, changing it is a 409
// naming the field, and nothing changes.
func TestTenantCurrencyFixedOncePosted(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		admin := e.A.Keys[access.Administrator]
		var ten struct {
			Currency string `json:"currency"`
		}
		r := accDo(t, e, http.MethodPatch, "/api/v1/tenant", admin, map[string]any{"currency": "USD"})
		if r.Status != http.StatusOK {
			t.Fatalf("currency on an empty ledger: %d %s", r.Status, r.Body)
		}
		r = accDo(t, e, http.MethodPatch, "/api/v1/tenant", admin, map[string]any{"currency": "EUR"})
		if r.JSON(t, &ten); r.Status != http.StatusOK || ten.Currency != "EUR" {
			t.Fatalf("currency back: %d %s", r.Status, r.Body)
		}
		accMakeInvoice(t, e, e.A.ID, e.A.Customer, accToday(e), "open")
		before := e.Snapshot()
		p := accWantProblem(t, accDo(t, e, http.MethodPatch, "/api/v1/tenant", admin, map[string]any{"currency": "USD"}), http.StatusConflict, "conflict")
		if p.Field != "currency" {
			t.Errorf("currency with entries: field %q, want currency (%s)", p.Field, p.Detail)
		}
		accUnchanged(t, e, "refused currency change", before)
		accDo(t, e, http.MethodGet, "/api/v1/tenant", admin, nil).JSON(t, &ten)
		if ten.Currency != "EUR" {
			t.Errorf("currency is %s after the refusal", ten.Currency)
		}
		// The same currency, or other settings, still save.
		if r := accDo(t, e, http.MethodPatch, "/api/v1/tenant", admin, map[string]any{"currency": "EUR", "name": "Tenant A2"}); r.Status != http.StatusOK {
			t.Errorf("same currency: %d %s", r.Status, r.Body)
		}
	})
}

// accCredit reads a customer's credit in EUR over HTTP.
func accCredit(t *testing.T, e *testserver.Env, key, customerID string) (total, open string) {
	t.Helper()
	var cs []struct {
		Currency     string `json:"currency"`
		Total        string `json:"total_credit"`
		OpenInvoices string `json:"open_invoices"`
	}
	r := accDo(t, e, http.MethodGet, "/api/v1/customers/"+customerID+"/credit", key, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("credit: %d %s", r.Status, r.Body)
	}
	r.JSON(t, &cs)
	total, open = "0.00", "0.00"
	for _, c := range cs {
		if c.Currency == "EUR" {
			total, open = c.Total, c.OpenInvoices
		}
	}
	return total, open
}

// TestCorrectWrittenOffInvoice: correcting a closed invoice of 121.00 that
// was partly paid (7.00) and then written off (114.00) reverses the
// invoice in full and the write-off with it: the customer ends with credit
// equal to what it paid (7.00), the write-off account is back to zero and
// receivables hold the customer's credit.
func TestCorrectWrittenOffInvoice(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		fm := e.A.Keys[access.FinanceManager]
		accTaxSetup(t, e, e.A, e.A.Customer)
		inv := accPost(t, e, fm, map[string]any{"customer_id": e.A.Customer, "lines": []any{map[string]any{"description": "Managed services",
			"quantity": "1", "unit_price": "100.00", "item_sales_tax_group": "FULL"}}})
		inv = accStatus(t, e, fm, inv.ID, map[string]any{"status": "open"}).Invoice
		if inv.Total != "121.00" {
			t.Fatalf("total %s, want 121.00", inv.Total)
		}
		r := accDo(t, e, http.MethodPost, "/api/v1/payments", fm, map[string]any{"customer_id": e.A.Customer, "method": "bank_transfer",
			"amount": "7.00", "invoices": []any{map[string]any{"invoice_id": inv.ID}}})
		if r.Status != http.StatusCreated {
			t.Fatalf("pay 7.00: %d %s", r.Status, r.Body)
		}
		closed := accStatus(t, e, fm, inv.ID, map[string]any{"status": "closed", "reason": "uncollectible"}).Invoice
		if closed.Status != "closed" || closed.Balance != "0.00" {
			t.Fatalf("write-off: %+v", closed)
		}
		if tb := accTrialBalance(t, e, fm, ""); tb["6900"].Net != "114.00" {
			t.Fatalf("write-off account %s, want 114.00", tb["6900"].Net)
		}

		r = accDo(t, e, http.MethodPost, "/api/v1/invoices/"+inv.ID+"/correct", fm, map[string]any{"reason_code": "PRICE", "comment": "wrong price"})
		if r.Status != http.StatusCreated && r.Status != http.StatusOK {
			t.Fatalf("correct: %d %s", r.Status, r.Body)
		}
		var c struct {
			Original   accInvoice `json:"original"`
			CreditNote accInvoice `json:"credit_note"`
		}
		r.JSON(t, &c)
		if c.CreditNote.Total != "121.00" || c.CreditNote.Balance != "7.00" || c.CreditNote.Status != "open" {
			t.Errorf("credit note total %s balance %s status %s; want 121.00 with 7.00 left open", c.CreditNote.Total, c.CreditNote.Balance, c.CreditNote.Status)
		}
		if c.Original.Status != "closed" || c.Original.Balance != "0.00" {
			t.Errorf("original after correction: %s balance %s", c.Original.Status, c.Original.Balance)
		}
		if total, open := accCredit(t, e, fm, e.A.Customer); total != "7.00" || open != "0.00" {
			t.Errorf("customer credit %s (owes %s), want 7.00 credit, nothing owed", total, open)
		}
		tb := accTrialBalance(t, e, fm, "")
		for acct, want := range map[string]string{"6900": "0.00", "1100": "-7.00", "1200": "7.00", "2100": "0.00", "4000": "0.00"} {
			if got := accDec(t, tb[acct].Net); !got.Equal(accDec(t, want)) {
				t.Errorf("account %s net %s, want %s", acct, got, want)
			}
		}
		var aging accList[accAging]
		accDo(t, e, http.MethodGet, "/api/v1/ledger/receivables", fm, nil).JSON(t, &aging)
		for _, a := range aging.Data {
			if a.CustomerID == e.A.Customer && (accDec(t, a.Total).String() != "-7" || accDec(t, a.Ledger).String() != "-7") {
				t.Errorf("receivables of the customer: total %s ledger %s, want -7.00", a.Total, a.Ledger)
			}
		}
	})
}

// accCashDiscount reads a document's cash discount amount over HTTP.
func accCashDiscount(t *testing.T, e *testserver.Env, key, id string) string {
	t.Helper()
	var inv struct {
		CashDiscountAmount string `json:"cash_discount_amount"`
	}
	r := accDo(t, e, http.MethodGet, "/api/v1/invoices/"+id, key, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("get invoice %s: %d %s", id, r.Status, r.Body)
	}
	r.JSON(t, &inv)
	return inv.CashDiscountAmount
}

// TestCashDiscount: an invoice of 121.00 (100.00 + 21 % tax) with a 2 %
// cash discount stores and shows a discount of 2.42 (API, print, UBL
// payment terms); a payment of 118.58 dated by the discount date settles
// and closes it, posting 2.42 to the cash-discount account against
// receivables. A later payment, or a smaller one, gets no discount and
// leaves the rest open.
func TestCashDiscount(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		fm := e.A.Keys[access.FinanceManager]
		accTaxSetup(t, e, e.A, e.A.Customer)
		today := accToday(e)
		mk := func(invDate, discDate calendar.Date) accInvoice {
			t.Helper()
			d := accPost(t, e, fm, map[string]any{"customer_id": e.A.Customer, "invoice_date": invDate.String(), "due_date": today.AddDays(30).String(),
				"cash_discount_date": discDate.String(), "cash_discount_percent": "2",
				"lines": []any{map[string]any{"description": "Managed services", "quantity": "1", "unit_price": "100.00", "item_sales_tax_group": "FULL"}}})
			if cd := accCashDiscount(t, e, fm, d.ID); cd != "2.42" || d.Total != "121.00" {
				t.Fatalf("draft: total %s, cash discount %q; want 121.00 and 2.42", d.Total, cd)
			}
			return accStatus(t, e, fm, d.ID, map[string]any{"status": "open"}).Invoice
		}
		pay := func(inv accInvoice, amount string, date calendar.Date) {
			t.Helper()
			r := accDo(t, e, http.MethodPost, "/api/v1/payments", fm, map[string]any{"customer_id": e.A.Customer, "method": "bank_transfer",
				"amount": amount, "date": date.String(), "invoices": []any{map[string]any{"invoice_id": inv.ID}}})
			if r.Status != http.StatusCreated {
				t.Fatalf("pay %s: %d %s", amount, r.Status, r.Body)
			}
		}

		// Paid by the discount date, less the discount: settled and closed.
		early := mk(today.AddDays(-2), today.AddDays(5))
		if cd := accCashDiscount(t, e, fm, early.ID); cd != "2.42" {
			t.Errorf("issued: cash discount %q, want 2.42", cd)
		}
		pay(early, "118.58", today)
		got := accGetInvoice(t, e, fm, early.ID)
		if got.Status != "closed" || got.Balance != "0.00" || got.Paid != "118.58" {
			t.Errorf("paid 118.58 by the discount date: %s, balance %s, paid %s; want closed, 0.00, 118.58", got.Status, got.Balance, got.Paid)
		}
		tb := accTrialBalance(t, e, fm, "")
		if tb["6810"].Net != "2.42" || !accDec(t, tb["1100"].Net).IsZero() {
			t.Errorf("cash discount account %s, receivables %s; want 2.42 and 0", tb["6810"].Net, tb["1100"].Net)
		}

		// Print and UBL show the discount amount.
		if r := accDo(t, e, http.MethodGet, "/api/v1/invoices/"+early.ID+"/print", fm, nil); r.Status != http.StatusOK || !strings.Contains(string(r.Body), "Cash discount 2% (") ||
			!strings.Contains(string(r.Body), "2.42) if paid by") {
			t.Errorf("print view lacks the cash discount line with 2.42: %d", r.Status)
		}
		if r := accDo(t, e, http.MethodGet, "/api/v1/invoices/"+early.ID+"/ubl", fm, nil); r.Status != http.StatusOK || !strings.Contains(string(r.Body), "2.42") {
			t.Errorf("UBL lacks the discount amount 2.42: %d %s", r.Status, accShort(r.Body))
		}

		// Paid after the discount date: no discount, 2.42 stays open.
		late := mk(today.AddDays(-10), today.AddDays(-1))
		pay(late, "118.58", today)
		if got := accGetInvoice(t, e, fm, late.ID); got.Status != "open" || got.Balance != "2.42" {
			t.Errorf("paid after the discount date: %s balance %s; want open with 2.42", got.Status, got.Balance)
		}
		// Paid by the date, but less than total minus discount: no discount.
		small := mk(today, today.AddDays(5))
		pay(small, "100.00", today)
		if got := accGetInvoice(t, e, fm, small.ID); got.Status != "open" || got.Balance != "21.00" {
			t.Errorf("paid too little: %s balance %s; want open with 21.00", got.Status, got.Balance)
		}
		tb = accTrialBalance(t, e, fm, "")
		if tb["6810"].Net != "2.42" || tb["1100"].Net != "23.42" {
			t.Errorf("cash discount account %s, receivables %s; want 2.42 and 23.42", tb["6810"].Net, tb["1100"].Net)
		}

		// Correcting the discounted invoice reverses the discount with it:
		// the customer keeps as credit what it paid, 118.58.
		r := accDo(t, e, http.MethodPost, "/api/v1/invoices/"+early.ID+"/correct", fm, map[string]any{"reason_code": "PRICE", "comment": "wrong price"})
		if r.Status != http.StatusCreated && r.Status != http.StatusOK {
			t.Fatalf("correct: %d %s", r.Status, r.Body)
		}
		if total, _ := accCredit(t, e, fm, e.A.Customer); total != "118.58" {
			t.Errorf("credit after correcting the discounted invoice: %s, want 118.58", total)
		}
		if tb := accTrialBalance(t, e, fm, ""); !accDec(t, tb["6810"].Net).IsZero() {
			t.Errorf("cash discount account %s after the correction, want 0", tb["6810"].Net)
		}
	})
}
