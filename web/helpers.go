package web

import (
	"net/http"
	"net/url"

	"github.com/facturo/facturo/api"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
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
	if fe, ok := fail.As(err); ok && fe.Format != "" {
		return format.Message(lang, pr.Detail, fe.Format, fe.Args)
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
