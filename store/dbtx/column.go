package dbtx

import (
	"database/sql/driver"
	"time"

	"github.com/facturo/facturo/service"
)

// Time is a timestamp column of either engine in the generated queries
// (package sqlitesql, pgsql): it writes the fixed-width UTC text that
// SQLite orders as time (PostgreSQL parses it into its timestamptz), and
// reads either engine's form. The zero Time is NULL, both ways.
type Time struct{ time.Time }

// TimeOf is t as a column value.
func TimeOf(t time.Time) Time { return Time{t} }

// NTimeOf is an optional t as a column value, NULL when nil.
func NTimeOf(t *time.Time) Time {
	if t == nil {
		return Time{}
	}
	return Time{*t}
}

// Ptr is the optional time the column holds, nil for NULL.
func (t Time) Ptr() *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// Value writes the time as fixed-width UTC text, NULL when zero.
func (t Time) Value() (driver.Value, error) {
	if t.IsZero() {
		return nil, nil
	}
	return t.UTC().Format(service.TimeLayout), nil
}

// Scan reads a timestamp of either engine; NULL is the zero Time.
func (t *Time) Scan(src any) error {
	if src == nil {
		*t = Time{}
		return nil
	}
	return tsScan{&t.Time}.Scan(src)
}
