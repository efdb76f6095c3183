package facturo_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// driftingSteps returns the places in f that step a date by months in a way
// that drifts off its anchor day, and so must use calendar.Recurrence (or
// calendar's AddMonthsOn) instead:
//   - x = x.AddMonths(n): each step clamps to the previous occurrence's day,
//     so a date on the 31st sticks to the 28th after February;
//   - t.AddDate(y, m, d) with months m other than a literal 0: time.Time
//     overflows a short month (31 January + 1 month = 3 March).
func driftingSteps(fset *token.FileSet, f *ast.File) []string {
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if len(n.Lhs) != 1 || len(n.Rhs) != 1 {
				return true
			}
			call, ok := n.Rhs[0].(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if ok && sel.Sel.Name == "AddMonths" && types.ExprString(sel.X) == types.ExprString(n.Lhs[0]) {
				out = append(out, fset.Position(n.Pos()).String()+": "+types.ExprString(n.Lhs[0])+" stepped by AddMonths of itself")
			}
		case *ast.CallExpr:
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "AddDate" || len(n.Args) != 3 {
				return true
			}
			if lit, ok := n.Args[1].(*ast.BasicLit); !ok || lit.Value != "0" {
				out = append(out, fset.Position(n.Pos()).String()+": AddDate by months overflows short months")
			}
		}
		return true
	})
	return out
}

// TestRecurrencesUseTheAnchoredStep keeps every recurrence (contract parts,
// recurring templates, subscriptions, billing runs, dunning) on the one
// anchored month step in package calendar, its home.
func TestRecurrencesUseTheAnchoredStep(t *testing.T) {
	t.Parallel()
	var found []string
	n := goSources(t, func(p string, fset *token.FileSet, f *ast.File) {
		if filepath.Dir(p) == "calendar" {
			return // the home of the month step
		}
		found = append(found, driftingSteps(fset, f)...)
	}, ".")
	if n < 100 {
		t.Fatalf("scanned %d files, want the whole module", n)
	}
	slices.Sort(found)
	if len(found) > 0 {
		t.Errorf("dates stepped by months off their anchor (use calendar.Recurrence or Date.AddMonthsOn):\n  %s", strings.Join(found, "\n  "))
	}
}

func TestDriftingStepsCatchesDrift(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src string
		want      int
	}{
		{"loop stepping its own date", `for start := p.Start; ; start = start.AddMonths(months) {}`, 1},
		{"field stepping itself", `t.Next = t.Next.AddMonths(t.Interval.Months())`, 1},
		{"time month add", `x := now.AddDate(0, 1, 0)`, 1},
		{"time year add", `x := now.AddDate(1, n, 0)`, 1},
		{"anchored step", `t.Next = rec.Next(t.Next)`, 0},
		{"from a fixed anchor", `end := s.Start.AddMonths(k * m)`, 0},
		{"other date", `to = from.AddMonths(1)`, 0},
		{"time day add", `x := now.AddDate(0, 0, 7)`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, "x.go", "package x\nfunc f() {\n"+tt.src+"\n}\n", 0)
			if err != nil {
				t.Fatal(err)
			}
			if got := driftingSteps(fset, f); len(got) != tt.want {
				t.Errorf("driftingSteps(%s) = %v, want %d finding(s)", tt.src, got, tt.want)
			}
		})
	}
}
