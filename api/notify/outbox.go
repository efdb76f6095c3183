package notify

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/api/core"
	"github.com/facturo/facturo/service"
)

// registerOutbox adds the email outbox: staff read what was, will be or
// could not be sent, and retry failures.
func (h *Handlers) registerOutbox(api huma.API) {
	tags := []string{"Email outbox"}
	type listIn struct {
		core.PageParams
		Status   string `query:"status" doc:"Only messages in this status."`
		Kind     string `query:"kind" doc:"Only messages of this kind, e.g. invoice.published."`
		TargetID string `query:"target_id" doc:"Only messages about this document (inv_…)."`
	}
	core.Op(api, huma.Operation{OperationID: "list-outbox", Method: http.MethodGet, Path: "/api/v1/outbox", Summary: "List outbox messages",
		Description: "Customer emails, newest first: queued (waiting, or retrying at next_attempt_at), sent, failed (after every attempt) or skipped (e.g. no recipient; last_error says why).",
		Tags:        tags},
		func(ctx context.Context, p access.Principal, in *listIn) (*core.Body[core.List[service.Notification]], error) {
			page, err := h.Svc.ListOutbox(ctx, p, service.OutboxFilter{Status: in.Status, Kind: in.Kind, TargetID: in.TargetID, Page: in.Page()})
			if err != nil {
				return nil, err
			}
			return core.ListOf(page, func(n service.Notification) service.Notification { return n }), nil
		})
	type idIn struct {
		ID string `path:"id"`
	}
	core.Op(api, huma.Operation{OperationID: "get-outbox-message", Method: http.MethodGet, Path: "/api/v1/outbox/{id}", Summary: "Read an outbox message",
		Description: "The message with its subject and body rendered in the recipient's language, and the names of its attachments.", Tags: tags},
		func(ctx context.Context, p access.Principal, in *idIn) (*core.Body[service.OutboxMessage], error) {
			m, err := h.Svc.GetOutboxMessage(ctx, p, in.ID)
			if err != nil {
				return nil, err
			}
			return &core.Body[service.OutboxMessage]{Body: m}, nil
		})
	type retryIn struct {
		core.IdempotencyHeader
		ID string `path:"id"`
	}
	core.Op(api, huma.Operation{OperationID: "retry-outbox-message", Method: http.MethodPost, Path: "/api/v1/outbox/{id}/retry", Summary: "Retry a failed or skipped message",
		Description: "Queues the message again with a fresh attempt count; a message skipped for want of a recipient takes the customer's current billing email. Other statuses are 409.",
		Tags:        tags, DefaultStatus: http.StatusOK},
		func(ctx context.Context, p access.Principal, in *retryIn) (*core.Body[service.Notification], error) {
			n, err := h.Svc.RetryNotification(ctx, p, in.ID)
			if err != nil {
				return nil, err
			}
			return &core.Body[service.Notification]{Body: n}, nil
		})
}
