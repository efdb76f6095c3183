package service_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

// clock is a test clock: every reading is one millisecond after the last,
// so ids and audit entries are strictly ordered, and Advance jumps ahead.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Millisecond)
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is one engine's database with a service, two tenants and an
// administrator in each.
type env struct {
	ctx    context.Context
	db     *store.DB
	svc    *service.Service
	clock  *clock
	a, b   billing.Tenant
	adminA access.User // admin@a.test in tenant A
	adminB access.User
	pa, pb access.Principal // the admins acting
}

const adminPassword = "admin-password-1"

// newEnv makes the tenants; its administrators act as principals without
// user rows (the service trusts the principal it is given), which spares
// two argon2id hashes per test. Tests that sign in use newEnvWithUsers.
func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	e := &env{ctx: context.Background(), db: db, clock: newClock()}
	e.svc = service.New(db, service.WithClock(e.clock.Now), service.WithPasswordCost(access.LeastPasswordCost))
	e.a = e.tenant(t, "Nimbus Cloud Services", "EUR")
	e.b = e.tenant(t, "Atlântico Revenda", "BRL")
	e.adminA = access.User{ID: "usr_admin_a", TenantID: e.a.ID, Email: "admin@a.test", Name: "Ada Admin", Role: access.Administrator}
	e.adminB = access.User{ID: "usr_admin_b", TenantID: e.b.ID, Email: "admin@b.test", Name: "Bea Admin", Role: access.Administrator}
	e.pa, e.pb = e.adminA.Principal(), e.adminB.Principal()
	return e
}

// newEnvWithUsers is newEnv with real administrator users who can sign in
// with adminPassword.
func newEnvWithUsers(t *testing.T, db *store.DB) *env {
	t.Helper()
	e := newEnv(t, db)
	e.adminA = e.user(t, e.a.ID, "admin@a.test", access.Administrator, "")
	e.adminB = e.user(t, e.b.ID, "admin@b.test", access.Administrator, "")
	e.pa, e.pb = e.adminA.Principal(), e.adminB.Principal()
	return e
}

func (e *env) tenant(t *testing.T, name, currency string) billing.Tenant {
	t.Helper()
	tn, err := e.svc.CreateTenant(e.ctx, billing.Tenant{Name: name, Currency: currency, TimeZone: "Europe/Madrid"})
	if err != nil {
		t.Fatalf("create tenant %s: %v", name, err)
	}
	return tn
}

func (e *env) user(t *testing.T, tenantID, email string, role access.Role, customerID string) access.User {
	t.Helper()
	u, err := e.svc.CreateUser(e.ctx, access.System(tenantID, "test"), service.NewUser{
		Email: email, Name: "User " + email, Role: string(role), CustomerID: customerID, Password: adminPassword})
	if err != nil {
		t.Fatalf("create user %s: %v", email, err)
	}
	return u
}

// staff returns a principal of the given role in tenant A (no user row: the
// service trusts the principal it is given).
func (e *env) staff(role access.Role) access.Principal {
	return access.Principal{TenantID: e.a.ID, UserID: "usr_" + string(role), Role: role, Name: string(role)}
}

func (e *env) customer(t *testing.T, p access.Principal, name string) billing.Customer {
	t.Helper()
	c, err := e.svc.CreateCustomer(e.ctx, p, service.CustomerInput{Name: &name})
	if err != nil {
		t.Fatalf("create customer %s: %v", name, err)
	}
	return c
}

// count returns the number of rows of table, optionally filtered.
func (e *env) count(t *testing.T, table string) int {
	t.Helper()
	var n int
	if err := e.db.SQL().QueryRowContext(e.ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// snapshot counts the rows of every table a use case writes.
func (e *env) snapshot(t *testing.T) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, tb := range []string{"tenants", "customers", "users", "api_keys", "audit_log", "counters"} {
		out[tb] = e.count(t, tb)
	}
	return out
}

// unchanged fails the test if any table's row count differs from before.
func (e *env) unchanged(t *testing.T, before map[string]int) {
	t.Helper()
	after := e.snapshot(t)
	for tb, n := range before {
		if after[tb] != n {
			t.Errorf("%s: %d rows before, %d after a refused request", tb, n, after[tb])
		}
	}
}

// audit returns tenant's audit entries, newest first.
func (e *env) audit(t *testing.T, p access.Principal, f service.AuditFilter) []service.AuditEntry {
	t.Helper()
	f.Page.Limit = service.MaxLimit
	page, err := e.svc.ListAudit(e.ctx, p, f)
	if err != nil {
		t.Fatalf("list audit: %v", err)
	}
	return page.Items
}

func ptr[T any](v T) *T { return &v }

func wantCode(t *testing.T, err error, code fail.Code) {
	t.Helper()
	if got := fail.CodeOf(err); got != code {
		t.Fatalf("error %v has code %q, want %q", err, got, code)
	}
}

// wantFields checks err is invalid input naming exactly these fields.
func wantFields(t *testing.T, err error, fields ...string) {
	t.Helper()
	e, ok := fail.As(err)
	if !ok {
		t.Fatalf("error %v is not a *fail.Error", err)
	}
	var got []string
	for _, f := range e.Fields {
		got = append(got, f.Field)
	}
	if !slices.Equal(got, fields) {
		t.Fatalf("fields %q, want %q (error: %v)", got, fields, err)
	}
}

func names(cs []billing.Customer) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}

// result carries a call's value and error to ok, so one line can call a use
// case and fail the test on error: must(e.svc.GetCustomer(…)).ok(t).
type result[T any] struct {
	v   T
	err error
}

func must[T any](v T, err error) result[T] { return result[T]{v, err} }

func (r result[T]) ok(t *testing.T) T {
	t.Helper()
	if r.err != nil {
		t.Fatalf("unexpected error: %v", r.err)
	}
	return r.v
}
