package server_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/internal/testserver"
)

// TestInvoiceCreateIssued: POST /invoices with "issue": true creates and
// issues a document in one transaction: the answer is the issued document
// (number, ledger entry), with the audit of both steps; a document that
// cannot be issued is refused and nothing is written, not even its draft;
// notify without issue is refused naming the field.
func TestInvoiceCreateIssued(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		admin, finance := e.A.Keys[access.Administrator], e.A.Keys[access.Finance]
		e.Clock.Set(time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC))
		count := func() int { return len(accListInvoices(t, e, finance, "")) }

		body := accInvBody(e.A.Customer)
		body["issue"] = true
		inv := accPost(t, e, finance, body)
		if inv.Status != "open" || inv.Number == "" || inv.EntryID == "" || inv.Total != "20.00" || inv.Balance != "20.00" {
			t.Fatalf("created with issue: status %q, number %q, entry %q, total %s, balance %s; want open, numbered, posted, 20.00",
				inv.Status, inv.Number, inv.EntryID, inv.Total, inv.Balance)
		}
		if got := accGetInvoice(t, e, finance, inv.ID); got.Status != "open" || got.Number != inv.Number || len(got.Lines) != 1 {
			t.Errorf("read back: %+v", got)
		}
		r := accDo(t, e, http.MethodGet, "/api/v1/audit-events?target_id="+inv.ID, admin, nil)
		if r.Status != http.StatusOK {
			t.Fatalf("audit: %d %s", r.Status, r.Body)
		}
		var audit accList[struct {
			Action string `json:"action"`
		}]
		r.JSON(t, &audit)
		var actions []string
		for _, a := range audit.Data {
			actions = append(actions, a.Action)
		}
		if !slices.Contains(actions, "invoice.created") || !slices.Contains(actions, "invoice.status_changed") {
			t.Errorf("audit of a created and issued document: %v, want invoice.created and invoice.status_changed", actions)
		}

		// The same in two steps numbers the next document in the series.
		two := accPost(t, e, finance, accInvBody(e.A.Customer))
		issued := accStatus(t, e, finance, two.ID, map[string]any{"status": "open"}).Invoice
		if issued.Total != inv.Total || issued.Number == inv.Number || !strings.HasPrefix(issued.Number, inv.Number[:len(inv.Number)-1]) {
			t.Errorf("two steps: %s %s, one step: %s %s", issued.Number, issued.Total, inv.Number, inv.Total)
		}

		// Approval required: a new document cannot be issued; nothing is written.
		if r := accDo(t, e, http.MethodPut, "/api/v1/approval-workflow", admin, map[string]any{"approval_required": true}); r.Status != http.StatusNoContent {
			t.Fatalf("approval on: %d %s", r.Status, r.Body)
		}
		before := count()
		if r := accDo(t, e, http.MethodPost, "/api/v1/invoices", finance, body); r.Status != http.StatusConflict {
			t.Errorf("issue without approval: %d %s, want 409", r.Status, r.Body)
		}
		if after := count(); after != before {
			t.Errorf("a refused create-and-issue left %d documents, had %d", after, before)
		}

		// notify belongs to issue.
		quiet := accInvBody(e.A.Customer)
		quiet["notify"] = true
		r = accDo(t, e, http.MethodPost, "/api/v1/invoices", finance, quiet)
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "notify") {
			t.Errorf("notify without issue: %d %s, want 422 naming notify", r.Status, r.Body)
		}
		if after := count(); after != before {
			t.Errorf("a refused create left %d documents, had %d", after, before)
		}

		// Read-only roles cannot.
		if r := accDo(t, e, http.MethodPost, "/api/v1/invoices", e.A.Keys[access.Engineer], body); r.Status != http.StatusForbidden {
			t.Errorf("engineer: %d %s, want 403", r.Status, r.Body)
		}
	})
}
