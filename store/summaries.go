package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/pressly/goose/v3"

	"github.com/facturo/facturo/store/dbtx"
	"github.com/facturo/facturo/store/invoicesql"
)

// summariesMigration fills the summaries from the rows that existed before
// migration 00012 created them.
func (db *DB) summariesMigration() *goose.Migration {
	return goose.NewGoMigration(13, &goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
		return invoicesql.RebuildSummaries(ctx, tx, db.d)
	}}, nil)
}

// RebuildSummaries recomputes the ledger summaries of every tenant from the
// journal and the invoices, in one transaction, and on SQLite the invoices'
// stored amount sort keys (total_key, migration 00019). Facturo keeps them
// itself in every transaction; this is for rows written by another tool (a
// bulk import, a statement in the sqlite3 shell or psql).
func (db *DB) RebuildSummaries(ctx context.Context) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("rebuild summaries: %w", err)
	}
	if err := invoicesql.RebuildSummaries(ctx, tx, db.d); err != nil {
		_ = tx.Rollback()
		return err
	}
	if db.d.Engine == dbtx.SQLite {
		if _, err := tx.ExecContext(ctx, `UPDATE invoices SET total_key = dec_key(total) WHERE total_key IS NOT dec_key(total)`); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("rebuild amount sort keys: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("rebuild summaries: %w", err)
	}
	return nil
}
