package salessql

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store/dbtx"
)

// --- products

const productCols = `tenant_id, id, code, name, charge_type, unit, default_price, currency, account, item_sales_tax_group, provider, archived, created_at, updated_at`

func (t *Sales) productArgs(p billing.Product) []any {
	return []any{p.TenantID, p.ID, p.Code, p.Name, string(p.ChargeType), p.Unit, dbtx.DecArg(p.DefaultPrice.Decimal()), p.Currency, p.Account,
		p.ItemSalesTaxGroup, p.Provider, p.Archived, t.D.TS(p.CreatedAt), t.D.TS(p.UpdatedAt)}
}

func (t *Sales) scanProduct(row interface{ Scan(...any) error }) (billing.Product, error) {
	var p billing.Product
	var ct string
	var price decimal.Decimal
	err := row.Scan(&p.TenantID, &p.ID, &p.Code, &p.Name, &ct, &p.Unit, dbtx.ScanDec(&price), &p.Currency, &p.Account,
		&p.ItemSalesTaxGroup, &p.Provider, &p.Archived, dbtx.ScanTS(&p.CreatedAt), dbtx.ScanTS(&p.UpdatedAt))
	p.ChargeType, p.DefaultPrice = billing.ChargeType(ct), money.PriceIn(price, p.Currency)
	return p, err
}

func (t *Sales) productSelect() string {
	return strings.Replace(productCols, "default_price", t.D.Dec("default_price"), 1)
}

func dupCode(err error, what string) error {
	if ok, _ := dbtx.UniqueViolation(err); ok {
		return &fail.Error{Code: fail.Conflict, Message: "code: another " + what + " already has this code",
			Fields: []fail.FieldError{{Field: "code", Message: "another " + what + " already has this code"}}}
	}
	return nil
}

func (t *Sales) InsertProduct(ctx context.Context, p billing.Product) error {
	_, err := t.Exec(ctx, `INSERT INTO products (`+productCols+`) VALUES (`+dbtx.Placeholders(14)+`)`, t.productArgs(p)...)
	if d := dupCode(err, "product"); d != nil {
		return d
	}
	if err != nil {
		return fmt.Errorf("insert product: %w", err)
	}
	return nil
}

func (t *Sales) UpdateProduct(ctx context.Context, p billing.Product) error {
	a := t.productArgs(p)
	res, err := t.Exec(ctx, `UPDATE products SET code=?, name=?, charge_type=?, unit=?, default_price=?, currency=?, account=?,
		item_sales_tax_group=?, provider=?, archived=?, created_at=?, updated_at=? WHERE tenant_id=? AND id=?`, append(a[2:], p.TenantID, p.ID)...)
	if d := dupCode(err, "product"); d != nil {
		return d
	}
	return dbtx.MustAffect(res, err, "product", p.ID)
}

func (t *Sales) GetProduct(ctx context.Context, tenantID, productID string) (billing.Product, error) {
	p, err := t.scanProduct(t.QueryRow(ctx, `SELECT `+t.productSelect()+` FROM products WHERE tenant_id = ? AND id = ?`, tenantID, productID))
	if dbtx.ErrNoRows(err) {
		return p, dbtx.NotFound("product", productID)
	}
	if err != nil {
		return p, fmt.Errorf("get product: %w", err)
	}
	return p, nil
}

func (t *Sales) ProductByCode(ctx context.Context, tenantID, code string) (billing.Product, error) {
	p, err := t.scanProduct(t.QueryRow(ctx, `SELECT `+t.productSelect()+` FROM products WHERE tenant_id = ? AND code = ?`, tenantID, code))
	if dbtx.ErrNoRows(err) {
		return p, dbtx.NotFound("product", code)
	}
	if err != nil {
		return p, fmt.Errorf("product by code: %w", err)
	}
	return p, nil
}

func (t *Sales) ListProducts(ctx context.Context, tenantID string) ([]billing.Product, error) {
	rows, err := t.Query(ctx, `SELECT `+t.productSelect()+` FROM products WHERE tenant_id = ? ORDER BY code`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list products: %w", err)
	}
	defer rows.Close()
	var out []billing.Product
	for rows.Next() {
		p, err := t.scanProduct(rows)
		if err != nil {
			return nil, fmt.Errorf("scan product: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// --- contracts

func (t *Sales) InsertContract(ctx context.Context, c billing.Contract) error {
	_, err := t.Exec(ctx, `INSERT INTO contracts (tenant_id, id, number, customer_id, name, status, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?)`,
		c.TenantID, c.ID, c.Number, c.CustomerID, c.Name, c.Status, t.D.TS(c.CreatedAt), t.D.TS(c.UpdatedAt))
	if err != nil {
		return fmt.Errorf("insert contract: %w", err)
	}
	return t.insertParts(ctx, c)
}

func (t *Sales) insertParts(ctx context.Context, c billing.Contract) error {
	for _, p := range c.Parts {
		_, err := t.Exec(ctx, `INSERT INTO contract_parts (tenant_id, id, contract_id, product_id, description, quantity, price, interval,
			start_date, end_date, in_advance) VALUES (?,?,?,?,?,?,?,?,?,?,?)`, c.TenantID, p.ID, c.ID, p.ProductID, p.Description,
			dbtx.DecArg(p.Quantity), dbtx.DecArg(p.Price.Decimal()), string(p.Interval), dbtx.DateArg(p.Start), dbtx.DateArg(p.End), p.InAdvance)
		if dbtx.ForeignKeyViolation(err) {
			return fail.Field("parts.product_id", "no product %q", p.ProductID)
		}
		if err != nil {
			return fmt.Errorf("insert contract part: %w", err)
		}
	}
	return nil
}

func (t *Sales) UpdateContract(ctx context.Context, c billing.Contract) error {
	res, err := t.Exec(ctx, `UPDATE contracts SET name=?, status=?, updated_at=? WHERE tenant_id=? AND id=?`, c.Name, c.Status, t.D.TS(c.UpdatedAt), c.TenantID, c.ID)
	if err := dbtx.MustAffect(res, err, "contract", c.ID); err != nil {
		return err
	}
	// Parts keep their ids (sales items refer to them); new parts are added,
	// changed ones updated. Parts are never deleted: end them instead.
	for _, p := range c.Parts {
		res, err := t.Exec(ctx, `UPDATE contract_parts SET product_id=?, description=?, quantity=?, price=?, interval=?, start_date=?,
			end_date=?, in_advance=? WHERE tenant_id=? AND id=? AND contract_id=?`, p.ProductID, p.Description, dbtx.DecArg(p.Quantity),
			dbtx.DecArg(p.Price.Decimal()), string(p.Interval), dbtx.DateArg(p.Start), dbtx.DateArg(p.End), p.InAdvance, c.TenantID, p.ID, c.ID)
		if err != nil {
			return fmt.Errorf("update contract part: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if err := t.insertParts(ctx, billing.Contract{TenantID: c.TenantID, ID: c.ID, Parts: []billing.ContractPart{p}}); err != nil {
				return err
			}
		}
	}
	return nil
}

func (t *Sales) GetContract(ctx context.Context, tenantID, contractID string) (billing.Contract, error) {
	w := dbtx.TenantWhere("c.tenant_id", tenantID)
	w.And("c.id = ?", contractID)
	cs, err := t.listContracts(ctx, w)
	if err != nil {
		return billing.Contract{}, err
	}
	if len(cs) == 0 {
		return billing.Contract{}, dbtx.NotFound("contract", contractID)
	}
	return cs[0], nil
}

func (t *Sales) ListContracts(ctx context.Context, tenantID, customerID string) ([]billing.Contract, error) {
	w := dbtx.TenantWhere("c.tenant_id", tenantID)
	if customerID != "" {
		w.And("c.customer_id = ?", customerID)
	}
	return t.listContracts(ctx, w)
}

// ContractPartPeriods returns the periods already billed for a contract
// part: those of the sales items it made (any status: a cancelled item's
// period was dealt with too), by start. The items' source references are
// "<part id>@<period start>", a range of the source index.
func (t *Sales) ContractPartPeriods(ctx context.Context, tenantID, partID string) ([]calendar.Range, error) {
	w := dbtx.TenantWhere("tenant_id", tenantID)
	w.And("source = ?", string(billing.SourceContract))
	w.And("source_ref >= ?", partID+"@")
	w.And("source_ref < ?", partID+"A") // 'A' follows '@'
	w.And("period_start IS NOT NULL")
	rows, err := t.Query(ctx, `SELECT period_start, period_end FROM sales_items WHERE `+w.String()+` ORDER BY source_ref`, w.Args()...)
	if err != nil {
		return nil, fmt.Errorf("contract part periods: %w", err)
	}
	defer rows.Close()
	var out []calendar.Range
	for rows.Next() {
		var r calendar.Range
		if err := rows.Scan(dbtx.ScanDate(&r.From), dbtx.ScanDate(&r.To)); err != nil {
			return nil, fmt.Errorf("scan contract part period: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (t *Sales) listContracts(ctx context.Context, w *dbtx.Where) ([]billing.Contract, error) {
	rows, err := t.Query(ctx, `SELECT c.tenant_id, c.id, c.number, c.customer_id, c.name, c.status, c.created_at, c.updated_at,
		p.id, p.product_id, p.description, `+t.D.Dec("p.quantity")+`, `+t.D.Dec("p.price")+`, p.interval, p.start_date, p.end_date, p.in_advance,
		COALESCE(pr.currency, '')
		FROM contracts c JOIN contract_parts p ON p.tenant_id = c.tenant_id AND p.contract_id = c.id
		LEFT JOIN products pr ON pr.tenant_id = p.tenant_id AND pr.id = p.product_id
		WHERE `+w.String()+` ORDER BY c.number, p.start_date, p.id`, w.Args()...)
	if err != nil {
		return nil, fmt.Errorf("list contracts: %w", err)
	}
	defer rows.Close()
	var out []billing.Contract
	for rows.Next() {
		var c billing.Contract
		var p billing.ContractPart
		var interval, cur string
		var price decimal.Decimal
		if err := rows.Scan(&c.TenantID, &c.ID, &c.Number, &c.CustomerID, &c.Name, &c.Status, dbtx.ScanTS(&c.CreatedAt), dbtx.ScanTS(&c.UpdatedAt),
			&p.ID, &p.ProductID, &p.Description, dbtx.ScanDec(&p.Quantity), dbtx.ScanDec(&price), &interval, dbtx.ScanDate(&p.Start), dbtx.ScanDate(&p.End),
			&p.InAdvance, &cur); err != nil {
			return nil, fmt.Errorf("scan contract: %w", err)
		}
		p.Interval, p.Price, p.Currency = billing.Interval(interval), money.PriceIn(price, cur), cur
		if len(out) == 0 || out[len(out)-1].ID != c.ID {
			out = append(out, c)
		}
		out[len(out)-1].Parts = append(out[len(out)-1].Parts, p)
	}
	return out, rows.Err()
}

// --- tickets and time

func (t *Sales) InsertTicket(ctx context.Context, k service.Ticket) error {
	_, err := t.Exec(ctx, `INSERT INTO tickets (tenant_id, id, number, customer_id, title, status, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?)`,
		k.TenantID, k.ID, k.Number, k.CustomerID, k.Title, k.Status, t.D.TS(k.CreatedAt), t.D.TS(k.UpdatedAt))
	if err != nil {
		return fmt.Errorf("insert ticket: %w", err)
	}
	return nil
}

func (t *Sales) listTickets(ctx context.Context, w *dbtx.Where) ([]service.Ticket, error) {
	rows, err := t.Query(ctx, `SELECT tenant_id, id, number, customer_id, title, status, created_at, updated_at FROM tickets WHERE `+w.String()+` ORDER BY number`, w.Args()...)
	if err != nil {
		return nil, fmt.Errorf("list tickets: %w", err)
	}
	defer rows.Close()
	var out []service.Ticket
	for rows.Next() {
		var k service.Ticket
		if err := rows.Scan(&k.TenantID, &k.ID, &k.Number, &k.CustomerID, &k.Title, &k.Status, dbtx.ScanTS(&k.CreatedAt), dbtx.ScanTS(&k.UpdatedAt)); err != nil {
			return nil, fmt.Errorf("scan ticket: %w", err)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

func (t *Sales) GetTicket(ctx context.Context, tenantID, ticketID string) (service.Ticket, error) {
	w := dbtx.TenantWhere("tenant_id", tenantID)
	w.And("id = ?", ticketID)
	ks, err := t.listTickets(ctx, w)
	if err != nil {
		return service.Ticket{}, err
	}
	if len(ks) == 0 {
		return service.Ticket{}, dbtx.NotFound("ticket", ticketID)
	}
	return ks[0], nil
}

func (t *Sales) ListTickets(ctx context.Context, tenantID, customerID string) ([]service.Ticket, error) {
	w := dbtx.TenantWhere("tenant_id", tenantID)
	if customerID != "" {
		w.And("customer_id = ?", customerID)
	}
	return t.listTickets(ctx, w)
}

func (t *Sales) InsertTimeEntry(ctx context.Context, e service.TimeEntry) error {
	_, err := t.Exec(ctx, `INSERT INTO time_entries (tenant_id, id, ticket_id, user_id, user_name, work_date, minutes, billable, rate, currency,
		description, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`, e.TenantID, e.ID, e.TicketID, e.UserID, e.UserName, dbtx.DateArg(e.WorkDate),
		e.Minutes, e.Billable, dbtx.DecArg(e.Rate.Decimal()), e.Rate.Currency().Code(), e.Description, t.D.TS(e.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert time entry: %w", err)
	}
	return nil
}

func (t *Sales) ListTimeEntries(ctx context.Context, tenantID, ticketID string) ([]service.TimeEntry, error) {
	rows, err := t.Query(ctx, `SELECT tenant_id, id, ticket_id, user_id, user_name, work_date, minutes, billable, `+t.D.Dec("rate")+`, currency,
		description, created_at FROM time_entries WHERE tenant_id = ? AND ticket_id = ? ORDER BY work_date, id`, tenantID, ticketID)
	if err != nil {
		return nil, fmt.Errorf("list time entries: %w", err)
	}
	defer rows.Close()
	var out []service.TimeEntry
	for rows.Next() {
		var e service.TimeEntry
		var rate decimal.Decimal
		var cur string
		if err := rows.Scan(&e.TenantID, &e.ID, &e.TicketID, &e.UserID, &e.UserName, dbtx.ScanDate(&e.WorkDate), &e.Minutes, &e.Billable,
			dbtx.ScanDec(&rate), &cur, &e.Description, dbtx.ScanTS(&e.CreatedAt)); err != nil {
			return nil, fmt.Errorf("scan time entry: %w", err)
		}
		e.Rate = money.PriceIn(rate, cur)
		out = append(out, e)
	}
	return out, rows.Err()
}

// --- sales items

const salesItemCols = `tenant_id, id, customer_id, source, source_ref, product_id, description, quantity, unit, unit_price, discount, gross,
	billing_date, period_start, period_end, provider, currency, charge_type, account, item_sales_tax_group, status, invoice_id, created_at, updated_at`

func (t *Sales) salesItemSelect() string {
	r := strings.NewReplacer("quantity,", t.D.Dec("quantity")+",", "unit_price,", t.D.Dec("unit_price")+",",
		"discount,", t.D.Dec("discount")+",", "gross,", t.D.Dec("gross")+",")
	return r.Replace(salesItemCols)
}

func (t *Sales) salesItemArgs(si billing.SalesItem) []any {
	return []any{si.TenantID, si.ID, si.CustomerID, string(si.Source), si.SourceRef, si.ProductID, si.Description, dbtx.DecArg(si.Quantity),
		si.Unit, dbtx.DecArg(si.UnitPrice.Decimal()), dbtx.DecArg(si.Discount.Decimal()), dbtx.DecArg(si.Gross.Decimal()), dbtx.DateArg(si.BillingDate), dbtx.DateArg(si.PeriodStart),
		dbtx.DateArg(si.PeriodEnd), si.Provider, si.Currency, string(si.ChargeType), si.Account, si.ItemSalesTaxGroup, string(si.Status),
		si.InvoiceID, t.D.TS(si.CreatedAt), t.D.TS(si.UpdatedAt)}
}

func scanSalesItem(row interface{ Scan(...any) error }) (billing.SalesItem, error) {
	var si billing.SalesItem
	var src, ct, st string
	var price, discount, gross decimal.Decimal
	err := row.Scan(&si.TenantID, &si.ID, &si.CustomerID, &src, &si.SourceRef, &si.ProductID, &si.Description, dbtx.ScanDec(&si.Quantity),
		&si.Unit, dbtx.ScanDec(&price), dbtx.ScanDec(&discount), dbtx.ScanDec(&gross), dbtx.ScanDate(&si.BillingDate), dbtx.ScanDate(&si.PeriodStart),
		dbtx.ScanDate(&si.PeriodEnd), &si.Provider, &si.Currency, &ct, &si.Account, &si.ItemSalesTaxGroup, &st, &si.InvoiceID,
		dbtx.ScanTS(&si.CreatedAt), dbtx.ScanTS(&si.UpdatedAt))
	si.Source, si.ChargeType, si.Status = billing.Source(src), billing.ChargeType(ct), billing.ItemStatus(st)
	si.UnitPrice, si.Discount, si.Gross = money.PriceIn(price, si.Currency), money.In(discount, si.Currency), money.In(gross, si.Currency)
	return si, err
}

func (t *Sales) InsertSalesItem(ctx context.Context, si billing.SalesItem) error {
	// ON CONFLICT DO NOTHING rather than catching the violation: on
	// PostgreSQL an error would abort the caller's whole transaction.
	res, err := t.Exec(ctx, `INSERT INTO sales_items (`+salesItemCols+`) VALUES (`+dbtx.Placeholders(24)+`)
		ON CONFLICT (tenant_id, source, source_ref) WHERE source <> 'manual' DO NOTHING`, t.salesItemArgs(si)...)
	if err != nil {
		return fmt.Errorf("insert sales item: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fail.Conflictf("a sales item for %s %s exists already", si.Source, si.SourceRef)
	}
	return nil
}

func (t *Sales) UpdateSalesItem(ctx context.Context, si billing.SalesItem) error {
	a := t.salesItemArgs(si)
	res, err := t.Exec(ctx, `UPDATE sales_items SET customer_id=?, source=?, source_ref=?, product_id=?, description=?, quantity=?, unit=?,
		unit_price=?, discount=?, gross=?, billing_date=?, period_start=?, period_end=?, provider=?, currency=?, charge_type=?, account=?,
		item_sales_tax_group=?, status=?, invoice_id=?, created_at=?, updated_at=? WHERE tenant_id=? AND id=?`, append(a[2:], si.TenantID, si.ID)...)
	return dbtx.MustAffect(res, err, "sales item", si.ID)
}

func (t *Sales) getSalesItem(ctx context.Context, suffix, tenantID, itemID string) (billing.SalesItem, error) {
	si, err := scanSalesItem(t.QueryRow(ctx, `SELECT `+t.salesItemSelect()+` FROM sales_items WHERE tenant_id = ? AND id = ?`+suffix, tenantID, itemID))
	if dbtx.ErrNoRows(err) {
		return si, dbtx.NotFound("sales item", itemID)
	}
	if err != nil {
		return si, fmt.Errorf("get sales item: %w", err)
	}
	return si, nil
}

func (t *Sales) GetSalesItem(ctx context.Context, tenantID, itemID string) (billing.SalesItem, error) {
	return t.getSalesItem(ctx, "", tenantID, itemID)
}

func (t *Sales) GetSalesItemForUpdate(ctx context.Context, tenantID, itemID string) (billing.SalesItem, error) {
	return t.getSalesItem(ctx, t.D.ForUpdate(), tenantID, itemID)
}

func (t *Sales) SetOpenItemsStatus(ctx context.Context, tenantID, customerID string, status billing.ItemStatus, at time.Time) (int, error) {
	res, err := t.Exec(ctx, `UPDATE sales_items SET status = ?, updated_at = ? WHERE tenant_id = ? AND customer_id = ? AND status IN ('draft', 'pending') AND status <> ?`,
		string(status), t.D.TS(at), tenantID, customerID, string(status))
	if err != nil {
		return 0, fmt.Errorf("set item status: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

var salesItemSortColumn = map[string]string{"billing_date": "billing_date", "customer": "customer_id", "description": "description",
	"gross": "gross", "status": "status", "source": "source", "provider": "provider", "created_at": "created_at"}

func (t *Sales) ListSalesItems(ctx context.Context, tenantID string, f service.SalesItemFilter) ([]billing.SalesItem, error) {
	col, ok := salesItemSortColumn[f.Sort]
	if !ok {
		return nil, fail.Field("sort", "%q is not sortable", f.Sort)
	}
	w := dbtx.TenantWhere("tenant_id", tenantID)
	add := w.And
	in := func(colName string, vals []string) {
		var vs []any
		for _, v := range vals {
			vs = append(vs, v)
		}
		add(colName+" IN ("+dbtx.Placeholders(len(vals))+")", vs...)
	}
	if f.CustomerID != "" {
		add("customer_id = ?", f.CustomerID)
	}
	if len(f.Statuses) > 0 {
		var v []string
		for _, s := range f.Statuses {
			v = append(v, string(s))
		}
		in("status", v)
	}
	if len(f.Sources) > 0 {
		var v []string
		for _, s := range f.Sources {
			v = append(v, string(s))
		}
		in("source", v)
	}
	if f.Provider != "" {
		add("provider = ?", f.Provider)
	}
	if !f.From.IsZero() {
		add("billing_date >= ?", dbtx.DateArg(f.From))
	}
	if !f.To.IsZero() {
		add("billing_date <= ?", dbtx.DateArg(f.To))
	}
	if f.Invoiced != nil {
		if *f.Invoiced {
			add("status = 'invoiced'")
		} else {
			add("status <> 'invoiced'")
		}
	}
	if f.MinGross != nil {
		add(t.D.Num("gross")+" >= ?", t.D.NumArg(*f.MinGross))
	}
	if f.MaxGross != nil {
		add(t.D.Num("gross")+" <= ?", t.D.NumArg(*f.MaxGross))
	}
	if f.Advanced != nil {
		cond, cargs := t.compileCondition(*f.Advanced)
		add(cond, cargs...)
	}
	sortExpr := col
	if col == "gross" {
		// Qualified: on PostgreSQL a bare "gross" in ORDER BY names the
		// select list's gross::text, which sorts "120.00" before "15.00".
		sortExpr = t.D.Num("sales_items.gross")
	}
	if c := f.Page.After(); c != nil {
		var v any = c.Sort
		switch col {
		case "gross":
			d, err := decimal.NewFromString(c.Sort)
			if err != nil {
				return nil, fail.Field("cursor", "is not a cursor this API returned")
			}
			v = t.D.NumArg(d)
		case "created_at":
			ts, err := time.Parse(time.RFC3339Nano, c.Sort)
			if err != nil {
				return nil, fail.Field("cursor", "is not a cursor this API returned")
			}
			v = t.D.TS(ts)
		case "billing_date":
			// A cursor of another sort is not a date: PostgreSQL would fail the ::date cast (a 500).
			if _, err := calendar.Parse(c.Sort); err != nil {
				return nil, fail.Field("cursor", "is not a cursor this API returned for this sort")
			}
		}
		op := ">"
		if f.Desc {
			op = "<"
		}
		cast := ""
		if t.D.Engine == dbtx.Postgres && col == "billing_date" {
			cast = "::date"
		} else if t.D.Engine == dbtx.Postgres && col == "gross" {
			cast = "::numeric"
		}
		add("("+sortExpr+", id) "+op+" (?"+cast+", ?)", v, c.ID)
	}
	dir := "ASC"
	if f.Desc {
		dir = "DESC"
	}
	rows, err := t.Query(ctx, `SELECT `+t.salesItemSelect()+` FROM sales_items WHERE `+w.String()+
		` ORDER BY `+sortExpr+` `+dir+`, id `+dir+` LIMIT ?`, append(w.Args(), f.Page.Limit+1)...)
	if err != nil {
		return nil, fmt.Errorf("list sales items: %w", err)
	}
	defer rows.Close()
	var out []billing.SalesItem
	for rows.Next() {
		si, err := scanSalesItem(rows)
		if err != nil {
			return nil, fmt.Errorf("scan sales item: %w", err)
		}
		out = append(out, si)
	}
	return out, rows.Err()
}

// compileCondition turns a validated advanced-filter tree into SQL. Field
// names come from a fixed list (service.AdvancedFields); values are bound.
// Every child is parenthesised, and the caller adds the whole to the query's
// where (which parenthesises it again), so an or/not never reaches past it.
func (t *Sales) compileCondition(c service.Condition) (string, []any) {
	switch c.Op {
	case "not":
		s, a := t.compileCondition(c.Children[0])
		return "NOT (" + s + ")", a
	case "and", "or":
		parts := make([]string, 0, len(c.Children))
		var args []any
		for _, ch := range c.Children {
			s, a := t.compileCondition(ch)
			parts = append(parts, "("+s+")")
			args = append(args, a...)
		}
		return strings.Join(parts, " "+strings.ToUpper(c.Op)+" "), args
	}
	kind := service.AdvancedFields[c.Field]
	col := c.Field
	val := func(v string) any {
		switch kind {
		case "decimal":
			d, _ := decimal.NewFromString(v)
			return t.D.NumArg(d)
		case "date":
			return v
		}
		return v
	}
	cast := ""
	if t.D.Engine == dbtx.Postgres {
		switch kind {
		case "date":
			cast = "::date"
		case "decimal":
			cast = "::numeric"
		}
	}
	if kind == "decimal" {
		col = t.D.Num(col)
	}
	ops := map[string]string{"eq": "=", "ne": "<>", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}
	switch c.Op {
	case "contains":
		if t.D.Engine == dbtx.Postgres {
			return col + ` ILIKE ? ESCAPE '\'`, []any{"%" + dbtx.LikeEscape(c.Value) + "%"}
		}
		return col + ` LIKE ? ESCAPE '\'`, []any{"%" + dbtx.LikeEscape(c.Value) + "%"}
	case "in":
		var a []any
		ph := make([]string, len(c.Values))
		for i, v := range c.Values {
			a = append(a, val(v))
			ph[i] = "?" + cast
		}
		return col + " IN (" + strings.Join(ph, ",") + ")", a
	}
	return col + " " + ops[c.Op] + " ?" + cast, []any{val(c.Value)}
}
