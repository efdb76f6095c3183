package service

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/documents"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/id"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/money"
)

// InvoiceStore persists invoices and credit notes.
type InvoiceStore interface {
	InsertInvoice(ctx context.Context, inv billing.Invoice) error
	GetInvoice(ctx context.Context, tenantID, invoiceID string) (billing.Invoice, error)
	// GetInvoiceForUpdate reads and (on PostgreSQL) locks the invoice row.
	GetInvoiceForUpdate(ctx context.Context, tenantID, invoiceID string) (billing.Invoice, error)
	// UpdateInvoice writes the header, totals and lines.
	UpdateInvoice(ctx context.Context, inv billing.Invoice) error
	DeleteInvoice(ctx context.Context, tenantID, invoiceID string) error
	ListInvoices(ctx context.Context, tenantID string, f InvoiceFilter) ([]billing.Invoice, error) // headers, no lines
	// DueInvoiceIDs lists open invoices with a balance whose due date is before today.
	DueInvoiceIDs(ctx context.Context, tenantID string, today calendar.Date, limit int) ([]string, error)
	// OpenBalance sums the balances of a bill-to account's issued, unsettled
	// documents in currency (credit notes negative), exactly.
	OpenBalance(ctx context.Context, tenantID, accountID, currency string) (decimal.Decimal, error)
}

// LineInput is one line as a client enters it. Give quantity and unit_price
// (amount is computed), or amount alone (seed 004: typing an amount clears
// the quantity).
type LineInput struct {
	Description       string
	ProductID         string
	Account           string
	SalesTaxGroup     *string // default: the customer's sales tax group
	ItemSalesTaxGroup string
	Quantity          *string
	Unit              string
	UnitPrice         *string
	Discount          string
	Amount            *string
	ChargeType        string
	ServiceStart      calendar.Date
	ServiceEnd        calendar.Date
	Distribution      []SplitInput
}

// SplitInput distributes a line over an account by percent.
type SplitInput struct {
	Account string
	Percent string
}

// InstallmentInput is one due date of a payment schedule.
type InstallmentInput struct {
	DueDate calendar.Date
	Amount  string
}

// InvoiceInput creates or edits a draft; nil fields stay (or default on create).
type InvoiceInput struct {
	Kind             *string
	CustomerID       *string
	InvoiceAccountID *string
	InvoiceDate      *calendar.Date
	DocumentDate     *calendar.Date
	DueDate          *calendar.Date
	CashDiscountDate *calendar.Date
	CashDiscountPct  *string
	PeriodStart      *calendar.Date
	PeriodEnd        *calendar.Date
	Currency         *string
	ExchangeRate     *string
	Provider         *string
	MethodOfPayment  *string
	PaymentTermsDays *int
	PaymentSchedule  *[]InstallmentInput
	HoldUntil        *calendar.Date
	Language         *string
	CustomFields     *map[string]string
	Notes            *string
	ExternalRefs     *map[string]string
	Lines            *[]LineInput
}

func parseDec(c *fail.Collector, field, s string) decimal.Decimal {
	if s == "" {
		return decimal.Zero
	}
	d, err := money.ParseDecimal(s)
	if err != nil {
		c.Add(field, "%q is not a decimal number such as \"12.50\"", s)
	}
	return d
}

// apply copies the set fields onto inv; customer supplies line defaults.
func (in InvoiceInput) apply(inv *billing.Invoice, customer billing.Customer) error {
	var c fail.Collector
	if in.Kind != nil {
		inv.Kind = billing.Kind(*in.Kind)
	}
	set(&inv.InvoiceDate, in.InvoiceDate)
	set(&inv.DocumentDate, in.DocumentDate)
	if in.DueDate != nil || in.InvoiceDate != nil || in.PaymentTermsDays != nil {
		inv.DueDate = calendar.Date{} // recomputed from the terms unless given
		set(&inv.DueDate, in.DueDate)
	}
	set(&inv.CashDiscountDate, in.CashDiscountDate)
	if in.CashDiscountPct != nil {
		inv.CashDiscountPct = parseDec(&c, "cash_discount_percent", *in.CashDiscountPct)
	}
	set(&inv.PeriodStart, in.PeriodStart)
	set(&inv.PeriodEnd, in.PeriodEnd)
	if in.Currency != nil && in.ExchangeRate == nil && !strings.EqualFold(strings.TrimSpace(*in.Currency), inv.Currency) {
		inv.ExchangeRate = decimal.Zero // another currency needs its own rate, not the old one's
	}
	set(&inv.Currency, in.Currency)
	if in.ExchangeRate != nil {
		inv.ExchangeRate = parseDec(&c, "exchange_rate", *in.ExchangeRate)
	}
	set(&inv.Provider, in.Provider)
	set(&inv.MethodOfPayment, in.MethodOfPayment)
	set(&inv.PaymentTermsDays, in.PaymentTermsDays)
	if in.PaymentSchedule != nil {
		inv.PaymentSchedule = nil
		for i, it := range *in.PaymentSchedule {
			inv.PaymentSchedule = append(inv.PaymentSchedule, billing.Installment{DueDate: it.DueDate,
				Amount: parseDec(&c, fmt.Sprintf("payment_schedule[%d].amount", i), it.Amount)})
		}
	}
	set(&inv.HoldUntil, in.HoldUntil)
	set(&inv.Language, in.Language)
	if in.CustomFields != nil {
		inv.CustomFields = maps.Clone(*in.CustomFields)
	}
	set(&inv.Notes, in.Notes)
	if in.ExternalRefs != nil {
		inv.ExternalRefs = maps.Clone(*in.ExternalRefs)
	}
	if in.Lines != nil {
		inv.Lines = make([]billing.Line, 0, len(*in.Lines))
		for i, li := range *in.Lines {
			p := fmt.Sprintf("lines[%d]", i)
			l := billing.Line{Description: li.Description, ProductID: li.ProductID, Account: strings.TrimSpace(li.Account),
				ItemSalesTaxGroup: li.ItemSalesTaxGroup, Unit: li.Unit, ChargeType: billing.ChargeType(li.ChargeType),
				ServiceStart: li.ServiceStart, ServiceEnd: li.ServiceEnd, SalesTaxGroup: customer.SalesTaxGroup}
			if li.SalesTaxGroup != nil {
				l.SalesTaxGroup = *li.SalesTaxGroup
			}
			switch {
			case li.Amount != nil && (li.Quantity != nil || li.UnitPrice != nil):
				c.Add(p+".amount", "give quantity and unit_price, or amount alone (an amount clears quantity and unit price)")
			case li.Amount != nil:
				l.Amount = parseDec(&c, p+".amount", *li.Amount)
			default:
				if li.Quantity != nil {
					q := parseDec(&c, p+".quantity", *li.Quantity)
					l.Quantity = &q
				}
				if li.UnitPrice != nil {
					u := parseDec(&c, p+".unit_price", *li.UnitPrice)
					l.UnitPrice = &u
				}
				if li.Quantity == nil && li.UnitPrice == nil {
					c.Add(p+".quantity", "give quantity and unit_price, or amount alone")
				}
			}
			l.Discount = parseDec(&c, p+".discount", li.Discount)
			for j, sp := range li.Distribution {
				l.Distribution = append(l.Distribution, billing.Split{Account: strings.TrimSpace(sp.Account),
					Percent: parseDec(&c, fmt.Sprintf("%s.distribution[%d].percent", p, j), sp.Percent)})
			}
			inv.Lines = append(inv.Lines, l)
		}
	}
	return c.Err()
}

// loadParties returns the customer and the bill-to account of a draft.
func (s *Service) loadParties(ctx context.Context, tx Tx, tenantID, customerID, invoiceAccountID string) (billing.Customer, billing.Customer, error) {
	cust, err := tx.GetCustomer(ctx, tenantID, customerID)
	if fail.Is(err, fail.NotFound) {
		return cust, cust, fail.Field("customer_id", "no customer %q in this tenant", customerID)
	} else if err != nil {
		return cust, cust, err
	}
	if cust.ArchivedAt != nil {
		return cust, cust, fail.Field("customer_id", "customer %s is archived", cust.Number)
	}
	billTo := cust
	if invoiceAccountID == "" {
		invoiceAccountID = cust.InvoiceAccount()
	}
	if invoiceAccountID != cust.ID {
		billTo, err = tx.GetCustomer(ctx, tenantID, invoiceAccountID)
		if fail.Is(err, fail.NotFound) {
			return cust, cust, fail.Field("invoice_account_id", "no customer %q in this tenant", invoiceAccountID)
		} else if err != nil {
			return cust, cust, err
		}
	}
	return cust, billTo, nil
}

// prepare normalizes and computes a draft inside a transaction.
func (s *Service) prepare(ctx context.Context, tx Tx, p access.Principal, inv *billing.Invoice, in InvoiceInput) error {
	customerID := inv.CustomerID
	if in.CustomerID != nil {
		customerID = *in.CustomerID
	}
	if customerID == "" {
		return fail.Field("customer_id", "is required")
	}
	accountID := inv.InvoiceAccountID
	if in.CustomerID != nil && *in.CustomerID != inv.CustomerID {
		accountID = "" // a new customer brings its own bill-to account
	}
	if in.InvoiceAccountID != nil {
		accountID = *in.InvoiceAccountID
	}
	cust, billTo, err := s.loadParties(ctx, tx, p.TenantID, customerID, accountID)
	if err != nil {
		return err
	}
	inv.CustomerID = cust.ID
	tenant, err := tx.GetTenant(ctx, p.TenantID)
	if err != nil {
		return err
	}
	if inv.InvoiceDate.IsZero() && in.InvoiceDate == nil {
		inv.InvoiceDate = calendar.Today(s.Now(), tenant.Location())
	}
	if err := in.apply(inv, cust); err != nil {
		return err
	}
	if in.Lines != nil {
		if err := s.defaultItemGroups(ctx, tx, p.TenantID, inv); err != nil {
			return err
		}
	}
	if err := s.defaultExchangeRate(ctx, tx, tenant, inv, billTo); err != nil {
		return err
	}
	if err := inv.Normalize(cust, billTo, tenant); err != nil {
		return err
	}
	setup, err := s.taxSetup(ctx, tx, p.TenantID)
	if err != nil {
		return err
	}
	accounting, err := money.ParseCurrency(tenant.Currency)
	if err != nil {
		return fmt.Errorf("tenant currency: %w", err)
	}
	if err := inv.Compute(setup, accounting); err != nil {
		return err
	}
	if err := s.checkLineAccounts(ctx, tx, p.TenantID, inv); err != nil {
		return err
	}
	return inv.CheckSchedule()
}

// defaultItemGroups gives a line of a product without an item sales tax
// group the product's (seed 004: the item sales tax group comes from the
// item; the sales tax group from the customer, in apply).
func (s *Service) defaultItemGroups(ctx context.Context, tx Tx, tenantID string, inv *billing.Invoice) error {
	for i := range inv.Lines {
		l := &inv.Lines[i]
		if l.ProductID == "" || l.ItemSalesTaxGroup != "" {
			continue
		}
		prod, err := tx.GetProduct(ctx, tenantID, l.ProductID)
		if fail.Is(err, fail.NotFound) {
			continue // a reference to a product no longer kept; the line stands alone
		}
		if err != nil {
			return err
		}
		l.ItemSalesTaxGroup = prod.ItemSalesTaxGroup
	}
	return nil
}

// checkLineAccounts verifies every line's main account and distribution
// accounts are active accounts of the chart and none is a control account
// (ledger.ControlAccounts): on every save of a draft and again at issue.
func (s *Service) checkLineAccounts(ctx context.Context, tx Tx, tenantID string, inv *billing.Invoice) error {
	accounts, err := tx.ListAccounts(ctx, tenantID)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, a := range accounts {
		known[a.Code] = !a.Archived
	}
	control, err := s.controlAccounts(ctx, tx, tenantID, accounts)
	if err != nil {
		return err
	}
	check := func(field, account string) error {
		if !known[account] {
			return fail.Field(field, "no active ledger account %q", account)
		}
		if control[account] {
			return controlAccountErr(field, account)
		}
		return nil
	}
	for i, l := range inv.Lines {
		if l.Account != "" {
			if err := check(fmt.Sprintf("lines[%d].account", i), l.Account); err != nil {
				return err
			}
		}
		for j, sp := range l.Distribution {
			if err := check(fmt.Sprintf("lines[%d].distribution[%d].account", i, j), sp.Account); err != nil {
				return err
			}
		}
	}
	return nil
}

// controlAccountErr refuses a control account where a revenue account belongs.
func controlAccountErr(field, account string) error {
	return fail.Field(field, "%s is a control account (receivables, tax, prepayments or unapplied payments) that only Facturo's own postings move: use a revenue account", account)
}

// controlAccounts returns the tenant's control accounts (ledger.ControlAccounts).
func (s *Service) controlAccounts(ctx context.Context, tx Tx, tenantID string, chart []ledger.Account) (map[string]bool, error) {
	profiles, err := tx.ListPostingProfiles(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	codes, err := tx.ListTaxCodes(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	taxAccounts := make([]string, 0, len(codes))
	for _, c := range codes {
		taxAccounts = append(taxAccounts, c.Account)
	}
	return ledger.ControlAccounts(chart, profiles, taxAccounts), nil
}

// CreateInvoice creates a draft invoice or credit note.
func (s *Service) CreateInvoice(ctx context.Context, p access.Principal, in InvoiceInput) (billing.Invoice, error) {
	if err := p.Require(access.WriteInvoices); err != nil {
		return billing.Invoice{}, err
	}
	now := s.Now()
	inv := billing.Invoice{ID: id.NewAt(id.Invoice, now), TenantID: p.TenantID, Status: billing.Draft, CreatedAt: now, UpdatedAt: now}
	err := s.store.Write(ctx, func(tx Tx) error {
		if err := s.prepare(ctx, tx, p, &inv, in); err != nil {
			return err
		}
		n, err := tx.NextCounter(ctx, p.TenantID, "document")
		if err != nil {
			return err
		}
		inv.DocumentNumber = fmt.Sprintf("D-%06d", n)
		if err := tx.InsertInvoice(ctx, inv); err != nil {
			return err
		}
		if err := s.emitEvent(ctx, tx, p.TenantID, "invoice.created", invoiceEvent(inv, nil)); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, "invoice.created", "invoice", inv.ID, map[string]any{"document_number": inv.DocumentNumber,
			"kind": inv.Kind, "customer_id": inv.CustomerID, "total": money.Fixed(inv.Total, inv.Currency), "currency": inv.Currency})
	})
	return inv, err
}

// PreviewInvoice computes a draft's amounts without saving anything (the
// editor shows server-computed totals as you type).
func (s *Service) PreviewInvoice(ctx context.Context, p access.Principal, in InvoiceInput) (billing.Invoice, error) {
	if err := p.Require(access.WriteInvoices); err != nil {
		return billing.Invoice{}, err
	}
	inv := billing.Invoice{TenantID: p.TenantID, Status: billing.Draft}
	err := s.store.Read(ctx, func(tx Tx) error { return s.prepare(ctx, tx, p, &inv, in) })
	return inv, err
}

// UpdateInvoice edits a draft. Issued documents are frozen: change them with
// a correction.
func (s *Service) UpdateInvoice(ctx context.Context, p access.Principal, invoiceID string, in InvoiceInput) (billing.Invoice, error) {
	if err := p.Require(access.WriteInvoices); err != nil {
		return billing.Invoice{}, err
	}
	var out billing.Invoice
	err := s.store.Write(ctx, func(tx Tx) error {
		inv, err := tx.GetInvoiceForUpdate(ctx, p.TenantID, invoiceID)
		if err != nil {
			return err
		}
		if !inv.Status.IsDraft() {
			return fail.Conflictf("invoice %s is %s: an issued document cannot be edited; correct it instead", inv.Number, inv.Status)
		}
		if in.Kind != nil && billing.Kind(*in.Kind) != inv.Kind {
			return fail.Field("kind", "the kind of a document cannot change; discard it and create a %s", *in.Kind)
		}
		before := inv.Clone()
		if err := s.prepare(ctx, tx, p, &inv, in); err != nil {
			return err
		}
		if inv.Status != billing.Draft {
			// Editing a submitted or approved draft returns it to unsubmitted.
			if err := tx.AppendWorkflow(ctx, p.TenantID, WorkflowEvent{InvoiceID: inv.ID, Action: "returned",
				ActorID: p.ActorID(), ActorName: p.Name, Comment: "edited after " + string(inv.Status), At: s.Now()}); err != nil {
				return err
			}
			inv.ReturnToDraft()
		}
		inv.UpdatedAt = s.Now()
		if err := tx.UpdateInvoice(ctx, inv); err != nil {
			return err
		}
		out = inv
		if err := s.emitEvent(ctx, tx, p.TenantID, "invoice.updated", invoiceEvent(inv, nil)); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, "invoice.updated", "invoice", inv.ID, diff(invoiceView(before), invoiceView(inv)))
	})
	return out, err
}

func invoiceView(inv billing.Invoice) billing.Invoice {
	inv.UpdatedAt = inv.CreatedAt
	return inv
}

// DiscardInvoice deletes a draft (seed 000's "Discard"). The audit log keeps
// what it was.
func (s *Service) DiscardInvoice(ctx context.Context, p access.Principal, invoiceID string) error {
	if err := p.Require(access.WriteInvoices); err != nil {
		return err
	}
	return s.store.Write(ctx, func(tx Tx) error {
		inv, err := tx.GetInvoiceForUpdate(ctx, p.TenantID, invoiceID)
		if err != nil {
			return err
		}
		if !inv.Status.IsDraft() {
			return fail.Conflictf("invoice %s is %s: only a draft can be discarded; void or correct it instead", inv.Number, inv.Status)
		}
		// Sales items billed on the draft become open again.
		if _, err := tx.ReleaseInvoiceItems(ctx, p.TenantID, inv.ID); err != nil {
			return err
		}
		if err := tx.DeleteInvoice(ctx, p.TenantID, inv.ID); err != nil {
			return err
		}
		if err := s.emitEvent(ctx, tx, p.TenantID, "invoice.discarded", invoiceEvent(inv, nil)); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, "invoice.discarded", "invoice", inv.ID, inv)
	})
}

// GetInvoice returns one document. A customer sees only its own issued
// documents; a draft or another customer's document is not found.
func (s *Service) GetInvoice(ctx context.Context, p access.Principal, invoiceID string) (billing.Invoice, error) {
	if err := s.requireInvoiceRead(p); err != nil {
		return billing.Invoice{}, err
	}
	var inv billing.Invoice
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		inv, err = tx.GetInvoice(ctx, p.TenantID, invoiceID)
		return err
	})
	if err != nil {
		return inv, err
	}
	if !invoiceVisible(p, inv) {
		return billing.Invoice{}, fail.NotFoundf("no invoice %q", invoiceID)
	}
	return inv, nil
}

func (s *Service) requireInvoiceRead(p access.Principal) error {
	if p.IsCustomer() {
		return p.Require(access.OwnAccount)
	}
	return p.Require(access.ReadInvoices)
}

func invoiceVisible(p access.Principal, inv billing.Invoice) bool {
	return p.SeesInvoice(inv.Status.VisibleToCustomer(), inv.CustomerID, inv.InvoiceAccountID)
}

// StatusChange is seed 000's "update status": the target status, whether to
// email the customer, and (for closing) a reason.
type StatusChange struct {
	Status string
	// Notify emails the customer. nil means the default: off when publishing
	// a draft, on for changes to issued documents (seeds 000, 001).
	Notify *bool
	Reason string
	// Redate issues a draft with today's date (its due date moves with it),
	// for a draft dated before the last document issued in its series.
	Redate bool
}

// StatusResult is the document after the change and whether a notification was queued.
type StatusResult struct {
	Invoice  billing.Invoice
	Notified bool
	// Warnings say what the change did not refuse but the user must know,
	// e.g. that no e-invoice can be made of the document just issued.
	Warnings []string
}

// issueWarnings are the warnings of issuing inv: a document in a currency
// no EN 16931 e-invoice can state (documents.CheckEInvoiceCurrency).
func issueWarnings(inv billing.Invoice, from billing.Status) []string {
	if !from.IsDraft() || inv.Status != billing.Open {
		return nil
	}
	if err := documents.CheckEInvoiceCurrency(inv.Currency); err != nil {
		if fe, ok := fail.As(err); ok {
			return []string{fe.Message}
		}
	}
	return nil
}

// UpdateInvoiceStatus changes a document's status in one transaction:
// issuing a draft (number, ledger, frozen), marking it past due, closing it
// with a reason (any balance written off), or voiding it (reversal posted,
// only while nothing is paid). Illegal changes are refused with the legal ones.
func (s *Service) UpdateInvoiceStatus(ctx context.Context, p access.Principal, invoiceID string, ch StatusChange) (StatusResult, error) {
	target := billing.Status(ch.Status)
	perm := access.WriteInvoices // finance: "status changes except void"
	if target == billing.Void {
		perm = access.ApproveInvoices
	}
	if err := p.Require(perm); err != nil {
		return StatusResult{}, err
	}
	var res StatusResult
	err := s.store.Write(ctx, func(tx Tx) error {
		inv, err := tx.GetInvoiceForUpdate(ctx, p.TenantID, invoiceID)
		if err != nil {
			return err
		}
		from := inv.Status
		tenant, err := tx.GetTenant(ctx, p.TenantID)
		if err != nil {
			return err
		}
		today := calendar.Today(s.Now(), tenant.Location())
		sc := statusContext(tenant, today)
		if !from.CanBecome(target) {
			return inv.CheckStatusChange(target, sc) // the refusal, with what is allowed now
		}
		if !slices.Contains(billing.IssuedStatuses, target) {
			return fail.Field("status", "use submit, approve or reject for the approval workflow; this action sets open, past_due, closed or void")
		}
		if target != billing.Open {
			// Issuing checks its guard in issue, on the draft as recomputed there.
			if err := inv.CheckStatusChange(target, sc); err != nil {
				return err
			}
		} else if err := inv.CheckApproved(sc); err != nil {
			return err
		}
		notify := from.IsIssued()
		if ch.Notify != nil {
			notify = *ch.Notify
		}
		switch target {
		case billing.Open:
			if ch.Redate && inv.InvoiceDate != today {
				shift := inv.InvoiceDate.DaysUntil(today)
				inv.InvoiceDate = today
				if !inv.DueDate.IsZero() {
					inv.DueDate = inv.DueDate.AddDays(shift)
				}
			}
			err = s.issue(ctx, tx, p, &inv, tenant, today)
		case billing.PastDue:
			inv.MarkPastDue()
		case billing.Closed:
			err = s.closeInvoice(ctx, tx, p, &inv, tenant, today, ch.Reason)
		case billing.Void:
			err = s.voidInvoice(ctx, tx, p, &inv, tenant, today, ch.Reason)
		}
		if err != nil {
			return err
		}
		inv.UpdatedAt = s.Now()
		if err := tx.UpdateInvoice(ctx, inv); err != nil {
			return err
		}
		if notify {
			if err := s.queueInvoiceNotification(ctx, tx, p, inv, from); err != nil {
				return err
			}
		}
		res = StatusResult{Invoice: inv, Notified: notify, Warnings: issueWarnings(inv, from)}
		if err := s.emitStatusEvents(ctx, tx, p.TenantID, inv, from, ch.Reason); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, "invoice.status_changed", "invoice", inv.ID, map[string]any{
			"from": from, "to": inv.Status, "notify": notify, "reason": ch.Reason, "number": inv.Number})
	})
	return res, err
}

// emitStatusEvents emits invoice.status_changed and the event naming the
// new status: invoice.issued, invoice.past_due, invoice.closed or invoice.voided.
func (s *Service) emitStatusEvents(ctx context.Context, tx Tx, tenantID string, inv billing.Invoice, from billing.Status, reason string) error {
	extra := map[string]any{"from": from}
	if reason != "" {
		extra["reason"] = reason
	}
	named := map[billing.Status]string{billing.Open: "invoice.issued", billing.PastDue: "invoice.past_due",
		billing.Closed: "invoice.closed", billing.Void: "invoice.voided"}[inv.Status]
	if from.IsDraft() && inv.Status == billing.Closed {
		// A zero-total document is issued and closed at once: both happened.
		if err := s.emitEvent(ctx, tx, tenantID, "invoice.issued", invoiceEvent(inv, extra)); err != nil {
			return err
		}
	}
	if named != "" && (inv.Status != billing.Open || from.IsDraft()) {
		if err := s.emitEvent(ctx, tx, tenantID, named, invoiceEvent(inv, extra)); err != nil {
			return err
		}
	}
	return s.emitEvent(ctx, tx, tenantID, "invoice.status_changed", invoiceEvent(inv, extra))
}

func label(inv billing.Invoice) string {
	if inv.Number != "" {
		return inv.Number
	}
	return inv.DocumentNumber
}

// issue assigns the legal number, posts the journal entry and freezes the document.
// statusContext is what the status guards need from the tenant.
func statusContext(tenant billing.Tenant, today calendar.Date) billing.StatusContext {
	return billing.StatusContext{Today: today, ApprovalRequired: tenant.ApprovalRequired}
}

// InvoiceStatusContext returns what the status guards need for p's tenant
// now, for offering a document's allowed statuses (billing.Invoice.AllowedStatuses).
func (s *Service) InvoiceStatusContext(ctx context.Context, p access.Principal) (billing.StatusContext, error) {
	if err := s.requireInvoiceRead(p); err != nil {
		return billing.StatusContext{}, err
	}
	var sc billing.StatusContext
	err := s.store.Read(ctx, func(tx Tx) error {
		tenant, err := tx.GetTenant(ctx, p.TenantID)
		if err != nil {
			return err
		}
		sc = statusContext(tenant, calendar.Today(s.Now(), tenant.Location()))
		return nil
	})
	return sc, err
}

func (s *Service) issue(ctx context.Context, tx Tx, p access.Principal, inv *billing.Invoice, tenant billing.Tenant, today calendar.Date) error {
	// Recompute with the current customer and tax setup, so what is frozen is current.
	if err := s.prepare(ctx, tx, p, inv, InvoiceInput{}); err != nil {
		return err
	}
	if err := inv.CheckIssuable(today); err != nil {
		return err
	}
	setup, err := s.taxSetup(ctx, tx, p.TenantID)
	if err != nil {
		return err
	}
	if err := inv.CheckLineTaxes(setup); err != nil {
		return err
	}

	series, err := tx.ListSeries(ctx, p.TenantID)
	if err != nil {
		return err
	}
	kind := billing.SeriesInvoice
	if inv.Kind == billing.KindCreditNote {
		kind = billing.SeriesCreditNote
	}
	pattern := series[kind]
	seq, err := tx.NextCounter(ctx, p.TenantID, billing.SeriesCounter(kind, pattern, inv.InvoiceDate))
	if err != nil {
		return err
	}
	// Under the series counter's lock (taken by NextCounter until the
	// transaction ends), so two issues of one series cannot both pass.
	if billing.NumbersFollowDates(tenant.Address.Country) {
		last, err := s.lastIssuedDate(ctx, tx, p.TenantID, inv.Kind, pattern, inv.InvoiceDate)
		if err != nil {
			return err
		}
		if err := billing.CheckSeriesDate(inv.InvoiceDate, last); err != nil {
			return err
		}
	}
	inv.Number = billing.FormatNumber(pattern, inv.InvoiceDate, seq)
	accts, err := s.postingAccounts(ctx, tx, p.TenantID, inv.PostingProfile)
	if err != nil {
		return err
	}
	accounting, _ := money.ParseCurrency(tenant.Currency)
	lines, err := inv.IssueLines(accts, accounting)
	if err != nil {
		return err
	}
	desc := "Invoice " + inv.Number
	if inv.Kind == billing.KindCreditNote {
		desc = "Credit note " + inv.Number
	}
	now := s.Now()
	// A document that moves no account (a zero total with no revenue to
	// spread) posts no entry: an entry needs two non-zero lines.
	if len(lines) > 0 {
		entry, err := s.post(ctx, tx, p.TenantID, inv.InvoiceDate, desc, string(inv.Kind), inv.ID, "", lines)
		if err != nil {
			return err
		}
		inv.EntryID = entry.ID
	}
	if _, closed, err := inv.Issue(today, now); err != nil || closed {
		return err
	}
	// Customer credit (overpayments) pays what it can of a new invoice.
	return s.useCredit(ctx, tx, p, inv)
}

// lastIssuedDate is the latest invoice date of the documents of kind issued
// in the number series of pattern that a document dated d falls in.
func (s *Service) lastIssuedDate(ctx context.Context, tx Tx, tenantID string, kind billing.Kind, pattern string, d calendar.Date) (calendar.Date, error) {
	from, to := billing.SeriesPeriod(pattern, d)
	var issued []billing.Status
	for _, st := range billing.Statuses {
		if st.IsIssued() {
			issued = append(issued, st)
		}
	}
	f := InvoiceFilter{Kind: kind, Statuses: issued, From: from, To: to, Sort: "invoice_date", Desc: true, Page: Page{Limit: 1}}
	if err := f.Page.decode(); err != nil {
		return calendar.Date{}, err
	}
	invs, err := tx.ListInvoices(ctx, tenantID, f)
	if err != nil || len(invs) == 0 {
		return calendar.Date{}, err
	}
	return invs[0].InvoiceDate, nil
}

// postingAccounts resolves the accounts an issue posts to.
func (s *Service) postingAccounts(ctx context.Context, tx Tx, tenantID, profile string) (billing.PostingAccounts, error) {
	var out billing.PostingAccounts
	if profile == "" {
		profile = ledger.DefaultProfile
	}
	profiles, err := tx.ListPostingProfiles(ctx, tenantID)
	if err != nil {
		return out, err
	}
	for _, pp := range profiles {
		if pp.Code == profile {
			out.Receivables = pp.ReceivablesAccount
		}
	}
	if out.Receivables == "" {
		return out, fail.Field("posting_profile", "no posting profile %q", profile)
	}
	roles, err := s.roleAccounts(ctx, tx, tenantID)
	if err != nil {
		return out, err
	}
	out.Revenue, out.Rounding = roles[ledger.RoleRevenue], roles[ledger.RoleRounding]
	return out, nil
}

func (s *Service) roleAccounts(ctx context.Context, tx Tx, tenantID string) (map[ledger.Role]string, error) {
	accounts, err := tx.ListAccounts(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	out := map[ledger.Role]string{}
	for _, a := range accounts {
		if a.Role != "" {
			out[a.Role] = a.Code
		}
	}
	return out, nil
}

// post checks and appends a journal entry with the next voucher number.
func (s *Service) post(ctx context.Context, tx Tx, tenantID string, date calendar.Date, desc, sourceType, sourceID, reverses string, lines []ledger.Line) (ledger.Entry, error) {
	n, err := tx.NextCounter(ctx, tenantID, "journal")
	if err != nil {
		return ledger.Entry{}, err
	}
	now := s.Now()
	e := ledger.Entry{ID: id.NewAt("je", now), TenantID: tenantID, Number: fmt.Sprintf("JE-%08d", n), Date: date,
		Description: desc, SourceType: sourceType, SourceID: sourceID, ReversesID: reverses, Lines: lines, CreatedAt: now}
	if err := e.Check(); err != nil {
		return e, err
	}
	return e, tx.InsertEntry(ctx, e)
}

// writeOffSource is the source type of the entry that writes off the
// balance of an invoice closed with one.
const writeOffSource = "write_off"

func (s *Service) closeInvoice(ctx context.Context, tx Tx, p access.Principal, inv *billing.Invoice, tenant billing.Tenant, today calendar.Date, reason string) error {
	reason = strings.TrimSpace(reason)
	if err := inv.CheckClosable(reason); err != nil {
		return err
	}
	if !inv.BalanceAccounting.IsZero() {
		accts, err := s.postingAccounts(ctx, tx, p.TenantID, inv.PostingProfile)
		if err != nil {
			return err
		}
		roles, err := s.roleAccounts(ctx, tx, p.TenantID)
		if err != nil {
			return err
		}
		lines := inv.WriteOffLines(accts.Receivables, roles[ledger.RoleWriteOff])
		if _, err := s.post(ctx, tx, p.TenantID, today, "Write-off "+inv.Number+": "+reason, writeOffSource, inv.ID, "", lines); err != nil {
			return err
		}
	}
	_, err := inv.Close(reason, s.Now())
	return err
}

func (s *Service) voidInvoice(ctx context.Context, tx Tx, p access.Principal, inv *billing.Invoice, tenant billing.Tenant, today calendar.Date, reason string) error {
	if err := inv.CheckVoidable(); err != nil {
		return err
	}
	orig, err := tx.GetEntry(ctx, p.TenantID, inv.EntryID)
	if err != nil {
		return err
	}
	n, err := tx.NextCounter(ctx, p.TenantID, "journal")
	if err != nil {
		return err
	}
	now := s.Now()
	desc := "Void " + inv.Number
	if reason != "" {
		desc += ": " + reason
	}
	rev := orig.Reversal(id.NewAt("je", now), fmt.Sprintf("JE-%08d", n), today, desc, now)
	if err := rev.Check(); err != nil {
		return err
	}
	if err := tx.InsertEntry(ctx, rev); err != nil {
		return err
	}
	// Sales items billed on a voided invoice become open again, to be billed anew.
	if _, err := tx.ReleaseInvoiceItems(ctx, p.TenantID, inv.ID); err != nil {
		return err
	}
	_, err = inv.Void(reason, rev.ID, now)
	return err
}

func (s *Service) queueInvoiceNotification(ctx context.Context, tx Tx, p access.Principal, inv billing.Invoice, from billing.Status) error {
	kind := "invoice.published"
	if !from.IsDraft() || !inv.Status.IsIssued() {
		kind = "invoice.status_changed"
	}
	return s.queueNotification(ctx, tx, Notification{TenantID: p.TenantID, Kind: kind,
		TargetType: "invoice", TargetID: inv.ID, Recipient: inv.BillTo.Email, Language: inv.Language,
		Payload: map[string]string{"number": inv.Number, "status": string(inv.Status), "from": string(from)}})
}

// ListNotifications lists the notifications about one document of the
// caller's tenant; a document that is not there is not found.
func (s *Service) ListNotifications(ctx context.Context, p access.Principal, targetID string) ([]Notification, error) {
	if err := p.Require(access.ReadInvoices); err != nil {
		return nil, err
	}
	var out []Notification
	err := s.store.Read(ctx, func(tx Tx) error {
		if _, err := tx.GetInvoice(ctx, p.TenantID, targetID); err != nil {
			return err
		}
		var err error
		out, err = tx.ListNotifications(ctx, p.TenantID, targetID)
		return err
	})
	return out, err
}

// SweepPastDue marks open documents whose due date has passed with a balance
// as past due. Safe to run on every node at once: each change is a locked,
// conditional update.
func (s *Service) SweepPastDue(ctx context.Context, tenantID string) (int, error) {
	p := access.System(tenantID, "past-due sweep")
	var ids []string
	var today calendar.Date
	err := s.store.Read(ctx, func(tx Tx) error {
		tenant, err := tx.GetTenant(ctx, tenantID)
		if err != nil {
			return err
		}
		today = calendar.Today(s.Now(), tenant.Location())
		ids, err = tx.DueInvoiceIDs(ctx, tenantID, today, 10000)
		return err
	})
	if err != nil {
		return 0, err
	}
	n := 0
	f := false
	for _, invID := range ids {
		_, err := s.UpdateInvoiceStatus(ctx, p, invID, StatusChange{Status: string(billing.PastDue), Notify: &f})
		if fail.Is(err, fail.Conflict) {
			continue // another node got there first, or it was paid meanwhile
		}
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
