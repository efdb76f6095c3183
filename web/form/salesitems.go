package form

import (
	"net/url"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/service"
)

// SalesItems is the sales items list's filter as typed, as it travels in
// the URL.
type SalesItems struct {
	Values     url.Values // the filter as query parameters, for the list's links
	Sort       string
	Desc       bool
	Adv        *Advanced // the advanced filter's rows
	Status     string
	Source     string
	Invoiced   string
	From, To   string
	Provider   string
	CustomerID string // the customer the filter names, once found
	Customer   string // the customer filter as typed: number, name or id
	Query      string // text search
}

// ParseSalesItems reads the sales items list's filter from the query q:
// the filter as typed and the service's filter (without the customer,
// which the caller finds by what was typed). Bad dates are field errors;
// the advanced filter is described in lang.
func ParseSalesItems(q url.Values, lang string) (SalesItems, service.SalesItemFilter, error) {
	d := SalesItems{Values: url.Values{}, Sort: q.Get("sort"), Desc: q.Get("desc") == "1", Status: q.Get("status"), Source: q.Get("source"),
		Invoiced: q.Get("invoiced"), From: q.Get("from"), To: q.Get("to"), Provider: q.Get("provider"), Customer: q.Get("customer"),
		Query: q.Get("q")}
	for _, k := range []string{"sort", "desc", "status", "source", "invoiced", "from", "to", "provider", "customer", "q"} {
		if v := q.Get(k); v != "" {
			d.Values.Set(k, v)
		}
	}
	var c fail.Collector
	f := service.SalesItemFilter{Query: d.Query, Provider: d.Provider, Sort: d.Sort, Desc: d.Desc,
		Page: service.Page{Limit: 50, Cursor: q.Get("cursor")}}
	if d.Status != "" {
		f.Statuses = []billing.ItemStatus{billing.ItemStatus(d.Status)}
	}
	if d.Source != "" {
		f.Sources = []billing.Source{billing.Source(d.Source)}
	}
	if d.Invoiced != "" {
		b := d.Invoiced == "yes"
		f.Invoiced = &b
	}
	for _, x := range []struct {
		field, v string
		dst      *calendar.Date
	}{{"from", d.From, &f.From}, {"to", d.To, &f.To}} {
		if x.v != "" {
			dt, err := calendar.Parse(x.v)
			if err != nil {
				c.Add(x.field, "%v", err)
			}
			*x.dst = dt
		}
	}
	d.Adv, f.Advanced = ParseAdvanced(q)
	if f.Advanced != nil {
		d.Adv.Built = Describe(lang, *f.Advanced, true)
		d.Adv.Values(d.Values)
	}
	return d, f, c.Err()
}
