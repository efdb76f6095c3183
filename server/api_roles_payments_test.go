package server_test

import (
	"context"
	"testing"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/internal/testserver"
	"github.com/facturo/facturo/service"
)

// accPaymentRows are the role matrix rows of payment methods, payments,
// settlement and dunning (merged from branch issue6p), written by the
// wallets branch so the matrix covers every endpoint; if issue6p adds its
// own rows, keep one set. They expect the customer-key account to have a
// primary card (accWalletRows adds it).
func accPaymentRows(t *testing.T, e *testserver.Env) []accMatrixRow {
	ctx := context.Background()
	sys := access.System(e.A.ID, "test")
	fixed := func(path string, body any) func(*testing.T, access.Role) (string, any) {
		return func(*testing.T, access.Role) (string, any) { return path, body }
	}
	cust := "/api/v1/customers/" + e.A.Customer
	today := accToday(e)
	card := func(t *testing.T) string {
		m, err := e.Svc.AddPaymentMethod(ctx, sys, e.A.Customer, service.NewPaymentMethod{Card: "5555555555554444", ExpMonth: 12, ExpYear: 2040})
		if err != nil {
			t.Fatalf("card: %v", err)
		}
		return m.ID
	}
	payment := func(t *testing.T) string {
		p, err := e.Svc.RecordPayment(ctx, sys, service.PaymentInput{CustomerID: e.A.Customer, Method: service.PayBankTransfer, Amount: "3.00"})
		if err != nil {
			t.Fatalf("payment: %v", err)
		}
		return p.ID
	}
	pay := payment(t)
	notEngineer := accWithout(accAllRoles, access.Engineer)
	payers := []access.Role{access.Administrator, access.Director, access.FinanceManager, access.Finance}
	payersAndOwner := []access.Role{access.Administrator, access.Director, access.FinanceManager, access.Finance, access.Customer}
	return []accMatrixRow{
		{op: "GET /api/v1/customers/{id}/payment-methods", allowed: notEngineer, call: fixed(cust+"/payment-methods", nil)},
		{op: "POST /api/v1/customers/{id}/payment-methods", allowed: payersAndOwner, call: fixed(cust+"/payment-methods", map[string]any{"card": "5555555555554444"})},
		{op: "DELETE /api/v1/customers/{id}/payment-methods/{payment_method_id}", allowed: payersAndOwner, call: func(t *testing.T, _ access.Role) (string, any) {
			return cust + "/payment-methods/" + card(t), nil
		}},
		{op: "POST /api/v1/customers/{id}/payment-methods/{payment_method_id}/primary", allowed: payersAndOwner, call: func(t *testing.T, _ access.Role) (string, any) {
			return cust + "/payment-methods/" + card(t) + "/primary", nil
		}},
		{op: "POST /api/v1/payments", allowed: payers, call: fixed("/api/v1/payments",
			map[string]any{"customer_id": e.A.Customer, "method": "bank_transfer", "amount": "1.00"})},
		{op: "GET /api/v1/payments", allowed: notEngineer, call: fixed("/api/v1/payments", nil)},
		{op: "GET /api/v1/payments/{id}", allowed: notEngineer, call: fixed("/api/v1/payments/"+pay, nil)},
		{op: "POST /api/v1/payments/{id}/refunds", allowed: payers, call: func(t *testing.T, _ access.Role) (string, any) {
			return "/api/v1/payments/" + payment(t) + "/refunds", map[string]any{"amount": "0.50"}
		}},
		{op: "POST /api/v1/invoices/{id}/pay", allowed: payersAndOwner, call: func(t *testing.T, _ access.Role) (string, any) {
			return "/api/v1/invoices/" + accMakeInvoice(t, e, e.A.ID, e.A.Customer, today, "open").ID + "/pay", nil
		}},
		// Nothing to settle is 409 once the role check has passed.
		{op: "POST /api/v1/customers/{id}/settle", allowed: payers, alsoOK: 409, call: fixed(cust+"/settle", nil)},
		{op: "GET /api/v1/customers/{id}/credit", allowed: notEngineer, call: fixed(cust+"/credit", nil)},
		{op: "GET /api/v1/tenant/dunning", allowed: accWithout(accAllRoles, access.Customer), call: fixed("/api/v1/tenant/dunning", nil)},
		{op: "PUT /api/v1/tenant/dunning", allowed: accAdminOnly, call: fixed("/api/v1/tenant/dunning", map[string]any{"offsets": []int{3, 7, 14}})},
	}
}
