// Package bookkeeping is the JSON API of the books: tax codes and groups, number series, ledger accounts and posting profiles, exchange rates, and the ledger reports.
package bookkeeping

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
	h.registerLedger(api)
	h.registerExchangeRates(api)
}
