package facturo_test

// Only the domain sets an invoice's status (issue 13: "status fields are
// set only by those methods"): billing.Invoice's lifecycle methods (Issue,
// Workflow, ReturnToDraft, MarkPastDue, Close, CloseSettled, Void, Correct,
// Reopen, ApplyPayment) are the one place a status changes, each with its
// guard. The same holds for what settling changes: the balances and what is
// paid (guardedFields).
//
// The check type-checks every non-test Go file outside billing/ with
// go/types (the dependencies come from the compiler's export data, listed
// by `go list -export -deps`, so no package beyond the standard library is
// needed) and refuses:
//   - an assignment (plain, tuple or op-assignment) whose left side selects
//     a guarded field of billing.Invoice, also through a struct embedding it;
//   - taking the address of such a field (a write through a pointer);
//   - a billing.Invoice composite literal whose Status is anything but the
//     constant billing.Draft (a literal with Status: billing.Draft is the
//     definition of a new draft), a billing.Totals literal setting a
//     balance or what is paid, or an unkeyed one.
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
	"store/invoicesql.invoiceOf", // rehydrates a stored row (scanInvoice before the generated queries)
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

// guardedFields are the fields of billing.Invoice only its lifecycle
// methods set: the status, and what settling changes (ApplyPayment).
var guardedFields = []string{"Status", "Balance", "BalanceAccounting", "Paid"}

// invoiceStatus holds the objects the check compares against: the guarded
// fields and type name of billing.Invoice and the constant billing.Draft.
type invoiceStatus struct {
	fields  map[*types.Var]string
	invoice *types.TypeName
	totals  *types.TypeName // billing.Totals, which Invoice embeds
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
	is.totals, _ = pkg.Scope().Lookup("Totals").(*types.TypeName)
	is.draft = pkg.Scope().Lookup("Draft")
	if is.invoice == nil || is.totals == nil || is.draft == nil {
		t.Fatal("billing.Invoice, billing.Totals or billing.Draft not found")
	}
	is.fields = map[*types.Var]string{}
	// The fields of Invoice and of the structs it embeds (Totals).
	var collect func(st *types.Struct)
	collect = func(st *types.Struct) {
		for i := range st.NumFields() {
			f := st.Field(i)
			if slices.Contains(guardedFields, f.Name()) {
				is.fields[f] = f.Name()
			}
			if inner, ok := f.Type().Underlying().(*types.Struct); ok && f.Embedded() {
				collect(inner)
			}
		}
	}
	collect(is.invoice.Type().Underlying().(*types.Struct))
	if len(is.fields) != len(guardedFields) {
		t.Fatalf("billing.Invoice lacks one of the fields %v", guardedFields)
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
	// guarded returns the name of the guarded field e selects ("" if none).
	guarded := func(e ast.Expr) string {
		sel, ok := ast.Unparen(e).(*ast.SelectorExpr)
		if !ok {
			return ""
		}
		s := info.Selections[sel]
		if s == nil || s.Kind() != types.FieldVal {
			return ""
		}
		v, _ := s.Obj().(*types.Var)
		return is.fields[v]
	}
	isInvoice := func(tv types.Type) bool {
		n, ok := types.Unalias(tv).(*types.Named)
		return ok && (n.Obj() == is.invoice || n.Obj() == is.totals)
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
						if f := guarded(l); f != "" {
							add(l, "assigns an invoice's "+f)
						}
					}
				case *ast.UnaryExpr:
					if f := guarded(x.X); x.Op == token.AND && f != "" {
						add(x, "takes the address of an invoice's "+f)
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
						k, _ := kv.Key.(*ast.Ident)
						switch {
						case k == nil:
						case k.Name == "Status" && !isDraft(kv.Value):
							add(kv, "builds an invoice with a Status other than billing.Draft")
						case k.Name != "Status" && slices.Contains(guardedFields, k.Name):
							add(kv, "builds an invoice with its "+k.Name+" set")
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
			t.Errorf("%s:%d: %s %s: only billing.Invoice's methods (Issue, Workflow, ReturnToDraft, MarkPastDue, Close, CloseSettled, Void, Correct, Reopen, ApplyPayment, Compute) set it",
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
		{"balance", `inv.Balance = inv.Total`, 1},
		{"balances in a tuple", `inv.Paid, inv.BalanceAccounting = inv.Total, inv.TotalAccounting`, 2},
		{"address of paid", `p := &inv.Paid; _ = p`, 1},
		{"totals literal with a balance", `_ = billing.Invoice{ID: "x", Totals: billing.Totals{Balance: inv.Total}}`, 1},
		{"totals literal without one", `_ = billing.Totals{Total: inv.Total}`, 0},
		{"reading a balance", `_ = inv.Balance.MustAdd(inv.Paid)`, 0},
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
