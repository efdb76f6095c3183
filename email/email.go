// Package email renders the messages Facturo sends to customers: one
// template per kind of notification in English, Spanish and Brazilian
// Portuguese, with the subject in the recipient's language. Pure Go, no I/O:
// the outbox worker (package service) renders, package mailer sends.
package email

import (
	"bytes"
	"fmt"
	"html"
	"sort"
	"strings"
	"text/template"
)

// The kinds of message, as queued in the outbox.
const (
	InvoicePublished     = "invoice.published"
	InvoiceStatusChanged = "invoice.status_changed"
	PaymentReceipt       = "payment.receipt"
	DunningReminder      = "dunning.reminder"
	WalletLowBalance     = "wallet.low_balance"
	WalletRechargeFailed = "wallet.recharge_failed"
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
// es… → es, pt… → pt-BR, anything else → en.
func Language(lang string) string {
	l := strings.ToLower(lang)
	switch {
	case strings.HasPrefix(l, "es"):
		return "es"
	case strings.HasPrefix(l, "pt"):
		return "pt-BR"
	}
	return "en"
}

// Kinds lists the kinds with templates.
func Kinds() []string {
	out := make([]string, 0, len(templates["en"]))
	for k := range templates["en"] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

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
	for lang, kinds := range templates {
		funcs := template.FuncMap{"status": func(s any) string { return statusLabel(lang, fmt.Sprint(s)) }}
		out[lang] = map[string]struct{ subject, body *template.Template }{}
		for kind, t := range kinds {
			parse := func(part, text string) *template.Template {
				return template.Must(template.New(lang + "/" + kind + "." + part).Funcs(funcs).Option("missingkey=zero").Parse(text))
			}
			out[lang][kind] = struct{ subject, body *template.Template }{parse("subject", t.subject), parse("body", t.body)}
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

func statusLabel(lang, status string) string {
	if l, ok := statusLabels[lang][status]; ok {
		return l
	}
	return status
}

var statusLabels = map[string]map[string]string{
	"en":    {"open": "Open", "past_due": "Past due", "closed": "Closed", "void": "Void", "draft": "Draft"},
	"es":    {"open": "Abierta", "past_due": "Vencida", "closed": "Cerrada", "void": "Anulada", "draft": "Borrador"},
	"pt-BR": {"open": "Aberta", "past_due": "Vencida", "closed": "Fechada", "void": "Cancelada", "draft": "Rascunho"},
}

type tmpl struct{ subject, body string }
