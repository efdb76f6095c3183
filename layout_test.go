package facturo_test

import (
	"go/ast"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// layoutNames returns the package names the README's layout table lists:
// every backticked name in the first cell of its rows.
func layoutNames(readme string) map[string]bool {
	_, table, _ := strings.Cut(readme, "\n## Layout\n")
	table, _, _ = strings.Cut(table, "\n## ")
	names := map[string]bool{}
	tick := regexp.MustCompile("`([^`]+)`")
	for _, line := range strings.Split(table, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 3 {
			continue
		}
		for _, m := range tick.FindAllStringSubmatch(cells[1], -1) {
			names[m[1]] = true
		}
	}
	return names
}

// TestLayoutTableNamesEveryPackage: the README's layout table is the map of
// the tree; a package it does not name, or a name that is no package, fails.
func TestLayoutTableNamesEveryPackage(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	names := layoutNames(string(readme))
	if len(names) < 20 {
		t.Fatalf("found %d names in the layout table: has the README lost its ## Layout table?", len(names))
	}
	pkgs := map[string]bool{}
	goSources(t, func(p string, _ *token.FileSet, f *ast.File) {
		if dir := filepath.ToSlash(filepath.Dir(p)); dir != "." {
			pkgs[dir] = true
		}
	}, ".")
	var missing, stale []string
	for p := range pkgs {
		if !names[p] {
			missing = append(missing, p)
		}
	}
	for n := range names {
		if !pkgs[n] {
			stale = append(stale, n)
		}
	}
	slices.Sort(missing)
	slices.Sort(stale)
	if len(missing) > 0 {
		t.Errorf("packages the README's layout table does not name: %s", strings.Join(missing, ", "))
	}
	if len(stale) > 0 {
		t.Errorf("names in the README's layout table that are no package: %s", strings.Join(stale, ", "))
	}
}
