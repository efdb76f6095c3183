package sales

// Focused tests of the sales area on its own: the envelope refuses a caller
// without the permission, or input that is wrong, before any transaction
// opens; and the pure rules of the area (the advanced filter, exchange
// rates given to a run, ticket hours, run progress, invoice periods and
// skipped groups). The behaviour tests of each use case, on both engines,
// are the root service's (billingrun_test.go, invoicenow_test.go, …).

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
)

// countingStore opens no transaction: it counts the attempts and fails them.
type countingStore[X any] struct{ calls int }

var errOpened = errors.New("a transaction was opened")

func (c *countingStore[X]) Write(context.Context, func(X) error) error { c.calls++; return errOpened }
func (c *countingStore[X]) Read(context.Context, func(X) error) error  { c.calls++; return errOpened }

type counted struct {
	catalog   *countingStore[CatalogTx]
	items     *countingStore[ItemsTx]
	contracts *countingStore[ContractsTx]
	tickets   *countingStore[TicketsTx]
	runs      *countingStore[RunsTx]
	billing   *countingStore[BillingTx]
}

func (c counted) total() int {
	return c.catalog.calls + c.items.calls + c.contracts.calls + c.tickets.calls + c.runs.calls + c.billing.calls
}

func newCounted() (*Service, counted) {
	c := counted{&countingStore[CatalogTx]{}, &countingStore[ItemsTx]{}, &countingStore[ContractsTx]{},
		&countingStore[TicketsTx]{}, &countingStore[RunsTx]{}, &countingStore[BillingTx]{}}
	now := func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }
	return New(Stores{Catalog: c.catalog, Items: c.items, Contracts: c.contracts, Tickets: c.tickets, Runs: c.runs, Billing: c.billing}, Deps{
		Detach: func(ctx context.Context) context.Context { return ctx },
	}, now), c
}

func ptr[T any](v T) *T { return &v }

func TestSalesWritesRefuseBeforeAnyTransaction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	customer := access.Principal{TenantID: "t1", UserID: "u1", Role: access.Customer, CustomerID: "c1"}
	engineer := access.Principal{TenantID: "t1", UserID: "u2", Role: access.Engineer}
	admin := access.Principal{TenantID: "t1", UserID: "u3", Role: access.Administrator}
	day := calendar.New(2026, 2, 1)
	cases := []struct {
		name string
		code fail.Code
		run  func(s *Service) error
	}{
		{"create product as customer", fail.Forbidden, func(s *Service) error {
			_, err := s.CreateProduct(ctx, customer, ProductInput{Code: ptr("P1")})
			return err
		}},
		{"create product with a bad price", fail.Invalid, func(s *Service) error {
			_, err := s.CreateProduct(ctx, admin, ProductInput{Code: ptr("P1"), DefaultPrice: ptr("twelve")})
			return err
		}},
		{"update product as engineer", fail.Forbidden, func(s *Service) error {
			_, err := s.UpdateProduct(ctx, engineer, "prd1", ProductInput{})
			return err
		}},
		{"create sales item as engineer", fail.Forbidden, func(s *Service) error {
			_, err := s.CreateSalesItem(ctx, engineer, SalesItemInput{})
			return err
		}},
		{"create sales item with a bad quantity", fail.Invalid, func(s *Service) error {
			_, err := s.CreateSalesItem(ctx, admin, SalesItemInput{Quantity: ptr("1,5")})
			return err
		}},
		{"update sales item as customer", fail.Forbidden, func(s *Service) error {
			_, err := s.UpdateSalesItem(ctx, customer, "si1", SalesItemInput{})
			return err
		}},
		{"cancel sales item as customer", fail.Forbidden, func(s *Service) error {
			_, err := s.CancelSalesItem(ctx, customer, "si1")
			return err
		}},
		{"create contract as engineer", fail.Forbidden, func(s *Service) error {
			_, err := s.CreateContract(ctx, engineer, ContractInput{CustomerID: "c1"})
			return err
		}},
		{"update contract as customer", fail.Forbidden, func(s *Service) error {
			_, err := s.UpdateContract(ctx, customer, "con1", ContractInput{})
			return err
		}},
		{"create ticket as customer", fail.Forbidden, func(s *Service) error {
			_, err := s.CreateTicket(ctx, customer, "c1", "Printer")
			return err
		}},
		{"create ticket without a title", fail.Invalid, func(s *Service) error {
			_, err := s.CreateTicket(ctx, admin, "c1", "  ")
			return err
		}},
		{"log time as customer", fail.Forbidden, func(s *Service) error {
			_, _, err := s.LogTime(ctx, customer, "tkt1", TimeEntryInput{})
			return err
		}},
		{"log no minutes", fail.Invalid, func(s *Service) error {
			_, _, err := s.LogTime(ctx, engineer, "tkt1", TimeEntryInput{WorkDate: day, Description: "x"})
			return err
		}},
		{"import usage as engineer", fail.Forbidden, func(s *Service) error {
			_, err := s.ImportUsage(ctx, engineer, []UsageRecord{{RecordID: "r1"}})
			return err
		}},
		{"invoice now as sales", fail.Forbidden, func(s *Service) error {
			_, err := s.InvoiceNow(ctx, access.Principal{TenantID: "t1", UserID: "u4", Role: access.Sales}, "c1", InvoiceNowInput{})
			return err
		}},
		{"invoice now with a bad rate", fail.Invalid, func(s *Service) error {
			_, err := s.InvoiceNow(ctx, admin, "c1", InvoiceNowInput{Rates: map[string]string{"USD": "-1"}})
			return err
		}},
		{"invoice now ending before it starts", fail.Invalid, func(s *Service) error {
			_, err := s.InvoiceNow(ctx, admin, "c1", InvoiceNowInput{PeriodStart: day, PeriodEnd: day.AddDays(-1)})
			return err
		}},
		{"billing run as engineer", fail.Forbidden, func(s *Service) error {
			_, err := s.RunBilling(ctx, engineer, day, day.AddDays(27), false, nil, nil)
			return err
		}},
		{"billing run without a period", fail.Invalid, func(s *Service) error {
			_, err := s.RunBilling(ctx, admin, calendar.Date{}, day, false, nil, nil)
			return err
		}},
		{"billing run day as engineer", fail.Forbidden, func(s *Service) error {
			_, err := s.SetBillingRunDay(ctx, engineer, 5)
			return err
		}},
		{"billing run day 29", fail.Invalid, func(s *Service) error {
			_, err := s.SetBillingRunDay(ctx, admin, 29)
			return err
		}},
		{"list runs as customer", fail.Forbidden, func(s *Service) error {
			_, err := s.ListBillingRuns(ctx, customer)
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, c := newCounted()
			err := tc.run(s)
			if !fail.Is(err, tc.code) {
				t.Fatalf("err = %v, want %s", err, tc.code)
			}
			if n := c.total(); n != 0 {
				t.Errorf("%d transactions opened before the refusal", n)
			}
		})
	}
}

func TestSalesWritesOpenTheirTransaction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	admin := access.Principal{TenantID: "t1", UserID: "u3", Role: access.Administrator}
	cases := []struct {
		name  string
		store func(c counted) int
		run   func(s *Service) error
	}{
		{"product", func(c counted) int { return c.catalog.calls }, func(s *Service) error {
			_, err := s.CreateProduct(ctx, admin, ProductInput{Code: ptr("P1")})
			return err
		}},
		{"sales item", func(c counted) int { return c.items.calls }, func(s *Service) error {
			_, err := s.CreateSalesItem(ctx, admin, SalesItemInput{})
			return err
		}},
		{"contract", func(c counted) int { return c.contracts.calls }, func(s *Service) error {
			_, err := s.CreateContract(ctx, admin, ContractInput{CustomerID: "c1"})
			return err
		}},
		{"ticket", func(c counted) int { return c.tickets.calls }, func(s *Service) error {
			_, err := s.CreateTicket(ctx, admin, "c1", "Printer")
			return err
		}},
		{"invoice now", func(c counted) int { return c.billing.calls }, func(s *Service) error {
			_, err := s.InvoiceNow(ctx, admin, "c1", InvoiceNowInput{})
			return err
		}},
		{"billing run day", func(c counted) int { return c.runs.calls }, func(s *Service) error {
			_, err := s.SetBillingRunDay(ctx, admin, 5)
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, c := newCounted()
			if err := tc.run(s); !errors.Is(err, errOpened) {
				t.Fatalf("err = %v, want the store's", err)
			}
			if n := tc.store(c); n != 1 || c.total() != 1 {
				t.Errorf("opened %d transactions of its part (%d in all), want 1", n, c.total())
			}
		})
	}
}

func TestConditionCheck(t *testing.T) {
	t.Parallel()
	cmp := func(field, op, value string) Condition { return Condition{Op: op, Field: field, Value: value} }
	deep := cmp("status", "eq", "draft")
	for range 5 {
		deep = Condition{Op: "and", Children: []Condition{deep}}
	}
	cases := []struct {
		name  string
		c     Condition
		field string // "" when valid
	}{
		{"comparison", cmp("status", "eq", "draft"), ""},
		{"and of two", Condition{Op: "and", Children: []Condition{cmp("gross", "gt", "10"), cmp("billing_date", "lte", "2026-01-31")}}, ""},
		{"in", Condition{Op: "in", Field: "source", Values: []string{"usage", "manual"}}, ""},
		{"unknown operator", cmp("status", "like", "d"), "filter.op"},
		{"unknown field", cmp("colour", "eq", "red"), "filter.field"},
		{"empty and", Condition{Op: "and"}, "filter.conditions"},
		{"not of two", Condition{Op: "not", Children: []Condition{cmp("status", "eq", "a"), cmp("status", "eq", "b")}}, "filter.conditions"},
		{"contains on a decimal", cmp("gross", "contains", "1"), "filter.op"},
		{"bad decimal", cmp("gross", "gt", "ten"), "filter.value"},
		{"bad date", cmp("billing_date", "gt", "31/01/2026"), "filter.value"},
		{"empty in", Condition{Op: "in", Field: "status"}, "filter.values"},
		{"nested bad field", Condition{Op: "or", Children: []Condition{cmp("status", "eq", "a"), cmp("x", "eq", "b")}}, "filter.conditions[1].field"},
		{"too deep", deep, "filter.conditions[0].conditions[0].conditions[0].conditions[0].conditions[0]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.c.Check("filter")
			if tc.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			e, ok := fail.As(err)
			if !ok || e.Code != fail.Invalid {
				t.Fatalf("err = %v, want invalid", err)
			}
			if len(e.Fields) != 1 || e.Fields[0].Field != tc.field {
				t.Errorf("fields %v, want %s", e.Fields, tc.field)
			}
		})
	}
}

func TestCheckRates(t *testing.T) {
	t.Parallel()
	cases := []struct {
		rates map[string]string
		ok    bool
	}{
		{nil, true},
		{map[string]string{"USD": "0.92"}, true},
		{map[string]string{"usd1": "0.92"}, false},
		{map[string]string{"USD": "0"}, false},
		{map[string]string{"USD": "-0.5"}, false},
		{map[string]string{"USD": "abc"}, false},
	}
	for _, tc := range cases {
		if err := checkRates(tc.rates); (err == nil) != tc.ok {
			t.Errorf("checkRates(%v) = %v, want ok %v", tc.rates, err, tc.ok)
		}
	}
}

func TestHours(t *testing.T) {
	t.Parallel()
	cases := map[int]string{60: "1", 90: "1.5", 1: "0.016667", 20: "0.333333", 1440: "24"}
	for minutes, want := range cases {
		if got := hours(minutes); !got.Equal(decimal.RequireFromString(want)) {
			t.Errorf("hours(%d) = %s, want %s", minutes, got, want)
		}
	}
}

func TestRunProgress(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name    string
		r       BillingRun
		percent float64
		eta     time.Duration
	}{
		{"nothing to do", BillingRun{Status: "running", StartedAt: start}, 0, 0},
		{"a quarter in 10s", BillingRun{Status: "running", ItemsTotal: 400, ItemsDone: 100, StartedAt: start}, 25, 30 * time.Second},
		{"all done but running", BillingRun{Status: "running", ItemsTotal: 4, ItemsDone: 4, StartedAt: start}, 100, 0},
		{"completed", BillingRun{Status: "completed", ItemsTotal: 4, ItemsDone: 1, StartedAt: start}, 100, 30 * time.Second},
	}
	for _, tc := range cases {
		if got := tc.r.Percent(); got != tc.percent {
			t.Errorf("%s: Percent = %v, want %v", tc.name, got, tc.percent)
		}
		if got := tc.r.ETA(start.Add(10 * time.Second)); got != tc.eta {
			t.Errorf("%s: ETA = %v, want %v", tc.name, got, tc.eta)
		}
	}
	if (BillingRun{Seq: 1}).Supplementary() || !(BillingRun{Seq: 2}).Supplementary() {
		t.Error("only a run after the first of its period is supplementary")
	}
}

func TestItemsPeriod(t *testing.T) {
	t.Parallel()
	d := func(day int) calendar.Date { return calendar.New(2026, 1, day) }
	item := func(billed, from, to calendar.Date) ClaimedItem {
		return ClaimedItem{SalesItem: billing.SalesItem{BillingDate: billed, PeriodStart: from, PeriodEnd: to}}
	}
	cases := []struct {
		name     string
		items    []ClaimedItem
		from, to calendar.Date
	}{
		{"one service period", []ClaimedItem{item(d(31), d(1), d(31))}, d(1), d(31)},
		{"billing dates without periods", []ClaimedItem{item(d(12), calendar.Date{}, calendar.Date{}), item(d(3), calendar.Date{}, calendar.Date{})}, d(3), d(12)},
		{"span of both", []ClaimedItem{item(d(20), d(10), d(15)), item(d(5), calendar.Date{}, calendar.Date{})}, d(5), d(15)},
	}
	for _, tc := range cases {
		from, to := itemsPeriod(tc.items)
		if from != tc.from || to != tc.to {
			t.Errorf("%s: %s – %s, want %s – %s", tc.name, from, to, tc.from, tc.to)
		}
	}
}

func TestSkipListCountsAGroupOnce(t *testing.T) {
	t.Parallel()
	var out []SkippedGroup
	l := skipList{out: &out}
	c := billing.Customer{Number: "C-1", Name: "Acme"}
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	l.add("c1", c, "aws", "USD", 3, "no rate", at)
	l.add("c1", c, "aws", "USD", 2, "no rate", at) // the same group split over two invoices
	l.add("c1", c, "aws", "GBP", 1, "no rate", at)
	if len(out) != 2 || out[0].Items != 5 || out[1].Items != 1 || out[0].CustomerNumber != "C-1" {
		t.Errorf("skipped %+v, want USD with 5 items and GBP with 1", out)
	}
	skipList{}.add("c1", c, "aws", "USD", 1, "no rate", at) // no list: nothing to record, no panic
}
