// Package attachment is the rule of the files kept with documents: how
// large they may be, which types they may have, and that their bytes are
// what their declared type says.
package attachment

import (
	"bytes"
	"path"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
)

// MaxBytes bounds one attachment.
const MaxBytes = 10 << 20

// Types are the content types an attachment may have.
var Types = []string{"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp",
	"text/plain", "text/csv", "application/xml", "application/zip"}

// Check validates the file name, size and declared type, and
// checks the declared type against the bytes themselves.
func Check(filename, declared string, data []byte) (string, string, error) {
	var c fail.Collector
	name := path.Base(strings.ReplaceAll(strings.TrimSpace(filename), `\`, "/"))
	if name == "" || name == "." || name == "/" {
		c.Add("filename", "is required")
	} else {
		billing.CheckText(&c, "filename", name, 255)
	}
	ct := strings.ToLower(strings.TrimSpace(strings.SplitN(declared, ";", 2)[0]))
	switch {
	case len(data) == 0:
		c.Add("file", "is empty")
	case len(data) > MaxBytes:
		c.Add("file", "is %d bytes; attachments are at most %d MiB", len(data), MaxBytes>>20)
	case !slices.Contains(Types, ct):
		c.Add("content_type", "%q is not accepted: use one of %s", ct, strings.Join(Types, ", "))
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
