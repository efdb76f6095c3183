package documents_test

import (
	"encoding/xml"
	"os"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/documents"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/tax"
)

// TestUBLWellFormedAndComplete parses the UBL of an invoice and a credit
// note with awkward text and checks the EN 16931 parts a reader looks for.
func TestUBLWellFormedAndComplete(t *testing.T) {
	d := sample(t, "es", "USD", 4)
	d.Invoice.Notes = "Tom & Jerry <\"quoted\"> 'single' \r\n ñ € \x01 end"
	for _, kind := range []billing.Kind{billing.KindInvoice, billing.KindCreditNote} {
		d.Invoice.Kind = kind
		d.Preceding = &documents.Preceding{Number: "INV-2026-0001", Date: d.Invoice.InvoiceDate}
		b, err := documents.UBLBytes(d)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			XMLName xml.Name
			Note    string `xml:"Note"`
			TaxCur  string `xml:"TaxCurrencyCode"`
			Billing struct {
				ID string `xml:"InvoiceDocumentReference>ID"`
			} `xml:"BillingReference"`
			Taxes []struct {
				Amount string `xml:"TaxAmount"`
			} `xml:"TaxTotal"`
		}
		if err := xml.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s UBL is not well-formed: %v\n%s", kind, err, b)
		}
		wantRoot := map[billing.Kind]string{billing.KindInvoice: "Invoice", billing.KindCreditNote: "CreditNote"}[kind]
		if doc.XMLName.Local != wantRoot || !strings.Contains(doc.Note, "Tom & Jerry <\"quoted\"> 'single'") || strings.Contains(doc.Note, "\x01") {
			t.Errorf("%s: root %s, note %q", kind, doc.XMLName.Local, doc.Note)
		}
		if doc.TaxCur != "EUR" || len(doc.Taxes) != 2 {
			t.Errorf("%s in USD for a EUR tenant: tax currency %q, %d tax totals; want EUR and 2", kind, doc.TaxCur, len(doc.Taxes))
		}
		if (kind == billing.KindCreditNote) != (doc.Billing.ID == "INV-2026-0001") {
			t.Errorf("%s: preceding invoice %q", kind, doc.Billing.ID)
		}
		for _, want := range []string{documents.UBLCustomizationID, documents.UBLProfileID, "<cbc:ID>E</cbc:ID>",
			"<cbc:TaxExemptionReasonCode>VATEX-EU-132</cbc:TaxExemptionReasonCode>", "<cbc:ChargeIndicator>false</cbc:ChargeIndicator>",
			"<cbc:ID>ES9121000418450200051332</cbc:ID>", "<cac:InvoicePeriod><cbc:StartDate>2026-02-01</cbc:StartDate>"} {
			if !strings.Contains(string(b), want) {
				t.Errorf("%s UBL lacks %s", kind, want)
			}
		}
	}
	// A line with two tax codes cannot be one EN 16931 category.
	d.Invoice.Lines[0].TaxCodes = []string{"VAT21", "VAT10"}
	if _, err := documents.UBLBytes(d); err == nil || !strings.Contains(err.Error(), "one VAT category per line") {
		t.Errorf("a line with two tax codes: %v", err)
	}
}

// TestUBLIntraCommunityWithoutPeriod: an intra-community supply (K) with no
// billing period states the invoice date as its actual delivery date, as
// BR-IC-11 requires (issue 12); with a period it needs none.
func TestUBLIntraCommunityWithoutPeriod(t *testing.T) {
	t.Parallel()
	d := sample(t, "en", "EUR", 2)
	d.Invoice.BillTo.Address.Country, d.Invoice.BillTo.TaxID = "PT", "PT509876543"
	for i := range d.Invoice.Lines {
		d.Invoice.Lines[i].TaxCodes = []string{"IC"}
	}
	d.Invoice.Taxes = []billing.TaxLine{{Code: "IC", Name: "Intra-community supply", Category: tax.IntraCommunity,
		ExemptionReason: "Intra-community supply", ExemptionReasonCode: "VATEX-EU-IC", Base: d.Invoice.Net}}
	d.Invoice.Tax, d.Invoice.Total, d.Invoice.Balance = money.In(decimal.Zero, "EUR"), d.Invoice.Net, d.Invoice.Net
	withPeriod, err := documents.UBLBytes(d)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(withPeriod), "ActualDeliveryDate") {
		t.Errorf("with a billing period, the UBL needs no delivery date")
	}
	d.Invoice.PeriodStart, d.Invoice.PeriodEnd = calendar.Date{}, calendar.Date{}
	b, err := documents.UBLBytes(d)
	if err != nil {
		t.Fatal(err)
	}
	want := "<cac:Delivery><cbc:ActualDeliveryDate>2026-03-05</cbc:ActualDeliveryDate><cac:DeliveryLocation>"
	if !strings.Contains(string(b), want) {
		t.Errorf("K without a billing period: UBL lacks %s", want)
	}
	if f := os.Getenv("FACTURO_UBL_OUT"); f != "" {
		if err := os.WriteFile(f, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}
