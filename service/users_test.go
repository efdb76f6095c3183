package service_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

func TestLogin(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnvWithUsers(t, db)
		const ip = "192.0.2.1"

		u, err := e.svc.Login(e.ctx, "admin@a.test", adminPassword, "", ip)
		if err != nil || u.ID != e.adminA.ID || u.TenantID != e.a.ID {
			t.Fatalf("right password: %+v, %v", u, err)
		}
		if u.PasswordHash == "" || u.Role != access.Administrator {
			t.Errorf("login returned %+v", u)
		}
		// Case and spaces in the email do not matter.
		if u, err := e.svc.Login(e.ctx, "  ADMIN@A.Test ", adminPassword, "", ip); err != nil || u.ID != e.adminA.ID {
			t.Errorf("upper-case email: %v", err)
		}
		cases := []struct {
			name, email, password, tenant string
		}{
			{"wrong password", "admin@a.test", "wrong-password", ""},
			{"password case", "admin@a.test", strings.ToUpper(adminPassword), ""},
			{"empty password", "admin@a.test", "", ""},
			{"unknown email", "nobody@a.test", adminPassword, ""},
			{"empty email", "", adminPassword, ""},
			{"other tenant", "admin@a.test", adminPassword, e.b.ID},
			{"unknown tenant", "admin@a.test", adminPassword, "ten_missing"},
			{"NUL in email", "admin\x00@a.test", adminPassword, ""},
			{"invalid UTF-8 email", "admin\xff@a.test", adminPassword, ""},
			{"huge email", strings.Repeat("a", 300) + "@a.test", adminPassword, ""},
		}
		for _, tt := range cases {
			t.Run(tt.name, func(t *testing.T) {
				_, err := e.svc.Login(e.ctx, tt.email, tt.password, tt.tenant, ip)
				// Unknown emails are unauthenticated like wrong passwords:
				// the answer must not reveal which emails exist.
				wantCode(t, err, fail.Unauthenticated)
			})
		}
		_, errUnknown := e.svc.Login(e.ctx, "nobody@a.test", "x", "", "192.0.2.9")
		_, errWrong := e.svc.Login(e.ctx, "admin@b.test", "x", "", "192.0.2.9")
		if errUnknown.Error() != errWrong.Error() {
			t.Errorf("unknown email says %q, wrong password says %q", errUnknown, errWrong)
		}
	})
}

func TestLoginDisabledUser(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		u := e.user(t, e.a.ID, "sales@a.test", access.Sales, "")
		must(e.svc.UpdateUser(e.ctx, e.pa, u.ID, service.UserPatch{Disabled: ptr(true)})).ok(t)
		_, err := e.svc.Login(e.ctx, "sales@a.test", adminPassword, "", "192.0.2.1")
		wantCode(t, err, fail.Unauthenticated)
		_, err = e.svc.PrincipalForUser(e.ctx, e.a.ID, u.ID)
		wantCode(t, err, fail.Unauthenticated)

		must(e.svc.UpdateUser(e.ctx, e.pa, u.ID, service.UserPatch{Disabled: ptr(false)})).ok(t)
		if _, err := e.svc.Login(e.ctx, "sales@a.test", adminPassword, "", "192.0.2.1"); err != nil {
			t.Errorf("re-enabled user: %v", err)
		}
		p, err := e.svc.PrincipalForUser(e.ctx, e.a.ID, u.ID)
		if err != nil || p.UserID != u.ID || p.Role != access.Sales || p.TenantID != e.a.ID {
			t.Errorf("PrincipalForUser = %+v, %v", p, err)
		}
		_, err = e.svc.PrincipalForUser(e.ctx, e.b.ID, u.ID)
		wantCode(t, err, fail.Unauthenticated)
	})
}

func TestLoginRateLimit(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnvWithUsers(t, db)
		const ip = "198.51.100.7"
		fail1 := func() {
			t.Helper()
			_, err := e.svc.Login(e.ctx, "admin@a.test", "wrong-password", "", ip)
			wantCode(t, err, fail.Unauthenticated)
		}
		for range service.MaxFailuresPerEmail {
			fail1()
		}
		// Now even the right password is refused, with its own code.
		before := e.count(t, "login_attempts")
		_, err := e.svc.Login(e.ctx, "admin@a.test", adminPassword, "", ip)
		wantCode(t, err, fail.RateLimited)
		_, err = e.svc.Login(e.ctx, "ADMIN@a.test", adminPassword, "", "203.0.113.5") // any case, any address
		wantCode(t, err, fail.RateLimited)
		if n := e.count(t, "login_attempts"); n != before {
			t.Errorf("refused attempts were recorded: %d → %d", before, n)
		}
		// Other emails are not limited.
		if _, err := e.svc.Login(e.ctx, "admin@b.test", adminPassword, "", ip); err != nil {
			t.Errorf("another email is limited: %v", err)
		}
		// Once the window has passed, the limit lifts.
		e.clock.Advance(service.LoginWindow + time.Second)
		if _, err := e.svc.Login(e.ctx, "admin@a.test", adminPassword, "", ip); err != nil {
			t.Fatalf("after the window: %v", err)
		}
	})
}

func TestLoginSuccessResetsEmailCount(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnvWithUsers(t, db)
		const ip = "198.51.100.8"
		wrong := func(n int) {
			t.Helper()
			for range n {
				_, err := e.svc.Login(e.ctx, "admin@a.test", "wrong-password", "", ip)
				wantCode(t, err, fail.Unauthenticated)
			}
		}
		wrong(service.MaxFailuresPerEmail - 1)
		if _, err := e.svc.Login(e.ctx, "admin@a.test", adminPassword, "", ip); err != nil {
			t.Fatalf("success before the limit: %v", err)
		}
		// One more failure makes MaxFailuresPerEmail in the window, but the
		// ones before the success no longer count.
		wrong(1)
		if _, err := e.svc.Login(e.ctx, "admin@a.test", adminPassword, "", ip); err != nil {
			t.Fatalf("the count was not reset by a success: %v", err)
		}
	})
}

func TestLoginSameEmailInTwoTenants(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		const email = "shared@example.com"
		ua := must(e.svc.CreateUser(e.ctx, e.pa, service.NewUser{Email: email, Name: "In A", Role: "finance", Password: "password-of-a"})).ok(t)
		ub := must(e.svc.CreateUser(e.ctx, e.pb, service.NewUser{Email: email, Name: "In B", Role: "sales", Password: "password-of-b"})).ok(t)
		const ip = "192.0.2.44"
		tests := []struct {
			password, tenant, want string
		}{
			{"password-of-a", "", ua.ID},
			{"password-of-b", "", ub.ID},
			{"password-of-a", e.a.ID, ua.ID},
			{"password-of-b", e.b.ID, ub.ID},
			{"password-of-a", e.b.ID, ""},
			{"password-of-b", e.a.ID, ""},
		}
		for _, tt := range tests {
			u, err := e.svc.Login(e.ctx, email, tt.password, tt.tenant, ip)
			if tt.want == "" {
				wantCode(t, err, fail.Unauthenticated)
				continue
			}
			if err != nil || u.ID != tt.want {
				t.Errorf("Login(%s, tenant %q) = %s, %v; want %s", tt.password, tt.tenant, u.ID, err, tt.want)
			}
		}
		// Same password in both: the tenant picks the user.
		must(e.svc.UpdateUser(e.ctx, e.pb, ub.ID, service.UserPatch{Password: ptr("password-of-a")})).ok(t)
		for tenant, want := range map[string]string{e.a.ID: ua.ID, e.b.ID: ub.ID} {
			if u, err := e.svc.Login(e.ctx, email, "password-of-a", tenant, ip); err != nil || u.ID != want || u.TenantID != tenant {
				t.Errorf("tenant %s: got %s (%s), %v", tenant, u.ID, u.TenantID, err)
			}
		}
	})
}

func TestCreateUserValidation(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnvWithUsers(t, db)
		cust := e.customer(t, e.pa, "Contoso")
		otherCust := e.customer(t, e.pb, "Other tenant's")
		ok := service.NewUser{Email: "new@a.test", Name: "New", Role: "sales", Password: "long-enough-1"}
		tests := []struct {
			name string
			edit func(*service.NewUser)
			code fail.Code
			flds []string
		}{
			{"duplicate email", func(u *service.NewUser) { u.Email = "admin@a.test" }, fail.Conflict, []string{"email"}},
			{"duplicate email other case", func(u *service.NewUser) { u.Email = " Admin@A.TEST " }, fail.Conflict, []string{"email"}},
			{"bad email", func(u *service.NewUser) { u.Email = "not an email" }, fail.Invalid, []string{"email"}},
			{"no name", func(u *service.NewUser) { u.Name = "  " }, fail.Invalid, []string{"name"}},
			{"long name", func(u *service.NewUser) { u.Name = strings.Repeat("n", 201) }, fail.Invalid, []string{"name"}},
			{"control in name", func(u *service.NewUser) { u.Name = "Eve\nAdmin" }, fail.Invalid, []string{"name"}},
			{"bad role", func(u *service.NewUser) { u.Role = "root" }, fail.Invalid, []string{"role"}},
			{"no role", func(u *service.NewUser) { u.Role = "" }, fail.Invalid, []string{"role"}},
			{"weak password", func(u *service.NewUser) { u.Password = "123456789" }, fail.Invalid, []string{"password"}},
			{"huge password", func(u *service.NewUser) { u.Password = strings.Repeat("p", 1025) }, fail.Invalid, []string{"password"}},
			{"bad language", func(u *service.NewUser) { u.Language = "fr" }, fail.Invalid, []string{"language"}},
			{"customer without customer", func(u *service.NewUser) { u.Role = "customer" }, fail.Invalid, []string{"customer_id"}},
			{"customer of other tenant", func(u *service.NewUser) { u.Role, u.CustomerID = "customer", otherCust.ID }, fail.Invalid, []string{"customer_id"}},
			{"customer missing", func(u *service.NewUser) { u.Role, u.CustomerID = "customer", "cus_missing" }, fail.Invalid, []string{"customer_id"}},
			{"staff with customer", func(u *service.NewUser) { u.CustomerID = cust.ID }, fail.Invalid, []string{"customer_id"}},
			{"all at once", func(u *service.NewUser) { u.Email, u.Name, u.Role, u.Password = "", "", "", "" }, fail.Invalid,
				[]string{"email", "name", "role", "password"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				in := ok
				tt.edit(&in)
				before := e.snapshot(t)
				_, err := e.svc.CreateUser(e.ctx, e.pa, in)
				wantCode(t, err, tt.code)
				wantFields(t, err, tt.flds...)
				e.unchanged(t, before)
			})
		}
		for _, role := range []access.Role{access.Director, access.FinanceManager, access.Finance, access.Sales, access.Engineer, access.Customer} {
			_, err := e.svc.CreateUser(e.ctx, e.staff(role), ok)
			wantCode(t, err, fail.Forbidden)
		}

		u := must(e.svc.CreateUser(e.ctx, e.pa, service.NewUser{Email: " Lucia@Ferreteria.ES ", Name: " Lucía ", Role: "customer",
			CustomerID: cust.ID, Password: "contraseña-1", Language: "pt"})).ok(t)
		if u.Email != "lucia@ferreteria.es" || u.Name != "Lucía" || u.Language != "pt-BR" || u.CustomerID != cust.ID || u.Role != access.Customer {
			t.Errorf("created %+v", u)
		}
		if ok, _ := access.CheckPassword(u.PasswordHash, "contraseña-1"); !ok {
			t.Error("stored hash does not check the password")
		}
		if def := must(e.svc.CreateUser(e.ctx, e.pa, ok)).ok(t); def.Language != "en" {
			t.Errorf("default language %q", def.Language)
		}
		// The same email in another tenant is a different user.
		if _, err := e.svc.CreateUser(e.ctx, e.pb, ok); err != nil {
			t.Errorf("same email in tenant B: %v", err)
		}
		entry := e.audit(t, e.pa, service.AuditFilter{TargetID: u.ID})
		if len(entry) != 1 || entry[0].Action != "user.created" || strings.Contains(string(entry[0].Changes), "contraseña") ||
			strings.Contains(string(entry[0].Changes), "argon2") {
			t.Errorf("audit %+v", entry)
		}
		users := must(e.svc.ListUsers(e.ctx, e.pa)).ok(t)
		if len(users) != 3 {
			t.Errorf("tenant A has %d users, want 3", len(users))
		}
		for _, x := range users {
			if x.TenantID != e.a.ID {
				t.Errorf("ListUsers returned a user of tenant %s", x.TenantID)
			}
		}
	})
}

func TestUpdateUser(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnvWithUsers(t, db)
		cust := e.customer(t, e.pa, "Contoso")
		staff := e.user(t, e.a.ID, "sales@a.test", access.Sales, "")
		portal := e.user(t, e.a.ID, "portal@contoso.example", access.Customer, cust.ID)

		tests := []struct {
			name  string
			p     access.Principal
			user  string
			patch service.UserPatch
			code  fail.Code
			field string
		}{
			{"disable yourself", e.pa, e.adminA.ID, service.UserPatch{Disabled: ptr(true)}, fail.Invalid, "disabled"},
			{"demote yourself", e.pa, e.adminA.ID, service.UserPatch{Role: ptr("director")}, fail.Invalid, "role"},
			{"staff to customer", e.pa, staff.ID, service.UserPatch{Role: ptr("customer")}, fail.Invalid, "role"},
			{"customer to staff", e.pa, portal.ID, service.UserPatch{Role: ptr("administrator")}, fail.Invalid, "role"},
			{"unknown role", e.pa, staff.ID, service.UserPatch{Role: ptr("owner")}, fail.Invalid, "role"},
			{"weak password", e.pa, staff.ID, service.UserPatch{Password: ptr("short")}, fail.Invalid, "password"},
			{"empty name", e.pa, staff.ID, service.UserPatch{Name: ptr(" ")}, fail.Invalid, "name"},
			{"long name", e.pa, staff.ID, service.UserPatch{Name: ptr(strings.Repeat("n", 201))}, fail.Invalid, "name"},
			{"control in name", e.pa, staff.ID, service.UserPatch{Name: ptr("a\x00b")}, fail.Invalid, "name"},
			{"bad language", e.pa, staff.ID, service.UserPatch{Language: ptr("de")}, fail.Invalid, "language"},
			{"missing user", e.pa, "usr_missing", service.UserPatch{Name: ptr("x")}, fail.NotFound, ""},
			{"other tenant's user", e.pb, staff.ID, service.UserPatch{Name: ptr("x")}, fail.NotFound, ""},
			{"not an admin", e.staff(access.Director), staff.ID, service.UserPatch{Name: ptr("x")}, fail.Forbidden, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := e.snapshot(t)
				_, err := e.svc.UpdateUser(e.ctx, tt.p, tt.user, tt.patch)
				wantCode(t, err, tt.code)
				if tt.field != "" {
					wantFields(t, err, tt.field)
				}
				e.unchanged(t, before)
			})
		}

		got := must(e.svc.UpdateUser(e.ctx, e.pa, staff.ID, service.UserPatch{Name: ptr(" Sam Seller "), Role: ptr("finance"), Language: ptr("es"),
			Password: ptr("a-new-password")})).ok(t)
		if got.Name != "Sam Seller" || got.Role != access.Finance || got.Language != "es" || got.Email != staff.Email {
			t.Errorf("updated %+v", got)
		}
		if _, err := e.svc.Login(e.ctx, staff.Email, "a-new-password", "", "192.0.2.3"); err != nil {
			t.Errorf("new password: %v", err)
		}
		_, err := e.svc.Login(e.ctx, staff.Email, adminPassword, "", "192.0.2.3")
		wantCode(t, err, fail.Unauthenticated)
		p := must(e.svc.PrincipalForUser(e.ctx, e.a.ID, staff.ID)).ok(t)
		if p.Role != access.Finance {
			t.Errorf("role change not effective: %s", p.Role)
		}
		entry := e.audit(t, e.pa, service.AuditFilter{TargetID: staff.ID, Action: "user.updated"})
		if len(entry) != 1 || entry[0].ActorID != e.adminA.ID || strings.Contains(string(entry[0].Changes), "a-new-password") {
			t.Errorf("audit %+v", entry)
		}
		for _, k := range []string{"name", "role", "language", "password"} {
			if !strings.Contains(string(entry[0].Changes), fmt.Sprintf("%q", k)) {
				t.Errorf("audit changes %s lack %s", entry[0].Changes, k)
			}
		}
		// A customer user may change role only among… the customer role.
		if _, err := e.svc.UpdateUser(e.ctx, e.pa, portal.ID, service.UserPatch{Role: ptr("customer")}); err != nil {
			t.Errorf("customer to customer: %v", err)
		}
		// Another administrator may disable this one.
		other := e.user(t, e.a.ID, "admin2@a.test", access.Administrator, "")
		if u, err := e.svc.UpdateUser(e.ctx, other.Principal(), e.adminA.ID, service.UserPatch{Disabled: ptr(true)}); err != nil || u.DisabledAt == nil {
			t.Errorf("disable another admin: %+v, %v", u.DisabledAt, err)
		}
	})
}

// TestLastAdministrator checks no principal, not even an administrator API
// key or the CLI, can disable or demote a tenant's last active administrator.
func TestLastAdministrator(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnvWithUsers(t, db)
		key := access.Principal{TenantID: e.a.ID, APIKeyID: "key_admin", Role: access.Administrator, Name: "admin key"}
		sys := access.System(e.a.ID, "cli")
		for _, p := range []access.Principal{key, sys} {
			for _, tt := range []struct {
				patch service.UserPatch
				field string
			}{
				{service.UserPatch{Disabled: ptr(true)}, "disabled"},
				{service.UserPatch{Role: ptr("director")}, "role"},
			} {
				before := e.snapshot(t)
				_, err := e.svc.UpdateUser(e.ctx, p, e.adminA.ID, tt.patch)
				wantCode(t, err, fail.Invalid)
				wantFields(t, err, tt.field)
				e.unchanged(t, before)
			}
		}
		// (Tenant B's active administrator does not count for tenant A.)
		u := must(e.svc.Me(e.ctx, e.pa)).ok(t)
		if u.DisabledAt != nil || u.Role != access.Administrator {
			t.Fatalf("the last administrator was changed: %+v", u)
		}
		// With a second active administrator the first may be demoted, and
		// then the second is the last one.
		second := e.user(t, e.a.ID, "admin2@a.test", access.Administrator, "")
		if got, err := e.svc.UpdateUser(e.ctx, key, e.adminA.ID, service.UserPatch{Role: ptr("director")}); err != nil || got.Role != access.Director {
			t.Fatalf("demote with another administrator: %+v, %v", got.Role, err)
		}
		_, err := e.svc.UpdateUser(e.ctx, key, second.ID, service.UserPatch{Disabled: ptr(true)})
		wantFields(t, err, "disabled")
		// A disabled administrator does not count either.
		third := e.user(t, e.a.ID, "admin3@a.test", access.Administrator, "")
		must(e.svc.UpdateUser(e.ctx, key, third.ID, service.UserPatch{Disabled: ptr(true)})).ok(t)
		_, err = e.svc.UpdateUser(e.ctx, key, second.ID, service.UserPatch{Role: ptr("finance")})
		wantFields(t, err, "role")
		// Other changes to the last administrator are fine.
		if got, err := e.svc.UpdateUser(e.ctx, key, second.ID, service.UserPatch{Language: ptr("pt-BR"), Role: ptr("administrator")}); err != nil || got.Language != "pt-BR" {
			t.Errorf("language of the last administrator: %+v, %v", got.Language, err)
		}
	})
}

// TestPasswordCostDefault: a service made without WithPasswordCost (as
// `facturo serve` makes it) stores every password at the production cost,
// also when a user changes it; the least cost the other tests use is theirs
// alone.
func TestPasswordCostDefault(t *testing.T) {
	t.Parallel()
	db := testdb.Open(t, store.SQLite)
	svc := service.New(db)
	ten, err := svc.CreateTenant(t.Context(), billing.Tenant{Name: "Production cost", Currency: "EUR", TimeZone: "Europe/Madrid"})
	if err != nil {
		t.Fatal(err)
	}
	admin := access.User{ID: "usr_cost_admin", TenantID: ten.ID, Role: access.Administrator, Name: "Admin"}.Principal()
	u, err := svc.CreateUser(t.Context(), admin, service.NewUser{Email: "cost@example.test", Name: "Cost", Role: "finance", Password: "production-cost-1"})
	if err != nil {
		t.Fatal(err)
	}
	const production = "$argon2id$v=19$m=65536,t=3,p=2$"
	if !strings.HasPrefix(u.PasswordHash, production) {
		t.Errorf("created user's hash %q, want prefix %q", u.PasswordHash, production)
	}
	if _, err := svc.Login(t.Context(), "cost@example.test", "production-cost-1", "", "192.0.2.7"); err != nil {
		t.Errorf("sign in at production cost: %v", err)
	}
	cheap := service.New(db, service.WithPasswordCost(access.LeastPasswordCost))
	v, err := cheap.CreateUser(t.Context(), admin, service.NewUser{Email: "cheap@example.test", Name: "Cheap", Role: "finance", Password: "least-cost-pw-1"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(v.PasswordHash, "$argon2id$v=19$m=8,t=1,p=1$") {
		t.Errorf("WithPasswordCost(LeastPasswordCost) stored %q", v.PasswordHash)
	}
}
