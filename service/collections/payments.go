package collections

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/id"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/receivables"
	"github.com/facturo/facturo/service/accounts"
	"github.com/facturo/facturo/service/notify"
	"github.com/facturo/facturo/service/usecase"
)

// Payment methods (receivables.Methods).
const (
	PayBankTransfer = receivables.BankTransfer
	PayCash         = receivables.Cash
	PayCard         = receivables.Card
)

// PaymentKinds lists the payment methods a payment may record.
var PaymentKinds = receivables.Methods

// Payment is money received from a customer. Unapplied is the part not set
// against any invoice yet: the customer's credit, which later invoices use.
type Payment struct {
	ID               string          `json:"id"`
	TenantID         string          `json:"-"`
	CustomerID       string          `json:"customer_id"`
	Method           string          `json:"method"`
	Amount           money.Amount    `json:"amount"`
	Currency         string          `json:"currency"`
	ExchangeRate     decimal.Decimal `json:"exchange_rate" money:"-"` // accounting-currency units per unit of Currency
	AmountAccounting money.Amount    `json:"amount_accounting"`       // in the tenant's accounting currency
	Unapplied        money.Amount    `json:"unapplied"`
	Refunded         money.Amount    `json:"refunded"`
	Date             calendar.Date   `json:"date"`
	Reference        string          `json:"reference"`
	PaymentMethodID  string          `json:"payment_method_id"`
	CardBrand        string          `json:"card_brand"`
	CardLast4        string          `json:"card_last4"`
	Provider         string          `json:"provider"`
	ChargeID         string          `json:"charge_id"`
	EntryID          string          `json:"entry_id"`
	CreatedBy        string          `json:"created_by"`
	CreatedAt        time.Time       `json:"created_at"`
	// Filled by GetPayment:
	Applications []Application `json:"applications"`
	Refunds      []Refund      `json:"refunds"`
}

// Application sets part of a payment or credit note against an invoice.
type Application struct {
	ID               string       `json:"id"`
	TenantID         string       `json:"-"`
	SourceType       string       `json:"source_type"` // payment, credit_note
	SourceID         string       `json:"source_id"`
	InvoiceID        string       `json:"invoice_id"`
	Amount           money.Amount `json:"amount"` // in the invoice's currency
	AmountAccounting money.Amount `json:"amount_accounting"`
	Reversed         money.Amount `json:"reversed"` // taken back by refunds
	EntryID          string       `json:"entry_id"`
	CreatedAt        time.Time    `json:"created_at"`
}

// Refund returns part of a payment to the customer.
type Refund struct {
	ID               string        `json:"id"`
	TenantID         string        `json:"-"`
	PaymentID        string        `json:"payment_id"`
	Amount           money.Amount  `json:"amount"` // in the payment's currency
	AmountAccounting money.Amount  `json:"amount_accounting"`
	Reason           string        `json:"reason"`
	ProviderRefund   string        `json:"provider_refund"`
	Date             calendar.Date `json:"date"`
	EntryID          string        `json:"entry_id"`
	CreatedBy        string        `json:"created_by"`
	CreatedAt        time.Time     `json:"created_at"`
}

// PaymentFilter selects payments, newest first.
type PaymentFilter struct {
	CustomerID string
	Limit      int
}

// Allocation asks to apply an amount to one invoice ("" amount: as much as
// fits).
type Allocation = receivables.Allocation

// PaymentInput records a payment received outside the payment provider
// (bank transfer, cash, card terminal).
type PaymentInput struct {
	CustomerID   string
	Method       string
	Amount       string
	Currency     string // default: the customer's billing currency
	ExchangeRate string // required when Currency is not the accounting currency
	Date         calendar.Date
	Reference    string
	// Invoices to apply it to, in order. None: the customer's open invoices
	// in the payment's currency, oldest due first. What is left over is
	// customer credit.
	Invoices []Allocation
	// NoAutoApply keeps the whole payment as credit when Invoices is empty.
	NoAutoApply bool
}

// settleCloseReason starts the close reason of an invoice a settlement
// closed (receivables.CloseReasonPrefix).
const settleCloseReason = receivables.CloseReasonPrefix

// cashDiscountSource is the source type of the entry that grants an
// invoice its cash discount (receivables.CashDiscountSource).
const cashDiscountSource = receivables.CashDiscountSource

// payCtx is what the settlement helpers need within one transaction.
type payCtx struct {
	tenant     billing.Tenant
	setup      billing.Setup
	accounting money.Currency
	today      calendar.Date
	accounts   receivables.Accounts
}

// newPayCtx reads the tenant and the accounts settlement posts to.
func (s *Service) newPayCtx(ctx context.Context, tx PaymentsTx, tenantID string) (*payCtx, error) {
	pc, err := s.payTenant(ctx, tx, tenantID)
	if err != nil {
		return nil, err
	}
	if err := s.loadPayAccounts(ctx, tx, pc); err != nil {
		return nil, err
	}
	return pc, nil
}

// payTenant reads the tenant's configuration, its accounting currency and
// today: what the checks of a payment or refund need before the accounts
// are resolved.
func (s *Service) payTenant(ctx context.Context, tx PaymentsTx, tenantID string) (*payCtx, error) {
	setup, err := tx.Setup(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	tenant := setup.Tenant
	accounting, err := money.ParseCurrency(tenant.Currency)
	if err != nil {
		return nil, fmt.Errorf("tenant currency: %w", err)
	}
	return &payCtx{tenant: tenant, setup: setup, accounting: accounting, today: calendar.Today(s.now(), tenant.Location())}, nil
}

// loadPayAccounts resolves the accounts settlement posts to into pc.
func (s *Service) loadPayAccounts(ctx context.Context, tx PaymentsTx, pc *payCtx) error {
	roles := billing.RoleAccounts(pc.setup.Accounts)
	pc.accounts = receivables.Accounts{Bank: roles[ledger.RoleBank], CustomerCredit: roles[ledger.RoleCustomerCredit],
		Rounding: roles[ledger.RoleRounding], CashDiscount: roles[ledger.RoleCashDiscount], Receivables: map[string]string{}}
	if err := pc.accounts.Check(); err != nil {
		return err
	}
	for _, pp := range pc.setup.Profiles {
		pc.accounts.Receivables[pp.Code] = pp.ReceivablesAccount
	}
	return nil
}

// applications gives a plan's applications their ids and times: each a
// microsecond after the one before, so "newest first" is well defined.
func applications(tenantID string, plan []receivables.Application, now time.Time) []Application {
	out := make([]Application, len(plan))
	for i, a := range plan {
		at := now.Add(time.Duration(i) * time.Microsecond)
		out[i] = Application{ID: id.NewAt("app", at), TenantID: tenantID, SourceType: a.SourceType, SourceID: a.SourceID,
			InvoiceID: a.InvoiceID, Amount: a.Amount, AmountAccounting: a.AmountAccounting, Reversed: money.Zero(a.Amount.Currency()), CreatedAt: at}
	}
	return out
}

// applyPlan records on inv what a plan left of its document d
// (billing.Invoice.ApplyPayment): closing it with closeReason when settled
// in full ("" for never), reopening it when a refund gave it a balance.
func applyPlan(inv *billing.Invoice, d receivables.Document, closeReason string, pc *payCtx, now time.Time) (billing.Change, error) {
	return inv.ApplyPayment(d.Balance, d.BalanceAccounting, d.Paid, closeReason, pc.today, now)
}

// setPaymentBalances writes what a plan changed of a payment into p.
func setPaymentBalances(p *Payment, rp receivables.Payment) {
	p.Unapplied, p.Refunded = rp.Unapplied, rp.Refunded
}

// postEntry posts a plan's entry on today; no lines: nothing (entry id "").
func (s *Service) postEntry(ctx context.Context, tx PaymentsTx, pc *payCtx, e receivables.Entry) (string, error) {
	if len(e.Lines) == 0 {
		return "", nil
	}
	posted, err := s.post(ctx, tx, pc.tenant.ID, pc.today, e.Description, e.SourceType, e.SourceID, "", e.Lines)
	return posted.ID, err
}

// finishSettlement posts a plan's entry, writes the documents it changed
// (invs by id; those missing are the caller's to write), closing those it
// settled in full, and inserts its applications. Returns the entry id (""
// if no lines).
func (s *Service) finishSettlement(ctx context.Context, tx PaymentsTx, pc *payCtx, e receivables.Entry, changes []receivables.DocumentChange, invs map[string]*billing.Invoice, apps []Application) (string, error) {
	entryID, err := s.postEntry(ctx, tx, pc, e)
	if err != nil {
		return "", err
	}
	now := s.now()
	for _, ch := range changes {
		inv := invs[ch.Document.ID]
		if inv == nil {
			continue
		}
		reason := ""
		if ch.Close {
			reason = ch.CloseReason
		}
		if _, err := applyPlan(inv, ch.Document, reason, pc, now); err != nil {
			return "", err
		}
		inv.UpdatedAt = now
		if err := tx.UpdateInvoiceSettlement(ctx, *inv); err != nil {
			return "", err
		}
	}
	for i := range apps {
		apps[i].EntryID = entryID
		if err := tx.InsertApplication(ctx, apps[i]); err != nil {
			return "", err
		}
	}
	return entryID, nil
}

// loadAllocations locks the invoices a payment in currency cur made on
// paidOn goes to and checks them (receivables.CheckAllocations). None given
// and auto: the customer's open invoices in cur, oldest due first, each to
// take as much as fits. invs[i] is the invoice of targets[i].
func (s *Service) loadAllocations(ctx context.Context, tx PaymentsTx, pc *payCtx, customerID string, cur money.Currency, paidOn calendar.Date, in []Allocation, auto bool) ([]*billing.Invoice, []receivables.Target, error) {
	tenantID := pc.tenant.ID
	var invs []*billing.Invoice
	var targets []receivables.Target
	if len(in) == 0 {
		if !auto {
			return nil, nil, nil
		}
		open, err := s.lockOpen(ctx, tx, pc, customerID, billing.KindInvoice, cur, paidOn)
		if err != nil {
			return nil, nil, err
		}
		for _, d := range open.docs {
			targets = append(targets, receivables.Target{Document: d})
		}
		return open.invs, targets, nil
	}
	loaded := map[string]*billing.Invoice{}
	docs := make([]*receivables.Document, len(in))
	for i, a := range in {
		inv, ok := loaded[a.InvoiceID]
		if !ok {
			got, err := tx.GetInvoiceForUpdate(ctx, tenantID, a.InvoiceID)
			if err != nil && !fail.Is(err, fail.NotFound) {
				return nil, nil, err
			}
			if err == nil {
				inv = &got
			}
			loaded[a.InvoiceID] = inv
		}
		if inv == nil {
			continue
		}
		doc, err := pc.doc(*inv, paidOn)
		if err != nil {
			return nil, nil, err
		}
		docs[i] = &doc
	}
	targets, err := receivables.CheckAllocations(in, docs, customerID, cur)
	if err != nil {
		return nil, nil, err
	}
	for _, t := range targets {
		invs = append(invs, loaded[t.Document.ID])
	}
	return invs, targets, nil
}

// payment returns p as receivables sees it.
func (pc *payCtx) payment(p Payment) (receivables.Payment, error) {
	cur, err := money.ParseCurrency(p.Currency)
	if err != nil {
		return receivables.Payment{}, fmt.Errorf("payment %s: %w", p.ID, err)
	}
	return receivables.Payment{ID: p.ID, CustomerID: p.CustomerID, Method: p.Method, Amount: p.Amount,
		Rate: money.RateOf(cur, pc.accounting, p.ExchangeRate), AmountAccounting: p.AmountAccounting,
		Unapplied: p.Unapplied, Refunded: p.Refunded, Date: p.Date, Reference: p.Reference}, nil
}

// doc returns inv as receivables sees it, for a payment made on paidOn.
func (pc *payCtx) doc(inv billing.Invoice, paidOn calendar.Date) (receivables.Document, error) {
	return receivables.DocumentOf(inv, pc.accounting, paidOn)
}

// RecordPayment records money received (bank transfer, cash, card
// terminal), applies it to the listed invoices (or the customer's oldest
// open ones) and keeps any rest as customer credit; invoices it pays in full
// close. One ledger entry: bank against receivables and customer credit.
func (s *Service) RecordPayment(ctx context.Context, p access.Principal, in PaymentInput) (Payment, error) {
	var req receivables.PaymentRequest
	var amount decimal.Decimal
	return usecase.Write(ctx, s.payments, p, access.ManagePayments, func() error {
		var err error
		req, amount, err = receivables.CheckPaymentRequest(receivables.PaymentRequest{CustomerID: in.CustomerID, Method: in.Method,
			Amount: in.Amount, Currency: in.Currency, ExchangeRate: in.ExchangeRate, Date: in.Date, Reference: in.Reference})
		return err
	}, func(tx PaymentsTx) (Payment, usecase.Audit, error) {
		cust, err := tx.GetCustomer(ctx, p.TenantID, in.CustomerID)
		if fail.Is(err, fail.NotFound) {
			return Payment{}, usecase.Audit{}, fail.Field("customer_id", "no customer %q", in.CustomerID)
		}
		if err != nil {
			return Payment{}, usecase.Audit{}, err
		}
		pc, err := s.newPayCtx(ctx, tx, p.TenantID)
		if err != nil {
			return Payment{}, usecase.Audit{}, err
		}
		pay, err := s.newPayment(pc, p, cust, req, amount)
		if err != nil {
			return Payment{}, usecase.Audit{}, err
		}
		invs, targets, err := s.loadAllocations(ctx, tx, pc, cust.ID, money.MustCurrency(pay.Currency), pay.Date, in.Invoices, !in.NoAutoApply)
		if err != nil {
			return Payment{}, usecase.Audit{}, err
		}
		a, err := s.bookPayment(ctx, tx, pc, p, &pay, invs, targets, true)
		if err != nil {
			return Payment{}, usecase.Audit{}, err
		}
		return pay, a, nil
	})
}

// newPayment checks a payment's currency, rate and date
// (receivables.NewPayment) and returns it, all unapplied.
func (s *Service) newPayment(pc *payCtx, p access.Principal, cust billing.Customer, in receivables.PaymentRequest, amount decimal.Decimal) (Payment, error) {
	in.CustomerID = cust.ID
	rp, err := receivables.NewPayment("", in, amount, cust.Billing.Currency, pc.accounting, pc.today)
	if err != nil {
		return Payment{}, err
	}
	now := s.now()
	return Payment{ID: id.NewAt("pay", now), TenantID: p.TenantID, CustomerID: rp.CustomerID, Method: rp.Method, Amount: rp.Amount,
		Currency: rp.Amount.Currency().Code(), ExchangeRate: rp.Rate.Value(), AmountAccounting: rp.AmountAccounting,
		Unapplied: rp.Unapplied, Refunded: rp.Refunded, Date: rp.Date, Reference: rp.Reference,
		CreatedBy: p.ActorID(), CreatedAt: now}, nil
}

// bookPayment books a new payment (receivables.PlanPayment) on the targets
// (invs[i] the invoice of targets[i]): it posts the cash discounts it earns
// and its entry, and writes the payment, its applications, the invoices and
// the audit entry.
func (s *Service) bookPayment(ctx context.Context, tx PaymentsTx, pc *payCtx, p access.Principal, pay *Payment, invs []*billing.Invoice, targets []receivables.Target, receipt bool) (usecase.Audit, error) {
	now := s.now()
	rp, err := pc.payment(*pay)
	if err != nil {
		return usecase.Audit{}, err
	}
	plan, err := receivables.PlanPayment(pc.accounts, rp, targets)
	if err != nil {
		return usecase.Audit{}, err
	}
	discounts := map[string]string{} // invoice → cash discount granted
	for _, cd := range plan.CashDiscounts {
		if _, err := s.postEntry(ctx, tx, pc, cd.Entry); err != nil {
			return usecase.Audit{}, err
		}
		discounts[cd.InvoiceID] = money.Fixed(cd.Amount.Decimal(), cd.Amount.Currency().Code())
	}
	setPaymentBalances(pay, plan.Payment)
	apps := applications(p.TenantID, plan.Applications, now)
	entryID, err := s.finishSettlement(ctx, tx, pc, plan.Entry, plan.Documents, invoicesByID(invs), apps)
	if err != nil {
		return usecase.Audit{}, err
	}
	pay.EntryID = entryID
	if err := tx.InsertPayment(ctx, *pay); err != nil {
		return usecase.Audit{}, err
	}
	pay.Applications = apps
	if receipt {
		if err := s.queuePaymentReceipt(ctx, tx, p, *pay); err != nil {
			return usecase.Audit{}, err
		}
	}
	applied := map[string]money.Amount{}
	for _, a := range apps {
		applied[a.InvoiceID] = a.Amount
	}
	return usecase.Entry("payment.recorded", "payment", pay.ID, map[string]any{"customer_id": pay.CustomerID,
		"method": pay.Method, "amount": pay.Amount, "currency": pay.Currency, "applied": applied,
		"unapplied": pay.Unapplied, "charge_id": pay.ChargeID, "cash_discounts": discounts}).
		Emit("payment.received", map[string]any{"id": pay.ID, "customer_id": pay.CustomerID,
			"method": pay.Method, "amount": pay.Amount, "currency": pay.Currency, "date": pay.Date.String(),
			"applied": applied, "unapplied": pay.Unapplied, "reference": pay.Reference, "cash_discounts": discounts}), nil
}

// invoicesByID indexes invoices by id.
func invoicesByID(invs []*billing.Invoice) map[string]*billing.Invoice {
	out := make(map[string]*billing.Invoice, len(invs))
	for _, inv := range invs {
		out[inv.ID] = inv
	}
	return out
}

func (s *Service) queuePaymentReceipt(ctx context.Context, tx PaymentsTx, p access.Principal, pay Payment) error {
	cust, err := tx.GetCustomer(ctx, p.TenantID, pay.CustomerID)
	if err != nil {
		return err
	}
	if cust.Billing.Email == "" {
		return nil
	}
	now := s.now()
	return tx.InsertNotification(ctx, notify.Notification{ID: id.NewAt("ntf", now), TenantID: p.TenantID, Kind: "payment.receipt",
		TargetType: "payment", TargetID: pay.ID, Recipient: cust.Billing.Email, Language: cust.Billing.Language,
		Payload: map[string]string{"amount": pay.Amount.Round().StringFixed(), "currency": pay.Currency, "method": pay.Method,
			"date": pay.Date.String(), "reference": pay.Reference, "unapplied": pay.Unapplied.Round().StringFixed(), "customer_name": CustomerName(cust)},
		Status: "queued", CreatedAt: now})
}

// PayInvoice charges the customer's primary card for an invoice (its whole
// balance, or amount when given: a partial payment) and applies the payment.
// Staff with payments.manage, or the customer for its own invoices. A
// declined or expired card is payment_failed and writes nothing.
func (s *Service) PayInvoice(ctx context.Context, p access.Principal, invoiceID, amount, idempotencyKey string) (Payment, error) {
	perm := access.ManagePayments
	if p.IsCustomer() {
		perm = access.OwnAccount
	}
	var charged Payment
	out, err := usecase.Write(ctx, s.payments, p, perm, nil, func(tx PaymentsTx) (Payment, usecase.Audit, error) {
		inv, err := tx.GetInvoiceForUpdate(ctx, p.TenantID, invoiceID)
		if err != nil {
			return Payment{}, usecase.Audit{}, err
		}
		if !invoiceVisible(p, inv) {
			return Payment{}, usecase.Audit{}, fail.NotFoundf("no invoice %q", invoiceID)
		}
		if err := requireOwnAccount(p, access.ManagePayments, inv.InvoiceAccountID); err != nil {
			return Payment{}, usecase.Audit{}, err
		}
		pc, err := s.payTenant(ctx, tx, p.TenantID)
		if err != nil {
			return Payment{}, usecase.Audit{}, err
		}
		doc, err := pc.doc(inv, pc.today)
		if err != nil {
			return Payment{}, usecase.Audit{}, err
		}
		amt, err := receivables.CardPaymentAmount(doc, inv.InvoiceAccountID, amount)
		if err != nil {
			return Payment{}, usecase.Audit{}, err
		}
		cust, err := tx.GetCustomer(ctx, p.TenantID, inv.InvoiceAccountID)
		if err != nil {
			return Payment{}, usecase.Audit{}, err
		}
		if err := s.loadPayAccounts(ctx, tx, pc); err != nil {
			return Payment{}, usecase.Audit{}, err
		}
		rate := ""
		if inv.Currency != pc.accounting.Code() {
			rate = inv.ExchangeRate.String() // a card charge in the invoice currency, at the invoice's rate
		}
		pay, err := s.newPayment(pc, p, cust, receivables.PaymentRequest{Method: PayCard, Currency: inv.Currency, ExchangeRate: rate}, amt.Decimal())
		if err != nil {
			return Payment{}, usecase.Audit{}, err
		}

		key := idempotencyKey
		if key == "" {
			key = pay.ID
		}
		m, ch, err := s.deps.ChargeCard(ctx, tx, p.TenantID, cust.ID, pc.today, amt, "Invoice "+label(inv), "pay:"+key)
		if err != nil {
			return Payment{}, usecase.Audit{}, err
		}
		pay.PaymentMethodID, pay.CardBrand, pay.CardLast4, pay.Provider, pay.ChargeID = m.ID, m.Brand, m.Last4, m.Provider, ch.ChargeID
		pay.Reference = "Invoice " + label(inv)
		charged = pay
		a, err := s.bookPayment(ctx, tx, pc, p, &pay, []*billing.Invoice{&inv}, []receivables.Target{{Document: doc, Amount: amt, Explicit: true}}, true)
		if err != nil {
			return Payment{}, usecase.Audit{}, err
		}
		if err := s.faultPoint("card payment booked"); err != nil {
			return Payment{}, usecase.Audit{}, err
		}
		return pay, a, nil
	})
	if err != nil && charged.ChargeID != "" {
		s.compensateCharge(charged) // charged, but the bookkeeping did not commit
	}
	return out, err
}

// compensateCharge refunds a charge whose bookkeeping failed, so a customer
// is never charged for nothing (best effort: the error that made the
// transaction fail is what the caller sees).
func (s *Service) compensateCharge(pay Payment) {
	if s.deps.Provider == nil || pay.ChargeID == "" {
		return
	}
	_, _ = s.deps.Provider.Refund(context.Background(), accounts.RefundRequest{ChargeID: pay.ChargeID, Amount: pay.Amount,
		IdempotencyKey: "compensate:" + pay.ID})
}

// SettleInput sets a customer's credit (unapplied payments, open credit
// notes) against its open invoices (seed 004's "settle open transactions").
type SettleInput struct {
	CustomerID string
	Currency   string   // default: the customer's billing currency
	Sources    []string // payment or credit note ids; none: all the customer's credit, oldest first
	Invoices   []string // invoice ids in order; none: all open invoices, oldest due first
}

// Settlement is what a settlement applied.
type Settlement struct {
	Applications []Application `json:"applications"`
	EntryID      string        `json:"entry_id"`
	// Issued is the change settling made to the invoice being issued
	// (UseCredit): its closing when customer credit paid it in full.
	Issued billing.Change `json:"-"`
}

// Settle applies credit to invoices until one side runs out, closing the
// invoices it pays in full and the credit notes it uses up.
func (s *Service) Settle(ctx context.Context, p access.Principal, in SettleInput) (Settlement, error) {
	check := func() error {
		if strings.TrimSpace(in.Currency) == "" {
			return nil // the customer's or the accounting currency, read below
		}
		_, err := receivables.PaymentCurrency(in.Currency, "", money.Currency{})
		return err
	}
	return usecase.Write(ctx, s.payments, p, access.ManagePayments, check, func(tx PaymentsTx) (Settlement, usecase.Audit, error) {
		cust, err := tx.GetCustomer(ctx, p.TenantID, in.CustomerID)
		if err != nil {
			return Settlement{}, usecase.Audit{}, err
		}
		pc, err := s.newPayCtx(ctx, tx, p.TenantID)
		if err != nil {
			return Settlement{}, usecase.Audit{}, err
		}
		curr, err := receivables.PaymentCurrency(in.Currency, cust.Billing.Currency, pc.accounting)
		if err != nil {
			return Settlement{}, usecase.Audit{}, err
		}
		cur := curr.Code()
		res, err := s.settle(ctx, tx, pc, p, cust.ID, curr, in.Sources, in.Invoices, nil)
		if err != nil {
			return Settlement{}, usecase.Audit{}, err
		}
		if len(res.Applications) == 0 {
			return Settlement{}, usecase.Audit{}, fail.Conflictf("nothing to settle: customer %s has no credit and open invoice in %s to set against each other", cust.Number, cur)
		}
		return res, usecase.Entry("payment.settled", "customer", cust.ID, map[string]any{"applications": len(res.Applications), "entry_id": res.EntryID}), nil
	})
}

// settle sets credit against invoices (receivables.PlanSettlement). With
// extra set (an invoice just issued, not yet written) it is the only
// invoice and is not written.
func (s *Service) settle(ctx context.Context, tx PaymentsTx, pc *payCtx, p access.Principal, customerID string, curr money.Currency, sourceIDs, invoiceIDs []string, extra *billing.Invoice) (Settlement, error) {
	cur := curr.Code()
	var sources []receivables.Source
	var pays []*Payment                   // the payment sources, in order
	docs := map[string]*billing.Invoice{} // the documents to write, by id
	addPayment := func(pay *Payment) error {
		rp, err := pc.payment(*pay)
		if err != nil {
			return err
		}
		pays, sources = append(pays, pay), append(sources, receivables.Source{Payment: &rp})
		return nil
	}
	addCreditNote := func(cn *billing.Invoice, doc receivables.Document) {
		docs[cn.ID], sources = cn, append(sources, receivables.Source{CreditNote: &doc})
	}
	if len(sourceIDs) == 0 {
		credit, err := tx.CreditPayments(ctx, p.TenantID, customerID, cur)
		if err != nil {
			return Settlement{}, err
		}
		for i := range credit {
			if err := addPayment(&credit[i]); err != nil {
				return Settlement{}, err
			}
		}
		if extra == nil {
			open, err := s.lockOpen(ctx, tx, pc, customerID, billing.KindCreditNote, curr, pc.today)
			if err != nil {
				return Settlement{}, err
			}
			for i, cn := range open.invs {
				addCreditNote(cn, open.docs[i])
			}
		}
	}
	for i, sid := range sourceIDs {
		f := fmt.Sprintf("sources[%d]", i)
		if strings.HasPrefix(sid, "pay_") {
			pay, err := tx.GetPaymentForUpdate(ctx, p.TenantID, sid)
			if fail.Is(err, fail.NotFound) {
				return Settlement{}, fail.Field(f, "no payment %q", sid)
			}
			if err != nil {
				return Settlement{}, err
			}
			if pay.CustomerID != customerID || pay.Currency != cur || pay.Unapplied.Sign() <= 0 {
				return Settlement{}, fail.Field(f, "payment %s has no unapplied %s credit of this customer", sid, cur)
			}
			if err := addPayment(&pay); err != nil {
				return Settlement{}, err
			}
			continue
		}
		cn, err := tx.GetInvoiceForUpdate(ctx, p.TenantID, sid)
		if fail.Is(err, fail.NotFound) {
			return Settlement{}, fail.Field(f, "no payment or credit note %q", sid)
		}
		if err != nil {
			return Settlement{}, err
		}
		if cn.Kind != billing.KindCreditNote {
			return Settlement{}, fail.Field(f, "%s is an invoice, not a credit note or payment", label(cn))
		}
		doc, err := pc.doc(cn, pc.today)
		if err != nil {
			return Settlement{}, err
		}
		if err := receivables.CheckOpenForSettlement(doc, customerID, curr); err != nil {
			return Settlement{}, fail.Field(f, "%s", err.Error())
		}
		addCreditNote(&cn, doc)
	}
	var invs []*billing.Invoice
	var invDocs []receivables.Document
	switch {
	case extra != nil:
		doc, err := pc.doc(*extra, pc.today)
		if err != nil {
			return Settlement{}, err
		}
		invs, invDocs = []*billing.Invoice{extra}, []receivables.Document{doc}
	case len(invoiceIDs) == 0:
		open, err := s.lockOpen(ctx, tx, pc, customerID, billing.KindInvoice, curr, pc.today)
		if err != nil {
			return Settlement{}, err
		}
		invs, invDocs = open.invs, open.docs
	default:
		allocs := make([]Allocation, len(invoiceIDs))
		for i, x := range invoiceIDs {
			allocs[i] = Allocation{InvoiceID: x}
		}
		var targets []receivables.Target
		var err error
		if invs, targets, err = s.loadAllocations(ctx, tx, pc, customerID, curr, pc.today, allocs, false); err != nil {
			return Settlement{}, err
		}
		for _, t := range targets {
			invDocs = append(invDocs, t.Document)
		}
	}
	demand := make([]*receivables.Document, len(invDocs))
	for i := range invDocs {
		demand[i] = &invDocs[i]
	}
	now := s.now()
	plan, err := receivables.PlanSettlement(pc.accounts, customerID, sources, demand)
	if err != nil {
		return Settlement{}, err
	}
	if len(plan.Applications) == 0 {
		return Settlement{}, nil
	}
	apps := applications(p.TenantID, plan.Applications, now)
	for _, inv := range invs {
		if inv != extra {
			docs[inv.ID] = inv
		}
	}
	var issued billing.Change // what settling did to extra, which the caller writes
	if extra != nil {
		for _, ch := range plan.Documents {
			if ch.Document.ID == extra.ID {
				if issued, err = applyPlan(extra, ch.Document, settleCloseReason+" by customer credit", pc, now); err != nil {
					return Settlement{}, err
				}
			}
		}
	}
	entryID, err := s.finishSettlement(ctx, tx, pc, plan.Entry, plan.Documents, docs, apps)
	if err != nil {
		return Settlement{}, err
	}
	for i, pay := range pays {
		setPaymentBalances(pay, plan.Payments[i])
		if err := tx.UpdatePaymentBalances(ctx, *pay); err != nil {
			return Settlement{}, err
		}
	}
	return Settlement{Applications: apps, EntryID: entryID, Issued: issued}, nil
}

// openDocs are a customer's open documents of one kind, locked, and as
// receivables sees them (docs[i] is invs[i]).
type openDocs struct {
	invs []*billing.Invoice
	docs []receivables.Document
}

// lockOpen locks and returns a customer's documents of kind in cur with
// something left to settle (receivables.Document.OpenFor), oldest due
// first, as seen by a payment made on paidOn.
func (s *Service) lockOpen(ctx context.Context, tx PaymentsTx, pc *payCtx, customerID string, kind billing.Kind, cur money.Currency, paidOn calendar.Date) (openDocs, error) {
	var out openDocs
	listed, err := tx.OpenDocuments(ctx, pc.tenant.ID, customerID)
	if err != nil {
		return out, err
	}
	for _, d := range listed {
		doc, err := pc.doc(d, paidOn)
		if err != nil {
			return out, err
		}
		if !doc.OpenFor(kind, cur) {
			continue
		}
		inv, err := tx.GetInvoiceForUpdate(ctx, pc.tenant.ID, d.ID)
		if err != nil {
			return out, err
		}
		if doc, err = pc.doc(inv, paidOn); err != nil {
			return out, err
		}
		out.invs, out.docs = append(out.invs, &inv), append(out.docs, doc)
	}
	return out, nil
}

// UseCredit applies a customer's unapplied payments to an invoice being
// issued (in memory: the caller writes the invoice). It returns the change
// that made to the invoice: its closing when paid in full, else none.
func (s *Service) UseCredit(ctx context.Context, tx PaymentsTx, p access.Principal, inv *billing.Invoice) (billing.Change, error) {
	if inv.Kind != billing.KindInvoice || inv.Balance.Sign() <= 0 {
		return billing.Change{}, nil
	}
	pays, err := tx.CreditPayments(ctx, p.TenantID, inv.InvoiceAccountID, inv.Currency)
	if err != nil || len(pays) == 0 {
		return billing.Change{}, err
	}
	pc, err := s.newPayCtx(ctx, tx, p.TenantID)
	if err != nil {
		return billing.Change{}, err
	}
	ids := make([]string, len(pays))
	for i, x := range pays {
		ids[i] = x.ID
	}
	cur, err := money.ParseCurrency(inv.Currency)
	if err != nil {
		return billing.Change{}, fmt.Errorf("invoice %s: %w", inv.ID, err)
	}
	st, err := s.settle(ctx, tx, pc, p, inv.InvoiceAccountID, cur, ids, nil, inv)
	return st.Issued, err
}

// RefundInput refunds part or all of a payment.
type RefundInput struct {
	Amount         string // default: all that is refundable
	Reason         string
	IdempotencyKey string
}

// RefundPayment returns money to the customer: first from the payment's
// unapplied credit, then by taking back its applications (newest first),
// which raises those invoices' balances again (a closed one reopens). Card
// payments are refunded through the provider. Never more than was paid and
// not yet refunded.
func (s *Service) RefundPayment(ctx context.Context, p access.Principal, paymentID string, in RefundInput) (Refund, error) {
	return usecase.Write(ctx, s.payments, p, access.ManagePayments, func() error {
		reason, err := receivables.CheckRefundReason(in.Reason)
		in.Reason = reason
		return err
	}, func(tx PaymentsTx) (Refund, usecase.Audit, error) {
		var audit usecase.Audit
		pay, err := tx.GetPaymentForUpdate(ctx, p.TenantID, paymentID)
		if err != nil {
			return Refund{}, usecase.Audit{}, err
		}
		pc, err := s.payTenant(ctx, tx, p.TenantID)
		if err != nil {
			return Refund{}, usecase.Audit{}, err
		}
		rp, err := pc.payment(pay)
		if err != nil {
			return Refund{}, usecase.Audit{}, err
		}
		amount, err := receivables.RefundAmount(rp, in.Amount)
		if err != nil {
			return Refund{}, usecase.Audit{}, err
		}
		if err := s.loadPayAccounts(ctx, tx, pc); err != nil {
			return Refund{}, usecase.Audit{}, err
		}
		now := s.now()
		apps, err := tx.ListApplications(ctx, p.TenantID, pay.ID, "")
		if err != nil {
			return Refund{}, usecase.Audit{}, err
		}
		rapps := make([]receivables.Application, len(apps))
		for i, a := range apps {
			rapps[i] = receivables.Application{SourceType: a.SourceType, SourceID: a.SourceID, InvoiceID: a.InvoiceID,
				Amount: a.Amount, AmountAccounting: a.AmountAccounting, Reversed: a.Reversed}
		}
		split, err := receivables.SplitRefund(rp, amount, rapps)
		if err != nil {
			return Refund{}, usecase.Audit{}, err
		}
		// The invoices the refund takes back from, locked newest first.
		invs := map[string]*billing.Invoice{}
		docs := make([]receivables.Document, len(split.Takes))
		for i, tk := range split.Takes {
			invID := apps[tk.Application].InvoiceID
			if invs[invID] == nil {
				inv, err := tx.GetInvoiceForUpdate(ctx, p.TenantID, invID)
				if err != nil {
					return Refund{}, usecase.Audit{}, err
				}
				invs[invID] = &inv
			}
			if docs[i], err = pc.doc(*invs[invID], pc.today); err != nil {
				return Refund{}, usecase.Audit{}, err
			}
		}
		r := Refund{ID: id.NewAt("rfd", now), TenantID: p.TenantID, PaymentID: pay.ID, Reason: in.Reason, Date: pc.today,
			CreatedBy: p.ActorID(), CreatedAt: now}
		plan, err := receivables.PlanRefund(pc.accounts, rp, amount, split, rapps, docs, r.ID)
		if err != nil {
			return Refund{}, usecase.Audit{}, err
		}
		for _, ch := range plan.Documents {
			inv := invs[ch.Document.ID]
			ac, err := applyPlan(inv, ch.Document, "", pc, now)
			if err != nil {
				return Refund{}, usecase.Audit{}, err
			}
			if ac.From == billing.Closed && ac.To != billing.Closed {
				audit = audit.And("invoice.reopened", "invoice", inv.ID, map[string]any{"status": inv.Status,
					"refund_of": pay.ID, "was": ch.WasCloseReason})
			}
			inv.UpdatedAt = now
			if err := tx.UpdateInvoiceSettlement(ctx, *inv); err != nil {
				return Refund{}, usecase.Audit{}, err
			}
		}
		for _, tk := range split.Takes {
			a := apps[tk.Application]
			a.Reversed = plan.Applications[tk.Application].Reversed
			if err := tx.UpdateApplicationReversed(ctx, a); err != nil {
				return Refund{}, usecase.Audit{}, err
			}
		}
		r.Amount, r.AmountAccounting = plan.Refund.Amount, plan.Refund.AmountAccounting
		if r.EntryID, err = s.postEntry(ctx, tx, pc, plan.Entry); err != nil {
			return Refund{}, usecase.Audit{}, err
		}
		setPaymentBalances(&pay, plan.Payment)
		if err := tx.UpdatePaymentBalances(ctx, pay); err != nil {
			return Refund{}, usecase.Audit{}, err
		}
		if pay.ChargeID != "" {
			if err := s.requireProvider(); err != nil {
				return Refund{}, usecase.Audit{}, err
			}
			key := in.IdempotencyKey
			if key == "" {
				key = r.ID
			}
			pr, err := s.deps.Provider.Refund(ctx, accounts.RefundRequest{ChargeID: pay.ChargeID, Amount: amount, IdempotencyKey: "refund:" + key})
			if err != nil {
				return Refund{}, usecase.Audit{}, providerErr(err)
			}
			r.ProviderRefund = pr.RefundID
		}
		if err := tx.InsertRefund(ctx, r); err != nil {
			return Refund{}, usecase.Audit{}, err
		}
		return r, audit.And("payment.refunded", "payment", pay.ID, map[string]any{"refund_id": r.ID, "amount": amount.Fixed(),
			"currency": pay.Currency, "reason": r.Reason, "provider_refund": r.ProviderRefund}).
			Emit("payment.refunded", map[string]any{"id": r.ID, "payment_id": pay.ID,
				"customer_id": pay.CustomerID, "amount": amount.Fixed(), "currency": pay.Currency, "reason": r.Reason}), nil
	})
}

// requirePaymentRead lets staff who manage payments, and a customer for its
// own account, see payments (DESIGN.md "Roles": payments are not part of
// "read invoices").
func requirePaymentRead(p access.Principal, customerID string) error {
	return requireOwnAccount(p, access.ManagePayments, customerID)
}

// GetPayment returns a payment with its applications and refunds.
func (s *Service) GetPayment(ctx context.Context, p access.Principal, paymentID string) (Payment, error) {
	if err := requirePaymentRead(p, p.CustomerID); err != nil {
		return Payment{}, err
	}
	var out Payment
	err := s.paymentReads.Store.Read(ctx, func(tx PaymentReadsTx) error {
		pay, err := tx.GetPayment(ctx, p.TenantID, paymentID)
		if err != nil {
			return err
		}
		if !p.SeesCustomer(pay.CustomerID) {
			return fail.NotFoundf("no payment %q", paymentID)
		}
		if pay.Applications, err = tx.ListApplications(ctx, p.TenantID, pay.ID, ""); err != nil {
			return err
		}
		if pay.Refunds, err = tx.ListRefunds(ctx, p.TenantID, pay.ID); err != nil {
			return err
		}
		out = pay
		return nil
	})
	return out, err
}

// ListPayments lists payments, newest first, with their applications and
// refunds (a customer sees its own).
func (s *Service) ListPayments(ctx context.Context, p access.Principal, f PaymentFilter) ([]Payment, error) {
	if own, scoped := p.CustomerScope(); scoped {
		f.CustomerID = own
	}
	if err := requirePaymentRead(p, f.CustomerID); err != nil {
		return nil, err
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	var out []Payment
	err := s.paymentReads.Store.Read(ctx, func(tx PaymentReadsTx) error {
		var err error
		if out, err = tx.ListPayments(ctx, p.TenantID, f); err != nil {
			return err
		}
		for i := range out {
			if out[i].Applications, err = tx.ListApplications(ctx, p.TenantID, out[i].ID, ""); err != nil {
				return err
			}
			if out[i].Refunds, err = tx.ListRefunds(ctx, p.TenantID, out[i].ID); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// CustomerCredit is a customer's credit in one currency: unapplied payments
// and open credit notes.
type CustomerCredit struct {
	Currency    string       `json:"currency"`
	Unapplied   money.Amount `json:"unapplied_payments"`
	CreditNotes money.Amount `json:"open_credit_notes"`
	Total       money.Amount `json:"total"`
	OpenInvoice money.Amount `json:"open_invoices"` // what the customer owes in this currency
}

// GetCustomerCredit returns a customer's credit and open balance per currency.
func (s *Service) GetCustomerCredit(ctx context.Context, p access.Principal, customerID string) ([]CustomerCredit, error) {
	if err := requireOwnAccount(p, access.ReadInvoices, customerID); err != nil { // a balance, like the invoices it sums
		return nil, err
	}
	var out []CustomerCredit
	err := s.paymentReads.Store.Read(ctx, func(tx PaymentReadsTx) error {
		if _, err := tx.GetCustomer(ctx, p.TenantID, customerID); err != nil {
			return err
		}
		by := map[string]*CustomerCredit{}
		get := func(cur string) *CustomerCredit {
			if by[cur] == nil {
				zero := money.In(decimal.Zero, cur)
				by[cur] = &CustomerCredit{Currency: cur, Unapplied: zero, CreditNotes: zero, Total: zero, OpenInvoice: zero}
			}
			return by[cur]
		}
		pays, err := tx.ListPayments(ctx, p.TenantID, PaymentFilter{CustomerID: customerID, Limit: 100000})
		if err != nil {
			return err
		}
		for _, x := range pays {
			if x.Unapplied.Sign() > 0 {
				c := get(x.Currency)
				c.Unapplied = c.Unapplied.MustAdd(x.Unapplied)
			}
		}
		docs, err := tx.OpenDocuments(ctx, p.TenantID, customerID)
		if err != nil {
			return err
		}
		for _, d := range docs {
			c := get(d.Currency)
			if d.Kind == billing.KindCreditNote {
				c.CreditNotes = c.CreditNotes.MustAdd(d.Balance)
			} else {
				c.OpenInvoice = c.OpenInvoice.MustAdd(d.Balance)
			}
		}
		for _, c := range by {
			c.Total = c.Unapplied.MustAdd(c.CreditNotes)
			out = append(out, *c)
		}
		slices.SortFunc(out, func(a, b CustomerCredit) int { return strings.Compare(a.Currency, b.Currency) })
		return nil
	})
	return out, err
}

// CustomerName is how emails address a customer: its legal name, else its name.
func CustomerName(c billing.Customer) string {
	if c.Billing.LegalName != "" {
		return c.Billing.LegalName
	}
	return c.Name
}
