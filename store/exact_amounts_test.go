package store

// The class guard of issue 12 §2 "no exact amount passes through a float on
// SQLite": the store's SQL and schema hold no float conversion, and the
// sortable key that replaces them orders amounts exactly.

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store/dbtx"
)

// floatPaths are what turns an amount into a float in SQL or Go: a REAL
// cast, SQLite's float aggregates, a unary minus on a column (a text
// amount becomes a number), a decimal's Float64.
var floatPaths = regexp.MustCompile(`(?i)\bAS\s+REAL\b|\bREAL\)|\bAVG\(|\bTOTAL\(|THEN\s+-\s*[a-z_(]|ELSE\s+-\s*[a-z_(]|\.Float64\(\)|InexactFloat64`)

// TestNoFloatInAmountSQL scans the store's Go source (its SQL included) for
// float conversions, and checks that every SUM goes through the dialect's
// exact sum.
func TestNoFloatInAmountSQL(t *testing.T) {
	t.Parallel()
	files, err := sourceFiles()
	if err != nil {
		t.Fatal(err)
	}
	// SUM over a counter is exact; over a text amount on SQLite it is a float.
	sum := regexp.MustCompile(`\bSUM\(\s*([a-z_.]*)`)
	counters := []string{"documents"}
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		n++
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "//") {
				continue
			}
			if m := floatPaths.FindString(line); m != "" {
				t.Errorf("%s:%d: %q passes an amount through a float; compare with dialect.num/numArg, sum with dialect.sum: %s", f, i+1, m, strings.TrimSpace(line))
			}
			for _, m := range sum.FindAllStringSubmatch(line, -1) {
				// PostgreSQL's own generated queries (pgsql) sum numeric, which is exact.
				pgOnly := strings.HasPrefix(f, "pgsql"+string(filepath.Separator))
				if pgOnly || slices.Contains(counters, m[1]) || (f == filepath.Join("dbtx", "sqlitefuncs.go") && strings.Contains(line, `"COALESCE(SUM(" + col + "), 0)::text"`)) {
					continue
				}
				t.Errorf("%s:%d: a bare SUM(%s) (a float on SQLite's text amounts); use dialect.sum: %s", f, i+1, m[1], strings.TrimSpace(line))
			}
		}
	}
	if n < 10 {
		t.Fatalf("scanned %d files: the test is not reading the store's source", n)
	}
}

// TestNoFloatInSQLiteSchema migrates a SQLite database and checks that no
// table or index of the final schema holds a REAL (an amount cast to float
// in an index, or a float column).
func TestNoFloatInSQLiteSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "f.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	rows, err := db.SQL().QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	real := regexp.MustCompile(`(?i)\bREAL\b|\bFLOAT\b|\bDOUBLE\b`)
	n := 0
	for rows.Next() {
		var name, sql string
		if err := rows.Scan(&name, &sql); err != nil {
			t.Fatal(err)
		}
		n++
		if real.MatchString(sql) {
			t.Errorf("%s holds a float: %s", name, sql)
		}
	}
	if n < 20 {
		t.Fatalf("the schema has %d objects: not migrated?", n)
	}
}

// TestDecKeyOrdersExactly: sorting amounts by decKey as text sorts them by
// value, including amounts one float64 cannot tell apart; equal amounts
// (1.5, 1.50) share a key.
func TestDecKeyOrdersExactly(t *testing.T) {
	t.Parallel()
	var ds []decimal.Decimal
	for _, s := range []string{"0", "0.00", "-0", "0.1", "0.2", "0.3", "0.30000000000000001", "0.29999999999999999",
		"9007199254740993.01", "9007199254740993.02", "9007199254740993", "9007199254740992.99", "-9007199254740993.01",
		"-9007199254740993.02", "1", "1.5", "1.50", "10", "9.99", "-1", "-1.5", "-10", "-9.99", "0.000001", "-0.000001",
		"100000000000000000000.00000001", "-100000000000000000000.00000001", "12345678901234567890.12345678"} {
		ds = append(ds, decimal.RequireFromString(s))
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		ds = append(ds, decimal.New(r.Int64N(2_000_000_001)-1_000_000_000, int32(r.IntN(21)-12)))
	}
	byKey := slices.Clone(ds)
	slices.SortStableFunc(byKey, func(a, b decimal.Decimal) int { return strings.Compare(dbtx.DecKey(a), dbtx.DecKey(b)) })
	for i := 1; i < len(byKey); i++ {
		a, b := byKey[i-1], byKey[i]
		if a.GreaterThan(b) {
			t.Fatalf("decKey sorts %s (%s) before %s (%s)", a, dbtx.DecKey(a), b, dbtx.DecKey(b))
		}
		if a.Equal(b) != (dbtx.DecKey(a) == dbtx.DecKey(b)) {
			t.Fatalf("%s and %s: equal %v, but keys %s and %s", a, b, a.Equal(b), dbtx.DecKey(a), dbtx.DecKey(b))
		}
	}
}

// TestAmountSortReadsItsIndex: on SQLite the invoice list sorted by amount
// (both ways, with a provider) reads the dec_key(total) indexes of migration
// 00015 in order, as it read the REAL ones: no sort of the whole tenant.
func TestAmountSortReadsItsIndex(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "f.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	for _, f := range []service.InvoiceFilter{
		{Sort: "amount", Page: service.Page{Limit: 50}},
		{Sort: "amount", Desc: true, Page: service.Page{Limit: 50}},
		{Sort: "amount", Provider: "AWS", Page: service.Page{Limit: 50}},
	} {
		err := db.Read(ctx, func(stx service.Tx) error {
			_, plan, err := ExplainListInvoices(ctx, stx, "ten_x", f)
			if err != nil {
				return err
			}
			if !strings.Contains(plan, "amount") || strings.Contains(plan, "TEMP B-TREE") {
				t.Errorf("sort by amount (desc %v, provider %q) plan:\n%s", f.Desc, f.Provider, plan)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
