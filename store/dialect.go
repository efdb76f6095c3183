package store

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

// dialect holds the few things that differ between the engines.
type dialect struct{ engine Engine }

var rebound sync.Map // query with ? → query with $n

// q rewrites '?' placeholders to $1, $2 … for PostgreSQL. Queries never
// contain a literal '?' in a string.
func (d dialect) q(query string) string {
	if d.engine != Postgres {
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

// ts renders a timestamp argument: fixed-width UTC text on SQLite so text
// order is time order; a time.Time on PostgreSQL.
func (d dialect) ts(t time.Time) any {
	if d.engine == Postgres {
		return t.UTC()
	}
	return t.UTC().Format(service.TimeLayout)
}

// nts is ts for an optional timestamp.
func (d dialect) nts(t *time.Time) any {
	if t == nil {
		return nil
	}
	return d.ts(*t)
}

// dec renders a decimal column so it scans exactly into text on both engines.
func (d dialect) dec(col string) string {
	if d.engine == Postgres {
		return col + "::text"
	}
	return col
}

// forUpdate is the row-lock suffix (SQLite has one writer, so no locks).
func (d dialect) forUpdate() string {
	if d.engine == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

func (d dialect) mapErr(err error) error { return err }

// nullable stores "" as NULL (optional foreign keys).
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// tsScan scans a timestamp stored by either engine.
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

// ntsScan scans an optional timestamp.
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

// decScan scans a decimal stored as text (SQLite) or numeric::text (PostgreSQL).
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

// strScan scans an optional text column into "" for NULL.
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

// decArg renders a decimal argument as exact text.
func decArg(d decimal.Decimal) driver.Value { return d.String() }

// errNoRows tells whether err means no row.
func errNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
