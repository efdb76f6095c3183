package accounts

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/api/core"
	"github.com/facturo/facturo/service"
)

// PaymentMethod is a card on file: brand, last four digits and expiry; the
// card number is never stored.
type PaymentMethod struct {
	ID         string    `json:"id"`
	CustomerID string    `json:"customer_id"`
	Provider   string    `json:"provider"`
	Brand      string    `json:"brand"`
	Last4      string    `json:"last4"`
	ExpMonth   int       `json:"exp_month"`
	ExpYear    int       `json:"exp_year"`
	Primary    bool      `json:"primary"`
	CreatedAt  time.Time `json:"created_at"`
}

func paymentMethodOut(m service.PaymentMethod) PaymentMethod {
	return PaymentMethod{ID: m.ID, CustomerID: m.CustomerID, Provider: m.Provider, Brand: m.Brand, Last4: m.Last4,
		ExpMonth: m.ExpMonth, ExpYear: m.ExpYear, Primary: m.Primary, CreatedAt: m.CreatedAt}
}

func (h *Handlers) registerPaymentMethods(api huma.API) {
	tags := []string{"Payments"}
	type custIn struct {
		ID string `path:"id"`
	}
	core.Op(api, huma.Operation{OperationID: "list-payment-methods", Method: http.MethodGet, Path: "/api/v1/customers/{id}/payment-methods",
		Summary: "List a customer's cards", Description: "The primary card first. Customers see their own.", Tags: tags},
		func(ctx context.Context, p access.Principal, in *custIn) (*core.Body[[]PaymentMethod], error) {
			ms, err := h.Svc.ListPaymentMethods(ctx, p, in.ID)
			if err != nil {
				return nil, err
			}
			out := make([]PaymentMethod, 0, len(ms))
			for _, m := range ms {
				out = append(out, paymentMethodOut(m))
			}
			return &core.Body[[]PaymentMethod]{Body: out}, nil
		})
	type addIn struct {
		core.IdempotencyHeader
		ID   string `path:"id"`
		Body struct {
			Card     string `json:"card" maxLength:"255" doc:"A card token from the payment provider (Stripe: pm_… or tok_…, e.g. the payment method of a confirmed setup-payment-method); with the test provider, a test card number such as 4242424242424242. Never stored; any other provider refuses a card number (422)."`
			ExpMonth int    `json:"exp_month,omitempty" minimum:"0" maximum:"12" doc:"Expiry month, when the provider does not tell it."`
			ExpYear  int    `json:"exp_year,omitempty" minimum:"0" maximum:"2100"`
			Primary  bool   `json:"primary,omitempty" doc:"Make it the primary card (a customer's first card always is)."`
		}
	}
	core.Op(api, huma.Operation{OperationID: "add-payment-method", Method: http.MethodPost, Path: "/api/v1/customers/{id}/payment-methods",
		Summary: "Add a card", Description: "A card the provider refuses (declined, expired) is 402 and nothing is stored.", Tags: tags,
		Errors: []int{http.StatusPaymentRequired}},
		func(ctx context.Context, p access.Principal, in *addIn) (*core.Body[PaymentMethod], error) {
			m, err := h.Svc.AddPaymentMethod(ctx, p, in.ID, service.NewPaymentMethod{Card: in.Body.Card, ExpMonth: in.Body.ExpMonth,
				ExpYear: in.Body.ExpYear, Primary: in.Body.Primary, IdempotencyKey: in.IdempotencyKey})
			if err != nil {
				return nil, err
			}
			return &core.Body[PaymentMethod]{Body: paymentMethodOut(m)}, nil
		})
	core.Op(api, huma.Operation{OperationID: "setup-payment-method", Method: http.MethodPost, Path: "/api/v1/customers/{id}/payment-methods/setup",
		Summary: "Start card entry in the browser", Description: "For a front end that takes the card with the provider's own script: " +
			"with Stripe, a SetupIntent for off-session use (for the customer's Stripe customer once a card created one) whose client_secret " +
			"Stripe.js confirms with stripe.confirmCardSetup (3-D Secure included); post the resulting pm_… id to add-payment-method. " +
			"Nothing is stored. The test provider answers a stand-in secret.", DefaultStatus: http.StatusOK, Tags: tags},
		func(ctx context.Context, p access.Principal, in *custIn) (*core.Body[service.CardSetup], error) {
			setup, err := h.Svc.SetupCard(ctx, p, in.ID)
			if err != nil {
				return nil, err
			}
			return &core.Body[service.CardSetup]{Body: setup}, nil
		})
	type pmIn struct {
		core.IdempotencyHeader
		ID     string `path:"id"`
		Method string `path:"payment_method_id"`
	}
	core.Op(api, huma.Operation{OperationID: "remove-payment-method", Method: http.MethodDelete, Path: "/api/v1/customers/{id}/payment-methods/{payment_method_id}",
		Summary: "Remove a card", DefaultStatus: http.StatusNoContent, Tags: tags},
		func(ctx context.Context, p access.Principal, in *pmIn) (*core.Empty, error) {
			return &core.Empty{}, h.Svc.RemovePaymentMethod(ctx, p, in.ID, in.Method)
		})
	core.Op(api, huma.Operation{OperationID: "set-primary-payment-method", Method: http.MethodPost, Path: "/api/v1/customers/{id}/payment-methods/{payment_method_id}/primary",
		Summary: "Make a card the primary card", DefaultStatus: http.StatusOK, Tags: tags},
		func(ctx context.Context, p access.Principal, in *pmIn) (*core.Body[PaymentMethod], error) {
			m, err := h.Svc.SetPrimaryPaymentMethod(ctx, p, in.ID, in.Method)
			if err != nil {
				return nil, err
			}
			return &core.Body[PaymentMethod]{Body: paymentMethodOut(m)}, nil
		})
}
