package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/demo"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

// rows renders a query's rows, one line each, decimals by value; a summary
// compares equal when every row does.
func rows(t *testing.T, db *store.DB, query string) string {
	t.Helper()
	rs, err := db.SQL().Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	cols, _ := rs.Columns()
	var b strings.Builder
	for rs.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			// Amounts by value: PostgreSQL keeps the scale arithmetic gave.
			if raw, ok := v.([]byte); ok {
				v = string(raw)
			}
			if str, ok := v.(string); ok {
				if d, err := decimal.NewFromString(str); err == nil {
					v = d.String()
				}
			}
			vals[i] = v
		}
		fmt.Fprintln(&b, vals...)
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestRebuildSummaries: a support engineer empties or breaks the summaries
// by hand (as an edit with sqlite3 or psql leaves them stale); the command
// puts back exactly what Facturo keeps.
func TestRebuildSummaries(t *testing.T) {
	clearEnv(t)
	for _, e := range testdb.Engines {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			db := testdb.Open(t, e)
			if _, err := demo.Ensure(ctx, service.New(db)); err != nil {
				t.Fatal(err)
			}
			summaries := []string{
				`SELECT tenant_id, account, date, debit, credit FROM ledger_daily ORDER BY 1, 2, 3`,
				`SELECT tenant_id, due_date, documents, debit, credit FROM receivable_dues ORDER BY 1, 2`,
				`SELECT tenant_id, account_id, due_date, documents, debit, credit FROM receivable_account_dues ORDER BY 1, 2, 3`,
			}
			if e == store.SQLite {
				summaries = append(summaries, `SELECT tenant_id, id, total_key FROM invoices ORDER BY 1, 2`)
			}
			want := make([]string, len(summaries))
			for i, q := range summaries {
				want[i] = rows(t, db, q)
				if strings.Count(want[i], "\n") < 2 {
					t.Fatalf("the demo left almost nothing in %q: %q", q, want[i])
				}
			}
			breakIt := []string{`DELETE FROM ledger_daily`, `DELETE FROM receivable_dues`, `UPDATE receivable_account_dues SET documents = documents + 7`}
			if e == store.SQLite {
				breakIt = append(breakIt, `UPDATE invoices SET total_key = ''`)
			}
			for _, q := range breakIt {
				if _, err := db.SQL().Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			if code, stdout, stderr := cli(t, "rebuild-summaries", "--db", store.DSNOf(db)); code != 0 || !strings.Contains(stdout, "summaries rebuilt") {
				t.Fatalf("rebuild-summaries exit %d\n%s%s", code, stdout, stderr)
			}
			for i, q := range summaries {
				if got := rows(t, db, q); got != want[i] {
					t.Errorf("%s after the rebuild:\n%s\nwant:\n%s", q, got, want[i])
				}
			}
		})
	}
}
