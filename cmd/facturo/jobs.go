package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

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

// workers runs the background jobs that send the outbox: email and
// webhooks. Every node may run them: each message and delivery is claimed
// under a lease by one node at a time.
type workers struct {
	wg   sync.WaitGroup
	stop chan struct{}
	work context.Context // for in-flight batches: outlives the stop signal
	halt context.CancelFunc
	once sync.Once
}

func startWorkers(svc *service.Service, log *slog.Logger, every time.Duration) *workers {
	w := &workers{stop: make(chan struct{})}
	w.work, w.halt = context.WithCancel(context.Background())
	w.loop("email outbox", every, log, func(ctx context.Context) (int, error) {
		r, err := svc.SendDueEmails(ctx, 50)
		switch {
		case r.Retrying+r.Failed > 0:
			log.Warn("emails", "sent", r.Sent, "retrying", r.Retrying, "failed", r.Failed, "skipped", r.Skipped, "last_error", r.LastError)
		case r.Claimed > 0:
			log.Info("emails", "sent", r.Sent, "skipped", r.Skipped)
		}
		return r.Claimed, err
	})
	w.loop("webhooks", every, log, func(ctx context.Context) (int, error) {
		r, err := svc.DeliverDueWebhooks(ctx, 50)
		if r.Failed > 0 {
			log.Warn("webhooks given up", "count", r.Failed)
		}
		return r.Claimed, err
	})
	return w
}

// loop calls run every interval, and again at once while it finds work.
func (w *workers) loop(name string, every time.Duration, log *slog.Logger, run func(context.Context) (int, error)) {
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			n, err := run(w.work)
			if err != nil && w.work.Err() == nil {
				log.Warn(name, "err", err)
			}
			if n > 0 && err == nil {
				select {
				case <-w.stop:
					return
				default:
					continue
				}
			}
			select {
			case <-w.stop:
				return
			case <-t.C:
			}
		}
	}()
}

// Stop lets in-flight batches finish within grace, then cancels them (their
// leases expire and another node, or the next start, takes them over).
func (w *workers) Stop(grace time.Duration) { w.once.Do(func() { w.stop1(grace) }) }

func (w *workers) stop1(grace time.Duration) {
	close(w.stop)
	done := make(chan struct{})
	go func() { w.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(grace):
		w.halt()
		<-done
	}
	w.halt()
}
