package attachment_test

import (
	"slices"
	"testing"

	"github.com/facturo/facturo/attachment"
	"github.com/facturo/facturo/fail"
)

// invalidFields returns the sorted fields an invalid-input error names.
func invalidFields(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	e, ok := fail.As(err)
	if !ok || e.Code != fail.Invalid {
		t.Fatalf("error %v is not invalid input", err)
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func TestSniff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ct   string
		data string
		want bool
	}{
		{"application/pdf", "%PDF-1.7\n", true},
		{"application/pdf", "PDF-1.7", false},
		{"image/png", "\x89PNG\r\n\x1a\nrest", true},
		{"image/png", "\x89PNG\n", false},
		{"image/jpeg", "\xFF\xD8\xFF\xE0", true},
		{"image/jpeg", "\xFF\xD8", false},
		{"image/gif", "GIF87a...", true},
		{"image/gif", "GIF89a...", true},
		{"image/gif", "GIF90a...", false},
		{"image/webp", "RIFF\x00\x00\x00\x00WEBPVP8 ", true},
		{"image/webp", "RIFF\x00\x00\x00\x00WAVE", false},
		{"image/webp", "RIFF", false},
		{"application/zip", "PK\x03\x04", true},
		{"application/zip", "PK\x05\x06", false},
		{"application/xml", "<?xml version=\"1.0\"?><a/>", true},
		{"application/xml", "\xEF\xBB\xBF \n<Invoice/>", true},
		{"application/xml", "Invoice", false},
		{"application/xml", "<a>\x00</a>", false},
		{"application/xml", "<a>\xff</a>", false},
		{"text/plain", "hello, señor", true},
		{"text/csv", "a,b\n1,2\n", true},
		{"text/csv", "a,\x00b", false},
		{"text/plain", "\xc3\x28", false},
		{"application/octet-stream", "anything", false},
	}
	for _, tt := range tests {
		if got := attachment.Sniff(tt.ct, []byte(tt.data)); got != tt.want {
			t.Errorf("Sniff(%s, %q) = %v, want %v", tt.ct, tt.data, got, tt.want)
		}
	}
}

// pdfOfSize is n bytes starting with a PDF header.
func pdfOfSize(n int) []byte {
	b := make([]byte, n)
	copy(b, "%PDF-1.4")
	return b
}

func TestCheckAttachment(t *testing.T) {
	t.Parallel()
	pdf := []byte("%PDF-1.4 ...")
	tests := []struct {
		name, filename, declared string
		data                     []byte
		wantName, wantCT         string
		fields                   []string
	}{
		{"pdf", "invoice.pdf", "application/pdf", pdf, "invoice.pdf", "application/pdf", nil},
		{"path and parameters dropped", ` C:\Users\ana\scan.PDF `, "Application/PDF; name=scan.pdf", pdf, "scan.PDF", "application/pdf", nil},
		{"unix path", "../../etc/notes.txt", "text/plain", []byte("hi"), "notes.txt", "text/plain", nil},
		{"no name", "  ", "application/pdf", pdf, ".", "application/pdf", []string{"filename"}},
		{"name is a slash", "/", "application/pdf", pdf, "/", "application/pdf", []string{"filename"}},
		{"empty file", "a.pdf", "application/pdf", nil, "a.pdf", "application/pdf", []string{"file"}},
		{"too large", "a.pdf", "application/pdf", pdfOfSize(attachment.MaxBytes + 1), "a.pdf", "application/pdf", []string{"file"}},
		{"at the limit", "a.pdf", "application/pdf", pdfOfSize(attachment.MaxBytes), "a.pdf", "application/pdf", nil},
		{"type not accepted", "a.exe", "application/x-msdownload", []byte("MZ"), "a.exe", "application/x-msdownload", []string{"content_type"}},
		{"bytes are not the type", "a.png", "image/png", pdf, "a.png", "image/png", []string{"content_type"}},
		{"name with a control character", "a\x01.pdf", "application/pdf", pdf, "a\x01.pdf", "application/pdf", []string{"filename"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			name, ct, err := attachment.Check(tt.filename, tt.declared, tt.data)
			if got := invalidFields(t, err); !slices.Equal(got, tt.fields) {
				t.Fatalf("fields %v, want %v", got, tt.fields)
			}
			if name != tt.wantName || ct != tt.wantCT {
				t.Errorf("Check = %q, %q; want %q, %q", name, ct, tt.wantName, tt.wantCT)
			}
		})
	}
}
