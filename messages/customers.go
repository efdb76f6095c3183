package messages

// customerTexts holds the texts of the customer forms of the console.
var customerTexts = map[string][3]string{
	"customer.new":                  {"New customer", "Nuevo cliente", "Novo cliente"},
	"customer.create":               {"Create customer", "Crear cliente", "Criar cliente"},
	"customer.number_hint":          {"Leave it empty to take the next number of the series.", "Déjelo vacío para tomar el siguiente número de la serie.", "Deixe em branco para usar o próximo número da série."},
	"customer.invoice_account":      {"Invoice account (bill to)", "Cuenta de facturación", "Conta de faturamento"},
	"customer.invoice_account_self": {"The customer itself", "El propio cliente", "O próprio cliente"},
	"customer.tax_group_none":       {"None", "Ninguno", "Nenhum"},
	"customer.posting_profile":      {"Posting profile", "Perfil de contabilización", "Perfil de lançamento"},
	"customer.posting_default":      {"Default", "Predeterminado", "Padrão"},
	"flash.customer_created":        {"Customer created.", "Cliente creado.", "Cliente criado."},
}
