// Package paymentsql stores the receivables area: payments, applications,
// refunds, invoice settlement, dunning, and the ledger (journal entries,
// daily totals, trial balance), on either engine.
package paymentsql

import "github.com/facturo/facturo/store/dbtx"

// Payments queries payments and the ledger inside one transaction (or on a
// pool); the store's transaction embeds it.
type Payments struct{ *dbtx.Tx }
