package facturo_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// sqlAdHocDigits matches SQL that rounds, truncates or formats an amount to
// a literal number of decimals (ROUND(total, 2), TRUNC(x, 2), printf('%.2f',
// x), to_char(x, '…0.00')): a query that sums or shows amounts leaves
// their digits to the currency (money), as the Go code does. It matches
// the SQL spellings ROUND and round only, so Go's Round method passes.
var sqlAdHocDigits = regexp.MustCompile(`\b(ROUND|round|TRUNC|trunc)\(.*,\s*-?[0-9]+\s*\)` +
	`|(?i)\bto_char\(.*'[^']*[0.]0'`)

// TestNoAdHocAmountDigitsInSQL extends TestNoAdHocAmountDigits to the
// queries: the migrations and the SQL written in the Go code.
func TestNoAdHocAmountDigitsInSQL(t *testing.T) {
	t.Parallel()
	scanned := 0
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") && p != "." || d.Name() == "money" || d.Name() == "testdata" || d.Name() == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		sql := strings.HasSuffix(p, ".sql")
		if !sql && !scannedForDigits(p) {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if sql {
			scanned++
		}
		for i, line := range strings.Split(string(b), "\n") {
			if sqlAdHocDigits.MatchString(line) || sql && adHocDigits.MatchString(line) {
				t.Errorf("%s:%d: SQL with fixed decimals for an amount; leave the digits to the currency: %s", p, i+1, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if scanned == 0 {
		t.Error("no .sql file scanned: the guard checks nothing")
	}
}

// TestSQLAdHocDigitsPatterns checks the SQL guard catches each form and
// lets the decimal methods of Go and SQL without fixed digits pass.
func TestSQLAdHocDigitsPatterns(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		line string
		want bool
	}{
		{`SELECT ROUND(SUM(total), 2) FROM invoices`, true},
		{`select round(total * rate, 2)`, true},
		{`SELECT TRUNC(balance, 2)`, true},
		{`SELECT round(coalesce(sum(paid), 0), 2)`, true},
		{`SELECT to_char(total, 'FM999990.00')`, true},
		{`SELECT printf('%.2f', total)`, false}, // adHocDigits catches it in .sql and .go
		{`SELECT SUM(total) FROM invoices`, false},
		{`cur.Round(d)`, false},
		{`f(cur.Round(d), 2)`, false},
		{`a.Round()`, false},
		{`x.DivRound(y, 12)`, false},
		{`-- balance_accounting = round(balance × rate)`, false},
		{`to_char(created_at, 'YYYY-MM-DD')`, false},
	} {
		if got := sqlAdHocDigits.MatchString(tt.line); got != tt.want {
			t.Errorf("sqlAdHocDigits matches %q: %v, want %v", tt.line, got, tt.want)
		}
	}
	if line := `SELECT printf('%.2f', total)`; !adHocDigits.MatchString(line) {
		t.Errorf("adHocDigits misses %q", line)
	}
}
