package messages_test

import (
	"strings"
	"testing"
	"time"

	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/messages"
)

// TestParseLanguage: the strict check of a chosen language accepts the
// catalog's languages in any case (pt and pt_BR as pt-BR) and nothing else.
func TestParseLanguage(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in, want string
		ok       bool
	}{
		{"en", "en", true}, {"EN", "en", true}, {" es ", "es", true}, {"pt", "pt-BR", true},
		{"pt-BR", "pt-BR", true}, {"pt-br", "pt-BR", true}, {"pt_BR", "pt-BR", true}, {"PT", "pt-BR", true},
		{"pt-PT", "", false}, {"fr", "", false}, {"en-US", "", false}, {"es-ES", "", false}, {"", "", false},
	} {
		got, ok := messages.ParseLanguage(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("ParseLanguage(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
	for _, l := range messages.Languages {
		if got, ok := messages.ParseLanguage(l); !ok || got != l {
			t.Errorf("listed language %q parses as %q, %v", l, got, ok)
		}
	}
}

// TestAcceptLanguage: the first tag of the header, in the order written,
// that matches a catalog language by prefix wins; en when none does.
func TestAcceptLanguage(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ header, want string }{
		{"", "en"},
		{"es-ES,es;q=0.9,en;q=0.8", "es"},
		{"pt-BR", "pt-BR"},
		{"PT-pt;q=0.7", "pt-BR"},
		{"fr-FR, de;q=0.9, pt;q=0.5, es;q=0.4", "pt-BR"},
		{"fr, de", "en"},
		{"en-GB,es;q=0.9", "en"},
		{"  es-MX ;q=0.8", "es"},
		{"en;q=0.1, es;q=0.9", "en"}, // weights are not read
		{"*", "en"},
	} {
		if got := messages.AcceptLanguage(c.header); got != c.want {
			t.Errorf("AcceptLanguage(%q) = %q, want %q", c.header, got, c.want)
		}
	}
}

// TestDateInEveryLanguage: Date writes day, the month's short name and year
// in each catalog language, and nothing for the zero date.
func TestDateInEveryLanguage(t *testing.T) {
	t.Parallel()
	d := calendar.Date{Year: 2026, Month: 3, Day: 5}
	want := map[string]string{"en": "5 Mar 2026", "es": "5 mar 2026", "pt-BR": "5 de mar. de 2026"}
	for _, l := range messages.Languages {
		w, ok := want[l]
		if !ok {
			t.Errorf("no expected date for %s: add it", l)
			continue
		}
		if got := messages.Date(l, d); got != w {
			t.Errorf("Date(%s, %s) = %q, want %q", l, d, got, w)
		}
		if got := messages.Date(l, calendar.Date{}); got != "" {
			t.Errorf("Date(%s, zero) = %q, want empty", l, got)
		}
		for m := time.January; m <= time.December; m++ {
			got := messages.Date(l, calendar.Date{Year: 2026, Month: m, Day: 1})
			if name := messages.Month(l, m); name == "" || !strings.Contains(got, " "+name) {
				t.Errorf("Date(%s) of %s = %q, lacks the month's name %q", l, m, got, name)
			}
		}
	}
	if got := messages.Date("fr", d); got != "5 Mar 2026" {
		t.Errorf("Date falls back to English: %q", got)
	}
}
