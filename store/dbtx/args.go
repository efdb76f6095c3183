package dbtx

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/calendar"
)

// DateArg stores a civil date as "2026-01-31", NULL when unset.
func DateArg(d calendar.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.String()
}

// ScanDate reads a date stored as text (SQLite) or date (PostgreSQL) into d.
func ScanDate(d *calendar.Date) sql.Scanner { return dateScan{d} }

// ScanNDec reads an optional decimal into d (nil for NULL).
func ScanNDec(d **decimal.Decimal) sql.Scanner { return ndecScan{d} }

type dateScan struct{ d *calendar.Date }

func (s dateScan) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*s.d = calendar.Date{}
	case time.Time:
		*s.d = calendar.Of(v.UTC())
	case string:
		return s.parse(v)
	case []byte:
		return s.parse(string(v))
	default:
		return fmt.Errorf("scan date: unexpected %T", src)
	}
	return nil
}

func (s dateScan) parse(v string) error {
	if len(v) > 10 {
		v = v[:10]
	}
	d, err := calendar.Parse(v)
	if err != nil {
		return err
	}
	*s.d = d
	return nil
}

type ndecScan struct{ d **decimal.Decimal }

func (s ndecScan) Scan(src any) error {
	if src == nil {
		*s.d = nil
		return nil
	}
	var d decimal.Decimal
	if err := (decScan{&d}).Scan(src); err != nil {
		return err
	}
	*s.d = &d
	return nil
}

// NDecArg renders an optional decimal argument as exact text, NULL when unset.
func NDecArg(d *decimal.Decimal) any {
	if d == nil {
		return nil
	}
	return d.String()
}

// JSONArg renders v as a JSON text argument.
func JSONArg(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("marshal: %w", err)
	}
	return string(b), nil
}

// Placeholders returns n '?' placeholders separated by commas.
func Placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// NonNil returns s, or an empty slice for nil (stored as [] rather than null).
func NonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// NonNilMap returns m, or an empty map for nil (stored as {} rather than null).
func NonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// LikeEscape escapes LIKE wildcards in user text.
func LikeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
