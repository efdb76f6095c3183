package demo

import (
	"context"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service"
)

// seedPayments shows payments: test cards on file (with the built-in test
// provider), a card payment closing an invoice, a partial bank transfer, a
// foreign-currency transfer at its own rate, a cash overpayment kept as
// credit and partly refunded, and a dunning schedule with its reminders.
func seedPayments(ctx context.Context, svc *service.Service, p access.Principal, ids map[string]string) error {
	find := func(number, provider string) (billing.Invoice, error) {
		page, err := svc.ListInvoices(ctx, p, service.InvoiceFilter{CustomerID: ids[number], Kind: billing.KindInvoice,
			Statuses: billing.OwedStatuses, Page: service.Page{Limit: service.MaxLimit}})
		if err != nil {
			return billing.Invoice{}, err
		}
		for _, inv := range page.Items {
			if inv.Provider == provider {
				return inv, nil
			}
		}
		return billing.Invoice{}, fmt.Errorf("demo: no open %s invoice of %s", provider, number)
	}
	if svc.PaymentProviderName() == "test" {
		cards := []struct {
			customer, number string
			month, year      int
		}{
			{"C-1002", "4242424242424242", 8, 2029}, // the first card is primary
			{"C-1002", "5555555555554444", 3, 2028},
			{"C-1004", "378282246310005", 11, 2030},
			{"C-1005", "4242424242424242", 1, 2031},
		}
		for _, c := range cards {
			if _, err := svc.AddPaymentMethod(ctx, p, ids[c.customer], service.NewPaymentMethod{Card: c.number, ExpMonth: c.month, ExpYear: c.year}); err != nil {
				return fmt.Errorf("demo card: %w", err)
			}
		}
		// Ferretería Núñez pays its oldest Microsoft invoice with its primary card.
		inv, err := find("C-1002", "Microsoft")
		if err != nil {
			return err
		}
		if _, err := svc.PayInvoice(ctx, p, inv.ID, "", "demo-card-payment"); err != nil {
			return fmt.Errorf("demo card payment: %w", err)
		}
	}
	// A partial bank transfer: the Google invoice stays open with its balance.
	google, err := find("C-1003", "Google")
	if err != nil {
		return err
	}
	if _, err := svc.RecordPayment(ctx, p, service.PaymentInput{CustomerID: google.InvoiceAccountID, Method: service.PayBankTransfer,
		Amount: "100.00", Reference: "TRF 2026-0412 (a cuenta)", Invoices: []service.Allocation{{InvoiceID: google.ID}}}); err != nil {
		return fmt.Errorf("demo partial payment: %w", err)
	}
	// A BRL transfer at the payment day's rate settles the BRL invoice in full.
	brl, err := find("C-1004", "AWS")
	if err != nil {
		return err
	}
	if _, err := svc.RecordPayment(ctx, p, service.PaymentInput{CustomerID: brl.InvoiceAccountID, Method: service.PayBankTransfer,
		Amount: brl.Balance.Fixed(), Currency: "BRL", ExchangeRate: "0.1750", Reference: "PIX 7781-2",
		Invoices: []service.Allocation{{InvoiceID: brl.ID}}}); err != nil {
		return fmt.Errorf("demo BRL payment: %w", err)
	}
	// Cash above the Microsoft invoice: the rest is credit, part of it refunded.
	ms, err := find("C-1005", "Microsoft")
	if err != nil {
		return err
	}
	over, err := svc.RecordPayment(ctx, p, service.PaymentInput{CustomerID: ms.InvoiceAccountID, Method: service.PayCash,
		Amount: money.Fixed(ms.Balance.Decimal().Add(decimal.NewFromInt(50)), ms.Currency), Reference: "Recibo 0093"})
	if err != nil {
		return fmt.Errorf("demo overpayment: %w", err)
	}
	if _, err := svc.RefundPayment(ctx, p, over.ID, service.RefundInput{Amount: "20.00", Reason: "Devolución parcial del exceso"}); err != nil {
		return fmt.Errorf("demo refund: %w", err)
	}
	// Reminders 3, 7 and 14 days past due.
	if _, err := svc.SetDunningSchedule(ctx, p, []int{3, 7, 14}); err != nil {
		return err
	}
	_, err = svc.SweepDunning(ctx, p.TenantID)
	return err
}
