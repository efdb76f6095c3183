// Package customfield defines the custom fields of a tenant's invoices and
// customers: the rule of their keys, and the definitions that give a key a
// label in each language and say whether documents print it.
package customfield

import (
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/messages"
)

// The records a definition applies to.
const (
	Invoice  = "invoice"
	Customer = "customer"
)

// MaxLabel bounds a custom field's label in one language.
const MaxLabel = 80

var keyRule = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// ValidKey reports whether k is a custom field key: lower-case letters,
// digits and _, at most 40, starting with a letter.
func ValidKey(k string) bool { return keyRule.MatchString(k) }

// Def defines one key of the free custom fields (custom_fields)
// of a tenant's invoices or customers: its label in each language, whether
// documents print it, and its place among the others. A key without a
// definition still shows, under the key itself.
type Def struct {
	Key       string `json:"key"`
	AppliesTo string `json:"applies_to"` // Invoice or Customer
	// Labels holds the label by language (en, es, pt-BR); at least one. A
	// language without one falls back to the others (Label).
	Labels          map[string]string `json:"labels"`
	ShowOnDocuments bool              `json:"show_on_documents"`
	Position        int               `json:"position"`
	CreatedAt       time.Time         `json:"created_at"`
	UpdatedAt       time.Time         `json:"updated_at"`
}

// Normalize trims and validates d, naming every field at fault: the label
// of language l is the field "labels.l".
func (d *Def) Normalize() error {
	var c fail.Collector
	d.Key = strings.TrimSpace(d.Key)
	if !ValidKey(d.Key) {
		c.Add("key", "use lower-case letters, digits and _ (at most 40, starting with a letter)")
	}
	if d.AppliesTo != Invoice && d.AppliesTo != Customer {
		c.Add("applies_to", "use invoice or customer")
	}
	labels, bad := map[string]string{}, false
	keys := make([]string, 0, len(d.Labels))
	for l := range d.Labels {
		keys = append(keys, l)
	}
	slices.Sort(keys)
	for _, l := range keys {
		v := strings.TrimSpace(d.Labels[l])
		lang, ok := messages.ParseLanguage(l)
		switch {
		case !ok:
			c.Add("labels."+l, "%q is not supported: use one of %s", l, strings.Join(messages.Languages, ", "))
			bad = true
		case len([]rune(v)) > MaxLabel:
			c.Add("labels."+lang, "at most %d characters", MaxLabel)
			bad = true
		case v != "":
			labels[lang] = v
		}
	}
	if len(labels) == 0 && !bad {
		c.Add("labels.en", "give the label in at least one language")
	}
	d.Labels = labels
	if d.Position < 0 || d.Position > 9999 {
		c.Add("position", "use a number from 0 to 9999")
	}
	return c.Err()
}

// Label is d's label in lang, else in the first of the catalog's
// languages that has one, else the key.
func (d Def) Label(lang string) string {
	if v := d.Labels[lang]; v != "" {
		return v
	}
	for _, l := range messages.Languages {
		if v := d.Labels[l]; v != "" {
			return v
		}
	}
	return d.Key
}

// Labeled is one custom field's value with the label it shows under.
type Labeled struct {
	Key, Label, Value string
}

// LabelFields lists the custom fields of one record of kind appliesTo with
// their labels in lang: the defined keys in the definitions' order
// (Position, then key), then the keys without a definition, sorted, under
// the key itself. With onDocuments it keeps what documents print: the
// definitions flagged ShowOnDocuments and the keys without one.
func LabelFields(defs []Def, appliesTo string, fields map[string]string, lang string, onDocuments bool) []Labeled {
	if len(fields) == 0 {
		return nil
	}
	defined := make([]Def, 0, len(defs))
	for _, d := range defs {
		if d.AppliesTo == appliesTo {
			defined = append(defined, d)
		}
	}
	Sort(defined)
	out := make([]Labeled, 0, len(fields))
	seen := map[string]bool{}
	for _, d := range defined {
		v, ok := fields[d.Key]
		seen[d.Key] = true
		if !ok || (onDocuments && !d.ShowOnDocuments) {
			continue
		}
		out = append(out, Labeled{Key: d.Key, Label: d.Label(lang), Value: v})
	}
	var rest []string
	for k := range fields {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	for _, k := range rest {
		out = append(out, Labeled{Key: k, Label: k, Value: fields[k]})
	}
	return out
}

// Sort orders definitions as they are shown: by record kind,
// position, then key.
func Sort(defs []Def) {
	slices.SortFunc(defs, func(a, b Def) int {
		if c := strings.Compare(a.AppliesTo, b.AppliesTo); c != 0 {
			return -c // invoice before customer
		}
		if a.Position != b.Position {
			return a.Position - b.Position
		}
		return strings.Compare(a.Key, b.Key)
	})
}
