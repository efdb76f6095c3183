package invoicesql

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
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
	"github.com/facturo/facturo/store/enginesql"
	"github.com/facturo/facturo/store/sqlitesql"
	"github.com/facturo/facturo/tax"
)

// invoiceRow is a document's columns as the generated queries write them,
// with the folded search text and, for SQLite, the exact sortable key of
// the total (total_key, dbtx.DecKey, migration 00019) that the amount sort
// and its indexes read.
func invoiceRow(inv billing.Invoice) (sqlitesql.InsertInvoiceParams, error) {
	var js [5]string
	var err error
	for i, v := range []any{inv.BillTo, dbtx.NonNil(inv.PaymentSchedule), dbtx.NonNilMap(inv.CustomFields), dbtx.NonNilMap(inv.ExternalRefs), dbtx.NonNil(inv.Taxes)} {
		if js[i], err = dbtx.JSONArg(v); err != nil {
			return sqlitesql.InsertInvoiceParams{}, err
		}
	}
	search := billing.Fold(inv.Number + " " + inv.DocumentNumber + " " + inv.BillTo.Name + " " + inv.BillTo.LegalName + " " + inv.BillTo.CustomerNumber)
	return sqlitesql.InsertInvoiceParams{TenantID: inv.TenantID, ID: inv.ID, Kind: string(inv.Kind), Status: string(inv.Status),
		DocumentNumber: inv.DocumentNumber, Number: dbtx.NText(inv.Number), CustomerID: inv.CustomerID, InvoiceAccountID: inv.InvoiceAccountID,
		CustomerName: inv.BillTo.Name, BillTo: js[0], InvoiceDate: dbtx.NDateText(inv.InvoiceDate), DocumentDate: dbtx.NDateText(inv.DocumentDate),
		DueDate: dbtx.NDateText(inv.DueDate), CashDiscountDate: dbtx.NDateText(inv.CashDiscountDate), CashDiscountPercent: inv.CashDiscountPct.String(),
		PeriodStart: dbtx.NDateText(inv.PeriodStart), PeriodEnd: dbtx.NDateText(inv.PeriodEnd), Currency: inv.Currency,
		ExchangeRate: inv.ExchangeRate.String(), Provider: inv.Provider, MethodOfPayment: inv.MethodOfPayment, PaymentTermsDays: int64(inv.PaymentTermsDays),
		PaymentSchedule: js[1], HoldUntil: dbtx.NDateText(inv.HoldUntil), Language: inv.Language, CustomFields: js[2], Notes: inv.Notes,
		ExternalRefs: js[3], PostingProfile: inv.PostingProfile, TaxMode: string(inv.TaxMode), Net: inv.Net.Decimal().String(),
		Tax: inv.Tax.Decimal().String(), Total: inv.Total.Decimal().String(), Paid: inv.Paid.Decimal().String(), Balance: inv.Balance.Decimal().String(),
		TotalAccounting: inv.TotalAccounting.Decimal().String(), BalanceAccounting: inv.BalanceAccounting.Decimal().String(), Taxes: js[4],
		EntryID: inv.EntryID, VoidEntryID: inv.VoidEntryID, CloseReason: inv.CloseReason, IssuedAt: dbtx.NTimeOf(inv.IssuedAt),
		ClosedAt: dbtx.NTimeOf(inv.ClosedAt), VoidedAt: dbtx.NTimeOf(inv.VoidedAt), CreatedAt: dbtx.TimeOf(inv.CreatedAt), UpdatedAt: dbtx.TimeOf(inv.UpdatedAt),
		Search: search, OriginalID: inv.OriginalID, CreditNoteID: inv.CreditNoteID, ReplacementID: inv.ReplacementID,
		CorrectionReason: inv.CorrectionReason, CorrectionComment: inv.CorrectionComment, TemplateID: inv.TemplateID, TemplatePeriod: inv.TemplatePeriod,
		CashDiscountAmount: inv.CashDiscount.Decimal().String(), TotalKey: dbtx.NText(dbtx.DecKey(inv.Total.Decimal()))}, nil
}

// invoiceOf is the document a row holds (without its lines); tenantCurrency
// is the currency of its accounting amounts.
func invoiceOf(r sqlitesql.Invoice, tenantCurrency string) (billing.Invoice, error) {
	var p dbtx.Parse
	cur := r.Currency
	inv := billing.Invoice{TenantID: r.TenantID, ID: r.ID, Kind: billing.Kind(r.Kind), Status: billing.Status(r.Status), DocumentNumber: r.DocumentNumber,
		Number: r.Number.String, CustomerID: r.CustomerID, InvoiceAccountID: r.InvoiceAccountID, InvoiceDate: p.NDate(r.InvoiceDate),
		DocumentDate: p.NDate(r.DocumentDate), DueDate: p.NDate(r.DueDate), CashDiscountDate: p.NDate(r.CashDiscountDate),
		CashDiscountPct: p.Dec(r.CashDiscountPercent), PeriodStart: p.NDate(r.PeriodStart), PeriodEnd: p.NDate(r.PeriodEnd), Currency: cur,
		ExchangeRate: p.Dec(r.ExchangeRate), Provider: r.Provider, MethodOfPayment: r.MethodOfPayment, PaymentTermsDays: int(r.PaymentTermsDays),
		HoldUntil: p.NDate(r.HoldUntil), Language: r.Language, Notes: r.Notes, PostingProfile: r.PostingProfile, TaxMode: tax.Mode(r.TaxMode),
		EntryID: r.EntryID, VoidEntryID: r.VoidEntryID, CloseReason: r.CloseReason, IssuedAt: r.IssuedAt.Ptr(), ClosedAt: r.ClosedAt.Ptr(),
		VoidedAt: r.VoidedAt.Ptr(), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), OriginalID: r.OriginalID, CreditNoteID: r.CreditNoteID,
		ReplacementID: r.ReplacementID, CorrectionReason: r.CorrectionReason, CorrectionComment: r.CorrectionComment, TemplateID: r.TemplateID,
		TemplatePeriod: r.TemplatePeriod}
	c := inv.Cur()
	inv.Net, inv.Tax, inv.Total = money.New(p.Dec(r.Net), c), money.New(p.Dec(r.Tax), c), money.New(p.Dec(r.Total), c)
	inv.Paid, inv.Balance = money.New(p.Dec(r.Paid), c), money.New(p.Dec(r.Balance), c)
	inv.TotalAccounting, inv.BalanceAccounting = money.In(p.Dec(r.TotalAccounting), tenantCurrency), money.In(p.Dec(r.BalanceAccounting), tenantCurrency)
	inv.CashDiscount = money.New(p.Dec(r.CashDiscountAmount), c)
	if p.Err != nil {
		return inv, fmt.Errorf("invoice %s: %w", r.ID, p.Err)
	}
	for i, v := range []struct {
		js  string
		dst any
	}{{r.BillTo, &inv.BillTo}, {r.PaymentSchedule, &inv.PaymentSchedule}, {r.CustomFields, &inv.CustomFields}, {r.ExternalRefs, &inv.ExternalRefs},
		{r.Taxes, &inv.Taxes}} {
		if err := json.Unmarshal([]byte(v.js), v.dst); err != nil {
			return inv, fmt.Errorf("invoice %s json %d: %w", r.ID, i, err)
		}
	}
	for i := range inv.Taxes { // stored as JSON, which holds no currency
		t := &inv.Taxes[i]
		t.Base, t.Amount = money.New(t.Base.Decimal(), c), money.New(t.Amount.Decimal(), c)
	}
	for i := range inv.PaymentSchedule {
		inv.PaymentSchedule[i].Amount = money.New(inv.PaymentSchedule[i].Amount.Decimal(), c)
	}
	return inv, nil
}

// invoiceWithCurrency is a document row beside its tenant's currency, as
// the generated queries return it and the lists scan it.
type invoiceWithCurrency = sqlitesql.GetInvoiceRow

// invoiceSelect selects every column of invoices with the tenant's
// currency, for the lists the builder makes (scanned by dbtx.ScanRows).
const invoiceSelect = `SELECT *, (SELECT tn.currency FROM tenants tn WHERE tn.id = invoices.tenant_id) AS tenant_currency`

func (t *Invoices) InsertInvoice(ctx context.Context, inv billing.Invoice) error {
	row, err := invoiceRow(inv)
	if err != nil {
		return err
	}
	if err := enginesql.For(t.Tx).InsertInvoice(ctx, row); err != nil {
		if ok, _ := dbtx.UniqueViolation(err); ok {
			return fail.Conflictf("invoice number already used: %v", err)
		}
		return fmt.Errorf("insert invoice: %w", err)
	}
	if err := ApplyDues(ctx, t.Tx, nil, duesOf(inv)); err != nil {
		return err
	}
	RememberDue(t.Tx, inv.TenantID, inv.ID, dueOf(inv))
	if err := t.insertLines(ctx, inv); err != nil {
		return err
	}
	return t.insertCharges(ctx, inv)
}

// lineRow is a line's columns as the generated queries write them.
func lineRow(inv *billing.Invoice, l *billing.Line) (sqlitesql.InvoiceLine, error) {
	dist, err := dbtx.JSONArg(dbtx.NonNil(l.Distribution))
	if err != nil {
		return sqlitesql.InvoiceLine{}, err
	}
	codes, err := dbtx.JSONArg(dbtx.NonNil(l.TaxCodes))
	if err != nil {
		return sqlitesql.InvoiceLine{}, err
	}
	var price *decimal.Decimal
	if l.UnitPrice != nil {
		d := l.UnitPrice.Decimal()
		price = &d
	}
	return sqlitesql.InvoiceLine{TenantID: inv.TenantID, InvoiceID: inv.ID, Position: int64(l.Position), Description: l.Description,
		ProductID: l.ProductID, Account: l.Account, SalesTaxGroup: l.SalesTaxGroup, ItemSalesTaxGroup: l.ItemSalesTaxGroup,
		Quantity: dbtx.NDecText(l.Quantity), Unit: l.Unit, UnitPrice: dbtx.NDecText(price), Discount: l.Discount.Decimal().String(),
		Amount: l.Amount.Decimal().String(), ChargeType: string(l.ChargeType), ServiceStart: dbtx.NDateText(l.ServiceStart),
		ServiceEnd: dbtx.NDateText(l.ServiceEnd), Distribution: dist, TaxCodes: codes, TaxAmount: l.TaxAmount.Decimal().String()}, nil
}

// lineRows is the rows of a document's lines as lineRow writes them.
func lineRows(inv *billing.Invoice) ([]sqlitesql.InvoiceLine, error) {
	rows := make([]sqlitesql.InvoiceLine, 0, len(inv.Lines))
	for j := range inv.Lines {
		r, err := lineRow(inv, &inv.Lines[j])
		if err != nil {
			return nil, err
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// storedLines keys, in the transaction's memo (dbtx.Tx.Remember), the rows
// of a document's lines as they stand in the database: read or written by
// this transaction. UpdateInvoice compares with them and leaves unchanged
// lines alone (issuing a draft recomputes its lines, which rarely change).
// Only this package writes invoice_lines, so what it remembers stays true
// to the end of the transaction.
type storedLines struct{ tenantID, invoiceID string }

// rememberLines records rows as the stored lines of inv.
func (t *Invoices) rememberLines(inv *billing.Invoice, rows []sqlitesql.InvoiceLine) {
	t.Tx.Remember(storedLines{inv.TenantID, inv.ID}, rows)
}

// linesUnchanged reports whether rows are the stored lines of inv, as this
// transaction read or wrote them.
func (t *Invoices) linesUnchanged(inv *billing.Invoice, rows []sqlitesql.InvoiceLine) bool {
	stored, ok := t.Tx.Recall(storedLines{inv.TenantID, inv.ID}).([]sqlitesql.InvoiceLine)
	return ok && slices.Equal(stored, rows)
}

// insertLines inserts the lines of one or more documents, many rows per
// statement (dbtx.BulkInsertRows).
func (t *Invoices) insertLines(ctx context.Context, invs ...billing.Invoice) error {
	var rows []sqlitesql.InvoiceLine
	for i := range invs {
		r, err := lineRows(&invs[i])
		if err != nil {
			return err
		}
		if len(invs) == 1 {
			t.rememberLines(&invs[i], r)
		}
		rows = append(rows, r...)
	}
	if err := dbtx.BulkInsertRows(ctx, t.Tx, "invoice_lines", rows); err != nil {
		return fmt.Errorf("insert invoice lines: %w", err)
	}
	return nil
}

// lineOf is the line a row holds, in the document's currency cur.
func lineOf(r sqlitesql.InvoiceLine, cur string, p *dbtx.Parse) (billing.Line, error) {
	l := billing.Line{Position: int(r.Position), Description: r.Description, ProductID: r.ProductID, Account: r.Account,
		SalesTaxGroup: r.SalesTaxGroup, ItemSalesTaxGroup: r.ItemSalesTaxGroup, Quantity: p.NDec(r.Quantity), Unit: r.Unit,
		Discount: money.In(p.Dec(r.Discount), cur), Amount: money.In(p.Dec(r.Amount), cur), ChargeType: billing.ChargeType(r.ChargeType),
		ServiceStart: p.NDate(r.ServiceStart), ServiceEnd: p.NDate(r.ServiceEnd), TaxAmount: money.In(p.Dec(r.TaxAmount), cur)}
	if price := p.NDec(r.UnitPrice); price != nil {
		pr := money.PriceIn(*price, cur)
		l.UnitPrice = &pr
	}
	if err := json.Unmarshal([]byte(r.Distribution), &l.Distribution); err != nil {
		return l, fmt.Errorf("line distribution: %w", err)
	}
	if err := json.Unmarshal([]byte(r.TaxCodes), &l.TaxCodes); err != nil {
		return l, fmt.Errorf("line tax codes: %w", err)
	}
	return l, nil
}

// withLines is the document a row holds, with its lines read.
func (t *Invoices) withLines(ctx context.Context, r invoiceWithCurrency, err error, invoiceID string) (billing.Invoice, error) {
	if dbtx.ErrNoRows(err) {
		return billing.Invoice{}, dbtx.NotFound("invoice", invoiceID)
	}
	if err != nil {
		return billing.Invoice{}, fmt.Errorf("get invoice: %w", err)
	}
	inv, err := invoiceOf(r.Invoice, r.TenantCurrency)
	if err != nil {
		return inv, err
	}
	rows, err := enginesql.For(t.Tx).InvoiceLines(ctx, sqlitesql.InvoiceLinesParams{TenantID: inv.TenantID, InvoiceID: inv.ID})
	if err != nil {
		return inv, fmt.Errorf("get invoice lines: %w", err)
	}
	var p dbtx.Parse
	for _, lr := range rows {
		l, err := lineOf(lr, inv.Currency, &p)
		if err != nil {
			return inv, err
		}
		inv.Lines = append(inv.Lines, l)
	}
	if p.Err != nil {
		return inv, fmt.Errorf("invoice %s lines: %w", inv.ID, p.Err)
	}
	// Remembered as UpdateInvoice would write them, so that equal lines
	// compare equal whatever text the engine returned for a number.
	written, err := lineRows(&inv)
	if err != nil {
		return inv, err
	}
	t.rememberLines(&inv, written)
	return inv, t.readCharges(ctx, &inv)
}

func (t *Invoices) GetInvoice(ctx context.Context, tenantID, invoiceID string) (billing.Invoice, error) {
	r, err := enginesql.For(t.Tx).GetInvoice(ctx, sqlitesql.GetInvoiceParams{TenantID: tenantID, ID: invoiceID})
	return t.withLines(ctx, r, err, invoiceID)
}

func (t *Invoices) GetInvoiceForUpdate(ctx context.Context, tenantID, invoiceID string) (billing.Invoice, error) {
	r, err := enginesql.For(t.Tx).GetInvoiceForUpdate(ctx, sqlitesql.GetInvoiceForUpdateParams{TenantID: tenantID, ID: invoiceID})
	inv, err := t.withLines(ctx, invoiceWithCurrency(r), err, invoiceID)
	if err == nil { // the row is locked (PostgreSQL) or SQLite's one writer's: what it holds stays until this transaction changes it
		RememberDue(t.Tx, tenantID, invoiceID, dueOf(inv))
	}
	return inv, err
}

func (t *Invoices) UpdateInvoice(ctx context.Context, inv billing.Invoice) error {
	row, err := invoiceRow(inv)
	if err != nil {
		return err
	}
	before, err := DueBefore(ctx, t.Tx, inv.TenantID, inv.ID)
	if err != nil {
		return err
	}
	q := enginesql.For(t.Tx)
	n, err := q.UpdateInvoice(ctx, sqlitesql.UpdateInvoiceParams{Kind: row.Kind, Status: row.Status, DocumentNumber: row.DocumentNumber,
		Number: row.Number, CustomerID: row.CustomerID, InvoiceAccountID: row.InvoiceAccountID, CustomerName: row.CustomerName, BillTo: row.BillTo,
		InvoiceDate: row.InvoiceDate, DocumentDate: row.DocumentDate, DueDate: row.DueDate, CashDiscountDate: row.CashDiscountDate,
		CashDiscountPercent: row.CashDiscountPercent, PeriodStart: row.PeriodStart, PeriodEnd: row.PeriodEnd, Currency: row.Currency,
		ExchangeRate: row.ExchangeRate, Provider: row.Provider, MethodOfPayment: row.MethodOfPayment, PaymentTermsDays: row.PaymentTermsDays,
		PaymentSchedule: row.PaymentSchedule, HoldUntil: row.HoldUntil, Language: row.Language, CustomFields: row.CustomFields, Notes: row.Notes,
		ExternalRefs: row.ExternalRefs, PostingProfile: row.PostingProfile, TaxMode: row.TaxMode, Net: row.Net, Tax: row.Tax, Total: row.Total,
		Paid: row.Paid, Balance: row.Balance, TotalAccounting: row.TotalAccounting, BalanceAccounting: row.BalanceAccounting, Taxes: row.Taxes,
		EntryID: row.EntryID, VoidEntryID: row.VoidEntryID, CloseReason: row.CloseReason, IssuedAt: row.IssuedAt, ClosedAt: row.ClosedAt,
		VoidedAt: row.VoidedAt, CreatedAt: row.CreatedAt, UpdatedAt: row.UpdatedAt, Search: row.Search, OriginalID: row.OriginalID,
		CreditNoteID: row.CreditNoteID, ReplacementID: row.ReplacementID, CorrectionReason: row.CorrectionReason,
		CorrectionComment: row.CorrectionComment, TemplateID: row.TemplateID, TemplatePeriod: row.TemplatePeriod,
		CashDiscountAmount: row.CashDiscountAmount, TotalKey: row.TotalKey, TenantID: row.TenantID, ID: row.ID})
	if ok, _ := dbtx.UniqueViolation(err); ok {
		return fail.Conflictf("invoice number %s is already used", inv.Number)
	}
	if err := dbtx.MustAffectRows(n, err, "invoice", inv.ID); err != nil {
		return err
	}
	if err := ApplyDues(ctx, t.Tx, []Due{before}, duesOf(inv)); err != nil {
		return err
	}
	RememberDue(t.Tx, inv.TenantID, inv.ID, dueOf(inv))
	if err := t.replaceCharges(ctx, inv); err != nil {
		return err
	}
	lines, err := lineRows(&inv)
	if err != nil {
		return err
	}
	if t.linesUnchanged(&inv, lines) {
		return nil
	}
	if err := q.DeleteInvoiceLines(ctx, sqlitesql.DeleteInvoiceLinesParams{TenantID: inv.TenantID, InvoiceID: inv.ID}); err != nil {
		return fmt.Errorf("replace invoice lines: %w", err)
	}
	if err := dbtx.BulkInsertRows(ctx, t.Tx, "invoice_lines", lines); err != nil {
		return fmt.Errorf("replace invoice lines: %w", err)
	}
	t.rememberLines(&inv, lines)
	return nil
}

func (t *Invoices) DeleteInvoice(ctx context.Context, tenantID, invoiceID string) error {
	q := enginesql.For(t.Tx)
	t.Tx.Forget(storedLines{tenantID, invoiceID})
	t.Tx.Forget(storedCharges{tenantID, invoiceID})
	if err := q.DeleteInvoiceCharges(ctx, sqlitesql.DeleteInvoiceChargesParams{TenantID: tenantID, InvoiceID: invoiceID}); err != nil {
		return fmt.Errorf("delete invoice charges: %w", err)
	}
	if err := q.DeleteInvoiceLines(ctx, sqlitesql.DeleteInvoiceLinesParams{TenantID: tenantID, InvoiceID: invoiceID}); err != nil {
		return fmt.Errorf("delete invoice lines: %w", err)
	}
	before, err := DueBefore(ctx, t.Tx, tenantID, invoiceID)
	if err != nil {
		return err
	}
	n, err := q.DeleteInvoice(ctx, sqlitesql.DeleteInvoiceParams{TenantID: tenantID, ID: invoiceID})
	if err := dbtx.MustAffectRows(n, err, "invoice", invoiceID); err != nil {
		return err
	}
	RememberDue(t.Tx, tenantID, invoiceID, Due{})
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
	l, err := t.listInvoicesParts(ctx, tenantID, f)
	if err != nil {
		return nil, err
	}
	query, args := l.query()
	return t.listInvoices(ctx, query, args)
}

func (t *Invoices) listInvoices(ctx context.Context, query string, args []any) ([]billing.Invoice, error) {
	rows, err := t.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list invoices: %w", err)
	}
	rs, err := dbtx.ScanRows[invoiceWithCurrency](rows)
	if err != nil {
		return nil, err
	}
	out := make([]billing.Invoice, 0, len(rs))
	for _, r := range rs {
		inv, err := invoiceOf(r.Invoice, r.TenantCurrency)
		if err != nil {
			return nil, err
		}
		out = append(out, inv)
	}
	return out, nil
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
	l, err := t.listInvoicesParts(ctx, tenantID, window)
	if err != nil {
		return "", nil, false, err
	}
	if l.customerID != "" || l.onlyThese || l.indexedBy != "" {
		return "", nil, false, nil // a form this probe does not know
	}
	where, order := l.w.String(), l.order // order ends in "LIMIT ?"
	sel := invoiceSelect + ` FROM invoices WHERE `
	wargs := append(l.w.Args(), l.limit)
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

// listInvoicesParts builds one page of ListInvoices (see invoiceList.query for
// its statement).
//
// Every order is (sort expression, id), and the keyset compares the same
// pair, so that an index ending in that pair (migration 00003) serves both
// the order and the cursor, and a page reads about as many rows as it
// returns. Conditions marked "implied" are there only so that an index can
// be used: they never change the result.
func (t *Invoices) listInvoicesParts(ctx context.Context, tenantID string, f service.InvoiceFilter) (invoiceList, error) {
	col, ok := invoiceSortColumn[f.Sort]
	if !ok {
		return invoiceList{}, fail.Field("sort", "%q is not sortable", f.Sort)
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
				return invoiceList{}, err
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
	case "status":
		sortExpr = statusRank
	}
	// Sorted by status, a list read from the tenant's invoices in order is
	// read a status at a time (invoiceList.statusSegments).
	segments := col == "status" && f.CustomerID == "" && !onlyThese
	var after *statusAfter
	if c := f.Page.After(); c != nil {
		var v any = c.Sort
		switch col {
		case "status":
			rank := billing.Status(c.Sort).Rank()
			if rank < 0 {
				return invoiceList{}, fail.Field("cursor", "is not a cursor this API returned")
			}
			v = rank
			if segments {
				after = &statusAfter{rank: rank, id: c.ID}
			}
		case "invoice_date", "due_date", "period_start":
			if v == "" {
				v = "0001-01-01"
			} else if _, err := calendar.Parse(c.Sort); err != nil {
				return invoiceList{}, fail.Field("cursor", "is not a cursor this API returned")
			}
		case "total":
			d, err := decimal.NewFromString(c.Sort)
			if err != nil {
				return invoiceList{}, fail.Field("cursor", "is not a cursor this API returned")
			}
			v = t.D.NumArg(d)
		case "created_at":
			ts, err := time.Parse(time.RFC3339Nano, c.Sort)
			if err != nil {
				return invoiceList{}, fail.Field("cursor", "is not a cursor this API returned")
			}
			v = t.D.TS(ts)
		}
		op := ">"
		if f.Desc {
			op = "<"
		}
		switch {
		case after != nil: // each status's segment has its own keyset
		case col == "total" && t.D.Engine == dbtx.Postgres:
			add("("+sortExpr+", id) "+op+" (?::numeric, ?)", v, c.ID)
		case t.D.Engine == dbtx.Postgres && (col == "invoice_date" || col == "due_date" || col == "period_start"):
			add("("+sortExpr+", id) "+op+" (?::date, ?)", v, c.ID)
		default:
			add("("+sortExpr+", id) "+op+" (?, ?)", v, c.ID)
		}
	}
	dir := "ASC"
	if f.Desc {
		dir = "DESC"
	}
	l := invoiceList{w: w, order: ` ORDER BY ` + sortExpr + ` ` + dir + `, id ` + dir + ` LIMIT ?`, limit: f.Page.Limit + 1,
		onlyThese: onlyThese, customerID: f.CustomerID}
	if segments {
		l.statusSegments, l.statusAfter, l.desc = statusOrder(f), after, f.Desc
	}
	if t.D.Engine == dbtx.SQLite && len(f.Statuses) == 1 && col == "invoice_date" && !onlyThese {
		// Without statistics SQLite rates this index no better than the
		// date index, whose walk may read a whole date range for a status
		// it hardly holds; it is never worse.
		l.indexedBy = "invoices_status_date_idx"
	}
	return l, nil
}

// invoiceList is one page of a list of invoices as listInvoices builds it:
// its conditions (the tenant's first), its order (ending in "LIMIT ?") and
// limit, and how the engine should read them.
type invoiceList struct {
	w          *dbtx.Where
	order      string
	limit      int
	indexedBy  string // an index SQLite should read (INDEXED BY), or ""
	onlyThese  bool   // a SQLite search that read its few candidates' rowids
	customerID string // a customer's own documents and those billed to it
	// statusSegments are the statuses of a list sorted by status, in the
	// list's order, each read in id order from the status index; after is
	// the cursor's place among them.
	statusSegments []billing.Status
	statusAfter    *statusAfter
	desc           bool
}

// statusAfter is a cursor of a list sorted by status: the status's rank
// (billing.Status.Rank) and the last id.
type statusAfter struct {
	rank int
	id   string
}

// statusRank is the SQL of billing.Status.Rank: a list sorted by status
// follows the lifecycle (draft first, void last), not the alphabet.
var statusRank = func() string {
	var b strings.Builder
	b.WriteString("CASE status")
	for i, st := range billing.Statuses {
		fmt.Fprintf(&b, " WHEN '%s' THEN %d", st, i)
	}
	fmt.Fprintf(&b, " ELSE %d END", len(billing.Statuses))
	return b.String()
}()

// statusOrder lists the statuses f's list holds, in its order.
func statusOrder(f service.InvoiceFilter) []billing.Status {
	var out []billing.Status
	for _, st := range billing.Statuses {
		if len(f.Statuses) == 0 || slices.Contains(f.Statuses, st) {
			out = append(out, st)
		}
	}
	if f.Desc {
		slices.Reverse(out)
	}
	return out
}

// query is the list's statement and its arguments.
func (l invoiceList) query() (string, []any) {
	w := l.w
	args := w.Args()
	switch {
	case l.customerID != "":
		// The customer filter matches a customer's own documents or those
		// billed to it as an account: an OR over two columns, which no one
		// index can return in order. It is written as the two disjoint
		// halves, each read in order from its own index up to one page,
		// then merged.
		q := func(cond string) string {
			return `SELECT * FROM (SELECT * FROM invoices WHERE ` + w.With(cond) + l.order + `)`
		}
		all := make([]any, 0, 2*len(args)+5)
		all = append(append(append(all, args...), l.customerID, l.limit), args...)
		all = append(all, l.customerID, l.limit, l.limit)
		return invoiceSelect + ` FROM (` + q("customer_id = ?") + ` AS own UNION ALL ` +
			q("invoice_account_id = ? AND customer_id <> invoice_account_id") + ` AS billed) AS invoices` + l.order, all
	case len(l.statusSegments) > 0:
		// Sorted by status: no index holds the lifecycle's order, so each
		// status is read from the status index (tenant, status, id) up to
		// one page, after the cursor, and the segments are concatenated in
		// the lifecycle's order; the outer sort orders at most a page per status.
		dir, op := "ASC", ">"
		if l.desc {
			dir, op = "DESC", "<"
		}
		var parts []string
		var all []any
		for _, st := range l.statusSegments {
			conds := []string{"COALESCE(status, '') = ?"}
			segArgs := []any{string(st)}
			if a := l.statusAfter; a != nil {
				switch r := st.Rank(); {
				case r == a.rank:
					conds = append(conds, "id "+op+" ?")
					segArgs = append(segArgs, a.id)
				case (r < a.rank) != l.desc:
					continue // wholly before the cursor
				}
			}
			parts = append(parts, `SELECT * FROM (SELECT * FROM invoices WHERE `+w.With(conds...)+` ORDER BY id `+dir+` LIMIT ?) AS s`+strconv.Itoa(len(parts)))
			all = append(append(append(all, args...), segArgs...), l.limit)
		}
		return invoiceSelect + ` FROM (` + strings.Join(parts, ` UNION ALL `) + `) AS invoices` + l.order, append(all, l.limit)
	case l.onlyThese:
		// SQLite sorts the candidates: sort their rowids, not whole rows.
		return invoiceSelect + ` FROM invoices WHERE rowid IN (SELECT rowid FROM invoices WHERE ` +
			w.String() + l.order + `)` + l.order, append(args, l.limit, l.limit)
	}
	from := "invoices"
	if l.indexedBy != "" {
		from += " INDEXED BY " + l.indexedBy
	}
	return invoiceSelect + ` FROM ` + from + ` WHERE ` + w.String() + l.order, append(args, l.limit)
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
	return t.listInvoices(ctx, invoiceSelect+` FROM invoices WHERE `+w.String()+` ORDER BY invoice_account_id, due_date, id`, w.Args())
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
	rows := make([]sqlitesql.InsertInvoiceParams, 0, len(invs))
	for _, inv := range invs {
		r, err := invoiceRow(inv)
		if err != nil {
			return err
		}
		rows = append(rows, r)
	}
	if err := dbtx.BulkInsertRows(ctx, t.Tx, "invoices", rows); err != nil {
		if ok, _ := dbtx.UniqueViolation(err); ok {
			return fail.Conflictf("invoice number already used: %v", err)
		}
		return fmt.Errorf("insert invoices: %w", err)
	}
	if err := ApplyDues(ctx, t.Tx, nil, duesOf(invs...)); err != nil {
		return err
	}
	for i := range invs {
		RememberDue(t.Tx, invs[i].TenantID, invs[i].ID, dueOf(invs[i]))
	}
	if err := t.insertLines(ctx, invs...); err != nil {
		return err
	}
	return t.insertCharges(ctx, invs...)
}

func (t *Invoices) NextCounter(ctx context.Context, tenantID, name string) (int64, error) {
	return t.NextCounters(ctx, tenantID, name, 1)
}

func (t *Invoices) NextCounters(ctx context.Context, tenantID, name string, n int) (int64, error) {
	v, err := enginesql.For(t.Tx).NextCounters(ctx, sqlitesql.NextCountersParams{TenantID: tenantID, Name: name, N: int64(n)})
	if err != nil {
		return 0, fmt.Errorf("next counters %s: %w", name, err)
	}
	t.Tx.Remember(lockedCounter{tenantID, name}, true) // the update holds the row to the end of the transaction
	return v, nil
}

// ListInvoicesQuery returns the statement ListInvoices runs for f (with '?'
// placeholders) and its arguments, for the store's plan benchmarks.
func (t *Invoices) ListInvoicesQuery(ctx context.Context, tenantID string, f service.InvoiceFilter) (string, []any, error) {
	l, err := t.listInvoicesParts(ctx, tenantID, f)
	if err != nil {
		return "", nil, err
	}
	query, args := l.query()
	return query, args, nil
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
