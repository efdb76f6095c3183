package billing

import (
	"testing"

	"github.com/facturo/facturo/calendar"
)

func TestUnbilledNeverBillsADayTwice(t *testing.T) {
	t.Parallel()
	d := func(s string) calendar.Date { return calendar.MustParse(s) }
	per := func(from, to string) Period { return Period{Start: d(from), End: d(to), BillingDate: d(from)} }
	rng := func(from, to string) calendar.Range { return calendar.Range{From: d(from), To: d(to)} }
	// A part from 31 January, anchored: what PeriodsBilledIn gives now.
	anchored := []Period{per("2026-03-31", "2026-04-29"), per("2026-04-30", "2026-05-30"), per("2026-05-31", "2026-06-29")}
	cases := []struct {
		name   string
		billed []calendar.Range
		want   []string // starts kept
	}{
		{"nothing billed", nil, []string{"2026-03-31", "2026-04-30", "2026-05-31"}},
		{"the same periods billed: kept, the reference makes them once",
			[]calendar.Range{rng("2026-03-31", "2026-04-29")}, []string{"2026-03-31", "2026-04-30", "2026-05-31"}},
		{"drifted periods billed (28th): the overlapping anchored ones are not billed again",
			[]calendar.Range{rng("2026-03-28", "2026-04-27"), rng("2026-04-28", "2026-05-27")}, []string{"2026-05-31"}},
		{"a period touching a billed one on its last day overlaps",
			[]calendar.Range{rng("2026-03-01", "2026-03-31")}, []string{"2026-04-30", "2026-05-31"}},
		{"a billed period ending the day before does not overlap",
			[]calendar.Range{rng("2026-03-01", "2026-03-30")}, []string{"2026-03-31", "2026-04-30", "2026-05-31"}},
		{"an open-ended billed range covers everything after it",
			[]calendar.Range{{From: d("2026-05-01")}}, []string{"2026-03-31"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := Unbilled(anchored, c.billed)
			var starts []string
			for _, p := range got {
				starts = append(starts, p.Start.String())
			}
			if len(starts) != len(c.want) {
				t.Fatalf("kept %v, want %v", starts, c.want)
			}
			for i := range starts {
				if starts[i] != c.want[i] {
					t.Fatalf("kept %v, want %v", starts, c.want)
				}
			}
		})
	}
	if len(anchored) != 3 {
		t.Fatal("Unbilled changed its input")
	}
}
