// Package webhook signs, verifies and posts webhooks per the Standard
// Webhooks convention (https://www.standardwebhooks.com): headers
// webhook-id, webhook-timestamp (Unix seconds) and webhook-signature
// "v1,<base64 HMAC-SHA256 of id.timestamp.body>", keyed by the secret
// "whsec_<base64>". It implements service.WebhookSender.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/facturo/facturo/service"
)

// The Standard Webhooks headers.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// key decodes a whsec_ secret.
func key(secret string) ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil || len(k) == 0 {
		return nil, errors.New("webhook secret: want whsec_ followed by base64")
	}
	return k, nil
}

// Sign returns the webhook-signature value of a message: "v1," and the
// base64 HMAC-SHA256 of "id.timestamp.body".
func Sign(secret, msgID string, ts time.Time, body []byte) (string, error) {
	k, err := key(secret)
	if err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, k)
	m.Write([]byte(msgID + "." + strconv.FormatInt(ts.Unix(), 10) + "."))
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil)), nil
}

// Verify checks a received webhook as a receiver should: the timestamp is
// within tolerance of now, and one of the space-separated signatures in the
// webhook-signature header matches.
func Verify(secret string, h http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	msgID, tsText, sigs := h.Get(HeaderID), h.Get(HeaderTimestamp), h.Get(HeaderSignature)
	if msgID == "" || tsText == "" || sigs == "" {
		return errors.New("missing webhook-id, webhook-timestamp or webhook-signature")
	}
	sec, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return fmt.Errorf("bad webhook-timestamp %q", tsText)
	}
	ts := time.Unix(sec, 0)
	if d := now.Sub(ts); d > tolerance || d < -tolerance {
		return fmt.Errorf("webhook-timestamp %s is too far from now", ts.UTC())
	}
	want, err := Sign(secret, msgID, ts, body)
	if err != nil {
		return err
	}
	for _, s := range strings.Fields(sigs) {
		if hmac.Equal([]byte(s), []byte(want)) {
			return nil
		}
	}
	return errors.New("no matching signature")
}

// Sender posts webhooks over HTTP. It never follows redirects (a 3xx is a
// failed attempt), so a receiver cannot bounce a delivery to another
// scheme or host.
type Sender struct {
	Client    *http.Client
	UserAgent string
}

// NewSender returns a Sender with a 15-second timeout. Unless allowPrivate
// (the operator's --webhooks-allow-private), its dialer refuses every
// address service.WebhookTargetRefused refuses, checked on the address it
// actually connects to after DNS resolution, so a name that resolves (or
// is re-pointed) to a private address cannot reach the operator's network.
// It uses no proxy, for the same reason.
func NewSender(allowPrivate bool) *Sender {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		d.Control = refusePrivate
	}
	tr := &http.Transport{DialContext: d.DialContext, ForceAttemptHTTP2: true, MaxIdleConns: 100,
		IdleConnTimeout: 90 * time.Second, TLSHandshakeTimeout: 10 * time.Second, ExpectContinueTimeout: time.Second}
	return &Sender{Client: &http.Client{Timeout: 15 * time.Second, Transport: tr, CheckRedirect: noRedirects}, UserAgent: "Facturo-Webhooks/1"}
}

// refusePrivate is the dialer's Control: it runs on every connection, with
// the resolved address.
func refusePrivate(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("webhook target %s: %w", address, err)
	}
	if why := service.WebhookTargetRefused(ap.Addr()); why != "" {
		return fmt.Errorf("webhook target %s refused: %s (the operator may allow private networks with --webhooks-allow-private)", ap.Addr(), why)
	}
	return nil
}

func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// Send posts r signed and returns the response status.
func (s *Sender) Send(ctx context.Context, r service.WebhookRequest) (int, error) {
	sig, err := Sign(r.Secret, r.ID, r.Timestamp, r.Body)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return 0, fmt.Errorf("webhook request: %w", err)
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return 0, fmt.Errorf("webhook URL scheme %q: only http and https", req.URL.Scheme)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", s.UserAgent)
	req.Header.Set(HeaderID, r.ID)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(r.Timestamp.Unix(), 10))
	req.Header.Set(HeaderSignature, sig)
	client := s.Client
	if client == nil {
		client = NewSender(false).Client
	}
	if client.CheckRedirect == nil {
		c := *client
		c.CheckRedirect = noRedirects
		client = &c
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("post webhook: %w", err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	return res.StatusCode, nil
}

var _ service.WebhookSender = (*Sender)(nil)
