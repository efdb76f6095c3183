package service

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/documents"
	"github.com/facturo/facturo/fail"
)

// Invoice sort keys (seed 000's columns).
var InvoiceSorts = []string{"invoice_date", "number", "customer", "provider", "period", "amount", "status", "due_date", "created_at"}

// InvoiceFilter selects and orders documents.
type InvoiceFilter struct {
	Statuses   []billing.Status
	Kind       billing.Kind
	CustomerID string // customer or bill-to account
	Provider   string
	Preset     string // a calendar preset on the invoice date
	From, To   calendar.Date
	Query      string // number, document number or customer name
	Sort       string
	Desc       bool
	Page       Page
	// customerOnly restricts a customer-role caller to its own issued documents.
	customerOnly bool
}

// CustomerOnly reports whether the filter is restricted to a customer's issued documents.
func (f InvoiceFilter) CustomerOnly() bool { return f.customerOnly }

// ListInvoices lists documents with seed 000's filters: status, customer,
// provider, date presets or a custom range on the invoice date, text search
// on number and customer, sort by every column, cursor pagination.
func (s *Service) ListInvoices(ctx context.Context, p access.Principal, f InvoiceFilter) (PageOf[billing.Invoice], error) {
	if err := s.requireInvoiceRead(p); err != nil {
		return PageOf[billing.Invoice]{}, err
	}
	var c fail.Collector
	if own, scoped := p.CustomerScope(); scoped {
		f.customerOnly = true
		f.CustomerID = own
		if len(f.Statuses) == 0 {
			f.Statuses = slices.Clone(billing.PortalStatuses)
		}
		for _, st := range f.Statuses {
			if !st.VisibleToCustomer() {
				c.Add("status", "%s documents are not shown in the portal", st)
			}
		}
	}
	for _, st := range f.Statuses {
		if !slices.Contains(billing.Statuses, st) {
			c.Add("status", "%q is not a status: use %v", st, billing.Statuses)
		}
	}
	if f.Kind != "" && f.Kind != billing.KindInvoice && f.Kind != billing.KindCreditNote {
		c.Add("kind", "use invoice or credit_note")
	}
	if f.Sort == "" {
		f.Sort = "invoice_date"
		f.Desc = true
	}
	if !slices.Contains(InvoiceSorts, f.Sort) {
		c.Add("sort", "%q is not sortable: use one of %v", f.Sort, InvoiceSorts)
	}
	if err := f.Page.decode(); err != nil {
		c.Merge("", err)
	}
	if err := c.Err(); err != nil {
		return PageOf[billing.Invoice]{}, err
	}
	f.Query = billing.Fold(strings.TrimSpace(f.Query))
	var rows []billing.Invoice
	err := s.lists.Read(ctx, func(tx ListTx) error {
		if f.Preset != "" {
			tenant, err := tx.GetTenant(ctx, p.TenantID)
			if err != nil {
				return err
			}
			r, err := calendar.Preset(f.Preset, calendar.Today(s.Now(), tenant.Location()))
			if err != nil {
				return fail.Field("preset", "%v", err)
			}
			f.From, f.To = r.From, r.To
		}
		var err error
		rows, err = tx.ListInvoices(ctx, p.TenantID, f)
		return err
	})
	if err != nil {
		return PageOf[billing.Invoice]{}, err
	}
	return pageOf(rows, f.Page.Limit, func(inv billing.Invoice) Cursor {
		return Cursor{Sort: InvoiceSortValue(inv, f.Sort), ID: inv.ID}
	}), nil
}

// InvoiceSortValue is the cursor value of a document for a sort column.
func InvoiceSortValue(inv billing.Invoice, sort string) string {
	switch sort {
	case "number":
		return inv.Number
	case "customer":
		return inv.BillTo.Name
	case "provider":
		return inv.Provider
	case "period":
		return inv.PeriodStart.String()
	case "amount":
		return inv.Total.String()
	case "status":
		return string(inv.Status)
	case "due_date":
		return inv.DueDate.String()
	case "created_at":
		return inv.CreatedAt.UTC().Format(TimeLayout)
	}
	return inv.InvoiceDate.String()
}

// exportPage is how many documents an export reads per query.
const exportPage = MaxLimit

// CheckInvoiceFilter validates an export's filter as ListInvoices would, so
// a streamed export can answer a 4xx before it writes anything.
func (s *Service) CheckInvoiceFilter(ctx context.Context, p access.Principal, f InvoiceFilter) error {
	f.Page = Page{Limit: 1}
	_, err := s.ListInvoices(ctx, p, f)
	return err
}

// ExportInvoices streams the documents ListInvoices selects with f (the same
// filters, sort and role rules: a customer gets its own issued documents)
// as CSV, or as the detailed CSV with one row per line. It reads and writes
// one page of documents at a time, so memory does not grow with their number.
func (s *Service) ExportInvoices(ctx context.Context, p access.Principal, f InvoiceFilter, detailed bool, w io.Writer) error {
	if err := s.requireInvoiceRead(p); err != nil {
		return err
	}
	cw := documents.NewCSVWriter(w, detailed)
	if err := cw.WriteHeader(); err != nil {
		return err
	}
	f.Page = Page{Limit: exportPage}
	ids := make([]string, 0, exportPage)
	for {
		page, err := s.ListInvoices(ctx, p, f)
		if err != nil {
			return err
		}
		if detailed && len(page.Items) > 0 {
			ids = ids[:0]
			for _, inv := range page.Items {
				ids = append(ids, inv.ID)
			}
			var lines map[string][]billing.Line
			err := s.lists.Read(ctx, func(tx ListTx) error {
				var err error
				lines, err = tx.InvoiceLines(ctx, p.TenantID, ids)
				return err
			})
			if err != nil {
				return err
			}
			for i := range page.Items {
				page.Items[i].Lines = lines[page.Items[i].ID]
			}
		}
		for i := range page.Items {
			if err := cw.Write(&page.Items[i]); err != nil {
				return fmt.Errorf("export invoices: %w", err)
			}
		}
		if err := cw.Flush(); err != nil {
			return fmt.Errorf("export invoices: %w", err)
		}
		if page.Next == "" {
			return nil
		}
		f.Page = Page{Limit: exportPage, Cursor: page.Next}
	}
}
