// Package numbering is the rule of legal document numbers: the patterns a
// number series may use ({YYYY}, {YY}, {MM}, {SEQ:n}), the counter a pattern
// draws from on a date, how a number renders, and where numbers must follow
// dates (Spain, Portugal).
package numbering

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
)

// Number series kinds.
const (
	Invoice    = "invoice"
	CreditNote = "credit_note"
)

// DefaultSeries are the patterns a tenant starts with.
var DefaultSeries = map[string]string{
	Invoice:    "INV-{YYYY}-{SEQ:6}",
	CreditNote: "CN-{YYYY}-{SEQ:6}",
}

// SeqMaxWidth is the widest zero-padding {SEQ:n} may ask for.
const SeqMaxWidth = 9

// seqToken matches the sequence placeholder Format renders. It is
// lenient on purpose ({SEQ:0} renders as {SEQ}) so that a pattern stored
// before CheckPattern refused it still numbers; CheckPattern is strict.
var seqToken = regexp.MustCompile(`\{SEQ(?::(\d))?\}`)
var anyToken = regexp.MustCompile(`\{[^}]*\}`)

// seqWidth returns the zero-padding width of a sequence placeholder: 1 for
// {SEQ}, n for {SEQ:n}. ok is false for any other token and for a width that
// is not a single digit from 1 to SeqMaxWidth ({SEQ:0}, {SEQ:10}, {SEQ:06},
// {SEQ:}).
func seqWidth(t string) (width int, ok bool) {
	if t == "{SEQ}" {
		return 1, true
	}
	n, found := strings.CutPrefix(t, "{SEQ:")
	n, closed := strings.CutSuffix(n, "}")
	if !found || !closed || len(n) != 1 || n[0] < '1' || n[0] > '0'+SeqMaxWidth {
		return 0, false
	}
	return int(n[0] - '0'), true
}

// CheckPattern validates a numbering pattern: literal text with {YYYY},
// {YY}, {MM} and exactly one {SEQ} or {SEQ:n} (n digits from 1 to
// SeqMaxWidth, zero-padded). Every placeholder is checked whole: a token
// that only looks like one ({SEQ:0}, {seq}, {YYY}) is refused, naming it.
func CheckPattern(p string) error {
	if len(p) == 0 || len(p) > 40 {
		return fail.Field("pattern", "must be 1 to 40 characters")
	}
	seqs := 0
	for _, t := range anyToken.FindAllString(p, -1) {
		switch {
		case t == "{YYYY}", t == "{YY}", t == "{MM}":
		case strings.HasPrefix(t, "{SEQ:"):
			if _, ok := seqWidth(t); !ok {
				return fail.Field("pattern", "%s in %q: the width n of {SEQ:n} must be one digit from 1 to %d (the digits the sequence is zero-padded to), e.g. {SEQ:6}; use {SEQ} for no padding",
					t, p, SeqMaxWidth)
			}
			seqs++
		case t == "{SEQ}":
			seqs++
		default:
			return fail.Field("pattern", "unknown token %s: use {YYYY}, {YY}, {MM}, {SEQ} or {SEQ:n}", t)
		}
	}
	if seqs != 1 {
		return fail.Field("pattern", "must contain exactly one {SEQ} or {SEQ:n} (n from 1 to %d)", SeqMaxWidth)
	}
	if strings.ContainsAny(anyToken.ReplaceAllString(p, ""), " \t\n{}") {
		return fail.Field("pattern", "literal text must not contain spaces or braces")
	}
	return nil
}

// Counter names the counter a pattern draws from on a date: a pattern
// with a year (and month) restarts its sequence each year (and month).
func Counter(kind, pattern string, d calendar.Date) string {
	key := "series:" + kind
	if strings.Contains(pattern, "{YYYY}") || strings.Contains(pattern, "{YY}") {
		key += fmt.Sprintf(":%04d", d.Year)
	}
	if strings.Contains(pattern, "{MM}") {
		key += fmt.Sprintf("-%02d", int(d.Month))
	}
	return key
}

// Format renders a legal number from a pattern, a date and a sequence.
func Format(pattern string, d calendar.Date, seq int64) string {
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

// FollowsDates reports whether invoice numbers must follow invoice
// dates within a series for a seller in country (ISO 3166-1 alpha-2):
// Spain (Reglamento de facturación, RD 1619/2012, art. 6: correlative
// numbering within a series) and Portugal (Decreto-Lei 28/2019: sequential
// numbering in chronological order). A document dated before the last one
// issued in its series would take a later number than a later date.
func FollowsDates(country string) bool { return country == "ES" || country == "PT" }

// Period returns the invoice dates the series counter of pattern
// holds on d covers (Counter's key): the year with {YYYY} or {YY},
// the month of that year with {MM} too; zero dates (every date) otherwise.
func Period(pattern string, d calendar.Date) (from, to calendar.Date) {
	if !strings.Contains(pattern, "{YYYY}") && !strings.Contains(pattern, "{YY}") {
		return calendar.Date{}, calendar.Date{}
	}
	if strings.Contains(pattern, "{MM}") {
		from = calendar.New(d.Year, d.Month, 1)
		return from, from.AddMonths(1).AddDays(-1)
	}
	return calendar.New(d.Year, time.January, 1), calendar.New(d.Year, time.December, 31)
}

// CheckDate refuses to number a document dated date in a series
// whose last issued document is dated last: numbers must follow dates.
func CheckDate(date, last calendar.Date) error {
	if last.IsZero() || !date.Before(last) {
		return nil
	}
	return fail.Field("invoice_date", "%s is before %s, the date of the last document issued in this number series: numbers must follow dates. "+
		"Date it %s or later, or issue it with \"redate\": true to date it today", date, last, last)
}

// Internal is a kind of internal number: what a draft document, contract,
// ticket, customer, wallet receipt or journal entry is called besides any
// legal number. Each kind draws from its own gapless per-tenant counter and
// renders as its prefix, a dash and the count zero-padded to its width.
type Internal struct {
	Counter string // the per-tenant counter it draws from
	Prefix  string
	Width   int
}

// The internal numbers.
var (
	DocumentNumber = Internal{Counter: "document", Prefix: "D", Width: 6}
	ContractNumber = Internal{Counter: "contract", Prefix: "K", Width: 6}
	TicketNumber   = Internal{Counter: "ticket", Prefix: "T", Width: 6}
	CustomerNumber = Internal{Counter: "customer_number", Prefix: "C", Width: 6}
	WalletReceipt  = Internal{Counter: "wallet_receipt", Prefix: "WR", Width: 6}
	JournalVoucher = Internal{Counter: "journal", Prefix: "JE", Width: 8}
)

// Format renders the n-th number of the kind, e.g. D-000042.
func (k Internal) Format(n int64) string { return fmt.Sprintf("%s-%0*d", k.Prefix, k.Width, n) }
