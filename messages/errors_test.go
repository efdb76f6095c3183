package messages_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/facturo/facturo/messages"
)

// errorFormat is one literal format string passed to package fail, and
// where it was first seen.
type errorFormat struct {
	format, at string
}

// failFormatArg is, for each function of package fail that takes a format,
// the index of its format argument.
var failFormatArg = map[string]int{"Field": 1, "Newf": 1, "NotFoundf": 0, "Conflictf": 0, "Forbiddenf": 0}

// scanErrorFormats parses every non-test Go file of the module and returns
// the literal formats given to fail.Field, fail.Newf, fail.NotFoundf,
// fail.Conflictf, fail.Forbiddenf and (*fail.Collector).Add, and the calls
// whose format is not a literal (which the scan cannot check).
func scanErrorFormats(t *testing.T) (formats map[string]errorFormat, dynamic []string) {
	t.Helper()
	formats = map[string]errorFormat{}
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() {
			if n := e.Name(); n == ".git" || n == "testdata" || n == "node_modules" || n == "tools" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		inFail := f.Name.Name == "fail"
		collectors := collectorNames(f, inFail)
		ast.Inspect(f, func(n ast.Node) bool {
			if vs, ok := n.(*ast.ValueSpec); ok {
				// Tables of formats a package sets on its errors itself.
				for i, name := range vs.Names {
					if cl, ok := valueAt(vs, i).(*ast.CompositeLit); ok && formatTables[name.Name] {
						for _, el := range cl.Elts {
							if kv, ok := el.(*ast.KeyValueExpr); ok {
								if s, ok := literalString(kv.Value); ok {
									formats[s] = errorFormat{format: s, at: fset.Position(kv.Pos()).String()}
								}
							}
						}
					}
				}
				return true
			}
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			idx := -1
			switch fn := call.Fun.(type) {
			case *ast.SelectorExpr:
				if x, ok := fn.X.(*ast.Ident); ok {
					if i, ok := failFormatArg[fn.Sel.Name]; ok && x.Name == "fail" {
						idx = i
					} else if fn.Sel.Name == "Add" && collectors[x.Name] {
						idx = 1
					}
				}
			case *ast.Ident:
				if i, ok := failFormatArg[fn.Name]; ok && inFail {
					idx = i
				}
			}
			if idx < 0 || len(call.Args) <= idx {
				return true
			}
			at := fset.Position(call.Pos()).String()
			s, ok := literalString(call.Args[idx])
			if !ok {
				dynamic = append(dynamic, at)
				return true
			}
			if _, seen := formats[s]; !seen {
				formats[s] = errorFormat{format: s, at: at}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return formats, dynamic
}

// literalString is the value of a string literal, or of literals joined
// with +; false for anything else.
func literalString(e ast.Expr) (string, bool) {
	switch x := e.(type) {
	case *ast.BasicLit:
		if x.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(x.Value)
		return s, err == nil
	case *ast.BinaryExpr:
		if x.Op != token.ADD {
			return "", false
		}
		a, ok := literalString(x.X)
		b, ok2 := literalString(x.Y)
		return a + b, ok && ok2
	case *ast.ParenExpr:
		return literalString(x.X)
	}
	return "", false
}

// collectorNames are the names a file gives to fail.Collector values and
// pointers: variables, parameters and struct fields declared with that type,
// and variables assigned a composite literal of it.
func collectorNames(f *ast.File, inFail bool) map[string]bool {
	isCollector := func(e ast.Expr) bool {
		if s, ok := e.(*ast.StarExpr); ok {
			e = s.X
		}
		if u, ok := e.(*ast.UnaryExpr); ok && u.Op == token.AND {
			e = u.X
		}
		if cl, ok := e.(*ast.CompositeLit); ok {
			e = cl.Type
		}
		switch x := e.(type) {
		case *ast.SelectorExpr:
			id, ok := x.X.(*ast.Ident)
			return ok && id.Name == "fail" && x.Sel.Name == "Collector"
		case *ast.Ident:
			return inFail && x.Name == "Collector"
		}
		return false
	}
	out := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.Field:
			if isCollector(x.Type) {
				for _, name := range x.Names {
					out[name.Name] = true
				}
			}
		case *ast.ValueSpec:
			if x.Type != nil && isCollector(x.Type) {
				for _, name := range x.Names {
					out[name.Name] = true
				}
			}
			for i, v := range x.Values {
				if isCollector(v) && i < len(x.Names) {
					out[x.Names[i].Name] = true
				}
			}
		case *ast.AssignStmt:
			for i, v := range x.Rhs {
				if i >= len(x.Lhs) || !isCollector(v) {
					continue
				}
				if id, ok := x.Lhs[i].(*ast.Ident); ok {
					out[id.Name] = true
				}
			}
		}
		return true
	})
	return out
}

// onlyVerbs matches a format with nothing to translate, such as "%v".
var onlyVerbs = regexp.MustCompile(`^(?:\s|%[-+# 0]*[0-9]*(?:\.[0-9]+)?[a-zA-Z]|[:;,.()])*$`)

// TestEveryErrorMessageTranslated: every literal format the code gives to
// package fail has a Spanish and a Portuguese text in the error catalog, so
// a new message cannot land untranslated; and every format of the catalog
// is still written somewhere in the code.
func TestEveryErrorMessageTranslated(t *testing.T) {
	t.Parallel()
	formats, dynamic := scanErrorFormats(t)
	if len(formats) < 150 {
		t.Fatalf("the scan found only %d formats: it is broken", len(formats))
	}
	known := map[string]bool{}
	for _, f := range messages.ErrorFormats() {
		known[f] = true
	}
	var missing []string
	for s, f := range formats {
		if !known[s] && !onlyVerbs.MatchString(s) {
			missing = append(missing, f.at+": "+strconv.Quote(s))
		}
	}
	slices.Sort(missing)
	for _, m := range missing {
		t.Errorf("untranslated error message (add it to errorTexts in messages/errors.go): %s", m)
	}
	for s := range known {
		if _, ok := formats[s]; !ok {
			t.Errorf("error format %q is not used anywhere: remove it from errorTexts", s)
		}
	}
	if testing.Verbose() && len(dynamic) > 0 {
		t.Logf("calls with a format that is not a literal (not checked): %v", dynamic)
	}
}

// TestErrorTranslationsKeepTheVerbs: each translation has the verbs of its
// English format, in the same order, so the arguments land in their place.
func TestErrorTranslationsKeepTheVerbs(t *testing.T) {
	t.Parallel()
	verbs := regexp.MustCompile(`%[-+# 0]*[0-9]*(?:\.[0-9]+)?[a-zA-Z%]`)
	for _, f := range messages.ErrorFormats() {
		want := verbs.FindAllString(f, -1)
		for _, lang := range []string{"es", "pt-BR"} {
			tr, ok := messages.ErrorText(lang, f)
			if !ok || strings.TrimSpace(tr) == "" {
				t.Errorf("%q has no %s text", f, lang)
				continue
			}
			if got := verbs.FindAllString(tr, -1); !slices.Equal(got, want) {
				t.Errorf("%q: %s has verbs %v, en has %v", f, lang, got, want)
			}
		}
	}
}

// formatTables are the package-level maps whose values are error formats
// the code sets on its errors itself (accounts.DeclineReasons: a card
// refusal, by the processor's code).
var formatTables = map[string]bool{"DeclineReasons": true}

// valueAt is the i-th value of a var spec, or nil.
func valueAt(vs *ast.ValueSpec, i int) ast.Expr {
	if i < len(vs.Values) {
		return vs.Values[i]
	}
	return nil
}
