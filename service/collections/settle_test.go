package collections

import (
	"context"
	"testing"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/fail"
)

// TestSettleRefusesUnknownCurrency refuses an unknown currency before any
// transaction, naming the field and the code given.
func TestSettleRefusesUnknownCurrency(t *testing.T) {
	t.Parallel()
	finance := access.Principal{TenantID: "t1", UserID: "u2", Role: access.Finance, Name: "F"}
	for code, want := range map[string]string{
		"XYZ":  `currency: unknown currency "XYZ": use an ISO 4217 code such as EUR or USD`,
		"xyz ": `currency: unknown currency "XYZ": use an ISO 4217 code such as EUR or USD`,
		"EURO": `currency: unknown currency "EURO": use an ISO 4217 code such as EUR or USD`,
	} {
		t.Run(code, func(t *testing.T) {
			t.Parallel()
			_, err := refusingService(t).Settle(context.Background(), finance, SettleInput{CustomerID: "c", Currency: code})
			e, ok := fail.As(err)
			if !ok || e.Code != fail.Invalid || len(e.Fields) != 1 || e.Fields[0].Field != "currency" {
				t.Fatalf("Settle(%q) = %v, want an invalid currency field", code, err)
			}
			if err.Error() != want {
				t.Errorf("Settle(%q) error %q, want %q", code, err, want)
			}
		})
	}
}
