package service_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/documents"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/internal/einvoicecheck"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
	"github.com/facturo/facturo/tax"
)

// einvoiceKit returns the EN 16931 validation kit (../shared/einvoice
// beside the repository, checked by einvoicecheck with one Java start per
// batch), skipping (failing with CI=true) when it or its tools are missing.
func einvoiceKit(t *testing.T) einvoicecheck.Kit {
	t.Helper()
	k, err := einvoicecheck.Find()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the e-invoice validator needs %v", err)
		}
		skipFor(t, "EN 16931 validation of UBL needs the e-invoice kit and its tools (see README, Test it)")
	}
	return k
}

// docFixture is a tenant set up for e-invoices: a seller VAT number, a bank
// account, tax codes of every EN 16931 category Facturo bills with, and
// customers at home, in the EU, outside it and in other currencies.
type docFixture struct {
	p         access.Principal
	customers map[string]billing.Customer
}

func newDocFixture(t *testing.T, ctx context.Context, svc *service.Service) docFixture {
	t.Helper()
	ten, err := svc.CreateTenant(ctx, billing.Tenant{Name: "Nimbus Cloud", LegalName: "Nimbus Cloud Services S.L.", TaxID: "ESB12345674",
		Currency: "EUR", TimeZone: "Europe/Madrid", Language: "es",
		Address: billing.Address{Line1: "Calle de Serrano 41", City: "Madrid", PostalCode: "28001", Country: "ES"}})
	if err != nil {
		t.Fatal(err)
	}
	p := access.System(ten.ID, "test")
	ok := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	ok(svc.UpdateBranding(ctx, p, service.BrandingPatch{IBAN: ptr("ES91 2100 0418 4502 0005 1332"), BIC: ptr("CAIXESBBXXX"),
		Email: ptr("billing@nimbus.example"), PaymentInstructions: ptr("Transferencia bancaria indicando el número de factura.")}))
	d := decimal.RequireFromString
	codes := []tax.Code{
		{Code: "S21", Name: "IVA 21 %", Rate: d("21"), Category: tax.Standard},
		{Code: "S10", Name: "IVA 10 %", Rate: d("10"), Category: tax.Standard},
		{Code: "S4", Name: "IVA 4 %", Rate: d("4"), Category: tax.Standard},
		{Code: "S55", Name: "IVA 5,5 %", Rate: d("5.5"), Category: tax.Standard},
		{Code: "Z0", Name: "Tipo cero", Category: tax.ZeroRated},
		{Code: "EX", Name: "Exenta", Category: tax.Exempt, ExemptionReasonCode: "VATEX-EU-132", ExemptionReason: "Exenta por el artículo 20 de la Ley del IVA"},
		{Code: "RC", Name: "Inversión del sujeto pasivo", Category: tax.ReverseCharge, ExemptionReasonCode: "VATEX-EU-AE", ExemptionReason: "Reverse charge"},
		{Code: "IC", Name: "Entrega intracomunitaria", Category: tax.IntraCommunity, ExemptionReasonCode: "VATEX-EU-IC", ExemptionReason: "Intra-community supply"},
		{Code: "EXP", Name: "Exportación", Category: tax.Export, ExemptionReasonCode: "VATEX-EU-G", ExemptionReason: "Export outside the EU"},
		{Code: "NS", Name: "No sujeto", Category: tax.OutOfScope, ExemptionReasonCode: "VATEX-EU-O", ExemptionReason: "Not subject to VAT"},
	}
	var all []string
	for _, c := range codes {
		c.Account = "2100"
		ok(svc.UpsertTaxCode(ctx, p, c))
		all = append(all, c.Code)
		ok(svc.UpsertTaxGroup(ctx, p, tax.Group{Kind: tax.ItemGroup, Code: c.Code, Codes: []string{c.Code}}))
	}
	ok(svc.UpsertTaxGroup(ctx, p, tax.Group{Kind: tax.SalesGroup, Code: "ALL", Codes: all}))
	type cust struct {
		key, name, legal, taxID, lang, cur, country, city string
	}
	long := "Distribuidora Internacional de Servicios en la Nube, Telecomunicaciones y Consultoría Tecnológica Avanzada del Mediterráneo, Sociedad Limitada Unipersonal"
	cs := []cust{
		{"es", "Construcciones Núñez", "Construcciones Núñez y Peña S.L.", "ESB87654321", "es", "EUR", "ES", "Sevilla"},
		{"pt", "Atlântico Revenda", "Atlântico Revenda de Software Lda.", "PT509876543", "pt-BR", "EUR", "PT", "Lisboa"},
		{"br", "Padaria São João", "Padaria São João Ltda.", "12.345.678/0001-90", "pt-BR", "BRL", "BR", "São Paulo"},
		{"us", "Acme Corp", "Acme Corporation Inc.", "", "en", "USD", "US", "Springfield"},
		{"gb", "Brit Ltd", "Brit Services Ltd", "GB123456789", "en", "GBP", "GB", "London"},
		{"jp", "Kaisha KK", "Kaisha Kabushiki Kaisha", "", "en", "JPY", "JP", "Tokyo"},
		{"long", "Mediterráneo Cloud", long, "ESB11223344", "es", "EUR", "ES", "València"},
	}
	out := map[string]billing.Customer{}
	for _, c := range cs {
		in := service.CustomerInput{Name: ptr(c.name), SalesTaxGroup: ptr("ALL"), SAPID: ptr("SAP-" + strings.ToUpper(c.key)),
			BillingContractNumber: ptr("BC-" + strings.ToUpper(c.key) + "-2026"), SalesAccountExecutive: ptr("María José Gonçalves"),
			PaymentTermsDays: ptr(30),
			Billing: &service.BillingInput{LegalName: ptr(c.legal), TaxID: ptr(c.taxID), Email: ptr("billing@" + c.key + ".example"),
				Language: ptr(c.lang), Currency: ptr(c.cur),
				Address: &billing.Address{Line1: "Avenida de la Constitución 12, 3º B", City: c.city, PostalCode: "41001", Country: c.country}}}
		cu, err := svc.CreateCustomer(ctx, p, in)
		if err != nil {
			t.Fatalf("customer %s: %v", c.key, err)
		}
		out[c.key] = cu
	}
	return docFixture{p: p, customers: out}
}

// corpusSpec is one document of the e-invoice corpus.
type corpusSpec struct {
	customer string
	kind     string // invoice or credit_note
	groups   []string
	discount bool
	long     bool
	amount   bool // a line entered by amount
	correct  bool // corrected afterwards: its credit note joins the corpus
	noPeriod bool // no billing period, on the document or its lines
}

// corpusSpecs varies tax categories, discounts, credit notes, currencies and text.
func corpusSpecs() []corpusSpec {
	var specs []corpusSpec
	for i := 0; i < 4; i++ {
		specs = append(specs,
			corpusSpec{customer: "es", groups: []string{"S21"}, discount: i%2 == 0, correct: i == 0},
			corpusSpec{customer: "es", groups: []string{"S21", "S10", "S4"}, discount: true, correct: i == 1},
			corpusSpec{customer: "es", groups: []string{"S21", "EX"}, amount: i%2 == 1},
			corpusSpec{customer: "es", groups: []string{"S55", "Z0", "S21"}},
			corpusSpec{customer: "pt", groups: []string{"RC"}, discount: i%2 == 1, correct: i == 2},
			corpusSpec{customer: "pt", groups: []string{"IC"}},
			corpusSpec{customer: "gb", groups: []string{"RC"}, amount: true},
			corpusSpec{customer: "br", groups: []string{"EXP"}, discount: true, correct: i == 3},
			corpusSpec{customer: "us", groups: []string{"EXP"}},
			corpusSpec{customer: "us", groups: []string{"NS"}},
			corpusSpec{customer: "jp", groups: []string{"EXP"}, discount: i%2 == 0},
			corpusSpec{customer: "long", groups: []string{"S21", "EX", "S10"}, long: true, discount: true},
			corpusSpec{customer: "es", kind: "credit_note", groups: []string{"S21", "S10"}},
		)
	}
	// Intra-community supply without a billing period: the invoice date is
	// the actual delivery date (BR-IC-11, issue 12).
	specs = append(specs, corpusSpec{customer: "pt", groups: []string{"IC"}, noPeriod: true})
	return specs
}

// makeCorpus creates, issues and (some) corrects the corpus documents and
// returns the ids of every issued document.
func makeCorpus(t *testing.T, ctx context.Context, svc *service.Service, fx docFixture) []string {
	t.Helper()
	var ids []string
	longText := strings.Repeat("Servicio gestionado de copias de seguridad con cifrado AES-256, réplica geográfica, "+
		"atención 24×7 & soporte \"premium\" <nivel 3> — año, señal, ação, coração, €. ", 5)
	for i, s := range corpusSpecs() {
		c := fx.customers[s.customer]
		var lines []service.LineInput
		n := 1 + i%4
		if s.long {
			n = 25
		}
		for j := 0; j < n; j++ {
			g := s.groups[j%len(s.groups)]
			l := service.LineInput{Description: fmt.Sprintf("Licencia %d-%d: Microsoft 365 Business Premium (año fiscal)", i, j),
				ItemSalesTaxGroup: g, ChargeType: []string{"recurring", "usage", "one_time", "time"}[j%4],
				ServiceStart: calendar.New(2026, 2, 1), ServiceEnd: calendar.New(2026, 2, 28)}
			if s.long {
				l.Description = fmt.Sprintf("%d. %s Segunda parte: detalle técnico.", j+1, longText)
			}
			if s.noPeriod {
				l.ServiceStart, l.ServiceEnd = calendar.Date{}, calendar.Date{}
			}
			switch {
			case s.amount && j == 0:
				l.Amount = ptr(fmt.Sprintf("%d.%02d", 100+i, j))
				if c.Billing.Currency == "JPY" {
					l.Amount = ptr(fmt.Sprint(10000 + i))
				}
			default:
				l.Quantity = ptr(fmt.Sprintf("%d.%d", 1+j, i%3))
				l.UnitPrice = ptr(fmt.Sprintf("%d.%04d", 10+7*i+j, 1234*(j+1)%10000))
				if j%3 == 2 {
					l.Unit = "h"
				}
				if s.discount && j%2 == 0 {
					l.Discount = fmt.Sprintf("%d.50", 1+j)
					if c.Billing.Currency == "JPY" {
						l.Discount = "150"
					}
				}
			}
			lines = append(lines, l)
		}
		// Dated the clock's today, like the credit notes of corrections: the
		// seller is Spanish, so numbers must follow dates in a series.
		in := service.InvoiceInput{CustomerID: &c.ID, Lines: &lines, InvoiceDate: ptr(calendar.New(2026, 3, 1)),
			PeriodStart: ptr(calendar.New(2026, 2, 1)), PeriodEnd: ptr(calendar.New(2026, 2, 28)), Provider: ptr("Microsoft"),
			Notes: ptr(fmt.Sprintf("Documento %d — gracias por su confianza.", i))}
		if s.kind != "" {
			in.Kind = ptr(s.kind)
		}
		if s.noPeriod {
			in.PeriodStart, in.PeriodEnd = nil, nil
		}
		if c.Billing.Currency != "EUR" {
			in.ExchangeRate = ptr([]string{"0.9231", "0.1712", "1.1650", "0.006123"}[i%4])
		}
		if i%5 == 0 {
			in.CustomFields = &map[string]string{"pedido": fmt.Sprintf("PO-%d", i), "centro_de_coste": "Operaciones"}
		}
		inv, err := svc.CreateInvoice(ctx, fx.p, in)
		if err != nil {
			t.Fatalf("document %d: create: %v", i, err)
		}
		res, err := svc.UpdateInvoiceStatus(ctx, fx.p, inv.ID, service.StatusChange{Status: "open"})
		if err != nil {
			t.Fatalf("document %d: issue: %v", i, err)
		}
		ids = append(ids, res.Invoice.ID)
		if s.correct {
			cor, err := svc.CorrectInvoice(ctx, fx.p, inv.ID, "PRICE", "Precio corregido según contrato")
			if err != nil {
				t.Fatalf("document %d: correct: %v", i, err)
			}
			ids = append(ids, cor.CreditNote.ID)
		}
	}
	return ids
}

// TestUBLCorpusPassesEN16931 is the e-invoice acceptance test: a corpus of
// documents made through the service on a real database (several tax codes,
// exempt, reverse-charge, intra-community, export and out-of-scope lines,
// discounts, credit notes of corrections and standalone ones, foreign
// currencies, long texts) is rendered as UBL and checked by the official
// EN 16931 rules in one batch (einvoicecheck: validate.sh's checks with one
// Java start). The same corpus on the other
// engine gives the same bytes.
func TestUBLCorpusPassesEN16931(t *testing.T) {
	t.Parallel()
	kit := einvoiceKit(t)
	corpora := map[store.Engine][][]byte{}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		svc := service.New(db, service.WithClock(func() time.Time { return base }))
		fx := newDocFixture(t, ctx, svc)
		ids := makeCorpus(t, ctx, svc, fx)
		for _, id := range ids {
			b, inv, err := svc.InvoiceUBL(ctx, fx.p, id)
			if err != nil {
				t.Fatalf("UBL of %s: %v", id, err)
			}
			if inv.Kind == billing.KindCreditNote && inv.OriginalID != "" && !bytes.Contains(b, []byte("<cac:BillingReference>")) {
				t.Errorf("credit note %s lacks the preceding invoice reference", inv.Number)
			}
			corpora[db.Engine()] = append(corpora[db.Engine()], b)
		}
	})
	var first [][]byte
	for _, c := range corpora {
		if first == nil {
			first = c
			continue
		}
		if len(c) != len(first) {
			t.Fatalf("the engines made %d and %d documents", len(first), len(c))
		}
		for i := range c {
			if !bytes.Equal(c[i], first[i]) {
				t.Errorf("document %d differs between engines", i)
			}
		}
	}
	if len(first) < 50 {
		t.Fatalf("the corpus has %d documents; want at least 50", len(first))
	}
	var credit, foreign, exempt, reverse, allowance int
	dir := t.TempDir()
	var files []string
	for i, b := range first {
		s := string(b)
		credit += strings.Count(s, "<CreditNote ")
		foreign += strings.Count(s, "<cbc:TaxCurrencyCode>")
		exempt += strings.Count(s, "<cbc:ID>E</cbc:ID>")
		reverse += strings.Count(s, "<cbc:ID>AE</cbc:ID>")
		allowance += strings.Count(s, "<cac:AllowanceCharge>")
		f := filepath.Join(dir, fmt.Sprintf("doc-%02d.xml", i))
		if err := os.WriteFile(f, b, 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	if credit < 5 || foreign < 5 || exempt == 0 || reverse == 0 || allowance == 0 {
		t.Fatalf("the corpus is not varied enough: %d credit notes, %d foreign, %d exempt, %d reverse charge, %d allowances",
			credit, foreign, exempt, reverse, allowance)
	}
	verdicts, err := kit.Check(files)
	if err != nil {
		t.Fatal(err)
	}
	valid := 0
	for _, v := range verdicts {
		if v.Valid() {
			valid++
			continue
		}
		b, _ := os.ReadFile(v.File)
		t.Errorf("%s fails EN 16931:\n  %s\n%s", filepath.Base(v.File), strings.Join(v.Fatal, "\n  "), b)
	}
	if valid != len(files) || len(verdicts) != len(files) {
		t.Fatalf("%d of %d documents pass EN 16931", valid, len(files))
	}
	t.Logf("%d UBL documents (%d credit notes in the corpus) pass EN 16931", len(files), credit)
}

// TestDocumentsVisibilityAndRules checks who gets which document: a customer
// only its own issued ones; a draft has a watermarked PDF but no e-invoice.
func TestDocumentsVisibilityAndRules(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := service.New(db)
		fx := newDocFixture(t, ctx, svc)
		es, pt := fx.customers["es"], fx.customers["pt"]
		mk := func(c billing.Customer) billing.Invoice {
			lines := []service.LineInput{{Description: "Soporte técnico", Quantity: ptr("2"), UnitPrice: ptr("50"), ItemSalesTaxGroup: "S21"}}
			return must(svc.CreateInvoice(ctx, fx.p, service.InvoiceInput{CustomerID: &c.ID, Lines: &lines})).ok(t)
		}
		draft := mk(es)
		issued := must(svc.UpdateInvoiceStatus(ctx, fx.p, mk(es).ID, service.StatusChange{Status: "open"})).ok(t).Invoice
		other := must(svc.UpdateInvoiceStatus(ctx, fx.p, mk(pt).ID, service.StatusChange{Status: "open"})).ok(t).Invoice

		if _, _, err := svc.InvoiceUBL(ctx, fx.p, draft.ID); fail.CodeOf(err) != fail.Conflict {
			t.Errorf("UBL of a draft: %v, want conflict", err)
		}
		pdf, _, err := svc.InvoicePDF(ctx, fx.p, draft.ID)
		if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Fatalf("draft PDF: %v", err)
		}
		portal := access.Principal{TenantID: fx.p.TenantID, UserID: "usr_portal", Role: access.Customer, CustomerID: es.ID}
		for _, id := range []string{draft.ID, other.ID} {
			if _, _, err := svc.InvoicePDF(ctx, portal, id); fail.CodeOf(err) != fail.NotFound {
				t.Errorf("customer PDF of %s: %v, want not_found", id, err)
			}
			if _, _, err := svc.InvoicePrint(ctx, portal, id); fail.CodeOf(err) != fail.NotFound {
				t.Errorf("customer print view of %s: %v, want not_found", id, err)
			}
		}
		if _, _, err := svc.InvoiceUBL(ctx, portal, issued.ID); err != nil {
			t.Errorf("customer UBL of its own issued invoice: %v", err)
		}
		engineer := access.Principal{TenantID: fx.p.TenantID, UserID: "usr_eng", Role: access.Engineer}
		if _, _, err := svc.InvoicePDF(ctx, engineer, issued.ID); fail.CodeOf(err) != fail.Forbidden {
			t.Errorf("engineer PDF: %v, want forbidden", err)
		}
		var buf bytes.Buffer
		if err := svc.ExportInvoices(ctx, portal, service.InvoiceFilter{}, false, &buf); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 || rows[1][0] != issued.ID {
			t.Errorf("the customer's CSV has %v; want the header and its one issued invoice", rows)
		}
		sales := access.Principal{TenantID: fx.p.TenantID, UserID: "usr_sales", Role: access.Sales}
		if _, err := svc.UpdateBranding(ctx, sales, service.BrandingPatch{PrimaryColor: ptr("#000000")}); fail.CodeOf(err) != fail.Forbidden {
			t.Errorf("sales changing the branding: %v, want forbidden", err)
		}
		if _, err := svc.UpdateBranding(ctx, fx.p, service.BrandingPatch{PrimaryColor: ptr("blue"), IBAN: ptr("ES00 1234")}); fail.CodeOf(err) != fail.Invalid {
			t.Errorf("bad colour and IBAN: %v, want invalid", err)
		} else {
			wantFields(t, err, "primary_color", "iban")
		}
		if _, err := svc.SetLogo(ctx, fx.p, []byte("GIF89a not a png")); fail.CodeOf(err) != fail.Invalid {
			t.Errorf("a GIF logo: %v, want invalid", err)
		}
		if _, err := svc.SetLogo(ctx, fx.p, append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, documents.MaxLogoBytes)...)); fail.CodeOf(err) != fail.Invalid {
			t.Errorf("an oversized logo: %v, want invalid", err)
		}
	})
}
