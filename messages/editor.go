package messages

// editorTexts holds the texts of the invoice editor and invoice page of the console.
var editorTexts = map[string][3]string{
	"editor.bill_to":              {"Bill-to account", "Cuenta de facturación", "Conta de faturamento"},
	"editor.bill_to_default":      {"The customer's bill-to account", "La cuenta de facturación del cliente", "A conta de faturamento do cliente"},
	"editor.cash_discount_date":   {"Cash discount date", "Fecha del descuento por pronto pago", "Data do desconto por pagamento antecipado"},
	"editor.cash_discount_pct":    {"Cash discount (%)", "Descuento por pronto pago (%)", "Desconto por pagamento antecipado (%)"},
	"editor.hold_until":           {"On hold until", "En espera hasta", "Em espera até"},
	"editor.language_default":     {"The customer's language", "El idioma del cliente", "O idioma do cliente"},
	"editor.document_group":       {"The document's group", "El grupo del documento", "O grupo do documento"},
	"editor.line_n":               {"Line %d", "Línea %d", "Linha %d"},
	"invoice.bill_to":             {"Bill-to account", "Cuenta de facturación", "Conta de faturamento"},
	"invoice.language":            {"Document language", "Idioma del documento", "Idioma do documento"},
	"invoice.hold_until":          {"On hold until", "En espera hasta", "Em espera até"},
	"invoice.cash_discount_terms": {"Cash discount", "Descuento por pronto pago", "Desconto por pagamento antecipado"},
}
