package numbering_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/messages"
	"github.com/facturo/facturo/numbering"
)

// refusedField returns the one field an invalid-input error names, with a
// message ("" for no error); it fails the test for any other error.
func refusedField(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	e, ok := fail.As(err)
	if !ok || e.Code != fail.Invalid || len(e.Fields) != 1 || e.Fields[0].Message == "" {
		t.Fatalf("error %v is not invalid input naming one field with a message", err)
	}
	return e.Fields[0].Field
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
			err := numbering.CheckPattern(tt.pattern)
			if tt.ok {
				if err != nil {
					t.Fatalf("CheckPattern(%q) = %v, want nil", tt.pattern, err)
				}
				return
			}
			if got := refusedField(t, err); got != "pattern" {
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
	for width := 1; width <= numbering.SeqMaxWidth; width++ {
		for _, p := range []string{"INV-{YYYY}-{SEQ:%d}", "{YY}{MM}{SEQ:%d}", "{SEQ:%d}/{YYYY}/{MM}"} {
			pattern := fmt.Sprintf(p, width)
			if err := numbering.CheckPattern(pattern); err != nil {
				t.Fatalf("CheckPattern(%q) = %v, want nil", pattern, err)
			}
			got := numbering.Format(pattern, day, 7)
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
	for kind, p := range numbering.DefaultSeries {
		if err := numbering.CheckPattern(p); err != nil {
			t.Errorf("default %s pattern %q: %v", kind, p, err)
		}
	}
	if len(numbering.DefaultSeries) != 2 || numbering.DefaultSeries[numbering.Invoice] == "" || numbering.DefaultSeries[numbering.CreditNote] == "" {
		t.Errorf("DefaultSeries = %v, want an invoice and a credit note pattern", numbering.DefaultSeries)
	}
}

func TestSeriesCounter(t *testing.T) {
	t.Parallel()
	day := calendar.MustParse("2026-03-09")
	tests := []struct {
		kind, pattern, want string
	}{
		{numbering.Invoice, "INV-{YYYY}-{SEQ:6}", "series:invoice:2026"},
		{numbering.Invoice, "INV-{YY}-{SEQ}", "series:invoice:2026"},
		{numbering.CreditNote, "CN-{YYYY}{MM}-{SEQ}", "series:credit_note:2026-03"},
		{numbering.Invoice, "INV-{SEQ:8}", "series:invoice"},
		// A month without a year still restarts every month of every year.
		{numbering.Invoice, "INV-{MM}-{SEQ}", "series:invoice-03"},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			t.Parallel()
			if got := numbering.Counter(tt.kind, tt.pattern, day); got != tt.want {
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
			if got := numbering.Format(tt.pattern, calendar.MustParse(tt.date), tt.seq); got != tt.want {
				t.Errorf("FormatNumber(%q, %s, %d) = %q, want %q", tt.pattern, tt.date, tt.seq, got, tt.want)
			}
		})
	}
}

func TestNumbersFollowDates(t *testing.T) {
	t.Parallel()
	for country, want := range map[string]bool{"ES": true, "PT": true, "FR": false, "DE": false, "": false, "es": false} {
		if got := numbering.FollowsDates(country); got != want {
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
			from, to := numbering.Period(tt.pattern, calendar.MustParse(tt.date))
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
			err := numbering.CheckDate(calendar.MustParse(tt.date), last)
			if tt.ok {
				if err != nil {
					t.Fatalf("CheckSeriesDate = %v, want nil", err)
				}
				return
			}
			if got := refusedField(t, err); got != "invoice_date" {
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

// TestPatternHelpStatesTheWidthLimit: the console's hint states the
// {SEQ:n} width limit CheckPattern enforces, in every language, so the
// help can't drift from the rule.
func TestPatternHelpStatesTheWidthLimit(t *testing.T) {
	t.Parallel()
	limit := fmt.Sprintf("1 %%s %d", numbering.SeqMaxWidth)
	for lang, word := range map[string]string{"en": "to", "es": "a", "pt-BR": "a"} {
		if hint, want := messages.Text(lang, "series.hint"), fmt.Sprintf(limit, word); !strings.Contains(hint, want) {
			t.Errorf("%s series.hint %q does not state the width limit %q", lang, hint, want)
		}
	}
}
