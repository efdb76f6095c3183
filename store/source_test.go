package store

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// sourceFiles lists the non-test Go files of the store and of its
// sub-packages at any depth (dbtx, the area packages, the generated
// queries and their generator), relative to this directory: what the
// source guards (TestNoFloatInAmountSQL, TestComposedWhereUsesBuilder) scan.
func sourceFiles() ([]string, error) {
	var out []string
	err := filepath.WalkDir(".", func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") {
			out = append(out, p)
		}
		return err
	})
	return out, err
}

// TestSourceGuardsScanEveryPackage: every directory of the store holding
// Go source has its files among those the guards scan, so that code moved
// into a new sub-package stays guarded.
func TestSourceGuardsScanEveryPackage(t *testing.T) {
	t.Parallel()
	files, err := sourceFiles()
	if err != nil {
		t.Fatal(err)
	}
	scanned := map[string]int{}
	for _, f := range files {
		scanned[filepath.Dir(f)]++
	}
	var dirs []string
	err = filepath.WalkDir(".", func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") && !slices.Contains(dirs, filepath.Dir(p)) {
			dirs = append(dirs, filepath.Dir(p))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) < 2 {
		t.Fatalf("found Go source in %v only: the walk is not reading the store", dirs)
	}
	for _, d := range dirs {
		if scanned[d] == 0 {
			t.Errorf("the source guards scan no file of %s", d)
		}
	}
}
