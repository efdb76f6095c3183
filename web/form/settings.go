package form

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/customfield"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/messages"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/tax"
)

// The forms of the settings page, each as stored or as posted.

// Rate is the exchange-rate form.
type Rate struct {
	Currency, Date, Rate string
}

// PostedRate is the exchange-rate form as posted.
func PostedRate(r *http.Request) Rate {
	return Rate{Currency: r.PostFormValue("currency"), Date: r.PostFormValue("date"), Rate: r.PostFormValue("rate")}
}

// Input is the service's input of the form; "0,92" is how Spanish and
// Portuguese write 0.92.
func (f Rate) Input() service.ExchangeRateInput {
	return service.ExchangeRateInput{Currency: f.Currency, Date: f.Date, Rate: strings.Replace(strings.TrimSpace(f.Rate), ",", ".", 1)}
}

// Tax is the tax code form.
type Tax struct {
	Code, Name, Rate, Category, Account, ExemptionReason, ExemptionReasonCode string
	Editing                                                                   bool // an existing code: its code is fixed
}

// TaxOf is the form of the stored code c.
func TaxOf(c tax.Code) Tax {
	return Tax{Code: c.Code, Name: c.Name, Rate: c.Rate.String(), Category: string(c.Category), Account: c.Account,
		ExemptionReason: c.ExemptionReason, ExemptionReasonCode: c.ExemptionReasonCode, Editing: true}
}

// PostedTax is the tax code form as posted.
func PostedTax(r *http.Request) Tax {
	return Tax{Code: r.PostFormValue("code"), Name: r.PostFormValue("name"), Rate: r.PostFormValue("rate"),
		Category: r.PostFormValue("category"), Account: r.PostFormValue("account"),
		ExemptionReason: r.PostFormValue("exemption_reason"), ExemptionReasonCode: r.PostFormValue("exemption_reason_code"),
		Editing: r.PostFormValue("editing") == "1"}
}

// TaxCode is the code the form holds; a rate that is not a number is a
// field error ("10,5" is how Spanish and Portuguese write 10.5).
func (f Tax) TaxCode() (tax.Code, error) {
	c := tax.Code{Code: f.Code, Name: f.Name, Category: tax.Category(f.Category), Account: f.Account,
		ExemptionReason: f.ExemptionReason, ExemptionReasonCode: f.ExemptionReasonCode}
	rate, err := decimal.NewFromString(strings.Replace(strings.TrimSpace(f.Rate), ",", ".", 1))
	if err != nil {
		return c, fail.Field("rate", "%q is not a number: write the percentage, for example 21 or 10.5", f.Rate)
	}
	c.Rate = rate
	return c, nil
}

// Reason is the reason code form.
type Reason struct {
	Code, Description string
	Archived, Editing bool
}

// PostedReason is the reason code form as posted.
func PostedReason(r *http.Request) Reason {
	return Reason{Code: r.PostFormValue("code"), Description: r.PostFormValue("description"),
		Archived: r.PostFormValue("archived") == "1", Editing: r.PostFormValue("editing") == "1"}
}

// Group is the tax group form.
type Group struct {
	Kind, Code, Name string
	Codes            []string
	Editing          bool // an existing group: its kind and code are fixed
}

// Has reports whether the form holds the tax code c.
func (f Group) Has(c string) bool { return slices.Contains(f.Codes, c) }

// PostedGroup is the tax group form as posted (the form already parsed).
func PostedGroup(f url.Values) Group {
	return Group{Kind: f.Get("kind"), Code: f.Get("code"), Name: f.Get("name"), Codes: f["tax_codes"], Editing: f.Get("editing") == "1"}
}

// Field is the custom field definition form.
type Field struct {
	Key, AppliesTo  string
	Labels          map[string]string // by language
	ShowOnDocuments bool
	Position        string
	Editing         bool // an existing definition: its kind and key are fixed
}

// PostedField is the custom field definition form as posted (the form
// already parsed).
func PostedField(f url.Values) Field {
	form := Field{Key: f.Get("key"), AppliesTo: f.Get("applies_to"), Labels: map[string]string{},
		ShowOnDocuments: f.Get("show_on_documents") == "1", Position: f.Get("position"), Editing: f.Get("editing") == "1"}
	for _, l := range messages.Languages {
		form.Labels[l] = f.Get("labels." + l)
	}
	return form
}

// Def is the definition the form holds, without its empty labels; a
// position that is not a whole number is a field error.
func (f Field) Def() (customfield.Def, error) {
	def := customfield.Def{Key: f.Key, AppliesTo: f.AppliesTo, Labels: map[string]string{}, ShowOnDocuments: f.ShowOnDocuments}
	for l, v := range f.Labels {
		if strings.TrimSpace(v) != "" {
			def.Labels[l] = v
		}
	}
	if pos := strings.TrimSpace(f.Position); pos != "" {
		var err error
		if def.Position, err = strconv.Atoi(pos); err != nil {
			return def, fail.Field("position", "%q is not a whole number: use a number from 0 to 9999", f.Position)
		}
	}
	return def, nil
}

// ReasonCode is the code the form holds.
func (f Reason) ReasonCode() billing.ReasonCode {
	return billing.ReasonCode{Code: f.Code, Description: f.Description, Archived: f.Archived}
}
