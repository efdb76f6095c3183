package accounts

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/api/core"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/subscription"
)

func (h *Handlers) registerSubscriptions(api huma.API) {
	tags := []string{"Subscriptions"}
	type listIn struct {
		Customer string `query:"customer_id" doc:"One customer's subscriptions; a customer sees its own."`
	}
	core.Op(api, huma.Operation{OperationID: "list-subscriptions", Method: http.MethodGet, Path: "/api/v1/subscriptions", Summary: "List subscriptions", Tags: tags},
		func(ctx context.Context, p access.Principal, in *listIn) (*core.Body[core.List[subscription.Subscription]], error) {
			subs, err := h.Svc.ListSubscriptions(ctx, p, in.Customer)
			if err != nil {
				return nil, err
			}
			return core.ListOf(service.PageOf[subscription.Subscription]{Items: subs}, func(s subscription.Subscription) subscription.Subscription { return s }), nil
		})
	type createIn struct {
		core.IdempotencyHeader
		Body struct {
			CustomerID  string     `json:"customer_id"`
			Kind        string     `json:"kind" enum:"saas,resale,marketplace" doc:"Seed 003: the provider's own SaaS plan, a resale subscription or a marketplace app."`
			ProductID   string     `json:"product_id"`
			Description string     `json:"description,omitempty" maxLength:"1000" doc:"Default: the product's name."`
			Quantity    string     `json:"quantity" doc:"Decimal, e.g. \"25\"."`
			Price       *string    `json:"price,omitempty" doc:"Per unit and period; default: the product's price."`
			Interval    string     `json:"interval" enum:"monthly,quarterly,yearly"`
			StartDate   *core.Date `json:"start_date,omitempty" doc:"Default: today. Periods are billed in advance, each exactly once."`
		}
	}
	core.Op(api, huma.Operation{OperationID: "create-subscription", Method: http.MethodPost, Path: "/api/v1/subscriptions", Summary: "Subscribe a customer",
		Description: "Each period becomes a sales item (source subscription) on its first day, which the billing run invoices.", Tags: tags},
		func(ctx context.Context, p access.Principal, in *createIn) (*core.Body[subscription.Subscription], error) {
			b := in.Body
			si := service.SubscriptionInput{CustomerID: b.CustomerID, Kind: b.Kind, ProductID: b.ProductID, Description: b.Description,
				Quantity: b.Quantity, Price: b.Price, Interval: b.Interval}
			if b.StartDate != nil {
				si.Start = b.StartDate.Date
			}
			s, err := h.Svc.CreateSubscription(ctx, p, si)
			if err != nil {
				return nil, err
			}
			return &core.Body[subscription.Subscription]{Body: s}, nil
		})
	type idIn struct {
		ID string `path:"id"`
	}
	core.Op(api, huma.Operation{OperationID: "get-subscription", Method: http.MethodGet, Path: "/api/v1/subscriptions/{id}", Summary: "Get a subscription", Tags: tags},
		func(ctx context.Context, p access.Principal, in *idIn) (*core.Body[subscription.Subscription], error) {
			s, err := h.Svc.GetSubscription(ctx, p, in.ID)
			if err != nil {
				return nil, err
			}
			return &core.Body[subscription.Subscription]{Body: s}, nil
		})
	change := func(opID, path, summary, desc string, action string) {
		type changeIn struct {
			core.IdempotencyHeader
			ID   string `path:"id"`
			Body *struct {
				Quantity    string     `json:"quantity,omitempty" doc:"The new quantity (quantity changes)."`
				Effective   *core.Date `json:"effective,omitempty" doc:"The day a quantity change takes effect, within the period in progress; default today."`
				AtPeriodEnd bool       `json:"at_period_end,omitempty" doc:"Cancel at the end of the period already billed instead of now."`
			}
		}
		core.Op(api, huma.Operation{OperationID: opID, Method: http.MethodPost, Path: path, Summary: summary, Description: desc, Tags: tags,
			DefaultStatus: http.StatusOK},
			func(ctx context.Context, p access.Principal, in *changeIn) (*core.Body[subscription.Subscription], error) {
				ch := service.SubscriptionChange{Action: action}
				if in.Body != nil {
					ch.Quantity, ch.AtPeriodEnd = in.Body.Quantity, in.Body.AtPeriodEnd
					if in.Body.Effective != nil {
						ch.Effective = in.Body.Effective.Date
					}
				}
				s, err := h.Svc.ChangeSubscription(ctx, p, in.ID, ch)
				if err != nil {
					return nil, err
				}
				return &core.Body[subscription.Subscription]{Body: s}, nil
			})
	}
	change("change-subscription-quantity", "/api/v1/subscriptions/{id}/quantity", "Change a subscription's quantity",
		"Prorated by day: delta × price × days left in the period (the effective day included) / days in the period, rounded once to the currency; a decrease is a credit.", "quantity")
	change("pause-subscription", "/api/v1/subscriptions/{id}/pause", "Pause a subscription", "Periods starting while paused are not billed.", "pause")
	change("resume-subscription", "/api/v1/subscriptions/{id}/resume", "Resume a subscription", "The rest of the period in progress is charged by day.", "resume")
	change("cancel-subscription", "/api/v1/subscriptions/{id}/cancel", "Cancel a subscription",
		"Now (the unused days of the billed period are credited by day) or at period end.", "cancel")
}
