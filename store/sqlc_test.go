package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/store"

	"github.com/facturo/facturo/store/pgsql"
	"github.com/facturo/facturo/store/sqlitesql"
)

var sqlcGenerated = flag.Bool("sqlc-generated", false, "record the checksum of sqlc's inputs and outputs (go generate ./store runs it after sqlc)")

// sqlcSumFile records what the generated queries were generated from, and
// what sqlc wrote, as go generate ./store left them.
const sqlcSumFile = "sqlc.sum"

// sqlcFiles are the files of one side of the generation, relative to the
// store's directory: its inputs (the configuration, the pinned sqlc, the
// migrations, the queries of both engines and adaptgen) or its outputs (the
// generated Go code).
func sqlcFiles(t *testing.T, outputs bool) []string {
	t.Helper()
	var files []string
	if !outputs {
		files = append(files, "sqlc.yaml", "../tools/go.mod")
	}
	for _, dir := range []string{"migrations", "sqlitesql", "pgsql", "enginesql"} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			path = filepath.ToSlash(path)
			generated := false
			if strings.HasSuffix(path, ".go") {
				b, err := os.ReadFile(path)
				if err != nil {
					return err
				}
				generated = bytes.HasPrefix(b, []byte("// Code generated"))
			}
			input := strings.HasSuffix(path, ".sql") || strings.HasPrefix(path, "enginesql/adaptgen/")
			if (outputs && generated) || (!outputs && input) {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(files)
	return files
}

// sqlcSum hashes the names and contents of files.
func sqlcSum(t *testing.T, files []string) string {
	t.Helper()
	h := sha256.New()
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		h.Write([]byte(f + "\x00"))
		h.Write(b)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// TestGeneratedQueriesAreCurrent: the generated queries are what sqlc makes
// of today's configuration, migrations and queries, and nobody edited them
// by hand. sqlc itself is not needed to check it: go generate ./store
// records the checksum of both sides right after sqlc ran, and this test
// recomputes it.
func TestGeneratedQueriesAreCurrent(t *testing.T) {
	got := "inputs " + sqlcSum(t, sqlcFiles(t, false)) + "\noutputs " + sqlcSum(t, sqlcFiles(t, true)) + "\n"
	if *sqlcGenerated {
		if err := os.WriteFile(sqlcSumFile, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	b, err := os.ReadFile(sqlcSumFile)
	if err != nil {
		t.Fatalf("read %s (go generate ./store writes it): %v", sqlcSumFile, err)
	}
	want := strings.Split(string(b), "\n")
	for i, line := range strings.Split(got, "\n") {
		if i < len(want) && line == want[i] {
			continue
		}
		switch {
		case strings.HasPrefix(line, "inputs"):
			t.Errorf("sqlc.yaml, tools/go.mod, a migration, a query or adaptgen changed since the queries were generated: run go generate ./store")
		default:
			t.Errorf("the generated code in store/sqlitesql, store/pgsql or store/enginesql is not what go generate wrote: run go generate ./store, and change the queries, not the code")
		}
	}
}

// TestEnginesHaveTheSameQueries: every generated query exists on both
// engines, under the same name (the area packages call SQLite's types and
// convert PostgreSQL's, which fails to compile if a query's arguments or
// columns differ).
func TestEnginesHaveTheSameQueries(t *testing.T) {
	methods := func(v any) []string {
		typ := reflect.TypeOf(v)
		var out []string
		for i := range typ.NumMethod() {
			if name := typ.Method(i).Name; name != "WithTx" && name != "Close" {
				out = append(out, name)
			}
		}
		return out
	}
	lite, pg := methods(&sqlitesql.Queries{}), methods(&pgsql.Queries{})
	if !slices.Equal(lite, pg) {
		t.Errorf("the engines' queries differ:\n  sqlite:   %v\n  postgres: %v", lite, pg)
	}
	files := func(dir string) []string {
		var out []string
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	if lite, pg := files("sqlitesql/queries"), files("pgsql/queries"); !slices.Equal(lite, pg) {
		t.Errorf("the engines' query files differ: sqlite %v, postgres %v", lite, pg)
	}
}

// TestGeneratedQueriesHaveNoMacroLeft: sqlc rewrote every sqlc.arg,
// sqlc.narg, sqlc.slice and sqlc.embed of the queries (its SQLite engine
// leaves one in an ORDER BY as it is, which fails only when the query
// runs), and typed every argument and column (not interface{}).
func TestGeneratedQueriesHaveNoMacroLeft(t *testing.T) {
	for _, f := range sqlcFiles(t, true) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if strings.Contains(line, "sqlc.arg(") || strings.Contains(line, "sqlc.narg(") || strings.Contains(line, "sqlc.slice(") ||
				strings.Contains(line, "sqlc.embed(") {
				t.Errorf("%s:%d: a sqlc macro is left in the generated query: %s", f, i+1, strings.TrimSpace(line))
			}
			if strings.Contains(line, "interface{}") && strings.Contains(line, "`db:") {
				t.Errorf("%s:%d: sqlc could not type an argument or column (type it, e.g. CAST(sqlc.arg(x) AS TEXT)): %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
}

// generatedQueries returns the text of every query sqlc generated for an
// engine's package (dir), by name, with each list of sqlc.slice as one
// placeholder.
func generatedQueries(t *testing.T, dir string) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.sql.go"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	slice := regexp.MustCompile(`/\*SLICE:\w+\*/\?`)
	for _, f := range files {
		file, err := parser.ParseFile(token.NewFileSet(), f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			q, err := strconv.Unquote(lit.Value)
			if err != nil || !strings.HasPrefix(q, "-- name: ") {
				return true
			}
			name := strings.Fields(q)[2]
			out[name] = slice.ReplaceAllString(q, "?")
			return true
		})
	}
	if len(out) < 50 {
		t.Fatalf("found %d generated queries in %s: the test is not reading them", len(out), dir)
	}
	return out
}

// TestGeneratedQueriesPrepare: the engine prepares every query generated
// for it, on a migrated database: a query that names a missing column or
// that sqlc wrote in SQL the engine does not take fails here, not when a
// user first reaches it.
func TestGeneratedQueriesPrepare(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		dir := "sqlitesql"
		if db.Engine() == store.Postgres {
			dir = "pgsql"
		}
		for name, q := range generatedQueries(t, dir) {
			st, err := db.SQL().Prepare(q)
			if err != nil {
				t.Errorf("%s does not prepare on %s: %v", name, db.Engine(), err)
				continue
			}
			st.Close()
		}
		if db.Engine() == store.SQLite {
			// The store prepares them all on each pool, the read-only one too.
			for _, pool := range []*sql.DB{db.SQL(), store.ReadPool(db)} {
				q, err := sqlitesql.Prepare(context.Background(), pool)
				if err != nil {
					t.Fatalf("prepare the generated queries: %v", err)
				}
				if err := q.Close(); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
}
