package documents_test

import (
	"fmt"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/documents"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/tax"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// pricep is a unit price in the currency with code cur.
func pricep(s, cur string) *money.UnitPrice {
	p := money.PriceIn(dec(s), cur)
	return &p
}

func decp(s string) *decimal.Decimal { d := dec(s); return &d }

// setup is a tax setup with a standard rate, a reduced rate and an exempt code.
func setup() billing.TaxSetup {
	codes := map[string]tax.Code{
		"VAT21": {Code: "VAT21", Name: "IVA 21 %", Rate: dec("21"), Category: tax.Standard, Account: "4770"},
		"VAT10": {Code: "VAT10", Name: "IVA 10 %", Rate: dec("10"), Category: tax.Standard, Account: "4770"},
		"EXE":   {Code: "EXE", Name: "Exenta", Category: tax.Exempt, Account: "4770", ExemptionReason: "Exenta según artículo 20", ExemptionReasonCode: "VATEX-EU-132"},
	}
	return billing.TaxSetup{Mode: tax.PerCode, Codes: codes,
		SalesGroups: map[string]tax.Group{"DOM": {Kind: tax.SalesGroup, Code: "DOM", Codes: []string{"VAT21", "VAT10", "EXE"}}},
		ItemGroups: map[string]tax.Group{
			"STD": {Kind: tax.ItemGroup, Code: "STD", Codes: []string{"VAT21"}},
			"RED": {Kind: tax.ItemGroup, Code: "RED", Codes: []string{"VAT10"}},
			"EXE": {Kind: tax.ItemGroup, Code: "EXE", Codes: []string{"EXE"}},
		}}
}

// sample builds a computed document with n lines in lang.
func sample(t testing.TB, lang, currency string, n int) *documents.Doc {
	t.Helper()
	inv := billing.Invoice{
		ID: "inv_1", Kind: billing.KindInvoice, Status: billing.Open, DocumentNumber: "D-000042", Number: "INV-2026-0042",
		CustomerID: "cus_1", InvoiceAccountID: "cus_1",
		BillTo: billing.Party{CustomerNumber: "C-1001", Name: "Señora Núñez", LegalName: "Construcciones Núñez y Peña S.L.",
			Address: billing.Address{Line1: "Calle de Alcalá 42", City: "Madrid", PostalCode: "28014", Country: "ES"},
			TaxID:   "ESB12345678", Email: "facturas@nunez.es", SAPID: "SAP-778899", BillingContractNumber: "BC-2026-17",
			SalesAccountExecutive: "João Conceição"},
		InvoiceDate: calendar.New(2026, 3, 5), DueDate: calendar.New(2026, 4, 4),
		PeriodStart: calendar.New(2026, 2, 1), PeriodEnd: calendar.New(2026, 2, 28),
		Currency: currency, ExchangeRate: dec("1"), Provider: "Microsoft", PaymentTermsDays: 30, Language: lang,
		CustomFields: map[string]string{"Pedido": "PO-ñ-77"}, Notes: "Gracias por su confianza — açaí, pão, coração.",
	}
	groups := []string{"STD", "RED", "EXE"}
	charges := billing.ChargeTypes
	for i := 0; i < n; i++ {
		inv.Lines = append(inv.Lines, billing.Line{
			Description:   fmt.Sprintf("Línea %d: licencia de software en la nube (señal, ação, €)", i+1),
			SalesTaxGroup: "DOM", ItemSalesTaxGroup: groups[i%3], ChargeType: charges[i%4],
			Quantity: decp(fmt.Sprint(1 + i%5)), UnitPrice: pricep("1234.5", currency), Discount: money.In(dec(fmt.Sprint(i%2*10)), currency),
			Account: "7000",
		})
	}
	if err := inv.Compute(setup(), money.MustCurrency("EUR")); err != nil {
		t.Fatal(err)
	}
	return &documents.Doc{Invoice: inv,
		Tenant: billing.Tenant{Name: "Facturo Demo", LegalName: "Facturo Demo S.L.", TaxID: "ESB87654321", Currency: "EUR", Language: "es",
			Address: billing.Address{Line1: "Rambla de Catalunya 1", City: "Barcelona", PostalCode: "08007", Country: "ES"}},
		Branding: documents.Branding{PaymentInstructions: "Transferencia a ES91 2100 0418 4502 0005 1332", IBAN: "ES9121000418450200051332", BIC: "CAIXESBBXXX"},
	}
}
