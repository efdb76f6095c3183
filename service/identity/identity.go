// Package identity holds the use cases of who may act and how a tenant is
// set up: tenants, users and sign-in, API keys, and the tenant's settings
// (tax codes and groups, tax mode, chart of accounts, posting profiles,
// number series). Every write runs through the envelope of package usecase.
//
// It declares the storage it needs, one small transaction interface per
// part (UsersTx, TenantsTx, SettingsTx); the root service narrows its store
// to them (usecase.Narrow), and the store package implements them.
package identity

import (
	"context"
	"sync"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/service/usecase"
)

// UsersTx is what the user and API-key use cases read and write in one transaction.
type UsersTx interface {
	usecase.AuditTx
	UserStore
	APIKeyStore
	// GetCustomer finds the account a customer-role user or key belongs to
	// (fail.NotFound if absent).
	GetCustomer(ctx context.Context, tenantID, customerID string) (billing.Customer, error)
}

// TenantsTx is what the tenant use cases read and write in one transaction.
type TenantsTx interface {
	usecase.AuditTx
	TenantStore
	TenantDefaults
	// HasEntries reports whether anything is posted to the tenant's ledger
	// (its accounting currency is then fixed).
	HasEntries(ctx context.Context, tenantID string) (bool, error)
}

// TenantDefaults writes what a new tenant starts with: the default chart of
// accounts, posting profile, reason codes and number series.
type TenantDefaults interface {
	UpsertAccount(ctx context.Context, tenantID string, a ledger.Account) error
	UpsertPostingProfile(ctx context.Context, tenantID string, p ledger.PostingProfile) error
	UpsertReasonCode(ctx context.Context, tenantID string, r billing.ReasonCode) error
	SetSeries(ctx context.Context, tenantID, kind, pattern string) error
}

// SettingsTx is what the settings use cases read and write in one transaction.
type SettingsTx interface {
	usecase.AuditTx
	SettingsStore
}

// CustomFieldsTx is what the custom field definition use cases read and
// write in one transaction.
type CustomFieldsTx interface {
	usecase.AuditTx
	CustomFieldStore
}

// KeyFinder finds an API key by the hash of its secret outside any
// transaction: every API request authenticates with this one statement.
type KeyFinder interface {
	APIKeyByHash(ctx context.Context, hash string) (access.APIKey, error)
}

// Stores are the transactions the identity use cases open, one kind per
// part, and the key lookup of authentication.
type Stores struct {
	Users    usecase.Store[UsersTx]
	Tenants  usecase.Store[TenantsTx]
	Settings usecase.Store[SettingsTx]
	// CustomFields holds the custom field definitions.
	CustomFields usecase.Store[CustomFieldsTx]
	Keys         KeyFinder
}

// Service runs the identity and settings use cases.
type Service struct {
	users    usecase.Env[UsersTx]
	tenants  usecase.Env[TenantsTx]
	settings usecase.Env[SettingsTx]
	fields   usecase.Env[CustomFieldsTx]
	keys     KeyFinder
	now      func() time.Time
	cost     access.PasswordCost

	dummyOnce sync.Once
	dummy     string
}

// New returns a Service over st. now is the service clock: UTC, truncated to
// the microsecond both engines store. cost is the work of each password hash
// it stores (access.DefaultPasswordCost outside tests).
func New(st Stores, now func() time.Time, cost access.PasswordCost) *Service {
	return &Service{
		users:    usecase.Env[UsersTx]{Store: st.Users, Now: now},
		tenants:  usecase.Env[TenantsTx]{Store: st.Tenants, Now: now},
		settings: usecase.Env[SettingsTx]{Store: st.Settings, Now: now},
		fields:   usecase.Env[CustomFieldsTx]{Store: st.CustomFields, Now: now},
		keys:     st.Keys,
		now:      now,
		cost:     cost,
	}
}

// set copies *v into *dst when v is non-nil.
func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
