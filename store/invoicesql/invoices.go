package invoicesql

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store/dbtx"
	"github.com/facturo/facturo/tax"
)

func invoiceCols(d dbtx.Dialect) string {
	return `tenant_id, id, kind, status, document_number, number, customer_id, invoice_account_id, customer_name, bill_to,
	invoice_date, document_date, due_date, cash_discount_date, ` + d.Dec("cash_discount_percent") + `, period_start, period_end,
	currency, ` + d.Dec("exchange_rate") + `, provider, method_of_payment, payment_terms_days, payment_schedule, hold_until, language,
	custom_fields, notes, external_refs, posting_profile, tax_mode, ` + d.Dec("net") + `, ` + d.Dec("tax") + `, ` + d.Dec("total") + `,
	` + d.Dec("paid") + `, ` + d.Dec("balance") + `, ` + d.Dec("total_accounting") + `, ` + d.Dec("balance_accounting") + `, taxes,
	entry_id, void_entry_id, close_reason, issued_at, closed_at, voided_at, created_at, updated_at,
	original_id, credit_note_id, replacement_id, correction_reason, correction_comment, template_id, template_period,
	` + d.Dec("cash_discount_amount") + `, ` + dbtx.AccountingCurrency("invoices")
}

const invoiceColNames = `tenant_id, id, kind, status, document_number, number, customer_id, invoice_account_id, customer_name, bill_to,
	invoice_date, document_date, due_date, cash_discount_date, cash_discount_percent, period_start, period_end,
	currency, exchange_rate, provider, method_of_payment, payment_terms_days, payment_schedule, hold_until, language,
	custom_fields, notes, external_refs, posting_profile, tax_mode, net, tax, total,
	paid, balance, total_accounting, balance_accounting, taxes,
	entry_id, void_entry_id, close_reason, issued_at, closed_at, voided_at, created_at, updated_at, search,
	original_id, credit_note_id, replacement_id, correction_reason, correction_comment, template_id, template_period,
	cash_discount_amount`

// invoiceWriteCols are the columns invoiceArgs writes, in order:
// invoiceColNames, and on SQLite total_key, the exact sortable key of the
// total (dbtx.DecKey) that the amount sort and its indexes read (migration
// 00019), written by Go beside the text amount.
func invoiceWriteCols(d dbtx.Dialect) string {
	if d.Engine == dbtx.SQLite {
		return invoiceColNames + ", total_key"
	}
	return invoiceColNames
}

func invoiceArgs(d dbtx.Dialect, inv billing.Invoice) ([]any, error) {
	var js [6]string
	var err error
	for i, v := range []any{inv.BillTo, dbtx.NonNil(inv.PaymentSchedule), dbtx.NonNilMap(inv.CustomFields), dbtx.NonNilMap(inv.ExternalRefs), nzt(inv.Taxes)} {
		if js[i], err = dbtx.JSONArg(v); err != nil {
			return nil, err
		}
	}
	var number any
	if inv.Number != "" {
		number = inv.Number
	}
	search := billing.Fold(inv.Number + " " + inv.DocumentNumber + " " + inv.BillTo.Name + " " + inv.BillTo.LegalName + " " + inv.BillTo.CustomerNumber)
	args := []any{inv.TenantID, inv.ID, string(inv.Kind), string(inv.Status), inv.DocumentNumber, number, inv.CustomerID,
		inv.InvoiceAccountID, inv.BillTo.Name, js[0], dbtx.DateArg(inv.InvoiceDate), dbtx.DateArg(inv.DocumentDate), dbtx.DateArg(inv.DueDate),
		dbtx.DateArg(inv.CashDiscountDate), dbtx.DecArg(inv.CashDiscountPct), dbtx.DateArg(inv.PeriodStart), dbtx.DateArg(inv.PeriodEnd),
		inv.Currency, dbtx.DecArg(inv.ExchangeRate), inv.Provider, inv.MethodOfPayment, inv.PaymentTermsDays, js[1],
		dbtx.DateArg(inv.HoldUntil), inv.Language, js[2], inv.Notes, js[3], inv.PostingProfile, string(inv.TaxMode),
		dbtx.DecArg(inv.Net.Decimal()), dbtx.DecArg(inv.Tax.Decimal()), dbtx.DecArg(inv.Total.Decimal()), dbtx.DecArg(inv.Paid.Decimal()),
		dbtx.DecArg(inv.Balance.Decimal()), dbtx.DecArg(inv.TotalAccounting.Decimal()), dbtx.DecArg(inv.BalanceAccounting.Decimal()), js[4], inv.EntryID, inv.VoidEntryID, inv.CloseReason,
		d.NTS(inv.IssuedAt), d.NTS(inv.ClosedAt), d.NTS(inv.VoidedAt), d.TS(inv.CreatedAt), d.TS(inv.UpdatedAt), search,
		inv.OriginalID, inv.CreditNoteID, inv.ReplacementID, inv.CorrectionReason, inv.CorrectionComment, inv.TemplateID, inv.TemplatePeriod,
		dbtx.DecArg(inv.CashDiscount.Decimal())}
	if d.Engine == dbtx.SQLite {
		args = append(args, dbtx.DecKey(inv.Total.Decimal()))
	}
	return args, nil
}

func nzt(s []billing.TaxLine) []billing.TaxLine { return dbtx.NonNil(s) }

func scanInvoice(row interface{ Scan(...any) error }) (billing.Invoice, error) {
	var inv billing.Invoice
	var kind, status, taxMode, customerName, accounting string
	var js [5]string
	var net, tx, total, paid, balance, totalAcc, balanceAcc, cashDiscount decimal.Decimal
	err := row.Scan(&inv.TenantID, &inv.ID, &kind, &status, &inv.DocumentNumber, dbtx.ScanText(&inv.Number), &inv.CustomerID,
		&inv.InvoiceAccountID, &customerName, &js[0], dbtx.ScanDate(&inv.InvoiceDate), dbtx.ScanDate(&inv.DocumentDate), dbtx.ScanDate(&inv.DueDate),
		dbtx.ScanDate(&inv.CashDiscountDate), dbtx.ScanDec(&inv.CashDiscountPct), dbtx.ScanDate(&inv.PeriodStart), dbtx.ScanDate(&inv.PeriodEnd),
		&inv.Currency, dbtx.ScanDec(&inv.ExchangeRate), &inv.Provider, &inv.MethodOfPayment, &inv.PaymentTermsDays, &js[1],
		dbtx.ScanDate(&inv.HoldUntil), &inv.Language, &js[2], &inv.Notes, &js[3], &inv.PostingProfile, &taxMode,
		dbtx.ScanDec(&net), dbtx.ScanDec(&tx), dbtx.ScanDec(&total), dbtx.ScanDec(&paid), dbtx.ScanDec(&balance),
		dbtx.ScanDec(&totalAcc), dbtx.ScanDec(&balanceAcc), &js[4], &inv.EntryID, &inv.VoidEntryID, &inv.CloseReason,
		dbtx.ScanNTS(&inv.IssuedAt), dbtx.ScanNTS(&inv.ClosedAt), dbtx.ScanNTS(&inv.VoidedAt), dbtx.ScanTS(&inv.CreatedAt), dbtx.ScanTS(&inv.UpdatedAt),
		&inv.OriginalID, &inv.CreditNoteID, &inv.ReplacementID, &inv.CorrectionReason, &inv.CorrectionComment, &inv.TemplateID, &inv.TemplatePeriod,
		dbtx.ScanDec(&cashDiscount), &accounting)
	if err != nil {
		return inv, err
	}
	cur := inv.Cur()
	inv.Net, inv.Tax, inv.Total = money.New(net, cur), money.New(tx, cur), money.New(total, cur)
	inv.Paid, inv.Balance = money.New(paid, cur), money.New(balance, cur)
	inv.TotalAccounting, inv.BalanceAccounting = money.In(totalAcc, accounting), money.In(balanceAcc, accounting)
	inv.CashDiscount = money.New(cashDiscount, cur)
	inv.Kind, inv.Status, inv.TaxMode = billing.Kind(kind), billing.Status(status), tax.Mode(taxMode)
	for i, dst := range []any{&inv.BillTo, &inv.PaymentSchedule, &inv.CustomFields, &inv.ExternalRefs, &inv.Taxes} {
		if err := json.Unmarshal([]byte(js[i]), dst); err != nil {
			return inv, fmt.Errorf("invoice %s json: %w", inv.ID, err)
		}
	}
	for i := range inv.Taxes { // stored as JSON, which holds no currency
		t := &inv.Taxes[i]
		t.Base, t.Amount = money.New(t.Base.Decimal(), cur), money.New(t.Amount.Decimal(), cur)
	}
	for i := range inv.PaymentSchedule {
		inv.PaymentSchedule[i].Amount = money.New(inv.PaymentSchedule[i].Amount.Decimal(), cur)
	}
	return inv, nil
}

func (t *Invoices) InsertInvoice(ctx context.Context, inv billing.Invoice) error {
	args, err := invoiceArgs(t.D, inv)
	if err != nil {
		return err
	}
	if _, err := t.Exec(ctx, `INSERT INTO invoices (`+invoiceWriteCols(t.D)+`) VALUES (`+dbtx.Placeholders(len(args))+`)`, args...); err != nil {
		if ok, _ := dbtx.UniqueViolation(err); ok {
			return fail.Conflictf("invoice number already used: %v", err)
		}
		return fmt.Errorf("insert invoice: %w", err)
	}
	if err := ApplyDues(ctx, t.Tx, nil, duesOf(inv)); err != nil {
		return err
	}
	return t.insertLines(ctx, inv)
}

// insertLines inserts the lines of one or more documents, many rows per
// statement.
func (t *Invoices) insertLines(ctx context.Context, invs ...billing.Invoice) error {
	const cols = 19
	const batch = 1000
	row := "(" + dbtx.Placeholders(cols) + ")"
	var sb strings.Builder
	args := make([]any, 0, batch*cols)
	n := 0
	flush := func() error {
		if n == 0 {
			return nil
		}
		_, err := t.Exec(ctx, `INSERT INTO invoice_lines (tenant_id, invoice_id, position, description, product_id, account,
			sales_tax_group, item_sales_tax_group, quantity, unit, unit_price, discount, amount, charge_type, service_start,
			service_end, distribution, tax_codes, tax_amount) VALUES `+sb.String(), args...)
		if err != nil {
			return fmt.Errorf("insert invoice lines: %w", err)
		}
		sb.Reset()
		args, n = args[:0], 0
		return nil
	}
	for _, inv := range invs {
		for _, l := range inv.Lines {
			if n > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString(row)
			dist, err := dbtx.JSONArg(dbtx.NonNil(l.Distribution))
			if err != nil {
				return err
			}
			codes, err := dbtx.JSONArg(dbtx.NonNil(l.TaxCodes))
			if err != nil {
				return err
			}
			args = append(args, lineArgs(&inv, &l, dist, codes)...)
			n++
			if n == batch {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}

func (t *Invoices) getInvoice(ctx context.Context, suffix, tenantID, invoiceID string) (billing.Invoice, error) {
	inv, err := scanInvoice(t.QueryRow(ctx, `SELECT `+invoiceCols(t.D)+` FROM invoices WHERE tenant_id = ? AND id = ?`+suffix, tenantID, invoiceID))
	if dbtx.ErrNoRows(err) {
		return inv, dbtx.NotFound("invoice", invoiceID)
	}
	if err != nil {
		return inv, fmt.Errorf("get invoice: %w", err)
	}
	rows, err := t.Query(ctx, `SELECT `+lineCols(t.D)+`
		FROM invoice_lines WHERE tenant_id = ? AND invoice_id = ? ORDER BY position`, tenantID, invoiceID)
	if err != nil {
		return inv, fmt.Errorf("get invoice lines: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		l, err := scanLine(rows, &inv.Currency)
		if err != nil {
			return inv, err
		}
		inv.Lines = append(inv.Lines, l)
	}
	return inv, rows.Err()
}

// lineArgs are the values of line l of inv in the order of lineColNames,
// with its distribution and tax codes already as JSON.
func lineArgs(inv *billing.Invoice, l *billing.Line, dist, codes string) []any {
	var price any
	if l.UnitPrice != nil {
		price = dbtx.DecArg(l.UnitPrice.Decimal())
	}
	return []any{inv.TenantID, inv.ID, l.Position, l.Description, l.ProductID, l.Account, l.SalesTaxGroup,
		l.ItemSalesTaxGroup, dbtx.NDecArg(l.Quantity), l.Unit, price, dbtx.DecArg(l.Discount.Decimal()), dbtx.DecArg(l.Amount.Decimal()),
		string(l.ChargeType), dbtx.DateArg(l.ServiceStart), dbtx.DateArg(l.ServiceEnd), dist, codes, dbtx.DecArg(l.TaxAmount.Decimal())}
}

// lineCols are the columns scanLine reads.
func lineCols(d dbtx.Dialect) string {
	return `position, description, product_id, account, sales_tax_group, item_sales_tax_group,
		` + d.Dec("quantity") + `, unit, ` + d.Dec("unit_price") + `, ` + d.Dec("discount") + `, ` + d.Dec("amount") + `, charge_type,
		service_start, service_end, distribution, tax_codes, ` + d.Dec("tax_amount")
}

// scanLine scans lineCols (after any leading columns given in extra) into
// a line whose amounts are in the currency with code *cur: the document's,
// known beforehand or scanned from the same row into one of extra.
func scanLine(row interface{ Scan(...any) error }, cur *string, extra ...any) (billing.Line, error) {
	var l billing.Line
	var ct, dist, codes string
	var price *decimal.Decimal
	var discount, amount, taxAmount decimal.Decimal
	dest := append(extra, &l.Position, &l.Description, &l.ProductID, &l.Account, &l.SalesTaxGroup, &l.ItemSalesTaxGroup,
		dbtx.ScanNDec(&l.Quantity), &l.Unit, dbtx.ScanNDec(&price), dbtx.ScanDec(&discount), dbtx.ScanDec(&amount), &ct,
		dbtx.ScanDate(&l.ServiceStart), dbtx.ScanDate(&l.ServiceEnd), &dist, &codes, dbtx.ScanDec(&taxAmount))
	if err := row.Scan(dest...); err != nil {
		return l, fmt.Errorf("scan invoice line: %w", err)
	}
	if price != nil {
		p := money.PriceIn(*price, *cur)
		l.UnitPrice = &p
	}
	l.Discount, l.Amount, l.TaxAmount = money.In(discount, *cur), money.In(amount, *cur), money.In(taxAmount, *cur)
	l.ChargeType = billing.ChargeType(ct)
	if err := json.Unmarshal([]byte(dist), &l.Distribution); err != nil {
		return l, fmt.Errorf("line distribution: %w", err)
	}
	if err := json.Unmarshal([]byte(codes), &l.TaxCodes); err != nil {
		return l, fmt.Errorf("line tax codes: %w", err)
	}
	return l, nil
}

func (t *Invoices) GetInvoice(ctx context.Context, tenantID, invoiceID string) (billing.Invoice, error) {
	return t.getInvoice(ctx, "", tenantID, invoiceID)
}

func (t *Invoices) GetInvoiceForUpdate(ctx context.Context, tenantID, invoiceID string) (billing.Invoice, error) {
	return t.getInvoice(ctx, t.D.ForUpdate(), tenantID, invoiceID)
}

func (t *Invoices) UpdateInvoice(ctx context.Context, inv billing.Invoice) error {
	args, err := invoiceArgs(t.D, inv)
	if err != nil {
		return err
	}
	before, err := DueBefore(ctx, t.Tx, inv.TenantID, inv.ID)
	if err != nil {
		return err
	}
	cols := strings.Split(strings.NewReplacer("\n", "", "\t", "").Replace(invoiceWriteCols(t.D)), ",")
	sets := make([]string, 0, len(cols)-2)
	for _, c := range cols[2:] {
		sets = append(sets, strings.TrimSpace(c)+" = ?")
	}
	res, err := t.Exec(ctx, `UPDATE invoices SET `+strings.Join(sets, ", ")+` WHERE tenant_id = ? AND id = ?`,
		append(args[2:], inv.TenantID, inv.ID)...)
	if ok, _ := dbtx.UniqueViolation(err); ok {
		return fail.Conflictf("invoice number %s is already used", inv.Number)
	}
	if err := dbtx.MustAffect(res, err, "invoice", inv.ID); err != nil {
		return err
	}
	if err := ApplyDues(ctx, t.Tx, []Due{before}, duesOf(inv)); err != nil {
		return err
	}
	if _, err := t.Exec(ctx, `DELETE FROM invoice_lines WHERE tenant_id = ? AND invoice_id = ?`, inv.TenantID, inv.ID); err != nil {
		return fmt.Errorf("replace invoice lines: %w", err)
	}
	return t.insertLines(ctx, inv)
}

func (t *Invoices) DeleteInvoice(ctx context.Context, tenantID, invoiceID string) error {
	if _, err := t.Exec(ctx, `DELETE FROM invoice_lines WHERE tenant_id = ? AND invoice_id = ?`, tenantID, invoiceID); err != nil {
		return fmt.Errorf("delete invoice lines: %w", err)
	}
	before, err := DueBefore(ctx, t.Tx, tenantID, invoiceID)
	if err != nil {
		return err
	}
	res, err := t.Exec(ctx, `DELETE FROM invoices WHERE tenant_id = ? AND id = ?`, tenantID, invoiceID)
	if err := dbtx.MustAffect(res, err, "invoice", invoiceID); err != nil {
		return err
	}
	return ApplyDues(ctx, t.Tx, []Due{before}, nil)
}

var invoiceSortColumn = map[string]string{
	"invoice_date": "invoice_date", "number": "number", "customer": "customer_name", "provider": "provider",
	"period": "period_start", "amount": "total", "status": "status", "due_date": "due_date", "created_at": "created_at",
}

func (t *Invoices) ListInvoices(ctx context.Context, tenantID string, f service.InvoiceFilter) ([]billing.Invoice, error) {
	if t.D.Engine == dbtx.SQLite {
		// A filtered list sorted by a column other than the date: first the
		// filters over the first rows of the sort's own index (a bounded
		// walk). A full page found there is the answer; a rare value (or
		// the list's end) falls through to the planner's own choice, which
		// then has few rows to sort.
		if query, args, ok, err := t.probeInvoicesQuery(ctx, tenantID, f); err != nil {
			return nil, err
		} else if ok {
			out, err := t.listInvoices(ctx, query, args)
			if err != nil || len(out) > f.Page.Limit {
				return out, err
			}
		}
	}
	query, args, err := t.listInvoicesQuery(ctx, tenantID, f)
	if err != nil {
		return nil, err
	}
	return t.listInvoices(ctx, query, args)
}

func (t *Invoices) listInvoices(ctx context.Context, query string, args []any) ([]billing.Invoice, error) {
	rows, err := t.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list invoices: %w", err)
	}
	defer rows.Close()
	var out []billing.Invoice
	for rows.Next() {
		inv, err := scanInvoice(rows)
		if err != nil {
			return nil, fmt.Errorf("scan invoice: %w", err)
		}
		out = append(out, inv)
	}
	return out, rows.Err()
}

// probeWindow is how many entries of a sort's index the probe reads at most.
var probeWindow = 20000

// probeIndex names, per sort column, the index whose entries end in the
// sort expression, id and status (migrations 00011, 00014).
var probeIndex = map[string]string{
	"number": "invoices_number_sort_idx", "customer_name": "invoices_customer_sort_idx", "provider": "invoices_provider_sort_idx",
	"period_start": "invoices_period_sort_idx", "total": "invoices_amount_sort_idx", "created_at": "invoices_created_idx",
}

// probeInvoicesQuery builds the bounded first try of ListInvoices on
// SQLite for a page (up to 200 rows) of a list filtered by status alone
// and sorted by a column other than the date. Left to itself SQLite reads
// such a list through the status index and sorts every match (130 ms for
// the past due of 1,000,000 invoices sorted by customer); the probe walks
// the first probeWindow entries of the sort's own index after the cursor,
// which hold the status, and keeps the matches: no table row is read until
// the page's own. ok is false when the probe does not apply.
func (t *Invoices) probeInvoicesQuery(ctx context.Context, tenantID string, f service.InvoiceFilter) (string, []any, bool, error) {
	col, known := invoiceSortColumn[f.Sort]
	idx, indexed := probeIndex[col]
	onlyStatus := len(f.Statuses) > 0 && f.Kind == "" && f.Provider == "" && f.From.IsZero() && f.To.IsZero()
	if !known || !indexed || !onlyStatus || f.CustomerID != "" || f.Query != "" || f.Page.Limit > 200 {
		return "", nil, false, nil
	}
	// The window: the list without the status, one window long, read from
	// the sort's index alone.
	window := f
	window.Statuses = nil
	window.Page.Limit = probeWindow - 1
	wq, wargs, err := t.listInvoicesQuery(ctx, tenantID, window)
	if err != nil {
		return "", nil, false, err
	}
	sel := `SELECT ` + invoiceCols(t.D) + ` FROM invoices WHERE `
	cut := strings.Index(wq, " ORDER BY ")
	if !strings.HasPrefix(wq, sel) || cut < 0 {
		return "", nil, false, nil // a form this probe does not know
	}
	where, order := wq[len(sel):cut], wq[cut:] // order ends in "LIMIT ?"
	in := dbtx.Placeholders(len(f.Statuses))
	args := append([]any{}, wargs...)
	for _, st := range f.Statuses {
		args = append(args, string(st))
	}
	args = append(args, f.Page.Limit+1, f.Page.Limit+1)
	query := sel + `rowid IN (SELECT w.rowid FROM (SELECT rowid, status FROM invoices INDEXED BY ` + idx + ` WHERE ` + where + order + `) w
		WHERE w.status IN (` + in + `) LIMIT ?)` + order
	return query, args, true, nil
}

// listInvoicesQuery builds ListInvoices' statement (with '?' placeholders)
// and its arguments.
//
// Every order is (sort expression, id), and the keyset compares the same
// pair, so that an index ending in that pair (migration 00003) serves both
// the order and the cursor, and a page reads about as many rows as it
// returns. Conditions marked "implied" are there only so that an index can
// be used: they never change the result.
func (t *Invoices) listInvoicesQuery(ctx context.Context, tenantID string, f service.InvoiceFilter) (string, []any, error) {
	col, ok := invoiceSortColumn[f.Sort]
	if !ok {
		return "", nil, fail.Field("sort", "%q is not sortable", f.Sort)
	}
	// The date the date indexes hold: NULL (a draft whose date was cleared)
	// as the earliest date.
	noDate := "'0001-01-01'"
	if t.D.Engine == dbtx.Postgres {
		noDate = "'0001-01-01'::date"
	}
	invoiceDate := "COALESCE(invoice_date, " + noDate + ")"
	w := dbtx.TenantWhere("tenant_id", tenantID)
	add := w.And
	switch len(f.Statuses) {
	case 0:
	case 1: // "=" rather than "IN": SQLite then reads a status index in date order
		add("status = ?", string(f.Statuses[0]))
	default:
		ph := dbtx.Placeholders(len(f.Statuses))
		var vs []any
		for _, s := range f.Statuses {
			vs = append(vs, string(s))
		}
		add("status IN ("+ph+")", vs...)
	}
	if f.Kind != "" {
		add("kind = ?", string(f.Kind))
	}
	if f.Provider != "" {
		add("provider = ?", f.Provider)
	}
	// Sorted by date, a date range is written on the indexed expression.
	// From a date after 0001-01-01 on, that expression and the column agree
	// (NULL is excluded either way); without a start, the column's
	// condition stays and the expression's is implied.
	dateRange := col == "invoice_date" && f.From.After(calendar.New(1, time.January, 1))
	if !f.From.IsZero() {
		if dateRange {
			add(invoiceDate+" >= ?", dbtx.DateArg(f.From))
		} else {
			add("invoice_date >= ?", dbtx.DateArg(f.From))
		}
	}
	if !f.To.IsZero() {
		switch {
		case dateRange:
			add(invoiceDate+" <= ?", dbtx.DateArg(f.To))
		case col == "invoice_date":
			add("invoice_date <= ?", dbtx.DateArg(f.To))
			add(invoiceDate+" <= ?", dbtx.DateArg(f.To)) // implied
		default:
			add("invoice_date <= ?", dbtx.DateArg(f.To))
		}
	}
	onlyThese := false
	if f.Query != "" {
		add(`search LIKE ? ESCAPE '\'`, "%"+dbtx.LikeEscape(f.Query)+"%")
		// On PostgreSQL the LIKE itself uses the trigram index.
		if t.D.Engine == dbtx.SQLite {
			cond, arg, these, err := t.sqliteSearch(ctx, f.Query)
			if err != nil {
				return "", nil, err
			}
			if onlyThese = these; onlyThese {
				w.UnindexedTenant() // keeps SQLite's planner off the tenant's indexes
			}
			if cond != "" {
				add(cond, arg...) // implied
			}
		}
	}
	// Keyset over (sort column, id). NULLs (no number yet, no period) sort as the empty string.
	sortExpr := "COALESCE(" + col + ", '')"
	switch col {
	case "invoice_date", "due_date", "period_start":
		sortExpr = "COALESCE(" + col + ", " + noDate + ")"
	case "total":
		// Qualified: on PostgreSQL a bare "total" in ORDER BY names the
		// selected total::text, which sorts as text. On SQLite the stored
		// exact key of the total (total_key, migration 00019), compared
		// with the cursor's NumArg (the same dbtx.DecKey).
		sortExpr = "total_key"
		if t.D.Engine == dbtx.Postgres {
			sortExpr = "invoices.total"
		}
	case "created_at":
		sortExpr = col
	}
	if c := f.Page.After(); c != nil {
		var v any = c.Sort
		switch col {
		case "invoice_date", "due_date", "period_start":
			if v == "" {
				v = "0001-01-01"
			} else if _, err := calendar.Parse(c.Sort); err != nil {
				return "", nil, fail.Field("cursor", "is not a cursor this API returned")
			}
		case "total":
			d, err := decimal.NewFromString(c.Sort)
			if err != nil {
				return "", nil, fail.Field("cursor", "is not a cursor this API returned")
			}
			v = t.D.NumArg(d)
		case "created_at":
			ts, err := time.Parse(time.RFC3339Nano, c.Sort)
			if err != nil {
				return "", nil, fail.Field("cursor", "is not a cursor this API returned")
			}
			v = t.D.TS(ts)
		}
		op := ">"
		if f.Desc {
			op = "<"
		}
		if col == "total" && t.D.Engine == dbtx.Postgres {
			add("("+sortExpr+", id) "+op+" (?::numeric, ?)", v, c.ID)
		} else if t.D.Engine == dbtx.Postgres && (col == "invoice_date" || col == "due_date" || col == "period_start") {
			add("("+sortExpr+", id) "+op+" (?::date, ?)", v, c.ID)
		} else {
			add("("+sortExpr+", id) "+op+" (?, ?)", v, c.ID)
		}
	}
	dir := "ASC"
	if f.Desc {
		dir = "DESC"
	}
	order := ` ORDER BY ` + sortExpr + ` ` + dir + `, id ` + dir + ` LIMIT ?`
	limit := f.Page.Limit + 1
	args := w.Args()
	if f.CustomerID == "" {
		from := "invoices"
		if t.D.Engine == dbtx.SQLite && len(f.Statuses) == 1 && col == "invoice_date" && !onlyThese {
			// Without statistics SQLite rates this index no better than the
			// date index, whose walk may read a whole date range for a
			// status it hardly holds; it is never worse.
			from += " INDEXED BY invoices_status_date_idx"
		}
		if onlyThese {
			// SQLite sorts the candidates: sort their rowids, not whole rows.
			return `SELECT ` + invoiceCols(t.D) + ` FROM invoices WHERE rowid IN (SELECT rowid FROM invoices WHERE ` +
				w.String() + order + `)` + order, append(args, limit, limit), nil
		}
		return `SELECT ` + invoiceCols(t.D) + ` FROM ` + from + ` WHERE ` + w.String() + order, append(args, limit), nil
	}
	// The customer filter matches a customer's own documents or those
	// billed to it as an account: an OR over two columns, which no one index
	// can return in order. It is written as the two disjoint halves, each
	// read in order from its own index up to one page, then merged.
	q := func(cond string) string {
		return `SELECT * FROM (SELECT * FROM invoices WHERE ` + w.With(cond) + order + `)`
	}
	all := make([]any, 0, 2*len(args)+5)
	all = append(append(append(all, args...), f.CustomerID, limit), args...)
	all = append(all, f.CustomerID, limit, limit)
	return `SELECT ` + invoiceCols(t.D) + ` FROM (` + q("customer_id = ?") + ` AS own UNION ALL ` +
		q("invoice_account_id = ? AND customer_id <> invoice_account_id") + ` AS billed) AS invoices` + order, all, nil
}

// SQLite search plans, by how many invoices (of every tenant) the trigram
// index says may hold the text (variables for the tests only).
var (
	// Up to this many, the list reads just those rows (by rowid) and sorts them.
	searchReadAtMost = 1000
	// Up to about this many, the list reads an index in the list's order and
	// keeps the rows among them; beyond, it reads in order and tests the
	// LIKE alone, which soon finds a page of such a common text.
	searchFilterAtMost = 20_000
)

// sqliteSearch returns the implied condition that lets SQLite find the rows
// whose search text holds q with the trigram index (invoices_search,
// migration 00003); the LIKE decides. SQLite's planner cannot tell how many
// rows a MATCH returns, so this asks the index first. With onlyThese, the
// condition lists the few candidates and the list should read just them.
// A text shorter than a trigram gets nothing from the index.
func (t *Invoices) sqliteSearch(ctx context.Context, q string) (cond string, args []any, onlyThese bool, err error) {
	match := trigramCover(q)
	if match == "" {
		return "", nil, false, nil
	}
	rows, err := t.Query(ctx, `SELECT rowid FROM invoices_search WHERE invoices_search MATCH ? LIMIT ?`, match, searchReadAtMost+1)
	if err != nil {
		return "", nil, false, fmt.Errorf("search invoices: %w", err)
	}
	var ids []string
	var last int64
	for rows.Next() {
		if err := rows.Scan(&last); err != nil {
			rows.Close()
			return "", nil, false, fmt.Errorf("search invoices: %w", err)
		}
		ids = append(ids, strconv.FormatInt(last, 10))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", nil, false, fmt.Errorf("search invoices: %w", err)
	}
	if len(ids) <= searchReadAtMost {
		return "rowid IN (" + strings.Join(ids, ",") + ")", nil, true, nil
	}
	// More: the index returns rowids in order, so the share of the rowids
	// it took to find these many estimates how many there are in all.
	var top int64
	if err := t.QueryRow(ctx, `SELECT COALESCE(max(rowid), 0) FROM invoices`).Scan(&top); err != nil {
		return "", nil, false, fmt.Errorf("search invoices: %w", err)
	}
	if last > 0 && float64(len(ids))*float64(top)/float64(last) > float64(searchFilterAtMost) {
		return "", nil, false, nil
	}
	// Keep the candidates while reading in the list's order; "+" keeps the
	// planner from reading the candidates instead.
	return `+rowid IN (SELECT rowid FROM invoices_search WHERE invoices_search MATCH ?)`, []any{match}, false, nil
}

// trigramCover returns the trigram index query for the rows holding q: its
// trigrams from the start, three characters apart, and the last one (every
// row holding q holds them; fewer terms read less of the index). "" when q
// is shorter than a trigram.
func trigramCover(q string) string {
	r := []rune(q)
	if len(r) < 3 {
		return ""
	}
	var terms []string
	quote := func(i int) { terms = append(terms, `"`+strings.ReplaceAll(string(r[i:i+3]), `"`, `""`)+`"`) }
	for i := 0; i+3 <= len(r); i += 3 {
		quote(i)
	}
	if len(r)%3 != 0 {
		quote(len(r) - 3)
	}
	return strings.Join(terms, " AND ")
}

func (t *Invoices) DueInvoiceIDs(ctx context.Context, tenantID string, today calendar.Date, limit int) ([]string, error) {
	rows, err := t.Query(ctx, `SELECT id FROM invoices WHERE tenant_id = ? AND status IN (`+billing.DueSweepSQL+`) AND due_date < ?
		AND `+t.D.Num("balance")+` <> ? ORDER BY due_date, id LIMIT ?`, tenantID, dbtx.DateArg(today), t.D.NumArg(decimal.Zero), limit)
	if err != nil {
		return nil, fmt.Errorf("due invoices: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func (t *Invoices) OpenBalance(ctx context.Context, tenantID, accountID, currency string) (decimal.Decimal, error) {
	var d decimal.Decimal
	err := t.QueryRow(ctx, `SELECT `+t.D.Sum("CASE WHEN kind = 'credit_note' THEN "+t.D.Neg("balance")+" ELSE balance END")+`
		FROM invoices WHERE tenant_id = ? AND invoice_account_id = ? AND currency = ? AND `+openDocument,
		tenantID, accountID, currency).Scan(dbtx.ScanDec(&d))
	if err != nil {
		return d, fmt.Errorf("open balance: %w", err)
	}
	return d, nil
}

func (t *Invoices) OpenDocuments(ctx context.Context, tenantID, customerID string) ([]billing.Invoice, error) {
	w := dbtx.TenantWhere("tenant_id", tenantID)
	w.And(openDocument)
	if customerID != "" {
		w.And("invoice_account_id = ?", customerID)
	}
	rows, err := t.Query(ctx, `SELECT `+invoiceCols(t.D)+` FROM invoices WHERE `+w.String()+` ORDER BY invoice_account_id, due_date, id`, w.Args()...)
	if err != nil {
		return nil, fmt.Errorf("open documents: %w", err)
	}
	defer rows.Close()
	var out []billing.Invoice
	for rows.Next() {
		inv, err := scanInvoice(rows)
		if err != nil {
			return nil, fmt.Errorf("scan invoice: %w", err)
		}
		out = append(out, inv)
	}
	return out, rows.Err()
}

func (t *Invoices) AgingBalances(ctx context.Context, tenantID string, cuts []calendar.Date, accounts []string) ([]service.AgingBalance, error) {
	bucket, args := dueBucket("due_date", cuts)
	args = append(args, tenantID)
	only := ""
	if accounts != nil {
		if len(accounts) == 0 {
			return nil, nil
		}
		only = " AND account_id IN (" + dbtx.Placeholders(len(accounts)) + ")"
		for _, a := range accounts {
			args = append(args, a)
		}
	}
	// Read before the query: a PostgreSQL transaction runs one statement at a time.
	cur, err := dbtx.TenantCurrency(ctx, t.Tx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("aging balances: %w", err)
	}
	// The summary per account and due date (migration 00012) holds
	// invoices in debit and credit notes in credit. The customers' names
	// are read afterwards: joining them made SQLite scan per customer.
	rows, err := t.Query(ctx, `SELECT account_id, `+bucket+` AS bucket, `+t.D.Sum("debit")+`, `+t.D.Sum("credit")+`
		FROM receivable_account_dues WHERE tenant_id = ?`+only+`
		GROUP BY account_id, bucket ORDER BY account_id, bucket`, args...)
	if err != nil {
		return nil, fmt.Errorf("aging balances: %w", err)
	}
	var out []service.AgingBalance
	for rows.Next() {
		var r service.AgingBalance
		var debit, credit decimal.Decimal
		if err := rows.Scan(&r.AccountID, &r.Bucket, dbtx.ScanDec(&debit), dbtx.ScanDec(&credit)); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan aging balance: %w", err)
		}
		r.Balance = money.New(debit.Sub(credit), cur)
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("aging balances: %w", err)
	}
	names := map[string][2]string{}
	var ids []string
	for _, r := range out {
		if _, ok := names[r.AccountID]; !ok {
			names[r.AccountID] = [2]string{}
			ids = append(ids, r.AccountID)
		}
	}
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 500)]
		ids = ids[len(chunk):]
		cargs := []any{tenantID}
		for _, id := range chunk {
			cargs = append(cargs, id)
		}
		crows, err := t.Query(ctx, `SELECT id, number, name FROM customers WHERE tenant_id = ? AND id IN (`+dbtx.Placeholders(len(chunk))+`)`, cargs...)
		if err != nil {
			return nil, fmt.Errorf("aging customers: %w", err)
		}
		for crows.Next() {
			var id, number, name string
			if err := crows.Scan(&id, &number, &name); err != nil {
				crows.Close()
				return nil, fmt.Errorf("scan aging customer: %w", err)
			}
			names[id] = [2]string{number, name}
		}
		crows.Close()
		if err := crows.Err(); err != nil {
			return nil, err
		}
	}
	for i := range out {
		n := names[out[i].AccountID]
		out[i].CustomerNumber, out[i].Name = n[0], n[1]
	}
	return out, nil
}

func (t *Invoices) InsertInvoices(ctx context.Context, invs []billing.Invoice) error {
	if len(invs) == 0 {
		return nil
	}
	rows := make([][]any, 0, len(invs))
	for _, inv := range invs {
		a, err := invoiceArgs(t.D, inv)
		if err != nil {
			return err
		}
		rows = append(rows, a)
	}
	if err := t.BulkInsert(ctx, "invoices", splitCols(invoiceWriteCols(t.D)), rows); err != nil {
		if ok, _ := dbtx.UniqueViolation(err); ok {
			return fail.Conflictf("invoice number already used: %v", err)
		}
		return fmt.Errorf("insert invoices: %w", err)
	}
	if err := ApplyDues(ctx, t.Tx, nil, duesOf(invs...)); err != nil {
		return err
	}
	var lines [][]any
	for _, inv := range invs {
		for _, l := range inv.Lines {
			dist, err := dbtx.JSONArg(dbtx.NonNil(l.Distribution))
			if err != nil {
				return err
			}
			codes, err := dbtx.JSONArg(dbtx.NonNil(l.TaxCodes))
			if err != nil {
				return err
			}
			lines = append(lines, lineArgs(&inv, &l, dist, codes))
		}
	}
	if err := t.BulkInsert(ctx, "invoice_lines", lineColNames, lines); err != nil {
		return fmt.Errorf("insert invoice lines: %w", err)
	}
	return nil
}

var lineColNames = splitCols(`tenant_id, invoice_id, position, description, product_id, account, sales_tax_group, item_sales_tax_group,
	quantity, unit, unit_price, discount, amount, charge_type, service_start, service_end, distribution, tax_codes, tax_amount`)

func splitCols(s string) []string {
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

func (t *Invoices) NextCounter(ctx context.Context, tenantID, name string) (int64, error) {
	var v int64
	err := t.QueryRow(ctx, `INSERT INTO counters (tenant_id, name, value) VALUES (?, ?, 1)
		ON CONFLICT (tenant_id, name) DO UPDATE SET value = counters.value + 1 RETURNING value`, tenantID, name).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("next counter %s: %w", name, err)
	}
	return v, nil
}

func (t *Invoices) NextCounters(ctx context.Context, tenantID, name string, n int) (int64, error) {
	var v int64
	err := t.QueryRow(ctx, `INSERT INTO counters (tenant_id, name, value) VALUES (?, ?, ?)
		ON CONFLICT (tenant_id, name) DO UPDATE SET value = counters.value + ? RETURNING value`, tenantID, name, n, n).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("next counters %s: %w", name, err)
	}
	return v, nil
}

// ListInvoicesQuery returns the statement ListInvoices runs for f (with '?'
// placeholders) and its arguments, for the store's plan benchmarks.
func (t *Invoices) ListInvoicesQuery(ctx context.Context, tenantID string, f service.InvoiceFilter) (string, []any, error) {
	return t.listInvoicesQuery(ctx, tenantID, f)
}

// SetSearchThresholds changes the SQLite search plans' thresholds (see
// sqliteSearch), for tests that exercise each plan with a few rows; restore
// puts the previous ones back.
func SetSearchThresholds(readAtMost, filterAtMost int) (restore func()) {
	r, f := searchReadAtMost, searchFilterAtMost
	searchReadAtMost, searchFilterAtMost = readAtMost, filterAtMost
	return func() { searchReadAtMost, searchFilterAtMost = r, f }
}

// SetProbeWindow changes how many rows ListInvoices' probe reads (SQLite),
// for tests; restore puts the previous window back.
func SetProbeWindow(rows int) (restore func()) {
	w := probeWindow
	probeWindow = rows
	return func() { probeWindow = w }
}
