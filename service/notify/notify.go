// Package notify holds the use cases that tell others about a tenant's
// changes: the email outbox (messages to customers, queued in the
// transaction of the change and sent by SendDueEmails through a Mailer) and
// webhooks (endpoints, the events recorded by Emit, and their signed
// delivery by DeliverDueWebhooks through a WebhookSender). Every write runs
// through the envelope of package usecase.
//
// It declares the storage it needs, one small transaction interface per
// part (OutboxTx, WebhookTx); the root service narrows its store to them
// (usecase.Narrow), and the store package implements them.
package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"time"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/service/usecase"
)

// OutboxTx is what the email outbox reads and writes in one transaction.
type OutboxTx interface {
	usecase.AuditTx
	NotificationStore
	OutboxStore
	// GetTenant reads the sender of a message (fail.NotFound if absent).
	GetTenant(ctx context.Context, tenantID string) (billing.Tenant, error)
	// GetInvoice reads the document a message is about.
	GetInvoice(ctx context.Context, tenantID, invoiceID string) (billing.Invoice, error)
	// GetCustomer reads the account whose billing email a retried message takes.
	GetCustomer(ctx context.Context, tenantID, customerID string) (billing.Customer, error)
}

// WebhookTx is what the webhook use cases read and write in one transaction.
type WebhookTx interface {
	usecase.AuditTx
	WebhookStore
}

// Stores are the transactions the notification use cases open, one kind per part.
type Stores struct {
	Outbox   usecase.Store[OutboxTx]
	Webhooks usecase.Store[WebhookTx]
}

// PDFRenderer renders an issued invoice's PDF (the download, with the
// tenant's branding) for attaching it to the email that publishes it.
type PDFRenderer func(ctx context.Context, tenantID, invoiceID string) ([]byte, error)

// Config is how the operator set up sending.
type Config struct {
	// Mailer sends the outbox's emails; nil leaves them queued, readable by staff.
	Mailer Mailer
	// PortalURL is the public base URL of the customer portal
	// (https://billing.example.com), for the links in emails; "" for none.
	PortalURL string
	// PDF renders an invoice's PDF attachment.
	PDF PDFRenderer
	// Webhooks posts deliveries; nil leaves them waiting in the outbox.
	Webhooks WebhookSender
	// AllowPrivateWebhookTargets lifts WebhookTargetRefused at registration.
	AllowPrivateWebhookTargets bool
}

// Service runs the notification use cases.
type Service struct {
	outbox   usecase.Env[OutboxTx]
	webhooks usecase.Env[WebhookTx]
	cfg      Config
	node     string // this process, as the owner of outbox leases
	now      func() time.Time
}

// New returns a Service over st configured by cfg. now is the service
// clock: UTC, truncated to the microsecond both engines store.
func New(st Stores, cfg Config, now func() time.Time) *Service {
	cfg.PortalURL = strings.TrimRight(cfg.PortalURL, "/")
	return &Service{
		outbox:   usecase.Env[OutboxTx]{Store: st.Outbox, Now: now},
		webhooks: usecase.Env[WebhookTx]{Store: st.Webhooks, Now: now},
		cfg:      cfg,
		node:     newNodeID(),
		now:      now,
	}
}

// newNodeID names this process as a lease owner.
func newNodeID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "node_" + hex.EncodeToString(b)
}

// clip shortens s to at most n bytes of valid UTF-8 and an ellipsis.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
