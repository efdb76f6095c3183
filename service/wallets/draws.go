package wallets

import (
	"context"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/id"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/receivables"
	"github.com/facturo/facturo/service/usecase"
	"github.com/facturo/facturo/wallet"
)

// UsageCharge is usage to charge to a customer's wallet.
type UsageCharge struct {
	CustomerID  string
	Ref         string // the usage record's id: a charge with the same ref is applied once
	Amount      string
	ProductID   string
	Description string
	Date        calendar.Date // default today
}

// DrawResult is what a usage charge did.
type DrawResult struct {
	Movement  wallet.Movement    `json:"movement"`
	SalesItem *billing.SalesItem `json:"sales_item,omitempty"` // the part the wallet did not cover
	Replayed  bool               `json:"replayed"`             // the ref was charged before; nothing changed
}

// DrawWallet charges usage to a customer's wallet (see the rules in the
// package documentation), in one transaction holding the wallet's lock.
func (s *Service) DrawWallet(ctx context.Context, p access.Principal, in UsageCharge) (DrawResult, error) {
	in.Ref, in.Description = strings.TrimSpace(in.Ref), strings.TrimSpace(in.Description)
	check := func() error {
		if len(in.Ref) > 200 {
			return fail.Field("ref", "must be at most 200 characters")
		}
		if in.Description == "" && in.ProductID == "" {
			return fail.Field("description", "give a description or a product_id")
		}
		_, err := parsePositive("amount", in.Amount)
		return err
	}
	return usecase.Write(ctx, s.draws, p, access.ManageWallets, check, func(tx DrawTx) (DrawResult, usecase.Audit, error) {
		none := usecase.Audit{}
		// What the draw reads besides the wallet is read before taking the
		// wallet's lock, so the lock is held for as few statements as possible.
		env, err := loadDrawEnv(ctx, tx, p.TenantID)
		if err != nil {
			return DrawResult{}, none, err
		}
		w, err := tx.GetWalletForUpdate(ctx, p.TenantID, in.CustomerID)
		if fail.Is(err, fail.NotFound) {
			return DrawResult{}, none, fail.Field("customer_id", "customer %q has no wallet", in.CustomerID)
		} else if err != nil {
			return DrawResult{}, none, err
		}
		amt, err := parseAmount("amount", in.Amount, w.Currency)
		if err != nil {
			return DrawResult{}, none, err
		}
		if in.Ref != "" {
			m, err := tx.MovementByRef(ctx, p.TenantID, in.CustomerID, wallet.MoveDraw, in.Ref)
			if err == nil {
				return DrawResult{Movement: m, Replayed: true}, none, nil
			} else if !fail.Is(err, fail.NotFound) {
				return DrawResult{}, none, err
			}
		}
		var a usecase.Audit
		out, err := s.draw(ctx, tx, env, &w, in, amt, &a)
		if err != nil {
			return DrawResult{}, none, err
		}
		return out, a, nil
	})
}

// drawEnv is what a draw reads besides the wallet.
type drawEnv struct {
	tenant billing.Tenant
	ws     WalletSettings
	roles  map[ledger.Role]string
}

func loadDrawEnv(ctx context.Context, tx DrawTx, tenantID string) (drawEnv, error) {
	e, err := tx.WalletEnv(ctx, tenantID)
	if err != nil {
		return drawEnv{}, err
	}
	return drawEnv{tenant: e.Tenant, ws: e.Settings, roles: billing.RoleAccounts(e.Accounts)}, nil
}

// draw applies a usage charge to a locked wallet; its events go into a.
func (s *Service) draw(ctx context.Context, tx DrawTx, env drawEnv, w *wallet.Wallet, in UsageCharge, amt money.Amount, a *usecase.Audit) (DrawResult, error) {
	tenant, ws := env.tenant, env.ws
	var err error
	now := s.now()
	today := calendar.Today(now, tenant.Location())
	if in.Date.IsZero() {
		in.Date = today
	}
	grants, err := tx.ListGrants(ctx, w.TenantID, w.CustomerID)
	if err != nil {
		return DrawResult{}, err
	}
	before := walletView(*w, grants, today).Balance
	drawn, err := receivables.PlanDraw(amt, w.PaidBalance, receivables.UsableLots(grants, today), ws.AllowNegative)
	if err != nil {
		return DrawResult{}, err
	}
	comp, paid, billed := drawn.Comp, drawn.Paid, drawn.Billed
	for _, g := range grants {
		if take, ok := drawn.FromLots[g.ID]; ok {
			if err := tx.SetGrantRemaining(ctx, w.TenantID, g.ID, g.Remaining.MustSub(take)); err != nil {
				return DrawResult{}, err
			}
		}
	}
	var prod billing.Product
	if in.ProductID != "" {
		if prod, err = tx.GetProduct(ctx, w.TenantID, in.ProductID); fail.Is(err, fail.NotFound) {
			return DrawResult{}, fail.Field("product_id", "no product %q", in.ProductID)
		} else if err != nil {
			return DrawResult{}, err
		}
		if in.Description == "" {
			in.Description = prod.Name
		}
	}
	m := wallet.Movement{ID: id.NewAt("wmv", now), TenantID: w.TenantID, CustomerID: w.CustomerID, Kind: wallet.MoveDraw, Ref: in.Ref, Currency: w.Currency,
		Paid: paid.Neg(), Complimentary: comp.Neg(), Billed: billed, Description: in.Description, CreatedAt: now}
	if paid.Sign() != 0 {
		roles := env.roles
		revenue := roles[ledger.RoleRevenue]
		if prod.Account != "" {
			revenue = prod.Account
		}
		var b ledger.Builder
		b.Debit(roles[ledger.RolePrepayments], paid, ledger.Line{CustomerID: w.CustomerID, Currency: w.Currency, Amount: paid})
		b.Credit(revenue, paid, ledger.Line{Currency: w.Currency, Amount: paid.Neg()})
		e, err := s.deps.Post(ctx, tx, w.TenantID, in.Date, "Wallet usage: "+in.Description, "wallet_draw", m.ID, "", b.Lines())
		if err != nil {
			return DrawResult{}, err
		}
		m.EntryID = e.ID
	}
	var item *billing.SalesItem
	if billed.Sign() > 0 {
		ref := in.Ref
		if ref == "" {
			ref = m.ID
		}
		si := billing.SalesItem{ID: id.NewAt(id.SalesItem, now), TenantID: w.TenantID, CustomerID: w.CustomerID, Source: billing.SourceUsage,
			SourceRef: "wallet:" + ref, ProductID: in.ProductID, Description: in.Description + " (not covered by the wallet)",
			Quantity: decimal.NewFromInt(1), UnitPrice: money.UnitPrice{Amount: billed}, Currency: w.Currency, BillingDate: in.Date, PeriodStart: in.Date,
			PeriodEnd: in.Date, ChargeType: billing.Usage, CreatedAt: now, UpdatedAt: now}
		if err := s.deps.CompleteItem(ctx, tx, w.TenantID, &si, true); err != nil {
			return DrawResult{}, err
		}
		if err := tx.InsertSalesItem(ctx, si); err != nil {
			return DrawResult{}, err
		}
		m.SalesItemID, item = si.ID, &si
	}
	w.PaidBalance = w.PaidBalance.MustSub(paid)
	w.UpdatedAt = now
	m.PaidAfter = w.PaidBalance
	if err := tx.InsertMovement(ctx, m); err != nil {
		return DrawResult{}, err
	}
	after := before.MustSub(paid).MustSub(comp)
	if receivables.CrossesThreshold(before, after, w.RechargeThreshold) {
		if err := s.walletNotice(ctx, tx, *w, "wallet.low_balance", map[string]string{"balance": after.String(),
			"threshold": w.RechargeThreshold.String(), "currency": w.Currency}, a); err != nil {
			return DrawResult{}, err
		}
	}
	if w.NeedsRecharge(after) {
		rc := Recharge{ID: id.NewAt("wrc", now), TenantID: w.TenantID, CustomerID: w.CustomerID, Amount: w.RechargeAmount, Currency: w.Currency,
			Status: "pending", Auto: true, NextAttemptAt: now, CreatedAt: now, UpdatedAt: now}
		if err := tx.InsertRecharge(ctx, rc); err != nil {
			return DrawResult{}, err
		}
		w.PendingRechargeID = rc.ID
	}
	if err := tx.UpdateWallet(ctx, *w); err != nil {
		return DrawResult{}, err
	}
	*a = a.Emit("wallet.drawn", walletEvent(*w, m, after))
	return DrawResult{Movement: m, SalesItem: item}, nil
}

// UsageDraw is what became of an imported usage row a wallet paid.
type UsageDraw struct {
	Status string // imported, duplicate
	ItemID string // the sales item of the part the wallet did not cover
}

// DrawUsageRow charges an imported usage row to the customer's wallet when
// it has one in the row's currency, inside the import's transaction (its
// events recorded there); ok is false when it has none, and the row becomes
// a sales item as before.
func (s *Service) DrawUsageRow(ctx context.Context, tx DrawTx, si billing.SalesItem, recordID string) (res UsageDraw, ok bool, err error) {
	w, err := tx.GetWalletForUpdate(ctx, si.TenantID, si.CustomerID)
	if fail.Is(err, fail.NotFound) {
		return res, false, nil
	} else if err != nil {
		return res, false, err
	}
	if w.Currency != si.Currency || si.Net().Sign() <= 0 {
		return res, false, nil
	}
	if _, err := tx.MovementByRef(ctx, si.TenantID, si.CustomerID, wallet.MoveDraw, recordID); err == nil {
		res.Status = "duplicate"
		return res, true, nil
	} else if !fail.Is(err, fail.NotFound) {
		return res, false, err
	}
	if dup, err := tx.UsageItemExists(ctx, si.TenantID, recordID); err != nil {
		return res, false, err
	} else if dup {
		res.Status = "duplicate"
		return res, true, nil
	}
	env, err := loadDrawEnv(ctx, tx, si.TenantID)
	if err != nil {
		return res, false, err
	}
	var a usecase.Audit
	r, err := s.draw(ctx, tx, env, &w, UsageCharge{CustomerID: si.CustomerID, Ref: recordID, ProductID: si.ProductID, Description: si.Description,
		Date: si.BillingDate}, si.Net(), &a)
	if err != nil {
		return res, false, err
	}
	if err := s.emit(ctx, tx, si.TenantID, a); err != nil {
		return res, false, err
	}
	res.Status = "imported"
	if r.SalesItem != nil {
		res.ItemID = r.SalesItem.ID
	}
	return res, true, nil
}
