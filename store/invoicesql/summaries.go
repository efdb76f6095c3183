package invoicesql

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store/dbtx"
)

// The ledger summaries (migration 00012): ledger_daily, kept by InsertEntry,
// and receivable_dues, kept by ApplyDues in every statement that writes an
// invoice (dues.go; triggers until migration 00019). The reports read them
// instead of every posting and every open document.

// openDocument is the SQL condition of a document that is part of the
// open receivable (the bookkeeping area's OpenReceivableAt): issued and not yet settled.
const openDocument = `status IN (` + billing.OwedSQL + `)`

// receivableSides is the SQL of a document's part of the open receivable,
// as the debit (an invoice's balance) and the credit (a credit note's
// balance) that the summaries keep apart: the amounts are never negated in
// SQL, where SQLite would turn a TEXT amount into a float. zero is the
// engine's zero amount. dueOf (dues.go) is the same rule in Go; the ledger
// property tests check what ApplyDues keeps against a rebuild from this
// definition.
func receivableSides(zero string) (debit, credit string) {
	return `CASE WHEN kind = 'credit_note' THEN ` + zero + ` ELSE balance_accounting END`,
		`CASE WHEN kind = 'credit_note' THEN balance_accounting ELSE ` + zero + ` END`
}

// RebuildSummaries recomputes the ledger summaries of every tenant (the
// daily ledger totals and the receivable dues) inside tx.
func RebuildSummaries(ctx context.Context, tx *sql.Tx, d dbtx.Dialect) error {
	sum, zero := "SUM", "0"
	if d.Engine != dbtx.Postgres {
		sum, zero = "dec_sum", "'0'"
	}
	debit, credit := receivableSides(zero)
	for _, q := range []string{
		`DELETE FROM ledger_daily`,
		`INSERT INTO ledger_daily (tenant_id, account, date, debit, credit)
			SELECT tenant_id, account, date, ` + sum + `(debit), ` + sum + `(credit) FROM journal_lines GROUP BY tenant_id, account, date`,
		`DELETE FROM receivable_dues`,
		`INSERT INTO receivable_dues (tenant_id, due_date, documents, debit, credit)
			SELECT tenant_id, COALESCE(due_date, '0001-01-01'), count(*),
				` + sum + `(` + debit + `), ` + sum + `(` + credit + `)
			FROM invoices WHERE ` + openDocument + ` GROUP BY tenant_id, COALESCE(due_date, '0001-01-01')`,
		`DELETE FROM receivable_account_dues`,
		`INSERT INTO receivable_account_dues (tenant_id, account_id, due_date, documents, debit, credit)
			SELECT tenant_id, invoice_account_id, COALESCE(due_date, '0001-01-01'), count(*),
				` + sum + `(` + debit + `), ` + sum + `(` + credit + `)
			FROM invoices WHERE ` + openDocument + ` GROUP BY tenant_id, invoice_account_id, COALESCE(due_date, '0001-01-01')`,
	} {
		if _, err := tx.ExecContext(ctx, d.Rebind(q)); err != nil {
			return fmt.Errorf("rebuild summaries: %w", err)
		}
	}
	return nil
}

// dueBucket is the SQL that puts a due date column in its aging bucket:
// bucket i holds due dates on or after cuts[i], the last bucket the rest.
func dueBucket(col string, cuts []calendar.Date) (string, []any) {
	var b strings.Builder
	args := make([]any, 0, len(cuts))
	b.WriteString("CASE")
	for i, c := range cuts {
		fmt.Fprintf(&b, " WHEN %s >= ? THEN %d", col, i)
		args = append(args, dbtx.DateArg(c))
	}
	fmt.Fprintf(&b, " ELSE %d END", len(cuts))
	return b.String(), args
}

func (t *Invoices) AgingTotals(ctx context.Context, tenantID string, cuts []calendar.Date) (service.AgingTotals, error) {
	bucket, args := dueBucket("due_date", cuts)
	cur, err := dbtx.TenantCurrency(ctx, t.Tx, tenantID)
	if err != nil {
		return service.AgingTotals{}, fmt.Errorf("aging totals: %w", err)
	}
	out := service.AgingTotals{Buckets: make([]money.Amount, len(cuts)+1)}
	for i := range out.Buckets {
		out.Buckets[i] = money.Zero(cur)
	}
	rows, err := t.Query(ctx, `SELECT `+bucket+` AS bucket, `+t.D.Sum("debit")+`, `+t.D.Sum("credit")+`, SUM(documents)
		FROM receivable_dues WHERE tenant_id = ? GROUP BY bucket`, append(args, tenantID)...)
	if err != nil {
		return out, fmt.Errorf("aging totals: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var b, n int
		var debit, credit decimal.Decimal
		if err := rows.Scan(&b, dbtx.ScanDec(&debit), dbtx.ScanDec(&credit), &n); err != nil {
			return out, fmt.Errorf("scan aging totals: %w", err)
		}
		if b < 0 || b >= len(out.Buckets) {
			return out, fmt.Errorf("aging totals: bucket %d out of range", b)
		}
		out.Buckets[b] = money.New(debit.Sub(credit), cur)
		out.Documents += n
	}
	return out, rows.Err()
}

func (t *Invoices) OpenAccounts(ctx context.Context, tenantID, after string, limit int) ([]string, error) {
	// One primary key seek per account: a loose index scan over the
	// summary, whatever the number of due dates each account has.
	rows, err := t.Query(ctx, `WITH RECURSIVE acc(id) AS (
			SELECT (SELECT MIN(account_id) FROM receivable_account_dues WHERE tenant_id = ? AND account_id > ?)
			UNION ALL
			SELECT (SELECT MIN(account_id) FROM receivable_account_dues WHERE tenant_id = ? AND account_id > acc.id)
			FROM acc WHERE acc.id IS NOT NULL
		) SELECT id FROM acc WHERE id IS NOT NULL LIMIT ?`, tenantID, after, tenantID, limit)
	if err != nil {
		return nil, fmt.Errorf("open accounts: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("scan open account: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
