// Package mailer sends email over SMTP with github.com/wneessen/go-mail. It
// implements service.Mailer; the outbox worker in package service decides
// what to send and when.
package mailer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/facturo/facturo/service"
)

// Config is an SMTP server and the sender address.
type Config struct {
	// URL is smtp://user:pass@host:port (STARTTLS when the server offers
	// it), smtp+starttls://… (STARTTLS required) or smtps://… (TLS from the
	// first byte). User and password are optional; ?auth= chooses the
	// SASL mechanism: plain (the default), login, cram-md5, scram-sha-256
	// or auto (the strongest the server offers). PLAIN and LOGIN are only
	// sent over TLS, or to a server on loopback.
	URL string
	// From is the sender, "Name <addr>" or "addr".
	From string
	// Timeout bounds one connection; zero means 30 seconds.
	Timeout time.Duration
}

// SMTP sends messages to one SMTP server. Safe for concurrent use: each Send
// dials its own connection.
type SMTP struct {
	host     string
	opts     []gomail.Option
	fromName string
	fromAddr string
	redacted string
}

// New checks cfg and returns a sender. Errors never contain the password.
func New(cfg Config) (*SMTP, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || u.Host == "" {
		return nil, errors.New("SMTP URL: want smtp://user:pass@host:port, smtp+starttls://… or smtps://…")
	}
	s := &SMTP{host: u.Hostname(), redacted: u.Redacted()}
	if cfg.From == "" {
		return nil, errors.New("SMTP from address: required (e.g. \"Billing <billing@example.com>\")")
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("SMTP from address %q: %w", cfg.From, err)
	}
	s.fromName, s.fromAddr = from.Name, from.Address
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	s.opts = append(s.opts, gomail.WithTimeout(timeout))
	port := 0
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil || port <= 0 || port > 65535 {
			return nil, fmt.Errorf("SMTP URL %s: bad port %q", s.redacted, p)
		}
	}
	switch u.Scheme {
	case "smtp":
		s.opts = append(s.opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
		if port == 0 {
			port = 587
		}
	case "smtp+starttls":
		s.opts = append(s.opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
		if port == 0 {
			port = 587
		}
	case "smtps":
		s.opts = append(s.opts, gomail.WithSSL())
		if port == 0 {
			port = 465
		}
	default:
		return nil, fmt.Errorf("SMTP URL %s: scheme must be smtp, smtp+starttls or smtps", s.redacted)
	}
	s.opts = append(s.opts, gomail.WithPort(port))
	if user := u.User.Username(); user != "" {
		pass, _ := u.User.Password()
		mech, ok := map[string]gomail.SMTPAuthType{"": gomail.SMTPAuthPlain, "plain": gomail.SMTPAuthPlain, "login": gomail.SMTPAuthLogin,
			"cram-md5": gomail.SMTPAuthCramMD5, "scram-sha-256": gomail.SMTPAuthSCRAMSHA256, "auto": gomail.SMTPAuthAutoDiscover}[strings.ToLower(u.Query().Get("auth"))]
		if !ok {
			return nil, fmt.Errorf("SMTP URL %s: auth must be plain, login, cram-md5, scram-sha-256 or auto", s.redacted)
		}
		s.opts = append(s.opts, gomail.WithSMTPAuth(mech), gomail.WithUsername(user), gomail.WithPassword(pass))
	}
	return s, nil
}

// String names the server without its password, for logs.
func (s *SMTP) String() string { return s.redacted }

// Send delivers one message.
func (s *SMTP) Send(ctx context.Context, e service.Email) error {
	m := gomail.NewMsg()
	if err := m.FromFormat(s.fromName, s.fromAddr); err != nil {
		return fmt.Errorf("from: %w", err)
	}
	if err := m.To(e.To); err != nil {
		return fmt.Errorf("recipient %q: %w", e.To, err)
	}
	m.Subject(e.Subject)
	m.SetDate()
	if e.MessageID != "" {
		m.SetMessageIDWithValue(e.MessageID + "@" + domainOf(s.fromAddr))
	} else {
		m.SetMessageID()
	}
	if e.Language != "" {
		m.SetGenHeader(gomail.HeaderContentLang, e.Language)
	}
	m.SetBodyString(gomail.TypeTextPlain, e.Text)
	if e.HTML != "" {
		m.AddAlternativeString(gomail.TypeTextHTML, e.HTML)
	}
	for _, a := range e.Attachments {
		m.AttachReadSeeker(a.Filename, bytes.NewReader(a.Data), gomail.WithFileContentType(gomail.ContentType(a.ContentType)))
	}
	c, err := gomail.NewClient(s.host, s.opts...)
	if err != nil {
		return fmt.Errorf("SMTP client for %s: %w", s.redacted, err)
	}
	if err := c.DialAndSendWithContext(ctx, m); err != nil {
		return fmt.Errorf("send via %s: %w", s.redacted, err)
	}
	return nil
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return "facturo.local"
}

var _ service.Mailer = (*SMTP)(nil)
