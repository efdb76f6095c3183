package invoicing

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/attachment"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/id"
	"github.com/facturo/facturo/service/usecase"
)

// AddAttachment stores a file with a document. The declared content type
// must match the bytes; attachments stay when the document is issued.
func (s *Service) AddAttachment(ctx context.Context, p access.Principal, invoiceID, filename, contentType string, data []byte) (attachment.Attachment, error) {
	var a attachment.Attachment
	check := func() error {
		name, ct, err := attachment.Check(filename, contentType, data)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		now := s.now()
		a = attachment.Attachment{ID: id.NewAt("att", now), TenantID: p.TenantID, InvoiceID: invoiceID, Filename: name, ContentType: ct,
			Size: len(data), SHA256: hex.EncodeToString(sum[:]), Data: data, CreatedBy: p.ActorID(), CreatedAt: now}
		return nil
	}
	_, err := usecase.Write(ctx, s.attachments, p, access.WriteInvoices, check, func(tx AttachmentsTx) (struct{}, usecase.Audit, error) {
		inv, err := tx.GetInvoiceForUpdate(ctx, p.TenantID, invoiceID)
		if err != nil {
			return struct{}{}, usecase.Audit{}, err
		}
		if inv.Status == billing.Void {
			return struct{}{}, usecase.Audit{}, fail.Conflictf("document %s is void", Label(inv))
		}
		if err := tx.InsertAttachment(ctx, a); err != nil {
			return struct{}{}, usecase.Audit{}, err
		}
		return struct{}{}, usecase.Entry("attachment.added", "invoice", invoiceID, map[string]any{"attachment_id": a.ID,
			"filename": a.Filename, "content_type": a.ContentType, "size": a.Size, "sha256": a.SHA256}), nil
	})
	return a, err
}

// ListAttachments lists a document's attachments (without their bytes).
func (s *Service) ListAttachments(ctx context.Context, p access.Principal, invoiceID string) ([]attachment.Attachment, error) {
	return usecase.Read(ctx, s.attachments, p, access.ReadInvoices, func(tx AttachmentsTx) ([]attachment.Attachment, error) {
		if _, err := tx.GetInvoice(ctx, p.TenantID, invoiceID); err != nil {
			return nil, err
		}
		return tx.ListAttachments(ctx, p.TenantID, invoiceID)
	})
}

// GetAttachment returns one attachment with its bytes.
func (s *Service) GetAttachment(ctx context.Context, p access.Principal, invoiceID, attachmentID string) (attachment.Attachment, error) {
	return usecase.Read(ctx, s.attachments, p, access.ReadInvoices, func(tx AttachmentsTx) (attachment.Attachment, error) {
		return tx.GetAttachment(ctx, p.TenantID, invoiceID, attachmentID)
	})
}

// DeleteAttachment removes an attachment from a draft; issued documents keep theirs.
func (s *Service) DeleteAttachment(ctx context.Context, p access.Principal, invoiceID, attachmentID string) error {
	_, err := usecase.Write(ctx, s.attachments, p, access.WriteInvoices, nil, func(tx AttachmentsTx) (struct{}, usecase.Audit, error) {
		inv, err := tx.GetInvoiceForUpdate(ctx, p.TenantID, invoiceID)
		if err != nil {
			return struct{}{}, usecase.Audit{}, err
		}
		if !inv.Status.IsDraft() {
			return struct{}{}, usecase.Audit{}, fail.Conflictf("document %s is issued: its attachments are kept", Label(inv))
		}
		if err := tx.DeleteAttachment(ctx, p.TenantID, invoiceID, attachmentID); err != nil {
			return struct{}{}, usecase.Audit{}, err
		}
		return struct{}{}, usecase.Entry("attachment.deleted", "invoice", invoiceID, map[string]string{"attachment_id": attachmentID}), nil
	})
	return err
}
