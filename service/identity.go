package service

import (
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/service/identity"
	"github.com/facturo/facturo/service/usecase"
)

// The identity and settings use cases (tenants, users, sign-in, API keys,
// taxes, chart of accounts, posting profiles, number series) live in package
// identity; Service embeds it, so its methods are Service's. These names
// keep the types and limits reachable as they were.
type (
	// UserStore persists users and sign-in attempts.
	UserStore = identity.UserStore
	// APIKeyStore persists API keys (hashes only).
	APIKeyStore = identity.APIKeyStore
	// TenantStore persists tenants.
	TenantStore = identity.TenantStore
	// SettingsStore persists a tenant's tax, ledger and numbering configuration.
	SettingsStore = identity.SettingsStore
	// CustomFieldStore persists the definitions of a tenant's custom fields.
	CustomFieldStore = identity.CustomFieldStore
	// LoginAttempt is one sign-in try, kept to rate-limit guessing across nodes.
	LoginAttempt = identity.LoginAttempt
	// NewUser is the input of CreateUser.
	NewUser = identity.NewUser
	// UserPatch changes a user; nil fields stay.
	UserPatch = identity.UserPatch
	// NewAPIKey is the input of CreateAPIKey.
	NewAPIKey = identity.NewAPIKey
	// CreatedAPIKey is a new key with its secret, shown this once.
	CreatedAPIKey = identity.CreatedAPIKey
	// TenantPatch holds the tenant settings to change; nil fields stay.
	TenantPatch = identity.TenantPatch
)

// Sign-in rate limits (see identity.LoginWindow).
const (
	LoginWindow         = identity.LoginWindow
	MaxFailuresPerEmail = identity.MaxFailuresPerEmail
	MaxFailuresPerIP    = identity.MaxFailuresPerIP
)

// newIdentity returns the identity service over store, its transactions
// narrowed to what each part of it declares.
func newIdentity(store Store, now func() time.Time, cost access.PasswordCost) *identity.Service {
	return identity.New(identity.Stores{
		Users:        usecase.Narrow[identity.UsersTx, Tx](store, func(tx Tx) identity.UsersTx { return tx }),
		Tenants:      usecase.Narrow[identity.TenantsTx, Tx](store, func(tx Tx) identity.TenantsTx { return tx }),
		Settings:     usecase.Narrow[identity.SettingsTx, Tx](store, func(tx Tx) identity.SettingsTx { return tx }),
		CustomFields: usecase.Narrow[identity.CustomFieldsTx, Tx](store, func(tx Tx) identity.CustomFieldsTx { return tx }),
		Keys:         store,
	}, now, cost)
}
