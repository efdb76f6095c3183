package server_test

// Acceptance tests of issue 12's access, network and input policy (section
// 5), on every engine.

import (
	"maps"
	"net/http"
	"strings"
	"testing"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/internal/testserver"
)

// TestWebhookTargetPolicyAPI: a webhook endpoint on a private, loopback,
// link-local, unspecified or multicast address is refused with a 422
// naming url, on creation and on change, and writes nothing.
func TestWebhookTargetPolicyAPI(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		admin := e.A.Keys[access.Administrator]
		r := accDo(t, e, http.MethodPost, "/api/v1/webhook-endpoints", admin, map[string]any{"url": "https://hooks.example.com/x", "enabled": false})
		if r.Status != http.StatusCreated {
			t.Fatalf("public endpoint: %d %s", r.Status, r.Body)
		}
		id := r.Map(t)["id"].(string)
		for _, u := range []string{"http://127.0.0.1/x", "http://localhost:8080/x", "http://0.0.0.0/x", "http://169.254.169.254/latest/meta-data/",
			"http://10.0.0.7/x", "http://192.168.0.1/x", "http://172.20.1.1/x", "http://[::1]/x", "http://[fd00::1]/x", "http://[fe80::1]/x",
			"http://[::ffff:192.168.0.1]/x", "http://239.1.2.3/x"} {
			before := e.Snapshot()
			for _, c := range []struct{ method, path string }{{http.MethodPost, "/api/v1/webhook-endpoints"}, {http.MethodPatch, "/api/v1/webhook-endpoints/" + id}} {
				p := accWantProblem(t, accDo(t, e, c.method, c.path, admin, map[string]any{"url": u}), http.StatusUnprocessableEntity, "invalid")
				if p.Field != "url" || !strings.Contains(p.Detail, "--webhooks-allow-private") {
					t.Errorf("%s %s: problem %+v, want field url and how to allow private networks", c.method, u, p)
				}
			}
			if after := e.Snapshot(); !maps.Equal(before, after) {
				t.Errorf("%s: refused, yet wrote: %v → %v", u, before, after)
			}
		}
	})
}
