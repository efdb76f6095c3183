package demo

import (
	"context"
	"fmt"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/service"
)

// seedSalesItems makes the catalog, contracts with parts, a ticket with
// time, a usage import and manual items, then last month's billing run: the
// demo ends with sales items in every status (invoiced by the run, pending
// this month, draft for the customer lacking billing information,
// cancelled) for the en, es and pt customers.
func seedSalesItems(ctx context.Context, svc *service.Service, p access.Principal, ids map[string]string, today calendar.Date) error {
	first := calendar.New(today.Year, today.Month, 1)
	lastFrom, lastTo := first.AddMonths(-1), first.AddDays(-1)
	products := map[string]string{}
	for _, in := range []service.ProductInput{
		{Code: sp("M365-BP"), Name: sp("Microsoft 365 Business Premium"), ChargeType: sp("recurring"), Unit: sp("seat"),
			DefaultPrice: sp("20.60"), Provider: sp("Microsoft"), ItemSalesTaxGroup: sp("SERVICES"), Account: sp("4200")},
		{Code: sp("AWS-EC2"), Name: sp("AWS EC2 compute"), ChargeType: sp("usage"), Unit: sp("h"),
			DefaultPrice: sp("0.12"), Provider: sp("AWS"), ItemSalesTaxGroup: sp("SERVICES"), Account: sp("4200")},
		{Code: sp("BACKUP"), Name: sp("Managed backup"), ChargeType: sp("recurring"), Unit: sp("TB"),
			DefaultPrice: sp("45.00"), Provider: sp("Nimbus"), ItemSalesTaxGroup: sp("SERVICES"), Account: sp("4200")},
		{Code: sp("SUPPORT"), Name: sp("Support hour"), ChargeType: sp("time"), Unit: sp("h"),
			DefaultPrice: sp("80.00"), Provider: sp("Nimbus"), ItemSalesTaxGroup: sp("SERVICES"), Account: sp("4200")},
	} {
		pr, err := svc.CreateProduct(ctx, p, in)
		if err != nil {
			return fmt.Errorf("product %s: %w", *in.Code, err)
		}
		products[pr.Code] = pr.ID
	}
	start := first.AddMonths(-3)
	for _, c := range []service.ContractInput{
		{CustomerID: ids["C-1002"], Name: "Puesto de trabajo Microsoft 365", Parts: []service.PartInput{
			{ProductID: products["M365-BP"], Quantity: "12", Interval: "monthly", Start: start},
			{ProductID: products["BACKUP"], Quantity: "2", Interval: "monthly", Start: start, InArrears: true}}},
		{CustomerID: ids["C-1001"], Name: "Northwind workplace", Parts: []service.PartInput{
			{ProductID: products["M365-BP"], Quantity: "40", Price: sp("17.90"), Interval: "monthly", Start: start}}},
		{CustomerID: ids["C-1006"], Name: "Backup gerido", Parts: []service.PartInput{
			{ProductID: products["BACKUP"], Quantity: "5", Interval: "quarterly", Start: start, InArrears: true}}},
	} {
		if _, err := svc.CreateContract(ctx, p, c); err != nil {
			return fmt.Errorf("contract %s: %w", c.Name, err)
		}
	}
	// A usage import: last month's and this month's compute.
	var recs []service.UsageRecord
	for i, ref := range []string{"C-1002", "C-1006", "C-1001", "C-1004"} {
		recs = append(recs,
			service.UsageRecord{RecordID: fmt.Sprintf("aws-%s-last", ref), CustomerRef: ref, SKU: "AWS-EC2", Quantity: fmt.Sprint(120 * (i + 1)),
				Unit: "h", PeriodStart: lastFrom, PeriodEnd: lastTo},
			service.UsageRecord{RecordID: fmt.Sprintf("aws-%s-now", ref), CustomerRef: ref, SKU: "AWS-EC2", Quantity: fmt.Sprint(35 * (i + 1)),
				Unit: "h", PeriodStart: first, PeriodEnd: today})
	}
	if rep, err := svc.ImportUsage(ctx, p, recs); err != nil {
		return fmt.Errorf("usage: %w", err)
	} else if rep.Rejected > 0 {
		return fmt.Errorf("usage: %d rows rejected: %+v", rep.Rejected, rep.Rows)
	}
	// A ticket with billable and free time.
	tkt, err := svc.CreateTicket(ctx, p, ids["C-1003"], "La impresora de recepción no imprime")
	if err != nil {
		return fmt.Errorf("ticket: %w", err)
	}
	for _, te := range []service.TimeEntryInput{
		{WorkDate: lastTo.AddDays(-3), Minutes: 90, Billable: true, Rate: "80.00", Description: "Diagnóstico y cambio de fusor"},
		{WorkDate: lastTo.AddDays(-2), Minutes: 20, Billable: false, Description: "Llamada de seguimiento"},
		{WorkDate: today, Minutes: 45, Billable: true, Rate: "80.00", Description: "Configuración del escaneo a correo"},
	} {
		if _, _, err := svc.LogTime(ctx, p, tkt.ID, te); err != nil {
			return fmt.Errorf("time entry: %w", err)
		}
	}
	// The demo engineer's own time, shown on their console home.
	users, err := svc.ListUsers(ctx, p)
	if err != nil {
		return fmt.Errorf("users: %w", err)
	}
	for _, u := range users {
		if u.Role != access.Engineer {
			continue
		}
		eng := access.Principal{TenantID: p.TenantID, UserID: u.ID, Role: u.Role, Name: u.Name}
		if _, _, err := svc.LogTime(ctx, eng, tkt.ID, service.TimeEntryInput{WorkDate: today, Minutes: 30, Description: "Revisión del escáner in situ"}); err != nil {
			return fmt.Errorf("engineer time entry: %w", err)
		}
	}
	// Manual items: one pending, one cancelled, one draft (no billing information).
	manual := func(cust, desc, qty, price string, date calendar.Date) (string, error) {
		si, err := svc.CreateSalesItem(ctx, p, service.SalesItemInput{CustomerID: sp(ids[cust]), Description: sp(desc), Quantity: sp(qty),
			UnitPrice: sp(price), BillingDate: &date, Provider: sp("Nimbus")})
		if err != nil {
			return "", fmt.Errorf("sales item %s: %w", desc, err)
		}
		return si.ID, nil
	}
	if _, err := manual("C-1005", "Formação de parceiros", "1", "650.00", today); err != nil {
		return err
	}
	cancel, err := manual("C-1002", "Instalación duplicada", "1", "120.00", today)
	if err != nil {
		return err
	}
	if _, err := svc.CancelSalesItem(ctx, p, cancel); err != nil {
		return fmt.Errorf("cancel sales item: %w", err)
	}
	if _, err := manual("C-1008", "Diseño de la web corporativa", "1", "1800.00", lastTo.AddDays(-5)); err != nil {
		return err
	}
	// Contoso Hosting is billed in US dollars: last month's reserved
	// instances, at the exchange-rate table's USD rate.
	ri := lastTo.AddDays(-10)
	if _, err := svc.CreateSalesItem(ctx, p, service.SalesItemInput{CustomerID: sp(ids["C-1007"]), ProductID: sp(products["AWS-EC2"]),
		Description: sp("AWS EC2 reserved instances"), Quantity: sp("720"), UnitPrice: sp("0.085"), BillingDate: &ri,
		Provider: sp("AWS"), Currency: sp("USD")}); err != nil {
		return fmt.Errorf("sales item in USD: %w", err)
	}
	// Last month's billing run, completed; this month's items stay pending.
	// Foreign currencies take the exchange-rate table's rates.
	run, err := svc.RunBilling(ctx, p, lastFrom, lastTo, false, nil, nil)
	if err != nil {
		return fmt.Errorf("billing run: %w", err)
	}
	if run.Status != "completed" {
		return fmt.Errorf("billing run: %s", run.Status)
	}
	return nil
}
