// Package invoicing is the JSON API of invoices and credit notes: drafts, status changes, corrections and approval, recurring templates, attachments, and the documents (PDF, UBL, print, CSV) with their branding.
package invoicing

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
	h.registerInvoices(api)
	h.registerCorrections(api)
	h.registerDocuments(api)
}
