package service_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

func TestAPIKeys(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		k := must(e.svc.CreateAPIKey(e.ctx, e.pa, service.NewAPIKey{Name: " ERP export ", Role: "finance"})).ok(t)
		if !strings.HasPrefix(k.Secret, access.APIKeyPrefix) || k.Name != "ERP export" || k.Role != access.Finance ||
			k.CreatedBy != e.adminA.ID || k.Hash != access.HashAPIKey(k.Secret) || !strings.HasPrefix(k.Secret, k.Prefix) {
			t.Fatalf("created %+v", k)
		}

		// The secret is shown once: listing never returns it or its hash.
		keys := must(e.svc.ListAPIKeys(e.ctx, e.pa)).ok(t)
		if len(keys) != 1 || keys[0].ID != k.ID {
			t.Fatalf("listed %+v", keys)
		}
		js, _ := json.Marshal(keys)
		if strings.Contains(string(js), k.Secret) || strings.Contains(string(js), k.Hash) || strings.Contains(string(js), "secret") {
			t.Errorf("list exposes the secret: %s", js)
		}
		var dump strings.Builder
		rows, err := db.SQL().QueryContext(e.ctx, `SELECT id, name, prefix, hash FROM api_keys`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var a, b, c, d string
			if err := rows.Scan(&a, &b, &c, &d); err != nil {
				t.Fatal(err)
			}
			dump.WriteString(a + b + c + d)
		}
		rows.Close()
		if strings.Contains(dump.String(), k.Secret) {
			t.Error("the database stores the secret in clear")
		}

		p, err := e.svc.AuthenticateAPIKey(e.ctx, k.Secret)
		if err != nil {
			t.Fatalf("authenticate: %v", err)
		}
		if p.TenantID != e.a.ID || p.APIKeyID != k.ID || p.Role != access.Finance || p.UserID != "" || p.System {
			t.Errorf("principal %+v", p)
		}
		if p.ActorType() != "api_key" || p.ActorID() != k.ID {
			t.Errorf("actor %s %s", p.ActorType(), p.ActorID())
		}
		// The key's role is enforced.
		_, err = e.svc.CreateCustomer(e.ctx, p, service.CustomerInput{Name: ptr("x")})
		wantCode(t, err, fail.Forbidden)
		// Last use is recorded.
		if keys := must(e.svc.ListAPIKeys(e.ctx, e.pa)).ok(t); keys[0].LastUsedAt == nil {
			t.Error("last_used_at not set after use")
		}

		for _, bad := range []string{"", "fk_", "fk_nope", k.Secret + "x", strings.TrimPrefix(k.Secret, "fk_"), strings.ToUpper(k.Secret),
			"Bearer " + k.Secret, "fk_" + strings.Repeat("a", 300)} {
			_, err := e.svc.AuthenticateAPIKey(e.ctx, bad)
			wantCode(t, err, fail.Unauthenticated)
		}

		// Revoked keys stop working at once.
		if err := e.svc.RevokeAPIKey(e.ctx, e.pa, k.ID); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.AuthenticateAPIKey(e.ctx, k.Secret)
		wantCode(t, err, fail.Unauthenticated)
		wantCode(t, e.svc.RevokeAPIKey(e.ctx, e.pa, k.ID), fail.NotFound)
		if keys := must(e.svc.ListAPIKeys(e.ctx, e.pa)).ok(t); keys[0].RevokedAt == nil {
			t.Error("revoked key has no revoked_at")
		}
		var actions []string
		for _, a := range e.audit(t, e.pa, service.AuditFilter{TargetType: "api_key"}) {
			actions = append(actions, a.Action)
			if a.TargetID != k.ID || a.ActorID != e.adminA.ID || strings.Contains(string(a.Changes), k.Secret) {
				t.Errorf("audit %+v", a)
			}
		}
		if strings.Join(actions, ",") != "api_key.revoked,api_key.created" {
			t.Errorf("audit actions %v", actions)
		}
	})
}

func TestAPIKeysAreTenantBound(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ka := must(e.svc.CreateAPIKey(e.ctx, e.pa, service.NewAPIKey{Name: "a", Role: "administrator"})).ok(t)
		kb := must(e.svc.CreateAPIKey(e.ctx, e.pb, service.NewAPIKey{Name: "b", Role: "administrator"})).ok(t)
		cb := e.customer(t, e.pb, "B's customer")

		pb := must(e.svc.AuthenticateAPIKey(e.ctx, kb.Secret)).ok(t)
		if pb.TenantID != e.b.ID {
			t.Fatalf("tenant B's key acts in %s", pb.TenantID)
		}
		pa := must(e.svc.AuthenticateAPIKey(e.ctx, ka.Secret)).ok(t)
		if pa.TenantID != e.a.ID {
			t.Fatalf("tenant A's key acts in %s", pa.TenantID)
		}
		// B's key sees only B; A's key cannot see B's customer.
		page := must(e.svc.ListCustomers(e.ctx, pb, service.CustomerFilter{})).ok(t)
		if len(page.Items) != 1 || page.Items[0].ID != cb.ID {
			t.Errorf("B's key lists %v", names(page.Items))
		}
		_, err := e.svc.GetCustomer(e.ctx, pa, cb.ID)
		wantCode(t, err, fail.NotFound)
		// Keys are listed and revoked per tenant.
		for _, k := range must(e.svc.ListAPIKeys(e.ctx, e.pa)).ok(t) {
			if k.ID == kb.ID {
				t.Error("tenant A lists tenant B's key")
			}
		}
		before := e.snapshot(t)
		wantCode(t, e.svc.RevokeAPIKey(e.ctx, e.pa, kb.ID), fail.NotFound)
		e.unchanged(t, before)
		if _, err := e.svc.AuthenticateAPIKey(e.ctx, kb.Secret); err != nil {
			t.Errorf("tenant A revoked tenant B's key: %v", err)
		}
	})
}

func TestCreateAPIKeyValidation(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		cust := e.customer(t, e.pa, "Contoso")
		otherCust := e.customer(t, e.pb, "Other")
		tests := []struct {
			name   string
			p      access.Principal
			in     service.NewAPIKey
			code   fail.Code
			fields []string
		}{
			{"no name", e.pa, service.NewAPIKey{Role: "sales"}, fail.Invalid, []string{"name"}},
			{"long name", e.pa, service.NewAPIKey{Name: strings.Repeat("k", 101), Role: "sales"}, fail.Invalid, []string{"name"}},
			{"bad role", e.pa, service.NewAPIKey{Name: "k", Role: "god"}, fail.Invalid, []string{"role"}},
			{"control in name", e.pa, service.NewAPIKey{Name: "ci\x00key", Role: "sales"}, fail.Invalid, []string{"name"}},
			{"line break in name", e.pa, service.NewAPIKey{Name: "ci\nkey", Role: "sales"}, fail.Invalid, []string{"name"}},
			{"customer without customer", e.pa, service.NewAPIKey{Name: "k", Role: "customer"}, fail.Invalid, []string{"customer_id"}},
			{"staff with customer", e.pa, service.NewAPIKey{Name: "k", Role: "sales", CustomerID: cust.ID}, fail.Invalid, []string{"customer_id"}},
			{"customer of other tenant", e.pa, service.NewAPIKey{Name: "k", Role: "customer", CustomerID: otherCust.ID}, fail.Invalid, []string{"customer_id"}},
			{"customer missing", e.pa, service.NewAPIKey{Name: "k", Role: "customer", CustomerID: "cus_missing"}, fail.Invalid, []string{"customer_id"}},
			{"director may not", e.staff(access.Director), service.NewAPIKey{Name: "k", Role: "sales"}, fail.Forbidden, nil},
			{"no tenant", access.Principal{Role: access.Administrator}, service.NewAPIKey{Name: "k", Role: "sales"}, fail.Unauthenticated, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := e.snapshot(t)
				k, err := e.svc.CreateAPIKey(e.ctx, tt.p, tt.in)
				wantCode(t, err, tt.code)
				if tt.fields != nil {
					wantFields(t, err, tt.fields...)
				}
				if k.Secret != "" {
					t.Error("a refused create returned a secret")
				}
				e.unchanged(t, before)
			})
		}
		// The limit counts characters, not bytes.
		if k, err := e.svc.CreateAPIKey(e.ctx, e.pa, service.NewAPIKey{Name: strings.Repeat("ñ", 100), Role: "sales"}); err != nil || k.Name != strings.Repeat("ñ", 100) {
			t.Errorf("a 100-character name: %v", err)
		}
		_, err := e.svc.ListAPIKeys(e.ctx, e.staff(access.Director))
		wantCode(t, err, fail.Forbidden)
		wantCode(t, e.svc.RevokeAPIKey(e.ctx, e.staff(access.FinanceManager), "key_x"), fail.Forbidden)

		// A customer-role key acts for its customer only.
		k := must(e.svc.CreateAPIKey(e.ctx, e.pa, service.NewAPIKey{Name: "portal", Role: "customer", CustomerID: cust.ID})).ok(t)
		p := must(e.svc.AuthenticateAPIKey(e.ctx, k.Secret)).ok(t)
		if p.Role != access.Customer || p.CustomerID != cust.ID {
			t.Errorf("customer key principal %+v", p)
		}
		page := must(e.svc.ListCustomers(e.ctx, p, service.CustomerFilter{})).ok(t)
		if len(page.Items) != 1 || page.Items[0].ID != cust.ID {
			t.Errorf("customer key lists %v", names(page.Items))
		}
	})
}

func TestAPIKeyLastUsedThrottled(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		k := must(e.svc.CreateAPIKey(e.ctx, e.pa, service.NewAPIKey{Name: "k", Role: "sales"})).ok(t)
		must(e.svc.AuthenticateAPIKey(e.ctx, k.Secret)).ok(t)
		first := *must(e.svc.ListAPIKeys(e.ctx, e.pa)).ok(t)[0].LastUsedAt
		must(e.svc.AuthenticateAPIKey(e.ctx, k.Secret)).ok(t)
		if got := *must(e.svc.ListAPIKeys(e.ctx, e.pa)).ok(t)[0].LastUsedAt; !got.Equal(first) {
			t.Errorf("last_used_at rewritten within a minute: %v → %v", first, got)
		}
		e.clock.Advance(2 * time.Minute)
		must(e.svc.AuthenticateAPIKey(e.ctx, k.Secret)).ok(t)
		if got := *must(e.svc.ListAPIKeys(e.ctx, e.pa)).ok(t)[0].LastUsedAt; !got.After(first) {
			t.Errorf("last_used_at not updated after two minutes: %v → %v", first, got)
		}
	})
}
