// Package mailpit runs a real SMTP server (the mailpit binary) on loopback
// ports for tests, and reads the messages it received through its HTTP API.
// Without the binary the test is skipped, or fails under CI=true.
package mailpit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// Server is a running mailpit.
type Server struct {
	t       testing.TB
	SMTP    string // host:port
	API     string // http://host:port
	SMTPURL string // smtp://host:port for mailer.Config
}

// binary finds mailpit in $PATH or $HOME/go/bin.
func binary() string {
	if p, err := exec.LookPath("mailpit"); err == nil {
		return p
	}
	if home, err := os.UserHomeDir(); err == nil {
		p := filepath.Join(home, "go", "bin", "mailpit")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Start runs mailpit with chaos enabled (to make the SMTP server fail on
// demand) and stops it when the test ends. extra are more mailpit flags,
// e.g. --smtp-auth-accept-any --smtp-auth-allow-insecure.
func Start(t testing.TB, extra ...string) *Server {
	t.Helper()
	bin := binary()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("mailpit is not installed: CI must run the email tests (go install github.com/axllent/mailpit@v1.27.11)")
		}
		t.Skip("email tests need mailpit in $PATH or $HOME/go/bin (go install github.com/axllent/mailpit@v1.27.11)")
	}
	smtpPort, httpPort := freePort(t), freePort(t)
	s := &Server{t: t, SMTP: net.JoinHostPort("127.0.0.1", strconv.Itoa(smtpPort)), API: fmt.Sprintf("http://127.0.0.1:%d", httpPort)}
	s.SMTPURL = "smtp://" + s.SMTP
	var logs bytes.Buffer
	args := append([]string{"--smtp", s.SMTP, "--listen", fmt.Sprintf("127.0.0.1:%d", httpPort), "--disable-version-check",
		"--enable-chaos", "--pop3", "", "--database", filepath.Join(t.TempDir(), "mailpit.db")}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start mailpit: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	// Wait until both ports answer (a readiness check, not a timing guess).
	deadline := time.Now().Add(15 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", s.SMTP, time.Second)
		if err == nil {
			c.Close()
			if res, err := http.Get(s.API + "/api/v1/messages"); err == nil {
				res.Body.Close()
				if res.StatusCode == http.StatusOK {
					return s
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailpit did not start: %s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Address is a recipient or sender.
type Address struct {
	Name    string `json:"Name"`
	Address string `json:"Address"`
}

// Summary is a message in the list.
type Summary struct {
	ID          string    `json:"ID"`
	From        Address   `json:"From"`
	To          []Address `json:"To"`
	Subject     string    `json:"Subject"`
	Attachments int       `json:"Attachments"`
}

// Attachment is one attached file.
type Attachment struct {
	PartID      string `json:"PartID"`
	FileName    string `json:"FileName"`
	ContentType string `json:"ContentType"`
	Size        int    `json:"Size"`
}

// Message is one message in full.
type Message struct {
	ID          string       `json:"ID"`
	From        Address      `json:"From"`
	To          []Address    `json:"To"`
	Subject     string       `json:"Subject"`
	Text        string       `json:"Text"`
	HTML        string       `json:"HTML"`
	Attachments []Attachment `json:"Attachments"`
}

func (s *Server) get(path string, v any) {
	s.t.Helper()
	res, err := http.Get(s.API + path)
	if err != nil {
		s.t.Fatalf("mailpit %s: %v", path, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		s.t.Fatalf("mailpit %s: %s", path, res.Status)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		s.t.Fatalf("mailpit %s: %v", path, err)
	}
}

// Messages lists every message received, newest first.
func (s *Server) Messages() []Summary {
	s.t.Helper()
	var out struct {
		Messages []Summary `json:"messages"`
	}
	s.get("/api/v1/messages?limit=500", &out)
	return out.Messages
}

// Message reads one message.
func (s *Server) Message(id string) Message {
	s.t.Helper()
	var m Message
	s.get("/api/v1/message/"+id, &m)
	return m
}

// Attachment downloads one attachment's bytes.
func (s *Server) Attachment(messageID, partID string) []byte {
	s.t.Helper()
	res, err := http.Get(s.API + "/api/v1/message/" + messageID + "/part/" + partID)
	if err != nil {
		s.t.Fatalf("mailpit attachment: %v", err)
	}
	defer res.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(res.Body)
	return b.Bytes()
}

// FailSMTP makes the SMTP server refuse every sender with 451 (on) or
// accept again (off), through mailpit's chaos API.
func (s *Server) FailSMTP(on bool) {
	s.t.Helper()
	p := 0
	if on {
		p = 100
	}
	body := fmt.Sprintf(`{"Sender":{"ErrorCode":451,"Probability":%d}}`, p)
	req, _ := http.NewRequest(http.MethodPut, s.API+"/api/v1/chaos", bytes.NewBufferString(body))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("mailpit chaos: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		s.t.Fatalf("mailpit chaos: %s", res.Status)
	}
}

// Clear deletes every message.
func (s *Server) Clear() {
	s.t.Helper()
	req, _ := http.NewRequest(http.MethodDelete, s.API+"/api/v1/messages", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("mailpit clear: %v", err)
	}
	res.Body.Close()
}
