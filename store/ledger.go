package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/service"
)

// InsertEntry appends a journal entry and its lines. Entries are never updated.
func (t *tx) InsertEntry(ctx context.Context, e ledger.Entry) error {
	if err := e.Check(); err != nil {
		return err
	}
	_, err := t.exec(ctx, `INSERT INTO journal_entries (tenant_id, id, number, date, description, source_type, source_id, reverses_id, created_at)
		VALUES (?,?,?,?,?,?,?,?,?)`, e.TenantID, e.ID, e.Number, dateArg(e.Date), e.Description, e.SourceType, e.SourceID, e.ReversesID, t.d.ts(e.CreatedAt))
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
		sb.WriteString("(" + placeholders(cols) + ")")
		args = append(args, e.TenantID, e.ID, i+1, dateArg(e.Date), l.Account, decArg(l.Debit), decArg(l.Credit),
			l.CustomerID, l.InvoiceID, l.Currency, decArg(l.Amount))
	}
	_, err = t.exec(ctx, `INSERT INTO journal_lines (tenant_id, entry_id, line_no, date, account, debit, credit, customer_id, invoice_id, currency, amount)
		VALUES `+sb.String(), args...)
	if foreignKeyViolation(err) {
		return fail.Field("account", "an account of entry %s is not in the chart of accounts", e.Number)
	}
	if err != nil {
		return fmt.Errorf("insert journal lines: %w", err)
	}
	return t.addDaily(ctx, e)
}

func (t *tx) GetEntry(ctx context.Context, tenantID, entryID string) (ledger.Entry, error) {
	e := ledger.Entry{TenantID: tenantID}
	err := t.queryRow(ctx, `SELECT id, number, date, description, source_type, source_id, reverses_id, created_at
		FROM journal_entries WHERE tenant_id = ? AND id = ?`, tenantID, entryID).Scan(&e.ID, &e.Number, dateScan{&e.Date},
		&e.Description, &e.SourceType, &e.SourceID, &e.ReversesID, tsScan{&e.CreatedAt})
	if errNoRows(err) {
		return e, notFound("journal entry", entryID)
	}
	if err != nil {
		return e, fmt.Errorf("get entry: %w", err)
	}
	rows, err := t.query(ctx, `SELECT account, `+t.d.dec("debit")+`, `+t.d.dec("credit")+`, customer_id, invoice_id, currency, `+t.d.dec("amount")+`
		FROM journal_lines WHERE tenant_id = ? AND entry_id = ? ORDER BY line_no`, tenantID, entryID)
	if err != nil {
		return e, fmt.Errorf("get entry lines: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var l ledger.Line
		if err := rows.Scan(&l.Account, decScan{&l.Debit}, decScan{&l.Credit}, &l.CustomerID, &l.InvoiceID, &l.Currency, decScan{&l.Amount}); err != nil {
			return e, fmt.Errorf("scan entry line: %w", err)
		}
		e.Lines = append(e.Lines, l)
	}
	return e, rows.Err()
}

func (t *tx) TrialBalance(ctx context.Context, tenantID string, asOf calendar.Date) ([]ledger.Balance, error) {
	rows, err := t.query(ctx, `SELECT a.code, a.name, a.type, `+t.d.sum("l.debit")+`, `+t.d.sum("l.credit")+`
		FROM ledger_accounts a LEFT JOIN ledger_daily l ON l.tenant_id = a.tenant_id AND l.account = a.code AND l.date <= ?
		WHERE a.tenant_id = ? GROUP BY a.code, a.name, a.type ORDER BY a.code`, dateArg(asOf), tenantID)
	if err != nil {
		return nil, fmt.Errorf("trial balance: %w", err)
	}
	defer rows.Close()
	var out []ledger.Balance
	for rows.Next() {
		var b ledger.Balance
		var typ string
		if err := rows.Scan(&b.Account, &b.Name, &typ, decScan{&b.Debit}, decScan{&b.Credit}); err != nil {
			return nil, fmt.Errorf("scan balance: %w", err)
		}
		b.Type = ledger.Type(typ)
		b.Net = b.Debit.Sub(b.Credit)
		out = append(out, b)
	}
	return out, rows.Err()
}

func (t *tx) AccountLines(ctx context.Context, tenantID, account string, from, to calendar.Date, limit int) ([]service.AccountLine, error) {
	w := tenantWhere("l.tenant_id", tenantID)
	w.and("l.account = ?", account)
	var opening decimal.Decimal
	if !from.IsZero() {
		w.and("l.date >= ?", dateArg(from))
		var d, c decimal.Decimal
		err := t.queryRow(ctx, `SELECT `+t.d.sum("debit")+`, `+t.d.sum("credit")+` FROM journal_lines WHERE tenant_id = ? AND account = ? AND date < ?`,
			tenantID, account, dateArg(from)).Scan(decScan{&d}, decScan{&c})
		if err != nil {
			return nil, fmt.Errorf("opening balance: %w", err)
		}
		opening = d.Sub(c)
	}
	if !to.IsZero() {
		w.and("l.date <= ?", dateArg(to))
	}
	rows, err := t.query(ctx, `SELECT e.id, e.number, l.date, e.description, `+t.d.dec("l.debit")+`, `+t.d.dec("l.credit")+`, l.customer_id, l.invoice_id
		FROM journal_lines l JOIN journal_entries e ON e.tenant_id = l.tenant_id AND e.id = l.entry_id
		WHERE `+w.String()+` ORDER BY l.date, e.number, l.line_no LIMIT ?`, append(w.Args(), limit)...)
	if err != nil {
		return nil, fmt.Errorf("account lines: %w", err)
	}
	defer rows.Close()
	var out []service.AccountLine
	bal := opening
	for rows.Next() {
		var l service.AccountLine
		if err := rows.Scan(&l.EntryID, &l.EntryNumber, dateScan{&l.Date}, &l.Description, decScan{&l.Debit}, decScan{&l.Credit}, &l.CustomerID, &l.InvoiceID); err != nil {
			return nil, fmt.Errorf("scan account line: %w", err)
		}
		bal = bal.Add(l.Debit).Sub(l.Credit)
		l.Balance = bal
		out = append(out, l)
	}
	return out, rows.Err()
}

func (t *tx) SubledgerBalances(ctx context.Context, tenantID string, accounts []string) (map[string]decimal.Decimal, error) {
	out := map[string]decimal.Decimal{}
	if len(accounts) == 0 {
		return out, nil
	}
	args := []any{tenantID}
	for _, a := range accounts {
		args = append(args, a)
	}
	rows, err := t.query(ctx, `SELECT customer_id, `+t.d.sum("debit")+`, `+t.d.sum("credit")+` FROM journal_lines
		WHERE tenant_id = ? AND account IN (`+placeholders(len(accounts))+`) GROUP BY customer_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("subledger: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var cust string
		var d, c decimal.Decimal
		if err := rows.Scan(&cust, decScan{&d}, decScan{&c}); err != nil {
			return nil, fmt.Errorf("scan subledger: %w", err)
		}
		out[cust] = d.Sub(c)
	}
	return out, rows.Err()
}

func (t *tx) Journal(ctx context.Context, tenantID string, f service.JournalFilter) ([]service.JournalRow, error) {
	w := tenantWhere("i.tenant_id", tenantID)
	w.and("i.number IS NOT NULL")
	if f.CustomerID != "" {
		w.and("i.customer_id = ? OR i.invoice_account_id = ?", f.CustomerID, f.CustomerID)
	}
	if !f.From.IsZero() {
		w.and("i.invoice_date >= ?", dateArg(f.From))
	}
	if !f.To.IsZero() {
		w.and("i.invoice_date <= ?", dateArg(f.To))
	}
	rows, err := t.query(ctx, `SELECT i.id, i.number, i.kind, i.status, i.invoice_date, i.invoice_account_id, i.customer_name, i.currency,
		`+t.d.dec("i.total")+`, COALESCE(e.number, ''), COALESCE(v.number, '')
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
		if err := rows.Scan(&r.InvoiceID, &r.Number, &kind, &status, dateScan{&r.InvoiceDate}, &r.CustomerID, &r.CustomerName,
			&r.Currency, decScan{&r.Total}, &r.Voucher, &r.VoidVoucher); err != nil {
			return nil, fmt.Errorf("scan journal row: %w", err)
		}
		r.Kind, r.Status = billingKind(kind), billingStatus(status)
		out = append(out, r)
	}
	return out, rows.Err()
}

func billingKind(s string) billing.Kind     { return billing.Kind(s) }
func billingStatus(s string) billing.Status { return billing.Status(s) }
