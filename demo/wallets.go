package demo

import (
	"context"
	"fmt"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/service"
)

// seedSubscriptions gives customers subscriptions of seed 003's three
// kinds: the tenant's own SaaS plan, resale and a marketplace app, one
// paused and one cancelled at period end.
func seedSubscriptions(ctx context.Context, svc *service.Service, p access.Principal, ids map[string]string, today calendar.Date) error {
	prods := map[string]string{}
	for _, pr := range []struct{ code, name, price, provider string }{
		{"SUB-CRM-PRO", "Nimbus CRM Pro (per seat)", "49.00", "Nimbus"},
		{"SUB-M365-BS", "Microsoft 365 Business Standard", "11.70", "Microsoft"},
		{"SUB-APP-CALSYNC", "Marketplace: Calendar Sync", "60.00", "Marketplace"},
	} {
		made, err := svc.CreateProduct(ctx, p, service.ProductInput{Code: sp(pr.code), Name: sp(pr.name), ChargeType: sp("recurring"),
			DefaultPrice: sp(pr.price), Provider: sp(pr.provider), ItemSalesTaxGroup: sp("SERVICES")})
		if err != nil {
			return fmt.Errorf("product %s: %w", pr.code, err)
		}
		prods[pr.code] = made.ID
	}
	first := calendar.New(today.Year, today.Month, 1)
	type sub struct {
		customer, kind, product, quantity, interval string
		start                                       calendar.Date
		change                                      *service.SubscriptionChange
	}
	for _, s := range []sub{
		{"C-1002", "saas", "SUB-CRM-PRO", "5", "monthly", first, nil},
		{"C-1002", "resale", "SUB-M365-BS", "12", "monthly", first, nil},
		{"C-1002", "marketplace", "SUB-APP-CALSYNC", "1", "yearly", first.AddMonths(-2), nil},
		{"C-1005", "resale", "SUB-M365-BS", "40", "quarterly", first, nil},
		{"C-1005", "saas", "SUB-CRM-PRO", "3", "monthly", first, &service.SubscriptionChange{Action: "cancel", AtPeriodEnd: true}},
		{"C-1003", "saas", "SUB-CRM-PRO", "2", "monthly", first, &service.SubscriptionChange{Action: "pause"}},
	} {
		made, err := svc.CreateSubscription(ctx, p, service.SubscriptionInput{CustomerID: ids[s.customer], Kind: s.kind, ProductID: prods[s.product],
			Quantity: s.quantity, Interval: s.interval, Start: s.start})
		if err != nil {
			return fmt.Errorf("subscription %s %s: %w", s.customer, s.product, err)
		}
		if s.change != nil {
			if _, err := svc.ChangeSubscription(ctx, p, made.ID, *s.change); err != nil {
				return fmt.Errorf("subscription %s %s: %w", s.customer, s.change.Action, err)
			}
		}
	}
	return nil
}

// seedWallets opens wallets (seed 003) with paid and complimentary credits
// and automatic recharge. Paid credits need a card charged through the
// payment provider; without the built-in test provider only complimentary
// credits are granted.
func seedWallets(ctx context.Context, svc *service.Service, p access.Principal, ids map[string]string, today calendar.Date) error {
	type wallet struct {
		customer, card, topUp, comp, threshold, recharge string
		expires                                          calendar.Date
		draws                                            []string
	}
	for _, w := range []wallet{
		{"C-1002", "4242424242424242", "50.00", "25.00", "20.00", "50.00", today.AddDays(90), []string{"4.80", "7.25", "3.10"}},
		{"C-1005", "5555555555554444", "200.00", "25.00", "50.00", "100.00", calendar.Date{}, []string{"12.40"}},
		{"C-1003", "", "", "15.00", "", "", today.AddDays(30), []string{"2.50"}},
	} {
		cid := ids[w.customer]
		if _, err := svc.SaveWallet(ctx, p, cid, service.WalletInput{CreditRate: sp("100")}); err != nil {
			return fmt.Errorf("wallet %s: %w", w.customer, err)
		}
		// Paid credits need a card charged through the built-in test
		// provider: reuse the customer's primary card (seedPayments adds
		// some) or add one.
		paid := w.card != "" && svc.PaymentProviderName() == "test"
		if paid {
			cards, err := svc.ListPaymentMethods(ctx, p, cid)
			if err != nil {
				return err
			}
			if len(cards) == 0 {
				if _, err := svc.AddPaymentMethod(ctx, p, cid, service.NewPaymentMethod{Card: w.card, ExpMonth: 12, ExpYear: today.Year + 3}); err != nil {
					return fmt.Errorf("card for %s: %w", w.customer, err)
				}
			}
		}
		if paid {
			if _, err := svc.AddFunds(ctx, p, cid, w.topUp); err != nil {
				return fmt.Errorf("top-up %s: %w", w.customer, err)
			}
			on := true
			if _, err := svc.SaveWallet(ctx, p, cid, service.WalletInput{AutoRecharge: &on, RechargeThreshold: &w.threshold, RechargeAmount: &w.recharge}); err != nil {
				return fmt.Errorf("auto-recharge %s: %w", w.customer, err)
			}
		}
		if _, err := svc.GrantCredits(ctx, p, cid, w.comp, w.expires, "Welcome credits"); err != nil {
			return fmt.Errorf("credits %s: %w", w.customer, err)
		}
		for i, amount := range w.draws {
			if _, err := svc.DrawWallet(ctx, p, service.UsageCharge{CustomerID: cid, Ref: fmt.Sprintf("demo-sms-%s-%d", w.customer, i),
				Amount: amount, Description: "SMS notifications"}); err != nil {
				return fmt.Errorf("draw %s: %w", w.customer, err)
			}
		}
	}
	return nil
}
