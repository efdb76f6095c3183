package service

import (
	"context"

	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/service/accounts"
	"github.com/facturo/facturo/service/bookkeeping"
	"github.com/facturo/facturo/service/collections"
	"github.com/facturo/facturo/service/identity"
	"github.com/facturo/facturo/service/invoicing"
	"github.com/facturo/facturo/service/notify"
	"github.com/facturo/facturo/service/sales"
	"github.com/facturo/facturo/service/wallets"
)

// An area calls the rest of the service through its Deps with the
// transaction it holds, typed as the narrow interface it declared
// (usecase.AuditTx, sales.BillingTx…). The callback asserts the interface its
// callee declares in turn (notify.EventStore for an event, bookkeeping's
// PostingTx for a journal entry), never the whole Tx: what each callback
// touches is named at the call. The assertions hold because every area's
// transaction is the store's transaction (or billing's memoTx, which wraps
// it), and the store's transaction implements every interface below, which
// the compiler checks here.
var (
	_ notify.EventStore            = Tx(nil)
	_ notify.NotificationStore     = Tx(nil)
	_ bookkeeping.PostingTx        = Tx(nil)
	_ bookkeeping.RateReader       = Tx(nil)
	_ bookkeeping.ReceivablesStore = Tx(nil)
	_ EntryReader                  = Tx(nil)
	_ collections.PaymentsTx       = Tx(nil)
	_ collections.PaymentReader    = Tx(nil)
	_ accounts.PaymentMethodStore  = Tx(nil)
	_ accounts.SubscriptionsTx     = Tx(nil)
	_ sales.CompleteTx             = Tx(nil)
	_ invoicing.IssueTx            = Tx(nil)
	_ identity.SetupReader         = Tx(nil)
	_ wallets.WalletReader         = Tx(nil)
	_ wallets.ViewReader           = Tx(nil)
	_ wallets.DrawTx               = Tx(nil)
	_ InvoiceLister                = Tx(nil)
)

// EntryReader reads one posted journal entry (invoicing's ledger reads the
// entry an invoice posted).
type EntryReader interface {
	GetEntry(ctx context.Context, tenantID, entryID string) (ledger.Entry, error)
}
