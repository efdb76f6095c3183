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
	"slices"
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

// structFields lists the field names of each struct type the Go files of
// dir declare.
func structFields(dir string) (map[string][]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, f := range files {
		file, err := parser.ParseFile(token.NewFileSet(), f, nil, 0)
		if err != nil {
			return nil, err
		}
		ast.Inspect(file, func(n ast.Node) bool {
			if ts, ok := n.(*ast.TypeSpec); ok {
				if st, ok := ts.Type.(*ast.StructType); ok {
					var names []string
					for _, fl := range st.Fields.List {
						for _, nm := range fl.Names {
							names = append(names, nm.Name)
						}
					}
					out[ts.Name.Name] = names
				}
			}
			return true
		})
	}
	return out, nil
}

func run(dir, out string) error {
	// PostgreSQL's structs: where one lacks a column SQLite's has (see
	// tablesThatDiffer), values are converted field by field.
	pgFields, err := structFields("pgsql")
	if err != nil {
		return err
	}
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return err
	}
	types := map[string]bool{} // the struct types the package declares
	// nested are the fields of each struct type the package declares (a
	// row of sqlc.embed holds another of them: converted field by field).
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
				if d.Recv == nil || len(d.Recv.List) != 1 || !d.Name.IsExported() || d.Name.Name == "WithTx" || d.Name.Name == "Close" {
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

	// conv converts expr, of the type name in package from, to the type of
	// that name in package to ("pgsql" or "sqlitesql"): a conversion when
	// the two structs hold the same fields, else field by field (the
	// target's fields; a field holding another of the package's structs is
	// converted in turn).
	var conv func(expr, name, from, to string) string
	conv = func(expr, name, from, to string) string {
		pg := pgFields[name]
		var fields []string
		byField := false
		n := 0
		for _, f := range nested[name] {
			id, ok := f.Type.(*ast.Ident)
			for _, fn := range f.Names {
				if !slices.Contains(pg, fn.Name) {
					byField = true // SQLite's own column: not read from, nor written to, PostgreSQL
					continue
				}
				n++
				if ok && types[id.Name] {
					byField = true
					fields = append(fields, fmt.Sprintf("%s: %s", fn.Name, conv(expr+"."+fn.Name, id.Name, from, to)))
				} else {
					fields = append(fields, fmt.Sprintf("%s: %s.%s", fn.Name, expr, fn.Name))
				}
			}
		}
		if n != len(pg) {
			panic(fmt.Sprintf("pgsql.%s has a field sqlitesql.%s lacks: a column only PostgreSQL has", name, name))
		}
		if !byField {
			return to + "." + name + "(" + expr + ")"
		}
		return to + "." + name + "{" + strings.Join(fields, ", ") + "}"
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
					arg = conv(n.Name, strings.TrimPrefix(t, "pgsql."), "sqlitesql", "pgsql")
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
			fmt.Fprintf(&b, "\tout := make(%s, len(rows))\n\tfor i, r := range rows {\n\t\tout[i] = %s\n\t}\n\treturn out, err\n", first, conv("r", elem, "pgsql", "sqlitesql"))
		default:
			fmt.Fprintf(&b, "\tr, err := %s\n\treturn %s, err\n", call, conv("r", strings.TrimPrefix(first, "sqlitesql."), "pgsql", "sqlitesql"))
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
