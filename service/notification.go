package service

import (
	"context"
	"time"
)

// The outbox's message type and store stay here until package notify
// (another change) takes them: this file goes when it does.

// NotificationStore queues notifications (sent by the email jobs).
type NotificationStore interface {
	InsertNotification(ctx context.Context, n Notification) error
	ListNotifications(ctx context.Context, tenantID, targetID string) ([]Notification, error)
}

// Notification is a message to a customer in the email outbox, queued in
// the transaction of the change it tells about and sent by SendDueEmails.
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
