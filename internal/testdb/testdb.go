// Package testdb gives tests a fresh, migrated Facturo database on each
// engine: a SQLite file in a temporary directory, and a private database in
// the PostgreSQL server named by FACTURO_TEST_POSTGRES_URL. With CI=true a
// missing PostgreSQL fails the test instead of skipping it.
//
// Migrating takes a while (about 0.1 s on SQLite, 1 s on PostgreSQL), so
// the schema is migrated once into a template per engine, keyed by
// store.MigrationsDigest, and each test gets a copy: a file copy on SQLite,
// CREATE DATABASE ... TEMPLATE on PostgreSQL.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx" driver

	"github.com/facturo/facturo/store"
)

// EnvPostgres names the variable holding the PostgreSQL server for tests.
const EnvPostgres = "FACTURO_TEST_POSTGRES_URL"

// Engines lists the engines every storage test runs on.
var Engines = []store.Engine{store.SQLite, store.Postgres}

// Each runs fn as a subtest on every engine.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, e := range Engines {
		t.Run(string(e), func(t *testing.T) {
			fn(t, Open(t, e))
		})
	}
}

// Open returns a fresh migrated database on engine e, closed and removed
// when the test ends: a copy of the engine's migrated template.
func Open(t testing.TB, e store.Engine) *store.DB {
	t.Helper()
	var dsn string
	if e == store.SQLite {
		dsn = sqliteCopy(t)
	} else {
		dsn = postgresCopy(t)
	}
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open %s: %v", e, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// DSN returns the connection string of a fresh, empty database on engine e
// (not migrated), removed when the test ends.
func DSN(t testing.TB, e store.Engine) string {
	t.Helper()
	if e == store.SQLite {
		return filepath.Join(t.TempDir(), "facturo.db")
	}
	base := PostgresURL(t)
	schema := "t_" + randomHex(8)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		_, _ = a.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// PostgresURL returns the test server's URL, skipping the test when none is
// configured, or failing it under CI.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: CI must run every storage test on PostgreSQL", EnvPostgres)
		}
		t.Skipf("PostgreSQL tests need %s (for example postgres://postgres:postgres@127.0.0.1:5432/postgres)", EnvPostgres)
	}
	return base
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
