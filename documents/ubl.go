package documents

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/tax"
)

// The Peppol BIS Billing 3.0 identifiers of an EN 16931 document.
const (
	UBLCustomizationID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
	UBLProfileID       = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
)

// UBL writes d as a UBL 2.1 Invoice (type 380) or CreditNote (type 381)
// following EN 16931 with the Peppol BIS Billing 3.0 identifiers: seller and
// buyer with tax IDs and addresses, the VAT breakdown per category and rate
// with exemption reasons, line discounts as allowances, payment means and
// terms, the billing period, the preceding invoice of a credit note, and the
// tax in the accounting currency when the document is in another.
//
// A line must carry at most one tax code (EN 16931 gives a line one VAT
// category); a line with none is "not subject to VAT" (O).
func UBL(w io.Writer, d *Doc) error {
	b := ublBuffers.Get().(*bytes.Buffer)
	defer ublBuffers.Put(b)
	b.Reset()
	if err := writeUBL(b, d); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}

var ublBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// UBLBytes is UBL into a byte slice.
func UBLBytes(d *Doc) ([]byte, error) {
	var b bytes.Buffer
	if err := writeUBL(&b, d); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// EInvoiceDecimals is the most decimals an EN 16931 e-invoice states an
// amount with (rules BR-DEC-01 to BR-DEC-28).
const EInvoiceDecimals = 2

// CheckEInvoiceCurrency returns why no EN 16931 e-invoice can be made of a
// document in currency code (a conflict naming the currency), or nil. A
// currency whose minor unit has more decimals than the standard allows
// (BHD, KWD, JOD, OMR, TND, IQD, LYD: 3) would be rounded away from the
// stored amounts, and its exact amounts break the BR-DEC rules.
func CheckEInvoiceCurrency(code string) error {
	cur, err := money.ParseCurrency(code)
	if err != nil {
		return fmt.Errorf("documents: %w", err)
	}
	if d := cur.Digits(); d > EInvoiceDecimals {
		return fail.Conflictf("no EN 16931 e-invoice can be made in %s: %s amounts have %d decimals, and EN 16931 allows at most %d (rules BR-DEC-01 to BR-DEC-28); send the PDF, or invoice in another currency",
			cur.Code(), cur.Code(), d, EInvoiceDecimals)
	}
	return nil
}

// vatGroup is one line of the EN 16931 VAT breakdown: a category and rate.
type vatGroup struct {
	cat        tax.Category
	rate       decimal.Decimal `money:"-"` // a percentage
	base, tax  money.Amount
	reason     string
	reasonCode string
}

// xw writes XML into a buffer.
type xw struct{ b *bytes.Buffer }

func (x xw) open(tag string)  { x.b.WriteByte('<'); x.b.WriteString(tag); x.b.WriteByte('>') }
func (x xw) close(tag string) { x.b.WriteString("</"); x.b.WriteString(tag); x.b.WriteByte('>') }

// el writes <tag>text</tag>; nothing when text is empty.
func (x xw) el(tag, text string) {
	if text == "" {
		return
	}
	x.open(tag)
	x.escape(text)
	x.close(tag)
}

// escape writes s as XML character data. Characters XML 1.0 does not allow
// (C0 controls other than tab, line feed and carriage return) are dropped.
func (x xw) escape(s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var rep string
		switch c := s[i]; c {
		case '&':
			rep = "&amp;"
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		case '"':
			rep = "&quot;"
		case '\'':
			rep = "&apos;"
		case '\r':
			rep = "&#xD;"
		case '\t', '\n':
			continue
		default:
			if c >= 0x20 {
				continue
			}
		}
		x.b.WriteString(s[last:i])
		x.b.WriteString(rep)
		last = i + 1
	}
	x.b.WriteString(s[last:])
}

// attr writes <tag name="value">text</tag>.
func (x xw) attr(tag, name, value, text string) {
	x.b.WriteByte('<')
	x.b.WriteString(tag)
	x.b.WriteByte(' ')
	x.b.WriteString(name)
	x.b.WriteString(`="`)
	x.escape(value)
	x.b.WriteString(`">`)
	x.escape(text)
	x.close(tag)
}

func (x xw) amount(tag string, a money.Amount) {
	x.attr(tag, "currencyID", a.Currency().Code(), a.Fixed())
}

func (x xw) date(tag string, d calendar.Date) {
	if !d.IsZero() {
		x.el(tag, d.String())
	}
}

func writeUBL(b *bytes.Buffer, d *Doc) error {
	inv := &d.Invoice
	b.Grow(6000 + 1500*len(inv.Lines) + 400*len(inv.Charges))
	cur, err := money.ParseCurrency(inv.Currency)
	if err != nil {
		return fmt.Errorf("documents: %w", err)
	}
	if err := CheckEInvoiceCurrency(inv.Currency); err != nil {
		return err
	}
	credit := inv.Kind == billing.KindCreditNote
	root, typeTag, lineTag, qtyTag := "Invoice", "cbc:InvoiceTypeCode", "cac:InvoiceLine", "cbc:InvoicedQuantity"
	if credit {
		root, typeTag, lineTag, qtyTag = "CreditNote", "cbc:CreditNoteTypeCode", "cac:CreditNoteLine", "cbc:CreditedQuantity"
	}

	// Each line's VAT category and rate, from its one tax code.
	codes := map[string]billing.TaxLine{}
	for _, t := range inv.Taxes {
		codes[t.Code] = t
	}
	lineCat := make([]vatGroup, len(inv.Lines))
	for i, l := range inv.Lines {
		switch len(l.TaxCodes) {
		case 0:
			lineCat[i] = vatGroup{cat: tax.OutOfScope, reason: "Not subject to VAT"}
		case 1:
			t, ok := codes[l.TaxCodes[0]]
			if !ok {
				return fail.Conflictf("line %d: tax code %s is missing from the document's tax breakdown", l.Position, l.TaxCodes[0])
			}
			lineCat[i] = vatGroup{cat: t.Category, rate: t.Rate, reason: t.ExemptionReason, reasonCode: t.ExemptionReasonCode}
		default:
			return fail.Conflictf("line %d carries %d tax codes (%s): an EN 16931 e-invoice allows one VAT category per line",
				l.Position, len(l.TaxCodes), strings.Join(l.TaxCodes, ", "))
		}
	}
	// The breakdown per category and rate, from the stored tax per code;
	// lines without tax code add to O.
	var groups []vatGroup
	group := func(cat tax.Category, rate decimal.Decimal) *vatGroup {
		for i := range groups {
			if groups[i].cat == cat && groups[i].rate.Equal(rate) {
				return &groups[i]
			}
		}
		groups = append(groups, vatGroup{cat: cat, rate: rate, base: money.Zero(cur), tax: money.Zero(cur)})
		return &groups[len(groups)-1]
	}
	for _, t := range inv.Taxes {
		g := group(t.Category, t.Rate)
		g.base, g.tax = g.base.MustAdd(money.New(t.Base.Decimal(), cur)), g.tax.MustAdd(money.New(t.Amount.Decimal(), cur))
		if g.reason == "" {
			g.reason = t.ExemptionReason
		}
		if g.reasonCode == "" {
			g.reasonCode = t.ExemptionReasonCode
		}
	}
	for i, l := range inv.Lines {
		if len(l.TaxCodes) == 0 {
			g := group(tax.OutOfScope, decimal.Zero)
			g.base = g.base.MustAdd(money.New(l.Amount.Decimal(), cur))
			g.reason = lineCat[i].reason
		}
	}
	// Header charges (BG-21): each one VAT category as a line; untaxed
	// ones add to O.
	chargeCat := make([]vatGroup, len(inv.Charges))
	for j, ch := range inv.Charges {
		switch len(ch.TaxCodes) {
		case 0:
			chargeCat[j] = vatGroup{cat: tax.OutOfScope, reason: "Not subject to VAT"}
			g := group(tax.OutOfScope, decimal.Zero)
			g.base = g.base.MustAdd(money.New(ch.Amount.Decimal(), cur))
			if g.reason == "" {
				g.reason = chargeCat[j].reason
			}
		case 1:
			t, ok := codes[ch.TaxCodes[0]]
			if !ok {
				return fail.Conflictf("charge %d: tax code %s is missing from the document's tax breakdown", ch.Position, ch.TaxCodes[0])
			}
			chargeCat[j] = vatGroup{cat: t.Category, rate: t.Rate}
		default:
			return fail.Conflictf("charge %d carries %d tax codes (%s): an EN 16931 e-invoice allows one VAT category per charge",
				ch.Position, len(ch.TaxCodes), strings.Join(ch.TaxCodes, ", "))
		}
	}
	hasCat := func(c tax.Category) bool {
		return slices.ContainsFunc(groups, func(g vatGroup) bool { return g.cat == c })
	}
	outOfScope := hasCat(tax.OutOfScope)

	x := xw{b}
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	fmt.Fprintf(b, `<%s xmlns="urn:oasis:names:specification:ubl:schema:xsd:%s-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">`, root, root)
	x.el("cbc:CustomizationID", UBLCustomizationID)
	x.el("cbc:ProfileID", UBLProfileID)
	x.el("cbc:ID", Number(*inv))
	x.date("cbc:IssueDate", inv.InvoiceDate)
	if !credit {
		x.date("cbc:DueDate", inv.DueDate)
	}
	if credit {
		x.el(typeTag, "381")
	} else {
		x.el(typeTag, "380")
	}
	x.el("cbc:Note", strings.TrimSpace(inv.Notes))
	x.el("cbc:DocumentCurrencyCode", inv.Currency)
	taxCur, taxRate := taxCurrency(d)
	if !taxCur.IsZero() {
		x.el("cbc:TaxCurrencyCode", taxCur.Code())
	}
	x.el("cbc:BuyerReference", firstNonEmpty(inv.BillTo.BillingContractNumber, inv.BillTo.CustomerNumber))
	if !inv.PeriodStart.IsZero() || !inv.PeriodEnd.IsZero() {
		x.open("cac:InvoicePeriod")
		x.date("cbc:StartDate", inv.PeriodStart)
		x.date("cbc:EndDate", inv.PeriodEnd)
		x.close("cac:InvoicePeriod")
	}
	if credit && d.Preceding != nil && d.Preceding.Number != "" {
		x.open("cac:BillingReference")
		x.open("cac:InvoiceDocumentReference")
		x.el("cbc:ID", d.Preceding.Number)
		x.date("cbc:IssueDate", d.Preceding.Date)
		x.close("cac:InvoiceDocumentReference")
		x.close("cac:BillingReference")
	}
	if inv.BillTo.BillingContractNumber != "" {
		x.open("cac:ContractDocumentReference")
		x.el("cbc:ID", inv.BillTo.BillingContractNumber)
		x.close("cac:ContractDocumentReference")
	}

	// Seller.
	t := d.Tenant
	x.open("cac:AccountingSupplierParty")
	writeParty(x, partyInfo{name: t.Name, legalName: t.LegalName, address: t.Address, taxID: t.TaxID, email: d.Branding.Email,
		phone: d.Branding.Phone}, outOfScope)
	x.close("cac:AccountingSupplierParty")
	// Buyer.
	bt := inv.BillTo
	x.open("cac:AccountingCustomerParty")
	writeParty(x, partyInfo{id: bt.CustomerNumber, name: bt.Name, legalName: bt.LegalName, address: bt.Address, taxID: bt.TaxID,
		email: bt.Email}, outOfScope)
	x.close("cac:AccountingCustomerParty")
	// Intra-community supply needs the deliver-to country (BR-IC-12) and
	// a delivery date or billing period (BR-IC-11): without a period, the
	// invoice date is the actual delivery date.
	if hasCat(tax.IntraCommunity) {
		x.open("cac:Delivery")
		if inv.PeriodStart.IsZero() && inv.PeriodEnd.IsZero() {
			x.date("cbc:ActualDeliveryDate", inv.InvoiceDate)
		}
		if bt.Address.Country != "" {
			x.open("cac:DeliveryLocation")
			x.open("cac:Address")
			x.open("cac:Country")
			x.el("cbc:IdentificationCode", bt.Address.Country)
			x.close("cac:Country")
			x.close("cac:Address")
			x.close("cac:DeliveryLocation")
		}
		x.close("cac:Delivery")
	}

	// Payment means and terms.
	x.open("cac:PaymentMeans")
	if d.Branding.IBAN != "" {
		x.attr("cbc:PaymentMeansCode", "name", "Credit transfer", "30")
	} else {
		x.el("cbc:PaymentMeansCode", "1")
	}
	if credit {
		x.date("cbc:PaymentDueDate", inv.DueDate)
	}
	x.el("cbc:PaymentID", Number(*inv))
	if d.Branding.IBAN != "" {
		x.open("cac:PayeeFinancialAccount")
		x.el("cbc:ID", d.Branding.IBAN)
		x.el("cbc:Name", t.LegalName)
		if d.Branding.BIC != "" {
			x.open("cac:FinancialInstitutionBranch")
			x.el("cbc:ID", d.Branding.BIC)
			x.close("cac:FinancialInstitutionBranch")
		}
		x.close("cac:PayeeFinancialAccount")
	}
	x.close("cac:PaymentMeans")
	if terms := paymentTerms(d); terms != "" {
		x.open("cac:PaymentTerms")
		x.el("cbc:Note", terms)
		x.close("cac:PaymentTerms")
	}

	// Document-level charges (BG-21), each with its VAT category (BT-102, BT-103).
	for j, ch := range inv.Charges {
		x.open("cac:AllowanceCharge")
		x.el("cbc:ChargeIndicator", "true")
		x.el("cbc:AllowanceChargeReason", firstNonEmpty(ch.Description, ch.Code))
		x.amount("cbc:Amount", money.New(ch.Amount.Decimal(), cur))
		writeTaxCategory(x, "cac:TaxCategory", chargeCat[j], false)
		x.close("cac:AllowanceCharge")
	}

	// VAT breakdown.
	x.open("cac:TaxTotal")
	x.amount("cbc:TaxAmount", inv.Tax)
	for _, g := range groups {
		x.open("cac:TaxSubtotal")
		x.amount("cbc:TaxableAmount", g.base)
		x.amount("cbc:TaxAmount", g.tax)
		writeTaxCategory(x, "cac:TaxCategory", g, true)
		x.close("cac:TaxSubtotal")
	}
	x.close("cac:TaxTotal")
	if !taxCur.IsZero() {
		x.open("cac:TaxTotal")
		x.amount("cbc:TaxAmount", money.New(taxCur.Round(inv.Tax.Decimal().Mul(taxRate)), taxCur))
		x.close("cac:TaxTotal")
	}

	// Totals.
	x.open("cac:LegalMonetaryTotal")
	// The sum of the lines (BT-106) is the net less the charges, which
	// have their own total (BT-108).
	x.amount("cbc:LineExtensionAmount", inv.LineTotal())
	x.amount("cbc:TaxExclusiveAmount", inv.Net)
	x.amount("cbc:TaxInclusiveAmount", inv.Total)
	if len(inv.Charges) > 0 {
		x.amount("cbc:ChargeTotalAmount", inv.ChargeTotal())
	}
	x.amount("cbc:PayableAmount", inv.Total)
	x.close("cac:LegalMonetaryTotal")

	// Lines.
	for i, l := range inv.Lines {
		x.open(lineTag)
		x.el("cbc:ID", itoa(l.Position))
		qty, price := decimal.NewFromInt(1), money.UnitPrice{Amount: l.Amount}
		if !l.AmountOnly() && l.Quantity != nil && l.UnitPrice != nil {
			qty, price = *l.Quantity, *l.UnitPrice
		}
		// EN 16931 prices are not negative (BR-27): a negative price
		// moves its sign to the quantity.
		if price.Sign() < 0 {
			price, qty = money.UnitPrice{Amount: price.Neg()}, qty.Neg()
		}
		x.attr(qtyTag, "unitCode", unitCode(l.Unit), qty.String())
		x.amount("cbc:LineExtensionAmount", l.Amount)
		x.el("cbc:AccountingCost", l.Account)
		if !l.ServiceStart.IsZero() || !l.ServiceEnd.IsZero() {
			x.open("cac:InvoicePeriod")
			x.date("cbc:StartDate", l.ServiceStart)
			x.date("cbc:EndDate", l.ServiceEnd)
			x.close("cac:InvoicePeriod")
		}
		if l.Discount.Sign() > 0 {
			x.open("cac:AllowanceCharge")
			x.el("cbc:ChargeIndicator", "false")
			x.el("cbc:AllowanceChargeReasonCode", "95")
			x.el("cbc:AllowanceChargeReason", "Discount")
			x.amount("cbc:Amount", l.Discount)
			x.close("cac:AllowanceCharge")
		}
		x.open("cac:Item")
		x.el("cbc:Description", l.Description)
		x.el("cbc:Name", itemName(l.Description))
		if l.ProductID != "" {
			x.open("cac:SellersItemIdentification")
			x.el("cbc:ID", l.ProductID)
			x.close("cac:SellersItemIdentification")
		}
		writeTaxCategory(x, "cac:ClassifiedTaxCategory", lineCat[i], false)
		if l.ChargeType != "" {
			x.open("cac:AdditionalItemProperty")
			x.el("cbc:Name", "Charge type")
			x.el("cbc:Value", string(l.ChargeType))
			x.close("cac:AdditionalItemProperty")
		}
		x.close("cac:Item")
		x.open("cac:Price")
		x.attr("cbc:PriceAmount", "currencyID", cur.Code(), price.String())
		x.close("cac:Price")
		x.close(lineTag)
	}
	b.WriteString("</" + root + ">\n")
	return nil
}

// taxCurrency returns the accounting currency and rate when the document is
// in another currency with a known rate (BT-6), else the zero Currency.
func taxCurrency(d *Doc) (money.Currency, decimal.Decimal) {
	inv := &d.Invoice
	if d.Tenant.Currency == "" || d.Tenant.Currency == inv.Currency || !inv.ExchangeRate.IsPositive() {
		return money.Currency{}, decimal.Zero
	}
	c, err := money.ParseCurrency(d.Tenant.Currency)
	if err != nil {
		return money.Currency{}, decimal.Zero
	}
	return c, inv.ExchangeRate
}

type partyInfo struct {
	id, name, legalName string
	address             billing.Address
	taxID, email, phone string
}

// writeParty writes a cac:Party. A tax ID that starts with its country's
// two-letter prefix is the VAT identifier (BT-31, BT-48); any other is a
// legal registration identifier only. On out-of-scope documents no VAT
// identifier is given (BR-O-02).
func writeParty(x xw, p partyInfo, outOfScope bool) {
	x.open("cac:Party")
	if p.email != "" {
		x.attr("cbc:EndpointID", "schemeID", "EM", p.email)
	}
	if p.id != "" {
		x.open("cac:PartyIdentification")
		x.el("cbc:ID", p.id)
		x.close("cac:PartyIdentification")
	}
	if p.name != "" {
		x.open("cac:PartyName")
		x.el("cbc:Name", p.name)
		x.close("cac:PartyName")
	}
	a := p.address
	x.open("cac:PostalAddress")
	x.el("cbc:StreetName", a.Line1)
	x.el("cbc:AdditionalStreetName", a.Line2)
	x.el("cbc:CityName", a.City)
	x.el("cbc:PostalZone", a.PostalCode)
	x.el("cbc:CountrySubentity", a.Region)
	x.open("cac:Country")
	x.el("cbc:IdentificationCode", a.Country)
	x.close("cac:Country")
	x.close("cac:PostalAddress")
	taxID := strings.ReplaceAll(p.taxID, " ", "")
	if isVATNumber(taxID) && !outOfScope {
		x.open("cac:PartyTaxScheme")
		x.el("cbc:CompanyID", taxID)
		x.open("cac:TaxScheme")
		x.el("cbc:ID", "VAT")
		x.close("cac:TaxScheme")
		x.close("cac:PartyTaxScheme")
	}
	x.open("cac:PartyLegalEntity")
	x.el("cbc:RegistrationName", firstNonEmpty(p.legalName, p.name))
	x.el("cbc:CompanyID", p.taxID)
	x.close("cac:PartyLegalEntity")
	if p.phone != "" || p.email != "" {
		x.open("cac:Contact")
		x.el("cbc:Telephone", p.phone)
		x.el("cbc:ElectronicMail", p.email)
		x.close("cac:Contact")
	}
	x.close("cac:Party")
}

// isVATNumber reports whether s looks like an EU-style VAT identifier: a
// two-letter prefix (ISO 3166-1, or EL for Greece) and 2 to 13 letters or digits.
func isVATNumber(s string) bool {
	if len(s) < 4 || len(s) > 15 {
		return false
	}
	if !(isUpper(s[0]) && isUpper(s[1])) || !(billing.ValidCountry(s[:2]) || s[:2] == "EL") {
		return false
	}
	for i := 2; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || isUpper(c)) {
			return false
		}
	}
	return true
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

// writeTaxCategory writes a VAT category: its code, its rate (never for O)
// and, in the breakdown, the exemption reason of the categories that need one.
func writeTaxCategory(x xw, tag string, g vatGroup, breakdown bool) {
	x.open(tag)
	x.el("cbc:ID", string(g.cat))
	if g.cat != tax.OutOfScope {
		x.el("cbc:Percent", g.rate.String())
	}
	if breakdown && g.cat.NeedsExemptionReason() {
		x.el("cbc:TaxExemptionReasonCode", g.reasonCode)
		reason := g.reason
		if reason == "" && g.reasonCode == "" {
			reason = "Exempt"
		}
		x.el("cbc:TaxExemptionReason", reason)
	}
	x.open("cac:TaxScheme")
	x.el("cbc:ID", "VAT")
	x.close("cac:TaxScheme")
	x.close(tag)
}

// paymentTerms describes the terms in words (BT-20).
func paymentTerms(d *Doc) string {
	inv := &d.Invoice
	var parts []string
	if inv.PaymentTermsDays > 0 {
		parts = append(parts, fmt.Sprintf("Net %d days", inv.PaymentTermsDays))
	}
	if !inv.DueDate.IsZero() {
		parts = append(parts, "due "+inv.DueDate.String())
	}
	if inv.CashDiscountPct.IsPositive() && !inv.CashDiscountDate.IsZero() {
		cur := money.MustCurrency(inv.Currency)
		parts = append(parts, fmt.Sprintf("%s%% cash discount of %s %s if paid by %s", inv.CashDiscountPct, inv.CashDiscount.Fixed(), cur.Code(), inv.CashDiscountDate))
	}
	if inv.MethodOfPayment != "" {
		parts = append(parts, "method: "+inv.MethodOfPayment)
	}
	for _, in := range inv.PaymentSchedule {
		parts = append(parts, fmt.Sprintf("%s %s on %s", in.Amount, inv.Currency, in.DueDate))
	}
	return strings.Join(parts, "; ")
}

// unitCode maps a line's unit to UN/ECE Recommendation 20 (C62, "one",
// when unknown).
func unitCode(unit string) string {
	switch strings.ToLower(strings.TrimSpace(strings.TrimSuffix(unit, "s"))) {
	case "h", "hr", "hour", "hora", "hore":
		return "HUR"
	case "min", "minute", "minuto":
		return "MIN"
	case "day", "día", "dia", "d":
		return "DAY"
	case "month", "mes", "mê", "mo":
		return "MON"
	case "year", "año", "ano", "yr":
		return "ANN"
	case "gb":
		return "E34"
	case "tb":
		return "E35"
	case "mb":
		return "4L"
	case "kwh":
		return "KWH"
	case "kg":
		return "KGM"
	}
	return "C62"
}

// itemName is the item name (BT-153): the description's first line.
func itemName(desc string) string {
	name, _, _ := strings.Cut(desc, "\n")
	name = strings.TrimSpace(name)
	if r := []rune(name); len(r) > 200 {
		name = string(r[:200])
	}
	return name
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}
