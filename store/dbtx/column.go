package dbtx

import (
	"database/sql"
	"database/sql/driver"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/calendar"
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

// Parse reads the decimals and dates the generated rows hold as text (on
// PostgreSQL a date reads as "2026-01-31T00:00:00Z", on SQLite as
// "2026-01-31"), keeping the first error in Err, so mapping a row to the
// domain checks once.
type Parse struct{ Err error }

// Dec is the exact decimal s holds.
func (p *Parse) Dec(s string) decimal.Decimal {
	var d decimal.Decimal
	p.keep(decScan{&d}.parse(s))
	return d
}

// NDec is the optional decimal s holds, nil for NULL.
func (p *Parse) NDec(s sql.NullString) *decimal.Decimal {
	if !s.Valid {
		return nil
	}
	d := p.Dec(s.String)
	return &d
}

// Date is the date s holds; "" is the zero date.
func (p *Parse) Date(s string) calendar.Date {
	var d calendar.Date
	if s != "" {
		p.keep(dateScan{&d}.parse(s))
	}
	return d
}

// NDate is the optional date s holds, the zero date for NULL.
func (p *Parse) NDate(s sql.NullString) calendar.Date { return p.Date(s.String) }

func (p *Parse) keep(err error) {
	if p.Err == nil {
		p.Err = err
	}
}

// DateText is a date as a generated query's argument: "2026-01-31".
func DateText(d calendar.Date) string { return d.String() }

// NDateText is an optional date as a generated query's argument, NULL when zero.
func NDateText(d calendar.Date) sql.NullString {
	if d.IsZero() {
		return sql.NullString{}
	}
	return sql.NullString{String: d.String(), Valid: true}
}

// NText is an optional text as a generated query's argument, NULL when "".
func NText(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// NDecText is an optional decimal as a generated query's argument, NULL when nil.
func NDecText(d *decimal.Decimal) sql.NullString {
	if d == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: d.String(), Valid: true}
}
