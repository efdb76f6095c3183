package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/documents"
)

// Document downloads (seed 000's Download menu) for staff and customers;
// the service applies the same visibility as to the invoice page.
func (h *Handler) registerDocuments(mux *http.ServeMux) {
	for _, area := range []struct {
		base  string
		guard func(http.HandlerFunc) http.HandlerFunc
	}{{"/console/invoices", h.staff}, {"/portal/invoices", h.customer}} {
		mux.HandleFunc("GET "+area.base+"/{id}/pdf", area.guard(h.rendered("application/pdf", "pdf", "attachment", h.svc.InvoicePDF)))
		mux.HandleFunc("GET "+area.base+"/{id}/ubl", area.guard(h.rendered("application/xml", "xml", "attachment", h.svc.InvoiceUBL)))
		mux.HandleFunc("GET "+area.base+"/{id}/print", area.guard(h.rendered("text/html; charset=utf-8", "html", "inline", h.svc.InvoicePrint)))
		mux.HandleFunc("GET "+area.base+"/{id}/csv", area.guard(h.invoiceDocCSV(false)))
		mux.HandleFunc("GET "+area.base+"/{id}/detailed-csv", area.guard(h.invoiceDocCSV(true)))
	}
}

type renderFunc func(ctx context.Context, p access.Principal, invoiceID string) ([]byte, billing.Invoice, error)

func (h *Handler) rendered(contentType, ext, disposition string, render renderFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, inv, err := render(r.Context(), access.FromContext(r.Context()), r.PathValue("id"))
		if err != nil {
			h.fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Cache-Control", "private, no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Content-Disposition", fmt.Sprintf("%s; filename=%q", disposition, documents.Filename(inv, ext)))
		if ext == "html" {
			w.Header().Set("Content-Security-Policy", "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src "+
				documents.PrintScriptHash+"; frame-ancestors 'self'")
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		_, _ = w.Write(b)
	}
}

// invoiceDocCSV is one document as CSV, or as the detailed CSV (a row per line).
func (h *Handler) invoiceDocCSV(detailed bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		inv, err := h.svc.GetInvoice(r.Context(), access.FromContext(r.Context()), r.PathValue("id"))
		if err != nil {
			h.fail(w, r, err)
			return
		}
		name := documents.Filename(inv, "csv")
		if detailed {
			name = documents.Filename(inv, "lines.csv")
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8; header=present")
		w.Header().Set("Cache-Control", "private, no-store")
		w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
		cw := documents.NewCSVWriter(w, detailed)
		if err := cw.Write(&inv); err == nil {
			err = cw.Flush()
		}
	}
}
