// Package accounts is the JSON API of the customer account: customers and their billing information, cards on file, subscriptions, prepaid wallets, and the account billing dashboard with its portal (/me) operations.
package accounts

import (
	"github.com/danielgtaylor/huma/v2"

	"github.com/facturo/facturo/service"
)

// Handlers holds what the operations call.
type Handlers struct {
	Svc *service.Service
}

// Register adds the operations of this area to api.
func (h *Handlers) Register(api huma.API) {
	h.registerCustomers(api)
	h.registerPaymentMethods(api)
	h.registerSubscriptions(api)
	h.registerWallets(api)
	h.registerDashboard(api)
}
