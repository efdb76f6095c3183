package invoicesql

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store/dbtx"
)

func (t *Invoices) UpsertReasonCode(ctx context.Context, tenantID string, r billing.ReasonCode) error {
	_, err := t.Exec(ctx, `INSERT INTO reason_codes (tenant_id, code, description, archived) VALUES (?,?,?,?)
		ON CONFLICT (tenant_id, code) DO UPDATE SET description = excluded.description, archived = excluded.archived`,
		tenantID, r.Code, r.Description, r.Archived)
	if err != nil {
		return fmt.Errorf("upsert reason code: %w", err)
	}
	return nil
}

func (t *Invoices) ListReasonCodes(ctx context.Context, tenantID string) ([]billing.ReasonCode, error) {
	rows, err := t.Query(ctx, `SELECT code, description, archived FROM reason_codes WHERE tenant_id = ? ORDER BY code`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list reason codes: %w", err)
	}
	defer rows.Close()
	var out []billing.ReasonCode
	for rows.Next() {
		var r billing.ReasonCode
		if err := rows.Scan(&r.Code, &r.Description, &r.Archived); err != nil {
			return nil, fmt.Errorf("scan reason code: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (t *Invoices) AppendWorkflow(ctx context.Context, tenantID string, e service.WorkflowEvent) error {
	_, err := t.Exec(ctx, `INSERT INTO invoice_workflow (tenant_id, invoice_id, seq, action, actor_id, actor_name, comment, at)
		VALUES (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM invoice_workflow WHERE tenant_id = ? AND invoice_id = ?), ?, ?, ?, ?, ?)`,
		tenantID, e.InvoiceID, tenantID, e.InvoiceID, e.Action, e.ActorID, e.ActorName, e.Comment, t.D.TS(e.At))
	if err != nil {
		return fmt.Errorf("append workflow: %w", err)
	}
	return nil
}

func (t *Invoices) ListWorkflow(ctx context.Context, tenantID, invoiceID string) ([]service.WorkflowEvent, error) {
	rows, err := t.Query(ctx, `SELECT invoice_id, seq, action, actor_id, actor_name, comment, at FROM invoice_workflow
		WHERE tenant_id = ? AND invoice_id = ? ORDER BY seq`, tenantID, invoiceID)
	if err != nil {
		return nil, fmt.Errorf("list workflow: %w", err)
	}
	defer rows.Close()
	var out []service.WorkflowEvent
	for rows.Next() {
		var e service.WorkflowEvent
		if err := rows.Scan(&e.InvoiceID, &e.Seq, &e.Action, &e.ActorID, &e.ActorName, &e.Comment, dbtx.ScanTS(&e.At)); err != nil {
			return nil, fmt.Errorf("scan workflow: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

const templateCols = `tenant_id, id, name, customer_id, interval, start_date, end_date, next_date, auto_issue, status, invoice, created_at, updated_at`

func (t *Invoices) templateArgs(tp billing.Template) ([]any, error) {
	inv, err := json.Marshal(tp.Invoice)
	if err != nil {
		return nil, fmt.Errorf("marshal template: %w", err)
	}
	return []any{tp.TenantID, tp.ID, tp.Name, tp.CustomerID, string(tp.Interval), dbtx.DateArg(tp.Start), dbtx.DateArg(tp.End), dbtx.DateArg(tp.Next),
		tp.AutoIssue, tp.Status, string(inv), t.D.TS(tp.CreatedAt), t.D.TS(tp.UpdatedAt)}, nil
}

func scanTemplate(row interface{ Scan(...any) error }) (billing.Template, error) {
	var tp billing.Template
	var interval, inv string
	err := row.Scan(&tp.TenantID, &tp.ID, &tp.Name, &tp.CustomerID, &interval, dbtx.ScanDate(&tp.Start), dbtx.ScanDate(&tp.End), dbtx.ScanDate(&tp.Next),
		&tp.AutoIssue, &tp.Status, &inv, dbtx.ScanTS(&tp.CreatedAt), dbtx.ScanTS(&tp.UpdatedAt))
	if err != nil {
		return tp, err
	}
	tp.Interval = billing.Interval(interval)
	if err := json.Unmarshal([]byte(inv), &tp.Invoice); err != nil {
		return tp, fmt.Errorf("template %s: %w", tp.ID, err)
	}
	return tp, nil
}

func (t *Invoices) InsertTemplate(ctx context.Context, tp billing.Template) error {
	args, err := t.templateArgs(tp)
	if err != nil {
		return err
	}
	if _, err := t.Exec(ctx, `INSERT INTO recurring_templates (`+templateCols+`) VALUES (`+dbtx.Placeholders(len(args))+`)`, args...); err != nil {
		return fmt.Errorf("insert template: %w", err)
	}
	return nil
}

func (t *Invoices) UpdateTemplate(ctx context.Context, tp billing.Template) error {
	args, err := t.templateArgs(tp)
	if err != nil {
		return err
	}
	res, err := t.Exec(ctx, `UPDATE recurring_templates SET name=?, customer_id=?, interval=?, start_date=?, end_date=?, next_date=?,
		auto_issue=?, status=?, invoice=?, created_at=?, updated_at=? WHERE tenant_id=? AND id=?`, append(args[2:], tp.TenantID, tp.ID)...)
	return dbtx.MustAffect(res, err, "recurring template", tp.ID)
}

func (t *Invoices) getTemplate(ctx context.Context, suffix, tenantID, id string) (billing.Template, error) {
	tp, err := scanTemplate(t.QueryRow(ctx, `SELECT `+templateCols+` FROM recurring_templates WHERE tenant_id = ? AND id = ?`+suffix, tenantID, id))
	if dbtx.ErrNoRows(err) {
		return tp, dbtx.NotFound("recurring template", id)
	}
	if err != nil {
		return tp, fmt.Errorf("get template: %w", err)
	}
	return tp, nil
}

func (t *Invoices) GetTemplate(ctx context.Context, tenantID, id string) (billing.Template, error) {
	return t.getTemplate(ctx, "", tenantID, id)
}

func (t *Invoices) GetTemplateForUpdate(ctx context.Context, tenantID, id string) (billing.Template, error) {
	return t.getTemplate(ctx, t.D.ForUpdate(), tenantID, id)
}

func (t *Invoices) ListTemplates(ctx context.Context, tenantID string) ([]billing.Template, error) {
	rows, err := t.Query(ctx, `SELECT `+templateCols+` FROM recurring_templates WHERE tenant_id = ? ORDER BY name, id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	defer rows.Close()
	var out []billing.Template
	for rows.Next() {
		tp, err := scanTemplate(rows)
		if err != nil {
			return nil, fmt.Errorf("scan template: %w", err)
		}
		out = append(out, tp)
	}
	return out, rows.Err()
}

func (t *Invoices) DueTemplateIDs(ctx context.Context, tenantID string, today calendar.Date) ([]string, error) {
	rows, err := t.Query(ctx, `SELECT id FROM recurring_templates WHERE tenant_id = ? AND status = 'active' AND next_date <= ? ORDER BY next_date, id`,
		tenantID, dbtx.DateArg(today))
	if err != nil {
		return nil, fmt.Errorf("due templates: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func (t *Invoices) InsertAttachment(ctx context.Context, a billing.Attachment) error {
	_, err := t.Exec(ctx, `INSERT INTO attachments (tenant_id, id, invoice_id, filename, content_type, size, sha256, data, created_by, created_at)
		VALUES (?,?,?,?,?,?,?,?,?,?)`, a.TenantID, a.ID, a.InvoiceID, a.Filename, a.ContentType, a.Size, a.SHA256, a.Data, a.CreatedBy, t.D.TS(a.CreatedAt))
	if err != nil {
		return fmt.Errorf("insert attachment: %w", err)
	}
	return nil
}

func (t *Invoices) ListAttachments(ctx context.Context, tenantID, invoiceID string) ([]billing.Attachment, error) {
	rows, err := t.Query(ctx, `SELECT id, invoice_id, filename, content_type, size, sha256, created_by, created_at FROM attachments
		WHERE tenant_id = ? AND invoice_id = ? ORDER BY created_at, id`, tenantID, invoiceID)
	if err != nil {
		return nil, fmt.Errorf("list attachments: %w", err)
	}
	defer rows.Close()
	var out []billing.Attachment
	for rows.Next() {
		a := billing.Attachment{TenantID: tenantID}
		if err := rows.Scan(&a.ID, &a.InvoiceID, &a.Filename, &a.ContentType, &a.Size, &a.SHA256, &a.CreatedBy, dbtx.ScanTS(&a.CreatedAt)); err != nil {
			return nil, fmt.Errorf("scan attachment: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func (t *Invoices) GetAttachment(ctx context.Context, tenantID, invoiceID, id string) (billing.Attachment, error) {
	a := billing.Attachment{TenantID: tenantID}
	err := t.QueryRow(ctx, `SELECT id, invoice_id, filename, content_type, size, sha256, data, created_by, created_at FROM attachments
		WHERE tenant_id = ? AND invoice_id = ? AND id = ?`, tenantID, invoiceID, id).Scan(&a.ID, &a.InvoiceID, &a.Filename, &a.ContentType,
		&a.Size, &a.SHA256, &a.Data, &a.CreatedBy, dbtx.ScanTS(&a.CreatedAt))
	if dbtx.ErrNoRows(err) {
		return a, dbtx.NotFound("attachment", id)
	}
	if err != nil {
		return a, fmt.Errorf("get attachment: %w", err)
	}
	return a, nil
}

func (t *Invoices) DeleteAttachment(ctx context.Context, tenantID, invoiceID, id string) error {
	res, err := t.Exec(ctx, `DELETE FROM attachments WHERE tenant_id = ? AND invoice_id = ? AND id = ?`, tenantID, invoiceID, id)
	return dbtx.MustAffect(res, err, "attachment", id)
}
