package testdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/facturo/facturo/store"
)

// templateOnce builds a template at most once per test process.
type templateOnce struct {
	once sync.Once
	name string // a file path on SQLite, a database name on PostgreSQL
	err  error
}

var sqliteTemplate, postgresTemplate templateOnce

// migrate opens dsn, migrates it and closes it.
func migrate(ctx context.Context, dsn string) error {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	if err := db.Migrate(ctx, nil); err != nil {
		db.Close()
		return err
	}
	// Fold SQLite's write-ahead log into the file, so the file alone is the
	// database (a no-op statement on PostgreSQL is not needed).
	if store.EngineOf(dsn) == store.SQLite {
		if _, err := db.SQL().ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			db.Close()
			return err
		}
	}
	return db.Close()
}

// sqliteCopy returns the path of a copy of the migrated SQLite template in
// the test's temporary directory. The template is a file in the system's
// temporary directory named by the migrations' digest; processes that build
// it at once each rename a finished file into place, so none reads half of
// one.
func sqliteCopy(t testing.TB) string {
	t.Helper()
	tp := &sqliteTemplate
	tp.once.Do(func() {
		tp.name, tp.err = buildSQLiteTemplate(context.Background())
	})
	if tp.err != nil {
		t.Fatalf("sqlite template: %v", tp.err)
	}
	dst := filepath.Join(t.TempDir(), "facturo.db")
	if err := copyFile(tp.name, dst); err != nil {
		t.Fatalf("copy sqlite template: %v", err)
	}
	return dst
}

func buildSQLiteTemplate(ctx context.Context) (string, error) {
	digest, err := store.MigrationsDigest(store.SQLite)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(os.TempDir(), "facturo-testdb")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	path := filepath.Join(dir, "sqlite-"+digest+".db")
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	build, err := os.MkdirTemp(dir, "build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(build)
	file := filepath.Join(build, "facturo.db")
	if err := migrate(ctx, file); err != nil {
		return "", err
	}
	if err := os.Rename(file, path); err != nil {
		return "", err
	}
	return path, nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// postgresCopy returns the URL of a new database created from the migrated
// PostgreSQL template, dropped when the test ends.
func postgresCopy(t testing.TB) string {
	t.Helper()
	base := PostgresURL(t)
	tp := &postgresTemplate
	tp.once.Do(func() {
		tp.name, tp.err = buildPostgresTemplate(context.Background(), base)
	})
	if tp.err != nil {
		t.Fatalf("postgres template: %v", tp.err)
	}
	name := "t_" + randomHex(8)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE DATABASE ` + name + ` TEMPLATE ` + tp.name); err != nil {
		t.Fatalf("create database from template: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		_, _ = a.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
	})
	u, err := databaseURL(base, name)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvPostgres, err)
	}
	return u
}

// databaseURL is base naming database name instead.
func databaseURL(base, name string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	return u.String(), nil
}

// templateLock serialises building the PostgreSQL template across the test
// processes of one run (go test runs packages in parallel).
const templateLock = 0x66616374757230 // "factur0"

// buildPostgresTemplate returns the name of the migrated template database
// for the current migrations, building it when the server has none: it is
// built under another name and renamed when complete, under an advisory
// lock, so a process never copies half a template.
func buildPostgresTemplate(ctx context.Context, base string) (string, error) {
	digest, err := store.MigrationsDigest(store.Postgres)
	if err != nil {
		return "", err
	}
	name := "facturo_tmpl_" + digest
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", err
	}
	defer admin.Close()
	conn, err := admin.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, templateLock); err != nil {
		return "", fmt.Errorf("lock: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, templateLock) //nolint:errcheck
	var one int
	switch err := conn.QueryRowContext(ctx, `SELECT 1 FROM pg_database WHERE datname = $1`, name).Scan(&one); {
	case err == nil:
		return name, nil
	case !errors.Is(err, sql.ErrNoRows):
		return "", err
	}
	build := name + "_build"
	if _, err := conn.ExecContext(ctx, `DROP DATABASE IF EXISTS `+build+` WITH (FORCE)`); err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, `CREATE DATABASE `+build); err != nil {
		return "", err
	}
	u, err := databaseURL(base, build)
	if err != nil {
		return "", err
	}
	if err := migrate(ctx, u); err != nil {
		return "", fmt.Errorf("migrate: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `ALTER DATABASE `+build+` RENAME TO `+name); err != nil {
		return "", err
	}
	// Templates of other migrations stay: a run on another branch may be
	// copying from one right now. They are safe to drop between runs.
	return name, nil
}
