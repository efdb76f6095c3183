package web

import (
	"net/http"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/web/form"
	"github.com/facturo/facturo/web/format"
)

func portalNav(section string) []navItem {
	var out []navItem
	for _, n := range []struct{ key, href string }{
		{"invoices", "/portal/invoices"},
		{"account", "/portal/account"},
	} {
		out = append(out, navItem{Key: "nav." + n.key, Href: n.href, Active: section == n.key})
	}
	return out
}

func (h *Handler) registerPortal(mux *http.ServeMux) {
	mux.HandleFunc("GET /portal", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/portal/invoices", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /portal/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/portal/invoices", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /portal/invoices", h.customer(h.portalInvoices))
	mux.HandleFunc("GET /portal/invoices.csv", h.customer(h.invoiceCSV))
	mux.HandleFunc("GET /portal/invoices/{id}", h.customer(h.portalInvoice))
	mux.HandleFunc("GET /portal/account", h.customer(h.accountPage))
	mux.HandleFunc("POST /portal/account/billing", h.customer(h.portalBilling))
}

func (h *Handler) portalInvoices(w http.ResponseWriter, r *http.Request) {
	d, err := h.listInvoices(r, "/portal/invoices")
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

func (h *Handler) portalInvoice(w http.ResponseWriter, r *http.Request) {
	d, err := h.loadInvoicePage(r, r.PathValue("id"), "/portal/invoices")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	title := T(infoFrom(r.Context()).lang, "invoice.title") + " " + format.InvoiceLabel(d.Inv)
	h.render(w, r, "invoice", http.StatusOK, h.newView(r, "invoices", title, d))
}

func (h *Handler) portalBilling(w http.ResponseWriter, r *http.Request) {
	p := access.FromContext(r.Context())
	if _, err := h.svc.UpdateCustomer(r.Context(), p, p.CustomerID, form.CustomerBilling(r)); err != nil {
		h.accountError(w, r, err)
		return
	}
	redirect(w, r, "/portal/account?ok=saved#billing")
}
