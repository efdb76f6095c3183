package documents

import (
	"strings"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/money"
)

// msg is a document's text in one language.
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
	Notes, CustomFields, Page, Of, Continued, Service     string
	Statuses                                              map[billing.Status]string
	Charges                                               map[billing.ChargeType]string
	Months                                                [12]string
}

var messages = map[string]*msg{
	"en": {
		Invoice: "Invoice", CreditNote: "Credit note", Draft: "DRAFT",
		Number: "Number", DocumentID: "Document ID", Status: "Status", InvoiceDate: "Invoice date", DueDate: "Due date",
		BillingPeriod: "Billing period", Currency: "Currency", ExchangeRate: "Exchange rate",
		BillTo: "Bill to", CustomerID: "Customer ID", BillingContract: "Billing contract number", SAPID: "SAP ID",
		SalesExec: "Sales account executive", TaxID: "Tax ID", Credits: "Credits invoice", ReasonLabel: "Reason",
		Provider:    "Provider",
		Description: "Description", ChargeType: "Charge type", Quantity: "Qty", Price: "Price", Discount: "Discount",
		Amount: "Amount", Tax: "Tax", TaxBreakdown: "Tax breakdown", Rate: "Rate", Base: "Taxable amount",
		Exemption: "Exemption reason",
		Net:       "Subtotal", Total: "Total", Paid: "Paid", BalanceDue: "Balance due", Payment: "Payment", Terms: "Payment terms",
		TermsDays: "%d days", Method: "Method of payment", CashDiscount: "Cash discount %s%% until %s",
		Instructions: "Payment instructions", Notes: "Notes", CustomFields: "Additional information",
		Page: "Page", Of: "of", Continued: "continued", Service: "Service",
		Statuses: map[billing.Status]string{billing.Draft: "Draft", billing.Submitted: "Submitted", billing.Approved: "Approved",
			billing.Open: "Open", billing.PastDue: "Past due", billing.Closed: "Closed", billing.Void: "Void"},
		Charges: map[billing.ChargeType]string{billing.Recurring: "Recurring", billing.Usage: "Usage",
			billing.OneTime: "One-time", billing.Time: "Time"},
		Months: [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
	},
	"es": {
		Invoice: "Factura", CreditNote: "Nota de crédito", Draft: "BORRADOR",
		Number: "Número", DocumentID: "ID del documento", Status: "Estado", InvoiceDate: "Fecha de factura",
		DueDate: "Fecha de vencimiento", BillingPeriod: "Período de facturación", Currency: "Moneda",
		ExchangeRate: "Tipo de cambio",
		BillTo:       "Facturar a", CustomerID: "ID de cliente", BillingContract: "Número de contrato de facturación",
		SAPID: "ID de SAP", SalesExec: "Ejecutivo de cuentas", TaxID: "NIF", Credits: "Abona la factura",
		ReasonLabel: "Motivo", Provider: "Proveedor",
		Description: "Descripción", ChargeType: "Tipo de cargo", Quantity: "Cant.", Price: "Precio", Discount: "Descuento",
		Amount: "Importe", Tax: "Impuesto", TaxBreakdown: "Desglose de impuestos", Rate: "Tipo", Base: "Base imponible",
		Exemption: "Motivo de exención",
		Net:       "Subtotal", Total: "Total", Paid: "Pagado", BalanceDue: "Saldo pendiente", Payment: "Pago",
		Terms: "Condiciones de pago", TermsDays: "%d días", Method: "Forma de pago",
		CashDiscount: "Descuento por pronto pago del %s%% hasta el %s",
		Instructions: "Instrucciones de pago", Notes: "Notas", CustomFields: "Información adicional",
		Page: "Página", Of: "de", Continued: "continuación", Service: "Servicio",
		Statuses: map[billing.Status]string{billing.Draft: "Borrador", billing.Submitted: "Enviada", billing.Approved: "Aprobada",
			billing.Open: "Abierta", billing.PastDue: "Vencida", billing.Closed: "Cerrada", billing.Void: "Anulada"},
		Charges: map[billing.ChargeType]string{billing.Recurring: "Recurrente", billing.Usage: "Uso",
			billing.OneTime: "Único", billing.Time: "Tiempo"},
		Months: [12]string{"ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"},
	},
	"pt-BR": {
		Invoice: "Fatura", CreditNote: "Nota de crédito", Draft: "RASCUNHO",
		Number: "Número", DocumentID: "ID do documento", Status: "Status", InvoiceDate: "Data da fatura",
		DueDate: "Data de vencimento", BillingPeriod: "Período de cobrança", Currency: "Moeda",
		ExchangeRate: "Taxa de câmbio",
		BillTo:       "Cobrar de", CustomerID: "ID do cliente", BillingContract: "Número do contrato de cobrança",
		SAPID: "ID SAP", SalesExec: "Executivo de contas", TaxID: "CNPJ/NIF", Credits: "Credita a fatura",
		ReasonLabel: "Motivo", Provider: "Provedor",
		Description: "Descrição", ChargeType: "Tipo de cobrança", Quantity: "Qtd.", Price: "Preço", Discount: "Desconto",
		Amount: "Valor", Tax: "Imposto", TaxBreakdown: "Discriminação de impostos", Rate: "Alíquota",
		Base: "Base de cálculo", Exemption: "Motivo da isenção",
		Net: "Subtotal", Total: "Total", Paid: "Pago", BalanceDue: "Saldo devedor", Payment: "Pagamento",
		Terms: "Condições de pagamento", TermsDays: "%d dias", Method: "Forma de pagamento",
		CashDiscount: "Desconto de %s%% para pagamento até %s",
		Instructions: "Instruções de pagamento", Notes: "Observações", CustomFields: "Informações adicionais",
		Page: "Página", Of: "de", Continued: "continuação", Service: "Serviço",
		Statuses: map[billing.Status]string{billing.Draft: "Rascunho", billing.Submitted: "Enviada", billing.Approved: "Aprovada",
			billing.Open: "Aberta", billing.PastDue: "Vencida", billing.Closed: "Fechada", billing.Void: "Anulada"},
		Charges: map[billing.ChargeType]string{billing.Recurring: "Recorrente", billing.Usage: "Uso",
			billing.OneTime: "Avulsa", billing.Time: "Tempo"},
		Months: [12]string{"jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez"},
	},
}

// messagesFor returns the texts of lang (en when unknown).
func messagesFor(lang string) *msg {
	if m, ok := messages[lang]; ok {
		return m
	}
	return messages["en"]
}

// FormatDate renders d in lang: "Mar 5, 2026" (en), "05/03/2026" (es, pt-BR).
// The zero date renders as "".
func FormatDate(d calendar.Date, lang string) string {
	if d.IsZero() {
		return ""
	}
	if lang == "en" || messages[lang] == nil {
		return messages["en"].Months[d.Month-1] + " " + itoa(d.Day) + ", " + itoa(d.Year)
	}
	return pad2(d.Day) + "/" + pad2(int(d.Month)) + "/" + itoa(d.Year)
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
func FormatPrice(d decimal.Decimal, cur money.Currency, lang string) string {
	return formatPlain(money.Price(d, cur.Code()), lang)
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

// FormatMoney renders an amount with its currency symbol in lang's format
// ("€1,234.56", "1234,56 €", "R$ 1.234,56").
func FormatMoney(d decimal.Decimal, cur money.Currency, lang string) string {
	return money.New(d, cur).Format(lang)
}

// FormatAmount renders an amount without symbol in lang's format, to the
// currency's minor unit.
func FormatAmount(d decimal.Decimal, cur money.Currency, lang string) string {
	return money.New(d, cur).FormatNumber(lang)
}

// Plain renders an amount as a plain decimal with the currency's number of
// decimals ("1234.50"), for CSV and UBL (money.Fixed).
func Plain(d decimal.Decimal, cur money.Currency) string {
	return money.Fixed(d, cur.Code())
}
