// Package tax holds sales tax as seed 004's ERP models it: tax codes with a
// rate, an EN 16931 category and a ledger account; a customer's sales tax
// group and an item's item sales tax group; the codes that apply to a line
// are those in both groups. Pure Go.
package tax

import (
	"regexp"
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/fail"
)

// Category is the EN 16931 VAT category code (UNTDID 5305).
type Category string

// The categories.
const (
	Standard       Category = "S"  // standard rate
	ZeroRated      Category = "Z"  // zero rated goods
	Exempt         Category = "E"  // exempt from tax
	ReverseCharge  Category = "AE" // VAT reverse charge
	IntraCommunity Category = "K"  // intra-community supply
	Export         Category = "G"  // export outside the EU
	OutOfScope     Category = "O"  // services outside the scope of tax
	CanaryIslands  Category = "L"  // IGIC
	CeutaMelilla   Category = "M"  // IPSI
)

// Categories lists every category.
var Categories = []Category{Standard, ZeroRated, Exempt, ReverseCharge, IntraCommunity, Export, OutOfScope, CanaryIslands, CeutaMelilla}

// NeedsExemptionReason reports whether documents must state why no tax is charged.
func (c Category) NeedsExemptionReason() bool {
	switch c {
	case Exempt, ReverseCharge, IntraCommunity, Export, OutOfScope:
		return true
	}
	return false
}

// ZeroRate reports whether the category always has a 0 % rate.
func (c Category) ZeroRate() bool {
	switch c {
	case ZeroRated, Exempt, ReverseCharge, IntraCommunity, Export, OutOfScope:
		return true
	}
	return false
}

// ExplicitExemption reports whether c is an explicit exemption: a code
// whose category charges no tax for a stated reason (E, AE, K, G, O) and
// that gives that reason, as text or as a VATEX code. A document line is
// exempt only through such a code applying to it (its item sales tax group
// and the customer's sales tax group both hold it); a line to which no code
// applies is not "exempt", it is untaxed by mistake.
func (c Code) ExplicitExemption() bool {
	return c.Category.NeedsExemptionReason() && (c.ExemptionReason != "" || c.ExemptionReasonCode != "")
}

// Settles reports whether c, as the one code applying to a line, states
// the line's tax: it charges its rate, is zero-rated (Z), or is an explicit
// exemption.
func (c Code) Settles() bool {
	return !c.Category.NeedsExemptionReason() || c.ExplicitExemption()
}

// Code is one tax with its rate (a percentage), category and ledger account.
type Code struct {
	Code                string          `json:"code"`
	Name                string          `json:"name"`
	Rate                decimal.Decimal `json:"rate" money:"-"` // percent, e.g. 21
	Category            Category        `json:"category"`
	Account             string          `json:"account"` // tax payable account
	ExemptionReason     string          `json:"exemption_reason"`
	ExemptionReasonCode string          `json:"exemption_reason_code"` // VATEX code, e.g. VATEX-EU-AE
}

var codePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)

// ValidCode reports whether s can name a tax code or group.
func ValidCode(s string) bool { return codePattern.MatchString(s) }

// Normalize validates a tax code.
func (c *Code) Normalize() error {
	var col fail.Collector
	c.Code, c.Name = strings.TrimSpace(c.Code), strings.TrimSpace(c.Name)
	c.ExemptionReason, c.ExemptionReasonCode = strings.TrimSpace(c.ExemptionReason), strings.TrimSpace(c.ExemptionReasonCode)
	if !ValidCode(c.Code) {
		col.Add("code", "use 1 to 32 letters, digits, '.', '_' or '-'")
	}
	if c.Name == "" {
		col.Add("name", "is required")
	}
	if !slices.Contains(Categories, c.Category) {
		col.Add("category", "%q is not an EN 16931 category: use one of S, Z, E, AE, K, G, O, L, M", c.Category)
	}
	switch {
	case c.Rate.IsNegative() || c.Rate.GreaterThan(decimal.NewFromInt(100)):
		col.Add("rate", "must be a percentage between 0 and 100")
	case c.Rate.Exponent() < -4:
		col.Add("rate", "at most 4 decimals")
	case c.Category.ZeroRate() && !c.Rate.IsZero():
		col.Add("rate", "category %s is always 0 %%", c.Category)
	case c.Category == Standard && c.Rate.IsZero():
		col.Add("rate", "the standard category needs a rate above 0; use Z for zero-rated")
	}
	if c.Category.NeedsExemptionReason() && c.ExemptionReason == "" && c.ExemptionReasonCode == "" {
		col.Add("exemption_reason", "category %s needs an exemption reason (text or a VATEX code) on every document", c.Category)
	}
	if c.Account == "" {
		col.Add("account", "is required: the ledger account tax is posted to")
	}
	return col.Err()
}

// Group kinds.
const (
	SalesGroup = "sales" // a customer's sales tax group
	ItemGroup  = "item"  // an item's item sales tax group
)

// Group is a named set of tax codes.
type Group struct {
	Kind  string   `json:"kind"`
	Code  string   `json:"code"`
	Name  string   `json:"name"`
	Codes []string `json:"tax_codes"`
}

// Normalize validates a group (the codes' existence is checked by the caller).
func (g *Group) Normalize() error {
	var col fail.Collector
	g.Code, g.Name = strings.TrimSpace(g.Code), strings.TrimSpace(g.Name)
	if g.Kind != SalesGroup && g.Kind != ItemGroup {
		col.Add("kind", "use sales or item")
	}
	if !ValidCode(g.Code) {
		col.Add("code", "use 1 to 32 letters, digits, '.', '_' or '-'")
	}
	if g.Name == "" {
		g.Name = g.Code
	}
	seen := map[string]bool{}
	out := g.Codes[:0]
	for _, c := range g.Codes {
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	g.Codes = out
	slices.Sort(g.Codes)
	return col.Err()
}

// Applicable returns the tax codes in both the sales tax group and the item
// sales tax group, sorted.
func Applicable(sales, item Group) []string {
	var out []string
	for _, c := range sales.Codes {
		if slices.Contains(item.Codes, c) {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out
}

// Mode is how tax is rounded.
type Mode string

// The modes. PerCode is EN 16931's: tax per code is the rate times the sum of
// the line amounts carrying it, rounded once. PerLine rounds each line's tax.
const (
	PerCode Mode = "per_code"
	PerLine Mode = "per_line"
)

// ValidMode reports whether m is a known mode.
func ValidMode(m Mode) bool { return m == PerCode || m == PerLine }
