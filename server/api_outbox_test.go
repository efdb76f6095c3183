package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/internal/testserver"
	"github.com/facturo/facturo/service"
)

// TestOutboxAndWebhooksOverHTTP: the outbox lists and renders messages by
// status; a webhook endpoint's secret is shown once, bad input is a 422
// naming the field and writes nothing, and another tenant cannot see it.
func TestOutboxAndWebhooksOverHTTP(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		ctx := context.Background()
		admin, manager := e.A.Keys[access.Administrator], e.A.Keys[access.FinanceManager]
		inv := accMakeInvoice(t, e, e.A.ID, e.A.Customer, accToday(e))
		notify := true
		res, err := e.Svc.UpdateInvoiceStatus(ctx, access.System(e.A.ID, "test"), inv.ID, service.StatusChange{Status: "open", Notify: &notify})
		if err != nil {
			t.Fatal(err)
		}
		var list accList[service.Notification]
		r := accDo(t, e, http.MethodGet, "/api/v1/outbox?status=queued", manager, nil)
		r.JSON(t, &list)
		if r.Status != http.StatusOK || len(list.Data) != 1 || list.Data[0].Kind != "invoice.published" || list.Data[0].Recipient != "billing@example.com" {
			t.Fatalf("outbox: %d %s", r.Status, accShort(r.Body))
		}
		msgID := list.Data[0].ID
		r = accDo(t, e, http.MethodGet, "/api/v1/outbox?status=sent", manager, nil)
		list = accList[service.Notification]{}
		r.JSON(t, &list)
		if len(list.Data) != 0 {
			t.Errorf("sent: %s", r.Body)
		}
		accWantProblem(t, accDo(t, e, http.MethodGet, "/api/v1/outbox?status=lost", manager, nil), http.StatusUnprocessableEntity, "invalid")
		r = accDo(t, e, http.MethodGet, "/api/v1/outbox/"+msgID, manager, nil)
		m := r.Map(t)
		rendered, _ := m["rendered"].(map[string]any)
		if r.Status != http.StatusOK || rendered["subject"] != "Invoice "+res.Invoice.Number+" from Tenant A" || m["status"] != "queued" {
			t.Fatalf("message: %d %s", r.Status, accShort(r.Body))
		}
		accWantProblem(t, accDo(t, e, http.MethodGet, "/api/v1/outbox/"+msgID, e.B.Keys[access.Administrator], nil), http.StatusNotFound, "not_found")
		accWantProblem(t, accDo(t, e, http.MethodGet, "/api/v1/outbox", e.A.Keys[access.Finance], nil), http.StatusForbidden, "forbidden")
		// Tenant B sees none of A's messages.
		r = accDo(t, e, http.MethodGet, "/api/v1/outbox", e.B.Keys[access.Administrator], nil)
		list = accList[service.Notification]{}
		r.JSON(t, &list)
		if len(list.Data) != 0 {
			t.Errorf("tenant B sees %s", r.Body)
		}

		// Webhook endpoints.
		before := e.Snapshot()
		p := accWantProblem(t, accDo(t, e, http.MethodPost, "/api/v1/webhook-endpoints", admin,
			map[string]any{"url": "javascript:alert(1)", "events": []string{"invoice.*"}}), http.StatusUnprocessableEntity, "invalid")
		if p.Field != "url" {
			t.Errorf("field %q, want url", p.Field)
		}
		p = accWantProblem(t, accDo(t, e, http.MethodPost, "/api/v1/webhook-endpoints", admin,
			map[string]any{"url": "https://hooks.example.com/x", "events": []string{"invoices.*"}}), http.StatusUnprocessableEntity, "invalid")
		if p.Field != "events[0]" || !strings.Contains(p.Detail, "invoice.*") {
			t.Errorf("problem %+v", p)
		}
		if after := e.Snapshot(); after["webhook_endpoints"] != before["webhook_endpoints"] || after["audit_log"] != before["audit_log"] {
			t.Errorf("refused input wrote: %v → %v", before, after)
		}
		r = accDo(t, e, http.MethodPost, "/api/v1/webhook-endpoints", admin,
			map[string]any{"url": "https://hooks.example.com/x", "events": []string{"invoice.*", "wallet.*"}, "enabled": false})
		created := r.Map(t)
		secret, _ := created["secret"].(string)
		if r.Status != http.StatusCreated || !strings.HasPrefix(secret, "whsec_") || created["enabled"] != false {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		}
		id := created["id"].(string)
		for _, path := range []string{"/api/v1/webhook-endpoints/" + id, "/api/v1/webhook-endpoints"} {
			r = accDo(t, e, http.MethodGet, path, admin, nil)
			if r.Status != http.StatusOK || strings.Contains(string(r.Body), secret) || strings.Contains(string(r.Body), "whsec_") {
				t.Errorf("GET %s shows the secret again: %s", path, r.Body)
			}
		}
		r = accDo(t, e, http.MethodPatch, "/api/v1/webhook-endpoints/"+id, admin, map[string]any{"enabled": true, "events": []string{"*"}})
		if m := r.Map(t); r.Status != http.StatusOK || m["enabled"] != true {
			t.Errorf("enable: %d %s", r.Status, r.Body)
		}
		accWantProblem(t, accDo(t, e, http.MethodGet, "/api/v1/webhook-endpoints/"+id, e.B.Keys[access.Administrator], nil), http.StatusNotFound, "not_found")
		accWantProblem(t, accDo(t, e, http.MethodGet, "/api/v1/webhook-endpoints/"+id+"/attempts", e.B.Keys[access.Administrator], nil), http.StatusNotFound, "not_found")
		r = accDo(t, e, http.MethodGet, "/api/v1/webhook-endpoints/"+id+"/attempts", admin, nil)
		if r.Status != http.StatusOK {
			t.Errorf("attempts: %d %s", r.Status, r.Body)
		}
		if r = accDo(t, e, http.MethodDelete, "/api/v1/webhook-endpoints/"+id, admin, nil); r.Status != http.StatusNoContent {
			t.Errorf("delete: %d %s", r.Status, r.Body)
		}
		accWantProblem(t, accDo(t, e, http.MethodGet, "/api/v1/webhook-endpoints/"+id, admin, nil), http.StatusNotFound, "not_found")
	})
}
