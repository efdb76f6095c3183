package documents_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/documents"
	"github.com/facturo/facturo/money"
)

// withCharges is sample with two header charges, recomputed: freight at
// the standard rate and a handling fee with a long description.
func withCharges(t *testing.T, lang string) *documents.Doc {
	t.Helper()
	d := sample(t, lang, "EUR", 2)
	d.Invoice.Charges = []billing.Charge{
		{Code: "FREIGHT", Description: "Portes", Account: "7590", SalesTaxGroup: "DOM", ItemSalesTaxGroup: "STD", Amount: money.In(dec("12.35"), "EUR")},
		{Code: "HANDLING", Description: "Gastos de gestión y manipulación del pedido urgente con entrega en sábado", Account: "7591",
			SalesTaxGroup: "DOM", ItemSalesTaxGroup: "RED", Amount: money.In(dec("3.05"), "EUR")},
	}
	if err := d.Invoice.Compute(setup(), money.MustCurrency("EUR")); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestPrintAndPDFShowCharges: the print view and the PDF show each header
// charge on its own row of the totals area, after the lines' total and
// before the net; a document without charges keeps its rows.
func TestPrintAndPDFShowCharges(t *testing.T) {
	t.Parallel()
	d := withCharges(t, "es")
	inv := &d.Invoice
	var b bytes.Buffer
	if err := documents.PrintHTML(&b, d); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	row := func(label string, a money.Amount) string {
		return "<tr><td>" + label + "</td><td class=\"num\">" + a.Format("es") + "</td></tr>"
	}
	lines, freight, net := row("Total de líneas", inv.LineTotal()), row("Portes", inv.Charges[0].Amount), row("Subtotal", inv.Net)
	iLines, iFreight, iNet := strings.Index(html, lines), strings.Index(html, freight), strings.Index(html, net)
	if iLines < 0 || iFreight < 0 || iNet < 0 || !(iLines < iFreight && iFreight < iNet) {
		t.Errorf("print view: rows %q (%d), %q (%d), %q (%d) missing or out of order", lines, iLines, freight, iFreight, net, iNet)
	}
	if !strings.Contains(html, "Gastos de gestión y manipulación") {
		t.Error("print view lacks the handling fee")
	}

	pdf, err := documents.PDFBytes(d)
	if err != nil {
		t.Fatal(err)
	}
	txt := strings.ReplaceAll(pdftotext(t, pdf), "\u00a0", " ")
	for _, want := range []string{"Total de líneas", "Portes", "Gastos de gestión", strings.ReplaceAll(inv.Charges[0].Amount.Format("es"), "\u00a0", " "),
		strings.ReplaceAll(inv.Total.Format("es"), "\u00a0", " ")} {
		if !strings.Contains(txt, want) {
			t.Errorf("PDF lacks %q:\n%s", want, txt)
		}
	}
	if strings.Index(txt, "Portes") > strings.Index(txt, "Subtotal") {
		t.Error("PDF: the charge comes after the net")
	}

	plain := sample(t, "es", "EUR", 2)
	b.Reset()
	if err := documents.PrintHTML(&b, plain); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "Total de líneas") {
		t.Error("a document without charges shows a lines total")
	}
}
