package service_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/payprovider/testcard"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
	"github.com/facturo/facturo/wallet"
)

// countingProvider is the real test provider, counting the charges asked of it.
type countingProvider struct {
	service.PaymentProvider
	charges atomic.Int64
}

func (c *countingProvider) Charge(ctx context.Context, req service.ChargeRequest) (service.ProviderCharge, error) {
	c.charges.Add(1)
	return c.PaymentProvider.Charge(ctx, req)
}

// newWalletEnv is newEnv with the (counting) test payment provider.
func newWalletEnv(t *testing.T, db *store.DB) (*env, *countingProvider) {
	t.Helper()
	e := newEnv(t, db)
	prov := &countingProvider{PaymentProvider: testcard.New()}
	e.svc = service.New(db, service.WithClock(e.clock.Now), service.WithPaymentProvider(prov))
	return e, prov
}

// walletCustomer makes a customer with a card on file and a wallet.
func walletCustomer(t *testing.T, e *env, name, card string) billing.Customer {
	t.Helper()
	c := billedCustomer(t, e, name)
	must(e.svc.AddPaymentMethod(e.ctx, e.pa, c.ID, service.NewPaymentMethod{Card: card, ExpMonth: 12, ExpYear: 2030})).ok(t)
	must(e.svc.SaveWallet(e.ctx, e.pa, c.ID, service.WalletInput{CreditRate: ptr("100")})).ok(t)
	return c
}

func wantDec(t *testing.T, what string, got decimal.Decimal, want string) {
	t.Helper()
	if !got.Equal(dec(want)) {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

// wantEUR checks an amount of tenant A's wallets: want euros.
func wantEUR(t *testing.T, what string, got money.Amount, want string) {
	t.Helper()
	if !got.Equal(money.In(dec(want), "EUR")) {
		t.Errorf("%s = %s %s, want %s EUR", what, got, got.Currency(), want)
	}
}

func TestWalletTopUpGrantsAndDraws(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e, prov := newWalletEnv(t, db)
		c := walletCustomer(t, e, "Wallet Owner", "4242424242424242")

		m := must(e.svc.AddFunds(e.ctx, e.pa, c.ID, "25.00")).ok(t)
		if m.Kind != wallet.MoveTopUp || m.ReceiptNumber != "WR-000001" || m.ProviderRef == "" || m.EntryID == "" || prov.charges.Load() != 1 {
			t.Fatalf("top-up %+v, charges %d", m, prov.charges.Load())
		}
		// Receipts are not emailed unless the tenant turns it on (seed 003's FAQ).
		if n := notices(t, e, ""); n != 0 {
			t.Errorf("a top-up queued %d notifications", n)
		}
		today := calendar.Today(e.clock.Now(), e.a.Location())
		must(e.svc.GrantCredits(e.ctx, e.pa, c.ID, "3.00", today, "sorry for the outage")).ok(t)
		v := must(e.svc.GrantCredits(e.ctx, e.pa, c.ID, "4.00", calendar.Date{}, "welcome")).ok(t)
		wantEUR(t, "paid", v.PaidBalance, "25")
		wantEUR(t, "complimentary", v.Complimentary, "7")
		wantEUR(t, "balance", v.Balance, "32")
		wantDec(t, "paid credits", v.PaidCredits, "2500")

		// Complimentary first (soonest expiry first), then paid.
		r := must(e.svc.DrawWallet(e.ctx, e.pa, service.UsageCharge{CustomerID: c.ID, Ref: "sms-1", Amount: "5.00", Description: "SMS"})).ok(t)
		wantEUR(t, "draw complimentary", r.Movement.Complimentary, "-5")
		wantEUR(t, "draw paid", r.Movement.Paid, "0")
		if r.Movement.EntryID != "" || r.SalesItem != nil {
			t.Errorf("a complimentary draw posted %q or billed %+v", r.Movement.EntryID, r.SalesItem)
		}
		r = must(e.svc.DrawWallet(e.ctx, e.pa, service.UsageCharge{CustomerID: c.ID, Ref: "sms-2", Amount: "10.00", Description: "SMS"})).ok(t)
		wantEUR(t, "second draw complimentary", r.Movement.Complimentary, "-2")
		wantEUR(t, "second draw paid", r.Movement.Paid, "-8")
		// The same ref again changes nothing.
		again := must(e.svc.DrawWallet(e.ctx, e.pa, service.UsageCharge{CustomerID: c.ID, Ref: "sms-2", Amount: "10.00", Description: "SMS"})).ok(t)
		if !again.Replayed || again.Movement.ID != r.Movement.ID {
			t.Errorf("replay: %+v", again)
		}
		// More than the wallet holds: the rest is billed as a usage item.
		r = must(e.svc.DrawWallet(e.ctx, e.pa, service.UsageCharge{CustomerID: c.ID, Ref: "sms-3", Amount: "20.00", Description: "SMS"})).ok(t)
		wantEUR(t, "third draw paid", r.Movement.Paid, "-17")
		if r.SalesItem == nil || !r.SalesItem.Gross.Decimal().Equal(dec("3")) || r.SalesItem.Source != billing.SourceUsage {
			t.Fatalf("billed rest: %+v", r.SalesItem)
		}
		v = must(e.svc.GetWallet(e.ctx, e.pa, c.ID)).ok(t)
		wantEUR(t, "paid after", v.PaidBalance, "0")
		wantEUR(t, "complimentary after", v.Complimentary, "0")

		// The ledger: prepayments hold exactly the paid balance.
		checkPrepayments(t, e, e.pa)

		// Expired lots are not drawn.
		must(e.svc.GrantCredits(e.ctx, e.pa, c.ID, "9.00", today, "today only")).ok(t)
		e.clock.Advance(48 * time.Hour)
		v = must(e.svc.GetWallet(e.ctx, e.pa, c.ID)).ok(t)
		wantEUR(t, "expired complimentary", v.Complimentary, "0")

		// Bad input: nothing written.
		before := e.count(t, "wallet_movements")
		_, err := e.svc.AddFunds(e.ctx, e.pa, c.ID, "-5")
		wantFields(t, err, "amount")
		_, err = e.svc.AddFunds(e.ctx, e.pa, c.ID, "1.001")
		wantFields(t, err, "amount")
		_, err = e.svc.GrantCredits(e.ctx, e.pa, c.ID, "5", calendar.New(2020, 1, 1), "")
		wantFields(t, err, "expires_on")
		_, err = e.svc.DrawWallet(e.ctx, e.pa, service.UsageCharge{CustomerID: c.ID, Amount: "x", Description: "SMS"})
		wantFields(t, err, "amount")
		_, err = e.svc.SaveWallet(e.ctx, e.pa, c.ID, service.WalletInput{Currency: ptr("USD")})
		wantFields(t, err, "currency")
		_, err = e.svc.SaveWallet(e.ctx, e.pa, c.ID, service.WalletInput{AutoRecharge: ptr(true), RechargeThreshold: ptr("10")})
		wantFields(t, err, "recharge_amount")
		if n := e.count(t, "wallet_movements"); n != before {
			t.Errorf("refused requests wrote %d movements", n-before)
		}

		// A declined card: 402, nothing written.
		d := walletCustomer(t, e, "Declined", "4000000000000341")
		before = e.count(t, "wallet_movements")
		_, err = e.svc.AddFunds(e.ctx, e.pa, d.ID, "10.00")
		wantCode(t, err, fail.PaymentFailed)
		if n := e.count(t, "wallet_movements"); n != before {
			t.Errorf("a declined top-up wrote %d movements", n-before)
		}

		// Roles: finance may not grant; a customer sees its own wallet only and may add funds.
		_, err = e.svc.GrantCredits(e.ctx, e.staff(access.Finance), c.ID, "1", calendar.Date{}, "")
		wantCode(t, err, fail.Forbidden)
		portal := access.Principal{TenantID: e.a.ID, UserID: "usr_c", Role: access.Customer, CustomerID: c.ID, Name: "portal"}
		must(e.svc.GetWallet(e.ctx, portal, c.ID)).ok(t)
		_, err = e.svc.GetWallet(e.ctx, portal, d.ID)
		wantCode(t, err, fail.NotFound)
		must(e.svc.AddFunds(e.ctx, portal, c.ID, "5.00")).ok(t)
		_, err = e.svc.SaveWallet(e.ctx, portal, c.ID, service.WalletInput{CreditRate: ptr("5")})
		wantCode(t, err, fail.Forbidden)
		must(e.svc.SaveWallet(e.ctx, portal, c.ID, service.WalletInput{AutoRecharge: ptr(true), RechargeThreshold: ptr("10"), RechargeAmount: ptr("50")})).ok(t)
	})
}

// notices counts queued notifications of a kind ("": all).
func notices(t *testing.T, e *env, kind string) int {
	t.Helper()
	var n int
	if err := e.db.SQL().QueryRowContext(e.ctx, `SELECT count(*) FROM notifications WHERE kind = $1 OR $1 = ''`, kind).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// checkPrepayments asserts the ledger balances and the customer-prepayments
// liability equals the sum of the wallets' paid balances.
func checkPrepayments(t *testing.T, e *env, p access.Principal) {
	t.Helper()
	tb := must(e.svc.TrialBalance(e.ctx, p, calendar.New(2100, 1, 1))).ok(t)
	var net, prepay decimal.Decimal
	for _, b := range tb {
		net = net.Add(b.Net.Decimal())
		if b.Account == "2200" {
			prepay = b.Net.Decimal().Neg()
		}
	}
	if !net.IsZero() {
		t.Errorf("trial balance nets to %s", net)
	}
	var paid decimal.Decimal
	if err := e.db.Read(e.ctx, func(tx service.Tx) error {
		ws, err := tx.ListWallets(e.ctx, p.TenantID)
		for _, w := range ws {
			paid = paid.Add(w.PaidBalance.Decimal())
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if !prepay.Equal(paid) {
		t.Errorf("prepayments liability %s, wallets' paid balances %s", prepay, paid)
	}
}

// TestWalletConcurrentDrawsRechargeOnce: 100 concurrent draws cross the
// threshold; exactly one recharge is made and the card is charged once,
// even with three nodes running the recharge jobs; the paid balance never
// goes below zero.
func TestWalletConcurrentDrawsRechargeOnce(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e, prov := newWalletEnv(t, db)
		c := walletCustomer(t, e, "Hot Wallet", "4242424242424242")
		must(e.svc.AddFunds(e.ctx, e.pa, c.ID, "1000.00")).ok(t)
		must(e.svc.SaveWallet(e.ctx, e.pa, c.ID, service.WalletInput{AutoRecharge: ptr(true), RechargeThreshold: ptr("500"), RechargeAmount: ptr("1000")})).ok(t)
		charges := prov.charges.Load()

		var wg sync.WaitGroup
		errs := make(chan error, 100)
		for i := range 100 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := e.svc.DrawWallet(e.ctx, e.pa, service.UsageCharge{CustomerID: c.ID, Ref: fmt.Sprintf("u-%d", i), Amount: "15.00", Description: "API calls"})
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		v := must(e.svc.GetWallet(e.ctx, e.pa, c.ID)).ok(t)
		wantEUR(t, "paid balance after 1,500 of draws on 1,000", v.PaidBalance, "0")
		ms := must(e.svc.ListWalletMovements(e.ctx, e.pa, c.ID, 500)).ok(t)
		billed := money.In(decimal.Zero, "EUR")
		for _, m := range ms {
			if m.PaidAfter.Sign() < 0 {
				t.Errorf("movement %s left the paid balance at %s", m.ID, m.PaidAfter)
			}
			billed = billed.MustAdd(m.Billed)
		}
		wantEUR(t, "billed", billed, "500")
		rcs := must(e.svc.ListWalletRecharges(e.ctx, e.pa, c.ID)).ok(t)
		if len(rcs) != 1 || rcs[0].Status != "pending" || v.PendingRechargeID != rcs[0].ID {
			t.Fatalf("recharges %+v, pending %q", rcs, v.PendingRechargeID)
		}
		// Three nodes run the jobs at once: one charge.
		var done atomic.Int64
		var jw sync.WaitGroup
		for range 3 {
			jw.Add(1)
			go func() {
				defer jw.Done()
				n, err := e.svc.ProcessWalletRecharges(e.ctx, e.a.ID, 10)
				if err != nil {
					t.Error(err)
				}
				done.Add(int64(n))
			}()
		}
		jw.Wait()
		if got := prov.charges.Load() - charges; got != 1 || done.Load() != 1 {
			t.Fatalf("%d charges, %d jobs run; want 1 and 1", got, done.Load())
		}
		v = must(e.svc.GetWallet(e.ctx, e.pa, c.ID)).ok(t)
		wantEUR(t, "paid after the recharge", v.PaidBalance, "1000")
		if v.PendingRechargeID != "" {
			t.Errorf("pending recharge %q after success", v.PendingRechargeID)
		}
		if n := must(e.svc.ProcessWalletRecharges(e.ctx, e.a.ID, 10)).ok(t); n != 0 {
			t.Errorf("a second run processed %d jobs", n)
		}
		checkPrepayments(t, e, e.pa)
		// The low-balance notice was queued once.
		if low := notices(t, e, "wallet.low_balance"); low != 1 {
			t.Errorf("%d low-balance notices, want 1", low)
		}
	})
}

// TestWalletRechargeRetries: a declined recharge queues a notification and
// retries with backoff until the tenant's maximum, then gives up.
func TestWalletRechargeRetries(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e, prov := newWalletEnv(t, db)
		must(e.svc.SetWalletSettings(e.ctx, e.pa, service.WalletSettings{RechargeMaxAttempts: 3, RechargeBackoffSecs: 60})).ok(t)
		c := walletCustomer(t, e, "Bad Card", "4000000000000341")
		must(e.svc.GrantCredits(e.ctx, e.pa, c.ID, "20.00", calendar.Date{}, "trial")).ok(t)
		must(e.svc.SaveWallet(e.ctx, e.pa, c.ID, service.WalletInput{AutoRecharge: ptr(true), RechargeThreshold: ptr("10"), RechargeAmount: ptr("50")})).ok(t)
		must(e.svc.DrawWallet(e.ctx, e.pa, service.UsageCharge{CustomerID: c.ID, Amount: "15", Description: "usage"})).ok(t)

		wantRecharge := func(status string, attempts int) service.Recharge {
			t.Helper()
			rcs := must(e.svc.ListWalletRecharges(e.ctx, e.pa, c.ID)).ok(t)
			if len(rcs) != 1 || rcs[0].Status != status || rcs[0].Attempts != attempts {
				t.Fatalf("recharges %+v, want one %s after %d attempts", rcs, status, attempts)
			}
			return rcs[0]
		}
		if n := must(e.svc.ProcessWalletRecharges(e.ctx, e.a.ID, 10)).ok(t); n != 1 {
			t.Fatalf("processed %d", n)
		}
		rc := wantRecharge("pending", 1)
		// Not due before its backoff.
		if n := must(e.svc.ProcessWalletRecharges(e.ctx, e.a.ID, 10)).ok(t); n != 0 {
			t.Fatalf("retried %d before the backoff", n)
		}
		e.clock.Advance(61 * time.Second)
		must(e.svc.ProcessWalletRecharges(e.ctx, e.a.ID, 10)).ok(t)
		rc2 := wantRecharge("pending", 2)
		if gap := rc2.NextAttemptAt.Sub(rc.NextAttemptAt); gap < 2*time.Minute {
			t.Errorf("second backoff %s, want it doubled", gap)
		}
		e.clock.Advance(3 * time.Minute)
		must(e.svc.ProcessWalletRecharges(e.ctx, e.a.ID, 10)).ok(t)
		wantRecharge("failed", 3)
		if prov.charges.Load() != 3 {
			t.Errorf("%d charges tried, want 3", prov.charges.Load())
		}
		v := must(e.svc.GetWallet(e.ctx, e.pa, c.ID)).ok(t)
		if v.PendingRechargeID != "" {
			t.Errorf("a failed recharge stays pending on the wallet")
		}
		if failed := notices(t, e, "wallet.recharge_failed"); failed != 2 { // the first failure and the last
			t.Errorf("%d recharge_failed notices, want 2", failed)
		}
		// The primary card cannot be removed while auto-recharge is on.
		pms := must(e.svc.ListPaymentMethods(e.ctx, e.pa, c.ID)).ok(t)
		before := e.count(t, "payment_methods")
		err := e.svc.RemovePaymentMethod(e.ctx, e.pa, c.ID, pms[0].ID)
		wantCode(t, err, fail.Conflict)
		if e.count(t, "payment_methods") != before {
			t.Fatal("the card was removed")
		}
		other := must(e.svc.AddPaymentMethod(e.ctx, e.pa, c.ID, service.NewPaymentMethod{Card: "5555555555554444"})).ok(t)
		must(e.svc.SetPrimaryPaymentMethod(e.ctx, e.pa, c.ID, other.ID)).ok(t)
		if err := e.svc.RemovePaymentMethod(e.ctx, e.pa, c.ID, pms[0].ID); err != nil {
			t.Fatalf("removing a card no longer primary: %v", err)
		}
		must(e.svc.SaveWallet(e.ctx, e.pa, c.ID, service.WalletInput{AutoRecharge: ptr(false)})).ok(t)
		if err := e.svc.RemovePaymentMethod(e.ctx, e.pa, c.ID, other.ID); err != nil {
			t.Fatalf("removing the primary card with auto-recharge off: %v", err)
		}
		// Without a primary card auto-recharge cannot be turned on.
		_, err = e.svc.SaveWallet(e.ctx, e.pa, c.ID, service.WalletInput{AutoRecharge: ptr(true)})
		wantFields(t, err, "auto_recharge")
	})
}

// TestWalletLedgerProperty runs random sequences of invoices, payments,
// refunds, top-ups, draws, complimentary grants and recharges on a few
// customers: the ledger balances, receivables equal the open invoice
// balances, and the prepayment liability equals the wallets' paid balances
// (in total and per customer).
func TestWalletLedgerProperty(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e, _ := newWalletEnv(t, db)
		seed := uint64(time.Now().UnixNano())
		rng := rand.New(rand.NewPCG(6, seed))
		t.Logf("seed %d", seed)
		var cs []billing.Customer
		for i := range 3 {
			c := walletCustomer(t, e, fmt.Sprintf("Prop %d", i), "4242424242424242")
			must(e.svc.SaveWallet(e.ctx, e.pa, c.ID, service.WalletInput{AutoRecharge: ptr(true), RechargeThreshold: ptr("20"), RechargeAmount: ptr("30")})).ok(t)
			cs = append(cs, c)
		}
		must(e.svc.SetWalletSettings(e.ctx, e.pa, service.WalletSettings{AllowNegative: rng.IntN(2) == 0, RechargeMaxAttempts: 2, RechargeBackoffSecs: 1})).ok(t)
		amount := func() string { return fmt.Sprintf("%d.%02d", rng.IntN(40), rng.IntN(100)+1) }
		var payments []string
		check := func() {
			t.Helper()
			checkPrepayments(t, e, e.pa)
			tb := must(e.svc.TrialBalance(e.ctx, e.pa, calendar.New(2100, 1, 1))).ok(t)
			var ar, open decimal.Decimal
			for _, b := range tb {
				if b.Account == "1100" {
					ar = b.Net.Decimal()
				}
			}
			if err := e.db.Read(e.ctx, func(tx service.Tx) error {
				docs, err := tx.OpenDocuments(e.ctx, e.a.ID, "")
				for _, d := range docs {
					open = open.Add(d.BalanceAccounting.Decimal())
				}
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if !ar.Equal(open) {
				t.Errorf("receivables %s, open invoice balances %s", ar, open)
			}
		}
		for step := range 80 {
			c := cs[rng.IntN(len(cs))]
			var err error
			switch rng.IntN(8) {
			case 0:
				_, err = e.svc.AddFunds(e.ctx, e.pa, c.ID, amount())
			case 1:
				_, err = e.svc.GrantCredits(e.ctx, e.pa, c.ID, amount(), calendar.Date{}, "prop")
			case 2, 3:
				_, err = e.svc.DrawWallet(e.ctx, e.pa, service.UsageCharge{CustomerID: c.ID, Amount: amount(), Description: "usage"})
			case 4:
				e.clock.Advance(2 * time.Second)
				_, err = e.svc.ProcessWalletRecharges(e.ctx, e.a.ID, 10)
			case 5:
				a := amount()
				lines := []service.LineInput{{Description: "service", Amount: &a}}
				var inv billing.Invoice
				if inv, err = e.svc.CreateInvoice(e.ctx, e.pa, service.InvoiceInput{CustomerID: &c.ID, Lines: &lines}); err == nil {
					_, err = e.svc.UpdateInvoiceStatus(e.ctx, e.pa, inv.ID, service.StatusChange{Status: "open"})
				}
			case 6:
				var pay service.Payment
				if pay, err = e.svc.RecordPayment(e.ctx, e.pa, service.PaymentInput{CustomerID: c.ID, Method: service.PayBankTransfer, Amount: amount()}); err == nil {
					payments = append(payments, pay.ID)
				}
			case 7:
				if len(payments) == 0 {
					continue
				}
				_, err = e.svc.RefundPayment(e.ctx, e.pa, payments[rng.IntN(len(payments))], service.RefundInput{Amount: "0.01", Reason: "prop"})
				if fail.Is(err, fail.Invalid) {
					err = nil // fully refunded already
				}
			}
			if err != nil {
				t.Fatalf("step %d: %v", step, err)
			}
			if step%10 == 9 {
				check()
			}
		}
		check()
		sub := map[string]decimal.Decimal{}
		if err := e.db.Read(e.ctx, func(tx service.Tx) error {
			var err error
			sub, err = tx.SubledgerBalances(e.ctx, e.a.ID, []string{"2200"})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			v := must(e.svc.GetWallet(e.ctx, e.pa, c.ID)).ok(t)
			if !sub[c.ID].Neg().Equal(v.PaidBalance.Decimal()) {
				t.Errorf("%s: prepayments subledger %s, wallet %s", c.Name, sub[c.ID].Neg(), v.PaidBalance)
			}
		}
	})
}

// TestUsageImportDrawsWallet: imported usage of a customer with a wallet is
// paid from the wallet first; the rest is billed; a re-import changes nothing.
func TestUsageImportDrawsWallet(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e, _ := newWalletEnv(t, db)
		c := walletCustomer(t, e, "Usage Wallet", "4242424242424242")
		plain := e.customer(t, e.pa, "No Wallet")
		must(e.svc.AddFunds(e.ctx, e.pa, c.ID, "10.00")).ok(t)
		must(e.svc.CreateProduct(e.ctx, e.pa, service.ProductInput{Code: ptr("SMS"), Name: ptr("SMS"), ChargeType: ptr("usage"), DefaultPrice: ptr("0.05")})).ok(t)
		recs := []service.UsageRecord{
			{RecordID: "r1", CustomerRef: c.Number, SKU: "SMS", Quantity: "100", PeriodStart: calendar.New(2025, 3, 1), PeriodEnd: calendar.New(2025, 3, 9)}, // 5.00
			{RecordID: "r2", CustomerRef: c.Number, SKU: "SMS", Quantity: "200", PeriodStart: calendar.New(2025, 3, 1), PeriodEnd: calendar.New(2025, 3, 9)}, // 10.00: 5 paid, 5 billed
			{RecordID: "r3", CustomerRef: plain.Number, SKU: "SMS", Quantity: "10", PeriodStart: calendar.New(2025, 3, 1), PeriodEnd: calendar.New(2025, 3, 9)},
		}
		rep := must(e.svc.ImportUsage(e.ctx, e.pa, recs)).ok(t)
		if rep.Imported != 3 || rep.Rows[0].ItemID != "" || rep.Rows[1].ItemID == "" || rep.Rows[2].ItemID == "" {
			t.Fatalf("import: %+v", rep)
		}
		si := must(e.svc.GetSalesItem(e.ctx, e.pa, rep.Rows[1].ItemID)).ok(t)
		wantEUR(t, "billed rest", si.Gross, "5")
		v := must(e.svc.GetWallet(e.ctx, e.pa, c.ID)).ok(t)
		wantEUR(t, "wallet after usage", v.PaidBalance, "0")
		rep = must(e.svc.ImportUsage(e.ctx, e.pa, recs)).ok(t)
		if rep.Duplicates != 3 || rep.Imported != 0 {
			t.Fatalf("re-import: %+v", rep)
		}
		// Usage imported before the wallet existed is not drawn again.
		must(e.svc.AddPaymentMethod(e.ctx, e.pa, plain.ID, service.NewPaymentMethod{Card: "4242424242424242"})).ok(t)
		must(e.svc.SaveWallet(e.ctx, e.pa, plain.ID, service.WalletInput{})).ok(t)
		must(e.svc.AddFunds(e.ctx, e.pa, plain.ID, "10.00")).ok(t)
		rep = must(e.svc.ImportUsage(e.ctx, e.pa, recs[2:])).ok(t)
		if rep.Duplicates != 1 {
			t.Fatalf("re-import after opening a wallet: %+v", rep)
		}
		wantEUR(t, "untouched wallet", must(e.svc.GetWallet(e.ctx, e.pa, plain.ID)).ok(t).PaidBalance, "10")
		checkPrepayments(t, e, e.pa)
	})
}
