package server_test

import (
	"context"
	"testing"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/internal/testserver"
	"github.com/facturo/facturo/service"
)

// accWalletRows are the role matrix rows of subscriptions, wallets and the
// account billing dashboard (seed 003). The customer-key account gets a
// card and a wallet; every call that changes a subscription gets a fresh one.
func accWalletRows(t *testing.T, e *testserver.Env) []accMatrixRow {
	ctx := context.Background()
	sys := access.System(e.A.ID, "test")
	fixed := func(path string, body any) func(*testing.T, access.Role) (string, any) {
		return func(*testing.T, access.Role) (string, any) { return path, body }
	}
	cust := "/api/v1/customers/" + e.A.Customer
	if _, err := e.Svc.AddPaymentMethod(ctx, sys, e.A.Customer, service.NewPaymentMethod{Card: "4242424242424242", ExpMonth: 12, ExpYear: 2040}); err != nil {
		t.Fatalf("card: %v", err)
	}
	if _, err := e.Svc.SaveWallet(ctx, sys, e.A.Customer, service.WalletInput{}); err != nil {
		t.Fatalf("wallet: %v", err)
	}
	code, name, price := "SKU-SUB", "Matrix plan", "9.00"
	prod, err := e.Svc.CreateProduct(ctx, sys, service.ProductInput{Code: &code, Name: &name, DefaultPrice: &price})
	if err != nil {
		t.Fatalf("product: %v", err)
	}
	newSub := func(t *testing.T, pause bool) string {
		s, err := e.Svc.CreateSubscription(ctx, sys, service.SubscriptionInput{CustomerID: e.A.Customer, Kind: "saas", ProductID: prod.ID,
			Quantity: "2", Interval: "monthly"})
		if err != nil {
			t.Fatalf("subscription: %v", err)
		}
		if pause {
			if _, err := e.Svc.ChangeSubscription(ctx, sys, s.ID, service.SubscriptionChange{Action: "pause"}); err != nil {
				t.Fatalf("pause: %v", err)
			}
		}
		return s.ID
	}
	sub := newSub(t, false)
	subCall := func(action string, pause bool, body any) func(*testing.T, access.Role) (string, any) {
		return func(t *testing.T, _ access.Role) (string, any) {
			return "/api/v1/subscriptions/" + newSub(t, pause) + "/" + action, body
		}
	}
	return []accMatrixRow{
		{op: "GET /api/v1/subscriptions", call: fixed("/api/v1/subscriptions", nil)},
		{op: "POST /api/v1/subscriptions", call: fixed("/api/v1/subscriptions",
			map[string]any{"customer_id": e.A.Customer, "kind": "resale", "product_id": prod.ID, "quantity": "1", "interval": "yearly"})},
		{op: "GET /api/v1/subscriptions/{id}", call: fixed("/api/v1/subscriptions/"+sub, nil)},
		{op: "POST /api/v1/subscriptions/{id}/quantity", call: subCall("quantity", false, map[string]any{"quantity": "3"})},
		{op: "POST /api/v1/subscriptions/{id}/pause", call: subCall("pause", false, nil)},
		{op: "POST /api/v1/subscriptions/{id}/resume", call: subCall("resume", true, nil)},
		{op: "POST /api/v1/subscriptions/{id}/cancel", call: subCall("cancel", false, map[string]any{"at_period_end": true})},

		{op: "GET /api/v1/customers/{id}/wallet", call: fixed(cust+"/wallet", nil)},
		{op: "PUT /api/v1/customers/{id}/wallet", call: fixed(cust+"/wallet", map[string]any{"recharge_threshold": "5.00"})},
		{op: "POST /api/v1/customers/{id}/wallet/top-ups", call: fixed(cust+"/wallet/top-ups", map[string]any{"amount": "5.00"})},
		{op: "POST /api/v1/customers/{id}/wallet/grants", call: fixed(cust+"/wallet/grants", map[string]any{"amount": "1.00"})},
		{op: "POST /api/v1/customers/{id}/wallet/draws", call: fixed(cust+"/wallet/draws", map[string]any{"amount": "0.50", "description": "SMS"})},
		{op: "GET /api/v1/customers/{id}/wallet/movements", call: fixed(cust+"/wallet/movements", nil)},
		{op: "GET /api/v1/customers/{id}/wallet/recharges", call: fixed(cust+"/wallet/recharges", nil)},
		{op: "GET /api/v1/wallet-settings", call: fixed("/api/v1/wallet-settings", nil)},
		{op: "PUT /api/v1/wallet-settings", call: fixed("/api/v1/wallet-settings",
			map[string]any{"receipt_emails": false, "allow_negative": false, "recharge_max_attempts": 4, "recharge_backoff_seconds": 300})},
		{op: "PATCH /api/v1/wallet-settings", call: fixed("/api/v1/wallet-settings", map[string]any{"receipt_emails": false})},

		{op: "GET /api/v1/customers/{id}/dashboard", call: fixed(cust+"/dashboard", nil)},
		{op: "GET /api/v1/me/dashboard", call: fixed("/api/v1/me/dashboard", nil)},
		{op: "PATCH /api/v1/me/billing", call: fixed("/api/v1/me/billing", map[string]any{"tax_id": "B87654321"})},
		{op: "GET /api/v1/me/subscriptions", call: fixed("/api/v1/me/subscriptions", nil)},
		{op: "GET /api/v1/me/wallet", call: fixed("/api/v1/me/wallet", nil)},
		{op: "PUT /api/v1/me/wallet", call: fixed("/api/v1/me/wallet", map[string]any{"recharge_threshold": "4.00"})},
		{op: "POST /api/v1/me/wallet/top-ups", call: fixed("/api/v1/me/wallet/top-ups", map[string]any{"amount": "2.00"})},
	}
}
