// Package access holds who may do what: roles, permissions, the principal
// making a request, password hashing and API key secrets. Pure Go, no I/O.
package access

import (
	"slices"

	"github.com/facturo/facturo/fail"
)

// Role is a user's or API key's role within one tenant (DESIGN.md "Roles").
type Role string

// The roles.
const (
	Administrator  Role = "administrator"
	Director       Role = "director"
	FinanceManager Role = "finance_manager"
	Finance        Role = "finance"
	GroupManager   Role = "group_manager"
	Sales          Role = "sales"
	Engineer       Role = "engineer"
	Customer       Role = "customer"
)

// Roles lists every role, most powerful first.
var Roles = []Role{Administrator, Director, FinanceManager, Finance, GroupManager, Sales, Engineer, Customer}

// ParseRole validates a role name.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if !slices.Contains(Roles, r) {
		return "", fail.Newf(fail.Invalid, "unknown role %q: use one of %v", s, Roles)
	}
	return r, nil
}

// IsStaff reports whether the role belongs to the provider's staff (not a portal customer).
func (r Role) IsStaff() bool { return r != Customer && r != "" }

// Permission is one capability checked by the service layer.
type Permission string

// The permissions. Each service method checks exactly one.
const (
	ManageTenant      Permission = "tenant.manage"       // tenant settings, taxes, number series
	ReadTenant        Permission = "tenant.read"         // see the tenant's name, address and logo
	ReadSettings      Permission = "settings.read"       // see taxes, number series, branding, dunning and wallet settings
	ManageUsers       Permission = "users.manage"        // create, change and disable users
	ManageAPIKeys     Permission = "api_keys.manage"     // create, list and revoke API keys
	ReadCustomers     Permission = "customers.read"      // list and read customers
	WriteCustomers    Permission = "customers.write"     // create, edit, archive customers
	WriteBillingInfo  Permission = "customers.billing"   // edit a customer's billing information
	ReadAudit         Permission = "audit.read"          // read the audit log
	ReadInvoices      Permission = "invoices.read"       // list and read invoices
	WriteInvoices     Permission = "invoices.write"      // draft, edit, submit, issue, status changes
	ApproveInvoices   Permission = "invoices.approve"    // approve, reject, void, correct
	ManagePayments    Permission = "payments.manage"     // list and record payments, refunds, settlement
	ManageWallets     Permission = "wallets.manage"      // read wallets and recharges, draw, complimentary credits
	ReadLedger        Permission = "ledger.read"         // ledger reports
	ManageLedger      Permission = "ledger.manage"       // chart of accounts, posting profiles
	RunBilling        Permission = "billing_runs.manage" // billing runs
	ManageSalesItems  Permission = "sales_items.manage"  // sales items
	LogTime           Permission = "time.log"            // ticket time entries
	OwnAccount        Permission = "portal.own_account"  // a customer's own account in the portal
	ManageCatalog     Permission = "catalog.manage"      // products
	ReadCatalog       Permission = "catalog.read"        // products
	ManageWebhooks    Permission = "webhooks.manage"     // webhook endpoints and their delivery log (a setting: administrators only)
	ReadNotifications Permission = "notifications.read"  // the email outbox: list and read messages
	RetryEmail        Permission = "notifications.retry" // send a failed or skipped outbox message again
	// ManageSubscriptions creates and changes customers' subscriptions.
	ManageSubscriptions Permission = "subscriptions.manage"
	// ReadExchangeRates reads the tenant's exchange-rate table (staff).
	ReadExchangeRates Permission = "exchange_rates.read"
	// ManageExchangeRates sets, imports and deletes exchange rates (the
	// ledger roles: administrator, director, finance manager).
	ManageExchangeRates Permission = "exchange_rates.manage"
)

var (
	staffRead = []Permission{ReadTenant, ReadSettings, ReadCustomers, ReadInvoices, ReadCatalog, ReadExchangeRates}
	// grants is the one table of who may do what.
	grants = map[Role][]Permission{
		Administrator: nil, // everything; see Can
		Director: concat(staffRead, WriteCustomers, WriteBillingInfo, ReadAudit, WriteInvoices, ApproveInvoices,
			ManagePayments, ManageWallets, ReadLedger, ManageLedger, RunBilling, ManageSalesItems, LogTime,
			ManageCatalog, ReadNotifications, RetryEmail, ManageSubscriptions, ManageExchangeRates),
		FinanceManager: concat(staffRead, WriteCustomers, WriteBillingInfo, ReadAudit, WriteInvoices, ApproveInvoices,
			ManagePayments, ManageWallets, ReadLedger, RunBilling, ManageSalesItems, ReadNotifications, RetryEmail, ManageSubscriptions,
			ManageExchangeRates),
		Finance:      concat(staffRead, WriteBillingInfo, WriteInvoices, ManagePayments, ManageSalesItems, ManageSubscriptions),
		GroupManager: concat(staffRead, WriteCustomers, WriteBillingInfo, ManageSalesItems, ManageCatalog, ManageSubscriptions),
		Sales:        concat(staffRead, WriteCustomers, WriteBillingInfo, ManageSalesItems, ManageSubscriptions),
		Engineer:     {ReadTenant, LogTime},
		Customer:     {OwnAccount},
	}
)

func concat(base []Permission, more ...Permission) []Permission {
	return append(slices.Clone(base), more...)
}

// Can reports whether role r holds permission p.
func (r Role) Can(p Permission) bool {
	if r == Administrator {
		return p != OwnAccount
	}
	return slices.Contains(grants[r], p)
}
