package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/internal/testserver"
)

// TestWalletsSubscriptionsDashboardAPI drives seed 003's account billing
// dashboard over HTTP: staff set up a wallet and subscriptions, the customer
// sees only its own account, tops up, sets auto-recharge and edits its
// billing address; the roles and bad input answer clear 4xx.
func TestWalletsSubscriptionsDashboardAPI(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		a := e.A
		admin, cust, fm := a.Keys[access.Administrator], a.Keys[access.Customer], a.Keys[access.FinanceManager]
		want := func(r testserver.Response, status int, what string) testserver.Response {
			t.Helper()
			if r.Status != status {
				t.Fatalf("%s: %d, want %d: %s", what, r.Status, status, accShort(r.Body))
			}
			return r
		}
		base := "/api/v1/customers/" + a.Customer
		want(accDo(t, e, http.MethodPost, base+"/payment-methods", cust, map[string]any{"card": "4242424242424242", "exp_month": 4, "exp_year": 2040}), 201, "card")
		want(accDo(t, e, http.MethodPut, base+"/wallet", fm, map[string]any{"credit_rate": "100"}), 200, "open wallet")
		want(accDo(t, e, http.MethodPost, base+"/wallet/grants", fm, map[string]any{"amount": "5.00", "reason": "welcome"}), 201, "grant")
		r := want(accDo(t, e, http.MethodPost, "/api/v1/me/wallet/top-ups", cust, map[string]any{"amount": "25.00"}), 201, "customer top-up")
		if m := r.Map(t); m["receipt_number"] == "" || m["kind"] != "top_up" {
			t.Fatalf("top-up: %s", r.Body)
		}
		want(accDo(t, e, http.MethodPut, "/api/v1/me/wallet", cust, map[string]any{"auto_recharge": true, "recharge_threshold": "10.00", "recharge_amount": "25.00"}), 200, "auto-recharge")
		r = want(accDo(t, e, http.MethodPost, base+"/wallet/draws", fm, map[string]any{"ref": "sms-1", "amount": "8.00", "description": "SMS"}), 201, "draw")
		// Movements and grants write their amounts with the wallet
		// currency's digits, like every other amount (issue 13: they were
		// bare decimals and came out as "-5").
		if mv := r.Map(t)["movement"].(map[string]any); mv["complimentary"] != "-5.00" || mv["paid"] != "-3.00" || mv["billed"] != "0.00" || mv["paid_after"] != "22.00" {
			t.Fatalf("draw: %s", r.Body)
		}
		r = want(accDo(t, e, http.MethodGet, base+"/wallet", fm, nil), 200, "wallet")
		if g := r.Map(t)["grants"].([]any); len(g) != 1 || g[0].(map[string]any)["amount"] != "5.00" || g[0].(map[string]any)["remaining"] != "0.00" {
			t.Fatalf("grants: %s", r.Body)
		}

		// Subscriptions of each kind.
		r = want(accDo(t, e, http.MethodPost, "/api/v1/products", admin, map[string]any{"code": "CRM", "name": "CRM seat", "charge_type": "recurring", "default_price": "12.00"}), 201, "product")
		prod := r.Map(t)["id"].(string)
		var subID string
		for _, kind := range []string{"saas", "resale", "marketplace"} {
			r = want(accDo(t, e, http.MethodPost, "/api/v1/subscriptions", a.Keys[access.Sales], map[string]any{"customer_id": a.Customer, "kind": kind,
				"product_id": prod, "quantity": "3", "interval": "monthly"}), 201, "subscribe "+kind)
			subID = r.Map(t)["id"].(string)
		}
		r = want(accDo(t, e, http.MethodPost, "/api/v1/subscriptions/"+subID+"/quantity", a.Keys[access.Finance], map[string]any{"quantity": "5"}), 200, "quantity")
		if r.Map(t)["quantity"] != "5" {
			t.Fatalf("quantity: %s", r.Body)
		}
		want(accDo(t, e, http.MethodPost, "/api/v1/subscriptions/"+subID+"/cancel", admin, map[string]any{"at_period_end": true}), 200, "cancel")
		r = want(accDo(t, e, http.MethodPost, "/api/v1/subscriptions", admin, map[string]any{"customer_id": a.Customer, "kind": "saas",
			"product_id": prod, "quantity": "0", "interval": "monthly"}), 422, "bad subscription")
		if !strings.Contains(string(r.Body), "quantity") {
			t.Errorf("bad subscription does not name quantity: %s", r.Body)
		}
		want(accDo(t, e, http.MethodPost, "/api/v1/subscriptions", a.Keys[access.Engineer], map[string]any{"customer_id": a.Customer, "kind": "saas",
			"product_id": prod, "quantity": "1", "interval": "monthly"}), 403, "engineer subscribes")

		// The dashboard, for staff and for the customer itself.
		var d struct {
			Customer struct {
				ID      string `json:"id"`
				Billing struct {
					Address struct {
						Line1 string `json:"line1"`
					} `json:"address"`
				} `json:"billing"`
			} `json:"customer"`
			Subscriptions  []map[string]any `json:"subscriptions"`
			PaymentMethods []map[string]any `json:"payment_methods"`
			Wallet         struct {
				Paid          string `json:"paid_balance"`
				Complimentary string `json:"complimentary_balance"`
				Balance       string `json:"balance"`
				AutoRecharge  bool   `json:"auto_recharge"`
			} `json:"wallet"`
			Summary struct {
				WalletDrawn string `json:"wallet_drawn"`
				Recurring   string `json:"recurring_monthly"`
			} `json:"summary"`
			Transactions []struct {
				Kind string `json:"kind"`
			} `json:"transactions"`
			Invoices []map[string]any `json:"invoices"`
		}
		want(accDo(t, e, http.MethodGet, "/api/v1/me/dashboard", cust, nil), 200, "my dashboard").JSON(t, &d)
		if d.Customer.ID != a.Customer || len(d.Subscriptions) != 3 || len(d.PaymentMethods) != 1 || d.Wallet.Paid != "22.00" ||
			d.Wallet.Complimentary != "0.00" || !d.Wallet.AutoRecharge || d.Summary.WalletDrawn != "8.00" || d.Summary.Recurring != "132.00" {
			t.Fatalf("dashboard: %+v", d)
		}
		kinds := map[string]int{}
		for _, tx := range d.Transactions {
			kinds[tx.Kind]++
		}
		if kinds["wallet_top_up"] != 1 || kinds["wallet_grant"] != 1 || kinds["wallet_draw"] != 1 {
			t.Errorf("transactions %v", kinds)
		}
		want(accDo(t, e, http.MethodGet, base+"/dashboard", a.Keys[access.Sales], nil), 200, "staff dashboard")
		// A customer never sees another account.
		want(accDo(t, e, http.MethodGet, "/api/v1/customers/"+a.Other+"/dashboard", cust, nil), 404, "other's dashboard")
		want(accDo(t, e, http.MethodGet, "/api/v1/customers/"+a.Other+"/wallet", cust, nil), 404, "other's wallet")
		want(accDo(t, e, http.MethodGet, "/api/v1/customers/"+a.Customer+"/dashboard", e.B.Keys[access.Administrator], nil), 404, "other tenant")
		want(accDo(t, e, http.MethodGet, "/api/v1/me/dashboard", admin, nil), 403, "staff on /me")
		want(accDo(t, e, http.MethodGet, base+"/dashboard", a.Keys[access.Engineer], nil), 403, "engineer dashboard")

		// Edit the billing address from the portal.
		r = want(accDo(t, e, http.MethodPatch, "/api/v1/me/billing", cust, map[string]any{"address": map[string]any{"line1": "Gran Vía 1", "city": "Madrid", "country": "ES"}}), 200, "address")
		want(accDo(t, e, http.MethodGet, "/api/v1/me/dashboard", cust, nil), 200, "dashboard again").JSON(t, &d)
		if d.Customer.Billing.Address.Line1 != "Gran Vía 1" {
			t.Fatalf("address not changed: %s", r.Body)
		}

		// Bad input and refusals: clear 4xx, nothing written.
		before := e.Snapshot()
		want(accDo(t, e, http.MethodPost, "/api/v1/me/wallet/top-ups", cust, map[string]any{"amount": "-3"}), 422, "negative top-up")
		want(accDo(t, e, http.MethodPost, base+"/wallet/grants", a.Keys[access.Finance], map[string]any{"amount": "5"}), 403, "finance grants")
		want(accDo(t, e, http.MethodPut, "/api/v1/me/wallet", cust, map[string]any{"auto_recharge": true, "recharge_amount": "0"}), 422, "zero recharge")
		pms := want(accDo(t, e, http.MethodGet, base+"/payment-methods", cust, nil), 200, "cards")
		var cards []struct {
			ID string `json:"id"`
		}
		pms.JSON(t, &cards)
		r = want(accDo(t, e, http.MethodDelete, base+"/payment-methods/"+cards[0].ID, cust, nil), 409, "remove the primary card under auto-recharge")
		if !strings.Contains(string(r.Body), "automatic recharge") {
			t.Errorf("removal refusal does not say why: %s", r.Body)
		}
		after := e.Snapshot()
		for tb, n := range before {
			if after[tb] != n {
				t.Errorf("%s: %d rows before, %d after refused requests", tb, n, after[tb])
			}
		}
		// A declined card on a top-up is 402.
		other := "/api/v1/customers/" + a.Other
		want(accDo(t, e, http.MethodPost, other+"/payment-methods", fm, map[string]any{"card": "4000000000000341"}), 201, "declining card")
		want(accDo(t, e, http.MethodPut, other+"/wallet", fm, map[string]any{}), 200, "other wallet")
		want(accDo(t, e, http.MethodPost, other+"/wallet/top-ups", fm, map[string]any{"amount": "10"}), 402, "declined top-up")
	})
}
