// Package sales is the JSON API of what is sold and billed: sales items and usage imports, the product catalog, contracts, tickets and logged time, and the billing runs that turn pending items into invoices.
package sales

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
	h.registerSalesItems(api)
	h.registerContracts(api)
	h.registerBillingRuns(api)
}
