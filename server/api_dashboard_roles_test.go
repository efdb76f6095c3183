package server_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/internal/testserver"
	"github.com/facturo/facturo/service"
)

// TestDashboardFollowsRoles: the account billing dashboard shows a staff
// role the wallet and the payments only when that role may read them through
// their own endpoints (DESIGN.md: sales and group managers read customers
// and invoices, not wallets or payments); the customer sees its own.
func TestDashboardFollowsRoles(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		ctx := context.Background()
		sys := access.System(e.A.ID, "test")
		if _, err := e.Svc.SaveWallet(ctx, sys, e.A.Customer, service.WalletInput{}); err != nil {
			t.Fatalf("wallet: %v", err)
		}
		inv := accMakeInvoice(t, e, e.A.ID, e.A.Customer, accToday(e), "open")
		r := accDo(t, e, http.MethodPost, "/api/v1/payments", e.A.Keys[access.Finance], map[string]any{"customer_id": e.A.Customer,
			"method": "bank_transfer", "amount": "5.00", "reference": "TRF 1", "invoices": []any{map[string]any{"invoice_id": inv.ID}}})
		if r.Status != http.StatusCreated {
			t.Fatalf("payment: %d %s", r.Status, r.Body)
		}
		type dash struct {
			Wallet       map[string]any `json:"wallet"`
			Transactions []struct {
				Kind string `json:"kind"`
			} `json:"transactions"`
		}
		read := func(role access.Role, path string) dash {
			t.Helper()
			r := accDo(t, e, http.MethodGet, path, e.A.Keys[role], nil)
			if r.Status != http.StatusOK {
				t.Fatalf("%s as %s: %d %s", path, role, r.Status, r.Body)
			}
			var d dash
			r.JSON(t, &d)
			return d
		}
		payments := func(d dash) int {
			n := 0
			for _, tr := range d.Transactions {
				if tr.Kind == "payment" {
					n++
				}
			}
			return n
		}
		path := "/api/v1/customers/" + e.A.Customer + "/dashboard"
		for _, role := range access.Roles {
			if role == access.Engineer || role == access.Customer {
				continue
			}
			d := read(role, path)
			wantWallet, wantPayments := role.Can(access.ManageWallets), role.Can(access.ManagePayments)
			if (d.Wallet != nil) != wantWallet {
				t.Errorf("%s sees the wallet: %v, want %v", role, d.Wallet != nil, wantWallet)
			}
			if got := payments(d) > 0; got != wantPayments {
				t.Errorf("%s sees payments: %v, want %v", role, got, wantPayments)
			}
		}
		if d := read(access.Customer, "/api/v1/me/dashboard"); d.Wallet == nil || payments(d) == 0 {
			t.Errorf("the customer does not see its own wallet and payments: %+v", d)
		}
	})
}
