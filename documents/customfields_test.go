package documents_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/facturo/facturo/customfield"
	"github.com/facturo/facturo/documents"
)

// TestCustomFieldLabelsOnDocuments: the PDF and the print view show a
// custom field under its label in the document's language when its
// definition says so, leave out a defined field not flagged for documents,
// and show a key without a definition under the key.
func TestCustomFieldLabelsOnDocuments(t *testing.T) {
	t.Parallel()
	d := sample(t, "es", "EUR", 2)
	d.Invoice.CustomFields = map[string]string{"po_number": "PO-7781", "internal_note": "no imprimir", "legacy_ref": "L-1"}
	d.CustomFields = []customfield.Def{
		{Key: "po_number", AppliesTo: customfield.Invoice, Labels: map[string]string{"en": "PO number", "es": "Número de pedido"}, ShowOnDocuments: true},
		{Key: "internal_note", AppliesTo: customfield.Invoice, Labels: map[string]string{"en": "Internal note"}},
		// A customer field of the same key does not label the invoice's.
		{Key: "legacy_ref", AppliesTo: customfield.Customer, Labels: map[string]string{"en": "Old reference"}, ShowOnDocuments: true},
	}
	pdf, err := documents.PDFBytes(d)
	if err != nil {
		t.Fatal(err)
	}
	var html bytes.Buffer
	if err := documents.PrintHTML(&html, d); err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"pdf": pdftotext(t, pdf), "print": html.String()} {
		if !strings.Contains(text, "Número de pedido") || !strings.Contains(text, "PO-7781") {
			t.Errorf("%s: no label Número de pedido with its value:\n%s", name, text)
		}
		if strings.Contains(text, "po_number") || strings.Contains(text, "no imprimir") || strings.Contains(text, "Internal note") {
			t.Errorf("%s: shows a raw key or a field not for documents", name)
		}
		if !strings.Contains(text, "legacy_ref") || strings.Contains(text, "Old reference") {
			t.Errorf("%s: the key without an invoice definition is not shown as the key", name)
		}
	}
	// English falls back to the English label.
	d.Language = "en"
	pdf, err = documents.PDFBytes(d)
	if err != nil {
		t.Fatal(err)
	}
	if text := pdftotext(t, pdf); !strings.Contains(text, "PO number: PO-7781") {
		t.Errorf("en: no PO number label:\n%s", text)
	}
}
