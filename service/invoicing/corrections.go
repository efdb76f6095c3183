package invoicing

import (
	"context"
	"strings"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/id"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/numbering"
	"github.com/facturo/facturo/service/usecase"
	"github.com/facturo/facturo/tax"
)

// --- reason codes

// ListReasonCodes lists the tenant's correction reason codes.
func (s *Service) ListReasonCodes(ctx context.Context, p access.Principal) ([]billing.ReasonCode, error) {
	return usecase.Read(ctx, s.reasonCodes, p, access.ReadInvoices, func(tx ReasonCodesTx) ([]billing.ReasonCode, error) {
		return tx.ListReasonCodes(ctx, p.TenantID)
	})
}

// UpsertReasonCode creates or changes a reason code (administrator).
func (s *Service) UpsertReasonCode(ctx context.Context, p access.Principal, r billing.ReasonCode) (billing.ReasonCode, error) {
	check := func() error {
		r.Code, r.Description = strings.ToUpper(strings.TrimSpace(r.Code)), strings.TrimSpace(r.Description)
		if !tax.ValidCode(r.Code) {
			return fail.Field("code", "use 1 to 32 letters, digits, '.', '_' or '-'")
		}
		if r.Description == "" || len(r.Description) > 200 {
			return fail.Field("description", "is required (at most 200 characters)")
		}
		return nil
	}
	out, err := usecase.Write(ctx, s.reasonCodes, p, access.ManageTenant, check, func(tx ReasonCodesTx) (billing.ReasonCode, usecase.Audit, error) {
		if err := tx.UpsertReasonCode(ctx, p.TenantID, r); err != nil {
			return r, usecase.Audit{}, err
		}
		return r, usecase.Entry("reason_code.saved", "reason_code", r.Code, r), nil
	})
	if err != nil {
		return r, err
	}
	return out, nil
}

// --- corrections

// Correction is the outcome of correcting an invoice: the credit note that
// reverses it (issued and posted) and the new draft for the corrected values.
type Correction struct {
	Original    billing.Invoice
	CreditNote  billing.Invoice
	Replacement billing.Invoice
}

// CorrectInvoice corrects a posted invoice (seed 004): with a reason code
// and a comment it issues, in one transaction, a credit note reversing it in
// full (posted to the ledger and set against the original's balance) and a
// new draft copied from it for the corrected values. The three link to each
// other.
func (s *Service) CorrectInvoice(ctx context.Context, p access.Principal, invoiceID, reason, comment string) (Correction, error) {
	check := func() error {
		reason = strings.ToUpper(strings.TrimSpace(reason))
		comment = strings.TrimSpace(comment)
		if reason == "" {
			return fail.Field("reason_code", "is required: say why the invoice is corrected")
		}
		if len(comment) > 1000 {
			return fail.Field("comment", "must be at most 1000 characters")
		}
		return nil
	}
	return usecase.Write(ctx, s.corrections, p, access.ApproveInvoices, check, func(tx CorrectionsTx) (Correction, usecase.Audit, error) {
		out, err := s.correct(ctx, tx, p, invoiceID, reason, comment)
		if err != nil {
			return Correction{}, usecase.Audit{}, err
		}
		orig, cn, repl := out.Original, out.CreditNote, out.Replacement
		var a usecase.Audit
		for _, ev := range []struct {
			typ string
			inv billing.Invoice
		}{{"invoice.corrected", orig}, {"invoice.issued", cn}, {"invoice.created", repl}} {
			extra := map[string]any{"reason_code": reason, "credit_note_id": cn.ID, "replacement_id": repl.ID, "original_id": orig.ID}
			a = a.Emit(ev.typ, s.deps.InvoiceEvent(ev.inv, extra))
		}
		return out, a.And("invoice.corrected", "invoice", orig.ID, map[string]any{"number": orig.Number,
			"reason_code": reason, "comment": comment, "credit_note_id": cn.ID, "credit_note_number": cn.Number, "replacement_id": repl.ID}), nil
	})
}

// correct makes, in tx, the credit note and the replacement of a correction.
func (s *Service) correct(ctx context.Context, tx CorrectionsTx, p access.Principal, invoiceID, reason, comment string) (Correction, error) {
	codes, err := tx.ListReasonCodes(ctx, p.TenantID)
	if err != nil {
		return Correction{}, err
	}
	known := false
	for _, c := range codes {
		known = known || (c.Code == reason && !c.Archived)
	}
	if !known {
		return Correction{}, fail.Field("reason_code", "no reason code %q: see GET /api/v1/reason-codes", reason)
	}
	orig, err := tx.GetInvoiceForUpdate(ctx, p.TenantID, invoiceID)
	if err != nil {
		return Correction{}, err
	}
	if err := orig.CheckCorrectable(); err != nil {
		return Correction{}, err
	}
	tenant, err := tx.GetTenant(ctx, p.TenantID)
	if err != nil {
		return Correction{}, err
	}
	today := calendar.Today(s.now(), tenant.Location())
	now := s.now()
	cn := orig.CreditNoteFor(id.NewAt(id.Invoice, now), today, reason, comment)
	repl := orig.ReplacementFor(id.NewAt(id.Invoice, now), today, reason, comment)
	cn.CreatedAt, cn.UpdatedAt, repl.CreatedAt, repl.UpdatedAt = now, now, now, now
	cn.ReplacementID, repl.CreditNoteID = repl.ID, cn.ID
	for _, doc := range []*billing.Invoice{&cn, &repl} {
		n, err := tx.NextCounter(ctx, p.TenantID, numbering.DocumentNumber.Counter)
		if err != nil {
			return Correction{}, err
		}
		doc.DocumentNumber = numbering.DocumentNumber.Format(n)
	}
	if err := tx.InsertInvoice(ctx, cn); err != nil {
		return Correction{}, err
	}
	// The credit note is issued at once: number, ledger, frozen. It
	// bypasses the approval workflow, which guards new charges.
	if _, err := s.issue(ctx, tx, p, &cn, tenant, today); err != nil {
		return Correction{}, err
	}
	// Set the credit note against what the original still owes, undo onto
	// it what was written off or discounted (no longer a lost debt: the
	// credit note cancels it), and link the three documents; what is left
	// owed on neither closes.
	writeOffs, err := s.writeOffs(ctx, tx, p.TenantID, orig.ID)
	if err != nil {
		return Correction{}, err
	}
	oc, _, err := orig.Correct(&cn, writeOffs, repl.ID, reason, comment, now)
	if err != nil {
		return Correction{}, err
	}
	for _, r := range oc.Reversals {
		if _, err := s.deps.Ledger.Post(ctx, tx, p.TenantID, today, r.Description, r.SourceType, r.SourceID, r.Undoes, r.Lines); err != nil {
			return Correction{}, err
		}
	}
	cn.UpdatedAt = now
	if err := tx.UpdateInvoice(ctx, cn); err != nil {
		return Correction{}, err
	}
	if err := s.prepare(ctx, tx, p, &repl, InvoiceInput{}); err != nil {
		return Correction{}, err
	}
	if err := tx.InsertInvoice(ctx, repl); err != nil {
		return Correction{}, err
	}
	orig.UpdatedAt = now
	if err := tx.UpdateInvoice(ctx, orig); err != nil {
		return Correction{}, err
	}
	return Correction{Original: orig, CreditNote: cn, Replacement: repl}, nil
}

// writeOffs returns, oldest first by source, the entries that closed part
// of invoice invoiceID without payment: its write-offs and cash discounts.
func (s *Service) writeOffs(ctx context.Context, tx CorrectionsTx, tenantID, invoiceID string) ([]ledger.Entry, error) {
	var entries []ledger.Entry
	for _, src := range []string{WriteOffSource, s.deps.CashDiscountSource} {
		es, err := tx.EntriesBySource(ctx, tenantID, src, invoiceID)
		if err != nil {
			return nil, err
		}
		entries = append(entries, es...)
	}
	return entries, nil
}

// --- approval workflow

// WorkflowEvent is one step of a draft's approval history.
type WorkflowEvent struct {
	InvoiceID string    `json:"invoice_id"`
	Seq       int       `json:"seq"`
	Action    string    `json:"action"` // submitted, approved, rejected, returned
	ActorID   string    `json:"actor_id"`
	ActorName string    `json:"actor_name"`
	Comment   string    `json:"comment"`
	At        time.Time `json:"at"`
}

// SetApprovalRequired turns the approval workflow on or off (administrator).
func (s *Service) SetApprovalRequired(ctx context.Context, p access.Principal, on bool) (billing.Tenant, error) {
	return usecase.Write(ctx, s.tenants, p, access.ManageTenant, nil, func(tx TenantsTx) (billing.Tenant, usecase.Audit, error) {
		t, err := tx.GetTenant(ctx, p.TenantID)
		if err != nil {
			return t, usecase.Audit{}, err
		}
		t.ApprovalRequired = on
		t.UpdatedAt = s.now()
		if err := tx.UpdateTenant(ctx, t); err != nil {
			return t, usecase.Audit{}, err
		}
		return t, usecase.Entry("tenant.approval_required", "tenant", t.ID, map[string]bool{"approval_required": on}), nil
	})
}

// workflowStep moves a draft through the approval workflow
// (billing.Invoice.Workflow: "submitted", "approved" or "rejected") once p
// holds perm.
func (s *Service) workflowStep(ctx context.Context, p access.Principal, perm access.Permission, invoiceID, action, comment string) (billing.Invoice, error) {
	check := func() error {
		comment = strings.TrimSpace(comment)
		if len(comment) > 1000 {
			return fail.Field("comment", "must be at most 1000 characters")
		}
		if action == "rejected" && comment == "" {
			return fail.Field("comment", "is required when rejecting: say what to change")
		}
		return nil
	}
	return usecase.Write(ctx, s.invoices, p, perm, check, func(tx InvoicesTx) (billing.Invoice, usecase.Audit, error) {
		inv, err := tx.GetInvoiceForUpdate(ctx, p.TenantID, invoiceID)
		if err != nil {
			return billing.Invoice{}, usecase.Audit{}, err
		}
		if _, err := inv.Workflow(action); err != nil {
			return billing.Invoice{}, usecase.Audit{}, err
		}
		inv.UpdatedAt = s.now()
		if err := tx.UpdateInvoice(ctx, inv); err != nil {
			return billing.Invoice{}, usecase.Audit{}, err
		}
		if err := tx.AppendWorkflow(ctx, p.TenantID, WorkflowEvent{InvoiceID: inv.ID, Action: action, ActorID: p.ActorID(),
			ActorName: p.Name, Comment: comment, At: s.now()}); err != nil {
			return billing.Invoice{}, usecase.Audit{}, err
		}
		// Audited as invoice.submitted, invoice.approved or invoice.rejected.
		return inv, usecase.Entry("invoice."+action, "invoice", inv.ID, map[string]string{"comment": comment}).
			Emit("invoice."+action, s.deps.InvoiceEvent(inv, map[string]any{"comment": comment})), nil
	})
}

// SubmitInvoice sends a draft for approval.
func (s *Service) SubmitInvoice(ctx context.Context, p access.Principal, invoiceID, comment string) (billing.Invoice, error) {
	return s.workflowStep(ctx, p, access.WriteInvoices, invoiceID, "submitted", comment)
}

// ApproveInvoice approves a submitted draft so it can be issued.
func (s *Service) ApproveInvoice(ctx context.Context, p access.Principal, invoiceID, comment string) (billing.Invoice, error) {
	return s.workflowStep(ctx, p, access.ApproveInvoices, invoiceID, "approved", comment)
}

// RejectInvoice returns a submitted draft to its author with a comment.
func (s *Service) RejectInvoice(ctx context.Context, p access.Principal, invoiceID, comment string) (billing.Invoice, error) {
	return s.workflowStep(ctx, p, access.ApproveInvoices, invoiceID, "rejected", comment)
}

// InvoiceWorkflow returns a document's approval history. It is internal
// (approvers' names and comments): staff only, never the portal.
func (s *Service) InvoiceWorkflow(ctx context.Context, p access.Principal, invoiceID string) ([]WorkflowEvent, error) {
	if err := p.Require(access.ReadInvoices); err != nil {
		return nil, err
	}
	if _, err := s.GetInvoice(ctx, p, invoiceID); err != nil {
		return nil, err
	}
	return usecase.Read(ctx, s.invoices, p, access.ReadInvoices, func(tx InvoicesTx) ([]WorkflowEvent, error) {
		return tx.ListWorkflow(ctx, p.TenantID, invoiceID)
	})
}
