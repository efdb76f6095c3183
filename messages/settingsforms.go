package messages

// settingsTexts holds the texts of the settings forms of the console (approval, tax groups, custom fields).
var settingsTexts = map[string][3]string{
	// The approval workflow.
	"settings.approval": {"Approval workflow", "Flujo de aprobación", "Fluxo de aprovação"},
	"approval.on":       {"On", "Activado", "Ativado"},
	"approval.off":      {"Off", "Desactivado", "Desativado"},
	"approval.require": {"Drafts must be approved before they are issued", "Los borradores deben aprobarse antes de emitirse",
		"Os rascunhos devem ser aprovados antes de serem emitidos"},
	"approval.hint": {"When on, a draft is submitted for approval, and someone who may approve invoices approves it before it can be issued.",
		"Si está activado, un borrador se envía para aprobación y alguien que pueda aprobar facturas lo aprueba antes de que pueda emitirse.",
		"Quando ativado, um rascunho é enviado para aprovação, e alguém que possa aprovar faturas o aprova antes que possa ser emitido."},

	// Tax groups.
	"settings.tax_groups": {"Tax groups", "Grupos de impuestos", "Grupos de impostos"},
	"taxgroup.hint": {"A customer has a sales tax group and an item an item sales tax group: a line is taxed with the tax codes that are in both.",
		"Un cliente tiene un grupo de impuestos de venta y un artículo, un grupo de impuestos de artículo: una línea lleva los códigos de impuesto que están en ambos.",
		"Um cliente tem um grupo de impostos de venda e um item, um grupo de impostos do item: uma linha é tributada com os códigos de imposto presentes em ambos."},
	"taxgroup.kind.sales": {"Sales tax group", "Grupo de impuestos de venta", "Grupo de impostos de venda"},
	"taxgroup.kind.item":  {"Item sales tax group", "Grupo de impuestos de artículo", "Grupo de impostos do item"},
	"taxgroup.codes":      {"Tax codes", "Códigos de impuesto", "Códigos de imposto"},
	"taxgroup.add":        {"Add a tax group", "Añadir un grupo de impuestos", "Adicionar um grupo de impostos"},
	"taxgroup.edit":       {"Edit tax group %s", "Editar el grupo de impuestos %s", "Editar o grupo de impostos %s"},
	"taxgroup.no_codes":   {"Create a tax code first.", "Cree primero un código de impuesto.", "Crie primeiro um código de imposto."},

	// Custom field definitions.
	"settings.custom_fields": {"Custom fields", "Campos personalizados", "Campos personalizados"},
	"cf.hint": {"Invoices and customers can carry custom fields: a key and a value. Give a key a label in each language to show the label instead of the key; a language without a label shows another language's.",
		"Las facturas y los clientes pueden llevar campos personalizados: una clave y un valor. Dé a una clave una etiqueta en cada idioma para mostrar la etiqueta en lugar de la clave; un idioma sin etiqueta muestra la de otro idioma.",
		"Faturas e clientes podem ter campos personalizados: uma chave e um valor. Dê a uma chave um rótulo em cada idioma para mostrar o rótulo em vez da chave; um idioma sem rótulo mostra o de outro idioma."},
	"cf.key":                {"Key", "Clave", "Chave"},
	"cf.applies_to":         {"Applies to", "Se aplica a", "Aplica-se a"},
	"cf.kind.invoice":       {"Invoices", "Facturas", "Faturas"},
	"cf.kind.customer":      {"Customers", "Clientes", "Clientes"},
	"cf.label":              {"Label", "Etiqueta", "Rótulo"},
	"cf.label_in":           {"Label (%s)", "Etiqueta (%s)", "Rótulo (%s)"},
	"cf.on_documents":       {"Show on documents (PDF and print view)", "Mostrar en los documentos (PDF y vista de impresión)", "Mostrar nos documentos (PDF e visualização de impressão)"},
	"cf.on_documents_short": {"On documents", "En documentos", "Nos documentos"},
	"cf.position":           {"Order", "Orden", "Ordem"},
	"cf.add":                {"Add a custom field", "Añadir un campo personalizado", "Adicionar um campo personalizado"},
	"cf.edit":               {"Edit custom field %s", "Editar el campo personalizado %s", "Editar o campo personalizado %s"},
	"cf.delete":             {"Delete", "Eliminar", "Excluir"},
	"cf.delete_confirm": {"Delete this definition? The values stay and show under their key.",
		"¿Eliminar esta definición? Los valores se conservan y se muestran con su clave.",
		"Excluir esta definição? Os valores permanecem e aparecem com a sua chave."},
}
