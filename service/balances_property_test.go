package service_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

// TestOpenReceivableProperty issues random invoices and credit notes,
// records and refunds payments, corrects, voids and writes off documents
// and moves the clock, and after every step checks that every customer's
// open receivable is one figure wherever it is shown: the staff dashboard,
// the portal's dashboard, the invoice totals (in the accounting currency),
// the receivables report and
// the customer's postings on the receivables accounts (the ledger).
func TestOpenReceivableProperty(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newPayFixture(t, db)
		ctx := f.ctx
		r := rand.New(rand.NewPCG(12, uint64(len(db.Engine()))))
		var docs []string
		counts := map[string]int{}
		steps := 80
		if testing.Short() {
			steps = 30
		}
		amount := func(cur string, max int) string {
			if cur == "JPY" {
				return fmt.Sprint(1 + r.IntN(max*100))
			}
			return fmt.Sprintf("%d.%02d", r.IntN(max), 1+r.IntN(99))
		}
		lastDoc := map[string]string{} // customer → a document billed to it
		for step := range steps {
			c := f.customers[r.IntN(len(f.customers))]
			cur := c.Billing.Currency
			var err error
			op := r.IntN(20)
			if len(docs) == 0 {
				op = 0
			}
			switch {
			case op < 7: // issue an invoice or (1 in 3) a credit note
				lines := randomLines(r, cur)
				in := service.InvoiceInput{CustomerID: &c.ID, Lines: &lines, InvoiceDate: ptr(calendar.New(2025, 3, 1+r.IntN(9)))}
				if r.IntN(3) == 0 {
					in.Kind = ptr("credit_note")
				}
				if cur != "EUR" {
					in.ExchangeRate = ptr(fmt.Sprintf("0.%04d", 1000+r.IntN(9000)))
				}
				inv := must(f.svc.CreateInvoice(ctx, f.p, in)).ok(t)
				var res service.StatusResult
				if res, err = f.svc.UpdateInvoiceStatus(ctx, f.p, inv.ID, service.StatusChange{Status: "open"}); err == nil {
					docs = append(docs, res.Invoice.ID)
					lastDoc[c.ID] = res.Invoice.ID
					counts["issue "+string(res.Invoice.Kind)]++
				}
			case op < 11: // a payment: auto-applied, to one document, or kept as credit
				in := service.PaymentInput{CustomerID: c.ID, Method: "bank_transfer", Amount: amount(cur, 300)}
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
					counts["payment"]++
					if r.IntN(4) == 0 {
						if _, err = f.svc.RefundPayment(ctx, f.p, p.ID, service.RefundInput{}); err == nil {
							counts["refund"]++
						}
					}
				}
			case op < 13: // settle credit notes and credit against invoices
				if _, err = f.svc.Settle(ctx, f.p, service.SettleInput{CustomerID: c.ID}); err == nil {
					counts["settle"]++
				}
			case op < 15:
				if _, err = f.svc.CorrectInvoice(ctx, f.p, docs[r.IntN(len(docs))], "PRICE", "property"); err == nil {
					counts["correct"]++
				}
			case op < 17:
				if _, err = f.svc.UpdateInvoiceStatus(ctx, f.p, docs[r.IntN(len(docs))], service.StatusChange{Status: "void", Reason: "property"}); err == nil {
					counts["void"]++
				}
			case op < 18:
				if _, err = f.svc.UpdateInvoiceStatus(ctx, f.p, docs[r.IntN(len(docs))], service.StatusChange{Status: "closed", Reason: "write off"}); err == nil {
					counts["write off"]++
				}
			default: // days pass: documents fall due
				f.clock.Advance(time.Duration(1+r.IntN(20)) * 24 * time.Hour)
				counts["days"]++
			}
			if err != nil && !fail.Is(err, fail.Conflict) && !fail.Is(err, fail.Invalid) {
				t.Fatalf("step %d (op %d): %v", step, op, err)
			}
			checkOpenReceivables(t, f, lastDoc)
		}
		for _, k := range []string{"issue invoice", "issue credit_note", "payment", "refund", "settle", "correct", "void", "write off", "days"} {
			if counts[k] == 0 {
				t.Errorf("the random sequence never did %q (%v): change the seed or the weights", k, counts)
			}
		}
	})
}

// checkOpenReceivables checks every customer's open receivable against
// the ledger in every place that shows it.
func checkOpenReceivables(t *testing.T, f *payFixture, lastDoc map[string]string) {
	t.Helper()
	aging := must(f.svc.ReceivablesAging(f.ctx, f.p, calendar.Date{})).ok(t)
	type figures struct{ total, pastDue, ledger decimal.Decimal }
	by := map[string]figures{}
	for _, a := range aging {
		by[a.CustomerID] = figures{a.Total.Decimal(), a.Total.MustSub(a.Buckets[service.AgingBuckets[0]]).Decimal(), a.Ledger.Decimal()}
	}
	for _, c := range f.customers {
		want := by[c.ID]
		if !want.total.Equal(want.ledger) {
			t.Fatalf("customer %s: receivables report %s ≠ ledger %s", c.Number, want.total, want.ledger)
		}
		staff := must(f.svc.GetDashboard(f.ctx, f.p, c.ID)).ok(t).Summary
		portal := must(f.svc.GetDashboard(f.ctx, access.Principal{TenantID: f.p.TenantID, Role: access.Customer, CustomerID: c.ID, Name: "portal"}, "")).ok(t).Summary
		for who, s := range map[string]service.ChargeSummary{"staff dashboard": staff, "portal": portal} {
			if !s.Open.Decimal().Equal(want.ledger) || !s.PastDue.Decimal().Equal(want.pastDue) || s.Open.Currency().Code() != s.Currency {
				t.Fatalf("customer %s: %s open %s past due %s; ledger %s, report past due %s", c.Number, who, s.Open, s.PastDue, want.ledger, want.pastDue)
			}
		}
		if id := lastDoc[c.ID]; id != "" {
			// The totals' open balance is in the credit limit's currency:
			// the ledger's figure when that is the accounting currency.
			if v := must(f.svc.InvoiceTotals(f.ctx, f.p, id)).ok(t); v.CreditCurrency == "EUR" && !v.OpenBalance.Decimal().Equal(want.ledger) {
				t.Fatalf("customer %s: invoice totals' open balance %s ≠ ledger %s", c.Number, v.OpenBalance, want.ledger)
			}
		}
	}
}
