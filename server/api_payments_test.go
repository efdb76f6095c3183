package server_test

import (
	"net/http"
	"testing"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/internal/testserver"
)

type accPayment struct {
	ID           string `json:"id"`
	Method       string `json:"method"`
	Amount       string `json:"amount"`
	Currency     string `json:"currency"`
	Unapplied    string `json:"unapplied"`
	Refunded     string `json:"refunded"`
	ChargeID     string `json:"charge_id"`
	CardLast4    string `json:"card_last4"`
	EntryID      string `json:"entry_id"`
	Applications []struct {
		InvoiceID string `json:"invoice_id"`
		Amount    string `json:"amount"`
	} `json:"applications"`
	Refunds []struct {
		Amount string `json:"amount"`
	} `json:"refunds"`
}

// TestPaymentsAPI records, charges, settles and refunds over HTTP with the
// roles of DESIGN.md; refused requests are clear 4xx and write nothing.
func TestPaymentsAPI(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		a := e.A
		today := accToday(e)
		inv1 := accMakeInvoice(t, e, a.ID, a.Customer, today, "open") // 20.00 each (no tax setup)
		inv2 := accMakeInvoice(t, e, a.ID, a.Customer, today, "open")

		// Finance records a partial bank transfer to inv1.
		var pay accPayment
		r := accDo(t, e, http.MethodPost, "/api/v1/payments", a.Keys[access.Finance], map[string]any{"customer_id": a.Customer,
			"method": "bank_transfer", "amount": "5.00", "reference": "TRF 1", "invoices": []any{map[string]any{"invoice_id": inv1.ID}}})
		if r.Status != http.StatusCreated {
			t.Fatalf("record: %d %s", r.Status, r.Body)
		}
		r.JSON(t, &pay)
		if pay.Amount != "5.00" || pay.Unapplied != "0.00" || len(pay.Applications) != 1 || pay.Applications[0].InvoiceID != inv1.ID {
			t.Fatalf("payment: %s", r.Body)
		}
		if got := accGetInvoice(t, e, a.Keys[access.Sales], inv1.ID); got.Status != "open" {
			t.Fatalf("inv1 after partial payment: %+v", got)
		}
		// Refused: bad input, another currency without a rate, a role without payments.
		before := e.Snapshot()
		for _, c := range []struct {
			key    string
			body   map[string]any
			status int
			field  string
		}{
			{a.Keys[access.Finance], map[string]any{"customer_id": a.Customer, "method": "bank_transfer", "amount": "10", "currency": "USD"}, 422, "exchange_rate"},
			{a.Keys[access.Finance], map[string]any{"customer_id": a.Customer, "method": "bank_transfer", "amount": "abc"}, 422, "amount"},
			{a.Keys[access.FinanceManager], map[string]any{"customer_id": a.Customer, "method": "cash", "amount": "100",
				"invoices": []any{map[string]any{"invoice_id": inv2.ID, "amount": "999"}}}, 422, "invoices[0].amount"},
			{a.Keys[access.Sales], map[string]any{"customer_id": a.Customer, "method": "cash", "amount": "1"}, 403, ""},
			{a.Keys[access.Customer], map[string]any{"customer_id": a.Customer, "method": "cash", "amount": "1"}, 403, ""},
		} {
			r := accDo(t, e, http.MethodPost, "/api/v1/payments", c.key, c.body)
			if r.Status != c.status {
				t.Errorf("%v: %d %s, want %d", c.body, r.Status, r.Body, c.status)
				continue
			}
			if c.field != "" {
				if p := r.Map(t); p["field"] != c.field {
					t.Errorf("%v: field %v, want %s (%s)", c.body, p["field"], c.field, r.Body)
				}
			}
		}
		// The customer pays inv1's rest with a card that declines: 402, nothing written.
		if r := accDo(t, e, http.MethodPost, "/api/v1/customers/"+a.Customer+"/payment-methods", a.Keys[access.Customer],
			map[string]any{"card": "4000000000000341"}); r.Status != http.StatusCreated {
			t.Fatalf("add card: %d %s", r.Status, r.Body)
		}
		before = e.Snapshot()
		r = accDo(t, e, http.MethodPost, "/api/v1/invoices/"+inv1.ID+"/pay", a.Keys[access.Customer], nil)
		accWantProblem(t, r, http.StatusPaymentRequired, "payment_failed")
		after := e.Snapshot()
		for tb, n := range before {
			if after[tb] != n {
				t.Errorf("%s: %d rows before a declined charge, %d after", tb, n, after[tb])
			}
		}
		// With a good primary card it goes through and inv1 closes.
		r = accDo(t, e, http.MethodPost, "/api/v1/customers/"+a.Customer+"/payment-methods", a.Keys[access.Customer],
			map[string]any{"card": "4242424242424242", "primary": true})
		if r.Status != http.StatusCreated {
			t.Fatalf("add card: %d %s", r.Status, r.Body)
		}
		var card accPayment
		r = accDo(t, e, http.MethodPost, "/api/v1/invoices/"+inv1.ID+"/pay", a.Keys[access.Customer], nil, "Idempotency-Key", "pay-inv1")
		if r.Status != http.StatusCreated {
			t.Fatalf("pay: %d %s", r.Status, r.Body)
		}
		r.JSON(t, &card)
		if card.Method != "card" || card.ChargeID == "" || card.CardLast4 != "4242" || card.Amount != inv1.Total.Decimal().Sub(accDec(t, "5")).StringFixed(2) {
			t.Fatalf("card payment: %s", r.Body)
		}
		if got := accGetInvoice(t, e, a.Keys[access.Customer], inv1.ID); got.Status != "closed" {
			t.Fatalf("inv1 after paying in full: %+v", got)
		}
		// The same request again is the same payment (idempotency).
		r = accDo(t, e, http.MethodPost, "/api/v1/invoices/"+inv1.ID+"/pay", a.Keys[access.Customer], nil, "Idempotency-Key", "pay-inv1")
		var again accPayment
		r.JSON(t, &again)
		if again.ID != card.ID {
			t.Fatalf("repeated pay: %d %s", r.Status, r.Body)
		}
		// An overpayment becomes credit; the customer sees it.
		r = accDo(t, e, http.MethodPost, "/api/v1/payments", a.Keys[access.FinanceManager], map[string]any{"customer_id": a.Customer,
			"method": "cash", "amount": "50.00"})
		var over accPayment
		r.JSON(t, &over)
		if over.Unapplied != accDec(t, "50").Sub(inv2.Total.Decimal()).StringFixed(2) {
			t.Fatalf("overpayment: %s", r.Body)
		}
		var credit []map[string]any
		r = accDo(t, e, http.MethodGet, "/api/v1/customers/"+a.Customer+"/credit", a.Keys[access.Customer], nil)
		r.JSON(t, &credit)
		if len(credit) != 1 || credit[0]["unapplied_payments"] != over.Unapplied {
			t.Fatalf("credit: %s", r.Body)
		}
		// Refunds: above what was paid is 422 naming amount; then a real one.
		r = accDo(t, e, http.MethodPost, "/api/v1/payments/"+over.ID+"/refunds", a.Keys[access.Finance], map[string]any{"amount": "50.01"})
		if p := accWantProblem(t, r, http.StatusUnprocessableEntity, "invalid"); p.Field != "amount" {
			t.Fatalf("refund above paid: %s", r.Body)
		}
		r = accDo(t, e, http.MethodPost, "/api/v1/payments/"+card.ID+"/refunds", a.Keys[access.Finance], map[string]any{"amount": "1.00", "reason": "goodwill"})
		if r.Status != http.StatusCreated || r.Map(t)["provider_refund"] == "" {
			t.Fatalf("card refund: %d %s", r.Status, r.Body)
		}
		if got := accGetInvoice(t, e, a.Keys[access.Customer], inv1.ID); got.Status != "open" {
			t.Fatalf("inv1 after a refund: %+v", got)
		}
		// Settle the open transactions: the credit pays inv1's 1.00 again.
		r = accDo(t, e, http.MethodPost, "/api/v1/customers/"+a.Customer+"/settle", a.Keys[access.FinanceManager], nil)
		if r.Status != http.StatusOK {
			t.Fatalf("settle: %d %s", r.Status, r.Body)
		}
		if got := accGetInvoice(t, e, a.Keys[access.Customer], inv1.ID); got.Status != "closed" {
			t.Fatalf("inv1 after settling: %+v", got)
		}
		// Lists: the customer sees its own; another tenant sees nothing.
		var list []accPayment
		accDo(t, e, http.MethodGet, "/api/v1/payments", a.Keys[access.Customer], nil).JSON(t, &list)
		byID := map[string]accPayment{}
		for _, p := range list {
			byID[p.ID] = p
		}
		if len(list) != 3 || len(byID[pay.ID].Applications) != 1 || byID[pay.ID].Applications[0].InvoiceID != inv1.ID ||
			len(byID[card.ID].Refunds) != 1 || len(byID[over.ID].Applications) != 2 {
			t.Fatalf("customer's payments: %+v", list)
		}
		if r := accDo(t, e, http.MethodGet, "/api/v1/payments/"+pay.ID, e.B.Keys[access.Administrator], nil); r.Status != http.StatusNotFound {
			t.Fatalf("another tenant reads a payment: %d", r.Status)
		}
		var got accPayment
		accDo(t, e, http.MethodGet, "/api/v1/payments/"+card.ID, a.Keys[access.Finance], nil).JSON(t, &got)
		if len(got.Refunds) != 1 || got.Refunded != "1.00" {
			t.Fatalf("payment with refund: %+v", got)
		}
		// The ledger still balances.
		tb := accTrialBalance(t, e, a.Keys[access.FinanceManager], "")
		var sum = accDec(t, "0")
		for _, b := range tb {
			sum = sum.Add(accDec(t, b.Net))
		}
		if !sum.IsZero() {
			t.Fatalf("trial balance nets to %s", sum)
		}
	})
}
