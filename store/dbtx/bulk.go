package dbtx

import (
	"bytes"
	"context"
	"database/sql/driver"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// pgColumnTypes caches each table's column types (the schema is the
// migrations', the same in every database).
var pgColumnTypes sync.Map // table → map[column]type

func (t *Tx) pgTypes(ctx context.Context, table string) (map[string]string, error) {
	if v, ok := pgColumnTypes.Load(table); ok {
		return v.(map[string]string), nil
	}
	rows, err := t.Query(ctx, `SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
		WHERE a.attrelid = to_regclass(?) AND a.attnum > 0 AND NOT a.attisdropped`, table)
	if err != nil {
		return nil, fmt.Errorf("column types of %s: %w", table, err)
	}
	defer rows.Close()
	types := map[string]string{}
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, err
		}
		types[name] = typ
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	pgColumnTypes.Store(table, types)
	return types, nil
}

// BulkInsert inserts rows (each one value per column of cols, in order).
// On PostgreSQL it binds one text array per column and unnests them: one
// small statement whatever the row count, planned in microseconds. On
// SQLite it runs multi-row INSERTs.
func (t *Tx) BulkInsert(ctx context.Context, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	if t.D.Engine != Postgres {
		per := max(1, 30000/len(cols))
		row := "(" + Placeholders(len(cols)) + ")"
		for start := 0; start < len(rows); start += per {
			batch := rows[start:min(start+per, len(rows))]
			args := make([]any, 0, len(batch)*len(cols))
			for _, r := range batch {
				args = append(args, r...)
			}
			q := `INSERT INTO ` + table + ` (` + strings.Join(cols, ", ") + `) VALUES ` + strings.TrimSuffix(strings.Repeat(row+",", len(batch)), ",")
			if _, err := t.Exec(ctx, q, args...); err != nil {
				return err
			}
		}
		return nil
	}
	types, err := t.pgTypes(ctx, table)
	if err != nil {
		return err
	}
	if t.Copy != nil && len(rows) >= copyRows {
		return t.copyIn(ctx, table, types, cols, rows)
	}
	const per = 10000
	for start := 0; start < len(rows); start += per {
		batch := rows[start:min(start+per, len(rows))]
		arrays := make([]any, len(cols))
		sel := make([]string, len(cols))
		params := make([]string, len(cols))
		for c, name := range cols {
			typ, ok := types[name]
			if !ok {
				return fmt.Errorf("bulk insert: no column %s in %s", name, table)
			}
			vals := make([]*string, len(batch))
			for i, r := range batch {
				vals[i], err = pgText(r[c])
				if err != nil {
					return fmt.Errorf("bulk insert %s.%s: %w", table, name, err)
				}
			}
			arrays[c] = vals
			params[c] = "?::text[]"
			sel[c] = "u.c" + strconv.Itoa(c) + "::" + typ
		}
		alias := make([]string, len(cols))
		for c := range cols {
			alias[c] = "c" + strconv.Itoa(c)
		}
		q := `INSERT INTO ` + table + ` (` + strings.Join(cols, ", ") + `) SELECT ` + strings.Join(sel, ", ") +
			` FROM unnest(` + strings.Join(params, ", ") + `) AS u(` + strings.Join(alias, ", ") + `)`
		if _, err := t.Exec(ctx, q, arrays...); err != nil {
			return err
		}
	}
	return nil
}

// copyRows is the fewest rows BulkInsert writes with COPY on PostgreSQL:
// below it, one INSERT over unnest costs less than starting a COPY.
const copyRows = 64

// copyIn writes rows with COPY … FROM STDIN in text format: the fastest
// path PostgreSQL has, inside the transaction (Tx.Copy).
func (t *Tx) copyIn(ctx context.Context, table string, types map[string]string, cols []string, rows [][]any) error {
	for _, name := range cols {
		if _, ok := types[name]; !ok {
			return fmt.Errorf("bulk insert: no column %s in %s", name, table)
		}
	}
	var buf bytes.Buffer
	for _, r := range rows {
		for c, v := range r {
			if c > 0 {
				buf.WriteByte('\t')
			}
			s, err := pgText(v)
			if err != nil {
				return fmt.Errorf("bulk insert %s.%s: %w", table, cols[c], err)
			}
			if s == nil {
				buf.WriteString(`\N`)
				continue
			}
			copyEscape(&buf, *s)
		}
		buf.WriteByte('\n')
	}
	return t.Copy(ctx, `COPY `+table+` (`+strings.Join(cols, ", ")+`) FROM STDIN`, &buf)
}

// copyEscape writes s as one field of COPY's text format.
func copyEscape(buf *bytes.Buffer, s string) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			buf.WriteString(`\\`)
		case '\n':
			buf.WriteString(`\n`)
		case '\r':
			buf.WriteString(`\r`)
		case '\t':
			buf.WriteString(`\t`)
		default:
			buf.WriteByte(c)
		}
	}
}

// BulkInsertRows inserts rows of a type sqlc generated (the parameters of
// a table's insert) with BulkInsert, a column per db tag: no column list
// written by hand. A column the engine's table does not have (SQLite's own
// total_key, on PostgreSQL) is left out.
func BulkInsertRows[T any](ctx context.Context, t *Tx, table string, rows []T) error {
	if len(rows) == 0 {
		return nil
	}
	fields := map[string][]int{}
	if err := columnFields(reflect.TypeFor[T](), nil, fields); err != nil {
		return err
	}
	var have map[string]string
	if t.D.Engine == Postgres {
		var err error
		if have, err = t.pgTypes(ctx, table); err != nil {
			return err
		}
	}
	type column struct {
		name string
		path []int
	}
	var cols []column
	for name, path := range fields {
		if _, ok := have[name]; have == nil || ok {
			cols = append(cols, column{name, path})
		}
	}
	slices.SortFunc(cols, func(a, b column) int { return slices.Compare(a.path, b.path) })
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.name
	}
	values := make([][]any, len(rows))
	for i := range rows {
		v := reflect.ValueOf(&rows[i]).Elem()
		row := make([]any, len(cols))
		for j, c := range cols {
			row[j] = v.FieldByIndex(c.path).Interface()
		}
		values[i] = row
	}
	return t.BulkInsert(ctx, table, names, values)
}

// pgText is a value's PostgreSQL text input, or nil for NULL.
func pgText(v any) (*string, error) {
	if vr, ok := v.(driver.Valuer); ok { // the generated rows' dbtx.Time, sql.NullString
		dv, err := vr.Value()
		if err != nil {
			return nil, err
		}
		return pgText(dv)
	}
	var s string
	switch v := v.(type) {
	case nil:
		return nil, nil
	case string:
		s = v
	case *string:
		return v, nil
	case []byte:
		s = string(v)
	case int:
		s = strconv.Itoa(v)
	case int64:
		s = strconv.FormatInt(v, 10)
	case bool:
		s = strconv.FormatBool(v)
	case time.Time:
		s = v.UTC().Format(time.RFC3339Nano)
	case *time.Time:
		if v == nil {
			return nil, nil
		}
		s = v.UTC().Format(time.RFC3339Nano)
	case fmt.Stringer:
		s = v.String()
	default:
		return nil, fmt.Errorf("unsupported value %T", v)
	}
	return &s, nil
}
