// Package notifysql stores the notifications area: the outbox of e-mails
// and other messages, and the webhook endpoints, events, deliveries and
// attempts, on either engine.
package notifysql

import "github.com/facturo/facturo/store/dbtx"

// Notifications queries the outbox and the webhooks inside one transaction
// (or on a pool); the store's transaction embeds it.
type Notifications struct{ *dbtx.Tx }
