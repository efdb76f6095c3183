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
)

// customerSelect selects a customer with its tenant's currency, the
// currency of its credit limit when it names no billing currency
// (billing.Customer.CreditCurrency).
func customerSelect(d dbtx.Dialect) string {
	return customerCols(d) + `, ` + dbtx.AccountingCurrency("customers")
}

func customerCols(d dbtx.Dialect) string {
	return `tenant_id, id, number, name, contacts, legal_name, tax_id, billing_email, language, currency,
	line1, line2, city, region, postal_code, country, invoice_account_id, payment_terms_days, ` + d.Dec("credit_limit") + `,
	sales_tax_group, sap_id, billing_contract_number, sales_account_executive, parent_id, custom_fields,
	has_billing_info, archived_at, created_at, updated_at, posting_profile`
}

// maxCreditLimit bounds credit_limit, numeric(28, 8) on PostgreSQL: 20
// digits before the point.
var maxCreditLimit = decimal.New(1, 20)

func customerArgs(d dbtx.Dialect, c billing.Customer) ([]any, error) {
	// Refuse what PostgreSQL would round or overflow, on both engines alike.
	if limit := c.CreditLimit.Decimal(); !limit.Equal(limit.Truncate(8)) || !limit.Abs().LessThan(maxCreditLimit) {
		return nil, fail.Field("credit_limit", "must have at most 20 digits before the decimal point and 8 after")
	}
	contacts := c.Contacts
	if contacts == nil {
		contacts = []billing.Contact{}
	}
	cj, err := json.Marshal(contacts)
	if err != nil {
		return nil, fmt.Errorf("marshal contacts: %w", err)
	}
	fields := c.CustomFields
	if fields == nil {
		fields = map[string]string{}
	}
	fj, err := json.Marshal(fields)
	if err != nil {
		return nil, fmt.Errorf("marshal custom fields: %w", err)
	}
	b, a := c.Billing, c.Billing.Address
	return []any{c.TenantID, c.ID, c.Number, c.Name, string(cj), b.LegalName, b.TaxID, b.Email, b.Language, b.Currency,
		a.Line1, a.Line2, a.City, a.Region, a.PostalCode, a.Country, dbtx.Nullable(c.InvoiceAccountID), c.PaymentTermsDays,
		dbtx.DecArg(c.CreditLimit.Decimal()), c.SalesTaxGroup, c.SAPID, c.BillingContractNumber, c.SalesAccountExecutive,
		dbtx.Nullable(c.ParentID), string(fj), c.HasBillingInfo, d.NTS(c.ArchivedAt), d.TS(c.CreatedAt), d.TS(c.UpdatedAt),
		c.PostingProfile, c.SearchText()}, nil
}

func scanCustomer(row interface{ Scan(...any) error }) (billing.Customer, error) {
	var c billing.Customer
	var contacts, fields, tenantCurrency string
	var limit decimal.Decimal
	b := &c.Billing
	a := &b.Address
	err := row.Scan(&c.TenantID, &c.ID, &c.Number, &c.Name, &contacts, &b.LegalName, &b.TaxID, &b.Email, &b.Language, &b.Currency,
		&a.Line1, &a.Line2, &a.City, &a.Region, &a.PostalCode, &a.Country, dbtx.ScanText(&c.InvoiceAccountID), &c.PaymentTermsDays,
		dbtx.ScanDec(&limit), &c.SalesTaxGroup, &c.SAPID, &c.BillingContractNumber, &c.SalesAccountExecutive,
		dbtx.ScanText(&c.ParentID), &fields, &c.HasBillingInfo, dbtx.ScanNTS(&c.ArchivedAt), dbtx.ScanTS(&c.CreatedAt), dbtx.ScanTS(&c.UpdatedAt),
		&c.PostingProfile, &tenantCurrency)
	if err != nil {
		return c, err
	}
	c.CreditLimit = money.In(limit, c.CreditCurrency(tenantCurrency))
	if err := json.Unmarshal([]byte(contacts), &c.Contacts); err != nil {
		return c, fmt.Errorf("customer %s contacts: %w", c.ID, err)
	}
	if err := json.Unmarshal([]byte(fields), &c.CustomFields); err != nil {
		return c, fmt.Errorf("customer %s custom fields: %w", c.ID, err)
	}
	return c, nil
}

func duplicateNumber(err error) error {
	if ok, detail := dbtx.UniqueViolation(err); ok && strings.Contains(detail, "number") {
		return &fail.Error{Code: fail.Conflict, Message: "number: another customer already has this number",
			Fields: []fail.FieldError{{Field: "number", Message: "another customer already has this number"}}}
	}
	return nil
}

func (t *Accounts) InsertCustomer(ctx context.Context, c billing.Customer) error {
	args, err := customerArgs(t.D, c)
	if err != nil {
		return err
	}
	_, err = t.Exec(ctx, `INSERT INTO customers (`+strings.ReplaceAll(customerCols(dbtx.Dialect{}), "\n\t", " ")+`, search)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`, args...)
	if dup := duplicateNumber(err); dup != nil {
		return dup
	}
	if err != nil {
		return fmt.Errorf("insert customer: %w", err)
	}
	return nil
}

func (t *Accounts) getCustomer(ctx context.Context, suffix, tenantID, customerID string) (billing.Customer, error) {
	c, err := scanCustomer(t.QueryRow(ctx, `SELECT `+customerSelect(t.D)+` FROM customers WHERE tenant_id = ? AND id = ?`+suffix, tenantID, customerID))
	if dbtx.ErrNoRows(err) {
		return c, dbtx.NotFound("customer", customerID)
	}
	if err != nil {
		return c, fmt.Errorf("get customer: %w", err)
	}
	return c, nil
}

func (t *Accounts) GetCustomer(ctx context.Context, tenantID, customerID string) (billing.Customer, error) {
	return t.getCustomer(ctx, "", tenantID, customerID)
}

func (t *Accounts) GetCustomerForUpdate(ctx context.Context, tenantID, customerID string) (billing.Customer, error) {
	return t.getCustomer(ctx, t.D.ForUpdate(), tenantID, customerID)
}

func (t *Accounts) UpdateCustomer(ctx context.Context, c billing.Customer) error {
	args, err := customerArgs(t.D, c)
	if err != nil {
		return err
	}
	// args: tenant_id, id, then the columns in order; move the keys to the end.
	set := append(args[2:], c.TenantID, c.ID)
	res, err := t.Exec(ctx, `UPDATE customers SET number=?, name=?, contacts=?, legal_name=?, tax_id=?, billing_email=?, language=?, currency=?,
		line1=?, line2=?, city=?, region=?, postal_code=?, country=?, invoice_account_id=?, payment_terms_days=?, credit_limit=?,
		sales_tax_group=?, sap_id=?, billing_contract_number=?, sales_account_executive=?, parent_id=?, custom_fields=?,
		has_billing_info=?, archived_at=?, created_at=?, updated_at=?, posting_profile=?, search=? WHERE tenant_id=? AND id=?`, set...)
	if dup := duplicateNumber(err); dup != nil {
		return dup
	}
	return dbtx.MustAffect(res, err, "customer", c.ID)
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
	rows, err := t.Query(ctx, `SELECT `+customerSelect(t.D)+` FROM customers WHERE `+w.String()+
		` ORDER BY `+col+` `+dir+`, id `+dir+` LIMIT ?`, append(w.Args(), f.Page.Limit+1)...)
	if err != nil {
		return nil, fmt.Errorf("list customers: %w", err)
	}
	defer rows.Close()
	var out []billing.Customer
	for rows.Next() {
		c, err := scanCustomer(rows)
		if err != nil {
			return nil, fmt.Errorf("scan customer: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (t *Accounts) CustomerNumberTaken(ctx context.Context, tenantID, number string) (bool, error) {
	var n int
	if err := t.QueryRow(ctx, `SELECT count(*) FROM customers WHERE tenant_id = ? AND number = ?`, tenantID, number).Scan(&n); err != nil {
		return false, fmt.Errorf("customer number taken: %w", err)
	}
	return n > 0, nil
}

func (t *Accounts) CustomerByRef(ctx context.Context, tenantID, ref string) (billing.Customer, error) {
	c, err := scanCustomer(t.QueryRow(ctx, `SELECT `+customerSelect(t.D)+` FROM customers WHERE tenant_id = ? AND (number = ? OR (sap_id <> '' AND sap_id = ?))
		ORDER BY CASE WHEN number = ? THEN 0 ELSE 1 END LIMIT 1`, tenantID, ref, ref, ref))
	if dbtx.ErrNoRows(err) {
		return c, dbtx.NotFound("customer", ref)
	}
	if err != nil {
		return c, fmt.Errorf("customer by ref: %w", err)
	}
	return c, nil
}

// CustomersBilledTo returns the accounts and the customers billed to them
// (sub-accounts), in one query per 1,000 accounts.
func (t *Accounts) CustomersBilledTo(ctx context.Context, tenantID string, accounts []string) ([]billing.Customer, error) {
	var out []billing.Customer
	for start := 0; start < len(accounts); start += 1000 {
		batch := accounts[start:min(start+1000, len(accounts))]
		args := []any{tenantID}
		for _, id := range batch {
			args = append(args, id)
		}
		for _, id := range batch {
			args = append(args, id)
		}
		rows, err := t.Query(ctx, `SELECT `+customerSelect(t.D)+` FROM customers WHERE tenant_id = ? AND (id IN (`+dbtx.Placeholders(len(batch))+`)
			OR invoice_account_id IN (`+dbtx.Placeholders(len(batch))+`))`, args...)
		if err != nil {
			return nil, fmt.Errorf("customers billed to: %w", err)
		}
		for rows.Next() {
			c, err := scanCustomer(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("scan customer: %w", err)
			}
			out = append(out, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("customers billed to: %w", err)
		}
	}
	return out, nil
}
