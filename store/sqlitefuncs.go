package store

import (
	"database/sql/driver"
	"fmt"

	"github.com/shopspring/decimal"
	"modernc.org/sqlite"
)

// SQLite has no exact decimal type: amounts are stored as text. dec_sum is
// an exact aggregate over them (PostgreSQL sums its NUMERIC columns itself),
// so ledger balances are exact on both engines.
func init() {
	sqlite.MustRegisterFunction("dec_sum", &sqlite.FunctionImpl{
		NArgs:         1,
		Deterministic: true,
		MakeAggregate: func(sqlite.FunctionContext) (sqlite.AggregateFunction, error) { return &decSum{}, nil },
	})
	// dec_add and dec_sub keep running totals exact (the ledger summaries'
	// triggers, migration 00012).
	sqlite.MustRegisterDeterministicScalarFunction("dec_add", 2, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		return decOp(args, decimal.Decimal.Add)
	})
	sqlite.MustRegisterDeterministicScalarFunction("dec_sub", 2, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		return decOp(args, decimal.Decimal.Sub)
	})
	// dec_neg negates exactly ("-col" on a text column would pass through a float).
	sqlite.MustRegisterDeterministicScalarFunction("dec_neg", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		d, err := decOf(args[0])
		if err != nil {
			return nil, err
		}
		return d.Neg().String(), nil
	})
}

func decOp(args []driver.Value, op func(decimal.Decimal, decimal.Decimal) decimal.Decimal) (driver.Value, error) {
	a, err := decOf(args[0])
	if err != nil {
		return nil, err
	}
	b, err := decOf(args[1])
	if err != nil {
		return nil, err
	}
	return op(a, b).String(), nil
}

type decSum struct{ sum decimal.Decimal }

func (s *decSum) Step(_ *sqlite.FunctionContext, args []driver.Value) error {
	d, err := decOf(args[0])
	if err != nil {
		return err
	}
	s.sum = s.sum.Add(d)
	return nil
}

func (s *decSum) WindowInverse(_ *sqlite.FunctionContext, args []driver.Value) error {
	d, err := decOf(args[0])
	if err != nil {
		return err
	}
	s.sum = s.sum.Sub(d)
	return nil
}

func (s *decSum) WindowValue(*sqlite.FunctionContext) (driver.Value, error) {
	return s.sum.String(), nil
}

func (s *decSum) Final(*sqlite.FunctionContext) {}

func decOf(v driver.Value) (decimal.Decimal, error) {
	switch x := v.(type) {
	case nil:
		return decimal.Zero, nil
	case string:
		return decimal.NewFromString(x)
	case []byte:
		return decimal.NewFromString(string(x))
	case int64:
		return decimal.NewFromInt(x), nil
	}
	return decimal.Zero, fmt.Errorf("dec_sum: unexpected %T", v)
}

// sum is the exact SUM of a decimal column, as text.
func (d dialect) sum(col string) string {
	if d.engine == Postgres {
		return "COALESCE(SUM(" + col + "), 0)::text"
	}
	return "dec_sum(" + col + ")"
}

// add is the exact sum of two decimal expressions.
func (d dialect) add(a, b string) string {
	if d.engine == Postgres {
		return a + " + " + b
	}
	return "dec_add(" + a + ", " + b + ")"
}

// neg is the exact negation of a decimal expression.
func (d dialect) neg(expr string) string {
	if d.engine == Postgres {
		return "-(" + expr + ")"
	}
	return "dec_neg(" + expr + ")"
}

// num casts a decimal column for ordering and range comparison.
func (d dialect) num(col string) string {
	if d.engine == Postgres {
		return col
	}
	return "CAST(" + col + " AS REAL)"
}
