package sales

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/id"
	"github.com/facturo/facturo/numbering"
	"github.com/facturo/facturo/service/usecase"
)

// ClaimedItem is a pending sales item locked for billing, with the account
// its invoice goes to.
type ClaimedItem struct {
	billing.SalesItem
	AccountID string
}

// InvoicedItem links a billed sales item to its invoice.
type InvoicedItem struct{ ItemID, InvoiceID string }

// billOptions says what one billing transaction bills and how.
type billOptions struct {
	period     calendar.Range // items whose billing date falls in it
	customerID string         // only this customer's items (and those billed to it); "" for all
	invDate    calendar.Date  // invoice date; zero: the period's last day
	invPeriod  *calendar.Range
	issue      bool
	rates      map[string]string // explicit exchange rates; the tenant's table for the others
	event      map[string]any    // extra data of the invoice.created/issued events (the billing run)
	held       *int              // counts items left pending by billing.HeldCredit; may be nil
	// skipped receives the groups left out for want of an exchange rate.
	skipped *[]SkippedGroup
}

// skipList gathers the groups billing leaves out, one entry per bill-to
// account, provider and currency (a group split over several invoices
// counts once).
type skipList struct{ out *[]SkippedGroup }

func (l skipList) add(account string, c billing.Customer, provider, currency string, items int, reason string, at time.Time) {
	if l.out == nil {
		return
	}
	for k, s := range *l.out {
		if s.AccountID == account && s.Provider == provider && s.Currency == currency {
			(*l.out)[k].Items += items
			return
		}
	}
	*l.out = append(*l.out, SkippedGroup{AccountID: account, CustomerNumber: c.Number, CustomerName: c.Name, Provider: provider,
		Currency: currency, Items: items, Reason: reason, At: at})
}

// billAccounts claims the pending items of the given bill-to accounts and
// makes their draft invoices (one per account, provider and currency, split
// at billing.MaxLines), optionally issuing them, all inside tx. Items that
// another transaction billed first are not claimed, so an item is never
// billed twice; if one changes under it, the transaction fails with a
// conflict and nothing is written.
func (s *Service) billAccounts(ctx context.Context, tx BillTx, p access.Principal, accounts []string, o billOptions) ([]billing.Invoice, int, error) {
	// The accounts and the customers billed to them, in one query; with
	// customerID, only that customer and its sub-accounts.
	start := time.Now()
	custs, err := tx.CustomersBilledTo(ctx, p.TenantID, accounts)
	if err != nil {
		return nil, 0, err
	}
	// Preparing many invoices reads the same settings and customers again
	// and again: mt remembers them for this transaction.
	mt := s.deps.Invoices.Memo(tx, custs)
	tenant, err := mt.GetTenant(ctx, p.TenantID)
	if err != nil {
		return nil, 0, err
	}
	byID := make(map[string]billing.Customer, len(custs))
	wanted := map[string]bool{}
	for _, a := range accounts {
		wanted[a] = true
	}
	var ids []string
	for _, c := range custs {
		byID[c.ID] = c
		if o.customerID != "" {
			if c.ID == o.customerID || c.InvoiceAccountID == o.customerID {
				ids = append(ids, c.ID)
			}
		} else if wanted[c.InvoiceAccount()] {
			ids = append(ids, c.ID)
		}
	}
	// Items billed to an account lacking billing information stay open.
	billable := ids[:0]
	for _, id := range ids {
		acct, err := mt.GetCustomer(ctx, p.TenantID, byID[id].InvoiceAccount())
		if err != nil {
			return nil, 0, err
		}
		if acct.HasBillingInfo {
			billable = append(billable, id)
		}
	}
	ids = billable
	s.step("customers", start)
	start = time.Now()
	claimed, err := tx.ClaimItems(ctx, p.TenantID, o.period, ids)
	if err != nil || len(claimed) == 0 {
		return nil, 0, err
	}
	s.step("claim", start)
	start = time.Now()
	items := make([]ClaimedItem, len(claimed))
	for i, si := range claimed {
		items[i] = ClaimedItem{SalesItem: si, AccountID: byID[si.CustomerID].InvoiceAccount()}
	}
	slices.SortStableFunc(items, func(a, b ClaimedItem) int {
		return cmp.Or(cmp.Compare(a.AccountID, b.AccountID), cmp.Compare(a.Provider, b.Provider), cmp.Compare(a.Currency, b.Currency),
			a.BillingDate.Compare(b.BillingDate), cmp.Compare(a.ID, b.ID))
	})
	now := s.now()
	var invs []billing.Invoice
	skips := skipList{out: o.skipped}
	rates := map[string]struct {
		rate decimal.Decimal `money:"-"` // an exchange rate
		ok   bool
	}{}
	links := make([]InvoicedItem, 0, len(items))
	same := func(a, b ClaimedItem) bool {
		return a.AccountID == b.AccountID && a.Provider == b.Provider && a.Currency == b.Currency
	}
	// A group (account, provider, currency) whose items add up to a credit
	// stays pending until there is a charge to net it against.
	kept := items[:0]
	for i := 0; i < len(items); {
		j, total := i, decimal.Zero
		for ; j < len(items) && same(items[i], items[j]); j++ {
			total = total.Add(items[j].Net().Decimal())
		}
		if billing.HeldCredit(total) {
			if o.held != nil {
				*o.held += j - i
			}
		} else {
			kept = append(kept, items[i:j]...)
		}
		i = j
	}
	items = kept
	for i := 0; i < len(items); {
		j := i + 1
		for j < len(items) && j-i < maxItemsPerInvoice && same(items[i], items[j]) {
			j++
		}
		g := items[i]
		inv := billing.Invoice{ID: id.NewAt(id.Invoice, now), TenantID: p.TenantID, Status: billing.Draft, CustomerID: g.AccountID,
			InvoiceDate: o.invDate, Provider: g.Provider, Currency: g.Currency, CreatedAt: now, UpdatedAt: now}
		if o.invPeriod != nil {
			inv.PeriodStart, inv.PeriodEnd = o.invPeriod.From, o.invPeriod.To
		} else {
			inv.PeriodStart, inv.PeriodEnd = itemsPeriod(items[i:j])
		}
		if g.Currency != tenant.Currency {
			fx, seen := rates[g.Currency] // one look-up per currency: every invoice here has the same date
			if !seen {
				var err error
				if fx.rate, fx.ok, err = s.deps.RateFor(ctx, tx, tenant, o.rates, g.Currency, inv.InvoiceDate); err != nil {
					return nil, 0, err
				}
				rates[g.Currency] = fx
			}
			rate, ok := fx.rate, fx.ok
			if !ok {
				// The group waits for a rate; everyone else is billed.
				acct, err := mt.GetCustomer(ctx, p.TenantID, g.AccountID) // read above: remembered
				if err != nil {
					return nil, 0, err
				}
				skips.add(g.AccountID, acct, g.Provider, g.Currency, j-i, s.deps.NoRateReason(g.Currency, inv.InvoiceDate), now)
				i = j
				continue
			}
			inv.ExchangeRate = rate
		}
		inv.Lines = make([]billing.Line, 0, j-i)
		for _, si := range items[i:j] {
			c, err := mt.GetCustomer(ctx, p.TenantID, si.CustomerID)
			if err != nil {
				return nil, 0, err
			}
			desc := si.Description
			if si.CustomerID != g.AccountID {
				desc = c.Name + ": " + desc // a sub-account's item on its reseller's invoice
			}
			q, up := si.Quantity, si.UnitPrice
			inv.Lines = append(inv.Lines, billing.Line{Description: desc, ProductID: si.ProductID, Account: si.Account,
				SalesTaxGroup: c.SalesTaxGroup, ItemSalesTaxGroup: si.ItemSalesTaxGroup, Quantity: &q, Unit: si.Unit, UnitPrice: &up,
				Discount: si.Discount, ChargeType: si.ChargeType, ServiceStart: si.PeriodStart, ServiceEnd: si.PeriodEnd})
			links = append(links, InvoicedItem{ItemID: si.ID, InvoiceID: inv.ID})
		}
		if err := s.deps.Invoices.Prepare(ctx, mt, p, &inv); err != nil {
			return nil, 0, fmt.Errorf("invoice for %s (%s, %s): %w", g.AccountID, g.Provider, g.Currency, err)
		}
		invs = append(invs, inv)
		i = j
	}
	s.step("price", start)
	if len(invs) == 0 {
		return nil, 0, nil
	}
	// The items first (their rows are locked already), then the document
	// numbers: the counter's lock, which every billing transaction of the
	// tenant takes, is held for as short a time as can be, so nodes billing
	// batches side by side wait on each other least.
	start = time.Now()
	marked, err := tx.MarkInvoiced(ctx, p.TenantID, links)
	if err != nil {
		return nil, 0, err
	}
	if marked != len(links) {
		return nil, 0, fail.Conflictf("sales items changed while billing them; run again")
	}
	s.step("mark", start)
	start = time.Now()
	last, err := tx.NextCounters(ctx, p.TenantID, numbering.DocumentNumber.Counter, len(invs))
	if err != nil {
		return nil, 0, err
	}
	for k := range invs {
		invs[k].DocumentNumber = numbering.DocumentNumber.Format(last - int64(len(invs)-1-k))
	}
	s.step("number", start)
	if err := s.faultPoint("invoices prepared"); err != nil {
		return nil, 0, err
	}
	start = time.Now()
	if err := tx.InsertInvoices(ctx, invs); err != nil {
		return nil, 0, err
	}
	s.step("insert", start)
	if err := s.faultPoint("invoices inserted"); err != nil {
		return nil, 0, err
	}
	start = time.Now()
	if o.issue {
		today := calendar.Today(s.now(), tenant.Location())
		setup, err := mt.TaxSetup(ctx, p.TenantID)
		if err != nil {
			return nil, 0, err
		}
		for k := range invs {
			// A document the rules refuse to issue (a line without its tax
			// code, a bill-to lacking billing information …) stays a draft
			// for someone to fix, with the reason in its audit trail; the
			// rest of the batch is issued.
			if err := issuableInRun(&invs[k], today, setup); err != nil {
				if err := s.record(ctx, tx, p, "invoice.issue_refused", "invoice", invs[k].ID, map[string]any{"reason": err.Error()}); err != nil {
					return nil, 0, err
				}
				continue
			}
			if err := s.deps.Invoices.Issue(ctx, mt, p, &invs[k], tenant, today); err != nil {
				return nil, 0, err
			}
		}
	}
	s.step("issue", start)
	start = time.Now()
	if err := s.deps.Invoices.EmitBilled(ctx, tx, p.TenantID, invs, o.issue, o.event); err != nil {
		return nil, 0, err
	}
	s.step("events", start)
	return invs, len(links), nil
}

// issuableInRun is what a billing run checks before issuing a document it
// made: the checks of issuing that depend on the document's data, not on
// the ledger or numbering (those failing would fail the whole batch).
func issuableInRun(inv *billing.Invoice, today calendar.Date, setup billing.TaxSetup) error {
	if err := inv.CheckIssuable(today); err != nil {
		return err
	}
	return inv.CheckLineTaxes(setup)
}

// itemsPeriod is the billing period of an invoice made of items without a
// requested period: the span of the items' service periods (their billing
// dates where they have none).
func itemsPeriod(items []ClaimedItem) (calendar.Date, calendar.Date) {
	var from, to calendar.Date
	for _, si := range items {
		a, b := si.PeriodStart, si.PeriodEnd
		if a.IsZero() {
			a = si.BillingDate
		}
		if b.IsZero() {
			b = si.BillingDate
		}
		if from.IsZero() || a.Before(from) {
			from = a
		}
		if to.IsZero() || to.Before(b) {
			to = b
		}
	}
	return from, to
}

// InvoiceNowInput is what "invoice now" bills for one customer.
type InvoiceNowInput struct {
	// PeriodStart and PeriodEnd bound the billing dates of the items billed;
	// zero: every pending item due up to today.
	PeriodStart, PeriodEnd calendar.Date
	Issue                  bool
	Rates                  map[string]string
}

// InvoiceNowResult is what "invoice now" made.
type InvoiceNowResult struct {
	Invoices      []billing.Invoice `json:"invoices"`
	ItemsBilled   int               `json:"items_billed"`
	ContractItems int               `json:"contract_items"`
	// SubscriptionItems counts the subscription periods renewed first.
	SubscriptionItems int `json:"subscription_items"`
	// GroupsSkipped are the invoice groups left out for want of an
	// exchange rate; their items stay pending.
	GroupsSkipped []SkippedGroup `json:"groups_skipped"`
}

// InvoiceNow bills one customer at once: it makes the contract items its
// contracts owe for the period and renews its due subscriptions, then puts its pending items (and those of
// sub-accounts billed to it) due in the period on draft invoices, one per
// bill-to account, provider and currency, and optionally issues them. It is
// one transaction that claims the items like a billing run does, so an item
// is never billed twice even when a run bills the same period at once.
func (s *Service) InvoiceNow(ctx context.Context, p access.Principal, customerID string, in InvoiceNowInput) (InvoiceNowResult, error) {
	return usecase.Write(ctx, s.billing, p, access.RunBilling, func() error {
		if err := checkRates(in.Rates); err != nil {
			return err
		}
		if !in.PeriodStart.IsZero() && !in.PeriodEnd.IsZero() && in.PeriodEnd.Before(in.PeriodStart) {
			return fail.Field("period_end", "is before period_start %s: give the last day of the period", in.PeriodStart)
		}
		return nil
	}, func(tx BillingTx) (InvoiceNowResult, usecase.Audit, error) {
		res, err := s.invoiceNow(ctx, tx, p, customerID, in)
		if err != nil {
			return InvoiceNowResult{}, usecase.Audit{}, err
		}
		ids := make([]string, len(res.Invoices))
		for k, inv := range res.Invoices {
			ids[k] = inv.ID
		}
		return res, usecase.Entry("customer.invoiced_now", "customer", customerID, map[string]any{
			"period_start": in.PeriodStart, "period_end": in.PeriodEnd, "issue": in.Issue, "invoices": ids, "items": res.ItemsBilled,
			"contract_items": res.ContractItems, "groups_skipped": len(res.GroupsSkipped)}), nil
	})
}

// invoiceNow is InvoiceNow inside its transaction.
func (s *Service) invoiceNow(ctx context.Context, tx BillingTx, p access.Principal, customerID string, in InvoiceNowInput) (InvoiceNowResult, error) {
	var res InvoiceNowResult
	cust, err := tx.GetCustomer(ctx, p.TenantID, customerID)
	if fail.Is(err, fail.NotFound) {
		return res, fail.NotFoundf("no customer %q", customerID)
	} else if err != nil {
		return res, err
	}
	if cust.ArchivedAt != nil {
		return res, fail.Conflictf("customer %s is archived", cust.Number)
	}
	tenant, err := tx.GetTenant(ctx, p.TenantID)
	if err != nil {
		return res, err
	}
	today := calendar.Today(s.now(), tenant.Location())
	period := calendar.Range{From: in.PeriodStart, To: in.PeriodEnd}
	if period.To.IsZero() {
		period.To = today
	}
	if period.From.IsZero() {
		period.From = calendar.New(1, 1, 1)
	}
	if period.To.Before(period.From) {
		return res, fail.Field("period_start", "is after today (%s): give period_end too", today)
	}
	// Contract items owed for the period (every period due so far when
	// no start is given).
	contracts, err := tx.ListContracts(ctx, p.TenantID, cust.ID)
	if err != nil {
		return res, err
	}
	for _, c := range contracts {
		n, err := s.contractItems(ctx, tx, p.TenantID, c, period)
		if err != nil {
			return res, err
		}
		res.ContractItems += n
	}
	// Subscription periods due by the end of the period, renewed as a
	// billing run renews them (each period once, the row locked).
	n, err := s.deps.RenewDue(ctx, tx, p.TenantID, cust.ID, period.To)
	if err != nil {
		return res, err
	}
	res.SubscriptionItems += n
	if !cust.HasBillingInfo {
		return res, fail.Conflictf("customer %s lacks billing information: its items stay draft until it is complete", cust.Number)
	}
	if acct := cust.InvoiceAccount(); acct != cust.ID {
		a, err := tx.GetCustomer(ctx, p.TenantID, acct)
		if err != nil {
			return res, err
		}
		if !a.HasBillingInfo {
			return res, fail.Conflictf("customer %s is billed to %s, which lacks billing information: complete it first", cust.Number, a.Number)
		}
	}
	accounts := []string{cust.ID}
	o := billOptions{period: period, customerID: cust.ID, invDate: today, issue: in.Issue, rates: in.Rates, skipped: &res.GroupsSkipped}
	if !in.PeriodStart.IsZero() {
		o.invPeriod = &period // the invoice's billing period is the one asked for
	}
	invs, n, err := s.billAccounts(ctx, tx, p, accounts, o)
	if err != nil {
		return res, err
	}
	res.Invoices, res.ItemsBilled = invs, n
	return res, nil
}
