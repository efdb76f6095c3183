package documents

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/messages"
	"github.com/facturo/facturo/money"
)

// printTemplate is the print view: the same content as the PDF, laid out
// for paper by print CSS, opening the browser's print dialog on load. It
// loads nothing from elsewhere (the logo is inline), so it works under a
// strict Content-Security-Policy with the script hash or nonce below.
var printTemplate = template.Must(template.New("print").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} {{.Number}}</title>
<style>
:root { --primary: {{.Primary}}; --accent: {{.Accent}}; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; color: #222; font-size: 10pt; margin: 0; }
main { max-width: 190mm; margin: 0 auto; padding: 12mm 10mm; position: relative; }
header { display: flex; justify-content: space-between; border-top: 6px solid var(--primary); padding-top: 6mm; }
h1 { color: var(--primary); margin: 0 0 2mm; font-size: 20pt; text-align: right; text-transform: uppercase; }
.seller img { max-width: 55mm; max-height: 18mm; display: block; margin-bottom: 2mm; }
.seller strong { font-size: 11pt; }
.muted { color: #666; font-size: 8.5pt; }
dl { display: grid; grid-template-columns: auto auto; gap: 1mm 4mm; margin: 0; font-size: 9pt; }
dt { color: #666; text-align: right; } dd { margin: 0; font-weight: bold; text-align: right; }
.parties { display: flex; justify-content: space-between; margin: 8mm 0 5mm; gap: 10mm; }
h2 { color: var(--primary); font-size: 8.5pt; text-transform: uppercase; margin: 5mm 0 1.5mm; letter-spacing: .04em; }
table { width: 100%; border-collapse: collapse; }
thead { display: table-header-group; }
th { background: var(--primary); color: #fff; text-align: left; font-size: 8.5pt; padding: 1.5mm 2mm; }
td { padding: 1.5mm 2mm; border-bottom: 1px solid var(--accent); vertical-align: top; }
.num { text-align: right; white-space: nowrap; }
tr { break-inside: avoid; }
.totals { margin-left: auto; width: 45%; margin-top: 4mm; }
.totals td { border: 0; }
.totals .grand td { background: var(--accent); font-weight: bold; }
.watermark { position: fixed; top: 40%; left: 0; right: 0; text-align: center; font-size: 90pt; font-weight: bold;
  color: rgba(200, 30, 30, .12); transform: rotate(-30deg); pointer-events: none; }
p.pre { white-space: pre-line; margin: 0; }
@page { size: A4; margin: 12mm; }
@media print { main { padding: 0; max-width: none; } .noprint { display: none; } }
</style>
</head>
<body>
<main>
{{if .Draft}}<div class="watermark" aria-hidden="true">{{.M.Draft}}</div>{{end}}
<header>
 <div class="seller">
  {{if .Logo}}<img src="{{.Logo}}" alt="">{{end}}
  <strong>{{.Tenant.LegalName}}</strong>
  {{range .SellerLines}}<div class="muted">{{.}}</div>{{end}}
 </div>
 <div>
  <h1>{{.Title}}</h1>
  <dl>{{range .HeaderRows}}<dt>{{index . 0}}</dt><dd>{{index . 1}}</dd>{{end}}</dl>
 </div>
</header>
<section class="parties">
 <div>
  <h2>{{.M.BillTo}}</h2>
  <strong>{{.BuyerName}}</strong>
  {{range .BuyerLines}}<div>{{.}}</div>{{end}}
 </div>
 <div><dl>{{range .PartyRows}}<dt>{{index . 0}}</dt><dd>{{index . 1}}</dd>{{end}}</dl></div>
</section>
{{if .CustomFields}}<h2>{{.M.CustomFields}}</h2>
<dl style="grid-template-columns:auto 1fr">{{range .CustomFields}}<dt style="text-align:left">{{index . 0}}</dt><dd style="text-align:left;font-weight:normal">{{index . 1}}</dd>{{end}}</dl>{{end}}
<table>
<thead><tr><th>{{.M.Description}}</th><th>{{.M.ChargeType}}</th><th class="num">{{.M.Quantity}}</th><th class="num">{{.M.Price}}</th><th class="num">{{.M.Discount}}</th><th class="num">{{.M.Amount}}</th></tr></thead>
<tbody>
{{range .Lines}}<tr><td><p class="pre">{{.Description}}</p>{{if .Service}}<div class="muted">{{.Service}}</div>{{end}}</td><td>{{.Charge}}</td><td class="num">{{.Quantity}}</td><td class="num">{{.Price}}</td><td class="num">{{.Discount}}</td><td class="num">{{.Amount}}</td></tr>
{{end}}</tbody>
</table>
{{if .Taxes}}<h2>{{.M.TaxBreakdown}}</h2>
<table>
<thead><tr><th>{{.M.Tax}}</th><th class="num">{{.M.Rate}}</th><th class="num">{{.M.Base}}</th><th class="num">{{.M.Tax}}</th></tr></thead>
<tbody>{{range .Taxes}}<tr><td>{{.Name}}{{if .Reason}}<div class="muted">{{$.M.Exemption}}: {{.Reason}}</div>{{end}}</td><td class="num">{{.Rate}}</td><td class="num">{{.Base}}</td><td class="num">{{.Amount}}</td></tr>{{end}}</tbody>
</table>{{end}}
<table class="totals">{{range .Totals}}<tr{{if .Grand}} class="grand"{{end}}><td>{{.Label}}</td><td class="num">{{.Value}}</td></tr>{{end}}</table>
{{if .Payment}}<h2>{{.M.Payment}}</h2>{{range .Payment}}<div>{{.}}</div>{{end}}{{end}}
{{if .Instructions}}<h2>{{.M.Instructions}}</h2><p class="pre">{{.Instructions}}</p>{{end}}
{{if .Notes}}<h2>{{.M.Notes}}</h2><p class="pre">{{.Notes}}</p>{{end}}
</main>
<script>{{.Script}}</script>
</body>
</html>
`))

// PrintScript is the print view's only script: it opens the print dialog
// once the page has loaded. Servers allow it by its hash (PrintScriptHash).
const PrintScript = `window.addEventListener("load", function () { window.print(); });`

// PrintScriptHash is the CSP source of PrintScript ('sha256-…').
var PrintScriptHash = scriptHash(PrintScript)

type printLine struct{ Description, Service, Charge, Quantity, Price, Discount, Amount string }
type printTax struct{ Name, Rate, Base, Amount, Reason string }
type printTotal struct {
	Label, Value string
	Grand        bool
}

// PrintHTML writes d as the print view: an HTML page with print CSS that
// opens the browser's print dialog when loaded.
func PrintHTML(w io.Writer, d *Doc) error {
	inv := &d.Invoice
	lang := d.lang()
	m := messagesFor(lang)
	cur, err := money.ParseCurrency(inv.Currency)
	if err != nil {
		return fmt.Errorf("documents: %w", err)
	}
	title := m.Invoice
	if inv.Kind == billing.KindCreditNote {
		title = m.CreditNote
	}
	numLabel := m.Number
	if inv.Number == "" {
		numLabel = m.DocumentID
	}
	rows := func(pairs ...[2]string) [][2]string {
		return slices.DeleteFunc(pairs, func(p [2]string) bool { return p[1] == "" })
	}
	bt := inv.BillTo
	data := map[string]any{
		"Lang": lang, "M": m, "Title": title, "Number": Number(*inv), "Tenant": d.Tenant, "Draft": inv.Status.IsDraft(),
		"Primary": template.CSS(hexOr(d.Branding.PrimaryColor, DefaultPrimary)),
		"Accent":  template.CSS(hexOr(d.Branding.AccentColor, DefaultAccent)),
		"SellerLines": append(addressLines(d.Tenant.Address), nonEmpty(prefixed(m.TaxID+": ", d.Tenant.TaxID),
			strings.Join(nonEmpty(d.Branding.Email, d.Branding.Phone), " · "))...),
		"HeaderRows": rows([2]string{numLabel, Number(*inv)}, [2]string{m.Status, m.Statuses[inv.Status]},
			[2]string{m.InvoiceDate, FormatDate(inv.InvoiceDate, lang)},
			[2]string{m.BillingPeriod, FormatPeriod(inv.PeriodStart, inv.PeriodEnd, lang)},
			[2]string{m.Currency, inv.Currency}),
		"BuyerName":  firstNonEmpty(bt.LegalName, bt.Name),
		"BuyerLines": append(addressLines(bt.Address), nonEmpty(prefixed(m.TaxID+": ", bt.TaxID), bt.Email)...),
		"Script":     template.JS(PrintScript),
		"Notes":      inv.Notes, "Instructions": d.Branding.PaymentInstructions,
	}
	party := [][2]string{{m.CustomerID, bt.CustomerNumber}, {m.BillingContract, bt.BillingContractNumber}, {m.SAPID, bt.SAPID},
		{m.SalesExec, bt.SalesAccountExecutive}, {m.DueDate, FormatDate(inv.DueDate, lang)}, {m.Provider, inv.Provider}}
	if d.Preceding != nil && inv.Kind == billing.KindCreditNote {
		party = append(party, [2]string{m.Credits, strings.TrimSpace(d.Preceding.Number + " " + FormatDate(d.Preceding.Date, lang))})
	}
	data["PartyRows"] = rows(party...)
	if len(d.Branding.Logo) > 0 && (d.Branding.LogoType == "image/png" || d.Branding.LogoType == "image/jpeg") {
		data["Logo"] = template.URL("data:" + d.Branding.LogoType + ";base64," + base64.StdEncoding.EncodeToString(d.Branding.Logo))
	}
	var custom [][2]string
	for _, f := range d.customFields(lang) {
		custom = append(custom, [2]string{f.Label, f.Value})
	}
	data["CustomFields"] = custom
	lines := make([]printLine, 0, len(inv.Lines))
	for _, l := range inv.Lines {
		pl := printLine{Description: l.Description, Charge: m.Charges[l.ChargeType], Amount: l.Amount.FormatNumber(lang)}
		if !l.ServiceStart.IsZero() || !l.ServiceEnd.IsZero() {
			pl.Service = m.Service + ": " + FormatPeriod(l.ServiceStart, l.ServiceEnd, lang)
		}
		if l.Quantity != nil {
			pl.Quantity = strings.TrimSpace(FormatDecimal(*l.Quantity, lang) + " " + messages.Unit(lang, l.Unit))
		}
		if l.UnitPrice != nil {
			pl.Price = FormatPrice(*l.UnitPrice, lang)
		}
		if !l.Discount.IsZero() {
			pl.Discount = l.Discount.Neg().FormatNumber(lang)
		}
		lines = append(lines, pl)
	}
	data["Lines"] = lines
	var taxes []printTax
	for _, t := range inv.Taxes {
		taxes = append(taxes, printTax{Name: t.Name + " (" + string(t.Category) + ")", Rate: FormatDecimal(t.Rate, lang) + " %",
			Base: t.Base.FormatNumber(lang), Amount: t.Amount.FormatNumber(lang),
			Reason: strings.TrimSpace(t.ExemptionReasonCode + " " + t.ExemptionReason)})
	}
	data["Taxes"] = taxes
	var totals []printTotal
	for _, row := range totalRows(inv, m) {
		totals = append(totals, printTotal{Label: row.Label, Value: row.Value.Format(lang), Grand: row.Grand})
	}
	data["Totals"] = totals
	var pay []string
	if inv.PaymentTermsDays > 0 {
		pay = append(pay, m.Terms+": "+fmt.Sprintf(m.TermsDays, inv.PaymentTermsDays))
	}
	if inv.MethodOfPayment != "" {
		pay = append(pay, m.Method+": "+inv.MethodOfPayment)
	}
	if cd := cashDiscountTerm(inv, m, cur, lang); cd != "" {
		pay = append(pay, cd)
	}
	for _, in := range inv.PaymentSchedule {
		pay = append(pay, FormatDate(in.DueDate, lang)+": "+in.Amount.Format(lang))
	}
	if d.Branding.IBAN != "" {
		pay = append(pay, strings.TrimSpace("IBAN "+d.Branding.IBAN+"  "+d.Branding.BIC))
	}
	data["Payment"] = pay
	if err := printTemplate.Execute(w, data); err != nil {
		return fmt.Errorf("documents: print view: %w", err)
	}
	return nil
}

func hexOr(s, fallback string) string {
	if _, ok := parseColor(s); ok {
		return s
	}
	return fallback
}

func prefixed(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
}

// scriptHash returns the CSP hash source of an inline script.
func scriptHash(script string) string {
	sum := sha256.Sum256([]byte(script))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}
