package service

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/id"
	"github.com/facturo/facturo/money"
)

// SalesItemStore persists the catalog, contracts, tickets and sales items.
type SalesItemStore interface {
	InsertProduct(ctx context.Context, p billing.Product) error // conflict on a duplicate code
	UpdateProduct(ctx context.Context, p billing.Product) error
	GetProduct(ctx context.Context, tenantID, productID string) (billing.Product, error)
	ProductByCode(ctx context.Context, tenantID, code string) (billing.Product, error)
	ListProducts(ctx context.Context, tenantID string) ([]billing.Product, error)
	InsertContract(ctx context.Context, c billing.Contract) error
	UpdateContract(ctx context.Context, c billing.Contract) error
	GetContract(ctx context.Context, tenantID, contractID string) (billing.Contract, error)
	ListContracts(ctx context.Context, tenantID, customerID string) ([]billing.Contract, error)
	InsertTicket(ctx context.Context, t Ticket) error
	GetTicket(ctx context.Context, tenantID, ticketID string) (Ticket, error)
	ListTickets(ctx context.Context, tenantID, customerID string) ([]Ticket, error)
	InsertTimeEntry(ctx context.Context, e TimeEntry) error
	ListTimeEntries(ctx context.Context, tenantID, ticketID string) ([]TimeEntry, error)
	// InsertSalesItem adds an item; for sources other than manual, a second
	// item with the same (source, source_ref) is refused with fail.Conflict.
	InsertSalesItem(ctx context.Context, si billing.SalesItem) error
	UpdateSalesItem(ctx context.Context, si billing.SalesItem) error
	GetSalesItem(ctx context.Context, tenantID, itemID string) (billing.SalesItem, error)
	GetSalesItemForUpdate(ctx context.Context, tenantID, itemID string) (billing.SalesItem, error)
	ListSalesItems(ctx context.Context, tenantID string, f SalesItemFilter) ([]billing.SalesItem, error)
	// SetOpenItemsStatus moves a customer's draft or pending items to status.
	SetOpenItemsStatus(ctx context.Context, tenantID, customerID string, status billing.ItemStatus, at time.Time) (int, error)
	// CustomerByRef finds a customer by number or SAP id (usage files).
	CustomerByRef(ctx context.Context, tenantID, ref string) (billing.Customer, error)
}

// Ticket is a support ticket of a customer; billable time on it becomes sales items.
type Ticket struct {
	ID         string    `json:"id"`
	TenantID   string    `json:"-"`
	Number     string    `json:"number"`
	CustomerID string    `json:"customer_id"`
	Title      string    `json:"title"`
	Status     string    `json:"status"` // open, closed
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// TimeEntry is time logged on a ticket.
type TimeEntry struct {
	ID          string          `json:"id"`
	TenantID    string          `json:"-"`
	TicketID    string          `json:"ticket_id"`
	UserID      string          `json:"user_id"`
	UserName    string          `json:"user_name"`
	WorkDate    calendar.Date   `json:"work_date"`
	Minutes     int             `json:"minutes"`
	Billable    bool            `json:"billable"`
	Rate        decimal.Decimal `json:"rate"` // per hour, in the customer's currency
	Description string          `json:"description"`
	CreatedAt   time.Time       `json:"created_at"`
}

// requireSalesItems is seed 002's rule: only administrator, director, group
// manager, finance manager, finance and sales manage sales items.
func requireSalesItems(p access.Principal) error { return p.Require(access.ManageSalesItems) }

// --- products

// ProductInput creates or changes a product; nil fields stay.
type ProductInput struct {
	Code              *string
	Name              *string
	ChargeType        *string
	Unit              *string
	DefaultPrice      *string
	Currency          *string
	Account           *string
	ItemSalesTaxGroup *string
	Provider          *string
	Archived          *bool
}

func (in ProductInput) apply(p *billing.Product) error {
	set(&p.Code, in.Code)
	set(&p.Name, in.Name)
	if in.ChargeType != nil {
		p.ChargeType = billing.ChargeType(*in.ChargeType)
	}
	set(&p.Unit, in.Unit)
	if in.DefaultPrice != nil {
		d, err := money.ParseDecimal(*in.DefaultPrice)
		if err != nil {
			return fail.Field("default_price", "%q is not a decimal such as \"12.50\"", *in.DefaultPrice)
		}
		p.DefaultPrice = d
	}
	set(&p.Currency, in.Currency)
	set(&p.Account, in.Account)
	set(&p.ItemSalesTaxGroup, in.ItemSalesTaxGroup)
	set(&p.Provider, in.Provider)
	set(&p.Archived, in.Archived)
	return nil
}

func (s *Service) checkProductRefs(ctx context.Context, tx Tx, tenantID string, p billing.Product) error {
	if p.Account != "" {
		if err := s.requireAccount(ctx, tx, tenantID, "account", p.Account); err != nil {
			return err
		}
		accounts, err := tx.ListAccounts(ctx, tenantID)
		if err != nil {
			return err
		}
		control, err := s.controlAccounts(ctx, tx, tenantID, accounts)
		if err != nil {
			return err
		}
		if control[p.Account] {
			return controlAccountErr("account", p.Account)
		}
	}
	if p.ItemSalesTaxGroup != "" {
		setup, err := s.taxSetup(ctx, tx, tenantID)
		if err != nil {
			return err
		}
		if _, ok := setup.ItemGroups[p.ItemSalesTaxGroup]; !ok {
			return fail.Field("item_sales_tax_group", "no item sales tax group %q", p.ItemSalesTaxGroup)
		}
	}
	return nil
}

// CreateProduct adds a product to the catalog.
func (s *Service) CreateProduct(ctx context.Context, p access.Principal, in ProductInput) (billing.Product, error) {
	if err := p.Require(access.ManageCatalog); err != nil {
		return billing.Product{}, err
	}
	now := s.Now()
	prod := billing.Product{ID: id.NewAt("prd", now), TenantID: p.TenantID, CreatedAt: now, UpdatedAt: now}
	if err := in.apply(&prod); err != nil {
		return prod, err
	}
	err := s.store.Write(ctx, func(tx Tx) error {
		if prod.Currency == "" {
			t, err := tx.GetTenant(ctx, p.TenantID)
			if err != nil {
				return err
			}
			prod.Currency = t.Currency
		}
		if err := prod.Normalize(); err != nil {
			return err
		}
		if err := s.checkProductRefs(ctx, tx, p.TenantID, prod); err != nil {
			return err
		}
		if err := tx.InsertProduct(ctx, prod); err != nil {
			return err
		}
		cur, err := s.amountCurrency(ctx, tx, p.TenantID, prod.Currency)
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, p, "product.created", "product", prod.ID, withPrice(prod, cur))
	})
	return prod, err
}

// UpdateProduct changes a product.
func (s *Service) UpdateProduct(ctx context.Context, p access.Principal, productID string, in ProductInput) (billing.Product, error) {
	if err := p.Require(access.ManageCatalog); err != nil {
		return billing.Product{}, err
	}
	var out billing.Product
	err := s.store.Write(ctx, func(tx Tx) error {
		prod, err := tx.GetProduct(ctx, p.TenantID, productID)
		if err != nil {
			return err
		}
		before := prod
		if err := in.apply(&prod); err != nil {
			return err
		}
		if err := prod.Normalize(); err != nil {
			return err
		}
		if err := s.checkProductRefs(ctx, tx, p.TenantID, prod); err != nil {
			return err
		}
		prod.UpdatedAt = s.Now()
		if err := tx.UpdateProduct(ctx, prod); err != nil {
			return err
		}
		out = prod
		cur, err := s.amountCurrency(ctx, tx, p.TenantID, prod.Currency)
		if err != nil {
			return err
		}
		curBefore, err := s.amountCurrency(ctx, tx, p.TenantID, before.Currency)
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, p, "product.updated", "product", prod.ID, diff(withPrice(before, curBefore), withPrice(prod, cur)))
	})
	return out, err
}

// ListProducts lists the catalog.
func (s *Service) ListProducts(ctx context.Context, p access.Principal) ([]billing.Product, error) {
	if err := p.Require(access.ReadCatalog); err != nil {
		return nil, err
	}
	var out []billing.Product
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = tx.ListProducts(ctx, p.TenantID)
		return err
	})
	return out, err
}

// --- sales items

// SalesItemInput creates or edits a sales item by hand; nil fields stay.
type SalesItemInput struct {
	CustomerID  *string
	ProductID   *string
	Description *string
	Quantity    *string
	UnitPrice   *string
	Discount    *string
	BillingDate *calendar.Date
	PeriodStart *calendar.Date
	PeriodEnd   *calendar.Date
	Provider    *string
	Currency    *string
	ChargeType  *string
	// ItemSalesTaxGroup is the item sales tax group of an item made by hand
	// (default: its product's), which with the customer's sales tax group
	// gives the line its tax code.
	ItemSalesTaxGroup *string
}

func (in SalesItemInput) apply(si *billing.SalesItem) error {
	var c fail.Collector
	dec := func(field string, v *string, dst *decimal.Decimal) {
		if v == nil {
			return
		}
		d, err := money.ParseDecimal(*v)
		if err != nil {
			c.Add(field, "%q is not a decimal such as \"12.50\"", *v)
			return
		}
		*dst = d
	}
	set(&si.CustomerID, in.CustomerID)
	set(&si.ProductID, in.ProductID)
	set(&si.Description, in.Description)
	dec("quantity", in.Quantity, &si.Quantity)
	dec("unit_price", in.UnitPrice, &si.UnitPrice)
	dec("discount", in.Discount, &si.Discount)
	set(&si.BillingDate, in.BillingDate)
	set(&si.PeriodStart, in.PeriodStart)
	set(&si.PeriodEnd, in.PeriodEnd)
	set(&si.Provider, in.Provider)
	set(&si.Currency, in.Currency)
	if in.ItemSalesTaxGroup != nil {
		si.ItemSalesTaxGroup = strings.TrimSpace(*in.ItemSalesTaxGroup)
	}
	if in.ChargeType != nil {
		si.ChargeType = billing.ChargeType(*in.ChargeType)
	}
	return c.Err()
}

// completeItem fills an item's defaults from its product and customer, sets
// its status from the customer's billing information and validates it.
func (s *Service) completeItem(ctx context.Context, tx Tx, tenantID string, si *billing.SalesItem, fromProduct bool) error {
	cust, err := tx.GetCustomer(ctx, tenantID, si.CustomerID)
	if fail.Is(err, fail.NotFound) {
		return fail.Field("customer_id", "no customer %q in this tenant", si.CustomerID)
	} else if err != nil {
		return err
	}
	if cust.ArchivedAt != nil {
		return fail.Field("customer_id", "customer %s is archived", cust.Number)
	}
	if si.ProductID != "" {
		prod, err := tx.GetProduct(ctx, tenantID, si.ProductID)
		if fail.Is(err, fail.NotFound) {
			return fail.Field("product_id", "no product %q", si.ProductID)
		} else if err != nil {
			return err
		}
		if fromProduct {
			if si.Description == "" {
				si.Description = prod.Name
			}
			if si.Provider == "" {
				si.Provider = prod.Provider
			}
			if si.Unit == "" {
				si.Unit = prod.Unit
			}
			if si.ChargeType == "" {
				si.ChargeType = prod.ChargeType
			}
			if si.Currency == "" {
				si.Currency = prod.Currency
			}
		}
		si.Account = prod.Account
		if si.ItemSalesTaxGroup == "" {
			si.ItemSalesTaxGroup = prod.ItemSalesTaxGroup
		}
	}
	if si.ItemSalesTaxGroup != "" {
		setup, err := s.taxSetup(ctx, tx, tenantID)
		if err != nil {
			return err
		}
		if _, ok := setup.ItemGroups[si.ItemSalesTaxGroup]; !ok {
			return fail.Field("item_sales_tax_group", "no item sales tax group %q: choose one of the tenant's (GET /api/v1/tax-groups)", si.ItemSalesTaxGroup)
		}
	}
	if si.Currency == "" {
		si.Currency = cust.Billing.Currency
	}
	if si.Currency == "" {
		t, err := tx.GetTenant(ctx, tenantID)
		if err != nil {
			return err
		}
		si.Currency = t.Currency
	}
	if si.Status == "" || si.Editable() {
		si.Status = billing.ItemStatusFor(cust.HasBillingInfo)
	}
	return si.Normalize()
}

// CreateSalesItem adds a sales item by hand.
func (s *Service) CreateSalesItem(ctx context.Context, p access.Principal, in SalesItemInput) (billing.SalesItem, error) {
	if err := requireSalesItems(p); err != nil {
		return billing.SalesItem{}, err
	}
	now := s.Now()
	si := billing.SalesItem{ID: id.NewAt(id.SalesItem, now), TenantID: p.TenantID, Source: billing.SourceManual, CreatedAt: now, UpdatedAt: now}
	if err := in.apply(&si); err != nil {
		return si, err
	}
	si.SourceRef = si.ID
	err := s.store.Write(ctx, func(tx Tx) error {
		if si.BillingDate.IsZero() {
			t, err := tx.GetTenant(ctx, p.TenantID)
			if err != nil {
				return err
			}
			si.BillingDate = calendar.Today(s.Now(), t.Location())
		}
		if err := s.completeItem(ctx, tx, p.TenantID, &si, true); err != nil {
			return err
		}
		if err := tx.InsertSalesItem(ctx, si); err != nil {
			return err
		}
		if err := s.emitEvent(ctx, tx, p.TenantID, "sales_item.created", salesItemEvent(si)); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, "sales_item.created", "sales_item", si.ID, si)
	})
	return si, err
}

// UpdateSalesItem edits an item that is not invoiced or cancelled.
func (s *Service) UpdateSalesItem(ctx context.Context, p access.Principal, itemID string, in SalesItemInput) (billing.SalesItem, error) {
	if err := requireSalesItems(p); err != nil {
		return billing.SalesItem{}, err
	}
	var out billing.SalesItem
	err := s.store.Write(ctx, func(tx Tx) error {
		si, err := tx.GetSalesItemForUpdate(ctx, p.TenantID, itemID)
		if err != nil {
			return err
		}
		if !si.Editable() {
			return fail.Conflictf("sales item %s is %s: only draft or pending items can be edited", si.ID, si.Status)
		}
		before := si
		if err := in.apply(&si); err != nil {
			return err
		}
		if err := s.completeItem(ctx, tx, p.TenantID, &si, in.ProductID != nil); err != nil {
			return err
		}
		si.UpdatedAt = s.Now()
		if err := tx.UpdateSalesItem(ctx, si); err != nil {
			return err
		}
		out = si
		if err := s.emitEvent(ctx, tx, p.TenantID, "sales_item.updated", salesItemEvent(si)); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, "sales_item.updated", "sales_item", si.ID, diff(before, si))
	})
	return out, err
}

// CancelSalesItem cancels an item that is not invoiced.
func (s *Service) CancelSalesItem(ctx context.Context, p access.Principal, itemID string) (billing.SalesItem, error) {
	if err := requireSalesItems(p); err != nil {
		return billing.SalesItem{}, err
	}
	var out billing.SalesItem
	err := s.store.Write(ctx, func(tx Tx) error {
		si, err := tx.GetSalesItemForUpdate(ctx, p.TenantID, itemID)
		if err != nil {
			return err
		}
		if !si.Editable() {
			return fail.Conflictf("sales item %s is %s: only draft or pending items can be cancelled", si.ID, si.Status)
		}
		si.Status = billing.ItemCancelled
		si.UpdatedAt = s.Now()
		if err := tx.UpdateSalesItem(ctx, si); err != nil {
			return err
		}
		out = si
		if err := s.emitEvent(ctx, tx, p.TenantID, "sales_item.cancelled", salesItemEvent(si)); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, "sales_item.cancelled", "sales_item", si.ID, nil)
	})
	return out, err
}

// GetSalesItem returns one sales item.
func (s *Service) GetSalesItem(ctx context.Context, p access.Principal, itemID string) (billing.SalesItem, error) {
	if err := requireSalesItems(p); err != nil {
		return billing.SalesItem{}, err
	}
	var si billing.SalesItem
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		si, err = tx.GetSalesItem(ctx, p.TenantID, itemID)
		return err
	})
	return si, err
}

// Sales item list columns.
var SalesItemSorts = []string{"billing_date", "customer", "description", "gross", "status", "source", "provider", "created_at"}

// SalesItemFilter selects and orders sales items (seed 002's list, filter and advanced filter).
type SalesItemFilter struct {
	CustomerID string
	Statuses   []billing.ItemStatus
	Sources    []billing.Source
	Provider   string
	From, To   calendar.Date // billing date
	Invoiced   *bool
	MinGross   *decimal.Decimal
	MaxGross   *decimal.Decimal
	Advanced   *Condition // conditions combined with and/or/not
	Sort       string
	Desc       bool
	Page       Page
}

// Condition is a node of the advanced filter: a comparison, an and/or of
// child conditions, or a not of one child condition.
type Condition struct {
	Op       string      `json:"op"` // and, or, not; or a comparison: eq, ne, lt, lte, gt, gte, contains, in
	Field    string      `json:"field,omitempty"`
	Value    string      `json:"value,omitempty"`
	Values   []string    `json:"values,omitempty"`
	Children []Condition `json:"conditions,omitempty"`
}

// AdvancedFields are the fields the advanced filter may compare.
var AdvancedFields = map[string]string{
	"customer_id": "text", "status": "text", "source": "text", "provider": "text", "currency": "text", "description": "text",
	"product_id": "text", "charge_type": "text", "billing_date": "date", "gross": "decimal", "quantity": "decimal", "unit_price": "decimal",
}

// Check validates the condition tree (depth at most 4, 50 nodes).
func (c Condition) Check(path string) error {
	n := 0
	return c.check(path, 0, &n)
}

func (c Condition) check(path string, depth int, n *int) error {
	*n++
	if depth > 4 || *n > 50 {
		return fail.Field(path, "the filter is too deep or too large (at most 4 levels, 50 conditions)")
	}
	switch c.Op {
	case "and", "or", "not":
		if len(c.Children) == 0 {
			return fail.Field(path+".conditions", "%s needs at least one condition", c.Op)
		}
		if c.Op == "not" && len(c.Children) != 1 {
			return fail.Field(path+".conditions", "not takes exactly one condition (use and/or inside it to combine several)")
		}
		for i, ch := range c.Children {
			if err := ch.check(fmt.Sprintf("%s.conditions[%d]", path, i), depth+1, n); err != nil {
				return err
			}
		}
		return nil
	case "eq", "ne", "lt", "lte", "gt", "gte", "contains", "in":
	default:
		return fail.Field(path+".op", "%q is not an operator: use and, or, not, eq, ne, lt, lte, gt, gte, contains, in", c.Op)
	}
	kind, ok := AdvancedFields[c.Field]
	if !ok {
		keys := make([]string, 0, len(AdvancedFields))
		for k := range AdvancedFields {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		return fail.Field(path+".field", "%q cannot be filtered: use one of %s", c.Field, strings.Join(keys, ", "))
	}
	vals := c.Values
	if c.Op != "in" {
		vals = []string{c.Value}
	} else if len(vals) == 0 || len(vals) > 100 {
		return fail.Field(path+".values", "in needs 1 to 100 values")
	}
	if c.Op == "contains" && kind != "text" {
		return fail.Field(path+".op", "contains works on text fields only")
	}
	for _, v := range vals {
		switch kind {
		case "date":
			if _, err := calendar.Parse(v); err != nil {
				return fail.Field(path+".value", "%v", err)
			}
		case "decimal":
			if _, err := money.ParseDecimal(v); err != nil {
				return fail.Field(path+".value", "%q is not a decimal", v)
			}
		}
	}
	return nil
}

// ListSalesItems lists sales items with filters, sort, cursor pagination and the advanced filter.
func (s *Service) ListSalesItems(ctx context.Context, p access.Principal, f SalesItemFilter) (PageOf[billing.SalesItem], error) {
	if err := requireSalesItems(p); err != nil {
		return PageOf[billing.SalesItem]{}, err
	}
	var c fail.Collector
	for _, st := range f.Statuses {
		if !slices.Contains(billing.ItemStatuses, st) {
			c.Add("status", "%q is not a status: use draft, pending, invoiced or cancelled", st)
		}
	}
	for _, src := range f.Sources {
		if !slices.Contains(billing.Sources, src) {
			c.Add("source", "%q is not a source: use contract, ticket, usage, subscription or manual", src)
		}
	}
	if f.Sort == "" {
		f.Sort = "billing_date"
	}
	if !slices.Contains(SalesItemSorts, f.Sort) {
		c.Add("sort", "%q is not sortable: use one of %v", f.Sort, SalesItemSorts)
	}
	if f.Advanced != nil {
		if err := f.Advanced.Check("filter"); err != nil {
			c.Merge("", err)
		}
	}
	if err := f.Page.decode(); err != nil {
		c.Merge("", err)
	}
	if err := c.Err(); err != nil {
		return PageOf[billing.SalesItem]{}, err
	}
	var rows []billing.SalesItem
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		rows, err = tx.ListSalesItems(ctx, p.TenantID, f)
		return err
	})
	if err != nil {
		return PageOf[billing.SalesItem]{}, err
	}
	return pageOf(rows, f.Page.Limit, func(si billing.SalesItem) Cursor { return Cursor{Sort: SalesItemSortValue(si, f.Sort), ID: si.ID} }), nil
}

// SalesItemSortValue is the cursor value of an item for a sort column.
func SalesItemSortValue(si billing.SalesItem, sort string) string {
	switch sort {
	case "customer":
		return si.CustomerID
	case "description":
		return si.Description
	case "gross":
		return si.Gross.String()
	case "status":
		return string(si.Status)
	case "source":
		return string(si.Source)
	case "provider":
		return si.Provider
	case "created_at":
		return si.CreatedAt.UTC().Format(TimeLayout)
	}
	return si.BillingDate.String()
}

// salesItemEvent is the data of sales_item.* events.
func salesItemEvent(si billing.SalesItem) map[string]any {
	return map[string]any{"id": si.ID, "status": si.Status, "customer_id": si.CustomerID, "source": si.Source,
		"source_ref": si.SourceRef, "description": si.Description, "quantity": si.Quantity.String(), "unit_price": money.Price(si.UnitPrice, si.Currency),
		"gross": money.Fixed(si.Gross, si.Currency), "currency": si.Currency, "billing_date": si.BillingDate.String(), "invoice_id": si.InvoiceID}
}

// withPrice is a product as the audit trail records it: its default price
// with at least its currency's digits (money.Price).
func withPrice(prod billing.Product, cur string) map[string]any {
	m := withAmounts(prod, cur)
	m["default_price"] = money.Price(prod.DefaultPrice, cur)
	return m
}
