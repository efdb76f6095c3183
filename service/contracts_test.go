package service_test

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/id"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

// A part starting on the 31st is billed on anchored periods (31 March,
// 30 April, 31 May). Periods an older rule made on the 28th, or made before
// the part's start date was changed, are not billed again: no day of a part
// is billed twice.
func TestContractPartNeverBillsADayTwice(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		c := billedCustomer(t, e, "Anchored")
		prod := must(e.svc.CreateProduct(e.ctx, e.pa, service.ProductInput{Code: ptr("SEAT"), Name: ptr("Seat"), ChargeType: ptr("recurring"),
			DefaultPrice: ptr("31"), Provider: ptr("Nimbus")})).ok(t)
		ct := must(e.svc.CreateContract(e.ctx, e.pa, service.ContractInput{CustomerID: c.ID, Name: "Support", Parts: []service.PartInput{
			{ProductID: prod.ID, Quantity: "1", Interval: "monthly", Start: calendar.New(2025, 1, 31)},
		}})).ok(t)
		part := ct.Parts[0]
		must(e.svc.RunBilling(e.ctx, e.pa, calendar.New(2025, 1, 1), calendar.New(2025, 1, 31), false, nil, nil)).ok(t)

		// What the drifting rule made for February and March: from the 28th
		// to the 27th.
		for _, per := range [][2]calendar.Date{{calendar.New(2025, 2, 28), calendar.New(2025, 3, 27)}, {calendar.New(2025, 3, 28), calendar.New(2025, 4, 27)}} {
			now := e.clock.Now()
			legacy := billing.SalesItem{ID: id.NewAt(id.SalesItem, now), TenantID: e.a.ID, CustomerID: c.ID, Source: billing.SourceContract,
				SourceRef: part.ID + "@" + per[0].String(), ProductID: prod.ID, Description: "Seat", Quantity: part.Quantity,
				UnitPrice: money.PriceIn(decimal.NewFromInt(31), "EUR"), Gross: money.In(decimal.NewFromInt(31), "EUR"), Discount: money.In(decimal.Zero, "EUR"), BillingDate: per[0], PeriodStart: per[0],
				PeriodEnd: per[1], Currency: "EUR", ChargeType: billing.Recurring, Status: billing.ItemPending, CreatedAt: now, UpdatedAt: now}
			if err := db.Write(e.ctx, func(tx service.Tx) error { return tx.InsertSalesItem(e.ctx, legacy) }); err != nil {
				t.Fatal(err)
			}
		}
		must(e.svc.RunBilling(e.ctx, e.pa, calendar.New(2025, 2, 1), calendar.New(2025, 5, 31), false, nil, nil)).ok(t)

		items := must(e.svc.ListSalesItems(e.ctx, e.pa, service.SalesItemFilter{CustomerID: c.ID, Page: service.Page{Limit: 100}})).ok(t)
		var got []calendar.Range
		starts := map[string]bool{}
		for _, si := range items.Items {
			if si.Source != billing.SourceContract {
				continue
			}
			r := calendar.Range{From: si.PeriodStart, To: si.PeriodEnd}
			for _, o := range got {
				if r.Overlaps(o) {
					t.Errorf("periods %v and %v of one part share days", r, o)
				}
			}
			got = append(got, r)
			starts[si.PeriodStart.String()] = true
		}
		// Jan 31, the legacy Feb 28 (the same period's reference: made once)
		// and Mar 28, then anchored Apr 30 and May 31 (Mar 31 overlaps the
		// legacy period and is not billed).
		for _, s := range []string{"2025-01-31", "2025-02-28", "2025-03-28", "2025-04-30", "2025-05-31"} {
			if !starts[s] {
				t.Errorf("no period starting %s; periods %v", s, got)
			}
		}
		if len(got) != 5 {
			t.Errorf("%d periods, want 5: %v", len(got), got)
		}
	})
}
