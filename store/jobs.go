package store

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"log/slog"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/facturo/facturo/store/dbtx"
)

// JobDriver returns the River driver (package jobs runs Facturo's
// background work on River) over db's read-write pool: riversqlite on
// SQLite, riverdatabasesql on PostgreSQL. The store runs PostgreSQL through
// database/sql, so with riverdatabasesql a job can be inserted in the
// *sql.Tx of the business change that causes it.
func (db *DB) JobDriver() riverdriver.Driver[*sql.Tx] {
	if db.engine == dbtx.Postgres {
		return riverdatabasesql.New(db.write)
	}
	return riversqlite.New(db.write)
}

// migrateJobTables creates and upgrades River's tables (river_job,
// river_leader, river_queue…) with River's own migrations, after Facturo's
// and under a lock of their own: on SQLite the file lock Migrate holds, on
// PostgreSQL a session advisory lock per schema, so nodes starting together
// run them one at a time. Each of River's steps is transactional and
// recorded in river_migration, so a second run does nothing and an
// interrupted one resumes. (They cannot run inside one goose migration: on
// PostgreSQL one adds an enum value a later one uses, which one transaction
// may not do.)
func (db *DB) migrateJobTables(ctx context.Context, schema string, log *slog.Logger) error {
	if db.engine == dbtx.Postgres {
		conn, err := db.write.Conn(ctx)
		if err != nil {
			return fmt.Errorf("job tables lock: %w", err)
		}
		defer conn.Close()
		h := fnv.New64a()
		h.Write([]byte("facturo-migrate-jobs:" + schema))
		key := int64(h.Sum64() >> 1)
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
			return fmt.Errorf("job tables lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, key) //nolint:errcheck // closing the session frees it too
	}
	m, err := rivermigrate.New(db.JobDriver(), nil)
	if err != nil {
		return fmt.Errorf("job tables: %w", err)
	}
	res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return fmt.Errorf("job tables: %w", err)
	}
	for _, v := range res.Versions {
		if log != nil {
			log.Info("job tables migrated", "engine", db.engine, "river_version", v.Version, "took", v.Duration)
		}
	}
	return nil
}

// jobMigrationsDigest writes River's migrations of engine e to h, so that
// MigrationsDigest changes when an upgrade of River brings new ones.
func jobMigrationsDigest(e Engine, h io.Writer) error {
	drv := (&DB{engine: e}).JobDriver()
	for _, line := range drv.GetMigrationLines() {
		fsys := drv.GetMigrationFS(line)
		err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(fsys, p)
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "river %s %s %d\n", line, p, len(b))
			_, err = h.Write(b)
			return err
		})
		if err != nil {
			return fmt.Errorf("job migrations: %w", err)
		}
	}
	return nil
}
