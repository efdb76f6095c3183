// Package billing holds Facturo's billing domain: tenants, customers and
// (in later files) invoices and sales items, with their rules. Pure Go: it
// imports no storage, HTTP or job code.
package billing

import (
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"

	"github.com/facturo/facturo/customfield"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/messages"
	"github.com/facturo/facturo/money"
)

// Languages are the languages documents and emails are written in: the
// catalog's, messages.Languages (the same slice), kept here for callers in
// service.
var Languages = messages.Languages

// Address is a postal address. Country is an ISO 3166-1 alpha-2 code.
type Address struct {
	Line1      string `json:"line1"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city"`
	Region     string `json:"region,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
	Country    string `json:"country"`
}

// IsComplete reports whether the address can go on an invoice.
func (a Address) IsComplete() bool { return len(a.missing("")) == 0 }

// missing names the fields, under prefix, that keep a from being complete:
// line 1, city and country.
func (a Address) missing(prefix string) []string {
	var out []string
	for _, f := range []struct{ name, v string }{{"line1", a.Line1}, {"city", a.City}, {"country", a.Country}} {
		if strings.TrimSpace(f.v) == "" {
			out = append(out, prefix+"."+f.name)
		}
	}
	return out
}

func (a *Address) normalize(prefix string, c *fail.Collector) {
	for _, f := range []*string{&a.Line1, &a.Line2, &a.City, &a.Region, &a.PostalCode, &a.Country} {
		*f = strings.TrimSpace(*f)
	}
	checkText(c, prefix+".line1", a.Line1, 200)
	checkText(c, prefix+".line2", a.Line2, 200)
	checkText(c, prefix+".city", a.City, 100)
	checkText(c, prefix+".region", a.Region, 100)
	checkText(c, prefix+".postal_code", a.PostalCode, 20)
	if a.Country != "" {
		a.Country = strings.ToUpper(a.Country)
		if !ValidCountry(a.Country) {
			c.Add(prefix+".country", "%q is not an ISO 3166-1 alpha-2 country code (for example ES, PT, BR, US)", a.Country)
		}
	}
}

// notAssigned lists codes CLDR knows as regions that ISO 3166-1 only
// reserves (UK, EZ, UN, …) or has withdrawn (YU, SU, …): invoices naming
// them fail EN 16931's country code list.
var notAssigned = []string{"AC", "CP", "DG", "EA", "EZ", "FX", "IC", "TA", "UK", "UN",
	"AN", "BU", "CS", "DD", "NT", "SU", "TP", "YU", "ZR"}

// ValidCountry reports whether code is an ISO 3166-1 alpha-2 country code.
func ValidCountry(code string) bool {
	if len(code) != 2 || slices.Contains(notAssigned, code) {
		return false
	}
	r, err := language.ParseRegion(code)
	return err == nil && r.IsCountry() && r.String() == code
}

// ValidEmail reports whether s is a bare email address (no display name).
func ValidEmail(s string) bool {
	if s == "" || len(s) > 254 || strings.ContainsAny(s, " <>\"") {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && strings.Contains(s[at+1:], ".")
}

// ValidTimeZone reports whether tz is an IANA time zone name.
func ValidTimeZone(tz string) bool {
	if tz == "" || tz == "Local" {
		return false
	}
	_, err := time.LoadLocation(tz)
	return err == nil
}

func checkText(c *fail.Collector, field, v string, max int) { checkTextIn(c, field, "", v, max) }

// CheckText adds to c what is wrong with v as one line of text of at most
// max characters (the rule of every name and description Facturo keeps).
func CheckText(c *fail.Collector, field, v string, max int) { checkTextIn(c, field, "", v, max) }

// checkTextIn is checkText for the field prefix+suffix, which it only builds
// when the text is at fault (Compute checks every line's description).
func checkTextIn(c *fail.Collector, prefix, suffix, v string, max int) {
	if !utf8.ValidString(v) {
		c.Add(prefix+suffix, "must be valid UTF-8 text")
		return
	}
	if utf8.RuneCountInString(v) > max {
		c.Add(prefix+suffix, "must be at most %d characters", max)
	}
	if strings.ContainsFunc(v, func(r rune) bool { return unicode.IsControl(r) && r != '\t' }) {
		c.Add(prefix+suffix, "must not contain control characters or line breaks")
	}
}

func checkRequired(c *fail.Collector, field, v string, max int) {
	if v == "" {
		c.Add(field, "is required")
		return
	}
	checkText(c, field, v, max)
}

func checkCurrency(c *fail.Collector, field string, v *string) {
	if *v == "" {
		return
	}
	*v = strings.ToUpper(strings.TrimSpace(*v))
	if _, err := money.ParseCurrency(*v); err != nil {
		c.Merge("", money.CurrencyFieldError(field, err))
	}
}

func checkLanguage(c *fail.Collector, field string, v *string) {
	if *v == "" {
		return
	}
	lang, ok := messages.ParseLanguage(*v)
	if !ok {
		c.Add(field, "%q is not supported: use one of %s", *v, strings.Join(messages.Languages, ", "))
		return
	}
	*v = lang
}

// MaxCustomFields bounds the custom fields of one record.
const MaxCustomFields = 50

func checkCustomFields(c *fail.Collector, field string, m map[string]string) {
	if len(m) > MaxCustomFields {
		c.Add(field, "at most %d custom fields", MaxCustomFields)
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !customfield.ValidKey(k) {
			c.Add(field+"."+k, "custom field names use lower-case letters, digits and _ (at most 40, starting with a letter)")
			continue
		}
		checkText(c, field+"."+k, m[k], 500)
	}
}
