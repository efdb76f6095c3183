package main

import (
	"fmt"
	"log/slog"

	"github.com/facturo/facturo/mailer"
	"github.com/facturo/facturo/service"
)

// smtpFlags are serve's email settings. The SMTP URL may hold a password:
// it is read from the flag or $FACTURO_SMTP_URL, shown redacted in --help,
// and logged only redacted.
type smtpFlags struct {
	url, from *string
}

func addSMTPFlags(f *flags) smtpFlags {
	s := smtpFlags{
		url:  f.Secret("smtp-url", "FACTURO_SMTP_URL", "", "SMTP server for customer email: smtp://user:pass@host:587 (STARTTLS when offered), smtp+starttls://… or smtps://…:465; without it emails stay in the outbox"),
		from: f.String("smtp-from", "FACTURO_SMTP_FROM", "", "sender of customer email, e.g. \"Acme Billing <billing@acme.example>\""),
	}
	return s
}

// mailer returns the configured sender, or nil when no SMTP server is set.
func (s smtpFlags) mailer(log *slog.Logger) (service.Mailer, error) {
	u := *s.url
	if u == "" {
		log.Info("email: no SMTP server configured (--smtp-url); messages stay in the outbox (GET /api/v1/outbox)")
		return nil, nil
	}
	m, err := mailer.New(mailer.Config{URL: u, From: *s.from})
	if err != nil {
		return nil, fmt.Errorf("email: %w", err)
	}
	log.Info("email: sending through SMTP", "server", m.String(), "from", *s.from)
	return m, nil
}
