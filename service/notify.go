package service

import (
	"context"
	"net/netip"
	"strings"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/service/notify"
	"github.com/facturo/facturo/service/usecase"
)

// The notification use cases (the email outbox and its sending, webhook
// endpoints, events and their delivery) live in package notify; Service
// embeds it, so its methods are Service's. These names keep the types,
// statuses and limits reachable as they were.
type (
	// Notification is a message to a customer in the email outbox.
	Notification = notify.Notification
	// NotificationStore queues notifications (sent by the email jobs).
	NotificationStore = notify.NotificationStore
	// Mailer sends one email. Package mailer implements it over SMTP.
	Mailer = notify.Mailer
	// Email is one message as the Mailer sends it.
	Email = notify.Email
	// EmailAttachment is a file attached to an email.
	EmailAttachment = notify.EmailAttachment
	// OutboxMessage is one outbox message with its rendered subject and body.
	OutboxMessage = notify.OutboxMessage
	// EmailRun counts what one SendDueEmails pass did.
	EmailRun = notify.EmailRun
	// WebhookEndpoint is a URL of a tenant's that receives events.
	WebhookEndpoint = notify.WebhookEndpoint
	// WebhookEvent is one event in the outbox.
	WebhookEvent = notify.WebhookEvent
	// WebhookDelivery is one event on its way to one endpoint.
	WebhookDelivery = notify.WebhookDelivery
	// DueWebhook is a claimed delivery with what sending it needs.
	DueWebhook = notify.DueWebhook
	// WebhookAttempt is one line of an endpoint's delivery log.
	WebhookAttempt = notify.WebhookAttempt
	// WebhookSender posts one signed webhook (package webhook implements it).
	WebhookSender = notify.WebhookSender
	// WebhookRequest is one webhook to post.
	WebhookRequest = notify.WebhookRequest
	// WebhookEndpointInput creates or changes an endpoint; nil leaves a field as it is.
	WebhookEndpointInput = notify.WebhookEndpointInput
	// WebhookRun counts what one DeliverDueWebhooks pass did.
	WebhookRun = notify.WebhookRun
)

// OutboxNoRecipient is the last error of an outbox message left out because
// the customer has no billing email (notify.NoRecipient).
const OutboxNoRecipient = notify.NoRecipient

// The statuses of an outbox message (a Notification), see notify.NotificationQueued.
const (
	NotificationQueued  = notify.NotificationQueued
	NotificationSent    = notify.NotificationSent
	NotificationFailed  = notify.NotificationFailed
	NotificationSkipped = notify.NotificationSkipped
	WebhookPending      = notify.WebhookPending
	WebhookSucceeded    = notify.WebhookSucceeded
	WebhookFailed       = notify.WebhookFailed
)

// Attempt limits of the outbox (see notify.MaxEmailAttempts).
const (
	MaxEmailAttempts   = notify.MaxEmailAttempts
	MaxWebhookAttempts = notify.MaxWebhookAttempts
)

// WebhookEventGroups are the families of events an endpoint can subscribe to.
var WebhookEventGroups = notify.WebhookEventGroups

// WebhookTargetRefused is the webhook target policy: why a webhook may not
// be sent to ip, or "" when it may (see notify.WebhookTargetRefused).
func WebhookTargetRefused(ip netip.Addr) string { return notify.WebhookTargetRefused(ip) }

// OutboxStore reads and updates the email outbox (the notifications table):
// the part package notify uses, and listing it page by page.
type OutboxStore interface {
	notify.OutboxStore
	ListOutbox(ctx context.Context, tenantID string, f OutboxFilter) ([]Notification, error)
}

// WebhookStore keeps endpoints, the event outbox, deliveries and attempts:
// the part package notify uses, and the delivery log page by page.
type WebhookStore interface {
	notify.WebhookStore
	ListWebhookAttempts(ctx context.Context, tenantID, endpointID string, page Page) ([]WebhookAttempt, error)
	ListWebhookDeliveries(ctx context.Context, tenantID, endpointID, status string, page Page) ([]WebhookDelivery, error)
}

// OutboxFilter selects outbox messages, newest first.
type OutboxFilter struct {
	Status   string // queued, sent, failed, skipped; "" for all
	Kind     string
	TargetID string
	Page     Page
}

// notifier is the embedded notification service (an alias, so the
// embedded field is named notifier, not a second Service).
type notifier = notify.Service

// WithMailer makes SendDueEmails send through m. Without a mailer messages
// stay queued in the outbox, readable by staff.
func WithMailer(m Mailer) Option { return func(s *Service) { s.notifyCfg.Mailer = m } }

// WithPortalURL sets the public base URL of the customer portal
// (https://billing.example.com), for the links in emails.
func WithPortalURL(u string) Option {
	return func(s *Service) { s.notifyCfg.PortalURL = strings.TrimRight(u, "/") }
}

// WithWebhookSender makes DeliverDueWebhooks post through ws. Without one,
// deliveries wait in the outbox.
func WithWebhookSender(ws WebhookSender) Option {
	return func(s *Service) { s.notifyCfg.Webhooks = ws }
}

// WithPrivateWebhookTargets lets tenants register webhook endpoints on
// private, loopback and link-local networks (the operator's flag
// --webhooks-allow-private). The sender must be built to allow them too.
func WithPrivateWebhookTargets() Option {
	return func(s *Service) { s.notifyCfg.AllowPrivateWebhookTargets = true }
}

// newNotify returns the notification service over store, its transactions
// narrowed to what each part of it declares. The email of a published
// invoice attaches the same PDF as the download (InvoicePDF).
func (s *Service) newNotify(store Store, now func() time.Time) *notify.Service {
	cfg := s.notifyCfg
	cfg.PDF = func(ctx context.Context, tenantID, invoiceID string) ([]byte, error) {
		pdf, _, err := s.InvoicePDF(ctx, access.System(tenantID, "email outbox"), invoiceID)
		return pdf, err
	}
	return notify.New(notify.Stores{
		Outbox:   usecase.Narrow[notify.OutboxTx, Tx](store, func(tx Tx) notify.OutboxTx { return tx }),
		Webhooks: usecase.Narrow[notify.WebhookTx, Tx](store, func(tx Tx) notify.WebhookTx { return tx }),
	}, cfg, now)
}

// queueNotification puts a message in the outbox within tx (notify.Queue).
func (s *Service) queueNotification(ctx context.Context, tx notify.NotificationStore, n Notification) error {
	return notify.Queue(ctx, tx, s.Now(), n)
}

// emitEvent records a webhook event of eventType in tx, the transaction of
// the change it reports, so the event exists if and only if the change
// committed (notify.Emit). data becomes the "data" member of the body; keep
// it a small, stable JSON object (ids, status, amounts as strings).
//
// Every change that others may want to hear about calls it, e.g. from a
// payment use case:
//
//	if err := s.emitEvent(ctx, tx, p.TenantID, "payment.received", map[string]any{"id": pay.ID, "amount": money.Fixed(pay.Amount, pay.Currency)}); err != nil {
//		return err
//	}
//
// Type names are "<group>.<what happened>" with a group of WebhookEventGroups.
func (s *Service) emitEvent(ctx context.Context, tx notify.EventStore, tenantID, eventType string, data any) error {
	return notify.Emit(ctx, tx, s.Now(), tenantID, usecase.Event{Type: eventType, Data: data})
}

// invoiceEvent is the data of invoice.* events.
func invoiceEvent(inv billing.Invoice, extra map[string]any) map[string]any {
	m := map[string]any{"id": inv.ID, "kind": inv.Kind, "status": inv.Status, "number": inv.Number,
		"document_number": inv.DocumentNumber, "customer_id": inv.CustomerID, "invoice_account_id": inv.InvoiceAccountID,
		"currency": inv.Currency, "total": inv.Total, "balance": inv.Balance}
	if !inv.InvoiceDate.IsZero() {
		m["invoice_date"] = inv.InvoiceDate.String()
	}
	if !inv.DueDate.IsZero() {
		m["due_date"] = inv.DueDate.String()
	}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

// The outbox and the webhook delivery log are read page by page, with the
// root's Page (package notify would need it in a package of its own).

// ListOutbox lists the tenant's outbox messages, newest first, optionally
// by status and kind.
func (s *Service) ListOutbox(ctx context.Context, p access.Principal, f OutboxFilter) (PageOf[Notification], error) {
	if err := p.Require(access.ReadNotifications); err != nil {
		return PageOf[Notification]{}, err
	}
	if err := notify.CheckOutboxStatus(f.Status); err != nil {
		return PageOf[Notification]{}, err
	}
	if err := f.Page.decode(); err != nil {
		return PageOf[Notification]{}, err
	}
	var out []Notification
	err := s.lists.Read(ctx, func(tx ListTx) error {
		var err error
		out, err = tx.ListOutbox(ctx, p.TenantID, f)
		return err
	})
	if err != nil {
		return PageOf[Notification]{}, err
	}
	return pageOf(out, f.Page.Limit, func(n Notification) Cursor { return Cursor{ID: n.ID} }), nil
}

// ListWebhookAttempts is an endpoint's delivery log, newest first: each
// attempt's status code, error and duration.
func (s *Service) ListWebhookAttempts(ctx context.Context, p access.Principal, endpointID string, page Page) (PageOf[WebhookAttempt], error) {
	if err := p.Require(access.ManageWebhooks); err != nil {
		return PageOf[WebhookAttempt]{}, err
	}
	if err := page.decode(); err != nil {
		return PageOf[WebhookAttempt]{}, err
	}
	var out []WebhookAttempt
	err := s.lists.Read(ctx, func(tx ListTx) error {
		if _, err := tx.GetWebhookEndpoint(ctx, p.TenantID, endpointID); err != nil {
			return err
		}
		var err error
		out, err = tx.ListWebhookAttempts(ctx, p.TenantID, endpointID, page)
		return err
	})
	if err != nil {
		return PageOf[WebhookAttempt]{}, err
	}
	return pageOf(out, page.Limit, func(a WebhookAttempt) Cursor { return Cursor{ID: a.ID} }), nil
}

// ListWebhookDeliveries lists an endpoint's deliveries, newest first,
// optionally by status (pending, succeeded, failed).
func (s *Service) ListWebhookDeliveries(ctx context.Context, p access.Principal, endpointID, status string, page Page) (PageOf[WebhookDelivery], error) {
	if err := p.Require(access.ManageWebhooks); err != nil {
		return PageOf[WebhookDelivery]{}, err
	}
	if err := notify.CheckDeliveryStatus(status); err != nil {
		return PageOf[WebhookDelivery]{}, err
	}
	if err := page.decode(); err != nil {
		return PageOf[WebhookDelivery]{}, err
	}
	var out []WebhookDelivery
	err := s.lists.Read(ctx, func(tx ListTx) error {
		if _, err := tx.GetWebhookEndpoint(ctx, p.TenantID, endpointID); err != nil {
			return err
		}
		var err error
		out, err = tx.ListWebhookDeliveries(ctx, p.TenantID, endpointID, status, page)
		return err
	})
	if err != nil {
		return PageOf[WebhookDelivery]{}, err
	}
	return pageOf(out, page.Limit, func(d WebhookDelivery) Cursor { return Cursor{ID: d.ID} }), nil
}
