package bookkeeping_test

import (
	"testing"

	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/service/bookkeeping"
)

// TestNoRateOf: the reason a run gives for a group without an exchange
// rate reads back into its currency and date; other texts do not.
func TestNoRateOf(t *testing.T) {
	t.Parallel()
	d := calendar.New(2026, 10, 31)
	cur, got, ok := bookkeeping.NoRateOf(bookkeeping.NoRateReason("JPY", d))
	if !ok || cur != "JPY" || got != d {
		t.Errorf("NoRateOf(NoRateReason(JPY, %s)) = %q, %s, %v", d, cur, got, ok)
	}
	for _, s := range []string{"", "no exchange rate for JPY on 2026-10-31", "no exchange rate for JPY on someday: add one", "customer on hold"} {
		if _, _, ok := bookkeeping.NoRateOf(s); ok {
			t.Errorf("NoRateOf(%q) reads a reason", s)
		}
	}
}
