package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/internal/testserver"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
	"github.com/facturo/facturo/tax"
)

// customerCount is how many customers tenant A has.
func customerCount(t *testing.T, e *testserver.Env) int {
	t.Helper()
	page, err := e.Svc.ListCustomers(context.Background(), access.System(e.A.ID, "test"), service.CustomerFilter{Archived: "include", Page: service.Page{Limit: 500}})
	if err != nil {
		t.Fatal(err)
	}
	return len(page.Items)
}

// TestCustomerFormsHTTP: the customer create and edit forms answer bad
// input with 422, each error at its field and the typed values kept,
// writing nothing; a role that may not create or edit customers gets 403
// and no form; the account page's billing, wallet and card forms and the
// billing-run form keep what was typed too.
func TestCustomerFormsHTTP(t *testing.T) {
	t.Parallel()
	e := testserver.New(t, store.SQLite)
	ctx := context.Background()
	sys := access.System(e.A.ID, "test")
	for _, u := range []service.NewUser{
		{Email: "admin@a.test", Name: "Ada", Role: "administrator", Password: testPassword},
		{Email: "fin@a.test", Name: "Fin", Role: "finance", Password: testPassword},
		{Email: "cust@a.test", Name: "Cust", Role: "customer", CustomerID: e.A.Customer, Password: testPassword},
		{Email: "es@a.test", Name: "Elena", Role: "administrator", Password: testPassword, Language: "es"},
	} {
		if _, err := e.Svc.CreateUser(ctx, sys, u); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.Svc.UpsertTaxCode(ctx, sys, tax.Code{Code: "V21", Name: "IVA 21", Rate: decimal.NewFromInt(21), Category: tax.Standard, Account: "2100"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Svc.UpsertTaxGroup(ctx, sys, tax.Group{Kind: tax.SalesGroup, Code: "DOM", Name: "Nacional", Codes: []string{"V21"}}); err != nil {
		t.Fatal(err)
	}
	admin, fin := newClient(t, e), newClient(t, e)
	admin.login("admin@a.test")
	fin.login("fin@a.test")
	base := "/console/customers/" + e.A.Customer

	t.Run("only roles that may create see the form", func(t *testing.T) {
		if _, _, body := admin.do(http.MethodGet, "/console/customers", nil); !strings.Contains(body, `id="new-customer"`) {
			t.Error("the administrator has no New customer button")
		}
		if _, _, body := fin.do(http.MethodGet, "/console/customers", nil); strings.Contains(body, `id="new-customer"`) {
			t.Error("finance, who may not create customers, has a New customer button")
		}
		code, _, body := admin.do(http.MethodGet, "/console/customers/new", nil)
		if code != http.StatusOK || !strings.Contains(body, `name="invoice_account_id"`) || !strings.Contains(body, `value="DOM"`) ||
			!strings.Contains(body, "customer one") {
			t.Errorf("new customer form: %d, lacks the account or tax group choices", code)
		}
		if code, _, _ := fin.do(http.MethodGet, "/console/customers/new", nil); code != http.StatusForbidden {
			t.Errorf("finance GET new customer: %d, want 403", code)
		}
		before := customerCount(t, e)
		if code, _, _ := fin.do(http.MethodPost, "/console/customers/new", url.Values{"name": {"Sneaky"}}); code != http.StatusForbidden {
			t.Errorf("finance POST new customer: %d, want 403", code)
		}
		if n := customerCount(t, e); n != before {
			t.Errorf("a refused create wrote %d customers", n-before)
		}
		// Finance edits billing information but not the header.
		if _, _, body := fin.do(http.MethodGet, base, nil); strings.Contains(body, `id="details-form"`) || !strings.Contains(body, `id="save-billing"`) {
			t.Error("finance sees the header form, or not the billing form")
		}
		code, _, _ = fin.do(http.MethodPost, base+"/edit", url.Values{"name": {"Renamed"}, "number": {"X-1"}})
		if code != http.StatusForbidden {
			t.Errorf("finance POST header: %d, want 403", code)
		}
		if c, _ := e.Svc.GetCustomer(ctx, sys, e.A.Customer); c.Name == "Renamed" {
			t.Error("a refused header change was written")
		}
	})

	t.Run("create: 422 at each field, typed values kept, nothing written", func(t *testing.T) {
		before := customerCount(t, e)
		form := url.Values{"name": {"Fabrikam Iberia"}, "email": {"not-an-email"}, "payment_terms_days": {"-5"},
			"credit_limit": {"mucho"}, "method_of_payment": {"Transferencia"}, "country": {"XX"}, "legal_name": {"Fabrikam Iberia S.L."}, "currency": {"EURO"}}
		code, _, body := admin.do(http.MethodPost, "/console/customers/new", form)
		if code != http.StatusUnprocessableEntity {
			t.Fatalf("bad create: %d, want 422", code)
		}
		for _, field := range []string{"billing.email", "payment_terms_days", "credit_limit", "billing.address.country", "billing.currency"} {
			if !strings.Contains(body, `data-field="`+field+`"`) {
				t.Errorf("no error at field %s", field)
			}
		}
		if n := strings.Count(body, `aria-invalid="true"`); n != 5 {
			t.Errorf("%d controls marked invalid, want 5", n)
		}
		for _, v := range []string{`value="not-an-email"`, `value="-5"`, `value="mucho"`, `value="Transferencia"`, `value="Fabrikam Iberia S.L."`} {
			if !strings.Contains(body, v) {
				t.Errorf("the typed %s is lost", v)
			}
		}
		if strings.Contains(body, "billing.email:") {
			t.Error("the error names the API path")
		}
		if n := customerCount(t, e); n != before {
			t.Errorf("a refused create wrote %d customers", n-before)
		}

		form = url.Values{"name": {"Fabrikam Iberia"}, "email": {"ap@fabrikam.example"}, "payment_terms_days": {"45"},
			"credit_limit": {"1500.50"}, "method_of_payment": {"Transferencia"}, "sales_tax_group": {"DOM"},
			"invoice_account_id": {e.A.Other}, "language": {"es"}, "currency": {"EUR"}, "legal_name": {"Fabrikam Iberia S.L."}}
		code, h, _ := admin.do(http.MethodPost, "/console/customers/new", form)
		loc := h.Get("Location")
		if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/console/customers/cus_") {
			t.Fatalf("create: %d → %q", code, loc)
		}
		id := strings.TrimPrefix(strings.Split(loc, "?")[0], "/console/customers/")
		c, err := e.Svc.GetCustomer(ctx, sys, id)
		if err != nil {
			t.Fatal(err)
		}
		if c.Name != "Fabrikam Iberia" || c.PaymentTermsDays != 45 || c.MethodOfPayment != "Transferencia" || c.SalesTaxGroup != "DOM" ||
			c.InvoiceAccountID != e.A.Other || c.CreditLimit.Fixed() != "1500.50" || c.Billing.Email != "ap@fabrikam.example" || c.Number == "" {
			t.Errorf("stored customer %+v", c)
		}
	})

	t.Run("edit: 422 names the field and keeps the typed values", func(t *testing.T) {
		orig, _ := e.Svc.GetCustomer(ctx, sys, e.A.Customer)
		form := url.Values{"number": {orig.Number}, "name": {"Typed name"}, "payment_terms_days": {"tres"}, "credit_limit": {"10"}}
		code, _, body := admin.do(http.MethodPost, base+"/edit", form)
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, `data-field="payment_terms_days"`) {
			t.Fatalf("bad edit: %d, field error missing", code)
		}
		if !strings.Contains(body, `value="Typed name"`) || !strings.Contains(body, `value="tres"`) {
			t.Error("the typed values are lost")
		}
		if c, _ := e.Svc.GetCustomer(ctx, sys, e.A.Customer); c.Name != orig.Name || c.PaymentTermsDays != orig.PaymentTermsDays {
			t.Errorf("a refused edit changed the customer: %q, %d", c.Name, c.PaymentTermsDays)
		}
		form.Set("payment_terms_days", "60")
		form.Set("method_of_payment", "Domiciliación")
		if code, _, body := admin.do(http.MethodPost, base+"/edit", form); code != http.StatusSeeOther {
			t.Fatalf("edit: %d %s", code, body)
		}
		if c, _ := e.Svc.GetCustomer(ctx, sys, e.A.Customer); c.Name != "Typed name" || c.PaymentTermsDays != 60 || c.MethodOfPayment != "Domiciliación" {
			t.Errorf("edited customer: %q, %d, %q", c.Name, c.PaymentTermsDays, c.MethodOfPayment)
		}
	})

	t.Run("account forms keep what was typed", func(t *testing.T) {
		orig, _ := e.Svc.GetCustomer(ctx, sys, e.A.Customer)
		code, _, body := fin.do(http.MethodPost, base+"/billing", url.Values{"legal_name": {"Nueva Razón S.A."}, "email": {"nope"},
			"currency": {orig.Billing.Currency}, "line1": {orig.Billing.Address.Line1}, "city": {orig.Billing.Address.City},
			"country": {orig.Billing.Address.Country}})
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, `data-field="billing.email"`) ||
			!strings.Contains(body, `value="Nueva Razón S.A."`) || !strings.Contains(body, `value="nope"`) {
			t.Errorf("billing form: %d, field error or typed values missing", code)
		}
		if c, _ := e.Svc.GetCustomer(ctx, sys, e.A.Customer); c.Billing.LegalName != orig.Billing.LegalName {
			t.Error("a refused billing change was written")
		}
		if _, err := e.Svc.SaveWallet(ctx, sys, e.A.Customer, service.WalletInput{}); err != nil {
			t.Fatal(err)
		}
		code, _, body = admin.do(http.MethodPost, base+"/wallet", url.Values{"auto_recharge": {"1"}, "recharge_threshold": {"diez"}, "recharge_amount": {"50"}})
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="recharge-threshold-err"`) ||
			!strings.Contains(body, `value="diez"`) || !strings.Contains(body, `id="auto-recharge" checked`) {
			t.Errorf("recharge form: %d, field error or typed values missing", code)
		}
		code, _, body = admin.do(http.MethodPost, base+"/wallet/funds", url.Values{"amount": {"1,5"}})
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="funds-amount-err"`) || !strings.Contains(body, `value="1,5"`) {
			t.Errorf("funds form: %d, field error or typed value missing", code)
		}
		code, _, body = admin.do(http.MethodPost, base+"/cards", url.Values{"card": {""}, "exp_month": {"7"}, "exp_year": {"2031"}, "primary": {"1"}})
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="card-number-err"`) ||
			!strings.Contains(body, `<option value="7" selected>`) || !strings.Contains(body, `<option value="2031" selected>`) {
			t.Errorf("card form: %d, field error or typed values missing", code)
		}
	})

	t.Run("portal billing form keeps what was typed", func(t *testing.T) {
		cust := newClient(t, e)
		cust.login("cust@a.test")
		orig, _ := e.Svc.GetCustomer(ctx, sys, e.A.Customer)
		code, _, body := cust.do(http.MethodPost, "/portal/account/billing", url.Values{"legal_name": {"Mi Empresa S.L."}, "email": {"mal"},
			"currency": {orig.Billing.Currency}, "line1": {orig.Billing.Address.Line1}, "city": {orig.Billing.Address.City},
			"country": {orig.Billing.Address.Country}})
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, `id="bemail-err"`) || !strings.Contains(body, `aria-describedby="bemail-err"`) ||
			!strings.Contains(body, `value="Mi Empresa S.L."`) || !strings.Contains(body, `value="mal"`) {
			t.Errorf("portal billing form: %d, field error or typed values missing", code)
		}
		if c, _ := e.Svc.GetCustomer(ctx, sys, e.A.Customer); c.Billing.LegalName == "Mi Empresa S.L." {
			t.Error("a refused billing change was written")
		}
	})

	// Messages that wrap an inner error (a date, a currency: "%v") read
	// whole in the reader's language.
	t.Run("wrapped errors in Spanish", func(t *testing.T) {
		es := newClient(t, e)
		es.login("es@a.test")
		_, _, body := es.do(http.MethodGet, "/console/invoices?preset=custom&from=2026-13-01&to=2026-01-31", nil)
		if !strings.Contains(body, "no es una fecha con la forma 2026-01-31") || strings.Contains(body, "is not a date") {
			t.Errorf("bad date for a Spanish reader: the message is not in Spanish\n%.3000s", body)
		}
		_, _, body = es.do(http.MethodPost, "/console/settings/exchange-rates", url.Values{"currency": {"XYZ"}, "date": {"2026-11-01"}, "rate": {"1.1"}})
		if !strings.Contains(body, "moneda desconocida") || strings.Contains(body, "unknown currency") {
			t.Errorf("unknown currency for a Spanish reader: the message is not in Spanish\n%.3000s", body)
		}
		// A card the processor refuses, in Facturo's words.
		_, _, body = es.do(http.MethodPost, base+"/cards", url.Values{"card": {"4000000000000002"}, "exp_month": {"12"}, "exp_year": {"2030"}, "cvc": {"123"}})
		if !strings.Contains(body, "la tarjeta fue rechazada") || strings.Contains(body, "Your card was declined") {
			t.Errorf("a declined card for a Spanish reader: the message is not in Spanish\n%.3000s", body)
		}
	})

	t.Run("billing run form: 422 at the field, typed values kept", func(t *testing.T) {
		code, _, body := admin.do(http.MethodPost, "/console/billing-runs", url.Values{"from": {"2026-13-01"}, "to": {"2026-01-31"}, "issue": {"1"}})
		if code != http.StatusUnprocessableEntity || !strings.Contains(body, `data-field="from"`) || !strings.Contains(body, `value="2026-13-01"`) ||
			!strings.Contains(body, `value="1" checked`) {
			t.Errorf("billing run form: %d, field error or typed values missing", code)
		}
	})
}
