package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store/invoicesql"
)

// ExplainListInvoices returns the statement ListInvoices runs for f inside
// stx (a transaction of this package) and its plan: EXPLAIN QUERY PLAN on
// SQLite, EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL. For the list benchmark.
func ExplainListInvoices(ctx context.Context, stx service.Tx, tenantID string, f service.InvoiceFilter) (query, plan string, err error) {
	t, ok := stx.(*tx)
	if !ok {
		return "", "", fmt.Errorf("explain: %T is not a store transaction", stx)
	}
	query, args, err := t.ListInvoicesQuery(ctx, tenantID, f)
	if err != nil {
		return "", "", err
	}
	if t.D.Engine == Postgres {
		rows, err := t.Query(ctx, `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) `+query, args...)
		if err != nil {
			return query, "", err
		}
		defer rows.Close()
		var b strings.Builder
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				return query, "", err
			}
			b.WriteString(line + "\n")
		}
		return t.D.Rebind(query), b.String(), rows.Err()
	}
	rows, err := t.Query(ctx, `EXPLAIN QUERY PLAN `+query, args...)
	if err != nil {
		return query, "", err
	}
	defer rows.Close()
	depth := map[int]int{}
	var b strings.Builder
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return query, "", err
		}
		depth[id] = depth[parent] + 1
		b.WriteString(strings.Repeat("  ", depth[id]-1) + detail + "\n")
	}
	return query, b.String(), rows.Err()
}

// SetSearchThresholds changes the SQLite search plans' thresholds (see
// sqliteSearch) until the test ends, so that a few rows exercise each plan.
func SetSearchThresholds(t interface{ Cleanup(func()) }, readAtMost, filterAtMost int) {
	t.Cleanup(invoicesql.SetSearchThresholds(readAtMost, filterAtMost))
}

// SetProbeWindow changes how many rows ListInvoices' probe reads (SQLite)
// until restore is called.
func SetProbeWindow(rows int) (restore func()) {
	return invoicesql.SetProbeWindow(rows)
}
