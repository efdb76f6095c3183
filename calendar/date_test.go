package calendar_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/facturo/facturo/calendar"
)

// lastDay returns the number of days in month m of year y.
func lastDay(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func dates(ds []calendar.Date) string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.String()
	}
	return strings.Join(out, " ")
}

func TestAddMonthsOn(t *testing.T) {
	t.Parallel()
	tests := []struct {
		from      string
		n, anchor int
		want      string
	}{
		{"2026-02-28", 1, 31, "2026-03-31"}, // back onto the anchor after February
		{"2026-02-28", 1, 30, "2026-03-30"},
		{"2026-02-28", 1, 29, "2026-03-29"},
		{"2026-02-28", 1, 28, "2026-03-28"},
		{"2026-01-31", 1, 31, "2026-02-28"},
		{"2028-01-31", 1, 31, "2028-02-29"}, // leap year
		{"2026-03-31", 1, 31, "2026-04-30"},
		{"2026-04-30", 1, 31, "2026-05-31"},
		{"2026-11-30", 3, 31, "2027-02-28"}, // across the year
		{"2027-11-30", 3, 31, "2028-02-29"},
		{"2026-03-28", 1, 31, "2026-04-30"}, // a drifted date steps back onto the anchor
		{"2026-05-31", -3, 31, "2026-02-28"},
		{"2026-05-15", 0, 31, "2026-05-31"},
		{"2026-05-15", 12, 15, "2027-05-15"},
		{"2024-02-29", 12, 29, "2025-02-28"},
		{"2025-02-28", 12, 29, "2026-02-28"},
		{"2027-02-28", 12, 29, "2028-02-29"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s%+d@%d", tt.from, tt.n, tt.anchor), func(t *testing.T) {
			t.Parallel()
			if got := calendar.MustParse(tt.from).AddMonthsOn(tt.n, tt.anchor); got.String() != tt.want {
				t.Errorf("AddMonthsOn(%d, %d) = %s, want %s", tt.n, tt.anchor, got, tt.want)
			}
		})
	}
}

func TestAddMonths(t *testing.T) {
	t.Parallel()
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2026-01-31", 1, "2026-02-28"},
		{"2028-01-31", 1, "2028-02-29"},
		{"2026-02-28", 1, "2026-03-28"}, // one step from d's own day: this is why recurrences use Recurrence
		{"2026-03-31", -1, "2026-02-28"},
		{"2026-01-15", 13, "2027-02-15"},
		{"2026-12-01", 1, "2027-01-01"},
		{"2026-01-01", -1, "2025-12-01"},
	}
	for _, tt := range tests {
		if got := calendar.MustParse(tt.from).AddMonths(tt.n); got.String() != tt.want {
			t.Errorf("%s.AddMonths(%d) = %s, want %s", tt.from, tt.n, got, tt.want)
		}
	}
}

// TestRecurrenceStaysAnchored steps monthly, quarterly and yearly
// recurrences from the 28th to the 31st, in and around leap years, over
// several years: every occurrence is on the start's day, or on the month's
// last day when the month is shorter, and Next and Nth agree.
func TestRecurrenceStaysAnchored(t *testing.T) {
	t.Parallel()
	for _, months := range []int{1, 3, 12} {
		for _, start := range []string{"2026-01-28", "2026-01-29", "2026-01-30", "2026-01-31", "2027-12-31", "2028-02-29", "2027-08-31", "2026-03-15"} {
			t.Run(fmt.Sprintf("%s/every %d", start, months), func(t *testing.T) {
				t.Parallel()
				r := calendar.Recurrence{Start: calendar.MustParse(start), Months: months}
				anchor := r.Start.Day
				d := r.Start
				for k := 0; k < 60; k++ {
					if nth := r.Nth(k); nth != d {
						t.Fatalf("occurrence %d: Nth = %s, stepping with Next = %s", k, nth, d)
					}
					if want := min(anchor, lastDay(d.Year, d.Month)); d.Day != want {
						t.Fatalf("occurrence %d is %s, want day %d (anchored on %d)", k, d, want, anchor)
					}
					wantMonth := (int(r.Start.Month) - 1 + k*months) % 12
					if int(d.Month)-1 != wantMonth {
						t.Fatalf("occurrence %d is %s, want month %d", k, d, wantMonth+1)
					}
					next := r.Next(d)
					if p := r.Period(d); p.From != d || p.To != next.AddDays(-1) {
						t.Fatalf("Period(%s) = %s – %s, want %s – %s", d, p.From, p.To, d, next.AddDays(-1))
					}
					d = next
				}
			})
		}
	}
}

func TestRecurrenceSchedules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		start  string
		months int
		want   string // the first occurrences
	}{
		{"monthly from the 31st", "2026-01-31", 1,
			"2026-01-31 2026-02-28 2026-03-31 2026-04-30 2026-05-31 2026-06-30 2026-07-31 2026-08-31 2026-09-30 2026-10-31 2026-11-30 2026-12-31 2027-01-31"},
		{"monthly from the 31st, leap year", "2028-01-31", 1, "2028-01-31 2028-02-29 2028-03-31 2028-04-30"},
		{"monthly from the 30th", "2026-01-30", 1, "2026-01-30 2026-02-28 2026-03-30 2026-04-30 2026-05-30"},
		{"monthly from the 29th", "2026-01-29", 1, "2026-01-29 2026-02-28 2026-03-29 2026-04-29"},
		{"monthly from the 29th, leap year", "2028-01-29", 1, "2028-01-29 2028-02-29 2028-03-29"},
		{"quarterly from Nov 30", "2026-11-30", 3, "2026-11-30 2027-02-28 2027-05-30 2027-08-30 2027-11-30"},
		{"quarterly from Aug 31", "2026-08-31", 3, "2026-08-31 2026-11-30 2027-02-28 2027-05-31 2027-08-31"},
		{"yearly from Feb 29", "2028-02-29", 12, "2028-02-29 2029-02-28 2030-02-28 2031-02-28 2032-02-29"},
		{"months below 1 count as 1", "2026-01-31", 0, "2026-01-31 2026-02-28 2026-03-31"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := calendar.Recurrence{Start: calendar.MustParse(tt.start), Months: tt.months}
			n := len(strings.Fields(tt.want))
			var stepped, nth []calendar.Date
			for d, k := r.Start, 0; k < n; d, k = r.Next(d), k+1 {
				stepped = append(stepped, d)
				nth = append(nth, r.Nth(k))
			}
			if got := dates(stepped); got != tt.want {
				t.Errorf("stepping with Next: %s, want %s", got, tt.want)
			}
			if got := dates(nth); got != tt.want {
				t.Errorf("Nth: %s, want %s", got, tt.want)
			}
		})
	}
}

func TestRecurrencePeriod(t *testing.T) {
	t.Parallel()
	r := calendar.Recurrence{Start: calendar.MustParse("2026-01-31"), Months: 1}
	tests := []struct{ from, to string }{
		{"2026-01-31", "2026-02-27"},
		{"2026-02-28", "2026-03-30"},
		{"2026-03-31", "2026-04-29"},
		{"2026-04-30", "2026-05-30"},
	}
	for _, tt := range tests {
		if p := r.Period(calendar.MustParse(tt.from)); p.From.String() != tt.from || p.To.String() != tt.to {
			t.Errorf("Period(%s) = %s – %s, want %s – %s", tt.from, p.From, p.To, tt.from, tt.to)
		}
	}
}

func TestRangeOverlaps(t *testing.T) {
	t.Parallel()
	d := calendar.MustParse
	cases := []struct {
		a, b calendar.Range
		want bool
	}{
		{calendar.Range{d("2026-01-01"), d("2026-01-31")}, calendar.Range{d("2026-01-31"), d("2026-02-28")}, true},
		{calendar.Range{d("2026-01-01"), d("2026-01-30")}, calendar.Range{d("2026-01-31"), d("2026-02-28")}, false},
		{calendar.Range{d("2026-02-01"), d("2026-02-28")}, calendar.Range{d("2026-01-01"), d("2026-01-31")}, false},
		{calendar.Range{d("2026-01-10"), d("2026-01-20")}, calendar.Range{d("2026-01-01"), d("2026-01-31")}, true},
		{calendar.Range{From: d("2026-03-01")}, calendar.Range{d("2026-01-01"), d("2026-12-31")}, true},
		{calendar.Range{From: d("2027-01-01")}, calendar.Range{d("2026-01-01"), d("2026-12-31")}, false},
		{calendar.Range{To: d("2025-12-31")}, calendar.Range{d("2026-01-01"), d("2026-12-31")}, false},
		{calendar.Range{}, calendar.Range{d("2026-01-01"), d("2026-12-31")}, true},
	}
	for _, c := range cases {
		if got := c.a.Overlaps(c.b); got != c.want {
			t.Errorf("%v.Overlaps(%v) = %v, want %v", c.a, c.b, got, c.want)
		}
		if got := c.b.Overlaps(c.a); got != c.want {
			t.Errorf("%v.Overlaps(%v) = %v, want %v (symmetry)", c.b, c.a, got, c.want)
		}
	}
}
