// Package notify is the JSON API of notifications: the email outbox and webhook endpoints with their deliveries.
package notify

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
	h.registerOutbox(api)
	h.registerWebhooks(api)
}
