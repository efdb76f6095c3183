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
	"github.com/facturo/facturo/store/enginesql"
	"github.com/facturo/facturo/store/sqlitesql"
)

// --- products

// productOf is the product a row holds.
func productOf(r sqlitesql.Product) (billing.Product, error) {
	var p dbtx.Parse
	out := billing.Product{TenantID: r.TenantID, ID: r.ID, Code: r.Code, Name: r.Name, ChargeType: billing.ChargeType(r.ChargeType), Unit: r.Unit,
		DefaultPrice: money.PriceIn(p.Dec(r.DefaultPrice), r.Currency), Currency: r.Currency, Account: r.Account,
		ItemSalesTaxGroup: r.ItemSalesTaxGroup, Provider: r.Provider, Archived: r.Archived, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if p.Err != nil {
		return out, fmt.Errorf("product %s: %w", r.ID, p.Err)
	}
	return out, nil
}

func dupCode(err error, what string) error {
	if ok, _ := dbtx.UniqueViolation(err); ok {
		return &fail.Error{Code: fail.Conflict, Message: "code: another " + what + " already has this code",
			Fields: []fail.FieldError{{Field: "code", Message: "another " + what + " already has this code"}}}
	}
	return nil
}

func (t *Sales) InsertProduct(ctx context.Context, p billing.Product) error {
	err := enginesql.For(t.Tx).InsertProduct(ctx, sqlitesql.InsertProductParams{TenantID: p.TenantID, ID: p.ID, Code: p.Code, Name: p.Name,
		ChargeType: string(p.ChargeType), Unit: p.Unit, DefaultPrice: p.DefaultPrice.Decimal().String(), Currency: p.Currency, Account: p.Account,
		ItemSalesTaxGroup: p.ItemSalesTaxGroup, Provider: p.Provider, Archived: p.Archived, CreatedAt: dbtx.TimeOf(p.CreatedAt),
		UpdatedAt: dbtx.TimeOf(p.UpdatedAt)})
	if d := dupCode(err, "product"); d != nil {
		return d
	}
	if err != nil {
		return fmt.Errorf("insert product: %w", err)
	}
	return nil
}

func (t *Sales) UpdateProduct(ctx context.Context, p billing.Product) error {
	n, err := enginesql.For(t.Tx).UpdateProduct(ctx, sqlitesql.UpdateProductParams{Code: p.Code, Name: p.Name, ChargeType: string(p.ChargeType),
		Unit: p.Unit, DefaultPrice: p.DefaultPrice.Decimal().String(), Currency: p.Currency, Account: p.Account, ItemSalesTaxGroup: p.ItemSalesTaxGroup,
		Provider: p.Provider, Archived: p.Archived, UpdatedAt: dbtx.TimeOf(p.UpdatedAt), TenantID: p.TenantID, ID: p.ID})
	if d := dupCode(err, "product"); d != nil {
		return d
	}
	return dbtx.MustAffectRows(n, err, "product", p.ID)
}

func (t *Sales) gotProduct(r sqlitesql.Product, err error, ref string) (billing.Product, error) {
	if dbtx.ErrNoRows(err) {
		return billing.Product{}, dbtx.NotFound("product", ref)
	}
	if err != nil {
		return billing.Product{}, fmt.Errorf("get product: %w", err)
	}
	return productOf(r)
}

func (t *Sales) GetProduct(ctx context.Context, tenantID, productID string) (billing.Product, error) {
	r, err := enginesql.For(t.Tx).GetProduct(ctx, sqlitesql.GetProductParams{TenantID: tenantID, ID: productID})
	return t.gotProduct(r, err, productID)
}

func (t *Sales) ProductByCode(ctx context.Context, tenantID, code string) (billing.Product, error) {
	r, err := enginesql.For(t.Tx).ProductByCode(ctx, sqlitesql.ProductByCodeParams{TenantID: tenantID, Code: code})
	return t.gotProduct(r, err, code)
}

func (t *Sales) ListProducts(ctx context.Context, tenantID string) ([]billing.Product, error) {
	rows, err := enginesql.For(t.Tx).ListProducts(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list products: %w", err)
	}
	return dbtx.Map(rows, productOf)
}

// --- contracts

func (t *Sales) InsertContract(ctx context.Context, c billing.Contract) error {
	err := enginesql.For(t.Tx).InsertContract(ctx, sqlitesql.InsertContractParams{TenantID: c.TenantID, ID: c.ID, Number: c.Number,
		CustomerID: c.CustomerID, Name: c.Name, Status: c.Status, CreatedAt: dbtx.TimeOf(c.CreatedAt), UpdatedAt: dbtx.TimeOf(c.UpdatedAt)})
	if err != nil {
		return fmt.Errorf("insert contract: %w", err)
	}
	return t.insertParts(ctx, c)
}

// partRow is a contract part's columns as the generated queries write them.
func partRow(tenantID, contractID string, p billing.ContractPart) sqlitesql.InsertContractPartParams {
	return sqlitesql.InsertContractPartParams{TenantID: tenantID, ID: p.ID, ContractID: contractID, ProductID: p.ProductID,
		Description: p.Description, Quantity: p.Quantity.String(), Price: p.Price.Decimal().String(), Interval: string(p.Interval),
		StartDate: dbtx.DateText(p.Start), EndDate: dbtx.NDateText(p.End), InAdvance: p.InAdvance}
}

func (t *Sales) insertParts(ctx context.Context, c billing.Contract) error {
	q := enginesql.For(t.Tx)
	for _, p := range c.Parts {
		err := q.InsertContractPart(ctx, partRow(c.TenantID, c.ID, p))
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
	q := enginesql.For(t.Tx)
	n, err := q.UpdateContract(ctx, sqlitesql.UpdateContractParams{Name: c.Name, Status: c.Status, UpdatedAt: dbtx.TimeOf(c.UpdatedAt),
		TenantID: c.TenantID, ID: c.ID})
	if err := dbtx.MustAffectRows(n, err, "contract", c.ID); err != nil {
		return err
	}
	// Parts keep their ids (sales items refer to them); new parts are added,
	// changed ones updated. Parts are never deleted: end them instead.
	for _, p := range c.Parts {
		r := partRow(c.TenantID, c.ID, p)
		n, err := q.UpdateContractPart(ctx, sqlitesql.UpdateContractPartParams{ProductID: r.ProductID, Description: r.Description,
			Quantity: r.Quantity, Price: r.Price, Interval: r.Interval, StartDate: r.StartDate, EndDate: r.EndDate, InAdvance: r.InAdvance,
			TenantID: r.TenantID, ID: r.ID, ContractID: r.ContractID})
		if err != nil {
			return fmt.Errorf("update contract part: %w", err)
		}
		if n == 0 {
			if err := t.insertParts(ctx, billing.Contract{TenantID: c.TenantID, ID: c.ID, Parts: []billing.ContractPart{p}}); err != nil {
				return err
			}
		}
	}
	return nil
}

func (t *Sales) GetContract(ctx context.Context, tenantID, contractID string) (billing.Contract, error) {
	cs, err := t.listContracts(ctx, sqlitesql.ListContractsParams{TenantID: tenantID, ContractID: contractID})
	if err != nil {
		return billing.Contract{}, err
	}
	if len(cs) == 0 {
		return billing.Contract{}, dbtx.NotFound("contract", contractID)
	}
	return cs[0], nil
}

func (t *Sales) ListContracts(ctx context.Context, tenantID, customerID string) ([]billing.Contract, error) {
	return t.listContracts(ctx, sqlitesql.ListContractsParams{TenantID: tenantID, CustomerID: customerID})
}

// ContractPartPeriods returns the periods already billed for a contract
// part: those of the sales items it made (any status: a cancelled item's
// period was dealt with too), by start. The items' source references are
// "<part id>@<period start>", a range of the source index.
func (t *Sales) ContractPartPeriods(ctx context.Context, tenantID, partID string) ([]calendar.Range, error) {
	rows, err := enginesql.For(t.Tx).ContractPartPeriods(ctx, sqlitesql.ContractPartPeriodsParams{TenantID: tenantID,
		RefFrom: partID + "@", RefTo: partID + "A"}) // 'A' follows '@'
	if err != nil {
		return nil, fmt.Errorf("contract part periods: %w", err)
	}
	var p dbtx.Parse
	out := make([]calendar.Range, 0, len(rows))
	for _, r := range rows {
		out = append(out, calendar.Range{From: p.NDate(r.PeriodStart), To: p.NDate(r.PeriodEnd)})
	}
	if p.Err != nil {
		return nil, fmt.Errorf("contract part periods: %w", p.Err)
	}
	return out, nil
}

func (t *Sales) listContracts(ctx context.Context, arg sqlitesql.ListContractsParams) ([]billing.Contract, error) {
	rows, err := enginesql.For(t.Tx).ListContracts(ctx, arg)
	if err != nil {
		return nil, fmt.Errorf("list contracts: %w", err)
	}
	var p dbtx.Parse
	var out []billing.Contract
	for _, r := range rows {
		c, part := r.Contract, r.ContractPart
		if len(out) == 0 || out[len(out)-1].ID != c.ID {
			out = append(out, billing.Contract{TenantID: c.TenantID, ID: c.ID, Number: c.Number, CustomerID: c.CustomerID, Name: c.Name,
				Status: c.Status, CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC()})
		}
		out[len(out)-1].Parts = append(out[len(out)-1].Parts, billing.ContractPart{ID: part.ID, ProductID: part.ProductID,
			Description: part.Description, Quantity: p.Dec(part.Quantity), Price: money.PriceIn(p.Dec(part.Price), r.Currency),
			Interval: billing.Interval(part.Interval), Start: p.Date(part.StartDate), End: p.NDate(part.EndDate), InAdvance: part.InAdvance,
			Currency: r.Currency})
	}
	if p.Err != nil {
		return nil, fmt.Errorf("contracts: %w", p.Err)
	}
	return out, nil
}

// --- tickets and time

func (t *Sales) InsertTicket(ctx context.Context, k service.Ticket) error {
	err := enginesql.For(t.Tx).InsertTicket(ctx, sqlitesql.InsertTicketParams{TenantID: k.TenantID, ID: k.ID, Number: k.Number,
		CustomerID: k.CustomerID, Title: k.Title, Status: k.Status, CreatedAt: dbtx.TimeOf(k.CreatedAt), UpdatedAt: dbtx.TimeOf(k.UpdatedAt)})
	if err != nil {
		return fmt.Errorf("insert ticket: %w", err)
	}
	return nil
}

// ticketOf is the ticket a row holds.
func ticketOf(r sqlitesql.Ticket) service.Ticket {
	return service.Ticket{TenantID: r.TenantID, ID: r.ID, Number: r.Number, CustomerID: r.CustomerID, Title: r.Title, Status: r.Status,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

func (t *Sales) GetTicket(ctx context.Context, tenantID, ticketID string) (service.Ticket, error) {
	r, err := enginesql.For(t.Tx).GetTicket(ctx, sqlitesql.GetTicketParams{TenantID: tenantID, ID: ticketID})
	if dbtx.ErrNoRows(err) {
		return service.Ticket{}, dbtx.NotFound("ticket", ticketID)
	}
	if err != nil {
		return service.Ticket{}, fmt.Errorf("get ticket: %w", err)
	}
	return ticketOf(r), nil
}

func (t *Sales) ListTickets(ctx context.Context, tenantID, customerID string) ([]service.Ticket, error) {
	rows, err := enginesql.For(t.Tx).ListTickets(ctx, sqlitesql.ListTicketsParams{TenantID: tenantID, CustomerID: customerID})
	if err != nil {
		return nil, fmt.Errorf("list tickets: %w", err)
	}
	out := make([]service.Ticket, 0, len(rows))
	for _, r := range rows {
		out = append(out, ticketOf(r))
	}
	return out, nil
}

func (t *Sales) InsertTimeEntry(ctx context.Context, e service.TimeEntry) error {
	err := enginesql.For(t.Tx).InsertTimeEntry(ctx, sqlitesql.InsertTimeEntryParams{TenantID: e.TenantID, ID: e.ID, TicketID: e.TicketID,
		UserID: e.UserID, UserName: e.UserName, WorkDate: dbtx.DateText(e.WorkDate), Minutes: int64(e.Minutes), Billable: e.Billable,
		Rate: e.Rate.Decimal().String(), Currency: e.Rate.Currency().Code(), Description: e.Description, CreatedAt: dbtx.TimeOf(e.CreatedAt)})
	if err != nil {
		return fmt.Errorf("insert time entry: %w", err)
	}
	return nil
}

func (t *Sales) ListTimeEntries(ctx context.Context, tenantID, ticketID string) ([]service.TimeEntry, error) {
	rows, err := enginesql.For(t.Tx).ListTimeEntries(ctx, sqlitesql.ListTimeEntriesParams{TenantID: tenantID, TicketID: ticketID})
	if err != nil {
		return nil, fmt.Errorf("list time entries: %w", err)
	}
	var p dbtx.Parse
	out := make([]service.TimeEntry, 0, len(rows))
	for _, r := range rows {
		out = append(out, service.TimeEntry{TenantID: r.TenantID, ID: r.ID, TicketID: r.TicketID, UserID: r.UserID, UserName: r.UserName,
			WorkDate: p.Date(r.WorkDate), Minutes: int(r.Minutes), Billable: r.Billable, Rate: money.PriceIn(p.Dec(r.Rate), r.Currency),
			Description: r.Description, CreatedAt: r.CreatedAt.UTC()})
	}
	if p.Err != nil {
		return nil, fmt.Errorf("time entries: %w", p.Err)
	}
	return out, nil
}

// --- sales items

// salesItemRow is a sales item's columns as the generated queries write them.
func salesItemRow(si billing.SalesItem) sqlitesql.InsertSalesItemParams {
	return sqlitesql.InsertSalesItemParams{TenantID: si.TenantID, ID: si.ID, CustomerID: si.CustomerID, Source: string(si.Source),
		SourceRef: si.SourceRef, ProductID: si.ProductID, Description: si.Description, Quantity: si.Quantity.String(), Unit: si.Unit,
		UnitPrice: si.UnitPrice.Decimal().String(), Discount: si.Discount.Decimal().String(), Gross: si.Gross.Decimal().String(),
		BillingDate: dbtx.DateText(si.BillingDate), PeriodStart: dbtx.NDateText(si.PeriodStart), PeriodEnd: dbtx.NDateText(si.PeriodEnd),
		Provider: si.Provider, Currency: si.Currency, ChargeType: string(si.ChargeType), Account: si.Account, ItemSalesTaxGroup: si.ItemSalesTaxGroup,
		Status: string(si.Status), InvoiceID: si.InvoiceID, CreatedAt: dbtx.TimeOf(si.CreatedAt), UpdatedAt: dbtx.TimeOf(si.UpdatedAt)}
}

// salesItemOf is the sales item a row holds.
func salesItemOf(r sqlitesql.SalesItem) (billing.SalesItem, error) {
	var p dbtx.Parse
	si := billing.SalesItem{TenantID: r.TenantID, ID: r.ID, CustomerID: r.CustomerID, Source: billing.Source(r.Source), SourceRef: r.SourceRef,
		ProductID: r.ProductID, Description: r.Description, Quantity: p.Dec(r.Quantity), Unit: r.Unit,
		UnitPrice: money.PriceIn(p.Dec(r.UnitPrice), r.Currency), Discount: money.In(p.Dec(r.Discount), r.Currency),
		Gross: money.In(p.Dec(r.Gross), r.Currency), BillingDate: p.Date(r.BillingDate), PeriodStart: p.NDate(r.PeriodStart),
		PeriodEnd: p.NDate(r.PeriodEnd), Provider: r.Provider, Currency: r.Currency, ChargeType: billing.ChargeType(r.ChargeType),
		Account: r.Account, ItemSalesTaxGroup: r.ItemSalesTaxGroup, Status: billing.ItemStatus(r.Status), InvoiceID: r.InvoiceID,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if p.Err != nil {
		return si, fmt.Errorf("sales item %s: %w", r.ID, p.Err)
	}
	return si, nil
}

func salesItemsOf(rows []sqlitesql.SalesItem) ([]billing.SalesItem, error) {
	return dbtx.Map(rows, salesItemOf)
}

func (t *Sales) InsertSalesItem(ctx context.Context, si billing.SalesItem) error {
	n, err := enginesql.For(t.Tx).InsertSalesItem(ctx, salesItemRow(si))
	if err != nil {
		return fmt.Errorf("insert sales item: %w", err)
	}
	if n == 0 {
		return fail.Conflictf("a sales item for %s %s exists already", si.Source, si.SourceRef)
	}
	return nil
}

func (t *Sales) UpdateSalesItem(ctx context.Context, si billing.SalesItem) error {
	r := salesItemRow(si)
	n, err := enginesql.For(t.Tx).UpdateSalesItem(ctx, sqlitesql.UpdateSalesItemParams{CustomerID: r.CustomerID, Source: r.Source,
		SourceRef: r.SourceRef, ProductID: r.ProductID, Description: r.Description, Quantity: r.Quantity, Unit: r.Unit, UnitPrice: r.UnitPrice,
		Discount: r.Discount, Gross: r.Gross, BillingDate: r.BillingDate, PeriodStart: r.PeriodStart, PeriodEnd: r.PeriodEnd, Provider: r.Provider,
		Currency: r.Currency, ChargeType: r.ChargeType, Account: r.Account, ItemSalesTaxGroup: r.ItemSalesTaxGroup, Status: r.Status,
		InvoiceID: r.InvoiceID, UpdatedAt: r.UpdatedAt, TenantID: r.TenantID, ID: r.ID})
	return dbtx.MustAffectRows(n, err, "sales item", si.ID)
}

func (t *Sales) gotSalesItem(r sqlitesql.SalesItem, err error, itemID string) (billing.SalesItem, error) {
	if dbtx.ErrNoRows(err) {
		return billing.SalesItem{}, dbtx.NotFound("sales item", itemID)
	}
	if err != nil {
		return billing.SalesItem{}, fmt.Errorf("get sales item: %w", err)
	}
	return salesItemOf(r)
}

func (t *Sales) GetSalesItem(ctx context.Context, tenantID, itemID string) (billing.SalesItem, error) {
	r, err := enginesql.For(t.Tx).GetSalesItem(ctx, sqlitesql.GetSalesItemParams{TenantID: tenantID, ID: itemID})
	return t.gotSalesItem(r, err, itemID)
}

func (t *Sales) GetSalesItemForUpdate(ctx context.Context, tenantID, itemID string) (billing.SalesItem, error) {
	r, err := enginesql.For(t.Tx).GetSalesItemForUpdate(ctx, sqlitesql.GetSalesItemForUpdateParams{TenantID: tenantID, ID: itemID})
	return t.gotSalesItem(r, err, itemID)
}

func (t *Sales) SetOpenItemsStatus(ctx context.Context, tenantID, customerID string, status billing.ItemStatus, at time.Time) (int, error) {
	n, err := enginesql.For(t.Tx).SetOpenItemsStatus(ctx, sqlitesql.SetOpenItemsStatusParams{Status: string(status), UpdatedAt: dbtx.TimeOf(at),
		TenantID: tenantID, CustomerID: customerID})
	if err != nil {
		return 0, fmt.Errorf("set item status: %w", err)
	}
	return int(n), nil
}

// salesItemSortColumn maps the list's sorts to their expressions: by
// customer is by the customer's name (then the item's id), read from the
// tenant's customer row.
var salesItemSortColumn = map[string]string{"billing_date": "billing_date", "customer": customerNameExpr, "description": "description",
	"gross": "gross", "status": "status", "source": "source", "provider": "provider", "created_at": "created_at"}

const customerNameExpr = `(SELECT c.name FROM customers c WHERE c.tenant_id = sales_items.tenant_id AND c.id = sales_items.customer_id)`

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
	if f.Query != "" {
		like := "LIKE"
		if t.D.Engine == dbtx.Postgres {
			like = "ILIKE"
		}
		raw := "%" + dbtx.LikeEscape(strings.ToLower(f.Query)) + "%"
		folded := "%" + dbtx.LikeEscape(billing.Fold(f.Query)) + "%"
		add(`(lower(description) `+like+` ? ESCAPE '\' OR lower(provider) `+like+` ? ESCAPE '\' OR lower(source_ref) `+like+` ? ESCAPE '\'
			OR EXISTS (SELECT 1 FROM customers c WHERE c.tenant_id = sales_items.tenant_id AND c.id = sales_items.customer_id AND c.search LIKE ? ESCAPE '\'))`,
			raw, raw, raw, folded)
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
		// As a number (dbtx.Dialect.Num): SQLite's text amounts would sort
		// "120.00" before "15.00".
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
	rows, err := t.Query(ctx, `SELECT * FROM sales_items WHERE `+w.String()+
		` ORDER BY `+sortExpr+` `+dir+`, id `+dir+` LIMIT ?`, append(w.Args(), f.Page.Limit+1)...)
	if err != nil {
		return nil, fmt.Errorf("list sales items: %w", err)
	}
	rs, err := dbtx.ScanRows[sqlitesql.SalesItem](rows)
	if err != nil {
		return nil, err
	}
	return salesItemsOf(rs)
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
