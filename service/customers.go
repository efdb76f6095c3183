package service

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/id"
	"github.com/facturo/facturo/money"
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
	ListCustomers(ctx context.Context, tenantID string, f CustomerFilter) ([]billing.Customer, error)
}

// Customer sort keys.
const (
	SortNumber    = "number"
	SortName      = "name"
	SortCreatedAt = "created_at"
	SortUpdatedAt = "updated_at"
)

// CustomerSorts lists the columns customers can be sorted by.
var CustomerSorts = []string{SortNumber, SortName, SortCreatedAt, SortUpdatedAt}

// Archived filter values.
const (
	ArchivedExclude = "exclude"
	ArchivedInclude = "include"
	ArchivedOnly    = "only"
)

// CustomerFilter selects and orders customers.
type CustomerFilter struct {
	Query          string // matches number, name, legal name, email, tax id, external ids; accent- and case-insensitive
	Archived       string // exclude (default), include, only
	HasBillingInfo *bool
	Currency       string
	Country        string
	ParentID       string
	SalesTaxGroup  string
	CustomerID     string // set by the service for the customer role
	Sort           string // one of CustomerSorts; default number
	Desc           bool
	Page           Page
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
		in.PaymentTermsDays == nil && in.CreditLimit == nil && in.SalesTaxGroup == nil && in.SAPID == nil &&
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
	if in.CreditLimit != nil {
		if *in.CreditLimit == "" {
			c.CreditLimit = decimal.Zero
		} else {
			d, err := money.ParseDecimal(*in.CreditLimit)
			if err != nil {
				return fail.Field("credit_limit", "%q is not a decimal amount such as \"5000.00\"", *in.CreditLimit)
			}
			c.CreditLimit = d
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

// CreateCustomer adds a customer. Without a number, the next one of the
// tenant's customer series is assigned (C-000001, …).
func (s *Service) CreateCustomer(ctx context.Context, p access.Principal, in CustomerInput) (billing.Customer, error) {
	if err := p.Require(access.WriteCustomers); err != nil {
		return billing.Customer{}, err
	}
	now := s.Now()
	c := billing.Customer{ID: id.NewAt(id.Customer, now), TenantID: p.TenantID, PaymentTermsDays: 30, CreatedAt: now, UpdatedAt: now}
	if err := in.apply(&c); err != nil {
		return billing.Customer{}, err
	}
	if err := c.Normalize(); err != nil {
		return billing.Customer{}, err
	}
	err := s.store.Write(ctx, func(tx Tx) error {
		if c.Number == "" {
			// Skip numbers someone chose by hand from the same series.
			for tries := 0; ; tries++ {
				n, err := tx.NextCounter(ctx, p.TenantID, "customer_number")
				if err != nil {
					return err
				}
				c.Number = fmt.Sprintf("C-%06d", n)
				taken, err := tx.CustomerNumberTaken(ctx, p.TenantID, c.Number)
				if err != nil {
					return err
				}
				if !taken {
					break
				}
				if tries > 1000 {
					return fail.Conflictf("could not find a free customer number; give one")
				}
			}
		}
		if err := s.checkCustomerLinks(ctx, tx, c, billing.Customer{}); err != nil {
			return err
		}
		if err := tx.InsertCustomer(ctx, c); err != nil {
			return err
		}
		cur, err := s.amountCurrency(ctx, tx, p.TenantID, c.Billing.Currency)
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, p, "customer.created", "customer", c.ID, withAmounts(c, cur, "credit_limit"))
	})
	if err != nil {
		return billing.Customer{}, err
	}
	return c, nil
}

// checkCustomerLinks verifies the invoice account and parent exist in the
// tenant, are not archived, and that the parent chain has no cycle. Only
// links that differ from before are checked: a link made earlier stays
// valid when its target is archived later, so the rest of the customer can
// still be edited.
func (s *Service) checkCustomerLinks(ctx context.Context, tx Tx, c, before billing.Customer) error {
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
	if err := s.requireCustomerRead(p, customerID); err != nil {
		return billing.Customer{}, err
	}
	var c billing.Customer
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		c, err = tx.GetCustomer(ctx, p.TenantID, customerID)
		return err
	})
	return c, err
}

func (s *Service) requireCustomerRead(p access.Principal, customerID string) error {
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
	switch {
	case p.IsCustomer():
		if err := p.Require(access.OwnAccount); err != nil {
			return billing.Customer{}, err
		}
		if !p.SeesCustomer(customerID) {
			return billing.Customer{}, fail.NotFoundf("no customer %q", customerID)
		}
		if !in.onlyBilling() {
			return billing.Customer{}, fail.Forbiddenf("customers may change their billing information only")
		}
	case in.onlyBilling():
		if err := p.Require(access.WriteBillingInfo); err != nil {
			return billing.Customer{}, err
		}
	default:
		if err := p.Require(access.WriteCustomers); err != nil {
			return billing.Customer{}, err
		}
	}
	var out billing.Customer
	err := s.store.Write(ctx, func(tx Tx) error {
		before, err := tx.GetCustomerForUpdate(ctx, p.TenantID, customerID)
		if err != nil {
			return err
		}
		c := before
		c.Contacts = slices.Clone(before.Contacts) // keeps an empty list empty, not nil, so the audit diff stays clean
		c.CustomFields = maps.Clone(before.CustomFields)
		if err := in.apply(&c); err != nil {
			return err
		}
		if err := c.Normalize(); err != nil {
			return err
		}
		if err := c.KeepsBillingInfo(before); err != nil {
			return err
		}
		if p.IsCustomer() && before.Billing.Currency != "" && c.Billing.Currency != before.Billing.Currency {
			// The billing currency decides the currency of every later invoice
			// and wallet top-up: a customer may fill it in, only staff change it.
			return fail.Field("billing.currency", "is set by your provider; ask them to change it")
		}
		if in.Number != nil && c.Number == "" { // after Normalize: a blank number trims to empty
			return fail.Field("number", "must not be empty")
		}
		if err := s.checkCustomerLinks(ctx, tx, c, before); err != nil {
			return err
		}
		c.UpdatedAt = s.Now()
		if err := tx.UpdateCustomer(ctx, c); err != nil {
			return err
		}
		if c.HasBillingInfo != before.HasBillingInfo {
			// Seed 002: the customer's draft sales items turn pending by
			// themselves once its billing information is complete (and back
			// to draft if it becomes incomplete).
			if _, err := tx.SetOpenItemsStatus(ctx, p.TenantID, c.ID, billing.ItemStatusFor(c.HasBillingInfo), s.Now()); err != nil {
				return err
			}
		}
		out = c
		cur, err := s.amountCurrency(ctx, tx, p.TenantID, c.Billing.Currency)
		if err != nil {
			return err
		}
		curBefore, err := s.amountCurrency(ctx, tx, p.TenantID, before.Billing.Currency)
		if err != nil {
			return err
		}
		changes := diff(withAmounts(customerView(before), curBefore, "credit_limit"), withAmounts(customerView(c), cur, "credit_limit"))
		if len(changes) == 0 {
			return nil
		}
		return s.audit(ctx, tx, p, "customer.updated", "customer", c.ID, changes)
	})
	return out, err
}

// customerView flattens a customer for audit diffs (without timestamps).
func customerView(c billing.Customer) billing.Customer {
	c.UpdatedAt = c.CreatedAt
	return c
}

// SetCustomerArchived archives or restores a customer. Archived customers
// are hidden from lists by default and cannot be billed.
func (s *Service) SetCustomerArchived(ctx context.Context, p access.Principal, customerID string, archived bool) (billing.Customer, error) {
	if err := p.Require(access.WriteCustomers); err != nil {
		return billing.Customer{}, err
	}
	var out billing.Customer
	err := s.store.Write(ctx, func(tx Tx) error {
		c, err := tx.GetCustomerForUpdate(ctx, p.TenantID, customerID)
		if err != nil {
			return err
		}
		now := s.Now()
		action := "customer.archived"
		switch {
		case archived && c.ArchivedAt != nil:
			return fail.Conflictf("customer %s is already archived", c.Number)
		case !archived && c.ArchivedAt == nil:
			return fail.Conflictf("customer %s is not archived", c.Number)
		case archived:
			c.ArchivedAt = &now
		default:
			c.ArchivedAt = nil
			action = "customer.restored"
		}
		c.UpdatedAt = now
		if err := tx.UpdateCustomer(ctx, c); err != nil {
			return err
		}
		out = c
		return s.audit(ctx, tx, p, action, "customer", c.ID, nil)
	})
	return out, err
}

// ListCustomers lists the tenant's customers with filters, search, sort and
// cursor pagination. A customer-role caller sees only its own account.
func (s *Service) ListCustomers(ctx context.Context, p access.Principal, f CustomerFilter) (PageOf[billing.Customer], error) {
	if own, scoped := p.CustomerScope(); scoped {
		if err := p.Require(access.OwnAccount); err != nil {
			return PageOf[billing.Customer]{}, err
		}
		if own == "" { // an empty id would filter nothing: fail closed
			return PageOf[billing.Customer]{}, nil
		}
		f.CustomerID = own
	} else if err := p.Require(access.ReadCustomers); err != nil {
		return PageOf[billing.Customer]{}, err
	}
	var c fail.Collector
	if f.Sort == "" {
		f.Sort = SortNumber
	}
	if !contains(CustomerSorts, f.Sort) {
		c.Add("sort", "%q is not sortable: use one of %v", f.Sort, CustomerSorts)
	}
	if f.Archived == "" {
		f.Archived = ArchivedExclude
	}
	if !contains([]string{ArchivedExclude, ArchivedInclude, ArchivedOnly}, f.Archived) {
		c.Add("archived", "use exclude, include or only")
	}
	if f.Currency != "" {
		f.Currency = strings.ToUpper(strings.TrimSpace(f.Currency))
		if _, err := money.ParseCurrency(f.Currency); err != nil {
			c.Add("currency", "%q is not an ISO 4217 currency code", f.Currency)
		}
	}
	if err := f.Page.decode(); err != nil {
		c.Merge("", err)
	}
	if err := c.Err(); err != nil {
		return PageOf[billing.Customer]{}, err
	}
	f.Query = billing.Fold(f.Query)
	var rows []billing.Customer
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		rows, err = tx.ListCustomers(ctx, p.TenantID, f)
		return err
	})
	if err != nil {
		return PageOf[billing.Customer]{}, err
	}
	return pageOf(rows, f.Page.Limit, func(c billing.Customer) Cursor {
		return Cursor{Sort: CustomerSortValue(c, f.Sort), ID: c.ID}
	}), nil
}

// CustomerSortValue is the value of c's sort column, as the cursor carries it.
func CustomerSortValue(c billing.Customer, sort string) string {
	switch sort {
	case SortName:
		return c.Name
	case SortCreatedAt:
		return c.CreatedAt.UTC().Format(TimeLayout)
	case SortUpdatedAt:
		return c.UpdatedAt.UTC().Format(TimeLayout)
	default:
		return c.Number
	}
}

// TimeLayout renders timestamps with fixed width so they sort as text.
const TimeLayout = "2006-01-02T15:04:05.000000Z"

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// amountCurrency is the currency of amounts kept in cur, or the tenant's
// ledger currency when cur is empty.
func (s *Service) amountCurrency(ctx context.Context, tx Tx, tenantID, cur string) (string, error) {
	if cur != "" {
		return cur, nil
	}
	t, err := tx.GetTenant(ctx, tenantID)
	if err != nil {
		return "", err
	}
	return t.Currency, nil
}

// withAmounts is v as the audit trail records it: its JSON object with the
// named amount fields written with currency cur's digits (money.Fixed).
func withAmounts(v any, cur string, fields ...string) map[string]any {
	raw, _ := json.Marshal(v)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	for _, f := range fields {
		if str, ok := m[f].(string); ok {
			if d, err := decimal.NewFromString(str); err == nil {
				m[f] = money.Fixed(d, cur)
			}
		}
	}
	return m
}
