package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/facturo/facturo/api"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/web/form"
	"github.com/facturo/facturo/web/format"
)

// errorText is the message the API would give for err, in the reader's
// language where the error was made from a format the catalog translates.
func errorText(r *http.Request, err error) string {
	pr := api.ProblemFor(r.Context(), err)
	lang := infoFrom(r.Context()).lang
	if pr.Status >= 500 {
		return T(lang, "error.internal")
	}
	fe, ok := fail.As(err)
	switch {
	case ok && fe.Format != "":
		return format.Message(lang, pr.Detail, fe.Format, fe.Args)
	case ok && len(fe.Fields) > 0:
		// A page without the form (a list's filter, an invoice's status
		// dialog): the fields' messages in the reader's language, each under
		// its label where the invoice has one ("Line 2 · Quantity"), never
		// under its API path.
		msgs := make([]string, len(fe.Fields))
		for i, f := range fe.Fields {
			msgs[i] = format.Message(lang, f.Message, f.Format, f.Args)
			if label := form.InvoiceFieldLabel(lang, f.Field); label != f.Field {
				msgs[i] = label + ": " + msgs[i]
			}
		}
		return strings.Join(msgs, "; ")
	}
	return pr.Detail
}

// statusOf is the HTTP status the API would answer for err.
func statusOf(r *http.Request, err error) int {
	s := api.ProblemFor(r.Context(), err).Status
	if s < 400 || s > 599 {
		return http.StatusInternalServerError
	}
	return s
}

// downloads lists the Download menu of a document (seed 000: PDF, CSV,
// detailed CSV, print; and the UBL e-invoice of an issued document).
func (h *Handler) downloads(inv billing.Invoice, base string) []download {
	b := base + "/" + url.PathEscape(inv.ID)
	out := []download{{"pdf", b + "/pdf"}, {"csv", b + "/csv"}, {"detailed_csv", b + "/detailed-csv"}, {"print", b + "/print"}}
	if inv.Status.IsIssued() {
		out = append(out, download{"ubl", b + "/ubl"})
	}
	return out
}
