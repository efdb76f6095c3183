package store_test

// The schema-parity test: the two migration folders (store/migrations/sqlite
// and store/migrations/postgres) are mirrored by hand, so this test migrates
// a fresh database on each engine, reads back what the migrations built and
// compares tables, columns (type family and nullability), primary keys,
// unique constraints, indexes and foreign keys. Any difference fails the
// test unless engineDifferences explains it.

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/store"
)

// typeFamilies maps every declared column type the migrations use, on either
// engine, to the family both engines must agree on. SQLite keeps timestamps
// (RFC 3339), dates (YYYY-MM-DD), decimal amounts and JSON as text, and
// booleans as 0/1 integers (see dbtx.Dialect), so those PostgreSQL types
// meet SQLite's text and integer. PostgreSQL types are information_schema's
// data_type; SQLite types are the declared type in lower case.
var typeFamilies = map[string]string{
	"text":                     "text",
	"character varying":        "text",
	"timestamp with time zone": "text",
	"date":                     "text",
	"numeric":                  "text",
	"jsonb":                    "text",
	"integer":                  "integer",
	"bigint":                   "integer",
	"smallint":                 "integer",
	"boolean":                  "integer",
	"blob":                     "bytes",
	"bytea":                    "bytes",
}

// engineDifferences lists the deliberate differences between the engines'
// schemas, by the subject diffSchemas names them with, each with its reason.
// The test also fails on an entry that no longer matches a difference.
var engineDifferences = map[string]string{
	"table invoices_search": "SQLite's invoice search is an FTS5 trigram table kept by triggers (00003); " +
		"PostgreSQL has the GIN trigram index invoices_search_idx instead",
	"index invoices_search_idx": "PostgreSQL's GIN trigram index over invoices.search; SQLite has the FTS5 table invoices_search instead",
	"column invoices.total_key": "SQLite stores the exact sortable key of its text total (dbtx.DecKey, written by Go, 00019) " +
		"for the amount sort; PostgreSQL's numeric total sorts exactly as it is",
	"index invoices_provider_amount_idx": "SQLite sorts amounts by the stored key total_key (00019, dec_key(total) before); " +
		"PostgreSQL's numeric total sorts exactly as it is",
	"index invoices_amount_sort_idx": "total_key on SQLite as for invoices_provider_amount_idx; " +
		"and SQLite adds status as the last column for ListInvoices' probe (00014), PostgreSQL's planner uses statistics",
	"index invoices_number_sort_idx":   "SQLite only adds status as the last column, for ListInvoices' probe (00014)",
	"index invoices_customer_sort_idx": "SQLite only adds status as the last column, for ListInvoices' probe (00014)",
	"index invoices_provider_sort_idx": "SQLite only adds status as the last column, for ListInvoices' probe (00014)",
	"index invoices_period_sort_idx":   "SQLite only adds status as the last column, for ListInvoices' probe (00014)",
	"index invoices_created_idx":       "SQLite only adds status as the last column, for ListInvoices' probe (00014)",
}

// bookkeepingTable tells the tables that belong to the engine or to goose,
// not to Facturo.
func bookkeepingTable(name string) bool {
	return strings.HasPrefix(name, "sqlite_") || name == "goose_db_version"
}

// schemaDesc describes one engine's migrated schema in terms both engines share.
type schemaDesc struct {
	engine  string
	tables  map[string]*tableDesc
	indexes map[string]indexDesc // by index name; not those behind a primary key or unique constraint
}

type tableDesc struct {
	columns     map[string]columnDesc
	primaryKey  []string
	uniques     map[string]bool   // column lists ("a, b") of the unique constraints
	foreignKeys map[string]string // column list → "referenced (columns) on delete action"
}

type columnDesc struct {
	typ     string // as declared (SQLite) or information_schema's data_type (PostgreSQL)
	notNull bool
}

type indexDesc struct {
	table   string
	columns []string // column names, or normalized expressions
	unique  bool
	partial bool
}

// takeJobTables removes River's tables (river_*) and their indexes from s
// and returns their names, sorted. River keeps one migration line per
// engine (jsonb and enums on PostgreSQL, blobs on SQLite) and tests their
// parity itself; Facturo's parity is about its own tables.
func (s *schemaDesc) takeJobTables() []string {
	var names []string
	for name := range s.tables {
		if strings.HasPrefix(name, "river_") {
			names = append(names, name)
			delete(s.tables, name)
		}
	}
	for name, ix := range s.indexes {
		if strings.HasPrefix(ix.table, "river_") {
			delete(s.indexes, name)
		}
	}
	slices.Sort(names)
	return names
}

func (s *schemaDesc) table(name string) *tableDesc {
	if s.tables == nil {
		s.tables = map[string]*tableDesc{}
	}
	t := s.tables[name]
	if t == nil {
		t = &tableDesc{columns: map[string]columnDesc{}, uniques: map[string]bool{}, foreignKeys: map[string]string{}}
		s.tables[name] = t
	}
	return t
}

func (s *schemaDesc) index(name string, ix indexDesc) {
	if s.indexes == nil {
		s.indexes = map[string]indexDesc{}
	}
	s.indexes[name] = ix
}

// clone copies s deeply, so a test can drift the copy.
func (s schemaDesc) clone() schemaDesc {
	c := schemaDesc{engine: s.engine, indexes: map[string]indexDesc{}}
	for name, t := range s.tables {
		ct := c.table(name)
		maps.Copy(ct.columns, t.columns)
		ct.primaryKey = slices.Clone(t.primaryKey)
		maps.Copy(ct.uniques, t.uniques)
		maps.Copy(ct.foreignKeys, t.foreignKeys)
	}
	for name, ix := range s.indexes {
		ix.columns = slices.Clone(ix.columns)
		c.indexes[name] = ix
	}
	return c
}

// schemaDiff is one difference: its subject ("column invoices.total",
// "index customers_name_idx") and what differs, with both engines' values.
type schemaDiff struct{ subject, detail string }

func (d schemaDiff) String() string { return d.subject + ": " + d.detail }

func family(typ string) string {
	if f, ok := typeFamilies[typ]; ok {
		return f
	}
	return "unmapped"
}

func list(cols []string) string { return "(" + strings.Join(cols, ", ") + ")" }

// diffSchemas compares a and b, sorted by subject.
func diffSchemas(a, b schemaDesc) []schemaDiff {
	var out []schemaDiff
	add := func(subject, format string, args ...any) {
		out = append(out, schemaDiff{subject, fmt.Sprintf(format, args...)})
	}
	// only reports the keys of a set present on one engine.
	only := func(what string, ka, kb map[string]bool) {
		for k := range ka {
			if !kb[k] {
				add(what+" "+k, "only on %s", a.engine)
			}
		}
		for k := range kb {
			if !ka[k] {
				add(what+" "+k, "only on %s", b.engine)
			}
		}
	}
	keys := func(m map[string]*tableDesc) map[string]bool {
		out := map[string]bool{}
		for k := range m {
			out[k] = true
		}
		return out
	}
	only("table", keys(a.tables), keys(b.tables))
	for name, ta := range a.tables {
		tb, ok := b.tables[name]
		if !ok {
			continue
		}
		for col, ca := range ta.columns {
			subject := "column " + name + "." + col
			cb, ok := tb.columns[col]
			if !ok {
				add(subject, "only on %s (%s)", a.engine, ca.typ)
				continue
			}
			fa, fb := family(ca.typ), family(cb.typ)
			if fa == "unmapped" {
				add(subject, "%s type %q has no family in typeFamilies", a.engine, ca.typ)
			}
			if fb == "unmapped" {
				add(subject, "%s type %q has no family in typeFamilies", b.engine, cb.typ)
			}
			if fa != fb && fa != "unmapped" && fb != "unmapped" {
				add(subject, "type %s %s (%s), %s %s (%s)", a.engine, ca.typ, fa, b.engine, cb.typ, fb)
			}
			if ca.notNull != cb.notNull {
				add(subject, "nullability %s %s, %s %s", a.engine, nullability(ca.notNull), b.engine, nullability(cb.notNull))
			}
		}
		for col, cb := range tb.columns {
			if _, ok := ta.columns[col]; !ok {
				add("column "+name+"."+col, "only on %s (%s)", b.engine, cb.typ)
			}
		}
		if !slices.Equal(ta.primaryKey, tb.primaryKey) {
			add("primary key "+name, "%s %s, %s %s", a.engine, list(ta.primaryKey), b.engine, list(tb.primaryKey))
		}
		uniques := func(t *tableDesc) map[string]bool {
			out := map[string]bool{}
			for k := range t.uniques {
				out[name+" ("+k+")"] = true
			}
			return out
		}
		only("unique", uniques(ta), uniques(tb))
		for cols, ra := range ta.foreignKeys {
			subject := "foreign key " + name + " (" + cols + ")"
			rb, ok := tb.foreignKeys[cols]
			switch {
			case !ok:
				add(subject, "only on %s (references %s)", a.engine, ra)
			case ra != rb:
				add(subject, "%s references %s, %s references %s", a.engine, ra, b.engine, rb)
			}
		}
		for cols, rb := range tb.foreignKeys {
			if _, ok := ta.foreignKeys[cols]; !ok {
				add("foreign key "+name+" ("+cols+")", "only on %s (references %s)", b.engine, rb)
			}
		}
	}
	for name, ia := range a.indexes {
		subject := "index " + name
		ib, ok := b.indexes[name]
		if !ok {
			add(subject, "only on %s (%s %s)", a.engine, ia.table, list(ia.columns))
			continue
		}
		if ia.table != ib.table || !slices.Equal(ia.columns, ib.columns) {
			add(subject, "columns %s %s %s, %s %s %s", a.engine, ia.table, list(ia.columns), b.engine, ib.table, list(ib.columns))
		}
		if ia.unique != ib.unique {
			add(subject, "unique %s %t, %s %t", a.engine, ia.unique, b.engine, ib.unique)
		}
		if ia.partial != ib.partial {
			add(subject, "partial (has WHERE) %s %t, %s %t", a.engine, ia.partial, b.engine, ib.partial)
		}
	}
	for name, ib := range b.indexes {
		if _, ok := a.indexes[name]; !ok {
			add("index "+name, "only on %s (%s %s)", b.engine, ib.table, list(ib.columns))
		}
	}
	slices.SortFunc(out, func(x, y schemaDiff) int { return strings.Compare(x.String(), y.String()) })
	return out
}

func nullability(notNull bool) string {
	if notNull {
		return "NOT NULL"
	}
	return "NULL"
}

// unexplained returns the differences engineDifferences does not explain,
// and the entries of engineDifferences that explain nothing.
func unexplained(diffs []schemaDiff, allowed map[string]string) (left []schemaDiff, stale []string) {
	used := map[string]bool{}
	for _, d := range diffs {
		if _, ok := allowed[d.subject]; ok {
			used[d.subject] = true
			continue
		}
		left = append(left, d)
	}
	for subject := range allowed {
		if !used[subject] {
			stale = append(stale, subject)
		}
	}
	slices.Sort(stale)
	return left, stale
}

// castSuffix matches PostgreSQL's casts in index expressions ('0001-01-01'::date).
var castSuffix = regexp.MustCompile(`::(timestamp with time zone|character varying|double precision|[a-z_][a-z0-9_]*)`)

// normalizeExpr puts an index expression of either engine in one form:
// lower case, without PostgreSQL's casts, spaces or outer parentheses.
func normalizeExpr(e string) string {
	e = castSuffix.ReplaceAllString(strings.ToLower(e), "")
	e = strings.Join(strings.Fields(e), "")
	for len(e) > 1 && e[0] == '(' && e[len(e)-1] == ')' && balanced(e[1:len(e)-1]) {
		e = e[1 : len(e)-1]
	}
	return e
}

func balanced(s string) bool {
	depth := 0
	for _, r := range s {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
			if depth < 0 {
				return false
			}
		}
	}
	return depth == 0
}

// indexTerms splits the column list of a CREATE INDEX statement into its
// terms (columns or expressions), at top-level commas.
func indexTerms(createSQL string) ([]string, error) {
	on := strings.Index(strings.ToUpper(createSQL), " ON ")
	if on < 0 {
		return nil, fmt.Errorf("no ON in %q", createSQL)
	}
	open := strings.IndexByte(createSQL[on:], '(')
	if open < 0 {
		return nil, fmt.Errorf("no column list in %q", createSQL)
	}
	var terms []string
	depth, start := 0, on+open+1
	var quote rune
	for i, r := range createSQL[start:] {
		i += on + open + 1
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == '(':
			depth++
		case r == ',' && depth == 0:
			terms = append(terms, strings.TrimSpace(createSQL[start:i]))
			start = i + 1
		case r == ')' && depth == 0:
			return append(terms, strings.TrimSpace(createSQL[start:i])), nil
		case r == ')':
			depth--
		}
	}
	return nil, fmt.Errorf("unbalanced column list in %q", createSQL)
}

// queryRows runs q and calls scan for each row.
func queryRows(t *testing.T, db *sql.DB, scan func(*sql.Rows) error, q string, args ...any) {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// readSQLiteSchema reads the schema through SQLite's pragmas. Shadow tables
// (those an FTS5 table keeps its index in) belong to their virtual table.
func readSQLiteSchema(t *testing.T, db *sql.DB) schemaDesc {
	t.Helper()
	s := schemaDesc{engine: "sqlite"}
	var tables []string
	queryRows(t, db, func(r *sql.Rows) error {
		var name string
		if err := r.Scan(&name); err != nil {
			return err
		}
		if !bookkeepingTable(name) {
			tables = append(tables, name)
		}
		return nil
	}, `SELECT name FROM pragma_table_list WHERE schema = 'main' AND type IN ('table', 'virtual')`)
	for _, name := range tables {
		td := s.table(name)
		var pk []struct {
			pos  int
			name string
		}
		queryRows(t, db, func(r *sql.Rows) error {
			var col, typ string
			var notNull, pkPos int
			if err := r.Scan(&col, &typ, &notNull, &pkPos); err != nil {
				return err
			}
			// A primary-key column is NOT NULL on PostgreSQL whether
			// declared so or not; SQLite only reports it for WITHOUT
			// ROWID tables and INTEGER PRIMARY KEY.
			td.columns[col] = columnDesc{typ: strings.ToLower(typ), notNull: notNull == 1 || pkPos > 0}
			if pkPos > 0 {
				pk = append(pk, struct {
					pos  int
					name string
				}{pkPos, col})
			}
			return nil
		}, `SELECT name, type, "notnull", pk FROM pragma_table_info(?)`, name)
		slices.SortFunc(pk, func(x, y struct {
			pos  int
			name string
		}) int {
			return x.pos - y.pos
		})
		for _, c := range pk {
			td.primaryKey = append(td.primaryKey, c.name)
		}

		type fkCol struct{ from, refTable, to, onDelete string }
		fks := map[int][]fkCol{}
		queryRows(t, db, func(r *sql.Rows) error {
			var id, seq int
			var from, refTable, onDelete string
			var to sql.NullString
			if err := r.Scan(&id, &seq, &refTable, &from, &to, &onDelete); err != nil {
				return err
			}
			fks[id] = append(fks[id], fkCol{from, refTable, to.String, strings.ToLower(onDelete)})
			return nil
		}, `SELECT id, seq, "table", "from", "to", on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq`, name)
		for _, cols := range fks {
			var from, to []string
			for _, c := range cols {
				from, to = append(from, c.from), append(to, c.to)
			}
			if to[0] == "" { // REFERENCES t without columns: t's primary key
				to = nil
				queryRows(t, db, func(r *sql.Rows) error {
					var col string
					err := r.Scan(&col)
					to = append(to, col)
					return err
				}, `SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk`, cols[0].refTable)
			}
			td.foreignKeys[strings.Join(from, ", ")] = fmt.Sprintf("%s %s on delete %s", cols[0].refTable, list(to), cols[0].onDelete)
		}

		type idx struct {
			name, origin  string
			unique, parts bool
		}
		var idxs []idx
		queryRows(t, db, func(r *sql.Rows) error {
			var i idx
			if err := r.Scan(&i.name, &i.unique, &i.origin, &i.parts); err != nil {
				return err
			}
			idxs = append(idxs, i)
			return nil
		}, `SELECT name, "unique", origin, partial FROM pragma_index_list(?)`, name)
		for _, i := range idxs {
			if i.origin == "pk" {
				continue
			}
			var cols []string
			var exprAt []int
			queryRows(t, db, func(r *sql.Rows) error {
				var cid int
				var col sql.NullString
				if err := r.Scan(&cid, &col); err != nil {
					return err
				}
				if cid == -2 {
					exprAt = append(exprAt, len(cols))
				}
				cols = append(cols, col.String)
				return nil
			}, `SELECT cid, name FROM pragma_index_xinfo(?) WHERE key ORDER BY seqno`, i.name)
			if len(exprAt) > 0 {
				var createSQL string
				if err := db.QueryRow(`SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?`, i.name).Scan(&createSQL); err != nil {
					t.Fatalf("index %s: %v", i.name, err)
				}
				terms, err := indexTerms(createSQL)
				if err != nil || len(terms) != len(cols) {
					t.Fatalf("index %s: terms %q (%v) for %d columns", i.name, terms, err, len(cols))
				}
				for _, k := range exprAt {
					cols[k] = normalizeExpr(terms[k])
				}
			}
			if i.origin == "u" {
				td.uniques[strings.Join(cols, ", ")] = true
				continue
			}
			s.index(i.name, indexDesc{table: name, columns: cols, unique: i.unique, partial: i.parts})
		}
	}
	return s
}

// readPostgresSchema reads the current schema (the test's own, by
// search_path) from information_schema and pg_catalog.
func readPostgresSchema(t *testing.T, db *sql.DB) schemaDesc {
	t.Helper()
	s := schemaDesc{engine: "postgres"}
	queryRows(t, db, func(r *sql.Rows) error {
		var name string
		if err := r.Scan(&name); err != nil {
			return err
		}
		if !bookkeepingTable(name) {
			s.table(name)
		}
		return nil
	}, `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)
	queryRows(t, db, func(r *sql.Rows) error {
		var table, col, typ, nullable string
		if err := r.Scan(&table, &col, &typ, &nullable); err != nil {
			return err
		}
		if td, ok := s.tables[table]; ok {
			td.columns[col] = columnDesc{typ: typ, notNull: nullable == "NO"}
		}
		return nil
	}, `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = current_schema()`)

	onDelete := map[string]string{"a": "no action", "r": "restrict", "c": "cascade", "n": "set null", "d": "set default"}
	queryRows(t, db, func(r *sql.Rows) error {
		var table, kind, cols, refTable, refCols, del string
		if err := r.Scan(&table, &kind, &cols, &refTable, &refCols, &del); err != nil {
			return err
		}
		td, ok := s.tables[table]
		if !ok {
			return nil
		}
		switch kind {
		case "p":
			td.primaryKey = strings.Split(cols, ", ")
		case "u":
			td.uniques[cols] = true
		case "f":
			td.foreignKeys[cols] = fmt.Sprintf("%s (%s) on delete %s", refTable, refCols, onDelete[del])
		}
		return nil
	}, `SELECT t.relname, c.contype,
		(SELECT string_agg(a.attname, ', ' ORDER BY k.ord) FROM unnest(c.conkey) WITH ORDINALITY k (attnum, ord)
			JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum),
		COALESCE(rt.relname, ''),
		COALESCE((SELECT string_agg(a.attname, ', ' ORDER BY k.ord) FROM unnest(c.confkey) WITH ORDINALITY k (attnum, ord)
			JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum), ''),
		c.confdeltype
	FROM pg_constraint c
	JOIN pg_class t ON t.oid = c.conrelid
	LEFT JOIN pg_class rt ON rt.oid = c.confrelid
	WHERE t.relnamespace = current_schema()::regnamespace AND c.contype IN ('p', 'u', 'f')`)

	queryRows(t, db, func(r *sql.Rows) error {
		var name, table, terms string
		var exprs []bool
		var ix indexDesc
		var exprMask string
		if err := r.Scan(&name, &table, &ix.unique, &ix.partial, &terms, &exprMask); err != nil {
			return err
		}
		ix.table = table
		ix.columns = strings.Split(terms, "\x1f")
		for _, c := range exprMask {
			exprs = append(exprs, c == '1')
		}
		for k := range ix.columns {
			if k < len(exprs) && exprs[k] {
				ix.columns[k] = normalizeExpr(ix.columns[k])
			}
		}
		s.index(name, ix)
		return nil
	}, `SELECT i.relname, t.relname, x.indisunique, x.indpred IS NOT NULL,
		array_to_string(ARRAY(SELECT CASE WHEN x.indkey[k - 1] = 0 THEN pg_get_indexdef(x.indexrelid, k, true)
			ELSE (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = x.indrelid AND a.attnum = x.indkey[k - 1]) END
			FROM generate_series(1, x.indnkeyatts) k ORDER BY k), chr(31)),
		array_to_string(ARRAY(SELECT CASE WHEN x.indkey[k - 1] = 0 THEN '1' ELSE '0' END FROM generate_series(1, x.indnkeyatts) k ORDER BY k), '')
	FROM pg_index x
	JOIN pg_class i ON i.oid = x.indexrelid
	JOIN pg_class t ON t.oid = x.indrelid
	WHERE t.relnamespace = current_schema()::regnamespace
		AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid AND c.contype IN ('p', 'u', 'x'))`)
	return s
}

// TestSchemaParity migrates a fresh database on each engine and fails on any
// difference between their schemas that engineDifferences does not explain.
func TestSchemaParity(t *testing.T) {
	t.Parallel()
	pg := testdb.Open(t, store.Postgres) // skips without PostgreSQL, fails under CI
	lite := testdb.Open(t, store.SQLite)
	a, b := readSQLiteSchema(t, lite.SQL()), readPostgresSchema(t, pg.SQL())
	jobsA, jobsB := a.takeJobTables(), b.takeJobTables()
	if len(jobsA) < 3 || !slices.Equal(jobsA, jobsB) {
		t.Errorf("River's job tables: sqlite %v, postgres %v, want the same (river_job, river_leader, river_queue…)", jobsA, jobsB)
	}
	if len(a.tables) < 10 || len(b.tables) < 10 {
		t.Fatalf("read %d tables on sqlite and %d on postgres: the schemas were not found", len(a.tables), len(b.tables))
	}
	diffs := diffSchemas(a, b)
	t.Logf("compared %d tables and %d indexes; differences explained by engineDifferences:", len(a.tables), len(a.indexes))
	for _, d := range diffs {
		if reason, ok := engineDifferences[d.subject]; ok {
			t.Logf("  %s (%s)", d, reason)
		}
	}
	left, stale := unexplained(diffs, engineDifferences)
	for _, d := range left {
		t.Errorf("schema drift: %s", d)
	}
	for _, subject := range stale {
		t.Errorf("engineDifferences explains %q, which no longer differs: remove the entry", subject)
	}

	// A column drifted on one engine is reported, naming both engines' types.
	drifted := b.clone()
	drifted.tables["invoices"].columns["total"] = columnDesc{typ: "integer", notNull: true}
	left, _ = unexplained(diffSchemas(a, drifted), engineDifferences)
	want := schemaDiff{"column invoices.total", "type sqlite text (text), postgres integer (integer)"}
	if !slices.Contains(left, want) || len(left) != len(unexplainedOnly(diffs))+1 {
		t.Errorf("drifting invoices.total on postgres reported %v, want %v added", left, want)
	}
}

// unexplainedOnly returns the differences engineDifferences leaves.
func unexplainedOnly(diffs []schemaDiff) []schemaDiff {
	left, _ := unexplained(diffs, engineDifferences)
	return left
}

// TestSchemaDiffReportsDrift checks the comparison itself on small schemas:
// each kind of drift is reported once, naming the subject and both values.
func TestSchemaDiffReportsDrift(t *testing.T) {
	t.Parallel()
	base := func(engine string) schemaDesc {
		s := schemaDesc{engine: engine}
		inv := s.table("invoices")
		inv.columns["tenant_id"] = columnDesc{"text", true}
		inv.columns["id"] = columnDesc{"text", true}
		inv.columns["customer_id"] = columnDesc{"text", true}
		inv.columns["total"] = columnDesc{"text", true}
		inv.columns["due_date"] = columnDesc{"text", false}
		inv.primaryKey = []string{"tenant_id", "id"}
		inv.uniques["tenant_id, customer_id"] = true
		inv.foreignKeys["tenant_id, customer_id"] = "customers (tenant_id, id) on delete no action"
		s.index("invoices_due_idx", indexDesc{table: "invoices", columns: []string{"tenant_id", "coalesce(due_date,'0001-01-01')"}})
		s.table("customers").columns["id"] = columnDesc{"text", true}
		return s
	}
	// The PostgreSQL side spells the same schema in its own types.
	pgBase := func() schemaDesc {
		s := base("postgres")
		inv := s.tables["invoices"]
		inv.columns["total"] = columnDesc{"numeric", true}
		inv.columns["due_date"] = columnDesc{"date", false}
		return s
	}
	if d := diffSchemas(base("sqlite"), pgBase()); len(d) != 0 {
		t.Fatalf("equal schemas differ: %v", d)
	}
	for _, tc := range []struct {
		name  string
		drift func(*schemaDesc)
		want  schemaDiff
	}{
		{"column type", func(s *schemaDesc) { s.tables["invoices"].columns["total"] = columnDesc{"bigint", true} },
			schemaDiff{"column invoices.total", "type sqlite text (text), postgres bigint (integer)"}},
		{"unmapped type", func(s *schemaDesc) { s.tables["invoices"].columns["total"] = columnDesc{"money", true} },
			schemaDiff{"column invoices.total", `postgres type "money" has no family in typeFamilies`}},
		{"nullability", func(s *schemaDesc) { s.tables["invoices"].columns["due_date"] = columnDesc{"date", true} },
			schemaDiff{"column invoices.due_date", "nullability sqlite NULL, postgres NOT NULL"}},
		{"missing column", func(s *schemaDesc) { delete(s.tables["invoices"].columns, "due_date") },
			schemaDiff{"column invoices.due_date", "only on sqlite (text)"}},
		{"missing table", func(s *schemaDesc) { delete(s.tables, "customers") },
			schemaDiff{"table customers", "only on sqlite"}},
		{"missing index", func(s *schemaDesc) { delete(s.indexes, "invoices_due_idx") },
			schemaDiff{"index invoices_due_idx", "only on sqlite (invoices (tenant_id, coalesce(due_date,'0001-01-01')))"}},
		{"index columns", func(s *schemaDesc) {
			s.indexes["invoices_due_idx"] = indexDesc{table: "invoices", columns: []string{"tenant_id", "due_date"}}
		},
			schemaDiff{"index invoices_due_idx", "columns sqlite invoices (tenant_id, coalesce(due_date,'0001-01-01')), postgres invoices (tenant_id, due_date)"}},
		{"index uniqueness", func(s *schemaDesc) {
			ix := s.indexes["invoices_due_idx"]
			ix.unique = true
			s.indexes["invoices_due_idx"] = ix
		}, schemaDiff{"index invoices_due_idx", "unique sqlite false, postgres true"}},
		{"partial index", func(s *schemaDesc) {
			ix := s.indexes["invoices_due_idx"]
			ix.partial = true
			s.indexes["invoices_due_idx"] = ix
		}, schemaDiff{"index invoices_due_idx", "partial (has WHERE) sqlite false, postgres true"}},
		{"primary key", func(s *schemaDesc) { s.tables["invoices"].primaryKey = []string{"id"} },
			schemaDiff{"primary key invoices", "sqlite (tenant_id, id), postgres (id)"}},
		{"unique constraint", func(s *schemaDesc) { clear(s.tables["invoices"].uniques) },
			schemaDiff{"unique invoices (tenant_id, customer_id)", "only on sqlite"}},
		{"foreign key target", func(s *schemaDesc) {
			s.tables["invoices"].foreignKeys["tenant_id, customer_id"] = "customers (tenant_id, id) on delete cascade"
		}, schemaDiff{"foreign key invoices (tenant_id, customer_id)",
			"sqlite references customers (tenant_id, id) on delete no action, postgres references customers (tenant_id, id) on delete cascade"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			pg := pgBase().clone()
			tc.drift(&pg)
			got := diffSchemas(base("sqlite"), pg)
			if len(got) != 1 || got[0] != tc.want {
				t.Errorf("got %v\nwant [%v]", got, tc.want)
			}
			left, _ := unexplained(got, map[string]string{tc.want.subject: "explained"})
			if len(left) != 0 {
				t.Errorf("an allow-list entry for %q left %v", tc.want.subject, left)
			}
		})
	}
	// The allow-list reports an entry that explains nothing.
	if _, stale := unexplained(nil, map[string]string{"index gone_idx": "reason"}); !slices.Equal(stale, []string{"index gone_idx"}) {
		t.Errorf("stale entries %v, want [index gone_idx]", stale)
	}
}

func TestSchemaIndexTerms(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		sql  string
		want []string
	}{
		{`CREATE INDEX a ON t (x, y)`, []string{"x", "y"}},
		{"CREATE INDEX invoices_date_idx ON invoices (tenant_id, COALESCE(invoice_date, '0001-01-01'), id)",
			[]string{"tenant_id", "COALESCE(invoice_date, '0001-01-01')", "id"}},
		{"CREATE UNIQUE INDEX p ON payment_methods (tenant_id, customer_id) WHERE is_primary = 1", []string{"tenant_id", "customer_id"}},
		{`CREATE INDEX q ON t (f(a, ','), "b,c")`, []string{"f(a, ',')", `"b,c"`}},
	} {
		got, err := indexTerms(tc.sql)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("indexTerms(%q) = %q, %v; want %q", tc.sql, got, err, tc.want)
		}
	}
	for in, want := range map[string]string{
		"COALESCE(invoice_date, '0001-01-01'::date)": "coalesce(invoice_date,'0001-01-01')",
		"(COALESCE(number, ''::text))":               "coalesce(number,'')",
		"(a) + (b)":                                  "(a)+(b)",
	} {
		if got := normalizeExpr(in); got != want {
			t.Errorf("normalizeExpr(%q) = %q, want %q", in, got, want)
		}
	}
}
