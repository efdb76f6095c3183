package billing_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/subscription"
)

// periodsOf renders periods as "start..end" separated by spaces.
func periodsOf(ps []billing.Period) string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Start.String() + ".." + p.End.String()
	}
	return strings.Join(out, " ")
}

// contractPeriods, templatePeriods and subscriptionPeriods are the first n
// periods of each recurrence of the domain starting on start.
func contractPeriods(start calendar.Date, iv billing.Interval, n int) string {
	p := billing.ContractPart{Interval: iv, Start: start, InAdvance: true}
	ps := p.PeriodsBilledIn(calendar.Range{From: start, To: start.AddMonths(iv.Months() * (n + 1))})
	return periodsOf(ps[:n])
}

func templatePeriods(start calendar.Date, iv billing.Interval, n int) string {
	t := billing.Template{Name: "t", CustomerID: "c", Interval: iv, Start: start, Invoice: billing.TemplateInvoice{Lines: []billing.Line{{}}}}
	if err := t.Normalize(); err != nil {
		panic(err)
	}
	var ps []billing.Period
	for range n {
		from, to := t.Period()
		ps = append(ps, billing.Period{Start: from, End: to})
		t.Advance()
	}
	return periodsOf(ps)
}

func subscriptionPeriods(start calendar.Date, iv billing.Interval, n int) string {
	s := subscription.Subscription{Interval: iv, Start: start, NextRenewal: start, Status: subscription.SubActive}
	ps := s.DuePeriods(start.AddMonths(iv.Months() * (n - 1)))
	for k := range ps {
		if ps[k] != s.Period(k) {
			panic(fmt.Sprintf("DuePeriods[%d] = %v, Period(%d) = %v", k, ps[k], k, s.Period(k)))
		}
	}
	return periodsOf(ps)
}

// TestRecurrencesStayAnchored checks every recurrence of the domain —
// contract parts, recurring invoice templates and subscriptions — keeps its
// periods on the start date's day, clamped to shorter months, and that all
// three agree (they share calendar.Recurrence).
func TestRecurrencesStayAnchored(t *testing.T) {
	t.Parallel()
	tests := []struct {
		start string
		iv    billing.Interval
		want  string // the first periods
	}{
		{"2026-01-31", billing.Monthly,
			"2026-01-31..2026-02-27 2026-02-28..2026-03-30 2026-03-31..2026-04-29 2026-04-30..2026-05-30 2026-05-31..2026-06-29"},
		{"2028-01-31", billing.Monthly, "2028-01-31..2028-02-28 2028-02-29..2028-03-30 2028-03-31..2028-04-29"},
		{"2026-01-30", billing.Monthly, "2026-01-30..2026-02-27 2026-02-28..2026-03-29 2026-03-30..2026-04-29"},
		{"2026-01-29", billing.Monthly, "2026-01-29..2026-02-27 2026-02-28..2026-03-28 2026-03-29..2026-04-28"},
		{"2028-01-29", billing.Monthly, "2028-01-29..2028-02-28 2028-02-29..2028-03-28 2028-03-29..2028-04-28"},
		{"2026-08-31", billing.Quarterly, "2026-08-31..2026-11-29 2026-11-30..2027-02-27 2027-02-28..2027-05-30 2027-05-31..2027-08-30"},
		{"2028-02-29", billing.Yearly, "2028-02-29..2029-02-27 2029-02-28..2030-02-27 2030-02-28..2031-02-27 2031-02-28..2032-02-28 2032-02-29..2033-02-27"},
	}
	for _, tt := range tests {
		t.Run(tt.start+"/"+string(tt.iv), func(t *testing.T) {
			t.Parallel()
			start, n := calendar.MustParse(tt.start), len(strings.Fields(tt.want))
			for name, got := range map[string]string{
				"contract part": contractPeriods(start, tt.iv, n),
				"template":      templatePeriods(start, tt.iv, n),
				"subscription":  subscriptionPeriods(start, tt.iv, n),
			} {
				if got != tt.want {
					t.Errorf("%s periods:\n%s\nwant\n%s", name, got, tt.want)
				}
			}
		})
	}
}

// TestRecurrencesOverAYear steps each recurrence over two years from every
// month end of 2026 to 2028 (a leap year): every period starts on the start
// day or the last day of a shorter month, and follows the previous one
// without a gap.
func TestRecurrencesOverAYear(t *testing.T) {
	t.Parallel()
	for _, iv := range []billing.Interval{billing.Monthly, billing.Quarterly, billing.Yearly} {
		for _, start := range []string{"2026-01-29", "2026-01-30", "2026-01-31", "2027-03-31", "2027-12-30", "2028-02-29"} {
			t.Run(start+"/"+string(iv), func(t *testing.T) {
				t.Parallel()
				s := calendar.MustParse(start)
				n := 24 / iv.Months() * 2
				got := subscriptionPeriods(s, iv, n)
				if c := contractPeriods(s, iv, n); c != got {
					t.Fatalf("contract part periods\n%s\ndiffer from the subscription's\n%s", c, got)
				}
				if tp := templatePeriods(s, iv, n); tp != got {
					t.Fatalf("template periods\n%s\ndiffer from the subscription's\n%s", tp, got)
				}
				prevEnd := s.AddDays(-1)
				for _, f := range strings.Fields(got) {
					from, to, _ := strings.Cut(f, "..")
					d := calendar.MustParse(from)
					last := calendar.New(d.Year, d.Month+1, 1).AddDays(-1).Day
					if want := min(s.Day, last); d.Day != want {
						t.Fatalf("period %s starts on day %d, want %d", f, d.Day, want)
					}
					if d != prevEnd.AddDays(1) {
						t.Fatalf("period %s does not follow the one ending %s", f, prevEnd)
					}
					prevEnd = calendar.MustParse(to)
				}
			})
		}
	}
}

// TestTemplateAdvanceReanchors steps a template whose next date drifted
// (stored before next dates were anchored) back onto its start day.
func TestTemplateAdvanceReanchors(t *testing.T) {
	t.Parallel()
	tp := billing.Template{Interval: billing.Monthly, Start: calendar.MustParse("2026-01-31"), Next: calendar.MustParse("2026-03-28"),
		Status: billing.TemplateActive}
	if from, to := tp.Period(); from.String() != "2026-03-28" || to.String() != "2026-04-29" {
		t.Errorf("Period() = %s – %s, want 2026-03-28 – 2026-04-29", from, to)
	}
	tp.Advance()
	if tp.Next.String() != "2026-04-30" {
		t.Errorf("next after a drifted 2026-03-28: %s, want 2026-04-30", tp.Next)
	}
	tp.Advance()
	if tp.Next.String() != "2026-05-31" {
		t.Errorf("next after 2026-04-30: %s, want 2026-05-31", tp.Next)
	}
}
