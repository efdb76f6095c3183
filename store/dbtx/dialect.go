// Package dbtx is the querying base the store's area packages share: the
// engine dialect (placeholder rebinding, timestamps, exact decimals, row
// locks), the transaction handle they query through, the WHERE builder that
// keeps every condition inside the tenant predicate, and the scanning and
// argument helpers of both engines.
package dbtx

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/service"
)

// Engine names a database engine.
type Engine string

// The engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// Dialect holds the few things that differ between the engines.
type Dialect struct{ Engine Engine }

var rebound sync.Map // query with ? → query with $n

// Rebind rewrites '?' placeholders to $1, $2 … for PostgreSQL. Queries
// never contain a literal '?' in a string.
func (d Dialect) Rebind(query string) string {
	if d.Engine != Postgres {
		return query
	}
	if v, ok := rebound.Load(query); ok {
		return v.(string)
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	out := b.String()
	rebound.Store(query, out)
	return out
}

// TS renders a timestamp argument: fixed-width UTC text on SQLite so text
// order is time order; a time.Time on PostgreSQL.
func (d Dialect) TS(t time.Time) any {
	if d.Engine == Postgres {
		return t.UTC()
	}
	return t.UTC().Format(service.TimeLayout)
}

// NTS is TS for an optional timestamp.
func (d Dialect) NTS(t *time.Time) any {
	if t == nil {
		return nil
	}
	return d.TS(*t)
}

// Dec renders a decimal column so it scans exactly into text on both engines.
func (d Dialect) Dec(col string) string {
	if d.Engine == Postgres {
		return col + "::text"
	}
	return col
}

// ForUpdate is the row-lock suffix (SQLite has one writer, so no locks).
func (d Dialect) ForUpdate() string {
	if d.Engine == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// ForUpdateOf is ForUpdate for a query that joins other tables: it locks
// only the rows of the table aliased alias.
func (d Dialect) ForUpdateOf(alias string) string {
	if d.Engine == Postgres {
		return " FOR UPDATE OF " + alias
	}
	return ""
}

// SkipLocked is the suffix that lets concurrent claimants on PostgreSQL pass
// over rows another transaction is claiming (SQLite has one writer).
func (d Dialect) SkipLocked() string {
	if d.Engine == Postgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// MapErr maps an engine's error to Facturo's (today: unchanged).
func (d Dialect) MapErr(err error) error { return err }

// Nullable stores "" as NULL (optional foreign keys).
func Nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// ScanTS scans a timestamp stored by either engine into t.
func ScanTS(t *time.Time) sql.Scanner { return tsScan{t} }

// ScanNTS scans an optional timestamp into t (nil for NULL).
func ScanNTS(t **time.Time) sql.Scanner { return ntsScan{t} }

// ScanDec scans a decimal stored as text (SQLite) or numeric::text
// (PostgreSQL) into d.
func ScanDec(d *decimal.Decimal) sql.Scanner { return decScan{d} }

// ScanText scans an optional text column into s, "" for NULL.
func ScanText(s *string) sql.Scanner { return strScan{s} }

type tsScan struct{ t *time.Time }

func (s tsScan) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		*s.t = v.UTC()
		return nil
	case string:
		return parseTS(v, s.t)
	case []byte:
		return parseTS(string(v), s.t)
	}
	return fmt.Errorf("scan timestamp: unexpected %T", src)
}

func parseTS(v string, t *time.Time) error {
	p, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return fmt.Errorf("scan timestamp %q: %w", v, err)
	}
	*t = p.UTC()
	return nil
}

type ntsScan struct{ t **time.Time }

func (s ntsScan) Scan(src any) error {
	if src == nil {
		*s.t = nil
		return nil
	}
	var t time.Time
	if err := (tsScan{&t}).Scan(src); err != nil {
		return err
	}
	*s.t = &t
	return nil
}

type decScan struct{ d *decimal.Decimal }

func (s decScan) Scan(src any) error {
	switch v := src.(type) {
	case string:
		return s.parse(v)
	case []byte:
		return s.parse(string(v))
	case int64:
		*s.d = decimal.NewFromInt(v)
		return nil
	case nil:
		*s.d = decimal.Zero
		return nil
	}
	return fmt.Errorf("scan decimal: unexpected %T", src)
}

func (s decScan) parse(v string) error {
	d, err := decimal.NewFromString(v)
	if err != nil {
		return fmt.Errorf("scan decimal %q: %w", v, err)
	}
	*s.d = d
	return nil
}

type strScan struct{ s *string }

func (s strScan) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*s.s = ""
	case string:
		*s.s = v
	case []byte:
		*s.s = string(v)
	default:
		return fmt.Errorf("scan text: unexpected %T", src)
	}
	return nil
}

// DecArg renders a decimal argument as exact text.
func DecArg(d decimal.Decimal) driver.Value { return d.String() }

// ErrNoRows tells whether err means no row.
func ErrNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
