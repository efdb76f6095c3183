package service

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/documents"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/money"
)

// DocumentStore holds what rendering documents needs beyond the invoices:
// the tenant's branding and the lines of many documents at once.
type DocumentStore interface {
	// GetBranding returns the tenant's branding (the zero Branding when none is set).
	GetBranding(ctx context.Context, tenantID string) (documents.Branding, error)
	PutBranding(ctx context.Context, tenantID string, b documents.Branding, at time.Time) error
	// InvoiceLines returns the lines of the given documents by document id.
	InvoiceLines(ctx context.Context, tenantID string, invoiceIDs []string) (map[string][]billing.Line, error)
}

// GetBranding returns the tenant's document branding.
func (s *Service) GetBranding(ctx context.Context, p access.Principal) (documents.Branding, error) {
	if err := p.Require(access.ReadSettings); err != nil {
		return documents.Branding{}, err
	}
	var b documents.Branding
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		b, err = tx.GetBranding(ctx, p.TenantID)
		return err
	})
	return b, err
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
	if err := p.Require(access.ManageTenant); err != nil {
		return documents.Branding{}, err
	}
	var out documents.Branding
	err := s.store.Write(ctx, func(tx Tx) error {
		before, err := tx.GetBranding(ctx, p.TenantID)
		if err != nil {
			return err
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
			return err
		}
		if err := tx.PutBranding(ctx, p.TenantID, b, s.Now()); err != nil {
			return err
		}
		out = b
		return s.audit(ctx, tx, p, "tenant.branding_updated", "tenant", p.TenantID, diff(before, b))
	})
	return out, err
}

// SetLogo replaces the tenant's logo with a PNG or JPEG of at most
// documents.MaxLogoBytes; empty data removes it.
func (s *Service) SetLogo(ctx context.Context, p access.Principal, data []byte) (documents.Branding, error) {
	if err := p.Require(access.ManageTenant); err != nil {
		return documents.Branding{}, err
	}
	var typ string
	if len(data) > 0 {
		var err error
		if typ, err = documents.CheckLogo(data); err != nil {
			return documents.Branding{}, err
		}
	}
	var out documents.Branding
	err := s.store.Write(ctx, func(tx Tx) error {
		b, err := tx.GetBranding(ctx, p.TenantID)
		if err != nil {
			return err
		}
		b.Logo, b.LogoType = bytes.Clone(data), typ
		if err := tx.PutBranding(ctx, p.TenantID, b, s.Now()); err != nil {
			return err
		}
		out = b
		action := "tenant.logo_set"
		if len(data) == 0 {
			action = "tenant.logo_removed"
		}
		return s.audit(ctx, tx, p, action, "tenant", p.TenantID, map[string]any{"logo_type": typ, "bytes": len(data)})
	})
	return out, err
}

// GetLogo returns the tenant's logo and its content type (not_found without
// one). Customers see it too: it is on every document they see.
func (s *Service) GetLogo(ctx context.Context, p access.Principal) ([]byte, string, error) {
	perm := access.ReadTenant
	if p.IsCustomer() {
		perm = access.OwnAccount
	}
	if err := p.Require(perm); err != nil {
		return nil, "", err
	}
	var b documents.Branding
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		b, err = tx.GetBranding(ctx, p.TenantID)
		return err
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
	if err := s.requireInvoiceRead(p); err != nil {
		return documents.Doc{}, err
	}
	var d documents.Doc
	err := s.store.Read(ctx, func(tx Tx) error {
		inv, err := tx.GetInvoice(ctx, p.TenantID, invoiceID)
		if err != nil {
			return err
		}
		if !invoiceVisible(p, inv) {
			return fail.NotFoundf("no invoice %q", invoiceID)
		}
		d.Invoice = inv
		if d.Tenant, err = tx.GetTenant(ctx, p.TenantID); err != nil {
			return err
		}
		if d.Branding, err = tx.GetBranding(ctx, p.TenantID); err != nil {
			return err
		}
		if inv.Kind == billing.KindCreditNote && inv.OriginalID != "" {
			orig, err := tx.GetInvoice(ctx, p.TenantID, inv.OriginalID)
			if err != nil && !fail.Is(err, fail.NotFound) {
				return err
			}
			if err == nil {
				d.Preceding = &documents.Preceding{Number: documents.Number(orig), Date: orig.InvoiceDate}
			}
		}
		return nil
	})
	return d, err
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

// exportPage is how many documents an export reads per query.
const exportPage = MaxLimit

// CheckInvoiceFilter validates an export's filter as ListInvoices would, so
// a streamed export can answer a 4xx before it writes anything.
func (s *Service) CheckInvoiceFilter(ctx context.Context, p access.Principal, f InvoiceFilter) error {
	f.Page = Page{Limit: 1}
	_, err := s.ListInvoices(ctx, p, f)
	return err
}

// ExportInvoices streams the documents ListInvoices selects with f (the same
// filters, sort and role rules: a customer gets its own issued documents)
// as CSV, or as the detailed CSV with one row per line. It reads and writes
// one page of documents at a time, so memory does not grow with their number.
func (s *Service) ExportInvoices(ctx context.Context, p access.Principal, f InvoiceFilter, detailed bool, w io.Writer) error {
	if err := s.requireInvoiceRead(p); err != nil {
		return err
	}
	cw := documents.NewCSVWriter(w, detailed)
	err := s.store.Read(ctx, func(tx Tx) error {
		t, err := tx.GetTenant(ctx, p.TenantID)
		if err != nil {
			return err
		}
		cw.Accounting, err = money.ParseCurrency(t.Currency)
		return err
	})
	if err != nil {
		return err
	}
	if err := cw.WriteHeader(); err != nil {
		return err
	}
	f.Page = Page{Limit: exportPage}
	ids := make([]string, 0, exportPage)
	for {
		page, err := s.ListInvoices(ctx, p, f)
		if err != nil {
			return err
		}
		if detailed && len(page.Items) > 0 {
			ids = ids[:0]
			for _, inv := range page.Items {
				ids = append(ids, inv.ID)
			}
			var lines map[string][]billing.Line
			err := s.store.Read(ctx, func(tx Tx) error {
				var err error
				lines, err = tx.InvoiceLines(ctx, p.TenantID, ids)
				return err
			})
			if err != nil {
				return err
			}
			for i := range page.Items {
				page.Items[i].Lines = lines[page.Items[i].ID]
			}
		}
		for i := range page.Items {
			if err := cw.Write(&page.Items[i]); err != nil {
				return fmt.Errorf("export invoices: %w", err)
			}
		}
		if err := cw.Flush(); err != nil {
			return fmt.Errorf("export invoices: %w", err)
		}
		if page.Next == "" {
			return nil
		}
		f.Page = Page{Limit: exportPage, Cursor: page.Next}
	}
}
