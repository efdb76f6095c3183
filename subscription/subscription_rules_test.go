package subscription_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/subscription"
)

// validSub is a valid monthly SaaS subscription starting on 31 January.
func validSub() subscription.Subscription {
	return subscription.Subscription{CustomerID: "cus_1", ProductID: "prd_1", Kind: subscription.KindSaaS, Description: " Plan ",
		Quantity: d("2"), Price: money.PriceIn(d("10"), "EUR"), Currency: "EUR", Interval: billing.Monthly, Start: calendar.MustParse("2026-01-31")}
}

func TestSubscriptionNormalize(t *testing.T) {
	t.Parallel()
	s := validSub()
	if err := s.Normalize(); err != nil {
		t.Fatal(err)
	}
	if s.Status != subscription.SubActive || s.NextRenewal != s.Start || s.Description != "Plan" {
		t.Errorf("status %q next renewal %s description %q after Normalize", s.Status, s.NextRenewal, s.Description)
	}
	kept := validSub()
	kept.Status, kept.NextRenewal = subscription.SubPaused, calendar.MustParse("2026-05-31")
	if err := kept.Normalize(); err != nil {
		t.Fatal(err)
	}
	if kept.Status != subscription.SubPaused || kept.NextRenewal != calendar.MustParse("2026-05-31") {
		t.Errorf("Normalize changed a set status or renewal: %q %s", kept.Status, kept.NextRenewal)
	}
	tests := []struct {
		name   string
		change func(*subscription.Subscription)
		fields []string
	}{
		{"resale", func(s *subscription.Subscription) { s.Kind = subscription.KindResale }, nil},
		{"marketplace, free", func(s *subscription.Subscription) {
			s.Kind, s.Price = subscription.KindMarketplace, money.PriceIn(d("0"), "EUR")
		}, nil},
		{"no customer", func(s *subscription.Subscription) { s.CustomerID = "" }, []string{"customer_id"}},
		{"no product", func(s *subscription.Subscription) { s.ProductID = "" }, []string{"product_id"}},
		{"unknown kind", func(s *subscription.Subscription) { s.Kind = "rental" }, []string{"kind"}},
		{"zero quantity", func(s *subscription.Subscription) { s.Quantity = d("0") }, []string{"quantity"}},
		{"quantity with 7 decimals", func(s *subscription.Subscription) { s.Quantity = d("1.0000001") }, []string{"quantity"}},
		{"negative price", func(s *subscription.Subscription) { s.Price = money.PriceIn(d("-1"), "EUR") }, []string{"price"}},
		{"price with 7 decimals", func(s *subscription.Subscription) { s.Price = money.PriceIn(d("1.0000001"), "EUR") }, []string{"price"}},
		{"unknown interval", func(s *subscription.Subscription) { s.Interval = "daily" }, []string{"interval"}},
		{"no start", func(s *subscription.Subscription) { s.Start = calendar.Date{} }, []string{"start_date"}},
		{"unknown currency", func(s *subscription.Subscription) { s.Currency = "EU" }, []string{"currency"}},
		{"description with a line break", func(s *subscription.Subscription) { s.Description = "a\nb" }, []string{"description"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := validSub()
			tt.change(&s)
			if got := invalidFields(t, s.Normalize()); !slices.Equal(got, tt.fields) {
				t.Fatalf("fields %v, want %v", got, tt.fields)
			}
		})
	}
}

// TestSubscriptionPeriods checks that periods count from the start date, so
// month ends do not drift, and PeriodOn finds the period holding a day.
func TestSubscriptionPeriods(t *testing.T) {
	t.Parallel()
	day := calendar.MustParse
	s := validSub()
	wantStarts := []string{"2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31"}
	for k, w := range wantStarts {
		p := s.Period(k)
		if p.Start != day(w) || p.BillingDate != p.Start {
			t.Errorf("period %d starts %s billed %s, want %s", k, p.Start, p.BillingDate, w)
		}
		if k+1 < len(wantStarts) && p.End != day(wantStarts[k+1]).AddDays(-1) {
			t.Errorf("period %d ends %s, want the day before %s", k, p.End, wantStarts[k+1])
		}
	}
	for _, tt := range []struct{ on, start string }{
		{"2025-12-01", "2026-01-31"}, // before the start: the first period
		{"2026-01-31", "2026-01-31"},
		{"2026-02-27", "2026-01-31"},
		{"2026-02-28", "2026-02-28"},
		{"2026-03-30", "2026-02-28"},
		{"2026-03-31", "2026-03-31"},
		{"2027-01-31", "2027-01-31"},
	} {
		if got := s.PeriodOn(day(tt.on)).Start; got != day(tt.start) {
			t.Errorf("PeriodOn(%s) starts %s, want %s", tt.on, got, tt.start)
		}
	}
	q := validSub()
	q.Interval = billing.Quarterly
	if p := q.Period(1); p.Start != day("2026-04-30") || p.End != day("2026-07-30") {
		t.Errorf("second quarter %s – %s, want 2026-04-30 – 2026-07-30", p.Start, p.End)
	}
}

func TestSubscriptionMonthlyAmount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, qty, price, cur string
		interval              billing.Interval
		want                  string
	}{
		{"monthly", "2", "10", "EUR", billing.Monthly, "20"},
		{"quarterly, rounded", "1", "100", "EUR", billing.Quarterly, "33.33"},
		{"yearly JPY", "1", "10000", "JPY", billing.Yearly, "833"},
		{"yearly BHD", "1", "10", "BHD", billing.Yearly, "0.833"},
		{"half rounds up", "1", "0.06", "EUR", billing.Quarterly, "0.02"},
		{"unknown currency: not rounded", "1", "1", "XXZ", billing.Quarterly, "0.3333333333333333"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := subscription.Subscription{Quantity: d(tt.qty), Price: money.PriceIn(d(tt.price), tt.cur), Currency: tt.cur, Interval: tt.interval}
			if got := s.MonthlyAmount(); !got.Equal(money.In(d(tt.want), tt.cur)) {
				t.Errorf("MonthlyAmount = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestProrationText(t *testing.T) {
	t.Parallel()
	per := billing.Period{Start: calendar.MustParse("2026-03-01"), End: calendar.MustParse("2026-03-31")}
	pr := subscription.Proration{Amount: eur(d("21.29")), Days: 22, PeriodDays: 31}
	got := subscription.ProrationText("Plan upgrade", d("3"), money.PriceIn(d("10.00"), "EUR"), pr, per, calendar.MustParse("2026-03-10"))
	if want := "Plan upgrade: 3 × 10 for 22/31 days (2026-03-10 – 2026-03-31)"; got != want {
		t.Errorf("ProrationText = %q, want %q", got, want)
	}
}

func TestSubscriptionMarshalJSON(t *testing.T) {
	t.Parallel()
	s := validSub()
	later := d("4")
	s.ID, s.Price, s.Quantity, s.ScheduledQuantity = "sub_1", money.PriceIn(d("10.5"), "EUR"), d("2.50"), &later
	raw, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	// The price has at least the currency's digits; the quantity is as it is.
	if m["price"] != "10.50" || m["quantity"] != "2.5" || m["scheduled_quantity"] != "4" || m["id"] != "sub_1" || m["currency"] != "EUR" {
		t.Errorf("JSON price %v quantity %v scheduled quantity %v id %v currency %v", m["price"], m["quantity"], m["scheduled_quantity"], m["id"], m["currency"])
	}
	if _, ok := m["TenantID"]; ok {
		t.Error("JSON carries the tenant")
	}
}
