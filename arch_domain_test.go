package facturo_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// domainImportRefused reports why a domain package must not import pkg
// directly ("" if it may): the domain reads no files, environment or
// network, and never asks the wall clock (the caller passes the time).
func domainImportRefused(pkg string) string {
	switch {
	case pkg == "net/mail", pkg == "net/netip", pkg == "net/url":
		return "" // parsers of values, no I/O
	case pkg == "os" || strings.HasPrefix(pkg, "os/"):
		return "the operating system"
	case pkg == "net" || strings.HasPrefix(pkg, "net/"):
		return "the network"
	case pkg == "syscall", pkg == "io/ioutil", pkg == "path/filepath", pkg == "log", pkg == "log/slog", pkg == "plugin", pkg == "unsafe":
		return "I/O or the runtime"
	}
	return ""
}

// clockCalls are the time functions that read the wall clock or wait on it.
var clockCalls = []string{"Now", "Since", "Until", "Sleep", "After", "AfterFunc", "Tick", "NewTicker", "NewTimer"}

// clockAllowed names the one domain function allowed to read the clock: id.New
// is id.NewAt(prefix, time.Now()) for callers outside the domain.
var clockAllowed = map[string]bool{"id.New": true}

// TestDomainDoesNoIOAndReadsNoClock: the domain packages import no os, net
// or syscall paths, and call no time.Now (nor anything that waits on the
// clock): a rule of the domain is a function of its arguments, so a table
// test can pin it.
func TestDomainDoesNoIOAndReadsNoClock(t *testing.T) {
	t.Parallel()
	pkgs := listPackages(t)
	domain := map[string]bool{}
	for _, d := range append(slices.Clone(domainRequired), domainLater...) {
		domain[d] = true
	}
	checked := 0
	for _, p := range pkgs {
		rel := strings.TrimPrefix(p.ImportPath, module+"/")
		if !domain[rel] {
			continue
		}
		for _, imp := range p.Imports {
			if why := domainImportRefused(imp); why != "" {
				t.Errorf("domain package %s imports %s: %s belongs in an adapter", rel, imp, why)
			}
		}
		files, _ := filepath.Glob(filepath.Join(p.Dir, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			checked++
			for _, bad := range clockReads(t, f, rel) {
				t.Errorf("%s: %s reads the wall clock; take the time as an argument", bad, rel)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no domain source file checked")
	}
}

// clockReads returns the positions of calls to the clock functions of the
// time package in file (whatever name time is imported under).
func clockReads(t *testing.T, file, pkg string) []string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, nil, 0)
	if err != nil {
		t.Fatalf("parse %s: %v", file, err)
	}
	timeName := ""
	for _, imp := range f.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); p == "time" {
			timeName = "time"
			if imp.Name != nil {
				timeName = imp.Name.Name
			}
		}
	}
	if timeName == "" {
		return nil
	}
	var out []string
	enclosing := ""
	ast.Inspect(f, func(n ast.Node) bool {
		if fd, ok := n.(*ast.FuncDecl); ok {
			enclosing = pkg + "." + fd.Name.Name
		}
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if x, ok := sel.X.(*ast.Ident); ok && x.Name == timeName && slices.Contains(clockCalls, sel.Sel.Name) && !clockAllowed[enclosing] {
			out = append(out, fset.Position(sel.Pos()).String())
		}
		return true
	})
	return out
}

// TestDomainRulesCatchIO guards the rules themselves.
func TestDomainRulesCatchIO(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"os", "os/exec", "net", "net/http", "syscall", "path/filepath", "log"} {
		if domainImportRefused(p) == "" {
			t.Errorf("rule lets the domain import %s", p)
		}
	}
	for _, p := range []string{"net/mail", "time", "fmt", "strings", "crypto/rand"} {
		if why := domainImportRefused(p); why != "" {
			t.Errorf("rule refuses %s (%s)", p, why)
		}
	}
	dir := t.TempDir()
	src := "package x\nimport clock \"time\"\nfunc f() { _ = clock.Now() }\nfunc g() { _ = clock.Date }\n"
	file := filepath.Join(dir, "x.go")
	if err := writeFile(file, src); err != nil {
		t.Fatal(err)
	}
	if got := clockReads(t, file, "x"); len(got) != 1 {
		t.Errorf("clockReads found %d calls in %q, want 1 (clock.Now under an import alias)", len(got), src)
	}
}

func writeFile(name, content string) error { return os.WriteFile(name, []byte(content), 0o600) }
