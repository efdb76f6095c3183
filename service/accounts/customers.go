package accounts

import (
	"context"
	"maps"
	"slices"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/id"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/numbering"
	"github.com/facturo/facturo/service/usecase"
)

// CustomerStore persists customers.
type CustomerStore interface {
	// InsertCustomer adds c; a duplicate number is fail.Conflict on field "number".
	InsertCustomer(ctx context.Context, c billing.Customer) error
	GetCustomer(ctx context.Context, tenantID, customerID string) (billing.Customer, error)
	// GetCustomerForUpdate reads c and, on engines that have it, locks the row.
	GetCustomerForUpdate(ctx context.Context, tenantID, customerID string) (billing.Customer, error)
	UpdateCustomer(ctx context.Context, c billing.Customer) error
	// CustomerNumberTaken reports whether a customer of the tenant has the number.
	CustomerNumberTaken(ctx context.Context, tenantID, number string) (bool, error)
}

// BillingInput is the billing information to set; nil fields stay.
type BillingInput struct {
	LegalName *string
	Address   *billing.Address
	TaxID     *string
	Email     *string
	Language  *string
	Currency  *string
}

// CustomerInput creates or changes a customer; nil fields stay (or default on create).
type CustomerInput struct {
	Number                *string
	Name                  *string
	Contacts              *[]billing.Contact
	Billing               *BillingInput
	InvoiceAccountID      *string
	PaymentTermsDays      *int
	MethodOfPayment       *string
	CreditLimit           *string
	SalesTaxGroup         *string
	SAPID                 *string
	BillingContractNumber *string
	SalesAccountExecutive *string
	ParentID              *string
	PostingProfile        *string
	CustomFields          *map[string]string
}

// onlyBilling reports whether in changes billing information and nothing else.
func (in CustomerInput) onlyBilling() bool {
	return in.Number == nil && in.Name == nil && in.Contacts == nil && in.InvoiceAccountID == nil &&
		in.PaymentTermsDays == nil && in.MethodOfPayment == nil && in.CreditLimit == nil && in.SalesTaxGroup == nil && in.SAPID == nil &&
		in.BillingContractNumber == nil && in.SalesAccountExecutive == nil && in.ParentID == nil && in.CustomFields == nil &&
		in.PostingProfile == nil
}

// apply copies the set fields of in onto c.
func (in CustomerInput) apply(c *billing.Customer) error {
	set(&c.Number, in.Number)
	set(&c.Name, in.Name)
	if in.Contacts != nil {
		c.Contacts = append([]billing.Contact(nil), (*in.Contacts)...)
	}
	if b := in.Billing; b != nil {
		set(&c.Billing.LegalName, b.LegalName)
		set(&c.Billing.Address, b.Address)
		set(&c.Billing.TaxID, b.TaxID)
		set(&c.Billing.Email, b.Email)
		set(&c.Billing.Language, b.Language)
		set(&c.Billing.Currency, b.Currency)
	}
	set(&c.InvoiceAccountID, in.InvoiceAccountID)
	set(&c.PaymentTermsDays, in.PaymentTermsDays)
	set(&c.MethodOfPayment, in.MethodOfPayment)
	if in.CreditLimit != nil {
		// In the credit currency, which needs the tenant: creditIn.
		if *in.CreditLimit == "" {
			c.CreditLimit = money.In(decimal.Zero, c.Billing.Currency)
		} else {
			d, err := money.ReadDecimal("credit_limit", *in.CreditLimit, "5000.00")
			if err != nil {
				return err
			}
			c.CreditLimit = money.In(d, c.Billing.Currency)
		}
	}
	set(&c.SalesTaxGroup, in.SalesTaxGroup)
	set(&c.SAPID, in.SAPID)
	set(&c.BillingContractNumber, in.BillingContractNumber)
	set(&c.SalesAccountExecutive, in.SalesAccountExecutive)
	set(&c.ParentID, in.ParentID)
	set(&c.PostingProfile, in.PostingProfile)
	if in.CustomFields != nil {
		c.CustomFields = maps.Clone(*in.CustomFields)
	}
	return nil
}

// invalidTogether names, in one error, every field at fault in errs (nil
// ones are skipped), so a form shows all its mistakes at once; an error
// that is not invalid input is returned as it is.
func invalidTogether(errs ...error) error {
	var c fail.Collector
	for _, err := range errs {
		if !c.Merge("", err) {
			return err
		}
	}
	return c.Err()
}

// CreateCustomer adds a customer. Without a number, the next one of the
// tenant's customer series is assigned (C-000001, …).
func (s *Service) CreateCustomer(ctx context.Context, p access.Principal, in CustomerInput) (billing.Customer, error) {
	var c billing.Customer
	check := func() error {
		now := s.now()
		c = billing.Customer{ID: id.NewAt(id.Customer, now), TenantID: p.TenantID, PaymentTermsDays: 30, CreatedAt: now, UpdatedAt: now}
		return invalidTogether(in.apply(&c), c.Normalize())
	}
	return usecase.Write(ctx, s.customers, p, access.WriteCustomers, check, func(tx CustomersTx) (billing.Customer, usecase.Audit, error) {
		tenant, err := tx.GetTenant(ctx, p.TenantID)
		if err != nil {
			return c, usecase.Audit{}, err
		}
		if err := c.CheckCreditLimit(tenant.Currency); err != nil {
			return c, usecase.Audit{}, err
		}
		creditIn(&c, tenant.Currency)
		if c.Number == "" {
			// Skip numbers someone chose by hand from the same series.
			for tries := 0; ; tries++ {
				n, err := tx.NextCounter(ctx, p.TenantID, numbering.CustomerNumber.Counter)
				if err != nil {
					return c, usecase.Audit{}, err
				}
				c.Number = numbering.CustomerNumber.Format(n)
				taken, err := tx.CustomerNumberTaken(ctx, p.TenantID, c.Number)
				if err != nil {
					return c, usecase.Audit{}, err
				}
				if !taken {
					break
				}
				if tries > 1000 {
					return c, usecase.Audit{}, fail.Conflictf("could not find a free customer number; give one")
				}
			}
		}
		if err := checkCustomerLinks(ctx, tx, c, billing.Customer{}); err != nil {
			return c, usecase.Audit{}, err
		}
		if err := tx.InsertCustomer(ctx, c); err != nil {
			return c, usecase.Audit{}, err
		}
		return c, usecase.Entry("customer.created", "customer", c.ID, c), nil
	})
}

// checkCustomerLinks verifies the invoice account and parent exist in the
// tenant, are not archived, and that the parent chain has no cycle. Only
// links that differ from before are checked: a link made earlier stays
// valid when its target is archived later, so the rest of the customer can
// still be edited.
func checkCustomerLinks(ctx context.Context, tx CustomersTx, c, before billing.Customer) error {
	if c.InvoiceAccountID != "" && c.InvoiceAccountID != c.ID && c.InvoiceAccountID != before.InvoiceAccountID {
		acct, err := tx.GetCustomer(ctx, c.TenantID, c.InvoiceAccountID)
		if fail.Is(err, fail.NotFound) {
			return fail.Field("invoice_account_id", "no customer %q in this tenant", c.InvoiceAccountID)
		} else if err != nil {
			return err
		}
		if acct.ArchivedAt != nil {
			return fail.Field("invoice_account_id", "customer %s is archived", acct.Number)
		}
	}
	if c.PostingProfile != "" && c.PostingProfile != before.PostingProfile {
		profiles, err := tx.ListPostingProfiles(ctx, c.TenantID)
		if err != nil {
			return err
		}
		found := false
		for _, pp := range profiles {
			found = found || pp.Code == c.PostingProfile
		}
		if !found {
			return fail.Field("posting_profile", "no posting profile %q", c.PostingProfile)
		}
	}
	if c.ParentID == "" || c.ParentID == before.ParentID {
		return nil
	}
	seen := map[string]bool{c.ID: true}
	for parent := c.ParentID; parent != ""; {
		if seen[parent] {
			return fail.Field("parent_id", "would make a cycle of parent accounts")
		}
		seen[parent] = true
		pc, err := tx.GetCustomer(ctx, c.TenantID, parent)
		if fail.Is(err, fail.NotFound) {
			return fail.Field("parent_id", "no customer %q in this tenant", parent)
		} else if err != nil {
			return err
		}
		if parent == c.ParentID && pc.ArchivedAt != nil {
			return fail.Field("parent_id", "customer %s is archived", pc.Number)
		}
		parent = pc.ParentID
	}
	return nil
}

// GetCustomer returns one customer of the caller's tenant. A customer-role
// caller sees only its own account; any other id is not found.
func (s *Service) GetCustomer(ctx context.Context, p access.Principal, customerID string) (billing.Customer, error) {
	if err := RequireCustomerRead(p, customerID); err != nil {
		return billing.Customer{}, err
	}
	var c billing.Customer
	err := s.customers.Store.Read(ctx, func(tx CustomersTx) error {
		var err error
		c, err = tx.GetCustomer(ctx, p.TenantID, customerID)
		return err
	})
	return c, err
}

// RequireCustomerRead refuses p reading customerID's account and what
// belongs to it: staff need ReadCustomers; a customer reads its own account
// only (another is not found).
func RequireCustomerRead(p access.Principal, customerID string) error {
	if p.IsCustomer() {
		if err := p.Require(access.OwnAccount); err != nil {
			return err
		}
		if !p.SeesCustomer(customerID) {
			return fail.NotFoundf("no customer %q", customerID)
		}
		return nil
	}
	return p.Require(access.ReadCustomers)
}

// UpdateCustomer changes a customer. Staff who may only edit billing
// information (finance), and a customer on its own account, may change the
// billing fields only.
func (s *Service) UpdateCustomer(ctx context.Context, p access.Principal, customerID string, in CustomerInput) (billing.Customer, error) {
	var perm access.Permission
	var check func() error
	switch {
	case p.IsCustomer():
		perm = access.OwnAccount
		check = func() error {
			if !p.SeesCustomer(customerID) {
				return fail.NotFoundf("no customer %q", customerID)
			}
			if !in.onlyBilling() {
				return fail.Forbiddenf("customers may change their billing information only")
			}
			return nil
		}
	case in.onlyBilling():
		perm = access.WriteBillingInfo
	default:
		perm = access.WriteCustomers
	}
	return usecase.Write(ctx, s.customers, p, perm, check, func(tx CustomersTx) (billing.Customer, usecase.Audit, error) {
		none := usecase.Audit{}
		before, err := tx.GetCustomerForUpdate(ctx, p.TenantID, customerID)
		if err != nil {
			return billing.Customer{}, none, err
		}
		c := before
		c.Contacts = slices.Clone(before.Contacts) // keeps an empty list empty, not nil, so the audit diff stays clean
		c.CustomFields = maps.Clone(before.CustomFields)
		if err := invalidTogether(in.apply(&c), c.Normalize()); err != nil {
			return billing.Customer{}, none, err
		}
		if err := c.KeepsBillingInfo(before); err != nil {
			return billing.Customer{}, none, err
		}
		tenant, err := tx.GetTenant(ctx, p.TenantID)
		if err != nil {
			return billing.Customer{}, none, err
		}
		if err := c.CheckCreditLimit(tenant.Currency); err != nil {
			return billing.Customer{}, none, err
		}
		creditIn(&c, tenant.Currency)
		if p.IsCustomer() && before.Billing.Currency != "" && c.Billing.Currency != before.Billing.Currency {
			// The billing currency decides the currency of every later invoice
			// and wallet top-up: a customer may fill it in, only staff change it.
			return billing.Customer{}, none, fail.Field("billing.currency", "is set by your provider; ask them to change it")
		}
		if in.Number != nil && c.Number == "" { // after Normalize: a blank number trims to empty
			return billing.Customer{}, none, fail.Field("number", "must not be empty")
		}
		if err := checkCustomerLinks(ctx, tx, c, before); err != nil {
			return billing.Customer{}, none, err
		}
		c.UpdatedAt = s.now()
		if err := tx.UpdateCustomer(ctx, c); err != nil {
			return billing.Customer{}, none, err
		}
		if c.HasBillingInfo != before.HasBillingInfo {
			// Seed 002: the customer's draft sales items turn pending by
			// themselves once its billing information is complete (and back
			// to draft if it becomes incomplete).
			if _, err := tx.SetOpenItemsStatus(ctx, p.TenantID, c.ID, billing.ItemStatusFor(c.HasBillingInfo), s.now()); err != nil {
				return billing.Customer{}, none, err
			}
		}
		changes := usecase.Diff(customerView(before), customerView(c))
		if len(changes) == 0 {
			return c, none, nil
		}
		return c, usecase.Entry("customer.updated", "customer", c.ID, changes), nil
	})
}

// customerView flattens a customer for audit diffs (without timestamps).
func customerView(c billing.Customer) billing.Customer {
	c.UpdatedAt = c.CreatedAt
	return c
}

// SetCustomerArchived archives or restores a customer. Archived customers
// are hidden from lists by default and cannot be billed.
func (s *Service) SetCustomerArchived(ctx context.Context, p access.Principal, customerID string, archived bool) (billing.Customer, error) {
	return usecase.Write(ctx, s.customers, p, access.WriteCustomers, nil, func(tx CustomersTx) (billing.Customer, usecase.Audit, error) {
		c, err := tx.GetCustomerForUpdate(ctx, p.TenantID, customerID)
		if err != nil {
			return billing.Customer{}, usecase.Audit{}, err
		}
		now := s.now()
		action := "customer.archived"
		switch {
		case archived && c.ArchivedAt != nil:
			return billing.Customer{}, usecase.Audit{}, fail.Conflictf("customer %s is already archived", c.Number)
		case !archived && c.ArchivedAt == nil:
			return billing.Customer{}, usecase.Audit{}, fail.Conflictf("customer %s is not archived", c.Number)
		case archived:
			c.ArchivedAt = &now
		default:
			c.ArchivedAt = nil
			action = "customer.restored"
		}
		c.UpdatedAt = now
		if err := tx.UpdateCustomer(ctx, c); err != nil {
			return billing.Customer{}, usecase.Audit{}, err
		}
		return c, usecase.Entry(action, "customer", c.ID, nil), nil
	})
}

// creditIn puts c's credit limit in its credit currency (the billing
// currency, else the tenant's): the input names it before the currency is
// known.
func creditIn(c *billing.Customer, tenantCurrency string) {
	c.CreditLimit = money.In(c.CreditLimit.Decimal(), c.CreditCurrency(tenantCurrency))
}
