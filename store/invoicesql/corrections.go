package invoicesql

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/facturo/facturo/attachment"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store/dbtx"
	"github.com/facturo/facturo/store/enginesql"
	"github.com/facturo/facturo/store/sqlitesql"
)

func (t *Invoices) UpsertReasonCode(ctx context.Context, tenantID string, r billing.ReasonCode) error {
	err := enginesql.For(t.Tx).UpsertReasonCode(ctx, sqlitesql.UpsertReasonCodeParams{TenantID: tenantID, Code: r.Code,
		Description: r.Description, Archived: r.Archived})
	if err != nil {
		return fmt.Errorf("upsert reason code: %w", err)
	}
	return nil
}

func (t *Invoices) ListReasonCodes(ctx context.Context, tenantID string) ([]billing.ReasonCode, error) {
	rows, err := enginesql.For(t.Tx).ListReasonCodes(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list reason codes: %w", err)
	}
	out := make([]billing.ReasonCode, 0, len(rows))
	for _, r := range rows {
		out = append(out, billing.ReasonCode{Code: r.Code, Description: r.Description, Archived: r.Archived})
	}
	return out, nil
}

func (t *Invoices) AppendWorkflow(ctx context.Context, tenantID string, e service.WorkflowEvent) error {
	err := enginesql.For(t.Tx).AppendWorkflow(ctx, sqlitesql.AppendWorkflowParams{TenantID: tenantID, InvoiceID: e.InvoiceID,
		Action: e.Action, ActorID: e.ActorID, ActorName: e.ActorName, Comment: e.Comment, At: dbtx.TimeOf(e.At)})
	if err != nil {
		return fmt.Errorf("append workflow: %w", err)
	}
	return nil
}

func (t *Invoices) ListWorkflow(ctx context.Context, tenantID, invoiceID string) ([]service.WorkflowEvent, error) {
	rows, err := enginesql.For(t.Tx).ListWorkflow(ctx, sqlitesql.ListWorkflowParams{TenantID: tenantID, InvoiceID: invoiceID})
	if err != nil {
		return nil, fmt.Errorf("list workflow: %w", err)
	}
	out := make([]service.WorkflowEvent, 0, len(rows))
	for _, r := range rows {
		out = append(out, service.WorkflowEvent{InvoiceID: r.InvoiceID, Seq: int(r.Seq), Action: r.Action, ActorID: r.ActorID,
			ActorName: r.ActorName, Comment: r.Comment, At: r.At.UTC()})
	}
	return out, nil
}

// templateRow is a recurring template's columns as the generated queries
// write them.
func templateRow(tp billing.Template) (sqlitesql.InsertTemplateParams, error) {
	inv, err := json.Marshal(tp.Invoice)
	if err != nil {
		return sqlitesql.InsertTemplateParams{}, fmt.Errorf("marshal template: %w", err)
	}
	return sqlitesql.InsertTemplateParams{TenantID: tp.TenantID, ID: tp.ID, Name: tp.Name, CustomerID: tp.CustomerID,
		Interval: string(tp.Interval), StartDate: dbtx.DateText(tp.Start), EndDate: dbtx.NDateText(tp.End), NextDate: dbtx.DateText(tp.Next),
		AutoIssue: tp.AutoIssue, Status: tp.Status, Invoice: string(inv), CreatedAt: dbtx.TimeOf(tp.CreatedAt), UpdatedAt: dbtx.TimeOf(tp.UpdatedAt)}, nil
}

// templateOf is the recurring template a row holds.
func templateOf(r sqlitesql.RecurringTemplate) (billing.Template, error) {
	var p dbtx.Parse
	tp := billing.Template{TenantID: r.TenantID, ID: r.ID, Name: r.Name, CustomerID: r.CustomerID, Interval: billing.Interval(r.Interval),
		Start: p.Date(r.StartDate), End: p.NDate(r.EndDate), Next: p.Date(r.NextDate), AutoIssue: r.AutoIssue, Status: r.Status,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	if p.Err != nil {
		return tp, fmt.Errorf("template %s: %w", r.ID, p.Err)
	}
	if err := json.Unmarshal([]byte(r.Invoice), &tp.Invoice); err != nil {
		return tp, fmt.Errorf("template %s: %w", tp.ID, err)
	}
	return tp, nil
}

func (t *Invoices) InsertTemplate(ctx context.Context, tp billing.Template) error {
	row, err := templateRow(tp)
	if err != nil {
		return err
	}
	if err := enginesql.For(t.Tx).InsertTemplate(ctx, row); err != nil {
		return fmt.Errorf("insert template: %w", err)
	}
	return nil
}

func (t *Invoices) UpdateTemplate(ctx context.Context, tp billing.Template) error {
	r, err := templateRow(tp)
	if err != nil {
		return err
	}
	n, err := enginesql.For(t.Tx).UpdateTemplate(ctx, sqlitesql.UpdateTemplateParams{Name: r.Name, CustomerID: r.CustomerID,
		Interval: r.Interval, StartDate: r.StartDate, EndDate: r.EndDate, NextDate: r.NextDate, AutoIssue: r.AutoIssue, Status: r.Status,
		Invoice: r.Invoice, UpdatedAt: r.UpdatedAt, TenantID: r.TenantID, ID: r.ID})
	return dbtx.MustAffectRows(n, err, "recurring template", tp.ID)
}

func (t *Invoices) gotTemplate(r sqlitesql.RecurringTemplate, err error, id string) (billing.Template, error) {
	if dbtx.ErrNoRows(err) {
		return billing.Template{}, dbtx.NotFound("recurring template", id)
	}
	if err != nil {
		return billing.Template{}, fmt.Errorf("get template: %w", err)
	}
	return templateOf(r)
}

func (t *Invoices) GetTemplate(ctx context.Context, tenantID, id string) (billing.Template, error) {
	r, err := enginesql.For(t.Tx).GetTemplate(ctx, sqlitesql.GetTemplateParams{TenantID: tenantID, ID: id})
	return t.gotTemplate(r, err, id)
}

func (t *Invoices) GetTemplateForUpdate(ctx context.Context, tenantID, id string) (billing.Template, error) {
	r, err := enginesql.For(t.Tx).GetTemplateForUpdate(ctx, sqlitesql.GetTemplateForUpdateParams{TenantID: tenantID, ID: id})
	return t.gotTemplate(r, err, id)
}

func (t *Invoices) ListTemplates(ctx context.Context, tenantID string) ([]billing.Template, error) {
	rows, err := enginesql.For(t.Tx).ListTemplates(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	return dbtx.Map(rows, templateOf)
}

func (t *Invoices) DueTemplateIDs(ctx context.Context, tenantID string, today calendar.Date) ([]string, error) {
	ids, err := enginesql.For(t.Tx).DueTemplateIDs(ctx, sqlitesql.DueTemplateIDsParams{TenantID: tenantID, Today: dbtx.DateText(today)})
	if err != nil {
		return nil, fmt.Errorf("due templates: %w", err)
	}
	return ids, nil
}

func (t *Invoices) InsertAttachment(ctx context.Context, a attachment.Attachment) error {
	err := enginesql.For(t.Tx).InsertAttachment(ctx, sqlitesql.InsertAttachmentParams{TenantID: a.TenantID, ID: a.ID, InvoiceID: a.InvoiceID,
		Filename: a.Filename, ContentType: a.ContentType, Size: int64(a.Size), Sha256: a.SHA256, Data: a.Data, CreatedBy: a.CreatedBy,
		CreatedAt: dbtx.TimeOf(a.CreatedAt)})
	if err != nil {
		return fmt.Errorf("insert attachment: %w", err)
	}
	return nil
}

func (t *Invoices) ListAttachments(ctx context.Context, tenantID, invoiceID string) ([]attachment.Attachment, error) {
	rows, err := enginesql.For(t.Tx).ListAttachments(ctx, sqlitesql.ListAttachmentsParams{TenantID: tenantID, InvoiceID: invoiceID})
	if err != nil {
		return nil, fmt.Errorf("list attachments: %w", err)
	}
	out := make([]attachment.Attachment, 0, len(rows))
	for _, r := range rows {
		out = append(out, attachment.Attachment{TenantID: tenantID, ID: r.ID, InvoiceID: r.InvoiceID, Filename: r.Filename,
			ContentType: r.ContentType, Size: int(r.Size), SHA256: r.Sha256, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC()})
	}
	return out, nil
}

func (t *Invoices) GetAttachment(ctx context.Context, tenantID, invoiceID, id string) (attachment.Attachment, error) {
	r, err := enginesql.For(t.Tx).GetAttachment(ctx, sqlitesql.GetAttachmentParams{TenantID: tenantID, InvoiceID: invoiceID, ID: id})
	if dbtx.ErrNoRows(err) {
		return attachment.Attachment{}, dbtx.NotFound("attachment", id)
	}
	if err != nil {
		return attachment.Attachment{}, fmt.Errorf("get attachment: %w", err)
	}
	return attachment.Attachment{TenantID: tenantID, ID: r.ID, InvoiceID: r.InvoiceID, Filename: r.Filename, ContentType: r.ContentType,
		Size: int(r.Size), SHA256: r.Sha256, Data: r.Data, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC()}, nil
}

func (t *Invoices) DeleteAttachment(ctx context.Context, tenantID, invoiceID, id string) error {
	n, err := enginesql.For(t.Tx).DeleteAttachment(ctx, sqlitesql.DeleteAttachmentParams{TenantID: tenantID, InvoiceID: invoiceID, ID: id})
	return dbtx.MustAffectRows(n, err, "attachment", id)
}
