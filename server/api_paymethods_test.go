package server_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/internal/testserver"
	"github.com/facturo/facturo/service"
)

// TestPaymentMethodsAPI adds, lists, sets primary and removes cards over
// HTTP, with the roles of DESIGN.md and refused cards as 402.
func TestPaymentMethodsAPI(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		a := e.A
		base := "/api/v1/customers/" + a.Customer + "/payment-methods"
		type pm struct {
			ID      string `json:"id"`
			Brand   string `json:"brand"`
			Last4   string `json:"last4"`
			Primary bool   `json:"primary"`
		}
		// The customer adds its own card; finance adds another.
		var own, second pm
		r := accDo(t, e, http.MethodPost, base, a.Keys[access.Customer], map[string]any{"card": "4242424242424242", "exp_month": 4, "exp_year": 2040})
		if r.Status != http.StatusCreated {
			t.Fatalf("customer adds a card: %d %s", r.Status, r.Body)
		}
		r.JSON(t, &own)
		if !own.Primary || own.Last4 != "4242" || own.Brand != "visa" {
			t.Fatalf("card: %+v", own)
		}
		r = accDo(t, e, http.MethodPost, base, a.Keys[access.Finance], map[string]any{"card": "5555555555554444"})
		if r.Status != http.StatusCreated {
			t.Fatalf("finance adds a card: %d %s", r.Status, r.Body)
		}
		r.JSON(t, &second)

		// Refused cards: 402 problem, nothing written.
		before := e.Snapshot()
		r = accDo(t, e, http.MethodPost, base, a.Keys[access.FinanceManager], map[string]any{"card": "4000000000000002"})
		if r.Status != http.StatusPaymentRequired || r.Map(t)["code"] != "payment_failed" {
			t.Fatalf("declined card: %d %s", r.Status, r.Body)
		}
		r = accDo(t, e, http.MethodPost, base, a.Keys[access.FinanceManager], map[string]any{"card": "4000000000000069"})
		if r.Status != http.StatusPaymentRequired {
			t.Fatalf("expired card: %d %s", r.Status, r.Body)
		}
		r = accDo(t, e, http.MethodPost, base, a.Keys[access.FinanceManager], map[string]any{"card": ""})
		if r.Status != http.StatusUnprocessableEntity || r.Map(t)["field"] != "card" {
			t.Fatalf("no card: %d %s", r.Status, r.Body)
		}
		// Roles without payments may not add cards; engineers may not even list.
		for _, role := range []access.Role{access.Sales, access.GroupManager, access.Engineer} {
			if r := accDo(t, e, http.MethodPost, base, a.Keys[role], map[string]any{"card": "4242424242424242"}); r.Status != http.StatusForbidden {
				t.Errorf("%s adds a card: %d %s", role, r.Status, r.Body)
			}
		}
		if r := accDo(t, e, http.MethodGet, base, a.Keys[access.Engineer], nil); r.Status != http.StatusForbidden {
			t.Errorf("engineer lists cards: %d", r.Status)
		}
		// Another customer, or another tenant, does not see them.
		if r := accDo(t, e, http.MethodGet, "/api/v1/customers/"+a.Other+"/payment-methods", a.Keys[access.Customer], nil); r.Status != http.StatusNotFound {
			t.Errorf("customer lists another's cards: %d", r.Status)
		}
		if r := accDo(t, e, http.MethodGet, base, e.B.Keys[access.Administrator], nil); r.Status != http.StatusNotFound {
			t.Errorf("another tenant lists cards: %d", r.Status)
		}
		after := e.Snapshot()
		for tb, n := range before {
			if after[tb] != n {
				t.Errorf("%s: %d rows before refused requests, %d after", tb, n, after[tb])
			}
		}

		// Set primary, list (primary first, no token in the answer), remove.
		if r := accDo(t, e, http.MethodPost, base+"/"+second.ID+"/primary", a.Keys[access.Customer], nil); r.Status != http.StatusOK {
			t.Fatalf("set primary: %d %s", r.Status, r.Body)
		}
		var list []map[string]any
		r = accDo(t, e, http.MethodGet, base, a.Keys[access.Sales], nil)
		r.JSON(t, &list)
		if len(list) != 2 || list[0]["id"] != second.ID || list[0]["primary"] != true || list[1]["primary"] != false {
			t.Fatalf("list: %s", r.Body)
		}
		if _, ok := list[0]["token"]; ok {
			t.Fatalf("the token is shown: %s", r.Body)
		}
		if r := accDo(t, e, http.MethodDelete, base+"/"+own.ID, a.Keys[access.Customer], nil); r.Status != http.StatusNoContent {
			t.Fatalf("remove: %d %s", r.Status, r.Body)
		}
		if r := accDo(t, e, http.MethodDelete, base+"/"+own.ID, a.Keys[access.Customer], nil); r.Status != http.StatusNotFound {
			t.Fatalf("remove again: %d %s", r.Status, r.Body)
		}
	})
}

// accPayments are the roles with payments.manage (DESIGN.md: finance
// manager and finance, beside administrator and director).
var accPayments = []access.Role{access.Administrator, access.Director, access.FinanceManager, access.Finance}

// accPaymentRows are the role matrix rows of payment methods, payments,
// settlement, refunds and dunning.
func accPaymentRows(t *testing.T, e *testserver.Env) []accMatrixRow {
	t.Helper()
	ctx := context.Background()
	sys := access.System(e.A.ID, "test")
	cust := "/api/v1/customers/" + e.A.Customer
	card := func(t *testing.T) string {
		m, err := e.Svc.AddPaymentMethod(ctx, sys, e.A.Customer, service.NewPaymentMethod{Card: "4242424242424242"})
		if err != nil {
			t.Fatalf("card: %v", err)
		}
		return m.ID
	}
	primary, err := e.Svc.AddPaymentMethod(ctx, sys, e.A.Customer, service.NewPaymentMethod{Card: "4242424242424242", Primary: true})
	if err != nil {
		t.Fatalf("card: %v", err)
	}
	pay, err := e.Svc.RecordPayment(ctx, sys, service.PaymentInput{CustomerID: e.A.Customer, Method: "cash", Amount: "100.00",
		Currency: "USD", ExchangeRate: "0.9", NoAutoApply: true}) // USD credit: EUR invoices do not use it
	if err != nil {
		t.Fatalf("payment: %v", err)
	}
	fixed := func(path string, body any) func(*testing.T, access.Role) (string, any) {
		return func(*testing.T, access.Role) (string, any) { return path, body }
	}
	return []accMatrixRow{
		{op: "GET /api/v1/customers/{id}/payment-methods", call: fixed(cust+"/payment-methods", nil)},
		{op: "POST /api/v1/customers/{id}/payment-methods", call: fixed(cust+"/payment-methods", map[string]any{"card": "5555555555554444"})},
		{op: "POST /api/v1/customers/{id}/payment-methods/setup", call: fixed(cust+"/payment-methods/setup", nil)},
		{op: "POST /api/v1/customers/{id}/payment-methods/{payment_method_id}/primary",
			call: fixed(cust+"/payment-methods/"+primary.ID+"/primary", nil)},
		{op: "DELETE /api/v1/customers/{id}/payment-methods/{payment_method_id}",
			call: func(t *testing.T, _ access.Role) (string, any) { return cust + "/payment-methods/" + card(t), nil }},
		{op: "GET /api/v1/customers/{id}/credit", call: fixed(cust+"/credit", nil)},
		// Nothing to settle is a 409 after the role check.
		{op: "POST /api/v1/customers/{id}/settle", alsoOK: http.StatusConflict, call: fixed(cust+"/settle", map[string]any{"currency": "JPY"})},
		{op: "POST /api/v1/invoices/{id}/pay", call: func(t *testing.T, _ access.Role) (string, any) {
			return "/api/v1/invoices/" + accMakeInvoice(t, e, e.A.ID, e.A.Customer, accToday(e), "open").ID + "/pay", nil
		}},
		{op: "POST /api/v1/payments", call: fixed("/api/v1/payments",
			map[string]any{"customer_id": e.A.Customer, "method": "bank_transfer", "amount": "1.00", "currency": "USD", "exchange_rate": "0.9", "keep_as_credit": true})},
		{op: "GET /api/v1/payments", call: fixed("/api/v1/payments", nil)},
		{op: "GET /api/v1/payments/{id}", call: fixed("/api/v1/payments/"+pay.ID, nil)},
		{op: "POST /api/v1/payments/{id}/refunds", call: fixed("/api/v1/payments/"+pay.ID+"/refunds", map[string]any{"amount": "1.00"})},
		{op: "GET /api/v1/tenant/dunning", call: fixed("/api/v1/tenant/dunning", nil)},
		{op: "PUT /api/v1/tenant/dunning", call: fixed("/api/v1/tenant/dunning", map[string]any{"offsets": []int{3, 7, 14}})},
	}
}
