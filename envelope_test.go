package facturo_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Issue 13's one envelope: every write a package under service/ makes runs
// through service/usecase, either usecase.Write (a use case: permission,
// transaction, audit entries and events in that transaction) or
// usecase.Bookkeep (the machinery's own records: sign-in counters, delivery
// attempts). Opening a write transaction by hand, store.Write(ctx, func…),
// is what lets a change skip its permission, audit entry or event, so only
// the envelope itself may.

// openedWrites returns the positions in f of calls that open a write
// transaction by hand: x.Write(ctx, func(…) …) with a function literal.
func openedWrites(fset *token.FileSet, f *ast.File) []string {
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) != 2 {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || sel.Sel.Name != "Write" {
			return true
		}
		if _, ok := call.Args[1].(*ast.FuncLit); ok {
			out = append(out, fset.Position(call.Pos()).String())
		}
		return true
	})
	return out
}

func TestEveryServiceWriteGoesThroughTheEnvelope(t *testing.T) {
	t.Parallel()
	var found []string
	files := goSources(t, func(p string, fset *token.FileSet, f *ast.File) {
		if dir := filepath.ToSlash(filepath.Dir(p)); dir == "service/usecase" || strings.HasPrefix(dir, "service/usecase/") {
			return // the envelope itself
		}
		found = append(found, openedWrites(fset, f)...)
	}, "service")
	if files == 0 {
		t.Fatal("no Go files under service/: the rule would check nothing")
	}
	slices.Sort(found)
	for _, at := range found {
		t.Errorf("%s: a write transaction opened by hand; run it through usecase.Write (or usecase.Bookkeep for the machinery's own records)", at)
	}
}

// TestEnvelopeRuleCatchesHandOpenedWrites guards the rule itself.
func TestEnvelopeRuleCatchesHandOpenedWrites(t *testing.T) {
	t.Parallel()
	cases := []struct {
		src  string
		want int
	}{
		{`s.subscriptions.Store.Write(ctx, func(tx SubscriptionsTx) error { return nil })`, 1},
		{`s.db.Write(ctx, func(tx Tx) error { return nil })`, 1},
		{`usecase.Write(ctx, env, p, perm, nil, func(tx X) (int, usecase.Audit, error) { return 0, usecase.Audit{}, nil })`, 0},
		{`usecase.Bookkeep(ctx, env, func(tx X) error { return nil })`, 0},
		{`w.Write(buf)`, 0},
		{`s.db.Write(ctx, fn)`, 0}, // a named function: the envelope's own plumbing passes one on
	}
	for _, c := range cases {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, "x.go", "package x\nfunc f() {\n"+c.src+"\n}\n", 0)
		if err != nil {
			t.Fatalf("%s: %v", c.src, err)
		}
		if got := len(openedWrites(fset, f)); got != c.want {
			t.Errorf("%s: %d hand-opened writes found, want %d", c.src, got, c.want)
		}
	}
}
