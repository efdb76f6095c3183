package money_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/money"
)

func TestFixedAndPrice(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, code, fixed, price string }{
		{"67.2", "EUR", "67.20", "67.20"},
		{"833.333", "JPY", "833", "833.333"},
		{"1.2", "BHD", "1.200", "1.200"},
		{"0.0125", "EUR", "0.01", "0.0125"},
		{"-0.005", "EUR", "-0.01", "-0.005"},
		{"2.5", "JPY", "3", "2.5"},
		{"7", "", "7", "7"},
	} {
		d := decimal.RequireFromString(c.in)
		if got := money.Fixed(d, c.code); got != c.fixed {
			t.Errorf("Fixed(%s, %q) = %q, want %q", c.in, c.code, got, c.fixed)
		}
		if got := money.Price(d, c.code); got != c.price {
			t.Errorf("Price(%s, %q) = %q, want %q", c.in, c.code, got, c.price)
		}
	}
}

// TestAmountJSON: an Amount is written with its currency's digits, like
// Fixed, whatever digits its value carries, and is decoded with no
// currency, which arithmetic with a real one refuses.
func TestAmountJSON(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		value, code, want string
	}{
		{"67.2", "EUR", `"67.20"`},
		{"833.3333", "JPY", `"833"`},
		{"1.0045", "BHD", `"1.005"`},
		{"-0.005", "EUR", `"-0.01"`},
		{"0", "EUR", `"0.00"`},
	} {
		a := money.New(decimal.RequireFromString(tt.value), money.MustCurrency(tt.code))
		b, err := json.Marshal(struct {
			A money.Amount  `json:"a"`
			P *money.Amount `json:"p"`
		}{a, &a})
		if err != nil {
			t.Fatal(err)
		}
		if want := `{"a":` + tt.want + `,"p":` + tt.want + `}`; string(b) != want {
			t.Errorf("%s %s: %s, want %s", tt.value, tt.code, b, want)
		}
		if got, _ := json.Marshal(a); string(got) != `"`+money.Fixed(a.Decimal(), tt.code)+`"` {
			t.Errorf("%s %s: MarshalJSON %s disagrees with Fixed %q", tt.value, tt.code, got, money.Fixed(a.Decimal(), tt.code))
		}
	}
	var v struct{ A, B money.Amount }
	if err := json.Unmarshal([]byte(`{"A":"1.50","B":2}`), &v); err != nil || !v.A.Equal(money.New(decimal.RequireFromString("1.5"), money.Currency{})) ||
		!v.B.Decimal().Equal(decimal.NewFromInt(2)) || !v.A.Currency().IsZero() {
		t.Errorf("decoding Amounts: %+v, %v; want 1.50 and 2 of no currency", v, err)
	}
	if _, err := v.A.Add(money.Zero(money.MustCurrency("EUR"))); !errors.Is(err, money.ErrCurrencyMismatch) {
		t.Errorf("a decoded Amount added to euros: %v, want ErrCurrencyMismatch", err)
	}
	if err := json.Unmarshal([]byte(`{"A":"1e3"}`), &v); !errors.Is(err, money.ErrInvalidDecimal) {
		t.Errorf("decoding 1e3: %v, want ErrInvalidDecimal", err)
	}
}

// TestUnitPriceJSON: a unit price keeps the digits it has beyond its
// currency's, as money.Price writes it.
func TestUnitPriceJSON(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ value, code, want string }{
		{"11.7", "EUR", `"11.70"`},
		{"0.0125", "EUR", `"0.0125"`},
		{"1200", "JPY", `"1200"`},
		{"7.25", "", `"7.25"`},
	} {
		p := money.PriceIn(decimal.RequireFromString(tt.value), tt.code)
		b, err := json.Marshal(p)
		if err != nil || string(b) != tt.want {
			t.Errorf("%s %s: %s, %v; want %s", tt.value, tt.code, b, err, tt.want)
		}
		if tt.code != "" && string(b) != `"`+money.Price(p.Decimal(), tt.code)+`"` {
			t.Errorf("%s %s: MarshalJSON %s disagrees with Price", tt.value, tt.code, b)
		}
	}
	var v struct{ P money.UnitPrice }
	if err := json.Unmarshal([]byte(`{"P":"0.0125"}`), &v); err != nil || v.P.Decimal().String() != "0.0125" {
		t.Errorf("decoding a UnitPrice: %+v, %v", v, err)
	}
}

// TestUnitPriceFormat: a unit price is written in the reader's language
// with at least its currency's digits and the further ones it has, for
// currencies of 0, 2 and 3 digits (the spaces are U+00A0, as CLDR has them).
func TestUnitPriceFormat(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, code, lang, want, number string }{
		{"20.6", "EUR", "en", "€20.60", "20.60"},
		{"20.6", "EUR", "es", "20,60\u00a0€", "20,60"},
		{"20.6", "EUR", "pt-BR", "€\u00a020,60", "20,60"},
		{"1200.5", "BRL", "pt-BR", "R$\u00a01.200,50", "1.200,50"},
		{"0.0125", "EUR", "es", "0,0125\u00a0€", "0,0125"},
		{"0.0125", "EUR", "en", "€0.0125", "0.0125"},
		{"1234.5678", "USD", "en", "$1,234.5678", "1,234.5678"},
		{"1200", "JPY", "en", "¥1,200", "1,200"},
		{"833.333", "JPY", "es", "833,333\u00a0¥", "833,333"},
		{"2.5", "JPY", "pt-BR", "JP¥\u00a02,5", "2,5"},
		{"1.2", "BHD", "en", "BHD\u00a01.200", "1.200"},
		{"1.2345", "BHD", "es", "1,2345\u00a0BHD", "1,2345"},
		{"1.2", "BHD", "pt-BR", "BHD\u00a01,200", "1,200"},
		{"-0.5", "EUR", "es", "-0,50\u00a0€", "-0,50"},
		{"7.25", "", "es", "7,25", "7,25"},
	} {
		p := money.PriceIn(decimal.RequireFromString(c.in), c.code)
		if got := p.Format(c.lang); got != c.want {
			t.Errorf("PriceIn(%s, %q).Format(%s) = %q, want %q", c.in, c.code, c.lang, got, c.want)
		}
		if got := p.FormatNumber(c.lang); got != c.number {
			t.Errorf("PriceIn(%s, %q).FormatNumber(%s) = %q, want %q", c.in, c.code, c.lang, got, c.number)
		}
	}
}
