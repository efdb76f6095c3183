package documents_test

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/documents"
)

// layoutSample is a long invoice in lang with a logo, the seller's email and
// phone, and every date the PDF can show: header dates, service periods,
// cash discount, a payment schedule, and periods written into generated line
// descriptions and notes the ISO way.
func layoutSample(t *testing.T, lang string) *documents.Doc {
	t.Helper()
	d := sample(t, lang, "EUR", 60)
	d.Branding.Logo = tinyPNG(t)
	d.Branding.Email, d.Branding.Phone = "billing@facturo.example", "+34 910 000 000"
	d.Invoice.CashDiscountPct, d.Invoice.CashDiscountDate = dec("2"), calendar.New(2026, 3, 15)
	d.Invoice.PaymentSchedule = []billing.Installment{{DueDate: calendar.New(2026, 4, 4), Amount: d.Invoice.Total}}
	d.Invoice.Notes = "Usage of 2026-02-01 to 2026-02-28."
	for i := range d.Invoice.Lines {
		l := &d.Invoice.Lines[i]
		l.ServiceStart, l.ServiceEnd = calendar.New(2026, 2, 1), calendar.New(2026, 2, 28)
		l.Description = "Seats " + strconv.Itoa(i+1) + " (2026-02-01 – 2026-02-28)"
	}
	return d
}

// bboxWord is one word of pdftotext -bbox, its box from the page's top.
type bboxWord struct {
	page                   int
	xMin, yMin, xMax, yMax float64
	text                   string
}

var bboxRe = regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>|<page `)

func bboxWords(t *testing.T, pdf []byte) []bboxWord {
	t.Helper()
	var out []bboxWord
	page := 0
	for _, m := range bboxRe.FindAllStringSubmatch(pdftotextArgs(t, pdf, "-bbox"), -1) {
		if m[0] == "<page " {
			page++
			continue
		}
		f := func(s string) float64 { v, _ := strconv.ParseFloat(s, 64); return v }
		out = append(out, bboxWord{page, f(m[1]), f(m[2]), f(m[3]), f(m[4]), m[5]})
	}
	return out
}

// TestPDFHeaderRuleBelowHeaderText: with a logo, the rule under the page
// header runs below the seller's email and phone line on every page, and
// above the content (issue 12).
func TestPDFHeaderRuleBelowHeaderText(t *testing.T) {
	t.Parallel()
	pdf, err := documents.PDFBytes(layoutSample(t, "en"))
	if err != nil {
		t.Fatal(err)
	}
	// The header rule is the full-width line in the top part of the page
	// (content streams are uncompressed; PDF y runs from the bottom).
	const pageH = 841.89
	var rules []float64
	for _, m := range regexp.MustCompile(`40\.00 ([\d.]+) m 555\.28 ([\d.]+) l S`).FindAllSubmatch(pdf, -1) {
		y, _ := strconv.ParseFloat(string(m[1]), 64)
		if top := pageH - y; top < 300 {
			rules = append(rules, top)
		}
	}
	words := bboxWords(t, pdf)
	pages := 0
	for _, w := range words {
		pages = max(pages, w.page)
	}
	if pages < 3 || len(rules) != pages {
		t.Fatalf("%d pages, %d header rules; want one rule per page and at least 3 pages", pages, len(rules))
	}
	for p := 1; p <= pages; p++ {
		rule := rules[p-1]
		var contact, below float64
		for _, w := range words {
			if w.page != p {
				continue
			}
			if w.text == "billing@facturo.example" {
				contact = w.yMax
			}
			if (w.text == "BILL" || w.text == "Description") && below == 0 {
				below = w.yMin
			}
		}
		if contact == 0 || contact > rule {
			t.Errorf("page %d: the rule at y=%.1f strikes through the email and phone line (bottom at y=%.1f)", p, rule, contact)
		}
		if below != 0 && below < rule {
			t.Errorf("page %d: content starts at y=%.1f, above the rule at y=%.1f", p, below, rule)
		}
	}
}

// TestPDFContinuationRowsNotBold: the first line of the table on a
// continuation page is in the regular weight like every other row (bold
// text is wider: the same word measures the same in every row).
func TestPDFContinuationRowsNotBold(t *testing.T) {
	t.Parallel()
	pdf, err := documents.PDFBytes(layoutSample(t, "en"))
	if err != nil {
		t.Fatal(err)
	}
	widths := map[int][]float64{} // page → widths of the word "Seats", in row order
	for _, w := range bboxWords(t, pdf) {
		if w.text == "Seats" {
			widths[w.page] = append(widths[w.page], w.xMax-w.xMin)
		}
	}
	if len(widths) < 2 {
		t.Fatalf("the lines span %d pages; want at least 2", len(widths))
	}
	regular := widths[1][1]
	for p, ws := range widths {
		for i, w := range ws {
			if w-regular > 0.05 || regular-w > 0.05 {
				t.Errorf("page %d row %d: \"Seats\" is %.2f wide, %.2f in a regular row: a different weight", p, i+1, w, regular)
			}
		}
	}
}

// TestPDFDatesOneFormatPerLanguage: every date in the PDF, including those
// written into line descriptions and notes the ISO way, shows in the
// document language's one format (issue 12).
func TestPDFDatesOneFormatPerLanguage(t *testing.T) {
	t.Parallel()
	iso := regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}\b`)
	numeric := regexp.MustCompile(`\b\d{1,2}/\d{1,2}/\d{4}\b`)
	english := regexp.MustCompile(`\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{1,2}, \d{4}\b`)
	for _, c := range []struct {
		lang       string
		want       *regexp.Regexp
		notWant    []*regexp.Regexp
		wantDates  []string
		screenshot bool
	}{
		{"en", english, []*regexp.Regexp{iso, numeric}, []string{"Mar 5, 2026", "Feb 1, 2026", "Mar 15, 2026", "Apr 4, 2026"}, true},
		{"es", numeric, []*regexp.Regexp{iso, english}, []string{"05/03/2026", "01/02/2026", "15/03/2026", "04/04/2026"}, false},
	} {
		pdf, err := documents.PDFBytes(layoutSample(t, c.lang))
		if err != nil {
			t.Fatal(err)
		}
		txt := pdftotext(t, pdf)
		for _, re := range c.notWant {
			if m := re.FindAllString(txt, 3); len(m) > 0 {
				t.Errorf("%s PDF shows dates in another format: %q", c.lang, m)
			}
		}
		for _, d := range c.wantDates {
			if !strings.Contains(txt, d) {
				t.Errorf("%s PDF lacks the date %s", c.lang, d)
			}
		}
		if n := len(c.want.FindAllString(txt, -1)); n < 60 {
			t.Errorf("%s PDF shows %d dates in its format; want every line's period", c.lang, n)
		}
		if out := os.Getenv("FACTURO_PDF_OUT"); out != "" && c.screenshot {
			if err := os.WriteFile(out, pdf, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
}
