package documents

import (
	"bytes"
	_ "embed"
	"fmt"
	"image"
	_ "image/jpeg" // logo formats
	_ "image/png"
	"io"
	"strings"
	"sync"

	"github.com/signintech/gopdf"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/messages"
	"github.com/facturo/facturo/money"
)

// The embedded font: DejaVu Sans covers Latin, Greek and Cyrillic with every
// accent (licence in fonts/LICENSE-DejaVu.txt).
var (
	//go:embed fonts/DejaVuSans.ttf
	fontRegular []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	fontBold []byte
)

const (
	famRegular = "DejaVuSans"
	famBold    = "DejaVuSans-Bold"
)

// fonts parses the TTF fonts once per process; every document takes a
// fresh subset of the parsed fonts (gopdf.FontContainer).
var fonts = sync.OnceValues(func() (*gopdf.FontContainer, error) {
	fc := &gopdf.FontContainer{}
	if err := fc.AddTTFFontData(famRegular, fontRegular); err != nil {
		return nil, fmt.Errorf("documents: parse %s: %w", famRegular, err)
	}
	if err := fc.AddTTFFontData(famBold, fontBold); err != nil {
		return nil, fmt.Errorf("documents: parse %s: %w", famBold, err)
	}
	return fc, nil
})

// Page geometry (points, A4).
const (
	pageW      = 595.28
	pageH      = 841.89
	marginX    = 40.0
	contentW   = pageW - 2*marginX
	rightX     = pageW - marginX
	headerEndY = 150.0 // content starts here at the earliest on every page
	bottomY    = pageH - 60
)

// Line table columns: x and width; numbers right-aligned.
var cols = [6]struct{ x, w float64 }{
	{40, 200}, // description
	{242, 66}, // charge type
	{308, 50}, // quantity
	{358, 70}, // price
	{428, 55}, // discount
	{483, 72}, // amount
}

// PDF writes d as a PDF to w: tenant branding, the customer block with seed
// 000's identifiers, lines, tax breakdown, totals and payment details, in
// the document's language, with the header repeated and "Page n of m" on
// every page and a watermark on drafts.
func PDF(w io.Writer, d *Doc) error {
	fc, err := fonts()
	if err != nil {
		return err
	}
	r := &pdfRenderer{d: d, inv: &d.Invoice, lang: d.lang()}
	r.m = messagesFor(r.lang)
	r.cur, err = money.ParseCurrency(d.Invoice.Currency)
	if err != nil {
		return fmt.Errorf("documents: %w", err)
	}
	r.primary = color(d.Branding.PrimaryColor, DefaultPrimary)
	r.accent = color(d.Branding.AccentColor, DefaultAccent)
	pdf := &r.pdf
	pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitPT})
	// Page content streams stay uncompressed: a page is a few kilobytes,
	// and each compressed stream costs a fresh 600 KB deflate state.
	pdf.SetNoCompression()
	pdf.SetInfo(gopdf.PdfInfo{Title: r.title() + " " + Number(d.Invoice), Author: d.Tenant.LegalName, Creator: "Facturo"})
	if err := pdf.AddTTFFontFromFontContainer(famRegular, fc); err != nil {
		return fmt.Errorf("documents: %w", err)
	}
	if err := pdf.AddTTFFontFromFontContainer(famBold, fc); err != nil {
		return fmt.Errorf("documents: %w", err)
	}
	if len(d.Branding.Logo) > 0 {
		r.prepareLogo()
	}
	r.newPage()
	r.parties()
	r.lines()
	r.taxes()
	r.totals()
	r.payment()
	r.finish()
	if r.err != nil {
		return fmt.Errorf("documents: render PDF: %w", r.err)
	}
	if _, err := pdf.WriteTo(w); err != nil {
		return fmt.Errorf("documents: write PDF: %w", err)
	}
	return nil
}

// PDFBytes is PDF into a byte slice.
func PDFBytes(d *Doc) ([]byte, error) {
	var b bytes.Buffer
	if err := PDF(&b, d); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

type pdfRenderer struct {
	pdf             gopdf.GoPdf
	d               *Doc
	inv             *billing.Invoice
	m               *msg
	lang            string
	cur             money.Currency
	primary, accent [3]uint8
	y               float64
	pages           int
	fam             string
	size            float64
	logo            gopdf.ImageHolder
	logoW, logoH    float64
	err             error
}

func (r *pdfRenderer) fail(err error) {
	if err != nil && r.err == nil {
		r.err = err
	}
}

func (r *pdfRenderer) title() string {
	if r.inv.Kind == billing.KindCreditNote {
		return r.m.CreditNote
	}
	return r.m.Invoice
}

func (r *pdfRenderer) font(bold bool, size float64) {
	fam := famRegular
	if bold {
		fam = famBold
	}
	r.fam, r.size = fam, size
	r.fail(r.pdf.SetFont(fam, "", size))
}

func (r *pdfRenderer) gray(v uint8) { r.pdf.SetTextColor(v, v, v) }

// text writes s with its top-left corner at x, y.
func (r *pdfRenderer) text(x, y float64, s string) {
	if s == "" {
		return
	}
	r.pdf.SetXY(x, y)
	r.fail(r.pdf.Cell(nil, s))
}

// cell writes s in a box of width w at x, y, aligned (gopdf.Left/Right/Center).
func (r *pdfRenderer) cell(x, y, w float64, s string, align int) {
	if s == "" {
		return
	}
	r.pdf.SetXY(x, y)
	r.fail(r.pdf.CellWithOption(&gopdf.Rect{W: w, H: 12}, s, gopdf.CellOption{Align: align | gopdf.Top}))
}

// wrap splits s into lines no wider than w in the current font, at spaces
// (a word wider than w is broken between letters).
func (r *pdfRenderer) wrap(s string, w float64) []string {
	var out []string
	space := r.measure(" ")
	for _, para := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if strings.TrimSpace(para) == "" {
			out = append(out, "")
			continue
		}
		if r.measure(para) <= w {
			out = append(out, para)
			continue
		}
		var line strings.Builder
		lineW := 0.0
		flush := func() {
			out = append(out, line.String())
			line.Reset()
			lineW = 0
		}
		for _, word := range strings.Fields(para) {
			ww := r.measure(word)
			if line.Len() > 0 && lineW+space+ww <= w {
				line.WriteByte(' ')
				line.WriteString(word)
				lineW += space + ww
				continue
			}
			if line.Len() > 0 {
				flush()
			}
			if ww <= w {
				line.WriteString(word)
				lineW = ww
				continue
			}
			for _, ch := range word { // break an overlong word
				cw := r.measure(string(ch))
				if line.Len() > 0 && lineW+cw > w {
					flush()
				}
				line.WriteRune(ch)
				lineW += cw
			}
		}
		if line.Len() > 0 {
			flush()
		}
	}
	return out
}

// widths caches each font's advance width of a rune at size 1.
var widths = struct {
	sync.Mutex
	m map[string]map[rune]float64
}{m: map[string]map[rune]float64{}}

// measure returns the width of s in the current font and size. Kerning is
// off, so a text's width is the sum of its runes' widths.
func (r *pdfRenderer) measure(s string) float64 {
	widths.Lock()
	defer widths.Unlock()
	m := widths.m[r.fam]
	if m == nil {
		m = map[rune]float64{}
		widths.m[r.fam] = m
	}
	total := 0.0
	for _, ch := range s {
		w, ok := m[ch]
		if !ok {
			mw, err := r.pdf.MeasureTextWidth(string(ch))
			if err != nil {
				r.fail(err)
				continue
			}
			w = mw / r.size
			m[ch] = w
		}
		total += w
	}
	return total * r.size
}

func (r *pdfRenderer) prepareLogo() {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(r.d.Branding.Logo))
	if err != nil || cfg.Width == 0 || cfg.Height == 0 {
		return // an unreadable logo is left out rather than failing the invoice
	}
	h, err := gopdf.ImageHolderByBytes(r.d.Branding.Logo)
	if err != nil {
		return
	}
	r.logo = h
	const maxW, maxH = 150.0, 50.0
	w, hh := float64(cfg.Width), float64(cfg.Height)
	scale := min(maxW/w, maxH/hh)
	r.logoW, r.logoH = w*scale, hh*scale
}

// newPage starts a page and draws the header repeated on every page.
func (r *pdfRenderer) newPage() {
	r.pdf.AddPage()
	r.pages++
	inv, t := r.inv, r.d.Tenant
	r.pdf.SetFillColor(r.primary[0], r.primary[1], r.primary[2])
	r.pdf.RectFromUpperLeftWithStyle(0, 0, pageW, 8, "F")

	// Seller, left.
	y := 28.0
	if r.logo != nil {
		r.fail(r.pdf.ImageByHolder(r.logo, marginX, y, &gopdf.Rect{W: r.logoW, H: r.logoH}))
		y += r.logoH + 6
	}
	r.gray(30)
	r.font(true, 10.5)
	r.text(marginX, y, t.LegalName)
	y += 14
	r.font(false, 8)
	r.gray(80)
	for _, l := range addressLines(t.Address) {
		r.text(marginX, y, l)
		y += 10
	}
	if t.TaxID != "" {
		r.text(marginX, y, r.m.TaxID+": "+t.TaxID)
		y += 10
	}
	if c := strings.Join(nonEmpty(r.d.Branding.Email, r.d.Branding.Phone), " · "); c != "" {
		r.text(marginX, y, c)
		y += 10
	}
	leftBottom := y

	// Title, number, status, dates and currency, right.
	r.pdf.SetTextColor(r.primary[0], r.primary[1], r.primary[2])
	r.font(true, 18)
	r.cell(300, 26, rightX-300, strings.ToUpper(r.title()), gopdf.Right)
	y = 52
	numLabel := r.m.Number
	if inv.Number == "" {
		numLabel = r.m.DocumentID
	}
	rows := [][2]string{
		{numLabel, Number(*inv)},
		{r.m.Status, r.m.Statuses[inv.Status]},
		{r.m.InvoiceDate, FormatDate(inv.InvoiceDate, r.lang)},
		{r.m.BillingPeriod, FormatPeriod(inv.PeriodStart, inv.PeriodEnd, r.lang)},
		{r.m.Currency, inv.Currency},
	}
	for _, row := range rows {
		if row[1] == "" {
			continue
		}
		r.font(false, 8)
		r.gray(100)
		r.cell(300, y, 108, row[0], gopdf.Right)
		r.font(true, 8.5)
		r.gray(20)
		r.cell(412, y, rightX-412, row[1], gopdf.Right)
		y += 12
	}
	// The rule runs below the header's last text line on either side (a
	// logo pushes the seller's lines down), never through it.
	ruleY := max(headerEndY-10, leftBottom+2, y+2)
	r.pdf.SetStrokeColor(r.accent[0], r.accent[1], r.accent[2])
	r.pdf.SetLineWidth(1)
	r.pdf.Line(marginX, ruleY, rightX, ruleY)
	r.y = ruleY + 10
}

// room makes sure h points fit on the page, starting a new one if not; it
// reports whether a page was started.
func (r *pdfRenderer) room(h float64) bool {
	if r.y+h <= bottomY {
		return false
	}
	r.newPage()
	return true
}

// parties draws the customer block and seed 000's identifiers.
func (r *pdfRenderer) parties() {
	inv, bt := r.inv, r.inv.BillTo
	y0 := r.y
	r.font(true, 8)
	r.pdf.SetTextColor(r.primary[0], r.primary[1], r.primary[2])
	r.text(marginX, r.y, strings.ToUpper(r.m.BillTo))
	y := r.y + 13
	r.gray(20)
	r.font(true, 10)
	name := bt.LegalName
	if name == "" {
		name = bt.Name
	}
	for _, l := range r.wrap(name, 240) {
		r.text(marginX, y, l)
		y += 13
	}
	r.font(false, 8.5)
	r.gray(60)
	for _, l := range addressLines(bt.Address) {
		r.text(marginX, y, l)
		y += 11
	}
	if bt.TaxID != "" {
		r.text(marginX, y, r.m.TaxID+": "+bt.TaxID)
		y += 11
	}
	if bt.Email != "" {
		r.text(marginX, y, bt.Email)
		y += 11
	}

	// Right: identifiers and payment dates.
	rows := [][2]string{
		{r.m.CustomerID, bt.CustomerNumber},
		{r.m.BillingContract, bt.BillingContractNumber},
		{r.m.SAPID, bt.SAPID},
		{r.m.SalesExec, bt.SalesAccountExecutive},
		{r.m.DueDate, FormatDate(inv.DueDate, r.lang)},
		{r.m.Provider, inv.Provider},
	}
	if r.d.Preceding != nil && inv.Kind == billing.KindCreditNote {
		rows = append(rows, [2]string{r.m.Credits, strings.TrimSpace(r.d.Preceding.Number + "  " + FormatDate(r.d.Preceding.Date, r.lang))})
	}
	if inv.CorrectionReason != "" && inv.Kind == billing.KindCreditNote {
		rows = append(rows, [2]string{r.m.ReasonLabel, strings.TrimSpace(inv.CorrectionReason + " " + LocalizeDates(inv.CorrectionComment, r.lang))})
	}
	if inv.Currency != r.d.Tenant.Currency && !inv.ExchangeRate.IsZero() && r.d.Tenant.Currency != "" {
		rows = append(rows, [2]string{r.m.ExchangeRate, "1 " + inv.Currency + " = " + FormatDecimal(inv.ExchangeRate, r.lang) + " " + r.d.Tenant.Currency})
	}
	ry := y0
	for _, row := range rows {
		if row[1] == "" {
			continue
		}
		r.font(false, 8)
		r.gray(100)
		r.cell(300, ry, 130, row[0], gopdf.Right)
		r.font(true, 8.5)
		r.gray(20)
		for i, l := range r.wrap(row[1], rightX-435) {
			if i > 0 {
				ry += 11
			}
			r.cell(435, ry, rightX-435, l, gopdf.Right)
		}
		ry += 12
	}
	r.y = max(y, ry) + 10

	// Custom fields (seed 000) under their labels: the defined ones in
	// their order, then the others by key.
	if fields := r.d.customFields(r.lang); len(fields) > 0 {
		r.room(26)
		r.font(true, 8)
		r.pdf.SetTextColor(r.primary[0], r.primary[1], r.primary[2])
		r.text(marginX, r.y, strings.ToUpper(r.m.CustomFields))
		r.y += 12
		for _, f := range fields {
			r.font(false, 8.5)
			for _, l := range r.wrap(f.Label+": "+f.Value, contentW) {
				r.room(11)
				r.gray(40)
				r.text(marginX, r.y, l)
				r.y += 11
			}
		}
		r.y += 8
	}
}

// tableHeader draws the line table's column titles.
func (r *pdfRenderer) tableHeader(continued bool) {
	r.pdf.SetFillColor(r.primary[0], r.primary[1], r.primary[2])
	r.pdf.RectFromUpperLeftWithStyle(marginX, r.y, contentW, 16, "F")
	r.font(true, 8)
	r.pdf.SetTextColor(255, 255, 255)
	desc := r.m.Description
	if continued {
		desc += " (" + r.m.Continued + ")"
	}
	titles := [6]string{desc, r.m.ChargeType, r.m.Quantity, r.m.Price, r.m.Discount, r.m.Amount}
	for i, c := range cols {
		align := gopdf.Right
		if i < 2 {
			align = gopdf.Left
		}
		r.cell(c.x+3, r.y+3, c.w-6, titles[i], align)
	}
	r.y += 20
}

// lines draws the line table, breaking pages and repeating the header row.
func (r *pdfRenderer) lines() {
	r.room(60)
	r.tableHeader(false)
	for i := range r.inv.Lines {
		l := &r.inv.Lines[i]
		r.font(false, 8.5)
		desc := r.wrap(LocalizeDates(l.Description, r.lang), cols[0].w-6)
		var sub string
		if !l.ServiceStart.IsZero() || !l.ServiceEnd.IsZero() {
			sub = r.m.Service + ": " + FormatPeriod(l.ServiceStart, l.ServiceEnd, r.lang)
		}
		h := float64(len(desc))*11 + 4
		if sub != "" {
			h += 10
		}
		if r.room(h) {
			r.tableHeader(true)
		}
		r.font(false, 8.5) // the page's header and the table header leave bold set
		if i%2 == 1 {
			r.pdf.SetFillColor(246, 247, 249)
			r.pdf.RectFromUpperLeftWithStyle(marginX, r.y-2, contentW, h, "F")
		}
		y := r.y
		r.gray(20)
		for _, dl := range desc {
			r.text(cols[0].x+3, y, dl)
			y += 11
		}
		if sub != "" {
			r.font(false, 7)
			r.gray(110)
			r.text(cols[0].x+3, y, sub)
			r.font(false, 8.5)
			r.gray(20)
		}
		r.cell(cols[1].x+3, r.y, cols[1].w-6, r.m.Charges[l.ChargeType], gopdf.Left)
		if l.Quantity != nil {
			q := FormatDecimal(*l.Quantity, r.lang)
			if l.Unit != "" {
				q += " " + messages.Unit(r.lang, l.Unit)
			}
			r.cell(cols[2].x, r.y, cols[2].w-3, q, gopdf.Right)
		}
		if l.UnitPrice != nil {
			r.cell(cols[3].x, r.y, cols[3].w-3, FormatPrice(*l.UnitPrice, r.lang), gopdf.Right)
		}
		if !l.Discount.IsZero() {
			r.cell(cols[4].x, r.y, cols[4].w-3, l.Discount.Neg().FormatNumber(r.lang), gopdf.Right)
		}
		r.cell(cols[5].x, r.y, cols[5].w-3, l.Amount.FormatNumber(r.lang), gopdf.Right)
		r.y += h
	}
	r.pdf.SetStrokeColor(r.accent[0], r.accent[1], r.accent[2])
	r.pdf.Line(marginX, r.y, rightX, r.y)
	r.y += 12
}

// taxes draws the tax breakdown per tax code.
func (r *pdfRenderer) taxes() {
	if len(r.inv.Taxes) == 0 {
		return
	}
	r.room(40)
	r.font(true, 8)
	r.pdf.SetTextColor(r.primary[0], r.primary[1], r.primary[2])
	r.text(marginX, r.y, strings.ToUpper(r.m.TaxBreakdown))
	r.y += 13
	r.font(false, 7.5)
	r.gray(100)
	r.text(marginX, r.y, r.m.Tax)
	r.cell(250, r.y, 50, r.m.Rate, gopdf.Right)
	r.cell(300, r.y, 110, r.m.Base, gopdf.Right)
	r.cell(410, r.y, rightX-410, r.m.Tax, gopdf.Right)
	r.y += 12
	for _, t := range r.inv.Taxes {
		r.font(false, 8.5)
		name := strings.TrimSpace(t.Name + " (" + string(t.Category) + ")")
		reason := strings.TrimSpace(strings.TrimSpace(t.ExemptionReasonCode + " " + t.ExemptionReason))
		var reasons []string
		if reason != "" {
			r.font(false, 7)
			reasons = r.wrap(r.m.Exemption+": "+reason, 330)
			r.font(false, 8.5)
		}
		r.room(12 + float64(len(reasons))*9)
		r.gray(20)
		r.text(marginX, r.y, name)
		r.cell(250, r.y, 50, FormatDecimal(t.Rate, r.lang)+" %", gopdf.Right)
		r.cell(300, r.y, 110, t.Base.FormatNumber(r.lang), gopdf.Right)
		r.cell(410, r.y, rightX-410, t.Amount.FormatNumber(r.lang), gopdf.Right)
		r.y += 12
		r.font(false, 7)
		r.gray(100)
		for _, l := range reasons {
			r.text(marginX+8, r.y, l)
			r.y += 9
		}
	}
	r.y += 8
}

// totals draws the totals area (totalRows): charges, net, tax, total and,
// once anything is paid, paid and balance.
func (r *pdfRenderer) totals() {
	rows := totalRows(r.inv, r.m)
	r.room(float64(len(rows))*16 + 6)
	for _, row := range rows {
		if row.Grand {
			r.pdf.SetFillColor(r.accent[0], r.accent[1], r.accent[2])
			r.pdf.RectFromUpperLeftWithStyle(330, r.y-3, rightX-330, 16, "F")
		}
		r.font(row.Grand, 9)
		r.gray(30)
		label := row.Label // a long charge description is cut to its column
		if ls := r.wrap(label, 106); len(ls) > 1 {
			label = strings.TrimSpace(ls[0]) + "…"
		}
		r.cell(335, r.y, 110, label, gopdf.Left)
		r.cell(445, r.y, rightX-448, row.Value.Format(r.lang), gopdf.Right)
		r.y += 16
	}
	r.y += 8
}

// payment draws the payment terms, instructions and notes.
func (r *pdfRenderer) payment() {
	inv, b := r.inv, r.d.Branding
	var terms []string
	if inv.PaymentTermsDays > 0 {
		terms = append(terms, r.m.Terms+": "+fmt.Sprintf(r.m.TermsDays, inv.PaymentTermsDays))
	}
	if !inv.DueDate.IsZero() {
		terms = append(terms, r.m.DueDate+": "+FormatDate(inv.DueDate, r.lang))
	}
	if inv.MethodOfPayment != "" {
		terms = append(terms, r.m.Method+": "+inv.MethodOfPayment)
	}
	if cd := cashDiscountTerm(inv, r.m, r.cur, r.lang); cd != "" {
		terms = append(terms, cd)
	}
	for _, in := range inv.PaymentSchedule {
		terms = append(terms, FormatDate(in.DueDate, r.lang)+": "+in.Amount.Format(r.lang))
	}
	if b.IBAN != "" {
		terms = append(terms, strings.TrimSpace("IBAN "+b.IBAN+"  "+b.BIC))
	}
	r.section(r.m.Payment, strings.Join(terms, "\n"))
	r.section(r.m.Instructions, b.PaymentInstructions)
	r.section(r.m.Notes, LocalizeDates(inv.Notes, r.lang))
}

// section draws a titled paragraph, wrapped and broken over pages.
func (r *pdfRenderer) section(title, body string) {
	if strings.TrimSpace(body) == "" {
		return
	}
	r.room(30)
	r.font(true, 8)
	r.pdf.SetTextColor(r.primary[0], r.primary[1], r.primary[2])
	r.text(marginX, r.y, strings.ToUpper(title))
	r.y += 12
	r.font(false, 8.5)
	r.gray(40)
	for _, l := range r.wrap(body, contentW) {
		if r.room(11) {
			r.font(false, 8.5)
			r.gray(40)
		}
		r.text(marginX, r.y, l)
		r.y += 11
	}
	r.y += 8
}

// finish writes the footer with "Page n of m" and the draft watermark on
// every page, now that the number of pages is known.
func (r *pdfRenderer) finish() {
	footer := strings.TrimSpace(r.d.Tenant.LegalName + " · " + r.title() + " " + Number(*r.inv))
	for p := 1; p <= r.pages; p++ {
		r.fail(r.pdf.SetPage(p))
		r.pdf.SetStrokeColor(220, 220, 220)
		r.pdf.SetLineWidth(0.5)
		r.pdf.Line(marginX, pageH-42, rightX, pageH-42)
		r.font(false, 7.5)
		r.gray(110)
		r.text(marginX, pageH-36, footer)
		r.cell(400, pageH-36, rightX-400, fmt.Sprintf(r.m.PageOf, p, r.pages), gopdf.Right)
		if r.inv.Status.IsDraft() {
			r.watermark()
		}
	}
}

func (r *pdfRenderer) watermark() {
	t, err := gopdf.NewTransparency(0.12, "")
	r.fail(err)
	r.fail(r.pdf.SetTransparency(t))
	r.font(true, 80)
	r.pdf.SetTextColor(200, 30, 30)
	r.cell(0, pageH/2-48, pageW, r.m.Draft, gopdf.Center)
	r.pdf.ClearTransparency()
}

// addressLines renders an address as printed lines.
func addressLines(a billing.Address) []string {
	city := strings.TrimSpace(strings.Join(nonEmpty(a.PostalCode, a.City), " "))
	if a.Region != "" {
		city = strings.Join(nonEmpty(city, a.Region), ", ")
	}
	return nonEmpty(a.Line1, a.Line2, city, a.Country)
}

func nonEmpty(ss ...string) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
