package messages

// cardTexts holds the texts of card entry in the portal (Stripe Elements and the test provider).
var cardTexts = map[string][3]string{
	"card.details": {"Card details", "Datos de la tarjeta", "Dados do cartão"},
	"card.stripe_hint": {"Your card details go straight to Stripe; Facturo keeps only the brand, the last four digits and the expiry date. Your bank may ask you to confirm the card.",
		"Los datos de la tarjeta van directamente a Stripe; Facturo solo guarda la marca, los cuatro últimos dígitos y la fecha de caducidad. Es posible que su banco le pida confirmar la tarjeta.",
		"Os dados do cartão vão direto para a Stripe; o Facturo guarda apenas a bandeira, os quatro últimos dígitos e a validade. Seu banco pode pedir que você confirme o cartão."},
	"card.setup_failed": {"The card could not be saved. Please try again.",
		"No se ha podido guardar la tarjeta. Inténtelo de nuevo.",
		"Não foi possível salvar o cartão. Tente novamente."},
	"card.stripe_unavailable": {"The secure card form could not be loaded. Check your connection and reload the page.",
		"No se ha podido cargar el formulario seguro de la tarjeta. Compruebe su conexión y vuelva a cargar la página.",
		"Não foi possível carregar o formulário seguro do cartão. Verifique sua conexão e recarregue a página."},
	"card.stripe_unconfigured": {"Cards cannot be added yet: the Stripe publishable key is not configured.",
		"Todavía no se pueden añadir tarjetas: falta configurar la clave publicable de Stripe.",
		"Ainda não é possível adicionar cartões: a chave publicável da Stripe não está configurada."},
}
