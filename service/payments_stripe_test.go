package service_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/internal/stripemock"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/payprovider/stripe"
	"github.com/facturo/facturo/payprovider/testcard"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

// TestPaymentsWithStripe runs cards and payments through the Stripe
// provider against stripe-mock, on both engines: what Facturo stores comes
// from Stripe's answers, the requests carry what Facturo meant, and an
// incomplete payment (stripe-mock's answer to every charge) writes nothing.
func TestPaymentsWithStripe(t *testing.T) {
	base, rec := stripemock.Start(t)
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		sp, err := stripe.New(stripe.Config{Key: "sk_test_facturo", URL: base})
		if err != nil {
			t.Fatal(err)
		}
		f := newPayFixture(t, db)
		f.svc = service.New(db, service.WithClock(f.clock.Now), service.WithPaymentProvider(sp))
		c := f.customers[1]
		rec.Take()
		m := must(f.svc.AddPaymentMethod(f.ctx, f.p, c.ID, service.NewPaymentMethod{Card: "pm_card_visa", IdempotencyKey: "add-1"})).ok(t)
		reqs := rec.Take()
		if len(reqs) != 2 || reqs[0].Path != "/v1/customers" || reqs[0].Form.Get("email") != c.Billing.Email || reqs[1].Form.Get("customer") != m.ProviderCustomer {
			t.Fatalf("stripe requests: %+v", reqs)
		}
		if m.Provider != "stripe" || !strings.HasPrefix(m.Token, "pm_") || m.Last4 == "" || !m.Primary {
			t.Fatalf("stored card: %+v", m)
		}
		// A second card reuses the Stripe customer.
		must(f.svc.AddPaymentMethod(f.ctx, f.p, c.ID, service.NewPaymentMethod{Card: "tok_mastercard"})).ok(t)
		if reqs = rec.Take(); len(reqs) != 2 || reqs[0].Path != "/v1/payment_methods" || reqs[1].Form.Get("customer") != m.ProviderCustomer {
			t.Fatalf("second card requests: %+v", reqs)
		}
		// A card number is refused before Stripe is called: bad input (issue 16).
		_, err = f.svc.AddPaymentMethod(f.ctx, f.p, c.ID, service.NewPaymentMethod{Card: "4242424242424242"})
		wantCode(t, err, fail.Invalid)

		inv := f.issue(t, 1, "12.34", "")
		before := f.counts(t)
		_, err = f.svc.PayInvoice(f.ctx, f.p, inv.ID, "", "pay-1")
		wantCode(t, err, fail.PaymentFailed)
		reqs = rec.Take()
		if len(reqs) != 1 || reqs[0].Path != "/v1/payment_intents" || reqs[0].Form.Get("amount") != "1234" || reqs[0].Form.Get("currency") != "eur" ||
			reqs[0].Form.Get("payment_method") != m.Token || reqs[0].Idempotency != "pay:pay-1" {
			t.Fatalf("charge requests: %+v", reqs)
		}
		f.same(t, before)
		wantInvoice(t, f.invoice(t, inv.ID), billing.Open, "0", "12.34")
		// A recorded card-terminal payment is refunded without Stripe (no charge id).
		pay := must(f.svc.RecordPayment(f.ctx, f.p, service.PaymentInput{CustomerID: c.ID, Method: "card", Amount: "12.34"})).ok(t)
		must(f.svc.RefundPayment(f.ctx, f.p, pay.ID, service.RefundInput{Amount: "2.00"})).ok(t)
		if reqs = rec.Take(); len(reqs) != 0 {
			t.Fatalf("a payment without a charge called Stripe: %+v", reqs)
		}
		checkPayLedger(t, f)
	})
}

// TestConcurrentPayments: many payments to one invoice at once never pay
// it more than it owes; what does not fit is credit or refused.
func TestConcurrentPayments(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newPayFixture(t, db)
		c := f.customers[1]
		inv := f.issue(t, 1, "100.00", "")
		var wg sync.WaitGroup
		var mu sync.Mutex
		var ok, refused int
		for i := range 12 {
			wg.Go(func() {
				in := service.PaymentInput{CustomerID: c.ID, Method: "bank_transfer", Amount: "30.00"}
				if i%2 == 0 {
					in.Invoices = []service.Allocation{{InvoiceID: inv.ID}}
				}
				_, err := f.svc.RecordPayment(f.ctx, f.p, in)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case fail.Is(err, fail.Invalid):
					refused++ // the invoice was paid by then
				default:
					t.Errorf("payment: %v", err)
				}
			})
		}
		wg.Wait()
		wantInvoice(t, f.invoice(t, inv.ID), billing.Closed, "100", "0")
		credit := must(f.svc.GetCustomerCredit(f.ctx, f.p, c.ID)).ok(t)
		want := dec("30").Mul(decimal.NewFromInt(int64(ok))).Sub(dec("100"))
		if len(credit) != 1 || !credit[0].Unapplied.Equal(money.In(want, credit[0].Currency)) || ok+refused != 12 || ok < 4 {
			t.Fatalf("%d paid, %d refused; credit %+v, want %s", ok, refused, credit, want)
		}
		checkPayLedger(t, f)
		var ids []string
		for _, p := range must(f.svc.ListPayments(f.ctx, f.p, service.PaymentFilter{})).ok(t) {
			ids = append(ids, p.ID)
		}
		checkPaymentBalances(t, f, ids)
	})
}

// TestPayInvoiceCompensates: a card charged whose bookkeeping then fails is
// refunded at once, and nothing is recorded.
func TestPayInvoiceCompensates(t *testing.T) {
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newPayFixture(t, db)
		tc := testcard.New()
		boom := fail.Newf(fail.Internal, "injected")
		f.svc = service.New(db, service.WithClock(f.clock.Now), service.WithPaymentProvider(tc),
			service.WithFaultHook(func(point string) error {
				if point == "card payment booked" {
					return boom
				}
				return nil
			}))
		inv := f.issue(t, 1, "40.00", "")
		must(f.svc.AddPaymentMethod(f.ctx, f.p, f.customers[1].ID, service.NewPaymentMethod{Card: "4242424242424242"})).ok(t)
		before := f.counts(t)
		if _, err := f.svc.PayInvoice(f.ctx, f.p, inv.ID, "", ""); err != boom {
			t.Fatalf("pay with a failing bookkeeping: %v", err)
		}
		f.same(t, before)
		if !tc.Net().IsZero() {
			t.Fatalf("the customer is out of %s after a failed payment", tc.Net())
		}
	})
}
