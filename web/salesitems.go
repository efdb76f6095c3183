package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/facturo/facturo/access"
	apisales "github.com/facturo/facturo/api/sales"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/web/form"
	"github.com/facturo/facturo/web/format"
)

func (h *Handler) registerSalesItems(mux *http.ServeMux) {
	mux.HandleFunc("GET /console/sales-items/new", h.staff(h.salesItemNew))
	mux.HandleFunc("POST /console/sales-items", h.staff(h.salesItemCreate))
	mux.HandleFunc("POST /console/sales-items/usage", h.staff(h.usageImport))
}

// --- the customer filter

// resolveCustomer finds the customer a filter names by id, number or
// name (the tenant's customer search); it fails naming field when none or
// several match.
func (h *Handler) resolveCustomer(ctx context.Context, p access.Principal, field, ref string) (billing.Customer, error) {
	lang := infoFrom(ctx).lang
	ref = strings.TrimSpace(ref)
	if strings.HasPrefix(ref, "cus_") {
		if c, err := h.svc.GetCustomer(ctx, p, ref); err == nil {
			return c, nil
		}
	}
	page, err := h.svc.ListCustomers(ctx, p, service.CustomerFilter{Query: ref, Archived: service.ArchivedInclude, Sort: service.SortName, Page: service.Page{Limit: 20}})
	if err != nil {
		return billing.Customer{}, err
	}
	if len(page.Items) == 1 {
		return page.Items[0], nil
	}
	for _, c := range page.Items {
		if strings.EqualFold(c.Number, ref) || billing.Fold(c.Name) == billing.Fold(ref) {
			return c, nil
		}
	}
	if len(page.Items) == 0 {
		return billing.Customer{}, fail.Field(field, "%s", Tf(lang, "salesitems.no_customer", ref))
	}
	return billing.Customer{}, fail.Field(field, "%s", Tf(lang, "salesitems.several_customers", ref))
}

// --- adding a sales item by hand (seed 002: "se registran manualmente")

type itemFormData struct {
	Customers   []billing.Customer
	Products    []billing.Product
	ChargeTypes []billing.ChargeType
	V           url.Values // what was typed
}

func (d *itemFormData) Get(k string) string { return d.V.Get(k) }

func (h *Handler) itemForm(r *http.Request, typed url.Values) *itemFormData {
	ctx := r.Context()
	p := access.FromContext(ctx)
	d := &itemFormData{V: typed, ChargeTypes: billing.ChargeTypes}
	if page, err := h.svc.ListCustomers(ctx, p, service.CustomerFilter{Sort: service.SortName, Page: service.Page{Limit: service.MaxLimit}}); err == nil {
		d.Customers = page.Items
	}
	if ps, err := h.svc.ListProducts(ctx, p); err == nil {
		for _, pr := range ps {
			if !pr.Archived {
				d.Products = append(d.Products, pr)
			}
		}
	}
	if d.V == nil {
		d.V = url.Values{"billing_date": {h.today(r).String()}, "quantity": {"1"}, "customer_id": {r.URL.Query().Get("customer")}}
	}
	return d
}

func (h *Handler) salesItemNew(w http.ResponseWriter, r *http.Request) {
	p := access.FromContext(r.Context())
	if err := p.Require(access.ManageSalesItems); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, "salesitem", http.StatusOK, h.newView(r, "sales_items", T(infoFrom(r.Context()).lang, "salesitems.new"), h.itemForm(r, nil)))
}

func (h *Handler) salesItemCreate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := access.FromContext(ctx)
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, fail.Field("form", "%v", err))
		return
	}
	in, err := form.SalesItem(r.PostForm)
	if err == nil {
		_, err = h.svc.CreateSalesItem(ctx, p, in)
	}
	if err != nil {
		if fail.CodeOf(err) != fail.Invalid {
			h.fail(w, r, err)
			return
		}
		v := h.newView(r, "sales_items", T(infoFrom(ctx).lang, "salesitems.new"), h.itemForm(r, r.PostForm))
		v.failed(r, err)
		h.render(w, r, "salesitem", statusOf(r, err), v)
		return
	}
	redirect(w, r, "/console/sales-items?ok=item_added&sort=created_at&desc=1")
}

// --- usage import (CSV upload)

// usageResult is an import's report, each rejected row's reason in the
// reader's language.
type usageResult struct {
	Report   service.UsageReport
	Rejected []usageRejected
}

type usageRejected struct {
	Line     int
	RecordID string
	Reason   string
}

func (h *Handler) usageImport(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := access.FromContext(ctx)
	lang := infoFrom(ctx).lang
	if err := p.Require(access.ManageSalesItems); err != nil {
		h.fail(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 32<<20)
	file, _, err := r.FormFile("file")
	if err != nil {
		h.salesItemsWith(w, r, nil, fail.Field("file", "%s", T(lang, "usage.no_file")))
		return
	}
	defer file.Close()
	recs, bad, err := apisales.ParseUsageCSV(file)
	if err != nil {
		h.salesItemsWith(w, r, nil, err)
		return
	}
	rep, err := h.svc.ImportUsage(ctx, p, recs)
	if err != nil {
		h.salesItemsWith(w, r, nil, err)
		return
	}
	rep.Rejected += len(bad)
	rep.Rows = append(rep.Rows, bad...)
	res := &usageResult{Report: rep}
	for _, row := range rep.Rows {
		if row.Status == "rejected" {
			res.Rejected = append(res.Rejected, usageRejected{Line: row.Line, RecordID: row.RecordID, Reason: format.RejectReason(lang, row)})
		}
	}
	slices.SortStableFunc(res.Rejected, func(a, b usageRejected) int { return a.Line - b.Line })
	h.salesItemsWith(w, r, res, nil)
}
