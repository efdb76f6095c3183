package messages

// chargeTexts holds the texts of an invoice's header charges (seed 004:
// freight, a handling fee): the editor's charges section, the invoice
// page and the documents' totals.
var chargeTexts = map[string][3]string{
	"charges.title": {"Charges", "Cargos", "Encargos"},
	"charges.hint": {"Charges on the whole invoice, such as freight or a handling fee: each is taxed like a line and posted to its own ledger account. Leave a row blank to skip it.",
		"Cargos sobre toda la factura, como portes o gastos de gestión: cada uno lleva impuestos como una línea y se contabiliza en su propia cuenta contable. Deje una fila en blanco para omitirla.",
		"Encargos sobre a fatura inteira, como frete ou taxa de manuseio: cada um é tributado como uma linha e lançado em sua própria conta contábil. Deixe uma linha em branco para ignorá-la."},
	"charges.code":        {"Code", "Código", "Código"},
	"charges.description": {"Description", "Descripción", "Descrição"},
	"charges.account":     {"Ledger account", "Cuenta contable", "Conta contábil"},
	"charges.amount":      {"Amount (net)", "Importe (neto)", "Valor (líquido)"},
	"charges.total":       {"Total charges", "Total de cargos", "Total de encargos"},
	"doc.lines_total":     {"Lines total", "Total de líneas", "Total das linhas"},
}
