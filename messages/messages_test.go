package messages_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/documents"
	"github.com/facturo/facturo/email"
	"github.com/facturo/facturo/messages"
)

// TestEveryKeyInEveryLanguage: each key has a text in en, es and pt-BR,
// with the same format verbs (so Format never prints %!d(MISSING)).
func TestEveryKeyInEveryLanguage(t *testing.T) {
	t.Parallel()
	keys := messages.Keys()
	if len(keys) < 300 {
		t.Fatalf("only %d keys: the catalog lost its tables", len(keys))
	}
	verbs := regexp.MustCompile(`%[-+# 0]*[0-9]*(?:\.[0-9]+)?[a-zA-Z%]`)
	for _, k := range keys {
		var first []string
		for i, lang := range messages.Languages {
			s, ok := messages.Lookup(lang, k)
			if !ok || strings.TrimSpace(s) == "" {
				t.Errorf("%q has no %s text", k, lang)
				continue
			}
			v := verbs.FindAllString(s, -1)
			if i == 0 {
				first = v
			} else if !slices.Equal(v, first) {
				t.Errorf("%q: %s has verbs %v, en has %v", k, lang, v, first)
			}
		}
	}
}

func TestLanguageAndFallback(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ tag, want string }{
		{"en", "en"}, {"es", "es"}, {"es-ES", "es"}, {"ES_mx", "es"}, {"pt-BR", "pt-BR"}, {"pt", "pt-BR"},
		{" PT-br ", "pt-BR"}, {"fr", "en"}, {"", "en"}, {"en-GB", "en"},
	} {
		if got := messages.Language(c.tag); got != c.want {
			t.Errorf("Language(%q) = %q, want %q", c.tag, got, c.want)
		}
	}
	for _, c := range []struct{ lang, key, want string }{
		{"es", "status.void", "Anulada"},
		{"pt-BR", "status.void", "Anulada"},
		{"fr", "status.void", "Void"},
		{"", "status.past_due", "Past due"},
		{"pt", "status.closed", "Fechada"},
		{"es", "no.such.key", "no.such.key"},
	} {
		if got := messages.Text(c.lang, c.key); got != c.want {
			t.Errorf("Text(%q, %q) = %q, want %q", c.lang, c.key, got, c.want)
		}
	}
	if got := messages.Format("es", "run.skipped_n", 3); got != "Grupos sin facturar: 3" {
		t.Errorf("Format: %q", got)
	}
	if got := messages.Format("de", "doc.page_of", 2, 5); got != "Page 2 of 5" {
		t.Errorf("Format falls back to English: %q", got)
	}
	if _, ok := messages.Lookup("fr", "status.void"); ok {
		t.Error("Lookup falls back; it must not")
	}
	if got := messages.Month("pt-BR", time.February); got != "fev" {
		t.Errorf("Month: %q", got)
	}
	if got := messages.Month("en", 13); got != "" {
		t.Errorf("Month(13): %q", got)
	}
}

// TestEveryStatusAndChargeTypeHasALabel: each invoice status and charge type
// has its own label in every language.
func TestEveryStatusAndChargeTypeHasALabel(t *testing.T) {
	t.Parallel()
	for _, lang := range messages.Languages {
		seen := map[string]billing.Status{}
		for _, s := range billing.Statuses {
			l, ok := messages.Lookup(lang, messages.StatusKey(s))
			if !ok {
				t.Errorf("status %s has no %s label", s, lang)
				continue
			}
			if other, dup := seen[l]; dup {
				t.Errorf("%s: statuses %s and %s both read %q", lang, other, s, l)
			}
			seen[l] = s
			if messages.Status(lang, s) != l {
				t.Errorf("Status(%s, %s) = %q, want %q", lang, s, messages.Status(lang, s), l)
			}
		}
		for _, c := range billing.ChargeTypes {
			if _, ok := messages.Lookup(lang, messages.ChargeKey(c)); !ok {
				t.Errorf("charge type %s has no %s label", c, lang)
			}
		}
	}
}

// TestStatusReadsAlikeInEmailAndDocuments: an invoice status in an email's
// subject and on a document's print view is the catalog's label (the web
// reads the catalog directly: web.T).
func TestStatusReadsAlikeInEmailAndDocuments(t *testing.T) {
	t.Parallel()
	for _, lang := range messages.Languages {
		for _, s := range billing.Statuses {
			label := messages.Status(lang, s)
			r, err := email.Render(email.Message{Kind: email.InvoiceStatusChanged, Language: lang,
				Fields: map[string]string{"number": "F-1", "status": string(s), "from": string(billing.Open)}})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasSuffix(r.Subject, " "+label) || !strings.Contains(r.Text, label) {
				t.Errorf("%s email for %s: subject %q, want it to end in %q", lang, s, r.Subject, label)
			}
			d := &documents.Doc{Language: lang, Invoice: billing.Invoice{ID: "inv_1", Kind: billing.KindInvoice, Status: s,
				Number: "F-1", Currency: "EUR"}, Tenant: billing.Tenant{Name: "Acme", Currency: "EUR"}}
			var b bytes.Buffer
			if err := documents.PrintHTML(&b, d); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(b.String(), ">"+label+"<") {
				t.Errorf("%s print view of a %s invoice lacks %q", lang, s, label)
			}
		}
	}
}

// tables are the catalog's own files, left out of the scan for uses: every
// file of the package but messages.go, which builds keys it uses itself.
var tables = func() map[string]bool {
	out := map[string]bool{}
	names, _ := filepath.Glob("*.go")
	for _, n := range names {
		if n != "messages.go" && !strings.HasSuffix(n, "_test.go") {
			out[n] = true
		}
	}
	return out
}()

// TestNoKeyUnused: every key is used somewhere in the module: written out as
// a string literal ("invoice.title", {{t .Lang "invoice.title"}}), or built
// from a literal prefix ending in a dot ("status." + s, printf "charge.%s",
// "email.subject." + kind) whose rest appears in the code as a word.
func TestNoKeyUnused(t *testing.T) {
	t.Parallel()
	literal := regexp.MustCompile(`"([A-Za-z0-9_.\-]+)"`)
	used, prefixes := map[string]bool{}, map[string]bool{}
	var code bytes.Buffer
	err := filepath.WalkDir("..", func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() {
			if n := e.Name(); n == ".git" || n == "testdata" || n == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		n := e.Name()
		if strings.HasSuffix(n, "_test.go") || !(strings.HasSuffix(n, ".go") || strings.HasSuffix(n, ".html")) {
			return nil
		}
		if filepath.Base(filepath.Dir(p)) == "messages" && tables[n] {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		code.Write(b)
		code.WriteByte('\n')
		for _, m := range literal.FindAllSubmatch(b, -1) {
			used[string(m[1])] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Prefixes: "status." + …, and Sprintf/printf patterns "error.%d".
	for _, m := range regexp.MustCompile(`"([a-z0-9_.]+\.)(?:%[a-z]"|"\s*\+)`).FindAllSubmatch(code.Bytes(), -1) {
		prefixes[string(m[1])] = true
	}
	if len(used) < 300 || !prefixes["status."] || !prefixes["email.subject."] {
		t.Fatalf("the scan found %d literals and prefixes %v: it is broken", len(used), prefixes)
	}
	text := code.String()
	for _, k := range messages.Keys() {
		if used[k] {
			continue
		}
		found := false
		for p := range prefixes {
			rest, ok := strings.CutPrefix(k, p)
			if ok && rest != "" && regexp.MustCompile(`\b`+regexp.QuoteMeta(rest)+`\b`).MatchString(text) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("key %q is not used anywhere", k)
		}
	}
}

// TestErrorInEveryLanguage: an error message made from a format reads in
// the reader's language, and in English where the catalog lacks the format.
func TestErrorInEveryLanguage(t *testing.T) {
	t.Parallel()
	for lang, want := range map[string]string{"en": "is required", "es": "es obligatorio", "pt-BR": "é obrigatório"} {
		if got := messages.Error(lang, "is required"); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
	if got := messages.Error("es", "no such format %d", 7); got != "no such format 7" {
		t.Errorf("untranslated format: %q", got)
	}
}

// wrapped is an error that keeps its message before formatting, as
// fail.Error does.
type wrapped struct {
	format string
	args   []any
}

func (w wrapped) Error() string                  { return fmt.Sprintf(w.format, w.args...) }
func (w wrapped) MessageFormat() (string, []any) { return w.format, w.args }

// TestErrorWrappingAnError: a message that wraps an error with %v is
// written whole in the reader's language when the inner error keeps its
// format; an error that only wraps one keeps its own words.
func TestErrorWrappingAnError(t *testing.T) {
	t.Parallel()
	inner := wrapped{"%q is not a date in the form 2026-01-31", []any{"31/02"}}
	if got, want := messages.Error("es", "%v", inner), `"31/02" no es una fecha con la forma 2026-01-31`; got != want {
		t.Errorf("es: %q, want %q", got, want)
	}
	if got, want := messages.Error("en", "%v", inner), inner.Error(); got != want {
		t.Errorf("en: %q, want %q", got, want)
	}
	outer := fmt.Errorf("line 3: %w", inner)
	if got := messages.Error("es", "%v", outer); got != outer.Error() {
		t.Errorf("an error wrapping one: %q, want its own words %q", got, outer.Error())
	}
}
