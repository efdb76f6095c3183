package documents_test

import (
	_ "embed"
	"io"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/signintech/gopdf"

	"github.com/facturo/facturo/documents"
)

// BenchmarkPDFTenLines renders a one-page, ten-line invoice (the fonts are
// parsed once per process, as in production).
func BenchmarkPDFTenLines(b *testing.B) {
	d := sample(b, "es", "EUR", 10)
	b.ReportAllocs()
	for b.Loop() {
		if err := documents.PDF(io.Discard, d); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReferenceGopdfThreeLines is the reference of the issue: what
// maaslalani/invoice does to render its one-page, three-line invoice in
// process with gopdf and full TTF fonts (regular and bold parsed for every
// document; header, title, bill-to, three rows, totals and footer), rebuilt
// here with the same calls and the full DejaVu Sans of the system
// (fonts-dejavu-core), which is as large as the Inter fonts it embeds.
func BenchmarkReferenceGopdfThreeLines(b *testing.B) {
	dir := "/usr/share/fonts/truetype/dejavu/"
	benchReference(b, dir+"DejaVuSans.ttf", dir+"DejaVuSans-Bold.ttf")
}

// BenchmarkReferenceGopdfThreeLinesSubsetFont is the reference with the
// reduced fonts Facturo embeds, still parsed for every document.
func BenchmarkReferenceGopdfThreeLinesSubsetFont(b *testing.B) {
	benchReference(b, "fonts/DejaVuSans.ttf", "fonts/DejaVuSans-Bold.ttf")
}

func benchReference(b *testing.B, regularPath, boldPath string) {
	regular, err := os.ReadFile(regularPath)
	if err != nil {
		b.Skipf("reference font: %v (apt-get install fonts-dejavu-core)", err)
	}
	bold, err := os.ReadFile(boldPath)
	if err != nil {
		b.Skipf("reference font: %v", err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := referenceInvoice(io.Discard, regular, bold); err != nil {
			b.Fatal(err)
		}
	}
}

func referenceInvoice(w io.Writer, regular, bold []byte) error {
	pdf := gopdf.GoPdf{}
	pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4})
	pdf.SetMargins(40, 40, 40, 40)
	pdf.AddPage()
	if err := pdf.AddTTFFontData("R", regular); err != nil {
		return err
	}
	if err := pdf.AddTTFFontData("B", bold); err != nil {
		return err
	}
	line := func(font string, size float64, text string, br float64) {
		_ = pdf.SetFont(font, "", size)
		_ = pdf.Cell(nil, text)
		pdf.Br(br)
	}
	pdf.SetTextColor(55, 55, 55)
	line("R", 12, "Project Folded, Inc.", 18)
	line("R", 10, "1 Main Street", 15)
	pdf.Br(21)
	pdf.SetStrokeColor(225, 225, 225)
	pdf.Line(pdf.GetX(), pdf.GetY(), 260, pdf.GetY())
	pdf.Br(36)
	line("B", 24, "INVOICE", 36)
	line("R", 12, "#20260305 · Mar 05, 2026", 48)
	line("R", 9, "BILL TO", 18)
	line("R", 15, "Untitled Corporation, Inc.", 20)
	line("R", 10, "2 Side Street", 64)
	header := []string{"ITEM", "QTY", "RATE", "AMOUNT"}
	xs := []float64{40, 360, 405, 480}
	_ = pdf.SetFont("R", "", 9)
	for i, h := range header {
		pdf.SetX(xs[i])
		_ = pdf.Cell(nil, h)
	}
	pdf.Br(24)
	_ = pdf.SetFont("R", "", 11)
	for i := 1; i <= 3; i++ {
		cells := []string{"Paper cranes " + strconv.Itoa(i), strconv.Itoa(i), "$25.00", "$" + strconv.Itoa(25*i) + ".00"}
		for j, c := range cells {
			pdf.SetX(xs[j])
			_ = pdf.Cell(nil, c)
		}
		pdf.Br(24)
	}
	pdf.SetY(600)
	for _, t := range []string{"Subtotal $150.00", "Tax $0.00", "Total $150.00"} {
		pdf.SetX(405)
		_ = pdf.SetFont("B", "", 11.5)
		_ = pdf.Cell(nil, t)
		pdf.Br(24)
	}
	pdf.SetY(800)
	line("R", 10, "20260305", 48)
	_, err := pdf.WriteTo(w)
	return err
}

// BenchmarkUBLTenLines renders a ten-line invoice as a UBL e-invoice.
func BenchmarkUBLTenLines(b *testing.B) {
	d := sample(b, "es", "EUR", 10)
	b.ReportAllocs()
	for b.Loop() {
		if err := documents.UBL(io.Discard, d); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}

// BenchmarkPrintHTMLTenLines renders a ten-line invoice's print view.
func BenchmarkPrintHTMLTenLines(b *testing.B) {
	d := sample(b, "pt-BR", "EUR", 10)
	b.ReportAllocs()
	for b.Loop() {
		if err := documents.PrintHTML(io.Discard, d); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPDFPaired renders, in every iteration, the ten-line invoice and
// then the reference's three-line invoice (full fonts parsed per document),
// timing each, so that both see the same machine load; it reports the mean
// of each and their ratio.
func BenchmarkPDFPaired(b *testing.B) {
	dir := "/usr/share/fonts/truetype/dejavu/"
	regular, err := os.ReadFile(dir + "DejaVuSans.ttf")
	if err != nil {
		b.Skipf("reference font: %v (apt-get install fonts-dejavu-core)", err)
	}
	bold, err := os.ReadFile(dir + "DejaVuSans-Bold.ttf")
	if err != nil {
		b.Skipf("reference font: %v", err)
	}
	d := sample(b, "es", "EUR", 10)
	var ours, ref time.Duration
	for b.Loop() {
		start := time.Now()
		if err := documents.PDF(io.Discard, d); err != nil {
			b.Fatal(err)
		}
		mid := time.Now()
		if err := referenceInvoice(io.Discard, regular, bold); err != nil {
			b.Fatal(err)
		}
		ours, ref = ours+mid.Sub(start), ref+time.Since(mid)
	}
	n := float64(b.N)
	b.ReportMetric(ours.Seconds()*1000/n, "ms/facturo-10-lines")
	b.ReportMetric(ref.Seconds()*1000/n, "ms/reference-3-lines")
	b.ReportMetric(ours.Seconds()/ref.Seconds(), "ratio")
}
