// Package accountsql stores the accounts area: customers, payment methods,
// subscriptions, wallets (with their grants, movements, recharges and
// settings), on either engine.
package accountsql

import "github.com/facturo/facturo/store/dbtx"

// Accounts queries the customers and what hangs off them inside one
// transaction (or on a pool); the store's transaction embeds it.
type Accounts struct{ *dbtx.Tx }
