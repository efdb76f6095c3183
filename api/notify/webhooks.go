package notify

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/api/core"
	"github.com/facturo/facturo/service"
)

// WebhookEndpoint is an endpoint as the API shows it. Secret is only set in
// the response that creates it.
type WebhookEndpoint struct {
	ID          string    `json:"id"`
	URL         string    `json:"url"`
	Description string    `json:"description"`
	Events      []string  `json:"events"`
	Enabled     bool      `json:"enabled"`
	Secret      string    `json:"secret,omitempty" doc:"The signing secret (whsec_…), shown once, at creation: store it to verify webhook-signature."`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func endpointOut(e service.WebhookEndpoint) WebhookEndpoint {
	return WebhookEndpoint{ID: e.ID, URL: e.URL, Description: e.Description, Events: e.Events, Enabled: e.Enabled,
		CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt}
}

// WebhookEndpointInput creates or changes an endpoint; omitted fields stay.
type WebhookEndpointInput struct {
	URL         *string  `json:"url,omitempty" maxLength:"2000" doc:"http:// or https:// address receiving POSTs."`
	Description *string  `json:"description,omitempty" maxLength:"500"`
	Events      []string `json:"events,omitempty" maxItems:"50" doc:"Event filters: * (every event), a group (invoice.*, payment.*, wallet.*, sales_item.*, billing_run.*) or one type (invoice.issued). Default on creation: [\"*\"]."`
	Enabled     *bool    `json:"enabled,omitempty" doc:"A disabled endpoint gets no new events; pending ones wait until it is enabled again."`
}

func (in WebhookEndpointInput) toService() service.WebhookEndpointInput {
	return service.WebhookEndpointInput{URL: in.URL, Description: in.Description, Events: in.Events, Enabled: in.Enabled}
}

// registerWebhooks adds webhook endpoints and their delivery log.
func (h *Handlers) registerWebhooks(api huma.API) {
	tags := []string{"Webhooks"}
	desc := "Events are signed per Standard Webhooks: headers webhook-id (the event id, the same on every retry), webhook-timestamp (Unix seconds) and " +
		"webhook-signature (v1,<base64 HMAC-SHA256 of id.timestamp.body> keyed by the base64 part of the secret). A delivery is retried with " +
		"exponential backoff until the endpoint answers 2xx; redirects are not followed."
	type createIn struct {
		core.IdempotencyHeader
		Body WebhookEndpointInput
	}
	core.Op(api, huma.Operation{OperationID: "create-webhook-endpoint", Method: http.MethodPost, Path: "/api/v1/webhook-endpoints", Summary: "Add a webhook endpoint",
		Description: desc, Tags: tags},
		func(ctx context.Context, p access.Principal, in *createIn) (*core.Body[WebhookEndpoint], error) {
			e, err := h.Svc.CreateWebhookEndpoint(ctx, p, in.Body.toService())
			if err != nil {
				return nil, err
			}
			out := endpointOut(e)
			out.Secret = e.Secret
			return &core.Body[WebhookEndpoint]{Body: out}, nil
		})
	core.Op(api, huma.Operation{OperationID: "list-webhook-endpoints", Method: http.MethodGet, Path: "/api/v1/webhook-endpoints", Summary: "List webhook endpoints", Tags: tags},
		func(ctx context.Context, p access.Principal, _ *struct{}) (*core.Body[core.List[WebhookEndpoint]], error) {
			es, err := h.Svc.ListWebhookEndpoints(ctx, p)
			if err != nil {
				return nil, err
			}
			return core.ListOf(service.PageOf[service.WebhookEndpoint]{Items: es}, endpointOut), nil
		})
	type idIn struct {
		ID string `path:"id"`
	}
	core.Op(api, huma.Operation{OperationID: "get-webhook-endpoint", Method: http.MethodGet, Path: "/api/v1/webhook-endpoints/{id}", Summary: "Get a webhook endpoint", Tags: tags},
		func(ctx context.Context, p access.Principal, in *idIn) (*core.Body[WebhookEndpoint], error) {
			e, err := h.Svc.GetWebhookEndpoint(ctx, p, in.ID)
			if err != nil {
				return nil, err
			}
			return &core.Body[WebhookEndpoint]{Body: endpointOut(e)}, nil
		})
	type updateIn struct {
		ID   string `path:"id"`
		Body WebhookEndpointInput
	}
	core.Op(api, huma.Operation{OperationID: "update-webhook-endpoint", Method: http.MethodPatch, Path: "/api/v1/webhook-endpoints/{id}", Summary: "Change, enable or disable a webhook endpoint", Tags: tags},
		func(ctx context.Context, p access.Principal, in *updateIn) (*core.Body[WebhookEndpoint], error) {
			e, err := h.Svc.UpdateWebhookEndpoint(ctx, p, in.ID, in.Body.toService())
			if err != nil {
				return nil, err
			}
			return &core.Body[WebhookEndpoint]{Body: endpointOut(e)}, nil
		})
	core.Op(api, huma.Operation{OperationID: "delete-webhook-endpoint", Method: http.MethodDelete, Path: "/api/v1/webhook-endpoints/{id}", Summary: "Remove a webhook endpoint",
		Tags: tags, DefaultStatus: http.StatusNoContent},
		func(ctx context.Context, p access.Principal, in *idIn) (*core.Empty, error) {
			return &core.Empty{}, h.Svc.DeleteWebhookEndpoint(ctx, p, in.ID)
		})
	type logIn struct {
		core.PageParams
		ID string `path:"id"`
	}
	core.Op(api, huma.Operation{OperationID: "list-webhook-attempts", Method: http.MethodGet, Path: "/api/v1/webhook-endpoints/{id}/attempts", Summary: "An endpoint's delivery log",
		Description: "Every attempt, newest first: event, attempt number, response status code (0 when none came), error and duration.", Tags: tags},
		func(ctx context.Context, p access.Principal, in *logIn) (*core.Body[core.List[service.WebhookAttempt]], error) {
			page, err := h.Svc.ListWebhookAttempts(ctx, p, in.ID, in.Page())
			if err != nil {
				return nil, err
			}
			return core.ListOf(page, func(a service.WebhookAttempt) service.WebhookAttempt { return a }), nil
		})
	type deliveriesIn struct {
		core.PageParams
		ID     string `path:"id"`
		Status string `query:"status" doc:"Only deliveries in this status."`
	}
	core.Op(api, huma.Operation{OperationID: "list-webhook-deliveries", Method: http.MethodGet, Path: "/api/v1/webhook-endpoints/{id}/deliveries", Summary: "An endpoint's deliveries",
		Description: "One per event sent to the endpoint, newest first: pending (next_attempt_at), succeeded or failed (after every attempt).", Tags: tags},
		func(ctx context.Context, p access.Principal, in *deliveriesIn) (*core.Body[core.List[service.WebhookDelivery]], error) {
			page, err := h.Svc.ListWebhookDeliveries(ctx, p, in.ID, in.Status, in.Page())
			if err != nil {
				return nil, err
			}
			return core.ListOf(page, func(d service.WebhookDelivery) service.WebhookDelivery { return d }), nil
		})
	type retryIn struct {
		core.IdempotencyHeader
		ID string `path:"id"`
	}
	core.Op(api, huma.Operation{OperationID: "retry-webhook-delivery", Method: http.MethodPost, Path: "/api/v1/webhook-deliveries/{id}/retry", Summary: "Retry a failed delivery",
		Description: "Posts the event to its endpoint again, with a fresh attempt count, as soon as a worker takes it: for when the endpoint's owner fixed what refused it. " +
			"Only failed deliveries of an enabled endpoint can be retried; others are 409.",
		Tags: tags, DefaultStatus: http.StatusOK},
		func(ctx context.Context, p access.Principal, in *retryIn) (*core.Body[service.WebhookDelivery], error) {
			d, err := h.Svc.RetryWebhookDelivery(ctx, p, in.ID)
			if err != nil {
				return nil, err
			}
			return &core.Body[service.WebhookDelivery]{Body: d}, nil
		})
}
