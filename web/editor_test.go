package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/internal/testserver"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

// TestEditorHeaderFieldsHTTP (issue 16): the editor prefills the header
// fields the customer gives a draft, saves what the user set and shows it
// back on edit; a failed save answers 422, keeps everything typed (lines
// included) and shows the error at its field, marked aria-invalid.
func TestEditorHeaderFieldsHTTP(t *testing.T) {
	t.Parallel()
	e := testserver.New(t, store.SQLite)
	ctx := context.Background()
	sys := access.System(e.A.ID, "test")
	for _, u := range []service.NewUser{
		{Email: "fm@a.test", Name: "Fina", Role: "finance_manager", Password: testPassword},
		{Email: "es@a.test", Name: "Elena", Role: "finance", Password: testPassword},
	} {
		if _, err := e.Svc.CreateUser(ctx, sys, u); err != nil {
			t.Fatal(err)
		}
	}
	terms := 45
	if _, err := e.Svc.UpdateCustomer(ctx, sys, e.A.Customer, service.CustomerInput{PaymentTermsDays: &terms, InvoiceAccountID: &e.A.Other}); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, e)
	c.login("fm@a.test")
	selected := func(body, id string) string {
		t.Helper()
		sel := regexp.MustCompile(`(?s)<select id="` + regexp.QuoteMeta(id) + `".*?</select>`).FindString(body)
		m := regexp.MustCompile(`<option value="([^"]*)" selected>`).FindStringSubmatch(sel)
		if m == nil {
			return ""
		}
		return m[1]
	}
	input := func(body, id string) string {
		t.Helper()
		m := regexp.MustCompile(`<input id="` + regexp.QuoteMeta(id) + `" name="[^"]*" value="([^"]*)"`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no input #%s", id)
		}
		return m[1]
	}

	t.Run("the customer's defaults are prefilled", func(t *testing.T) {
		code, _, body := c.do(http.MethodGet, "/console/invoices/defaults?customer_id="+e.A.Customer+"&payment_terms_days=7&method_of_payment=Cheque", nil, "HX-Request", "true")
		if code != 200 {
			t.Fatalf("defaults: %d %s", code, body)
		}
		if got := input(body, "payment_terms_days"); got != "45" {
			t.Errorf("payment terms = %q, want the customer's 45", got)
		}
		if got := input(body, "method_of_payment"); got != "Cheque" {
			t.Errorf("method of payment = %q, want the one typed before choosing the customer", got)
		}
		if got := selected(body, "invoice_account_id"); got != e.A.Other {
			t.Errorf("bill-to = %q, want the customer's invoice account %s", got, e.A.Other)
		}
		if got := selected(body, "language"); got != "en" {
			t.Errorf("language = %q, want the tenant's en", got)
		}
		_, _, page := c.do(http.MethodGet, "/console/invoices/new?customer="+e.A.Customer, nil)
		if got := input(page, "payment_terms_days"); got != "45" {
			t.Errorf("new draft for the customer: terms %q", got)
		}
		// A customer with a method of payment of its own gives it.
		method := "Domiciliación SEPA"
		if _, err := e.Svc.UpdateCustomer(ctx, sys, e.A.Other, service.CustomerInput{MethodOfPayment: &method}); err != nil {
			t.Fatal(err)
		}
		_, _, body = c.do(http.MethodGet, "/console/invoices/defaults?customer_id="+e.A.Other+"&method_of_payment=Cheque", nil, "HX-Request", "true")
		if got := input(body, "method_of_payment"); got != method {
			t.Errorf("method of payment = %q, want the customer's %q", got, method)
		}
	})

	form := func() url.Values {
		return url.Values{"customer_id": {e.A.Customer}, "invoice_date": {"2026-03-02"}, "invoice_account_id": {e.A.Customer},
			"payment_terms_days": {"20"}, "method_of_payment": {"Transferencia SEPA"}, "cash_discount_date": {"2026-03-10"},
			"cash_discount_percent": {"2"}, "hold_until": {"2026-03-05"}, "language": {"es"}, "notes": {"Typed notes"},
			"line_description": {"Consulting", "", "Training"}, "line_quantity": {"3", "", "two"}, "line_unit_price": {"40", "", "25"},
			"line_amount": {"", "", ""}, "line_unit": {"h", "", "day"}, "line_charge_type": {"one_time", "one_time", "usage"},
			"line_account": {"", "", ""}, "line_sales_tax_group": {"", "", ""}, "line_item_sales_tax_group": {"", "", ""}, "line_product_id": {"", "", ""}}
	}

	t.Run("a failed save keeps what was typed and names the field", func(t *testing.T) {
		code, _, body := c.do(http.MethodPost, "/console/invoices/new", form())
		if code != http.StatusUnprocessableEntity {
			t.Fatalf("bad quantity: %d", code)
		}
		// The third row is the service's second line: its error is at #lq2.
		if !regexp.MustCompile(`<input id="lq2" name="line_quantity" value="two"[^>]*aria-invalid="true" aria-describedby="lq2-err"`).MatchString(body) ||
			!strings.Contains(body, `data-field="lines[1].quantity"`) {
			t.Errorf("the quantity error is not at its field:\n%s", body)
		}
		for id, want := range map[string]string{"ld0": "Consulting", "lq0": "3", "lu0": "h", "ld2": "Training", "lp2": "25",
			"payment_terms_days": "20", "method_of_payment": "Transferencia SEPA", "cash_discount_date": "2026-03-10",
			"cash_discount_percent": "2", "hold_until": "2026-03-05", "invoice_date": "2026-03-02"} {
			if got := input(body, id); got != want {
				t.Errorf("#%s = %q after a failed save, want the typed %q", id, got, want)
			}
		}
		if selected(body, "invoice_account_id") != e.A.Customer || selected(body, "language") != "es" || selected(body, "lc2") != "usage" {
			t.Errorf("selects lost what was chosen: bill-to %q, language %q, charge type %q", selected(body, "invoice_account_id"),
				selected(body, "language"), selected(body, "lc2"))
		}
		if !strings.Contains(body, "Typed notes") {
			t.Errorf("notes lost")
		}
		if strings.Contains(regexp.MustCompile(`(?s)<div class="flash err".*?</div>`).FindString(body), "lines[1]") {
			t.Errorf("the banner repeats the field's error")
		}

		// In Spanish, the same: labels from the catalog, the error at its field.
		es := newClient(t, e)
		es.login("es@a.test")
		if code, _, _ := es.do(http.MethodPost, "/language", url.Values{"language": {"es"}, "back": {"/console/invoices/new"}}); code != http.StatusSeeOther {
			t.Fatalf("set language: %d", code)
		}
		code, _, body = es.do(http.MethodPost, "/console/invoices/new", form())
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, `<label for="invoice_account_id">Cuenta de facturación</label>`) ||
			!strings.Contains(body, `<label for="hold_until">En espera hasta</label>`) || !strings.Contains(body, `data-field="lines[1].quantity"`) {
			t.Errorf("the failed save in Spanish: %d\n%s", code, body)
		}

		f := form()
		f["line_quantity"] = []string{"3", "", "2"}
		f.Set("cash_discount_percent", "150")
		code, _, body = c.do(http.MethodPost, "/console/invoices/new", f)
		if code != http.StatusUnprocessableEntity || !regexp.MustCompile(`<input id="cash_discount_percent" name="cash_discount_percent" value="150"[^>]*aria-invalid="true"`).MatchString(body) ||
			!strings.Contains(body, `data-field="cash_discount_percent"`) {
			t.Errorf("a percent above 100: %d, error not at its field", code)
		}
	})

	t.Run("the preview names a field by its label, not its path", func(t *testing.T) {
		_, _, body := c.do(http.MethodPost, "/console/invoices/preview", form(), "HX-Request", "true")
		if !strings.Contains(body, `id="preview-error"`) || !strings.Contains(body, "Line 2 · Quantity: ") || strings.Contains(body, "lines[1]") {
			t.Errorf("preview of a bad quantity:\n%s", body)
		}
	})

	t.Run("saved header fields are stored and shown on edit", func(t *testing.T) {
		f := form()
		f["line_quantity"] = []string{"3", "", "2"}
		code, h, body := c.do(http.MethodPost, "/console/invoices/new", f)
		if code != http.StatusSeeOther {
			t.Fatalf("save: %d %s", code, body)
		}
		id := strings.TrimPrefix(strings.SplitN(h.Get("Location"), "?", 2)[0], "/console/invoices/")
		inv, err := e.Svc.GetInvoice(ctx, sys, id)
		if err != nil {
			t.Fatal(err)
		}
		if inv.InvoiceAccountID != e.A.Customer || inv.PaymentTermsDays != 20 || inv.MethodOfPayment != "Transferencia SEPA" ||
			inv.CashDiscountDate.String() != "2026-03-10" || inv.CashDiscountPct.String() != "2" || inv.HoldUntil.String() != "2026-03-05" ||
			inv.Language != "es" || inv.DueDate.String() != "2026-03-22" || len(inv.Lines) != 2 {
			t.Errorf("stored: bill-to %s terms %d method %q discount %s %s hold %s language %s due %s lines %d", inv.InvoiceAccountID,
				inv.PaymentTermsDays, inv.MethodOfPayment, inv.CashDiscountDate, inv.CashDiscountPct, inv.HoldUntil, inv.Language, inv.DueDate, len(inv.Lines))
		}
		_, _, body = c.do(http.MethodGet, "/console/invoices/"+id+"/edit", nil)
		for id, want := range map[string]string{"payment_terms_days": "20", "method_of_payment": "Transferencia SEPA",
			"cash_discount_date": "2026-03-10", "cash_discount_percent": "2", "hold_until": "2026-03-05", "ld1": "Training"} {
			if got := input(body, id); got != want {
				t.Errorf("edit #%s = %q, want %q", id, got, want)
			}
		}
		if selected(body, "invoice_account_id") != e.A.Customer || selected(body, "language") != "es" {
			t.Errorf("edit selects: bill-to %q language %q", selected(body, "invoice_account_id"), selected(body, "language"))
		}
		_, _, body = c.do(http.MethodGet, "/console/invoices/"+id, nil)
		for _, want := range []string{`id="doc-terms">20<`, `id="doc-method">Transferencia SEPA<`, `id="doc-hold">`, `id="doc-language">Español<`, `id="doc-cash-discount">`} {
			if !strings.Contains(body, want) {
				t.Errorf("invoice page lacks %s", want)
			}
		}
	})

	t.Run("correction links name the documents by number", func(t *testing.T) {
		lines := []service.LineInput{{Description: "Wrong price", Quantity: ptr("1"), UnitPrice: ptr("80")}}
		inv, err := e.Svc.CreateInvoice(ctx, sys, service.InvoiceInput{CustomerID: &e.A.Customer, Lines: &lines})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Svc.UpdateInvoiceStatus(ctx, sys, inv.ID, service.StatusChange{Status: "open"}); err != nil {
			t.Fatal(err)
		}
		corr, err := e.Svc.CorrectInvoice(ctx, sys, inv.ID, "PRICE", "the price was 90")
		if err != nil {
			t.Fatal(err)
		}
		link := func(body, id string) string {
			m := regexp.MustCompile(`id="` + id + `">([^<]*)</a>`).FindStringSubmatch(body)
			if m == nil {
				return ""
			}
			return m[1]
		}
		_, _, body := c.do(http.MethodGet, "/console/invoices/"+inv.ID, nil)
		if got := link(body, "credit-note-link"); got == "" || got != corr.CreditNote.Number {
			t.Errorf("credit note link %q, want its number %q", got, corr.CreditNote.Number)
		}
		if got := link(body, "replacement-link"); got == "" || got != corr.Replacement.DocumentNumber {
			t.Errorf("replacement link %q, want its document number %q", got, corr.Replacement.DocumentNumber)
		}
		if strings.Contains(body, ">"+corr.CreditNote.ID+"<") || strings.Contains(body, ">"+corr.Replacement.ID+"<") {
			t.Errorf("the page shows an internal id as a link text")
		}
		_, _, body = c.do(http.MethodGet, "/console/invoices/"+corr.Replacement.ID, nil)
		if got, _ := e.Svc.GetInvoice(ctx, sys, inv.ID); link(body, "original-link") != got.Number {
			t.Errorf("original link %q, want %q", link(body, "original-link"), got.Number)
		}
	})
}
