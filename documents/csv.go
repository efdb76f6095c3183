package documents

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/money"
)

// invoiceColumns are the CSV columns of a document; the detailed CSV
// repeats them on every line row, followed by lineColumns.
var invoiceColumns = []string{
	"invoice_id", "kind", "number", "document_number", "status", "customer_id", "customer_number", "customer_name",
	"customer_tax_id", "invoice_account_id", "billing_contract_number", "sap_id", "sales_account_executive",
	"invoice_date", "due_date", "period_start", "period_end", "currency", "exchange_rate", "provider",
	"net", "tax", "total", "paid", "balance", "total_accounting", "balance_accounting", "payment_terms_days",
	"issued_at", "original_id",
}

var lineColumns = []string{
	"line", "description", "product_id", "charge_type", "quantity", "unit", "unit_price", "discount", "amount",
	"tax_codes", "line_tax", "service_start", "service_end", "account",
}

// CSVWriter streams documents as RFC 4180 CSV (UTF-8, CRLF, a header row,
// amounts as plain decimals with the currency's number of decimals). The
// plain CSV has one row per document; the detailed CSV one row per line
// with the document's columns repeated. It holds one row at a time, so
// memory does not grow with the number of documents.
type CSVWriter struct {
	w        *csv.Writer
	detailed bool
	header   bool
	row      []string
}

// NewCSVWriter returns a writer of the plain or the detailed CSV.
func NewCSVWriter(w io.Writer, detailed bool) *CSVWriter {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	n := len(invoiceColumns)
	if detailed {
		n += len(lineColumns)
	}
	return &CSVWriter{w: cw, detailed: detailed, row: make([]string, 0, n)}
}

// WriteHeader writes the header row (once; Write calls it by itself).
func (c *CSVWriter) WriteHeader() error {
	if c.header {
		return nil
	}
	c.header = true
	h := append(c.row[:0], invoiceColumns...)
	if c.detailed {
		h = append(h, lineColumns...)
	}
	return c.w.Write(h)
}

// Write writes inv: one row, or one row per line for the detailed CSV (a
// document without lines still gets one row there, with empty line columns).
func (c *CSVWriter) Write(inv *billing.Invoice) error {
	if err := c.WriteHeader(); err != nil {
		return err
	}
	cur, err := money.ParseCurrency(inv.Currency)
	if err != nil {
		return err
	}
	c.row = c.invoiceRow(c.row[:0], inv, cur)
	if !c.detailed {
		return c.w.Write(c.row)
	}
	if len(inv.Lines) == 0 {
		for range lineColumns {
			c.row = append(c.row, "")
		}
		return c.w.Write(c.row)
	}
	n := len(c.row)
	for i := range inv.Lines {
		c.row = lineRow(c.row[:n], &inv.Lines[i], cur)
		if err := c.w.Write(c.row); err != nil {
			return err
		}
	}
	return nil
}

// Flush writes any buffered rows and returns the first error.
func (c *CSVWriter) Flush() error {
	c.w.Flush()
	return c.w.Error()
}

func (c *CSVWriter) invoiceRow(r []string, inv *billing.Invoice, cur money.Currency) []string {
	bt := &inv.BillTo
	var issued string
	if inv.IssuedAt != nil {
		issued = inv.IssuedAt.UTC().Format(time.RFC3339)
	}
	return append(r,
		inv.ID, string(inv.Kind), inv.Number, inv.DocumentNumber, string(inv.Status), inv.CustomerID, text(bt.CustomerNumber),
		text(firstNonEmpty(bt.LegalName, bt.Name)), text(bt.TaxID), inv.InvoiceAccountID, text(bt.BillingContractNumber),
		text(bt.SAPID), text(bt.SalesAccountExecutive),
		dateText(inv.InvoiceDate.String(), inv.InvoiceDate.IsZero()), dateText(inv.DueDate.String(), inv.DueDate.IsZero()),
		dateText(inv.PeriodStart.String(), inv.PeriodStart.IsZero()), dateText(inv.PeriodEnd.String(), inv.PeriodEnd.IsZero()),
		inv.Currency, inv.ExchangeRate.String(), text(inv.Provider),
		inv.Net.Fixed(), inv.Tax.Fixed(), inv.Total.Fixed(), inv.Paid.Fixed(), inv.Balance.Fixed(),
		inv.TotalAccounting.Fixed(), inv.BalanceAccounting.Fixed(), strconv.Itoa(inv.PaymentTermsDays),
		issued, inv.OriginalID)
}

func lineRow(r []string, l *billing.Line, cur money.Currency) []string {
	return append(r,
		strconv.Itoa(l.Position), text(l.Description), text(l.ProductID), string(l.ChargeType), optDec(l.Quantity), text(l.Unit),
		optPrice(l.UnitPrice), l.Discount.Fixed(), l.Amount.Fixed(), strings.Join(l.TaxCodes, " "),
		l.TaxAmount.Fixed(), dateText(l.ServiceStart.String(), l.ServiceStart.IsZero()),
		dateText(l.ServiceEnd.String(), l.ServiceEnd.IsZero()), text(l.Account))
}

// optPrice writes a unit price with at least the currency's digits; none: "".
func optPrice(p *money.UnitPrice) string {
	if p == nil {
		return ""
	}
	return p.String()
}

func optDec(d *decimal.Decimal) string {
	if d == nil {
		return ""
	}
	return d.String()
}

func dateText(s string, zero bool) string {
	if zero {
		return ""
	}
	return s
}

// text guards free text against spreadsheet formula injection: a value
// starting with =, +, -, @, tab or carriage return gets a leading
// apostrophe, as OWASP recommends. Amounts are never touched.
func text(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
