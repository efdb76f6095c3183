package facturo_test

// Architecture rules from DESIGN.md: dependencies point inward. The domain
// packages are pure Go with no I/O: they never reach a database driver, HTTP,
// the job queue or any adapter package, not even transitively.

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"path"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/facturo/facturo"

// domain lists the domain packages (relative to the module). The required
// ones must exist; later ones are checked as soon as they do.
var (
	domainRequired = []string{"money", "billing", "access", "fail", "id", "calendar", "tax", "ledger", "messages", "receivables"}
	domainLater    = []string{"documents"}
)

// forbidden reports why a domain package must not depend on dep ("" if it may).
func forbidden(dep string, domain map[string]bool) string {
	switch {
	case dep == "database/sql":
		return "database access"
	case dep == "net/http" || strings.HasPrefix(dep, "net/http/"):
		return "HTTP"
	case strings.HasPrefix(dep, "github.com/jackc/pgx"), strings.HasPrefix(dep, "github.com/jackc/pgconn"):
		return "the PostgreSQL driver"
	case strings.HasPrefix(dep, "modernc.org/sqlite"), strings.HasPrefix(dep, "github.com/mattn/go-sqlite3"):
		return "the SQLite driver"
	case strings.HasPrefix(dep, "github.com/riverqueue/river"):
		return "the job queue"
	case strings.HasPrefix(dep, "github.com/pressly/goose"):
		return "migrations"
	case strings.HasPrefix(dep, module+"/"):
		rel := strings.TrimPrefix(dep, module+"/")
		if !domain[rel] {
			// store, server, api, web, jobs, service, cmd/…, demo, internal/…
			return "an adapter or outer-layer package (" + rel + ")"
		}
	}
	return ""
}

type goPackage struct {
	ImportPath string
	Name       string
	Dir        string
	Imports    []string
	Deps       []string
	Error      *struct{ Err string }
}

func listPackages(t *testing.T) []goPackage {
	t.Helper()
	cmd := exec.Command("go", "list", "-e", "-json=ImportPath,Name,Dir,Imports,Deps,Error", "./...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []goPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p goPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("decode go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 {
		t.Fatal("go list found no packages")
	}
	return pkgs
}

func TestDomainPackagesHaveNoAdapterDependencies(t *testing.T) {
	pkgs := listPackages(t)
	domain := map[string]bool{}
	for _, d := range append(slices.Clone(domainRequired), domainLater...) {
		domain[d] = true
	}
	found := map[string]bool{}
	for _, p := range pkgs {
		rel := strings.TrimPrefix(p.ImportPath, module+"/")
		if !domain[rel] {
			continue
		}
		found[rel] = true
		if p.Error != nil {
			t.Errorf("%s: go list: %s", rel, p.Error.Err)
			continue
		}
		for _, dep := range p.Deps {
			if why := forbidden(dep, domain); why != "" {
				direct := "transitively"
				if slices.Contains(p.Imports, dep) {
					direct = "directly"
				}
				t.Errorf("domain package %s depends %s on %s: %s belongs in an adapter, not the domain", rel, direct, dep, why)
			}
		}
	}
	for _, d := range domainRequired {
		if !found[d] {
			t.Errorf("domain package %s not found by go list: the architecture test would check nothing", d)
		}
	}
}

// TestForbiddenRuleCatchesAdapters guards the rule itself: it must reject the
// imports the design names, and accept the domain's legitimate ones.
func TestForbiddenRuleCatchesAdapters(t *testing.T) {
	domain := map[string]bool{"money": true, "billing": true, "fail": true}
	for _, dep := range []string{
		"database/sql", "net/http", "net/http/httptest", "github.com/jackc/pgx/v5", "github.com/jackc/pgx/v5/stdlib",
		"modernc.org/sqlite", "github.com/riverqueue/river", "github.com/riverqueue/river/riverdriver/riverpgxv5",
		module + "/store", module + "/server", module + "/api", module + "/web", module + "/jobs",
		module + "/service", module + "/cmd/facturo", module + "/internal/testdb",
	} {
		if forbidden(dep, domain) == "" {
			t.Errorf("rule lets the domain import %s", dep)
		}
	}
	for _, dep := range []string{"fmt", "time", "database/sql/driver", "github.com/shopspring/decimal", module + "/money", module + "/fail"} {
		if why := forbidden(dep, domain); why != "" {
			t.Errorf("rule refuses %s (%s), which the domain may use", dep, why)
		}
	}
}

// TestNoGrabBagPackages: a rule lives where a newcomer would look for it by
// name, never in utils, common or models.
func TestNoGrabBagPackages(t *testing.T) {
	bad := []string{"utils", "util", "common", "models", "helpers"}
	for _, p := range listPackages(t) {
		last := path.Base(p.ImportPath)
		if slices.Contains(bad, last) || slices.Contains(bad, p.Name) {
			t.Errorf("package %s (%s) is a grab bag: name packages after what they provide", p.ImportPath, p.Dir)
		}
	}
}
