package messages

// documentTexts holds the texts only the documents print (package
// documents: PDF and print view). A document's labels that the console
// shows too (invoice date, due date, status, charge types…) are in console,
// so both read alike. The months' short names and the date written with
// one (Date) serve the emails' dates too.
var documentTexts = map[string][3]string{
	"doc.number":               {"Number", "Número", "Número"},
	"doc.bill_to":              {"Bill to", "Facturar a", "Cobrar de"},
	"doc.credits":              {"Credits invoice", "Abona la factura", "Credita a fatura"},
	"doc.reason":               {"Reason", "Motivo", "Motivo"},
	"doc.quantity":             {"Qty", "Cant.", "Qtd."},
	"doc.price":                {"Price", "Precio", "Preço"},
	"doc.discount":             {"Discount", "Descuento", "Desconto"},
	"doc.tax_breakdown":        {"Tax breakdown", "Desglose de impuestos", "Discriminação de impostos"},
	"doc.tax_rate":             {"Rate", "Tipo", "Alíquota"},
	"doc.taxable_amount":       {"Taxable amount", "Base imponible", "Base de cálculo"},
	"doc.subtotal":             {"Subtotal", "Subtotal", "Subtotal"},
	"doc.balance_due":          {"Balance due", "Saldo pendiente", "Saldo devedor"},
	"doc.payment":              {"Payment", "Pago", "Pagamento"},
	"doc.payment_terms":        {"Payment terms", "Condiciones de pago", "Condições de pagamento"},
	"doc.terms_days":           {"%d days", "%d días", "%d dias"},
	"doc.cash_discount":        {"Cash discount %s%% (%s) if paid by %s", "Descuento por pronto pago del %s%% (%s) si se paga hasta el %s", "Desconto de %s%% (%s) para pagamento até %s"},
	"doc.payment_instructions": {"Payment instructions", "Instrucciones de pago", "Instruções de pagamento"},
	"doc.additional_info":      {"Additional information", "Información adicional", "Informações adicionais"},
	"doc.page_of":              {"Page %d of %d", "Página %d de %d", "Página %d de %d"},
	"doc.continued":            {"continued", "continuación", "continuação"},
	"doc.service":              {"Service", "Servicio", "Serviço"},

	"month.jan": {"Jan", "ene", "jan"},
	"month.feb": {"Feb", "feb", "fev"},
	"month.mar": {"Mar", "mar", "mar"},
	"month.apr": {"Apr", "abr", "abr"},
	"month.may": {"May", "may", "mai"},
	"month.jun": {"Jun", "jun", "jun"},
	"month.jul": {"Jul", "jul", "jul"},
	"month.aug": {"Aug", "ago", "ago"},
	"month.sep": {"Sep", "sept", "set"},
	"month.oct": {"Oct", "oct", "out"},
	"month.nov": {"Nov", "nov", "nov"},
	"month.dec": {"Dec", "dic", "dez"},

	// Day, month's short name, year: Date.
	"date.medium": {"%d %s %d", "%d %s %d", "%d de %s. de %d"},
}
