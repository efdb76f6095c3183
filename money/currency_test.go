package money

import (
	"errors"
	"strings"
	"testing"
)

// TestUnknownCurrencyMessage checks ParseCurrency's error names the code
// given (never an empty or mangled one) and says what to use.
func TestUnknownCurrencyMessage(t *testing.T) {
	t.Parallel()
	tests := []struct{ code, want string }{
		{"XYZ", `unknown currency "XYZ": use an ISO 4217 code such as EUR or USD`},
		{"EURO", `unknown currency "EURO": use an ISO 4217 code such as EUR or USD`},
		{"EU", `unknown currency "EU": use an ISO 4217 code such as EUR or USD`},
		{"xyz", `unknown currency "xyz": use an ISO 4217 code such as EUR or USD`},
		{"eur", `unknown currency "eur": write it EUR`},
		{" EUR", `unknown currency " EUR": write it EUR`},
		{"Usd\n", `unknown currency "Usd\n": write it USD`},
		{"", `unknown currency "": use an ISO 4217 code such as EUR or USD`},
		{"   ", `unknown currency "   ": use an ISO 4217 code such as EUR or USD`},
		{"€", `unknown currency "€": use an ISO 4217 code such as EUR or USD`},
		{"E\x00R", `unknown currency "E\x00R": use an ISO 4217 code such as EUR or USD`},
		{strings.Repeat("A", 50), `unknown currency "` + strings.Repeat("A", 40) + `...": use an ISO 4217 code such as EUR or USD`},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			t.Parallel()
			c, err := ParseCurrency(tt.code)
			if err == nil || !c.IsZero() {
				t.Fatalf("ParseCurrency(%q) = %v, %v; want an error", tt.code, c, err)
			}
			if !errors.Is(err, ErrUnknownCurrency) {
				t.Errorf("ParseCurrency(%q) error %v does not wrap ErrUnknownCurrency", tt.code, err)
			}
			if err.Error() != tt.want {
				t.Errorf("ParseCurrency(%q) error %q, want %q", tt.code, err, tt.want)
			}
		})
	}
}
