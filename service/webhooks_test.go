package service_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/payprovider/testcard"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
	"github.com/facturo/facturo/webhook"
)

// receiver is a webhook endpoint in the test: it verifies every request's
// signature and answers 500 to the first failFirst requests.
type receiver struct {
	t         *testing.T
	clock     *clock
	srv       *httptest.Server
	secret    string
	failFirst int

	mu       sync.Mutex
	requests int
	events   []receivedEvent // the accepted ones
	ids      []string        // webhook-id of every request, in order
	bad      int             // requests whose signature did not verify
}

type receivedEvent struct {
	ID, Type string
	Data     map[string]any
}

func newReceiver(t *testing.T, c *clock, failFirst int) *receiver {
	r := &receiver{t: t, clock: c, failFirst: failFirst}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests++
	r.ids = append(r.ids, req.Header.Get("webhook-id"))
	if err := webhook.Verify(r.secret, req.Header, body, r.clock.Now(), 5*time.Minute); err != nil {
		r.bad++
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	if r.requests <= r.failFirst {
		http.Error(w, "try later", http.StatusInternalServerError)
		return
	}
	var ev receivedEvent
	if err := json.Unmarshal(body, &ev); err != nil || ev.ID != req.Header.Get("webhook-id") {
		r.t.Errorf("body %s (id header %s): %v", body, req.Header.Get("webhook-id"), err)
	}
	r.events = append(r.events, ev)
}

func (r *receiver) types() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.events {
		out = append(out, e.Type)
	}
	slices.Sort(out)
	return out
}

// TestWebhooks: events written with the change, delivered signed per
// Standard Webhooks to the endpoints whose filters match, retried with
// backoff after failures, and logged per endpoint.
func TestWebhooks(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock()
		svc := service.New(db, service.WithClock(clk.Now), service.WithWebhookSender(webhook.NewSender(true)), service.WithPrivateWebhookTargets())
		sys, customers := ledgerFixture(t, svc, 1)
		invoices := newReceiver(t, clk, 2) // invoice.*: its first two answers are 500
		items := newReceiver(t, clk, 0)    // sales_item.*
		off := newReceiver(t, clk, 0)      // everything, but disabled
		voids := newReceiver(t, clk, 0)    // invoice.voided only
		mk := func(r *receiver, events []string, enabled bool) service.WebhookEndpoint {
			t.Helper()
			url := r.srv.URL + "/hooks"
			ep, err := svc.CreateWebhookEndpoint(ctx, sys, service.WebhookEndpointInput{URL: &url, Events: events, Enabled: &enabled})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(ep.Secret, "whsec_") {
				t.Fatalf("secret %q", ep.Secret)
			}
			r.secret = ep.Secret
			return ep
		}
		epInvoices := mk(invoices, []string{"invoice.*"}, true)
		mk(items, []string{"sales_item.*"}, true)
		epOff := mk(off, []string{"*"}, false)
		mk(voids, []string{"invoice.voided"}, true)

		// Bad input is refused, naming the field.
		bad := "ftp://example.com/x"
		_, err := svc.CreateWebhookEndpoint(ctx, sys, service.WebhookEndpointInput{URL: &bad, Events: []string{"invoice.*", "ledger.*"}})
		wantFields(t, err, "url", "events[1]")
		director := access.Principal{TenantID: sys.TenantID, UserID: "usr_dir", Role: access.Director, Name: "Dora"}
		if _, err := svc.ListWebhookEndpoints(ctx, director); !fail.Is(err, fail.Forbidden) {
			t.Fatalf("a director listed webhook endpoints: %v", err)
		}

		lines := []service.LineInput{{Description: "x", Quantity: ptr("1"), UnitPrice: ptr("100"), ItemSalesTaxGroup: "FULL"}}
		inv, err := svc.CreateInvoice(ctx, sys, service.InvoiceInput{CustomerID: &customers[0].ID, Lines: &lines})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.UpdateInvoiceStatus(ctx, sys, inv.ID, service.StatusChange{Status: "open"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateSalesItem(ctx, sys, service.SalesItemInput{CustomerID: &customers[0].ID, Description: ptr("Onboarding"),
			Quantity: ptr("1"), UnitPrice: ptr("250")}); err != nil {
			t.Fatal(err)
		}
		// A refused change emits nothing: the event is written with the change or not at all.
		var events int
		count := func() int {
			var n int
			if err := db.SQL().QueryRow(`SELECT count(*) FROM webhook_events`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		events = count()
		if _, err := svc.UpdateInvoiceStatus(ctx, sys, inv.ID, service.StatusChange{Status: "closed"}); err == nil {
			t.Fatal("closing with a balance and no reason was accepted")
		}
		if count() != events {
			t.Fatal("a refused change left an event behind")
		}

		run, err := svc.DeliverDueWebhooks(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		// invoices: created, issued, status_changed (two fail); items: one.
		if run.Claimed != 4 || run.Succeeded != 2 || run.Retrying != 2 {
			t.Fatalf("first pass %+v", run)
		}
		if run, _ := svc.DeliverDueWebhooks(ctx, 0); run.Claimed != 0 {
			t.Fatalf("retried before the backoff passed: %+v", run)
		}
		clk.Advance(30 * time.Second)
		if run, err := svc.DeliverDueWebhooks(ctx, 0); err != nil || run.Succeeded != 2 || run.Claimed != 2 {
			t.Fatalf("after the backoff: %+v, %v", run, err)
		}
		if got, want := invoices.types(), []string{"invoice.created", "invoice.issued", "invoice.status_changed"}; !slices.Equal(got, want) {
			t.Errorf("invoice endpoint got %v, want %v", got, want)
		}
		if got := items.types(); !slices.Equal(got, []string{"sales_item.created"}) {
			t.Errorf("sales item endpoint got %v", got)
		}
		if off.requests != 0 || voids.requests != 0 {
			t.Errorf("disabled endpoint got %d, invoice.voided endpoint got %d requests", off.requests, voids.requests)
		}
		// A retry carries the webhook-id of the attempt that failed.
		if invoices.requests != 5 || !slices.Contains(invoices.ids[2:], invoices.ids[0]) || !slices.Contains(invoices.ids[2:], invoices.ids[1]) {
			t.Errorf("invoice endpoint requests %d, ids %v", invoices.requests, invoices.ids)
		}
		for _, r := range []*receiver{invoices, items} {
			if r.bad != 0 {
				t.Errorf("%d requests failed signature verification", r.bad)
			}
		}
		if invoices.events[0].Data["id"] == nil {
			t.Errorf("event data %v", invoices.events[0].Data)
		}

		// The delivery log of the endpoint: five attempts, two of them 500.
		log, err := svc.ListWebhookAttempts(ctx, sys, epInvoices.ID, service.Page{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		var codes []int
		for _, a := range log.Items {
			codes = append(codes, a.StatusCode)
			if a.StatusCode == 500 && (!strings.Contains(a.Error, "500") || a.Attempt != 1) {
				t.Errorf("failed attempt %+v", a)
			}
			if a.StatusCode == 200 && a.Error != "" {
				t.Errorf("successful attempt with error %+v", a)
			}
		}
		slices.Sort(codes)
		if !slices.Equal(codes, []int{200, 200, 200, 500, 500}) {
			t.Errorf("logged codes %v", codes)
		}
		ds, err := svc.ListWebhookDeliveries(ctx, sys, epInvoices.ID, "succeeded", service.Page{Limit: 50})
		if err != nil || len(ds.Items) != 3 {
			t.Fatalf("succeeded deliveries %+v, %v", ds.Items, err)
		}

		// Enable the disabled endpoint; void: the invoice.voided filter matches.
		if _, err := svc.UpdateWebhookEndpoint(ctx, sys, epOff.ID, service.WebhookEndpointInput{Enabled: ptr(true)}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.UpdateInvoiceStatus(ctx, sys, inv.ID, service.StatusChange{Status: "void", Reason: "duplicate"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.DeliverDueWebhooks(ctx, 0); err != nil {
			t.Fatal(err)
		}
		if got := voids.types(); !slices.Equal(got, []string{"invoice.voided"}) {
			t.Errorf("invoice.voided endpoint got %v", got)
		}
		if got := off.types(); !slices.Equal(got, []string{"invoice.status_changed", "invoice.voided"}) {
			t.Errorf("re-enabled endpoint got %v", got)
		}
		if got := invoices.types(); len(got) != 5 {
			t.Errorf("invoice endpoint got %v", got)
		}
	})
}

// TestWebhookGivesUp: an endpoint that always fails gets MaxWebhookAttempts
// attempts with growing waits, then the delivery is failed.
func TestWebhookGivesUp(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock()
		svc := service.New(db, service.WithClock(clk.Now), service.WithWebhookSender(webhook.NewSender(true)), service.WithPrivateWebhookTargets())
		sys, customers := ledgerFixture(t, svc, 1)
		r := newReceiver(t, clk, 1000)
		url := r.srv.URL
		ep, err := svc.CreateWebhookEndpoint(ctx, sys, service.WebhookEndpointInput{URL: &url, Events: []string{"sales_item.created"}})
		if err != nil {
			t.Fatal(err)
		}
		r.secret = ep.Secret
		if _, err := svc.CreateSalesItem(ctx, sys, service.SalesItemInput{CustomerID: &customers[0].ID, Description: ptr("x"),
			Quantity: ptr("1"), UnitPrice: ptr("1")}); err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= service.MaxWebhookAttempts; i++ {
			if run, err := svc.DeliverDueWebhooks(ctx, 0); err != nil || run.Claimed != 1 {
				t.Fatalf("attempt %d: %+v, %v", i, run, err)
			}
			if i == service.MaxWebhookAttempts {
				break
			}
			backoff := min(30*time.Second<<(i-1), 12*time.Hour)
			clk.Advance(backoff - time.Second)
			if run, _ := svc.DeliverDueWebhooks(ctx, 0); run.Claimed != 0 {
				t.Fatalf("attempt %d came before its %s backoff", i+1, backoff)
			}
			clk.Advance(time.Second)
		}
		failed, err := svc.ListWebhookDeliveries(ctx, sys, ep.ID, "failed", service.Page{Limit: 10})
		if err != nil || len(failed.Items) != 1 || failed.Items[0].Attempts != service.MaxWebhookAttempts || failed.Items[0].LastStatus != 500 {
			t.Fatalf("failed deliveries %+v, %v", failed.Items, err)
		}
		if r.requests != service.MaxWebhookAttempts {
			t.Fatalf("%d requests, want %d", r.requests, service.MaxWebhookAttempts)
		}
	})
}

// TestAFailedWebhookIsRetriedByHand: once a delivery has failed every
// attempt, staff who manage webhooks can retry it after the endpoint is
// fixed: it is pending again with a fresh count and the next pass posts it.
// Only a failed delivery of an enabled endpoint of the tenant can be
// retried, and only by a role that manages webhooks.
func TestAFailedWebhookIsRetriedByHand(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock()
		svc := service.New(db, service.WithClock(clk.Now), service.WithWebhookSender(webhook.NewSender(true)), service.WithPrivateWebhookTargets())
		sys, customers := ledgerFixture(t, svc, 1)
		r := newReceiver(t, clk, service.MaxWebhookAttempts) // fails every automatic attempt, then is fixed
		url := r.srv.URL
		ep, err := svc.CreateWebhookEndpoint(ctx, sys, service.WebhookEndpointInput{URL: &url, Events: []string{"sales_item.created"}})
		if err != nil {
			t.Fatal(err)
		}
		r.secret = ep.Secret
		if _, err := svc.CreateSalesItem(ctx, sys, service.SalesItemInput{CustomerID: &customers[0].ID, Description: ptr("x"),
			Quantity: ptr("1"), UnitPrice: ptr("1")}); err != nil {
			t.Fatal(err)
		}
		pending, err := svc.ListWebhookDeliveries(ctx, sys, ep.ID, service.WebhookPending, service.Page{Limit: 10})
		if err != nil || len(pending.Items) != 1 {
			t.Fatalf("pending deliveries %+v, %v", pending.Items, err)
		}
		d := pending.Items[0]
		_, err = svc.RetryWebhookDelivery(ctx, sys, d.ID)
		wantCode(t, err, fail.Conflict) // pending: nothing to retry
		for i := 1; i <= service.MaxWebhookAttempts; i++ {
			if run, err := svc.DeliverDueWebhooks(ctx, 0); err != nil || run.Claimed != 1 {
				t.Fatalf("attempt %d: %+v, %v", i, run, err)
			}
			clk.Advance(13 * time.Hour)
		}
		failed, err := svc.ListWebhookDeliveries(ctx, sys, ep.ID, service.WebhookFailed, service.Page{Limit: 10})
		if err != nil || len(failed.Items) != 1 || failed.Items[0].ID != d.ID {
			t.Fatalf("failed deliveries %+v, %v", failed.Items, err)
		}

		// Refused: a role without webhooks.manage, another tenant, a disabled endpoint.
		director := access.Principal{TenantID: sys.TenantID, UserID: "usr_dir", Role: access.Director, Name: "Dora"}
		_, err = svc.RetryWebhookDelivery(ctx, director, d.ID)
		wantCode(t, err, fail.Forbidden)
		stranger, _ := ledgerFixture(t, svc, 1)
		_, err = svc.RetryWebhookDelivery(ctx, stranger, d.ID)
		wantCode(t, err, fail.NotFound)
		off, on := false, true
		if _, err := svc.UpdateWebhookEndpoint(ctx, sys, ep.ID, service.WebhookEndpointInput{Enabled: &off}); err != nil {
			t.Fatal(err)
		}
		_, err = svc.RetryWebhookDelivery(ctx, sys, d.ID)
		wantCode(t, err, fail.Conflict)
		if _, err := svc.UpdateWebhookEndpoint(ctx, sys, ep.ID, service.WebhookEndpointInput{Enabled: &on}); err != nil {
			t.Fatal(err)
		}

		asked := clk.Now()
		retried, err := svc.RetryWebhookDelivery(ctx, sys, d.ID)
		if err != nil || retried.Status != service.WebhookPending || retried.Attempts != 0 || retried.LastError != "" || retried.NextAttemptAt.Before(asked) {
			t.Fatalf("retried: %+v, %v", retried, err)
		}
		if run, err := svc.DeliverDueWebhooks(ctx, 0); err != nil || run.Succeeded != 1 {
			t.Fatalf("the retried delivery: %+v, %v", run, err)
		}
		done, err := svc.ListWebhookDeliveries(ctx, sys, ep.ID, service.WebhookSucceeded, service.Page{Limit: 10})
		if err != nil || len(done.Items) != 1 || done.Items[0].ID != d.ID || done.Items[0].Attempts != 1 {
			t.Fatalf("succeeded deliveries %+v, %v", done.Items, err)
		}
		if r.requests != service.MaxWebhookAttempts+1 || len(r.events) != 1 || r.bad != 0 {
			t.Errorf("%d requests (%d accepted, %d bad signatures), want %d, one accepted", r.requests, len(r.events), r.bad, service.MaxWebhookAttempts+1)
		}
		page, err := svc.ListAudit(ctx, sys, service.AuditFilter{TargetType: "webhook_delivery", Page: service.Page{Limit: 10}})
		if err != nil || len(page.Items) != 1 || page.Items[0].Action != "webhook_delivery.retried" || page.Items[0].TargetID != d.ID {
			t.Errorf("audit of the retry: %+v, %v", page.Items, err)
		}
	})
}

// TestWebhooksTwoNodes: two nodes deliver the same outbox at once; every
// event reaches the endpoint exactly once.
func TestWebhooksTwoNodes(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock()
		svc := service.New(db, service.WithClock(clk.Now), service.WithWebhookSender(webhook.NewSender(true)), service.WithPrivateWebhookTargets())
		sys, customers := ledgerFixture(t, svc, 1)
		r := newReceiver(t, clk, 0)
		url := r.srv.URL
		ep, err := svc.CreateWebhookEndpoint(ctx, sys, service.WebhookEndpointInput{URL: &url, Events: []string{"sales_item.*"}})
		if err != nil {
			t.Fatal(err)
		}
		r.secret = ep.Secret
		const n = 15
		for i := range n {
			if _, err := svc.CreateSalesItem(ctx, sys, service.SalesItemInput{CustomerID: &customers[0].ID, Description: ptr("item " + string(rune('a'+i))),
				Quantity: ptr("1"), UnitPrice: ptr("1")}); err != nil {
				t.Fatal(err)
			}
		}
		other, err := store.Open(ctx, store.DSNOf(db))
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		node2 := service.New(other, service.WithClock(clk.Now), service.WithWebhookSender(webhook.NewSender(true)), service.WithPrivateWebhookTargets())
		var wg sync.WaitGroup
		for _, s := range []*service.Service{svc, node2} {
			wg.Go(func() {
				for {
					run, err := s.DeliverDueWebhooks(ctx, 2)
					if err != nil {
						t.Error(err)
						return
					}
					if run.Claimed == 0 {
						return
					}
				}
			})
		}
		wg.Wait()
		seen := map[string]int{}
		for _, id := range r.ids {
			seen[id]++
		}
		if len(seen) != n || r.requests != n {
			t.Fatalf("%d requests for %d distinct events, want %d each once", r.requests, len(seen), n)
		}
	})
}

// TestPaymentAndWalletEvents: payments, refunds, top-ups and wallet draws
// emit payment.* and wallet.* events in their transactions.
func TestPaymentAndWalletEvents(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock()
		svc := service.New(db, service.WithClock(clk.Now), service.WithWebhookSender(webhook.NewSender(true)), service.WithPrivateWebhookTargets(),
			service.WithPaymentProvider(testcard.New()))
		sys, customers := ledgerFixture(t, svc, 1)
		cust := customers[0]
		rcv := newReceiver(t, clk, 0)
		url := rcv.srv.URL + "/hooks"
		ep, err := svc.CreateWebhookEndpoint(ctx, sys, service.WebhookEndpointInput{URL: &url, Events: []string{"payment.*", "wallet.*"}})
		if err != nil {
			t.Fatal(err)
		}
		rcv.secret = ep.Secret

		lines := []service.LineInput{{Description: "x", Quantity: ptr("1"), UnitPrice: ptr("100"), ItemSalesTaxGroup: "FULL"}}
		inv, err := svc.CreateInvoice(ctx, sys, service.InvoiceInput{CustomerID: &cust.ID, Lines: &lines})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.UpdateInvoiceStatus(ctx, sys, inv.ID, service.StatusChange{Status: "open"}); err != nil {
			t.Fatal(err)
		}
		pay, err := svc.RecordPayment(ctx, sys, service.PaymentInput{CustomerID: cust.ID, Method: "bank_transfer", Amount: "50.00",
			Reference: "TRF 1"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.RefundPayment(ctx, sys, pay.ID, service.RefundInput{Amount: "10.00", Reason: "goodwill"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddPaymentMethod(ctx, sys, cust.ID, service.NewPaymentMethod{Card: "4242424242424242", ExpMonth: 12, ExpYear: 2030}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SaveWallet(ctx, sys, cust.ID, service.WalletInput{}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddFunds(ctx, sys, cust.ID, "20.00"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.DrawWallet(ctx, sys, service.UsageCharge{CustomerID: cust.ID, Ref: "usage-1", Amount: "5.00", Description: "API calls"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.DeliverDueWebhooks(ctx, 0); err != nil {
			t.Fatal(err)
		}
		want := []string{"payment.received", "payment.refunded", "wallet.drawn", "wallet.topped_up"}
		if got := rcv.types(); !slices.Equal(got, want) {
			t.Fatalf("events %v, want %v", got, want)
		}
		for _, ev := range rcv.events {
			if ev.Data["customer_id"] != cust.ID {
				t.Errorf("%s names customer %v, want %s", ev.Type, ev.Data["customer_id"], cust.ID)
			}
		}
	})
}

// TestWebhookTargetPolicy: endpoints on private, loopback, link-local,
// unspecified or multicast addresses are refused at registration naming
// url, unless the operator allows private networks; and a delivery to a
// name that resolves to such an address (registered while allowed, or
// re-pointed by DNS since) is refused by the sender after resolution.
func TestWebhookTargetPolicy(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock()
		strict := service.New(db, service.WithClock(clk.Now), service.WithWebhookSender(webhook.NewSender(false)))
		sys, customers := ledgerFixture(t, strict, 1)
		for _, u := range []string{"http://127.0.0.1/x", "http://127.8.9.10:8080/x", "http://localhost:9000/x", "https://api.LOCALHOST./x",
			"http://0.0.0.0/x", "http://0.1.2.3/x", "http://169.254.169.254/latest/meta-data/", "http://10.1.2.3/x", "http://192.168.1.1/x",
			"http://172.16.0.1/x", "http://172.31.255.255/x", "http://[::1]/x", "http://[::]/x", "http://[fc00::1]/x", "http://[fd12:3456::1]/x",
			"http://[fe80::1%25eth0]/x", "http://[::ffff:127.0.0.1]/x", "http://[::ffff:10.0.0.1]/x", "http://224.0.0.1/x", "http://[ff02::1]/x",
			"http://100.64.0.1/x", "http://255.255.255.255/x"} {
			_, err := strict.CreateWebhookEndpoint(ctx, sys, service.WebhookEndpointInput{URL: &u})
			wantFields(t, err, "url")
		}
		for _, u := range []string{"https://hooks.example.com/x", "http://93.184.215.14/x", "http://172.32.0.1/x", "http://[2606:4700::1]/x"} {
			if _, err := strict.CreateWebhookEndpoint(ctx, sys, service.WebhookEndpointInput{URL: &u}); err != nil {
				t.Errorf("%s: %v", u, err)
			}
		}
		list, err := strict.ListWebhookEndpoints(ctx, sys)
		if err != nil || len(list) != 4 {
			t.Fatalf("endpoints: %d, %v; want the 4 public ones", len(list), err)
		}
		// Changing an endpoint's URL is checked the same way.
		bad := "http://169.254.169.254/x"
		_, err = strict.UpdateWebhookEndpoint(ctx, sys, list[0].ID, service.WebhookEndpointInput{URL: &bad})
		wantFields(t, err, "url")
		for _, ep := range list {
			if err := strict.DeleteWebhookEndpoint(ctx, sys, ep.ID); err != nil {
				t.Fatal(err)
			}
		}

		// Registered while private networks were allowed: the strict node
		// resolves localhost at delivery and refuses it.
		rcv := newReceiver(t, clk, 0)
		allowed := service.New(db, service.WithClock(clk.Now), service.WithPrivateWebhookTargets())
		_, port, _ := strings.Cut(strings.TrimPrefix(rcv.srv.URL, "http://"), ":")
		url := "http://localhost:" + port + "/hooks"
		ep, err := allowed.CreateWebhookEndpoint(ctx, sys, service.WebhookEndpointInput{URL: &url, Events: []string{"sales_item.*"}})
		if err != nil {
			t.Fatalf("allowed private endpoint: %v", err)
		}
		rcv.secret = ep.Secret
		if _, err := strict.CreateSalesItem(ctx, sys, service.SalesItemInput{CustomerID: &customers[0].ID, Description: ptr("Onboarding"),
			Quantity: ptr("1"), UnitPrice: ptr("250")}); err != nil {
			t.Fatal(err)
		}
		run, err := strict.DeliverDueWebhooks(ctx, 0)
		if err != nil || run.Claimed != 1 || run.Succeeded != 0 {
			t.Fatalf("delivery: %+v, %v; want one claimed, none succeeded", run, err)
		}
		if rcv.requests != 0 {
			t.Fatalf("the private receiver got %d requests", rcv.requests)
		}
		attempts, err := strict.ListWebhookAttempts(ctx, sys, ep.ID, service.Page{})
		if err != nil || len(attempts.Items) != 1 || !strings.Contains(attempts.Items[0].Error, "loopback") {
			t.Fatalf("attempts: %+v, %v; want one refused as loopback", attempts.Items, err)
		}
	})
}
