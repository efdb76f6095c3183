package invoicesql

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/documents"
	"github.com/facturo/facturo/store/dbtx"
)

// GetBranding returns a tenant's document branding (the zero Branding when
// none is set).
func (t *Invoices) GetBranding(ctx context.Context, tenantID string) (documents.Branding, error) {
	var b documents.Branding
	err := t.QueryRow(ctx, `SELECT logo, logo_type, primary_color, accent_color, payment_instructions, iban, bic, email, phone
		FROM tenant_branding WHERE tenant_id = ?`, tenantID).Scan(&b.Logo, &b.LogoType, &b.PrimaryColor, &b.AccentColor,
		&b.PaymentInstructions, &b.IBAN, &b.BIC, &b.Email, &b.Phone)
	if dbtx.ErrNoRows(err) {
		return documents.Branding{}, nil
	}
	if err != nil {
		return b, fmt.Errorf("get branding: %w", err)
	}
	return b, nil
}

// PutBranding stores a tenant's document branding, logo included.
func (t *Invoices) PutBranding(ctx context.Context, tenantID string, b documents.Branding, at time.Time) error {
	var logo any
	if len(b.Logo) > 0 {
		logo = b.Logo
	}
	_, err := t.Exec(ctx, `INSERT INTO tenant_branding (tenant_id, logo, logo_type, primary_color, accent_color,
		payment_instructions, iban, bic, email, phone, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (tenant_id) DO UPDATE SET logo = excluded.logo, logo_type = excluded.logo_type,
		primary_color = excluded.primary_color, accent_color = excluded.accent_color,
		payment_instructions = excluded.payment_instructions, iban = excluded.iban, bic = excluded.bic,
		email = excluded.email, phone = excluded.phone, updated_at = excluded.updated_at`,
		tenantID, logo, b.LogoType, b.PrimaryColor, b.AccentColor, b.PaymentInstructions, b.IBAN, b.BIC, b.Email, b.Phone, t.D.TS(at))
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
	args := make([]any, 0, len(invoiceIDs)+1)
	args = append(args, tenantID)
	for _, id := range invoiceIDs {
		args = append(args, id)
	}
	rows, err := t.Query(ctx, `SELECT invoice_id, (SELECT i.currency FROM invoices i WHERE i.tenant_id = invoice_lines.tenant_id
		AND i.id = invoice_lines.invoice_id), `+lineCols(t.D)+` FROM invoice_lines
		WHERE tenant_id = ? AND invoice_id IN (`+dbtx.Placeholders(len(invoiceIDs))+`) ORDER BY invoice_id, position`, args...)
	if err != nil {
		return nil, fmt.Errorf("invoice lines: %w", err)
	}
	defer rows.Close()
	var id, cur string
	for rows.Next() {
		l, err := scanLine(rows, &cur, &id, &cur)
		if err != nil {
			return nil, err
		}
		out[strings.Clone(id)] = append(out[id], l)
	}
	return out, rows.Err()
}
