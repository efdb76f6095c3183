package web

import (
	"bytes"
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/tax"
	"github.com/facturo/facturo/web/form"
)

// TestChargesPartial renders the editor's charges section after a failed
// save in Spanish: what the user typed, every control labelled, the error
// at its field (translated, aria-invalid, described by it), none elsewhere;
// and the invoice page's charges section.
func TestChargesPartial(t *testing.T) {
	t.Parallel()
	h := New(nil, nil, nil)
	ctx := context.WithValue(context.Background(), ctxKey{}, reqInfo{lang: "es"})
	err := fail.Field("charges[1].amount", "is required")
	v := &view{Lang: "es", Form: newFormErrors(ctx, err)}
	var in service.InvoiceInput
	rows := form.ParseCharges(url.Values{"charges_form": {"1"}, "charge_code": {"FREIGHT", "", "HANDLING"},
		"charge_description": {"Portes", "", "Gestión"}, "charge_account": {"4300", "", "4100"},
		"charge_item_sales_tax_group": {"FULL", "", "RED"}, "charge_amount": {"4.95", "", "0"}}, &in)
	groups := []tax.Group{{Kind: tax.ItemGroup, Code: "FULL", Name: "General"}, {Kind: tax.ItemGroup, Code: "RED", Name: "Reducido"}}
	var b bytes.Buffer
	if err := h.pages["editor"].ExecuteTemplate(&b, "charges", map[string]any{"V": v, "Rows": form.ChargeRows(rows, nil), "Groups": groups}); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	for _, want := range []string{
		`<legend>Cargos</legend>`, `name="charges_form"`,
		`<label class="sr-only" for="charge-amount-2">Importe (neto) 3</label><input id="charge-amount-2" name="charge_amount" value="0" inputmode="decimal" size="8" aria-invalid="true" aria-describedby="charge-amount-2-err">`,
		`data-field="charges[1].amount"`,
		`id="charge-description-0" name="charge_description" value="Portes"`,
		`<option value="RED" selected>Reducido</option>`,
		`for="charge-group-3"`, // a blank row for a new charge
	} {
		if !strings.Contains(html, want) {
			t.Errorf("charges section lacks %s:\n%s", want, html)
		}
	}
	if n := strings.Count(html, `aria-invalid="true"`); n != 1 {
		t.Errorf("%d fields marked invalid, want 1", n)
	}
	if !strings.Contains(html, `data-field="charges[1].amount">es obligatorio</small>`) {
		t.Errorf("the error is not translated:\n%s", html)
	}
	if u := v.Form.Unshown(); len(u) != 0 {
		t.Errorf("errors left for the banner: %v", u)
	}
	if strings.Count(html, "<label") != strings.Count(html, "<input id=")+strings.Count(html, "<select") {
		t.Error("a control without its label")
	}

	inv := billing.Invoice{Currency: "EUR", Charges: []billing.Charge{{Code: "FREIGHT", Description: "Portes", Account: "4300",
		Amount: money.In(dec("4.95"), "EUR"), TaxCodes: []string{"V21"}, TaxAmount: money.In(dec("1.04"), "EUR")}}}
	b.Reset()
	if err := h.pages["invoice"].ExecuteTemplate(&b, "invoicecharges", map[string]any{"L": "es", "Inv": inv}); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{"<summary>Cargos</summary>", "<td>Portes</td>", "(V21)", `id="charges-total">` + inv.ChargeTotal().Format("es")} {
		if !strings.Contains(page, want) {
			t.Errorf("invoice page charges lack %s:\n%s", want, page)
		}
	}
	b.Reset()
	if err := h.pages["invoice"].ExecuteTemplate(&b, "invoicecharges", map[string]any{"L": "es", "Inv": billing.Invoice{}}); err != nil || strings.TrimSpace(b.String()) != "" {
		t.Errorf("a document without charges shows %q (%v)", b.String(), err)
	}
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }
