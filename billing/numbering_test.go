package billing_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
)

// invalidFields returns the fields an invalid-input error names, sorted
// (nil for no error); it fails the test for any other error.
func invalidFields(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	e, ok := fail.As(err)
	if !ok || e.Code != fail.Invalid {
		t.Fatalf("error %v is not invalid input", err)
	}
	var out []string
	for _, f := range e.Fields {
		if f.Message == "" {
			t.Errorf("field %s has no message", f.Field)
		}
		out = append(out, f.Field)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// wantCode fails the test unless err has code want (nil err for want "").
func wantCode(t *testing.T, err error, want fail.Code) {
	t.Helper()
	if got := fail.CodeOf(err); err == nil && want != "" || err != nil && got != want {
		t.Fatalf("error %v (code %q), want code %q", err, got, want)
	}
}

func TestCheckPattern(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern string
		ok      bool
		msg     string // part of the message when refused
	}{
		{"INV-{YYYY}-{SEQ:6}", true, ""},
		{"CN-{YY}{MM}-{SEQ}", true, ""},
		{"{SEQ:9}", true, ""},
		{"F/{YYYY}/{MM}/{SEQ:1}", true, ""},
		{"", false, "1 to 40 characters"},
		{strings.Repeat("A", 36) + "{SEQ}", false, "1 to 40 characters"},
		{strings.Repeat("A", 35) + "{SEQ}", true, ""},
		{"INV-{YYYY}", false, "exactly one {SEQ}"},
		{"{SEQ}-{SEQ:3}", false, "exactly one {SEQ}"},
		// The width of {SEQ:n} is one digit from 1 to 9; anything else is
		// refused naming the token, the pattern and the range.
		{"INV-{SEQ:0}", false, `{SEQ:0} in "INV-{SEQ:0}": the width n of {SEQ:n} must be one digit from 1 to 9`},
		{"INV-{SEQ:10}", false, `{SEQ:10} in "INV-{SEQ:10}": the width n of {SEQ:n} must be one digit from 1 to 9`},
		{"INV-{SEQ:06}", false, "must be one digit from 1 to 9"},
		{"INV-{SEQ:}", false, "must be one digit from 1 to 9"},
		{"INV-{SEQ:-1}", false, "must be one digit from 1 to 9"},
		{"INV-{SEQ: 6}", false, "must be one digit from 1 to 9"},
		{"INV-{SEQ:x}", false, "must be one digit from 1 to 9"},
		{"INV-{YYYY}-{SEQ:0}-{SEQ}", false, "{SEQ:0}"},
		{"INV-{seq}", false, "unknown token {seq}"},
		{"INV-{YYY}-{SEQ}", false, "unknown token {YYY}"},
		{"INV-{M}-{SEQ}", false, "unknown token {M}"},
		{"INV-{yyyy}-{SEQ}", false, "unknown token {yyyy}"},
		{"INV-{YYYY:4}-{SEQ}", false, "unknown token {YYYY:4}"},
		{"INV-{}-{SEQ}", false, "unknown token {}"},
		{"INV-{SEQ}{SEQ:2}", false, "exactly one {SEQ} or {SEQ:n} (n from 1 to 9)"},
		{"INV-{DD}-{SEQ}", false, "unknown token {DD}"},
		{"INV {SEQ}", false, "spaces or braces"},
		{"INV-{SEQ}}", false, "spaces or braces"},
		{"INV\t{SEQ}", false, "spaces or braces"},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			t.Parallel()
			err := billing.CheckPattern(tt.pattern)
			if tt.ok {
				if err != nil {
					t.Fatalf("CheckPattern(%q) = %v, want nil", tt.pattern, err)
				}
				return
			}
			if got := invalidFields(t, err); !slices.Equal(got, []string{"pattern"}) {
				t.Fatalf("CheckPattern(%q) fields %v, want [pattern]", tt.pattern, got)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("CheckPattern(%q) = %q, want it to mention %q", tt.pattern, err, tt.msg)
			}
		})
	}
}

// TestAcceptedPatternsRender checks CheckPattern and FormatNumber agree:
// every placeholder of a pattern CheckPattern accepts is rendered, and the
// sequence is padded to exactly the width asked for.
func TestAcceptedPatternsRender(t *testing.T) {
	t.Parallel()
	day := calendar.MustParse("2026-03-09")
	for width := 1; width <= billing.SeqMaxWidth; width++ {
		for _, p := range []string{"INV-{YYYY}-{SEQ:%d}", "{YY}{MM}{SEQ:%d}", "{SEQ:%d}/{YYYY}/{MM}"} {
			pattern := fmt.Sprintf(p, width)
			if err := billing.CheckPattern(pattern); err != nil {
				t.Fatalf("CheckPattern(%q) = %v, want nil", pattern, err)
			}
			got := billing.FormatNumber(pattern, day, 7)
			if strings.ContainsAny(got, "{}") {
				t.Errorf("FormatNumber(%q) = %q, left a placeholder", pattern, got)
			}
			if want := strings.Repeat("0", width-1) + "7"; !strings.Contains(got, want) || strings.Contains(got, "0"+want) {
				t.Errorf("FormatNumber(%q) = %q, want the sequence padded to %d digits (%s)", pattern, got, width, want)
			}
		}
	}
}

func TestDefaultSeriesAreValid(t *testing.T) {
	t.Parallel()
	for kind, p := range billing.DefaultSeries {
		if err := billing.CheckPattern(p); err != nil {
			t.Errorf("default %s pattern %q: %v", kind, p, err)
		}
	}
	if len(billing.DefaultSeries) != 2 || billing.DefaultSeries[billing.SeriesInvoice] == "" || billing.DefaultSeries[billing.SeriesCreditNote] == "" {
		t.Errorf("DefaultSeries = %v, want an invoice and a credit note pattern", billing.DefaultSeries)
	}
}

func TestSeriesCounter(t *testing.T) {
	t.Parallel()
	day := calendar.MustParse("2026-03-09")
	tests := []struct {
		kind, pattern, want string
	}{
		{billing.SeriesInvoice, "INV-{YYYY}-{SEQ:6}", "series:invoice:2026"},
		{billing.SeriesInvoice, "INV-{YY}-{SEQ}", "series:invoice:2026"},
		{billing.SeriesCreditNote, "CN-{YYYY}{MM}-{SEQ}", "series:credit_note:2026-03"},
		{billing.SeriesInvoice, "INV-{SEQ:8}", "series:invoice"},
		// A month without a year still restarts every month of every year.
		{billing.SeriesInvoice, "INV-{MM}-{SEQ}", "series:invoice-03"},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			t.Parallel()
			if got := billing.SeriesCounter(tt.kind, tt.pattern, day); got != tt.want {
				t.Errorf("SeriesCounter(%s, %q) = %q, want %q", tt.kind, tt.pattern, got, tt.want)
			}
		})
	}
}

func TestFormatNumber(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern string
		date    string
		seq     int64
		want    string
	}{
		{"INV-{YYYY}-{SEQ:6}", "2026-03-09", 42, "INV-2026-000042"},
		{"CN-{YY}{MM}-{SEQ}", "2026-11-30", 7, "CN-2611-7"},
		{"{SEQ:3}", "2026-01-01", 12345, "12345"}, // wider than the padding: not cut
		{"F/{YYYY}/{MM}/{SEQ:2}", "2009-02-28", 1, "F/2009/02/01"},
		{"{YY}-{SEQ:4}", "2000-06-15", 0, "00-0000"},
		{"X{SEQ}Y", "2026-01-01", 1, "X1Y"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			t.Parallel()
			if got := billing.FormatNumber(tt.pattern, calendar.MustParse(tt.date), tt.seq); got != tt.want {
				t.Errorf("FormatNumber(%q, %s, %d) = %q, want %q", tt.pattern, tt.date, tt.seq, got, tt.want)
			}
		})
	}
}

func TestNumbersFollowDates(t *testing.T) {
	t.Parallel()
	for country, want := range map[string]bool{"ES": true, "PT": true, "FR": false, "DE": false, "": false, "es": false} {
		if got := billing.NumbersFollowDates(country); got != want {
			t.Errorf("NumbersFollowDates(%q) = %v, want %v", country, got, want)
		}
	}
}

func TestSeriesPeriod(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern, date, from, to string
	}{
		{"INV-{YYYY}-{SEQ}", "2026-03-09", "2026-01-01", "2026-12-31"},
		{"INV-{YY}-{SEQ}", "2024-07-01", "2024-01-01", "2024-12-31"},
		{"INV-{YYYY}{MM}-{SEQ}", "2026-03-09", "2026-03-01", "2026-03-31"},
		{"INV-{YYYY}{MM}-{SEQ}", "2028-02-10", "2028-02-01", "2028-02-29"}, // leap year
		{"INV-{YY}{MM}-{SEQ}", "2026-12-31", "2026-12-01", "2026-12-31"},
		{"INV-{SEQ}", "2026-03-09", "", ""},
		{"INV-{MM}-{SEQ}", "2026-03-09", "", ""}, // no year: every date
	}
	for _, tt := range tests {
		t.Run(tt.pattern+"/"+tt.date, func(t *testing.T) {
			t.Parallel()
			from, to := billing.SeriesPeriod(tt.pattern, calendar.MustParse(tt.date))
			wantFrom, wantTo := calendar.Date{}, calendar.Date{}
			if tt.from != "" {
				wantFrom, wantTo = calendar.MustParse(tt.from), calendar.MustParse(tt.to)
			}
			if from != wantFrom || to != wantTo {
				t.Errorf("SeriesPeriod(%q, %s) = %s – %s, want %s – %s", tt.pattern, tt.date, from, to, wantFrom, wantTo)
			}
		})
	}
}

func TestCheckSeriesDate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, date, last string
		ok               bool
	}{
		{"first document of the series", "2026-03-09", "", true},
		{"same day as the last", "2026-03-09", "2026-03-09", true},
		{"after the last", "2026-03-10", "2026-03-09", true},
		{"before the last", "2026-03-08", "2026-03-09", false},
		{"a year before", "2025-03-09", "2026-03-09", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var last calendar.Date
			if tt.last != "" {
				last = calendar.MustParse(tt.last)
			}
			err := billing.CheckSeriesDate(calendar.MustParse(tt.date), last)
			if tt.ok {
				if err != nil {
					t.Fatalf("CheckSeriesDate = %v, want nil", err)
				}
				return
			}
			if got := invalidFields(t, err); !slices.Equal(got, []string{"invoice_date"}) {
				t.Fatalf("fields %v, want [invoice_date]", got)
			}
			for _, part := range []string{tt.date + " is before " + tt.last, `"redate": true`} {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("message %q lacks %q", err, part)
				}
			}
		})
	}
}
