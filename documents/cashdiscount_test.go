package documents_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/documents"
	"github.com/facturo/facturo/money"
)

// TestCashDiscountShown: an invoice with a cash discount shows its percent,
// amount and date in the PDF and print view (in the document's language)
// and in the UBL payment terms note. FACTURO_UBL_OUT writes the UBL there
// (for ../shared/einvoice/validate.sh).
func TestCashDiscountShown(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ lang, want string }{
		{"en", "Cash discount 2% ("},
		{"es", "Descuento por pronto pago del 2"},
	} {
		d := sample(t, c.lang, "EUR", 3)
		d.Invoice.CashDiscountDate, d.Invoice.CashDiscountPct = calendar.New(2026, 3, 15), dec("2")
		if err := d.Invoice.Compute(setup(), money.MustCurrency("EUR")); err != nil { // computes the cash discount
			t.Fatal(err)
		}
		amount := strings.ReplaceAll(d.Invoice.CashDiscount.Format(c.lang), "\u00a0", " ")
		if d.Invoice.CashDiscount.IsZero() {
			t.Fatalf("no cash discount computed on %s", d.Invoice.Total)
		}
		pdf, err := documents.PDFBytes(d)
		if err != nil {
			t.Fatal(err)
		}
		txt := strings.ReplaceAll(pdftotextArgs(t, pdf), "\u00a0", " ")
		var html bytes.Buffer
		if err := documents.PrintHTML(&html, d); err != nil {
			t.Fatal(err)
		}
		page := strings.ReplaceAll(html.String(), "\u00a0", " ")
		for what, s := range map[string]string{"PDF": strings.Join(strings.Fields(txt), " "), "print": page} {
			if !strings.Contains(s, amount) || !strings.Contains(s, c.want) {
				t.Errorf("%s %s lacks the cash discount %q (%s)", c.lang, what, amount, c.want)
			}
		}
		if c.lang != "en" {
			continue
		}
		ubl, err := documents.UBLBytes(d)
		if err != nil {
			t.Fatal(err)
		}
		want := "2% cash discount of " + d.Invoice.CashDiscount.StringFixed() + " EUR if paid by 2026-03-15"
		if !strings.Contains(string(ubl), want) {
			t.Errorf("UBL payment terms lack %q", want)
		}
		if out := os.Getenv("FACTURO_UBL_OUT"); out != "" {
			if err := os.WriteFile(out, ubl, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
}
