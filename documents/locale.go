package documents

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/messages"
	"github.com/facturo/facturo/money"
)

// msg is a document's text in one language, read from the one catalog
// (package messages) so a document labels a field, a status or a charge
// type as the console and the emails do.
type msg struct {
	Invoice, CreditNote, Draft                            string
	Number, DocumentID, Status, InvoiceDate, DueDate      string
	BillingPeriod, Currency, ExchangeRate                 string
	BillTo, CustomerID, BillingContract, SAPID, SalesExec string
	TaxID, Credits, ReasonLabel, Provider                 string
	Description, ChargeType, Quantity, Price, Discount    string
	Amount, Tax, TaxBreakdown, Rate, Base, Exemption      string
	Net, Total, Paid, BalanceDue, Payment, Terms          string
	TermsDays, Method, CashDiscount, Instructions         string
	Notes, CustomFields, PageOf, Continued, Service       string
	LinesTotal                                            string
	Statuses                                              map[billing.Status]string
	Charges                                               map[billing.ChargeType]string
}

// newMsg reads lang's texts from the catalog.
func newMsg(lang string) *msg {
	t := func(key string) string { return messages.Text(lang, key) }
	m := &msg{
		Invoice: t("invoice.title"), CreditNote: t("kind.credit_note"), Draft: strings.ToUpper(messages.Status(lang, billing.Draft)),
		Number: t("doc.number"), DocumentID: t("invoice.document_number"), Status: t("status"), InvoiceDate: t("invoice.date"),
		DueDate: t("invoice.due_date"), BillingPeriod: t("col.period"), Currency: t("currency"), ExchangeRate: t("exchange_rate"),
		BillTo: t("doc.bill_to"), CustomerID: t("customer.id"), BillingContract: t("customer.contract"), SAPID: t("customer.sap"),
		SalesExec: t("customer.exec"), TaxID: t("billing.tax_id"), Credits: t("doc.credits"), ReasonLabel: t("doc.reason"),
		Provider: t("provider"), Description: t("line.description"), ChargeType: t("line.charge_type"), Quantity: t("doc.quantity"),
		Price: t("doc.price"), Discount: t("doc.discount"), Amount: t("line.amount"), Tax: t("tax"), TaxBreakdown: t("doc.tax_breakdown"),
		Rate: t("doc.tax_rate"), Base: t("doc.taxable_amount"), Exemption: t("tax.exemption_reason"), Net: t("doc.subtotal"),
		Total: t("total"), Paid: t("paid"), BalanceDue: t("doc.balance_due"), Payment: t("doc.payment"), Terms: t("doc.payment_terms"),
		TermsDays: t("doc.terms_days"), Method: t("invoice.method"), CashDiscount: t("doc.cash_discount"),
		Instructions: t("doc.payment_instructions"), Notes: t("notes"), CustomFields: t("doc.additional_info"),
		PageOf: t("doc.page_of"), Continued: t("doc.continued"), Service: t("doc.service"), LinesTotal: t("doc.lines_total"),
		Statuses: map[billing.Status]string{}, Charges: map[billing.ChargeType]string{},
	}
	for _, s := range billing.Statuses {
		m.Statuses[s] = messages.Status(lang, s)
	}
	for _, c := range billing.ChargeTypes {
		m.Charges[c] = messages.Charge(lang, c)
	}
	return m
}

// texts holds each language's texts, read once.
var texts = func() map[string]*msg {
	out := map[string]*msg{}
	for _, l := range messages.Languages {
		out[l] = newMsg(l)
	}
	return out
}()

// messagesFor returns the texts of lang (en when unknown).
// cashDiscountTerm is the payment-terms line of an invoice's cash discount
// in lang (percent, amount and date: seed 004), or "" when it grants none.
func cashDiscountTerm(inv *billing.Invoice, m *msg, cur money.Currency, lang string) string {
	if !inv.CashDiscountPct.IsPositive() || inv.CashDiscountDate.IsZero() {
		return ""
	}
	return fmt.Sprintf(m.CashDiscount, FormatDecimal(inv.CashDiscountPct, lang), inv.CashDiscount.Format(lang), FormatDate(inv.CashDiscountDate, lang))
}

func messagesFor(lang string) *msg {
	if m, ok := texts[lang]; ok {
		return m
	}
	return texts["en"]
}

// FormatDate renders d in lang: "Mar 5, 2026" (en), "05/03/2026" (es, pt-BR).
// The zero date renders as "".
func FormatDate(d calendar.Date, lang string) string {
	if d.IsZero() {
		return ""
	}
	if lang == "en" || texts[lang] == nil {
		return messages.Month("en", d.Month) + " " + itoa(d.Day) + ", " + itoa(d.Year)
	}
	return pad2(d.Day) + "/" + pad2(int(d.Month)) + "/" + itoa(d.Year)
}

// isoDate matches a date written the ISO way (2026-11-30), as the service
// writes periods into generated line descriptions.
var isoDate = regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}\b`)

// LocalizeDates rewrites the ISO dates in s in lang's date format
// (FormatDate), so that a document shows every date one way. Text that is
// not a valid date is left alone.
func LocalizeDates(s, lang string) string {
	if !strings.Contains(s, "-") {
		return s
	}
	return isoDate.ReplaceAllStringFunc(s, func(m string) string {
		d, err := calendar.Parse(m)
		if err != nil {
			return m
		}
		return FormatDate(d, lang)
	})
}

// FormatPeriod renders a billing period "start – end" in lang.
func FormatPeriod(start, end calendar.Date, lang string) string {
	switch {
	case start.IsZero() && end.IsZero():
		return ""
	case end.IsZero():
		return FormatDate(start, lang)
	case start.IsZero():
		return FormatDate(end, lang)
	}
	return FormatDate(start, lang) + " – " + FormatDate(end, lang)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

func pad2(n int) string {
	if n < 10 {
		return "0" + itoa(n)
	}
	return itoa(n)
}

// separators returns the decimal and grouping separators of lang and the
// minimum number of integer digits before grouping applies (CLDR: Spanish
// does not group four-digit numbers).
func separators(lang string) (dec, group string, minGroup int) {
	switch lang {
	case "es":
		return ",", ".", 5
	case "pt-BR":
		return ",", ".", 4
	}
	return ".", ",", 4
}

// FormatDecimal renders d in lang with its own number of decimals
// (quantities, rates): "1,234.5" (en), "1234,5" (es), "1.234,5" (pt-BR).
func FormatDecimal(d decimal.Decimal, lang string) string {
	return formatPlain(d.String(), lang)
}

// FormatPrice renders a unit price in lang's format with at least the
// currency's digits, more where the price has them (money.Price): 11.7 EUR
// is "11,70" in Spanish, 0.0125 stays "0,0125".
func FormatPrice(p money.UnitPrice, lang string) string {
	return formatPlain(p.String(), lang)
}

// formatPlain localizes a plain decimal string s.
func formatPlain(s, lang string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	dec, group, minGroup := separators(lang)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	if len(intPart) >= minGroup {
		first := len(intPart) % 3
		if first == 0 {
			first = 3
		}
		b.WriteString(intPart[:first])
		for i := first; i < len(intPart); i += 3 {
			b.WriteString(group)
			b.WriteString(intPart[i : i+3])
		}
	} else {
		b.WriteString(intPart)
	}
	if frac != "" {
		b.WriteString(dec)
		b.WriteString(frac)
	}
	return b.String()
}

// totalRow is one row of a document's totals area.
type totalRow struct {
	Label string
	Value money.Amount
	Grand bool
}

// totalRows are the rows of a document's totals area: with header charges,
// the lines' total and each charge on its own row before the net; then net,
// tax, total and, once anything is paid, paid and balance. The print view
// and the PDF show the same rows.
func totalRows(inv *billing.Invoice, m *msg) []totalRow {
	var rows []totalRow
	if len(inv.Charges) > 0 {
		rows = append(rows, totalRow{Label: m.LinesTotal, Value: inv.LineTotal()})
		for _, ch := range inv.Charges {
			rows = append(rows, totalRow{Label: firstNonEmpty(ch.Description, ch.Code), Value: money.New(ch.Amount.Decimal(), inv.Cur())})
		}
	}
	rows = append(rows, totalRow{Label: m.Net, Value: inv.Net}, totalRow{Label: m.Tax, Value: inv.Tax},
		totalRow{Label: m.Total + " " + inv.Currency, Value: inv.Total, Grand: true})
	if !inv.Paid.IsZero() {
		rows = append(rows, totalRow{Label: m.Paid, Value: inv.Paid.Neg()}, totalRow{Label: m.BalanceDue, Value: inv.Balance, Grand: true})
	}
	return rows
}
