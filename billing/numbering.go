package billing

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
)

// Number series kinds.
const (
	SeriesInvoice    = "invoice"
	SeriesCreditNote = "credit_note"
)

// DefaultSeries are the patterns a tenant starts with.
var DefaultSeries = map[string]string{
	SeriesInvoice:    "INV-{YYYY}-{SEQ:6}",
	SeriesCreditNote: "CN-{YYYY}-{SEQ:6}",
}

var seqToken = regexp.MustCompile(`\{SEQ(?::(\d))?\}`)
var anyToken = regexp.MustCompile(`\{[^}]*\}`)

// CheckPattern validates a numbering pattern: literal text with {YYYY},
// {YY}, {MM} and exactly one {SEQ} or {SEQ:n} (n digits, zero-padded).
func CheckPattern(p string) error {
	if len(p) == 0 || len(p) > 40 {
		return fail.Field("pattern", "must be 1 to 40 characters")
	}
	if len(seqToken.FindAllString(p, -1)) != 1 {
		return fail.Field("pattern", "must contain exactly one {SEQ} or {SEQ:n} (n from 1 to 9)")
	}
	for _, t := range anyToken.FindAllString(p, -1) {
		switch {
		case t == "{YYYY}", t == "{YY}", t == "{MM}", seqToken.MatchString(t):
		default:
			return fail.Field("pattern", "unknown token %s: use {YYYY}, {YY}, {MM}, {SEQ} or {SEQ:n}", t)
		}
	}
	if strings.ContainsAny(anyToken.ReplaceAllString(p, ""), " \t\n{}") {
		return fail.Field("pattern", "literal text must not contain spaces or braces")
	}
	return nil
}

// SeriesCounter names the counter a pattern draws from on a date: a pattern
// with a year (and month) restarts its sequence each year (and month).
func SeriesCounter(kind, pattern string, d calendar.Date) string {
	key := "series:" + kind
	if strings.Contains(pattern, "{YYYY}") || strings.Contains(pattern, "{YY}") {
		key += fmt.Sprintf(":%04d", d.Year)
	}
	if strings.Contains(pattern, "{MM}") {
		key += fmt.Sprintf("-%02d", int(d.Month))
	}
	return key
}

// FormatNumber renders a legal number from a pattern, a date and a sequence.
func FormatNumber(pattern string, d calendar.Date, seq int64) string {
	out := strings.NewReplacer("{YYYY}", fmt.Sprintf("%04d", d.Year), "{YY}", fmt.Sprintf("%02d", d.Year%100),
		"{MM}", fmt.Sprintf("%02d", int(d.Month))).Replace(pattern)
	return seqToken.ReplaceAllStringFunc(out, func(t string) string {
		m := seqToken.FindStringSubmatch(t)
		width := 1
		if m[1] != "" {
			width, _ = strconv.Atoi(m[1])
		}
		return fmt.Sprintf("%0*d", width, seq)
	})
}
