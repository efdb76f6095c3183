package service_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

func TestListAudit(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.user(t, e.a.ID, "sales@a.test", access.Sales, "")
		var custs []billing.Customer
		for i := range 5 {
			custs = append(custs, e.customer(t, e.pa, fmt.Sprint("Customer ", i)))
		}
		for i := range 3 {
			must(e.svc.UpdateCustomer(e.ctx, e.pa, custs[0].ID, service.CustomerInput{SAPID: ptr(fmt.Sprint("SAP-", i))})).ok(t)
		}
		must(e.svc.CreateAPIKey(e.ctx, e.pa, service.NewAPIKey{Name: "k", Role: "sales"})).ok(t)
		e.customer(t, e.pb, "Tenant B's")

		all := e.audit(t, e.pa, service.AuditFilter{})
		// tenant.created, user.created, 5 customer.created, 3 customer.updated, api_key.created
		if len(all) != 11 {
			var acts []string
			for _, a := range all {
				acts = append(acts, a.Action)
			}
			t.Fatalf("%d entries in tenant A, want 11: %v", len(all), acts)
		}
		for i, a := range all {
			if a.TenantID != e.a.ID {
				t.Errorf("entry %s of tenant %s in tenant A's log", a.ID, a.TenantID)
			}
			if i > 0 && !(a.ID < all[i-1].ID) {
				t.Errorf("entries not newest first at %d", i)
			}
			if i > 0 && a.At.After(all[i-1].At) {
				t.Errorf("entry %d at %v is after the one before it (%v)", i, a.At, all[i-1].At)
			}
		}
		if all[0].Action != "api_key.created" || all[len(all)-1].Action != "tenant.created" {
			t.Errorf("newest %s, oldest %s", all[0].Action, all[len(all)-1].Action)
		}

		filters := []struct {
			f    service.AuditFilter
			want int
		}{
			{service.AuditFilter{TargetID: custs[0].ID}, 4},
			{service.AuditFilter{TargetID: custs[1].ID}, 1},
			{service.AuditFilter{TargetType: "customer"}, 8},
			{service.AuditFilter{Action: "customer.updated"}, 3},
			{service.AuditFilter{Action: "customer.created", TargetID: custs[0].ID}, 1},
			{service.AuditFilter{TargetType: "user"}, 1},
			{service.AuditFilter{TargetType: "api_key"}, 1},
			{service.AuditFilter{TargetType: "tenant"}, 1},
			{service.AuditFilter{Action: "no.such"}, 0},
			{service.AuditFilter{TargetID: e.customer(t, e.pb, "B2").ID}, 0}, // other tenant's target
		}
		for _, tt := range filters {
			got := e.audit(t, e.pa, tt.f)
			if len(got) != tt.want {
				t.Errorf("filter %+v: %d entries, want %d", tt.f, len(got), tt.want)
			}
			for _, a := range got {
				if (tt.f.TargetID != "" && a.TargetID != tt.f.TargetID) || (tt.f.TargetType != "" && a.TargetType != tt.f.TargetType) ||
					(tt.f.Action != "" && a.Action != tt.f.Action) {
					t.Errorf("filter %+v returned %+v", tt.f, a)
				}
			}
		}

		// Pages of 3 walk the same entries in the same order, each once.
		for _, f := range []service.AuditFilter{{}, {TargetType: "customer"}} {
			var walked []string
			cursor := ""
			pages := 0
			for {
				f.Page = service.Page{Limit: 3, Cursor: cursor}
				page, err := e.svc.ListAudit(e.ctx, e.pa, f)
				if err != nil {
					t.Fatal(err)
				}
				pages++
				if len(page.Items) > 3 {
					t.Fatalf("%d items on a page of 3", len(page.Items))
				}
				for _, a := range page.Items {
					walked = append(walked, a.ID)
				}
				if cursor = page.Next; cursor == "" || pages > 10 {
					break
				}
			}
			f.Page = service.Page{}
			var want []string
			for _, a := range e.audit(t, e.pa, f) {
				want = append(want, a.ID)
			}
			if !slices.Equal(walked, want) {
				t.Errorf("filter %+v: pages give %d entries, one list %d", f, len(walked), len(want))
			}
			if wantPages := (len(want) + 2) / 3; pages != wantPages {
				t.Errorf("filter %+v: %d pages for %d entries", f, pages, len(want))
			}
		}

		// The default page size applies, and an oversized limit is capped.
		page := must(e.svc.ListAudit(e.ctx, e.pa, service.AuditFilter{Page: service.Page{Limit: 1_000_000}})).ok(t)
		if len(page.Items) != 11 || page.Next != "" {
			t.Errorf("huge limit: %d items, next %q", len(page.Items), page.Next)
		}

		_, err := e.svc.ListAudit(e.ctx, e.pa, service.AuditFilter{Page: service.Page{Cursor: "not-a-cursor"}})
		wantCode(t, err, fail.Invalid)
		wantFields(t, err, "cursor")
		for _, role := range []access.Role{access.Finance, access.Sales, access.GroupManager, access.Engineer, access.Customer} {
			_, err := e.svc.ListAudit(e.ctx, e.staff(role), service.AuditFilter{})
			wantCode(t, err, fail.Forbidden)
		}
		for _, role := range []access.Role{access.Director, access.FinanceManager} {
			if _, err := e.svc.ListAudit(e.ctx, e.staff(role), service.AuditFilter{}); err != nil {
				t.Errorf("%s reads the audit log: %v", role, err)
			}
		}
	})
}

func TestTenants(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ts := must(e.svc.ListTenants(e.ctx)).ok(t)
		if len(ts) != 2 {
			t.Fatalf("%d tenants", len(ts))
		}
		before := e.snapshot(t)
		_, err := e.svc.CreateTenant(e.ctx, billing.Tenant{Name: "No currency", TimeZone: "Europe/Madrid"})
		wantCode(t, err, fail.Invalid)
		_, err = e.svc.CreateTenant(e.ctx, billing.Tenant{Name: "Bad zone", Currency: "EUR", TimeZone: "Mars/Base"})
		wantFields(t, err, "time_zone")
		e.unchanged(t, before)

		got := must(e.svc.GetTenant(e.ctx, e.pa)).ok(t)
		if got.ID != e.a.ID || got.Name != "Nimbus Cloud Services" || got.TimeZone != "Europe/Madrid" || got.Language != "en" {
			t.Errorf("GetTenant %+v", got)
		}
		// Every staff role reads the tenant; a customer too (its invoices show the seller).
		for _, role := range access.Roles {
			p := e.staff(role)
			if role == access.Customer {
				p.CustomerID = "cus_x"
			}
			if _, err := e.svc.GetTenant(e.ctx, p); err != nil {
				t.Errorf("%s reads the tenant: %v", role, err)
			}
		}

		up := must(e.svc.UpdateTenant(e.ctx, e.pa, service.TenantPatch{LegalName: ptr("Nimbus Cloud Services S.L."), Language: ptr("pt")})).ok(t)
		if up.LegalName != "Nimbus Cloud Services S.L." || up.Language != "pt-BR" || up.Name != "Nimbus Cloud Services" || up.Currency != "EUR" {
			t.Errorf("updated %+v", up)
		}
		entry := e.audit(t, e.pa, service.AuditFilter{Action: "tenant.updated"})
		if len(entry) != 1 {
			t.Fatalf("%d tenant.updated entries", len(entry))
		}
		keys := diffKeys(t, entry[0].Changes)
		if !slices.Equal(keys, []string{"language", "legal_name"}) {
			t.Errorf("tenant diff names %v, want only language and legal_name", keys)
		}

		before = e.snapshot(t)
		_, err = e.svc.UpdateTenant(e.ctx, e.pa, service.TenantPatch{Currency: ptr(""), TimeZone: ptr("Nowhere")})
		wantFields(t, err, "currency", "time_zone")
		_, err = e.svc.UpdateTenant(e.ctx, e.staff(access.Director), service.TenantPatch{Name: ptr("x")})
		wantCode(t, err, fail.Forbidden)
		e.unchanged(t, before)
		if got := must(e.svc.GetTenant(e.ctx, e.pa)).ok(t); got.Currency != "EUR" || got.Name != "Nimbus Cloud Services" {
			t.Errorf("refused update changed the tenant: %+v", got)
		}
		if got := must(e.svc.GetTenant(e.ctx, e.pb)).ok(t); got.ID != e.b.ID || got.LegalName != "Atlântico Revenda" {
			t.Errorf("tenant B %+v", got)
		}
	})
}
