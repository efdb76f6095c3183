package bookkeeping

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service/usecase/usecasetest"
)

func refusingService(t *testing.T) *Service {
	return New(Stores{
		Journal:     usecasetest.Refusing[JournalTx](t),
		Receivables: usecasetest.Refusing[ReceivablesTx](t),
		Rates:       usecasetest.Refusing[RatesTx](t),
	}, Deps{GetInvoice: func(context.Context, access.Principal, string) (billing.Invoice, error) {
		t.Error("a refused read read a document")
		return billing.Invoice{}, nil
	}}, func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) })
}

// Every use case refuses a caller without its permission, and refused
// input, before it opens a transaction.
func TestRefusedBeforeAnyTransaction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sales := access.Principal{TenantID: "t1", UserID: "u1", Role: access.Sales, Name: "S"}
	engineer := access.Principal{TenantID: "t1", UserID: "u2", Role: access.Engineer, Name: "E"}
	admin := access.Principal{TenantID: "t1", UserID: "u3", Role: access.Administrator, Name: "A"}
	day := calendar.MustParse("2026-01-31")
	cases := []struct {
		name string
		call func(s *Service) error
		kind fail.Code
	}{
		{"set needs manage", func(s *Service) error {
			_, err := s.SetExchangeRate(ctx, sales, ExchangeRateInput{Currency: "USD", Date: "2026-01-01", Rate: "0.9"})
			return err
		}, fail.Forbidden},
		{"import needs manage", func(s *Service) error {
			_, err := s.ImportExchangeRates(ctx, sales, []ExchangeRateInput{{Currency: "USD", Date: "2026-01-01", Rate: "0.9", Line: 2}})
			return err
		}, fail.Forbidden},
		{"import needs rows", func(s *Service) error {
			_, err := s.ImportExchangeRates(ctx, admin, nil)
			return err
		}, fail.Invalid},
		{"delete needs manage", func(s *Service) error {
			return s.DeleteExchangeRate(ctx, sales, "USD", "2026-01-01")
		}, fail.Forbidden},
		{"delete needs a date", func(s *Service) error {
			return s.DeleteExchangeRate(ctx, admin, "USD", "31.01.2026")
		}, fail.Invalid},
		{"list needs read", func(s *Service) error {
			_, err := s.ListExchangeRates(ctx, engineer, ExchangeRateFilter{})
			return err
		}, fail.Forbidden},
		{"list needs a currency", func(s *Service) error {
			_, err := s.ListExchangeRates(ctx, admin, ExchangeRateFilter{Currency: "dollars"})
			return err
		}, fail.Invalid},
		{"list needs from before to", func(s *Service) error {
			_, err := s.ListExchangeRates(ctx, admin, ExchangeRateFilter{From: day, To: day.AddDays(-1)})
			return err
		}, fail.Invalid},
		{"trial balance needs ledger", func(s *Service) error {
			_, err := s.TrialBalance(ctx, sales, day)
			return err
		}, fail.Forbidden},
		{"account ledger needs ledger", func(s *Service) error {
			_, err := s.AccountLedger(ctx, sales, "1200", day, day, 10)
			return err
		}, fail.Forbidden},
		{"aging needs ledger", func(s *Service) error {
			_, err := s.ReceivablesAging(ctx, sales, day)
			return err
		}, fail.Forbidden},
		{"aging page needs ledger", func(s *Service) error {
			_, err := s.ReceivablesAgingPage(ctx, sales, day, "", 10)
			return err
		}, fail.Forbidden},
		{"journal needs ledger", func(s *Service) error {
			_, err := s.InvoiceJournal(ctx, sales, JournalFilter{})
			return err
		}, fail.Forbidden},
		{"entry needs ledger", func(s *Service) error {
			_, err := s.GetEntry(ctx, sales, "je1")
			return err
		}, fail.Forbidden},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			err := c.call(refusingService(t))
			if got := fail.CodeOf(err); got != c.kind {
				t.Fatalf("error %v has code %q, want %q", err, got, c.kind)
			}
		})
	}
}

// rateTable is a RateReader over fixed rates.
type rateTable map[string]ExchangeRate

func (r rateTable) ExchangeRateOn(_ context.Context, _, currency string, date calendar.Date) (ExchangeRate, bool, error) {
	x, ok := r[currency]
	if !ok || date.Before(x.Date) {
		return ExchangeRate{}, false, nil
	}
	return x, true, nil
}

func TestRateFor(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tenant := billing.Tenant{ID: "t1", Currency: "EUR"}
	table := rateTable{"USD": {Currency: "USD", Date: calendar.MustParse("2026-01-01"), Rate: decimal.RequireFromString("0.92")}}
	cases := []struct {
		name     string
		explicit map[string]string
		currency string
		date     string
		rate     string // "" when there is none
		code     fail.Code
	}{
		{"ledger currency is 1", nil, "EUR", "2025-01-01", "1", ""},
		{"explicit rate wins", map[string]string{"USD": "0.5"}, "USD", "2026-02-01", "0.5", ""},
		{"bad explicit rate", map[string]string{"USD": "half"}, "USD", "2026-02-01", "", fail.Invalid},
		{"table rate on or after its date", nil, "USD", "2026-01-01", "0.92", ""},
		{"no table rate before its date", nil, "USD", "2025-12-31", "", ""},
		{"no table rate for the currency", nil, "GBP", "2026-02-01", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			rate, ok, err := RateFor(ctx, table, tenant, c.explicit, c.currency, calendar.MustParse(c.date))
			if got := fail.CodeOf(err); got != c.code {
				t.Fatalf("error %v has code %q, want %q", err, got, c.code)
			}
			if ok != (c.rate != "") {
				t.Fatalf("ok = %v, want a rate %q", ok, c.rate)
			}
			if ok && !rate.Equal(decimal.RequireFromString(c.rate)) {
				t.Fatalf("rate = %s, want %s", rate, c.rate)
			}
		})
	}
}

func TestParseExchangeRatesCSV(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		file  string
		rows  []ExchangeRateInput
		field string // the error's field when refused
	}{
		{"empty file", "", nil, "file"},
		{"missing column", "currency,date\nUSD,2026-01-01\n", nil, "file"},
		{"columns in any order and case, lines numbered", "\ufeffRate,Currency,DATE\n0.92,USD,2026-01-01\n\n1.1,GBP,2026-01-02\n",
			[]ExchangeRateInput{{Currency: "USD", Date: "2026-01-01", Rate: "0.92", Line: 2}, {Currency: "GBP", Date: "2026-01-02", Rate: "1.1", Line: 4}}, ""},
		{"short row keeps its line", "currency,date,rate\nUSD\n", []ExchangeRateInput{{Currency: "USD", Line: 2}}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			rows, err := ParseExchangeRatesCSV(strings.NewReader(c.file))
			if c.field != "" {
				e, ok := fail.As(err)
				if !ok || fail.CodeOf(err) != fail.Invalid || !strings.Contains(e.Error(), c.field) {
					t.Fatalf("error %v, want one on %q", err, c.field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != len(c.rows) {
				t.Fatalf("rows = %+v, want %+v", rows, c.rows)
			}
			for i := range rows {
				if rows[i] != c.rows[i] {
					t.Errorf("row %d = %+v, want %+v", i, rows[i], c.rows[i])
				}
			}
		})
	}
}

// journal is a PostingTx in memory.
type journal struct {
	counter int64
	entries []ledger.Entry
}

func (j *journal) NextCounter(context.Context, string, string) (int64, error) {
	j.counter++
	return j.counter, nil
}

func (j *journal) InsertEntry(_ context.Context, e ledger.Entry) error {
	j.entries = append(j.entries, e)
	return nil
}

// Post numbers vouchers gaplessly and refuses an entry that does not
// balance without writing it; Reverse posts the mirror entry.
func TestPostAndReverse(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	day := calendar.MustParse("2026-01-02")
	eur := money.MustCurrency("EUR")
	ten, zero := money.New(decimal.NewFromInt(10), eur), money.Zero(eur)
	j := &journal{counter: 6}
	e, err := Post(ctx, j, now, "t1", day, "sale", "invoice", "inv1", "", []ledger.Line{
		{Account: "1200", Debit: ten, Credit: zero}, {Account: "3000", Debit: zero, Credit: ten}})
	if err != nil {
		t.Fatal(err)
	}
	if e.Number != "JE-00000007" || e.TenantID != "t1" || e.SourceID != "inv1" || !e.CreatedAt.Equal(now) || len(j.entries) != 1 {
		t.Fatalf("posted %+v (%d entries)", e, len(j.entries))
	}
	if _, err := Post(ctx, j, now, "t1", day, "bad", "invoice", "inv2", "", []ledger.Line{
		{Account: "1200", Debit: ten, Credit: zero}, {Account: "3000", Debit: zero, Credit: money.New(decimal.NewFromInt(9), eur)}}); err == nil {
		t.Fatal("an entry that does not balance was posted")
	}
	if len(j.entries) != 1 {
		t.Fatalf("a refused entry was written: %d entries", len(j.entries))
	}
	// A reversal is an entry like any other: the lines that undo e, naming it.
	rev, err := Post(ctx, j, now, "t1", day, "void", e.SourceType, e.SourceID, e.ID, ledger.ReversedLines(e.Lines))
	if err != nil {
		t.Fatal(err)
	}
	if rev.Number != "JE-00000009" || rev.ReversesID != e.ID || len(rev.Lines) != 2 ||
		!rev.Lines[0].Credit.Equal(ten) || !rev.Lines[0].Debit.IsZero() {
		t.Fatalf("reversal %+v", rev)
	}
}

func TestNoRateReasonNamesTheFix(t *testing.T) {
	t.Parallel()
	got := NoRateReason("USD", calendar.MustParse("2026-01-31"))
	for _, want := range []string{"USD", "2026-01-31", "/api/v1/exchange-rates/USD/2026-01-31"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q lacks %q", got, want)
		}
	}
}
