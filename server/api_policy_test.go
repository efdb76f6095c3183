package server_test

// Acceptance tests of issue 12's access, network and input policy (section
// 5), on every engine.

import (
	"maps"
	"net/http"
	"slices"
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

// TestBlankBillingRefused: billing information, once complete, cannot be
// blanked by a staff edit or the portal's PATCH /me/billing: 422 naming
// every field that would be missing, nothing written, and the customer's
// pending sales items stay pending.
func TestBlankBillingRefused(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		admin, portal := e.A.Keys[access.Administrator], e.A.Keys[access.Customer]
		r := accDo(t, e, http.MethodPost, "/api/v1/sales-items", admin,
			map[string]any{"customer_id": e.A.Customer, "description": "Installation", "quantity": "1", "unit_price": "80.00"})
		if r.Status != http.StatusCreated || r.Map(t)["status"] != "pending" {
			t.Fatalf("sales item: %d %s", r.Status, r.Body)
		}
		item := r.Map(t)["id"].(string)
		blank := map[string]any{"line1": "", "city": " ", "country": ""}
		for _, c := range []struct {
			method, path, key string
			body              map[string]any
			fields            []string
		}{
			{http.MethodPatch, "/api/v1/customers/" + e.A.Customer, admin, map[string]any{"billing": map[string]any{"address": blank}},
				[]string{"billing.address.line1", "billing.address.city", "billing.address.country"}},
			{http.MethodPatch, "/api/v1/customers/" + e.A.Customer, e.A.Keys[access.Finance], map[string]any{"billing": map[string]any{"address": map[string]any{"line1": "Calle 9"}}},
				[]string{"billing.address.city", "billing.address.country"}},
			{http.MethodPatch, "/api/v1/customers/" + e.A.Customer, admin, map[string]any{"billing": map[string]any{"legal_name": "", "email": ""}},
				[]string{"billing.legal_name", "billing.email"}},
			{http.MethodPatch, "/api/v1/me/billing", portal, map[string]any{"address": blank}, []string{"billing.address.line1", "billing.address.city", "billing.address.country"}},
			{http.MethodPatch, "/api/v1/me/billing", portal, map[string]any{"legal_name": "  "}, []string{"billing.legal_name"}},
		} {
			before := e.Snapshot()
			p := accWantProblem(t, accDo(t, e, c.method, c.path, c.key, c.body), http.StatusUnprocessableEntity, "invalid")
			var got []string
			for _, fe := range p.Errors {
				got = append(got, fe.Field)
			}
			if len(got) == 0 {
				got = []string{p.Field}
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(c.fields))
			if !slices.Equal(got, want) {
				t.Errorf("%s %s %v: fields %v, want %v (%s)", c.method, c.path, c.body, got, want, p.Detail)
			}
			if after := e.Snapshot(); !maps.Equal(before, after) {
				t.Errorf("%s %s %v: refused, yet wrote: %v → %v", c.method, c.path, c.body, before, after)
			}
			if st := accDo(t, e, http.MethodGet, "/api/v1/sales-items/"+item, admin, nil).Map(t)["status"]; st != "pending" {
				t.Fatalf("after %s %s %v the sales item is %v, want pending", c.method, c.path, c.body, st)
			}
		}
		// A complete change is accepted.
		r = accDo(t, e, http.MethodPatch, "/api/v1/me/billing", portal, map[string]any{"address": map[string]any{"line1": "Rua 1", "city": "Lisboa", "country": "PT"}})
		if r.Status != http.StatusOK {
			t.Fatalf("complete address: %d %s", r.Status, r.Body)
		}
	})
}
