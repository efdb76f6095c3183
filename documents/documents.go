// Package documents renders stored invoices and credit notes as the files
// people and machines read: PDF, CSV and detailed CSV, a print view in HTML
// and UBL 2.1 e-invoices (EN 16931, Peppol BIS Billing 3.0).
//
// Every output is a pure function of a stored document and its context (the
// tenant, its branding, the preceding invoice of a credit note): no database,
// HTTP or clock. Outputs only read the amounts billing computed and stored,
// so they always show the same numbers as the API and the ledger.
package documents

import (
	"fmt"
	"strings"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/customfield"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/messages"
)

// Branding is how a tenant's documents look: logo, colours and the payment
// instructions printed under the totals.
type Branding struct {
	Logo                []byte `json:"-"`
	LogoType            string `json:"logo_type"`     // image/png or image/jpeg; empty without a logo
	PrimaryColor        string `json:"primary_color"` // #RRGGBB: title, table header
	AccentColor         string `json:"accent_color"`  // #RRGGBB: rules and highlights
	PaymentInstructions string `json:"payment_instructions"`
	// IBAN and BIC are the account customers pay into (UBL PaymentMeans).
	IBAN string `json:"iban"`
	BIC  string `json:"bic"`
	// Email and Phone are the seller's contact on documents.
	Email string `json:"email"`
	Phone string `json:"phone"`
}

// Limits of branding.
const (
	MaxLogoBytes         = 512 << 10
	MaxInstructionsChars = 2000
)

// Default colours.
const (
	DefaultPrimary = "#1F4E79"
	DefaultAccent  = "#D9E2F3"
)

// Normalize trims and validates b, naming every field at fault.
func (b *Branding) Normalize() error {
	var c fail.Collector
	for _, f := range []*string{&b.PrimaryColor, &b.AccentColor, &b.PaymentInstructions, &b.IBAN, &b.BIC, &b.Email, &b.Phone} {
		*f = strings.TrimSpace(*f)
	}
	if b.PrimaryColor != "" {
		if _, ok := parseColor(b.PrimaryColor); !ok {
			c.Add("primary_color", "%q is not a colour: use #RRGGBB, for example #1F4E79", b.PrimaryColor)
		}
	}
	if b.AccentColor != "" {
		if _, ok := parseColor(b.AccentColor); !ok {
			c.Add("accent_color", "%q is not a colour: use #RRGGBB, for example #D9E2F3", b.AccentColor)
		}
	}
	if n := len([]rune(b.PaymentInstructions)); n > MaxInstructionsChars {
		c.Add("payment_instructions", "is %d characters long: at most %d", n, MaxInstructionsChars)
	}
	b.IBAN = strings.ToUpper(strings.ReplaceAll(b.IBAN, " ", ""))
	if b.IBAN != "" && !validIBAN(b.IBAN) {
		c.Add("iban", "%q is not a valid IBAN (check the country code and check digits)", b.IBAN)
	}
	if len(b.BIC) > 11 {
		c.Add("bic", "at most 11 characters")
	}
	if len(b.Phone) > 40 {
		c.Add("phone", "at most 40 characters")
	}
	if b.Email != "" && !billing.ValidEmail(b.Email) {
		c.Add("email", "%q is not an email address", b.Email)
	}
	return c.Err()
}

// CheckLogo validates a logo upload: PNG or JPEG, detected from its bytes,
// at most MaxLogoBytes. It returns the content type.
func CheckLogo(data []byte) (string, error) {
	if len(data) == 0 {
		return "", fail.Field("logo", "is empty: upload a PNG or JPEG image")
	}
	if len(data) > MaxLogoBytes {
		return "", fail.Field("logo", "is %d bytes: at most %d (512 KiB)", len(data), MaxLogoBytes)
	}
	switch {
	case len(data) > 8 && string(data[:8]) == "\x89PNG\r\n\x1a\n":
		return "image/png", nil
	case len(data) > 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF:
		return "image/jpeg", nil
	}
	return "", fail.Field("logo", "is not a PNG or JPEG image")
}

// validIBAN checks an IBAN's shape and its ISO 13616 mod-97 check digits.
func validIBAN(s string) bool {
	if len(s) < 15 || len(s) > 34 {
		return false
	}
	r := s[4:] + s[:4]
	mod := 0
	for i := 0; i < len(r); i++ {
		ch := r[i]
		switch {
		case ch >= '0' && ch <= '9':
			mod = (mod*10 + int(ch-'0')) % 97
		case ch >= 'A' && ch <= 'Z':
			v := int(ch-'A') + 10
			mod = (mod*100 + v) % 97
		default:
			return false
		}
	}
	return mod == 1
}

// parseColor parses #RRGGBB.
func parseColor(s string) ([3]uint8, bool) {
	var rgb [3]uint8
	if len(s) != 7 || s[0] != '#' {
		return rgb, false
	}
	for i := 0; i < 3; i++ {
		var v uint8
		for _, ch := range []byte(s[1+2*i : 3+2*i]) {
			var d byte
			switch {
			case ch >= '0' && ch <= '9':
				d = ch - '0'
			case ch >= 'a' && ch <= 'f':
				d = ch - 'a' + 10
			case ch >= 'A' && ch <= 'F':
				d = ch - 'A' + 10
			default:
				return rgb, false
			}
			v = v*16 + d
		}
		rgb[i] = v
	}
	return rgb, true
}

// color returns s as RGB, or the fallback when s is empty or invalid.
func color(s, fallback string) [3]uint8 {
	if c, ok := parseColor(s); ok {
		return c
	}
	c, _ := parseColor(fallback)
	return c
}

// Preceding names the invoice a credit note credits.
type Preceding struct {
	Number string
	Date   calendar.Date
}

// Doc is everything a rendering reads: the stored document and its context.
type Doc struct {
	Invoice  billing.Invoice
	Tenant   billing.Tenant
	Branding Branding
	// Preceding is the invoice a credit note credits (its OriginalID).
	Preceding *Preceding
	// Language overrides the document's language (en, es, pt-BR); empty
	// uses the document's, then the tenant's.
	Language string
	// CustomFields are the tenant's custom field definitions: an invoice's
	// custom field prints under its label when its definition says so, and
	// under its key without a definition.
	CustomFields []customfield.Def
}

// customFields are the custom fields the document prints, labeled in lang.
func (d *Doc) customFields(lang string) []customfield.Labeled {
	return customfield.LabelFields(d.CustomFields, customfield.Invoice, d.Invoice.CustomFields, lang, true)
}

// lang returns the language to render d in.
func (d *Doc) lang() string {
	for _, l := range []string{d.Language, d.Invoice.Language, d.Tenant.Language} {
		if n, ok := messages.ParseLanguage(l); ok {
			return n
		}
	}
	return "en"
}

// Number is the number printed on the document: the legal number once
// issued, the document ID of a draft (seed 000).
func Number(inv billing.Invoice) string {
	if inv.Number != "" {
		return inv.Number
	}
	return inv.DocumentNumber
}

// Filename is a safe download file name for inv with the extension ext.
func Filename(inv billing.Invoice, ext string) string {
	kind := "invoice"
	if inv.Kind == billing.KindCreditNote {
		kind = "credit-note"
	}
	var b strings.Builder
	for _, r := range Number(inv) {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	return fmt.Sprintf("%s-%s.%s", kind, b.String(), ext)
}
