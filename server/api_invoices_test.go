package server_test

// Acceptance tests of invoices and the ledger (issue 3) over a real server
// and database, on every engine: the customer portal's view, bad input that
// writes nothing, seeds 000/001's "update status", the invoice table's
// filters, search, sorts and pages, the OpenAPI types, stored amounts read
// back by every output, credit notes, the trial balance and receivables aging.

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/internal/testserver"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

// accInvLine is the part of an invoice line the tests read.
type accInvLine struct {
	Position    int      `json:"position"`
	Description string   `json:"description"`
	Quantity    *string  `json:"quantity"`
	UnitPrice   *string  `json:"unit_price"`
	Discount    string   `json:"discount"`
	Amount      string   `json:"amount"`
	TaxCodes    []string `json:"tax_codes"`
	TaxAmount   string   `json:"tax_amount"`
}

// accTaxLine is the tax of one code on a document.
type accTaxLine struct {
	Code   string `json:"code"`
	Rate   string `json:"rate"`
	Base   string `json:"base"`
	Amount string `json:"amount"`
}

// accInvoice is the part of an invoice the tests read. Dates that are null
// decode as "".
type accInvoice struct {
	ID               string   `json:"id"`
	Kind             string   `json:"kind"`
	Status           string   `json:"status"`
	AllowedStatuses  []string `json:"allowed_statuses"`
	DocumentNumber   string   `json:"document_number"`
	Number           string   `json:"number"`
	CustomerID       string   `json:"customer_id"`
	InvoiceAccountID string   `json:"invoice_account_id"`
	BillTo           struct {
		Name string `json:"name"`
	} `json:"bill_to"`
	InvoiceDate     string       `json:"invoice_date"`
	DueDate         string       `json:"due_date"`
	PeriodStart     string       `json:"period_start"`
	Currency        string       `json:"currency"`
	ExchangeRate    string       `json:"exchange_rate"`
	Provider        string       `json:"provider"`
	TaxMode         string       `json:"tax_mode"`
	Lines           []accInvLine `json:"lines"`
	Taxes           []accTaxLine `json:"taxes"`
	Net             string       `json:"net"`
	Tax             string       `json:"tax"`
	Total           string       `json:"total"`
	Paid            string       `json:"paid"`
	Balance         string       `json:"balance"`
	TotalAccounting string       `json:"total_accounting"`
	EntryID         string       `json:"entry_id"`
	VoidEntryID     string       `json:"void_entry_id"`
	CreatedAt       time.Time    `json:"created_at"`
}

// accStatusOut is the answer of POST /invoices/{id}/status.
type accStatusOut struct {
	Invoice  accInvoice `json:"invoice"`
	Notified bool       `json:"notified"`
}

// accBalance is one account of the trial balance.
type accBalance struct {
	Account string `json:"account"`
	Debit   string `json:"debit"`
	Credit  string `json:"credit"`
	Net     string `json:"net"`
}

// accEntry is a journal entry.
type accEntry struct {
	ID         string `json:"id"`
	Number     string `json:"number"`
	Date       string `json:"date"`
	SourceType string `json:"source_type"`
	SourceID   string `json:"source_id"`
	ReversesID string `json:"reverses_id"`
	Lines      []struct {
		Account    string `json:"account"`
		Debit      string `json:"debit"`
		Credit     string `json:"credit"`
		CustomerID string `json:"customer_id"`
		InvoiceID  string `json:"invoice_id"`
	} `json:"lines"`
}

// accAging is one customer of the receivables report.
type accAging struct {
	CustomerID string            `json:"customer_id"`
	Buckets    map[string]string `json:"buckets"`
	Total      string            `json:"total"`
	Ledger     string            `json:"ledger"`
}

func accPtr[T any](v T) *T { return &v }

// accDec parses a decimal string of an answer, failing the test if it is not one.
func accDec(t *testing.T, s string) decimal.Decimal {
	t.Helper()
	d, err := decimal.NewFromString(s)
	if err != nil {
		t.Fatalf("%q is not a decimal: %v", s, err)
	}
	return d
}

// accToday is the civil date of the test clock in the tenants' zone.
func accToday(e *testserver.Env) calendar.Date {
	loc, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		panic(err)
	}
	return calendar.Today(e.Clock.Now(), loc)
}

// accInvBody is a minimal valid draft for customerID: 2 × 10.00.
func accInvBody(customerID string) map[string]any {
	return map[string]any{"customer_id": customerID,
		"lines": []any{map[string]any{"description": "Managed services", "quantity": "2", "unit_price": "10.00"}}}
}

// accMakeInvoice creates a draft of 2 × 10.00 for customerID dated date
// through the service, then moves it through statuses.
func accMakeInvoice(t *testing.T, e *testserver.Env, tenantID, customerID string, date calendar.Date, statuses ...string) billing.Invoice {
	t.Helper()
	ctx := context.Background()
	p := access.System(tenantID, "test")
	lines := []service.LineInput{{Description: "Managed services", Quantity: accPtr("2"), UnitPrice: accPtr("10.00")}}
	// In a taxed tenant every issued line needs its tax code: the line takes
	// the item group "FULL" when the tenant has one (accTaxSetup).
	groups, err := e.Svc.ListTaxGroups(ctx, p)
	if err != nil {
		t.Fatalf("tax groups: %v", err)
	}
	for _, g := range groups {
		if g.Kind == "item" && g.Code == "FULL" {
			lines[0].ItemSalesTaxGroup = "FULL"
		}
	}
	inv, err := e.Svc.CreateInvoice(ctx, p, service.InvoiceInput{CustomerID: &customerID, InvoiceDate: &date, Lines: &lines})
	if err != nil {
		t.Fatalf("create invoice: %v", err)
	}
	for _, s := range statuses {
		res, err := e.Svc.UpdateInvoiceStatus(ctx, p, inv.ID, service.StatusChange{Status: s, Reason: "test"})
		if err != nil {
			t.Fatalf("invoice %s → %s: %v", inv.ID, s, err)
		}
		inv = res.Invoice
	}
	return inv
}

// accPost creates a draft over HTTP and returns it.
func accPost(t *testing.T, e *testserver.Env, key string, body any) accInvoice {
	t.Helper()
	r := accDo(t, e, http.MethodPost, "/api/v1/invoices", key, body)
	if r.Status != http.StatusCreated {
		t.Fatalf("create invoice: %d %s", r.Status, r.Body)
	}
	var inv accInvoice
	r.JSON(t, &inv)
	return inv
}

// accStatus changes a document's status over HTTP, failing on refusal.
func accStatus(t *testing.T, e *testserver.Env, key, id string, body map[string]any) accStatusOut {
	t.Helper()
	r := accDo(t, e, http.MethodPost, "/api/v1/invoices/"+id+"/status", key, body)
	if r.Status != http.StatusOK {
		t.Fatalf("status %v of %s: %d %s", body, id, r.Status, r.Body)
	}
	var out accStatusOut
	r.JSON(t, &out)
	return out
}

// accGetInvoice reads a document over HTTP.
func accGetInvoice(t *testing.T, e *testserver.Env, key, id string) accInvoice {
	t.Helper()
	r := accDo(t, e, http.MethodGet, "/api/v1/invoices/"+id, key, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("get invoice %s: %d %s", id, r.Status, r.Body)
	}
	var inv accInvoice
	r.JSON(t, &inv)
	return inv
}

// accListInvoices returns every row of one list call (one page of up to 500).
func accListInvoices(t *testing.T, e *testserver.Env, key, query string) []accInvoice {
	t.Helper()
	sep := "?"
	if query != "" {
		sep = "?" + query + "&"
	}
	r := accDo(t, e, http.MethodGet, "/api/v1/invoices"+sep+"limit=500", key, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("list invoices ?%s: %d %s", query, r.Status, r.Body)
	}
	var list accList[accInvoice]
	r.JSON(t, &list)
	if list.HasMore {
		t.Fatalf("list ?%s has more than 500 rows", query)
	}
	return list.Data
}

func accIDs(invs []accInvoice) []string {
	out := make([]string, 0, len(invs))
	for _, inv := range invs {
		out = append(out, inv.ID)
	}
	return out
}

// accSameSet reports whether a and b hold the same ids, in any order.
func accSameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// accSQL rewrites ? placeholders for the engine.
func accSQL(e *testserver.Env, q string) string { return bindFor(e.DB, q) }

// bindFor rewrites ? placeholders for db's engine.
func bindFor(db *store.DB, q string) string {
	if db.Engine() != store.Postgres {
		return q
	}
	var b strings.Builder
	n := 0
	for _, c := range q {
		if c == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// accTaxSetup creates, over HTTP as the administrator, the tax codes V21
// (21 %), V10 (10 %) and EX (exempt), the sales tax group DOM with all
// three and the item sales tax groups FULL, RED and EXM with one each, and
// gives customerID the sales tax group DOM.
func accTaxSetup(t *testing.T, e *testserver.Env, ten testserver.Tenant, customerIDs ...string) {
	t.Helper()
	admin := ten.Keys[access.Administrator]
	put := func(path string, body any) {
		t.Helper()
		if r := accDo(t, e, http.MethodPut, path, admin, body); r.Status != http.StatusOK {
			t.Fatalf("PUT %s: %d %s", path, r.Status, r.Body)
		}
	}
	put("/api/v1/tax-codes/V21", map[string]any{"name": "IVA 21 %", "rate": "21", "category": "S", "account": "2100"})
	put("/api/v1/tax-codes/V10", map[string]any{"name": "IVA 10 %", "rate": "10", "category": "S", "account": "2100"})
	put("/api/v1/tax-codes/EX", map[string]any{"name": "Exento", "rate": "0", "category": "E", "account": "2100", "exemption_reason": "Art. 20 LIVA"})
	put("/api/v1/tax-groups/sales/DOM", map[string]any{"tax_codes": []string{"V21", "V10", "EX"}})
	put("/api/v1/tax-groups/item/FULL", map[string]any{"tax_codes": []string{"V21"}})
	put("/api/v1/tax-groups/item/RED", map[string]any{"tax_codes": []string{"V10"}})
	put("/api/v1/tax-groups/item/EXM", map[string]any{"tax_codes": []string{"EX"}})
	for _, id := range customerIDs {
		if r := accDo(t, e, http.MethodPatch, "/api/v1/customers/"+id, admin, map[string]any{"sales_tax_group": "DOM"}); r.Status != http.StatusOK {
			t.Fatalf("customer sales tax group: %d %s", r.Status, r.Body)
		}
	}
}

// accTrialBalance reads the trial balance and checks it nets to zero.
func accTrialBalance(t *testing.T, e *testserver.Env, key, query string) map[string]accBalance {
	t.Helper()
	r := accDo(t, e, http.MethodGet, "/api/v1/ledger/trial-balance"+query, key, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("trial balance: %d %s", r.Status, r.Body)
	}
	var list accList[accBalance]
	r.JSON(t, &list)
	out := map[string]accBalance{}
	var debit, credit, net decimal.Decimal
	for _, b := range list.Data {
		d, c, n := accDec(t, b.Debit), accDec(t, b.Credit), accDec(t, b.Net)
		if !d.Sub(c).Equal(n) {
			t.Errorf("account %s: debit %s − credit %s ≠ net %s", b.Account, b.Debit, b.Credit, b.Net)
		}
		debit, credit, net = debit.Add(d), credit.Add(c), net.Add(n)
		out[b.Account] = b
	}
	if !debit.Equal(credit) || !net.IsZero() {
		t.Errorf("trial balance%s does not net to zero: debit %s, credit %s, net %s", query, debit, credit, net)
	}
	return out
}

// TestInvoiceCustomerVisibility: a customer-role key lists and reads only its
// own account's issued documents (open, past due, closed, void); a draft, or
// another customer's document, is not found.
func TestInvoiceCustomerVisibility(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		today := accToday(e)
		mine, other := e.A.Customer, e.A.Other
		draft := accMakeInvoice(t, e, e.A.ID, mine, today).ID
		open := accMakeInvoice(t, e, e.A.ID, mine, today, "open").ID
		pastDue := accMakeInvoice(t, e, e.A.ID, mine, today.AddDays(-45), "open", "past_due").ID
		closed := accMakeInvoice(t, e, e.A.ID, mine, today, "open", "closed").ID
		void := accMakeInvoice(t, e, e.A.ID, mine, today, "open", "void").ID
		othersOpen := accMakeInvoice(t, e, e.A.ID, other, today, "open").ID
		othersDraft := accMakeInvoice(t, e, e.A.ID, other, today).ID
		// A document of another customer billed to the customer key's account
		// is the account's too (the bill-to account pays it).
		sub := accNewCustomer(t, e, e.A.ID, "Sub-account of one")
		if r := accDo(t, e, http.MethodPatch, "/api/v1/customers/"+sub, e.A.Keys[access.Administrator], map[string]any{"invoice_account_id": mine}); r.Status != http.StatusOK {
			t.Fatalf("bill-to: %d %s", r.Status, r.Body)
		}
		billed := accMakeInvoice(t, e, e.A.ID, sub, today, "open").ID
		key := e.A.Keys[access.Customer]

		want := map[string]string{open: "open", pastDue: "past_due", closed: "closed", void: "void", billed: "open"}
		got := map[string]string{}
		for _, inv := range accListInvoices(t, e, key, "") {
			got[inv.ID] = inv.Status
		}
		if !maps.Equal(got, want) {
			t.Errorf("customer list: %v, want %v", got, want)
		}
		// Filters narrow the customer's documents and never widen them.
		for q, want := range map[string][]string{
			"status=open":                       {open, billed},
			"status=past_due,closed":            {pastDue, closed},
			"status=void":                       {void},
			"customer_id=" + other:              {open, pastDue, closed, void, billed},
			"q=customer+two":                    {},
			"q=" + url.QueryEscape("Tenant A"):  {open, pastDue, closed, void, billed},
			"status=open,past_due,closed,void":  {open, pastDue, closed, void, billed},
			"sort=-amount&status=open,past_due": {open, pastDue, billed},
		} {
			if ids := accIDs(accListInvoices(t, e, key, q)); !accSameSet(ids, want) {
				t.Errorf("customer list ?%s: %v, want %v", q, ids, want)
			}
		}
		// Asking for drafts is refused, with the reason.
		for _, q := range []string{"status=draft", "status=open,draft", "status=approved"} {
			r := accDo(t, e, http.MethodGet, "/api/v1/invoices?"+q, key, nil)
			if p := accWantProblem(t, r, http.StatusUnprocessableEntity, "invalid"); p.Field != "status" {
				t.Errorf("customer list ?%s: field %q, want status", q, p.Field)
			}
		}

		for id, status := range want {
			for _, suffix := range []string{"", "/totals"} {
				r := accDo(t, e, http.MethodGet, "/api/v1/invoices/"+id+suffix, key, nil)
				if r.Status != http.StatusOK {
					t.Errorf("customer GET its %s document%s: %d %s", status, suffix, r.Status, r.Body)
				}
			}
		}
		ghost := "inv_0000000000000000000000000z"
		for what, id := range map[string]string{"its own draft": draft, "another customer's open invoice": othersOpen, "another customer's draft": othersDraft} {
			for _, suffix := range []string{"", "/totals"} {
				r := accDo(t, e, http.MethodGet, "/api/v1/invoices/"+id+suffix, key, nil)
				p := accWantProblem(t, r, http.StatusNotFound, "not_found")
				g := accDo(t, e, http.MethodGet, "/api/v1/invoices/"+ghost+suffix, key, nil)
				var pg accProblem
				_ = json.Unmarshal(g.Body, &pg)
				if strings.ReplaceAll(p.Detail, id, ghost) != pg.Detail {
					t.Errorf("%s%s: %q, unlike a missing invoice's %q", what, suffix, p.Detail, pg.Detail)
				}
				for _, leak := range []string{"customer two", "D-0", "Managed services"} {
					if strings.Contains(string(r.Body), leak) {
						t.Errorf("%s%s leaks %q: %s", what, suffix, leak, r.Body)
					}
				}
			}
		}
		// The portal cannot change documents, its own included.
		for _, c := range []struct {
			method, path string
			body         any
		}{
			{http.MethodPatch, "/api/v1/invoices/" + draft, map[string]any{"notes": "mine"}},
			{http.MethodDelete, "/api/v1/invoices/" + draft, nil},
			{http.MethodPost, "/api/v1/invoices/" + open + "/status", map[string]any{"status": "void"}},
			{http.MethodPost, "/api/v1/invoices", accInvBody(mine)},
		} {
			before := e.Snapshot()
			accWantProblem(t, accDo(t, e, c.method, c.path, key, c.body), http.StatusForbidden, "forbidden")
			if after := e.Snapshot(); !maps.Equal(before, after) {
				t.Errorf("%s %s as customer wrote: %v → %v", c.method, c.path, before, after)
			}
		}
		// Staff see every document of the tenant, drafts included.
		all := accIDs(accListInvoices(t, e, e.A.Keys[access.Sales], ""))
		if !accSameSet(all, []string{draft, open, pastDue, closed, void, othersOpen, othersDraft, billed}) {
			t.Errorf("staff list: %v", all)
		}
	})
}

// TestInvoiceBadInput: the mistakes users make with invoices get a 4xx
// problem+json that says why, naming the field where there is one, and
// write nothing: no invoice, line, journal entry, audit entry, counter or
// notification, and no change to the document.
func TestInvoiceBadInput(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		ctx := context.Background()
		admin := e.A.Keys[access.Administrator]
		accTaxSetup(t, e, e.A, e.A.Customer)
		today := accToday(e)
		cust := e.A.Customer
		line := map[string]any{"description": "Consulting", "quantity": "2", "unit_price": "10.00", "item_sales_tax_group": "FULL"}
		withLines := func(lines ...map[string]any) map[string]any {
			b := map[string]any{"customer_id": cust, "lines": lines}
			return b
		}
		with := func(extra map[string]any) map[string]any {
			b := withLines(line)
			maps.Copy(b, extra)
			return b
		}
		issued := accPost(t, e, admin, withLines(line))
		accStatus(t, e, admin, issued.ID, map[string]any{"status": "open"})
		paid := accPost(t, e, admin, withLines(line))
		accStatus(t, e, admin, paid.ID, map[string]any{"status": "open"})
		// Payments come with a later capability: record one directly.
		if _, err := e.DB.SQL().ExecContext(ctx, accSQL(e, "UPDATE invoices SET paid = '5', balance = '19.2', balance_accounting = '19.2' WHERE id = ?"), paid.ID); err != nil {
			t.Fatal(err)
		}
		empty := accPost(t, e, admin, map[string]any{"customer_id": cust})
		negative := accPost(t, e, admin, withLines(map[string]any{"description": "Refund", "amount": "-5.00"}))
		negativeCN := accPost(t, e, admin, map[string]any{"customer_id": cust, "kind": "credit_note",
			"lines": []any{map[string]any{"description": "Refund", "amount": "-5.00"}}})
		held := accPost(t, e, admin, with(map[string]any{"hold_until": today.AddDays(10).String()}))
		draft := accPost(t, e, admin, withLines(line))
		noBilling := accNewCustomer(t, e, e.A.ID, "Without billing information")
		incomplete := accPost(t, e, admin, map[string]any{"customer_id": noBilling, "lines": []any{map[string]any{"description": "x", "amount": "1.00"}}})
		inv := func(id string) string { return "/api/v1/invoices/" + id }
		status := func(id string) string { return "/api/v1/invoices/" + id + "/status" }

		cases := []struct {
			name, method, path string
			body               any
			status             int
			code, field        string
			says               string // a word of the detail that says why
			target             string // a document that must not change
		}{
			{"edit an issued invoice", "PATCH", inv(issued.ID), map[string]any{"notes": "changed"}, 409, "conflict", "", "cannot be edited", issued.ID},
			{"edit an issued invoice's lines", "PATCH", inv(issued.ID), map[string]any{"lines": []any{line, line}}, 409, "conflict", "", "correct it", issued.ID},
			{"discard an issued invoice", "DELETE", inv(issued.ID), nil, 409, "conflict", "", "only a draft", issued.ID},
			{"issue an empty invoice", "POST", status(empty.ID), map[string]any{"status": "open"}, 422, "invalid", "lines", "at least one line", empty.ID},
			{"issue a negative invoice", "POST", status(negative.ID), map[string]any{"status": "open"}, 422, "invalid", "total", "credit note", negative.ID},
			{"issue a negative credit note", "POST", status(negativeCN.ID), map[string]any{"status": "open"}, 422, "invalid", "total", "positive", negativeCN.ID},
			{"issue before hold-until", "POST", status(held.ID), map[string]any{"status": "open"}, 409, "conflict", "", "on hold", held.ID},
			{"issue without billing information", "POST", status(incomplete.ID), map[string]any{"status": "open"}, 422, "invalid", "customer_id", "billing information", incomplete.ID},
			{"unknown item sales tax group", "POST", "/api/v1/invoices", withLines(map[string]any{"description": "x", "amount": "1.00", "item_sales_tax_group": "NOPE"}), 422, "invalid", "lines[0].item_sales_tax_group", "NOPE", ""},
			{"unknown sales tax group", "POST", "/api/v1/invoices", withLines(map[string]any{"description": "x", "amount": "1.00", "sales_tax_group": "NOPE", "item_sales_tax_group": "FULL"}), 422, "invalid", "lines[0].sales_tax_group", "NOPE", ""},
			{"unknown tax group on an edit", "PATCH", inv(draft.ID), map[string]any{"lines": []any{map[string]any{"description": "x", "amount": "1.00", "item_sales_tax_group": "NOPE"}}}, 422, "invalid", "lines[0].item_sales_tax_group", "NOPE", draft.ID},
			{"unknown tax group in a preview", "POST", "/api/v1/invoices/preview", withLines(map[string]any{"description": "x", "amount": "1.00", "item_sales_tax_group": "NOPE"}), 422, "invalid", "lines[0].item_sales_tax_group", "NOPE", ""},
			{"foreign currency without an exchange rate", "POST", "/api/v1/invoices", with(map[string]any{"currency": "USD"}), 422, "invalid", "exchange_rate", "required", ""},
			{"foreign currency on an edit without a rate", "PATCH", inv(draft.ID), map[string]any{"currency": "GBP"}, 422, "invalid", "exchange_rate", "required", draft.ID},
			{"exchange rate that is not a number", "POST", "/api/v1/invoices", with(map[string]any{"currency": "USD", "exchange_rate": "abc"}), 422, "invalid", "exchange_rate", "decimal", ""},
			{"exchange rate other than 1 for the accounting currency", "POST", "/api/v1/invoices", with(map[string]any{"exchange_rate": "1.1"}), 422, "invalid", "exchange_rate", "must be 1", ""},
			{"payment schedule not adding up to the total", "POST", "/api/v1/invoices", with(map[string]any{"payment_schedule": []any{
				map[string]any{"due_date": today.AddDays(30).String(), "amount": "10.00"}, map[string]any{"due_date": today.AddDays(60).String(), "amount": "5.00"}}}),
				422, "invalid", "payment_schedule", "add up to", ""},
			{"payment schedule out of order", "POST", "/api/v1/invoices", with(map[string]any{"payment_schedule": []any{
				map[string]any{"due_date": today.AddDays(60).String(), "amount": "12.10"}, map[string]any{"due_date": today.AddDays(30).String(), "amount": "12.10"}}}),
				422, "invalid", "payment_schedule[1].due_date", "after", ""},
			{"void after a payment", "POST", status(paid.ID), map[string]any{"status": "void"}, 409, "conflict", "", "paid", paid.ID},
			{"close with a balance and no reason", "POST", status(issued.ID), map[string]any{"status": "closed"}, 422, "invalid", "reason", "written off", issued.ID},
			{"past due before the due date", "POST", status(issued.ID), map[string]any{"status": "past_due"}, 409, "conflict", "", "not past due", issued.ID},
			{"unknown status", "POST", status(issued.ID), map[string]any{"status": "paid"}, 422, "invalid", "status", "", issued.ID},
			{"status of a missing invoice", "POST", status("inv_0000000000000000000000000z"), map[string]any{"status": "open"}, 404, "not_found", "", "no invoice", ""},
			{"customer missing", "POST", "/api/v1/invoices", map[string]any{"lines": []any{line}}, 422, "invalid", "customer_id", "required", ""},
			{"customer that does not exist", "POST", "/api/v1/invoices", map[string]any{"customer_id": "cus_0000000000000000000000000z"}, 422, "invalid", "customer_id", "no customer", ""},
			{"customer of tenant B", "POST", "/api/v1/invoices", map[string]any{"customer_id": e.B.Customer}, 422, "invalid", "customer_id", "no customer", ""},
			{"bill-to account of tenant B", "POST", "/api/v1/invoices", with(map[string]any{"invoice_account_id": e.B.Customer}), 422, "invalid", "invoice_account_id", "no customer", ""},
			{"moving a draft to a customer of tenant B", "PATCH", inv(draft.ID), map[string]any{"customer_id": e.B.Other}, 422, "invalid", "customer_id", "no customer", draft.ID},
			{"quantity that is not a number", "POST", "/api/v1/invoices", withLines(map[string]any{"description": "x", "quantity": "two", "unit_price": "1"}), 422, "invalid", "lines[0].quantity", "decimal", ""},
			{"quantity as a JSON number", "POST", "/api/v1/invoices", `{"customer_id": "` + cust + `", "lines": [{"description": "x", "quantity": 2, "unit_price": "1"}]}`, 422, "invalid", "lines[0].quantity", "", ""},
			{"amount and quantity together", "POST", "/api/v1/invoices", withLines(map[string]any{"description": "x", "quantity": "1", "unit_price": "1", "amount": "1"}), 422, "invalid", "lines[0].amount", "amount alone", ""},
			{"unit price without a quantity", "POST", "/api/v1/invoices", withLines(map[string]any{"description": "x", "unit_price": "1"}), 422, "invalid", "lines[0].quantity", "required", ""},
			{"amount with more decimals than the currency", "POST", "/api/v1/invoices", withLines(map[string]any{"description": "x", "amount": "1.001"}), 422, "invalid", "lines[0].amount", "decimals", ""},
			{"line without a description", "POST", "/api/v1/invoices", withLines(map[string]any{"description": " ", "amount": "1.00"}), 422, "invalid", "lines[0].description", "required", ""},
			{"unknown ledger account on a line", "POST", "/api/v1/invoices", withLines(map[string]any{"description": "x", "amount": "1.00", "account": "9999"}), 422, "invalid", "lines[0].account", "9999", ""},
			{"distribution not adding up to 100", "POST", "/api/v1/invoices", withLines(map[string]any{"description": "x", "amount": "1.00",
				"distribution": []any{map[string]any{"account": "4100", "percent": "60"}, map[string]any{"account": "4200", "percent": "30"}}}), 422, "invalid", "lines[0].distribution", "100", ""},
			{"second line wrong", "POST", "/api/v1/invoices", withLines(line, map[string]any{"description": "y", "quantity": "1", "unit_price": "1", "charge_type": "monthly"}), 422, "invalid", "lines[1].charge_type", "", ""},
			{"due date before the invoice date", "POST", "/api/v1/invoices", with(map[string]any{"invoice_date": "2026-03-10", "due_date": "2026-03-01"}), 422, "invalid", "due_date", "before", ""},
			{"invoice date that does not exist", "POST", "/api/v1/invoices", with(map[string]any{"invoice_date": "2026-02-30"}), 422, "invalid", "invoice_date", "", ""},
			{"period ending before it starts", "POST", "/api/v1/invoices", with(map[string]any{"period_start": "2026-03-01", "period_end": "2026-02-01"}), 422, "invalid", "period_end", "before", ""},
			{"unknown kind", "POST", "/api/v1/invoices", with(map[string]any{"kind": "proforma"}), 422, "invalid", "kind", "", ""},
			{"changing the kind of a draft", "PATCH", inv(draft.ID), map[string]any{"kind": "credit_note"}, 422, "invalid", "kind", "cannot change", draft.ID},
			{"unknown field", "POST", "/api/v1/invoices", with(map[string]any{"totl": "5"}), 422, "invalid", "totl", "", ""},
			{"list: unknown status", "GET", "/api/v1/invoices?status=open,paid", nil, 422, "invalid", "status", "paid", ""},
			{"list: unknown date preset", "GET", "/api/v1/invoices?date_preset=yesterday", nil, 422, "invalid", "date_preset", "", ""},
			{"list: malformed from", "GET", "/api/v1/invoices?from=2026-13-01", nil, 422, "invalid", "from", "2026-01-31", ""},
			{"list: unknown sort", "GET", "/api/v1/invoices?sort=colour", nil, 422, "invalid", "sort", "colour", ""},
			{"list: malformed cursor", "GET", "/api/v1/invoices?cursor=nope", nil, 422, "invalid", "cursor", "", ""},
			{"list: cursor with a NUL in its sort value", "GET", "/api/v1/invoices?sort=number&cursor=eyJzIjogImFcdTAwMDAiLCAiaSI6ICJpbnZfeCJ9", nil, 422, "invalid", "cursor", "", ""},
			{"list: cursor with a NUL in its id", "GET", "/api/v1/invoices?cursor=eyJzIjogImEiLCAiaSI6ICJpbnZfXHUwMDAwIn0", nil, 422, "invalid", "cursor", "", ""},
			{"customers: cursor with a NUL", "GET", "/api/v1/customers?cursor=eyJzIjogImEiLCAiaSI6ICJpbnZfXHUwMDAwIn0", nil, 422, "invalid", "cursor", "", ""},
			{"trial balance: malformed date", "GET", "/api/v1/ledger/trial-balance?as_of=yesterday", nil, 422, "invalid", "as_of", "2026-01-31", ""},
			{"tax code: unknown category", "PUT", "/api/v1/tax-codes/X1", map[string]any{"name": "X", "rate": "5", "category": "X", "account": "2100"}, 422, "invalid", "category", "", ""},
			{"tax code: rate that is not a number", "PUT", "/api/v1/tax-codes/X1", map[string]any{"name": "X", "rate": "five", "category": "S", "account": "2100"}, 422, "invalid", "rate", "percentage", ""},
			{"tax code: unknown account", "PUT", "/api/v1/tax-codes/X1", map[string]any{"name": "X", "rate": "5", "category": "S", "account": "9999"}, 422, "invalid", "account", "9999", ""},
			{"tax code: exempt without a reason", "PUT", "/api/v1/tax-codes/X1", map[string]any{"name": "X", "rate": "0", "category": "E", "account": "2100"}, 422, "invalid", "exemption_reason", "exemption reason", ""},
			{"tax group: unknown tax code", "PUT", "/api/v1/tax-groups/item/X1", map[string]any{"tax_codes": []string{"V99"}}, 422, "invalid", "tax_codes", "V99", ""},
			{"tax mode: unknown", "PUT", "/api/v1/tax-mode", map[string]any{"tax_mode": "bankers"}, 422, "invalid", "tax_mode", "", ""},
			{"number series without a sequence", "PUT", "/api/v1/number-series/invoice", map[string]any{"pattern": "INV-{YYYY}"}, 422, "invalid", "pattern", "{SEQ}", ""},
			{"ledger account: unknown type", "PUT", "/api/v1/ledger/accounts/4999", map[string]any{"name": "X", "type": "cash"}, 422, "invalid", "type", "", ""},
			{"ledger account: archiving a system account", "PUT", "/api/v1/ledger/accounts/1100", map[string]any{"name": "AR", "type": "asset", "archived": true}, 422, "invalid", "code", "system account", ""},
			{"posting profile: unknown account", "PUT", "/api/v1/ledger/posting-profiles/p1", map[string]any{"receivables_account": "9999"}, 422, "invalid", "receivables_account", "9999", ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				var doc []byte
				if c.target != "" {
					doc = accDo(t, e, http.MethodGet, inv(c.target), admin, nil).Body
				}
				before := e.Snapshot()
				r := accDo(t, e, c.method, c.path, admin, c.body)
				p := accWantProblem(t, r, c.status, c.code)
				if p.Field != c.field {
					t.Errorf("field %q, want %q; body %s", p.Field, c.field, accShort(r.Body))
				}
				if c.field != "" && !strings.Contains(p.Detail, c.field) {
					t.Errorf("detail %q does not name the field %s", p.Detail, c.field)
				}
				if c.says != "" && !strings.Contains(p.Detail, c.says) {
					t.Errorf("detail %q does not say %q", p.Detail, c.says)
				}
				if after := e.Snapshot(); !maps.Equal(before, after) {
					t.Errorf("a refused request changed the database: %v → %v", before, after)
				}
				if c.target != "" {
					if now := accDo(t, e, http.MethodGet, inv(c.target), admin, nil).Body; string(now) != string(doc) {
						t.Errorf("a refused request changed the document:\n%s\n→\n%s", doc, now)
					}
				}
			})
		}

		// Failed issues burnt no number: the next issue takes the next one.
		accStatus(t, e, admin, draft.ID, map[string]any{"status": "open"})
		if got, want := accGetInvoice(t, e, admin, draft.ID).Number, fmt.Sprintf("INV-%04d-%06d", today.Year, 3); got != want {
			t.Errorf("the issue after refused issues got number %s, want %s (gapless)", got, want)
		}
	})
}

// TestInvoiceStatusUpdate: seeds 000/001's "update status". Notify defaults
// to off when publishing a draft and on for later changes; illegal changes
// are 409 with the legal ones; nothing leads back to draft; every change is
// in the audit log with its notify flag.
func TestInvoiceStatusUpdate(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		admin := e.A.Keys[access.Administrator]
		finance := e.A.Keys[access.Finance]
		e.Clock.Set(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC))
		today := accToday(e)
		// change moves the clock a second on first, so the audit log orders
		// the changes of one document.
		change := func(key, id string, body map[string]any) accStatusOut {
			t.Helper()
			e.Clock.Advance(time.Second)
			return accStatus(t, e, key, id, body)
		}
		notifications := func(id string) []service.Notification {
			t.Helper()
			r := accDo(t, e, http.MethodGet, "/api/v1/invoices/"+id+"/notifications", finance, nil)
			if r.Status != http.StatusOK {
				t.Fatalf("notifications: %d %s", r.Status, r.Body)
			}
			var list accList[service.Notification]
			r.JSON(t, &list)
			return list.Data
		}
		type audited struct {
			from, to string
			notify   bool
		}
		auditOf := func(id string) []audited {
			t.Helper()
			r := accDo(t, e, http.MethodGet, "/api/v1/audit-events?target_id="+id+"&action=invoice.status_changed", admin, nil)
			if r.Status != http.StatusOK {
				t.Fatalf("audit: %d %s", r.Status, r.Body)
			}
			var list accList[service.AuditEntry]
			r.JSON(t, &list)
			var out []audited
			for _, ev := range list.Data {
				var c struct {
					From, To string
					Notify   *bool
				}
				if err := json.Unmarshal(ev.Changes, &c); err != nil || c.Notify == nil {
					t.Fatalf("audit changes %s: %v, want from, to and notify", ev.Changes, err)
				}
				out = append(out, audited{c.From, c.To, *c.Notify})
			}
			slices.Reverse(out) // oldest first
			return out
		}

		// Publishing a draft: no email unless asked for.
		quiet := accPost(t, e, finance, accInvBody(e.A.Customer))
		if quiet.Status != "draft" || quiet.Number != "" || !slices.Equal(quiet.AllowedStatuses, []string{"submitted", "open"}) {
			t.Errorf("new draft: status %s, number %q, allowed %v", quiet.Status, quiet.Number, quiet.AllowedStatuses)
		}
		res := change(finance, quiet.ID, map[string]any{"status": "open"})
		if res.Notified || res.Invoice.Status != "open" || !strings.HasPrefix(res.Invoice.Number, fmt.Sprintf("INV-%04d-", today.Year)) {
			t.Errorf("publish: notified %v, status %s, number %q; want not notified, open, an INV number", res.Notified, res.Invoice.Status, res.Invoice.Number)
		}
		// Not yet due: past due is not offered (issue 12).
		if !slices.Equal(res.Invoice.AllowedStatuses, []string{"closed", "void"}) {
			t.Errorf("open invoice allows %v", res.Invoice.AllowedStatuses)
		}
		if ns := notifications(quiet.ID); len(ns) != 0 {
			t.Errorf("publishing without notify queued %+v", ns)
		}
		loud := accPost(t, e, finance, accInvBody(e.A.Customer))
		if res := change(finance, loud.ID, map[string]any{"status": "open", "notify": true}); !res.Notified {
			t.Errorf("publish with notify: not notified")
		}
		if ns := notifications(loud.ID); len(ns) != 1 || ns[0].Kind != "invoice.published" || ns[0].Recipient != "billing@example.com" || ns[0].Status != "queued" {
			t.Errorf("publish with notify queued %+v, want one invoice.published to billing@example.com", ns)
		}

		// Later changes: an email unless declined.
		res = change(admin, quiet.ID, map[string]any{"status": "void", "reason": "issued twice"})
		if !res.Notified || res.Invoice.Status != "void" || len(res.Invoice.AllowedStatuses) != 0 {
			t.Errorf("void: notified %v, status %s, allowed %v", res.Notified, res.Invoice.Status, res.Invoice.AllowedStatuses)
		}
		ns := notifications(quiet.ID)
		if len(ns) != 1 || ns[0].Kind != "invoice.status_changed" || ns[0].Payload["status"] != "void" || ns[0].Payload["from"] != "open" {
			t.Errorf("void queued %+v, want one invoice.status_changed to void", ns)
		}
		res = change(admin, loud.ID, map[string]any{"status": "closed", "reason": "settled by bank transfer", "notify": false})
		if res.Notified || res.Invoice.Status != "closed" {
			t.Errorf("close without notify: notified %v, status %s", res.Notified, res.Invoice.Status)
		}
		if ns := notifications(loud.ID); len(ns) != 1 {
			t.Errorf("closing with notify false queued a notification: %+v", ns)
		}
		// Past due by hand, once the due date has passed; then closed.
		late := accMakeInvoice(t, e, e.A.ID, e.A.Customer, today.AddDays(-40), "open")
		res = change(finance, late.ID, map[string]any{"status": "past_due"})
		if !res.Notified || res.Invoice.Status != "past_due" || !slices.Equal(res.Invoice.AllowedStatuses, []string{"closed", "void"}) {
			t.Errorf("past due: notified %v, status %s, allowed %v", res.Notified, res.Invoice.Status, res.Invoice.AllowedStatuses)
		}
		draft := accPost(t, e, finance, accInvBody(e.A.Customer))

		// Illegal changes: 409 with the legal ones, nothing written.
		for _, c := range []struct {
			id, what, to string
			allowed      []string
		}{
			// A draft may also be submitted for approval (its own action).
			{draft.ID, "draft", "closed", []string{"submitted", "open"}},
			{draft.ID, "draft", "past_due", []string{"submitted", "open"}},
			{draft.ID, "draft", "void", []string{"submitted", "open"}},
			{draft.ID, "draft", "draft", []string{"submitted", "open"}},
			{late.ID, "past due", "open", []string{"closed", "void"}},
			{late.ID, "past due", "past_due", []string{"closed", "void"}},
			{late.ID, "past due", "draft", []string{"closed", "void"}},
			{quiet.ID, "void", "open", nil},
			{quiet.ID, "void", "closed", nil},
			{quiet.ID, "void", "draft", nil},
			{loud.ID, "closed", "void", nil},
			{loud.ID, "closed", "open", nil},
			{loud.ID, "closed", "draft", nil},
		} {
			name := c.what + " → " + c.to
			open := accMakeInvoice(t, e, e.A.ID, e.A.Customer, today, "open").ID
			for _, id := range []string{c.id, open} {
				allowed := c.allowed
				if id == open {
					if c.to == "open" || c.to == "draft" {
						allowed = []string{"closed", "void"} // not yet due
						name = "open → " + c.to
					} else {
						continue
					}
				}
				before := e.Snapshot()
				doc := accDo(t, e, http.MethodGet, "/api/v1/invoices/"+id, admin, nil).Body
				r := accDo(t, e, http.MethodPost, "/api/v1/invoices/"+id+"/status", admin, map[string]any{"status": c.to})
				var p struct {
					accProblem
					Allowed []string `json:"allowed"`
				}
				accWantProblem(t, r, http.StatusConflict, "conflict")
				_ = json.Unmarshal(r.Body, &p)
				if !slices.Equal(p.Allowed, allowed) {
					t.Errorf("%s: allowed %v, want %v", name, p.Allowed, allowed)
				}
				for _, a := range allowed {
					if !strings.Contains(p.Detail, a) {
						t.Errorf("%s: detail %q does not list %s", name, p.Detail, a)
					}
				}
				if len(allowed) == 0 && !strings.Contains(p.Detail, "no status change") {
					t.Errorf("%s: detail %q does not say no change is possible", name, p.Detail)
				}
				if after := e.Snapshot(); !maps.Equal(before, after) {
					t.Errorf("%s wrote: %v → %v", name, before, after)
				}
				if now := accDo(t, e, http.MethodGet, "/api/v1/invoices/"+id, admin, nil).Body; string(now) != string(doc) {
					t.Errorf("%s changed the document", name)
				}
			}
		}
		// No way back to draft, not even by editing.
		for _, id := range []string{quiet.ID, loud.ID, late.ID} {
			r := accDo(t, e, http.MethodPatch, "/api/v1/invoices/"+id, admin, map[string]any{"notes": "back to draft?"})
			accWantProblem(t, r, http.StatusConflict, "conflict")
		}

		// Every change is in the audit log with its notify flag.
		for id, want := range map[string][]audited{
			quiet.ID: {{"draft", "open", false}, {"open", "void", true}},
			loud.ID:  {{"draft", "open", true}, {"open", "closed", false}},
			late.ID:  {{"draft", "open", false}, {"open", "past_due", true}},
			draft.ID: nil,
		} {
			if got := auditOf(id); !slices.Equal(got, want) {
				t.Errorf("audit of %s: %+v, want %+v", id, got, want)
			}
		}
	})
}

// accListFixture creates the invoice table of the list tests in tenant A
// with the clock at 2026-05-15 (Madrid): documents on chosen invoice dates,
// of several customers (two with the same name) and providers, with equal
// and unequal amounts, some issued, one voided, drafts with no number.
// It returns the documents by label (the invoice date, with "#2" for a
// second document on a date) and the customers by short name.
func accListFixture(t *testing.T, e *testserver.Env) (map[string]accInvoice, map[string]string) {
	t.Helper()
	admin := e.A.Keys[access.Administrator]
	e.Clock.Set(time.Date(2026, 5, 15, 10, 0, 0, 0, time.UTC))
	customer := func(name string, extra map[string]any) string {
		t.Helper()
		body := map[string]any{"name": name, "billing": map[string]any{"legal_name": name + " S.L.", "email": "ar@example.com",
			"currency": "EUR", "address": map[string]any{"line1": "Calle Mayor 1", "city": "Madrid", "country": "ES"}}}
		maps.Copy(body, extra)
		r := accDo(t, e, http.MethodPost, "/api/v1/customers", admin, body)
		if r.Status != http.StatusCreated {
			t.Fatalf("customer %s: %d %s", name, r.Status, r.Body)
		}
		var c accCustomer
		r.JSON(t, &c)
		return c.ID
	}
	custs := map[string]string{
		"alfa":   customer("Alfa Cloud", nil),
		"bravo1": customer("Bravo IT", nil),
		"bravo2": customer("Bravo IT", nil),
		"nunez":  customer("Ferretería Núñez", nil),
	}
	custs["sub"] = customer("Zulu Sub-account", map[string]any{"invoice_account_id": custs["alfa"]})
	type doc struct {
		label, cust, provider, period, amount string // label: the invoice date, "#2" for a second document that day
		statuses                              []string
		tick                                  bool // advance the clock a second before creating it
	}
	docs := []doc{
		{"2024-12-31", "alfa", "aws", "2024-12-01", "100.00", []string{"open"}, true},
		{"2025-01-01", "bravo1", "azure", "", "9.50", []string{"open"}, false},
		{"2025-06-30", "nunez", "", "2025-06-01", "1000.00", []string{"open", "void"}, true},
		{"2025-12-31", "bravo2", "gcp", "2025-12-01", "20.00", []string{"open"}, false},
		{"2026-01-01", "alfa", "aws", "2026-01-01", "20.00", []string{"open"}, false},
		{"2026-02-28", "sub", "aws", "", "9.50", nil, true},
		{"2026-03-01", "bravo1", "azure", "2026-03-01", "-5.00", nil, false},
		{"2026-03-31", "nunez", "gcp", "2026-03-01", "100.00", []string{"open"}, true},
		{"2026-04-01", "bravo2", "", "", "0.99", []string{"open"}, false},
		{"2026-04-01#2", "nunez", "gcp", "2026-04-01", "100.00", nil, false},
		{"2026-04-30", "alfa", "azure", "2026-04-01", "20.00", nil, true},
		{"2026-05-01", "nunez", "aws", "2026-05-01", "1000.00", []string{"open"}, false},
		{"2026-05-15", "bravo1", "gcp", "2026-05-01", "20.00", []string{"open"}, true},
		{"2026-05-15#2", "alfa", "aws", "", "9.50", []string{"open"}, false},
		{"2026-05-16", "sub", "aws", "2026-05-01", "100.00", nil, false},
		{"2026-06-01", "bravo2", "azure", "", "9.50", []string{"open"}, true},
		{"2026-07-01", "alfa", "", "2026-07-01", "0", nil, false},
	}
	out := map[string]accInvoice{}
	for _, d := range docs {
		if d.tick {
			e.Clock.Advance(time.Second)
		}
		date, _, _ := strings.Cut(d.label, "#")
		body := map[string]any{"customer_id": custs[d.cust], "invoice_date": date, "provider": d.provider,
			"lines": []any{map[string]any{"description": "Cloud " + d.provider, "amount": d.amount}}}
		if d.period != "" {
			body["period_start"] = d.period
			body["period_end"] = calendar.MustParse(d.period).AddMonths(1).AddDays(-1).String()
		}
		inv := accPost(t, e, admin, body)
		for _, s := range d.statuses {
			accStatus(t, e, admin, inv.ID, map[string]any{"status": s, "reason": "test"})
		}
		out[d.label] = accGetInvoice(t, e, admin, inv.ID)
	}
	e.Clock.Set(time.Date(2026, 5, 15, 10, 0, 0, 0, time.UTC))
	return out, custs
}

// TestInvoiceListFilters: seed 000's invoice table: status (a comma list),
// customer, provider, the date presets in the tenant's zone, a custom range
// and text search on number and customer name, accent-insensitive.
func TestInvoiceListFilters(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		docs, custs := accListFixture(t, e)
		key := e.A.Keys[access.Sales]
		byDates := func(dates ...string) []string {
			var out []string
			for _, d := range dates {
				inv, ok := docs[d]
				if !ok {
					t.Fatalf("no document dated %s", d)
				}
				out = append(out, inv.ID)
			}
			return out
		}
		dateOf := map[string]string{} // id → label
		for d, inv := range docs {
			dateOf[inv.ID] = d
		}
		check := func(query string, want []string) {
			t.Helper()
			got := accListInvoices(t, e, key, query)
			// The fixture customers' documents only (the tenant has none other).
			if ids := accIDs(got); !accSameSet(ids, want) {
				var g, w []string
				for _, id := range ids {
					g = append(g, dateOf[id])
				}
				for _, id := range want {
					w = append(w, dateOf[id])
				}
				slices.Sort(g)
				slices.Sort(w)
				t.Errorf("?%s: documents %v, want %v", query, g, w)
			}
		}

		// Today is 2026-05-15 in Madrid.
		check("date_preset=month_to_date", byDates("2026-05-01", "2026-05-15", "2026-05-15#2"))
		check("date_preset=quarter_to_date", byDates("2026-04-01", "2026-04-01#2", "2026-04-30", "2026-05-01", "2026-05-15", "2026-05-15#2"))
		check("date_preset=year_to_date", byDates("2026-01-01", "2026-02-28", "2026-03-01", "2026-03-31", "2026-04-01", "2026-04-01#2", "2026-04-30",
			"2026-05-01", "2026-05-15", "2026-05-15#2"))
		check("date_preset=two_months_ago", byDates("2026-03-01", "2026-03-31"))
		check("date_preset=last_quarter", byDates("2026-01-01", "2026-02-28", "2026-03-01", "2026-03-31"))
		check("date_preset=last_year", byDates("2025-01-01", "2025-06-30", "2025-12-31"))
		check("from=2026-02-28&to=2026-04-01", byDates("2026-02-28", "2026-03-01", "2026-03-31", "2026-04-01", "2026-04-01#2"))
		check("from=2026-05-15", byDates("2026-05-15", "2026-05-15#2", "2026-05-16", "2026-06-01", "2026-07-01"))
		check("to=2024-12-31", byDates("2024-12-31"))
		check("from=2026-05-02&to=2026-05-14", nil)
		// Presets combine with other filters.
		check("date_preset=year_to_date&status=open", byDates("2026-01-01", "2026-03-31", "2026-04-01", "2026-05-01", "2026-05-15", "2026-05-15#2"))
		check("date_preset=last_year&status=void", byDates("2025-06-30"))
		check("date_preset=quarter_to_date&provider=azure", byDates("2026-04-30"))

		// 00:30 on 1 July in Madrid is still 30 June in UTC: the presets
		// follow the tenant's zone.
		e.Clock.Set(time.Date(2026, 6, 30, 22, 30, 0, 0, time.UTC))
		check("date_preset=month_to_date", byDates("2026-07-01"))
		check("date_preset=quarter_to_date", byDates("2026-07-01"))
		check("date_preset=two_months_ago", byDates("2026-05-01", "2026-05-15", "2026-05-15#2", "2026-05-16"))
		check("date_preset=last_quarter", byDates("2026-04-01", "2026-04-01#2", "2026-04-30", "2026-05-01", "2026-05-15", "2026-05-15#2", "2026-05-16", "2026-06-01"))
		// And at the turn of the year.
		e.Clock.Set(time.Date(2025, 12, 31, 23, 30, 0, 0, time.UTC))
		check("date_preset=last_year", byDates("2025-01-01", "2025-06-30", "2025-12-31"))
		check("date_preset=year_to_date", byDates("2026-01-01"))
		e.Clock.Set(time.Date(2026, 5, 15, 10, 0, 0, 0, time.UTC))

		// Status, a comma list.
		check("status=draft", byDates("2026-02-28", "2026-03-01", "2026-04-01#2", "2026-04-30", "2026-05-16", "2026-07-01"))
		check("status=void", byDates("2025-06-30"))
		check("status=void,draft", byDates("2025-06-30", "2026-02-28", "2026-03-01", "2026-04-01#2", "2026-04-30", "2026-05-16", "2026-07-01"))
		check("status="+url.QueryEscape("open, void"), byDates("2024-12-31", "2025-01-01", "2025-06-30", "2025-12-31", "2026-01-01", "2026-03-31",
			"2026-04-01", "2026-05-01", "2026-05-15", "2026-05-15#2", "2026-06-01"))
		// Customer: its own documents and those billed to it.
		check("customer_id="+custs["alfa"], byDates("2024-12-31", "2026-01-01", "2026-02-28", "2026-04-30", "2026-05-15#2", "2026-05-16", "2026-07-01"))
		check("customer_id="+custs["sub"], byDates("2026-02-28", "2026-05-16"))
		check("customer_id="+custs["bravo2"], byDates("2025-12-31", "2026-04-01", "2026-06-01"))
		check("customer_id="+e.B.Customer, nil)
		// Provider: one invoice per provider.
		check("provider=gcp", byDates("2025-12-31", "2026-03-31", "2026-04-01#2", "2026-05-15"))
		check("provider=azure&status=open", byDates("2025-01-01", "2026-06-01"))
		check("kind=credit_note", nil)

		// Text search on numbers and customer names, case- and accent-insensitive.
		number := docs["2026-03-31"].Number
		check("q="+url.QueryEscape(number), byDates("2026-03-31"))
		check("q="+url.QueryEscape(strings.ToLower(number)), byDates("2026-03-31"))
		check("q="+url.QueryEscape(docs["2026-04-30"].DocumentNumber), byDates("2026-04-30"))
		nunez := byDates("2025-06-30", "2026-03-31", "2026-04-01#2", "2026-05-01")
		for _, q := range []string{"nunez", "NÚÑEZ", "ferreteria", "Ferretería Núñez", "FERRETERIA NUNEZ", "rretería"} {
			check("q="+url.QueryEscape(q), nunez)
		}
		check("q=bravo", byDates("2025-01-01", "2025-12-31", "2026-03-01", "2026-04-01", "2026-05-15", "2026-06-01"))
		check("q=bravo&status=draft", byDates("2026-03-01"))
		// The customer column and its search are the bill-to account's name.
		check("q=alfa", byDates("2024-12-31", "2026-01-01", "2026-02-28", "2026-04-30", "2026-05-15#2", "2026-05-16", "2026-07-01"))
		for _, q := range []string{"%", "_", `\`, "nobody"} {
			check("q="+url.QueryEscape(q), nil)
		}
		// The list shows what the table needs.
		row := accListInvoices(t, e, key, "q="+url.QueryEscape(number))[0]
		want := docs["2026-03-31"]
		if row.Number != want.Number || row.BillTo.Name != "Ferretería Núñez" || row.Provider != "gcp" || row.PeriodStart != "2026-03-01" ||
			row.Total != "100.00" || row.Status != "open" || row.InvoiceDate != "2026-03-31" || row.DueDate != want.DueDate || row.Currency != "EUR" {
			t.Errorf("list row %+v", row)
		}
	})
}

// TestInvoiceListSortAndPages: sort by every column both ways; the pages
// join into the fully sorted list, with no duplicate and no gap, ties
// broken by id.
func TestInvoiceListSortAndPages(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		docs, _ := accListFixture(t, e)
		key := e.A.Keys[access.Finance]
		str := func(f func(accInvoice) string) func(a, b accInvoice) int {
			return func(a, b accInvoice) int { return strings.Compare(f(a), f(b)) }
		}
		columns := map[string]func(a, b accInvoice) int{
			"invoice_date": str(func(i accInvoice) string { return i.InvoiceDate }),
			"number":       str(func(i accInvoice) string { return i.Number }),
			"customer":     str(func(i accInvoice) string { return i.BillTo.Name }),
			"provider":     str(func(i accInvoice) string { return i.Provider }),
			"period":       str(func(i accInvoice) string { return i.PeriodStart }),
			"amount":       func(a, b accInvoice) int { return accDec(t, a.Total).Cmp(accDec(t, b.Total)) },
			"status":       str(func(i accInvoice) string { return i.Status }),
			"due_date":     str(func(i accInvoice) string { return i.DueDate }),
			"created_at":   func(a, b accInvoice) int { return a.CreatedAt.Compare(b.CreatedAt) },
		}
		if len(columns) != len(service.InvoiceSorts) {
			t.Fatalf("the test covers %d sorts, the service has %v", len(columns), service.InvoiceSorts)
		}
		for _, col := range service.InvoiceSorts {
			cmp := columns[col]
			for _, desc := range []bool{false, true} {
				sort := col
				if desc {
					sort = "-" + col
				}
				t.Run(sort, func(t *testing.T) {
					full := accListInvoices(t, e, key, "sort="+sort)
					if len(full) != len(docs) {
						t.Fatalf("%d documents, want %d", len(full), len(docs))
					}
					ties := 0
					for i := 1; i < len(full); i++ {
						a, b := full[i-1], full[i]
						c := cmp(a, b)
						if c == 0 {
							ties++
							c = strings.Compare(a.ID, b.ID)
						}
						if desc {
							c = -c
						}
						if c >= 0 {
							t.Errorf("sort=%s: %s (%s, %s) before %s (%s, %s)", sort, a.ID, a.InvoiceDate, a.Total, b.ID, b.InvoiceDate, b.Total)
						}
					}
					if ties == 0 {
						t.Errorf("sort=%s: no ties, so the id tie-break is untested", sort)
					}
					for _, limit := range []int{1, 4} {
						var paged []string
						seen := map[string]bool{}
						cursor := ""
						for pages := 1; ; pages++ {
							path := fmt.Sprintf("/api/v1/invoices?limit=%d&sort=%s", limit, sort)
							if cursor != "" {
								path += "&cursor=" + url.QueryEscape(cursor)
							}
							r := accDo(t, e, http.MethodGet, path, key, nil)
							if r.Status != http.StatusOK {
								t.Fatalf("page %d: %d %s", pages, r.Status, r.Body)
							}
							var page accList[accInvoice]
							r.JSON(t, &page)
							if len(page.Data) > limit || (page.HasMore && len(page.Data) != limit) {
								t.Fatalf("page %d has %d rows with limit %d, has_more %v", pages, len(page.Data), limit, page.HasMore)
							}
							for _, inv := range page.Data {
								if seen[inv.ID] {
									t.Errorf("sort=%s limit=%d: %s on two pages", sort, limit, inv.ID)
								}
								seen[inv.ID] = true
								paged = append(paged, inv.ID)
							}
							if page.HasMore != (page.NextCursor != "") {
								t.Errorf("has_more %v with next_cursor %q", page.HasMore, page.NextCursor)
							}
							if !page.HasMore {
								break
							}
							if pages > len(docs)+1 {
								t.Fatalf("more pages than documents")
							}
							cursor = page.NextCursor
						}
						if !slices.Equal(paged, accIDs(full)) {
							t.Errorf("sort=%s limit=%d: pages joined\n%v\nwant the full list\n%v", sort, limit, paged, accIDs(full))
						}
					}
				})
			}
		}
		// A cursor of one sort given to another is refused or read, never a 500.
		for _, from := range service.InvoiceSorts {
			r := accDo(t, e, http.MethodGet, "/api/v1/invoices?limit=2&sort="+from, key, nil)
			var page accList[accInvoice]
			r.JSON(t, &page)
			for _, to := range service.InvoiceSorts {
				r2 := accDo(t, e, http.MethodGet, "/api/v1/invoices?limit=2&sort="+to+"&cursor="+url.QueryEscape(page.NextCursor), key, nil)
				if r2.Status != http.StatusOK {
					if p := accWantProblem(t, r2, http.StatusUnprocessableEntity, "invalid"); p.Field != "cursor" {
						t.Errorf("a %s cursor with sort=%s: field %q, want cursor", from, to, p.Field)
					}
				}
			}
		}
	})
}

// TestInvoiceOpenAPITypes: the OpenAPI document shows civil dates as
// string/format date and amounts as strings, never objects, and the answers
// match it.
func TestInvoiceOpenAPITypes(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		r := accDo(t, e, http.MethodGet, "/api/v1/openapi.json", "", nil)
		var doc struct {
			Components struct {
				Schemas map[string]json.RawMessage `json:"schemas"`
			} `json:"components"`
		}
		r.JSON(t, &doc)
		type prop struct {
			Type                 any             `json:"type"`
			Format               string          `json:"format"`
			Ref                  string          `json:"$ref"`
			Properties           json.RawMessage `json:"properties"`
			AdditionalProperties json.RawMessage `json:"additionalProperties"`
		}
		types := func(p prop) []string {
			switch v := p.Type.(type) {
			case string:
				return []string{v}
			case []any:
				var out []string
				for _, x := range v {
					out = append(out, fmt.Sprint(x))
				}
				return out
			}
			return nil
		}
		isString := func(p prop) bool {
			ts := types(p)
			return p.Ref == "" && len(ts) > 0 && ts[0] == "string" && (len(ts) == 1 || len(ts) == 2 && ts[1] == "null")
		}
		for name := range doc.Components.Schemas {
			if n := strings.ToLower(name); n == "decimal" || n == "date" || n == "nulldecimal" {
				t.Errorf("schema %s: amounts and dates must be inline strings, not a component", name)
			}
		}
		amounts := []string{"amount", "total", "net", "tax", "paid", "balance", "debit", "credit", "base", "rate", "discount", "quantity",
			"unit_price", "tax_amount", "total_accounting", "exchange_rate", "credit_limit", "open_balance", "available_after", "ledger",
			"cash_discount_percent", "percent"}
		dates := []string{"invoice_date", "document_date", "due_date", "cash_discount_date", "period_start", "period_end", "hold_until",
			"service_start", "service_end", "date"}
		nullableDates := map[string]bool{"cash_discount_date": true, "period_start": true, "period_end": true, "hold_until": true,
			"service_start": true, "service_end": true}
		checked := map[string]int{}
		for _, schema := range []string{"Invoice", "InvoiceLine", "InvoiceInput", "LineInput", "Installment", "TaxLine", "LineSplit", "TotalsOut",
			"JournalRow", "AccountLine", "Entry", "Line", "Balance", "CustomerAging", "TaxCode", "PutTaxBody"} {
			raw, ok := doc.Components.Schemas[schema]
			if !ok {
				t.Errorf("the OpenAPI document has no schema %s", schema)
				continue
			}
			var s prop
			if err := json.Unmarshal(raw, &s); err != nil {
				t.Fatal(err)
			}
			var props map[string]prop
			if err := json.Unmarshal(s.Properties, &props); err != nil {
				t.Fatalf("%s properties: %v", schema, err)
			}
			for name, p := range props {
				switch {
				case slices.Contains(amounts, name):
					checked["amount"]++
					if !isString(p) || p.Format != "" {
						t.Errorf("%s.%s: %+v, want an amount as a string", schema, name, p)
					}
				case slices.Contains(dates, name):
					checked["date"]++
					if !isString(p) || p.Format != "date" {
						t.Errorf("%s.%s: %+v, want a string with format date", schema, name, p)
					}
					if strings.HasSuffix(schema, "Input") || schema == "Installment" || schema == "LineInput" {
						continue
					}
					if nullable := slices.Contains(types(p), "null"); nullable != (nullableDates[name] && schema != "Entry") {
						t.Errorf("%s.%s: nullable %v, but the answers send null exactly for optional dates", schema, name, nullable)
					}
				case name == "buckets":
					var ap prop
					if err := json.Unmarshal(p.AdditionalProperties, &ap); err != nil || !isString(ap) {
						t.Errorf("%s.buckets: %s, want amounts as strings", schema, p.AdditionalProperties)
					}
				}
			}
		}
		if checked["amount"] < 40 || checked["date"] < 15 {
			t.Errorf("checked %v: the schemas lack the expected fields", checked)
		}

		// The answers match: amounts are JSON strings, dates "YYYY-MM-DD" or null.
		accTaxSetup(t, e, e.A, e.A.Customer)
		admin := e.A.Keys[access.Administrator]
		inv := accPost(t, e, admin, map[string]any{"customer_id": e.A.Customer, "invoice_date": "2026-01-31",
			"lines": []any{map[string]any{"description": "x", "quantity": "1.5", "unit_price": "10.10", "item_sales_tax_group": "FULL"}}})
		inv = accStatus(t, e, admin, inv.ID, map[string]any{"status": "open"}).Invoice
		var raw map[string]any
		accDo(t, e, http.MethodGet, "/api/v1/invoices/"+inv.ID, admin, nil).JSON(t, &raw)
		for _, f := range []string{"net", "tax", "total", "paid", "balance", "total_accounting", "exchange_rate"} {
			if _, ok := raw[f].(string); !ok {
				t.Errorf("invoice %s is %T %v, want a string", f, raw[f], raw[f])
			}
		}
		for f, want := range map[string]any{"invoice_date": "2026-01-31", "due_date": "2026-03-02", "period_start": nil, "hold_until": nil} {
			if raw[f] != want {
				t.Errorf("invoice %s is %#v, want %#v", f, raw[f], want)
			}
		}
		line := raw["lines"].([]any)[0].(map[string]any)
		for f, want := range map[string]string{"quantity": "1.5", "unit_price": "10.10", "amount": "15.15", "tax_amount": "3.18", "discount": "0.00"} {
			if line[f] != want {
				t.Errorf("line %s is %#v, want %q", f, line[f], want)
			}
		}
		var entry map[string]any
		accDo(t, e, http.MethodGet, "/api/v1/ledger/entries/"+inv.EntryID, admin, nil).JSON(t, &entry)
		if entry["date"] != "2026-01-31" {
			t.Errorf("entry date %#v", entry["date"])
		}
		for _, l := range entry["lines"].([]any) {
			for _, f := range []string{"debit", "credit", "amount"} {
				if _, ok := l.(map[string]any)[f].(string); !ok {
					t.Errorf("entry line %s is %#v, want a string", f, l.(map[string]any)[f])
				}
			}
		}
	})
}

// TestInvoiceTotalsReadBack: a 10-line invoice created over HTTP answers
// with totals equal to a GET of it, to the totals view, to its list row, to
// the stored row and to the sum of its lines, computed as DESIGN.md's
// rounding policy says; issuing it posts exactly those numbers; a change of
// tax mode does not change what is stored.
func TestInvoiceTotalsReadBack(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		ctx := context.Background()
		admin := e.A.Keys[access.Administrator]
		finance := e.A.Keys[access.FinanceManager]
		accTaxSetup(t, e, e.A, e.A.Customer)
		type in struct{ q, p, d, amount, group string }
		lines := []in{
			{"3", "0.333333", "", "", "FULL"},  // 0.999999 → 1.00
			{"1.5", "19.99", "", "", "FULL"},   // 29.985 → 29.99 (half away from zero)
			{"7", "0.07", "", "", "RED"},       // 0.49
			{"", "", "", "123.45", "FULL"},     // entered by amount
			{"2", "49.995", "0.01", "", "RED"}, // 99.99 − 0.01 = 99.98
			{"0.25", "3.33", "", "", "EXM"},    // 0.8325 → 0.83, exempt
			{"12", "1.125", "", "", "FULL"},    // 13.50
			{"1", "0.005", "", "", "FULL"},     // 0.005 → 0.01
			{"", "", "", "-10.00", "FULL"},     // a credit line
			{"1000", "0.015", "", "", "RED"},   // 15.00
		}
		var body []any
		for i, l := range lines {
			m := map[string]any{"description": fmt.Sprintf("Line %d", i+1), "item_sales_tax_group": l.group}
			if l.amount != "" {
				m["amount"] = l.amount
			} else {
				m["quantity"], m["unit_price"] = l.q, l.p
			}
			if l.d != "" {
				m["discount"] = l.d
			}
			body = append(body, m)
		}
		req := map[string]any{"customer_id": e.A.Customer, "invoice_date": "2026-02-10", "lines": body}
		// The rounding policy, computed here independently.
		rates := map[string]decimal.Decimal{"FULL": decimal.NewFromInt(21), "RED": decimal.NewFromInt(10), "EXM": decimal.Zero}
		codes := map[string]string{"FULL": "V21", "RED": "V10", "EXM": "EX"}
		base := map[string]decimal.Decimal{}
		var wantNet decimal.Decimal
		var wantAmounts []decimal.Decimal
		for _, l := range lines {
			var a decimal.Decimal
			if l.amount != "" {
				a = decimal.RequireFromString(l.amount)
			} else {
				a = decimal.RequireFromString(l.q).Mul(decimal.RequireFromString(l.p))
				if l.d != "" {
					a = a.Sub(decimal.RequireFromString(l.d))
				}
				a = a.Round(2)
			}
			wantAmounts = append(wantAmounts, a)
			wantNet = wantNet.Add(a)
			base[codes[l.group]] = base[codes[l.group]].Add(a)
		}
		wantTax := decimal.Zero
		wantTaxes := map[string]decimal.Decimal{}
		for g, code := range codes {
			wantTaxes[code] = base[code].Mul(rates[g]).Shift(-2).Round(2)
			wantTax = wantTax.Add(wantTaxes[code])
		}
		wantTotal := wantNet.Add(wantTax)

		checkDoc := func(what string, inv accInvoice) {
			t.Helper()
			if len(inv.Lines) != len(lines) {
				t.Fatalf("%s: %d lines, want %d", what, len(inv.Lines), len(lines))
			}
			var net, tax decimal.Decimal
			for i, l := range inv.Lines {
				a := accDec(t, l.Amount)
				if !a.Equal(wantAmounts[i]) || l.Amount != wantAmounts[i].StringFixed(2) {
					t.Errorf("%s: line %d amount %s, want %s", what, i+1, l.Amount, wantAmounts[i].StringFixed(2))
				}
				net, tax = net.Add(a), tax.Add(accDec(t, l.TaxAmount))
			}
			var taxes decimal.Decimal
			for _, tl := range inv.Taxes {
				taxes = taxes.Add(accDec(t, tl.Amount))
				if !accDec(t, tl.Base).Equal(base[tl.Code]) || !accDec(t, tl.Amount).Equal(wantTaxes[tl.Code]) {
					t.Errorf("%s: tax %s base %s amount %s, want base %s amount %s", what, tl.Code, tl.Base, tl.Amount, base[tl.Code], wantTaxes[tl.Code])
				}
			}
			if len(inv.Taxes) != 3 {
				t.Errorf("%s: %d tax lines, want 3", what, len(inv.Taxes))
			}
			if inv.Net != wantNet.StringFixed(2) || inv.Tax != wantTax.StringFixed(2) || inv.Total != wantTotal.StringFixed(2) ||
				inv.TotalAccounting != wantTotal.StringFixed(2) {
				t.Errorf("%s: net %s tax %s total %s (accounting %s), want %s %s %s", what, inv.Net, inv.Tax, inv.Total, inv.TotalAccounting,
					wantNet.StringFixed(2), wantTax.StringFixed(2), wantTotal.StringFixed(2))
			}
			if !net.Equal(accDec(t, inv.Net)) || !tax.Equal(accDec(t, inv.Tax)) || !taxes.Equal(tax) {
				t.Errorf("%s: lines sum to net %s and tax %s (taxes %s); the document says %s and %s", what, net, tax, taxes, inv.Net, inv.Tax)
			}
		}

		created := accPost(t, e, finance, req)
		checkDoc("POST", created)
		got := accGetInvoice(t, e, finance, created.ID)
		checkDoc("GET", got)
		if got.Total != created.Total || got.Net != created.Net || got.Tax != created.Tax {
			t.Errorf("GET %s/%s/%s differs from POST %s/%s/%s", got.Net, got.Tax, got.Total, created.Net, created.Tax, created.Total)
		}
		var preview accInvoice
		pr := accDo(t, e, http.MethodPost, "/api/v1/invoices/preview", finance, req)
		pr.JSON(t, &preview)
		if pr.Status != http.StatusOK {
			t.Fatalf("preview: %d %s", pr.Status, pr.Body)
		}
		checkDoc("preview", preview)
		var totals map[string]any
		accDo(t, e, http.MethodGet, "/api/v1/invoices/"+created.ID+"/totals", finance, nil).JSON(t, &totals)
		if totals["net"] != created.Net || totals["tax"] != created.Tax || totals["total"] != created.Total || totals["balance"] != created.Total {
			t.Errorf("totals view %v, want net %s tax %s total %s", totals, created.Net, created.Tax, created.Total)
		}
		row := accListInvoices(t, e, finance, "q="+created.DocumentNumber)
		if len(row) != 1 || row[0].Total != created.Total || row[0].Net != created.Net || row[0].Tax != created.Tax {
			t.Errorf("list row %+v, want total %s", row, created.Total)
		}
		// What is stored.
		var net, tx, total string
		if err := e.DB.SQL().QueryRowContext(ctx, accSQL(e, "SELECT CAST(net AS TEXT), CAST(tax AS TEXT), CAST(total AS TEXT) FROM invoices WHERE id = ?"), created.ID).Scan(&net, &tx, &total); err != nil {
			t.Fatal(err)
		}
		if !accDec(t, net).Equal(wantNet) || !accDec(t, tx).Equal(wantTax) || !accDec(t, total).Equal(wantTotal) {
			t.Errorf("stored net %s tax %s total %s, want %s %s %s", net, tx, total, wantNet, wantTax, wantTotal)
		}

		// Issue: the ledger posts the stored numbers.
		issued := accStatus(t, e, finance, created.ID, map[string]any{"status": "open"}).Invoice
		checkDoc("issued", issued)
		var entry accEntry
		accDo(t, e, http.MethodGet, "/api/v1/ledger/entries/"+issued.EntryID, finance, nil).JSON(t, &entry)
		sums := map[string]decimal.Decimal{}
		for _, l := range entry.Lines {
			sums[l.Account] = sums[l.Account].Add(accDec(t, l.Debit)).Sub(accDec(t, l.Credit))
		}
		if !sums["1100"].Equal(wantTotal) || !sums["4000"].Equal(wantNet.Neg()) || !sums["2100"].Equal(wantTax.Neg()) || len(sums) != 3 {
			t.Errorf("entry %+v: postings %v, want 1100 %s, 4000 −%s, 2100 −%s", entry, sums, wantTotal, wantNet, wantTax)
		}
		var journal accList[service.JournalRow]
		accDo(t, e, http.MethodGet, "/api/v1/ledger/invoice-journal", finance, nil).JSON(t, &journal)
		if len(journal.Data) != 1 || !journal.Data[0].Total.Decimal().Equal(wantTotal) || journal.Data[0].Number != issued.Number || journal.Data[0].Voucher != entry.Number {
			t.Errorf("invoice journal %+v, want %s %s with voucher %s", journal.Data, issued.Number, wantTotal, entry.Number)
		}
		tb := accTrialBalance(t, e, finance, "")
		if !accDec(t, tb["1100"].Net).Equal(wantTotal) || !accDec(t, tb["2100"].Net).Equal(wantTax.Neg()) {
			t.Errorf("trial balance 1100 %+v, 2100 %+v", tb["1100"], tb["2100"])
		}

		// Stored, not recomputed: switching to per-line tax leaves the
		// draft's numbers until it is edited.
		small := map[string]any{"customer_id": e.A.Customer, "lines": []any{
			map[string]any{"description": "a", "amount": "0.07", "item_sales_tax_group": "FULL"},
			map[string]any{"description": "b", "amount": "0.07", "item_sales_tax_group": "FULL"},
			map[string]any{"description": "c", "amount": "0.07", "item_sales_tax_group": "FULL"}}}
		perCode := accPost(t, e, admin, small)
		if perCode.Tax != "0.04" || perCode.TaxMode != "per_code" {
			t.Fatalf("per code: tax %s mode %s, want 0.04 (21 %% of 0.21)", perCode.Tax, perCode.TaxMode)
		}
		if r := accDo(t, e, http.MethodPut, "/api/v1/tax-mode", admin, map[string]any{"tax_mode": "per_line"}); r.Status != http.StatusNoContent {
			t.Fatalf("tax mode: %d %s", r.Status, r.Body)
		}
		if again := accGetInvoice(t, e, admin, perCode.ID); again.Tax != "0.04" || again.Total != "0.25" || again.TaxMode != "per_code" {
			t.Errorf("after the switch the stored draft reads tax %s total %s mode %s, want 0.04 0.25 per_code", again.Tax, again.Total, again.TaxMode)
		}
		if again := accGetInvoice(t, e, admin, issued.ID); again.Tax != issued.Tax || again.Total != issued.Total {
			t.Errorf("after the switch the issued invoice reads tax %s total %s, want %s %s", again.Tax, again.Total, issued.Tax, issued.Total)
		}
		perLine := accPost(t, e, admin, small)
		if perLine.Tax != "0.03" || perLine.Total != "0.24" || perLine.TaxMode != "per_line" {
			t.Errorf("per line: tax %s total %s mode %s, want 0.03 0.24 per_line", perLine.Tax, perLine.Total, perLine.TaxMode)
		}
		var lineTax decimal.Decimal
		for _, l := range perLine.Lines {
			lineTax = lineTax.Add(accDec(t, l.TaxAmount))
		}
		if !lineTax.Equal(accDec(t, perLine.Tax)) {
			t.Errorf("per line: line taxes sum to %s, tax %s", lineTax, perLine.Tax)
		}
	})
}

// TestCreditNoteSeries: a credit note is issued from the credit-note series
// (CN-…), leaving the invoice series gapless, and posts the mirror of an
// invoice.
func TestCreditNoteSeries(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		finance := e.A.Keys[access.FinanceManager]
		e.Clock.Set(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC))
		inv1 := accPost(t, e, finance, accInvBody(e.A.Customer))
		inv1 = accStatus(t, e, finance, inv1.ID, map[string]any{"status": "open"}).Invoice
		cnBody := map[string]any{"customer_id": e.A.Customer, "kind": "credit_note",
			"lines": []any{map[string]any{"description": "Refund of one month", "quantity": "1", "unit_price": "7.50"}}}
		cn := accPost(t, e, finance, cnBody)
		if cn.Kind != "credit_note" || cn.Total != "7.50" {
			t.Fatalf("credit note draft: kind %s total %s", cn.Kind, cn.Total)
		}
		cn = accStatus(t, e, finance, cn.ID, map[string]any{"status": "open"}).Invoice
		inv2 := accPost(t, e, finance, accInvBody(e.A.Customer))
		inv2 = accStatus(t, e, finance, inv2.ID, map[string]any{"status": "open"}).Invoice
		cn2 := accStatus(t, e, finance, accPost(t, e, finance, cnBody).ID, map[string]any{"status": "open"}).Invoice
		for got, want := range map[string]string{inv1.Number: "INV-2026-000001", cn.Number: "CN-2026-000001", inv2.Number: "INV-2026-000002", cn2.Number: "CN-2026-000002"} {
			if got != want {
				t.Errorf("number %s, want %s", got, want)
			}
		}
		// A series changed by the administrator applies to the next issue and
		// continues the year's sequence.
		admin := e.A.Keys[access.Administrator]
		if r := accDo(t, e, http.MethodPut, "/api/v1/number-series/credit_note", admin, map[string]any{"pattern": "AB{YY}/{SEQ:4}"}); r.Status != http.StatusNoContent {
			t.Fatalf("series: %d %s", r.Status, r.Body)
		}
		var series map[string]string
		accDo(t, e, http.MethodGet, "/api/v1/number-series", finance, nil).JSON(t, &series)
		if series["credit_note"] != "AB{YY}/{SEQ:4}" || series["invoice"] != "INV-{YYYY}-{SEQ:6}" {
			t.Errorf("series %v", series)
		}
		cn3 := accStatus(t, e, finance, accPost(t, e, finance, cnBody).ID, map[string]any{"status": "open"}).Invoice
		if cn3.Number != "AB26/0003" {
			t.Errorf("credit note after the series change: %s, want AB26/0003", cn3.Number)
		}

		// The credit note posts the mirror: receivables credited.
		var entry accEntry
		accDo(t, e, http.MethodGet, "/api/v1/ledger/entries/"+cn.EntryID, finance, nil).JSON(t, &entry)
		sums := map[string]decimal.Decimal{}
		for _, l := range entry.Lines {
			sums[l.Account] = sums[l.Account].Add(accDec(t, l.Debit)).Sub(accDec(t, l.Credit))
		}
		if entry.SourceType != "credit_note" || !sums["1100"].Equal(decimal.RequireFromString("-7.50")) || !sums["4000"].Equal(decimal.RequireFromString("7.50")) {
			t.Errorf("credit note entry %s: %v", entry.SourceType, sums)
		}
		tb := accTrialBalance(t, e, finance, "")
		if want := decimal.RequireFromString("17.50"); !accDec(t, tb["1100"].Net).Equal(want) { // 20 + 20 − 7.50 × 3
			t.Errorf("receivables %s, want %s", tb["1100"].Net, want)
		}
		// Listed by kind.
		if ids := accIDs(accListInvoices(t, e, finance, "kind=credit_note")); !accSameSet(ids, []string{cn.ID, cn2.ID, cn3.ID}) {
			t.Errorf("kind=credit_note: %v", ids)
		}
	})
}

// TestTrialBalanceNetsToZero: after every issue and void, in the accounting
// currency and a foreign one, debits equal credits and receivables equal
// the open documents.
func TestTrialBalanceNetsToZero(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		finance := e.A.Keys[access.FinanceManager]
		accTaxSetup(t, e, e.A, e.A.Customer, e.A.Other)
		e.Clock.Set(time.Date(2026, 4, 20, 9, 0, 0, 0, time.UTC))
		if tb := accTrialBalance(t, e, finance, ""); len(tb) < 10 {
			t.Fatalf("trial balance of %d accounts, want the default chart", len(tb))
		}
		open := map[string]decimal.Decimal{}
		receivables := func() decimal.Decimal {
			var s decimal.Decimal
			for _, v := range open {
				s = s.Add(v)
			}
			return s
		}
		mk := func(body map[string]any) accInvoice {
			inv := accPost(t, e, finance, body)
			inv = accStatus(t, e, finance, inv.ID, map[string]any{"status": "open"}).Invoice
			sign := decimal.NewFromInt(1)
			if inv.Kind == "credit_note" {
				sign = sign.Neg()
			}
			open[inv.ID] = accDec(t, inv.TotalAccounting).Mul(sign)
			tb := accTrialBalance(t, e, finance, "")
			if !accDec(t, tb["1100"].Net).Equal(receivables()) {
				t.Errorf("after %s %s: receivables %s, want %s", inv.Kind, inv.Number, tb["1100"].Net, receivables())
			}
			return inv
		}
		lines := []any{
			map[string]any{"description": "a", "quantity": "3", "unit_price": "33.333", "item_sales_tax_group": "FULL"},
			map[string]any{"description": "b", "quantity": "1", "unit_price": "0.99", "item_sales_tax_group": "RED"},
			map[string]any{"description": "c", "amount": "12.34", "item_sales_tax_group": "EXM",
				"distribution": []any{map[string]any{"account": "4100", "percent": "33.33"}, map[string]any{"account": "4200", "percent": "66.67"}}},
		}
		mk(map[string]any{"customer_id": e.A.Customer, "lines": lines})
		usd := mk(map[string]any{"customer_id": e.A.Other, "currency": "USD", "exchange_rate": "0.9137", "lines": lines})
		if usd.Currency != "USD" || usd.TotalAccounting == usd.Total {
			t.Errorf("USD invoice: total %s, accounting %s", usd.Total, usd.TotalAccounting)
		}
		mk(map[string]any{"customer_id": e.A.Customer, "kind": "credit_note", "lines": []any{lines[1]}})
		jpy := mk(map[string]any{"customer_id": e.A.Other, "currency": "JPY", "exchange_rate": "0.0061", "lines": []any{
			map[string]any{"description": "yen", "quantity": "7", "unit_price": "1333", "item_sales_tax_group": "FULL"}}})

		// Voids post reversals; the trial balance is back where it was.
		before := accTrialBalance(t, e, finance, "")
		for _, inv := range []accInvoice{usd, jpy} {
			res := accStatus(t, e, finance, inv.ID, map[string]any{"status": "void", "reason": "wrong currency"})
			if res.Invoice.VoidEntryID == "" || res.Invoice.Balance != "0.00" && res.Invoice.Balance != "0" {
				t.Errorf("void %s: void entry %q balance %s", inv.Number, res.Invoice.VoidEntryID, res.Invoice.Balance)
			}
			delete(open, inv.ID)
			var rev, orig accEntry
			accDo(t, e, http.MethodGet, "/api/v1/ledger/entries/"+res.Invoice.VoidEntryID, finance, nil).JSON(t, &rev)
			accDo(t, e, http.MethodGet, "/api/v1/ledger/entries/"+inv.EntryID, finance, nil).JSON(t, &orig)
			if rev.ReversesID != orig.ID || len(rev.Lines) != len(orig.Lines) {
				t.Errorf("void entry %+v does not reverse %+v", rev, orig)
			}
			for i := range rev.Lines {
				if i < len(orig.Lines) && (rev.Lines[i].Debit != orig.Lines[i].Credit || rev.Lines[i].Credit != orig.Lines[i].Debit || rev.Lines[i].Account != orig.Lines[i].Account) {
					t.Errorf("void line %d %+v mirrors not %+v", i, rev.Lines[i], orig.Lines[i])
				}
			}
		}
		after := accTrialBalance(t, e, finance, "")
		if !accDec(t, after["1100"].Net).Equal(receivables()) {
			t.Errorf("after voids: receivables %s, want %s", after["1100"].Net, receivables())
		}
		var revenue decimal.Decimal
		for _, acct := range []string{"4000", "4100", "4200", "2100", "6800"} {
			revenue = revenue.Add(accDec(t, after[acct].Net))
		}
		if !revenue.Neg().Equal(receivables()) {
			t.Errorf("revenue, tax and rounding %s do not mirror receivables %s", revenue, receivables())
		}
		if accDec(t, before["1100"].Debit).GreaterThan(accDec(t, after["1100"].Debit)) {
			t.Errorf("a void removed postings instead of adding a reversal: debit %s → %s", before["1100"].Debit, after["1100"].Debit)
		}
		// As of a day before anything was posted, everything is zero.
		for acct, b := range accTrialBalance(t, e, finance, "?as_of=2026-04-19") {
			if !accDec(t, b.Debit).IsZero() || !accDec(t, b.Credit).IsZero() {
				t.Errorf("as of 2026-04-19, %s has %s/%s", acct, b.Debit, b.Credit)
			}
		}
		// The account ledger runs to the trial balance's net.
		var al accList[service.AccountLine]
		accDo(t, e, http.MethodGet, "/api/v1/ledger/accounts/1100/lines", finance, nil).JSON(t, &al)
		if n := len(al.Data); n == 0 || !al.Data[n-1].Balance.Decimal().Equal(accDec(t, after["1100"].Net)) {
			t.Errorf("account 1100 lines %+v end at a balance other than %s", al.Data, after["1100"].Net)
		}
	})
}

// TestReceivablesAging: a past-due invoice falls in the bucket of its days
// past due once the clock moves and the sweep runs; the subledger equals the
// buckets.
func TestReceivablesAging(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		ctx := context.Background()
		finance := e.A.Keys[access.FinanceManager]
		e.Clock.Set(time.Date(2026, 5, 15, 10, 0, 0, 0, time.UTC))
		mk := func(cust string, extra map[string]any) accInvoice {
			body := accInvBody(cust)
			maps.Copy(body, extra)
			inv := accPost(t, e, finance, body)
			return accStatus(t, e, finance, inv.ID, map[string]any{"status": "open"}).Invoice
		}
		due := mk(e.A.Customer, map[string]any{"invoice_date": "2026-05-15"}) // 30 days: due 2026-06-14
		if due.DueDate != "2026-06-14" {
			t.Fatalf("due date %s, want 2026-06-14", due.DueDate)
		}
		current := mk(e.A.Customer, map[string]any{"invoice_date": "2026-05-15", "due_date": "2026-08-31",
			"lines": []any{map[string]any{"description": "x", "amount": "5.25"}}})
		old := mk(e.A.Other, map[string]any{"invoice_date": "2026-01-10"}) // due 2026-02-09
		draft := accPost(t, e, finance, map[string]any{"customer_id": e.A.Other, "invoice_date": "2026-01-10",
			"lines": []any{map[string]any{"description": "x", "amount": "999.00"}}})

		aging := func(query string) map[string]accAging {
			t.Helper()
			r := accDo(t, e, http.MethodGet, "/api/v1/ledger/receivables"+query, finance, nil)
			if r.Status != http.StatusOK {
				t.Fatalf("receivables: %d %s", r.Status, r.Body)
			}
			var list accList[accAging]
			r.JSON(t, &list)
			out := map[string]accAging{}
			for _, a := range list.Data {
				var sum decimal.Decimal
				for _, b := range []string{"current", "1_30", "31_60", "61_90", "over_90"} {
					v, ok := a.Buckets[b]
					if !ok {
						t.Errorf("%s: no bucket %s", a.CustomerID, b)
					}
					sum = sum.Add(accDec(t, v))
				}
				if !sum.Equal(accDec(t, a.Total)) || !accDec(t, a.Ledger).Equal(accDec(t, a.Total)) {
					t.Errorf("%s: buckets sum to %s, total %s, ledger %s", a.CustomerID, sum, a.Total, a.Ledger)
				}
				out[a.CustomerID] = a
			}
			return out
		}
		want := func(query, cust string, buckets map[string]string) {
			t.Helper()
			a := aging(query)[cust]
			for _, b := range []string{"current", "1_30", "31_60", "61_90", "over_90"} {
				w := buckets[b]
				if w == "" {
					w = "0"
				}
				if !accDec(t, a.Buckets[b]).Equal(decimal.RequireFromString(w)) {
					t.Errorf("receivables%s of %s: bucket %s is %s, want %s (%v)", query, cust, b, a.Buckets[b], w, a.Buckets)
				}
			}
		}
		// Days past due at the edges of the buckets.
		want("?as_of=2026-06-14", e.A.Customer, map[string]string{"current": "25.25"})
		want("?as_of=2026-06-15", e.A.Customer, map[string]string{"current": "5.25", "1_30": "20"})
		want("?as_of=2026-07-14", e.A.Customer, map[string]string{"current": "5.25", "1_30": "20"})
		want("?as_of=2026-07-15", e.A.Customer, map[string]string{"current": "5.25", "31_60": "20"})
		want("?as_of=2026-05-10", e.A.Other, map[string]string{"61_90": "20"})
		want("?as_of=2026-05-11", e.A.Other, map[string]string{"over_90": "20"})

		// The clock moves to 20 July (36 days after 14 June); the sweep marks
		// the overdue documents past due, once.
		e.Clock.Set(time.Date(2026, 7, 20, 8, 0, 0, 0, time.UTC))
		n, err := e.Svc.SweepPastDue(ctx, e.A.ID)
		if err != nil || n != 2 {
			t.Fatalf("sweep: %d, %v; want 2", n, err)
		}
		if n, err := e.Svc.SweepPastDue(ctx, e.A.ID); err != nil || n != 0 {
			t.Errorf("second sweep: %d, %v; want 0", n, err)
		}
		for id, status := range map[string]string{due.ID: "past_due", old.ID: "past_due", current.ID: "open", draft.ID: "draft"} {
			if got := accGetInvoice(t, e, finance, id).Status; got != status {
				t.Errorf("%s after the sweep: %s, want %s", id, got, status)
			}
		}
		want("", e.A.Customer, map[string]string{"current": "5.25", "31_60": "20"})
		want("", e.A.Other, map[string]string{"over_90": "20"})
		// The customer key sees its past-due invoice in the portal.
		if got := accGetInvoice(t, e, e.A.Keys[access.Customer], due.ID).Status; got != "past_due" {
			t.Errorf("the portal shows %s", got)
		}
		// The sweep emails nobody and is in the audit log as the system.
		if ns := accDo(t, e, http.MethodGet, "/api/v1/invoices/"+due.ID+"/notifications", finance, nil); strings.Contains(string(ns.Body), "status_changed") {
			t.Errorf("the sweep queued a notification: %s", ns.Body)
		}
		var audit accList[service.AuditEntry]
		accDo(t, e, http.MethodGet, "/api/v1/audit-events?target_id="+due.ID+"&action=invoice.status_changed", finance, nil).JSON(t, &audit)
		if len(audit.Data) != 2 || audit.Data[0].ActorType != "system" || !strings.Contains(string(audit.Data[0].Changes), `"notify":false`) {
			t.Errorf("audit of the sweep: %+v", audit.Data)
		}
		// Closing the past-due invoice with a write-off empties its bucket.
		accStatus(t, e, finance, due.ID, map[string]any{"status": "closed", "reason": "uncollectable"})
		want("", e.A.Customer, map[string]string{"current": "5.25"})
		tb := accTrialBalance(t, e, finance, "")
		if !accDec(t, tb["6900"].Net).Equal(decimal.NewFromInt(20)) || !accDec(t, tb["1100"].Net).Equal(decimal.RequireFromString("25.25")) {
			t.Errorf("write-off %s, receivables %s; want 20 and 25.25", tb["6900"].Net, tb["1100"].Net)
		}
	})
}

// TestInvoiceIdempotency: creating and issuing with an Idempotency-Key is
// done once however often it is sent: one draft, one number, one posting,
// one notification.
func TestInvoiceIdempotency(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		finance := e.A.Keys[access.FinanceManager]
		idem := func(k string) []string { return []string{"Idempotency-Key", k} }
		before := e.Snapshot()
		first := accDo(t, e, http.MethodPost, "/api/v1/invoices", finance, accInvBody(e.A.Customer), idem("create-1")...)
		again := accDo(t, e, http.MethodPost, "/api/v1/invoices", finance, accInvBody(e.A.Customer), idem("create-1")...)
		if first.Status != http.StatusCreated || again.Status != http.StatusCreated || string(first.Body) != string(again.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("create twice with one key: %d %s / %d %s", first.Status, first.Body, again.Status, again.Body)
		}
		if after := e.Snapshot(); after["invoices"] != before["invoices"]+1 || after["invoice_lines"] != before["invoice_lines"]+1 {
			t.Errorf("create twice with one key: %v → %v, want one invoice", before, after)
		}
		var inv accInvoice
		first.JSON(t, &inv)
		other := accInvBody(e.A.Customer)
		other["notes"] = "another request"
		accWantProblem(t, accDo(t, e, http.MethodPost, "/api/v1/invoices", finance, other, idem("create-1")...), http.StatusConflict, "conflict")

		for _, step := range []map[string]any{{"status": "open"}, {"status": "void", "reason": "duplicate"}} {
			key := fmt.Sprint("status-", step["status"])
			r1 := accDo(t, e, http.MethodPost, "/api/v1/invoices/"+inv.ID+"/status", e.A.Keys[access.Director], step, idem(key)...)
			mid := e.Snapshot()
			r2 := accDo(t, e, http.MethodPost, "/api/v1/invoices/"+inv.ID+"/status", e.A.Keys[access.Director], step, idem(key)...)
			if r1.Status != http.StatusOK || r2.Status != http.StatusOK || string(r1.Body) != string(r2.Body) {
				t.Errorf("%v twice with one key: %d %s / %d %s", step, r1.Status, r1.Body, r2.Status, r2.Body)
			}
			if after := e.Snapshot(); !maps.Equal(mid, after) {
				t.Errorf("the replay of %v wrote: %v → %v", step, mid, after)
			}
		}
		got := accGetInvoice(t, e, finance, inv.ID)
		if got.Status != "void" || got.Number != fmt.Sprintf("INV-%04d-000001", accToday(e).Year) {
			t.Errorf("after the replays: %s %s", got.Status, got.Number)
		}
		var ns accList[service.Notification]
		accDo(t, e, http.MethodGet, "/api/v1/invoices/"+inv.ID+"/notifications", finance, nil).JSON(t, &ns)
		if len(ns.Data) != 1 {
			t.Errorf("notifications after replays: %+v, want the void's one", ns.Data)
		}
		accTrialBalance(t, e, finance, "")

		// Discard (seed 000): the draft and its lines go; the audit log keeps what it was.
		draft := accPost(t, e, finance, accInvBody(e.A.Customer))
		before = e.Snapshot()
		if r := accDo(t, e, http.MethodDelete, "/api/v1/invoices/"+draft.ID, finance, nil); r.Status != http.StatusNoContent {
			t.Fatalf("discard: %d %s", r.Status, r.Body)
		}
		after := e.Snapshot()
		if after["invoices"] != before["invoices"]-1 || after["invoice_lines"] != before["invoice_lines"]-1 || after["audit_log"] != before["audit_log"]+1 {
			t.Errorf("discard: %v → %v", before, after)
		}
		accWantProblem(t, accDo(t, e, http.MethodGet, "/api/v1/invoices/"+draft.ID, finance, nil), http.StatusNotFound, "not_found")
		r := accDo(t, e, http.MethodGet, "/api/v1/audit-events?action=invoice.discarded&target_id="+draft.ID, finance, nil)
		if !strings.Contains(string(r.Body), draft.DocumentNumber) || !strings.Contains(string(r.Body), "Managed services") {
			t.Errorf("the audit log does not keep the discarded draft: %s", r.Body)
		}
	})
}
