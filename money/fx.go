package money

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// Rate is an exchange rate: how many units of To one unit of From is worth
// (a document's or payment's "exchange_rate": accounting-currency units per
// unit of its currency). It is the one FX conversion of Facturo: every
// amount converted to another currency goes through Amount.ConvertTo.
type Rate struct {
	from, to Currency
	value    decimal.Decimal
}

// RateOf returns the rate that converts from into to as stored on a
// document or payment: value, except that the same currency, or a zero
// value (no rate stored), converts at 1. This is the rule settlement,
// invoice totals and the ledger have applied so far.
func RateOf(from, to Currency, value decimal.Decimal) Rate {
	if from == to || value.IsZero() {
		value = decimal.NewFromInt(1)
	}
	return Rate{from: from, to: to, value: value}
}

// From returns the currency the rate converts from.
func (r Rate) From() Currency { return r.from }

// To returns the currency the rate converts into.
func (r Rate) To() Currency { return r.to }

// Value returns how many units of To one unit of From is worth.
func (r Rate) Value() decimal.Decimal { return r.value }

// String returns "1 FROM = value TO".
func (r Rate) String() string {
	return fmt.Sprintf("1 %s = %s %s", codeOrNone(r.from), r.value.String(), codeOrNone(r.to))
}

// ConvertTo converts a at rate r: a × r rounded half away from zero to the
// minor unit of r.To() (EUR 10.005 at 1 → 10.01; USD 100 at 0.9153 into
// EUR → 91.53). a must be in r.From(), or the error wraps
// ErrCurrencyMismatch.
func (a Amount) ConvertTo(r Rate) (Amount, error) {
	if a.currency != r.from {
		return Amount{}, fmt.Errorf("%w: cannot convert %s at a rate from %s", ErrCurrencyMismatch, codeOrNone(a.currency), codeOrNone(r.from))
	}
	return Amount{value: r.to.Round(a.value.Mul(r.value)), currency: r.to}, nil
}

// MustConvertTo is like ConvertTo but panics on a currency mismatch. Use it
// only where the currencies are already known to match.
func (a Amount) MustConvertTo(r Rate) Amount {
	out, err := a.ConvertTo(r)
	if err != nil {
		panic(err)
	}
	return out
}
