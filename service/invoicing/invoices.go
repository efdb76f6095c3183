package invoicing

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
	"github.com/facturo/facturo/numbering"
	"github.com/facturo/facturo/service/identity"
	"github.com/facturo/facturo/service/usecase"
)

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
	Charges          *[]ChargeInput // header charges; nil leaves them, empty removes them
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
		inv.CashDiscountPct = money.CollectDecimal(&c, "cash_discount_percent", *in.CashDiscountPct, "2.5")
	}
	set(&inv.PeriodStart, in.PeriodStart)
	set(&inv.PeriodEnd, in.PeriodEnd)
	if in.Currency != nil && in.ExchangeRate == nil && !strings.EqualFold(strings.TrimSpace(*in.Currency), inv.Currency) {
		inv.ExchangeRate = decimal.Zero // another currency needs its own rate, not the old one's
	}
	set(&inv.Currency, in.Currency)
	if in.ExchangeRate != nil {
		inv.ExchangeRate = money.CollectDecimal(&c, "exchange_rate", *in.ExchangeRate, "1.0850")
	}
	set(&inv.Provider, in.Provider)
	set(&inv.MethodOfPayment, in.MethodOfPayment)
	set(&inv.PaymentTermsDays, in.PaymentTermsDays)
	if in.PaymentSchedule != nil {
		inv.PaymentSchedule = nil
		for i, it := range *in.PaymentSchedule {
			inv.PaymentSchedule = append(inv.PaymentSchedule, billing.Installment{DueDate: it.DueDate,
				Amount: money.In(money.CollectDecimal(&c, fmt.Sprintf("payment_schedule[%d].amount", i), it.Amount, "12.50"), inv.Currency)})
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
				l.Amount = money.In(money.CollectDecimal(&c, p+".amount", *li.Amount, "12.50"), inv.Currency)
			default:
				if li.Quantity != nil {
					q := money.CollectDecimal(&c, p+".quantity", *li.Quantity, "3")
					l.Quantity = &q
				}
				if li.UnitPrice != nil {
					u := money.PriceIn(money.CollectDecimal(&c, p+".unit_price", *li.UnitPrice, "12.50"), inv.Currency)
					l.UnitPrice = &u
				}
				if li.Quantity == nil && li.UnitPrice == nil {
					c.Add(p+".quantity", "give quantity and unit_price, or amount alone")
				}
			}
			l.Discount = money.In(money.CollectDecimal(&c, p+".discount", li.Discount, "1.00"), inv.Currency)
			for j, sp := range li.Distribution {
				l.Distribution = append(l.Distribution, billing.Split{Account: strings.TrimSpace(sp.Account),
					Percent: money.CollectDecimal(&c, fmt.Sprintf("%s.distribution[%d].percent", p, j), sp.Percent, "50")})
			}
			inv.Lines = append(inv.Lines, l)
		}
	}
	if in.Charges != nil {
		applyCharges(&c, inv, *in.Charges, customer)
	}
	return c.Err()
}

// loadParties returns the customer and the bill-to account of a draft.
func (s *Service) loadParties(ctx context.Context, tx IssueTx, tenantID, customerID, invoiceAccountID string) (billing.Customer, billing.Customer, error) {
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

// PrepareDraft normalizes and computes a draft in tx, as saving one does
// (the caller writes it).
func (s *Service) PrepareDraft(ctx context.Context, tx IssueTx, p access.Principal, inv *billing.Invoice, in InvoiceInput) error {
	return s.prepare(ctx, tx, p, inv, in)
}

// prepare normalizes and computes a draft inside a transaction.
func (s *Service) prepare(ctx context.Context, tx IssueTx, p access.Principal, inv *billing.Invoice, in InvoiceInput) error {
	_, err := s.prepareWith(ctx, tx, p, inv, in)
	return err
}

// prepareWith is prepare returning the tenant configuration it read, for
// issuing to go on with.
func (s *Service) prepareWith(ctx context.Context, tx IssueTx, p access.Principal, inv *billing.Invoice, in InvoiceInput) (billing.Setup, error) {
	var none billing.Setup
	customerID := inv.CustomerID
	if in.CustomerID != nil {
		customerID = *in.CustomerID
	}
	if customerID == "" {
		return none, fail.Field("customer_id", "is required")
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
		return none, err
	}
	inv.CustomerID = cust.ID
	setup, err := tx.Setup(ctx, p.TenantID)
	if err != nil {
		return none, err
	}
	tenant := setup.Tenant
	if inv.InvoiceDate.IsZero() && in.InvoiceDate == nil {
		inv.InvoiceDate = calendar.Today(s.now(), tenant.Location())
	}
	if err := in.apply(inv, cust); err != nil {
		return none, err
	}
	if in.Lines != nil {
		if err := s.defaultItemGroups(ctx, tx, p.TenantID, inv); err != nil {
			return none, err
		}
	}
	if err := s.deps.DefaultExchangeRate(ctx, tx, tenant, inv, billTo); err != nil {
		return none, err
	}
	if err := inv.Normalize(cust, billTo, tenant); err != nil {
		return none, err
	}
	accounting, err := money.ParseCurrency(tenant.Currency)
	if err != nil {
		return none, fmt.Errorf("tenant currency: %w", err)
	}
	if err := inv.Compute(setup.Tax, accounting); err != nil {
		return none, err
	}
	if err := checkLineAccounts(setup, inv); err != nil {
		return none, err
	}
	return setup, inv.CheckSchedule()
}

// defaultItemGroups gives a line of a product without an item sales tax
// group the product's (seed 004: the item sales tax group comes from the
// item; the sales tax group from the customer, in apply).
func (s *Service) defaultItemGroups(ctx context.Context, tx IssueTx, tenantID string, inv *billing.Invoice) error {
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
// accounts, and every header charge's account, are active accounts of the chart and none is a control account
// (ledger.ControlAccounts): on every save of a draft and again at issue.
func checkLineAccounts(setup billing.Setup, inv *billing.Invoice) error {
	known := map[string]bool{}
	for _, a := range setup.Accounts {
		known[a.Code] = !a.Archived
	}
	control := setup.ControlAccounts()
	check := func(field, account string) error {
		if !known[account] {
			return fail.Field(field, "no active ledger account %q", account)
		}
		if control[account] {
			return ControlAccountErr(field, account)
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
	for j, ch := range inv.Charges { // Compute requires the account; the chart must have it
		if err := check(fmt.Sprintf("charges[%d].account", j), ch.Account); err != nil {
			return err
		}
	}
	return nil
}

// ControlAccountErr refuses a control account where a revenue account belongs.
func ControlAccountErr(field, account string) error {
	return fail.Field(field, "%s is a control account (receivables, tax, prepayments or unapplied payments) that only Facturo's own postings move: use a revenue account", account)
}

// CreateInvoice creates a draft invoice or credit note.
func (s *Service) CreateInvoice(ctx context.Context, p access.Principal, in InvoiceInput) (billing.Invoice, error) {
	return usecase.Write(ctx, s.invoices, p, access.WriteInvoices, nil, func(tx InvoicesTx) (billing.Invoice, usecase.Audit, error) {
		return s.createInvoice(ctx, tx, p, in)
	})
}

// CreateIssuedInvoice creates a document and issues it (status open:
// legal number, ledger posting) in one transaction, as POST /invoices does
// with "issue": true: both happen, or, when the draft cannot be issued
// (incomplete, or the tenant requires approval), nothing is written. notify
// emails the customer (default: no, as when a draft is published).
func (s *Service) CreateIssuedInvoice(ctx context.Context, p access.Principal, in InvoiceInput, notify *bool) (StatusResult, error) {
	return usecase.Write(ctx, s.invoices, p, access.WriteInvoices, nil, func(tx InvoicesTx) (StatusResult, usecase.Audit, error) {
		inv, created, err := s.createInvoice(ctx, tx, p, in)
		if err != nil {
			return StatusResult{}, usecase.Audit{}, err
		}
		res, issued, err := s.changeStatus(ctx, tx, p, inv, StatusChange{Status: string(billing.Open), Notify: notify})
		return res, created.Then(issued), err
	})
}

// createInvoice creates a draft in tx.
func (s *Service) createInvoice(ctx context.Context, tx InvoicesTx, p access.Principal, in InvoiceInput) (billing.Invoice, usecase.Audit, error) {
	now := s.now()
	inv := billing.Invoice{ID: id.NewAt(id.Invoice, now), TenantID: p.TenantID, Status: billing.Draft, CreatedAt: now, UpdatedAt: now}
	if err := s.prepare(ctx, tx, p, &inv, in); err != nil {
		return inv, usecase.Audit{}, err
	}
	n, err := tx.NextCounter(ctx, p.TenantID, numbering.DocumentNumber.Counter)
	if err != nil {
		return inv, usecase.Audit{}, err
	}
	inv.DocumentNumber = numbering.DocumentNumber.Format(n)
	if err := tx.InsertInvoice(ctx, inv); err != nil {
		return inv, usecase.Audit{}, err
	}
	return inv, usecase.Entry("invoice.created", "invoice", inv.ID, map[string]any{"document_number": inv.DocumentNumber,
		"kind": inv.Kind, "customer_id": inv.CustomerID, "total": inv.Total, "currency": inv.Currency}).
		Emit("invoice.created", s.deps.InvoiceEvent(inv, nil)), nil
}

// PreviewInvoice computes a draft's amounts without saving anything (the
// editor shows server-computed totals as you type).
func (s *Service) PreviewInvoice(ctx context.Context, p access.Principal, in InvoiceInput) (billing.Invoice, error) {
	return usecase.Read(ctx, s.invoices, p, access.WriteInvoices, func(tx InvoicesTx) (billing.Invoice, error) {
		inv := billing.Invoice{TenantID: p.TenantID, Status: billing.Draft}
		err := s.prepare(ctx, tx, p, &inv, in)
		return inv, err
	})
}

// UpdateInvoice edits a draft. Issued documents are frozen: change them with
// a correction.
func (s *Service) UpdateInvoice(ctx context.Context, p access.Principal, invoiceID string, in InvoiceInput) (billing.Invoice, error) {
	return usecase.Write(ctx, s.invoices, p, access.WriteInvoices, nil, func(tx InvoicesTx) (billing.Invoice, usecase.Audit, error) {
		inv, err := tx.GetInvoiceForUpdate(ctx, p.TenantID, invoiceID)
		if err != nil {
			return billing.Invoice{}, usecase.Audit{}, err
		}
		if !inv.Status.IsDraft() {
			return billing.Invoice{}, usecase.Audit{}, fail.Conflictf("invoice %s is %s: an issued document cannot be edited; correct it instead", inv.Number, inv.Status)
		}
		if in.Kind != nil && billing.Kind(*in.Kind) != inv.Kind {
			return billing.Invoice{}, usecase.Audit{}, fail.Field("kind", "the kind of a document cannot change; discard it and create a %s", *in.Kind)
		}
		before := inv.Clone()
		if err := s.prepare(ctx, tx, p, &inv, in); err != nil {
			return billing.Invoice{}, usecase.Audit{}, err
		}
		if inv.Status != billing.Draft {
			// Editing a submitted or approved draft returns it to unsubmitted.
			if err := tx.AppendWorkflow(ctx, p.TenantID, WorkflowEvent{InvoiceID: inv.ID, Action: "returned",
				ActorID: p.ActorID(), ActorName: p.Name, Comment: "edited after " + string(inv.Status), At: s.now()}); err != nil {
				return billing.Invoice{}, usecase.Audit{}, err
			}
			inv.ReturnToDraft()
		}
		inv.UpdatedAt = s.now()
		if err := tx.UpdateInvoice(ctx, inv); err != nil {
			return billing.Invoice{}, usecase.Audit{}, err
		}
		return inv, usecase.Entry("invoice.updated", "invoice", inv.ID, usecase.Diff(invoiceView(before), invoiceView(inv))).
			Emit("invoice.updated", s.deps.InvoiceEvent(inv, nil)), nil
	})
}

func invoiceView(inv billing.Invoice) billing.Invoice {
	inv.UpdatedAt = inv.CreatedAt
	return inv
}

// DiscardInvoice deletes a draft (seed 000's "Discard"). The audit log keeps
// what it was.
func (s *Service) DiscardInvoice(ctx context.Context, p access.Principal, invoiceID string) error {
	_, err := usecase.Write(ctx, s.invoices, p, access.WriteInvoices, nil, func(tx InvoicesTx) (struct{}, usecase.Audit, error) {
		inv, err := tx.GetInvoiceForUpdate(ctx, p.TenantID, invoiceID)
		if err != nil {
			return struct{}{}, usecase.Audit{}, err
		}
		if !inv.Status.IsDraft() {
			return struct{}{}, usecase.Audit{}, fail.Conflictf("invoice %s is %s: only a draft can be discarded; void or correct it instead", inv.Number, inv.Status)
		}
		// Sales items billed on the draft become open again.
		if _, err := tx.ReleaseInvoiceItems(ctx, p.TenantID, inv.ID); err != nil {
			return struct{}{}, usecase.Audit{}, err
		}
		if err := tx.DeleteInvoice(ctx, p.TenantID, inv.ID); err != nil {
			return struct{}{}, usecase.Audit{}, err
		}
		return struct{}{}, usecase.Entry("invoice.discarded", "invoice", inv.ID, inv).
			Emit("invoice.discarded", s.deps.InvoiceEvent(inv, nil)), nil
	})
	return err
}

// GetInvoice returns one document. A customer sees only its own issued
// documents; a draft or another customer's document is not found.
func (s *Service) GetInvoice(ctx context.Context, p access.Principal, invoiceID string) (billing.Invoice, error) {
	inv, err := usecase.Read(ctx, s.invoices, p, ReadPermission(p), func(tx InvoicesTx) (billing.Invoice, error) {
		return tx.GetInvoice(ctx, p.TenantID, invoiceID)
	})
	if err != nil {
		return inv, err
	}
	if !Visible(p, inv) {
		return billing.Invoice{}, fail.NotFoundf("no invoice %q", invoiceID)
	}
	return inv, nil
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
	return usecase.Write(ctx, s.invoices, p, perm, nil, func(tx InvoicesTx) (StatusResult, usecase.Audit, error) {
		inv, err := tx.GetInvoiceForUpdate(ctx, p.TenantID, invoiceID)
		if err != nil {
			return StatusResult{}, usecase.Audit{}, err
		}
		return s.changeStatus(ctx, tx, p, inv, ch)
	})
}

// changeStatus is UpdateInvoiceStatus on inv, read in tx.
func (s *Service) changeStatus(ctx context.Context, tx InvoicesTx, p access.Principal, inv billing.Invoice, ch StatusChange) (StatusResult, usecase.Audit, error) {
	target := billing.Status(ch.Status)
	from := inv.Status
	tenant, err := tx.GetTenant(ctx, p.TenantID)
	if err != nil {
		return StatusResult{}, usecase.Audit{}, err
	}
	today := calendar.Today(s.now(), tenant.Location())
	sc := statusContext(tenant, today)
	if !from.CanBecome(target) {
		return StatusResult{}, usecase.Audit{}, inv.CheckStatusChange(target, sc) // the refusal, with what is allowed now
	}
	if !slices.Contains(billing.IssuedStatuses, target) {
		return StatusResult{}, usecase.Audit{}, fail.Field("status", "use submit, approve or reject for the approval workflow; this action sets open, past_due, closed or void")
	}
	if target != billing.Open {
		// Issuing checks its guard in issue, on the draft as recomputed there.
		if err := inv.CheckStatusChange(target, sc); err != nil {
			return StatusResult{}, usecase.Audit{}, err
		}
	} else if err := inv.CheckApproved(sc); err != nil {
		return StatusResult{}, usecase.Audit{}, err
	}
	notify := from.IsIssued()
	if ch.Notify != nil {
		notify = *ch.Notify
	}
	var change billing.Change
	switch target {
	case billing.Open:
		if ch.Redate && inv.InvoiceDate != today {
			shift := inv.InvoiceDate.DaysUntil(today)
			inv.InvoiceDate = today
			if !inv.DueDate.IsZero() {
				inv.DueDate = inv.DueDate.AddDays(shift)
			}
		}
		change, err = s.issue(ctx, tx, p, &inv, tenant, today)
	case billing.PastDue:
		change, err = inv.MarkPastDue(today)
	case billing.Closed:
		change, err = s.closeInvoice(ctx, tx, p, &inv, today, ch.Reason)
	case billing.Void:
		change, err = s.voidInvoice(ctx, tx, p, &inv, today, ch.Reason)
	}
	if err != nil {
		return StatusResult{}, usecase.Audit{}, err
	}
	inv.UpdatedAt = s.now()
	if err := tx.UpdateInvoice(ctx, inv); err != nil {
		return StatusResult{}, usecase.Audit{}, err
	}
	if notify {
		if err := s.queueInvoiceNotification(ctx, tx, p, inv, from); err != nil {
			return StatusResult{}, usecase.Audit{}, err
		}
	}
	res := StatusResult{Invoice: inv, Notified: notify, Warnings: issueWarnings(inv, from)}
	a := usecase.Audit{Events: s.statusEvents(inv, change, ch.Reason)}
	return res, a.And("invoice.status_changed", "invoice", inv.ID, map[string]any{
		"from": from, "to": inv.Status, "notify": notify, "reason": ch.Reason, "number": inv.Number}), nil
}

// statusEvents are the events of change, the status change inv made, as
// the domain names them (invoice.issued, invoice.past_due, invoice.closed,
// invoice.voided: a zero-total document issued and closed at once has
// both), then invoice.status_changed; each with the status before and the
// reason given.
func (s *Service) statusEvents(inv billing.Invoice, change billing.Change, reason string) []usecase.Event {
	extra := map[string]any{"from": change.From}
	if reason != "" {
		extra["reason"] = reason
	}
	var out []usecase.Event
	for _, typ := range change.Events {
		out = append(out, s.invoiceEvent(typ, inv, extra))
	}
	return append(out, s.invoiceEvent("invoice.status_changed", inv, extra))
}

// statusContext is what the status guards need from the tenant.
func statusContext(tenant billing.Tenant, today calendar.Date) billing.StatusContext {
	return billing.StatusContext{Today: today, ApprovalRequired: tenant.ApprovalRequired}
}

// InvoiceStatusContext returns what the status guards need for p's tenant
// now, for offering a document's allowed statuses (billing.Invoice.AllowedStatuses).
func (s *Service) InvoiceStatusContext(ctx context.Context, p access.Principal) (billing.StatusContext, error) {
	return usecase.Read(ctx, s.invoices, p, ReadPermission(p), func(tx InvoicesTx) (billing.StatusContext, error) {
		tenant, err := tx.GetTenant(ctx, p.TenantID)
		if err != nil {
			return billing.StatusContext{}, err
		}
		return statusContext(tenant, calendar.Today(s.now(), tenant.Location())), nil
	})
}

// IssueDraft assigns a draft its legal number, posts its journal entry and
// freezes it, in tx (the caller writes the invoice).
func (s *Service) IssueDraft(ctx context.Context, tx IssueTx, p access.Principal, inv *billing.Invoice, tenant billing.Tenant, today calendar.Date) error {
	_, err := s.issue(ctx, tx, p, inv, tenant, today)
	return err
}

func (s *Service) issue(ctx context.Context, tx IssueTx, p access.Principal, inv *billing.Invoice, tenant billing.Tenant, today calendar.Date) (billing.Change, error) {
	// Recompute with the current customer and tax setup, so what is frozen is current.
	setup, err := s.prepareWith(ctx, tx, p, inv, InvoiceInput{})
	if err != nil {
		return billing.Change{}, err
	}
	if err := inv.CheckIssuable(today); err != nil {
		return billing.Change{}, err
	}
	if err := inv.CheckLineTaxes(setup.Tax); err != nil {
		return billing.Change{}, err
	}

	kind := numbering.Invoice
	if inv.Kind == billing.KindCreditNote {
		kind = numbering.CreditNote
	}
	pattern := setup.Series[kind]
	seq, err := tx.NextCounter(ctx, p.TenantID, numbering.Counter(kind, pattern, inv.InvoiceDate))
	if err != nil {
		return billing.Change{}, err
	}
	// Under the series counter's lock (taken by NextCounter until the
	// transaction ends), so two issues of one series cannot both pass.
	if numbering.FollowsDates(tenant.Address.Country) {
		from, to := numbering.Period(pattern, inv.InvoiceDate)
		last, err := s.deps.LastIssuedDate(ctx, tx, p.TenantID, inv.Kind, from, to)
		if err != nil {
			return billing.Change{}, err
		}
		if err := numbering.CheckDate(inv.InvoiceDate, last); err != nil {
			return billing.Change{}, err
		}
	}
	inv.Number = numbering.Format(pattern, inv.InvoiceDate, seq)
	accts, err := setup.PostingAccounts(inv.PostingProfile)
	if err != nil {
		return billing.Change{}, err
	}
	accounting, _ := money.ParseCurrency(tenant.Currency)
	ch, closed, err := inv.Issue(today, s.now(), accts, accounting)
	if err != nil {
		return billing.Change{}, err
	}
	desc := "Invoice " + inv.Number
	if inv.Kind == billing.KindCreditNote {
		desc = "Credit note " + inv.Number
	}
	// A document that moves no account (a zero total with no revenue to
	// spread) posts no entry: an entry needs two non-zero lines.
	if len(ch.Lines) > 0 {
		entry, err := s.deps.Ledger.Post(ctx, tx, p.TenantID, inv.InvoiceDate, desc, string(inv.Kind), inv.ID, "", ch.Lines)
		if err != nil {
			return billing.Change{}, err
		}
		inv.EntryID = entry.ID
	}
	if closed {
		return ch, nil
	}
	// Customer credit (overpayments) pays what it can of a new invoice.
	credit, err := s.deps.UseCredit(ctx, tx, p, inv)
	return ch.Then(credit), err
}

// RoleAccounts returns the account of each role the chart of accounts gives one.
func RoleAccounts(ctx context.Context, tx identity.AccountLister, tenantID string) (map[ledger.Role]string, error) {
	accounts, err := tx.ListAccounts(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	return billing.RoleAccounts(accounts), nil
}

// WriteOffSource is the source type of the entry that writes off the
// balance of an invoice closed with one.
const WriteOffSource = "write_off"

func (s *Service) closeInvoice(ctx context.Context, tx IssueTx, p access.Principal, inv *billing.Invoice, today calendar.Date, reason string) (billing.Change, error) {
	reason = strings.TrimSpace(reason)
	if err := inv.CheckClosable(reason); err != nil {
		return billing.Change{}, err
	}
	// Only a balance left to write off needs the accounts (and a chart
	// that names them).
	var accts billing.PostingAccounts
	if !inv.BalanceAccounting.IsZero() {
		setup, err := tx.Setup(ctx, p.TenantID)
		if err != nil {
			return billing.Change{}, err
		}
		if accts, err = setup.PostingAccounts(inv.PostingProfile); err != nil {
			return billing.Change{}, err
		}
	}
	ch, err := inv.Close(reason, accts, s.now())
	if err != nil || len(ch.Lines) == 0 {
		return ch, err
	}
	_, err = s.deps.Ledger.Post(ctx, tx, p.TenantID, today, "Write-off "+inv.Number+": "+reason, WriteOffSource, inv.ID, "", ch.Lines)
	return ch, err
}

func (s *Service) voidInvoice(ctx context.Context, tx IssueTx, p access.Principal, inv *billing.Invoice, today calendar.Date, reason string) (billing.Change, error) {
	// The guard first: the issue entry is read only for a document Void
	// would accept.
	if err := inv.CheckVoid(); err != nil {
		return billing.Change{}, err
	}
	var issued ledger.Entry
	if inv.EntryID != "" {
		var err error
		if issued, err = s.deps.Ledger.Entry(ctx, tx, p.TenantID, inv.EntryID); err != nil {
			return billing.Change{}, err
		}
	}
	ch, err := inv.Void(reason, issued, s.now())
	if err != nil {
		return billing.Change{}, err
	}
	for _, r := range ch.Reversals {
		e, err := s.deps.Ledger.Post(ctx, tx, p.TenantID, today, r.Description, r.SourceType, r.SourceID, r.Undoes, r.Lines)
		if err != nil {
			return billing.Change{}, err
		}
		inv.VoidEntryID = e.ID
	}
	// Sales items billed on a voided invoice become open again, to be billed anew.
	_, err = tx.ReleaseInvoiceItems(ctx, p.TenantID, inv.ID)
	return ch, err
}

func (s *Service) queueInvoiceNotification(ctx context.Context, tx IssueTx, p access.Principal, inv billing.Invoice, from billing.Status) error {
	kind := "invoice.published"
	if !from.IsDraft() || !inv.Status.IsIssued() {
		kind = "invoice.status_changed"
	}
	return s.deps.Mail(ctx, tx, p.TenantID, kind, inv,
		map[string]string{"number": inv.Number, "status": string(inv.Status), "from": string(from)})
}

// SweepPastDue marks open documents whose due date has passed with a balance
// as past due. Safe to run on every node at once: each change is a locked,
// conditional update.
func (s *Service) SweepPastDue(ctx context.Context, tenantID string) (int, error) {
	p := access.System(tenantID, "past-due sweep")
	var today calendar.Date
	ids, err := usecase.Read(ctx, s.invoices, p, access.ReadInvoices, func(tx InvoicesTx) ([]string, error) {
		tenant, err := tx.GetTenant(ctx, tenantID)
		if err != nil {
			return nil, err
		}
		today = calendar.Today(s.now(), tenant.Location())
		return tx.DueInvoiceIDs(ctx, tenantID, today, 10000)
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
