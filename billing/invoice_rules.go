package billing

import (
	"fmt"
	"maps"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/money"
)

// Normalize validates a draft's header and fills defaults from the customer
// (bill-to snapshot, currency, language, payment terms, due date) and the
// tenant (accounting currency). It does not compute amounts: see Compute.
func (inv *Invoice) Normalize(customer, billTo Customer, tenant Tenant) error {
	var c fail.Collector
	if inv.Kind == "" {
		inv.Kind = KindInvoice
	}
	if inv.Kind != KindInvoice && inv.Kind != KindCreditNote {
		c.Add("kind", "use invoice or credit_note")
	}
	inv.InvoiceAccountID = billTo.ID
	inv.BillTo = Party{CustomerNumber: billTo.Number, Name: billTo.Name, LegalName: billTo.Billing.LegalName,
		Address: billTo.Billing.Address, TaxID: billTo.Billing.TaxID, Email: billTo.Billing.Email,
		SAPID: customer.SAPID, BillingContractNumber: customer.BillingContractNumber,
		SalesAccountExecutive: customer.SalesAccountExecutive}
	if inv.BillTo.LegalName == "" {
		inv.BillTo.LegalName = billTo.Name
	}
	inv.Currency = inv.CurrencyFor(billTo, tenant)
	if _, err := money.ParseCurrency(inv.Currency); err != nil {
		c.Add("currency", "%v", err)
	}
	if inv.Currency == tenant.Currency {
		if !inv.ExchangeRate.IsZero() && !inv.ExchangeRate.Equal(decimal.NewFromInt(1)) {
			c.Add("exchange_rate", "must be 1 (or omitted) for the accounting currency %s", tenant.Currency)
		}
		inv.ExchangeRate = decimal.NewFromInt(1)
	} else if !inv.ExchangeRate.IsPositive() {
		c.Add("exchange_rate", "is required for %s: how many %s one %s is worth", inv.Currency, tenant.Currency, inv.Currency)
	} else if inv.ExchangeRate.Exponent() < -10 {
		c.Add("exchange_rate", "at most 10 decimals")
	}
	if inv.Language == "" {
		inv.Language = billTo.Billing.Language
	}
	if inv.Language == "" {
		inv.Language = tenant.Language
	}
	checkLanguage(&c, "language", &inv.Language)
	if inv.PaymentTermsDays == 0 {
		inv.PaymentTermsDays = customer.PaymentTermsDays
	}
	if strings.TrimSpace(inv.MethodOfPayment) == "" {
		inv.MethodOfPayment = customer.MethodOfPayment
	}
	if inv.PaymentTermsDays < 0 || inv.PaymentTermsDays > MaxPaymentTermsDays {
		c.Add("payment_terms_days", "must be between 0 and %d", MaxPaymentTermsDays)
	}
	if inv.DocumentDate.IsZero() {
		inv.DocumentDate = inv.InvoiceDate
	}
	if !inv.InvoiceDate.IsZero() && inv.DueDate.IsZero() {
		inv.DueDate = inv.InvoiceDate.AddDays(inv.PaymentTermsDays)
	}
	if !inv.InvoiceDate.IsZero() && !inv.DueDate.IsZero() && inv.DueDate.Before(inv.InvoiceDate) {
		c.Add("due_date", "is before the invoice date")
	}
	if !inv.PeriodStart.IsZero() && !inv.PeriodEnd.IsZero() && inv.PeriodEnd.Before(inv.PeriodStart) {
		c.Add("period_end", "is before period_start")
	}
	if inv.CashDiscountPct.IsNegative() || inv.CashDiscountPct.GreaterThan(decimal.NewFromInt(100)) {
		c.Add("cash_discount_percent", "must be between 0 and 100")
	}
	if !inv.CashDiscountPct.IsZero() && inv.CashDiscountDate.IsZero() {
		c.Add("cash_discount_date", "is required with a cash discount percent")
	}
	if !inv.CashDiscountDate.IsZero() && !inv.DueDate.IsZero() && inv.CashDiscountDate.After(inv.DueDate) {
		c.Add("cash_discount_date", "is after the due date")
	}
	if len(inv.PaymentSchedule) > MaxInstallment {
		c.Add("payment_schedule", "at most %d installments", MaxInstallment)
	}
	for i, in := range inv.PaymentSchedule {
		if in.DueDate.IsZero() {
			c.Add(fmt.Sprintf("payment_schedule[%d].due_date", i), "is required")
		}
		if in.Amount.Sign() <= 0 {
			c.Add(fmt.Sprintf("payment_schedule[%d].amount", i), "must be above 0")
		}
		if i > 0 && !in.DueDate.After(inv.PaymentSchedule[i-1].DueDate) {
			c.Add(fmt.Sprintf("payment_schedule[%d].due_date", i), "must be after the previous installment's")
		}
	}
	for _, f := range []struct {
		name string
		v    *string
		max  int
	}{{"provider", &inv.Provider, 100}, {"method_of_payment", &inv.MethodOfPayment, 100}, {"notes", &inv.Notes, 4000}} {
		*f.v = strings.TrimSpace(*f.v)
		if f.name == "notes" {
			if len([]rune(*f.v)) > f.max {
				c.Add(f.name, "must be at most %d characters", f.max)
			}
			continue
		}
		checkText(&c, f.name, *f.v, f.max)
	}
	checkCustomFields(&c, "custom_fields", inv.CustomFields)
	checkCustomFields(&c, "external_refs", inv.ExternalRefs)
	if inv.CustomFields == nil {
		inv.CustomFields = map[string]string{}
	}
	if inv.ExternalRefs == nil {
		inv.ExternalRefs = map[string]string{}
	}
	inv.PostingProfile = customer.PostingProfile
	return c.Err()
}

// CheckSchedule verifies a payment schedule sums to the total.
func (inv *Invoice) CheckSchedule() error {
	if len(inv.PaymentSchedule) == 0 {
		return nil
	}
	var sum decimal.Decimal
	for _, in := range inv.PaymentSchedule {
		sum = sum.Add(in.Amount.Decimal())
	}
	if !sum.Equal(inv.Total.Decimal()) {
		return fail.Field("payment_schedule", "installments add up to %s but the total is %s; they must be equal", money.Fixed(sum, inv.Currency), inv.Total.StringFixed())
	}
	return nil
}

// CheckIssuable returns why the draft cannot be issued on date today, or nil.
func (inv *Invoice) CheckIssuable(today calendar.Date) error {
	if !inv.Status.IsDraft() {
		return fail.Conflictf("invoice %s is %s; only a draft can be issued", inv.label(), inv.Status)
	}
	if len(inv.Lines) == 0 {
		return fail.Field("lines", "an invoice needs at least one line before it can be issued")
	}
	if inv.Total.Sign() < 0 {
		if inv.Kind == KindInvoice {
			return fail.Field("total", "the total is %s: a negative total must be a credit note", inv.Total)
		}
		return fail.Field("total", "the total is %s: a credit note credits a positive amount", inv.Total)
	}
	if !inv.HoldUntil.IsZero() && today.Before(inv.HoldUntil) {
		return fail.Conflictf("invoice %s is on hold until %s", inv.label(), inv.HoldUntil)
	}
	if inv.BillTo.LegalName == "" || !inv.BillTo.Address.IsComplete() {
		return fail.Field("customer_id", "the bill-to account %s has no complete billing information (legal name and address)", inv.BillTo.CustomerNumber)
	}
	return inv.CheckSchedule()
}

// CloseReasonNothingOwed is the close reason of a document issued with a
// zero total.
const CloseReasonNothingOwed = "nothing to pay: the total is zero"

// CloseIfNothingOwed closes a document just issued whose total is zero
// (quantity 0, price 0, a discount of the whole amount, a zero credit note):
// it keeps its number but nothing is ever owed on it. It reports whether it
// closed it; the caller sets ClosedAt.
func (inv *Invoice) CloseIfNothingOwed() bool {
	if inv.Status != Open || !inv.Total.IsZero() {
		return false
	}
	inv.Status, inv.CloseReason = Closed, CloseReasonNothingOwed
	inv.clearBalance()
	return true
}

// Taxed reports whether the tenant charges tax: once it has a tax code,
// every line of a document it issues must carry one (seed 004: the tax
// information must be given).
func (s TaxSetup) Taxed() bool { return len(s.Codes) > 0 }

// CheckLineTaxes returns why the computed document cannot be issued with
// its lines' tax codes, naming each line at fault, or nil. Under a taxed
// setup every line needs exactly one applicable tax code that settles its
// tax (tax.Code.Settles): none means the line would go out untaxed by
// mistake (unless its groups map to an explicit exemption, which is a code);
// two or more cannot be expressed in an EN 16931 e-invoice, which gives a
// line one VAT category, so its UBL could never be produced.
func (inv *Invoice) CheckLineTaxes(setup TaxSetup) error {
	var c fail.Collector
	for i, l := range inv.Lines {
		checkItemTaxes(&c, setup, linePrefix(i), l.TaxCodes, l.SalesTaxGroup, l.ItemSalesTaxGroup)
	}
	for j, ch := range inv.Charges { // a charge is taxed as a line is, and needs one VAT category too (BT-102)
		checkItemTaxes(&c, setup, chargePrefix(j), ch.TaxCodes, ch.SalesTaxGroup, ch.ItemSalesTaxGroup)
	}
	return c.Err()
}

// checkItemTaxes is CheckLineTaxes's check of one line or charge, named p.
func checkItemTaxes(c *fail.Collector, setup TaxSetup, p string, taxCodes []string, sales, item string) {
	switch n := len(taxCodes); {
	case n == 0 && !setup.Taxed():
	case n == 0 && sales == "":
		c.Add(p+".sales_tax_group", "no tax code applies: the customer has no sales tax group; give the customer (or the document) a sales tax group")
	case n == 0 && item == "":
		c.Add(p+".item_sales_tax_group", "no tax code applies: choose an item sales tax group (for an exempt line, one that maps to an exemption code with its reason)")
	case n == 0:
		c.Add(p+".item_sales_tax_group", "no tax code applies: item sales tax group %q and sales tax group %q share no tax code; choose an item sales tax group that shares one (for an exempt line, an exemption code with its reason)",
			item, sales)
	case n == 1:
		if tc, ok := setup.Codes[taxCodes[0]]; ok && !tc.Settles() {
			c.Add(p+".item_sales_tax_group", "tax code %s (category %s) charges no tax but states no exemption reason; give the tax code its reason", tc.Code, tc.Category)
		}
	default:
		c.Add(p+".item_sales_tax_group", "%d tax codes apply (%s): an EN 16931 e-invoice gives a line exactly one VAT category; choose an item sales tax group that shares one code with sales tax group %q",
			n, strings.Join(taxCodes, ", "), sales)
	}
}

func (inv *Invoice) label() string {
	if inv.Number != "" {
		return inv.Number
	}
	return inv.DocumentNumber
}

// Clone returns a deep copy.
func (inv Invoice) Clone() Invoice {
	out := inv
	out.Lines = make([]Line, len(inv.Lines))
	for i, l := range inv.Lines {
		l.TaxCodes = append([]string(nil), l.TaxCodes...)
		l.Distribution = append([]Split(nil), l.Distribution...)
		out.Lines[i] = l
	}
	if inv.Charges != nil {
		out.Charges = make([]Charge, len(inv.Charges))
		for j, ch := range inv.Charges {
			ch.TaxCodes = append([]string(nil), ch.TaxCodes...)
			out.Charges[j] = ch
		}
	}
	out.Taxes = append([]TaxLine(nil), inv.Taxes...)
	out.PaymentSchedule = append([]Installment(nil), inv.PaymentSchedule...)
	out.CustomFields = maps.Clone(inv.CustomFields)
	out.ExternalRefs = maps.Clone(inv.ExternalRefs)
	return out
}

// PostingAccounts are the accounts an issue (Issue) or a write-off
// (Close) posts to.
type PostingAccounts struct {
	Receivables string // from the customer's posting profile
	Revenue     string // default for lines without an account
	Rounding    string
	WriteOff    string // what a balance closed without payment is written off to
}

// IssueLines returns the journal lines of issuing the document, in the
// accounting currency: receivables against revenue (per line account and
// distribution), each header charge's own account and tax payable (per tax code's account), with any
// conversion rounding to the rounding account. A credit note posts the mirror.
func (inv *Invoice) IssueLines(acct PostingAccounts, accounting money.Currency) ([]ledger.Line, error) {
	cur, err := money.ParseCurrency(inv.Currency)
	if err != nil {
		return nil, err
	}
	rate := money.RateOf(cur, accounting, inv.ExchangeRate)
	sign := inv.postingSign()
	ref := ledger.Line{CustomerID: inv.InvoiceAccountID, InvoiceID: inv.ID, Currency: inv.Currency}
	var b ledger.Builder
	arLine := ref
	arLine.Amount = inv.Total.Mul(sign)
	b.Debit(acct.Receivables, inv.TotalAccounting.Mul(sign), arLine)
	posted := money.Zero(accounting)
	for _, l := range inv.Lines {
		account := l.Account
		if account == "" {
			account = acct.Revenue
		}
		splits := l.Distribution
		if len(splits) == 0 {
			splits = []Split{{Account: account, Percent: decimal.NewFromInt(100)}}
		}
		weights := make([]decimal.Decimal, len(splits))
		for i, s := range splits {
			weights[i] = s.Percent
		}
		parts, err := money.New(l.Amount.Decimal(), cur).Allocate(weights...)
		if err != nil {
			return nil, fmt.Errorf("distribute line %d: %w", l.Position, err)
		}
		for i, s := range splits {
			amt := parts[i].MustConvertTo(rate)
			rl := ref
			rl.Amount = parts[i].Mul(sign).Neg()
			b.Credit(s.Account, amt.Mul(sign), rl)
			posted = posted.MustAdd(amt)
		}
	}
	for _, ch := range inv.Charges { // each charge's net to its own account
		amt := money.New(ch.Amount.Decimal(), cur).MustConvertTo(rate)
		cl := ref
		cl.Amount = money.New(ch.Amount.Decimal(), cur).Mul(sign).Neg()
		b.Credit(ch.Account, amt.Mul(sign), cl)
		posted = posted.MustAdd(amt)
	}
	for _, t := range inv.Taxes {
		amt := money.New(t.Amount.Decimal(), cur).MustConvertTo(rate)
		tl := ref
		tl.Amount = t.Amount.Mul(sign).Neg()
		b.Credit(t.Account, amt.Mul(sign), tl)
		posted = posted.MustAdd(amt)
	}
	if diff := money.New(inv.TotalAccounting.Decimal(), accounting).MustSub(posted); !diff.IsZero() {
		b.Credit(acct.Rounding, diff.Mul(sign), ledger.Line{InvoiceID: inv.ID})
	}
	return b.Lines(), nil
}

// postingSign is +1 for an invoice and −1 for a credit note, which posts
// the mirror of an invoice.
func (inv *Invoice) postingSign() decimal.Decimal {
	if inv.Kind == KindCreditNote {
		return decimal.NewFromInt(-1)
	}
	return decimal.NewFromInt(1)
}

// WriteOffLines closes a balance without payment: write-off expense against receivables.
func (inv *Invoice) WriteOffLines(receivables, writeOff string) []ledger.Line {
	var b ledger.Builder
	if inv.BalanceAccounting.IsZero() {
		return nil
	}
	sign := inv.postingSign()
	ref := ledger.Line{CustomerID: inv.InvoiceAccountID, InvoiceID: inv.ID, Currency: inv.Currency}
	b.Debit(writeOff, inv.BalanceAccounting.Mul(sign), ledger.Line{InvoiceID: inv.ID, Currency: inv.Currency, Amount: inv.Balance.Mul(sign)})
	ref.Amount = inv.Balance.Mul(sign).Neg()
	b.Credit(receivables, inv.BalanceAccounting.Mul(sign), ref)
	return b.Lines()
}

// CurrencyFor is the document's currency: its own, else the bill-to
// account's billing currency, else the tenant's ledger currency.
func (inv *Invoice) CurrencyFor(billTo Customer, tenant Tenant) string {
	cur := inv.Currency
	if cur == "" {
		cur = billTo.Billing.Currency
	}
	if cur == "" {
		cur = tenant.Currency
	}
	return strings.ToUpper(strings.TrimSpace(cur))
}

// StatusContext is what the status guards need beyond the document: the
// tenant's today and whether it requires approval before issuing.
type StatusContext struct {
	Today            calendar.Date
	ApprovalRequired bool
}

// CheckStatusChange is the one check of a status change: the transitions
// table, then the guard of the target status. AllowedStatuses offers
// exactly the changes it lets through. (Issuing also runs CheckIssuable
// again on the document as recomputed at issue.)
func (inv *Invoice) CheckStatusChange(to Status, sc StatusContext) error {
	if !inv.Status.CanBecome(to) {
		allowed := inv.allowedNames(sc)
		if len(allowed) == 0 {
			e := fail.Conflictf("invoice %s is %s: no status change is possible now", inv.label(), inv.Status)
			e.Allowed = []string{}
			return e
		}
		e := fail.Conflictf("invoice %s is %s and cannot become %q; allowed now: %s", inv.label(), inv.Status, to, strings.Join(allowed, ", "))
		e.Allowed = allowed
		return e
	}
	switch to {
	case Submitted:
		if len(inv.Lines) == 0 {
			return fail.Field("lines", "add at least one line before submitting")
		}
	case Open:
		return inv.CheckOpenable(sc)
	case PastDue:
		return inv.CheckPastDue(sc.Today)
	case Void:
		return inv.CheckVoidable()
	}
	return nil
}

// AllowedStatuses lists the statuses the document may change to now: those
// of the transitions table whose guard passes.
func (inv *Invoice) AllowedStatuses(sc StatusContext) []Status {
	out := []Status{}
	for _, s := range inv.Status.Next() {
		if inv.CheckStatusChange(s, sc) == nil {
			out = append(out, s)
		}
	}
	return out
}

func (inv *Invoice) allowedNames(sc StatusContext) []string {
	out := []string{}
	for _, s := range inv.AllowedStatuses(sc) {
		out = append(out, string(s))
	}
	return out
}

// CheckOpenable is the guard of issuing: with approval required only an
// approved draft issues; and the draft must be issuable today (not on
// hold, lines, a bill-to with billing information …).
func (inv *Invoice) CheckOpenable(sc StatusContext) error {
	if err := inv.CheckApproved(sc); err != nil {
		return err
	}
	return inv.CheckIssuable(sc.Today)
}

// CheckApproved is the approval gate of issuing by hand: when the tenant
// requires approval, only an approved draft issues. (A credit note of a
// correction, a billing run and an automatic recurring issue do not pass
// through it.)
func (inv *Invoice) CheckApproved(sc StatusContext) error {
	if sc.ApprovalRequired && inv.Status != Approved {
		e := fail.Conflictf("document %s is %s: this tenant requires approval before issuing; submit it and have it approved", inv.label(), inv.Status)
		e.Allowed = []string{string(Submitted)}
		return e
	}
	return nil
}

// CheckPastDue is the guard of marking an invoice past due: it has a due
// date, that date has passed and it has a balance (as the sweep's
// DueInvoiceIDs selects: a missing due date is never past due).
func (inv *Invoice) CheckPastDue(today calendar.Date) error {
	if inv.DueDate.IsZero() {
		return fail.Conflictf("invoice %s has no due date: it is never past due", inv.label())
	}
	if !inv.DueDate.Before(today) || inv.Balance.IsZero() {
		return fail.Conflictf("invoice %s is due %s with balance %s: it is not past due", inv.label(), inv.DueDate, inv.Balance)
	}
	return nil
}

// CheckVoidable is the guard of voiding: nothing paid, nothing settled
// against other documents.
func (inv *Invoice) CheckVoidable() error {
	if !inv.Paid.IsZero() {
		return fail.Conflictf("invoice %s has %s paid: refund or unapply the payments before voiding, or issue a credit note", inv.label(), inv.Paid)
	}
	if !inv.Balance.Decimal().Equal(inv.Total.Decimal()) {
		return fail.Conflictf("document %s has %s of %s settled against other documents: void only an unsettled document, or correct it", inv.label(), inv.Total.Decimal().Sub(inv.Balance.Decimal()), inv.Total)
	}
	return nil
}
