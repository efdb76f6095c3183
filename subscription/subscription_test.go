package subscription_test

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/subscription"
)

// TestProrate pins the proration rule: delta × price × days left (the
// effective day included) / days in the period, rounded once to the currency.
func TestProrate(t *testing.T) {
	d := calendar.MustParse
	march := billing.Period{Start: d("2026-03-01"), End: d("2026-03-31")}
	feb := billing.Period{Start: d("2026-02-01"), End: d("2026-02-28")}
	q1 := billing.Period{Start: d("2026-01-01"), End: d("2026-03-31")}
	year := billing.Period{Start: d("2028-01-01"), End: d("2028-12-31")} // leap year
	tests := []struct {
		name         string
		delta, price string
		cur          string
		per          billing.Period
		eff          string
		want         string
		days, period int
	}{
		{"first day charges the whole difference", "3", "10", "EUR", march, "2026-03-01", "30.00", 31, 31},
		{"mid-month increase", "3", "10", "EUR", march, "2026-03-10", "21.29", 22, 31}, // 3×10×22/31 = 21.2903…
		{"last day charges one day", "3", "10", "EUR", march, "2026-03-31", "0.97", 1, 31},
		{"decrease is a credit", "-2", "11.70", "EUR", march, "2026-03-16", "-12.08", 16, 31}, // −2×11.70×16/31 = −12.077…
		{"february has 28 days", "1", "28", "EUR", feb, "2026-02-15", "14.00", 14, 28},
		{"quarter counts its days", "1", "90", "EUR", q1, "2026-02-15", "45.00", 45, 90},
		{"leap year", "1", "366", "EUR", year, "2028-12-31", "1.00", 1, 366},
		{"half rounds away from zero", "1", "0.62", "EUR", billing.Period{Start: d("2026-04-01"), End: d("2026-04-04")}, "2026-04-03", "0.31", 2, 4},
		{"negative half rounds away from zero", "-1", "0.05", "EUR", billing.Period{Start: d("2026-04-01"), End: d("2026-04-02")}, "2026-04-02", "-0.03", 1, 2},
		{"zero-decimal currency", "1", "1000", "JPY", march, "2026-03-10", "710", 22, 31},
		{"before the period: whole period", "1", "31", "EUR", march, "2026-02-20", "31.00", 31, 31},
		{"after the period: nothing", "1", "31", "EUR", march, "2026-04-01", "0", 0, 31},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := subscription.Prorate(decimal.RequireFromString(tt.delta), money.PriceIn(decimal.RequireFromString(tt.price), tt.cur), tt.per, d(tt.eff))
			if !got.Amount.Decimal().Equal(decimal.RequireFromString(tt.want)) || got.Days != tt.days || got.PeriodDays != tt.period {
				t.Errorf("Prorate = %s (%d/%d days), want %s (%d/%d)", got.Amount, got.Days, got.PeriodDays, tt.want, tt.days, tt.period)
			}
		})
	}
}

func TestDuePeriods(t *testing.T) {
	d := calendar.MustParse
	s := subscription.Subscription{Interval: billing.Quarterly, Start: d("2026-01-31"), NextRenewal: d("2026-01-31"), Status: subscription.SubActive}
	got := s.DuePeriods(d("2026-08-01"))
	if len(got) != 3 || got[0].End != d("2026-04-29") || got[1].Start != d("2026-04-30") || got[1].End != d("2026-07-30") || got[2].Start != d("2026-07-31") {
		t.Fatalf("periods %+v", got)
	}
	s.EndsOn = d("2026-04-29")
	if got := s.DuePeriods(d("2026-12-31")); len(got) != 1 {
		t.Fatalf("with an end: %+v", got)
	}
	s.Status = subscription.SubPaused
	if got := s.DuePeriods(d("2026-12-31")); len(got) != 0 {
		t.Fatalf("paused: %+v", got)
	}
	if p := s.PeriodOn(d("2026-05-02")); p.Start != d("2026-04-30") {
		t.Fatalf("period on: %+v", p)
	}
}
