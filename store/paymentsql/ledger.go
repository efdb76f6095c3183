package paymentsql

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store/dbtx"
	"github.com/facturo/facturo/store/enginesql"
	"github.com/facturo/facturo/store/sqlitesql"
)

// InsertEntry appends a journal entry and its lines. Entries are never updated.
func (t *Payments) InsertEntry(ctx context.Context, e ledger.Entry) error {
	if err := e.Check(); err != nil {
		return err
	}
	err := enginesql.For(t.Tx).InsertEntry(ctx, sqlitesql.InsertEntryParams{TenantID: e.TenantID, ID: e.ID, Number: e.Number,
		Date: dbtx.DateText(e.Date), Description: e.Description, SourceType: e.SourceType, SourceID: e.SourceID, ReversesID: e.ReversesID,
		CreatedAt: dbtx.TimeOf(e.CreatedAt)})
	if err != nil {
		return fmt.Errorf("insert journal entry: %w", err)
	}
	// The lines, many rows in one statement.
	lines := make([]sqlitesql.JournalLine, len(e.Lines))
	for i, l := range e.Lines {
		lines[i] = sqlitesql.JournalLine{TenantID: e.TenantID, EntryID: e.ID, LineNo: int64(i + 1), Date: dbtx.DateText(e.Date),
			Account: l.Account, Debit: l.Debit.Decimal().String(), Credit: l.Credit.Decimal().String(), CustomerID: l.CustomerID,
			InvoiceID: l.InvoiceID, Currency: l.Currency, Amount: l.Amount.Decimal().String()}
	}
	err = dbtx.BulkInsertRows(ctx, t.Tx, "journal_lines", lines)
	if dbtx.ForeignKeyViolation(err) {
		return fail.Field("account", "an account of entry %s is not in the chart of accounts", e.Number)
	}
	if err != nil {
		return fmt.Errorf("insert journal lines: %w", err)
	}
	return t.addDaily(ctx, e)
}

func (t *Payments) GetEntry(ctx context.Context, tenantID, entryID string) (ledger.Entry, error) {
	q := enginesql.For(t.Tx)
	r, err := q.GetEntry(ctx, sqlitesql.GetEntryParams{TenantID: tenantID, ID: entryID})
	if dbtx.ErrNoRows(err) {
		return ledger.Entry{}, dbtx.NotFound("journal entry", entryID)
	}
	if err != nil {
		return ledger.Entry{}, fmt.Errorf("get entry: %w", err)
	}
	var p dbtx.Parse
	e := ledger.Entry{TenantID: tenantID, ID: r.ID, Number: r.Number, Date: p.Date(r.Date), Description: r.Description, SourceType: r.SourceType,
		SourceID: r.SourceID, ReversesID: r.ReversesID, CreatedAt: r.CreatedAt.UTC()}
	lines, err := q.EntryLines(ctx, sqlitesql.EntryLinesParams{TenantID: tenantID, EntryID: entryID})
	if err != nil {
		return e, fmt.Errorf("get entry lines: %w", err)
	}
	for _, row := range lines {
		l, acc := row.JournalLine, row.TenantCurrency
		e.Lines = append(e.Lines, ledger.Line{Account: l.Account, Debit: money.In(p.Dec(l.Debit), acc), Credit: money.In(p.Dec(l.Credit), acc),
			CustomerID: l.CustomerID, InvoiceID: l.InvoiceID, Currency: l.Currency, Amount: money.In(p.Dec(l.Amount), l.Currency)})
	}
	if p.Err != nil {
		return e, fmt.Errorf("entry %s: %w", entryID, p.Err)
	}
	return e, nil
}

func (t *Payments) EntriesBySource(ctx context.Context, tenantID, sourceType, sourceID string) ([]ledger.Entry, error) {
	ids, err := enginesql.For(t.Tx).EntryIDsBySource(ctx, sqlitesql.EntryIDsBySourceParams{TenantID: tenantID, SourceID: sourceID, SourceType: sourceType})
	if err != nil {
		return nil, fmt.Errorf("entries by source: %w", err)
	}
	out := make([]ledger.Entry, 0, len(ids))
	for _, id := range ids {
		e, err := t.GetEntry(ctx, tenantID, id)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

func (t *Payments) HasEntries(ctx context.Context, tenantID string) (bool, error) {
	ids, err := enginesql.For(t.Tx).FirstEntryID(ctx, tenantID)
	if err != nil {
		return false, fmt.Errorf("has entries: %w", err)
	}
	return len(ids) > 0, nil
}

func (t *Payments) TrialBalance(ctx context.Context, tenantID string, asOf calendar.Date) ([]ledger.Balance, error) {
	// The balances are in the tenant's accounting currency.
	cur, err := dbtx.TenantCurrency(ctx, t.Tx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("trial balance: %w", err)
	}
	rows, err := enginesql.For(t.Tx).TrialBalance(ctx, sqlitesql.TrialBalanceParams{AsOf: dbtx.DateText(asOf), TenantID: tenantID})
	if err != nil {
		return nil, fmt.Errorf("trial balance: %w", err)
	}
	var p dbtx.Parse
	out := make([]ledger.Balance, 0, len(rows))
	for _, r := range rows {
		out = append(out, ledger.NewBalance(r.Code, r.Name, ledger.Type(r.Type), money.New(p.Dec(r.Debit), cur), money.New(p.Dec(r.Credit), cur)))
	}
	if p.Err != nil {
		return nil, fmt.Errorf("trial balance: %w", p.Err)
	}
	return out, nil
}

// The dates AccountLines reads between when a bound is not given.
var (
	firstDate = calendar.Of(time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC))
	lastDate  = calendar.Of(time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC))
)

func (t *Payments) AccountLines(ctx context.Context, tenantID, account string, from, to calendar.Date, limit int) ([]service.AccountLine, error) {
	// The lines' amounts are in the tenant's accounting currency.
	cur, err := dbtx.TenantCurrency(ctx, t.Tx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("account lines: %w", err)
	}
	q := enginesql.For(t.Tx)
	var p dbtx.Parse
	var opening decimal.Decimal
	if !from.IsZero() {
		r, err := q.AccountTotalsBefore(ctx, sqlitesql.AccountTotalsBeforeParams{TenantID: tenantID, Account: account, Before: dbtx.DateText(from)})
		if err != nil {
			return nil, fmt.Errorf("opening balance: %w", err)
		}
		opening = p.Dec(r.Debit).Sub(p.Dec(r.Credit))
	} else {
		from = firstDate
	}
	if to.IsZero() {
		to = lastDate
	}
	rows, err := q.AccountLines(ctx, sqlitesql.AccountLinesParams{TenantID: tenantID, Account: account, FromDate: dbtx.DateText(from),
		ToDate: dbtx.DateText(to), Max: int64(limit)})
	if err != nil {
		return nil, fmt.Errorf("account lines: %w", err)
	}
	out := make([]service.AccountLine, 0, len(rows))
	bal := opening
	for _, r := range rows {
		debit, credit := p.Dec(r.Debit), p.Dec(r.Credit)
		bal = bal.Add(debit).Sub(credit)
		out = append(out, service.AccountLine{Currency: cur.Code(), EntryID: r.EntryID, EntryNumber: r.EntryNumber, Date: p.Date(r.Date),
			Description: r.Description, Debit: money.New(debit, cur), Credit: money.New(credit, cur), Balance: money.New(bal, cur),
			CustomerID: r.CustomerID, InvoiceID: r.InvoiceID})
	}
	if p.Err != nil {
		return nil, fmt.Errorf("account lines: %w", p.Err)
	}
	return out, nil
}

func (t *Payments) SubledgerBalances(ctx context.Context, tenantID string, accounts []string) (map[string]decimal.Decimal, error) {
	out := map[string]decimal.Decimal{}
	if len(accounts) == 0 {
		return out, nil
	}
	rows, err := enginesql.For(t.Tx).SubledgerBalances(ctx, sqlitesql.SubledgerBalancesParams{TenantID: tenantID, Accounts: accounts})
	if err != nil {
		return nil, fmt.Errorf("subledger: %w", err)
	}
	var p dbtx.Parse
	for _, r := range rows {
		out[r.CustomerID] = p.Dec(r.Debit).Sub(p.Dec(r.Credit))
	}
	if p.Err != nil {
		return nil, fmt.Errorf("subledger: %w", p.Err)
	}
	return out, nil
}

// Journal lists the issued documents with their vouchers: a list filtered
// at run time, built by the tenant-first WHERE builder.
func (t *Payments) Journal(ctx context.Context, tenantID string, f service.JournalFilter) ([]service.JournalRow, error) {
	w := dbtx.TenantWhere("i.tenant_id", tenantID)
	w.And("i.number IS NOT NULL")
	if f.CustomerID != "" {
		w.And("i.customer_id = ? OR i.invoice_account_id = ?", f.CustomerID, f.CustomerID)
	}
	if !f.From.IsZero() {
		w.And("i.invoice_date >= ?", dbtx.DateArg(f.From))
	}
	if !f.To.IsZero() {
		w.And("i.invoice_date <= ?", dbtx.DateArg(f.To))
	}
	rows, err := t.Query(ctx, `SELECT i.id, i.number, i.kind, i.status, i.invoice_date, i.invoice_account_id, i.customer_name, i.currency,
		`+t.D.Dec("i.total")+`, COALESCE(e.number, ''), COALESCE(v.number, '')
		FROM invoices i
		LEFT JOIN journal_entries e ON e.tenant_id = i.tenant_id AND e.id = i.entry_id
		LEFT JOIN journal_entries v ON v.tenant_id = i.tenant_id AND v.id = i.void_entry_id
		WHERE `+w.String()+` ORDER BY i.invoice_date DESC, i.number DESC LIMIT ?`, append(w.Args(), f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("invoice journal: %w", err)
	}
	defer rows.Close()
	var out []service.JournalRow
	for rows.Next() {
		var r service.JournalRow
		var kind, status string
		var total decimal.Decimal
		if err := rows.Scan(&r.InvoiceID, &r.Number, &kind, &status, dbtx.ScanDate(&r.InvoiceDate), &r.CustomerID, &r.CustomerName,
			&r.Currency, dbtx.ScanDec(&total), &r.Voucher, &r.VoidVoucher); err != nil {
			return nil, fmt.Errorf("scan journal row: %w", err)
		}
		r.Kind, r.Status, r.Total = billingKind(kind), billingStatus(status), money.In(total, r.Currency)
		out = append(out, r)
	}
	return out, rows.Err()
}

func billingKind(s string) billing.Kind     { return billing.Kind(s) }
func billingStatus(s string) billing.Status { return billing.Status(s) }

// addDaily adds an entry's postings to its accounts' totals of the day, in
// account order (the rows are locked in one order by every posting).
func (t *Payments) addDaily(ctx context.Context, e ledger.Entry) error {
	type total struct{ debit, credit decimal.Decimal }
	per := map[string]*total{}
	for _, l := range e.Lines {
		s := per[l.Account]
		if s == nil {
			s = &total{}
			per[l.Account] = s
		}
		s.debit, s.credit = s.debit.Add(l.Debit.Decimal()), s.credit.Add(l.Credit.Decimal())
	}
	accounts := make([]string, 0, len(per))
	for a := range per {
		accounts = append(accounts, a)
	}
	slices.Sort(accounts)
	// Many rows in one statement (sqlc writes no multi-row upsert).
	var sb strings.Builder
	args := make([]any, 0, len(accounts)*5)
	for i, a := range accounts {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString("(?,?,?,?,?)")
		args = append(args, e.TenantID, a, dbtx.DateArg(e.Date), dbtx.DecArg(per[a].debit), dbtx.DecArg(per[a].credit))
	}
	_, err := t.Exec(ctx, `INSERT INTO ledger_daily (tenant_id, account, date, debit, credit) VALUES `+sb.String()+`
		ON CONFLICT (tenant_id, account, date) DO UPDATE SET debit = `+t.D.Add("ledger_daily.debit", "excluded.debit")+`,
		credit = `+t.D.Add("ledger_daily.credit", "excluded.credit"), args...)
	if err != nil {
		return fmt.Errorf("add daily totals: %w", err)
	}
	return nil
}
