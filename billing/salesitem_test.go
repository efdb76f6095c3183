package billing_test

import (
	"slices"
	"testing"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/money"
)

func TestItemStatusFor(t *testing.T) {
	t.Parallel()
	if got := billing.ItemStatusFor(true); got != billing.ItemPending {
		t.Errorf("with billing information: %q, want pending", got)
	}
	if got := billing.ItemStatusFor(false); got != billing.ItemDraft {
		t.Errorf("without billing information: %q, want draft", got)
	}
}

func TestHeldCredit(t *testing.T) {
	t.Parallel()
	for total, want := range map[string]bool{"-0.01": true, "-100": true, "0": false, "0.01": false} {
		if got := billing.HeldCredit(d(total)); got != want {
			t.Errorf("HeldCredit(%s) = %v, want %v", total, got, want)
		}
	}
}

func TestSalesItemEditable(t *testing.T) {
	t.Parallel()
	want := map[billing.ItemStatus]bool{billing.ItemDraft: true, billing.ItemPending: true, billing.ItemInvoiced: false, billing.ItemCancelled: false}
	for _, s := range billing.ItemStatuses {
		if got := (billing.SalesItem{Status: s}).Editable(); got != want[s] {
			t.Errorf("%s: Editable = %v, want %v", s, got, want[s])
		}
	}
}

// salesItem is a valid manual item: 3 × 19.999 EUR less 1.
func salesItem() billing.SalesItem {
	return billing.SalesItem{CustomerID: "cus_1", Source: billing.SourceManual, Description: " Widgets ",
		Quantity: d("3"), UnitPrice: money.PriceIn(d("19.999"), ""), Discount: money.In(d("1"), ""), Currency: "eur", BillingDate: calendar.MustParse("2026-03-01")}
}

func TestSalesItemNormalize(t *testing.T) {
	t.Parallel()
	si := salesItem()
	if err := si.Normalize(); err != nil {
		t.Fatal(err)
	}
	// 3 × 19.999 = 59.997 → 60.00, less 1.
	if si.Currency != "EUR" || si.Gross.String() != "60.00" || si.Net().String() != "59.00" || si.Gross.Currency().Code() != "EUR" || si.ChargeType != billing.OneTime || si.Description != "Widgets" {
		t.Errorf("normalized to currency %q gross %s net %s charge type %q description %q", si.Currency, si.Gross, si.Net(), si.ChargeType, si.Description)
	}
	jpy := salesItem()
	jpy.Currency, jpy.UnitPrice, jpy.Discount = "JPY", money.PriceIn(d("333.5"), ""), money.In(d("0"), "")
	if err := jpy.Normalize(); err != nil {
		t.Fatal(err)
	}
	if !jpy.Gross.Equal(money.In(d("1001"), "JPY")) { // 1000.5 rounds half away from zero
		t.Errorf("JPY gross %s, want 1001", jpy.Gross)
	}
}

func TestSalesItemNormalizeRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(*billing.SalesItem)
		fields []string
	}{
		{"every source", func(si *billing.SalesItem) { si.Source = billing.SourceUsage }, nil},
		{"negative quantity credit", func(si *billing.SalesItem) { si.Quantity, si.Discount = d("-1"), money.In(d("0"), "") }, nil},
		{"no description", func(si *billing.SalesItem) { si.Description = "" }, []string{"description"}},
		{"no customer", func(si *billing.SalesItem) { si.CustomerID = "" }, []string{"customer_id"}},
		{"unknown source", func(si *billing.SalesItem) { si.Source = "gift" }, []string{"source"}},
		{"unknown charge type", func(si *billing.SalesItem) { si.ChargeType = "gift" }, []string{"charge_type"}},
		{"no billing date", func(si *billing.SalesItem) { si.BillingDate = calendar.Date{} }, []string{"billing_date"}},
		{"period end before start", func(si *billing.SalesItem) {
			si.PeriodStart, si.PeriodEnd = calendar.MustParse("2026-03-02"), calendar.MustParse("2026-03-01")
		}, []string{"period_end"}},
		{"quantity with 7 decimals", func(si *billing.SalesItem) { si.Quantity = d("0.0000001") }, []string{"discount", "quantity"}},
		{"price with 7 decimals", func(si *billing.SalesItem) { si.UnitPrice = money.PriceIn(d("1.0000001"), "") }, []string{"unit_price"}},
		{"negative discount", func(si *billing.SalesItem) { si.Discount = money.In(d("-1"), "") }, []string{"discount"}},
		{"discount with 3 decimals", func(si *billing.SalesItem) { si.Discount = money.In(d("0.001"), "") }, []string{"discount"}},
		{"discount above the gross", func(si *billing.SalesItem) { si.Discount = money.In(d("60.01"), "") }, []string{"discount"}},
		{"discount equal to the gross", func(si *billing.SalesItem) { si.Discount = money.In(d("60"), "") }, nil},
		{"unknown currency", func(si *billing.SalesItem) { si.Currency = "EURO" }, []string{"currency"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			si := salesItem()
			tt.change(&si)
			if got := invalidFields(t, si.Normalize()); !slices.Equal(got, tt.fields) {
				t.Fatalf("fields %v, want %v", got, tt.fields)
			}
		})
	}
}
