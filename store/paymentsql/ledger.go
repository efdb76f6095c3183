package paymentsql

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store/dbtx"
)

// InsertEntry appends a journal entry and its lines. Entries are never updated.
func (t *Payments) InsertEntry(ctx context.Context, e ledger.Entry) error {
	if err := e.Check(); err != nil {
		return err
	}
	_, err := t.Exec(ctx, `INSERT INTO journal_entries (tenant_id, id, number, date, description, source_type, source_id, reverses_id, created_at)
		VALUES (?,?,?,?,?,?,?,?,?)`, e.TenantID, e.ID, e.Number, dbtx.DateArg(e.Date), e.Description, e.SourceType, e.SourceID, e.ReversesID, t.D.TS(e.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert journal entry: %w", err)
	}
	const cols = 11
	var sb strings.Builder
	args := make([]any, 0, len(e.Lines)*cols)
	for i, l := range e.Lines {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString("(" + dbtx.Placeholders(cols) + ")")
		args = append(args, e.TenantID, e.ID, i+1, dbtx.DateArg(e.Date), l.Account, dbtx.DecArg(l.Debit.Decimal()), dbtx.DecArg(l.Credit.Decimal()),
			l.CustomerID, l.InvoiceID, l.Currency, dbtx.DecArg(l.Amount.Decimal()))
	}
	_, err = t.Exec(ctx, `INSERT INTO journal_lines (tenant_id, entry_id, line_no, date, account, debit, credit, customer_id, invoice_id, currency, amount)
		VALUES `+sb.String(), args...)
	if dbtx.ForeignKeyViolation(err) {
		return fail.Field("account", "an account of entry %s is not in the chart of accounts", e.Number)
	}
	if err != nil {
		return fmt.Errorf("insert journal lines: %w", err)
	}
	return t.addDaily(ctx, e)
}

func (t *Payments) GetEntry(ctx context.Context, tenantID, entryID string) (ledger.Entry, error) {
	e := ledger.Entry{TenantID: tenantID}
	err := t.QueryRow(ctx, `SELECT id, number, date, description, source_type, source_id, reverses_id, created_at
		FROM journal_entries WHERE tenant_id = ? AND id = ?`, tenantID, entryID).Scan(&e.ID, &e.Number, dbtx.ScanDate(&e.Date),
		&e.Description, &e.SourceType, &e.SourceID, &e.ReversesID, dbtx.ScanTS(&e.CreatedAt))
	if dbtx.ErrNoRows(err) {
		return e, dbtx.NotFound("journal entry", entryID)
	}
	if err != nil {
		return e, fmt.Errorf("get entry: %w", err)
	}
	rows, err := t.Query(ctx, `SELECT account, `+t.D.Dec("debit")+`, `+t.D.Dec("credit")+`, customer_id, invoice_id, currency, `+t.D.Dec("amount")+`,
		`+dbtx.AccountingCurrency("journal_lines")+`
		FROM journal_lines WHERE tenant_id = ? AND entry_id = ? ORDER BY line_no`, tenantID, entryID)
	if err != nil {
		return e, fmt.Errorf("get entry lines: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var l ledger.Line
		var debit, credit, amount decimal.Decimal
		var accounting string
		if err := rows.Scan(&l.Account, dbtx.ScanDec(&debit), dbtx.ScanDec(&credit), &l.CustomerID, &l.InvoiceID, &l.Currency,
			dbtx.ScanDec(&amount), &accounting); err != nil {
			return e, fmt.Errorf("scan entry line: %w", err)
		}
		l.Debit, l.Credit, l.Amount = money.In(debit, accounting), money.In(credit, accounting), money.In(amount, l.Currency)
		e.Lines = append(e.Lines, l)
	}
	return e, rows.Err()
}

func (t *Payments) EntriesBySource(ctx context.Context, tenantID, sourceType, sourceID string) ([]ledger.Entry, error) {
	rows, err := t.Query(ctx, `SELECT id FROM journal_entries WHERE tenant_id = ? AND source_id = ? AND source_type = ? ORDER BY number`,
		tenantID, sourceID, sourceType)
	if err != nil {
		return nil, fmt.Errorf("entries by source: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan entry id: %w", err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
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
	var one int
	err := t.QueryRow(ctx, `SELECT 1 FROM journal_entries WHERE tenant_id = ? LIMIT 1`, tenantID).Scan(&one)
	if dbtx.ErrNoRows(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("has entries: %w", err)
	}
	return true, nil
}

func (t *Payments) TrialBalance(ctx context.Context, tenantID string, asOf calendar.Date) ([]ledger.Balance, error) {
	// The balances are in the tenant's accounting currency.
	cur, err := dbtx.TenantCurrency(ctx, t.Tx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("trial balance: %w", err)
	}
	rows, err := t.Query(ctx, `SELECT a.code, a.name, a.type, `+t.D.Sum("l.debit")+`, `+t.D.Sum("l.credit")+`
		FROM ledger_accounts a LEFT JOIN ledger_daily l ON l.tenant_id = a.tenant_id AND l.account = a.code AND l.date <= ?
		WHERE a.tenant_id = ? GROUP BY a.code, a.name, a.type ORDER BY a.code`, dbtx.DateArg(asOf), tenantID)
	if err != nil {
		return nil, fmt.Errorf("trial balance: %w", err)
	}
	defer rows.Close()
	var out []ledger.Balance
	for rows.Next() {
		var account, name, typ string
		var debit, credit decimal.Decimal
		if err := rows.Scan(&account, &name, &typ, dbtx.ScanDec(&debit), dbtx.ScanDec(&credit)); err != nil {
			return nil, fmt.Errorf("scan balance: %w", err)
		}
		out = append(out, ledger.NewBalance(account, name, ledger.Type(typ), money.New(debit, cur), money.New(credit, cur)))
	}
	return out, rows.Err()
}

func (t *Payments) AccountLines(ctx context.Context, tenantID, account string, from, to calendar.Date, limit int) ([]service.AccountLine, error) {
	// The lines' amounts are in the tenant's accounting currency.
	cur, err := dbtx.TenantCurrency(ctx, t.Tx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("account lines: %w", err)
	}
	w := dbtx.TenantWhere("l.tenant_id", tenantID)
	w.And("l.account = ?", account)
	var opening decimal.Decimal
	if !from.IsZero() {
		w.And("l.date >= ?", dbtx.DateArg(from))
		var d, c decimal.Decimal
		err := t.QueryRow(ctx, `SELECT `+t.D.Sum("debit")+`, `+t.D.Sum("credit")+` FROM journal_lines WHERE tenant_id = ? AND account = ? AND date < ?`,
			tenantID, account, dbtx.DateArg(from)).Scan(dbtx.ScanDec(&d), dbtx.ScanDec(&c))
		if err != nil {
			return nil, fmt.Errorf("opening balance: %w", err)
		}
		opening = d.Sub(c)
	}
	if !to.IsZero() {
		w.And("l.date <= ?", dbtx.DateArg(to))
	}
	rows, err := t.Query(ctx, `SELECT e.id, e.number, l.date, e.description, `+t.D.Dec("l.debit")+`, `+t.D.Dec("l.credit")+`, l.customer_id, l.invoice_id
		FROM journal_lines l JOIN journal_entries e ON e.tenant_id = l.tenant_id AND e.id = l.entry_id
		WHERE `+w.String()+` ORDER BY l.date, e.number, l.line_no LIMIT ?`, append(w.Args(), limit)...)
	if err != nil {
		return nil, fmt.Errorf("account lines: %w", err)
	}
	defer rows.Close()
	var out []service.AccountLine
	bal := opening
	for rows.Next() {
		l := service.AccountLine{Currency: cur.Code()}
		var debit, credit decimal.Decimal
		if err := rows.Scan(&l.EntryID, &l.EntryNumber, dbtx.ScanDate(&l.Date), &l.Description, dbtx.ScanDec(&debit), dbtx.ScanDec(&credit), &l.CustomerID, &l.InvoiceID); err != nil {
			return nil, fmt.Errorf("scan account line: %w", err)
		}
		bal = bal.Add(debit).Sub(credit)
		l.Debit, l.Credit, l.Balance = money.New(debit, cur), money.New(credit, cur), money.New(bal, cur)
		out = append(out, l)
	}
	return out, rows.Err()
}

func (t *Payments) SubledgerBalances(ctx context.Context, tenantID string, accounts []string) (map[string]decimal.Decimal, error) {
	out := map[string]decimal.Decimal{}
	if len(accounts) == 0 {
		return out, nil
	}
	args := []any{tenantID}
	for _, a := range accounts {
		args = append(args, a)
	}
	rows, err := t.Query(ctx, `SELECT customer_id, `+t.D.Sum("debit")+`, `+t.D.Sum("credit")+` FROM journal_lines
		WHERE tenant_id = ? AND account IN (`+dbtx.Placeholders(len(accounts))+`) GROUP BY customer_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("subledger: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var cust string
		var d, c decimal.Decimal
		if err := rows.Scan(&cust, dbtx.ScanDec(&d), dbtx.ScanDec(&c)); err != nil {
			return nil, fmt.Errorf("scan subledger: %w", err)
		}
		out[cust] = d.Sub(c)
	}
	return out, rows.Err()
}

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
