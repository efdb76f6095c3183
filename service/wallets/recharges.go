package wallets

import (
	"context"
	"strconv"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/service/usecase"
	"github.com/facturo/facturo/wallet"
)

// rechargeLease is how long a node owns a claimed recharge job; a node that
// dies while charging leaves it to be claimed again after this, and the
// retry uses the same idempotency key, so the card is charged once.
const rechargeLease = 2 * time.Minute

// ProcessWalletRecharges runs the tenant's due recharge jobs: it charges the
// primary card and adds the paid credits, or records the failure, queues a
// wallet.recharge_failed notification and schedules a retry by the tenant's
// policy. Every node may call it: a job is claimed by one at a time. It
// acts for the system, on its tenant only (usecase.SignedIn), and writes no
// audit entry; its events go through the envelope.
func (s *Service) ProcessWalletRecharges(ctx context.Context, tenantID string, limit int) (int, error) {
	p := access.System(tenantID, "wallet recharges")
	now := s.now()
	jobs, err := usecase.Write(ctx, s.recharges, p, usecase.SignedIn, nil, func(tx RechargesTx) ([]Recharge, usecase.Audit, error) {
		jobs, err := tx.ClaimRecharges(ctx, tenantID, now, now.Add(rechargeLease), limit)
		return jobs, usecase.Audit{}, err
	})
	if err != nil {
		return 0, err
	}
	done := 0
	for _, rc := range jobs {
		if err := s.runRecharge(ctx, p, rc); err != nil {
			return done, err
		}
		done++
	}
	return done, nil
}

// RunWalletRecharge runs one recharge's due attempt: the job the store
// inserted with it (jobargs.WalletRecharge) calls it when the attempt is
// due. It does nothing (0) when the recharge is not due any more: finished,
// or run by ProcessWalletRecharges or another node meanwhile.
func (s *Service) RunWalletRecharge(ctx context.Context, tenantID, rechargeID string) (int, error) {
	p := access.System(tenantID, "wallet recharges")
	now := s.now()
	type claim struct {
		rc Recharge
		ok bool
	}
	c, err := usecase.Write(ctx, s.recharges, p, usecase.SignedIn, nil, func(tx RechargesTx) (claim, usecase.Audit, error) {
		rc, ok, err := tx.ClaimRecharge(ctx, tenantID, rechargeID, now, now.Add(rechargeLease))
		return claim{rc, ok}, usecase.Audit{}, err
	})
	if err != nil || !c.ok {
		return 0, err
	}
	return 1, s.runRecharge(ctx, p, c.rc)
}

// runRecharge charges one claimed job's card, outside any write
// transaction, then records the outcome in one.
func (s *Service) runRecharge(ctx context.Context, p access.Principal, rc Recharge) error {
	key := rc.ID + "-" + strconv.Itoa(rc.Attempts+1)
	ref, chargeErr := s.chargeForWallet(ctx, rc.TenantID, rc.CustomerID, rc.Amount, wallet.RechargeDescription, key)
	// The card may be charged: record the outcome even if ctx ends.
	ctx = context.WithoutCancel(ctx)
	_, err := usecase.Write(ctx, s.recharges, p, usecase.SignedIn, nil, func(tx RechargesTx) (struct{}, usecase.Audit, error) {
		var a usecase.Audit
		err := s.recordRecharge(ctx, tx, rc, ref, chargeErr, &a)
		return struct{}{}, a, err
	})
	return err
}

// recordRecharge records the outcome of a job's charge (chargeErr nil: it
// succeeded with the provider's charge ref); its events go into a.
func (s *Service) recordRecharge(ctx context.Context, tx RechargesTx, rc Recharge, ref string, chargeErr error, a *usecase.Audit) error {
	w, err := tx.GetWalletForUpdate(ctx, rc.TenantID, rc.CustomerID)
	if err != nil {
		return err
	}
	cur, err := tx.GetRechargeForUpdate(ctx, rc.TenantID, rc.ID)
	if err != nil {
		return err
	}
	if cur.Status != "processing" {
		return nil // finished by another node meanwhile
	}
	now := s.now()
	cur.UpdatedAt, cur.LockedUntil = now, nil
	if chargeErr == nil {
		m, err := s.creditWallet(ctx, tx, &w, wallet.MoveRecharge, rc.ID, rc.Amount, ref, wallet.RechargeDescription, a)
		if err != nil {
			return err
		}
		cur.Status, cur.MovementID, cur.LastError = "succeeded", m.ID, ""
	} else {
		env, err := tx.WalletEnv(ctx, rc.TenantID)
		if err != nil {
			return err
		}
		ws := env.Settings
		cur.Attempts++
		cur.LastError = chargeErr.Error()
		final := cur.Attempts >= ws.RechargeMaxAttempts
		if final {
			cur.Status = "failed"
		} else {
			cur.Status = "pending"
			cur.NextAttemptAt = now.Add(wallet.RechargeDelay(time.Duration(ws.RechargeBackoffSecs)*time.Second, cur.Attempts))
		}
		if cur.Attempts == 1 || final {
			if err := s.walletNotice(ctx, tx, w, "wallet.recharge_failed", map[string]string{"amount": rc.Amount.String(),
				"currency": w.Currency, "attempt": strconv.Itoa(cur.Attempts), "will_retry": strconv.FormatBool(!final),
				"error": chargeErr.Error()}, a); err != nil {
				return err
			}
		}
	}
	if cur.Status == "succeeded" || cur.Status == "failed" {
		if w.PendingRechargeID == rc.ID {
			w.PendingRechargeID = ""
			w.UpdatedAt = now
			if err := tx.UpdateWallet(ctx, w); err != nil {
				return err
			}
		}
	}
	return tx.UpdateRecharge(ctx, cur)
}
