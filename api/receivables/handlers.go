// Package receivables is the JSON API of money owed and received: payments and their application to invoices, refunds, paying an invoice by card, settling open transactions, a customer's credit, and the dunning schedule.
package receivables

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
	h.registerPayments(api)
	h.registerDunning(api)
}
