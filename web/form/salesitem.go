package form

import (
	"net/url"
	"strings"

	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/service"
)

// SalesItem reads the form adding a sales item by hand ; bad dates are field errors.
func SalesItem(f url.Values) (service.SalesItemInput, error) {
	var in service.SalesItemInput
	var c fail.Collector
	str := func(k string) *string {
		v := strings.TrimSpace(f.Get(k))
		return &v
	}
	opt := func(k string) *string {
		if strings.TrimSpace(f.Get(k)) == "" {
			return nil
		}
		return str(k)
	}
	date := func(k string) *calendar.Date {
		v := strings.TrimSpace(f.Get(k))
		if v == "" {
			return nil
		}
		d, err := calendar.Parse(v)
		if err != nil {
			c.Add(k, "%v", err)
			return nil
		}
		return &d
	}
	in.CustomerID = str("customer_id")
	in.ProductID = opt("product_id")
	in.Description = opt("description")
	in.Quantity = str("quantity")
	in.UnitPrice = str("unit_price")
	in.Discount = opt("discount")
	in.Currency = opt("currency")
	if in.Currency != nil {
		*in.Currency = strings.ToUpper(*in.Currency)
	}
	in.Provider = opt("provider")
	in.ChargeType = opt("charge_type")
	in.BillingDate = date("billing_date")
	in.PeriodStart = date("period_start")
	in.PeriodEnd = date("period_end")
	return in, c.Err()
}
