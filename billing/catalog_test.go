package billing_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/money"
)

func TestProductNormalize(t *testing.T) {
	t.Parallel()
	valid := func() billing.Product {
		return billing.Product{Code: " SKU-1 ", Name: " Hosting ", Unit: " month ", Provider: " Cloud ", Currency: " eur ", DefaultPrice: money.PriceIn(d("9.99"), "")}
	}
	p := valid()
	if err := p.Normalize(); err != nil {
		t.Fatal(err)
	}
	if p.Code != "SKU-1" || p.Name != "Hosting" || p.Unit != "month" || p.Provider != "Cloud" || p.Currency != "EUR" || p.ChargeType != billing.OneTime ||
		p.DefaultPrice.Currency().Code() != "EUR" {
		t.Errorf("normalized to %+v", p)
	}
	tests := []struct {
		name   string
		change func(*billing.Product)
		fields []string
	}{
		{"bad code", func(p *billing.Product) { p.Code = "a b" }, []string{"code"}},
		{"no code", func(p *billing.Product) { p.Code = "" }, []string{"code"}},
		{"no name", func(p *billing.Product) { p.Name = "" }, []string{"name"}},
		{"unknown charge type", func(p *billing.Product) { p.ChargeType = "gift" }, []string{"charge_type"}},
		{"recurring", func(p *billing.Product) { p.ChargeType = billing.Recurring }, nil},
		{"unit too long", func(p *billing.Product) { p.Unit = strings.Repeat("u", 21) }, []string{"unit"}},
		{"provider too long", func(p *billing.Product) { p.Provider = strings.Repeat("p", 101) }, []string{"provider"}},
		{"unknown currency", func(p *billing.Product) { p.Currency = "ABC" }, []string{"currency"}},
		{"price with 7 decimals", func(p *billing.Product) { p.DefaultPrice = money.PriceIn(d("0.0000001"), "EUR") }, []string{"default_price"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := valid()
			tt.change(&p)
			if got := invalidFields(t, p.Normalize()); !slices.Equal(got, tt.fields) {
				t.Fatalf("fields %v, want %v", got, tt.fields)
			}
		})
	}
}

func contractPart() billing.ContractPart {
	return billing.ContractPart{ProductID: "prd_1", Quantity: d("1"), Price: money.PriceIn(d("10"), "EUR"), Interval: billing.Monthly, Start: calendar.MustParse("2026-01-31")}
}

func TestContractNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(*billing.Contract)
		fields []string
	}{
		{"valid", func(*billing.Contract) {}, nil},
		{"ended", func(c *billing.Contract) { c.Status = "ended" }, nil},
		{"no name", func(c *billing.Contract) { c.Name = " " }, []string{"name"}},
		{"no customer", func(c *billing.Contract) { c.CustomerID = "" }, []string{"customer_id"}},
		{"unknown status", func(c *billing.Contract) { c.Status = "paused" }, []string{"status"}},
		{"no parts", func(c *billing.Contract) { c.Parts = nil }, []string{"parts"}},
		{"bad second part", func(c *billing.Contract) {
			c.Parts = append(c.Parts, billing.ContractPart{Quantity: d("0"), Price: money.PriceIn(d("-1"), "EUR"), Interval: "weekly", End: calendar.MustParse("2020-01-01")})
		}, []string{"parts[1].interval", "parts[1].price", "parts[1].product_id", "parts[1].quantity", "parts[1].start_date"}},
		{"part ends before it starts", func(c *billing.Contract) { c.Parts[0].End = c.Parts[0].Start.AddDays(-1) }, []string{"parts[0].end_date"}},
		{"twelfth part", func(c *billing.Contract) {
			for range 11 {
				c.Parts = append(c.Parts, contractPart())
			}
			c.Parts[11].ProductID = ""
		}, []string{"parts[11].product_id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := billing.Contract{Name: " Support ", CustomerID: "cus_1", Parts: []billing.ContractPart{contractPart()}}
			tt.change(&c)
			if got := invalidFields(t, c.Normalize()); !slices.Equal(got, tt.fields) {
				t.Fatalf("fields %v, want %v", got, tt.fields)
			}
			if tt.fields == nil && (c.Name != "Support" || c.Status == "") {
				t.Errorf("name %q status %q after Normalize", c.Name, c.Status)
			}
		})
	}
}

func TestPeriodsBilledIn(t *testing.T) {
	t.Parallel()
	day := calendar.MustParse
	show := func(ps []billing.Period) string {
		var out []string
		for _, p := range ps {
			out = append(out, fmt.Sprintf("%s..%s@%s", p.Start, p.End, p.BillingDate))
		}
		return strings.Join(out, " ")
	}
	tests := []struct {
		name      string
		interval  billing.Interval
		start     string
		end       string
		inAdvance bool
		from, to  string
		want      string
	}{
		// Like Subscription.Period, a contract part stays anchored on its start
		// day: a part starting on the 31st is back on the 31st after February.
		{"monthly in advance from the 31st", billing.Monthly, "2026-01-31", "", true, "2026-01-01", "2026-04-30",
			"2026-01-31..2026-02-27@2026-01-31 2026-02-28..2026-03-30@2026-02-28 2026-03-31..2026-04-29@2026-03-31 2026-04-30..2026-05-30@2026-04-30"},
		{"monthly in arrears from the 31st", billing.Monthly, "2026-01-31", "", false, "2026-01-01", "2026-05-31",
			"2026-01-31..2026-02-27@2026-02-27 2026-02-28..2026-03-30@2026-03-30 2026-03-31..2026-04-29@2026-04-29 2026-04-30..2026-05-30@2026-05-30"},
		{"monthly from the 31st, leap year", billing.Monthly, "2028-01-31", "", true, "2028-02-01", "2028-04-30",
			"2028-02-29..2028-03-30@2028-02-29 2028-03-31..2028-04-29@2028-03-31 2028-04-30..2028-05-30@2028-04-30"},
		{"monthly from the 30th", billing.Monthly, "2026-01-30", "", true, "2026-02-01", "2026-04-30",
			"2026-02-28..2026-03-29@2026-02-28 2026-03-30..2026-04-29@2026-03-30 2026-04-30..2026-05-29@2026-04-30"},
		{"monthly from the 29th", billing.Monthly, "2026-01-29", "", true, "2026-02-01", "2026-03-31",
			"2026-02-28..2026-03-28@2026-02-28 2026-03-29..2026-04-28@2026-03-29"},
		{"monthly from the 31st, a year later", billing.Monthly, "2026-01-31", "", true, "2026-12-01", "2027-03-31",
			"2026-12-31..2027-01-30@2026-12-31 2027-01-31..2027-02-27@2027-01-31 2027-02-28..2027-03-30@2027-02-28 2027-03-31..2027-04-29@2027-03-31"},
		{"quarterly from Nov 30", billing.Quarterly, "2026-11-30", "", true, "2026-01-01", "2027-12-31",
			"2026-11-30..2027-02-27@2026-11-30 2027-02-28..2027-05-29@2027-02-28 2027-05-30..2027-08-29@2027-05-30 2027-08-30..2027-11-29@2027-08-30 2027-11-30..2028-02-28@2027-11-30"},
		{"yearly from Feb 29", billing.Yearly, "2028-02-29", "", true, "2028-01-01", "2032-12-31",
			"2028-02-29..2029-02-27@2028-02-29 2029-02-28..2030-02-27@2029-02-28 2030-02-28..2031-02-27@2030-02-28 2031-02-28..2032-02-28@2031-02-28 2032-02-29..2033-02-27@2032-02-29"},
		{"monthly in arrears", billing.Monthly, "2026-01-01", "", false, "2026-01-01", "2026-03-31",
			"2026-01-01..2026-01-31@2026-01-31 2026-02-01..2026-02-28@2026-02-28 2026-03-01..2026-03-31@2026-03-31"},
		{"quarterly, cut at the part's end", billing.Quarterly, "2026-01-01", "2026-05-15", false, "2026-01-01", "2026-12-31",
			"2026-01-01..2026-03-31@2026-03-31 2026-04-01..2026-05-15@2026-05-15"},
		{"yearly, range before the start", billing.Yearly, "2026-06-01", "", true, "2025-01-01", "2025-12-31", ""},
		{"range in the middle", billing.Monthly, "2026-01-01", "", true, "2026-03-15", "2026-05-01",
			"2026-04-01..2026-04-30@2026-04-01 2026-05-01..2026-05-31@2026-05-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := billing.ContractPart{Interval: tt.interval, Start: day(tt.start), InAdvance: tt.inAdvance}
			if tt.end != "" {
				p.End = day(tt.end)
			}
			got := show(p.PeriodsBilledIn(calendar.Range{From: day(tt.from), To: day(tt.to)}))
			if got != tt.want {
				t.Errorf("PeriodsBilledIn =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestPeriodsBilledInOpenRange stops an open-ended part in an open-ended
// range at its bound rather than looping forever.
func TestPeriodsBilledInOpenRange(t *testing.T) {
	t.Parallel()
	p := billing.ContractPart{Interval: billing.Monthly, Start: calendar.MustParse("2026-01-01"), InAdvance: true}
	got := p.PeriodsBilledIn(calendar.Range{From: calendar.MustParse("2026-01-01")})
	if len(got) != 1201 || got[0].Start != calendar.MustParse("2026-01-01") {
		t.Errorf("%d periods from %v, want 1201 from 2026-01-01", len(got), got[0])
	}
}
