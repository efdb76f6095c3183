package invoicing

import (
	"bytes"
	"context"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/documents"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/service/usecase"
)

// GetBranding returns the tenant's document branding.
func (s *Service) GetBranding(ctx context.Context, p access.Principal) (documents.Branding, error) {
	return usecase.Read(ctx, s.documents, p, access.ReadSettings, func(tx DocumentsTx) (documents.Branding, error) {
		return tx.GetBranding(ctx, p.TenantID)
	})
}

// BrandingPatch holds the branding settings to change; nil fields stay.
type BrandingPatch struct {
	PrimaryColor        *string
	AccentColor         *string
	PaymentInstructions *string
	IBAN                *string
	BIC                 *string
	Email               *string
	Phone               *string
}

// UpdateBranding changes the tenant's colours, payment instructions, bank
// account and contact on documents.
func (s *Service) UpdateBranding(ctx context.Context, p access.Principal, patch BrandingPatch) (documents.Branding, error) {
	return usecase.Write(ctx, s.documents, p, access.ManageTenant, nil, func(tx DocumentsTx) (documents.Branding, usecase.Audit, error) {
		before, err := tx.GetBranding(ctx, p.TenantID)
		if err != nil {
			return documents.Branding{}, usecase.Audit{}, err
		}
		b := before
		set(&b.PrimaryColor, patch.PrimaryColor)
		set(&b.AccentColor, patch.AccentColor)
		set(&b.PaymentInstructions, patch.PaymentInstructions)
		set(&b.IBAN, patch.IBAN)
		set(&b.BIC, patch.BIC)
		set(&b.Email, patch.Email)
		set(&b.Phone, patch.Phone)
		if err := b.Normalize(); err != nil {
			return documents.Branding{}, usecase.Audit{}, err
		}
		if err := tx.PutBranding(ctx, p.TenantID, b, s.now()); err != nil {
			return documents.Branding{}, usecase.Audit{}, err
		}
		return b, usecase.Entry("tenant.branding_updated", "tenant", p.TenantID, usecase.Diff(before, b)), nil
	})
}

// SetLogo replaces the tenant's logo with a PNG or JPEG of at most
// documents.MaxLogoBytes; empty data removes it.
func (s *Service) SetLogo(ctx context.Context, p access.Principal, data []byte) (documents.Branding, error) {
	var typ string
	check := func() error {
		if len(data) > 0 {
			var err error
			if typ, err = documents.CheckLogo(data); err != nil {
				return err
			}
		}
		return nil
	}
	return usecase.Write(ctx, s.documents, p, access.ManageTenant, check, func(tx DocumentsTx) (documents.Branding, usecase.Audit, error) {
		b, err := tx.GetBranding(ctx, p.TenantID)
		if err != nil {
			return documents.Branding{}, usecase.Audit{}, err
		}
		b.Logo, b.LogoType = bytes.Clone(data), typ
		if err := tx.PutBranding(ctx, p.TenantID, b, s.now()); err != nil {
			return documents.Branding{}, usecase.Audit{}, err
		}
		action := "tenant.logo_set"
		if len(data) == 0 {
			action = "tenant.logo_removed"
		}
		return b, usecase.Entry(action, "tenant", p.TenantID, map[string]any{"logo_type": typ, "bytes": len(data)}), nil
	})
}

// GetLogo returns the tenant's logo and its content type (not_found without
// one). Customers see it too: it is on every document they see.
func (s *Service) GetLogo(ctx context.Context, p access.Principal) ([]byte, string, error) {
	perm := access.ReadTenant
	if p.IsCustomer() {
		perm = access.OwnAccount
	}
	b, err := usecase.Read(ctx, s.documents, p, perm, func(tx DocumentsTx) (documents.Branding, error) {
		return tx.GetBranding(ctx, p.TenantID)
	})
	if err != nil {
		return nil, "", err
	}
	if len(b.Logo) == 0 {
		return nil, "", fail.NotFoundf("the tenant has no logo")
	}
	return b.Logo, b.LogoType, nil
}

// InvoiceDocument returns everything the renderings of one document read,
// from one snapshot: the document, the tenant, its branding and, for a
// credit note, the invoice it credits. Visibility is GetInvoice's: a
// customer gets only its own issued documents.
func (s *Service) InvoiceDocument(ctx context.Context, p access.Principal, invoiceID string) (documents.Doc, error) {
	return usecase.Read(ctx, s.documents, p, ReadPermission(p), func(tx DocumentsTx) (documents.Doc, error) {
		var d documents.Doc
		inv, err := tx.GetInvoice(ctx, p.TenantID, invoiceID)
		if err != nil {
			return d, err
		}
		if !Visible(p, inv) {
			return d, fail.NotFoundf("no invoice %q", invoiceID)
		}
		d.Invoice = inv
		if d.Tenant, err = tx.GetTenant(ctx, p.TenantID); err != nil {
			return d, err
		}
		if d.Branding, err = tx.GetBranding(ctx, p.TenantID); err != nil {
			return d, err
		}
		if d.CustomFields, err = tx.ListCustomFieldDefs(ctx, p.TenantID); err != nil {
			return d, err
		}
		if inv.Kind == billing.KindCreditNote && inv.OriginalID != "" {
			orig, err := tx.GetInvoice(ctx, p.TenantID, inv.OriginalID)
			if err != nil && !fail.Is(err, fail.NotFound) {
				return d, err
			}
			if err == nil {
				d.Preceding = &documents.Preceding{Number: documents.Number(orig), Date: orig.InvoiceDate}
			}
		}
		return d, nil
	})
}

// InvoicePDF renders one document as PDF (drafts carry a watermark).
func (s *Service) InvoicePDF(ctx context.Context, p access.Principal, invoiceID string) ([]byte, billing.Invoice, error) {
	d, err := s.InvoiceDocument(ctx, p, invoiceID)
	if err != nil {
		return nil, billing.Invoice{}, err
	}
	b, err := documents.PDFBytes(&d)
	return b, d.Invoice, err
}

// InvoiceUBL renders one issued document as a UBL 2.1 e-invoice. A draft
// has no legal number and no e-invoice.
func (s *Service) InvoiceUBL(ctx context.Context, p access.Principal, invoiceID string) ([]byte, billing.Invoice, error) {
	d, err := s.InvoiceDocument(ctx, p, invoiceID)
	if err != nil {
		return nil, billing.Invoice{}, err
	}
	if !d.Invoice.Status.IsIssued() {
		return nil, d.Invoice, fail.Conflictf("document %s is %s: only issued documents have an e-invoice", documents.Number(d.Invoice), d.Invoice.Status)
	}
	b, err := documents.UBLBytes(&d)
	return b, d.Invoice, err
}

// InvoicePrint renders one document's print view (HTML).
func (s *Service) InvoicePrint(ctx context.Context, p access.Principal, invoiceID string) ([]byte, billing.Invoice, error) {
	d, err := s.InvoiceDocument(ctx, p, invoiceID)
	if err != nil {
		return nil, billing.Invoice{}, err
	}
	var b bytes.Buffer
	err = documents.PrintHTML(&b, &d)
	return b.Bytes(), d.Invoice, err
}
