package server_test

// Issue 12 §6: a line's tax information must be given (seed 004). Under a
// taxed tenant, issuing a line to which no tax code applies is refused
// unless its groups map to an explicit exemption (a code with a reason), and
// a line with two tax codes, which no EN 16931 e-invoice can express, is
// refused too.

import (
	"net/http"
	"strings"
	"testing"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/internal/testserver"
)

func TestIssueRefusesLineWithoutApplicableTax(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		admin := e.A.Keys[access.Administrator]
		accTaxSetup(t, e, e.A, e.A.Customer)
		put := func(path string, body any) {
			t.Helper()
			if r := accDo(t, e, http.MethodPut, path, admin, body); r.Status != http.StatusOK {
				t.Fatalf("PUT %s: %d %s", path, r.Status, r.Body)
			}
		}
		// SUPER holds a code the customer's group DOM lacks; BOTH holds two of DOM's.
		put("/api/v1/tax-codes/V4", map[string]any{"name": "IVA 4 %", "rate": "4", "category": "S", "account": "2100"})
		put("/api/v1/tax-groups/item/SUPER", map[string]any{"tax_codes": []string{"V4"}})
		put("/api/v1/tax-groups/item/BOTH", map[string]any{"tax_codes": []string{"V21", "V10"}})
		line := func(group string) map[string]any {
			l := map[string]any{"description": "Consulting", "quantity": "2", "unit_price": "10.00"}
			if group != "" {
				l["item_sales_tax_group"] = group
			}
			return l
		}
		draft := func(lines ...map[string]any) string {
			return accPost(t, e, admin, map[string]any{"customer_id": e.A.Customer, "lines": lines}).ID
		}
		cases := []struct {
			name  string
			id    string
			field string
			says  string
		}{
			{"no item sales tax group", draft(line("FULL"), line("")), "lines[1].item_sales_tax_group", "no tax code applies"},
			{"groups share no code", draft(line("SUPER")), "lines[0].item_sales_tax_group", "share no tax code"},
			{"two tax codes on a line", draft(line("FULL"), line("BOTH")), "lines[1].item_sales_tax_group", "EN 16931"},
		}
		for _, c := range cases {
			r := accDo(t, e, http.MethodPost, "/api/v1/invoices/"+c.id+"/status", admin, map[string]any{"status": "open"})
			p := accWantProblem(t, r, http.StatusUnprocessableEntity, "invalid")
			fields := []string{p.Field}
			for _, fe := range p.Errors {
				fields = append(fields, fe.Field)
			}
			if !strings.Contains(strings.Join(fields, " "), c.field) || !strings.Contains(string(r.Body), c.says) {
				t.Errorf("%s: problem %s, want field %s saying %q", c.name, accShort(r.Body), c.field, c.says)
			}
			if inv := accGetInvoice(t, e, admin, c.id); inv.Status != "draft" || inv.Number != "" {
				t.Errorf("%s: refused issue left status %q, number %q", c.name, inv.Status, inv.Number)
			}
		}

		// A taxed line and an explicitly exempt line issue, and their UBL
		// states their VAT categories, never "not subject to VAT".
		ok := draft(line("FULL"), line("EXM"))
		out := accStatus(t, e, admin, ok, map[string]any{"status": "open"})
		if out.Invoice.Tax != "4.20" {
			t.Errorf("issued tax = %s, want 4.20", out.Invoice.Tax)
		}
		r := accDo(t, e, http.MethodGet, "/api/v1/invoices/"+ok+"/ubl", admin, nil)
		if r.Status != http.StatusOK || strings.Contains(string(r.Body), "Not subject to VAT") || !strings.Contains(string(r.Body), "Art. 20 LIVA") {
			t.Errorf("UBL of a taxed and an exempt line: %d %s", r.Status, accShort(r.Body))
		}

		// A tenant with no tax code at all charges no tax: its lines issue.
		adminB := e.B.Keys[access.Administrator]
		untaxed := accPost(t, e, adminB, map[string]any{"customer_id": e.B.Customer, "lines": []any{line("")}}).ID
		accStatus(t, e, adminB, untaxed, map[string]any{"status": "open"})
	})
}

// TestThreeDecimalCurrencyHasNoEInvoice: a document in BHD (3 decimals)
// issues with a warning that no EN 16931 e-invoice can be made of it, and
// its UBL answers a 409 problem naming the currency and the rule, not a
// document the rules reject (issue 12 §6).
func TestThreeDecimalCurrencyHasNoEInvoice(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		admin := e.A.Keys[access.Administrator]
		id := accPost(t, e, admin, map[string]any{"customer_id": e.A.Customer, "currency": "BHD", "exchange_rate": "2.4312",
			"lines": []any{map[string]any{"description": "Consulting", "quantity": "3", "unit_price": "10.125"}}}).ID
		r := accDo(t, e, http.MethodPost, "/api/v1/invoices/"+id+"/status", admin, map[string]any{"status": "open"})
		var out struct {
			Invoice  accInvoice `json:"invoice"`
			Warnings []string   `json:"warnings"`
		}
		if r.Status != http.StatusOK {
			t.Fatalf("issue in BHD: %d %s", r.Status, accShort(r.Body))
		}
		r.JSON(t, &out)
		if out.Invoice.Status != "open" || len(out.Warnings) != 1 || !strings.Contains(out.Warnings[0], "BHD") || !strings.Contains(out.Warnings[0], "e-invoice") {
			t.Errorf("issued in BHD: status %s, warnings %q", out.Invoice.Status, out.Warnings)
		}
		r = accDo(t, e, http.MethodGet, "/api/v1/invoices/"+id+"/ubl", admin, nil)
		p := accWantProblem(t, r, http.StatusConflict, "conflict")
		if !strings.Contains(p.Detail, "BHD") || !strings.Contains(p.Detail, "3 decimals") || !strings.Contains(p.Detail, "BR-DEC") {
			t.Errorf("UBL of a BHD document: %q", p.Detail)
		}
		// A 2-decimal currency issues with no warning.
		eur := accPost(t, e, admin, map[string]any{"customer_id": e.A.Customer,
			"lines": []any{map[string]any{"description": "Consulting", "quantity": "3", "unit_price": "10.12"}}}).ID
		r = accDo(t, e, http.MethodPost, "/api/v1/invoices/"+eur+"/status", admin, map[string]any{"status": "open"})
		if r.Status != http.StatusOK || strings.Contains(string(r.Body), `"warnings"`) {
			t.Errorf("issue in EUR: %d %s", r.Status, accShort(r.Body))
		}
	})
}
