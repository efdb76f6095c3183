package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/facturo/facturo/service"
)

// walletLoop runs due wallet recharge jobs and subscription renewals. Every
// node may run it: a recharge job is claimed by one node at a time, and a
// subscription period becomes one sales item however many nodes renew it.
func walletLoop(ctx context.Context, svc *service.Service, log *slog.Logger) {
	t := time.NewTicker(15 * time.Second)
	defer t.Stop()
	renewed := time.Time{}
	for {
		tenants, err := svc.ListTenants(ctx)
		if err != nil && ctx.Err() == nil {
			log.Warn("wallet recharges", "err", err)
		}
		renew := time.Since(renewed) > 10*time.Minute
		for _, ten := range tenants {
			if n, err := svc.ProcessWalletRecharges(ctx, ten.ID, 100); err != nil && ctx.Err() == nil {
				log.Warn("wallet recharges", "tenant", ten.ID, "err", err)
			} else if n > 0 {
				log.Info("wallet recharges run", "tenant", ten.ID, "count", n)
			}
			if !renew {
				continue
			}
			if n, err := svc.RenewDueSubscriptions(ctx, ten.ID); err != nil && ctx.Err() == nil {
				log.Warn("subscription renewals", "tenant", ten.ID, "err", err)
			} else if n > 0 {
				log.Info("subscription periods billed", "tenant", ten.ID, "count", n)
			}
		}
		if renew {
			renewed = time.Now()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
