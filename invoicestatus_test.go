package facturo_test

// Only the domain sets an invoice's status (issue 13: "status fields are
// set only by those methods"): billing.Invoice's lifecycle methods (Issue,
// Workflow, ReturnToDraft, MarkPastDue, Close, CloseSettled, Void, Correct,
// Reopen) are the one place a status changes, each with its guard.
//
// The check type-checks every non-test Go file outside billing/ with
// go/types (the dependencies come from the compiler's export data, listed
// by `go list -export -deps`, so no package beyond the standard library is
// needed) and refuses:
//   - an assignment (plain, tuple or op-assignment) whose left side selects
//     the Status field of billing.Invoice, also through a struct embedding it;
//   - taking the address of that field (a write through a pointer);
//   - a billing.Invoice composite literal whose Status is anything but the
//     constant billing.Draft (a literal with Status: billing.Draft is the
//     definition of a new draft), or an unkeyed one.
//
// Type information, not names, decides what is an invoice: `sub.Status = …`
// on a subscription passes, `x.Status = …` on an invoice named x does not.
// The allow-list names the one function that may write the field: the store
// rehydrating a row it read (no status change happens there). A stale entry
// fails too.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// statusWriteAllowed lists, as "package-dir.function", the functions outside
// billing that may write an invoice's status.
var statusWriteAllowed = []string{
	"store/invoicesql.scanInvoice", // rehydrates a stored row
}

type exportPackage struct {
	ImportPath string
	Dir        string
	Export     string
	GoFiles    []string
	DepOnly    bool
	Error      *struct{ Err string }
}

// exportImporter lists the packages of patterns with their dependencies'
// export data and returns the module's own packages and an importer that
// reads every package from export data.
func exportImporter(t *testing.T, fset *token.FileSet, patterns ...string) ([]exportPackage, types.Importer) {
	t.Helper()
	args := append([]string{"list", "-e", "-export", "-deps", "-json=ImportPath,Dir,Export,GoFiles,DepOnly,Error"}, patterns...)
	cmd := exec.Command("go", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -export: %v\n%s", err, stderr.String())
	}
	exports := map[string]string{}
	var own []exportPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p exportPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("decode go list output: %v", err)
		}
		if p.Error != nil {
			t.Fatalf("%s: %s", p.ImportPath, p.Error.Err)
		}
		exports[p.ImportPath] = p.Export
		if !p.DepOnly {
			own = append(own, p)
		}
	}
	lookup := func(path string) (io.ReadCloser, error) {
		f, ok := exports[path]
		if !ok || f == "" {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(f)
	}
	return own, importer.ForCompiler(fset, "gc", lookup)
}

// invoiceStatus holds the objects the check compares against: the Status
// field and type name of billing.Invoice and the constant billing.Draft.
type invoiceStatus struct {
	field   *types.Var
	invoice *types.TypeName
	draft   types.Object
}

func loadInvoiceStatus(t *testing.T, imp types.Importer) invoiceStatus {
	t.Helper()
	pkg, err := imp.Import(module + "/billing")
	if err != nil {
		t.Fatalf("import billing: %v", err)
	}
	var is invoiceStatus
	is.invoice, _ = pkg.Scope().Lookup("Invoice").(*types.TypeName)
	is.draft = pkg.Scope().Lookup("Draft")
	if is.invoice == nil || is.draft == nil {
		t.Fatal("billing.Invoice or billing.Draft not found")
	}
	st := is.invoice.Type().Underlying().(*types.Struct)
	for i := range st.NumFields() {
		if st.Field(i).Name() == "Status" {
			is.field = st.Field(i)
		}
	}
	if is.field == nil {
		t.Fatal("billing.Invoice has no Status field")
	}
	return is
}

// statusWrite is one write of an invoice's status found in a file.
type statusWrite struct {
	pos  token.Position
	fn   string // enclosing function ("" at package level)
	what string
}

// invoiceStatusWrites returns the writes of an invoice's status in files,
// type-checked into info.
func (is invoiceStatus) writes(fset *token.FileSet, files []*ast.File, info *types.Info) []statusWrite {
	var out []statusWrite
	isStatus := func(e ast.Expr) bool {
		sel, ok := ast.Unparen(e).(*ast.SelectorExpr)
		if !ok {
			return false
		}
		s := info.Selections[sel]
		return s != nil && s.Kind() == types.FieldVal && s.Obj() == is.field
	}
	isInvoice := func(tv types.Type) bool {
		n, ok := types.Unalias(tv).(*types.Named)
		return ok && n.Obj() == is.invoice
	}
	isDraft := func(e ast.Expr) bool {
		switch x := ast.Unparen(e).(type) {
		case *ast.Ident:
			return info.Uses[x] == is.draft
		case *ast.SelectorExpr:
			return info.Uses[x.Sel] == is.draft
		}
		return false
	}
	for _, f := range files {
		for _, d := range f.Decls {
			fn := ""
			if fd, ok := d.(*ast.FuncDecl); ok {
				fn = fd.Name.Name
			}
			add := func(n ast.Node, what string) {
				out = append(out, statusWrite{pos: fset.Position(n.Pos()), fn: fn, what: what})
			}
			ast.Inspect(d, func(n ast.Node) bool {
				switch x := n.(type) {
				case *ast.AssignStmt:
					for _, l := range x.Lhs {
						if isStatus(l) {
							add(l, "assigns an invoice's Status")
						}
					}
				case *ast.UnaryExpr:
					if x.Op == token.AND && isStatus(x.X) {
						add(x, "takes the address of an invoice's Status")
					}
				case *ast.CompositeLit:
					if tv, ok := info.Types[x]; !ok || !isInvoice(tv.Type) {
						return true
					}
					for _, el := range x.Elts {
						kv, ok := el.(*ast.KeyValueExpr)
						if !ok {
							add(el, "builds an invoice with an unkeyed literal")
							break
						}
						if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Status" && !isDraft(kv.Value) {
							add(kv, "builds an invoice with a Status other than billing.Draft")
						}
					}
				}
				return true
			})
		}
	}
	return out
}

func TestInvoiceStatusSetOnlyByBilling(t *testing.T) {
	fset := token.NewFileSet()
	pkgs, imp := exportImporter(t, fset, "./...")
	is := loadInvoiceStatus(t, imp)
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	checked := 0
	for _, p := range pkgs {
		if p.ImportPath == module+"/billing" || len(p.GoFiles) == 0 {
			continue
		}
		var files []*ast.File
		for _, name := range p.GoFiles {
			f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
		info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Uses: map[*ast.Ident]types.Object{},
			Selections: map[*ast.SelectorExpr]*types.Selection{}}
		conf := types.Config{Importer: imp}
		if _, err := conf.Check(p.ImportPath, fset, files, info); err != nil {
			t.Fatalf("type-check %s: %v", p.ImportPath, err)
		}
		checked++
		rel, _ := filepath.Rel(root, p.Dir)
		for _, w := range is.writes(fset, files, info) {
			key := filepath.ToSlash(rel) + "." + w.fn
			if slices.Contains(statusWriteAllowed, key) {
				used[key] = true
				continue
			}
			file, _ := filepath.Rel(root, w.pos.Filename)
			t.Errorf("%s:%d: %s %s: only billing.Invoice's lifecycle methods (Issue, Workflow, ReturnToDraft, MarkPastDue, Close, CloseSettled, Void, Correct, Reopen) set it",
				file, w.pos.Line, w.fn, w.what)
		}
	}
	if checked < 10 {
		t.Fatalf("checked only %d packages: the check would miss writes", checked)
	}
	for _, a := range statusWriteAllowed {
		if !used[a] {
			t.Errorf("allow-list entry %s writes no invoice status any more: remove it", a)
		}
	}
}

// TestInvoiceStatusWriteDetector guards the check itself: each snippet is
// type-checked against the real billing package and must be found (or not).
func TestInvoiceStatusWriteDetector(t *testing.T) {
	fset := token.NewFileSet()
	_, imp := exportImporter(t, fset, "./billing")
	is := loadInvoiceStatus(t, imp)
	cases := []struct {
		name, body string
		want       int
	}{
		{"plain assignment", `inv.Status = billing.Open`, 1},
		{"through a value", `v := *inv; v.Status = billing.Closed; _ = v`, 1},
		{"tuple assignment", `inv.Status, inv.CloseReason = billing.Closed, "x"`, 1},
		{"op-assignment", `inv.Status += "x"`, 1},
		{"parenthesised", `(inv).Status = billing.Void`, 1},
		{"embedded invoice", `w.Status = billing.Open`, 1},
		{"slice element", `invs[0].Status = billing.Open`, 1},
		{"address taken", `p := &inv.Status; _ = p`, 1},
		{"literal with open", `_ = billing.Invoice{ID: "x", Status: billing.Open}`, 1},
		{"literal with a variable", `st := billing.Draft; _ = billing.Invoice{Status: st}`, 1},
		{"literal in a slice", `_ = []billing.Invoice{{Status: billing.Closed}}`, 1},
		{"literal in a wrapper", `_ = wrap{Invoice: billing.Invoice{Status: billing.Void}}`, 1},
		{"new draft literal", `_ = billing.Invoice{ID: "x", Status: billing.Draft}`, 0},
		{"literal without status", `_ = billing.Invoice{ID: "x"}`, 0},
		{"reading", `if inv.Status == billing.Open { _ = inv.Status.IsDraft() }`, 0},
		{"other struct", `o.Status = "active"`, 0},
		{"template status", `var tp billing.Template; tp.Status = billing.TemplateEnded; _ = tp`, 0},
		{"whole invoice copied", `*inv = w.Invoice`, 0},
		{"method", `_, _ = inv.Close("r", billing.PostingAccounts{}, time.Time{})`, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := `package x

import (
	"time"

	"github.com/facturo/facturo/billing"
)

var _ = time.Time{}

type wrap struct{ billing.Invoice }

type other struct{ Status string }

func f(inv *billing.Invoice, invs []billing.Invoice, w wrap, o other) {
	` + c.body + `
}
`
			f, err := parser.ParseFile(fset, c.name+".go", src, 0)
			if err != nil {
				t.Fatal(err)
			}
			info := &types.Info{Types: map[ast.Expr]types.TypeAndValue{}, Uses: map[*ast.Ident]types.Object{},
				Selections: map[*ast.SelectorExpr]*types.Selection{}}
			conf := types.Config{Importer: imp}
			if _, err := conf.Check("x", fset, []*ast.File{f}, info); err != nil {
				t.Fatalf("type-check: %v", err)
			}
			got := is.writes(fset, []*ast.File{f}, info)
			if len(got) != c.want {
				t.Fatalf("found %d writes %v in %q, want %d", len(got), got, c.body, c.want)
			}
			for _, w := range got {
				if w.fn != "f" || !strings.Contains(w.what, "invoice") {
					t.Fatalf("write %+v", w)
				}
			}
		})
	}
}
