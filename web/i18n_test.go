package web

import (
	"testing"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/messages"
)

// TestStatusLabelIsTheCatalogs: the console's status badge reads the one
// catalog's label, as emails and documents do.
func TestStatusLabelIsTheCatalogs(t *testing.T) {
	t.Parallel()
	status := funcs["status"].(func(string, any) string)
	for _, lang := range messages.Languages {
		for _, s := range billing.Statuses {
			want, ok := messages.Lookup(lang, messages.StatusKey(s))
			if !ok {
				t.Fatalf("no %s label for %s", lang, s)
			}
			if got := status(lang, s); got != want {
				t.Errorf("%s %s: badge %q, catalog %q", lang, s, got, want)
			}
		}
	}
}
