package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/documents"
	"github.com/facturo/facturo/email"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/id"
	"github.com/facturo/facturo/messages"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service/usecase"
)

// The statuses of an outbox message (a Notification).
const (
	NotificationQueued  = "queued"  // waiting to be sent, or to be retried at NextAttemptAt
	NotificationSent    = "sent"    // accepted by the SMTP server
	NotificationFailed  = "failed"  // MaxEmailAttempts failed; a retry queues it again
	NotificationSkipped = "skipped" // never sent, see LastError (no recipient); a retry queues it again
)

// MaxEmailAttempts is how many times the outbox tries a message before
// marking it failed.
const MaxEmailAttempts = 6

// emailLease is how long a node holds a claimed message before another node
// may take it over (a node that died mid-send).
const emailLease = 2 * time.Minute

// emailBackoff is the wait after the n-th failed attempt (n ≥ 1): one minute,
// doubling, at most six hours.
func emailBackoff(n int) time.Duration {
	d := time.Minute << min(n-1, 10)
	return min(d, 6*time.Hour)
}

// Mailer sends one email. Package mailer implements it over SMTP.
type Mailer interface {
	Send(ctx context.Context, e Email) error
}

// Email is one message as the Mailer sends it.
type Email struct {
	To          string
	Subject     string
	Text        string
	HTML        string
	Language    string
	MessageID   string // unique per outbox message, so a resend after a lost reply is recognisable
	Attachments []EmailAttachment
}

// EmailAttachment is a file attached to an email.
type EmailAttachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Data        []byte `json:"-"`
}

// NotificationStore queues notifications. Inserting a queued message (and
// saving an attempt that queues it again, or queuing it again by hand)
// also inserts, in the same transaction, the job that sends it when it is
// due (jobargs.SendEmail).
type NotificationStore interface {
	InsertNotification(ctx context.Context, n Notification) error
	ListNotifications(ctx context.Context, tenantID, targetID string) ([]Notification, error)
}

// Notification is a message to a customer in the email outbox, queued in
// the transaction of the change it tells about (with the job that sends
// it, see NotificationStore) and sent by SendEmail, or SendDueEmails.
type Notification struct {
	ID            string            `json:"id"`
	TenantID      string            `json:"-"`
	Kind          string            `json:"kind"` // invoice.published, invoice.status_changed … (package email's kinds)
	TargetType    string            `json:"target_type"`
	TargetID      string            `json:"target_id"`
	Recipient     string            `json:"recipient"`
	Language      string            `json:"language"`
	Payload       map[string]string `json:"payload"`
	Status        string            `json:"status"` // queued, sent, failed, skipped
	Attempts      int               `json:"attempts"`
	LastError     string            `json:"last_error"`
	NextAttemptAt *time.Time        `json:"next_attempt_at"`
	SentAt        *time.Time        `json:"sent_at"`
	CreatedAt     time.Time         `json:"created_at"`
	UpdatedAt     time.Time         `json:"updated_at"`
}

// OutboxStore reads and updates the email outbox (the notifications
// table). Listing the outbox page by page is the root service's
// (OutboxListStore), as its pages are.
type OutboxStore interface {
	GetNotification(ctx context.Context, tenantID, notificationID string) (Notification, error)
	// ClaimNotifications leases up to limit queued messages of any tenant
	// whose next attempt is due at now to owner until leaseUntil: messages
	// nobody holds, or whose lease expired. Each message goes to one claimant.
	ClaimNotifications(ctx context.Context, owner string, now, leaseUntil time.Time, limit int) ([]Notification, error)
	// SaveNotificationAttempt writes the outcome of an attempt (status,
	// attempts, last error, next attempt, sent at) and releases the lease,
	// only if owner still holds it; false when it does not.
	SaveNotificationAttempt(ctx context.Context, n Notification, owner string) (bool, error)
	// RequeueNotification queues a failed or skipped message again.
	RequeueNotification(ctx context.Context, n Notification) error
	// ClaimNotification leases one message as ClaimNotifications would;
	// false when it is not queued and due, or another claimant holds it.
	ClaimNotification(ctx context.Context, owner, tenantID, notificationID string, now, leaseUntil time.Time) (Notification, bool, error)
}

// Queue puts a message in the outbox within tx, the transaction of the
// change it tells about; now is the service clock. A message without a
// recipient (the customer has no billing email) is recorded as skipped with
// the reason, never queued forever. Every kind of customer email goes
// through here; its Kind must have a template in package email.
func Queue(ctx context.Context, tx NotificationStore, now time.Time, n Notification) error {
	if n.ID == "" {
		n.ID = id.NewAt("ntf", now)
	}
	n.CreatedAt, n.UpdatedAt = now, now
	n.NextAttemptAt = &now
	n.Status = NotificationQueued
	n.Recipient = strings.TrimSpace(n.Recipient)
	if n.Recipient == "" {
		n.Status, n.NextAttemptAt = NotificationSkipped, nil
		n.LastError = NoRecipient
	}
	return tx.InsertNotification(ctx, n)
}

// NoRecipient is the last error of a message left out because the
// customer has no billing email (pages show it in the reader's language).
const NoRecipient = "no recipient: the customer has no billing email; add one to its billing information, then retry"

// CheckOutboxStatus refuses a status filter that is not an outbox status
// ("" selects all).
func CheckOutboxStatus(status string) error {
	switch status {
	case "", NotificationQueued, NotificationSent, NotificationFailed, NotificationSkipped:
		return nil
	}
	return fail.Field("status", "%q is not an outbox status: use queued, sent, failed or skipped", status)
}

// OutboxMessage is one outbox message with its rendered subject and body,
// as it was or will be sent.
type OutboxMessage struct {
	Notification
	Rendered    email.Rendered    `json:"rendered"`
	Attachments []EmailAttachment `json:"attachments"`
}

// GetOutboxMessage reads one outbox message and renders it.
func (s *Service) GetOutboxMessage(ctx context.Context, p access.Principal, notificationID string) (OutboxMessage, error) {
	return usecase.Read(ctx, s.outbox, p, access.ReadNotifications, func(tx OutboxTx) (OutboxMessage, error) {
		n, err := tx.GetNotification(ctx, p.TenantID, notificationID)
		if err != nil {
			return OutboxMessage{}, err
		}
		c, err := s.emailContext(ctx, tx, n)
		if err != nil {
			return OutboxMessage{}, err
		}
		out := OutboxMessage{Notification: n, Rendered: c.rendered, Attachments: []EmailAttachment{}}
		if c.attachPDF {
			out.Attachments = append(out.Attachments, EmailAttachment{Filename: c.pdfName, ContentType: "application/pdf"})
		}
		return out, nil
	})
}

// RetryNotification queues a failed or skipped message again, with a fresh
// attempt count. A message skipped for want of a recipient takes the
// customer's current billing email.
func (s *Service) RetryNotification(ctx context.Context, p access.Principal, notificationID string) (Notification, error) {
	return usecase.Write(ctx, s.outbox, p, access.RetryEmail, nil, func(tx OutboxTx) (Notification, usecase.Audit, error) {
		n, err := tx.GetNotification(ctx, p.TenantID, notificationID)
		if err != nil {
			return Notification{}, usecase.Audit{}, err
		}
		if n.Status != NotificationFailed && n.Status != NotificationSkipped {
			e := fail.Conflictf("message %s is %s: only failed or skipped messages can be retried", n.ID, n.Status)
			e.Allowed = []string{NotificationFailed, NotificationSkipped}
			return Notification{}, usecase.Audit{}, e
		}
		if n.Recipient == "" && n.TargetType == "invoice" {
			inv, err := tx.GetInvoice(ctx, p.TenantID, n.TargetID)
			if err != nil {
				return Notification{}, usecase.Audit{}, err
			}
			cu, err := tx.GetCustomer(ctx, p.TenantID, inv.InvoiceAccountID)
			if err != nil {
				return Notification{}, usecase.Audit{}, err
			}
			n.Recipient = cu.Billing.Email
		}
		if n.Recipient == "" {
			return Notification{}, usecase.Audit{}, fail.Conflictf("message %s has no recipient: add a billing email to the customer, then retry", n.ID)
		}
		now := s.now()
		n.Status, n.Attempts, n.LastError, n.NextAttemptAt, n.UpdatedAt = NotificationQueued, 0, "", &now, now
		if err := tx.RequeueNotification(ctx, n); err != nil {
			return Notification{}, usecase.Audit{}, err
		}
		return n, usecase.Entry("notification.retried", "notification", n.ID, map[string]any{"recipient": n.Recipient, "kind": n.Kind}), nil
	})
}

// EmailRun counts what one SendDueEmails pass did.
type EmailRun struct {
	Claimed, Sent, Retrying, Failed, Skipped int
	LastError                                string // of the last failed attempt, for the log
}

// SendDueEmails sends the outbox messages that are due, across tenants: it
// claims a batch under a lease (several nodes share the work, each message
// goes to one), renders each in its language, sends it and records the
// outcome. A failed attempt is retried with exponential backoff up to
// MaxEmailAttempts, then marked failed. Without a Mailer it does nothing:
// messages stay queued and readable. The email_outbox job (package jobs)
// calls it while it finds work.
//
// It is the outbox's own bookkeeping, run by no principal and audited by
// the outcome it records on each message: its transactions are bookkeeping
// (usecase.Bookkeep), with no principal or audit entry.
func (s *Service) SendDueEmails(ctx context.Context, limit int) (EmailRun, error) {
	var run EmailRun
	if s.cfg.Mailer == nil {
		return run, nil
	}
	if limit <= 0 {
		limit = 50
	}
	now := s.now()
	var claimed []Notification
	err := usecase.Bookkeep(ctx, s.outbox, func(tx OutboxTx) error {
		var err error
		claimed, err = tx.ClaimNotifications(ctx, s.node, now, now.Add(emailLease), limit)
		return err
	})
	if err != nil {
		return run, fmt.Errorf("claim emails: %w", err)
	}
	run.Claimed = len(claimed)
	for _, n := range claimed {
		if err := ctx.Err(); err != nil {
			return run, err // the leases expire; another pass takes them
		}
		if err := s.attempt(ctx, n, &run); err != nil {
			return run, err
		}
	}
	return run, nil
}

// SendEmail makes the due attempt at one outbox message: the job the store
// inserted with it (jobargs.SendEmail) calls it when the attempt is due. It
// does nothing when the message is not queued and due any more (sent, or
// taken by SendDueEmails or another node meanwhile), nor without a Mailer:
// the message stays queued, and SendDueEmails sends it once there is one.
func (s *Service) SendEmail(ctx context.Context, tenantID, notificationID string) (EmailRun, error) {
	var run EmailRun
	if s.cfg.Mailer == nil {
		return run, nil
	}
	now := s.now()
	var n Notification
	var ok bool
	err := usecase.Bookkeep(ctx, s.outbox, func(tx OutboxTx) error {
		var err error
		n, ok, err = tx.ClaimNotification(ctx, s.node, tenantID, notificationID, now, now.Add(emailLease))
		return err
	})
	if err != nil || !ok {
		return run, err
	}
	run.Claimed = 1
	return run, s.attempt(ctx, n, &run)
}

// attempt sends one claimed message and records the outcome: sent,
// skipped, failed for good, or queued again after the backoff.
func (s *Service) attempt(ctx context.Context, n Notification, run *EmailRun) error {
	outcome := s.sendOne(ctx, n)
	n.Attempts++
	n.UpdatedAt = s.now()
	switch {
	case outcome.skip != "":
		n.Status, n.LastError, n.NextAttemptAt = NotificationSkipped, outcome.skip, nil
		run.Skipped++
	case outcome.err == nil:
		at := s.now()
		n.Status, n.LastError, n.SentAt, n.NextAttemptAt = NotificationSent, "", &at, nil
		run.Sent++
	case outcome.err != nil && n.Attempts >= MaxEmailAttempts:
		n.Status, n.LastError, n.NextAttemptAt = NotificationFailed, clip(outcome.err.Error(), 1000), nil
		run.Failed++
	default:
		next := s.now().Add(emailBackoff(n.Attempts))
		n.Status, n.LastError, n.NextAttemptAt = NotificationQueued, clip(outcome.err.Error(), 1000), &next
		run.Retrying++
	}
	if outcome.err != nil {
		run.LastError = n.LastError
	}
	err := usecase.Bookkeep(ctx, s.outbox, func(tx OutboxTx) error {
		_, err := tx.SaveNotificationAttempt(ctx, n, s.node)
		return err
	})
	if err != nil {
		return fmt.Errorf("record email %s: %w", n.ID, err)
	}
	return nil
}

type sendOutcome struct {
	skip string // a reason never to try again
	err  error  // a reason to try again later
}

func (s *Service) sendOne(ctx context.Context, n Notification) sendOutcome {
	if strings.TrimSpace(n.Recipient) == "" {
		return sendOutcome{skip: NoRecipient}
	}
	var c emailContext
	err := s.outbox.Store.Read(ctx, func(tx OutboxTx) error {
		var err error
		c, err = s.emailContext(ctx, tx, n)
		return err
	})
	if err != nil {
		if fail.Is(err, fail.NotFound) || fail.Is(err, fail.Invalid) {
			return sendOutcome{skip: "cannot render: " + err.Error()}
		}
		return sendOutcome{err: err}
	}
	e := Email{To: n.Recipient, Subject: c.rendered.Subject, Text: c.rendered.Text, HTML: c.rendered.HTML,
		Language: c.rendered.Language, MessageID: n.ID}
	if c.attachPDF {
		if s.cfg.PDF == nil {
			return sendOutcome{err: fmt.Errorf("render PDF: %w", errNoPDF)}
		}
		// The same PDF as the download, with the tenant's branding.
		pdf, err := s.cfg.PDF(ctx, n.TenantID, n.TargetID)
		if err != nil {
			return sendOutcome{err: fmt.Errorf("render PDF: %w", err)}
		}
		e.Attachments = append(e.Attachments, EmailAttachment{Filename: c.pdfName, ContentType: "application/pdf", Data: pdf})
	}
	sendCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	return sendOutcome{err: s.cfg.Mailer.Send(sendCtx, e)}
}

var errNoPDF = errors.New("no PDF renderer configured (Config.PDF is nil)")

// emailContext is what rendering a message needs.
type emailContext struct {
	tenant    billing.Tenant
	invoice   *billing.Invoice
	rendered  email.Rendered
	attachPDF bool
	pdfName   string
}

// emailContext loads the tenant and the message's document and renders the
// message in its language: the payload's fields, plus the document's
// number, amounts and dates formatted for that language.
func (s *Service) emailContext(ctx context.Context, tx OutboxTx, n Notification) (emailContext, error) {
	var c emailContext
	tenant, err := tx.GetTenant(ctx, n.TenantID)
	if err != nil {
		return c, err
	}
	c.tenant = tenant
	lang := email.Language(n.Language)
	fields := map[string]string{}
	for k, v := range n.Payload {
		fields[k] = v
	}
	msg := email.Message{Kind: n.Kind, Language: lang, Tenant: tenant.Name, Fields: fields}
	if s.cfg.PortalURL != "" {
		msg.PortalURL = s.cfg.PortalURL + "/portal"
	}
	if n.TargetType == "invoice" {
		inv, err := tx.GetInvoice(ctx, n.TenantID, n.TargetID)
		if err != nil {
			return c, err
		}
		c.invoice = &inv
		msg.Customer = inv.BillTo.Name
		if inv.BillTo.LegalName != "" {
			msg.Customer = inv.BillTo.LegalName
		}
		setDefault(fields, "number", documentLabel(inv))
		setDefault(fields, "total", formatAmount(inv.Total, lang))
		setDefault(fields, "balance", formatAmount(inv.Balance, lang))
		setDefault(fields, "invoice_date", formatDate(inv.InvoiceDate, lang))
		setDefault(fields, "due_date", formatDate(inv.DueDate, lang))
		if !inv.PeriodStart.IsZero() && !inv.PeriodEnd.IsZero() {
			setDefault(fields, "period", formatDate(inv.PeriodStart, lang)+" – "+formatDate(inv.PeriodEnd, lang))
		}
		if s.cfg.PortalURL != "" {
			msg.PortalURL = s.cfg.PortalURL + "/portal/invoices/" + inv.ID
		}
		if n.Kind == email.InvoicePublished && inv.Status.IsIssued() {
			c.attachPDF = true
			c.pdfName = documents.Filename(inv, "pdf")
		}
	}
	if cur := n.Payload["currency"]; cur != "" {
		// Payment receipts and wallet notices carry plain decimals and their currency.
		for _, k := range []string{"amount", "balance", "threshold", "unapplied"} {
			if d, err := decimal.NewFromString(n.Payload[k]); err == nil {
				fields[k] = formatAmount(money.In(d, cur), lang)
			}
		}
	}
	if d, err := calendar.Parse(n.Payload["date"]); err == nil {
		fields["date"] = formatDate(d, lang)
	}
	if msg.Customer == "" {
		msg.Customer = fields["customer_name"]
	}
	c.rendered, err = email.Render(msg)
	if err != nil {
		return c, fail.Newf(fail.Invalid, "%v", err)
	}
	return c, nil
}

// documentLabel is the number a document is known by: its legal number
// once issued, its document number before.
func documentLabel(inv billing.Invoice) string {
	if inv.Number != "" {
		return inv.Number
	}
	return inv.DocumentNumber
}

func setDefault(m map[string]string, k, v string) {
	if _, ok := m[k]; !ok && v != "" {
		m[k] = v
	}
}

func formatAmount(a money.Amount, lang string) string {
	if a.Currency().IsZero() {
		return a.Fixed()
	}
	return a.Format(lang)
}

// formatDate writes a date the way the language does: "5 Mar 2026",
// "5 mar 2026", "5 de mar. de 2026" (messages.Date).
func formatDate(d calendar.Date, lang string) string { return messages.Date(lang, d) }
