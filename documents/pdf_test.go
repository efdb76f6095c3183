package documents_test

import (
	"bytes"
	"image"
	stdcolor "image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/documents"
)

// pdftotext extracts the text of a PDF with poppler's pdftotext.
func pdftotext(t *testing.T, pdf []byte) string {
	t.Helper()
	return pdftotextArgs(t, pdf, "-layout")
}

// pdftotextArgs is pdftotext with extra arguments.
func pdftotextArgs(t *testing.T, pdf []byte, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext is missing (apt-get install poppler-utils)")
		}
		t.Skip("pdftotext is not installed")
	}
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, append(args, "-enc", "UTF-8", path, "-")...).Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

func TestPDFLanguagesTotalsAndAccents(t *testing.T) {
	cases := []struct {
		lang, currency string
		want           []string
	}{
		{"en", "EUR", []string{"INVOICE", "Invoice date", "Mar 5, 2026", "Feb 1, 2026 – Feb 28, 2026", "Total EUR", "Customer ID", "C-1001",
			"Billing contract number", "BC-2026-17", "SAP ID", "SAP-778899", "Sales account executive", "João Conceição", "Page 1 of 1"}},
		{"es", "EUR", []string{"FACTURA", "Fecha de factura", "05/03/2026", "01/02/2026 – 28/02/2026", "ID de cliente", "Ejecutivo de cuentas",
			"Página 1 de 1", "Descripción", "Número de contrato de facturación"}},
		{"pt-BR", "BRL", []string{"FATURA", "Data da fatura", "05/03/2026", "Período de cobrança", "DISCRIMINAÇÃO DE IMPOSTOS", "Página 1 de 1", "R$"}},
	}
	for _, c := range cases {
		t.Run(c.lang, func(t *testing.T) {
			d := sample(t, c.lang, c.currency, 6)
			pdf, err := documents.PDFBytes(d)
			if err != nil {
				t.Fatal(err)
			}
			txt := pdftotext(t, pdf)
			total := d.Invoice.Total.Format(c.lang)
			want := append(c.want, strings.ReplaceAll(total, "\u00a0", " "), "Núñez y Peña", "açaí, pão, coração", "€", "INV-2026-0042")
			norm := strings.ReplaceAll(txt, "\u00a0", " ")
			for _, w := range want {
				if !strings.Contains(norm, w) {
					t.Errorf("%s PDF lacks %q; text:\n%s", c.lang, w, txt)
				}
			}
			if strings.Contains(txt, "RASCUNHO") || strings.Contains(txt, "BORRADOR") || strings.Contains(txt, "DRAFT") {
				t.Error("an open invoice carries a draft watermark")
			}
		})
	}
}

func TestPDFLongInvoiceSpansPagesWithPageNumbers(t *testing.T) {
	d := sample(t, "en", "EUR", 120)
	pdf, err := documents.PDFBytes(d)
	if err != nil {
		t.Fatal(err)
	}
	txt := pdftotext(t, pdf)
	pages := strings.Split(txt, "\f")
	if len(pages) > 0 && strings.TrimSpace(pages[len(pages)-1]) == "" {
		pages = pages[:len(pages)-1]
	}
	if len(pages) < 3 {
		t.Fatalf("a 120-line invoice has %d pages; want at least 3", len(pages))
	}
	n := len(pages)
	for i, p := range pages {
		want := "Page " + itoa(i+1) + " of " + itoa(n)
		if !strings.Contains(p, want) {
			t.Errorf("page %d lacks %q", i+1, want)
		}
		if !strings.Contains(p, "INV-2026-0042") || !strings.Contains(p, "Facturo Demo S.L.") {
			t.Errorf("page %d lacks the repeated header", i+1)
		}
	}
	for _, w := range []string{"Línea 1:", "Línea 120:", "Total EUR"} {
		if !strings.Contains(txt, w) {
			t.Errorf("PDF lacks %q", w)
		}
	}
	if !strings.Contains(pages[n-1], "Total EUR") {
		t.Error("the totals are not on the last page")
	}
}

func TestPDFDraftWatermarkAndCreditNote(t *testing.T) {
	d := sample(t, "pt-BR", "EUR", 3)
	d.Invoice.Status = billing.Draft
	d.Invoice.Number = ""
	pdf, err := documents.PDFBytes(d)
	if err != nil {
		t.Fatal(err)
	}
	txt := pdftotextArgs(t, pdf, "-raw")
	for _, w := range []string{"RASCUNHO", "ID do documento", "D-000042"} {
		if !strings.Contains(txt, w) {
			t.Errorf("draft PDF lacks %q:\n%s", w, txt)
		}
	}

	cn := sample(t, "es", "EUR", 2)
	cn.Invoice.Kind = billing.KindCreditNote
	cn.Invoice.Number = "CN-2026-0003"
	cn.Preceding = &documents.Preceding{Number: "INV-2026-0042", Date: cn.Invoice.InvoiceDate}
	pdf, err = documents.PDFBytes(cn)
	if err != nil {
		t.Fatal(err)
	}
	txt = pdftotext(t, pdf)
	for _, w := range []string{"NOTA DE CRÉDITO", "Abona la factura", "INV-2026-0042", "CN-2026-0003"} {
		if !strings.Contains(txt, w) {
			t.Errorf("credit note PDF lacks %q:\n%s", w, txt)
		}
	}
}

func TestPDFLogo(t *testing.T) {
	d := sample(t, "en", "EUR", 1)
	d.Branding.Logo = tinyPNG(t)
	d.Branding.PrimaryColor = "#AA3300"
	without, err := documents.PDFBytes(sample(t, "en", "EUR", 1))
	if err != nil {
		t.Fatal(err)
	}
	with, err := documents.PDFBytes(d)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(with, []byte("/Subtype /Image")) || bytes.Contains(without, []byte("/Subtype /Image")) {
		t.Error("the logo is not embedded as an image only when present")
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// tinyPNG is a 4×2 PNG.
func tinyPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 2))
	for x := 0; x < 4; x++ {
		img.Set(x, 0, stdcolor.RGBA{200, 40, 40, 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestPDFConcurrent renders documents in parallel from the shared parsed
// fonts (run with -race): each takes its own subset.
func TestPDFConcurrent(t *testing.T) {
	docs := []*documents.Doc{sample(t, "en", "EUR", 5), sample(t, "es", "EUR", 30), sample(t, "pt-BR", "BRL", 2)}
	var wg sync.WaitGroup
	errs := make([]error, 6)
	sizes := make([]int, 6)
	for i := range errs {
		wg.Go(func() {
			b, err := documents.PDFBytes(docs[i%3])
			errs[i], sizes[i] = err, len(b)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil || sizes[i] == 0 || sizes[i] != sizes[(i+3)%6] {
			t.Errorf("render %d: %v, %d bytes (the same document rendered %d bytes)", i, err, sizes[i], sizes[(i+3)%6])
		}
	}
}
