package receivables

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/money"
)

// TestPaymentCurrency checks the currency a payment or settlement works in
// defaults from the customer to the accounting currency, and that an
// unknown code is a currency field error naming the code given.
func TestPaymentCurrency(t *testing.T) {
	t.Parallel()
	eur := money.MustCurrency("EUR")
	tests := []struct {
		name, given, customer string
		accounting            money.Currency
		want                  string // the code, or the error message
	}{
		{"given", "USD", "BRL", eur, "USD"},
		{"given, trimmed and upper-cased", " usd ", "BRL", eur, "USD"},
		{"the customer's", "", "BRL", eur, "BRL"},
		{"the accounting currency", "", "", eur, "EUR"},
		{"unknown", "XYZ", "BRL", eur, `currency: unknown currency "XYZ": use an ISO 4217 code such as EUR or USD`},
		{"unknown, lower case", "xyz", "BRL", eur, `currency: unknown currency "XYZ": use an ISO 4217 code such as EUR or USD`},
		{"too long", "EURO", "", eur, `currency: unknown currency "EURO": use an ISO 4217 code such as EUR or USD`},
		{"the customer's unknown", "", "ZZZ", eur, `currency: unknown currency "ZZZ": use an ISO 4217 code such as EUR or USD`},
		{"none at all", "", "", money.Currency{}, `currency: unknown currency "": use an ISO 4217 code such as EUR or USD`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cur, err := PaymentCurrency(tt.given, tt.customer, tt.accounting)
			if err != nil {
				e, ok := fail.As(err)
				if !ok || e.Code != fail.Invalid || len(e.Fields) != 1 || e.Fields[0].Field != "currency" {
					t.Fatalf("PaymentCurrency error %v, want one invalid currency field", err)
				}
				if err.Error() != tt.want {
					t.Errorf("PaymentCurrency error %q, want %q", err, tt.want)
				}
				return
			}
			if cur.Code() != tt.want {
				t.Errorf("PaymentCurrency = %s, want %s", cur, tt.want)
			}
		})
	}
}

// TestNewPaymentUnknownCurrency names the code given under field currency.
func TestNewPaymentUnknownCurrency(t *testing.T) {
	t.Parallel()
	today := calendar.MustParse("2026-03-09")
	_, err := NewPayment("pay_1", PaymentRequest{Currency: "XYZ", ExchangeRate: "1"}, decimal.NewFromInt(10), "EUR", money.MustCurrency("EUR"), today)
	e, ok := fail.As(err)
	if !ok || len(e.Fields) != 1 || e.Fields[0].Field != "currency" {
		t.Fatalf("NewPayment error %v, want a currency field error", err)
	}
	if want := `unknown currency "XYZ": use an ISO 4217 code such as EUR or USD`; e.Fields[0].Message != want {
		t.Errorf("currency message %q, want %q", e.Fields[0].Message, want)
	}
}
