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

	"github.com/facturo/facturo/calendar"
)

// Languages are the languages the catalog holds, in the order of its texts:
// the languages documents, emails and pages are written in, and the only
// ones a user, customer or tenant may choose.
var Languages = []string{"en", "es", "pt-BR"}

// Language maps a language tag to one the catalog holds: es… → es,
// pt… → pt-BR, anything else (en…, unknown, empty) → en. It is lenient, for
// choosing what to show; ParseLanguage is strict, for checking input.
func Language(tag string) string {
	if l, ok := matchTag(tag); ok {
		return l
	}
	return "en"
}

// matchTag maps a language tag by its prefix: es… → es, pt… → pt-BR,
// en… → en; false for any other tag.
func matchTag(tag string) (string, bool) {
	l := strings.ToLower(strings.TrimSpace(tag))
	switch {
	case strings.HasPrefix(l, "es"):
		return "es", true
	case strings.HasPrefix(l, "pt"):
		return "pt-BR", true
	case strings.HasPrefix(l, "en"):
		return "en", true
	}
	return "", false
}

// ParseLanguage checks a language someone chose (a user's, a customer's, a
// tenant's, a document's): it accepts en, es and pt-BR in any case, pt and
// pt_BR as pt-BR, and returns the tag as Languages spells it; false for any
// other value, a regional variant such as en-US or pt-PT included.
func ParseLanguage(s string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "en":
		return "en", true
	case "es":
		return "es", true
	case "pt", "pt-br", "pt_br":
		return "pt-BR", true
	}
	return "", false
}

// AcceptLanguage is the language to show a visitor who is not signed in,
// read from an HTTP Accept-Language header: the first of its tags, in the
// order written (weights are not read), that matches one the catalog holds
// by prefix (es…, pt…, en…); en when none does.
func AcceptLanguage(header string) string {
	for part := range strings.SplitSeq(header, ",") {
		tag, _, _ := strings.Cut(part, ";")
		if l, ok := matchTag(tag); ok {
			return l
		}
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

// Status is the label of an invoice status (a billing.Status) in lang
// ("Void", "Anulada"). It takes any string type so that billing, which
// checks languages with ParseLanguage, can import this package.
func Status[S ~string](lang string, s S) string {
	return Text(lang, StatusKey(s))
}

// StatusKey is the key of an invoice status's label.
func StatusKey[S ~string](s S) string { return "status." + string(s) }

// Charge is the label of a charge type (a billing.ChargeType) in lang
// ("One-time", "Único").
func Charge[C ~string](lang string, c C) string {
	return Text(lang, ChargeKey(c))
}

// ChargeKey is the key of a charge type's label.
func ChargeKey[C ~string](c C) string { return "charge." + string(c) }

// Unit is the label of a unit of quantity in lang ("month" → "mes"): the
// catalog's unit.<unit> when it has one, else the unit as written (a
// line's unit is free text).
func Unit(lang, unit string) string {
	if unit == "" || !Has("unit."+unit) {
		return unit
	}
	return Text(lang, "unit."+unit)
}

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

// Date writes d with its month's short name, as emails do: "5 Mar 2026"
// (en), "5 mar 2026" (es), "5 de mar. de 2026" (pt-BR); "" for the zero
// date.
func Date(lang string, d calendar.Date) string {
	if d.IsZero() {
		return ""
	}
	return Format(lang, "date.medium", d.Day, Month(lang, d.Month), d.Year)
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
	for _, table := range []map[string][3]string{console, documentTexts, emailTexts, customerTexts, editorTexts, settingsTexts,
		salesItemTexts, portalTexts, cardTexts, labelTexts, chargeTexts} {
		for k, v := range table {
			if _, dup := out[k]; dup {
				panic("messages: key " + k + " defined twice")
			}
			out[k] = v
		}
	}
	return out
}()
