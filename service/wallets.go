package service

import (
	"context"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service/accounts"
	"github.com/facturo/facturo/service/bookkeeping"
	"github.com/facturo/facturo/service/notify"
	"github.com/facturo/facturo/service/sales"
	"github.com/facturo/facturo/service/usecase"
	"github.com/facturo/facturo/service/wallets"
)

// The wallet use cases (policies, wallets, complimentary credits, top-ups,
// usage draws and automatic recharges) live in package wallets; Service
// embeds it, so its methods are Service's. These names keep the types
// reachable as they were.
type (
	// WalletStore persists wallets, their settings, complimentary lots and movements.
	WalletStore = wallets.WalletStore
	// RechargeStore keeps the durable automatic top-up jobs.
	RechargeStore = wallets.RechargeStore
	// WalletSettings are a tenant's wallet policies.
	WalletSettings = wallets.WalletSettings
	// WalletSettingsPatch changes some of the wallet policies; nil fields stay.
	WalletSettingsPatch = wallets.WalletSettingsPatch
	// Recharge is a durable automatic top-up job.
	Recharge = wallets.Recharge
	// WalletView is a wallet with its balances, as the dashboard shows it.
	WalletView = wallets.WalletView
	// WalletInput creates a wallet or changes its settings; nil fields stay.
	WalletInput = wallets.WalletInput
	// UsageCharge is usage to charge to a customer's wallet.
	UsageCharge = wallets.UsageCharge
	// DrawResult is what a usage charge did.
	DrawResult = wallets.DrawResult
)

// DefaultWalletSettings are the settings of a tenant that never set them.
var DefaultWalletSettings = wallets.DefaultWalletSettings

// walleter is the embedded wallet service (an alias, so the embedded field
// is named walleter, not a second Service).
type walleter = wallets.Service

// newWallets returns the wallet service over store, its transactions
// narrowed to what each part of it declares, with what it needs of the rest
// of the service (the root code it calls asserts the interface its callee
// declares, see callbacks.go).
func (s *Service) newWallets(store Store) *wallets.Service {
	return wallets.New(wallets.Stores{
		Wallets:     usecase.Narrow[wallets.WalletsTx, Tx](store, func(tx Tx) wallets.WalletsTx { return tx }),
		Recharges:   usecase.Narrow[wallets.RechargesTx, Tx](store, func(tx Tx) wallets.RechargesTx { return tx }),
		Draws:       usecase.Narrow[wallets.DrawTx, Tx](store, func(tx Tx) wallets.DrawTx { return tx }),
		WalletReads: usecase.Narrow[wallets.WalletReadsTx, Tx](store, func(tx Tx) wallets.WalletReadsTx { return tx }),
		Settings:    usecase.Narrow[wallets.SettingsTx, Tx](store, func(tx Tx) wallets.SettingsTx { return tx }),
	}, wallets.Deps{
		Emit: func(ctx context.Context, tx usecase.AuditTx, tenantID string, e usecase.Event) error {
			return s.emitEvent(ctx, tx.(notify.EventStore), tenantID, e.Type, e.Data)
		},
		Post: func(ctx context.Context, tx usecase.AuditTx, tenantID string, date calendar.Date, desc, sourceType, sourceID, reverses string, lines []ledger.Line) (ledger.Entry, error) {
			return s.post(ctx, tx.(bookkeeping.PostingTx), tenantID, date, desc, sourceType, sourceID, reverses, lines)
		},
		PrimaryCard: func(ctx context.Context, tx usecase.AuditTx, tenantID, customerID string) error {
			_, err := accounts.PrimaryPaymentMethod(ctx, tx.(accounts.PaymentMethodStore), tenantID, customerID)
			return err
		},
		ChargeCard: func(ctx context.Context, tx usecase.AuditTx, tenantID, customerID string, today calendar.Date, amount money.Amount, desc, key string) (string, error) {
			_, ch, err := s.ChargePrimaryCard(ctx, tx.(accounts.PaymentMethodStore), tenantID, customerID, today, amount, desc, key)
			return ch.ChargeID, err
		},
		CompleteItem: func(ctx context.Context, tx usecase.AuditTx, tenantID string, si *billing.SalesItem, fromProduct bool) error {
			return s.CompleteItem(ctx, tx.(sales.CompleteTx), tenantID, si, fromProduct)
		},
		PageLimit: MaxLimit,
	}, s.Now)
}

// walletView reads a customer's wallet with its balances (wallets.LoadView).
func (s *Service) walletView(ctx context.Context, tx wallets.ViewReader, tenantID, customerID string) (WalletView, error) {
	return wallets.LoadView(ctx, tx, s.Now(), tenantID, customerID)
}

// drawUsageRow charges an imported usage row to the customer's wallet when
// it has one in the row's currency, inside the import's transaction
// (wallets.Service.DrawUsageRow); ok is false when it has none.
func (s *Service) drawUsageRow(ctx context.Context, tx wallets.DrawTx, si billing.SalesItem, recordID string) (UsageRowResult, bool, error) {
	d, ok, err := s.DrawUsageRow(ctx, tx, si, recordID)
	if err != nil || !ok {
		return UsageRowResult{}, ok, err
	}
	return UsageRowResult{RecordID: recordID, Status: d.Status, ItemID: d.ItemID}, true, nil
}
