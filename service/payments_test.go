package service_test

import (
	"context"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/payprovider/testcard"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

// payFixture is a tenant (EUR) with customers from ledgerFixture: [0] and
// [1] bill in EUR ([0] on the resellers' receivables account), [2] in USD.
type payFixture struct {
	ctx       context.Context
	svc       *service.Service
	db        *store.DB
	clock     *clock
	p         access.Principal
	customers []billing.Customer
}

func newPayFixture(t *testing.T, db *store.DB) *payFixture {
	t.Helper()
	c := newClock()
	svc := service.New(db, service.WithClock(c.Now), service.WithPaymentProvider(testcard.New()))
	p, customers := ledgerFixture(t, svc, 3)
	return &payFixture{ctx: context.Background(), svc: svc, db: db, clock: c, p: p, customers: customers}
}

// issue issues a document of amount (net, tax-exempt) to customer i.
func (f *payFixture) issue(t *testing.T, i int, amount string, kind string) billing.Invoice {
	t.Helper()
	c := f.customers[i]
	lines := []service.LineInput{{Description: "service", Amount: &amount, ItemSalesTaxGroup: "EXM"}}
	in := service.InvoiceInput{CustomerID: &c.ID, Lines: &lines, InvoiceDate: ptr(calendar.New(2025, 3, 1))}
	if kind != "" {
		in.Kind = &kind
	}
	if c.Billing.Currency != "EUR" {
		in.ExchangeRate = ptr("0.9")
	}
	inv := must(f.svc.CreateInvoice(f.ctx, f.p, in)).ok(t)
	return must(f.svc.UpdateInvoiceStatus(f.ctx, f.p, inv.ID, service.StatusChange{Status: "open"})).ok(t).Invoice
}

func (f *payFixture) invoice(t *testing.T, id string) billing.Invoice {
	t.Helper()
	return must(f.svc.GetInvoice(f.ctx, f.p, id)).ok(t)
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func wantInvoice(t *testing.T, inv billing.Invoice, status billing.Status, paid, balance string) {
	t.Helper()
	if inv.Status != status || !inv.Paid.Decimal().Equal(dec(paid)) || !inv.Balance.Decimal().Equal(dec(balance)) {
		t.Fatalf("invoice %s: status %s paid %s balance %s, want %s %s %s", inv.Number, inv.Status, inv.Paid, inv.Balance, status, paid, balance)
	}
}

// counts returns the rows of the tables a payment writes.
func (f *payFixture) counts(t *testing.T) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, tb := range []string{"payments", "payment_applications", "refunds", "journal_entries", "journal_lines", "notifications", "audit_log", "counters", "payment_methods"} {
		var n int
		if err := f.db.SQL().QueryRowContext(f.ctx, `SELECT count(*) FROM `+tb).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[tb] = n
	}
	return out
}

func (f *payFixture) same(t *testing.T, before map[string]int) {
	t.Helper()
	after := f.counts(t)
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s: %d rows before, %d after a refused request", k, v, after[k])
		}
	}
}

func TestPaymentsSettlement(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newPayFixture(t, db)
		c := f.customers[1]
		inv1 := f.issue(t, 1, "100.00", "")
		inv2 := f.issue(t, 1, "50.00", "")

		// A partial payment to inv1.
		pay := must(f.svc.RecordPayment(f.ctx, f.p, service.PaymentInput{CustomerID: c.ID, Method: "bank_transfer", Amount: "40.00",
			Reference: "TRF-1", Invoices: []service.Allocation{{InvoiceID: inv1.ID}}})).ok(t)
		if !pay.Unapplied.IsZero() || len(pay.Applications) != 1 || pay.EntryID == "" {
			t.Fatalf("partial payment: %+v", pay)
		}
		wantInvoice(t, f.invoice(t, inv1.ID), billing.Open, "40", "60")
		checkLedger(t, f.ctx, f.svc, db, f.p)

		// 100 more, auto-applied oldest due first: pays inv1 (60) and 40 of inv2.
		pay2 := must(f.svc.RecordPayment(f.ctx, f.p, service.PaymentInput{CustomerID: c.ID, Method: "cash", Amount: "100"})).ok(t)
		wantInvoice(t, f.invoice(t, inv1.ID), billing.Closed, "100", "0")
		wantInvoice(t, f.invoice(t, inv2.ID), billing.Open, "40", "10")
		if len(pay2.Applications) != 2 || !pay2.Unapplied.IsZero() {
			t.Fatalf("auto-applied payment: %+v", pay2)
		}
		// An overpayment: 30 against inv2's 10 leaves 20 of credit.
		pay3 := must(f.svc.RecordPayment(f.ctx, f.p, service.PaymentInput{CustomerID: c.ID, Method: "card", Amount: "30",
			Invoices: []service.Allocation{{InvoiceID: inv2.ID}}})).ok(t)
		wantInvoice(t, f.invoice(t, inv2.ID), billing.Closed, "50", "0")
		if !pay3.Unapplied.Decimal().Equal(dec("20")) {
			t.Fatalf("overpayment unapplied %s, want 20", pay3.Unapplied)
		}
		checkPayLedger(t, f)
		credit := must(f.svc.GetCustomerCredit(f.ctx, f.p, c.ID)).ok(t)
		if len(credit) != 1 || !credit[0].Unapplied.Decimal().Equal(dec("20")) {
			t.Fatalf("credit: %+v", credit)
		}
		// The next invoice uses the credit when issued.
		inv3 := f.issue(t, 1, "25.00", "")
		wantInvoice(t, inv3, billing.Open, "20", "5")
		wantInvoice(t, f.invoice(t, inv3.ID), billing.Open, "20", "5")
		if p := must(f.svc.GetPayment(f.ctx, f.p, pay3.ID)).ok(t); !p.Unapplied.IsZero() || len(p.Applications) != 2 {
			t.Fatalf("credit used: %+v", p)
		}
		checkPayLedger(t, f)
		// A credit note settles the rest: settle open transactions.
		cn := f.issue(t, 1, "8.00", "credit_note")
		st := must(f.svc.Settle(f.ctx, f.p, service.SettleInput{CustomerID: c.ID})).ok(t)
		if len(st.Applications) != 1 || st.Applications[0].SourceID != cn.ID || !st.Applications[0].Amount.Decimal().Equal(dec("5")) {
			t.Fatalf("settlement: %+v", st)
		}
		wantInvoice(t, f.invoice(t, inv3.ID), billing.Closed, "20", "0") // a credit note lowers the balance, not "paid"
		if got := f.invoice(t, cn.ID); got.Status != billing.Open || !got.Balance.Decimal().Equal(dec("3")) {
			t.Fatalf("credit note after settlement: %s %s", got.Status, got.Balance)
		}
		checkPayLedger(t, f)
		_, err := f.svc.Settle(f.ctx, f.p, service.SettleInput{CustomerID: c.ID})
		wantCode(t, err, fail.Conflict) // nothing left to settle

		// Refunds: never above what was paid; the unapplied part first,
		// then applications newest first, reopening the invoice.
		before := f.counts(t)
		_, err = f.svc.RefundPayment(f.ctx, f.p, pay2.ID, service.RefundInput{Amount: "100.01"})
		wantFields(t, err, "amount")
		_, err = f.svc.RefundPayment(f.ctx, f.p, pay2.ID, service.RefundInput{Amount: "-1"})
		wantFields(t, err, "amount")
		f.same(t, before)
		r := must(f.svc.RefundPayment(f.ctx, f.p, pay2.ID, service.RefundInput{Amount: "45", Reason: "goodwill"})).ok(t)
		if !r.Amount.Decimal().Equal(dec("45")) || r.EntryID == "" {
			t.Fatalf("refund: %+v", r)
		}
		// pay2 paid 60 of inv1 then 40 of inv2: 40 comes back from inv2, 5 from inv1.
		wantInvoice(t, f.invoice(t, inv2.ID), billing.Open, "10", "40")
		wantInvoice(t, f.invoice(t, inv1.ID), billing.Open, "95", "5")
		checkPayLedger(t, f)
		// The settled invoice that reopened says so in its audit trail.
		trail := must(f.svc.ListAudit(f.ctx, f.p, service.AuditFilter{TargetID: inv2.ID, Page: service.Page{Limit: 50}})).ok(t)
		reopened := 0
		for _, a := range trail.Items {
			if a.Action == "invoice.reopened" {
				reopened++
			}
		}
		if reopened != 1 {
			t.Fatalf("invoice %s has %d reopened entries in its audit trail, want 1", inv2.Number, reopened)
		}
		_, err = f.svc.RefundPayment(f.ctx, f.p, pay2.ID, service.RefundInput{Amount: "55.01"})
		wantFields(t, err, "amount")
		must(f.svc.RefundPayment(f.ctx, f.p, pay2.ID, service.RefundInput{})).ok(t) // the remaining 55
		_, err = f.svc.RefundPayment(f.ctx, f.p, pay2.ID, service.RefundInput{})
		wantCode(t, err, fail.Conflict)
		wantInvoice(t, f.invoice(t, inv1.ID), billing.Open, "40", "60")
		checkPayLedger(t, f)

		// The receipt is queued for the customer.
		ntf := must(f.svc.ListNotifications(f.ctx, f.p, inv1.ID)).ok(t)
		_ = ntf
		var receipts int
		if err := db.SQL().QueryRowContext(f.ctx, `SELECT count(*) FROM notifications WHERE kind = 'payment.receipt'`).Scan(&receipts); err != nil || receipts != 3 {
			t.Fatalf("receipts %d (%v), want 3", receipts, err)
		}
	})
}

func TestPaymentsRefused(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newPayFixture(t, db)
		eur, usd := f.customers[1], f.customers[2]
		inv := f.issue(t, 1, "100.00", "")
		usdInv := f.issue(t, 2, "100.00", "")
		before := f.counts(t)
		cases := []struct {
			name   string
			in     service.PaymentInput
			fields []string
		}{
			{"no rate", service.PaymentInput{CustomerID: usd.ID, Method: "bank_transfer", Amount: "10", Currency: "USD"}, []string{"exchange_rate"}},
			{"bad method and amount", service.PaymentInput{CustomerID: eur.ID, Method: "cheque", Amount: "0"}, []string{"method", "amount"}},
			{"too many decimals", service.PaymentInput{CustomerID: eur.ID, Method: "cash", Amount: "1.001"}, []string{"amount"}},
			{"future", service.PaymentInput{CustomerID: eur.ID, Method: "cash", Amount: "1", Date: calendar.New(2030, 1, 1)}, []string{"date"}},
			{"above balance", service.PaymentInput{CustomerID: eur.ID, Method: "cash", Amount: "200",
				Invoices: []service.Allocation{{InvoiceID: inv.ID, Amount: "100.01"}}}, []string{"invoices[0].amount"}},
			{"other currency invoice", service.PaymentInput{CustomerID: eur.ID, Method: "cash", Amount: "10",
				Invoices: []service.Allocation{{InvoiceID: usdInv.ID}}}, []string{"invoices[0].invoice_id"}},
			{"unknown customer", service.PaymentInput{CustomerID: "cus_nope", Method: "cash", Amount: "10"}, []string{"customer_id"}},
		}
		for _, tc := range cases {
			_, err := f.svc.RecordPayment(f.ctx, f.p, tc.in)
			if err == nil {
				t.Fatalf("%s: accepted", tc.name)
			}
			wantFields(t, err, tc.fields...)
		}
		// A payment in another currency with its rate is fine.
		pay := must(f.svc.RecordPayment(f.ctx, f.p, service.PaymentInput{CustomerID: usd.ID, Method: "bank_transfer", Amount: "60",
			Currency: "USD", ExchangeRate: "0.95"})).ok(t)
		if !pay.AmountAccounting.Decimal().Equal(dec("57")) || len(pay.Applications) != 1 {
			t.Fatalf("USD payment: %+v", pay)
		}
		checkPayLedger(t, f)
		before = f.counts(t)

		// Cards: no card, declined, expired: 4xx and nothing written.
		_, err := f.svc.PayInvoice(f.ctx, f.p, inv.ID, "", "")
		wantCode(t, err, fail.Conflict)
		sys := f.p
		must(f.svc.AddPaymentMethod(f.ctx, sys, eur.ID, service.NewPaymentMethod{Card: "4000000000000341"})).ok(t)
		before = f.counts(t)
		_, err = f.svc.PayInvoice(f.ctx, f.p, inv.ID, "", "")
		wantCode(t, err, fail.PaymentFailed)
		if !strings.Contains(err.Error(), "card_declined") {
			t.Fatalf("decline: %v", err)
		}
		f.same(t, before)
		ok := must(f.svc.AddPaymentMethod(f.ctx, sys, eur.ID, service.NewPaymentMethod{Card: "4242424242424242", ExpMonth: 3, ExpYear: 2025, Primary: true})).ok(t)
		f.clock.Advance(40 * 24 * 3600e9) // April 2025: the card has expired
		before = f.counts(t)
		_, err = f.svc.PayInvoice(f.ctx, f.p, inv.ID, "", "")
		wantCode(t, err, fail.PaymentFailed)
		f.same(t, before)
		_ = ok
		wantInvoice(t, f.invoice(t, inv.ID), billing.Open, "0", "100")
	})
}

func TestPayInvoiceByCard(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newPayFixture(t, db)
		c := f.customers[1]
		inv := f.issue(t, 1, "100.00", "")
		self := access.Principal{TenantID: f.p.TenantID, UserID: "usr_c", Role: access.Customer, CustomerID: c.ID, Name: "customer"}
		must(f.svc.AddPaymentMethod(f.ctx, self, c.ID, service.NewPaymentMethod{Card: "4242424242424242"})).ok(t)
		// The customer pays part, then the rest, with its primary card.
		p1 := must(f.svc.PayInvoice(f.ctx, self, inv.ID, "30.00", "k1")).ok(t)
		if p1.Method != "card" || p1.ChargeID == "" || p1.CardLast4 != "4242" || p1.Provider != "test" {
			t.Fatalf("card payment: %+v", p1)
		}
		wantInvoice(t, f.invoice(t, inv.ID), billing.Open, "30", "70")
		_, err := f.svc.PayInvoice(f.ctx, self, inv.ID, "70.01", "")
		wantFields(t, err, "amount")
		must(f.svc.PayInvoice(f.ctx, self, inv.ID, "", "k2")).ok(t)
		wantInvoice(t, f.invoice(t, inv.ID), billing.Closed, "100", "0")
		_, err = f.svc.PayInvoice(f.ctx, self, inv.ID, "", "")
		wantCode(t, err, fail.Conflict)
		checkPayLedger(t, f)
		// Another customer's invoice is not found; sales may not charge cards.
		other := f.issue(t, 0, "10", "")
		_, err = f.svc.PayInvoice(f.ctx, self, other.ID, "", "")
		wantCode(t, err, fail.NotFound)
		sales := access.Principal{TenantID: f.p.TenantID, UserID: "usr_s", Role: access.Sales, Name: "sales"}
		_, err = f.svc.PayInvoice(f.ctx, sales, other.ID, "", "")
		wantCode(t, err, fail.Forbidden)
		_, err = f.svc.RecordPayment(f.ctx, sales, service.PaymentInput{CustomerID: c.ID, Method: "cash", Amount: "1"})
		wantCode(t, err, fail.Forbidden)
		fin := access.Principal{TenantID: f.p.TenantID, UserID: "usr_f", Role: access.Finance, Name: "finance"}
		must(f.svc.RecordPayment(f.ctx, fin, service.PaymentInput{CustomerID: f.customers[0].ID, Method: "cash", Amount: "10"})).ok(t)
		// A card refund goes through the provider.
		r := must(f.svc.RefundPayment(f.ctx, fin, p1.ID, service.RefundInput{Amount: "10"})).ok(t)
		if !strings.HasPrefix(r.ProviderRefund, "re_test_") {
			t.Fatalf("card refund: %+v", r)
		}
		wantInvoice(t, f.invoice(t, inv.ID), billing.Open, "90", "10")
		checkPayLedger(t, f)
		// The customer sees its own payments only.
		own := must(f.svc.ListPayments(f.ctx, self, service.PaymentFilter{})).ok(t)
		if len(own) != 2 {
			t.Fatalf("customer's payments: %d", len(own))
		}
	})
}

// checkPayLedger asserts checkLedger's invariants plus: the customer credit
// account holds exactly the unapplied payments, in accounting currency.
func checkPayLedger(t *testing.T, f *payFixture) {
	t.Helper()
	checkLedger(t, f.ctx, f.svc, f.db, f.p)
	tb := must(f.svc.TrialBalance(f.ctx, f.p, calendar.New(2100, 1, 1))).ok(t)
	var credit decimal.Decimal
	for _, b := range tb {
		if b.Account == "2300" {
			credit = b.Net.Decimal().Neg()
		}
	}
	var unapplied decimal.Decimal
	pays := must(f.svc.ListPayments(f.ctx, f.p, service.PaymentFilter{Limit: 1000})).ok(t)
	for _, p := range pays {
		rate := p.ExchangeRate
		unapplied = unapplied.Add(p.Unapplied.Decimal().Mul(rate).Round(2))
	}
	if !credit.Equal(unapplied) {
		t.Fatalf("customer credit account %s ≠ unapplied payments %s", credit, unapplied)
	}
}
