package billing

import (
	"bytes"
	"path"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/facturo/facturo/fail"
)

// MaxAttachmentBytes bounds one attachment.
const MaxAttachmentBytes = 10 << 20

// AttachmentTypes are the content types an attachment may have.
var AttachmentTypes = []string{"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp",
	"text/plain", "text/csv", "application/xml", "application/zip"}

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

// CheckAttachment validates the file name, size and declared type, and
// checks the declared type against the bytes themselves.
func CheckAttachment(filename, declared string, data []byte) (string, string, error) {
	var c fail.Collector
	name := path.Base(strings.ReplaceAll(strings.TrimSpace(filename), `\`, "/"))
	if name == "" || name == "." || name == "/" {
		c.Add("filename", "is required")
	} else {
		checkText(&c, "filename", name, 255)
	}
	ct := strings.ToLower(strings.TrimSpace(strings.SplitN(declared, ";", 2)[0]))
	switch {
	case len(data) == 0:
		c.Add("file", "is empty")
	case len(data) > MaxAttachmentBytes:
		c.Add("file", "is %d bytes; attachments are at most %d MiB", len(data), MaxAttachmentBytes>>20)
	case !slices.Contains(AttachmentTypes, ct):
		c.Add("content_type", "%q is not accepted: use one of %s", ct, strings.Join(AttachmentTypes, ", "))
	case !Sniff(ct, data):
		c.Add("content_type", "the file's bytes are not %s; send the file's real type", ct)
	}
	return name, ct, c.Err()
}

// Sniff reports whether data looks like content type ct, by its magic bytes
// (or, for text types, by being UTF-8 without NUL bytes).
func Sniff(ct string, data []byte) bool {
	switch ct {
	case "application/pdf":
		return bytes.HasPrefix(data, []byte("%PDF-"))
	case "image/png":
		return bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n"))
	case "image/jpeg":
		return bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF})
	case "image/gif":
		return bytes.HasPrefix(data, []byte("GIF87a")) || bytes.HasPrefix(data, []byte("GIF89a"))
	case "image/webp":
		return len(data) >= 12 && bytes.HasPrefix(data, []byte("RIFF")) && string(data[8:12]) == "WEBP"
	case "application/zip":
		return bytes.HasPrefix(data, []byte("PK\x03\x04"))
	case "application/xml":
		t := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF")), " \t\r\n")
		return bytes.HasPrefix(t, []byte("<")) && utf8.Valid(data) && !bytes.Contains(data, []byte{0})
	case "text/plain", "text/csv":
		return utf8.Valid(data) && !bytes.Contains(data, []byte{0})
	}
	return false
}
