// Command adaptgen writes store/enginesql/postgres.go: the methods that run
// each query sqlc generated for PostgreSQL (store/pgsql) behind the types
// sqlc generated for SQLite (store/sqlitesql), converting arguments and
// rows, which are the same field for field. go generate ./store runs it
// after sqlc; a query whose arguments or columns differ between the engines
// then fails to compile.
package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// tablesThatDiffer are the rows whose columns differ between the engines,
// and why (the schema-parity test allows the same differences).
var tablesThatDiffer = map[string]string{
	"Invoice":        "SQLite also stores total_key, the exact sortable key of its text total (migration 00019)",
	"InvoicesSearch": "SQLite's full-text index of the invoice search (migration 00003); PostgreSQL searches with trigrams",
}

func main() {
	if err := run("sqlitesql", "enginesql/postgres.go"); err != nil {
		log.Fatal(err)
	}
}

// method is one generated query: its name, parameters and results, as
// written in the SQLite package.
type method struct {
	name    string
	params  []*ast.Field
	results []*ast.Field
}

func run(dir, out string) error {
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return err
	}
	types := map[string]bool{} // the struct types the package declares
	// nested are the fields of the struct types that hold another of the
	// package's structs (a row of sqlc.embed): converted field by field.
	nested := map[string][]*ast.Field{}
	var models []string // those of models.go: one per table
	var methods []method
	for _, f := range files {
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			return err
		}
		for _, decl := range file.Decls {
			switch d := decl.(type) {
			case *ast.GenDecl:
				for _, s := range d.Specs {
					if ts, ok := s.(*ast.TypeSpec); ok {
						if st, ok := ts.Type.(*ast.StructType); ok {
							types[ts.Name.Name] = true
							nested[ts.Name.Name] = st.Fields.List
							if filepath.Base(f) == "models.go" {
								models = append(models, ts.Name.Name)
							}
						}
					}
				}
			case *ast.FuncDecl:
				if d.Recv == nil || len(d.Recv.List) != 1 || !d.Name.IsExported() || d.Name.Name == "WithTx" {
					continue
				}
				if star, ok := d.Recv.List[0].Type.(*ast.StarExpr); !ok || star.X.(*ast.Ident).Name != "Queries" {
					continue
				}
				methods = append(methods, method{name: d.Name.Name, params: d.Type.Params.List, results: d.Type.Results.List})
			}
		}
	}
	sort.Slice(methods, func(i, j int) bool { return methods[i].name < methods[j].name })

	// conv converts expr, of PostgreSQL's type name, to SQLite's.
	conv := func(expr, name string) string {
		var fields []string
		embeds := false
		for _, f := range nested[name] {
			id, ok := f.Type.(*ast.Ident)
			for _, n := range f.Names {
				if ok && types[id.Name] {
					embeds = true
					fields = append(fields, fmt.Sprintf("%s: sqlitesql.%s(%s.%s)", n.Name, id.Name, expr, n.Name))
				} else {
					fields = append(fields, fmt.Sprintf("%s: %s.%s", n.Name, expr, n.Name))
				}
			}
		}
		if !embeds {
			return "sqlitesql." + name + "(" + expr + ")"
		}
		return "sqlitesql." + name + "{" + strings.Join(fields, ", ") + "}"
	}

	typeOf := func(e ast.Expr, pkg string) string {
		var b bytes.Buffer
		if err := format.Node(&b, fset, e); err != nil {
			panic(err)
		}
		s := b.String()
		name := strings.TrimPrefix(s, "[]")
		if types[name] {
			return strings.TrimSuffix(s, name) + pkg + "." + name
		}
		return s
	}
	var b bytes.Buffer
	for _, m := range methods {
		var params, args []string
		for _, p := range m.params {
			for _, n := range p.Names {
				params = append(params, n.Name+" "+typeOf(p.Type, "sqlitesql"))
				arg := n.Name
				if t := typeOf(p.Type, "pgsql"); strings.HasPrefix(t, "pgsql.") {
					arg = t + "(" + n.Name + ")"
				}
				args = append(args, arg)
			}
		}
		var results []string
		for _, r := range m.results {
			results = append(results, typeOf(r.Type, "sqlitesql"))
		}
		fmt.Fprintf(&b, "\nfunc (p postgres) %s(%s) (%s) {\n", m.name, strings.Join(params, ", "), strings.Join(results, ", "))
		call := fmt.Sprintf("p.q.%s(%s)", m.name, strings.Join(args, ", "))
		first := results[0]
		switch {
		case len(results) == 1 || !strings.Contains(first, "sqlitesql."):
			fmt.Fprintf(&b, "\treturn %s\n", call)
		case strings.HasPrefix(first, "[]"):
			elem := strings.TrimPrefix(first, "[]sqlitesql.")
			fmt.Fprintf(&b, "\trows, err := %s\n\tif rows == nil {\n\t\treturn nil, err\n\t}\n", call)
			fmt.Fprintf(&b, "\tout := make(%s, len(rows))\n\tfor i, r := range rows {\n\t\tout[i] = %s\n\t}\n\treturn out, err\n", first, conv("r", elem))
		default:
			fmt.Fprintf(&b, "\tr, err := %s\n\treturn %s, err\n", call, conv("r", strings.TrimPrefix(first, "sqlitesql.")))
		}
		b.WriteString("}\n")
	}
	// Every table's row converts, so the engines' columns have the same Go
	// types even where no query reads them yet.
	sort.Strings(models)
	b.WriteString("\n// The rows of every table are the same on both engines, but for the\n// columns tablesThatDiffer names.\nvar (\n")
	for _, m := range models {
		if why, ok := tablesThatDiffer[m]; ok {
			fmt.Fprintf(&b, "\t// %s: %s\n", m, why)
			continue
		}
		fmt.Fprintf(&b, "\t_ = sqlitesql.%s(pgsql.%s{})\n", m, m)
	}
	b.WriteString(")\n")
	body := b.String()
	var head bytes.Buffer
	head.WriteString("// Code generated by store/enginesql/adaptgen. DO NOT EDIT.\n\npackage enginesql\n\nimport (\n\t\"context\"\n")
	for _, imp := range []struct{ use, path string }{{"sql.", "database/sql"}, {"time.", "time"}, {"dbtx.", "github.com/facturo/facturo/store/dbtx"}} {
		if regexp.MustCompile(`(^|[^\w.])` + regexp.QuoteMeta(imp.use)).MatchString(body) {
			fmt.Fprintf(&head, "\t%q\n", imp.path)
		}
	}
	head.WriteString("\n\t\"github.com/facturo/facturo/store/pgsql\"\n\t\"github.com/facturo/facturo/store/sqlitesql\"\n)\n\n")
	head.WriteString("// postgres runs the queries on PostgreSQL behind SQLite's types.\ntype postgres struct{ q *pgsql.Queries }\n\nvar _ sqlitesql.Querier = postgres{}\n")
	src, err := format.Source(append(head.Bytes(), body...))
	if err != nil {
		return fmt.Errorf("format: %w\n%s%s", err, head.Bytes(), body)
	}
	return os.WriteFile(out, src, 0o644)
}
