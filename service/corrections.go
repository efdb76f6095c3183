package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/id"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/tax"
)

// CorrectionStore persists reason codes, the approval history, recurring
// templates and attachments.
type CorrectionStore interface {
	UpsertReasonCode(ctx context.Context, tenantID string, r billing.ReasonCode) error
	ListReasonCodes(ctx context.Context, tenantID string) ([]billing.ReasonCode, error)
	AppendWorkflow(ctx context.Context, tenantID string, e WorkflowEvent) error
	ListWorkflow(ctx context.Context, tenantID, invoiceID string) ([]WorkflowEvent, error)
	InsertTemplate(ctx context.Context, t billing.Template) error
	UpdateTemplate(ctx context.Context, t billing.Template) error
	GetTemplate(ctx context.Context, tenantID, id string) (billing.Template, error)
	GetTemplateForUpdate(ctx context.Context, tenantID, id string) (billing.Template, error)
	ListTemplates(ctx context.Context, tenantID string) ([]billing.Template, error)
	DueTemplateIDs(ctx context.Context, tenantID string, today calendar.Date) ([]string, error)
	InsertAttachment(ctx context.Context, a billing.Attachment) error
	ListAttachments(ctx context.Context, tenantID, invoiceID string) ([]billing.Attachment, error)
	GetAttachment(ctx context.Context, tenantID, invoiceID, id string) (billing.Attachment, error)
	DeleteAttachment(ctx context.Context, tenantID, invoiceID, id string) error
}

// --- reason codes

// ListReasonCodes lists the tenant's correction reason codes.
func (s *Service) ListReasonCodes(ctx context.Context, p access.Principal) ([]billing.ReasonCode, error) {
	if err := p.Require(access.ReadInvoices); err != nil {
		return nil, err
	}
	var out []billing.ReasonCode
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = tx.ListReasonCodes(ctx, p.TenantID)
		return err
	})
	return out, err
}

// UpsertReasonCode creates or changes a reason code (administrator).
func (s *Service) UpsertReasonCode(ctx context.Context, p access.Principal, r billing.ReasonCode) (billing.ReasonCode, error) {
	if err := p.Require(access.ManageTenant); err != nil {
		return r, err
	}
	r.Code, r.Description = strings.ToUpper(strings.TrimSpace(r.Code)), strings.TrimSpace(r.Description)
	if !tax.ValidCode(r.Code) {
		return r, fail.Field("code", "use 1 to 32 letters, digits, '.', '_' or '-'")
	}
	if r.Description == "" || len(r.Description) > 200 {
		return r, fail.Field("description", "is required (at most 200 characters)")
	}
	err := s.store.Write(ctx, func(tx Tx) error {
		if err := tx.UpsertReasonCode(ctx, p.TenantID, r); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, "reason_code.saved", "reason_code", r.Code, r)
	})
	return r, err
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
	if err := p.Require(access.ApproveInvoices); err != nil {
		return Correction{}, err
	}
	reason = strings.ToUpper(strings.TrimSpace(reason))
	comment = strings.TrimSpace(comment)
	if reason == "" {
		return Correction{}, fail.Field("reason_code", "is required: say why the invoice is corrected")
	}
	if len(comment) > 1000 {
		return Correction{}, fail.Field("comment", "must be at most 1000 characters")
	}
	var out Correction
	err := s.store.Write(ctx, func(tx Tx) error {
		codes, err := tx.ListReasonCodes(ctx, p.TenantID)
		if err != nil {
			return err
		}
		known := false
		for _, c := range codes {
			known = known || (c.Code == reason && !c.Archived)
		}
		if !known {
			return fail.Field("reason_code", "no reason code %q: see GET /api/v1/reason-codes", reason)
		}
		orig, err := tx.GetInvoiceForUpdate(ctx, p.TenantID, invoiceID)
		if err != nil {
			return err
		}
		if err := orig.CheckCorrectable(); err != nil {
			return err
		}
		tenant, err := tx.GetTenant(ctx, p.TenantID)
		if err != nil {
			return err
		}
		today := calendar.Today(s.Now(), tenant.Location())
		now := s.Now()
		cn := orig.CreditNoteFor(id.NewAt(id.Invoice, now), today, reason, comment)
		repl := orig.ReplacementFor(id.NewAt(id.Invoice, now), today, reason, comment)
		cn.CreatedAt, cn.UpdatedAt, repl.CreatedAt, repl.UpdatedAt = now, now, now, now
		cn.ReplacementID, repl.CreditNoteID = repl.ID, cn.ID
		for _, doc := range []*billing.Invoice{&cn, &repl} {
			n, err := tx.NextCounter(ctx, p.TenantID, "document")
			if err != nil {
				return err
			}
			doc.DocumentNumber = fmt.Sprintf("D-%06d", n)
		}
		if err := tx.InsertInvoice(ctx, cn); err != nil {
			return err
		}
		// The credit note is issued at once: number, ledger, frozen. It
		// bypasses the approval workflow, which guards new charges.
		if err := s.issue(ctx, tx, p, &cn, tenant, today); err != nil {
			return err
		}
		// Set the credit note against what the original still owes.
		applied := minDec(cn.Balance, orig.Balance)
		appliedAcc := minDec(cn.BalanceAccounting, orig.BalanceAccounting)
		cn.Balance, cn.BalanceAccounting = cn.Balance.Sub(applied), cn.BalanceAccounting.Sub(appliedAcc)
		orig.Balance, orig.BalanceAccounting = orig.Balance.Sub(applied), orig.BalanceAccounting.Sub(appliedAcc)
		// What was written off when the original was closed is no longer a
		// lost debt: the credit note cancels it. The write-off is reversed
		// onto the credit note, which leaves it open for what was paid.
		if err := s.reverseWriteOffs(ctx, tx, p.TenantID, &orig, &cn, today); err != nil {
			return err
		}
		// Link the three documents; what is left owed on neither closes.
		if _, _, err := orig.Correct(&cn, repl.ID, reason, comment, now); err != nil {
			return err
		}
		cn.UpdatedAt = now
		if err := tx.UpdateInvoice(ctx, cn); err != nil {
			return err
		}
		if err := s.prepare(ctx, tx, p, &repl, InvoiceInput{}); err != nil {
			return err
		}
		if err := tx.InsertInvoice(ctx, repl); err != nil {
			return err
		}
		orig.UpdatedAt = now
		if err := tx.UpdateInvoice(ctx, orig); err != nil {
			return err
		}
		out = Correction{Original: orig, CreditNote: cn, Replacement: repl}
		for _, ev := range []struct {
			typ string
			inv billing.Invoice
		}{{"invoice.corrected", orig}, {"invoice.issued", cn}, {"invoice.created", repl}} {
			extra := map[string]any{"reason_code": reason, "credit_note_id": cn.ID, "replacement_id": repl.ID, "original_id": orig.ID}
			if err := s.emitEvent(ctx, tx, p.TenantID, ev.typ, invoiceEvent(ev.inv, extra)); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, p, "invoice.corrected", "invoice", orig.ID, map[string]any{"number": orig.Number,
			"reason_code": reason, "comment": comment, "credit_note_id": cn.ID, "credit_note_number": cn.Number, "replacement_id": repl.ID})
	})
	return out, err
}

// reverseWriteOffs posts, for every write-off and cash discount of orig
// (what closed part of it without payment), the entry that undoes it onto
// the credit note cn (billing.ReverseWriteOff) and lowers cn's balance by
// that amount.
func (s *Service) reverseWriteOffs(ctx context.Context, tx Tx, tenantID string, orig, cn *billing.Invoice, today calendar.Date) error {
	var entries []ledger.Entry
	for _, src := range []string{writeOffSource, cashDiscountSource} {
		es, err := tx.EntriesBySource(ctx, tenantID, src, orig.ID)
		if err != nil {
			return err
		}
		entries = append(entries, es...)
	}
	for _, e := range entries {
		lines, amount, amountAcc := billing.ReverseWriteOff(e, cn.ID)
		if amount.GreaterThan(cn.Balance) {
			return fmt.Errorf("correct %s: write-off %s of %s is more than credit note %s leaves open (%s)", orig.Number, e.Number, amount, cn.Number, cn.Balance)
		}
		if _, err := s.post(ctx, tx, tenantID, today, e.Description+": reversed by credit note "+cn.Number,
			e.SourceType+"_reversal", orig.ID, e.ID, lines); err != nil {
			return err
		}
		cn.Balance, cn.BalanceAccounting = cn.Balance.Sub(amount), cn.BalanceAccounting.Sub(amountAcc)
	}
	return nil
}

func minDec(a, b decimal.Decimal) decimal.Decimal {
	if a.LessThan(b) {
		return a
	}
	return b
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
	if err := p.Require(access.ManageTenant); err != nil {
		return billing.Tenant{}, err
	}
	var t billing.Tenant
	err := s.store.Write(ctx, func(tx Tx) error {
		var err error
		if t, err = tx.GetTenant(ctx, p.TenantID); err != nil {
			return err
		}
		t.ApprovalRequired = on
		t.UpdatedAt = s.Now()
		if err := tx.UpdateTenant(ctx, t); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, "tenant.approval_required", "tenant", t.ID, map[string]bool{"approval_required": on})
	})
	return t, err
}

// workflowStep moves a draft through the approval workflow
// (billing.Invoice.Workflow: "submitted", "approved" or "rejected").
func (s *Service) workflowStep(ctx context.Context, p access.Principal, invoiceID, action, comment string) (billing.Invoice, error) {
	comment = strings.TrimSpace(comment)
	if len(comment) > 1000 {
		return billing.Invoice{}, fail.Field("comment", "must be at most 1000 characters")
	}
	if action == "rejected" && comment == "" {
		return billing.Invoice{}, fail.Field("comment", "is required when rejecting: say what to change")
	}
	var out billing.Invoice
	err := s.store.Write(ctx, func(tx Tx) error {
		inv, err := tx.GetInvoiceForUpdate(ctx, p.TenantID, invoiceID)
		if err != nil {
			return err
		}
		if _, err := inv.Workflow(action); err != nil {
			return err
		}
		inv.UpdatedAt = s.Now()
		if err := tx.UpdateInvoice(ctx, inv); err != nil {
			return err
		}
		if err := tx.AppendWorkflow(ctx, p.TenantID, WorkflowEvent{InvoiceID: inv.ID, Action: action, ActorID: p.ActorID(),
			ActorName: p.Name, Comment: comment, At: s.Now()}); err != nil {
			return err
		}
		out = inv
		if err := s.emitEvent(ctx, tx, p.TenantID, "invoice."+action, invoiceEvent(inv, map[string]any{"comment": comment})); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, "invoice."+action, "invoice", inv.ID, map[string]string{"comment": comment})
	})
	return out, err
}

// SubmitInvoice sends a draft for approval.
func (s *Service) SubmitInvoice(ctx context.Context, p access.Principal, invoiceID, comment string) (billing.Invoice, error) {
	if err := p.Require(access.WriteInvoices); err != nil {
		return billing.Invoice{}, err
	}
	return s.workflowStep(ctx, p, invoiceID, "submitted", comment)
}

// ApproveInvoice approves a submitted draft so it can be issued.
func (s *Service) ApproveInvoice(ctx context.Context, p access.Principal, invoiceID, comment string) (billing.Invoice, error) {
	if err := p.Require(access.ApproveInvoices); err != nil {
		return billing.Invoice{}, err
	}
	return s.workflowStep(ctx, p, invoiceID, "approved", comment)
}

// RejectInvoice returns a submitted draft to its author with a comment.
func (s *Service) RejectInvoice(ctx context.Context, p access.Principal, invoiceID, comment string) (billing.Invoice, error) {
	if err := p.Require(access.ApproveInvoices); err != nil {
		return billing.Invoice{}, err
	}
	return s.workflowStep(ctx, p, invoiceID, "rejected", comment)
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
	var out []WorkflowEvent
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, err = tx.ListWorkflow(ctx, p.TenantID, invoiceID)
		return err
	})
	return out, err
}

// --- attachments

// AddAttachment stores a file with a document. The declared content type
// must match the bytes; attachments stay when the document is issued.
func (s *Service) AddAttachment(ctx context.Context, p access.Principal, invoiceID, filename, contentType string, data []byte) (billing.Attachment, error) {
	if err := p.Require(access.WriteInvoices); err != nil {
		return billing.Attachment{}, err
	}
	name, ct, err := billing.CheckAttachment(filename, contentType, data)
	if err != nil {
		return billing.Attachment{}, err
	}
	sum := sha256.Sum256(data)
	now := s.Now()
	a := billing.Attachment{ID: id.NewAt("att", now), TenantID: p.TenantID, InvoiceID: invoiceID, Filename: name, ContentType: ct,
		Size: len(data), SHA256: hex.EncodeToString(sum[:]), Data: data, CreatedBy: p.ActorID(), CreatedAt: now}
	err = s.store.Write(ctx, func(tx Tx) error {
		inv, err := tx.GetInvoiceForUpdate(ctx, p.TenantID, invoiceID)
		if err != nil {
			return err
		}
		if inv.Status == billing.Void {
			return fail.Conflictf("document %s is void", label(inv))
		}
		if err := tx.InsertAttachment(ctx, a); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, "attachment.added", "invoice", invoiceID, map[string]any{"attachment_id": a.ID,
			"filename": a.Filename, "content_type": a.ContentType, "size": a.Size, "sha256": a.SHA256})
	})
	return a, err
}

// ListAttachments lists a document's attachments (without their bytes).
func (s *Service) ListAttachments(ctx context.Context, p access.Principal, invoiceID string) ([]billing.Attachment, error) {
	if err := p.Require(access.ReadInvoices); err != nil {
		return nil, err
	}
	var out []billing.Attachment
	err := s.store.Read(ctx, func(tx Tx) error {
		if _, err := tx.GetInvoice(ctx, p.TenantID, invoiceID); err != nil {
			return err
		}
		var err error
		out, err = tx.ListAttachments(ctx, p.TenantID, invoiceID)
		return err
	})
	return out, err
}

// GetAttachment returns one attachment with its bytes.
func (s *Service) GetAttachment(ctx context.Context, p access.Principal, invoiceID, attachmentID string) (billing.Attachment, error) {
	if err := p.Require(access.ReadInvoices); err != nil {
		return billing.Attachment{}, err
	}
	var a billing.Attachment
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		a, err = tx.GetAttachment(ctx, p.TenantID, invoiceID, attachmentID)
		return err
	})
	return a, err
}

// DeleteAttachment removes an attachment from a draft; issued documents keep theirs.
func (s *Service) DeleteAttachment(ctx context.Context, p access.Principal, invoiceID, attachmentID string) error {
	if err := p.Require(access.WriteInvoices); err != nil {
		return err
	}
	return s.store.Write(ctx, func(tx Tx) error {
		inv, err := tx.GetInvoiceForUpdate(ctx, p.TenantID, invoiceID)
		if err != nil {
			return err
		}
		if !inv.Status.IsDraft() {
			return fail.Conflictf("document %s is issued: its attachments are kept", label(inv))
		}
		if err := tx.DeleteAttachment(ctx, p.TenantID, invoiceID, attachmentID); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, "attachment.deleted", "invoice", invoiceID, map[string]string{"attachment_id": attachmentID})
	})
}
