// Package money provides exact decimal money amounts in ISO 4217 currencies.
//
// Amounts are backed by shopspring/decimal and never touch float64. Rounding
// is always half away from zero ("commercial rounding") to the currency's
// minor unit; allocation uses the largest-remainder method so that parts add
// up exactly. Human-readable formatting follows CLDR rules via
// bojanz/currency.
package money

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/bojanz/currency"
	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/fail"
)

// ErrUnknownCurrency is returned (wrapped, with the offending code) when a
// currency code is not a known upper-case ISO 4217 code.
var ErrUnknownCurrency = errors.New("unknown currency")

// ErrInvalidDecimal is returned (wrapped, with the reason) when a string is
// not a plain decimal number accepted by ParseDecimal.
var ErrInvalidDecimal = errors.New("invalid decimal")

// ErrCurrencyMismatch is returned (wrapped, with both codes) when an
// operation combines amounts in different currencies.
var ErrCurrencyMismatch = errors.New("currency mismatch")

// Limits enforced by ParseDecimal.
const (
	maxIntegerDigits  = 28
	maxFractionDigits = 12
)

// Currency is an ISO 4217 currency with its number of minor-unit digits
// (EUR 2, JPY 0, BHD 3, CLF 4, ...). The zero value means "no currency" and
// has 0 digits.
type Currency struct {
	code   string
	digits int32
}

// ParseCurrency returns the currency for an exact upper-case three-letter
// ISO 4217 code known to bojanz/currency. Anything else (lower case, unknown,
// empty) yields an error wrapping ErrUnknownCurrency whose message names the
// code given and what to use instead (`unknown currency "XYZ": use an ISO
// 4217 code such as EUR or USD`). It is the one home of that message: input
// checks put it under their field (fail.Field(field, "%v", err)).
func ParseCurrency(code string) (Currency, error) {
	// currency.IsValid reports "" as valid, so GetDigits (which does not) is
	// the authoritative check; the length check also excludes "".
	if len(code) == 3 && isUpperASCII(code) {
		if digits, ok := currency.GetDigits(code); ok {
			return Currency{code: code, digits: int32(digits)}, nil
		}
	}
	return Currency{}, unknownCurrencyError{code}
}

// unknownCurrencyError is ParseCurrency's error: it names the code given
// and says what to use.
type unknownCurrencyError struct{ code string }

func (e unknownCurrencyError) Error() string { return e.field("").Fields[0].Message }

// MessageFormat is the message before formatting (fail.Error's), so that a
// message wrapping the error is translated whole.
func (e unknownCurrencyError) MessageFormat() (string, []any) {
	f := e.field("").Fields[0]
	return f.Format, f.Args
}

// field is the error as the invalid input of field, each message with its
// own format so that pages can translate it.
func (e unknownCurrencyError) field(field string) *fail.Error {
	if up := strings.ToUpper(strings.TrimSpace(e.code)); up != e.code && len(up) == 3 && isUpperASCII(up) {
		if _, ok := currency.GetDigits(up); ok {
			return fail.Field(field, "unknown currency %q: write it %s", clip(e.code), up)
		}
	}
	return fail.Field(field, "unknown currency %q: use an ISO 4217 code such as EUR or USD", clip(e.code))
}

// CurrencyFieldError is err, an error of ParseCurrency, as the invalid
// input of field (fail.Invalid) whose message pages can translate.
func CurrencyFieldError(field string, err error) *fail.Error {
	var u unknownCurrencyError
	if errors.As(err, &u) {
		return u.field(field)
	}
	return fail.Field(field, "%v", err)
}

func (e unknownCurrencyError) Unwrap() error { return ErrUnknownCurrency }

// MustCurrency is like ParseCurrency but panics on error. Use it for tests
// and package-level constants.
func MustCurrency(code string) Currency {
	c, err := ParseCurrency(code)
	if err != nil {
		panic(err)
	}
	return c
}

// Code returns the ISO 4217 code, or "" for the zero Currency.
func (c Currency) Code() string { return c.code }

// Digits returns the number of minor-unit (fraction) digits.
func (c Currency) Digits() int32 { return c.digits }

// IsZero reports whether c is the zero Currency (no currency).
func (c Currency) IsZero() bool { return c.code == "" }

// String returns the ISO 4217 code.
func (c Currency) String() string { return c.code }

// Round rounds d half away from zero to c.Digits() fraction digits.
func (c Currency) Round(d decimal.Decimal) decimal.Decimal {
	return d.Round(c.digits)
}

// ParseDecimal parses a plain decimal string strictly: an optional leading
// '-', one or more ASCII digits, and optionally '.' followed by at least one
// digit. It rejects empty input, spaces, '+', exponents, grouping separators,
// "NaN", ".5", "5.", more than 28 integer digits (as written) and more than
// 12 fraction digits. Errors wrap ErrInvalidDecimal.
func ParseDecimal(s string) (decimal.Decimal, error) {
	d, why, arg := parseDecimal(s)
	if why != fine {
		return decimal.Decimal{}, fmt.Errorf("%w %q: %s", ErrInvalidDecimal, clip(s), why.text(arg))
	}
	return d, nil
}

// refusal is why parseDecimal refuses an input.
type refusal int

const (
	fine refusal = iota
	emptyInput
	noDigitsBeforeDot
	noDigits
	noDigitsAfterDot
	unexpectedChar  // arg: the rune
	tooManyIntegers // arg: the limit
	tooManyFraction // arg: the limit
	otherwise       // arg: the parser's message
)

// text says what is wrong, in English (ParseDecimal's error).
func (r refusal) text(arg any) string {
	switch r {
	case emptyInput:
		return "empty"
	case noDigitsBeforeDot:
		return "missing digits before '.'"
	case noDigits:
		return "missing digits"
	case noDigitsAfterDot:
		return "missing digits after '.'"
	case unexpectedChar:
		return fmt.Sprintf("unexpected character %q", arg)
	case tooManyIntegers:
		return fmt.Sprintf("more than %d integer digits", arg)
	case tooManyFraction:
		return fmt.Sprintf("more than %d fraction digits", arg)
	}
	return fmt.Sprint(arg)
}

// parseDecimal is ParseDecimal, with the reason it refuses s (fine when it
// does not) and that reason's argument.
func parseDecimal(s string) (decimal.Decimal, refusal, any) {
	if s == "" {
		return decimal.Decimal{}, emptyInput, nil
	}
	body := s
	if body[0] == '-' {
		body = body[1:]
	}
	intPart, fracPart, hasDot := strings.Cut(body, ".")
	switch {
	case intPart == "" && hasDot:
		return decimal.Decimal{}, noDigitsBeforeDot, nil
	case intPart == "":
		return decimal.Decimal{}, noDigits, nil
	case hasDot && fracPart == "":
		return decimal.Decimal{}, noDigitsAfterDot, nil
	}
	for _, part := range []string{intPart, fracPart} {
		if i := nonDigit(part); i >= 0 {
			r, _ := utf8.DecodeRuneInString(part[i:])
			return decimal.Decimal{}, unexpectedChar, r
		}
	}
	if len(intPart) > maxIntegerDigits {
		return decimal.Decimal{}, tooManyIntegers, maxIntegerDigits
	}
	if len(fracPart) > maxFractionDigits {
		return decimal.Decimal{}, tooManyFraction, maxFractionDigits
	}
	d, err := decimal.NewFromString(s)
	if err != nil { // unreachable after validation; kept as a safety net
		return decimal.Decimal{}, otherwise, err.Error()
	}
	return d, fine, nil
}

// ReadDecimal reads s, the input of field, as every decimal input is read:
// by ParseDecimal's rules, with a refusal (fail.Invalid) that names the
// field, quotes s, gives an example of the form and says what is wrong,
// e.g. `amount: "1,5" is not a decimal such as "12.50" (unexpected character ',')`.
// Each refusal has its own format, so pages can translate it whole.
func ReadDecimal(field, s, example string) (decimal.Decimal, error) {
	d, why, arg := parseDecimal(s)
	q := clip(s)
	switch why {
	case fine:
		return d, nil
	case emptyInput:
		return d, fail.Field(field, "%q is not a decimal such as %q (empty)", q, example)
	case noDigitsBeforeDot:
		return d, fail.Field(field, "%q is not a decimal such as %q (missing digits before '.')", q, example)
	case noDigits:
		return d, fail.Field(field, "%q is not a decimal such as %q (missing digits)", q, example)
	case noDigitsAfterDot:
		return d, fail.Field(field, "%q is not a decimal such as %q (missing digits after '.')", q, example)
	case unexpectedChar:
		return d, fail.Field(field, "%q is not a decimal such as %q (unexpected character %q)", q, example, arg)
	case tooManyIntegers:
		return d, fail.Field(field, "%q is not a decimal such as %q (more than %d integer digits)", q, example, arg)
	case tooManyFraction:
		return d, fail.Field(field, "%q is not a decimal such as %q (more than %d fraction digits)", q, example, arg)
	}
	return d, fail.Field(field, "%q is not a decimal such as %q (%s)", q, example, arg)
}

// CollectDecimal reads the optional decimal input s of field in a form of
// several fields: "" is zero, and a refusal (ReadDecimal's) is added to c.
func CollectDecimal(c *fail.Collector, field, s, example string) decimal.Decimal {
	if s == "" {
		return decimal.Zero
	}
	d, err := ReadDecimal(field, s, example)
	c.Merge("", err)
	return d
}

// Amount is an exact decimal amount in a currency. It may carry more fraction
// digits than the currency's minor unit (unit prices do); Round brings it to
// the minor unit. The zero value is zero in the zero Currency.
type Amount struct {
	value    decimal.Decimal
	currency Currency
}

// New returns the amount value in currency c, unrounded.
func New(value decimal.Decimal, c Currency) Amount {
	return Amount{value: value, currency: c}
}

// Zero returns a zero amount in currency c.
func Zero(c Currency) Amount {
	return Amount{value: decimal.New(0, -c.digits), currency: c}
}

// Parse parses value with ParseDecimal and currencyCode with ParseCurrency.
func Parse(value, currencyCode string) (Amount, error) {
	c, err := ParseCurrency(currencyCode)
	if err != nil {
		return Amount{}, err
	}
	d, err := ParseDecimal(value)
	if err != nil {
		return Amount{}, err
	}
	return New(d, c), nil
}

// Currency returns the amount's currency.
func (a Amount) Currency() Currency { return a.currency }

// Decimal returns the exact (possibly unrounded) value.
func (a Amount) Decimal() decimal.Decimal { return a.value }

// Round rounds half away from zero to the currency's minor unit
// (EUR 1.005 → 1.01, -1.005 → -1.01, JPY 2.5 → 3, BHD 1.0005 → 1.001).
func (a Amount) Round() Amount {
	return Amount{value: a.value.Round(a.currency.digits), currency: a.currency}
}

// IsRounded reports whether a has no non-zero digits beyond the minor unit.
func (a Amount) IsRounded() bool {
	return a.value.Equal(a.value.Truncate(a.currency.digits))
}

// Add returns a+b, or an error wrapping ErrCurrencyMismatch.
func (a Amount) Add(b Amount) (Amount, error) {
	if err := a.sameCurrency(b); err != nil {
		return Amount{}, err
	}
	return Amount{value: a.value.Add(b.value), currency: a.currency}, nil
}

// Sub returns a-b, or an error wrapping ErrCurrencyMismatch.
func (a Amount) Sub(b Amount) (Amount, error) {
	if err := a.sameCurrency(b); err != nil {
		return Amount{}, err
	}
	return Amount{value: a.value.Sub(b.value), currency: a.currency}, nil
}

// MustAdd is like Add but panics on a currency mismatch. Use it only where
// the currencies are already known to match.
func (a Amount) MustAdd(b Amount) Amount {
	r, err := a.Add(b)
	if err != nil {
		panic(err)
	}
	return r
}

// MustSub is like Sub but panics on a currency mismatch.
func (a Amount) MustSub(b Amount) Amount {
	r, err := a.Sub(b)
	if err != nil {
		panic(err)
	}
	return r
}

// Mul returns a*d exactly, without rounding.
func (a Amount) Mul(d decimal.Decimal) Amount {
	return Amount{value: a.value.Mul(d), currency: a.currency}
}

// Neg returns -a.
func (a Amount) Neg() Amount {
	return Amount{value: a.value.Neg(), currency: a.currency}
}

// Abs returns |a|.
func (a Amount) Abs() Amount {
	return Amount{value: a.value.Abs(), currency: a.currency}
}

// Sign returns -1, 0 or +1 according to the sign of a.
func (a Amount) Sign() int { return a.value.Sign() }

// IsZero reports whether a is numerically zero.
func (a Amount) IsZero() bool { return a.value.IsZero() }

// Cmp compares a and b numerically, returning -1, 0 or +1, or an error
// wrapping ErrCurrencyMismatch.
func (a Amount) Cmp(b Amount) (int, error) {
	if err := a.sameCurrency(b); err != nil {
		return 0, err
	}
	return a.value.Cmp(b.value), nil
}

// Equal reports whether a and b have the same currency and are numerically
// equal (1.5 equals 1.50).
func (a Amount) Equal(b Amount) bool {
	return a.currency == b.currency && a.value.Equal(b.value)
}

// String returns a plain decimal with at least the currency's minor-unit
// digits, extra fraction digits only where they are non-zero, no grouping
// and never exponent notation: "820.78", "-0.50", JPY "1000", BHD "1.005",
// EUR 1.23450 → "1.2345". It does not include the currency code and does not
// depend on shopspring/decimal's global string settings.
func (a Amount) String() string {
	digits := a.currency.digits
	places := max(digits, -a.value.Exponent())
	s := a.value.StringFixed(places) // exact: places >= -exponent
	if places == digits {
		return s
	}
	dot := strings.IndexByte(s, '.')
	end := len(s)
	for end > dot+1+int(digits) && s[end-1] == '0' {
		end--
	}
	if end == dot+1 { // digits == 0 and only zeros after the point
		end = dot
	}
	return s[:end]
}

// StringFixed returns a rounded to the minor unit with exactly Digits()
// fraction digits: EUR "1.50", JPY "3".
func (a Amount) StringFixed() string {
	return a.value.StringFixed(a.currency.digits)
}

// Sum returns the total of amounts in currency c (zero if none), or an error
// wrapping ErrCurrencyMismatch if any amount is in another currency.
func Sum(c Currency, amounts ...Amount) (Amount, error) {
	total := Zero(c)
	for _, x := range amounts {
		var err error
		if total, err = total.Add(x); err != nil {
			return Amount{}, err
		}
	}
	return total, nil
}

// Format renders a for people using CLDR rules (via bojanz/currency), after
// rounding half away from zero to the minor unit: "en" → "€1,234.56",
// "es" → "1234,56 €", "pt-BR" → "R$ 1.234,56", where the spaces are U+00A0
// no-break spaces as CLDR specifies. Unknown locales fall back to "en". The
// zero Currency is rendered as a number without a symbol. Amounts with more
// than 39 significant digits, beyond what bojanz/currency can format, are
// rendered as StringFixed() followed by a space and the currency code.
func (a Amount) Format(locale string) string {
	if a.currency.IsZero() {
		return a.FormatNumber(locale)
	}
	return a.format(locale, currency.DisplaySymbol)
}

// FormatNumber is Format without the currency symbol ("1,234.56" in "en",
// "1.234,56" in "pt-BR"), for tables.
func (a Amount) FormatNumber(locale string) string {
	return a.format(locale, currency.DisplayNone)
}

// formatMaxDigits is the precision of bojanz/currency's widest decimal
// context; larger numbers come out of its Formatter as "NaN".
const formatMaxDigits = 39

// format renders a through a bojanz/currency Formatter.
func (a Amount) format(locale string, display currency.Display) string {
	rounded := a.Round()
	return formatPlain(rounded.StringFixed(), rounded.value.NumDigits(), a.currency, locale, display)
}

// formatPlain renders fixed, a plain decimal in currency c with numDigits
// significant digits, through a bojanz/currency Formatter with exactly the
// fraction digits fixed has.
func formatPlain(fixed string, numDigits int, c Currency, locale string, display currency.Display) string {
	code := c.code
	if numDigits > formatMaxDigits {
		if display == currency.DisplayNone || code == "" {
			return fixed
		}
		return fixed + " " + code
	}
	if code == "" {
		// bojanz needs a real code even when it is not displayed; the
		// number of digits comes from fixed, not from this code.
		code = "USD"
	}
	ba, err := currency.NewAmount(fixed, code)
	if err != nil { // unreachable: the number is plain and the code is valid
		return fixed
	}
	places := 0
	if dot := strings.IndexByte(fixed, '.'); dot >= 0 {
		places = len(fixed) - dot - 1
	}
	f := currency.NewFormatter(currency.NewLocale(locale))
	f.MinDigits = uint8(places)
	f.MaxDigits = uint8(places)
	f.CurrencyDisplay = display
	return f.Format(ba)
}

// sameCurrency returns an error wrapping ErrCurrencyMismatch unless a and b
// share a currency.
func (a Amount) sameCurrency(b Amount) error {
	if a.currency != b.currency {
		return fmt.Errorf("%w: %s and %s", ErrCurrencyMismatch, codeOrNone(a.currency), codeOrNone(b.currency))
	}
	return nil
}

// codeOrNone returns c's code, or "none" for the zero Currency.
func codeOrNone(c Currency) string {
	if c.IsZero() {
		return "none"
	}
	return c.code
}

// isUpperASCII reports whether s consists only of 'A'..'Z'.
func isUpperASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// nonDigit returns the index of the first byte of s that is not an ASCII
// digit, or -1.
func nonDigit(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return i
		}
	}
	return -1
}

// clip shortens s for inclusion in error messages.
func clip(s string) string {
	const n = 40
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
