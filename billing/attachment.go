package billing

import "time"

// Attachment is a file kept with a document.
type Attachment struct {
	ID          string    `json:"id"`
	TenantID    string    `json:"-"`
	InvoiceID   string    `json:"invoice_id"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int       `json:"size"`
	SHA256      string    `json:"sha256"`
	Data        []byte    `json:"-"`
	CreatedBy   string    `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
}
