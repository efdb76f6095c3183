// Package store implements service.Store on SQLite (modernc.org/sqlite, no
// cgo) and PostgreSQL (pgx). One set of SQL serves both engines: queries use
// '?' placeholders, rebound to $n for PostgreSQL, and the few differences
// (timestamps, decimals, row locks) live in dbtx.Dialect. Migrations are embedded,
// one folder per engine.
package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5/stdlib" // also registers the "pgx" driver
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/riverqueue/river"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store/configcache"
	"github.com/facturo/facturo/store/dbtx"
	"github.com/facturo/facturo/store/sqlitesql"
)

//go:embed migrations
var migrations embed.FS

// Engine names a database engine.
type Engine = dbtx.Engine

// The engines.
const (
	SQLite   = dbtx.SQLite
	Postgres = dbtx.Postgres
)

// DB is a Facturo database on either engine. It implements service.Store.
type DB struct {
	dsn    string
	engine Engine
	path   string  // SQLite: the database file
	write  *sql.DB // SQLite: one connection, so writers queue in Go, not on busy_timeout
	read   *sql.DB // SQLite: a pool of read-only connections; PostgreSQL: same as write
	d      dbtx.Dialect
	// jobs inserts River jobs in write transactions (an insert-only client).
	jobs *river.Client[*sql.Tx]
	// writeStmts and readStmts are the generated queries prepared on each
	// pool (SQLite).
	writeStmts, readStmts stmts
	// config is the per-tenant configuration cache, set once the schema
	// has its versions (configCache).
	config atomic.Pointer[configcache.Cache]
}

// configCache returns the per-tenant configuration cache, or nil while the
// schema lacks tenant_config_versions (not migrated to 00021): then every
// transaction reads the configuration.
func (db *DB) configCache(ctx context.Context) *configcache.Cache {
	if c := db.config.Load(); c != nil {
		return c
	}
	if _, err := db.read.ExecContext(ctx, `SELECT version FROM tenant_config_versions WHERE tenant_id = ''`); err != nil {
		return nil
	}
	db.config.CompareAndSwap(nil, configcache.New())
	return db.config.Load()
}

// stmts are the generated queries prepared on one pool, once.
type stmts struct {
	mu sync.Mutex
	q  *sqlitesql.Queries
}

// prepared returns the generated queries prepared on pool (SQLite, which
// otherwise parses every statement it runs), preparing them the first time:
// outside any transaction, since the writer has one connection. nil on
// PostgreSQL (pgx caches the statements it runs) and while the schema is
// not migrated (the transaction then runs them unprepared).
func (db *DB) prepared(ctx context.Context, pool *sql.DB) *sqlitesql.Queries {
	if db.engine != dbtx.SQLite {
		return nil
	}
	st := &db.readStmts
	if pool == db.write {
		st = &db.writeStmts
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.q == nil {
		st.q, _ = sqlitesql.Prepare(ctx, pool)
	}
	return st.q
}

// DefaultSQLitePath is where Facturo keeps its database when none is configured.
const DefaultSQLitePath = "facturo.db"

// EngineOf tells which engine a database URL names: postgres:// and
// postgresql:// are PostgreSQL; anything else is a SQLite file path
// (optionally prefixed sqlite: or file:).
func EngineOf(dsn string) Engine {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return Postgres
	}
	return SQLite
}

// Open connects to the database named by dsn (see EngineOf). It does not migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if dsn == "" {
		dsn = DefaultSQLitePath
	}
	var db *DB
	var err error
	if EngineOf(dsn) == dbtx.Postgres {
		db, err = openPostgres(ctx, dsn)
	} else {
		db, err = openSQLite(ctx, dsn)
	}
	if err != nil {
		return nil, err
	}
	db.dsn = dsn
	if db.jobs, err = river.NewClient(db.JobDriver(), &river.Config{}); err != nil {
		db.Close()
		return nil, fmt.Errorf("job inserter: %w", err)
	}
	return db, nil
}

// DSNOf returns the connection string db was opened with, so tests can open
// a second handle (another node) on the same database.
func DSNOf(db *DB) string { return db.dsn }

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	db.SetMaxOpenConns(max(8, 4*runtime.GOMAXPROCS(0)))
	db.SetMaxIdleConns(max(8, 4*runtime.GOMAXPROCS(0)))
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to postgres %s: %w", redact(dsn), err)
	}
	return &DB{engine: Postgres, write: db, read: db, d: dbtx.Dialect{Engine: Postgres}}, nil
}

func openSQLite(ctx context.Context, dsn string) (*DB, error) {
	path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("create database directory: %w", err)
		}
	}
	pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	write, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	read, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	read.SetConnMaxLifetime(0)
	return &DB{engine: SQLite, path: path, write: write, read: read, d: dbtx.Dialect{Engine: SQLite}}, nil
}

// Engine tells which engine db runs on.
func (db *DB) Engine() Engine { return db.engine }

// SQL returns the read-write pool, for tests and benchmarks that measure the
// engine's raw rates beside Facturo's.
func (db *DB) SQL() *sql.DB { return db.write }

// Close closes every connection.
func (db *DB) Close() error {
	var err error
	for _, st := range []*stmts{&db.writeStmts, &db.readStmts} {
		if st.q != nil {
			err = errors.Join(err, st.q.Close())
		}
	}
	err = errors.Join(err, db.write.Close())
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Ping checks the database answers (readiness).
func (db *DB) Ping(ctx context.Context) error {
	if err := db.write.PingContext(ctx); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// Migrate applies every pending migration. On PostgreSQL a session advisory
// lock makes concurrent nodes migrate one at a time.
func (db *DB) Migrate(ctx context.Context, log *slog.Logger) error {
	sub, err := fs.Sub(migrations, "migrations/"+string(db.engine))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true), goose.WithGoMigrations(db.summariesMigration())}
	dialect := goose.DialectSQLite3
	var schema string
	if db.engine == dbtx.Postgres {
		dialect = goose.DialectPostgres
		// One advisory lock per schema, so nodes sharing a schema migrate one
		// at a time while other schemas on the server are not held up.
		if err := db.write.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
			return fmt.Errorf("migration lock: %w", err)
		}
		h := fnv.New64a()
		h.Write([]byte("facturo-migrate:" + schema))
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(int64(h.Sum64()>>1)), lock.WithLockTimeout(1, 600))
		if err != nil {
			return fmt.Errorf("migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	} else {
		// SQLite has no advisory locks: processes sharing the file take an
		// exclusive lock on a file beside it.
		unlock, err := lockFile(ctx, db.path+".migrate.lock")
		if err != nil {
			return fmt.Errorf("migration lock: %w", err)
		}
		defer unlock()
	}
	p, err := goose.NewProvider(dialect, db.write, sub, opts...)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", db.engine, err)
	}
	for _, r := range results {
		if log != nil {
			file := r.Source.Path
			if file == "" {
				file = "(a migration written in Go)"
			}
			log.Info("migrated", "engine", db.engine, "version", r.Source.Version, "file", file, "took", r.Duration)
		}
	}
	if err := db.migrateJobTables(ctx, schema, log); err != nil {
		return err
	}
	return db.Optimize(ctx)
}

// Optimize refreshes the query planner's statistics where they are missing
// or stale. SQLite plans without statistics badly once tables are large
// (the invoice list read a million rows through the wrong index): serve
// runs this after migrating and every hour. PRAGMA optimize analyzes only
// tables with an unanalyzed index or 25 times the rows of their last
// analysis, each within a bounded sample, so it is quick on any size.
// PostgreSQL's autovacuum keeps its own statistics.
func (db *DB) Optimize(ctx context.Context) error {
	if db.engine != dbtx.SQLite {
		return nil
	}
	if _, err := db.write.ExecContext(ctx, `PRAGMA optimize = 0x10002`); err != nil {
		return fmt.Errorf("optimize: %w", err)
	}
	return nil
}

// Write runs fn in one read-write transaction, or inside the request
// transaction ctx carries (see RequestTx).
func (db *DB) Write(ctx context.Context, fn func(service.Tx) error) error {
	if rt := db.requestTx(ctx); rt != nil {
		if joined, err := rt.join(ctx, true, fn); joined {
			return err
		}
	} else if err := db.checkDetached(ctx); err != nil {
		return err
	}
	return db.run(ctx, db.write, nil, fn)
}

// Read runs fn in one read-only transaction, or inside the request
// transaction ctx carries once the request has written (see RequestTx), so
// it sees the request's own changes.
func (db *DB) Read(ctx context.Context, fn func(service.Tx) error) error {
	if rt := db.requestTx(ctx); rt != nil {
		if joined, err := rt.join(ctx, false, fn); joined {
			return err
		}
	}
	opts := &sql.TxOptions{ReadOnly: true}
	if db.engine == dbtx.Postgres {
		opts.Isolation = sql.LevelRepeatableRead
	} else {
		opts = nil // the read pool is query_only; modernc rejects isolation levels
	}
	return db.run(ctx, db.read, opts, fn)
}

// APIKeyByHash finds an API key by the hash of its secret in one statement
// on the read pool, outside any transaction (see service.Store).
func (db *DB) APIKeyByHash(ctx context.Context, hash string) (access.APIKey, error) {
	return newTx(db.read, db.d, nil, db.prepared(ctx, db.read), nil).APIKeyByHash(ctx, hash)
}

func (db *DB) run(ctx context.Context, pool *sql.DB, opts *sql.TxOptions, fn func(service.Tx) error) (err error) {
	prepared := db.prepared(ctx, pool) // before the writer's one connection is taken
	config := db.configCache(ctx)
	var sqlTx *sql.Tx
	var copyIn func(ctx context.Context, copySQL string, data io.Reader) error
	if db.engine == dbtx.Postgres && (opts == nil || !opts.ReadOnly) {
		// A write transaction on a connection of its own, so that bulk
		// inserts can COPY into it (dbtx.Tx.Copy).
		var conn *sql.Conn
		if conn, err = pool.Conn(ctx); err != nil {
			return fmt.Errorf("begin transaction: %w", err)
		}
		defer conn.Close() // after the transaction ends: deferred first, run last
		if sqlTx, err = conn.BeginTx(ctx, opts); err != nil {
			return fmt.Errorf("begin transaction: %w", err)
		}
		copyIn = func(ctx context.Context, copySQL string, data io.Reader) error {
			return conn.Raw(func(dc any) error {
				c, ok := dc.(*stdlib.Conn)
				if !ok {
					return fmt.Errorf("copy: the connection is a %T, not pgx's", dc)
				}
				_, err := c.Conn().PgConn().CopyFrom(ctx, data, copySQL)
				return err
			})
		}
	} else if sqlTx, err = pool.BeginTx(ctx, opts); err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	t := newTx(sqlTx, db.d, db.jobs, prepared, config)
	t.Tx.Copy = copyIn
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = sqlTx.Rollback()
		}
	}()
	if err = fn(t); err != nil {
		return err
	}
	if err = sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", db.d.MapErr(err))
	}
	return nil
}

// redact hides the password of a database URL for logs and errors.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparseable database URL)"
	}
	return u.Redacted()
}

// Redact hides the password in a database URL, for logs.
func Redact(dsn string) string {
	if EngineOf(dsn) == dbtx.Postgres {
		return redact(dsn)
	}
	return dsn
}

var _ service.Store = (*DB)(nil)

// MigrationsDigest identifies the schema Migrate builds on engine e: a hash
// of the engine's migration files (the migration written in Go only fills
// summaries from existing rows). Tests key a migrated template database by
// it, so a changed migration never reuses a stale template.
func MigrationsDigest(e Engine) (string, error) {
	h := sha256.New()
	dir := "migrations/" + string(e)
	err := fs.WalkDir(migrations, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := migrations.ReadFile(p)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %d\n", p, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("migrations digest: %w", err)
	}
	if err := jobMigrationsDigest(e, h); err != nil {
		return "", fmt.Errorf("migrations digest: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}
