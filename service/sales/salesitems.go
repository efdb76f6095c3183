package sales

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
	"github.com/facturo/facturo/service/identity"
	"github.com/facturo/facturo/service/usecase"
)

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
	Rate        money.UnitPrice `json:"rate"` // per hour, in the currency the customer is billed in
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
		d, err := money.ReadDecimal("default_price", *in.DefaultPrice, "12.50")
		if err != nil {
			return err
		}
		p.DefaultPrice = money.PriceIn(d, "") // in the product's currency: Normalize
	}
	set(&p.Currency, in.Currency)
	set(&p.Account, in.Account)
	set(&p.ItemSalesTaxGroup, in.ItemSalesTaxGroup)
	set(&p.Provider, in.Provider)
	set(&p.Archived, in.Archived)
	return nil
}

func (s *Service) checkProductRefs(ctx context.Context, tx CatalogTx, tenantID string, p billing.Product) error {
	if p.Account != "" {
		if err := identity.RequireAccount(ctx, tx, tenantID, "account", p.Account); err != nil {
			return err
		}
		if err := s.deps.RefuseControlAccount(ctx, tx, tenantID, "account", p.Account); err != nil {
			return err
		}
	}
	if p.ItemSalesTaxGroup != "" {
		setup, err := tx.TaxSetup(ctx, tenantID)
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
	now := s.now()
	prod := billing.Product{ID: id.NewAt("prd", now), TenantID: p.TenantID, CreatedAt: now, UpdatedAt: now}
	out, err := usecase.Write(ctx, s.catalog, p, access.ManageCatalog, func() error { return in.apply(&prod) },
		func(tx CatalogTx) (billing.Product, usecase.Audit, error) {
			if prod.Currency == "" {
				t, err := tx.GetTenant(ctx, p.TenantID)
				if err != nil {
					return prod, usecase.Audit{}, err
				}
				prod.Currency = t.Currency
			}
			if err := prod.Normalize(); err != nil {
				return prod, usecase.Audit{}, err
			}
			if err := s.checkProductRefs(ctx, tx, p.TenantID, prod); err != nil {
				return prod, usecase.Audit{}, err
			}
			if err := tx.InsertProduct(ctx, prod); err != nil {
				return prod, usecase.Audit{}, err
			}
			return prod, usecase.Entry("product.created", "product", prod.ID, prod), nil
		})
	if err != nil && usecase.Allow(p, access.ManageCatalog) == nil {
		return prod, err // as far as it got, as before the envelope
	}
	return out, err
}

// UpdateProduct changes a product.
func (s *Service) UpdateProduct(ctx context.Context, p access.Principal, productID string, in ProductInput) (billing.Product, error) {
	return usecase.Write(ctx, s.catalog, p, access.ManageCatalog, nil, func(tx CatalogTx) (billing.Product, usecase.Audit, error) {
		prod, err := tx.GetProduct(ctx, p.TenantID, productID)
		if err != nil {
			return billing.Product{}, usecase.Audit{}, err
		}
		before := prod
		if err := in.apply(&prod); err != nil {
			return billing.Product{}, usecase.Audit{}, err
		}
		if err := prod.Normalize(); err != nil {
			return billing.Product{}, usecase.Audit{}, err
		}
		if err := s.checkProductRefs(ctx, tx, p.TenantID, prod); err != nil {
			return billing.Product{}, usecase.Audit{}, err
		}
		prod.UpdatedAt = s.now()
		if err := tx.UpdateProduct(ctx, prod); err != nil {
			return billing.Product{}, usecase.Audit{}, err
		}
		return prod, usecase.Entry("product.updated", "product", prod.ID, usecase.Diff(before, prod)), nil
	})
}

// ListProducts lists the catalog.
func (s *Service) ListProducts(ctx context.Context, p access.Principal) ([]billing.Product, error) {
	return usecase.Read(ctx, s.catalog, p, access.ReadCatalog, func(tx CatalogTx) ([]billing.Product, error) {
		return tx.ListProducts(ctx, p.TenantID)
	})
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
		d, err := money.ReadDecimal(field, *v, "12.50")
		if err != nil {
			c.Merge("", err)
			return
		}
		*dst = d
	}
	set(&si.CustomerID, in.CustomerID)
	set(&si.ProductID, in.ProductID)
	set(&si.Description, in.Description)
	dec("quantity", in.Quantity, &si.Quantity)
	price, discount := si.UnitPrice.Decimal(), si.Discount.Decimal()
	dec("unit_price", in.UnitPrice, &price)
	dec("discount", in.Discount, &discount)
	// In the item's currency: Normalize.
	si.UnitPrice, si.Discount = money.PriceIn(price, si.Currency), money.In(discount, si.Currency)
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

// CompleteItem fills an item's defaults from its product and customer, sets
// its status from the customer's billing information and validates it, in
// tx. fromProduct takes description, provider, unit, charge type and
// currency from the product when the item has none.
func (s *Service) CompleteItem(ctx context.Context, tx CompleteTx, tenantID string, si *billing.SalesItem, fromProduct bool) error {
	if strings.TrimSpace(si.CustomerID) == "" {
		return fail.Field("customer_id", "is required")
	}
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
		setup, err := tx.TaxSetup(ctx, tenantID)
		if err != nil {
			return err
		}
		if _, ok := setup.ItemGroups[si.ItemSalesTaxGroup]; !ok {
			return fail.Field("item_sales_tax_group", "no item sales tax group %q: choose one of the tenant's (GET /api/v1/tax-groups)", si.ItemSalesTaxGroup)
		}
	}
	if si.Currency == "" {
		if si.Currency, err = billedCurrency(ctx, tx, tenantID, cust); err != nil {
			return err
		}
	}
	if si.Status == "" || si.Editable() {
		si.Status = billing.ItemStatusFor(cust.HasBillingInfo)
	}
	return si.Normalize()
}

// billedCurrency is the currency of a customer's sales items that neither
// they nor their product name: the customer's billing currency, else the
// tenant's.
func billedCurrency(ctx context.Context, tx CompleteTx, tenantID string, cust billing.Customer) (string, error) {
	if cust.Billing.Currency != "" {
		return cust.Billing.Currency, nil
	}
	t, err := tx.GetTenant(ctx, tenantID)
	if err != nil {
		return "", err
	}
	return t.Currency, nil
}

// CreateSalesItem adds a sales item by hand.
func (s *Service) CreateSalesItem(ctx context.Context, p access.Principal, in SalesItemInput) (billing.SalesItem, error) {
	now := s.now()
	si := billing.SalesItem{ID: id.NewAt(id.SalesItem, now), TenantID: p.TenantID, Source: billing.SourceManual, CreatedAt: now, UpdatedAt: now}
	out, err := usecase.Write(ctx, s.items, p, access.ManageSalesItems, func() error {
		err := in.apply(&si)
		si.SourceRef = si.ID
		return err
	}, func(tx ItemsTx) (billing.SalesItem, usecase.Audit, error) {
		if si.BillingDate.IsZero() {
			t, err := tx.GetTenant(ctx, p.TenantID)
			if err != nil {
				return si, usecase.Audit{}, err
			}
			si.BillingDate = calendar.Today(s.now(), t.Location())
		}
		if err := s.CompleteItem(ctx, tx, p.TenantID, &si, true); err != nil {
			return si, usecase.Audit{}, err
		}
		if err := tx.InsertSalesItem(ctx, si); err != nil {
			return si, usecase.Audit{}, err
		}
		return si, usecase.Entry("sales_item.created", "sales_item", si.ID, si).Emit("sales_item.created", salesItemEvent(si)), nil
	})
	if err != nil && requireSalesItems(p) == nil {
		return si, err // as far as it got, as before the envelope
	}
	return out, err
}

// UpdateSalesItem edits an item that is not invoiced or cancelled.
func (s *Service) UpdateSalesItem(ctx context.Context, p access.Principal, itemID string, in SalesItemInput) (billing.SalesItem, error) {
	return usecase.Write(ctx, s.items, p, access.ManageSalesItems, nil, func(tx ItemsTx) (billing.SalesItem, usecase.Audit, error) {
		si, err := tx.GetSalesItemForUpdate(ctx, p.TenantID, itemID)
		if err != nil {
			return billing.SalesItem{}, usecase.Audit{}, err
		}
		if !si.Editable() {
			return billing.SalesItem{}, usecase.Audit{}, fail.Conflictf("sales item %s is %s: only draft or pending items can be edited", si.ID, si.Status)
		}
		before := si
		if err := in.apply(&si); err != nil {
			return billing.SalesItem{}, usecase.Audit{}, err
		}
		if err := s.CompleteItem(ctx, tx, p.TenantID, &si, in.ProductID != nil); err != nil {
			return billing.SalesItem{}, usecase.Audit{}, err
		}
		si.UpdatedAt = s.now()
		if err := tx.UpdateSalesItem(ctx, si); err != nil {
			return billing.SalesItem{}, usecase.Audit{}, err
		}
		return si, usecase.Entry("sales_item.updated", "sales_item", si.ID, usecase.Diff(before, si)).Emit("sales_item.updated", salesItemEvent(si)), nil
	})
}

// CancelSalesItem cancels an item that is not invoiced.
func (s *Service) CancelSalesItem(ctx context.Context, p access.Principal, itemID string) (billing.SalesItem, error) {
	return usecase.Write(ctx, s.items, p, access.ManageSalesItems, nil, func(tx ItemsTx) (billing.SalesItem, usecase.Audit, error) {
		si, err := tx.GetSalesItemForUpdate(ctx, p.TenantID, itemID)
		if err != nil {
			return billing.SalesItem{}, usecase.Audit{}, err
		}
		if !si.Editable() {
			return billing.SalesItem{}, usecase.Audit{}, fail.Conflictf("sales item %s is %s: only draft or pending items can be cancelled", si.ID, si.Status)
		}
		si.Status = billing.ItemCancelled
		si.UpdatedAt = s.now()
		if err := tx.UpdateSalesItem(ctx, si); err != nil {
			return billing.SalesItem{}, usecase.Audit{}, err
		}
		return si, usecase.Entry("sales_item.cancelled", "sales_item", si.ID, nil).Emit("sales_item.cancelled", salesItemEvent(si)), nil
	})
}

// GetSalesItem returns one sales item.
func (s *Service) GetSalesItem(ctx context.Context, p access.Principal, itemID string) (billing.SalesItem, error) {
	return usecase.Read(ctx, s.items, p, access.ManageSalesItems, func(tx ItemsTx) (billing.SalesItem, error) {
		return tx.GetSalesItem(ctx, p.TenantID, itemID)
	})
}

// Sales item list columns.
var SalesItemSorts = []string{"billing_date", "customer", "description", "gross", "status", "source", "provider", "created_at"}

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

// AdvancedOps are the advanced filter's comparisons (contains on text
// fields only; in takes Values); and, or and not combine them.
var AdvancedOps = []string{"eq", "ne", "lt", "lte", "gt", "gte", "contains", "in"}

// AdvancedFieldNames are the keys of AdvancedFields, sorted.
func AdvancedFieldNames() []string {
	keys := make([]string, 0, len(AdvancedFields))
	for k := range AdvancedFields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
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
	default:
		if slices.Contains(AdvancedOps, c.Op) {
			break
		}
		return fail.Field(path+".op", "%q is not an operator: use and, or, not, eq, ne, lt, lte, gt, gte, contains, in", c.Op)
	}
	kind, ok := AdvancedFields[c.Field]
	if !ok {
		return fail.Field(path+".field", "%q cannot be filtered: use one of %s", c.Field, strings.Join(AdvancedFieldNames(), ", "))
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
			if _, err := money.ReadDecimal(path+".value", v, "12.50"); err != nil {
				return err
			}
		}
	}
	return nil
}

// salesItemEvent is the data of sales_item.* events.
func salesItemEvent(si billing.SalesItem) map[string]any {
	return map[string]any{"id": si.ID, "status": si.Status, "customer_id": si.CustomerID, "source": si.Source,
		"source_ref": si.SourceRef, "description": si.Description, "quantity": si.Quantity.String(), "unit_price": si.UnitPrice,
		"gross": si.Gross, "currency": si.Currency, "billing_date": si.BillingDate.String(), "invoice_id": si.InvoiceID}
}
