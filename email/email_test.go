package email_test

import (
	"strings"
	"testing"

	"github.com/facturo/facturo/email"
)

func TestEveryKindInEveryLanguage(t *testing.T) {
	subjects := map[string]map[string]string{}
	for _, lang := range []string{"en", "es", "pt-BR"} {
		for _, kind := range email.Kinds() {
			r, err := email.Render(email.Message{Kind: kind, Language: lang, Tenant: "Acme Cloud", Customer: "Núñez & Hijos",
				PortalURL: "https://billing.example/portal/invoices/inv_1",
				Fields:    map[string]string{"number": "INV-2026-000001", "total": "1.234,56 €", "status": "past_due", "amount": "50,00 €", "balance": "10,00 €"}})
			if err != nil {
				t.Fatalf("%s %s: %v", lang, kind, err)
			}
			if r.Subject == "" || strings.Contains(r.Subject, "\n") || strings.Contains(r.Text, "<no value>") {
				t.Errorf("%s %s: bad render %q / %q", lang, kind, r.Subject, r.Text)
			}
			if !strings.Contains(r.Text, "Núñez & Hijos") || !strings.Contains(r.HTML, "Núñez &amp; Hijos") {
				t.Errorf("%s %s: customer name missing or unescaped in %q", lang, kind, r.HTML)
			}
			if !strings.Contains(r.HTML, `<a href="https://billing.example/portal/invoices/inv_1">`) {
				t.Errorf("%s %s: no portal link in HTML", lang, kind)
			}
			if subjects[kind] == nil {
				subjects[kind] = map[string]string{}
			}
			subjects[kind][lang] = r.Subject
		}
	}
	for kind, byLang := range subjects {
		if byLang["en"] == byLang["es"] || byLang["es"] == byLang["pt-BR"] || byLang["en"] == byLang["pt-BR"] {
			t.Errorf("%s: subjects not translated: %v", kind, byLang)
		}
	}
	if len(subjects) != 6 {
		t.Errorf("want 6 kinds, got %d", len(subjects))
	}
}

func TestSubjectLanguageAndStatusLabels(t *testing.T) {
	for lang, want := range map[string]string{"es-ES": "La factura F-1 ahora está Vencida", "pt": "A fatura F-1 agora está Vencida",
		"fr": "Invoice F-1 is now Past due", "": "Invoice F-1 is now Past due"} {
		r, err := email.Render(email.Message{Kind: email.InvoiceStatusChanged, Language: lang, Fields: map[string]string{"number": "F-1", "status": "past_due"}})
		if err != nil {
			t.Fatal(err)
		}
		if r.Subject != want {
			t.Errorf("%q: subject %q, want %q", lang, r.Subject, want)
		}
	}
	if _, err := email.Render(email.Message{Kind: "nope"}); err == nil {
		t.Error("unknown kind rendered")
	}
}

// BenchmarkRender renders an invoice-published email (subject, text, HTML).
func BenchmarkRender(b *testing.B) {
	m := email.Message{Kind: email.InvoicePublished, Language: "es", Tenant: "Nimbus Cloud Services", Customer: "Ferretería Núñez S.L.",
		PortalURL: "https://billing.example/portal/invoices/inv_01", Fields: map[string]string{"number": "INV-2026-000042",
			"total": "1.234,56 €", "due_date": "3 nov 2026", "invoice_date": "4 oct 2026", "period": "1 oct 2026 – 31 oct 2026"}}
	for b.Loop() {
		if _, err := email.Render(m); err != nil {
			b.Fatal(err)
		}
	}
}
