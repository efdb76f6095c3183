package invoicing

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/api/core"
	"github.com/facturo/facturo/attachment"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/service"
)

// Template is a recurring invoice template as the API shows it.
type Template struct {
	ID         string        `json:"id"`
	Name       string        `json:"name"`
	CustomerID string        `json:"customer_id"`
	Interval   string        `json:"interval" enum:"monthly,quarterly,yearly"`
	StartDate  core.Date     `json:"start_date"`
	EndDate    *core.Date    `json:"end_date"`
	NextDate   core.Date     `json:"next_date"`
	AutoIssue  bool          `json:"auto_issue"`
	Status     string        `json:"status" enum:"active,paused,ended"`
	Provider   string        `json:"provider"`
	Currency   string        `json:"currency"`
	Lines      []InvoiceLine `json:"lines"`
}

func templateOut(t billing.Template) Template {
	inv := billing.Invoice{Currency: t.Invoice.Currency, Lines: t.Invoice.Lines}
	lines := InvoiceOut(inv, true, DocContext{}).Lines
	return Template{ID: t.ID, Name: t.Name, CustomerID: t.CustomerID, Interval: string(t.Interval), StartDate: core.Date{Date: t.Start},
		EndDate: core.DateOrNil(t.End), NextDate: core.Date{Date: t.Next}, AutoIssue: t.AutoIssue, Status: t.Status, Provider: t.Invoice.Provider,
		Currency: t.Invoice.Currency, Lines: lines}
}

// TemplateInput creates or changes a template; omitted fields stay.
type TemplateInput struct {
	Name       *string       `json:"name,omitempty" maxLength:"200"`
	CustomerID *string       `json:"customer_id,omitempty"`
	Interval   *string       `json:"interval,omitempty" enum:"monthly,quarterly,yearly"`
	StartDate  *core.Date    `json:"start_date,omitempty"`
	EndDate    *core.Date    `json:"end_date,omitempty"`
	AutoIssue  *bool         `json:"auto_issue,omitempty" doc:"Issue each document at once instead of leaving a draft (not with the approval workflow on)."`
	Status     *string       `json:"status,omitempty" enum:"active,paused,ended" doc:"Pause, resume or end the template."`
	Invoice    *InvoiceInput `json:"invoice,omitempty" doc:"Lines and header fields each document copies."`
}

func (in TemplateInput) toService() service.TemplateInput {
	out := service.TemplateInput{Name: in.Name, CustomerID: in.CustomerID, Interval: in.Interval, Start: core.OptionalDate(in.StartDate),
		End: core.OptionalDate(in.EndDate), AutoIssue: in.AutoIssue, Status: in.Status}
	if in.Invoice != nil {
		inv := in.Invoice.toService()
		out.Invoice = &inv
	}
	return out
}

func (h *Handlers) registerCorrections(api huma.API) {
	tags := []string{"Invoices"}
	type idIn struct {
		ID string `path:"id"`
	}
	type correctIn struct {
		core.IdempotencyHeader
		ID   string `path:"id"`
		Body struct {
			ReasonCode string `json:"reason_code" doc:"One of GET /api/v1/reason-codes."`
			Comment    string `json:"comment,omitempty" maxLength:"1000"`
		}
	}
	type correctOut struct {
		Original    Invoice `json:"original"`
		CreditNote  Invoice `json:"credit_note"`
		Replacement Invoice `json:"replacement"`
	}
	core.Op(api, huma.Operation{OperationID: "correct-invoice", Method: http.MethodPost, Path: "/api/v1/invoices/{id}/correct", Summary: "Correct a posted invoice",
		Description: "Seed 004's correction: a credit note reversing the invoice in full is issued and posted, and a new draft copied from it is created for the corrected values; the three link to each other.",
		Tags:        tags},
		func(ctx context.Context, p access.Principal, in *correctIn) (*core.Body[correctOut], error) {
			c, err := h.Svc.CorrectInvoice(ctx, p, in.ID, in.Body.ReasonCode, in.Body.Comment)
			if err != nil {
				return nil, err
			}
			dc, err := DocContextOf(ctx, h.Svc, p)
			if err != nil {
				return nil, err
			}
			return &core.Body[correctOut]{Body: correctOut{Original: InvoiceOut(c.Original, true, dc), CreditNote: InvoiceOut(c.CreditNote, true, dc),
				Replacement: InvoiceOut(c.Replacement, true, dc)}}, nil
		})
	type stepIn struct {
		core.IdempotencyHeader
		ID string `path:"id"`
		// Optional: a step needs no body unless it carries a comment.
		Body *struct {
			Comment string `json:"comment,omitempty" maxLength:"1000"`
		}
	}
	steps := []struct {
		name, summary string
		fn            func(context.Context, access.Principal, string, string) (billing.Invoice, error)
	}{
		{"submit", "Submit a draft for approval", h.Svc.SubmitInvoice},
		{"approve", "Approve a submitted draft", h.Svc.ApproveInvoice},
		{"reject", "Reject a submitted draft (comment required)", h.Svc.RejectInvoice},
	}
	for _, st := range steps {
		core.Op(api, huma.Operation{OperationID: st.name + "-invoice", Method: http.MethodPost, Path: "/api/v1/invoices/{id}/" + st.name,
			Summary: st.summary, Tags: tags, DefaultStatus: http.StatusOK},
			func(ctx context.Context, p access.Principal, in *stepIn) (*core.Body[Invoice], error) {
				comment := ""
				if in.Body != nil {
					comment = in.Body.Comment
				}
				inv, err := st.fn(ctx, p, in.ID, comment)
				return h.invoiceBody(ctx, p, inv, err)
			})
	}
	core.Op(api, huma.Operation{OperationID: "get-invoice-workflow", Method: http.MethodGet, Path: "/api/v1/invoices/{id}/workflow", Summary: "Approval history", Tags: tags},
		func(ctx context.Context, p access.Principal, in *idIn) (*core.Body[core.List[service.WorkflowEvent]], error) {
			ev, err := h.Svc.InvoiceWorkflow(ctx, p, in.ID)
			if err != nil {
				return nil, err
			}
			return core.ListOf(service.PageOf[service.WorkflowEvent]{Items: ev}, func(e service.WorkflowEvent) service.WorkflowEvent { return e }), nil
		})

	settings := []string{"Settings"}
	core.Op(api, huma.Operation{OperationID: "list-reason-codes", Method: http.MethodGet, Path: "/api/v1/reason-codes", Summary: "Correction reason codes", Tags: settings},
		func(ctx context.Context, p access.Principal, _ *struct{}) (*core.Body[core.List[billing.ReasonCode]], error) {
			rs, err := h.Svc.ListReasonCodes(ctx, p)
			if err != nil {
				return nil, err
			}
			return core.ListOf(service.PageOf[billing.ReasonCode]{Items: rs}, func(r billing.ReasonCode) billing.ReasonCode { return r }), nil
		})
	type reasonIn struct {
		Code string `path:"code"`
		Body struct {
			Description string `json:"description" maxLength:"200"`
			Archived    bool   `json:"archived,omitempty"`
		}
	}
	core.Op(api, huma.Operation{OperationID: "put-reason-code", Method: http.MethodPut, Path: "/api/v1/reason-codes/{code}", Summary: "Create or change a reason code", Tags: settings},
		func(ctx context.Context, p access.Principal, in *reasonIn) (*core.Body[billing.ReasonCode], error) {
			r, err := h.Svc.UpsertReasonCode(ctx, p, billing.ReasonCode{Code: in.Code, Description: in.Body.Description, Archived: in.Body.Archived})
			if err != nil {
				return nil, err
			}
			return &core.Body[billing.ReasonCode]{Body: r}, nil
		})
	type approvalIn struct {
		Body struct {
			ApprovalRequired bool `json:"approval_required"`
		}
	}
	core.Op(api, huma.Operation{OperationID: "set-approval-workflow", Method: http.MethodPut, Path: "/api/v1/approval-workflow", Summary: "Require approval before issuing",
		Tags: settings, DefaultStatus: http.StatusNoContent},
		func(ctx context.Context, p access.Principal, in *approvalIn) (*core.Empty, error) {
			_, err := h.Svc.SetApprovalRequired(ctx, p, in.Body.ApprovalRequired)
			return &core.Empty{}, err
		})

	rec := []string{"Recurring invoices"}
	core.Op(api, huma.Operation{OperationID: "list-recurring-invoices", Method: http.MethodGet, Path: "/api/v1/recurring-invoices", Summary: "List recurring templates", Tags: rec},
		func(ctx context.Context, p access.Principal, _ *struct{}) (*core.Body[core.List[Template]], error) {
			ts, err := h.Svc.ListTemplates(ctx, p)
			if err != nil {
				return nil, err
			}
			return core.ListOf(service.PageOf[billing.Template]{Items: ts}, templateOut), nil
		})
	type createTpl struct {
		core.IdempotencyHeader
		Body TemplateInput
	}
	core.Op(api, huma.Operation{OperationID: "create-recurring-invoice", Method: http.MethodPost, Path: "/api/v1/recurring-invoices", Summary: "Create a recurring template", Tags: rec},
		func(ctx context.Context, p access.Principal, in *createTpl) (*core.Body[Template], error) {
			t, err := h.Svc.CreateTemplate(ctx, p, in.Body.toService())
			if err != nil {
				return nil, err
			}
			return &core.Body[Template]{Body: templateOut(t)}, nil
		})
	core.Op(api, huma.Operation{OperationID: "get-recurring-invoice", Method: http.MethodGet, Path: "/api/v1/recurring-invoices/{id}", Summary: "Get a recurring template", Tags: rec},
		func(ctx context.Context, p access.Principal, in *idIn) (*core.Body[Template], error) {
			t, err := h.Svc.GetTemplate(ctx, p, in.ID)
			if err != nil {
				return nil, err
			}
			return &core.Body[Template]{Body: templateOut(t)}, nil
		})
	type patchTpl struct {
		ID   string `path:"id"`
		Body TemplateInput
	}
	core.Op(api, huma.Operation{OperationID: "update-recurring-invoice", Method: http.MethodPatch, Path: "/api/v1/recurring-invoices/{id}", Summary: "Change, pause, resume or end a template", Tags: rec},
		func(ctx context.Context, p access.Principal, in *patchTpl) (*core.Body[Template], error) {
			t, err := h.Svc.UpdateTemplate(ctx, p, in.ID, in.Body.toService())
			if err != nil {
				return nil, err
			}
			return &core.Body[Template]{Body: templateOut(t)}, nil
		})

	type attachIn struct {
		core.IdempotencyHeader
		ID          string `path:"id"`
		Filename    string `query:"filename" doc:"The file's name."`
		ContentType string `header:"Content-Type" doc:"The file's type; checked against its bytes."`
		RawBody     []byte `contentType:"application/octet-stream"`
	}
	core.Op(api, huma.Operation{OperationID: "add-attachment", Method: http.MethodPost, Path: "/api/v1/invoices/{id}/attachments", Summary: "Attach a file",
		Description: fmt.Sprintf("Send the file as the body with its Content-Type (one of %s), at most %d MiB.", strings.Join(attachment.Types, ", "), attachment.MaxBytes>>20),
		Tags:        tags, MaxBodyBytes: attachment.MaxBytes + 1, SkipValidateBody: true, Metadata: map[string]any{"bodyField": "file"}},
		func(ctx context.Context, p access.Principal, in *attachIn) (*core.Body[attachment.Attachment], error) {
			a, err := h.Svc.AddAttachment(ctx, p, in.ID, in.Filename, in.ContentType, in.RawBody)
			if err != nil {
				return nil, err
			}
			return &core.Body[attachment.Attachment]{Body: a}, nil
		})
	core.Op(api, huma.Operation{OperationID: "list-attachments", Method: http.MethodGet, Path: "/api/v1/invoices/{id}/attachments", Summary: "List attachments", Tags: tags},
		func(ctx context.Context, p access.Principal, in *idIn) (*core.Body[core.List[attachment.Attachment]], error) {
			as, err := h.Svc.ListAttachments(ctx, p, in.ID)
			if err != nil {
				return nil, err
			}
			return core.ListOf(service.PageOf[attachment.Attachment]{Items: as}, func(a attachment.Attachment) attachment.Attachment { return a }), nil
		})
	type attIn struct {
		ID           string `path:"id"`
		AttachmentID string `path:"attachment_id"`
	}
	type fileOut struct {
		ContentType        string `header:"Content-Type"`
		ContentDisposition string `header:"Content-Disposition"`
		Body               []byte
	}
	core.Op(api, huma.Operation{OperationID: "download-attachment", Method: http.MethodGet, Path: "/api/v1/invoices/{id}/attachments/{attachment_id}", Summary: "Download an attachment", Tags: tags},
		func(ctx context.Context, p access.Principal, in *attIn) (*fileOut, error) {
			a, err := h.Svc.GetAttachment(ctx, p, in.ID, in.AttachmentID)
			if err != nil {
				return nil, err
			}
			return &fileOut{ContentType: a.ContentType, ContentDisposition: fmt.Sprintf("attachment; filename=%q", a.Filename), Body: a.Data}, nil
		})
	core.Op(api, huma.Operation{OperationID: "delete-attachment", Method: http.MethodDelete, Path: "/api/v1/invoices/{id}/attachments/{attachment_id}", Summary: "Remove an attachment from a draft",
		Tags: tags, DefaultStatus: http.StatusNoContent},
		func(ctx context.Context, p access.Principal, in *attIn) (*core.Empty, error) {
			return &core.Empty{}, h.Svc.DeleteAttachment(ctx, p, in.ID, in.AttachmentID)
		})
}
