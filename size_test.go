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
