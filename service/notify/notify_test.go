package notify_test

// The notification use cases on the real store of both engines, wired
// straight onto it through their own narrow transactions: every write is
// refused before it reads its input when the caller lacks the permission, a
// write that fails in its transaction leaves neither its change nor an audit
// entry, and Emit and Queue write what they promise. The behaviour tests of
// sending and delivery are the root service's (outbox_test.go,
// webhooks_test.go).

import (
	"context"
	"testing"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/service/notify"
	"github.com/facturo/facturo/service/usecase"
	"github.com/facturo/facturo/store"
)

func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

func newNotify(db *store.DB, cfg notify.Config) *notify.Service {
	return notify.New(notify.Stores{
		Outbox:   usecase.Narrow[notify.OutboxTx, service.Tx](db, func(tx service.Tx) notify.OutboxTx { return tx }),
		Webhooks: usecase.Narrow[notify.WebhookTx, service.Tx](db, func(tx service.Tx) notify.WebhookTx { return tx }),
	}, cfg, now)
}

// tenant creates a tenant to work in and returns its system principal.
func tenant(t *testing.T, db *store.DB, name string) access.Principal {
	t.Helper()
	tn, err := service.New(db).CreateTenant(context.Background(), billing.Tenant{Name: name, Currency: "EUR", TimeZone: "Europe/Madrid"})
	if err != nil {
		t.Fatal(err)
	}
	return access.System(tn.ID, "test")
}

// rows counts the rows of the tables notify writes.
func rows(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, tb := range []string{"notifications", "webhook_endpoints", "webhook_events", "webhook_deliveries", "webhook_attempts", "audit_log"} {
		var n int
		if err := db.SQL().QueryRowContext(context.Background(), `SELECT count(*) FROM `+tb).Scan(&n); err != nil {
			t.Fatalf("count %s: %v", tb, err)
		}
		out[tb] = n
	}
	return out
}

func sameRows(t *testing.T, db *store.DB, before map[string]int) {
	t.Helper()
	for tb, n := range rows(t, db) {
		if n != before[tb] {
			t.Errorf("%s: %d rows before, %d after a write that failed", tb, before[tb], n)
		}
	}
}

// queue puts n in the outbox in a transaction of its own.
func queue(t *testing.T, db *store.DB, n notify.Notification) notify.Notification {
	t.Helper()
	if n.ID == "" {
		n.ID = "ntf_" + n.Kind + "_" + n.Recipient + "_" + n.TenantID
	}
	err := db.Write(context.Background(), func(tx service.Tx) error { return notify.Queue(context.Background(), tx, now(), n) })
	if err != nil {
		t.Fatal(err)
	}
	var out notify.Notification
	err = db.Read(context.Background(), func(tx service.Tx) error {
		var err error
		out, err = tx.GetNotification(context.Background(), n.TenantID, n.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestWritesRefuseFirst(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newNotify(db, notify.Config{})
		sys := tenant(t, db, "Refusals S.A.")
		engineer := access.Principal{TenantID: sys.TenantID, UserID: "usr_eng", Role: access.Engineer, Name: "Eng"}
		bad := "\x00" // invalid wherever it goes: the refusal must come before the input check
		cases := []struct {
			name string
			call func() error
		}{
			{"CreateWebhookEndpoint", func() error {
				_, err := s.CreateWebhookEndpoint(ctx, engineer, notify.WebhookEndpointInput{URL: &bad})
				return err
			}},
			{"UpdateWebhookEndpoint", func() error {
				_, err := s.UpdateWebhookEndpoint(ctx, engineer, "whe_missing", notify.WebhookEndpointInput{URL: &bad})
				return err
			}},
			{"DeleteWebhookEndpoint", func() error { return s.DeleteWebhookEndpoint(ctx, engineer, "whe_missing") }},
			{"GetWebhookEndpoint", func() error {
				_, err := s.GetWebhookEndpoint(ctx, engineer, "whe_missing")
				return err
			}},
			{"ListWebhookEndpoints", func() error {
				_, err := s.ListWebhookEndpoints(ctx, engineer)
				return err
			}},
			{"RetryNotification", func() error {
				_, err := s.RetryNotification(ctx, engineer, "ntf_missing")
				return err
			}},
			{"GetOutboxMessage", func() error {
				_, err := s.GetOutboxMessage(ctx, engineer, "ntf_missing")
				return err
			}},
		}
		before := rows(t, db)
		for _, tt := range cases {
			t.Run(tt.name, func(t *testing.T) {
				if got := fail.CodeOf(tt.call()); got != fail.Forbidden {
					t.Errorf("code %q, want %q", got, fail.Forbidden)
				}
			})
		}
		sameRows(t, db, before)
	})
}

func TestFailedWritesLeaveNoAudit(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newNotify(db, notify.Config{})
		admin := tenant(t, db, "Failures S.A.")
		url := "https://hooks.example.com/in"
		ep, err := s.CreateWebhookEndpoint(ctx, admin, notify.WebhookEndpointInput{URL: &url})
		if err != nil {
			t.Fatal(err)
		}
		skipped := queue(t, db, notify.Notification{TenantID: admin.TenantID, Kind: "payment.received"})
		queued := queue(t, db, notify.Notification{TenantID: admin.TenantID, Kind: "payment.received", Recipient: "a@f.test"})
		private, relative, badFilter := "http://127.0.0.1:8080/in", "/in", "invoices"
		cases := []struct {
			name string
			call func() error
			code fail.Code
		}{
			{"endpoint on a loopback address", func() error {
				_, err := s.CreateWebhookEndpoint(ctx, admin, notify.WebhookEndpointInput{URL: &private})
				return err
			}, fail.Invalid},
			{"endpoint without a host", func() error {
				_, err := s.CreateWebhookEndpoint(ctx, admin, notify.WebhookEndpointInput{URL: &relative})
				return err
			}, fail.Invalid},
			{"update of a missing endpoint", func() error {
				_, err := s.UpdateWebhookEndpoint(ctx, admin, "whe_missing", notify.WebhookEndpointInput{URL: &url})
				return err
			}, fail.NotFound},
			{"update to an unknown event group", func() error {
				_, err := s.UpdateWebhookEndpoint(ctx, admin, ep.ID, notify.WebhookEndpointInput{Events: []string{badFilter}})
				return err
			}, fail.Invalid},
			{"delete of a missing endpoint", func() error { return s.DeleteWebhookEndpoint(ctx, admin, "whe_missing") }, fail.NotFound},
			{"retry of a missing message", func() error {
				_, err := s.RetryNotification(ctx, admin, "ntf_missing")
				return err
			}, fail.NotFound},
			{"retry of a message with no recipient", func() error {
				_, err := s.RetryNotification(ctx, admin, skipped.ID)
				return err
			}, fail.Conflict},
			{"retry of a queued message", func() error {
				_, err := s.RetryNotification(ctx, admin, queued.ID)
				return err
			}, fail.Conflict},
		}
		before := rows(t, db)
		for _, tt := range cases {
			t.Run(tt.name, func(t *testing.T) {
				if got := fail.CodeOf(tt.call()); got != tt.code {
					t.Errorf("code %q, want %q", got, tt.code)
				}
			})
		}
		sameRows(t, db, before)
		// Writes that succeed leave exactly their change and one audit entry.
		if err := s.DeleteWebhookEndpoint(ctx, admin, ep.ID); err != nil {
			t.Fatal(err)
		}
		after := rows(t, db)
		if after["audit_log"] != before["audit_log"]+1 || after["webhook_endpoints"] != before["webhook_endpoints"]-1 {
			t.Errorf("a deleted endpoint left %d audit entries and %d endpoints more, want 1 and -1",
				after["audit_log"]-before["audit_log"], after["webhook_endpoints"]-before["webhook_endpoints"])
		}
	})
}

func TestEmit(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newNotify(db, notify.Config{})
		admin := tenant(t, db, "Events S.A.")
		quiet := tenant(t, db, "Quiet S.A.") // no endpoint: nothing is written
		off := false
		for _, in := range []notify.WebhookEndpointInput{
			{Events: []string{"*"}},
			{Events: []string{"invoice.*"}},
			{Events: []string{"payment.received"}},
			{Events: []string{"*"}, Enabled: &off},
		} {
			url := "https://hooks.example.com/in"
			in.URL = &url
			if _, err := s.CreateWebhookEndpoint(ctx, admin, in); err != nil {
				t.Fatal(err)
			}
		}
		cases := []struct {
			tenant     string
			event      string
			events     int
			deliveries int
		}{
			{admin.TenantID, "invoice.issued", 1, 2},
			{admin.TenantID, "payment.received", 1, 2},
			{admin.TenantID, "payment.refunded", 1, 1},
			{admin.TenantID, "wallet.low_balance", 1, 1},
			{quiet.TenantID, "invoice.issued", 0, 0},
		}
		for _, tt := range cases {
			t.Run(tt.event, func(t *testing.T) {
				before := rows(t, db)
				err := db.Write(ctx, func(tx service.Tx) error {
					return notify.Emit(ctx, tx, now(), tt.tenant, usecase.Event{Type: tt.event, Data: map[string]any{"id": "x"}})
				})
				if err != nil {
					t.Fatal(err)
				}
				after := rows(t, db)
				if got := after["webhook_events"] - before["webhook_events"]; got != tt.events {
					t.Errorf("%d events, want %d", got, tt.events)
				}
				if got := after["webhook_deliveries"] - before["webhook_deliveries"]; got != tt.deliveries {
					t.Errorf("%d deliveries, want %d", got, tt.deliveries)
				}
			})
		}
	})
}

func TestQueue(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		admin := tenant(t, db, "Queue S.A.")
		cases := []struct {
			name, recipient, want, status string
			next, reason                  bool
		}{
			{"with a recipient", "  ana@q.test ", "ana@q.test", notify.NotificationQueued, true, false},
			{"without a recipient", "   ", "", notify.NotificationSkipped, false, true},
		}
		for _, tt := range cases {
			t.Run(tt.name, func(t *testing.T) {
				n := queue(t, db, notify.Notification{ID: "ntf_" + tt.status, TenantID: admin.TenantID, Kind: "payment.received", Recipient: tt.recipient})
				if n.Recipient != tt.want || n.Status != tt.status {
					t.Errorf("recipient %q, status %q; want %q, %q", n.Recipient, n.Status, tt.want, tt.status)
				}
				if (n.NextAttemptAt != nil) != tt.next {
					t.Errorf("next attempt %v, want one: %v", n.NextAttemptAt, tt.next)
				}
				if (n.LastError != "") != tt.reason {
					t.Errorf("last error %q, want a reason: %v", n.LastError, tt.reason)
				}
			})
		}
	})
}

func TestWants(t *testing.T) {
	t.Parallel()
	cases := []struct {
		filters []string
		event   string
		want    bool
	}{
		{[]string{"*"}, "invoice.issued", true},
		{[]string{"invoice.*"}, "invoice.issued", true},
		{[]string{"invoice.*"}, "invoices.issued", false},
		{[]string{"invoice.issued"}, "invoice.issued", true},
		{[]string{"invoice.issued"}, "invoice.voided", false},
		{[]string{"payment.*", "invoice.voided"}, "invoice.voided", true},
		{nil, "invoice.issued", false},
	}
	for _, tt := range cases {
		if got := (notify.WebhookEndpoint{Events: tt.filters}).Wants(tt.event); got != tt.want {
			t.Errorf("%v wants %s: %v, want %v", tt.filters, tt.event, got, tt.want)
		}
	}
}

func TestStatusFilters(t *testing.T) {
	t.Parallel()
	cases := []struct {
		check  func(string) error
		status string
		ok     bool
	}{
		{notify.CheckOutboxStatus, "", true},
		{notify.CheckOutboxStatus, "queued", true},
		{notify.CheckOutboxStatus, "skipped", true},
		{notify.CheckOutboxStatus, "pending", false},
		{notify.CheckDeliveryStatus, "", true},
		{notify.CheckDeliveryStatus, "pending", true},
		{notify.CheckDeliveryStatus, "succeeded", true},
		{notify.CheckDeliveryStatus, "sent", false},
	}
	for _, tt := range cases {
		err := tt.check(tt.status)
		if (err == nil) != tt.ok {
			t.Errorf("status %q: %v, want accepted: %v", tt.status, err, tt.ok)
		}
		if err != nil && fail.CodeOf(err) != fail.Invalid {
			t.Errorf("status %q: code %q, want %q", tt.status, fail.CodeOf(err), fail.Invalid)
		}
	}
}
