package facturo_test

import (
	"go/ast"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/facturo/facturo/billing"
)

// sqlStatusLiteral matches a quoted SQL string literal that is a word.
var sqlStatusLiteral = regexp.MustCompile(`'([a-z_]+)'`)

// invoiceStatusLiterals returns the invoice statuses that s, the text of an
// SQL statement or part of one, spells as string literals. A status that
// another lifecycle shares (a sales item is "draft" too) is left out: the
// literal can't tell whose it is.
func invoiceStatusLiterals(s string) []string {
	var out []string
	for _, m := range sqlStatusLiteral.FindAllStringSubmatch(s, -1) {
		st := billing.Status(m[1])
		if slices.Contains(billing.Statuses, st) && !slices.Contains(billing.ItemStatuses, billing.ItemStatus(st)) {
			out = append(out, m[1])
		}
	}
	return out
}

// TestNoInvoiceStatusLiteralsInStoreSQL: the store's statements name
// invoice statuses through billing's status sets (billing.OwedSQL, …),
// never as literals of their own, so that Go and SQL share one definition
// of "owed" and the rest (issue 13: "open receivable" lived in Go and seven
// SQL places). The frozen triggers of the migrations, which can't use the
// constants, must keep exactly the owed set.
func TestNoInvoiceStatusLiteralsInStoreSQL(t *testing.T) {
	t.Parallel()
	goSources(t, func(p string, fset *token.FileSet, f *ast.File) {
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			if found := invoiceStatusLiterals(s); len(found) > 0 {
				t.Errorf("%s: invoice status literal(s) %v in SQL; splice billing's status set constants (billing.OwedSQL, billing.DueSweepSQL, …)", fset.Position(lit.Pos()), found)
			}
			return true
		})
	}, "store")

	lists := 0
	err := filepath.WalkDir("store", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".sql") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			for _, list := range statusLists(line) {
				lists++
				if list != billing.OwedSQL {
					t.Errorf("%s:%d: status list (%s) of invoice statuses is not the owed set (%s)", p, i+1, list, billing.OwedSQL)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if lists == 0 {
		t.Error("no status list found in the migrations: the trigger check would check nothing")
	}
}

// statusIn matches "status IN (…)" with a list of literals.
var statusIn = regexp.MustCompile(`(?i)status\s+IN\s*\(([^()]*)\)`)

// statusLists returns the lists of line's "status IN (…)" whose literals
// are all invoice statuses, normalized to "'a', 'b'".
func statusLists(line string) []string {
	var out []string
	for _, m := range statusIn.FindAllStringSubmatch(line, -1) {
		var items []string
		all := true
		for item := range strings.SplitSeq(m[1], ",") {
			item = strings.TrimSpace(item)
			if len(item) < 2 || item[0] != '\'' || !slices.Contains(billing.Statuses, billing.Status(strings.Trim(item, "'"))) {
				all = false
				break
			}
			items = append(items, item)
		}
		if all && len(items) > 0 {
			out = append(out, strings.Join(items, ", "))
		}
	}
	return out
}

// TestInvoiceStatusSQLDetectors checks the two SQL detectors above.
func TestInvoiceStatusSQLDetectors(t *testing.T) {
	t.Parallel()
	literals := []struct {
		sql  string
		want []string
	}{
		{`SELECT id FROM invoices WHERE status = 'open' AND due_date < ?`, []string{"open"}},
		{`status IN ('open', 'past_due')`, []string{"open", "past_due"}},
		{`status NOT IN ('void','closed')`, []string{"void", "closed"}},
		{`status IN (` + billing.OwedSQL + `)`, []string{"open", "past_due"}}, // the spliced constant is what the statement holds at run time
		{`sales_items.status IN ('draft', 'pending')`, nil},
		{`kind = 'credit_note' AND status = ?`, nil},
	}
	for _, tt := range literals {
		if got := invoiceStatusLiterals(tt.sql); !slices.Equal(got, tt.want) {
			t.Errorf("invoiceStatusLiterals(%q) = %v, want %v", tt.sql, got, tt.want)
		}
	}
	lists := []struct {
		line string
		want []string
	}{
		{`WHEN NEW.status IN ('open', 'past_due')`, []string{"'open', 'past_due'"}},
		{`OLD.status IN ('open','past_due') OR NEW.status IN ('open')`, []string{"'open', 'past_due'", "'open'"}},
		{`status IN ('failed', 'skipped')`, nil},
		{`TG_OP IN ('UPDATE', 'DELETE')`, nil},
	}
	for _, tt := range lists {
		if got := statusLists(tt.line); !slices.Equal(got, tt.want) {
			t.Errorf("statusLists(%q) = %v, want %v", tt.line, got, tt.want)
		}
	}
}
