package service_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

// TestPaymentsLedgerProperty extends TestLedgerProperty with payments: a
// random sequence of invoices, credit notes, corrections, recorded and card
// payments (partial, full, overpaid, in a foreign currency), settlements,
// refunds, voids and write-offs, on both engines. After every step:
//
//   - every journal entry balances and the trial balance nets to zero;
//   - receivables (the control accounts) equal, per customer and in total,
//     the accounting balances of open invoices minus those of open credit
//     notes (checkLedger);
//   - the customer credit account (2300) holds exactly the unapplied part of
//     every payment at its own rate, so receivables minus customer credit =
//     open invoice balances − open credit notes − unapplied payments: what
//     customers owe net of the credit they hold;
//   - each payment's amount = unapplied + refunded + what its applications
//     still hold, and each invoice's paid = what payments' applications to it
//     still hold; a closed document has no balance.
func TestPaymentsLedgerProperty(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newPayFixture(t, db)
		ctx := f.ctx
		for _, c := range f.customers {
			must(f.svc.AddPaymentMethod(ctx, f.p, c.ID, service.NewPaymentMethod{Card: "4242424242424242", ExpYear: 2099, ExpMonth: 1})).ok(t)
		}
		r := rand.New(rand.NewPCG(7, uint64(len(db.Engine()))))
		var docs []string
		var pays []string
		counts := map[string]int{}
		steps := 120
		if testing.Short() {
			steps = 40
		}
		amount := func(cur string, max int) string {
			if cur == "JPY" {
				return fmt.Sprint(1 + r.IntN(max*100))
			}
			return fmt.Sprintf("%d.%02d", r.IntN(max), 1+r.IntN(99))
		}
		for step := range steps {
			ci := r.IntN(len(f.customers))
			c := f.customers[ci]
			cur := c.Billing.Currency
			var err error
			op := r.IntN(20)
			if len(docs) == 0 {
				op = 0
			}
			switch {
			case op < 6: // issue an invoice or (1 in 5) a credit note
				lines := randomLines(r, cur)
				in := service.InvoiceInput{CustomerID: &c.ID, Lines: &lines, InvoiceDate: ptr(calendar.New(2025, 3, 1+r.IntN(9)))}
				if r.IntN(5) == 0 {
					in.Kind = ptr("credit_note")
				}
				if cur != "EUR" {
					in.ExchangeRate = ptr(fmt.Sprintf("0.%04d", 1000+r.IntN(9000)))
				}
				var inv billing.Invoice
				if inv, err = f.svc.CreateInvoice(ctx, f.p, in); err == nil {
					var res service.StatusResult
					res, err = f.svc.UpdateInvoiceStatus(ctx, f.p, inv.ID, service.StatusChange{Status: "open"})
					docs = append(docs, res.Invoice.ID)
				}
				counts["issue"]++
			case op < 10: // record a payment: auto-applied, to one invoice, or kept as credit
				in := service.PaymentInput{CustomerID: c.ID, Method: []string{"bank_transfer", "cash", "card"}[r.IntN(3)], Amount: amount(cur, 400)}
				if cur != "EUR" {
					in.ExchangeRate = fmt.Sprintf("0.%04d", 1000+r.IntN(9000))
				}
				switch r.IntN(3) {
				case 0:
					in.NoAutoApply = true
				case 1:
					in.Invoices = []service.Allocation{{InvoiceID: docs[r.IntN(len(docs))]}}
				}
				var p service.Payment
				if p, err = f.svc.RecordPayment(ctx, f.p, in); err == nil {
					pays = append(pays, p.ID)
					counts["payment"]++
				}
			case op < 12: // charge the card for (part of) an invoice
				id := docs[r.IntN(len(docs))]
				amt := ""
				if r.IntN(2) == 0 {
					amt = amount(cur, 50)
				}
				var p service.Payment
				if p, err = f.svc.PayInvoice(ctx, f.p, id, amt, ""); err == nil {
					pays = append(pays, p.ID)
					counts["card"]++
				}
			case op < 15: // refund part of a payment, sometimes too much
				if len(pays) == 0 {
					continue
				}
				p := must(f.svc.GetPayment(ctx, f.p, pays[r.IntN(len(pays))])).ok(t)
				left := p.Amount.MustSub(p.Refunded).Decimal()
				amt := ""
				switch r.IntN(3) {
				case 0: // all that is left
				case 1:
					amt = left.Add(decimal.New(1, -int32(decimalPlaces(p.Currency)))).String() // one unit too much
				default:
					amt = left.Mul(decimal.NewFromFloat(0.5)).RoundDown(int32(decimalPlaces(p.Currency))).String()
				}
				_, err = f.svc.RefundPayment(ctx, f.p, p.ID, service.RefundInput{Amount: amt})
				if amt != "" && decimal.RequireFromString(amt).GreaterThan(left) {
					wantFields(t, err, "amount")
					counts["refund refused"]++
					err = nil
				} else if err == nil {
					counts["refund"]++
				}
			case op < 17: // settle open transactions
				_, err = f.svc.Settle(ctx, f.p, service.SettleInput{CustomerID: c.ID})
				if err == nil {
					counts["settle"]++
				}
			case op < 18: // correct an invoice
				_, err = f.svc.CorrectInvoice(ctx, f.p, docs[r.IntN(len(docs))], "PRICE", "property")
				if err == nil {
					counts["correct"]++
				}
			case op < 19:
				_, err = f.svc.UpdateInvoiceStatus(ctx, f.p, docs[r.IntN(len(docs))], service.StatusChange{Status: "void", Reason: "property"})
			default:
				_, err = f.svc.UpdateInvoiceStatus(ctx, f.p, docs[r.IntN(len(docs))], service.StatusChange{Status: "closed", Reason: "write off"})
			}
			if err != nil && !fail.Is(err, fail.Conflict) && !fail.Is(err, fail.Invalid) {
				t.Fatalf("step %d (op %d): %v", step, op, err)
			}
			checkPayLedger(t, f)
			checkPaymentBalances(t, f, pays)
		}
		if err := db.RebuildSummaries(ctx); err != nil {
			t.Fatal(err)
		}
		checkPayLedger(t, f)
		for _, k := range []string{"issue", "payment", "card", "refund", "refund refused", "settle", "correct"} {
			if counts[k] == 0 {
				t.Errorf("the random sequence never did %q (%v): change the seed or the weights", k, counts)
			}
		}
	})
}

func decimalPlaces(cur string) int {
	if cur == "JPY" {
		return 0
	}
	return 2
}

// checkPaymentBalances checks every payment and invoice adds up.
func checkPaymentBalances(t *testing.T, f *payFixture, pays []string) {
	t.Helper()
	paid := map[string]decimal.Decimal{}
	for _, id := range pays {
		p := must(f.svc.GetPayment(f.ctx, f.p, id)).ok(t)
		held := money.Zero(p.Amount.Currency())
		for _, a := range p.Applications {
			held = held.MustAdd(a.Amount.MustSub(a.Reversed))
			paid[a.InvoiceID] = paid[a.InvoiceID].Add(a.Amount.MustSub(a.Reversed).Decimal())
		}
		if p.Unapplied.Sign() < 0 || !p.Amount.Equal(p.Unapplied.MustAdd(p.Refunded).MustAdd(held)) {
			t.Fatalf("payment %s: amount %s ≠ unapplied %s + refunded %s + applied %s", p.ID, p.Amount, p.Unapplied, p.Refunded, held)
		}
	}
	invs, err := f.svc.ListInvoices(f.ctx, f.p, service.InvoiceFilter{Page: service.Page{Limit: service.MaxLimit}})
	if err != nil {
		t.Fatal(err)
	}
	for _, inv := range invs.Items {
		if inv.Kind == billing.KindInvoice && !inv.Paid.Decimal().Equal(paid[inv.ID]) {
			t.Fatalf("invoice %s: paid %s, payments applied %s", inv.Number, inv.Paid, paid[inv.ID])
		}
		if inv.Balance.Sign() < 0 || (inv.Status == billing.Closed || inv.Status == billing.Void) && !inv.Balance.IsZero() {
			t.Fatalf("document %s is %s with balance %s", inv.Number, inv.Status, inv.Balance)
		}
	}
}
