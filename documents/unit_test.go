package documents_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/facturo/facturo/documents"
)

// TestPrintHTMLUnitInLanguage: a line's unit is written in the document's
// language when the catalog knows it, and as written when it does not.
func TestPrintHTMLUnitInLanguage(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ lang, unit, want string }{
		{"es", "month", "1 mes"},
		{"pt-BR", "seat", "1 licença"},
		{"en", "month", "1 month"},
		{"es", "lote XL", "1 lote XL"},
	} {
		d := sample(t, c.lang, "EUR", 1)
		d.Invoice.Lines[0].Unit = c.unit
		var b bytes.Buffer
		if err := documents.PrintHTML(&b, d); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), c.want) {
			t.Errorf("%s, unit %q: the print view does not show %q", c.lang, c.unit, c.want)
		}
	}
}
