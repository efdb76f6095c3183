package web

import (
	"errors"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/facturo/facturo/attachment"
	"github.com/facturo/facturo/customfield"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/web/form"
	"github.com/facturo/facturo/web/format"
	"github.com/facturo/facturo/web/pager"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/service"
)

func consoleNav(p access.Principal, section string) []navItem {
	var out []navItem
	add := func(key, href string, ok bool) {
		if ok {
			out = append(out, navItem{Key: "nav." + key, Href: href, Active: section == key})
		}
	}
	add("invoices", "/console/invoices", can(p, access.ReadInvoices))
	add("sales_items", "/console/sales-items", can(p, access.ManageSalesItems))
	add("customers", "/console/customers", can(p, access.ReadCustomers))
	add("billing_runs", "/console/billing-runs", can(p, access.RunBilling))
	add("ledger", "/console/ledger", can(p, access.ReadLedger))
	add("settings", "/console/settings", can(p, access.ManageTenant) || can(p, access.ManageWebhooks) || can(p, access.ReadNotifications))
	return out
}

func (h *Handler) registerConsole(mux *http.ServeMux) {
	mux.HandleFunc("GET /console", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/console/", http.StatusSeeOther) })
	mux.HandleFunc("GET /console/{$}", h.staff(h.home))
	mux.HandleFunc("GET /console/invoices", h.staff(h.invoiceList))
	mux.HandleFunc("GET /console/invoices.csv", h.staff(h.invoiceCSV))
	mux.HandleFunc("GET /console/invoices/new", h.staff(h.invoiceNew))
	mux.HandleFunc("POST /console/invoices/new", h.staff(h.invoiceCreate))
	mux.HandleFunc("POST /console/invoices/preview", h.staff(h.invoicePreview))
	mux.HandleFunc("GET /console/invoices/line", h.staff(h.invoiceLineRow))
	mux.HandleFunc("GET /console/invoices/defaults", h.staff(h.invoiceDefaults))
	mux.HandleFunc("GET /console/invoices/{id}", h.staff(h.invoicePage))
	mux.HandleFunc("GET /console/invoices/{id}/edit", h.staff(h.invoiceEdit))
	mux.HandleFunc("POST /console/invoices/{id}/edit", h.staff(h.invoiceSave))
	mux.HandleFunc("POST /console/invoices/{id}/status", h.staff(h.invoiceStatus))
	mux.HandleFunc("POST /console/invoices/{id}/discard", h.staff(h.invoiceDiscard))
	mux.HandleFunc("POST /console/invoices/{id}/workflow", h.staff(h.invoiceWorkflow))
	mux.HandleFunc("POST /console/invoices/{id}/correct", h.staff(h.invoiceCorrect))
	mux.HandleFunc("POST /console/invoices/{id}/attachments", h.staff(h.attachmentAdd))
	mux.HandleFunc("GET /console/invoices/{id}/attachments/{aid}", h.staff(h.attachmentGet))
	h.registerConsoleMore(mux)
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	p := access.FromContext(r.Context())
	if can(p, access.ReadInvoices) {
		http.Redirect(w, r, "/console/invoices", http.StatusSeeOther)
		return
	}
	lang := infoFrom(r.Context()).lang
	var d *homeData
	if can(p, access.LogTime) {
		var err error
		if d, err = h.loadWork(r); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	h.render(w, r, "home", http.StatusOK, h.newView(r, "home", T(lang, "home.title"), d))
}

// homeData is the console home of a role that logs ticket time (the
// engineer): the open tickets and the time the user logged.
type homeData struct {
	Tickets []service.Ticket // open, newest number first
	Entries []service.TimeEntry
	Numbers map[string]string // ticket id → number
}

// homeTickets bounds the tickets the home lists and searches for time entries.
const homeTickets = 50

func (h *Handler) loadWork(r *http.Request) (*homeData, error) {
	ctx := r.Context()
	p := access.FromContext(ctx)
	ks, err := h.svc.ListTickets(ctx, p, "")
	if err != nil {
		return nil, err
	}
	d := &homeData{Numbers: map[string]string{}}
	for i := len(ks) - 1; i >= 0; i-- {
		d.Numbers[ks[i].ID] = ks[i].Number
		if ks[i].Status == "open" && len(d.Tickets) < homeTickets {
			d.Tickets = append(d.Tickets, ks[i])
		}
	}
	if d.Entries, err = h.svc.MyTimeEntries(ctx, p, homeTickets, 50); err != nil {
		return nil, err
	}
	return d, nil
}

type invoiceListData struct {
	Q        form.InvoiceQuery
	Rows     []billing.Invoice
	Next     template.URL
	Presets  []string
	Statuses []billing.Status
	Sorts    []string
	Base     string // /console/invoices or /portal/invoices
	CanWrite bool
	Portal   bool // the portal's list, with the invoice date
	Pager    pager.Pager
}

func (h *Handler) listInvoices(r *http.Request, base string) (*invoiceListData, error) {
	p := access.FromContext(r.Context())
	iq, f, err := form.ParseInvoiceQuery(r.URL.Query())
	if err != nil {
		return nil, err
	}
	page, err := h.svc.ListInvoices(r.Context(), p, f)
	if err != nil {
		return nil, err
	}
	d := &invoiceListData{Q: iq, Rows: page.Items, Presets: append(slices.Clone(calendar.Presets), "custom"), Base: base,
		Sorts: []string{"number", "customer", "provider", "period", "amount", "status"}, CanWrite: can(p, access.WriteInvoices)}
	if p.IsCustomer() {
		d.Portal = true
		d.Statuses = billing.PortalStatuses
	} else {
		d.Statuses = billing.Statuses
	}
	if page.Next != "" {
		nq := url.Values{}
		for k, v := range iq.Values {
			nq[k] = v
		}
		nq.Set("cursor", page.Next)
		d.Next = template.URL(nq.Encode())
	}
	d.Pager = pager.Keyset(base, iq.Values, r.URL.Query(), "cursor", f.Page.Limit, len(page.Items), page.Next)
	return d, nil
}

func (h *Handler) invoiceList(w http.ResponseWriter, r *http.Request) {
	d, err := h.listInvoices(r, "/console/invoices")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v := h.newView(r, "invoices", T(infoFrom(r.Context()).lang, "invoices.title"), d)
	if r.Header.Get("HX-Request") != "" && r.Header.Get("HX-Target") == "invoice-table" {
		h.fragment(w, r, "invoices", "table", http.StatusOK, v)
		return
	}
	h.render(w, r, "invoices", http.StatusOK, v)
}

// invoiceCSV exports the filtered view (every page of it) as CSV, in the
// documents package's format, streamed by the service.
func (h *Handler) invoiceCSV(w http.ResponseWriter, r *http.Request) {
	p := access.FromContext(r.Context())
	_, f, err := form.ParseInvoiceQuery(r.URL.Query())
	if err == nil {
		err = h.svc.CheckInvoiceFilter(r.Context(), p, f)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8; header=present")
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Content-Disposition", `attachment; filename="invoices.csv"`)
	if err := h.svc.ExportInvoices(r.Context(), p, f, false, w); err != nil {
		// Headers are sent: the truncated body is all the client can see.
		h.log.ErrorContext(r.Context(), "invoice csv", "err", err)
	}
}

type invoicePageData struct {
	Inv          billing.Invoice
	Customer     billing.Customer
	Totals       service.InvoiceTotalsView
	HasTotals    bool
	Attachments  []attachment.Attachment
	Workflow     []service.WorkflowEvent
	Audit        []service.AuditEntry
	Targets      []billing.Status // Update status choices
	NotifyOn     bool             // the notify checkbox's default
	ReasonCodes  []billing.ReasonCode
	CanWrite     bool
	CanApprove   bool
	Approval     bool
	Downloads    []download
	Base         string
	Notification []service.Notification
	CanPay       bool         // pay the balance with the primary card
	PayKey       string       // the pay form's idempotency key
	PayAmount    money.Amount // what paying now charges: the balance, less a cash discount still due
	// Related labels the documents of a correction (the original, its
	// credit note, its replacement) by number, by id; one the reader may
	// not open is left out.
	Related map[string]string
	// CustomFields are the invoice's custom fields under their labels.
	CustomFields []customfield.Labeled
}

type download struct{ Key, Href string }

func (h *Handler) loadInvoicePage(r *http.Request, id, base string) (*invoicePageData, error) {
	ctx := r.Context()
	p := access.FromContext(ctx)
	inv, err := h.svc.GetInvoice(ctx, p, id)
	if err != nil {
		return nil, err
	}
	d := &invoicePageData{Inv: inv, CanWrite: can(p, access.WriteInvoices), CanApprove: can(p, access.ApproveInvoices), Base: base}
	d.CustomFields = h.customFieldsOf(r, customfield.Invoice, inv.CustomFields)
	if c, err := h.svc.GetCustomer(ctx, p, inv.CustomerID); err == nil {
		d.Customer = c
	}
	if t, err := h.svc.InvoiceTotals(ctx, p, id); err == nil {
		d.Totals, d.HasTotals = t, true
	}
	d.Attachments, _ = h.svc.ListAttachments(ctx, p, id)
	if p.Role.IsStaff() {
		d.Workflow, _ = h.svc.InvoiceWorkflow(ctx, p, id)
	}
	if can(p, access.ReadAudit) {
		if a, err := h.svc.ListAudit(ctx, p, service.AuditFilter{TargetID: id, Page: service.Page{Limit: 50}}); err == nil {
			d.Audit = a.Items
		}
	}
	sc, err := h.svc.InvoiceStatusContext(ctx, p)
	if err != nil {
		return nil, err
	}
	for _, s := range inv.AllowedStatuses(sc) { // only what the status change would accept now
		switch s {
		case billing.Open, billing.PastDue, billing.Closed: // finance: "status changes except void"
			if d.CanWrite {
				d.Targets = append(d.Targets, s)
			}
		case billing.Void:
			if d.CanApprove {
				d.Targets = append(d.Targets, s)
			}
		}
	}
	// Seeds 000 and 001: off when first publishing a draft, on by default for later changes.
	d.NotifyOn = inv.Status.IsIssued()
	if inv.Status.IsIssued() && d.CanApprove {
		d.ReasonCodes, _ = h.svc.ListReasonCodes(ctx, p)
	}
	d.PayAmount = inv.Balance
	if t, err := h.svc.GetTenant(ctx, p); err == nil {
		d.Approval = t.ApprovalRequired
		d.PayAmount = inv.Balance.MustSub(inv.CashDiscountDue(calendar.Today(h.svc.Now(), t.Location())))
	}
	d.Downloads = h.downloads(inv, d.Base)
	d.Related = map[string]string{}
	for _, rid := range []string{inv.OriginalID, inv.CreditNoteID, inv.ReplacementID} {
		if rid == "" {
			continue
		}
		if rel, err := h.svc.GetInvoice(ctx, p, rid); err == nil {
			d.Related[rid] = format.InvoiceLabel(rel)
		}
	}
	if inv.Kind == billing.KindInvoice && inv.Status.IsOwed() && inv.Balance.Sign() > 0 &&
		(p.IsCustomer() || can(p, access.ManagePayments)) {
		d.CanPay, d.PayKey = true, formKey()
	}
	return d, nil
}

func (h *Handler) invoicePage(w http.ResponseWriter, r *http.Request) {
	d, err := h.loadInvoicePage(r, r.PathValue("id"), "/console/invoices")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	title := T(infoFrom(r.Context()).lang, "invoice.title") + " " + format.InvoiceLabel(d.Inv)
	h.render(w, r, "invoice", http.StatusOK, h.newView(r, "invoices", title, d))
}

func (h *Handler) invoiceStatus(w http.ResponseWriter, r *http.Request) {
	p := access.FromContext(r.Context())
	ch := service.StatusChange{Status: r.PostFormValue("status"), Reason: r.PostFormValue("reason")}
	if r.PostFormValue("notify_shown") != "" {
		on := r.PostFormValue("notify") != ""
		ch.Notify = &on
	}
	id := r.PathValue("id")
	res, err := h.svc.UpdateInvoiceStatus(r.Context(), p, id, ch)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ok := "status_updated"
	if res.Notified {
		ok = "status_updated_notified"
	}
	redirect(w, r, "/console/invoices/"+url.PathEscape(id)+"?ok="+ok)
}

func (h *Handler) invoiceDiscard(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.DiscardInvoice(r.Context(), access.FromContext(r.Context()), r.PathValue("id")); err != nil {
		h.fail(w, r, err)
		return
	}
	redirect(w, r, "/console/invoices?ok=discarded")
}

func (h *Handler) invoiceWorkflow(w http.ResponseWriter, r *http.Request) {
	p := access.FromContext(r.Context())
	id, comment := r.PathValue("id"), r.PostFormValue("comment")
	var err error
	switch r.PostFormValue("action") {
	case "submit":
		_, err = h.svc.SubmitInvoice(r.Context(), p, id, comment)
	case "approve":
		_, err = h.svc.ApproveInvoice(r.Context(), p, id, comment)
	case "reject":
		_, err = h.svc.RejectInvoice(r.Context(), p, id, comment)
	default:
		err = fail.Field("action", "use submit, approve or reject")
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	redirect(w, r, "/console/invoices/"+url.PathEscape(id)+"?ok="+r.PostFormValue("action"))
}

func (h *Handler) invoiceCorrect(w http.ResponseWriter, r *http.Request) {
	p := access.FromContext(r.Context())
	c, err := h.svc.CorrectInvoice(r.Context(), p, r.PathValue("id"), r.PostFormValue("reason_code"), r.PostFormValue("comment"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	redirect(w, r, "/console/invoices/"+url.PathEscape(c.Replacement.ID)+"?ok=corrected")
}

func (h *Handler) attachmentAdd(w http.ResponseWriter, r *http.Request) {
	p := access.FromContext(r.Context())
	id := r.PathValue("id")
	r.Body = http.MaxBytesReader(w, r.Body, attachment.MaxBytes+1<<20)
	file, hdr, err := r.FormFile("file")
	if err != nil {
		h.fail(w, r, fail.Field("file", "choose a file to attach (at most %d MiB)", attachment.MaxBytes>>20))
		return
	}
	defer file.Close()
	data, err := io.ReadAll(file)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			err = fail.Field("file", "is too large: attach at most %d MiB", attachment.MaxBytes>>20)
		}
		h.fail(w, r, err)
		return
	}
	ct := hdr.Header.Get("Content-Type")
	if _, err := h.svc.AddAttachment(r.Context(), p, id, hdr.Filename, ct, data); err != nil {
		h.fail(w, r, err)
		return
	}
	redirect(w, r, "/console/invoices/"+url.PathEscape(id)+"?ok=attached")
}

func (h *Handler) attachmentGet(w http.ResponseWriter, r *http.Request) {
	a, err := h.svc.GetAttachment(r.Context(), access.FromContext(r.Context()), r.PathValue("id"), r.PathValue("aid"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", a.ContentType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Disposition", `attachment; filename="`+strings.ReplaceAll(a.Filename, `"`, "")+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(a.Data)))
	_, _ = w.Write(a.Data)
}
