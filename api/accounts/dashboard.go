package accounts

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/api/core"
	"github.com/facturo/facturo/api/invoicing"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/subscription"
	"github.com/facturo/facturo/wallet"
)

// meCustomer is the customer id of a portal principal, or an error for staff.
func meCustomer(p access.Principal) (string, error) {
	if own, scoped := p.CustomerScope(); !scoped || own == "" {
		if p.TenantID == "" {
			return "", fail.Newf(fail.Unauthenticated, "sign in or send an API key")
		}
		return "", fail.Forbiddenf("the %s role has no account of its own here: /api/v1/me/… is for a customer's sign-in; staff use /api/v1/customers/{id}/…", p.Role)
	}
	return p.CustomerID, nil
}

// Dashboard is seed 003's account billing dashboard.
type Dashboard struct {
	Customer       Customer                    `json:"customer"`
	Subscriptions  []subscription.Subscription `json:"subscriptions"`
	PaymentMethods []PaymentMethod             `json:"payment_methods"`
	Wallet         *service.WalletView         `json:"wallet"`
	Summary        service.ChargeSummary       `json:"summary"`
	Invoices       []invoicing.Invoice         `json:"invoices"`
	Transactions   []service.Transaction       `json:"transactions"`
}

func dashboardOut(d service.Dashboard, sc billing.StatusContext) Dashboard {
	out := Dashboard{Customer: customerOut(d.Customer), Subscriptions: d.Subscriptions, Wallet: d.Wallet, Summary: d.Summary,
		Transactions: d.Transactions, PaymentMethods: []PaymentMethod{}, Invoices: []invoicing.Invoice{}}
	for _, m := range d.PaymentMethods {
		out.PaymentMethods = append(out.PaymentMethods, paymentMethodOut(m))
	}
	for _, inv := range d.Invoices {
		out.Invoices = append(out.Invoices, invoicing.InvoiceOut(inv, false, invoicing.DocContext{Accounting: d.Summary.Currency, Status: sc}))
	}
	return out
}

func (h *Handlers) registerDashboard(api huma.API) {
	tags := []string{"Account billing dashboard"}
	type custIn struct {
		ID string `path:"id"`
	}
	desc := "Subscriptions, payment methods, billing information, a summary of charges, the transaction history (invoices, payments, refunds, wallet movements), invoices and the wallet with complimentary credits apart."
	core.Op(api, huma.Operation{OperationID: "get-customer-dashboard", Method: http.MethodGet, Path: "/api/v1/customers/{id}/dashboard",
		Summary: "A customer's billing dashboard", Description: desc + " A customer sees only its own account, and never drafts.", Tags: tags},
		func(ctx context.Context, p access.Principal, in *custIn) (*core.Body[Dashboard], error) {
			d, err := h.Svc.GetDashboard(ctx, p, in.ID)
			if err != nil {
				return nil, err
			}
			sc, err := h.Svc.InvoiceStatusContext(ctx, p)
			if err != nil {
				return nil, err
			}
			return &core.Body[Dashboard]{Body: dashboardOut(d, sc)}, nil
		})
	core.Op(api, huma.Operation{OperationID: "get-my-dashboard", Method: http.MethodGet, Path: "/api/v1/me/dashboard",
		Summary: "My billing dashboard (portal)", Description: desc, Tags: tags},
		func(ctx context.Context, p access.Principal, _ *struct{}) (*core.Body[Dashboard], error) {
			id, err := meCustomer(p)
			if err != nil {
				return nil, err
			}
			d, err := h.Svc.GetDashboard(ctx, p, id)
			if err != nil {
				return nil, err
			}
			sc, err := h.Svc.InvoiceStatusContext(ctx, p)
			if err != nil {
				return nil, err
			}
			return &core.Body[Dashboard]{Body: dashboardOut(d, sc)}, nil
		})
	type billingIn struct {
		Body BillingInfoInput
	}
	core.Op(api, huma.Operation{OperationID: "update-my-billing", Method: http.MethodPatch, Path: "/api/v1/me/billing",
		Summary: "Edit my billing information (portal)", Description: "Seed 003: update the billing address; omitted fields stay.", Tags: tags},
		func(ctx context.Context, p access.Principal, in *billingIn) (*core.Body[Customer], error) {
			id, err := meCustomer(p)
			if err != nil {
				return nil, err
			}
			b := in.Body
			c, err := h.Svc.UpdateCustomer(ctx, p, id, service.CustomerInput{Billing: &service.BillingInput{LegalName: b.LegalName,
				Address: b.Address, TaxID: b.TaxID, Email: b.Email, Language: b.Language, Currency: b.Currency}})
			if err != nil {
				return nil, err
			}
			return &core.Body[Customer]{Body: customerOut(c)}, nil
		})
	core.Op(api, huma.Operation{OperationID: "list-my-subscriptions", Method: http.MethodGet, Path: "/api/v1/me/subscriptions", Summary: "My subscriptions (portal)", Tags: tags},
		func(ctx context.Context, p access.Principal, _ *struct{}) (*core.Body[[]subscription.Subscription], error) {
			id, err := meCustomer(p)
			if err != nil {
				return nil, err
			}
			subs, err := h.Svc.ListSubscriptions(ctx, p, id)
			if err != nil {
				return nil, err
			}
			return &core.Body[[]subscription.Subscription]{Body: subs}, nil
		})
	core.Op(api, huma.Operation{OperationID: "get-my-wallet", Method: http.MethodGet, Path: "/api/v1/me/wallet", Summary: "My wallet (portal)", Tags: tags},
		func(ctx context.Context, p access.Principal, _ *struct{}) (*core.Body[service.WalletView], error) {
			id, err := meCustomer(p)
			if err != nil {
				return nil, err
			}
			w, err := h.Svc.GetWallet(ctx, p, id)
			if err != nil {
				return nil, err
			}
			return &core.Body[service.WalletView]{Body: w}, nil
		})
	type meWalletIn struct {
		Body struct {
			AutoRecharge      *bool   `json:"auto_recharge,omitempty"`
			RechargeThreshold *string `json:"recharge_threshold,omitempty"`
			RechargeAmount    *string `json:"recharge_amount,omitempty"`
		}
	}
	core.Op(api, huma.Operation{OperationID: "set-my-auto-recharge", Method: http.MethodPut, Path: "/api/v1/me/wallet", Summary: "Set my automatic recharge (portal)",
		Description: "The owner sets the threshold and amount; turning it on needs a primary card.", Tags: tags},
		func(ctx context.Context, p access.Principal, in *meWalletIn) (*core.Body[service.WalletView], error) {
			id, err := meCustomer(p)
			if err != nil {
				return nil, err
			}
			w, err := h.Svc.SaveWallet(ctx, p, id, service.WalletInput{AutoRecharge: in.Body.AutoRecharge,
				RechargeThreshold: in.Body.RechargeThreshold, RechargeAmount: in.Body.RechargeAmount})
			if err != nil {
				return nil, err
			}
			return &core.Body[service.WalletView]{Body: w}, nil
		})
	type meTopUpIn struct {
		core.IdempotencyHeader
		Body TopUpInput
	}
	core.Op(api, huma.Operation{OperationID: "my-wallet-top-up", Method: http.MethodPost, Path: "/api/v1/me/wallet/top-ups", Summary: "Add funds to my wallet (portal)",
		Tags: tags, Errors: []int{http.StatusPaymentRequired}},
		func(ctx context.Context, p access.Principal, in *meTopUpIn) (*core.Body[wallet.Movement], error) {
			id, err := meCustomer(p)
			if err != nil {
				return nil, err
			}
			m, err := h.Svc.AddFunds(ctx, p, id, in.Body.Amount)
			if err != nil {
				return nil, err
			}
			return &core.Body[wallet.Movement]{Body: m}, nil
		})
}
