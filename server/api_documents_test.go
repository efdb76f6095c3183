package server_test

// Invoice documents over HTTP (issue 7): PDF, UBL and print downloads, the
// streamed CSV and detailed CSV with the invoice list's filters, and the
// tenant's branding and logo.

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/internal/testserver"
)

func TestDocumentDownloads(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		accTaxSetup(t, e, e.A, e.A.Customer, e.A.Other)
		today := accToday(e)
		admin, cust := e.A.Keys[access.Administrator], e.A.Keys[access.Customer]
		// A taxed tenant issues only lines with a tax code (issue 12).
		mk := func(customer string, statuses ...string) billing.Invoice {
			id := accPost(t, e, admin, map[string]any{"customer_id": customer, "invoice_date": today.String(), "lines": []any{
				map[string]any{"description": "Managed services", "quantity": "2", "unit_price": "10.00", "item_sales_tax_group": "FULL"}}}).ID
			for _, s := range statuses {
				accStatus(t, e, admin, id, map[string]any{"status": s})
			}
			inv, err := e.Svc.GetInvoice(context.Background(), access.System(e.A.ID, "test"), id)
			if err != nil {
				t.Fatal(err)
			}
			return inv
		}
		open := mk(e.A.Customer, "open")
		draft := mk(e.A.Customer)
		other := mk(e.A.Other, "open")

		r := accDo(t, e, http.MethodGet, "/api/v1/invoices/"+open.ID+"/pdf", admin, nil)
		if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(r.Body, []byte("%PDF-")) {
			t.Fatalf("PDF: %d %q %s", r.Status, r.Header.Get("Content-Type"), accShort(r.Body))
		}
		if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, ".pdf") {
			t.Errorf("PDF Content-Disposition %q", cd)
		}
		r = accDo(t, e, http.MethodGet, "/api/v1/invoices/"+open.ID+"/ubl", admin, nil)
		if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/xml") ||
			!bytes.Contains(r.Body, []byte("<cbc:ID>"+open.Number+"</cbc:ID>")) || !bytes.Contains(r.Body, []byte("urn:fdc:peppol.eu:2017:poacc:billing:3.0")) {
			t.Fatalf("UBL: %d %q %s", r.Status, r.Header.Get("Content-Type"), accShort(r.Body))
		}
		r = accDo(t, e, http.MethodGet, "/api/v1/invoices/"+draft.ID+"/ubl", admin, nil)
		accWantProblem(t, r, http.StatusConflict, "conflict")
		r = accDo(t, e, http.MethodGet, "/api/v1/invoices/"+open.ID+"/print", admin, nil)
		if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") ||
			!bytes.Contains(r.Body, []byte("window.print()")) || !bytes.Contains(r.Body, []byte("@media print")) {
			t.Fatalf("print view: %d %q %s", r.Status, r.Header.Get("Content-Type"), accShort(r.Body))
		}
		if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'sha256-") {
			t.Errorf("print view CSP %q does not pin its script", csp)
		}

		// The portal: only the customer's own issued documents.
		if r := accDo(t, e, http.MethodGet, "/api/v1/invoices/"+open.ID+"/pdf", cust, nil); r.Status != http.StatusOK {
			t.Errorf("customer's own PDF: %d %s", r.Status, accShort(r.Body))
		}
		for _, id := range []string{draft.ID, other.ID} {
			for _, kind := range []string{"pdf", "ubl", "print"} {
				accWantProblem(t, accDo(t, e, http.MethodGet, "/api/v1/invoices/"+id+"/"+kind, cust, nil), http.StatusNotFound, "not_found")
			}
		}
		// Tenant isolation.
		accWantProblem(t, accDo(t, e, http.MethodGet, "/api/v1/invoices/"+open.ID+"/pdf", e.B.Keys[access.Administrator], nil), http.StatusNotFound, "not_found")

		// CSV with the list's filters: RFC 4180, header row, plain decimals.
		r = accDo(t, e, http.MethodGet, "/api/v1/invoices.csv?status=open&sort=number", admin, nil)
		if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("CSV: %d %q %s", r.Status, r.Header.Get("Content-Type"), accShort(r.Body))
		}
		if !bytes.Contains(r.Body, []byte("\r\n")) {
			t.Error("CSV rows do not end in CRLF")
		}
		rows, err := csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 3 || rows[0][0] != "invoice_id" {
			t.Fatalf("CSV of open invoices: %q", rows)
		}
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		for _, row := range rows[1:] {
			if row[col["status"]] != "open" || row[col["total"]] != open.Total.StringFixed() || row[col["currency"]] != "EUR" ||
				row[col["total_accounting"]] != open.TotalAccounting.StringFixed() {
				t.Errorf("CSV row %q: want open, total %s EUR", row, open.Total.StringFixed())
			}
		}
		r = accDo(t, e, http.MethodGet, "/api/v1/invoice-lines.csv?customer_id="+e.A.Customer, admin, nil)
		rows, err = csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
		if err != nil || r.Status != http.StatusOK {
			t.Fatalf("detailed CSV: %d %v %s", r.Status, err, accShort(r.Body))
		}
		if len(rows) != 3 || rows[0][len(rows[0])-1] != "account" || rows[1][len(invoiceHeader(rows[0]))] != "1" {
			t.Errorf("detailed CSV: %q", rows)
		}
		r = accDo(t, e, http.MethodGet, "/api/v1/invoices.csv", cust, nil)
		rows, _ = csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
		if r.Status != http.StatusOK || len(rows) != 2 || rows[1][0] != open.ID {
			t.Errorf("the customer's CSV: %d %q, want only %s", r.Status, rows, open.ID)
		}
		p := accWantProblem(t, accDo(t, e, http.MethodGet, "/api/v1/invoices.csv?status=bogus", admin, nil), http.StatusUnprocessableEntity, "invalid")
		if !strings.Contains(accShort(r.Body)+p.Detail+p.Field, "status") && len(p.Errors) == 0 {
			t.Errorf("a bad filter's problem does not name the field: %+v", p)
		}
		accWantProblem(t, accDo(t, e, http.MethodGet, "/api/v1/invoices.csv?status=draft", cust, nil), http.StatusUnprocessableEntity, "invalid")
	})
}

// invoiceHeader returns the invoice columns of a detailed CSV header (up to "line").
func invoiceHeader(h []string) []string {
	for i, c := range h {
		if c == "line" {
			return h[:i]
		}
	}
	return h
}

func TestBrandingAndLogo(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		admin := e.A.Keys[access.Administrator]
		r := accDo(t, e, http.MethodPatch, "/api/v1/tenant/branding", admin, map[string]any{"primary_color": "#AA3300",
			"payment_instructions": "Pague por transferencia.", "iban": "ES91 2100 0418 4502 0005 1332"})
		var b struct {
			HasLogo      bool   `json:"has_logo"`
			PrimaryColor string `json:"primary_color"`
			IBAN         string `json:"iban"`
		}
		r.JSON(t, &b)
		if r.Status != http.StatusOK || b.PrimaryColor != "#AA3300" || b.IBAN != "ES9121000418450200051332" {
			t.Fatalf("branding: %d %s", r.Status, r.Body)
		}
		before := e.Snapshot()
		p := accWantProblem(t, accDo(t, e, http.MethodPatch, "/api/v1/tenant/branding", admin, map[string]any{"accent_color": "red"}),
			http.StatusUnprocessableEntity, "invalid")
		if len(p.Errors) == 0 || p.Errors[0].Field != "accent_color" {
			t.Errorf("bad colour: %+v does not name accent_color", p)
		}
		pr := accWantProblem(t, accDo(t, e, http.MethodPut, "/api/v1/tenant/logo", admin, []byte("GIF89a......"), "Content-Type", "application/octet-stream"),
			http.StatusUnprocessableEntity, "invalid")
		if !strings.Contains(pr.Detail+pr.Field, "PNG") && (len(pr.Errors) == 0 || !strings.Contains(pr.Errors[0].Message, "PNG")) {
			t.Errorf("a GIF logo's problem does not say what to send: %+v", pr)
		}
		big := append(accMakePNG(t), make([]byte, 600<<10)...)
		if r := accDo(t, e, http.MethodPut, "/api/v1/tenant/logo", admin, big, "Content-Type", "application/octet-stream"); r.Status < 400 || r.Status > 499 {
			t.Errorf("an oversized logo: %d, want 4xx", r.Status)
		}
		if after := e.Snapshot(); !mapsEqual(before, after) {
			t.Errorf("refused branding changes wrote: %v → %v", before, after)
		}
		logo := accMakePNG(t)
		r = accDo(t, e, http.MethodPut, "/api/v1/tenant/logo", admin, logo, "Content-Type", "application/octet-stream")
		if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"has_logo":true`) {
			t.Fatalf("logo: %d %s", r.Status, r.Body)
		}
		r = accDo(t, e, http.MethodGet, "/api/v1/tenant/logo", e.A.Keys[access.Customer], nil)
		if r.Status != http.StatusOK || r.Header.Get("Content-Type") != "image/png" || !bytes.Equal(r.Body, logo) {
			t.Errorf("the customer's logo download: %d %q", r.Status, r.Header.Get("Content-Type"))
		}
		// The logo is drawn in the PDF.
		inv := accMakeInvoice(t, e, e.A.ID, e.A.Customer, accToday(e), "open")
		r = accDo(t, e, http.MethodGet, "/api/v1/invoices/"+inv.ID+"/pdf", admin, nil)
		if !bytes.Contains(r.Body, []byte("/Subtype /Image")) {
			t.Error("the PDF has no logo image")
		}
		if r := accDo(t, e, http.MethodDelete, "/api/v1/tenant/logo", admin, nil); r.Status != http.StatusNoContent {
			t.Errorf("delete logo: %d %s", r.Status, r.Body)
		}
		accWantProblem(t, accDo(t, e, http.MethodGet, "/api/v1/tenant/logo", admin, nil), http.StatusNotFound, "not_found")
	})
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
