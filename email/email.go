// Package email renders the messages Facturo sends to customers: one
// template per kind of notification in English, Spanish and Brazilian
// Portuguese, with the subject in the recipient's language. The texts live in
// the one catalog (package messages, keys email.subject.<kind> and
// email.body.<kind>); invoice statuses print with the catalog's status.*
// labels, as on the web and on documents. Pure Go, no I/O: the outbox worker
// (package service) renders, package mailer sends.
package email

import (
	"bytes"
	"fmt"
	"html"
	"slices"
	"sort"
	"strings"
	"text/template"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/messages"
)

// The kinds of message, as queued in the outbox.
const (
	InvoicePublished     = "invoice.published"
	InvoiceStatusChanged = "invoice.status_changed"
	PaymentReceipt       = "payment.receipt"
	DunningReminder      = "dunning.reminder"
	WalletLowBalance     = "wallet.low_balance"
	WalletRechargeFailed = "wallet.recharge_failed"
	WalletReceipt        = "wallet.receipt"
)

// Message is what a template needs. Fields holds the kind's values, already
// formatted for the language (amounts, dates):
//
//	invoice.published        number, total, due_date, invoice_date, period
//	invoice.status_changed   number, status, from, total, balance
//	payment.receipt          amount, number (the invoice paid, optional), date, reference, method
//	dunning.reminder         number, balance, due_date, days_overdue
//	wallet.low_balance       balance, threshold
//	wallet.recharge_failed   amount, reason
//	wallet.receipt           receipt, amount (a top-up; sent only when the tenant turns receipts on)
//
// A missing field renders as empty text.
type Message struct {
	Kind      string
	Language  string // en, es or pt-BR; anything else falls back (see Language)
	Tenant    string // the sender's trading name
	Customer  string // the recipient's name
	PortalURL string // link to the document or account in the customer portal; empty for none
	Fields    map[string]string
}

// Rendered is a message ready to send.
type Rendered struct {
	Language string `json:"language"`
	Subject  string `json:"subject"`
	Text     string `json:"text"`
	HTML     string `json:"html"`
}

// Language maps a customer's language to one Facturo has templates for:
// es… → es, pt… → pt-BR, anything else → en (messages.Language).
func Language(lang string) string { return messages.Language(lang) }

// kinds are the kinds with templates.
var kinds = []string{InvoicePublished, InvoiceStatusChanged, PaymentReceipt, DunningReminder,
	WalletLowBalance, WalletRechargeFailed, WalletReceipt}

// Kinds lists the kinds with templates.
func Kinds() []string {
	out := slices.Clone(kinds)
	sort.Strings(out)
	return out
}

// SubjectKey and BodyKey are the catalog keys of a kind's subject and body.
func SubjectKey(kind string) string { return "email.subject." + kind }

// BodyKey is the catalog key of a kind's body (see SubjectKey).
func BodyKey(kind string) string { return "email.body." + kind }

// Render renders m in its language. An unknown kind is an error.
func Render(m Message) (Rendered, error) {
	lang := Language(m.Language)
	t, ok := parsed[lang][m.Kind]
	if !ok {
		return Rendered{}, fmt.Errorf("no email template for %q", m.Kind)
	}
	data := map[string]any{"Tenant": m.Tenant, "Customer": m.Customer, "PortalURL": m.PortalURL}
	for k, v := range m.Fields {
		data[k] = v
	}
	subject, err := run(t.subject, data)
	if err != nil {
		return Rendered{}, err
	}
	body, err := run(t.body, data)
	if err != nil {
		return Rendered{}, err
	}
	body = strings.TrimSpace(body) + "\n\n-- \n" + m.Tenant + "\n"
	return Rendered{Language: lang, Subject: strings.Join(strings.Fields(subject), " "), Text: body, HTML: toHTML(body, m.PortalURL)}, nil
}

// parsed holds every template parsed once: language → kind.
var parsed = func() map[string]map[string]struct{ subject, body *template.Template } {
	out := map[string]map[string]struct{ subject, body *template.Template }{}
	for _, lang := range messages.Languages {
		funcs := template.FuncMap{"status": func(s any) string { return statusLabel(lang, fmt.Sprint(s)) }}
		out[lang] = map[string]struct{ subject, body *template.Template }{}
		for _, kind := range kinds {
			parse := func(part, key string) *template.Template {
				text, ok := messages.Lookup(lang, key)
				if !ok {
					panic("email: the catalog has no " + lang + " text for " + key)
				}
				return template.Must(template.New(lang + "/" + kind + "." + part).Funcs(funcs).Option("missingkey=zero").Parse(text))
			}
			out[lang][kind] = struct{ subject, body *template.Template }{parse("subject", SubjectKey(kind)), parse("body", BodyKey(kind))}
		}
	}
	return out
}()

func run(t *template.Template, data map[string]any) (string, error) {
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return "", fmt.Errorf("render %s: %w", t.Name(), err)
	}
	return strings.ReplaceAll(b.String(), "<no value>", ""), nil
}

// toHTML renders the text body as simple HTML: escaped paragraphs, and the
// portal link clickable.
func toHTML(text, link string) string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html><html><body style=\"font-family:sans-serif;line-height:1.5\">")
	for _, para := range strings.Split(strings.TrimSpace(text), "\n\n") {
		p := html.EscapeString(para)
		if link != "" {
			e := html.EscapeString(link)
			p = strings.ReplaceAll(p, e, `<a href="`+e+`">`+e+`</a>`)
		}
		b.WriteString("<p>" + strings.ReplaceAll(p, "\n", "<br>") + "</p>")
	}
	b.WriteString("</body></html>")
	return b.String()
}

// statusLabel is an invoice status's label in lang (the catalog's
// status.*), or the status itself when the catalog has none.
func statusLabel(lang, status string) string {
	if key := messages.StatusKey(billing.Status(status)); messages.Has(key) {
		return messages.Text(lang, key)
	}
	return status
}
