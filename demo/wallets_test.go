package demo_test

import (
	"context"
	"testing"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/demo"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/payprovider/testcard"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
	"github.com/facturo/facturo/subscription"
)

// TestDemoWalletsAndSubscriptions: with the built-in test provider (serve's
// default) the demo has wallets with paid and complimentary credits and
// auto-recharge, and subscriptions of each kind, on every dashboard.
func TestDemoWalletsAndSubscriptions(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := service.New(db, service.WithPaymentProvider(testcard.New()))
		login, err := demo.Ensure(ctx, svc)
		if err != nil {
			t.Fatal(err)
		}
		sys := access.System(login.TenantID, "test")
		byNumber := map[string]billing.Customer{}
		for _, c := range customers(t, svc, login.TenantID) {
			byNumber[c.Number] = c
		}
		kinds := map[subscription.SubscriptionKind]bool{}
		subs, err := svc.ListSubscriptions(ctx, sys, "")
		if err != nil {
			t.Fatal(err)
		}
		statuses := map[string]bool{}
		for _, s := range subs {
			kinds[s.Kind] = true
			statuses[s.Status] = true
		}
		if len(kinds) != 3 || !statuses[subscription.SubPaused] || !statuses[subscription.SubActive] {
			t.Errorf("subscriptions: kinds %v statuses %v", kinds, statuses)
		}
		d, err := svc.GetDashboard(ctx, sys, byNumber["C-1002"].ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Wallet == nil || d.Wallet.PaidBalance.Sign() <= 0 || d.Wallet.Complimentary.Sign() <= 0 || !d.Wallet.AutoRecharge ||
			len(d.PaymentMethods) == 0 || len(d.Subscriptions) != 3 {
			t.Fatalf("C-1002 dashboard: wallet %+v, %d cards, %d subscriptions", d.Wallet, len(d.PaymentMethods), len(d.Subscriptions))
		}
		// The portal user of C-1002 sees the same dashboard.
		portal, err := svc.Login(ctx, "portal@ferreteria-nunez.example", login.Password, "", "127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		mine, err := svc.GetDashboard(ctx, portal.Principal(), "")
		if err != nil || mine.Customer.ID != d.Customer.ID || !mine.Wallet.Balance.Equal(d.Wallet.Balance) {
			t.Fatalf("portal dashboard: %+v, %v", mine.Customer.ID, err)
		}
		// A wallet with complimentary credits only.
		w, err := svc.GetWallet(ctx, sys, byNumber["C-1003"].ID)
		if err != nil || !w.PaidBalance.IsZero() || w.Complimentary.Sign() <= 0 {
			t.Fatalf("C-1003 wallet %+v, %v", w, err)
		}
	})
}
