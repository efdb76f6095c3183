package billing_test

import (
	"slices"
	"testing"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
)

func TestIntervalMonths(t *testing.T) {
	t.Parallel()
	for iv, want := range map[billing.Interval]int{billing.Monthly: 1, billing.Quarterly: 3, billing.Yearly: 12, "": 1, "weekly": 1} {
		if got := iv.Months(); got != want {
			t.Errorf("%q.Months() = %d, want %d", iv, got, want)
		}
	}
}

// recurringTemplate is a valid monthly template starting on start.
func recurringTemplate(start string) billing.Template {
	return billing.Template{
		Name: " Hosting ", CustomerID: "cus_1", Interval: billing.Monthly, Start: calendar.MustParse(start),
		Invoice: billing.TemplateInvoice{Lines: []billing.Line{{Description: "Hosting", Amount: eur(d("10"))}}},
	}
}

func TestTemplateNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(*billing.Template)
		fields []string
	}{
		{"valid", func(*billing.Template) {}, nil},
		{"end on the start day", func(tp *billing.Template) { tp.End = tp.Start }, nil},
		{"paused", func(tp *billing.Template) { tp.Status = billing.TemplatePaused }, nil},
		{"ended", func(tp *billing.Template) { tp.Status = billing.TemplateEnded }, nil},
		{"no name", func(tp *billing.Template) { tp.Name = "  " }, []string{"name"}},
		{"no customer", func(tp *billing.Template) { tp.CustomerID = "" }, []string{"customer_id"}},
		{"weekly", func(tp *billing.Template) { tp.Interval = "weekly" }, []string{"interval"}},
		{"no interval", func(tp *billing.Template) { tp.Interval = "" }, []string{"interval"}},
		{"no start", func(tp *billing.Template) { tp.Start = calendar.Date{} }, []string{"start_date"}},
		{"end before start", func(tp *billing.Template) { tp.End = tp.Start.AddDays(-1) }, []string{"end_date"}},
		{"unknown status", func(tp *billing.Template) { tp.Status = "deleted" }, []string{"status"}},
		{"no lines", func(tp *billing.Template) { tp.Invoice.Lines = nil }, []string{"lines"}},
		{"everything wrong", func(tp *billing.Template) {
			*tp = billing.Template{Interval: "daily", Status: "x", End: calendar.MustParse("2020-01-01")}
		}, []string{"customer_id", "interval", "lines", "name", "start_date", "status"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tp := recurringTemplate("2026-01-31")
			tt.change(&tp)
			if got := invalidFields(t, tp.Normalize()); !slices.Equal(got, tt.fields) {
				t.Fatalf("Normalize fields %v, want %v", got, tt.fields)
			}
		})
	}
}

func TestTemplateNormalizeDefaults(t *testing.T) {
	t.Parallel()
	tp := recurringTemplate("2026-01-31")
	if err := tp.Normalize(); err != nil {
		t.Fatal(err)
	}
	if tp.Name != "Hosting" || tp.Status != billing.TemplateActive || tp.Next != tp.Start {
		t.Errorf("after Normalize name %q status %q next %s, want \"Hosting\", active, %s", tp.Name, tp.Status, tp.Next, tp.Start)
	}
	// A next date already set (an existing template) is kept.
	tp = recurringTemplate("2026-01-31")
	tp.Next = calendar.MustParse("2026-05-31")
	if err := tp.Normalize(); err != nil {
		t.Fatal(err)
	}
	if tp.Next != calendar.MustParse("2026-05-31") {
		t.Errorf("Normalize moved next date to %s", tp.Next)
	}
}

func TestTemplateDue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, status, next, end, today string
		want                           bool
	}{
		{"on its next date", billing.TemplateActive, "2026-03-01", "", "2026-03-01", true},
		{"after its next date", billing.TemplateActive, "2026-03-01", "", "2026-04-15", true},
		{"before its next date", billing.TemplateActive, "2026-03-01", "", "2026-02-28", false},
		{"next date on the end date", billing.TemplateActive, "2026-03-01", "2026-03-01", "2026-03-05", true},
		{"next date after the end date", billing.TemplateActive, "2026-04-01", "2026-03-31", "2026-04-05", false},
		{"paused", billing.TemplatePaused, "2026-03-01", "", "2026-03-01", false},
		{"ended", billing.TemplateEnded, "2026-03-01", "", "2026-03-01", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tp := billing.Template{Status: tt.status, Next: calendar.MustParse(tt.next)}
			if tt.end != "" {
				tp.End = calendar.MustParse(tt.end)
			}
			if got := tp.Due(calendar.MustParse(tt.today)); got != tt.want {
				t.Errorf("Due(%s) = %v, want %v", tt.today, got, tt.want)
			}
		})
	}
}

func TestTemplatePeriod(t *testing.T) {
	t.Parallel()
	tests := []struct {
		interval       billing.Interval
		next, from, to string
	}{
		{billing.Monthly, "2026-03-01", "2026-03-01", "2026-03-31"},
		{billing.Monthly, "2026-02-01", "2026-02-01", "2026-02-28"},
		{billing.Monthly, "2026-01-15", "2026-01-15", "2026-02-14"},
		{billing.Quarterly, "2026-01-01", "2026-01-01", "2026-03-31"},
		{billing.Yearly, "2028-01-01", "2028-01-01", "2028-12-31"},
	}
	for _, tt := range tests {
		t.Run(string(tt.interval)+"/"+tt.next, func(t *testing.T) {
			t.Parallel()
			tp := billing.Template{Interval: tt.interval, Next: calendar.MustParse(tt.next)}
			from, to := tp.Period()
			if from != calendar.MustParse(tt.from) || to != calendar.MustParse(tt.to) {
				t.Errorf("Period() = %s – %s, want %s – %s", from, to, tt.from, tt.to)
			}
		})
	}
}

// TestTemplateAdvance walks templates through their periods: the next dates
// they take and the one on which they end.
func TestTemplateAdvance(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		interval billing.Interval
		next     string
		end      string
		want     []string // next date after each Advance
		endsAt   int      // index in want at which the status becomes ended; -1 never
	}{
		{"monthly, open-ended", billing.Monthly, "2026-01-01", "", []string{"2026-02-01", "2026-03-01", "2026-04-01"}, -1},
		{"quarterly until June", billing.Quarterly, "2026-01-01", "2026-06-30", []string{"2026-04-01", "2026-07-01"}, 1},
		{"yearly", billing.Yearly, "2026-03-15", "", []string{"2027-03-15", "2028-03-15"}, -1},
		{"end on a next date keeps it active", billing.Monthly, "2026-01-01", "2026-02-01", []string{"2026-02-01", "2026-03-01"}, 1},
		{"last period", billing.Monthly, "2026-12-01", "2026-12-31", []string{"2027-01-01"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tp := billing.Template{Interval: tt.interval, Next: calendar.MustParse(tt.next), Status: billing.TemplateActive}
			if tt.end != "" {
				tp.End = calendar.MustParse(tt.end)
			}
			for i, w := range tt.want {
				tp.Advance()
				if tp.Next != calendar.MustParse(w) {
					t.Fatalf("advance %d: next %s, want %s", i+1, tp.Next, w)
				}
				wantStatus := billing.TemplateActive
				if tt.endsAt >= 0 && i >= tt.endsAt {
					wantStatus = billing.TemplateEnded
				}
				if tp.Status != wantStatus {
					t.Fatalf("advance %d: status %q, want %q", i+1, tp.Status, wantStatus)
				}
			}
		})
	}
}
