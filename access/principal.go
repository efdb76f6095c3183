package access

import (
	"context"

	"github.com/facturo/facturo/fail"
)

// Principal is who is acting: a user, an API key, or the system itself
// (CLI, jobs). Every service call takes one; every query is scoped to its tenant.
type Principal struct {
	TenantID   string
	UserID     string // set for users
	APIKeyID   string // set for API keys
	Role       Role
	CustomerID string // set for the customer role: the one account it may see
	Name       string // for the audit log
	System     bool   // CLI and background jobs: every permission within the tenant
}

// ActorType names the kind of principal for the audit log.
func (p Principal) ActorType() string {
	switch {
	case p.System:
		return "system"
	case p.APIKeyID != "":
		return "api_key"
	default:
		return "user"
	}
}

// ActorID returns the user, API key or "system" id.
func (p Principal) ActorID() string {
	switch {
	case p.System:
		return "system"
	case p.APIKeyID != "":
		return p.APIKeyID
	default:
		return p.UserID
	}
}

// System returns a principal for the CLI and background jobs in one tenant.
func System(tenantID, name string) Principal {
	return Principal{TenantID: tenantID, Role: Administrator, Name: name, System: true}
}

// Require returns a forbidden error unless p holds perm. It is the one
// check every service method starts with.
func (p Principal) Require(perm Permission) error {
	if p.TenantID == "" {
		return fail.Newf(fail.Unauthenticated, "sign in or send an API key")
	}
	if p.System || p.Role.Can(perm) {
		return nil
	}
	return fail.Forbiddenf("the %s role may not do this (needs %s)", p.Role, perm)
}

// SeesCustomer reports whether p may see data of customer customerID: staff
// with the permission see all of the tenant's customers; a customer only its own.
func (p Principal) SeesCustomer(customerID string) bool {
	if p.Role == Customer && !p.System {
		return p.CustomerID != "" && p.CustomerID == customerID
	}
	return true
}

type ctxKey struct{}

// WithPrincipal stores p in ctx.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// FromContext returns the principal stored in ctx (zero value if none).
func FromContext(ctx context.Context) Principal {
	p, _ := ctx.Value(ctxKey{}).(Principal)
	return p
}
