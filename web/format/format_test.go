package format_test

import (
	"testing"

	"github.com/facturo/facturo/web/format"
)

// TestCount groups thousands as each language writes them.
func TestCount(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		lang string
		n    int
		want string
	}{
		{"en", 0, "0"}, {"en", 999, "999"}, {"en", 1000, "1,000"}, {"en", 1234567, "1,234,567"},
		{"es", 1000000, "1.000.000"}, {"pt-BR", 12345, "12.345"}, {"es", -4500, "-4.500"}, {"fr", 1000, "1,000"},
	} {
		if got := format.Count(tt.lang, tt.n); got != tt.want {
			t.Errorf("Count(%s, %d) = %q, want %q", tt.lang, tt.n, got, tt.want)
		}
	}
}
