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
// column list written by hand. A column T has no field for is an error.
func ScanRows[T any](rows *sql.Rows) ([]T, error) {
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	typ := reflect.TypeFor[T]()
	fields := make([]int, len(cols))
	for i, c := range cols {
		fields[i] = -1
		for j := range typ.NumField() {
			if typ.Field(j).Tag.Get("db") == c {
				fields[i] = j
				break
			}
		}
		if fields[i] < 0 {
			return nil, fmt.Errorf("scan %s: no field for column %q", typ.Name(), c)
		}
	}
	var out []T
	dest := make([]any, len(cols))
	for rows.Next() {
		var row T
		v := reflect.ValueOf(&row).Elem()
		for i, f := range fields {
			dest[i] = v.Field(f).Addr().Interface()
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("scan %s: %w", typ.Name(), err)
		}
		out = append(out, row)
	}
	return out, rows.Err()
}
