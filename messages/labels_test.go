package messages_test

import (
	"testing"

	"github.com/facturo/facturo/messages"
)

// TestUnit: a unit the catalog knows reads in the language; any other
// as written.
func TestUnit(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ lang, unit, want string }{
		{"es", "month", "mes"},
		{"pt-BR", "month", "mês"},
		{"en", "seat", "seat"},
		{"es", "seat", "puesto"},
		{"es", "h", "h"},
		{"es", "caja", "caja"},
		{"pt-BR", "", ""},
	} {
		if got := messages.Unit(c.lang, c.unit); got != c.want {
			t.Errorf("Unit(%s, %q) = %q, want %q", c.lang, c.unit, got, c.want)
		}
	}
}
