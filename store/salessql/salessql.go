// Package salessql stores the sales area: products, contracts, tickets and
// time entries, sales items and billing runs (groups, claims, progress,
// skips), on either engine.
package salessql

import "github.com/facturo/facturo/store/dbtx"

// Sales queries the sales tables inside one transaction (or on a pool);
// the store's transaction embeds it.
type Sales struct{ *dbtx.Tx }
