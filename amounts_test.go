package facturo_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// adHocDigits matches an amount rounded or padded to a fixed number of
// decimals instead of its currency's: StringFixed(2), Round(2) and the
// template forms; the other rounding methods of decimal with a literal
// number of places (RoundUp(2), StringFixedBank(2), DivRound(x, 2) …); a
// float formatted with decimals ("%.2f", "%8.2f", strconv.FormatFloat(x,
// 'f', 2, 64)); a hard-coded minor unit (decimal.New(1, -2)); and the
// script forms (toFixed(2), minimumFractionDigits).
var adHocDigits = regexp.MustCompile(`\b(StringFixed|Round|RoundBank|StringRound)\(\s*[0-9]+\s*\)|\.(StringFixed|Round) [0-9]+\b` +
	`|\b(StringFixedBank|StringFixedCash|RoundCash|RoundUp|RoundDown|RoundCeil|RoundFloor)\(\s*[0-9]+\s*\)` +
	`|\bDivRound\(.*,\s*[0-4]\s*\)` +
	`|%[-+ #0]*[0-9]*\.[1-9][0-9]*f` +
	`|\bFormatFloat\([^,]*,\s*'[fFeEgG]',\s*[1-9]` +
	`|\bdecimal\.New\(\s*1\s*,\s*-[0-9]+\s*\)` +
	`|\btoFixed\(\s*[0-9]|\b(minimum|maximum)FractionDigits\b`)

// scannedForDigits reports whether the amount-digits guard reads file p:
// Go and templates, and the project's own scripts (not vendored, minified
// bundles).
func scannedForDigits(p string) bool {
	switch {
	case strings.HasSuffix(p, "_test.go"):
		return false
	case strings.HasSuffix(p, ".go"), strings.HasSuffix(p, ".html"):
		return true
	case strings.HasSuffix(p, ".js"):
		return !strings.HasSuffix(p, ".min.js") && !strings.HasSuffix(p, ".standalone.js")
	}
	return false
}

// TestNoAdHocAmountDigits is part of the class guard of issue 12's
// currency digits: no code or template outside the money package rounds
// or formats with a fixed number of decimals; amounts go through
// money.Fixed, money.Price, Currency.Round or Amount.Format, which take the
// currency's digits. Tests may use fixed digits for their expectations.
func TestNoAdHocAmountDigits(t *testing.T) {
	t.Parallel()
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if strings.HasPrefix(d.Name(), ".") && p != "." || d.Name() == "money" || d.Name() == "testdata" || d.Name() == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		if !scannedForDigits(p) {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			if adHocDigits.MatchString(line) {
				t.Errorf("%s:%d: fixed decimals for an amount; use money.Fixed, money.Price or the currency's Round: %s", p, i+1, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestAdHocDigitsPatterns checks the guard above catches each form and lets
// the currency-aware ones pass.
func TestAdHocDigitsPatterns(t *testing.T) {
	t.Parallel()
	tests := []struct {
		line string
		want bool
	}{
		{`s := d.StringFixed(2)`, true},
		{`d = d.Round(2)`, true},
		{`{{.Total.StringFixed 2}}`, true},
		{`d.RoundBank(2)`, true},
		{`d.RoundUp(2)`, true},
		{`d.RoundCeil(0)`, true},
		{`d.StringFixedBank(2)`, true},
		{`d.StringFixedCash(5)`, true},
		{`a.Div(b).DivRound(c, 2)`, true},
		{`fmt.Sprintf("%.2f", f)`, true},
		{`fmt.Sprintf("%8.2f EUR", f)`, true},
		{`{{printf "%.2f" .Amount}}`, true},
		{`strconv.FormatFloat(f, 'f', 2, 64)`, true},
		{`cent := decimal.New(1, -2)`, true},
		{`el.textContent = n.toFixed(2)`, true},
		{`new Intl.NumberFormat(l, {minimumFractionDigits: 2})`, true},
		{`money.Fixed(d, cur)`, false},
		{`cur.Round(d)`, false},
		{`a.Round()`, false},
		{`{{printf "%.0f" .Percent}}`, false},
		{`x.DivRound(decimal.NewFromInt(int64(periodDays)), 12)`, false},
		{`strconv.FormatFloat(f, 'f', -1, 64)`, false},
		{`t.Truncate(time.Microsecond)`, false},
	}
	for _, tt := range tests {
		if got := adHocDigits.MatchString(tt.line); got != tt.want {
			t.Errorf("adHocDigits matches %q: %v, want %v", tt.line, got, tt.want)
		}
	}
	files := map[string]bool{"service/x.go": true, "web/templates/a.html": true, "web/static/app.js": true,
		"service/x_test.go": false, "web/static/htmx.min.js": false, "api/docs/redoc.standalone.js": false, "store/m.sql": false}
	for p, want := range files {
		if got := scannedForDigits(p); got != want {
			t.Errorf("scannedForDigits(%q) = %v, want %v", p, got, want)
		}
	}
}

// amountPackages are the packages whose structs may hold amounts: every
// package of the module but money (it defines Amount) and the store and
// its engines (they pair each decimal they read with its currency, in
// local variables and unexported summary rows, before handing it on).
func amountPackages(t *testing.T) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if p != "." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") ||
			p == "money" || p == "store" || strings.HasPrefix(p, "store/") {
			return filepath.SkipDir
		}
		out = append(out, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// bareDecimalFields returns, for the Go source src, every struct field
// of a decimal type (decimal.Decimal, a pointer to or slice of one) that
// is not tagged money:"-", as "Struct.Field".
func bareDecimalFields(src string) ([]string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), "x.go", src, 0)
	if err != nil {
		return nil, err
	}
	var out []string
	owner := "(anonymous)"
	ast.Inspect(f, func(n ast.Node) bool {
		if ts, ok := n.(*ast.TypeSpec); ok {
			owner = ts.Name.Name
		}
		st, ok := n.(*ast.StructType)
		if !ok {
			return true
		}
		for _, field := range st.Fields.List {
			if !isDecimalType(field.Type) {
				continue
			}
			if field.Tag != nil && reflect.StructTag(strings.Trim(field.Tag.Value, "`")).Get("money") == "-" {
				continue
			}
			for _, name := range field.Names {
				out = append(out, owner+"."+name.Name)
			}
		}
		return true
	})
	return out, nil
}

// isDecimalType reports whether e is decimal.Decimal, *decimal.Decimal or
// a slice or array of either.
func isDecimalType(e ast.Expr) bool {
	switch t := e.(type) {
	case *ast.StarExpr:
		return isDecimalType(t.X)
	case *ast.ArrayType:
		return isDecimalType(t.Elt)
	case *ast.SelectorExpr:
		x, ok := t.X.(*ast.Ident)
		return ok && x.Name == "decimal" && t.Sel.Name == "Decimal"
	}
	return false
}

// TestAmountsAreMoney is the class guard of issue 13's "money.Amount is the
// only amount type in domain structs and outputs": a decimal field in a
// struct of the domain, the services, the documents, the API, the web or
// the payment providers is an amount without its currency unless it is
// tagged money:"-", which says it is not an amount (a quantity, a rate, a
// percentage).
func TestAmountsAreMoney(t *testing.T) {
	t.Parallel()
	seen := 0
	pkgs := amountPackages(t)
	for _, want := range []string{"billing", "ledger", "receivables", "service/collections", "api/invoicing", "web"} {
		if !slices.Contains(pkgs, want) {
			t.Fatalf("the guard does not read %s (it reads %v)", want, pkgs)
		}
	}
	for _, pkg := range pkgs {
		files, err := filepath.Glob(filepath.Join(pkg, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range files {
			if strings.HasSuffix(p, "_test.go") {
				continue
			}
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			seen++
			bare, err := bareDecimalFields(string(b))
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			for _, f := range bare {
				t.Errorf("%s: %s is a bare decimal: make it a money.Amount (or money.UnitPrice), or tag it money:\"-\" if it is not an amount", p, f)
			}
		}
	}
	if seen < 100 {
		t.Fatalf("read only %d files: the guard reads the wrong tree", seen)
	}
}

// TestBareDecimalFieldsDetector: the guard finds a bare decimal in every
// shape a field takes and lets tagged ones and other types pass.
func TestBareDecimalFieldsDetector(t *testing.T) {
	t.Parallel()
	got, err := bareDecimalFields("package x\n" +
		"type A struct { Total decimal.Decimal `json:\"total\"`; Rate decimal.Decimal `json:\"rate\" money:\"-\"`; Price *decimal.Decimal; Parts []decimal.Decimal; N int; M money.Amount }\n" +
		"func f() { var g struct{ base, tax decimal.Decimal }; _ = g }\n")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"A.Total", "A.Price", "A.Parts", "f.base", "f.tax"}
	if len(got) != len(want) {
		t.Fatalf("bareDecimalFields = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] && !(strings.HasSuffix(want[i], ".base") || strings.HasSuffix(want[i], ".tax")) {
			t.Fatalf("bareDecimalFields = %v, want %v", got, want)
		}
	}
}
