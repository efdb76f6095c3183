package billing

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/tax"
)

// Kind is the kind of billing document.
type Kind string

// The kinds.
const (
	KindInvoice    Kind = "invoice"
	KindCreditNote Kind = "credit_note"
)

// Status is an invoice's place in its lifecycle (DESIGN.md "Statuses").
type Status string

// The statuses.
const (
	Draft     Status = "draft"
	Submitted Status = "submitted" // approval workflow
	Approved  Status = "approved"  // approval workflow
	Open      Status = "open"
	PastDue   Status = "past_due"
	Closed    Status = "closed"
	Void      Status = "void"
)

// Statuses lists every status in lifecycle order (DESIGN.md "Statuses"):
// the order a list sorted by status follows (Rank).
var Statuses = []Status{Draft, Submitted, Approved, Open, PastDue, Closed, Void}

// Rank is s's place in the lifecycle order of Statuses, from 0; -1 for an
// unknown status.
func (s Status) Rank() int { return slices.Index(Statuses, s) }

// transitions is the one table of legal status changes. Nothing leads back to draft.
// With the approval workflow on, a draft goes through submitted and
// approved (or back to draft when rejected) before it is issued.
var transitions = map[Status][]Status{
	Draft:     {Submitted, Open},
	Submitted: {Approved, Draft, Open},
	Approved:  {Open, Draft},
	Open:      {PastDue, Closed, Void},
	PastDue:   {Closed, Void},
}

// Next returns the statuses s may change to.
func (s Status) Next() []Status { return slices.Clone(transitions[s]) }

// CanBecome reports whether s may change to t.
func (s Status) CanBecome(t Status) bool { return slices.Contains(transitions[s], t) }

// Reopen is the one status change outside the transitions table, and no
// user makes it: when money an invoice was settled with is refunded, the
// closed invoice has a balance again and is open, or past due after its
// due date. Only a closed invoice reopens. It posts nothing: the refund
// that reopens it posts its own entry.
func (inv *Invoice) Reopen(today calendar.Date) (Change, error) {
	if inv.Status != Closed {
		return Change{}, fail.Conflictf("invoice %s is %s: only a closed invoice reopens", inv.Number, inv.Status)
	}
	ch := Change{From: Closed, To: Open, Fields: []string{"status", "closed_at", "close_reason"}}
	inv.Status, inv.ClosedAt, inv.CloseReason = Open, nil, ""
	if !inv.DueDate.IsZero() && inv.DueDate.Before(today) {
		inv.Status = PastDue
	}
	ch.To = inv.Status
	return ch, nil
}

// IsDraft reports whether the document is not yet issued (editable).
func (s Status) IsDraft() bool { return s == Draft || s == Submitted || s == Approved }

// IsIssued reports whether the document has a legal number and is posted.
func (s Status) IsIssued() bool { return s == Open || s == PastDue || s == Closed || s == Void }

// VisibleToCustomer reports whether the customer portal shows the document
// (seeds 000, 001: drafts never).
func (s Status) VisibleToCustomer() bool { return s.IsIssued() }

// ChargeType classifies a line (seed 000's "charge type").
type ChargeType string

// The charge types.
const (
	Recurring ChargeType = "recurring"
	Usage     ChargeType = "usage"
	OneTime   ChargeType = "one_time"
	Time      ChargeType = "time"
)

// ChargeTypes lists the charge types.
var ChargeTypes = []ChargeType{Recurring, Usage, OneTime, Time}

// Split distributes part of a line over an account (seed 004's distribution).
type Split struct {
	Account string          `json:"account"`
	Percent decimal.Decimal `json:"percent" money:"-"`
}

// Line is one invoice line. Quantity × unit price − discount = amount,
// rounded to the currency; a line entered by amount alone has no quantity
// and unit price (seed 004).
type Line struct {
	Position          int              `json:"position"`
	Description       string           `json:"description"`
	ProductID         string           `json:"product_id,omitempty"`
	Account           string           `json:"account"` // main (revenue) account
	SalesTaxGroup     string           `json:"sales_tax_group"`
	ItemSalesTaxGroup string           `json:"item_sales_tax_group"`
	Quantity          *decimal.Decimal `json:"quantity" money:"-"`
	Unit              string           `json:"unit,omitempty"`
	UnitPrice         *money.UnitPrice `json:"unit_price"`
	Discount          money.Amount     `json:"discount"`
	Amount            money.Amount     `json:"amount"`
	ChargeType        ChargeType       `json:"charge_type"`
	ServiceStart      calendar.Date    `json:"service_start"`
	ServiceEnd        calendar.Date    `json:"service_end"`
	Distribution      []Split          `json:"distribution,omitempty"`
	// Computed by Compute and stored:
	TaxCodes  []string     `json:"tax_codes"`
	TaxAmount money.Amount `json:"tax_amount"` // this line's share of the tax (money.Apportion); lines sum to the tax total
}

// AmountOnly reports whether the line was entered as an amount alone.
func (l Line) AmountOnly() bool { return l.Quantity == nil && l.UnitPrice == nil }

// TaxLine is the tax of one tax code on a document.
type TaxLine struct {
	Code                string          `json:"code"`
	Name                string          `json:"name"`
	Category            tax.Category    `json:"category"`
	Rate                decimal.Decimal `json:"rate" money:"-"`
	ExemptionReason     string          `json:"exemption_reason,omitempty"`
	ExemptionReasonCode string          `json:"exemption_reason_code,omitempty"`
	Account             string          `json:"account"`
	Base                money.Amount    `json:"base"`
	Amount              money.Amount    `json:"amount"`
}

// Totals are a document's computed amounts, in its currency.
type Totals struct {
	Net     money.Amount `json:"net"`
	Tax     money.Amount `json:"tax"`
	Total   money.Amount `json:"total"`
	Taxes   []TaxLine    `json:"taxes"`
	Paid    money.Amount `json:"paid"`
	Balance money.Amount `json:"balance"`
	// TotalAccounting is Total in the tenant's accounting currency at the
	// document's exchange rate: what receivables carry for it.
	TotalAccounting   money.Amount `json:"total_accounting"`
	BalanceAccounting money.Amount `json:"balance_accounting"`
}

// Installment is one due date of a payment schedule.
type Installment struct {
	DueDate calendar.Date `json:"due_date"`
	Amount  money.Amount  `json:"amount"`
}

// Party is the bill-to snapshot frozen on a document when it is issued.
type Party struct {
	CustomerNumber        string  `json:"customer_number"`
	Name                  string  `json:"name"`
	LegalName             string  `json:"legal_name"`
	Address               Address `json:"address"`
	TaxID                 string  `json:"tax_id"`
	Email                 string  `json:"email"`
	SAPID                 string  `json:"sap_id"`
	BillingContractNumber string  `json:"billing_contract_number"`
	SalesAccountExecutive string  `json:"sales_account_executive"`
}

// Invoice is an invoice or credit note.
type Invoice struct {
	ID               string            `json:"id"`
	TenantID         string            `json:"-"`
	Kind             Kind              `json:"kind"`
	Status           Status            `json:"status"`
	DocumentNumber   string            `json:"document_number"` // assigned on creation
	Number           string            `json:"number"`          // legal number, assigned on issue
	CustomerID       string            `json:"customer_id"`
	InvoiceAccountID string            `json:"invoice_account_id"` // the bill-to account
	BillTo           Party             `json:"bill_to"`
	InvoiceDate      calendar.Date     `json:"invoice_date"`
	DocumentDate     calendar.Date     `json:"document_date"`
	DueDate          calendar.Date     `json:"due_date"`
	CashDiscountDate calendar.Date     `json:"cash_discount_date"`
	CashDiscountPct  decimal.Decimal   `json:"cash_discount_percent" money:"-"`
	CashDiscount     money.Amount      `json:"cash_discount_amount"` // computed and stored: CashDiscountOf
	PeriodStart      calendar.Date     `json:"period_start"`
	PeriodEnd        calendar.Date     `json:"period_end"`
	Currency         string            `json:"currency"`
	ExchangeRate     decimal.Decimal   `json:"exchange_rate" money:"-"` // accounting-currency units per unit of Currency
	Provider         string            `json:"provider"`
	MethodOfPayment  string            `json:"method_of_payment"`
	PaymentTermsDays int               `json:"payment_terms_days"`
	PaymentSchedule  []Installment     `json:"payment_schedule"`
	HoldUntil        calendar.Date     `json:"hold_until"`
	Language         string            `json:"language"`
	CustomFields     map[string]string `json:"custom_fields"`
	Notes            string            `json:"notes"`
	ExternalRefs     map[string]string `json:"external_refs"`
	PostingProfile   string            `json:"posting_profile"`
	Lines            []Line            `json:"lines"`
	Charges          []Charge          `json:"charges"` // header charges (seed 004), taxed and posted like lines
	Totals
	// Corrections (seed 004): the original, its crediting credit note and its
	// replacement draft each point to the other two.
	OriginalID        string `json:"original_id"`
	CreditNoteID      string `json:"credit_note_id"`
	ReplacementID     string `json:"replacement_id"`
	CorrectionReason  string `json:"correction_reason"`
	CorrectionComment string `json:"correction_comment"`
	// TemplateID and TemplatePeriod link a document to the recurring
	// template and period that made it.
	TemplateID     string     `json:"template_id"`
	TemplatePeriod string     `json:"template_period"`
	TaxMode        tax.Mode   `json:"tax_mode"`
	EntryID        string     `json:"entry_id"` // the journal entry of its issue
	VoidEntryID    string     `json:"void_entry_id"`
	CloseReason    string     `json:"close_reason"`
	IssuedAt       *time.Time `json:"issued_at"`
	ClosedAt       *time.Time `json:"closed_at"`
	VoidedAt       *time.Time `json:"voided_at"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

// Limits of one document.
const (
	MaxLines       = 1000
	MaxInstallment = 24
)

var maxQuantity = decimal.New(1, 12)

// tooLarge reports whether |d| > maxQuantity.
func tooLarge(d decimal.Decimal) bool { return d.Abs().GreaterThan(maxQuantity) }

// TaxSetup is what computing a document's tax needs: the tenant's codes and groups.
type TaxSetup struct {
	Mode        tax.Mode
	Codes       map[string]tax.Code
	SalesGroups map[string]tax.Group
	ItemGroups  map[string]tax.Group
}

// hundred is 100 %.
var hundred = decimal.NewFromInt(100)

// Compute validates the lines and header charges and computes every amount,
// in place: line amounts, tax per code, the line and charge shares of tax,
// and the totals (a charge is taxed like a line of its groups and adds to
// the net). This is the
// one rounding policy (DESIGN.md): line amount = quantity × unit price −
// discount, rounded half away from zero to the currency; tax per code =
// rate × the sum of the line amounts with that code, rounded (or per line in
// per_line mode); totals are sums of rounded parts. The arithmetic is exact
// decimal (shopspring); nothing else computes these amounts.
func (inv *Invoice) Compute(setup TaxSetup, accounting money.Currency) error {
	var c fail.Collector
	cur, err := money.ParseCurrency(inv.Currency)
	if err != nil {
		c.Add("currency", "%v", err)
		return c.Err()
	}
	if len(inv.Lines) > MaxLines {
		c.Add("lines", "at most %d lines", MaxLines)
		return c.Err()
	}
	sc := getScratch()
	defer putScratch(sc)
	for i := range inv.Lines {
		l := &inv.Lines[i]
		p := linePrefix(i)
		l.Position = i + 1
		l.Description = strings.TrimSpace(l.Description)
		if l.Description == "" {
			c.Add(p+".description", "is required")
		} else {
			checkTextIn(&c, p, ".description", l.Description, 1000)
		}
		if l.ChargeType == "" {
			l.ChargeType = OneTime
		}
		if !slices.Contains(ChargeTypes, l.ChargeType) {
			c.Add(p+".charge_type", "use recurring, usage, one_time or time")
		}
		if !l.ServiceStart.IsZero() && !l.ServiceEnd.IsZero() && l.ServiceEnd.Before(l.ServiceStart) {
			c.Add(p+".service_end", "is before service_start")
		}
		l.bind(cur)
		if l.Discount.Sign() < 0 {
			c.Add(p+".discount", "must not be negative")
		}
		switch {
		case l.AmountOnly():
			if !l.Discount.IsZero() {
				c.Add(p+".discount", "a line entered by amount has no discount; enter the net amount")
			}
			if !l.Amount.IsRounded() {
				c.Add(p+".amount", "has more decimals than %s allows (%d)", cur.Code(), cur.Digits())
			}
		case l.Quantity == nil:
			c.Add(p+".quantity", "is required with a unit price (or give only an amount)")
		case l.UnitPrice == nil:
			c.Add(p+".unit_price", "is required with a quantity (or give only an amount)")
		default:
			if tooLarge(*l.Quantity) {
				c.Add(p+".quantity", "is too large")
			}
			if l.Quantity.Exponent() < -6 {
				c.Add(p+".quantity", "at most 6 decimals")
			}
			if l.UnitPrice.Decimal().Exponent() < -6 {
				c.Add(p+".unit_price", "at most 6 decimals")
			}
			if tooLarge(l.UnitPrice.Decimal()) {
				c.Add(p+".unit_price", "is too large")
			}
			l.Amount = lineAmount(*l.Quantity, *l.UnitPrice, l.Discount)
		}
		if len(l.Distribution) > 0 {
			for j, s := range l.Distribution {
				if s.Account == "" {
					c.Add(fmt.Sprintf("%s.distribution[%d].account", p, j), "is required")
				}
				if !s.Percent.IsPositive() {
					c.Add(fmt.Sprintf("%s.distribution[%d].percent", p, j), "must be above 0")
				}
			}
			var sum decimal.Decimal
			for _, s := range l.Distribution {
				sum = sum.Add(s.Percent)
			}
			if !sum.Equal(hundred) {
				c.Add(p+".distribution", "percentages add up to %s; they must add up to 100", sum)
			}
		}
		sc.addTaxed(&c, setup, p, int32(i), l.SalesTaxGroup, l.ItemSalesTaxGroup)
	}
	if len(inv.Charges) > MaxCharges {
		c.Add("charges", "at most %d charges", MaxCharges)
		return c.Err()
	}
	for j := range inv.Charges { // taxed like a line of the same pair of groups
		ch := &inv.Charges[j]
		ch.bind(cur)
		ch.check(&c, j, cur)
		sc.addTaxed(&c, setup, chargePrefix(j), int32(len(inv.Lines)+j), ch.SalesTaxGroup, ch.ItemSalesTaxGroup)
	}
	sc.setTaxCodes(inv.Lines, inv.Charges)
	if err := c.Err(); err != nil {
		return err
	}
	inv.TaxMode = setup.Mode
	for i := range inv.PaymentSchedule {
		inv.PaymentSchedule[i].Amount = money.New(inv.PaymentSchedule[i].Amount.Decimal(), cur)
	}
	inv.computeTotals(sc, cur, accounting, setup.Mode)
	inv.computeCashDiscount()
	return nil
}

// lineAmount is quantity × unit price − discount rounded half away from zero
// to the currency: the one line rounding rule. Price and discount are in
// the same currency (bind).
func lineAmount(q decimal.Decimal, p money.UnitPrice, disc money.Amount) money.Amount {
	return p.Mul(q).MustSub(disc).Round()
}

// bind puts the line's amounts in the document's currency cur: input
// decoded from JSON (a recurring template's lines, an API draft) carries
// none.
func (l *Line) bind(cur money.Currency) {
	if l.UnitPrice != nil {
		l.UnitPrice = &money.UnitPrice{Amount: money.New(l.UnitPrice.Decimal(), cur)}
	}
	l.Discount, l.Amount = money.New(l.Discount.Decimal(), cur), money.New(l.Amount.Decimal(), cur)
	l.TaxAmount = money.New(l.TaxAmount.Decimal(), cur)
}

// computeTotals computes the tax per code, the lines' shares of it and the totals
// from the line amounts and sc's codes and entries.
func (inv *Invoice) computeTotals(sc *computeScratch, cur, accounting money.Currency, mode tax.Mode) {
	var net decimal.Decimal
	for i := range inv.Lines {
		net = net.Add(inv.Lines[i].Amount.Decimal())
		inv.Lines[i].TaxAmount = money.Zero(cur)
	}
	for j := range inv.Charges {
		net = net.Add(inv.Charges[j].Amount.Decimal())
		inv.Charges[j].TaxAmount = money.Zero(cur)
	}
	sc.sortCodes()
	var taxTotal decimal.Decimal
	inv.Taxes = inv.Taxes[:0]
	for _, k := range sc.order {
		cs := &sc.codes[k]
		var base, codeTax decimal.Decimal
		parts := sc.dparts[:0] // per-line exact tax (per_line: rounded)
		for _, en := range sc.entries {
			if en.code != k {
				continue
			}
			amount := inv.taxedAmount(en.line).Decimal()
			base = base.Add(amount)
			part := amount.Mul(cs.tc.Rate).Shift(-2) // rate is a percentage
			if mode == tax.PerLine {
				part = cur.Round(part)
			}
			parts = append(parts, part)
		}
		sc.dparts = parts
		if len(parts) == 0 {
			continue
		}
		if mode == tax.PerLine {
			for _, p := range parts {
				codeTax = codeTax.Add(p)
			}
		} else {
			codeTax = cur.Round(base.Mul(cs.tc.Rate).Shift(-2))
		}
		// Share the code's tax over its lines so line taxes sum exactly.
		shares, err := money.Apportion(money.New(codeTax, cur), parts)
		if err != nil { // unreachable: parts is not empty
			panic(err)
		}
		j := 0
		for _, en := range sc.entries {
			if en.code == k {
				t := inv.taxShare(en.line)
				*t = t.MustAdd(shares[j])
				j++
			}
		}
		taxTotal = taxTotal.Add(codeTax)
		inv.Taxes = append(inv.Taxes, taxLine(cs.code, cs.tc, money.New(base, cur), money.New(codeTax, cur)))
	}
	inv.Net = money.New(net, cur)
	inv.Tax = money.New(taxTotal, cur)
	inv.Total = money.New(net.Add(taxTotal), cur)
	inv.Paid = money.New(inv.Paid.Decimal(), cur) // bound to the document's currency
	inv.Balance = inv.Total.MustSub(inv.Paid)
	rate := money.RateOf(cur, accounting, inv.ExchangeRate)
	inv.TotalAccounting = inv.Total.MustConvertTo(rate)
	inv.BalanceAccounting = inv.Balance.MustConvertTo(rate)
}

// taxedAmount is the amount of taxed item i of Compute's entries: line i,
// or past the lines, charge i − len(Lines).
func (inv *Invoice) taxedAmount(i int32) money.Amount {
	if n := int32(len(inv.Lines)); i >= n {
		return inv.Charges[i-n].Amount
	}
	return inv.Lines[i].Amount
}

// taxShare is where taxed item i (as taxedAmount) keeps its share of tax.
func (inv *Invoice) taxShare(i int32) *money.Amount {
	if n := int32(len(inv.Lines)); i >= n {
		return &inv.Charges[i-n].TaxAmount
	}
	return &inv.Lines[i].TaxAmount
}

// Cur is the document's currency; the zero Currency while its code is
// unknown (a draft not yet computed).
func (inv *Invoice) Cur() money.Currency {
	c, _ := money.ParseCurrency(inv.Currency)
	return c
}

// clearBalance sets what is owed on the document to zero, in its currency
// and in the accounting currency.
func (inv *Invoice) clearBalance() {
	inv.Balance, inv.BalanceAccounting = money.Zero(inv.Balance.Currency()), money.Zero(inv.BalanceAccounting.Currency())
}

// taxLine is the document's tax line of one code.
func taxLine(code string, tc tax.Code, base, amount money.Amount) TaxLine {
	return TaxLine{Code: code, Name: tc.Name, Category: tc.Category, Rate: tc.Rate,
		ExemptionReason: tc.ExemptionReason, ExemptionReasonCode: tc.ExemptionReasonCode, Account: tc.Account,
		Base: base, Amount: amount}
}

var linePrefixes = func() []string {
	out := make([]string, 64)
	for i := range out {
		out[i] = fmt.Sprintf("lines[%d]", i)
	}
	return out
}()

// linePrefix names line i in error fields, without formatting for common sizes.
func linePrefix(i int) string {
	if i < len(linePrefixes) {
		return linePrefixes[i]
	}
	return fmt.Sprintf("lines[%d]", i)
}
