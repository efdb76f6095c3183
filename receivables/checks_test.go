package receivables

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
)

// fields returns the field names of an invalid error.
func fields(err error) []string {
	e, ok := fail.As(err)
	if !ok {
		return nil
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}

func TestCheckPaymentRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   PaymentRequest
		want []string
	}{
		{"valid", PaymentRequest{CustomerID: "cus_1", Method: " cash ", Amount: "10.00"}, nil},
		{"everything wrong", PaymentRequest{Method: "cheque", Amount: "-1", Reference: string(make([]byte, 201))}, []string{"method", "amount", "reference", "customer_id"}},
		{"amount missing", PaymentRequest{CustomerID: "c", Method: "card"}, []string{"amount"}},
		{"amount not a decimal", PaymentRequest{CustomerID: "c", Method: "card", Amount: "1,5"}, []string{"amount", "amount"}},
	}
	for _, tt := range tests {
		in, amt, err := CheckPaymentRequest(tt.in)
		if got := fields(err); len(got) != len(tt.want) {
			t.Errorf("%s: fields %v, want %v", tt.name, got, tt.want)
		}
		if err == nil && (in.Method != "cash" || !amt.Equal(decimal.RequireFromString("10"))) {
			t.Errorf("%s: got %+v %s", tt.name, in, amt)
		}
	}
}

func TestNewPayment(t *testing.T) {
	t.Parallel()
	today := calendar.MustParse("2026-03-10")
	ten := decimal.NewFromInt(10)
	tests := []struct {
		name    string
		in      PaymentRequest
		amount  decimal.Decimal
		custCur string
		want    []string
		wantAcc string
		wantCur string
	}{
		{"accounting currency by default", PaymentRequest{}, ten, "", nil, "10.00", "EUR"},
		{"customer's currency at a rate", PaymentRequest{ExchangeRate: "0.9"}, ten, "USD", nil, "9.00", "USD"},
		{"foreign currency needs a rate", PaymentRequest{Currency: "usd"}, ten, "", []string{"exchange_rate"}, "", ""},
		{"rate must be positive", PaymentRequest{Currency: "USD", ExchangeRate: "0"}, ten, "", []string{"exchange_rate"}, "", ""},
		{"rate 1 only in the accounting currency", PaymentRequest{ExchangeRate: "2"}, ten, "", []string{"exchange_rate"}, "", ""},
		{"rate 1 given is fine", PaymentRequest{ExchangeRate: "1.0"}, ten, "", nil, "10.00", "EUR"},
		{"unknown currency, too many decimals, future", PaymentRequest{Currency: "XXY", ExchangeRate: "1", Date: today.AddDays(1)}, ten, "", []string{"currency", "date"}, "", ""},
		{"too many decimals", PaymentRequest{Currency: "JPY", ExchangeRate: "0.006"}, decimal.RequireFromString("1.5"), "", []string{"amount"}, "", ""},
	}
	for _, tt := range tests {
		p, err := NewPayment("pay_1", tt.in, tt.amount, tt.custCur, eur, today)
		if got := fields(err); len(got) != len(tt.want) {
			t.Errorf("%s: fields %v (%v), want %v", tt.name, got, err, tt.want)
			continue
		}
		if err != nil {
			continue
		}
		if p.AmountAccounting.StringFixed() != tt.wantAcc || p.Amount.Currency().Code() != tt.wantCur || p.Date != today || !p.Unapplied.Equal(p.Amount) {
			t.Errorf("%s: payment %+v", tt.name, p)
		}
	}
}

func TestRefundAmount(t *testing.T) {
	t.Parallel()
	pay := usdPayment("100")
	pay.Refunded = u("30")
	full := usdPayment("10")
	full.Refunded = u("10")
	tests := []struct {
		name   string
		pay    Payment
		amount string
		want   string
		code   fail.Code
	}{
		{"all that is left by default", pay, "", "70", ""},
		{"part", pay, "20.50", "20.50", ""},
		{"not a decimal", pay, "x", "", fail.Invalid},
		{"not positive", pay, "0", "", fail.Invalid},
		{"more than refundable", pay, "70.01", "", fail.Invalid},
		{"too many decimals", pay, "1.001", "", fail.Invalid},
		{"refunded in full", full, "", "", fail.Conflict},
	}
	for _, tt := range tests {
		got, err := RefundAmount(tt.pay, tt.amount)
		if fail.CodeOf(err) != tt.code {
			t.Errorf("%s: err %v, want %q", tt.name, err, tt.code)
		} else if err == nil && !got.Equal(u(tt.want)) {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
	if r, err := CheckRefundReason("  duplicate  "); err != nil || r != "duplicate" {
		t.Errorf("reason = %q, %v", r, err)
	}
	if _, err := CheckRefundReason(string(make([]byte, 501))); fail.CodeOf(err) != fail.Invalid {
		t.Errorf("long reason: %v", err)
	}
}
