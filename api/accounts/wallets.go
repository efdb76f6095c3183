package accounts

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/api/core"
	"github.com/facturo/facturo/api/sales"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/wallet"
)

// WalletInput opens a wallet or changes its settings; omitted fields stay.
type WalletInput struct {
	Currency          *string `json:"currency,omitempty" doc:"The tenant's accounting currency (the default)."`
	CreditRate        *string `json:"credit_rate,omitempty" doc:"Credits per currency unit (default 1)."`
	AutoRecharge      *bool   `json:"auto_recharge,omitempty" doc:"Charge the primary card when the balance falls below recharge_threshold."`
	RechargeThreshold *string `json:"recharge_threshold,omitempty"`
	RechargeAmount    *string `json:"recharge_amount,omitempty"`
}

func (in WalletInput) toService() service.WalletInput {
	return service.WalletInput{Currency: in.Currency, CreditRate: in.CreditRate, AutoRecharge: in.AutoRecharge,
		RechargeThreshold: in.RechargeThreshold, RechargeAmount: in.RechargeAmount}
}

// DrawResult is what a usage charge did.
type DrawResult struct {
	Movement  wallet.Movement  `json:"movement"`
	SalesItem *sales.SalesItem `json:"sales_item,omitempty" doc:"The part the wallet did not cover, billed by the next billing run."`
	Replayed  bool             `json:"replayed" doc:"The ref was charged before; nothing changed."`
}

// TopUpInput adds funds to a wallet.
type TopUpInput struct {
	Amount string `json:"amount" doc:"Charged to the primary card, e.g. \"25.00\"."`
}

func (h *Handlers) registerWallets(api huma.API) {
	tags := []string{"Wallets"}
	type custIn struct {
		ID string `path:"id"`
	}
	core.Op(api, huma.Operation{OperationID: "get-wallet", Method: http.MethodGet, Path: "/api/v1/customers/{id}/wallet", Summary: "Get a customer's wallet",
		Description: "Paid and complimentary credits are shown apart; balance is their sum.", Tags: tags},
		func(ctx context.Context, p access.Principal, in *custIn) (*core.Body[service.WalletView], error) {
			w, err := h.Svc.GetWallet(ctx, p, in.ID)
			if err != nil {
				return nil, err
			}
			return &core.Body[service.WalletView]{Body: w}, nil
		})
	type saveIn struct {
		ID   string `path:"id"`
		Body WalletInput
	}
	core.Op(api, huma.Operation{OperationID: "save-wallet", Method: http.MethodPut, Path: "/api/v1/customers/{id}/wallet", Summary: "Open a wallet or change its settings",
		Description: "Staff with the wallets permission set everything; the customer itself sets automatic recharge (on/off, threshold, amount). Turning automatic recharge on needs a primary card.", Tags: tags},
		func(ctx context.Context, p access.Principal, in *saveIn) (*core.Body[service.WalletView], error) {
			w, err := h.Svc.SaveWallet(ctx, p, in.ID, in.Body.toService())
			if err != nil {
				return nil, err
			}
			return &core.Body[service.WalletView]{Body: w}, nil
		})
	type topUpIn struct {
		core.IdempotencyHeader
		ID   string `path:"id"`
		Body TopUpInput
	}
	core.Op(api, huma.Operation{OperationID: "wallet-top-up", Method: http.MethodPost, Path: "/api/v1/customers/{id}/wallet/top-ups", Summary: "Add funds",
		Description: "Charges the primary card and adds paid credits (Dr bank / Cr customer prepayments). A refused card is 402 and writes nothing. The receipt is emailed only when the tenant turns receipt_emails on.",
		Tags:        tags, Errors: []int{http.StatusPaymentRequired}},
		func(ctx context.Context, p access.Principal, in *topUpIn) (*core.Body[wallet.Movement], error) {
			m, err := h.Svc.AddFunds(ctx, p, in.ID, in.Body.Amount)
			if err != nil {
				return nil, err
			}
			return &core.Body[wallet.Movement]{Body: m}, nil
		})
	type grantIn struct {
		core.IdempotencyHeader
		ID   string `path:"id"`
		Body struct {
			Amount    string     `json:"amount"`
			ExpiresOn *core.Date `json:"expires_on,omitempty" doc:"The last day the credits can be used; none: they never expire."`
			Reason    string     `json:"reason,omitempty" maxLength:"500"`
		}
	}
	core.Op(api, huma.Operation{OperationID: "wallet-grant", Method: http.MethodPost, Path: "/api/v1/customers/{id}/wallet/grants", Summary: "Grant complimentary credits",
		Description: "Kept apart from paid credits and drawn first; not a liability, so nothing is posted.", Tags: tags},
		func(ctx context.Context, p access.Principal, in *grantIn) (*core.Body[service.WalletView], error) {
			var exp core.Date
			if in.Body.ExpiresOn != nil {
				exp = *in.Body.ExpiresOn
			}
			w, err := h.Svc.GrantCredits(ctx, p, in.ID, in.Body.Amount, exp.Date, in.Body.Reason)
			if err != nil {
				return nil, err
			}
			return &core.Body[service.WalletView]{Body: w}, nil
		})
	type drawIn struct {
		core.IdempotencyHeader
		ID   string `path:"id"`
		Body struct {
			Ref         string     `json:"ref,omitempty" maxLength:"200" doc:"The usage record's id: a charge with the same ref is applied once."`
			Amount      string     `json:"amount"`
			ProductID   string     `json:"product_id,omitempty"`
			Description string     `json:"description,omitempty" maxLength:"1000"`
			Date        *core.Date `json:"date,omitempty"`
		}
	}
	core.Op(api, huma.Operation{OperationID: "wallet-draw", Method: http.MethodPost, Path: "/api/v1/customers/{id}/wallet/draws", Summary: "Charge usage to the wallet",
		Description: "Complimentary credits first, then paid credits (Dr prepayments / Cr revenue); what the wallet does not cover becomes a pending usage sales item. The paid balance never goes below zero unless the tenant allows it.", Tags: tags},
		func(ctx context.Context, p access.Principal, in *drawIn) (*core.Body[DrawResult], error) {
			uc := service.UsageCharge{CustomerID: in.ID, Ref: in.Body.Ref, Amount: in.Body.Amount, ProductID: in.Body.ProductID, Description: in.Body.Description}
			if in.Body.Date != nil {
				uc.Date = in.Body.Date.Date
			}
			r, err := h.Svc.DrawWallet(ctx, p, uc)
			if err != nil {
				return nil, err
			}
			out := DrawResult{Movement: r.Movement, Replayed: r.Replayed}
			if r.SalesItem != nil {
				si := sales.SalesItemOut(*r.SalesItem)
				out.SalesItem = &si
			}
			return &core.Body[DrawResult]{Body: out}, nil
		})
	type movesIn struct {
		ID    string `path:"id"`
		Limit int    `query:"limit" minimum:"1" maximum:"500" default:"100"`
	}
	core.Op(api, huma.Operation{OperationID: "list-wallet-movements", Method: http.MethodGet, Path: "/api/v1/customers/{id}/wallet/movements", Summary: "Wallet movements",
		Description: "Top-ups (with receipt numbers), recharges, grants and draws, newest first.", Tags: tags},
		func(ctx context.Context, p access.Principal, in *movesIn) (*core.Body[[]wallet.Movement], error) {
			ms, err := h.Svc.ListWalletMovements(ctx, p, in.ID, in.Limit)
			if err != nil {
				return nil, err
			}
			return &core.Body[[]wallet.Movement]{Body: ms}, nil
		})
	core.Op(api, huma.Operation{OperationID: "list-wallet-recharges", Method: http.MethodGet, Path: "/api/v1/customers/{id}/wallet/recharges", Summary: "Automatic recharges",
		Description: "Recharge jobs with their status (pending, processing, succeeded, failed), attempts and last error.", Tags: tags},
		func(ctx context.Context, p access.Principal, in *custIn) (*core.Body[[]service.Recharge], error) {
			rs, err := h.Svc.ListWalletRecharges(ctx, p, in.ID)
			if err != nil {
				return nil, err
			}
			return &core.Body[[]service.Recharge]{Body: rs}, nil
		})
	core.Op(api, huma.Operation{OperationID: "get-wallet-settings", Method: http.MethodGet, Path: "/api/v1/wallet-settings", Summary: "The tenant's wallet policies", Tags: tags},
		func(ctx context.Context, p access.Principal, _ *struct{}) (*core.Body[service.WalletSettings], error) {
			ws, err := h.Svc.GetWalletSettings(ctx, p)
			if err != nil {
				return nil, err
			}
			return &core.Body[service.WalletSettings]{Body: ws}, nil
		})
	type settingsIn struct {
		Body service.WalletSettings
	}
	core.Op(api, huma.Operation{OperationID: "set-wallet-settings", Method: http.MethodPut, Path: "/api/v1/wallet-settings", Summary: "Change the tenant's wallet policies",
		Description: "receipt_emails: email top-up receipts to customers (off by default, seed 003); allow_negative: draws may take paid credits below zero; the recharge retry policy.", Tags: tags},
		func(ctx context.Context, p access.Principal, in *settingsIn) (*core.Body[service.WalletSettings], error) {
			ws, err := h.Svc.SetWalletSettings(ctx, p, in.Body)
			if err != nil {
				return nil, err
			}
			return &core.Body[service.WalletSettings]{Body: ws}, nil
		})
	type settingsPatchIn struct {
		Body service.WalletSettingsPatch
	}
	core.Op(api, huma.Operation{OperationID: "update-wallet-settings", Method: http.MethodPatch, Path: "/api/v1/wallet-settings", Summary: "Change some of the tenant's wallet policies",
		Description: "Only the fields sent change: PATCH {\"receipt_emails\": true} turns top-up receipts on and keeps the rest.", Tags: tags},
		func(ctx context.Context, p access.Principal, in *settingsPatchIn) (*core.Body[service.WalletSettings], error) {
			ws, err := h.Svc.UpdateWalletSettings(ctx, p, in.Body)
			if err != nil {
				return nil, err
			}
			return &core.Body[service.WalletSettings]{Body: ws}, nil
		})
}
