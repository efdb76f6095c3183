package notify

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/id"
	"github.com/facturo/facturo/service/usecase"
)

// WebhookEventGroups are the families of events an endpoint can subscribe
// to, as "group.*" or one exact type ("invoice.issued"); "*" is every event.
var WebhookEventGroups = []string{"invoice", "payment", "wallet", "sales_item", "billing_run"}

// MaxWebhookAttempts is how many times a delivery is tried before it is
// marked failed.
const MaxWebhookAttempts = 10

const webhookLease = 2 * time.Minute

// webhookBackoff is the wait after the n-th failed attempt (n ≥ 1): 30
// seconds, doubling, at most 12 hours (about 8.5 hours over all attempts).
func webhookBackoff(n int) time.Duration {
	d := 30 * time.Second << min(n-1, 12)
	return min(d, 12*time.Hour)
}

// WebhookEndpoint is a URL of a tenant's that receives events.
type WebhookEndpoint struct {
	ID          string    `json:"id"`
	TenantID    string    `json:"-"`
	URL         string    `json:"url"`
	Description string    `json:"description"`
	Events      []string  `json:"events"`
	Enabled     bool      `json:"enabled"`
	Secret      string    `json:"-"` // whsec_…: shown once, at creation
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Wants reports whether the endpoint subscribes to eventType.
func (e WebhookEndpoint) Wants(eventType string) bool {
	for _, f := range e.Events {
		if f == "*" || f == eventType || (strings.HasSuffix(f, ".*") && strings.HasPrefix(eventType, strings.TrimSuffix(f, "*"))) {
			return true
		}
	}
	return false
}

// WebhookEvent is one event in the outbox. Payload is the exact JSON body
// sent: {"type", "timestamp", "data"}.
type WebhookEvent struct {
	ID        string
	TenantID  string
	Type      string
	Payload   []byte
	CreatedAt time.Time
}

// WebhookDelivery is one event on its way to one endpoint.
type WebhookDelivery struct {
	ID            string     `json:"id"`
	TenantID      string     `json:"-"`
	EndpointID    string     `json:"endpoint_id"`
	EventID       string     `json:"event_id"`
	EventType     string     `json:"event_type"`
	Status        string     `json:"status"` // WebhookPending, WebhookSucceeded, WebhookFailed
	Attempts      int        `json:"attempts"`
	NextAttemptAt time.Time  `json:"next_attempt_at"`
	LastStatus    int        `json:"last_status"`
	LastError     string     `json:"last_error"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
	DeliveredAt   *time.Time `json:"delivered_at"`
}

// The statuses of a webhook delivery.
const (
	WebhookPending   = "pending"   // to be posted, or posted again, at NextAttemptAt
	WebhookSucceeded = "succeeded" // the endpoint answered 2xx
	WebhookFailed    = "failed"    // MaxWebhookAttempts failed; a retry makes it pending again
)

// DueWebhook is a claimed delivery with what sending it needs.
type DueWebhook struct {
	WebhookDelivery
	URL     string
	Secret  string
	Payload []byte
}

// WebhookAttempt is one line of an endpoint's delivery log.
type WebhookAttempt struct {
	ID         string    `json:"id"`
	TenantID   string    `json:"-"`
	DeliveryID string    `json:"delivery_id"`
	EndpointID string    `json:"endpoint_id"`
	EventID    string    `json:"event_id"`
	EventType  string    `json:"event_type"`
	Attempt    int       `json:"attempt"`
	At         time.Time `json:"at"`
	StatusCode int       `json:"status_code" doc:"0 when no response came"`
	Error      string    `json:"error"`
	DurationMS int64     `json:"duration_ms"`
}

// WebhookStore keeps endpoints, the event outbox, deliveries and attempts.
// Reading the delivery log page by page is the root service's
// (WebhookLogStore), as its pages are.
type WebhookStore interface {
	InsertWebhookEndpoint(ctx context.Context, e WebhookEndpoint) error
	UpdateWebhookEndpoint(ctx context.Context, e WebhookEndpoint) error
	DeleteWebhookEndpoint(ctx context.Context, tenantID, endpointID string) error
	GetWebhookEndpoint(ctx context.Context, tenantID, endpointID string) (WebhookEndpoint, error)
	// ListWebhookEndpoints lists a tenant's endpoints; enabledOnly leaves out disabled ones.
	ListWebhookEndpoints(ctx context.Context, tenantID string, enabledOnly bool) ([]WebhookEndpoint, error)
	// InsertWebhookEvent appends an event and its deliveries.
	InsertWebhookEvent(ctx context.Context, ev WebhookEvent, deliveries []WebhookDelivery) error
	// ClaimWebhookDeliveries leases up to limit pending deliveries of any
	// tenant, due at now, to enabled endpoints, to owner until leaseUntil.
	ClaimWebhookDeliveries(ctx context.Context, owner string, now, leaseUntil time.Time, limit int) ([]DueWebhook, error)
	// SaveWebhookAttempt logs an attempt and updates its delivery, releasing
	// the lease, only if owner still holds it.
	SaveWebhookAttempt(ctx context.Context, d WebhookDelivery, a WebhookAttempt, owner string) (bool, error)
	GetWebhookDelivery(ctx context.Context, tenantID, deliveryID string) (WebhookDelivery, error)
	// RequeueWebhookDelivery makes a failed delivery pending again, as d
	// says, and schedules its attempt; it fails if the delivery is not failed.
	RequeueWebhookDelivery(ctx context.Context, d WebhookDelivery) error
}

// EventStore is what recording an event needs: the endpoints to deliver it
// to, and appending it with its deliveries.
type EventStore interface {
	ListWebhookEndpoints(ctx context.Context, tenantID string, enabledOnly bool) ([]WebhookEndpoint, error)
	InsertWebhookEvent(ctx context.Context, ev WebhookEvent, deliveries []WebhookDelivery) error
}

// WebhookSender posts one signed webhook (package webhook implements it
// over HTTP per the Standard Webhooks convention). It returns the response
// status, and an error when no response came.
type WebhookSender interface {
	Send(ctx context.Context, r WebhookRequest) (int, error)
}

// WebhookRequest is one webhook to post: Standard Webhooks' webhook-id is ID
// (the event's, the same on every retry), webhook-timestamp is Timestamp.
type WebhookRequest struct {
	URL       string
	Secret    string
	ID        string
	Timestamp time.Time
	Body      []byte
}

// refusedWebhookPrefixes are the address ranges netip has no predicate for
// that still reach the operator's own network: "this network" (0/8, which
// Linux routes to the host), shared address space (carrier-grade NAT) and
// the limited broadcast address.
var refusedWebhookPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("255.255.255.255/32"),
}

// WebhookTargetRefused is the webhook target policy, the one rule used
// both when an endpoint is registered and by the sender's dialer after DNS
// resolution: it says why a webhook may not be sent to ip, or "" when it
// may. Loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7),
// link-local (169.254/16 with the cloud metadata service, fe80::/10),
// unspecified and multicast addresses are the operator's network, not a
// receiver's; WithPrivateWebhookTargets lifts the rule.
func WebhookTargetRefused(ip netip.Addr) string {
	ip = ip.Unmap().WithZone("")
	switch {
	case !ip.IsValid():
		return "not an IP address"
	case ip.IsLoopback():
		return "a loopback address"
	case ip.IsUnspecified():
		return "an unspecified address"
	case ip.IsPrivate():
		return "a private-network address"
	case ip.IsLinkLocalUnicast():
		return "a link-local address (such as the cloud metadata service)"
	case ip.IsMulticast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast():
		return "a multicast address"
	}
	for _, p := range refusedWebhookPrefixes {
		if p.Contains(ip) {
			return "a reserved address of the local network"
		}
	}
	return ""
}

// webhookHostRefused applies WebhookTargetRefused to a URL's host as
// written: an IP literal, or a name that is loopback by definition
// (localhost, *.localhost). Other names are checked by the sender after
// resolution, on every delivery.
func webhookHostRefused(host string) string {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return "a loopback name"
	}
	if ip, err := netip.ParseAddr(h); err == nil {
		return WebhookTargetRefused(ip)
	}
	return ""
}

// Emit records the event e in tx, the transaction of the change it
// reports, so the event exists if and only if the change committed; now is
// the service clock. e.Data becomes the "data" member of the body; keep it
// a small, stable JSON object (ids, status, amounts as strings). One
// delivery is queued for each enabled endpoint of the tenant subscribed to
// e.Type; with no such endpoint nothing is written. DeliverDueWebhooks
// sends them.
//
// Use cases return their events to usecase.Write (usecase.Audit.Emit),
// whose Env.Emit calls this; code not yet moved into an area calls it
// directly. Type names are "<group>.<what happened>" with a group of
// WebhookEventGroups.
func Emit(ctx context.Context, tx EventStore, now time.Time, tenantID string, e usecase.Event) error {
	eps, err := tx.ListWebhookEndpoints(ctx, tenantID, true)
	if err != nil {
		return err
	}
	eps = slices.DeleteFunc(eps, func(ep WebhookEndpoint) bool { return !ep.Wants(e.Type) })
	if len(eps) == 0 {
		return nil
	}
	ev := WebhookEvent{ID: id.NewAt("evt", now), TenantID: tenantID, Type: e.Type, CreatedAt: now}
	ev.Payload, err = json.Marshal(struct {
		ID        string `json:"id"`
		Type      string `json:"type"`
		Timestamp string `json:"timestamp"`
		Data      any    `json:"data"`
	}{ev.ID, e.Type, now.Format(time.RFC3339Nano), e.Data})
	if err != nil {
		return fmt.Errorf("marshal event %s: %w", e.Type, err)
	}
	ds := make([]WebhookDelivery, 0, len(eps))
	for _, ep := range eps {
		ds = append(ds, WebhookDelivery{ID: id.NewAt("whd", now), TenantID: tenantID, EndpointID: ep.ID, EventID: ev.ID,
			EventType: e.Type, Status: WebhookPending, NextAttemptAt: now, CreatedAt: now, UpdatedAt: now})
	}
	return tx.InsertWebhookEvent(ctx, ev, ds)
}

// CheckDeliveryStatus refuses a delivery status filter other than pending,
// succeeded or failed ("" selects all).
func CheckDeliveryStatus(status string) error {
	if status != "" && status != WebhookPending && status != WebhookSucceeded && status != WebhookFailed {
		return fail.Field("status", "%q is not a delivery status: use pending, succeeded or failed", status)
	}
	return nil
}

// WebhookEndpointInput creates or changes an endpoint; nil leaves a field as it is.
type WebhookEndpointInput struct {
	URL         *string
	Description *string
	Events      []string // nil: unchanged (["*"] on creation)
	Enabled     *bool
}

var eventFilter = regexp.MustCompile(`^(\*|[a-z_]+\.(\*|[a-z_]+))$`)

func (in WebhookEndpointInput) apply(e *WebhookEndpoint, allowPrivate bool) error {
	c := &fail.Collector{}
	if in.URL != nil {
		e.URL = strings.TrimSpace(*in.URL)
	}
	u, err := url.Parse(e.URL)
	switch {
	case e.URL == "":
		c.Add("url", "required: the https:// address that receives the events")
	case len(e.URL) > 2000:
		c.Add("url", "must be at most 2000 characters")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		c.Add("url", "%q is not an absolute http:// or https:// URL", e.URL)
	case u.User != nil:
		c.Add("url", "must not carry a user or password: verify requests by their webhook-signature")
	case !allowPrivate && webhookHostRefused(u.Hostname()) != "":
		c.Add("url", "%s is %s: webhooks go to public addresses only (the operator may allow private networks with --webhooks-allow-private)",
			u.Hostname(), webhookHostRefused(u.Hostname()))
	}
	if in.Description != nil {
		e.Description = strings.TrimSpace(*in.Description)
		if len(e.Description) > 500 {
			c.Add("description", "must be at most 500 characters")
		}
	}
	if in.Events != nil {
		e.Events = []string{}
		for i, f := range in.Events {
			f = strings.TrimSpace(f)
			group, _, _ := strings.Cut(f, ".")
			if !eventFilter.MatchString(f) || (f != "*" && !slices.Contains(WebhookEventGroups, group)) {
				c.Add(fmt.Sprintf("events[%d]", i), "%q is not an event filter: use *, a group such as invoice.* (groups: %s), or one event type such as invoice.issued",
					f, strings.Join(WebhookEventGroups, ", "))
				continue
			}
			if !slices.Contains(e.Events, f) {
				e.Events = append(e.Events, f)
			}
		}
		if len(in.Events) == 0 {
			c.Add("events", "subscribe to at least one event filter (* for every event)")
		}
	}
	if in.Enabled != nil {
		e.Enabled = *in.Enabled
	}
	return c.Err()
}

// newWebhookSecret returns a Standard Webhooks signing secret: whsec_ and
// 32 random bytes in base64.
func newWebhookSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return "whsec_" + base64.StdEncoding.EncodeToString(b)
}

// CreateWebhookEndpoint adds an endpoint. The result carries the signing
// secret, which is never shown again.
func (s *Service) CreateWebhookEndpoint(ctx context.Context, p access.Principal, in WebhookEndpointInput) (WebhookEndpoint, error) {
	var e WebhookEndpoint
	check := func() error {
		now := s.now()
		e = WebhookEndpoint{ID: id.NewAt("whe", now), TenantID: p.TenantID, Events: []string{"*"}, Enabled: true,
			Secret: newWebhookSecret(), CreatedAt: now, UpdatedAt: now}
		return in.apply(&e, s.cfg.AllowPrivateWebhookTargets)
	}
	return usecase.Write(ctx, s.webhooks, p, access.ManageWebhooks, check, func(tx WebhookTx) (WebhookEndpoint, usecase.Audit, error) {
		if err := tx.InsertWebhookEndpoint(ctx, e); err != nil {
			return WebhookEndpoint{}, usecase.Audit{}, err
		}
		return e, usecase.Entry("webhook_endpoint.created", "webhook_endpoint", e.ID,
			map[string]any{"url": e.URL, "events": e.Events, "enabled": e.Enabled}), nil
	})
}

// UpdateWebhookEndpoint changes an endpoint's URL, description, filters or
// enabled flag.
func (s *Service) UpdateWebhookEndpoint(ctx context.Context, p access.Principal, endpointID string, in WebhookEndpointInput) (WebhookEndpoint, error) {
	return usecase.Write(ctx, s.webhooks, p, access.ManageWebhooks, nil, func(tx WebhookTx) (WebhookEndpoint, usecase.Audit, error) {
		e, err := tx.GetWebhookEndpoint(ctx, p.TenantID, endpointID)
		if err != nil {
			return WebhookEndpoint{}, usecase.Audit{}, err
		}
		before := e
		if err := in.apply(&e, s.cfg.AllowPrivateWebhookTargets); err != nil {
			return WebhookEndpoint{}, usecase.Audit{}, err
		}
		e.UpdatedAt = s.now()
		if err := tx.UpdateWebhookEndpoint(ctx, e); err != nil {
			return WebhookEndpoint{}, usecase.Audit{}, err
		}
		return e, usecase.Entry("webhook_endpoint.updated", "webhook_endpoint", e.ID, usecase.Diff(before, e)), nil
	})
}

// DeleteWebhookEndpoint removes an endpoint with its pending deliveries and log.
func (s *Service) DeleteWebhookEndpoint(ctx context.Context, p access.Principal, endpointID string) error {
	_, err := usecase.Write(ctx, s.webhooks, p, access.ManageWebhooks, nil, func(tx WebhookTx) (struct{}, usecase.Audit, error) {
		e, err := tx.GetWebhookEndpoint(ctx, p.TenantID, endpointID)
		if err != nil {
			return struct{}{}, usecase.Audit{}, err
		}
		if err := tx.DeleteWebhookEndpoint(ctx, p.TenantID, endpointID); err != nil {
			return struct{}{}, usecase.Audit{}, err
		}
		return struct{}{}, usecase.Entry("webhook_endpoint.deleted", "webhook_endpoint", e.ID, map[string]any{"url": e.URL}), nil
	})
	return err
}

// GetWebhookEndpoint reads one endpoint (without its secret).
func (s *Service) GetWebhookEndpoint(ctx context.Context, p access.Principal, endpointID string) (WebhookEndpoint, error) {
	return usecase.Read(ctx, s.webhooks, p, access.ManageWebhooks, func(tx WebhookTx) (WebhookEndpoint, error) {
		return tx.GetWebhookEndpoint(ctx, p.TenantID, endpointID)
	})
}

// ListWebhookEndpoints lists the tenant's endpoints.
func (s *Service) ListWebhookEndpoints(ctx context.Context, p access.Principal) ([]WebhookEndpoint, error) {
	return usecase.Read(ctx, s.webhooks, p, access.ManageWebhooks, func(tx WebhookTx) ([]WebhookEndpoint, error) {
		return tx.ListWebhookEndpoints(ctx, p.TenantID, false)
	})
}

// RetryWebhookDelivery posts a failed delivery again, with a fresh attempt
// count, as soon as a worker takes it: the manual retry after the
// endpoint's owner fixed what refused it. The endpoint must be enabled.
func (s *Service) RetryWebhookDelivery(ctx context.Context, p access.Principal, deliveryID string) (WebhookDelivery, error) {
	return usecase.Write(ctx, s.webhooks, p, access.ManageWebhooks, nil, func(tx WebhookTx) (WebhookDelivery, usecase.Audit, error) {
		d, err := tx.GetWebhookDelivery(ctx, p.TenantID, deliveryID)
		if err != nil {
			return d, usecase.Audit{}, err
		}
		if d.Status != WebhookFailed {
			e := fail.Conflictf("webhook delivery %s is %s: only failed deliveries can be retried", d.ID, d.Status)
			e.Allowed = []string{WebhookFailed}
			return d, usecase.Audit{}, e
		}
		ep, err := tx.GetWebhookEndpoint(ctx, p.TenantID, d.EndpointID)
		if err != nil {
			return d, usecase.Audit{}, err
		}
		if !ep.Enabled {
			return d, usecase.Audit{}, fail.Conflictf("webhook endpoint %s is disabled: enable it, then retry the delivery", ep.ID)
		}
		now := s.now()
		d.Status, d.Attempts, d.LastError, d.NextAttemptAt, d.UpdatedAt = WebhookPending, 0, "", now, now
		if err := tx.RequeueWebhookDelivery(ctx, d); err != nil {
			return d, usecase.Audit{}, err
		}
		return d, usecase.Entry("webhook_delivery.retried", "webhook_delivery", d.ID,
			map[string]any{"endpoint_id": d.EndpointID, "event_id": d.EventID, "event_type": d.EventType}), nil
	})
}

// WebhookRun counts what one DeliverDueWebhooks pass did.
type WebhookRun struct {
	Claimed, Succeeded, Retrying, Failed int
}

// DeliverDueWebhooks posts the deliveries that are due, across tenants: it
// claims a batch under a lease (several nodes share the work, each delivery
// goes to one), posts each signed, logs the attempt, and schedules a retry
// with exponential backoff after a failure (no response, or a status other
// than 2xx) until MaxWebhookAttempts. Without a WebhookSender it does nothing.
//
// Like SendDueEmails it is the outbox's own bookkeeping, run by no
// principal: its transactions are bookkeeping (usecase.Bookkeep).
func (s *Service) DeliverDueWebhooks(ctx context.Context, limit int) (WebhookRun, error) {
	var run WebhookRun
	if s.cfg.Webhooks == nil {
		return run, nil
	}
	if limit <= 0 {
		limit = 50
	}
	now := s.now()
	var due []DueWebhook
	err := usecase.Bookkeep(ctx, s.webhooks, func(tx WebhookTx) error {
		var err error
		due, err = tx.ClaimWebhookDeliveries(ctx, s.node, now, now.Add(webhookLease), limit)
		return err
	})
	if err != nil {
		return run, fmt.Errorf("claim webhooks: %w", err)
	}
	run.Claimed = len(due)
	for _, w := range due {
		if err := ctx.Err(); err != nil {
			return run, err
		}
		sendCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		start := time.Now()
		status, err := s.cfg.Webhooks.Send(sendCtx, WebhookRequest{URL: w.URL, Secret: w.Secret, ID: w.EventID, Timestamp: s.now(), Body: w.Payload})
		took := time.Since(start)
		cancel()
		d := w.WebhookDelivery
		d.Attempts++
		at := s.now()
		a := WebhookAttempt{ID: id.NewAt("wha", at), TenantID: d.TenantID, DeliveryID: d.ID, EndpointID: d.EndpointID, EventID: d.EventID,
			EventType: d.EventType, Attempt: d.Attempts, At: at, StatusCode: status, DurationMS: took.Milliseconds()}
		if err == nil && (status < 200 || status > 299) {
			err = fmt.Errorf("the endpoint answered %d", status)
		}
		d.UpdatedAt, d.LastStatus = at, status
		switch {
		case err == nil:
			d.Status, d.LastError, d.DeliveredAt = WebhookSucceeded, "", &at
			run.Succeeded++
		case d.Attempts >= MaxWebhookAttempts:
			a.Error = clip(err.Error(), 1000)
			d.Status, d.LastError = WebhookFailed, a.Error
			run.Failed++
		default:
			a.Error = clip(err.Error(), 1000)
			d.Status, d.LastError, d.NextAttemptAt = WebhookPending, a.Error, at.Add(webhookBackoff(d.Attempts))
			run.Retrying++
		}
		err = usecase.Bookkeep(ctx, s.webhooks, func(tx WebhookTx) error {
			_, err := tx.SaveWebhookAttempt(ctx, d, a, s.node)
			return err
		})
		if err != nil {
			return run, fmt.Errorf("record webhook %s: %w", d.ID, err)
		}
	}
	return run, nil
}
