package facturo_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// goSources calls fn with the parsed non-test Go files under each root,
// walked recursively (packages split into sub-directories stay covered).
func goSources(t *testing.T, fn func(path string, fset *token.FileSet, f *ast.File), roots ...string) int {
	t.Helper()
	n := 0
	for _, root := range roots {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if p != root && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return nil
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, p, nil, parser.ParseComments) // comments: ast.IsGenerated reads them
			if err != nil {
				return err
			}
			n++
			fn(p, fset, f)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if n == 0 {
		t.Fatalf("no Go source under %v: the guard would check nothing", roots)
	}
	return n
}

// isPrincipalType reports whether e spells access.Principal (or a pointer to it).
func isPrincipalType(e ast.Expr) bool {
	if s, ok := e.(*ast.StarExpr); ok {
		e = s.X
	}
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	x, ok := sel.X.(*ast.Ident)
	return ok && x.Name == "access" && sel.Sel.Name == "Principal"
}

// isPrincipalCall reports whether e is access.FromContext(…) or access.System(…).
func isPrincipalCall(e ast.Expr) bool {
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	x, ok := sel.X.(*ast.Ident)
	return ok && x.Name == "access" && (sel.Sel.Name == "FromContext" || sel.Sel.Name == "System")
}

// handWrittenVisibility returns the places in f where row visibility is
// spelled by hand on a principal instead of through its methods
// (IsCustomer, CustomerScope, SeesCustomer, SeesInvoice): a principal's
// Role or CustomerID compared with == or !=, a switch on its Role, or its
// System flag read. Principals are the names declared as access.Principal
// (parameters, also of function literals, and variables) or assigned from
// access.FromContext or access.System within one function.
func handWrittenVisibility(fset *token.FileSet, f *ast.File) []string {
	var out []string
	for _, decl := range f.Decls {
		fd, ok := decl.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		names := map[string]bool{}
		ast.Inspect(fd, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.Field:
				if isPrincipalType(n.Type) {
					for _, id := range n.Names {
						names[id.Name] = true
					}
				}
			case *ast.ValueSpec:
				for i, id := range n.Names {
					if n.Type != nil && isPrincipalType(n.Type) || i < len(n.Values) && isPrincipalCall(n.Values[i]) {
						names[id.Name] = true
					}
				}
			case *ast.AssignStmt:
				for i, lhs := range n.Lhs {
					if id, ok := lhs.(*ast.Ident); ok && i < len(n.Rhs) && len(n.Lhs) == len(n.Rhs) && isPrincipalCall(n.Rhs[i]) {
						names[id.Name] = true
					}
				}
			}
			return true
		})
		field := func(e ast.Expr, fields ...string) bool {
			sel, ok := ast.Unparen(e).(*ast.SelectorExpr)
			if !ok {
				return false
			}
			x, ok := sel.X.(*ast.Ident)
			return ok && names[x.Name] && slices.Contains(fields, sel.Sel.Name)
		}
		report := func(n ast.Node, what string) {
			out = append(out, fset.Position(n.Pos()).String()+": "+what)
		}
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BinaryExpr:
				if (n.Op == token.EQL || n.Op == token.NEQ) && (field(n.X, "Role", "CustomerID") || field(n.Y, "Role", "CustomerID")) {
					report(n, "a principal's role or customer compared by hand")
				}
			case *ast.SwitchStmt:
				if n.Tag != nil && field(n.Tag, "Role") {
					report(n, "a switch on a principal's role")
				}
			case *ast.SelectorExpr:
				if field(n, "System") {
					report(n, "a principal's System flag read by hand")
				}
			}
			return true
		})
	}
	return out
}

// TestNoHandWrittenRowVisibility: who sees which rows is decided by the
// access.Principal methods only (IsCustomer, CustomerScope, SeesCustomer,
// SeesInvoice), never written out again in the services, the API or the web
// (issue 13: the portal predicate was spelled 17 times).
func TestNoHandWrittenRowVisibility(t *testing.T) {
	t.Parallel()
	goSources(t, func(p string, fset *token.FileSet, f *ast.File) {
		for _, e := range handWrittenVisibility(fset, f) {
			t.Errorf("%s; use the access.Principal methods (IsCustomer, CustomerScope, SeesCustomer, SeesInvoice)", e)
		}
	}, "service", "api", "web")
}

// TestHandWrittenVisibilityDetector checks the guard above finds what it
// must and lets the methods and other roles' checks pass.
func TestHandWrittenVisibilityDetector(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		found      int
	}{
		{"role and system", `func f(p access.Principal) bool { return p.Role == access.Customer && !p.System }`, 2},
		{"role inverted", `func f(p access.Principal) bool { return access.Customer != p.Role }`, 1},
		{"customer id", `func f(p access.Principal, id string) bool { return p.CustomerID == id }`, 1},
		{"from context", `func f(ctx context.Context) bool { q := access.FromContext(ctx); return q.Role == access.Customer }`, 1},
		{"var", `func f() bool { var q access.Principal; return q.System }`, 1},
		{"closure parameter", `func f() { g(func(p access.Principal) bool { return p.Role == access.Customer }) }`, 1},
		{"switch", `func f(p *access.Principal) { switch p.Role { case access.Customer: } }`, 1},
		{"methods", `func f(p access.Principal, id string) bool { own, ok := p.CustomerScope(); return p.IsCustomer() && ok && own != "" && p.SeesCustomer(id) }`, 0},
		{"a user's role", `func f(u User, p access.Principal) bool { return u.Role == access.Customer && p.Role.IsStaff() }`, 0},
		{"another type named p", `func f(p Payment, id string) bool { return p.CustomerID == id }`, 0},
		{"principal literal", `func f() access.Principal { return access.Principal{System: true} }`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, "x.go", "package x\n"+tt.body, 0)
			if err != nil {
				t.Fatal(err)
			}
			if got := handWrittenVisibility(fset, f); len(got) != tt.found {
				t.Errorf("found %d (%v), want %d", len(got), got, tt.found)
			}
		})
	}
}
