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
	mux.HandleFunc("GET /console/sales-items/imports/{id}", h.staff(h.usageImportPage))
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
	Import   service.UsageImport
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
	imp, err := h.svc.StartUsageImport(ctx, p, len(recs), bad)
	if err != nil {
		h.salesItemsWith(w, r, nil, err)
		return
	}
	// The import outlives the request, a batch per transaction with its
	// progress. A file of one batch is answered here; a longer one sends
	// the browser to its progress page after the first batch.
	type result struct {
		imp service.UsageImport
		err error
	}
	first, done := make(chan service.UsageImport, 1), make(chan result, 1)
	go func() {
		out, err := h.svc.RunUsageImport(context.WithoutCancel(ctx), p, imp.ID, recs, func(u service.UsageImport) {
			select {
			case first <- u:
			default:
			}
		})
		done <- result{out, err}
	}()
	var res result
	select {
	case u := <-first:
		if u.Status != service.ImportDone {
			redirect(w, r, "/console/sales-items/imports/"+url.PathEscape(imp.ID))
			return
		}
		res = <-done
	case res = <-done: // an error before the first batch, or no rows
	}
	if res.err != nil {
		h.salesItemsWith(w, r, nil, res.err)
		return
	}
	h.salesItemsWith(w, r, usageResultOf(lang, res.imp), nil)
}

// usageResultOf is what the page shows of an import: its counts and its
// rejected rows, by line, in lang.
func usageResultOf(lang string, imp service.UsageImport) *usageResult {
	res := &usageResult{Import: imp, Report: service.UsageReport{Imported: imp.Imported, Duplicates: imp.Duplicates, Rejected: len(imp.Rejected)}}
	for _, row := range imp.Rejected {
		res.Rejected = append(res.Rejected, usageRejected{Line: row.Line, RecordID: row.RecordID, Reason: format.RejectReason(lang, row)})
	}
	slices.SortStableFunc(res.Rejected, func(a, b usageRejected) int { return a.Line - b.Line })
	return res
}

// usageImportPage shows an import's progress (the section polls itself
// while it runs) and, once done, its counts and rejected rows.
func (h *Handler) usageImportPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	imp, err := h.svc.GetUsageImport(ctx, access.FromContext(ctx), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	lang := infoFrom(ctx).lang
	v := h.newView(r, "sales_items", T(lang, "usage.title"), usageResultOf(lang, imp))
	if r.Header.Get("HX-Request") != "" {
		h.fragment(w, r, "usageimport", "importprogress", http.StatusOK, v)
		return
	}
	h.render(w, r, "usageimport", http.StatusOK, v)
}
