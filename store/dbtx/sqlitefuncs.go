package dbtx

import (
	"database/sql/driver"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/shopspring/decimal"
	"modernc.org/sqlite"
)

// SQLiteFunctions names every SQL function Facturo registers on SQLite
// connections (in the order registered). Only Facturo's own statements may
// call them: a stock tool (the sqlite3 shell) does not have them, so no
// trigger, index, view or CHECK of the schema may (TestSchemaCallsNoFacturoFunction).
func SQLiteFunctions() []string { return slices.Clone(sqliteFunctions) }

var sqliteFunctions []string

// registerScalar registers a deterministic scalar function and lists it in
// SQLiteFunctions.
func registerScalar(name string, nArgs int32, fn func(*sqlite.FunctionContext, []driver.Value) (driver.Value, error)) {
	sqliteFunctions = append(sqliteFunctions, name)
	sqlite.MustRegisterDeterministicScalarFunction(name, nArgs, fn)
}

// SQLite has no exact decimal type: amounts are stored as text. dec_sum is
// an exact aggregate over them (PostgreSQL sums its NUMERIC columns itself),
// so ledger balances are exact on both engines.
func init() {
	sqliteFunctions = append(sqliteFunctions, "dec_sum")
	sqlite.MustRegisterFunction("dec_sum", &sqlite.FunctionImpl{
		NArgs:         1,
		Deterministic: true,
		MakeAggregate: func(sqlite.FunctionContext) (sqlite.AggregateFunction, error) { return &decSum{}, nil },
	})
	// dec_add and dec_sub keep running totals exact (the ledger summaries,
	// upserted by Go: store/paymentsql and store/invoicesql).
	registerScalar("dec_add", 2, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		return decOp(args, decimal.Decimal.Add)
	})
	registerScalar("dec_sub", 2, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		return decOp(args, decimal.Decimal.Sub)
	})
	// dec_key is an amount's sortable exact key (DecKey): comparing keys as
	// text compares the amounts, with no float on the way (filters and
	// sorts; the invoice amount indexes read the stored invoices.total_key
	// that Go writes with DecKey, migration 00019).
	registerScalar("dec_key", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		if args[0] == nil {
			return nil, nil
		}
		d, err := decOf(args[0])
		if err != nil {
			return nil, err
		}
		return DecKey(d), nil
	})
	// dec_neg negates exactly ("-col" on a text column would pass through a float).
	registerScalar("dec_neg", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
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

// Sum is the exact SUM of a decimal column, as text.
func (d Dialect) Sum(col string) string {
	if d.Engine == Postgres {
		return "COALESCE(SUM(" + col + "), 0)::text"
	}
	return "dec_sum(" + col + ")"
}

// Add is the exact sum of two decimal expressions.
func (d Dialect) Add(a, b string) string {
	if d.Engine == Postgres {
		return a + " + " + b
	}
	return "dec_add(" + a + ", " + b + ")"
}

// Neg is the exact negation of a decimal expression.
func (d Dialect) Neg(expr string) string {
	if d.Engine == Postgres {
		return "-(" + expr + ")"
	}
	return "dec_neg(" + expr + ")"
}

// Num renders a decimal column for ordering and comparison, exactly: the
// column itself on PostgreSQL (NUMERIC), its dec_key on SQLite (text).
// Compare it only with NumArg's arguments.
func (d Dialect) Num(col string) string {
	if d.Engine == Postgres {
		return col
	}
	return "dec_key(" + col + ")"
}

// NumArg renders a decimal for comparison with Num(col): exact text on
// PostgreSQL (cast to numeric by the column or a ::numeric), its DecKey on
// SQLite.
func (d Dialect) NumArg(v decimal.Decimal) any {
	if d.Engine == Postgres {
		return v.String()
	}
	return DecKey(v)
}

// DecKey encodes an amount as text whose byte order is the amounts' order,
// exactly, for any size and precision: "1" for zero; for a positive amount
// "2", its decimal exponent (offset to be non-negative, ten digits) and its
// significant digits; for a negative one "0", the exponent's and the digits'
// nines' complements and ":" (above any digit, so that a shorter tail, a
// smaller magnitude, sorts higher). Equal amounts (1.5, 1.50) have one key.
func DecKey(v decimal.Decimal) string {
	if v.IsZero() {
		return "1"
	}
	coef := v.Coefficient()
	neg := coef.Sign() < 0
	all := new(big.Int).Abs(coef).String()
	digits := strings.TrimRight(all, "0")
	// v = ±0.digits × 10^(exp − 2^31)
	exp := int64(len(all)) + int64(v.Exponent()) + 1<<31
	if !neg {
		return "2" + fmt.Sprintf("%010d", exp) + digits
	}
	comp := []byte(digits)
	for i, c := range comp {
		comp[i] = '9' - c + '0'
	}
	return "0" + fmt.Sprintf("%010d", int64(1<<32-1)-exp) + string(comp) + ":"
}
