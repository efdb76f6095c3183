// Package identity is the JSON API of who may do what: sign-in, users, API keys, the tenant's settings and the audit log.
package identity

import (
	"context"

	"github.com/danielgtaylor/huma/v2"

	"github.com/facturo/facturo/service"
)

// Sessions is the cookie-session behaviour the login endpoints need.
type Sessions interface {
	// Login renews the session token (against fixation) and stores the user.
	Login(ctx context.Context, tenantID, userID string) error
	Logout(ctx context.Context) error
}

// Handlers holds what the operations call.
type Handlers struct {
	Svc      *service.Service
	Sessions Sessions
}

// Register adds the operations of this area to api.
func (h *Handlers) Register(api huma.API) {
	h.registerAuth(api)
	h.registerTenant(api)
	h.registerAudit(api)
	h.registerCustomFields(api)
}
