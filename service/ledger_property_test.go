package service_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/payprovider/testcard"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
	"github.com/facturo/facturo/tax"
)

// ledgerFixture makes a tenant with two VAT rates, an exempt code, groups,
// a second posting profile, and n customers.
func ledgerFixture(t testing.TB, svc *service.Service, n int) (access.Principal, []billing.Customer) {
	t.Helper()
	ctx := context.Background()
	ten, err := svc.CreateTenant(ctx, billing.Tenant{Name: "Ledger Test", Currency: "EUR", TimeZone: "Europe/Madrid"})
	if err != nil {
		t.Fatal(err)
	}
	p := access.System(ten.ID, "test")
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(svc.UpsertTaxCode(ctx, p, tax.Code{Code: "V21", Name: "VAT 21", Rate: decimal.NewFromInt(21), Category: tax.Standard, Account: "2100"}))
	must(svc.UpsertTaxCode(ctx, p, tax.Code{Code: "V10", Name: "VAT 10", Rate: decimal.NewFromInt(10), Category: tax.Standard, Account: "2100"}))
	must(svc.UpsertTaxCode(ctx, p, tax.Code{Code: "EX", Name: "Exempt", Category: tax.Exempt, Account: "2100", ExemptionReason: "art. 20"}))
	must(svc.UpsertTaxGroup(ctx, p, tax.Group{Kind: tax.SalesGroup, Code: "DOM", Codes: []string{"V21", "V10", "EX"}}))
	for _, g := range []tax.Group{{Kind: tax.ItemGroup, Code: "FULL", Codes: []string{"V21"}}, {Kind: tax.ItemGroup, Code: "RED", Codes: []string{"V10"}},
		{Kind: tax.ItemGroup, Code: "EXM", Codes: []string{"EX"}}} {
		must(svc.UpsertTaxGroup(ctx, p, g))
	}
	must(svc.UpsertAccount(ctx, p, ledger.Account{Code: "1110", Name: "Receivables: resellers", Type: ledger.Asset}))
	must(svc.UpsertPostingProfile(ctx, p, ledger.PostingProfile{Code: "resellers", ReceivablesAccount: "1110"}))
	var out []billing.Customer
	for i := range n {
		cur := []string{"EUR", "EUR", "USD", "GBP", "JPY"}[i%5]
		in := service.CustomerInput{Name: ptr(fmt.Sprintf("Customer %d", i)), SalesTaxGroup: ptr("DOM"),
			Billing: &service.BillingInput{LegalName: ptr(fmt.Sprintf("Customer %d S.L.", i)), Email: ptr("c@example.com"), Currency: &cur,
				Address: &billing.Address{Line1: "Calle 1", City: "Madrid", Country: "ES"}}}
		c, err := svc.CreateCustomer(ctx, p, in)
		if err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 { // some customers post to the resellers' receivables account
			if err := setPostingProfile(ctx, svc, p, c.ID, "resellers"); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, c)
	}
	return p, out
}

func setPostingProfile(ctx context.Context, svc *service.Service, p access.Principal, id, profile string) error {
	_, err := svc.UpdateCustomer(ctx, p, id, service.CustomerInput{PostingProfile: &profile})
	return err
}

func randomLines(r *rand.Rand, currency string) []service.LineInput {
	n := 1 + r.IntN(6)
	out := make([]service.LineInput, n)
	groups := []string{"FULL", "RED", "EXM"}
	for i := range out {
		l := service.LineInput{Description: fmt.Sprintf("line %d", i), ItemSalesTaxGroup: groups[r.IntN(3)]}
		if r.IntN(5) == 0 {
			l.Amount = ptr(fmt.Sprintf("%d.%02d", r.IntN(500), r.IntN(100)))
			if currency == "JPY" {
				l.Amount = ptr(fmt.Sprint(r.IntN(50000)))
			}
		} else {
			l.Quantity = ptr(fmt.Sprintf("%d.%03d", r.IntN(20), r.IntN(1000)))
			l.UnitPrice = ptr(fmt.Sprintf("%d.%04d", r.IntN(300), r.IntN(10000)))
			if r.IntN(4) == 0 {
				l.Discount = fmt.Sprintf("0.%03d", r.IntN(1000))
			}
		}
		if r.IntN(6) == 0 {
			l.Distribution = []service.SplitInput{{Account: "4100", Percent: "33.3333"}, {Account: "4200", Percent: "66.6667"}}
		}
		out[i] = l
	}
	return out
}

// TestLedgerProperty issues, voids and closes random invoices and credit
// notes and checks the ledger after every step: every entry balances, the
// trial balance sums to zero, and receivables equal the open balances per
// customer.
func TestLedgerProperty(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := service.New(db)
		p, customers := ledgerFixture(t, svc, 6)
		r := rand.New(rand.NewPCG(42, uint64(len(db.Engine()))))
		var issued []string
		corrected := 0
		steps := 60
		if testing.Short() {
			steps = 20
		}
		for step := range steps {
			c := customers[r.IntN(len(customers))]
			switch op := r.IntN(10); {
			case op < 6 || len(issued) == 0:
				lines := randomLines(r, c.Billing.Currency)
				in := service.InvoiceInput{CustomerID: &c.ID, Lines: &lines, InvoiceDate: ptr(calendar.New(2026, time.Month(1+r.IntN(11)), 1+r.IntN(28)))}
				if r.IntN(4) == 0 {
					in.Kind = ptr("credit_note")
				}
				if c.Billing.Currency != "EUR" {
					in.ExchangeRate = ptr(fmt.Sprintf("0.%04d", 1000+r.IntN(9000)))
				}
				inv, err := svc.CreateInvoice(ctx, p, in)
				if err != nil {
					t.Fatalf("step %d create: %v", step, err)
				}
				res, err := svc.UpdateInvoiceStatus(ctx, p, inv.ID, service.StatusChange{Status: "open"})
				if err != nil {
					t.Fatalf("step %d issue: %v", step, err)
				}
				issued = append(issued, res.Invoice.ID)
			case op < 8:
				id := issued[r.IntN(len(issued))]
				_, err := svc.UpdateInvoiceStatus(ctx, p, id, service.StatusChange{Status: "void", Reason: "test"})
				if err != nil && !isConflict(err) {
					t.Fatalf("step %d void: %v", step, err)
				}
			case op < 9:
				id := issued[r.IntN(len(issued))]
				_, err := svc.UpdateInvoiceStatus(ctx, p, id, service.StatusChange{Status: "closed", Reason: "write off"})
				if err != nil && !isConflict(err) {
					t.Fatalf("step %d close: %v", step, err)
				}
			default:
				// Correct an issued invoice, then issue its replacement so
				// that it can be corrected again later.
				id := issued[r.IntN(len(issued))]
				c, err := svc.CorrectInvoice(ctx, p, id, "PRICE", "random correction")
				if fail.Is(err, fail.Conflict) {
					break // a credit note, a void or an already corrected invoice
				}
				if err != nil {
					t.Fatalf("step %d correct: %v", step, err)
				}
				if c.CreditNote.OriginalID != id || c.Replacement.OriginalID != id || c.Original.CreditNoteID != c.CreditNote.ID ||
					c.Original.ReplacementID != c.Replacement.ID || c.CreditNote.ReplacementID != c.Replacement.ID || c.Replacement.CreditNoteID != c.CreditNote.ID {
					t.Fatalf("step %d: the three documents do not link to each other: %+v", step, c)
				}
				res, err := svc.UpdateInvoiceStatus(ctx, p, c.Replacement.ID, service.StatusChange{Status: "open"})
				if err != nil {
					t.Fatalf("step %d issue replacement: %v", step, err)
				}
				issued = append(issued, res.Invoice.ID, c.CreditNote.ID)
				corrected++
			}
			checkLedger(t, ctx, svc, db, p)
		}
		if corrected == 0 {
			t.Fatal("the random sequence corrected no invoice: change the seed or the weights")
		}
		// A rebuild from the journal and the documents (a bulk import's last
		// step) gives the summaries the triggers and postings kept.
		if err := db.RebuildSummaries(ctx); err != nil {
			t.Fatal(err)
		}
		checkLedger(t, ctx, svc, db, p)
	})
}

func isConflict(err error) bool {
	e, ok := err.(interface{ Error() string })
	return ok && e != nil && (contains(err.Error(), "cannot become") || contains(err.Error(), "no status change"))
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// checkLedger asserts the ledger invariants.
func checkLedger(t *testing.T, ctx context.Context, svc *service.Service, db *store.DB, p access.Principal) {
	t.Helper()
	// Every entry balances: checked on the stored lines, not the domain objects.
	rows, err := db.SQL().QueryContext(ctx, `SELECT entry_id, debit, credit FROM journal_lines WHERE tenant_id = `+placeholder(db, 1), p.TenantID)
	if err != nil {
		t.Fatal(err)
	}
	sums := map[string]decimal.Decimal{}
	for rows.Next() {
		var id, dr, cr string
		if err := rows.Scan(&id, &dr, &cr); err != nil {
			t.Fatal(err)
		}
		sums[id] = sums[id].Add(decimal.RequireFromString(dr)).Sub(decimal.RequireFromString(cr))
	}
	rows.Close()
	for id, s := range sums {
		if !s.IsZero() {
			t.Fatalf("entry %s does not balance: %s", id, s)
		}
	}
	tb, err := svc.TrialBalance(ctx, p, calendar.New(2100, 1, 1))
	if err != nil {
		t.Fatal(err)
	}
	var total, receivables decimal.Decimal
	for _, b := range tb {
		total = total.Add(b.Net.Decimal())
		if b.Account == "1100" || b.Account == "1110" {
			receivables = receivables.Add(b.Net.Decimal())
		}
	}
	if !total.IsZero() {
		t.Fatalf("trial balance sums to %s", total)
	}
	aging, err := svc.ReceivablesAging(ctx, p, calendar.New(2100, 1, 1))
	if err != nil {
		t.Fatal(err)
	}
	var open decimal.Decimal
	for _, a := range aging {
		if !a.Total.Equal(a.Ledger) {
			t.Fatalf("customer %s: open documents %s ≠ receivables postings %s", a.CustomerNumber, a.Total, a.Ledger)
		}
		open = open.Add(a.Total.Decimal())
	}
	if !open.Equal(receivables) {
		t.Fatalf("receivables accounts %s ≠ open balances %s", receivables, open)
	}
	checkSummaries(t, ctx, svc, db, p, tb, aging)
}

// checkSummaries checks the reports read from the ledger summaries
// (migration 00012) against the journal and the documents themselves: the
// trial balance against sums of the stored journal lines, and the paged
// aging against the full report and a count of the open documents.
func checkSummaries(t *testing.T, ctx context.Context, svc *service.Service, db *store.DB, p access.Principal, tb []ledger.Balance, aging []service.CustomerAging) {
	t.Helper()
	rows, err := db.SQL().QueryContext(ctx, `SELECT account, debit, credit FROM journal_lines WHERE tenant_id = `+placeholder(db, 1), p.TenantID)
	if err != nil {
		t.Fatal(err)
	}
	type dc struct{ d, c decimal.Decimal }
	lines := map[string]dc{}
	for rows.Next() {
		var acct, dr, cr string
		if err := rows.Scan(&acct, &dr, &cr); err != nil {
			t.Fatal(err)
		}
		x := lines[acct]
		lines[acct] = dc{x.d.Add(decimal.RequireFromString(dr)), x.c.Add(decimal.RequireFromString(cr))}
	}
	rows.Close()
	for _, b := range tb {
		x := lines[b.Account]
		if !b.Debit.Decimal().Equal(x.d) || !b.Credit.Decimal().Equal(x.c) {
			t.Fatalf("trial balance %s: %s/%s, journal lines %s/%s", b.Account, b.Debit, b.Credit, x.d, x.c)
		}
		delete(lines, b.Account)
	}
	if len(lines) > 0 {
		t.Fatalf("accounts with postings missing from the trial balance: %v", lines)
	}
	var openDocs int
	if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM invoices WHERE status IN ('open', 'past_due') AND tenant_id = `+placeholder(db, 1),
		p.TenantID).Scan(&openDocs); err != nil {
		t.Fatal(err)
	}
	full := map[string]service.CustomerAging{}
	totals := map[string]decimal.Decimal{}
	for _, a := range aging {
		if !a.Total.IsZero() || len(a.Buckets) > 0 {
			full[a.CustomerID] = a
		}
		for b, v := range a.Buckets {
			totals[b] = totals[b].Add(v.Decimal())
		}
	}
	after, seen := "", 0
	for {
		pg, err := svc.ReceivablesAgingPage(ctx, p, calendar.New(2100, 1, 1), after, 2)
		if err != nil {
			t.Fatal(err)
		}
		if pg.Documents != openDocs {
			t.Fatalf("aging page counts %d open documents, the invoices %d", pg.Documents, openDocs)
		}
		for _, b := range service.AgingBuckets {
			if !pg.Totals[b].Decimal().Equal(totals[b]) || pg.Totals[b].Currency().Code() != pg.Currency {
				t.Fatalf("aging total %s: page %s, full report %s", b, pg.Totals[b], totals[b])
			}
		}
		for _, a := range pg.Customers {
			f, ok := full[a.CustomerID]
			if !ok {
				t.Fatalf("aging page lists %s, the full report does not", a.CustomerNumber)
			}
			for _, b := range service.AgingBuckets {
				if !a.Buckets[b].Equal(f.Buckets[b]) {
					t.Fatalf("aging %s %s: page %s, full report %s", a.CustomerNumber, b, a.Buckets[b], f.Buckets[b])
				}
			}
			seen++
		}
		if pg.Next == "" {
			break
		}
		after = pg.Next
	}
	// The buckets at a date inside the documents' year, from the stored
	// documents themselves: every open document's balance in the bucket of
	// its days past due, per bill-to account.
	asOf := calendar.New(2026, 7, 1)
	raw, err := db.SQL().QueryContext(ctx, `SELECT invoice_account_id, kind, COALESCE(due_date, '0001-01-01'), balance_accounting FROM invoices
		WHERE status IN ('open', 'past_due') AND tenant_id = `+placeholder(db, 1), p.TenantID)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]decimal.Decimal{}
	for raw.Next() {
		var acct, kind, due, bal string
		if err := raw.Scan(&acct, &kind, &due, &bal); err != nil {
			t.Fatal(err)
		}
		d, err := calendar.Parse(due[:10])
		if err != nil {
			t.Fatal(err)
		}
		b := "over_90"
		switch late := d.DaysUntil(asOf); {
		case late <= 0:
			b = "current"
		case late <= 30:
			b = "1_30"
		case late <= 60:
			b = "31_60"
		case late <= 90:
			b = "61_90"
		}
		v := decimal.RequireFromString(bal)
		if kind == "credit_note" {
			v = v.Neg()
		}
		if want[acct] == nil {
			want[acct] = map[string]decimal.Decimal{}
		}
		want[acct][b] = want[acct][b].Add(v)
	}
	raw.Close()
	pg, err := svc.ReceivablesAgingPage(ctx, p, asOf, "", 500)
	if err != nil {
		t.Fatal(err)
	}
	if len(pg.Customers) != len(want) {
		t.Fatalf("aging at %s lists %d accounts, the open documents belong to %d", asOf, len(pg.Customers), len(want))
	}
	for _, a := range pg.Customers {
		for _, b := range service.AgingBuckets {
			if !a.Buckets[b].Decimal().Equal(want[a.CustomerID][b]) {
				t.Fatalf("aging at %s of %s, %s: %s, the documents %s", asOf, a.CustomerNumber, b, a.Buckets[b], want[a.CustomerID][b])
			}
		}
	}
	withDocs := 0
	for _, a := range aging {
		if a.Total.IsZero() && a.Ledger.IsZero() {
			continue
		}
		withDocs++
	}
	if seen < withDocs {
		t.Fatalf("the aging pages list %d customers, the full report %d with a balance", seen, withDocs)
	}
}

func placeholder(db *store.DB, n int) string {
	if db.Engine() == store.Postgres {
		return fmt.Sprintf("$%d", n)
	}
	return "?"
}

// TestConcurrentSettlementsKeepSummaries: payments and write-offs on many
// customers' invoices that share due dates, all at once. On PostgreSQL the
// summaries' trigger takes the journal counter before any summary row, so
// none of them may fail with a deadlock; afterwards the summaries still
// equal the journal and the documents.
func TestConcurrentSettlementsKeepSummaries(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		c := newClock()
		svc := service.New(db, service.WithClock(c.Now), service.WithPaymentProvider(testcard.New()))
		p, customers := ledgerFixture(t, svc, 8)
		f := &payFixture{ctx: context.Background(), svc: svc, db: db, clock: c, p: p, customers: customers}
		type pair struct{ a, b billing.Invoice }
		var docs []pair
		for i := range f.customers {
			docs = append(docs, pair{f.issue(t, i, "100", ""), f.issue(t, i, "35", "")})
		}
		var wg sync.WaitGroup
		errs := make(chan error, 2*len(docs))
		for i, d := range docs {
			wg.Add(2)
			go func() {
				defer wg.Done()
				in := service.PaymentInput{CustomerID: f.customers[i].ID, Method: "bank_transfer", Amount: d.a.Balance.String(),
					Invoices: []service.Allocation{{InvoiceID: d.a.ID}}}
				if f.customers[i].Billing.Currency != "EUR" {
					in.ExchangeRate = "0.9"
				}
				_, err := f.svc.RecordPayment(f.ctx, f.p, in)
				errs <- err
			}()
			go func() {
				defer wg.Done()
				_, err := f.svc.UpdateInvoiceStatus(f.ctx, f.p, d.b.ID, service.StatusChange{Status: "closed", Reason: "write off"})
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("concurrent settlement: %v", err)
			}
		}
		checkLedger(t, f.ctx, f.svc, f.db, f.p)
	})
}
