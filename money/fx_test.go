package money

import (
	"errors"
	"testing"
)

func TestRateOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		from, to Currency
		value    string
		want     string
	}{
		{"foreign currency keeps its rate", usd, eur, "0.9153", "0.9153"},
		{"same currency converts at 1", eur, eur, "1.2", "1"},
		{"no rate stored converts at 1", usd, eur, "0", "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := RateOf(tt.from, tt.to, dec(t, tt.value))
			if !r.Value().Equal(dec(t, tt.want)) {
				t.Errorf("value = %s, want %s", r.Value(), tt.want)
			}
			if r.From() != tt.from || r.To() != tt.to {
				t.Errorf("currencies = %s→%s, want %s→%s", r.From(), r.To(), tt.from, tt.to)
			}
		})
	}
	if got, want := RateOf(usd, eur, dec(t, "0.5")).String(), "1 USD = 0.5 EUR"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
}

func TestAmountConvertTo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		amount   Amount
		rate     Rate
		want     string
		wantCode string
	}{
		{"into two digits, half away from zero", amt(t, "100", usd), RateOf(usd, eur, dec(t, "0.91535")), "91.54", "EUR"},
		{"negative rounds away from zero", amt(t, "-100", usd), RateOf(usd, eur, dec(t, "0.91535")), "-91.54", "EUR"},
		{"into a currency without minor unit", amt(t, "10.00", eur), RateOf(eur, jpy, dec(t, "162.35")), "1624", "JPY"},
		{"into three digits", amt(t, "1.00", eur), RateOf(eur, bhd, dec(t, "0.41055")), "0.411", "BHD"},
		{"same currency rounds to the minor unit", amt(t, "10.005", eur), RateOf(eur, eur, dec(t, "7")), "10.01", "EUR"},
		{"zero stays zero", amt(t, "0", usd), RateOf(usd, eur, dec(t, "0.9")), "0.00", "EUR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.amount.ConvertTo(tt.rate)
			if err != nil {
				t.Fatal(err)
			}
			if got.StringFixed() != tt.want || got.Currency().Code() != tt.wantCode {
				t.Errorf("got %s %s, want %s %s", got.StringFixed(), got.Currency(), tt.want, tt.wantCode)
			}
			if must := tt.amount.MustConvertTo(tt.rate); !must.Equal(got) {
				t.Errorf("MustConvertTo = %v, ConvertTo = %v", must, got)
			}
		})
	}
}

func TestAmountConvertToMismatch(t *testing.T) {
	t.Parallel()
	_, err := amt(t, "1", eur).ConvertTo(RateOf(usd, eur, dec(t, "0.9")))
	if !errors.Is(err, ErrCurrencyMismatch) {
		t.Fatalf("err = %v, want ErrCurrencyMismatch", err)
	}
	defer func() {
		if recover() == nil {
			t.Error("MustConvertTo did not panic on a mismatch")
		}
	}()
	amt(t, "1", eur).MustConvertTo(RateOf(usd, eur, dec(t, "0.9")))
}
