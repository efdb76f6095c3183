package facturo_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The sizes issue 13 set so that each part fits in one head: no package
// holds more than maxPackageLines lines of hand-written non-test Go, and no
// store interface a service declares has more than maxStoreMethods methods of
// its own (a use case's transaction may combine several; each part stays
// small and named for its noun).
const (
	maxPackageLines = 3000
	maxStoreMethods = 15
)

// packageLines counts the lines of the non-test Go files of every package
// (directory) under the module, generated files aside.
func packageLines(t *testing.T) map[string]int {
	t.Helper()
	root := "."
	lines := map[string]int{}
	goSources(t, func(p string, fset *token.FileSet, f *ast.File) {
		if ast.IsGenerated(f) {
			return
		}
		rel, err := filepath.Rel(root, filepath.Dir(p))
		if err != nil {
			t.Fatal(err)
		}
		lines[rel] += fset.File(f.Pos()).LineCount()
	}, root)
	return lines
}

func TestPackagesStaySmall(t *testing.T) {
	t.Parallel()
	var over []string
	lines := packageLines(t)
	if lines["service"] == 0 || lines["billing"] == 0 {
		t.Fatalf("packageLines found no service or billing package: %v", lines)
	}
	for dir, n := range lines {
		if n > maxPackageLines {
			over = append(over, fmt.Sprintf("%s: %d lines", dir, n))
		}
	}
	slices.Sort(over)
	if len(over) > 0 {
		t.Errorf("packages over %d lines of hand-written Go (split them by what they do):\n  %s",
			maxPackageLines, strings.Join(over, "\n  "))
	}
}

// storeInterfaces returns, for every interface type named *Store declared in
// src, its own method count (embedded interfaces counted where declared).
func storeInterfaces(src string) (map[string]int, error) {
	f, err := parser.ParseFile(token.NewFileSet(), "x.go", src, 0)
	if err != nil {
		return nil, err
	}
	return storeInterfacesOf(f), nil
}

func storeInterfacesOf(f *ast.File) map[string]int {
	out := map[string]int{}
	ast.Inspect(f, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok || !strings.HasSuffix(ts.Name.Name, "Store") {
			return true
		}
		it, ok := ts.Type.(*ast.InterfaceType)
		if !ok {
			return true
		}
		m := 0
		for _, field := range it.Methods.List {
			if _, ok := field.Type.(*ast.FuncType); ok {
				m += len(field.Names)
			}
		}
		out[ts.Name.Name] = m
		return true
	})
	return out
}

func TestServiceStoreInterfacesStaySmall(t *testing.T) {
	t.Parallel()
	seen := 0
	var over []string
	goSources(t, func(p string, fset *token.FileSet, f *ast.File) {
		for name, m := range storeInterfacesOf(f) {
			seen++
			if m > maxStoreMethods {
				over = append(over, fmt.Sprintf("%s %s: %d methods", p, name, m))
			}
		}
	}, "service")
	if seen < 10 {
		t.Fatalf("found only %d store interfaces under service/: the guard reads the wrong tree", seen)
	}
	slices.Sort(over)
	if len(over) > 0 {
		t.Errorf("store interfaces over %d methods (split them by noun):\n  %s", maxStoreMethods, strings.Join(over, "\n  "))
	}
}

// TestStoreInterfaceCounter: the counter counts declared methods, not
// embedded interfaces, and ignores non-store types.
func TestStoreInterfaceCounter(t *testing.T) {
	t.Parallel()
	got, err := storeInterfaces(`package x
type AStore interface { A(); B(); C() }
type BStore interface { AStore; D() }
type Reader interface { A(); B(); C(); D() }
type CStore struct{}
`)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"AStore": 3, "BStore": 1}
	if len(got) != len(want) || got["AStore"] != 3 || got["BStore"] != 1 {
		t.Fatalf("storeInterfaces = %v, want %v", got, want)
	}
}

// maxTxMethods bounds what one use case may touch in its transaction: the
// whole method set of every interface a service declares, embedded
// interfaces included, so a use case's storage fits in one head too.
const maxTxMethods = 15

// txOverLimit are the interfaces still over maxTxMethods, at most as large
// as they are today: they may shrink (then lower or delete their line),
// never grow, and no other interface may join them. Each needs its use
// cases given their own transactions, as invoicing's IssueTx did.
var txOverLimit = map[string]int{
	"sales.BillingTx": 16,
}

// interfaceSets returns the method set of every interface declared under
// the roots, named "pkg.Name", with embedded interfaces (of the same package
// or of another package under the roots, by its package name) resolved.
func interfaceSets(t *testing.T, roots ...string) map[string]map[string]bool {
	t.Helper()
	decls := map[string]*ast.InterfaceType{}
	pkgOf := map[string]string{}
	goSources(t, func(p string, fset *token.FileSet, f *ast.File) {
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok {
				continue
			}
			for _, s := range g.Specs {
				ts, ok := s.(*ast.TypeSpec)
				if !ok {
					continue
				}
				if it, ok := ts.Type.(*ast.InterfaceType); ok {
					name := f.Name.Name + "." + ts.Name.Name
					decls[name] = it
					pkgOf[name] = f.Name.Name
				}
			}
		}
	}, roots...)
	sets := map[string]map[string]bool{}
	var resolve func(name string, depth int) map[string]bool
	resolve = func(name string, depth int) map[string]bool {
		if s, ok := sets[name]; ok {
			return s
		}
		it, ok := decls[name]
		if !ok || depth > 20 {
			return nil
		}
		s := map[string]bool{}
		for _, field := range it.Methods.List {
			switch e := field.Type.(type) {
			case *ast.FuncType:
				for _, n := range field.Names {
					s[n.Name] = true
				}
			case *ast.Ident:
				for m := range resolve(pkgOf[name]+"."+e.Name, depth+1) {
					s[m] = true
				}
			case *ast.SelectorExpr:
				if x, ok := e.X.(*ast.Ident); ok {
					for m := range resolve(x.Name+"."+e.Sel.Name, depth+1) {
						s[m] = true
					}
				}
			}
		}
		sets[name] = s
		return s
	}
	for name := range decls {
		resolve(name, 0)
	}
	return sets
}

// TestUseCaseTransactionsStaySmall: no interface a service declares (a
// store, a use case's transaction, a reader) has more than maxTxMethods
// methods counting the ones it embeds. service.Tx is exempt: it is the
// store's whole transaction, which the composition root narrows to each
// service's interfaces and nothing else consumes whole
// (TestOnlyTheCompositionRootHoldsTheWholeTransaction).
func TestUseCaseTransactionsStaySmall(t *testing.T) {
	t.Parallel()
	sets := interfaceSets(t, "service")
	if len(sets["invoicing.InvoicesTx"]) < 5 || len(sets["usecase.AuditTx"]) != 1 {
		t.Fatalf("interfaceSets resolved invoicing.InvoicesTx to %d methods and usecase.AuditTx to %d: the guard reads the wrong tree",
			len(sets["invoicing.InvoicesTx"]), len(sets["usecase.AuditTx"]))
	}
	var over []string
	for name, s := range sets {
		if name == "service.Tx" || len(s) <= maxTxMethods {
			continue
		}
		if limit, ok := txOverLimit[name]; ok && len(s) <= limit {
			continue
		}
		over = append(over, fmt.Sprintf("%s: %d methods", name, len(s)))
	}
	for name, limit := range txOverLimit {
		if n := len(sets[name]); n <= maxTxMethods || n < limit {
			over = append(over, fmt.Sprintf("%s: %d methods, down from %d: lower its line in txOverLimit", name, n, limit))
		}
	}
	slices.Sort(over)
	if len(over) > 0 {
		t.Errorf("interfaces over %d methods with the ones they embed (give the use case its own, smaller transaction):\n  %s",
			maxTxMethods, strings.Join(over, "\n  "))
	}
}

// wholeTxUses returns where a file of package service names the whole
// transaction (the type Tx) outside the composition root's places for it:
// the declarations of Tx and Store, the narrowing of a store to an area's
// interface (usecase.Narrow), the compile-time checks that Tx implements
// what callbacks assert (var _ X = Tx(nil)), and billing's memoTx, which
// wraps the whole transaction so that every interface its callees assert
// still holds.
func wholeTxUses(fset *token.FileSet, f *ast.File) []string {
	allowedTypes := map[string]bool{"Tx": true, "Store": true, "memoTx": true}
	allowedFuncs := map[string]bool{"newMemoTx": true, "salesInvoices.Memo": true}
	var out []string
	var walk func(n ast.Node)
	walk = func(root ast.Node) {
		ast.Inspect(root, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				walk(n.X) // the Sel of m.Tx is a field, not the type
				return false
			case *ast.CallExpr:
				if ix, ok := n.Fun.(*ast.IndexListExpr); ok {
					if sel, ok := ix.X.(*ast.SelectorExpr); ok && sel.Sel.Name == "Narrow" {
						return false
					}
				}
				if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "Tx" && len(n.Args) == 1 {
					if nl, ok := n.Args[0].(*ast.Ident); ok && nl.Name == "nil" {
						return false
					}
				}
			case *ast.Ident:
				if n.Name == "Tx" {
					out = append(out, fset.Position(n.Pos()).String())
				}
			}
			return true
		})
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				if ts, ok := spec.(*ast.TypeSpec); ok && allowedTypes[ts.Name.Name] {
					continue
				}
				walk(spec)
			}
		case *ast.FuncDecl:
			name := d.Name.Name
			if d.Recv != nil && len(d.Recv.List) == 1 {
				t := d.Recv.List[0].Type
				if st, ok := t.(*ast.StarExpr); ok {
					t = st.X
				}
				if id, ok := t.(*ast.Ident); ok {
					if id.Name == "memoTx" {
						continue
					}
					name = id.Name + "." + name
				}
			}
			if allowedFuncs[name] {
				continue
			}
			walk(d)
		}
	}
	return out
}

// TestOnlyTheCompositionRootHoldsTheWholeTransaction: use cases and the
// callbacks between areas name the narrow interface they need (ListTx for
// the root's lists, notify.EventStore for an event…), never the store's
// whole transaction, so no interface understates what its use cases touch.
func TestOnlyTheCompositionRootHoldsTheWholeTransaction(t *testing.T) {
	t.Parallel()
	files := 0
	var uses []string
	goSources(t, func(p string, fset *token.FileSet, f *ast.File) {
		if filepath.Dir(p) != "service" {
			return
		}
		files++
		uses = append(uses, wholeTxUses(fset, f)...)
	}, "service")
	if files < 5 {
		t.Fatalf("read %d files of package service: the guard reads the wrong tree", files)
	}
	if len(uses) > 0 {
		t.Errorf("package service names the whole transaction Tx where a narrow interface belongs (declare what the code needs):\n  %s",
			strings.Join(uses, "\n  "))
	}
}

// TestWholeTxUses: the guard finds a parameter, a downcast and a closure
// over the whole Tx, and lets the composition root's places pass.
func TestWholeTxUses(t *testing.T) {
	t.Parallel()
	src := `package service
type Tx interface{ A() }
type Store interface{ Read(fn func(Tx) error) error }
type memoTx struct{ Tx }
func (m *memoTx) A() { m.Tx.A() }
func newMemoTx(tx Tx) *memoTx { return &memoTx{Tx: tx} }
var _ EventStore = Tx(nil)
var lists = usecase.Narrow[ListTx, Tx](store, func(tx Tx) ListTx { return tx })
func bad1(tx Tx) {}
func bad2(tx any) { tx.(Tx).A() }
func bad3(s Store) { s.Read(func(tx Tx) error { return nil }) }
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "x.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := wholeTxUses(fset, f)
	if len(got) != 3 || !strings.HasPrefix(got[0], "x.go:9:") || !strings.HasPrefix(got[1], "x.go:10:") || !strings.HasPrefix(got[2], "x.go:11:") {
		t.Fatalf("wholeTxUses = %v, want one use each on lines 9, 10 and 11", got)
	}
}
