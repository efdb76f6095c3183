// Package accounts holds the use cases of a customer's account: customers
// and their billing information, cards on file (payment methods, charged
// through the payment provider), subscriptions and their renewal, and the
// account billing dashboard. Every write runs through the envelope of
// package usecase.
//
// It declares the storage it needs, one small transaction interface per
// part (CustomersTx, PayMethodsTx, SubscriptionsTx, DashboardTx); the root
// service narrows its store to them (usecase.Narrow), and the store package
// implements them. What it needs of other areas (completing a sales item,
// the wallet's refusal to lose its card, what the dashboard shows of
// invoices, payments and wallets) comes in through Deps and DashboardReads.
package accounts

import (
	"context"
	"time"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/service/usecase"
	"github.com/facturo/facturo/subscription"
	"github.com/facturo/facturo/wallet"
)

// TenantReader reads the tenant a use case runs for.
type TenantReader interface {
	GetTenant(ctx context.Context, tenantID string) (billing.Tenant, error) // fail.NotFound if absent
}

// CustomerReader finds one customer of a tenant.
type CustomerReader interface {
	GetCustomer(ctx context.Context, tenantID, customerID string) (billing.Customer, error) // fail.NotFound if absent
}

// CustomersTx is what the customer use cases read and write in one transaction.
type CustomersTx interface {
	usecase.AuditTx
	CustomerStore
	TenantReader
	// NextCounter increments and returns the named per-tenant counter (the
	// customer number series), gapless within the transaction.
	NextCounter(ctx context.Context, tenantID, name string) (int64, error)
	// ListPostingProfiles lists the tenant's posting profiles (a customer
	// may name one).
	ListPostingProfiles(ctx context.Context, tenantID string) ([]ledger.PostingProfile, error)
	// SetOpenItemsStatus turns the customer's open sales items draft or
	// pending as its billing information is incomplete or complete.
	SetOpenItemsStatus(ctx context.Context, tenantID, customerID string, status billing.ItemStatus, at time.Time) (int, error)
}

// PayMethodsTx is what the payment-method use cases read and write in one transaction.
type PayMethodsTx interface {
	usecase.AuditTx
	PaymentMethodStore
	TenantReader
	CustomerReader
}

// SubscriptionsTx is what the subscription use cases read and write in one transaction.
type SubscriptionsTx interface {
	usecase.AuditTx
	SubscriptionStore
	TenantReader
	CustomerReader
	// GetProduct finds the product a subscription bills (fail.NotFound if absent).
	GetProduct(ctx context.Context, tenantID, productID string) (billing.Product, error)
	// InsertSalesItem adds the sales item of a billed period; one with the
	// same source reference is fail.Conflict.
	InsertSalesItem(ctx context.Context, si billing.SalesItem) error
}

// DashboardTx is what the dashboard reads itself in its one read transaction;
// the rest comes from DashboardReads.
type DashboardTx interface {
	usecase.AuditTx
	TenantReader
	CustomerReader
	ListSubscriptions(ctx context.Context, tenantID, customerID string) ([]subscription.Subscription, error)
	ListPaymentMethods(ctx context.Context, tenantID, customerID string) ([]PaymentMethod, error)
	// ListMovements lists a wallet's movements, newest first.
	ListMovements(ctx context.Context, tenantID, customerID string, limit int) ([]wallet.Movement, error)
}

// Stores are the transactions the account use cases open, one kind per part.
type Stores struct {
	Customers     usecase.Store[CustomersTx]
	PayMethods    usecase.Store[PayMethodsTx]
	Subscriptions usecase.Store[SubscriptionsTx]
	Dashboard     usecase.Store[DashboardTx]
}

// RemovalCheck may refuse removing a customer's primary card (the wallet
// refuses while automatic recharge is on). It runs in the removing transaction.
type RemovalCheck func(ctx context.Context, tx PayMethodsTx, tenantID, customerID string) error

// Deps is what the account use cases need of the rest of the service.
type Deps struct {
	// Provider is the card processor (nil: card actions answer that none
	// is configured).
	Provider PaymentProvider
	// PrimaryRemovalChecks run, in order, before a primary card is removed.
	PrimaryRemovalChecks []RemovalCheck
	// CompleteItem fills a sales item's defaults from its product and
	// customer, sets its status and validates it (the sales area's rule),
	// in the subscription's transaction.
	CompleteItem func(ctx context.Context, tx SubscriptionsTx, tenantID string, si *billing.SalesItem, fromProduct bool) error
}

// Service runs the account use cases.
type Service struct {
	customers     usecase.Env[CustomersTx]
	payMethods    usecase.Env[PayMethodsTx]
	subscriptions usecase.Env[SubscriptionsTx]
	dashboard     usecase.Env[DashboardTx]
	deps          Deps
	now           func() time.Time
}

// New returns a Service over st with deps. now is the service clock: UTC,
// truncated to the microsecond both engines store.
func New(st Stores, deps Deps, now func() time.Time) *Service {
	return &Service{
		customers:     usecase.Env[CustomersTx]{Store: st.Customers, Now: now},
		payMethods:    usecase.Env[PayMethodsTx]{Store: st.PayMethods, Now: now},
		subscriptions: usecase.Env[SubscriptionsTx]{Store: st.Subscriptions, Now: now},
		dashboard:     usecase.Env[DashboardTx]{Store: st.Dashboard, Now: now},
		deps:          deps,
		now:           now,
	}
}

// set copies *v into *dst when v is non-nil.
func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}
