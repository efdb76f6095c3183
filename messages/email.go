package messages

// emailTexts holds the emails to customers (package email): for each kind of
// message (email.InvoicePublished…), its subject and its body as text/template
// source over the fields documented on email.Message; the {{status}} function
// prints an invoice status with its status.* label.
var emailTexts = map[string][3]string{
	"email.subject.invoice.published": {
		`Invoice {{.number}} from {{.Tenant}}`,
		`Factura {{.number}} de {{.Tenant}}`,
		`Fatura {{.number}} de {{.Tenant}}`,
	},
	"email.body.invoice.published": {
		`Hello {{.Customer}},

{{.Tenant}} has issued invoice {{.number}}{{if .invoice_date}} dated {{.invoice_date}}{{end}}{{if .period}} for {{.period}}{{end}}.

Amount due: {{.total}}{{if .due_date}}
Due date: {{.due_date}}{{end}}

The invoice is attached as a PDF.{{if .PortalURL}} You can also view and download it in the customer portal:
{{.PortalURL}}{{end}}

Thank you for your business.`,
		`Hola, {{.Customer}}:

{{.Tenant}} ha emitido la factura {{.number}}{{if .invoice_date}} con fecha {{.invoice_date}}{{end}}{{if .period}} correspondiente a {{.period}}{{end}}.

Importe a pagar: {{.total}}{{if .due_date}}
Fecha de vencimiento: {{.due_date}}{{end}}

Adjuntamos la factura en PDF.{{if .PortalURL}} También puede verla y descargarla en el portal de clientes:
{{.PortalURL}}{{end}}

Gracias por su confianza.`,
		`Olá, {{.Customer}}:

{{.Tenant}} emitiu a fatura {{.number}}{{if .invoice_date}} com data de {{.invoice_date}}{{end}}{{if .period}} referente a {{.period}}{{end}}.

Valor a pagar: {{.total}}{{if .due_date}}
Vencimento: {{.due_date}}{{end}}

A fatura segue anexa em PDF.{{if .PortalURL}} Você também pode visualizá-la e baixá-la no portal do cliente:
{{.PortalURL}}{{end}}

Obrigado pela preferência.`,
	},
	"email.subject.invoice.status_changed": {
		`Invoice {{.number}} is now {{status .status}}`,
		`La factura {{.number}} ahora está {{status .status}}`,
		`A fatura {{.number}} agora está {{status .status}}`,
	},
	"email.body.invoice.status_changed": {
		`Hello {{.Customer}},

The status of invoice {{.number}} has changed{{if .from}} from {{status .from}}{{end}} to {{status .status}}.{{if .balance}}

Balance: {{.balance}}{{end}}{{if .PortalURL}}

View it in the customer portal:
{{.PortalURL}}{{end}}`,
		`Hola, {{.Customer}}:

El estado de la factura {{.number}} ha cambiado{{if .from}} de {{status .from}}{{end}} a {{status .status}}.{{if .balance}}

Saldo: {{.balance}}{{end}}{{if .PortalURL}}

Consúltela en el portal de clientes:
{{.PortalURL}}{{end}}`,
		`Olá, {{.Customer}}:

O status da fatura {{.number}} mudou{{if .from}} de {{status .from}}{{end}} para {{status .status}}.{{if .balance}}

Saldo: {{.balance}}{{end}}{{if .PortalURL}}

Veja-a no portal do cliente:
{{.PortalURL}}{{end}}`,
	},
	"email.subject.payment.receipt": {
		`Payment receipt{{if .number}} for invoice {{.number}}{{end}} from {{.Tenant}}`,
		`Recibo de pago{{if .number}} de la factura {{.number}}{{end}} de {{.Tenant}}`,
		`Recibo de pagamento{{if .number}} da fatura {{.number}}{{end}} de {{.Tenant}}`,
	},
	"email.body.payment.receipt": {
		`Hello {{.Customer}},

We have received your payment of {{.amount}}{{if .date}} on {{.date}}{{end}}{{if .number}} for invoice {{.number}}{{end}}.{{if .reference}}
Reference: {{.reference}}{{end}}{{if .method}}
Method: {{.method}}{{end}}{{if .PortalURL}}

Your account in the customer portal:
{{.PortalURL}}{{end}}

Thank you.`,
		`Hola, {{.Customer}}:

Hemos recibido su pago de {{.amount}}{{if .date}} el {{.date}}{{end}}{{if .number}} para la factura {{.number}}{{end}}.{{if .reference}}
Referencia: {{.reference}}{{end}}{{if .method}}
Método: {{.method}}{{end}}{{if .PortalURL}}

Su cuenta en el portal de clientes:
{{.PortalURL}}{{end}}

Gracias.`,
		`Olá, {{.Customer}}:

Recebemos o seu pagamento de {{.amount}}{{if .date}} em {{.date}}{{end}}{{if .number}} referente à fatura {{.number}}{{end}}.{{if .reference}}
Referência: {{.reference}}{{end}}{{if .method}}
Método: {{.method}}{{end}}{{if .PortalURL}}

Sua conta no portal do cliente:
{{.PortalURL}}{{end}}

Obrigado.`,
	},
	"email.subject.dunning.reminder": {
		`Reminder: invoice {{.number}} is past due`,
		`Recordatorio: la factura {{.number}} está vencida`,
		`Lembrete: a fatura {{.number}} está vencida`,
	},
	"email.body.dunning.reminder": {
		`Hello {{.Customer}},

Our records show that invoice {{.number}}{{if .due_date}}, due {{.due_date}},{{end}} still has a balance of {{.balance}}{{if .days_overdue}} ({{.days_overdue}} days overdue){{end}}.

Please arrange payment at your earliest convenience. If you have already paid, please disregard this message.{{if .PortalURL}}

View and pay it in the customer portal:
{{.PortalURL}}{{end}}`,
		`Hola, {{.Customer}}:

Según nuestros registros, la factura {{.number}}{{if .due_date}}, con vencimiento el {{.due_date}},{{end}} tiene un saldo pendiente de {{.balance}}{{if .days_overdue}} ({{.days_overdue}} días de retraso){{end}}.

Le rogamos que realice el pago lo antes posible. Si ya lo ha pagado, ignore este mensaje.{{if .PortalURL}}

Consúltela y páguela en el portal de clientes:
{{.PortalURL}}{{end}}`,
		`Olá, {{.Customer}}:

Segundo nossos registros, a fatura {{.number}}{{if .due_date}}, com vencimento em {{.due_date}},{{end}} ainda tem um saldo de {{.balance}}{{if .days_overdue}} ({{.days_overdue}} dias de atraso){{end}}.

Por favor, efetue o pagamento assim que possível. Se já pagou, desconsidere esta mensagem.{{if .PortalURL}}

Veja e pague no portal do cliente:
{{.PortalURL}}{{end}}`,
	},
	"email.subject.wallet.low_balance": {
		`Your prepaid balance with {{.Tenant}} is low`,
		`Su saldo prepago con {{.Tenant}} es bajo`,
		`Seu saldo pré-pago com {{.Tenant}} está baixo`,
	},
	"email.body.wallet.low_balance": {
		`Hello {{.Customer}},

Your wallet balance is {{.balance}}{{if .threshold}}, below the threshold of {{.threshold}}{{end}}.

Add funds to keep your services running without interruption.{{if .PortalURL}}

{{.PortalURL}}{{end}}`,
		`Hola, {{.Customer}}:

El saldo de su monedero es {{.balance}}{{if .threshold}}, por debajo del umbral de {{.threshold}}{{end}}.

Añada fondos para que sus servicios sigan funcionando sin interrupción.{{if .PortalURL}}

{{.PortalURL}}{{end}}`,
		`Olá, {{.Customer}}:

O saldo da sua carteira é {{.balance}}{{if .threshold}}, abaixo do limite de {{.threshold}}{{end}}.

Adicione fundos para manter seus serviços funcionando sem interrupção.{{if .PortalURL}}

{{.PortalURL}}{{end}}`,
	},
	"email.subject.wallet.recharge_failed": {
		`Automatic recharge of your wallet failed`,
		`La recarga automática de su monedero ha fallado`,
		`A recarga automática da sua carteira falhou`,
	},
	"email.body.wallet.recharge_failed": {
		`Hello {{.Customer}},

We could not recharge your wallet{{if .amount}} with {{.amount}}{{end}} from your primary card{{if .reason}}: {{.reason}}{{end}}.

Please check your payment method or add funds by hand.{{if .PortalURL}}

{{.PortalURL}}{{end}}`,
		`Hola, {{.Customer}}:

No hemos podido recargar su monedero{{if .amount}} con {{.amount}}{{end}} con su tarjeta principal{{if .reason}}: {{.reason}}{{end}}.

Revise su método de pago o añada fondos manualmente.{{if .PortalURL}}

{{.PortalURL}}{{end}}`,
		`Olá, {{.Customer}}:

Não foi possível recarregar sua carteira{{if .amount}} com {{.amount}}{{end}} pelo seu cartão principal{{if .reason}}: {{.reason}}{{end}}.

Verifique sua forma de pagamento ou adicione fundos manualmente.{{if .PortalURL}}

{{.PortalURL}}{{end}}`,
	},
	"email.subject.wallet.receipt": {
		`Receipt {{.receipt}}: funds added to your wallet`,
		`Recibo {{.receipt}}: fondos añadidos a su monedero`,
		`Recibo {{.receipt}}: fundos adicionados à sua carteira`,
	},
	"email.body.wallet.receipt": {
		`Hello {{.Customer}},

We have added {{.amount}} to your prepaid wallet with {{.Tenant}}. Receipt number: {{.receipt}}.{{if .PortalURL}}

{{.PortalURL}}{{end}}`,
		`Hola, {{.Customer}}:

Hemos añadido {{.amount}} a su monedero de prepago con {{.Tenant}}. Número de recibo: {{.receipt}}.{{if .PortalURL}}

{{.PortalURL}}{{end}}`,
		`Olá, {{.Customer}}:

Adicionamos {{.amount}} à sua carteira pré-paga com {{.Tenant}}. Número do recibo: {{.receipt}}.{{if .PortalURL}}

{{.PortalURL}}{{end}}`,
	},
}
