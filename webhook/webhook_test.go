package webhook_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/webhook"
)

// The example of the Standard Webhooks specification's reference libraries.
func TestSignMatchesStandardWebhooksExample(t *testing.T) {
	secret := "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	body := []byte(`{"test": 2432232314}`)
	got, err := webhook.Sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0), body)
	if err != nil {
		t.Fatal(err)
	}
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Fatalf("signature %s, want %s", got, want)
	}
	h := http.Header{}
	h.Set(webhook.HeaderID, "msg_p5jXN8AQM9LWM0D4loKWxJek")
	h.Set(webhook.HeaderTimestamp, "1614265330")
	h.Set(webhook.HeaderSignature, "v1,bogus "+got)
	if err := webhook.Verify(secret, h, body, time.Unix(1614265330+10, 0), 5*time.Minute); err != nil {
		t.Errorf("verify: %v", err)
	}
	if err := webhook.Verify(secret, h, []byte(`{"test": 1}`), time.Unix(1614265330, 0), 5*time.Minute); err == nil {
		t.Error("a changed body verified")
	}
	if err := webhook.Verify(secret, h, body, time.Unix(1614265330+3600, 0), 5*time.Minute); err == nil {
		t.Error("an old timestamp verified")
	}
}

func TestSenderDoesNotFollowRedirects(t *testing.T) {
	hits := 0
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer target.Close()
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL, http.StatusTemporaryRedirect)
	}))
	defer redirect.Close()
	status, err := webhook.NewSender(true).Send(context.Background(), service.WebhookRequest{URL: redirect.URL, Secret: "whsec_c2VjcmV0",
		ID: "evt_1", Timestamp: time.Now(), Body: []byte(`{}`)})
	if err != nil || status != http.StatusTemporaryRedirect || hits != 0 {
		t.Fatalf("status %d, err %v, target hits %d: want the 307 recorded and no redirect followed", status, err, hits)
	}
	if _, err := webhook.NewSender(true).Send(context.Background(), service.WebhookRequest{URL: "file:///etc/passwd", Secret: "whsec_c2VjcmV0", ID: "evt_1", Timestamp: time.Now()}); err == nil {
		t.Error("posted to a file: URL")
	}
}

// BenchmarkSign signs a 1 KiB event.
func BenchmarkSign(b *testing.B) {
	body := []byte(strings.Repeat("x", 1024))
	for b.Loop() {
		if _, err := webhook.Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "evt_1", time.Unix(1614265330, 0), body); err != nil {
			b.Fatal(err)
		}
	}
}

// TestSenderRefusesPrivateTargets: the dialer checks the address it
// connects to, after DNS resolution, so a name resolving to a loopback
// address is refused as the literal address is; allowPrivate lifts it.
func TestSenderRefusesPrivateTargets(t *testing.T) {
	hits := 0
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits++ }))
	defer target.Close()
	_, port, _ := strings.Cut(strings.TrimPrefix(target.URL, "http://"), ":")
	req := func(url string) service.WebhookRequest {
		return service.WebhookRequest{URL: url, Secret: "whsec_c2VjcmV0", ID: "evt_1", Timestamp: time.Now(), Body: []byte(`{}`)}
	}
	for _, url := range []string{target.URL, "http://localhost:" + port + "/hooks"} {
		status, err := webhook.NewSender(false).Send(context.Background(), req(url))
		if err == nil || !strings.Contains(err.Error(), "loopback") || status != 0 {
			t.Errorf("%s: status %d, err %v; want refused as loopback", url, status, err)
		}
	}
	if hits != 0 {
		t.Fatalf("the refused target got %d requests", hits)
	}
	if status, err := webhook.NewSender(true).Send(context.Background(), req("http://localhost:"+port+"/hooks")); err != nil || status != http.StatusOK || hits != 1 {
		t.Fatalf("allowed private: status %d, err %v, hits %d", status, err, hits)
	}
}
