package invoicesql

import (
	"context"
	"fmt"
	"time"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/documents"
	"github.com/facturo/facturo/store/dbtx"
	"github.com/facturo/facturo/store/enginesql"
	"github.com/facturo/facturo/store/sqlitesql"
)

// GetBranding returns a tenant's document branding (the zero Branding when
// none is set).
func (t *Invoices) GetBranding(ctx context.Context, tenantID string) (documents.Branding, error) {
	r, err := enginesql.For(t.Tx).GetBranding(ctx, tenantID)
	if dbtx.ErrNoRows(err) {
		return documents.Branding{}, nil
	}
	if err != nil {
		return documents.Branding{}, fmt.Errorf("get branding: %w", err)
	}
	return documents.Branding{Logo: r.Logo, LogoType: r.LogoType, PrimaryColor: r.PrimaryColor, AccentColor: r.AccentColor,
		PaymentInstructions: r.PaymentInstructions, IBAN: r.Iban, BIC: r.Bic, Email: r.Email, Phone: r.Phone}, nil
}

// PutBranding stores a tenant's document branding, logo included.
func (t *Invoices) PutBranding(ctx context.Context, tenantID string, b documents.Branding, at time.Time) error {
	var logo []byte
	if len(b.Logo) > 0 {
		logo = b.Logo
	}
	err := enginesql.For(t.Tx).PutBranding(ctx, sqlitesql.PutBrandingParams{TenantID: tenantID, Logo: logo, LogoType: b.LogoType,
		PrimaryColor: b.PrimaryColor, AccentColor: b.AccentColor, PaymentInstructions: b.PaymentInstructions, Iban: b.IBAN, Bic: b.BIC,
		Email: b.Email, Phone: b.Phone, UpdatedAt: dbtx.TimeOf(at)})
	if err != nil {
		return fmt.Errorf("put branding: %w", err)
	}
	return nil
}

// InvoiceLines returns the lines of the given documents, by document id.
func (t *Invoices) InvoiceLines(ctx context.Context, tenantID string, invoiceIDs []string) (map[string][]billing.Line, error) {
	out := make(map[string][]billing.Line, len(invoiceIDs))
	if len(invoiceIDs) == 0 {
		return out, nil
	}
	rows, err := enginesql.For(t.Tx).LinesOfInvoices(ctx, sqlitesql.LinesOfInvoicesParams{TenantID: tenantID, InvoiceIds: invoiceIDs})
	if err != nil {
		return nil, fmt.Errorf("invoice lines: %w", err)
	}
	var p dbtx.Parse
	for _, r := range rows {
		l, err := lineOf(r.InvoiceLine, r.Currency, &p)
		if err != nil {
			return nil, err
		}
		out[r.InvoiceLine.InvoiceID] = append(out[r.InvoiceLine.InvoiceID], l)
	}
	if p.Err != nil {
		return nil, fmt.Errorf("invoice lines: %w", p.Err)
	}
	return out, nil
}
