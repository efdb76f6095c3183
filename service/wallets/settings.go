package wallets

import (
	"context"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/service/usecase"
)

// GetWalletSettings returns the tenant's wallet policies.
func (s *Service) GetWalletSettings(ctx context.Context, p access.Principal) (WalletSettings, error) {
	return usecase.Read(ctx, s.settings, p, access.ReadSettings, func(tx SettingsTx) (WalletSettings, error) {
		return tx.GetWalletSettings(ctx, p.TenantID)
	})
}

// SetWalletSettings changes the tenant's wallet policies (administrator).
// It returns ws, also when it refuses them.
func (s *Service) SetWalletSettings(ctx context.Context, p access.Principal, ws WalletSettings) (WalletSettings, error) {
	_, err := usecase.Write(ctx, s.settings, p, access.ManageTenant, ws.validate, func(tx SettingsTx) (struct{}, usecase.Audit, error) {
		before, err := tx.GetWalletSettings(ctx, p.TenantID)
		if err != nil {
			return struct{}{}, usecase.Audit{}, err
		}
		a, err := saveSettings(ctx, tx, p.TenantID, before, ws)
		return struct{}{}, a, err
	})
	return ws, err
}

// WalletSettingsPatch changes some of the wallet policies; nil fields stay.
type WalletSettingsPatch struct {
	ReceiptEmails       *bool `json:"receipt_emails,omitempty"`
	AllowNegative       *bool `json:"allow_negative,omitempty"`
	RechargeMaxAttempts *int  `json:"recharge_max_attempts,omitempty"`
	RechargeBackoffSecs *int  `json:"recharge_backoff_seconds,omitempty"`
}

// UpdateWalletSettings changes the wallet policies named in patch and keeps
// the others (administrator).
func (s *Service) UpdateWalletSettings(ctx context.Context, p access.Principal, patch WalletSettingsPatch) (WalletSettings, error) {
	return usecase.Write(ctx, s.settings, p, access.ManageTenant, patch.validate, func(tx SettingsTx) (WalletSettings, usecase.Audit, error) {
		before, err := tx.GetWalletSettings(ctx, p.TenantID)
		if err != nil {
			return WalletSettings{}, usecase.Audit{}, err
		}
		ws := before
		set(&ws.ReceiptEmails, patch.ReceiptEmails)
		set(&ws.AllowNegative, patch.AllowNegative)
		set(&ws.RechargeMaxAttempts, patch.RechargeMaxAttempts)
		set(&ws.RechargeBackoffSecs, patch.RechargeBackoffSecs)
		if err := ws.validate(); err != nil {
			return WalletSettings{}, usecase.Audit{}, err
		}
		a, err := saveSettings(ctx, tx, p.TenantID, before, ws)
		if err != nil {
			return WalletSettings{}, usecase.Audit{}, err
		}
		return ws, a, nil
	})
}

// validate checks the recharge retry policy.
func (ws WalletSettings) validate() error {
	var c fail.Collector
	checkPolicy(&c, &ws.RechargeMaxAttempts, &ws.RechargeBackoffSecs)
	return c.Err()
}

// validate checks the policies the patch sets (before any transaction).
func (pt WalletSettingsPatch) validate() error {
	var c fail.Collector
	checkPolicy(&c, pt.RechargeMaxAttempts, pt.RechargeBackoffSecs)
	return c.Err()
}

// checkPolicy checks the recharge retry policy's values that are given.
func checkPolicy(c *fail.Collector, maxAttempts, backoffSecs *int) {
	if maxAttempts != nil && (*maxAttempts < 1 || *maxAttempts > 20) {
		c.Add("recharge_max_attempts", "use 1 to 20")
	}
	if backoffSecs != nil && (*backoffSecs < 1 || *backoffSecs > 86400) {
		c.Add("recharge_backoff_seconds", "use 1 to 86400")
	}
}

// saveSettings writes ws and returns its audit entry.
func saveSettings(ctx context.Context, tx SettingsTx, tenantID string, before, ws WalletSettings) (usecase.Audit, error) {
	if err := tx.SetWalletSettings(ctx, tenantID, ws); err != nil {
		return usecase.Audit{}, err
	}
	return usecase.Entry("wallet_settings.updated", "tenant", tenantID, usecase.Diff(before, ws)), nil
}
