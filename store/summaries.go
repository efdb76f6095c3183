package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/pressly/goose/v3"

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
// journal and the invoices, in one transaction. Facturo keeps them itself;
// this is for a bulk import that loaded rows with the triggers set aside.
func (db *DB) RebuildSummaries(ctx context.Context) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("rebuild summaries: %w", err)
	}
	if err := invoicesql.RebuildSummaries(ctx, tx, db.d); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("rebuild summaries: %w", err)
	}
	return nil
}
