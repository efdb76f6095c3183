package form

import (
	"net/url"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/service"
)

// InvoiceQuery is the invoice table's filter as it travels in the URL.
type InvoiceQuery struct {
	Preset, From, To, Q, Sort, Status, Cursor string
	Desc                                      bool
	Values                                    url.Values
}

// ParseInvoiceQuery reads the invoice table's filter from the query q:
// as typed, and as the service's filter. Bad dates are field errors.
func ParseInvoiceQuery(q url.Values) (InvoiceQuery, service.InvoiceFilter, error) {
	iq := InvoiceQuery{Preset: q.Get("preset"), From: q.Get("from"), To: q.Get("to"), Q: q.Get("q"), Sort: q.Get("sort"),
		Status: q.Get("status"), Cursor: q.Get("cursor"), Desc: q.Get("desc") == "1"}
	base := url.Values{}
	for _, k := range []string{"preset", "from", "to", "q", "sort", "desc", "status"} {
		if v := q.Get(k); v != "" {
			base.Set(k, v)
		}
	}
	iq.Values = base
	f := service.InvoiceFilter{Query: iq.Q, Sort: iq.Sort, Desc: iq.Desc, Page: service.Page{Limit: 50, Cursor: iq.Cursor}}
	var c fail.Collector
	if iq.Preset == "custom" {
		if iq.From != "" {
			d, err := calendar.Parse(iq.From)
			if err != nil {
				c.Add("from", "%v", err)
			}
			f.From = d
		}
		if iq.To != "" {
			d, err := calendar.Parse(iq.To)
			if err != nil {
				c.Add("to", "%v", err)
			}
			f.To = d
		}
	} else if iq.Preset != "" {
		f.Preset = iq.Preset
	}
	if iq.Status != "" {
		f.Statuses = []billing.Status{billing.Status(iq.Status)}
	}
	return iq, f, c.Err()
}
