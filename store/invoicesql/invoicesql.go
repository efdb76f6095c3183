// Package invoicesql stores the invoicing area: invoices and their lines,
// corrections (reason codes, workflow), recurring templates, attachments,
// branding and document lines, numbering counters and the receivable
// summaries (aging, open balances), on either engine.
package invoicesql

import "github.com/facturo/facturo/store/dbtx"

// Invoices queries the invoicing tables inside one transaction (or on a
// pool); the store's transaction embeds it.
type Invoices struct{ *dbtx.Tx }
