package money

import (
	"encoding/json"

	"github.com/bojanz/currency"
	"github.com/shopspring/decimal"
)

// The one plain-text format of amounts. Every output that writes an amount
// as a plain number (API JSON, CSV, UBL, webhooks, ledger reports, email
// and document data) writes it with Fixed, or with Price for a unit price;
// the localized documents format the same rounded amount with Format or
// FormatNumber. Nothing else rounds or pads an amount for output.

// Fixed writes d, an amount in the currency with ISO 4217 code, as a plain
// decimal rounded half away from zero to the currency's minor unit with
// exactly its digits: EUR "67.20", JPY "834", BHD "1.005". An unknown or
// empty code writes d as it is.
func Fixed(d decimal.Decimal, code string) string { return In(d, code).Fixed() }

// Fixed writes a as the package's Fixed does: rounded half away from zero
// to its currency's minor unit with exactly its digits; an amount of the
// zero Currency as it is.
func (a Amount) Fixed() string {
	if a.currency.IsZero() {
		return a.value.String()
	}
	return a.Round().StringFixed()
}

// Price writes a unit price in the currency with ISO 4217 code as a plain
// decimal with at least the currency's digits and more where the price has
// them: EUR 11.7 → "11.70", 0.0125 → "0.0125", JPY 1200 → "1200". An
// unknown or empty code writes d as it is.
func Price(d decimal.Decimal, code string) string {
	c, err := ParseCurrency(code)
	if err != nil {
		return d.String()
	}
	return New(d, c).String()
}

// MarshalJSON writes a as Fixed does, as a JSON string rounded half away
// from zero to its currency's minor unit with exactly its digits: EUR
// "67.20", JPY "834", BHD "1.005". The currency is not written: the object
// that holds amounts names it once, in its "currency" member.
func (a Amount) MarshalJSON() ([]byte, error) { return json.Marshal(a.Fixed()) }

// In returns d as an amount in the currency with ISO 4217 code, unrounded;
// an unknown or empty code gives the zero Currency, whose amounts are
// written as they are (as Fixed writes them). It pairs the decimals and
// currency codes the store reads into an Amount.
func In(d decimal.Decimal, code string) Amount {
	c, _ := ParseCurrency(code)
	return New(d, c)
}

// UnmarshalJSON reads a JSON string (or number) holding a plain decimal
// (ParseDecimal) into an amount of the zero Currency: the JSON of an amount
// does not carry its currency, which the object holding it names. Pair it
// with that currency (New(a.Decimal(), c)) before computing with it; an
// operation that mixes it with an amount in a currency fails with
// ErrCurrencyMismatch.
func (a *Amount) UnmarshalJSON(b []byte) error {
	var s string
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	} else {
		s = string(b)
	}
	d, err := ParseDecimal(s)
	if err != nil {
		return err
	}
	*a = New(d, Currency{})
	return nil
}

// UnitPrice is a price per unit: an Amount that may carry more digits than
// its currency's minor unit (0.0125 EUR per message), written with at
// least the currency's digits and the further ones it has, as Price writes
// it ("11.70", "0.0125"). Amounts computed from it are rounded (Round).
type UnitPrice struct{ Amount }

// PriceIn returns d as a unit price in the currency with ISO 4217 code
// (In's rules for an unknown code).
func PriceIn(d decimal.Decimal, code string) UnitPrice { return UnitPrice{In(d, code)} }

// MarshalJSON writes p as Price does, as a JSON string.
func (p UnitPrice) MarshalJSON() ([]byte, error) {
	if p.currency.IsZero() {
		return json.Marshal(p.value.String())
	}
	return json.Marshal(p.String())
}

// UnmarshalJSON reads p as Amount.UnmarshalJSON does (zero Currency).
func (p *UnitPrice) UnmarshalJSON(b []byte) error { return p.Amount.UnmarshalJSON(b) }

// Format renders p for people as Amount.Format does, in the reader's
// locale, but unrounded: with at least its currency's digits and the
// further non-zero ones it has (as Price writes it), "en" → "€20.60",
// "es" → "0,0125 €", "pt-BR" → "R$ 1.200,50". The zero Currency is
// rendered as a number without a symbol.
func (p UnitPrice) Format(locale string) string {
	if p.currency.IsZero() {
		return p.FormatNumber(locale)
	}
	return formatPlain(p.String(), p.value.NumDigits(), p.currency, locale, currency.DisplaySymbol)
}

// FormatNumber is Format without the currency symbol ("20.60" in "en",
// "0,0125" in "es"), for tables and form values.
func (p UnitPrice) FormatNumber(locale string) string {
	return formatPlain(p.String(), p.value.NumDigits(), p.currency, locale, currency.DisplayNone)
}
