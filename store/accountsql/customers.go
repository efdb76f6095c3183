package accountsql

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store/dbtx"
	"github.com/facturo/facturo/store/enginesql"
	"github.com/facturo/facturo/store/sqlitesql"
)

// maxCreditLimit bounds credit_limit, numeric(28, 8) on PostgreSQL: 20
// digits before the point.
var maxCreditLimit = decimal.New(1, 20)

// customerRow is a customer's columns as the generated queries write them.
func customerRow(c billing.Customer) (sqlitesql.InsertCustomerParams, error) {
	// Refuse what PostgreSQL would round or overflow, on both engines alike.
	if limit := c.CreditLimit.Decimal(); !limit.Equal(limit.Truncate(8)) || !limit.Abs().LessThan(maxCreditLimit) {
		return sqlitesql.InsertCustomerParams{}, fail.Field("credit_limit", "must have at most 20 digits before the decimal point and 8 after")
	}
	contacts, err := dbtx.JSONArg(dbtx.NonNil(c.Contacts))
	if err != nil {
		return sqlitesql.InsertCustomerParams{}, fmt.Errorf("contacts: %w", err)
	}
	fields, err := dbtx.JSONArg(dbtx.NonNilMap(c.CustomFields))
	if err != nil {
		return sqlitesql.InsertCustomerParams{}, fmt.Errorf("custom fields: %w", err)
	}
	b, a := c.Billing, c.Billing.Address
	return sqlitesql.InsertCustomerParams{TenantID: c.TenantID, ID: c.ID, Number: c.Number, Name: c.Name, Contacts: contacts,
		LegalName: b.LegalName, TaxID: b.TaxID, BillingEmail: b.Email, Language: b.Language, Currency: b.Currency,
		Line1: a.Line1, Line2: a.Line2, City: a.City, Region: a.Region, PostalCode: a.PostalCode, Country: a.Country,
		InvoiceAccountID: dbtx.NText(c.InvoiceAccountID), PaymentTermsDays: int64(c.PaymentTermsDays), CreditLimit: c.CreditLimit.Decimal().String(),
		SalesTaxGroup: c.SalesTaxGroup, SapID: c.SAPID, BillingContractNumber: c.BillingContractNumber, SalesAccountExecutive: c.SalesAccountExecutive,
		ParentID: dbtx.NText(c.ParentID), CustomFields: fields, HasBillingInfo: c.HasBillingInfo, ArchivedAt: dbtx.NTimeOf(c.ArchivedAt),
		CreatedAt: dbtx.TimeOf(c.CreatedAt), UpdatedAt: dbtx.TimeOf(c.UpdatedAt), PostingProfile: c.PostingProfile, Search: c.SearchText(),
		MethodOfPayment: c.MethodOfPayment}, nil
}

// customerOf is the customer a row holds, with its tenant's currency, the
// currency of its credit limit when it names no billing currency
// (billing.Customer.CreditCurrency).
func customerOf(r sqlitesql.Customer, tenantCurrency string) (billing.Customer, error) {
	c := billing.Customer{TenantID: r.TenantID, ID: r.ID, Number: r.Number, Name: r.Name,
		Billing: billing.BillingInfo{LegalName: r.LegalName, TaxID: r.TaxID, Email: r.BillingEmail, Language: r.Language, Currency: r.Currency,
			Address: billing.Address{Line1: r.Line1, Line2: r.Line2, City: r.City, Region: r.Region, PostalCode: r.PostalCode, Country: r.Country}},
		InvoiceAccountID: r.InvoiceAccountID.String, PaymentTermsDays: int(r.PaymentTermsDays), SalesTaxGroup: r.SalesTaxGroup, SAPID: r.SapID,
		BillingContractNumber: r.BillingContractNumber, SalesAccountExecutive: r.SalesAccountExecutive, ParentID: r.ParentID.String,
		HasBillingInfo: r.HasBillingInfo, ArchivedAt: r.ArchivedAt.Ptr(), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		PostingProfile: r.PostingProfile, MethodOfPayment: r.MethodOfPayment}
	var p dbtx.Parse
	c.CreditLimit = money.In(p.Dec(r.CreditLimit), c.CreditCurrency(tenantCurrency))
	if p.Err != nil {
		return c, fmt.Errorf("customer %s: %w", r.ID, p.Err)
	}
	if err := json.Unmarshal([]byte(r.Contacts), &c.Contacts); err != nil {
		return c, fmt.Errorf("customer %s contacts: %w", c.ID, err)
	}
	if err := json.Unmarshal([]byte(r.CustomFields), &c.CustomFields); err != nil {
		return c, fmt.Errorf("customer %s custom fields: %w", c.ID, err)
	}
	return c, nil
}

// customerWithCurrency is a customer row beside its tenant's currency, as
// the generated queries return it (sqlc.embed) and ListCustomers scans it.
type customerWithCurrency = sqlitesql.GetCustomerRow

func customersOf(rows []customerWithCurrency) ([]billing.Customer, error) {
	out := make([]billing.Customer, 0, len(rows))
	for _, r := range rows {
		c, err := customerOf(r.Customer, r.TenantCurrency)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func duplicateNumber(err error) error {
	if ok, detail := dbtx.UniqueViolation(err); ok && strings.Contains(detail, "number") {
		return &fail.Error{Code: fail.Conflict, Message: "number: another customer already has this number",
			Fields: []fail.FieldError{{Field: "number", Message: "another customer already has this number"}}}
	}
	return nil
}

func (t *Accounts) InsertCustomer(ctx context.Context, c billing.Customer) error {
	row, err := customerRow(c)
	if err != nil {
		return err
	}
	err = enginesql.For(t.Tx).InsertCustomer(ctx, row)
	if dup := duplicateNumber(err); dup != nil {
		return dup
	}
	if err != nil {
		return fmt.Errorf("insert customer: %w", err)
	}
	return nil
}

func (t *Accounts) GetCustomer(ctx context.Context, tenantID, customerID string) (billing.Customer, error) {
	r, err := enginesql.For(t.Tx).GetCustomer(ctx, sqlitesql.GetCustomerParams{TenantID: tenantID, ID: customerID})
	return t.gotCustomer(customerWithCurrency(r), err, customerID)
}

func (t *Accounts) GetCustomerForUpdate(ctx context.Context, tenantID, customerID string) (billing.Customer, error) {
	r, err := enginesql.For(t.Tx).GetCustomerForUpdate(ctx, sqlitesql.GetCustomerForUpdateParams{TenantID: tenantID, ID: customerID})
	return t.gotCustomer(customerWithCurrency(r), err, customerID)
}

func (t *Accounts) gotCustomer(r customerWithCurrency, err error, customerID string) (billing.Customer, error) {
	if dbtx.ErrNoRows(err) {
		return billing.Customer{}, dbtx.NotFound("customer", customerID)
	}
	if err != nil {
		return billing.Customer{}, fmt.Errorf("get customer: %w", err)
	}
	return customerOf(r.Customer, r.TenantCurrency)
}

func (t *Accounts) UpdateCustomer(ctx context.Context, c billing.Customer) error {
	row, err := customerRow(c)
	if err != nil {
		return err
	}
	n, err := enginesql.For(t.Tx).UpdateCustomer(ctx, sqlitesql.UpdateCustomerParams{Number: row.Number, Name: row.Name, Contacts: row.Contacts,
		LegalName: row.LegalName, TaxID: row.TaxID, BillingEmail: row.BillingEmail, Language: row.Language, Currency: row.Currency,
		Line1: row.Line1, Line2: row.Line2, City: row.City, Region: row.Region, PostalCode: row.PostalCode, Country: row.Country,
		InvoiceAccountID: row.InvoiceAccountID, PaymentTermsDays: row.PaymentTermsDays, CreditLimit: row.CreditLimit, SalesTaxGroup: row.SalesTaxGroup,
		SapID: row.SapID, BillingContractNumber: row.BillingContractNumber, SalesAccountExecutive: row.SalesAccountExecutive, ParentID: row.ParentID,
		CustomFields: row.CustomFields, HasBillingInfo: row.HasBillingInfo, ArchivedAt: row.ArchivedAt, UpdatedAt: row.UpdatedAt,
		PostingProfile: row.PostingProfile, Search: row.Search, MethodOfPayment: row.MethodOfPayment, TenantID: row.TenantID, ID: row.ID})
	if dup := duplicateNumber(err); dup != nil {
		return dup
	}
	return dbtx.MustAffectRows(n, err, "customer", c.ID)
}

var customerSortColumn = map[string]string{
	service.SortNumber:    "number",
	service.SortName:      "name",
	service.SortCreatedAt: "created_at",
	service.SortUpdatedAt: "updated_at",
}

func (t *Accounts) ListCustomers(ctx context.Context, tenantID string, f service.CustomerFilter) ([]billing.Customer, error) {
	col, ok := customerSortColumn[f.Sort]
	if !ok {
		return nil, fail.Field("sort", "%q is not sortable", f.Sort)
	}
	w := dbtx.TenantWhere("tenant_id", tenantID)
	add := w.And
	switch f.Archived {
	case service.ArchivedOnly:
		add("archived_at IS NOT NULL")
	case service.ArchivedInclude:
	default:
		add("archived_at IS NULL")
	}
	if f.HasBillingInfo != nil {
		add("has_billing_info = ?", *f.HasBillingInfo)
	}
	if f.Currency != "" {
		add("currency = ?", f.Currency)
	}
	if f.Country != "" {
		add("country = ?", strings.ToUpper(f.Country))
	}
	if f.ParentID != "" {
		add("parent_id = ?", f.ParentID)
	}
	if f.SalesTaxGroup != "" {
		add("sales_tax_group = ?", f.SalesTaxGroup)
	}
	if f.CustomerID != "" {
		add("id = ?", f.CustomerID)
	}
	if f.Query != "" {
		add(`search LIKE ? ESCAPE '\'`, "%"+dbtx.LikeEscape(f.Query)+"%")
	}
	if c := f.Page.After(); c != nil {
		var v any = c.Sort
		if col == "created_at" || col == "updated_at" {
			ts, err := time.Parse(time.RFC3339Nano, c.Sort)
			if err != nil {
				return nil, fail.Field("cursor", "is not a cursor this API returned")
			}
			v = t.D.TS(ts)
		}
		op := ">"
		if f.Desc {
			op = "<"
		}
		add("("+col+", id) "+op+" (?, ?)", v, c.ID)
	}
	dir := "ASC"
	if f.Desc {
		dir = "DESC"
	}
	rows, err := t.Query(ctx, `SELECT *, `+dbtx.AccountingCurrency("customers")+` AS tenant_currency FROM customers
		WHERE `+w.String()+` ORDER BY `+col+` `+dir+`, id `+dir+` LIMIT ?`, append(w.Args(), f.Page.Limit+1)...)
	if err != nil {
		return nil, fmt.Errorf("list customers: %w", err)
	}
	rs, err := dbtx.ScanRows[customerWithCurrency](rows)
	if err != nil {
		return nil, err
	}
	return customersOf(rs)
}

func (t *Accounts) CustomerNumberTaken(ctx context.Context, tenantID, number string) (bool, error) {
	n, err := enginesql.For(t.Tx).CustomerNumberTaken(ctx, sqlitesql.CustomerNumberTakenParams{TenantID: tenantID, Number: number})
	if err != nil {
		return false, fmt.Errorf("customer number taken: %w", err)
	}
	return n > 0, nil
}

// CustomerByRef finds a customer by its number, or else by its SAP id.
func (t *Accounts) CustomerByRef(ctx context.Context, tenantID, ref string) (billing.Customer, error) {
	q := enginesql.For(t.Tx)
	rows, err := q.CustomerByNumber(ctx, sqlitesql.CustomerByNumberParams{TenantID: tenantID, Number: ref})
	if err == nil && len(rows) == 0 {
		var bySAP []sqlitesql.CustomerBySAPIDRow
		bySAP, err = q.CustomerBySAPID(ctx, sqlitesql.CustomerBySAPIDParams{TenantID: tenantID, SapID: ref})
		for _, r := range bySAP {
			rows = append(rows, sqlitesql.CustomerByNumberRow(r))
		}
	}
	if err != nil {
		return billing.Customer{}, fmt.Errorf("customer by ref: %w", err)
	}
	if len(rows) == 0 {
		return billing.Customer{}, dbtx.NotFound("customer", ref)
	}
	return customerOf(rows[0].Customer, rows[0].TenantCurrency)
}

// CustomersBilledTo returns the accounts and the customers billed to them
// (sub-accounts), in one query per 1,000 accounts.
func (t *Accounts) CustomersBilledTo(ctx context.Context, tenantID string, accounts []string) ([]billing.Customer, error) {
	var out []billing.Customer
	seen := map[string]bool{}
	q := enginesql.For(t.Tx)
	for start := 0; start < len(accounts); start += 1000 {
		batch := accounts[start:min(start+1000, len(accounts))]
		rows, err := q.CustomersBilledTo(ctx, sqlitesql.CustomersBilledToParams{TenantID: tenantID, Ids: batch, Accounts: batch})
		if err != nil {
			return nil, fmt.Errorf("customers billed to: %w", err)
		}
		for _, r := range rows {
			if seen[r.Customer.ID] { // an account billed to an account of the list: once
				continue
			}
			seen[r.Customer.ID] = true
			c, err := customerOf(r.Customer, r.TenantCurrency)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		}
	}
	return out, nil
}
