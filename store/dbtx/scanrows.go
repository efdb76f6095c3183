package dbtx

import (
	"database/sql"
	"fmt"
	"reflect"
)

// ScanRows reads every row of a query the WHERE builder made into a T, a
// row type sqlc generated (sqlitesql, pgsql), by the names of the result's
// columns and T's db tags: a list with filters, sort and cursor built at
// run time scans into the same rows as the generated queries, with no
// column list written by hand. A field holding another generated row (a
// row of sqlc.embed, such as a customer beside its tenant's currency)
// takes the columns of its own fields. A column T has no field for, or
// named twice, is an error.
func ScanRows[T any](rows *sql.Rows) ([]T, error) {
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	typ := reflect.TypeFor[T]()
	fields := map[string][]int{}
	if err := columnFields(typ, nil, fields); err != nil {
		return nil, err
	}
	paths := make([][]int, len(cols))
	for i, c := range cols {
		if paths[i] = fields[c]; paths[i] == nil {
			return nil, fmt.Errorf("scan %s: no field for column %q", typ.Name(), c)
		}
	}
	var out []T
	dest := make([]any, len(cols))
	for rows.Next() {
		var row T
		v := reflect.ValueOf(&row).Elem()
		for i, p := range paths {
			dest[i] = v.FieldByIndex(p).Addr().Interface()
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("scan %s: %w", typ.Name(), err)
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

var scannerType = reflect.TypeFor[sql.Scanner]()

// columnFields maps the db tag of each field of typ (under the index path
// at) to its path, descending into fields that hold a generated row.
func columnFields(typ reflect.Type, at []int, fields map[string][]int) error {
	for i := range typ.NumField() {
		f := typ.Field(i)
		path := append(append([]int{}, at...), i)
		if f.Type.Kind() == reflect.Struct && !reflect.PointerTo(f.Type).Implements(scannerType) {
			if err := columnFields(f.Type, path, fields); err != nil {
				return err
			}
			continue
		}
		tag := f.Tag.Get("db")
		if tag == "" {
			continue
		}
		if _, dup := fields[tag]; dup {
			return fmt.Errorf("scan %s: column %q names two fields", typ.Name(), tag)
		}
		fields[tag] = path
	}
	return nil
}

// Map is the domain values of generated rows, each made by fn; the first
// error stops it.
func Map[R, T any](rows []R, fn func(R) (T, error)) ([]T, error) {
	out := make([]T, 0, len(rows))
	for _, r := range rows {
		v, err := fn(r)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}
