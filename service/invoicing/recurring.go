package invoicing

import (
	"context"
	"fmt"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/id"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/numbering"
	"github.com/facturo/facturo/service/usecase"
)

// TemplateInput creates or changes a recurring template; nil fields stay.
type TemplateInput struct {
	Name       *string
	CustomerID *string
	Interval   *string
	Start      *calendar.Date
	End        *calendar.Date
	AutoIssue  *bool
	Status     *string // active, paused, ended
	Invoice    *InvoiceInput
}

// templateLines turns input lines into template lines, validating them by
// computing a preview for the customer.
func (s *Service) templateInvoice(ctx context.Context, tx TemplatesTx, p access.Principal, customerID string, in InvoiceInput) (billing.TemplateInvoice, error) {
	inv := billing.Invoice{TenantID: p.TenantID, Status: billing.Draft}
	in.CustomerID = &customerID
	if err := s.prepare(ctx, tx, p, &inv, in); err != nil {
		return billing.TemplateInvoice{}, err
	}
	ti := billing.TemplateInvoice{Provider: inv.Provider, Currency: inv.Currency, MethodOfPayment: inv.MethodOfPayment,
		PaymentTermsDays: inv.PaymentTermsDays, Language: inv.Language, Notes: inv.Notes, CustomFields: inv.CustomFields}
	if in.ExchangeRate != nil {
		ti.ExchangeRate = *in.ExchangeRate
	}
	for _, l := range inv.Lines {
		l.TaxAmount, l.TaxCodes = money.Zero(l.TaxAmount.Currency()), nil
		if !l.AmountOnly() {
			l.Amount = money.Zero(l.Amount.Currency())
		}
		ti.Lines = append(ti.Lines, l)
	}
	return ti, nil
}

// CreateTemplate creates a recurring invoice template.
func (s *Service) CreateTemplate(ctx context.Context, p access.Principal, in TemplateInput) (billing.Template, error) {
	now := s.now()
	t := billing.Template{ID: id.NewAt("rec", now), TenantID: p.TenantID, CreatedAt: now, UpdatedAt: now}
	return usecase.Write(ctx, s.templates, p, access.WriteInvoices, nil, func(tx TemplatesTx) (billing.Template, usecase.Audit, error) {
		if err := s.applyTemplate(ctx, tx, p, &t, in); err != nil {
			return t, usecase.Audit{}, err
		}
		if err := tx.InsertTemplate(ctx, t); err != nil {
			return t, usecase.Audit{}, err
		}
		return t, usecase.Entry("recurring.created", "recurring_template", t.ID, t), nil
	})
}

func (s *Service) applyTemplate(ctx context.Context, tx TemplatesTx, p access.Principal, t *billing.Template, in TemplateInput) error {
	set(&t.Name, in.Name)
	set(&t.CustomerID, in.CustomerID)
	if in.Interval != nil {
		t.Interval = billing.Interval(*in.Interval)
	}
	if in.Start != nil {
		t.Start = *in.Start
		t.Next = calendar.Date{}
	}
	if in.End != nil && !in.End.IsZero() {
		tenant, err := tx.GetTenant(ctx, p.TenantID)
		if err != nil {
			return err
		}
		if in.End.Before(calendar.Today(s.now(), tenant.Location())) {
			return fail.Field("end_date", "%s is in the past: a template must end today or later", in.End)
		}
	}
	set(&t.End, in.End)
	set(&t.AutoIssue, in.AutoIssue)
	if in.Status != nil {
		st := *in.Status
		if t.Status == billing.TemplateEnded && st != billing.TemplateEnded {
			return fail.Field("status", "an ended template cannot be restarted; create a new one")
		}
		t.Status = st
	}
	if in.Invoice != nil || in.CustomerID != nil {
		if t.CustomerID == "" {
			return fail.Field("customer_id", "is required")
		}
		inv := InvoiceInput{}
		if in.Invoice != nil {
			inv = *in.Invoice
		} else {
			lines := templateLineInputs(t.Invoice.Lines)
			inv.Lines = &lines
		}
		ti, err := s.templateInvoice(ctx, tx, p, t.CustomerID, inv)
		if err != nil {
			return err
		}
		t.Invoice = ti
	}
	if err := t.Normalize(); err != nil {
		return err
	}
	if !t.End.IsZero() && t.Next.After(t.End) {
		t.Status = billing.TemplateEnded
	}
	return nil
}

func templateLineInputs(lines []billing.Line) []LineInput {
	out := make([]LineInput, 0, len(lines))
	for _, l := range lines {
		li := LineInput{Description: l.Description, ProductID: l.ProductID, Account: l.Account, ItemSalesTaxGroup: l.ItemSalesTaxGroup,
			Unit: l.Unit, Discount: l.Discount.String(), ChargeType: string(l.ChargeType)}
		sg := l.SalesTaxGroup
		li.SalesTaxGroup = &sg
		if l.AmountOnly() {
			a := l.Amount.String()
			li.Amount = &a
		} else {
			if l.Quantity != nil {
				q := l.Quantity.String()
				li.Quantity = &q
			}
			if l.UnitPrice != nil {
				u := l.UnitPrice.String()
				li.UnitPrice = &u
			}
		}
		for _, sp := range l.Distribution {
			li.Distribution = append(li.Distribution, SplitInput{Account: sp.Account, Percent: sp.Percent.String()})
		}
		out = append(out, li)
	}
	return out
}

// UpdateTemplate changes a template: its lines, dates, auto-issue, or pauses, resumes or ends it.
func (s *Service) UpdateTemplate(ctx context.Context, p access.Principal, templateID string, in TemplateInput) (billing.Template, error) {
	return usecase.Write(ctx, s.templates, p, access.WriteInvoices, nil, func(tx TemplatesTx) (billing.Template, usecase.Audit, error) {
		t, err := tx.GetTemplateForUpdate(ctx, p.TenantID, templateID)
		if err != nil {
			return billing.Template{}, usecase.Audit{}, err
		}
		before := t
		if err := s.applyTemplate(ctx, tx, p, &t, in); err != nil {
			return billing.Template{}, usecase.Audit{}, err
		}
		t.UpdatedAt = s.now()
		if err := tx.UpdateTemplate(ctx, t); err != nil {
			return billing.Template{}, usecase.Audit{}, err
		}
		return t, usecase.Entry("recurring.updated", "recurring_template", t.ID, usecase.Diff(before, t)), nil
	})
}

// GetTemplate returns a template.
func (s *Service) GetTemplate(ctx context.Context, p access.Principal, templateID string) (billing.Template, error) {
	return usecase.Read(ctx, s.templateReads, p, access.ReadInvoices, func(tx TemplateReadsTx) (billing.Template, error) {
		return tx.GetTemplate(ctx, p.TenantID, templateID)
	})
}

// ListTemplates lists the tenant's recurring templates.
func (s *Service) ListTemplates(ctx context.Context, p access.Principal) ([]billing.Template, error) {
	return usecase.Read(ctx, s.templateReads, p, access.ReadInvoices, func(tx TemplateReadsTx) ([]billing.Template, error) {
		return tx.ListTemplates(ctx, p.TenantID)
	})
}

// RunRecurring makes the documents every due template owes up to today,
// catching up missed periods. It is safe to run on every node at once: each
// period is made in a transaction holding the template's row lock, and a
// unique key on (template, period) refuses a second document.
func (s *Service) RunRecurring(ctx context.Context, tenantID string) (int, error) {
	p := access.System(tenantID, "recurring invoices")
	var today calendar.Date
	ids, err := usecase.Read(ctx, s.templateReads, p, access.ReadInvoices, func(tx TemplateReadsTx) ([]string, error) {
		tenant, err := tx.GetTenant(ctx, tenantID)
		if err != nil {
			return nil, err
		}
		today = calendar.Today(s.now(), tenant.Location())
		return tx.DueTemplateIDs(ctx, tenantID, today)
	})
	if err != nil {
		return 0, err
	}
	made := 0
	for _, tid := range ids {
		for {
			did, err := s.runTemplateOnce(ctx, p, tid, today)
			if err != nil {
				return made, fmt.Errorf("recurring template %s: %w", tid, err)
			}
			if !did {
				break
			}
			made++
		}
	}
	return made, nil
}

// runTemplateOnce makes the document of the template's next period if it is due.
func (s *Service) runTemplateOnce(ctx context.Context, p access.Principal, templateID string, today calendar.Date) (bool, error) {
	return usecase.Write(ctx, s.templates, p, access.WriteInvoices, nil, func(tx TemplatesTx) (bool, usecase.Audit, error) {
		t, err := tx.GetTemplateForUpdate(ctx, p.TenantID, templateID)
		if err != nil {
			return false, usecase.Audit{}, err
		}
		if !t.Due(today) {
			return false, usecase.Audit{}, nil
		}
		from, to := t.Period()
		tenant, err := tx.GetTenant(ctx, p.TenantID)
		if err != nil {
			return false, usecase.Audit{}, err
		}
		now := s.now()
		inv := billing.Invoice{ID: id.NewAt(id.Invoice, now), TenantID: p.TenantID, Status: billing.Draft, CustomerID: t.CustomerID,
			InvoiceDate: from, PeriodStart: from, PeriodEnd: to, Provider: t.Invoice.Provider, Currency: t.Invoice.Currency,
			MethodOfPayment: t.Invoice.MethodOfPayment, PaymentTermsDays: t.Invoice.PaymentTermsDays, Language: t.Invoice.Language,
			Notes: t.Invoice.Notes, CustomFields: t.Invoice.CustomFields, TemplateID: t.ID, TemplatePeriod: from.String(),
			Lines: append([]billing.Line(nil), t.Invoice.Lines...), CreatedAt: now, UpdatedAt: now}
		if t.Invoice.ExchangeRate != "" {
			if r, err := money.ParseDecimal(t.Invoice.ExchangeRate); err == nil {
				inv.ExchangeRate = r
			}
		}
		if err := s.prepare(ctx, tx, p, &inv, InvoiceInput{}); err != nil {
			return false, usecase.Audit{}, err
		}
		n, err := tx.NextCounter(ctx, p.TenantID, numbering.DocumentNumber.Counter)
		if err != nil {
			return false, usecase.Audit{}, err
		}
		inv.DocumentNumber = numbering.DocumentNumber.Format(n)
		if err := tx.InsertInvoice(ctx, inv); err != nil {
			return false, usecase.Audit{}, err // a second document for the period is refused by the (template, period) key
		}
		extra := map[string]any{"template_id": t.ID}
		a := usecase.Audit{}.Emit("invoice.created", s.deps.InvoiceEvent(inv, extra))
		if t.AutoIssue && !tenant.ApprovalRequired {
			ch, err := s.issue(ctx, tx, p, &inv, tenant, today)
			if err != nil {
				return false, usecase.Audit{}, err
			}
			if err := tx.UpdateInvoice(ctx, inv); err != nil {
				return false, usecase.Audit{}, err
			}
			for _, typ := range ch.Events { // invoice.issued, and invoice.closed when nothing is owed
				a = a.Emit(typ, s.deps.InvoiceEvent(inv, extra))
			}
		}
		t.Advance()
		t.UpdatedAt = now
		if err := tx.UpdateTemplate(ctx, t); err != nil {
			return false, usecase.Audit{}, err
		}
		return true, a.And("recurring.generated", "recurring_template", t.ID, map[string]string{
			"invoice_id": inv.ID, "period": from.String(), "status": string(inv.Status)}), nil
	})
}
