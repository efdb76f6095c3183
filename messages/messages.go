// Package messages is Facturo's one message catalog: every text the
// console, the portal, the emails and the documents show, in English,
// Spanish and Brazilian Portuguese. Keys are dotted strings ("status.void",
// "doc.bill_to", "email.subject.invoice.published"); a key's text is the same
// wherever it is shown, so an invoice status reads alike on a page, in an
// email and on a PDF. Pure Go, no I/O.
package messages

import (
	"fmt"
	"strings"
	"time"

	"github.com/facturo/facturo/billing"
)

// Languages are the languages the catalog holds, in the order of its texts.
var Languages = []string{"en", "es", "pt-BR"}

// Language maps a language tag to one the catalog holds: es… → es,
// pt… → pt-BR, anything else (en…, unknown, empty) → en.
func Language(tag string) string {
	l := strings.ToLower(strings.TrimSpace(tag))
	switch {
	case strings.HasPrefix(l, "es"):
		return "es"
	case strings.HasPrefix(l, "pt"):
		return "pt-BR"
	}
	return "en"
}

func index(lang string) int {
	switch Language(lang) {
	case "es":
		return 1
	case "pt-BR":
		return 2
	}
	return 0
}

// Has reports whether key is in the catalog.
func Has(key string) bool {
	_, ok := catalog[key]
	return ok
}

// Text returns the text of key in lang (see Language), the English text
// when lang has none, and the key itself when the catalog lacks it, so a
// missing message shows on the page instead of an empty space.
func Text(lang, key string) string {
	m, ok := catalog[key]
	if !ok {
		return key
	}
	if s := m[index(lang)]; s != "" {
		return s
	}
	return m[0]
}

// Format formats the text of key in lang with args (fmt.Sprintf verbs).
func Format(lang, key string, args ...any) string {
	return fmt.Sprintf(Text(lang, key), args...)
}

// Status is the label of an invoice status in lang ("Void", "Anulada").
func Status(lang string, s billing.Status) string {
	return Text(lang, StatusKey(s))
}

// StatusKey is the key of an invoice status's label.
func StatusKey(s billing.Status) string { return "status." + string(s) }

// Charge is the label of a charge type in lang ("One-time", "Único").
func Charge(lang string, c billing.ChargeType) string {
	return Text(lang, ChargeKey(c))
}

// ChargeKey is the key of a charge type's label.
func ChargeKey(c billing.ChargeType) string { return "charge." + string(c) }

// monthKeys are the keys of the months' short names, January first.
var monthKeys = [12]string{"month.jan", "month.feb", "month.mar", "month.apr", "month.may", "month.jun",
	"month.jul", "month.aug", "month.sep", "month.oct", "month.nov", "month.dec"}

// Month is the short name of month m in lang ("Mar", "mar"); "" for a
// month out of range.
func Month(lang string, m time.Month) string {
	if m < time.January || m > time.December {
		return ""
	}
	return Text(lang, monthKeys[m-1])
}

// Keys lists every key of the catalog (unsorted).
func Keys() []string {
	out := make([]string, 0, len(catalog))
	for k := range catalog {
		out = append(out, k)
	}
	return out
}

// Lookup returns the text of key in exactly lang (one of Languages), without
// falling back, and whether there is one.
func Lookup(lang, key string) (string, bool) {
	m, ok := catalog[key]
	if !ok {
		return "", false
	}
	for i, l := range Languages {
		if l == lang {
			return m[i], m[i] != ""
		}
	}
	return "", false
}

// catalog holds every message: key → English, Spanish, Portuguese (Brazil).
// It is put together from the tables of the console and portal, the
// documents and the emails; a key in two tables is a programming error.
var catalog = func() map[string][3]string {
	out := map[string][3]string{}
	for _, table := range []map[string][3]string{console, documentTexts, emailTexts} {
		for k, v := range table {
			if _, dup := out[k]; dup {
				panic("messages: key " + k + " defined twice")
			}
			out[k] = v
		}
	}
	return out
}()
