package demo

import (
	"context"
	"fmt"
	"slices"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/tax"
)

// seedTaxes sets up Spanish VAT and the EU/export treatments, and the
// groups the demo customers and lines use.
func seedTaxes(ctx context.Context, svc *service.Service, p access.Principal) error {
	codes := []tax.Code{
		{Code: "IVA21", Name: "IVA 21%", Rate: decimal.NewFromInt(21), Category: tax.Standard, Account: "2100"},
		{Code: "IVA10", Name: "IVA 10%", Rate: decimal.NewFromInt(10), Category: tax.Standard, Account: "2100"},
		{Code: "EXEMPT", Name: "Exento (art. 20 LIVA)", Category: tax.Exempt, Account: "2100", ExemptionReason: "Exento según artículo 20 de la Ley del IVA", ExemptionReasonCode: "VATEX-EU-132"},
		{Code: "RC", Name: "Reverse charge", Category: tax.ReverseCharge, Account: "2100", ExemptionReason: "Reverse charge", ExemptionReasonCode: "VATEX-EU-AE"},
		{Code: "EXPORT", Name: "Export outside the EU", Category: tax.Export, Account: "2100", ExemptionReason: "Export outside the EU", ExemptionReasonCode: "VATEX-EU-G"},
	}
	for _, c := range codes {
		if _, err := svc.UpsertTaxCode(ctx, p, c); err != nil {
			return fmt.Errorf("tax code %s: %w", c.Code, err)
		}
	}
	groups := []tax.Group{
		{Kind: tax.SalesGroup, Code: "ES-DOM", Name: "Spain, domestic", Codes: []string{"IVA21", "IVA10", "EXEMPT"}},
		{Kind: tax.SalesGroup, Code: "EU-B2B", Name: "EU business customers", Codes: []string{"RC", "EXEMPT"}},
		{Kind: tax.SalesGroup, Code: "EXPORT", Name: "Outside the EU", Codes: []string{"EXPORT"}},
		{Kind: tax.ItemGroup, Code: "SERVICES", Name: "Services (standard)", Codes: []string{"IVA21", "RC", "EXPORT"}},
		{Kind: tax.ItemGroup, Code: "REDUCED", Name: "Reduced rate", Codes: []string{"IVA10", "RC", "EXPORT"}},
		{Kind: tax.ItemGroup, Code: "TRAINING", Name: "Exempt training", Codes: []string{"EXEMPT", "EXPORT"}},
	}
	for _, g := range groups {
		if _, err := svc.UpsertTaxGroup(ctx, p, g); err != nil {
			return fmt.Errorf("tax group %s: %w", g.Code, err)
		}
	}
	return nil
}

func sp(s string) *string { return &s }

// seedInvoices creates documents in every status, for several providers and currencies.
func seedInvoices(ctx context.Context, svc *service.Service, p access.Principal, ids map[string]string, today calendar.Date) error {
	month := func(n int) calendar.Date { return calendar.New(today.Year, today.Month, 1).AddMonths(n) }
	type doc struct {
		customer, provider, currency, rate string
		date                               calendar.Date
		lines                              []service.LineInput
		status                             []string // status changes to apply in order
		kind                               string
		reason                             string
		notify                             bool                                            // email the customer on publishing: a message in the outbox
		header                             func(in *service.InvoiceInput, d calendar.Date) // seed 004's header fields
		fields                             map[string]string                               // custom fields (seedCustomFields labels them)
		charges                            []service.ChargeInput
	}
	cloud := func(desc, qty, price, group string, ct string) service.LineInput {
		return service.LineInput{Description: desc, Quantity: sp(qty), UnitPrice: sp(price), ItemSalesTaxGroup: group, ChargeType: ct, Account: "4200"}
	}
	svcLine := func(desc, qty, price, group string) service.LineInput {
		return service.LineInput{Description: desc, Quantity: sp(qty), UnitPrice: sp(price), ItemSalesTaxGroup: group, ChargeType: "time", Account: "4100"}
	}
	docs := []doc{
		{customer: "C-1002", provider: "Microsoft", date: month(-3).AddDays(2), status: []string{"open"},
			header: func(in *service.InvoiceInput, d calendar.Date) {
				by := d.AddDays(10)
				in.MethodOfPayment, in.CashDiscountDate, in.CashDiscountPct = sp("Transferencia bancaria"), &by, sp("2")
			},
			lines: []service.LineInput{cloud("Microsoft 365 Business Standard", "25", "11.70", "SERVICES", "recurring"), cloud("Azure consumption", "1", "432.18", "SERVICES", "usage")}},
		{customer: "C-1002", provider: "AWS", date: month(-2).AddDays(4), status: []string{"open"}, notify: true, fields: map[string]string{"po_number": "PED-2024-118"},
			lines: []service.LineInput{cloud("Amazon EC2 (instancias)", "744", "0.0464", "SERVICES", "usage"), cloud("Amazon S3 almacenamiento", "1250", "0.023", "SERVICES", "usage")}},
		{customer: "C-1003", provider: "Google", date: month(-1).AddDays(1), status: []string{"open"},
			lines: []service.LineInput{cloud("Google Workspace Business Starter", "8", "6.80", "SERVICES", "recurring"), svcLine("Formación de usuarios", "4", "60.00", "TRAINING")},
			// Seed 004: charges on the header, each posted to its own account.
			charges: []service.ChargeInput{{Code: "FREIGHT", Description: "Envío de material de formación", Account: "4300", ItemSalesTaxGroup: "SERVICES", Amount: "18.50"},
				{Code: "HANDLING", Description: "Gastos de gestión", Account: "4300", ItemSalesTaxGroup: "SERVICES", Amount: "4.95"}}},
		{customer: "C-1003", provider: "Microsoft", date: month(0), status: nil,
			header: func(in *service.InvoiceInput, d calendar.Date) {
				terms, hold := 30, d.AddDays(3)
				in.MethodOfPayment, in.PaymentTermsDays, in.HoldUntil = sp("Domiciliación SEPA"), &terms, &hold
			},
			lines: []service.LineInput{cloud("Microsoft 365 Business Basic", "8", "5.60", "SERVICES", "recurring")}},
		{customer: "C-1001", provider: "Microsoft", currency: "GBP", rate: "1.1650", date: month(-2).AddDays(10), status: []string{"open"}, fields: map[string]string{"po_number": "PO-77410"},
			lines: []service.LineInput{cloud("Microsoft 365 E3", "40", "33.00", "SERVICES", "recurring"), svcLine("Tenant migration", "12", "95.00", "SERVICES")}},
		{customer: "C-1004", provider: "AWS", currency: "BRL", rate: "0.1720", date: month(-1).AddDays(5), status: []string{"open"}, notify: true,
			lines: []service.LineInput{cloud("Amazon RDS (instâncias)", "720", "1.15", "SERVICES", "usage"), svcLine("Suporte técnico mensal", "1", "1500.00", "SERVICES")}},
		{customer: "C-1007", provider: "AWS", currency: "USD", rate: "0.9210", date: month(-4).AddDays(3), status: []string{"open", "void"}, reason: "Duplicate of a corrected invoice",
			lines: []service.LineInput{cloud("AWS Support Business", "1", "100.00", "SERVICES", "recurring")}},
		{customer: "C-1006", provider: "Google", date: month(-5).AddDays(8), status: []string{"open", "closed"}, reason: "Uncollectible: written off after dunning",
			lines: []service.LineInput{cloud("Google Cloud consumption", "1", "87.40", "SERVICES", "usage")}},
		{customer: "C-1005", provider: "Microsoft", date: month(0), status: []string{"open"},
			lines: []service.LineInput{cloud("Microsoft 365 Business Premium (revenda)", "60", "18.60", "SERVICES", "recurring")}},
		{customer: "C-1002", provider: "Microsoft", date: month(-1).AddDays(12), status: []string{"open"}, kind: "credit_note",
			lines: []service.LineInput{cloud("Abono: licencias no utilizadas", "5", "11.70", "SERVICES", "recurring")}},
		{customer: "C-1001", provider: "AWS", currency: "GBP", rate: "1.1650", date: month(0), status: nil,
			lines: []service.LineInput{cloud("AWS consumption", "1", "1204.55", "SERVICES", "usage")}},
	}
	// Create every draft in this order, then issue them in date order: the
	// tenant is Spanish, so numbers must follow dates within a series.
	if _, err := svc.UpsertAccount(ctx, p, ledger.Account{Code: "4300", Name: "Ingresos por portes y gestión", Type: ledger.Revenue}); err != nil {
		return fmt.Errorf("demo charges account: %w", err)
	}
	created := make([]string, len(docs))
	for i, d := range docs {
		cust := ids[d.customer]
		in := service.InvoiceInput{CustomerID: &cust, InvoiceDate: &d.date, Provider: sp(d.provider), Lines: &d.lines}
		start, end := calendar.New(d.date.Year, d.date.Month, 1), calendar.New(d.date.Year, d.date.Month, 1).AddMonths(1).AddDays(-1)
		in.PeriodStart, in.PeriodEnd = &start, &end
		if d.currency != "" {
			in.Currency, in.ExchangeRate = sp(d.currency), sp(d.rate)
		}
		if d.kind != "" {
			in.Kind = sp(d.kind)
		}
		if d.header != nil {
			d.header(&in, d.date)
		}
		if d.fields != nil {
			in.CustomFields = &d.fields
		}
		if d.charges != nil {
			in.Charges = &d.charges
		}
		inv, err := svc.CreateInvoice(ctx, p, in)
		if err != nil {
			return fmt.Errorf("demo document %d: %w", i, err)
		}
		created[i] = inv.ID
	}
	order := make([]int, len(docs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return docs[a].date.Compare(docs[b].date) })
	for _, i := range order {
		d, id := docs[i], created[i]
		for _, st := range d.status {
			f := d.notify
			if _, err := svc.UpdateInvoiceStatus(ctx, p, id, service.StatusChange{Status: st, Notify: &f, Reason: d.reason}); err != nil {
				return fmt.Errorf("demo document %d to %s: %w", i, st, err)
			}
		}
	}
	if _, err := svc.SweepPastDue(ctx, p.TenantID); err != nil {
		return err
	}
	return seedCorrections(ctx, svc, p, ids, today)
}

// seedCorrections shows seed 004: a corrected invoice with its credit note
// and replacement, a draft awaiting approval, an attachment and a monthly
// recurring template.
func seedCorrections(ctx context.Context, svc *service.Service, p access.Principal, ids map[string]string, today calendar.Date) error {
	f := false
	cust := ids["C-1003"]
	lines := []service.LineInput{{Description: "Soporte gestionado (10 h)", Quantity: sp("10"), UnitPrice: sp("65.00"), ItemSalesTaxGroup: "SERVICES", ChargeType: "time", Account: "4100"}}
	// Dated this month, not before the documents issued above: numbers follow dates.
	date := calendar.New(today.Year, today.Month, 1)
	inv, err := svc.CreateInvoice(ctx, p, service.InvoiceInput{CustomerID: &cust, InvoiceDate: &date, Provider: sp("Nimbus"), Lines: &lines})
	if err != nil {
		return fmt.Errorf("demo correction: %w", err)
	}
	if _, err := svc.UpdateInvoiceStatus(ctx, p, inv.ID, service.StatusChange{Status: "open", Notify: &f}); err != nil {
		return err
	}
	if _, err := svc.AddAttachment(ctx, p, inv.ID, "parte-de-horas.csv", "text/csv", []byte("fecha;técnico;horas\n2026-10-03;Eng Ineer;6\n2026-10-09;Eng Ineer;4\n")); err != nil {
		return err
	}
	c, err := svc.CorrectInvoice(ctx, p, inv.ID, "QUANTITY", "Se facturaron 10 h; el parte firmado recoge 8 h")
	if err != nil {
		return fmt.Errorf("demo correction: %w", err)
	}
	fixed := []service.LineInput{{Description: "Soporte gestionado (8 h)", Quantity: sp("8"), UnitPrice: sp("65.00"), ItemSalesTaxGroup: "SERVICES", ChargeType: "time", Account: "4100"}}
	if _, err := svc.UpdateInvoice(ctx, p, c.Replacement.ID, service.InvoiceInput{Lines: &fixed}); err != nil {
		return err
	}
	if _, err := svc.UpdateInvoiceStatus(ctx, p, c.Replacement.ID, service.StatusChange{Status: "open", Notify: &f}); err != nil {
		return err
	}
	// A draft waiting for a finance manager's approval.
	pt := ids["C-1004"]
	consult := []service.LineInput{{Description: "Consultoria de migração para a nuvem", Quantity: sp("16"), UnitPrice: sp("220.00"), ItemSalesTaxGroup: "SERVICES", ChargeType: "time", Account: "4100"}}
	draft, err := svc.CreateInvoice(ctx, p, service.InvoiceInput{CustomerID: &pt, Currency: sp("BRL"), ExchangeRate: sp("0.1720"), Provider: sp("Nimbus"), Lines: &consult})
	if err != nil {
		return err
	}
	if _, err := svc.SubmitInvoice(ctx, p, draft.ID, "Projeto concluído; favor aprovar"); err != nil {
		return err
	}
	// A monthly template for managed backup.
	acct := ids["C-1001"]
	backup := []service.LineInput{{Description: "Managed backup, 2 TB", Quantity: sp("1"), UnitPrice: sp("180.00"), ItemSalesTaxGroup: "SERVICES", ChargeType: "recurring", Account: "4100"}}
	next := calendar.New(today.Year, today.Month, 1).AddMonths(1)
	_, err = svc.CreateTemplate(ctx, p, service.TemplateInput{Name: sp("Northwind managed backup"), CustomerID: &acct, Interval: sp("monthly"),
		Start: &next, Invoice: &service.InvoiceInput{Lines: &backup, Provider: sp("Nimbus"), Currency: sp("GBP"), ExchangeRate: sp("1.1650")}})
	return err
}
