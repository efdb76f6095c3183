package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/facturo/facturo/access"
	apisales "github.com/facturo/facturo/api/sales"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/messages"
	"github.com/facturo/facturo/service"
)

func (h *Handler) registerSalesItems(mux *http.ServeMux) {
	mux.HandleFunc("GET /console/sales-items/new", h.staff(h.salesItemNew))
	mux.HandleFunc("POST /console/sales-items", h.staff(h.salesItemCreate))
	mux.HandleFunc("POST /console/sales-items/usage", h.staff(h.usageImport))
}

// --- the advanced filter as a form (seed 002's "Filtro" tool)

// The form holds groups of rows: a row compares a field with a value, the
// rows of a group combine with the group's and/or, and the groups with the
// form's. It builds the service's Condition always with the same shape,
// {op, conditions: [{op, conditions: [rows…]}…]}, so an error the service
// names by path (filter.conditions[1].conditions[0].value) finds its row.
const (
	advMaxGroups = 5
	advMaxRows   = 8
)

type advRow struct {
	Field, Op, Value string
	Path             string // the service's path of the row's condition; "" for an empty row
	Focus            bool   // the row a button just added: it takes the focus
}

type advGroup struct {
	Op   string
	Rows []advRow
}

type advForm struct {
	Op     string
	Groups []advGroup
	Fields []string // the fields and operators the service accepts
	Ops    []string
	Built  string // the filter built, in words, "" when empty
	Open   bool   // a button of the filter was used: show it open
}

// parseAdvanced reads the filter's rows from the query, applies the
// add/remove buttons (adv_do: "row:G", "group", "del:G.R") and builds the
// condition.
func parseAdvanced(q url.Values) (*advForm, *service.Condition) {
	f := &advForm{Op: andOr(q.Get("adv")), Fields: service.AdvancedFieldNames(), Ops: service.AdvancedOps}
	for g := range advMaxGroups {
		key := fmt.Sprintf("adv.g%d", g)
		if !q.Has(key) {
			continue
		}
		grp := advGroup{Op: andOr(q.Get(key))}
		for r := range advMaxRows {
			rk := fmt.Sprintf("%s.r%d", key, r)
			if !q.Has(rk + ".f") {
				continue
			}
			grp.Rows = append(grp.Rows, advRow{Field: q.Get(rk + ".f"), Op: q.Get(rk + ".o"), Value: q.Get(rk + ".v")})
		}
		f.Groups = append(f.Groups, grp)
	}
	do := q.Get("adv_do")
	f.Open = do != ""
	switch {
	case do == "group" && len(f.Groups) < advMaxGroups:
		f.Groups = append(f.Groups, advGroup{Op: "and", Rows: []advRow{{Focus: true}}})
	case strings.HasPrefix(do, "row:"):
		if g, err := strconv.Atoi(do[4:]); err == nil && g >= 0 && g < len(f.Groups) && len(f.Groups[g].Rows) < advMaxRows {
			f.Groups[g].Rows = append(f.Groups[g].Rows, advRow{Focus: true})
		}
	case strings.HasPrefix(do, "del:"):
		var g, r int
		if _, err := fmt.Sscanf(do[4:], "%d.%d", &g, &r); err == nil && g >= 0 && g < len(f.Groups) && r >= 0 && r < len(f.Groups[g].Rows) {
			f.Groups[g].Rows = slices.Delete(f.Groups[g].Rows, r, r+1)
			if len(f.Groups[g].Rows) == 0 {
				f.Groups = slices.Delete(f.Groups, g, g+1)
			}
		}
	}
	top := service.Condition{Op: f.Op}
	for gi := range f.Groups {
		grp := &f.Groups[gi]
		c := service.Condition{Op: grp.Op}
		for ri := range grp.Rows {
			row := &grp.Rows[ri]
			if row.Field == "" {
				continue
			}
			row.Path = fmt.Sprintf("filter.conditions[%d].conditions[%d]", len(top.Children), len(c.Children))
			cond := service.Condition{Op: row.Op, Field: row.Field, Value: strings.TrimSpace(row.Value)}
			if row.Op == "in" {
				cond.Value = ""
				for v := range strings.SplitSeq(row.Value, ",") {
					if v = strings.TrimSpace(v); v != "" {
						cond.Values = append(cond.Values, v)
					}
				}
			}
			c.Children = append(c.Children, cond)
		}
		if len(c.Children) > 0 {
			top.Children = append(top.Children, c)
		}
	}
	if len(f.Groups) == 0 {
		f.Groups = []advGroup{{Op: "and", Rows: []advRow{{}}}}
	}
	if len(top.Children) == 0 {
		return f, nil
	}
	return f, &top
}

func andOr(s string) string {
	if s == "or" {
		return "or"
	}
	return "and"
}

// values are the filter's rows as query parameters (for the pager's links).
func (f *advForm) values(v url.Values) {
	v.Set("adv", f.Op)
	for gi, g := range f.Groups {
		key := fmt.Sprintf("adv.g%d", gi)
		v.Set(key, g.Op)
		for ri, r := range g.Rows {
			if r.Field == "" {
				continue
			}
			rk := fmt.Sprintf("%s.r%d", key, ri)
			v.Set(rk+".f", r.Field)
			v.Set(rk+".o", r.Op)
			v.Set(rk+".v", r.Value)
		}
	}
}

// describe writes a built condition in words, in lang.
func describe(lang string, c service.Condition, top bool) string {
	switch c.Op {
	case "and", "or", "not":
		parts := make([]string, len(c.Children))
		for i, ch := range c.Children {
			parts[i] = describe(lang, ch, false)
		}
		if c.Op == "not" {
			return T(lang, "advjoin.not") + " (" + strings.Join(parts, "") + ")"
		}
		s := strings.Join(parts, " "+T(lang, "advjoin."+c.Op)+" ")
		if !top && len(parts) > 1 {
			s = "(" + s + ")"
		}
		return s
	}
	v := strconv.Quote(c.Value)
	if c.Op == "in" {
		q := make([]string, len(c.Values))
		for i, x := range c.Values {
			q[i] = strconv.Quote(x)
		}
		v = strings.Join(q, ", ")
	}
	return T(lang, "advf."+c.Field) + " " + T(lang, "advop."+c.Op) + " " + v
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

// salesItemInput reads the form; bad dates are field errors.
func salesItemInput(f url.Values) (service.SalesItemInput, error) {
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

func (h *Handler) salesItemCreate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := access.FromContext(ctx)
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, fail.Field("form", "%v", err))
		return
	}
	in, err := salesItemInput(r.PostForm)
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

// rejectReason is a rejected usage row's reason in lang: the catalog's
// text for its code, else the service's message.
func rejectReason(lang string, r service.UsageRowResult) string {
	if r.Code != "" {
		key := "usage.reject." + r.Code
		if messages.Has(key) {
			return Tf(lang, key, r.Args...)
		}
	}
	return translated(lang, r.Reason, r.Format, r.Args)
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
			res.Rejected = append(res.Rejected, usageRejected{Line: row.Line, RecordID: row.RecordID, Reason: rejectReason(lang, row)})
		}
	}
	slices.SortStableFunc(res.Rejected, func(a, b usageRejected) int { return a.Line - b.Line })
	h.salesItemsWith(w, r, res, nil)
}
