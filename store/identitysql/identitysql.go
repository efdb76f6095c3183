// Package identitysql stores the identity and settings area: tenants,
// users, sign-in attempts, API keys, the audit log, tax codes and groups,
// ledger accounts and posting profiles, number series, the tax mode and
// exchange rates, on either engine.
package identitysql

import "github.com/facturo/facturo/store/dbtx"

// Identity queries the identity and settings tables inside one transaction
// (or on a pool); the store's transaction embeds it.
type Identity struct{ *dbtx.Tx }
