package money

import (
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

var (
	eur = MustCurrency("EUR")
	usd = MustCurrency("USD")
	jpy = MustCurrency("JPY")
	bhd = MustCurrency("BHD")
	brl = MustCurrency("BRL")
	clf = MustCurrency("CLF")
)

// dec parses a decimal for test inputs with shopspring's own parser, so the
// tests do not depend on ParseDecimal.
func dec(t testing.TB, s string) decimal.Decimal {
	t.Helper()
	d, err := decimal.NewFromString(s)
	if err != nil {
		t.Fatalf("bad test decimal %q: %v", s, err)
	}
	return d
}

func amt(t testing.TB, s string, c Currency) Amount {
	t.Helper()
	return New(dec(t, s), c)
}

func decs(t testing.TB, ss ...string) []decimal.Decimal {
	t.Helper()
	out := make([]decimal.Decimal, len(ss))
	for i, s := range ss {
		out[i] = dec(t, s)
	}
	return out
}

func TestRound(t *testing.T) {
	tests := []struct {
		c        Currency
		in, want string
	}{
		{eur, "1.005", "1.01"},
		{eur, "1.004", "1.00"},
		{eur, "-1.005", "-1.01"},
		{eur, "-1.004", "-1.00"},
		{eur, "2.675", "2.68"}, // float64(2.675) is 2.67499999... and would round down
		{eur, "-2.675", "-2.68"},
		{eur, "0.125", "0.13"},
		{eur, "0.135", "0.14"}, // not banker's rounding (which would give 0.14 here but 0.12 above)
		{eur, "1.1", "1.10"},
		{eur, "7", "7.00"},
		{eur, "0.0049999999", "0.00"},
		{jpy, "0.5", "1"},
		{jpy, "-0.5", "-1"},
		{jpy, "2.5", "3"},
		{jpy, "1234.4", "1234"},
		{jpy, "1234.5", "1235"},
		{bhd, "1.0005", "1.001"},
		{bhd, "-1.0005", "-1.001"},
		{bhd, "0.0004", "0.000"},
		{clf, "1.00005", "1.0001"},
		{eur, "99999999999999999999999999.995", "100000000000000000000000000.00"},
		{eur, "-99999999999999999999999999.995", "-100000000000000000000000000.00"},
	}
	for _, tt := range tests {
		t.Run(tt.c.Code()+"/"+tt.in, func(t *testing.T) {
			a := amt(t, tt.in, tt.c)
			got := a.Round()
			if s := got.StringFixed(); s != tt.want {
				t.Errorf("Round(%s).StringFixed() = %q, want %q", tt.in, s, tt.want)
			}
			if !got.Decimal().Equal(dec(t, tt.want)) {
				t.Errorf("Round(%s) = %s, want %s", tt.in, got.Decimal(), tt.want)
			}
			if got.Currency() != tt.c {
				t.Errorf("Round changed currency to %v", got.Currency())
			}
			if !got.IsRounded() {
				t.Errorf("Round(%s).IsRounded() = false", tt.in)
			}
			if d := tt.c.Round(dec(t, tt.in)); !d.Equal(dec(t, tt.want)) {
				t.Errorf("Currency.Round(%s) = %s, want %s", tt.in, d, tt.want)
			}
			if s := a.StringFixed(); s != tt.want {
				t.Errorf("StringFixed(%s) = %q, want %q", tt.in, s, tt.want)
			}
		})
	}
}

func TestStringFixedNoNegativeZero(t *testing.T) {
	for _, tt := range []struct {
		a    Amount
		want string
	}{
		{amt(t, "-0.004", eur), "0.00"},
		{amt(t, "-0.4", jpy), "0"},
		{amt(t, "-0.0001", bhd), "0.000"},
	} {
		if got := tt.a.StringFixed(); got != tt.want {
			t.Errorf("%v.StringFixed() = %q, want %q", tt.a.Decimal(), got, tt.want)
		}
		if got := tt.a.Round().String(); got != tt.want {
			t.Errorf("%v.Round().String() = %q, want %q", tt.a.Decimal(), got, tt.want)
		}
	}
}

func TestIsRounded(t *testing.T) {
	tests := []struct {
		c    Currency
		in   string
		want bool
	}{
		{eur, "1.00", true},
		{eur, "1.5", true},
		{eur, "1.2300000", true},
		{eur, "1.001", false},
		{eur, "-0.125", false},
		{jpy, "100", true},
		{jpy, "100.0", true},
		{jpy, "100.5", false},
		{bhd, "1.005", true},
		{bhd, "1.0005", false},
	}
	for _, tt := range tests {
		if got := amt(t, tt.in, tt.c).IsRounded(); got != tt.want {
			t.Errorf("%s %s IsRounded() = %v, want %v", tt.c, tt.in, got, tt.want)
		}
	}
}

// plainDecimal is an independent oracle for the syntax ParseDecimal accepts.
var plainDecimal = regexp.MustCompile(`^-?([0-9]{1,28})(\.[0-9]{1,12})?$`)

func TestParseDecimal(t *testing.T) {
	accept := []struct {
		in   string
		want decimal.Decimal
	}{
		{"0", decimal.New(0, 0)},
		{"-0", decimal.New(0, 0)},
		{"1", decimal.New(1, 0)},
		{"-1", decimal.New(-1, 0)},
		{"820.78", decimal.New(82078, -2)},
		{"-0.50", decimal.New(-50, -2)},
		{"007", decimal.New(7, 0)},
		{"1.000000000001", decimal.New(1000000000001, -12)},
		{"0.000000000001", decimal.New(1, -12)},
		{"1234567890123456789012345678", decimal.RequireFromString("1234567890123456789012345678")},
		{"-9999999999999999999999999999.999999999999", decimal.RequireFromString("-9999999999999999999999999999.999999999999")},
	}
	for _, tt := range accept {
		t.Run("accept/"+tt.in, func(t *testing.T) {
			got, err := ParseDecimal(tt.in)
			if err != nil {
				t.Fatalf("ParseDecimal(%q) error: %v", tt.in, err)
			}
			if !got.Equal(tt.want) {
				t.Errorf("ParseDecimal(%q) = %s, want %s", tt.in, got, tt.want)
			}
			if !plainDecimal.MatchString(tt.in) {
				t.Errorf("oracle disagrees: %q should be rejected", tt.in)
			}
		})
	}

	reject := []struct {
		in, msg string // msg: a substring the error must contain
	}{
		{"", "empty"},
		{" 1", "unexpected character ' '"},
		{"1 ", "unexpected character ' '"},
		{"1\n", "unexpected character '\\n'"},
		{"+1", "unexpected character '+'"},
		{"--1", "unexpected character '-'"},
		{"-", "missing digits"},
		{"1e5", "unexpected character 'e'"},
		{"1E5", "unexpected character 'E'"},
		{"1.5e-3", "unexpected character 'e'"},
		{"1,5", "unexpected character ','"},
		{"1,000.00", "unexpected character ','"},
		{"1_000", "unexpected character '_'"},
		{"1'000", "unexpected character '\\''"},
		{"NaN", "unexpected character 'N'"},
		{"nan", "unexpected character 'n'"},
		{"Inf", "unexpected character 'I'"},
		{".5", "missing digits before '.'"},
		{"-.5", "missing digits before '.'"},
		{"5.", "missing digits after '.'"},
		{".", "missing digits before '.'"},
		{"1.2.3", "unexpected character '.'"},
		{"0x10", "unexpected character 'x'"},
		{"\u22121", "unexpected character '−'"}, // shopspring accepts U+2212 MINUS SIGN; we do not
		{"١٢", "unexpected character '١'"},      // Arabic-Indic digits
		{"12345678901234567890123456789", "more than 28 integer digits"},
		{"00000000000000000000000000001", "more than 28 integer digits"},
		{"1.1234567890123", "more than 12 fraction digits"},
		{"-0.0000000000001", "more than 12 fraction digits"},
	}
	for _, tt := range reject {
		t.Run("reject/"+tt.in, func(t *testing.T) {
			got, err := ParseDecimal(tt.in)
			if err == nil {
				t.Fatalf("ParseDecimal(%q) = %s, want error", tt.in, got)
			}
			if !errors.Is(err, ErrInvalidDecimal) {
				t.Errorf("error %v does not wrap ErrInvalidDecimal", err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not mention %q", err, tt.msg)
			}
			if plainDecimal.MatchString(tt.in) {
				t.Errorf("oracle disagrees: %q should be accepted", tt.in)
			}
		})
	}
}

func TestParseDecimalErrorClipsLongInput(t *testing.T) {
	in := strings.Repeat("9", 10000)
	_, err := ParseDecimal(in)
	if err == nil {
		t.Fatal("want error")
	}
	if len(err.Error()) > 200 {
		t.Errorf("error message is %d bytes long; long input should be clipped", len(err.Error()))
	}
}

func TestParse(t *testing.T) {
	a, err := Parse("-1234.5", "BHD")
	if err != nil {
		t.Fatal(err)
	}
	if a.Currency() != bhd || !a.Decimal().Equal(decimal.New(-12345, -1)) {
		t.Errorf("Parse = %v %s, want -1234.5 BHD", a.Decimal(), a.Currency())
	}
	if got := a.String(); got != "-1234.500" {
		t.Errorf("String() = %q, want %q", got, "-1234.500")
	}

	for _, tt := range []struct {
		value, code string
		want        error
	}{
		{"1.00", "eur", ErrUnknownCurrency},
		{"1.00", "", ErrUnknownCurrency},
		{"1,00", "EUR", ErrInvalidDecimal},
		{"1e2", "USD", ErrInvalidDecimal},
		{"", "USD", ErrInvalidDecimal},
	} {
		_, err := Parse(tt.value, tt.code)
		if !errors.Is(err, tt.want) {
			t.Errorf("Parse(%q, %q) error = %v, want %v", tt.value, tt.code, err, tt.want)
		}
	}
}

func TestParseCurrency(t *testing.T) {
	for _, tt := range []struct {
		code   string
		digits int32
	}{
		{"EUR", 2}, {"USD", 2}, {"JPY", 0}, {"BHD", 3}, {"BRL", 2}, {"CLF", 4}, {"KWD", 3}, {"ISK", 0},
	} {
		c, err := ParseCurrency(tt.code)
		if err != nil {
			t.Errorf("ParseCurrency(%q) error: %v", tt.code, err)
			continue
		}
		if c.Code() != tt.code || c.String() != tt.code || c.Digits() != tt.digits || c.IsZero() {
			t.Errorf("ParseCurrency(%q) = {%q, %d, zero=%v}, want {%q, %d, zero=false}",
				tt.code, c.Code(), c.Digits(), c.IsZero(), tt.code, tt.digits)
		}
		if c != MustCurrency(tt.code) {
			t.Errorf("ParseCurrency(%q) != MustCurrency(%q)", tt.code, tt.code)
		}
	}

	for _, code := range []string{"eur", "Eur", "EU", "EURO", " EUR", "XXX?", "ZZZ", "", "E1R", "ÉUR"} {
		c, err := ParseCurrency(code)
		if !errors.Is(err, ErrUnknownCurrency) {
			t.Errorf("ParseCurrency(%q) = %v, %v; want ErrUnknownCurrency", code, c, err)
			continue
		}
		if !strings.Contains(err.Error(), fmt.Sprintf("%q", code)) {
			t.Errorf("error %q does not name the code %q", err, code)
		}
		if !c.IsZero() {
			t.Errorf("ParseCurrency(%q) returned non-zero currency %v on error", code, c)
		}
	}
}

func TestMustCurrencyPanics(t *testing.T) {
	defer func() {
		r := recover()
		err, ok := r.(error)
		if !ok || !errors.Is(err, ErrUnknownCurrency) {
			t.Errorf("recover() = %v, want an error wrapping ErrUnknownCurrency", r)
		}
	}()
	MustCurrency("ZZZ")
}

func TestZeroCurrency(t *testing.T) {
	var c Currency
	if !c.IsZero() || c.Code() != "" || c.Digits() != 0 {
		t.Errorf("zero Currency = {%q, %d, zero=%v}", c.Code(), c.Digits(), c.IsZero())
	}
	if eur.IsZero() {
		t.Error("EUR.IsZero() = true")
	}
	var a Amount
	if !a.IsZero() || a.String() != "0" || a.Currency() != c {
		t.Errorf("zero Amount: IsZero=%v String=%q", a.IsZero(), a.String())
	}
	if got := a.Format("en"); got != "0" {
		t.Errorf("zero Amount Format = %q, want %q", got, "0")
	}
	if got := New(dec(t, "1234.5"), c).Format("pt-BR"); got != "1.235" {
		t.Errorf("no-currency Format(pt-BR) = %q, want %q", got, "1.235")
	}
}

func TestAddSub(t *testing.T) {
	tests := []struct {
		a, b          string
		c             Currency
		wantAdd, wSub string
	}{
		{"1.10", "2.205", eur, "3.305", "-1.105"},
		{"-5", "5", jpy, "0", "-10"},
		{"0.1", "0.2", usd, "0.3", "-0.1"},
		{"99999999999999999999999999.99", "0.01", eur, "100000000000000000000000000", "99999999999999999999999999.98"},
	}
	for _, tt := range tests {
		a, b := amt(t, tt.a, tt.c), amt(t, tt.b, tt.c)
		sum, err := a.Add(b)
		if err != nil || !sum.Equal(amt(t, tt.wantAdd, tt.c)) {
			t.Errorf("%s + %s = %v, %v; want %s", tt.a, tt.b, sum.Decimal(), err, tt.wantAdd)
		}
		diff, err := a.Sub(b)
		if err != nil || !diff.Equal(amt(t, tt.wSub, tt.c)) {
			t.Errorf("%s - %s = %v, %v; want %s", tt.a, tt.b, diff.Decimal(), err, tt.wSub)
		}
		if !a.MustAdd(b).Equal(sum) || !a.MustSub(b).Equal(diff) {
			t.Errorf("MustAdd/MustSub disagree with Add/Sub for %s, %s", tt.a, tt.b)
		}
	}
}

func TestCurrencyMismatch(t *testing.T) {
	a, b := amt(t, "1", eur), amt(t, "1", usd)
	var none Amount
	checks := map[string]error{}
	_, checks["Add"] = a.Add(b)
	_, checks["Sub"] = a.Sub(b)
	_, checks["Cmp"] = a.Cmp(b)
	_, checks["Sum"] = Sum(eur, a, b)
	_, checks["Add none"] = a.Add(none)
	for name, err := range checks {
		if !errors.Is(err, ErrCurrencyMismatch) {
			t.Errorf("%s: error = %v, want ErrCurrencyMismatch", name, err)
		}
	}
	if err := checks["Add"]; err == nil || !strings.Contains(err.Error(), "EUR") || !strings.Contains(err.Error(), "USD") {
		t.Errorf("mismatch error %q should name both currencies", err)
	}
	if a.Equal(b) {
		t.Error("1 EUR Equal 1 USD")
	}
	for name, f := range map[string]func(){
		"MustAdd": func() { a.MustAdd(b) },
		"MustSub": func() { a.MustSub(b) },
	} {
		func() {
			defer func() {
				r := recover()
				if err, ok := r.(error); !ok || !errors.Is(err, ErrCurrencyMismatch) {
					t.Errorf("%s: recover() = %v, want ErrCurrencyMismatch", name, r)
				}
			}()
			f()
		}()
	}
}

func TestSum(t *testing.T) {
	got, err := Sum(eur)
	if err != nil || !got.IsZero() || got.Currency() != eur || got.String() != "0.00" {
		t.Errorf("Sum(EUR) = %q %v, %v; want 0.00 EUR", got.String(), got.Currency(), err)
	}
	got, err = Sum(eur, amt(t, "10.10", eur), amt(t, "-0.105", eur), amt(t, "90", eur))
	if err != nil || !got.Equal(amt(t, "99.995", eur)) {
		t.Errorf("Sum = %v, %v; want 99.995", got.Decimal(), err)
	}
	if _, err := Sum(usd, amt(t, "1", eur)); !errors.Is(err, ErrCurrencyMismatch) {
		t.Errorf("Sum(USD, 1 EUR) error = %v, want ErrCurrencyMismatch", err)
	}
}

func TestNegAbsSignCmp(t *testing.T) {
	tests := []struct {
		in, neg, abs string
		sign         int
	}{
		{"1.50", "-1.50", "1.50", 1},
		{"-0.01", "0.01", "0.01", -1},
		{"0", "0", "0", 0},
		{"-0.00", "0", "0", 0},
	}
	for _, tt := range tests {
		a := amt(t, tt.in, eur)
		if got := a.Neg(); !got.Equal(amt(t, tt.neg, eur)) {
			t.Errorf("Neg(%s) = %s", tt.in, got.Decimal())
		}
		if got := a.Abs(); !got.Equal(amt(t, tt.abs, eur)) {
			t.Errorf("Abs(%s) = %s", tt.in, got.Decimal())
		}
		if got := a.Sign(); got != tt.sign {
			t.Errorf("Sign(%s) = %d, want %d", tt.in, got, tt.sign)
		}
		if got := a.IsZero(); got != (tt.sign == 0) {
			t.Errorf("IsZero(%s) = %v", tt.in, got)
		}
	}

	cmps := []struct {
		a, b string
		want int
	}{
		{"1", "2", -1},
		{"2", "1", 1},
		{"1.5", "1.50", 0},
		{"-1", "0.001", -1},
		{"0.001", "0", 1},
	}
	for _, tt := range cmps {
		got, err := amt(t, tt.a, eur).Cmp(amt(t, tt.b, eur))
		if err != nil || got != tt.want {
			t.Errorf("Cmp(%s, %s) = %d, %v; want %d", tt.a, tt.b, got, err, tt.want)
		}
		if eq := amt(t, tt.a, eur).Equal(amt(t, tt.b, eur)); eq != (tt.want == 0) {
			t.Errorf("Equal(%s, %s) = %v", tt.a, tt.b, eq)
		}
	}
}

func TestMul(t *testing.T) {
	tests := []struct {
		a, by, want string
		c           Currency
	}{
		{"19.99", "3", "59.97", eur},
		{"0.333", "0.21", "0.06993", eur}, // exact, not rounded
		{"1000", "-0.5", "-500", jpy},
		{"1.005", "1000000", "1005000", bhd},
	}
	for _, tt := range tests {
		got := amt(t, tt.a, tt.c).Mul(dec(t, tt.by))
		if !got.Equal(amt(t, tt.want, tt.c)) {
			t.Errorf("%s × %s = %s, want %s", tt.a, tt.by, got.Decimal(), tt.want)
		}
	}
	if got := amt(t, "0.333", eur).Mul(dec(t, "0.21")).String(); got != "0.06993" {
		t.Errorf("unrounded product String() = %q, want %q", got, "0.06993")
	}
}

func TestString(t *testing.T) {
	tests := []struct {
		v    decimal.Decimal
		c    Currency
		want string
	}{
		{dec(t, "820.78"), eur, "820.78"},
		{dec(t, "-0.5"), eur, "-0.50"},
		{dec(t, "0"), eur, "0.00"},
		{decimal.Decimal{}, eur, "0.00"},
		{dec(t, "5.000"), eur, "5.00"},
		{dec(t, "1.2345"), eur, "1.2345"},
		{dec(t, "1.23450"), eur, "1.2345"},
		{dec(t, "-1.23450"), eur, "-1.2345"},
		{dec(t, "1000"), jpy, "1000"},
		{dec(t, "1000.000"), jpy, "1000"},
		{dec(t, "1000.50"), jpy, "1000.5"},
		{dec(t, "-3"), jpy, "-3"},
		{dec(t, "1.005"), bhd, "1.005"},
		{dec(t, "1"), bhd, "1.000"},
		{dec(t, "-0.1"), bhd, "-0.100"},
		{dec(t, "1"), clf, "1.0000"},
		{dec(t, "123456789012345678901234.56"), eur, "123456789012345678901234.56"},
		{dec(t, "-123456789012345678901234.56"), eur, "-123456789012345678901234.56"},
		{decimal.New(15, 3), eur, "15000.00"},
		{decimal.New(-1, 30), eur, "-1000000000000000000000000000000.00"},
		{decimal.New(1, 30), jpy, "1000000000000000000000000000000"},
		{decimal.New(1, -20), eur, "0.00000000000000000001"},
	}
	for _, tt := range tests {
		if got := New(tt.v, tt.c).String(); got != tt.want {
			t.Errorf("%s %s String() = %q, want %q", tt.v.StringFixed(20), tt.c, got, tt.want)
		}
	}
}

// TestStringIgnoresDecimalGlobals checks that String does not change when
// shopspring/decimal's package-level string settings are flipped. It mutates
// globals, so it must not run in parallel with other tests.
func TestStringIgnoresDecimalGlobals(t *testing.T) {
	oldSci, oldTrim := decimal.UseScientificNotation, decimal.TrimTrailingZeros
	t.Cleanup(func() { decimal.UseScientificNotation, decimal.TrimTrailingZeros = oldSci, oldTrim })
	decimal.UseScientificNotation, decimal.TrimTrailingZeros = true, false

	if s := decimal.New(15, 3).String(); !strings.ContainsAny(s, "eE") {
		t.Logf("note: decimal.String no longer uses exponents with UseScientificNotation (%q)", s)
	}
	for _, tt := range []struct {
		a    Amount
		want string
	}{
		{New(decimal.New(15, 3), eur), "15000.00"},
		{New(decimal.New(1, 5), jpy), "100000"},
		{amt(t, "1.23450", eur), "1.2345"},
	} {
		if got := tt.a.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func TestAllocate(t *testing.T) {
	tests := []struct {
		name    string
		amount  Amount
		weights []string
		want    []string
	}{
		{"thirds", amt(t, "100.00", eur), []string{"1", "1", "1"}, []string{"33.34", "33.33", "33.33"}},
		{"nickel", amt(t, "0.05", eur), []string{"1", "1"}, []string{"0.03", "0.02"}},
		{"negative thirds", amt(t, "-100.00", eur), []string{"1", "1", "1"}, []string{"-33.34", "-33.33", "-33.33"}},
		{"yen", amt(t, "10", jpy), []string{"1", "1", "1"}, []string{"4", "3", "3"}},
		{"50/30/20 percent", amt(t, "99.99", eur), []string{"50", "30", "20"}, []string{"49.99", "30.00", "20.00"}},
		{"50/30/20 fractions", amt(t, "99.99", eur), []string{"0.5", "0.3", "0.2"}, []string{"49.99", "30.00", "20.00"}},
		{"ties go to earlier index", amt(t, "0.02", eur), []string{"1", "1", "1"}, []string{"0.01", "0.01", "0.00"}},
		{"largest remainder beats index", amt(t, "1.00", eur), []string{"1", "2"}, []string{"0.33", "0.67"}},
		{"zero weight", amt(t, "10.00", eur), []string{"0", "1", "0"}, []string{"0.00", "10.00", "0.00"}},
		{"rounds first", amt(t, "100.005", eur), []string{"1", "1"}, []string{"50.01", "50.00"}},
		{"single weight", amt(t, "1.2345", eur), []string{"7"}, []string{"1.23"}},
		{"zero amount", Zero(eur), []string{"1", "2"}, []string{"0.00", "0.00"}},
		{"bhd", amt(t, "1.000", bhd), []string{"1", "1", "1"}, []string{"0.334", "0.333", "0.333"}},
		{"mixed scales", amt(t, "10.00", usd), []string{"1", "0.5", "0.25"}, []string{"5.71", "2.86", "1.43"}},
		{"huge", amt(t, "99999999999999999999999999.99", eur), []string{"1", "1"},
			[]string{"50000000000000000000000000.00", "49999999999999999999999999.99"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parts, err := tt.amount.Allocate(decs(t, tt.weights...)...)
			if err != nil {
				t.Fatal(err)
			}
			if len(parts) != len(tt.want) {
				t.Fatalf("got %d parts, want %d", len(parts), len(tt.want))
			}
			for i, p := range parts {
				if p.String() != tt.want[i] || p.Currency() != tt.amount.Currency() {
					t.Errorf("part %d = %s %s, want %s %s", i, p.String(), p.Currency(), tt.want[i], tt.amount.Currency())
				}
			}
		})
	}
}

// referenceAllocate is a deliberately naive largest-remainder allocation in
// minor units (non-negative units only): floor every exact share, then hand
// out the leftover units one at a time to the largest remaining fraction,
// earliest index first.
func referenceAllocate(units int64, weights []int64) []int64 {
	var total int64
	for _, w := range weights {
		total += w
	}
	parts := make([]int64, len(weights))
	fracs := make([]*big.Rat, len(weights))
	left := units
	for i, w := range weights {
		share := new(big.Rat).SetFrac(new(big.Int).Mul(big.NewInt(units), big.NewInt(w)), big.NewInt(total))
		floor := new(big.Int).Quo(share.Num(), share.Denom())
		parts[i] = floor.Int64()
		fracs[i] = new(big.Rat).Sub(share, new(big.Rat).SetInt(floor))
		left -= parts[i]
	}
	for ; left > 0; left-- {
		best := -1
		for i, f := range fracs {
			if f != nil && (best < 0 || f.Cmp(fracs[best]) > 0) {
				best = i
			}
		}
		parts[best]++
		fracs[best] = nil
	}
	return parts
}

// TestAllocateMatchesReference compares Allocate with referenceAllocate on
// many inputs with long runs of tied remainders, where an unstable sort would
// hand leftover units to the wrong index.
func TestAllocateMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for iter := range 500 {
		n := 1 + rng.IntN(60)
		weights := make([]int64, n)
		decWeights := make([]decimal.Decimal, n)
		for i := range weights {
			weights[i] = 1 + rng.Int64N(3) // few distinct values → many ties
			decWeights[i] = decimal.New(weights[i], 0)
		}
		units := rng.Int64N(1000)
		neg := rng.IntN(2) == 0
		v := decimal.New(units, -2)
		if neg {
			v = v.Neg()
		}
		parts, err := New(v, eur).Allocate(decWeights...)
		if err != nil {
			t.Fatal(err)
		}
		want := referenceAllocate(units, weights)
		for i, p := range parts {
			w := decimal.New(want[i], -2)
			if neg {
				w = w.Neg()
			}
			if !p.Decimal().Equal(w) {
				t.Fatalf("case %d: %s over %v: part %d = %s, want %s", iter, v, weights, i, p, w.StringFixed(2))
			}
		}
	}
}

func TestAllocateErrors(t *testing.T) {
	a := amt(t, "10.00", eur)
	for name, w := range map[string][]decimal.Decimal{
		"no weights":      nil,
		"negative weight": decs(t, "1", "-1", "2"),
		"all zero":        decs(t, "0", "0.00"),
	} {
		parts, err := a.Allocate(w...)
		if err == nil {
			t.Errorf("%s: Allocate = %v, want error", name, parts)
		}
	}
}

// TestAllocateProperties checks, over random inputs, that the parts are
// rounded, add up exactly to the rounded amount, share its sign, and are each
// within one minor unit of the exact proportional share.
func TestAllocateProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(2024, 42))
	currencies := []Currency{eur, jpy, bhd, clf}
	for iter := range 1000 {
		c := currencies[rng.IntN(len(currencies))]
		a := New(decimal.New(rng.Int64N(2_000_000_001)-1_000_000_000, -rng.Int32N(7)), c)
		weights := make([]decimal.Decimal, 1+rng.IntN(8))
		for i := range weights {
			if rng.IntN(5) > 0 {
				weights[i] = decimal.New(rng.Int64N(10_000), -rng.Int32N(4))
			}
		}
		if rng.IntN(10) == 0 {
			weights[rng.IntN(len(weights))] = decimal.New(1, 0) // sometimes several zeros
		}
		weightSum := decimal.Sum(decimal.Zero, weights...)
		parts, err := a.Allocate(weights...)
		if weightSum.IsZero() {
			if err == nil {
				t.Fatalf("case %d: all-zero weights accepted", iter)
			}
			continue
		}
		if err != nil {
			t.Fatalf("case %d: %v", iter, err)
		}
		rounded := a.Round()
		total, err := Sum(c, parts...)
		if err != nil {
			t.Fatalf("case %d: %v", iter, err)
		}
		if !total.Equal(rounded) {
			t.Fatalf("case %d: %s %s over %v: parts %v sum to %s, want %s", iter, a, c, weights, parts, total, rounded)
		}
		unit := new(big.Rat).SetFrac64(1, pow10(c.Digits()))
		for i, p := range parts {
			if !p.IsRounded() {
				t.Fatalf("case %d: part %d = %s not rounded", iter, i, p)
			}
			if p.Sign() != 0 && p.Sign() != rounded.Sign() {
				t.Fatalf("case %d: part %d = %s has the wrong sign for %s", iter, i, p, rounded)
			}
			if weights[i].IsZero() && !p.IsZero() {
				t.Fatalf("case %d: zero weight got %s", iter, p)
			}
			// |p - rounded*w/W| < one minor unit
			exact := new(big.Rat).Mul(rounded.Decimal().Rat(), new(big.Rat).Quo(weights[i].Rat(), weightSum.Rat()))
			diff := new(big.Rat).Sub(p.Decimal().Rat(), exact)
			if diff.Abs(diff).Cmp(unit) >= 0 {
				t.Fatalf("case %d: part %d = %s is not within one unit of %s", iter, i, p, exact.FloatString(8))
			}
		}
	}
}

func pow10(n int32) int64 {
	r := int64(1)
	for range n {
		r *= 10
	}
	return r
}

func TestFormat(t *testing.T) {
	const nb = "\u00a0" // CLDR uses no-break spaces
	tests := []struct {
		in     string
		c      Currency
		locale string
		want   string
		number string
	}{
		{"1234.56", eur, "en", "€1,234.56", "1,234.56"},
		{"1234.56", eur, "en-US", "€1,234.56", "1,234.56"},
		{"-1234.56", eur, "en", "-€1,234.56", "-1,234.56"},
		{"1234.56", usd, "en", "$1,234.56", "1,234.56"},
		{"1234.56", brl, "en", "R$1,234.56", "1,234.56"},
		{"1234.5", jpy, "en", "¥1,235", "1,235"},
		{"1234567.891", bhd, "en", "BHD" + nb + "1,234,567.891", "1,234,567.891"},
		{"2.675", eur, "en", "€2.68", "2.68"}, // rounded half away from zero first
		{"-0.005", usd, "en", "-$0.01", "-0.01"},
		{"-0.004", usd, "en", "$0.00", "0.00"},

		{"1234.56", eur, "es", "1234,56" + nb + "€", "1234,56"}, // CLDR es: minimum grouping digits 2
		{"12345.67", eur, "es", "12.345,67" + nb + "€", "12.345,67"},
		{"-12345.67", eur, "es", "-12.345,67" + nb + "€", "-12.345,67"},
		{"1234.56", usd, "es", "1234,56" + nb + "US$", "1234,56"},
		{"1234.56", brl, "es", "1234,56" + nb + "R$", "1234,56"},
		{"12345", jpy, "es", "12.345" + nb + "¥", "12.345"},

		{"1234.56", brl, "pt-BR", "R$" + nb + "1.234,56", "1.234,56"},
		{"-1234.56", brl, "pt-BR", "-R$" + nb + "1.234,56", "-1.234,56"},
		{"1234.56", eur, "pt-BR", "€" + nb + "1.234,56", "1.234,56"},
		{"1234.56", usd, "pt-BR", "US$" + nb + "1.234,56", "1.234,56"},
		{"1234", jpy, "pt-BR", "JP¥" + nb + "1.234", "1.234"},
		{"0.5", brl, "pt_br", "R$" + nb + "0,50", "0,50"}, // locale IDs are normalised

		{"1234.56", eur, "xx", "€1,234.56", "1,234.56"}, // unknown locale → en
		{"1234.56", eur, "", "€1,234.56", "1,234.56"},
		{"1234.56", eur, "not a locale!", "€1,234.56", "1,234.56"},

		// Beyond bojanz/currency's 39-digit precision: plain fallback instead of "NaN".
		{"1234567890123456789012345678901234567890.5", eur, "en",
			"1234567890123456789012345678901234567890.50 EUR", "1234567890123456789012345678901234567890.50"},
		{"1234567890123456789012345678901234567.885", eur, "en", // exactly 39 digits after rounding
			"€1,234,567,890,123,456,789,012,345,678,901,234,567.89", "1,234,567,890,123,456,789,012,345,678,901,234,567.89"},
		{"123456789012345678901234567890123456.785", eur, "en",
			"€123,456,789,012,345,678,901,234,567,890,123,456.79", "123,456,789,012,345,678,901,234,567,890,123,456.79"},
	}
	for _, tt := range tests {
		t.Run(tt.locale+"/"+tt.c.Code()+"/"+tt.in, func(t *testing.T) {
			a := amt(t, tt.in, tt.c)
			if got := a.Format(tt.locale); got != tt.want {
				t.Errorf("Format(%q) = %q, want %q", tt.locale, got, tt.want)
			}
			if got := a.FormatNumber(tt.locale); got != tt.number {
				t.Errorf("FormatNumber(%q) = %q, want %q", tt.locale, got, tt.number)
			}
		})
	}
}

// FuzzParseDecimal checks ParseDecimal against a regexp oracle and that
// whatever parses survives a String round trip unchanged.
func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{
		"0", "-0", "1.5", "-0.50", "820.78", "1.005", "007.100", "1e5", ".5", "5.", "NaN", "1,5", " 1",
		"9999999999999999999999999999.999999999999", "\u22121", "--1", "+1", "0x10",
	} {
		f.Add(s)
	}
	currencies := []Currency{{}, eur, jpy, bhd, clf}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDecimal(s)
		if ok := plainDecimal.MatchString(s); ok != (err == nil) {
			t.Fatalf("ParseDecimal(%q) error = %v, but oracle says valid=%v", s, err, ok)
		}
		if err != nil {
			if !errors.Is(err, ErrInvalidDecimal) {
				t.Fatalf("error %v does not wrap ErrInvalidDecimal", err)
			}
			return
		}
		for _, c := range currencies {
			str := New(d, c).String()
			back, err := ParseDecimal(str)
			if err != nil {
				t.Fatalf("%s String() of %q = %q does not re-parse: %v", c, s, str, err)
			}
			if !back.Equal(d) {
				t.Fatalf("%s round trip %q → %q → %s", c, s, str, back)
			}
			if again := New(back, c).String(); again != str {
				t.Fatalf("%s String not canonical: %q then %q", c, str, again)
			}
		}
	})
}

func BenchmarkRound(b *testing.B) {
	a := New(decimal.RequireFromString("12345.6789"), eur)
	for b.Loop() {
		_ = a.Round()
	}
}

func BenchmarkAllocate(b *testing.B) {
	a := New(decimal.RequireFromString("100000.00"), eur)
	w := []decimal.Decimal{decimal.NewFromInt(3), decimal.NewFromInt(7), decimal.RequireFromString("1.5"), decimal.NewFromInt(11)}
	for b.Loop() {
		if _, err := a.Allocate(w...); err != nil {
			b.Fatal(err)
		}
	}
}

func ExampleAmount_Allocate() {
	total, _ := Parse("100.00", "EUR")
	parts, _ := total.Allocate(decimal.NewFromInt(1), decimal.NewFromInt(1), decimal.NewFromInt(1))
	fmt.Println(parts)
	// Output: [33.34 33.33 33.33]
}

func ExampleAmount_Round() {
	a, _ := Parse("-1.005", "EUR")
	fmt.Println(a, a.Round(), a.StringFixed())
	// Output: -1.005 -1.01 -1.01
}

func ExampleAmount_Format() {
	a, _ := Parse("1234.56", "BRL")
	fmt.Printf("%q\n", a.Format("pt-BR"))
	// Output: "R$\u00a01.234,56"
}
