package sales

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/id"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/numbering"
	"github.com/facturo/facturo/service/usecase"
)

// --- contracts

// PartInput is one contract part as a client enters it.
type PartInput struct {
	ID          string // set to change an existing part
	ProductID   string
	Description string
	Quantity    string
	Price       *string // the product's default price when omitted
	Interval    string
	Start       calendar.Date
	End         calendar.Date
	InArrears   bool
}

// ContractInput creates or changes a contract.
type ContractInput struct {
	CustomerID string
	Name       string
	Status     string
	Parts      []PartInput
}

func (s *Service) contractFrom(ctx context.Context, tx ContractsTx, tenantID string, c *billing.Contract, in ContractInput) error {
	var col fail.Collector
	c.Name, c.Status = in.Name, in.Status
	if in.CustomerID != "" {
		c.CustomerID = in.CustomerID
	}
	if _, err := tx.GetCustomer(ctx, tenantID, c.CustomerID); fail.Is(err, fail.NotFound) {
		return fail.Field("customer_id", "no customer %q in this tenant", c.CustomerID)
	} else if err != nil {
		return err
	}
	now := s.now()
	parts := make([]billing.ContractPart, 0, len(in.Parts))
	for i, pi := range in.Parts {
		f := fmt.Sprintf("parts[%d]", i)
		part := billing.ContractPart{ID: pi.ID, ProductID: pi.ProductID, Description: strings.TrimSpace(pi.Description),
			Interval: billing.Interval(pi.Interval), Start: pi.Start, End: pi.End, InAdvance: !pi.InArrears}
		if part.ID == "" {
			part.ID = id.NewAt("cp", now)
		} else if !containsPart(c.Parts, part.ID) {
			col.Add(f+".id", "no part %q on this contract", part.ID)
		}
		q, err := money.ReadDecimal(f+".quantity", pi.Quantity, "1")
		col.Merge("", err)
		part.Quantity = q
		prod, err := tx.GetProduct(ctx, tenantID, pi.ProductID)
		if fail.Is(err, fail.NotFound) {
			col.Add(f+".product_id", "no product %q", pi.ProductID)
		} else if err != nil {
			return err
		}
		part.Price, part.Currency = prod.DefaultPrice, prod.Currency
		if pi.Price != nil {
			pr, err := money.ReadDecimal(f+".price", *pi.Price, "12.50")
			col.Merge("", err)
			part.Price = money.PriceIn(pr, prod.Currency)
		}
		parts = append(parts, part)
	}
	// Parts not named keep their values: a part is never removed, only ended.
	for _, old := range c.Parts {
		if !containsPart(parts, old.ID) {
			parts = append(parts, old)
		}
	}
	c.Parts = parts
	if err := col.Err(); err != nil {
		return err
	}
	return c.Normalize()
}

func containsPart(parts []billing.ContractPart, id string) bool {
	for _, p := range parts {
		if p.ID == id {
			return true
		}
	}
	return false
}

// CreateContract adds a contract with its parts.
func (s *Service) CreateContract(ctx context.Context, p access.Principal, in ContractInput) (billing.Contract, error) {
	now := s.now()
	c := billing.Contract{ID: id.NewAt("con", now), TenantID: p.TenantID, CreatedAt: now, UpdatedAt: now}
	out, err := usecase.Write(ctx, s.contracts, p, access.ManageSalesItems, nil, func(tx ContractsTx) (billing.Contract, usecase.Audit, error) {
		if err := s.contractFrom(ctx, tx, p.TenantID, &c, in); err != nil {
			return c, usecase.Audit{}, err
		}
		n, err := tx.NextCounter(ctx, p.TenantID, numbering.ContractNumber.Counter)
		if err != nil {
			return c, usecase.Audit{}, err
		}
		c.Number = numbering.ContractNumber.Format(n)
		if err := tx.InsertContract(ctx, c); err != nil {
			return c, usecase.Audit{}, err
		}
		return c, usecase.Entry("contract.created", "contract", c.ID, c), nil
	})
	if err != nil && requireSalesItems(p) == nil {
		return c, err // as far as it got, as before the envelope
	}
	return out, err
}

// UpdateContract changes a contract: its name, status and parts (new parts
// are added; a part is ended by its end date, never removed).
func (s *Service) UpdateContract(ctx context.Context, p access.Principal, contractID string, in ContractInput) (billing.Contract, error) {
	return usecase.Write(ctx, s.contracts, p, access.ManageSalesItems, nil, func(tx ContractsTx) (billing.Contract, usecase.Audit, error) {
		c, err := tx.GetContract(ctx, p.TenantID, contractID)
		if err != nil {
			return billing.Contract{}, usecase.Audit{}, err
		}
		if in.CustomerID != "" && in.CustomerID != c.CustomerID {
			return billing.Contract{}, usecase.Audit{}, fail.Field("customer_id", "a contract's customer cannot change")
		}
		before := c
		if in.Name == "" {
			in.Name = c.Name
		}
		if in.Status == "" {
			in.Status = c.Status
		}
		if err := s.contractFrom(ctx, tx, p.TenantID, &c, in); err != nil {
			return billing.Contract{}, usecase.Audit{}, err
		}
		c.UpdatedAt = s.now()
		if err := tx.UpdateContract(ctx, c); err != nil {
			return billing.Contract{}, usecase.Audit{}, err
		}
		return c, usecase.Entry("contract.updated", "contract", c.ID, usecase.Diff(before, c)), nil
	})
}

// ListContracts lists contracts, optionally of one customer.
func (s *Service) ListContracts(ctx context.Context, p access.Principal, customerID string) ([]billing.Contract, error) {
	return usecase.Read(ctx, s.contracts, p, access.ManageSalesItems, func(tx ContractsTx) ([]billing.Contract, error) {
		return tx.ListContracts(ctx, p.TenantID, customerID)
	})
}

// contractItems makes the sales items a contract owes for the periods billed
// in r, each exactly once (a part and period is the item's source reference).
func (s *Service) contractItems(ctx context.Context, tx BillingTx, tenantID string, c billing.Contract, r calendar.Range) (int, error) {
	if c.Status != "active" {
		return 0, nil
	}
	made := 0
	for _, part := range c.Parts {
		periods := part.PeriodsBilledIn(r)
		if len(periods) == 0 {
			continue
		}
		billed, err := tx.ContractPartPeriods(ctx, tenantID, part.ID)
		if err != nil {
			return made, err
		}
		for _, per := range billing.Unbilled(periods, billed) {
			now := s.now()
			desc := part.Description
			si := billing.SalesItem{ID: id.NewAt(id.SalesItem, now), TenantID: tenantID, CustomerID: c.CustomerID,
				Source: billing.SourceContract, SourceRef: part.ID + "@" + per.Start.String(), ProductID: part.ProductID,
				Description: desc, Quantity: part.Quantity, UnitPrice: part.Price, BillingDate: per.BillingDate,
				PeriodStart: per.Start, PeriodEnd: per.End, ChargeType: billing.Recurring, CreatedAt: now, UpdatedAt: now}
			if err := s.CompleteItem(ctx, tx, tenantID, &si, true); err != nil {
				return made, fmt.Errorf("contract %s part %s: %w", c.Number, part.ID, err)
			}
			if si.Description == "" {
				si.Description = c.Name
			}
			si.Description = fmt.Sprintf("%s (%s – %s)", si.Description, per.Start, per.End)
			err := tx.InsertSalesItem(ctx, si)
			if fail.Is(err, fail.Conflict) {
				continue // made by an earlier or concurrent run: exactly once per part and period
			}
			if err != nil {
				return made, err
			}
			if err := s.emit(ctx, tx, tenantID, "sales_item.created", salesItemEvent(si)); err != nil {
				return made, err
			}
			made++
		}
	}
	return made, nil
}

// --- tickets and time

// CreateTicket opens a ticket for a customer.
func (s *Service) CreateTicket(ctx context.Context, p access.Principal, customerID, title string) (Ticket, error) {
	title = strings.TrimSpace(title)
	now := s.now()
	k := Ticket{ID: id.NewAt("tkt", now), TenantID: p.TenantID, CustomerID: customerID, Title: title, Status: "open", CreatedAt: now, UpdatedAt: now}
	return usecase.Write(ctx, s.tickets, p, access.ManageSalesItems, func() error {
		if title == "" || len(title) > 300 {
			return fail.Field("title", "is required (at most 300 characters)")
		}
		return nil
	}, func(tx TicketsTx) (Ticket, usecase.Audit, error) {
		if _, err := tx.GetCustomer(ctx, p.TenantID, customerID); fail.Is(err, fail.NotFound) {
			return k, usecase.Audit{}, fail.Field("customer_id", "no customer %q in this tenant", customerID)
		} else if err != nil {
			return k, usecase.Audit{}, err
		}
		n, err := tx.NextCounter(ctx, p.TenantID, numbering.TicketNumber.Counter)
		if err != nil {
			return k, usecase.Audit{}, err
		}
		k.Number = numbering.TicketNumber.Format(n)
		if err := tx.InsertTicket(ctx, k); err != nil {
			return k, usecase.Audit{}, err
		}
		return k, usecase.Entry("ticket.created", "ticket", k.ID, k), nil
	})
}

// ListTickets lists tickets, optionally of one customer. Engineers see them to log time.
func (s *Service) ListTickets(ctx context.Context, p access.Principal, customerID string) ([]Ticket, error) {
	// Engineers see tickets to log time; the sales-item roles see them too.
	if err := usecase.Allow(p, access.LogTime); err != nil {
		if err2 := usecase.Allow(p, access.ManageSalesItems); err2 != nil {
			return nil, err
		}
	}
	var out []Ticket
	err := s.tickets.Store.Read(ctx, func(tx TicketsTx) error {
		var err error
		out, err = tx.ListTickets(ctx, p.TenantID, customerID)
		return err
	})
	return out, err
}

// MyTimeEntries lists the time p logged on the tenant's latest tickets (at
// most maxTickets, the highest numbers), newest work date first, at most
// limit entries: the engineer's console home.
func (s *Service) MyTimeEntries(ctx context.Context, p access.Principal, maxTickets, limit int) ([]TimeEntry, error) {
	if err := usecase.Allow(p, access.LogTime); err != nil {
		return nil, err
	}
	out := []TimeEntry{}
	err := s.tickets.Store.Read(ctx, func(tx TicketsTx) error {
		ks, err := tx.ListTickets(ctx, p.TenantID, "")
		if err != nil {
			return err
		}
		if len(ks) > maxTickets {
			ks = ks[len(ks)-maxTickets:]
		}
		for _, k := range ks {
			es, err := tx.ListTimeEntries(ctx, p.TenantID, k.ID)
			if err != nil {
				return err
			}
			for _, e := range es {
				if e.UserID == p.ActorID() {
					out = append(out, e)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b TimeEntry) int {
		if c := b.WorkDate.Compare(a.WorkDate); c != 0 {
			return c
		}
		return b.CreatedAt.Compare(a.CreatedAt)
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// TimeEntryInput is time logged on a ticket.
type TimeEntryInput struct {
	WorkDate    calendar.Date
	Minutes     int
	Billable    bool
	Rate        string // per hour
	Description string
}

// LogTime records time on a ticket (engineers may). A billable entry becomes
// a sales item of the ticket's customer in the same transaction.
func (s *Service) LogTime(ctx context.Context, p access.Principal, ticketID string, in TimeEntryInput) (TimeEntry, *billing.SalesItem, error) {
	if err := usecase.Allow(p, access.LogTime); err != nil {
		return TimeEntry{}, nil, err
	}
	var c fail.Collector
	if in.Minutes <= 0 || in.Minutes > 24*60 {
		c.Add("minutes", "must be between 1 and 1440")
	}
	if in.WorkDate.IsZero() {
		c.Add("work_date", "is required")
	}
	desc := strings.TrimSpace(in.Description)
	if desc == "" || len(desc) > 1000 {
		c.Add("description", "is required (at most 1000 characters)")
	}
	rate := decimal.Zero
	if in.Rate != "" {
		r, err := money.ReadDecimal("rate", in.Rate, "85.00")
		if err != nil {
			c.Merge("", err)
		} else if r.IsNegative() {
			c.Add("rate", "must be 0 or more")
		}
		rate = r
	} else if in.Billable {
		c.Add("rate", "is required for billable time")
	}
	if err := c.Err(); err != nil {
		return TimeEntry{}, nil, err
	}
	now := s.now()
	e := TimeEntry{ID: id.NewAt("te", now), TenantID: p.TenantID, TicketID: ticketID, UserID: p.ActorID(), UserName: p.Name,
		WorkDate: in.WorkDate, Minutes: in.Minutes, Billable: in.Billable, Description: desc, CreatedAt: now}
	type logged struct {
		e    TimeEntry
		item *billing.SalesItem
	}
	out, err := usecase.Write(ctx, s.tickets, p, access.LogTime, nil, func(tx TicketsTx) (logged, usecase.Audit, error) {
		var a usecase.Audit
		k, err := tx.GetTicket(ctx, p.TenantID, ticketID)
		if err != nil {
			return logged{}, a, err
		}
		// The rate is in the currency the customer is billed in, as the
		// sales item of billable time.
		var item *billing.SalesItem
		if e.Billable {
			si := billing.SalesItem{ID: id.NewAt(id.SalesItem, now), TenantID: p.TenantID, CustomerID: k.CustomerID,
				Source: billing.SourceTicket, SourceRef: e.ID, Description: fmt.Sprintf("%s %s: %s", k.Number, k.Title, desc),
				Quantity: hours(e.Minutes), Unit: "h", UnitPrice: money.PriceIn(rate, ""),
				BillingDate: e.WorkDate, PeriodStart: e.WorkDate, PeriodEnd: e.WorkDate, ChargeType: billing.Time, CreatedAt: now, UpdatedAt: now}
			if err := s.CompleteItem(ctx, tx, p.TenantID, &si, false); err != nil {
				return logged{}, a, err
			}
			e.Rate = si.UnitPrice
			item = &si
		} else {
			cust, err := tx.GetCustomer(ctx, p.TenantID, k.CustomerID)
			if err != nil {
				return logged{}, a, err
			}
			cur, err := billedCurrency(ctx, tx, p.TenantID, cust)
			if err != nil {
				return logged{}, a, err
			}
			e.Rate = money.PriceIn(rate, cur)
		}
		if err := tx.InsertTimeEntry(ctx, e); err != nil {
			return logged{}, a, err
		}
		if item != nil {
			if err := tx.InsertSalesItem(ctx, *item); err != nil {
				return logged{}, a, err
			}
			a = a.Emit("sales_item.created", salesItemEvent(*item))
		}
		return logged{e: e, item: item}, a.And("time.logged", "ticket", ticketID, e), nil
	})
	if err != nil {
		return e, nil, err
	}
	return out.e, out.item, nil
}

// --- vendor usage

// UsageRecord is one row of vendor usage (seed 002: "vendor usage without contract").
type UsageRecord struct {
	RecordID    string
	CustomerRef string // customer number or SAP id
	SKU         string // product code
	Quantity    string
	Unit        string
	PeriodStart calendar.Date
	PeriodEnd   calendar.Date
	Line        int // line number in the file, for the report
}

// UsageRowResult says what became of one usage row.
type UsageRowResult struct {
	Line     int    `json:"line"`
	RecordID string `json:"record_id"`
	Status   string `json:"status"` // imported, duplicate, rejected
	Reason   string `json:"reason,omitempty"`
	// Code names a rejection's reason (record_id, customer, product,
	// quantity, period, invalid, csv_row, csv_dates), so a client can
	// word it in its reader's language; Args are the reason's values.
	Code   string `json:"code,omitempty"`
	Args   []any  `json:"-"`
	Format string `json:"-"` // the English format of Reason
	ItemID string `json:"sales_item_id,omitempty"`
}

// UsageReport sums an import.
type UsageReport struct {
	Imported   int              `json:"imported"`
	Duplicates int              `json:"duplicates"`
	Rejected   int              `json:"rejected"`
	Rows       []UsageRowResult `json:"rows"`
}

// ImportUsage turns usage records into sales items, idempotent by record id:
// importing the same records again adds nothing. A rejected row never stops
// the good ones; each is reported with its line and reason. Rows for
// customers without a contract still become items.
func (s *Service) ImportUsage(ctx context.Context, p access.Principal, records []UsageRecord) (UsageReport, error) {
	if err := checkUsageImport(p, records); err != nil {
		return UsageReport{}, err
	}
	var rep UsageReport
	for start := 0; start < len(records); start += usageBatch {
		end := min(start+usageBatch, len(records))
		rows, err := usecase.Write(ctx, s.items, p, access.ManageSalesItems, nil, func(tx ItemsTx) ([]UsageRowResult, usecase.Audit, error) {
			return s.importUsageBatch(ctx, tx, p, records, start, end)
		})
		if err != nil {
			return rep, err
		}
		rep.add(rows)
	}
	return rep, nil
}

// usageBatch is how many usage rows one transaction imports.
const usageBatch = 500

// checkUsageImport checks who imports and how much at once.
func checkUsageImport(p access.Principal, records []UsageRecord) error {
	if err := usecase.Allow(p, access.ManageSalesItems); err != nil {
		return err
	}
	if len(records) > 100000 {
		return fail.Field("records", "at most 100,000 records per import; split the file")
	}
	return nil
}

// importUsageBatch imports records[start:end] in tx, with its audit entry.
func (s *Service) importUsageBatch(ctx context.Context, tx ItemsTx, p access.Principal, records []UsageRecord, start, end int) ([]UsageRowResult, usecase.Audit, error) {
	var a usecase.Audit
	rows := make([]UsageRowResult, 0, end-start)
	for _, r := range records[start:end] {
		res, err := s.importUsageRow(ctx, tx, p.TenantID, r)
		if err != nil {
			return nil, a, err
		}
		rows = append(rows, res)
	}
	return rows, a.And("usage.imported", "usage", fmt.Sprintf("rows %d-%d", start+1, end), map[string]int{"rows": end - start}), nil
}

// add counts rows into the report.
func (rep *UsageReport) add(rows []UsageRowResult) {
	for _, r := range rows {
		switch r.Status {
		case "imported":
			rep.Imported++
		case "duplicate":
			rep.Duplicates++
		default:
			rep.Rejected++
		}
		rep.Rows = append(rep.Rows, r)
	}
}

// importUsageRow imports one record inside the batch transaction; a bad row
// is reported, not returned as an error, so it never stops the others.
func (s *Service) importUsageRow(ctx context.Context, tx ItemsTx, tenantID string, r UsageRecord) (UsageRowResult, error) {
	res := UsageRowResult{Line: r.Line, RecordID: r.RecordID}
	reject := func(code, format string, args ...any) (UsageRowResult, error) {
		res.Status, res.Reason, res.Code, res.Format, res.Args = "rejected", fmt.Sprintf(format, args...), code, format, args
		return res, nil
	}
	if strings.TrimSpace(r.RecordID) == "" || len(r.RecordID) > 200 {
		return reject("record_id", "record_id is required (at most 200 characters)")
	}
	cust, err := tx.CustomerByRef(ctx, tenantID, strings.TrimSpace(r.CustomerRef))
	if fail.Is(err, fail.NotFound) {
		return reject("customer", "no customer with number or SAP id %q", r.CustomerRef)
	} else if err != nil {
		return res, err
	}
	prod, err := tx.ProductByCode(ctx, tenantID, strings.TrimSpace(r.SKU))
	if fail.Is(err, fail.NotFound) {
		return reject("product", "no product with code %q", r.SKU)
	} else if err != nil {
		return res, err
	}
	q, err := money.ReadDecimal("quantity", strings.TrimSpace(r.Quantity), "1.5")
	if err != nil {
		res, _ = reject("quantity", "%v", err)
		res.Format, res.Args = "", []any{r.Quantity} // the catalog's text says which value
		return res, nil
	}
	if r.PeriodStart.IsZero() || r.PeriodEnd.IsZero() || r.PeriodEnd.Before(r.PeriodStart) {
		return reject("period", "period_start and period_end are required, start first")
	}
	now := s.now()
	si := billing.SalesItem{ID: id.NewAt(id.SalesItem, now), TenantID: tenantID, CustomerID: cust.ID, Source: billing.SourceUsage,
		SourceRef: r.RecordID, ProductID: prod.ID, Quantity: q, Unit: r.Unit, UnitPrice: prod.DefaultPrice,
		BillingDate: r.PeriodEnd, PeriodStart: r.PeriodStart, PeriodEnd: r.PeriodEnd, ChargeType: billing.Usage, CreatedAt: now, UpdatedAt: now}
	if err := s.CompleteItem(ctx, tx, tenantID, &si, true); err != nil {
		if e, ok := fail.As(err); ok && e.Code == fail.Invalid {
			res.Status, res.Reason, res.Code = "rejected", e.Error(), "invalid"
			if len(e.Fields) == 1 && e.Fields[0].Format != "" {
				res.Format, res.Args = e.Fields[0].Format, e.Fields[0].Args
			}
			return res, nil
		}
		return res, err
	}
	si.Description = fmt.Sprintf("%s (%s – %s)", si.Description, r.PeriodStart, r.PeriodEnd)
	// A customer with a wallet pays usage from it first (Deps.DrawUsage).
	if wres, ok, err := s.deps.DrawUsage(ctx, tx, si, r.RecordID); err != nil {
		return res, err
	} else if ok {
		wres.Line = r.Line
		return wres, nil
	}
	if err := tx.InsertSalesItem(ctx, si); err != nil {
		if fail.Is(err, fail.Conflict) {
			res.Status = "duplicate"
			return res, nil
		}
		return res, err
	}
	if err := s.emit(ctx, tx, tenantID, "sales_item.created", salesItemEvent(si)); err != nil {
		return res, err
	}
	res.Status, res.ItemID = "imported", si.ID
	return res, nil
}

// hours is a ticket time entry's minutes as an hours quantity (six
// decimals: a quantity, not an amount).
func hours(minutes int) decimal.Decimal {
	return decimal.NewFromInt(int64(minutes)).Div(decimal.NewFromInt(60)).Round(quantityDecimals)
}

// quantityDecimals is how many decimals a computed quantity keeps.
const quantityDecimals = 6
