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
	domainRequired = []string{"money", "billing", "attachment", "numbering", "access", "fail", "id", "calendar", "tax", "ledger", "messages", "receivables", "customfield", "wallet", "subscription"}
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

// Service areas. The root package service composes the use cases; each
// business area is a package under service/ (service/identity, …), and
// service/usecase is the write envelope they all share. The rules, checked
// on non-test imports (tests may wire the real store through the root):
//
//  1. No package under service/ imports the root service, directly or
//     transitively: the root imports the areas, so that would be a cycle,
//     and an area must get its plumbing (envelope, clock, store) from
//     service/usecase or from its constructor.
//  2. An area may use another area only through that area's own package
//     (service/B), never its sub-packages (service/B/…): those are B's
//     internals.
//  3. service/usecase sits below every area and imports none of them.
const serviceRoot = module + "/service"

// serviceArea returns the area of a package under service/ ("identity" for
// service/identity/store) and whether pkg is under service/ at all.
func serviceArea(pkg string) (string, bool) {
	rel, ok := strings.CutPrefix(pkg, serviceRoot+"/")
	if !ok || rel == "" {
		return "", false
	}
	area, _, _ := strings.Cut(rel, "/")
	return area, true
}

// forbiddenServiceImport reports why from (a package under service/) must
// not import dep ("" if it may).
func forbiddenServiceImport(from, dep string) string {
	fromArea, ok := serviceArea(from)
	if !ok {
		return ""
	}
	if dep == serviceRoot {
		return "the root service composes the areas: importing it is a cycle (take the plumbing from service/usecase or the constructor)"
	}
	depArea, ok := serviceArea(dep)
	if !ok || depArea == fromArea {
		return ""
	}
	if fromArea == "usecase" {
		return "service/usecase is the envelope below every area: it imports none"
	}
	if dep != serviceRoot+"/"+depArea {
		return "the internals of area " + depArea + " (use service/" + depArea + " itself)"
	}
	return ""
}

func TestServiceAreasStandAlone(t *testing.T) {
	areas := 0
	for _, p := range listPackages(t) {
		if _, ok := serviceArea(p.ImportPath); !ok {
			continue
		}
		areas++
		if p.Error != nil {
			t.Errorf("%s: go list: %s", p.ImportPath, p.Error.Err)
			continue
		}
		for _, dep := range p.Imports {
			if why := forbiddenServiceImport(p.ImportPath, dep); why != "" {
				t.Errorf("%s imports %s: %s", p.ImportPath, dep, why)
			}
		}
		if slices.Contains(p.Deps, serviceRoot) && !slices.Contains(p.Imports, serviceRoot) {
			t.Errorf("%s depends transitively on %s: %s", p.ImportPath, serviceRoot, forbiddenServiceImport(p.ImportPath, serviceRoot))
		}
	}
	if areas == 0 {
		t.Error("go list found no package under service/: the rule would check nothing")
	}
}

// TestServiceAreaRuleCatchesCrossings guards the rule itself.
func TestServiceAreaRuleCatchesCrossings(t *testing.T) {
	s := serviceRoot + "/"
	cases := []struct {
		from, dep string
		refused   bool
	}{
		{s + "identity", serviceRoot, true},
		{s + "identity/internal/x", serviceRoot, true},
		{s + "invoicing", s + "identity/internal/x", true},
		{s + "invoicing", s + "identity/sql", true},
		{s + "usecase", s + "identity", true},
		{s + "identity", s + "usecase", false},
		{s + "invoicing", s + "identity", false},
		{s + "identity", s + "identity/internal/x", false},
		{s + "identity/internal/x", s + "identity", false},
		{s + "identity", module + "/access", false},
		{module + "/api", serviceRoot, false}, // outside service/: not this rule's business
		{serviceRoot, s + "identity/internal/x", false},
	}
	for _, c := range cases {
		why := forbiddenServiceImport(c.from, c.dep)
		if (why != "") != c.refused {
			t.Errorf("%s importing %s: refused=%v (%q), want refused=%v", c.from, c.dep, why != "", why, c.refused)
		}
	}
}
