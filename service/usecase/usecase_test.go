package usecase_test

// The envelope is tested on the real store of both engines: what it
// promises (the permission comes first, the audit entries and events commit
// with the change or not at all, a request's transaction is joined) is
// about transactions, which no fake would show.

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/numbering"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/service/usecase"
	"github.com/facturo/facturo/store"
)

// fixture is one engine's database with a tenant (made by the identity use
// case, itself run through the envelope) and an envelope over the store.
type fixture struct {
	ctx    context.Context
	db     *store.DB
	env    usecase.Env[service.Tx]
	tenant billing.Tenant
	admin  access.Principal
}

func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	tn, err := service.New(db).CreateTenant(ctx, billing.Tenant{Name: "Envelope S.L.", Currency: "EUR", TimeZone: "Europe/Madrid"})
	if err != nil {
		t.Fatalf("create tenant: %v", err)
	}
	return &fixture{ctx: ctx, db: db, tenant: tn,
		env:   usecase.Env[service.Tx]{Store: db, Now: now},
		admin: access.Principal{TenantID: tn.ID, UserID: "usr_admin", Role: access.Administrator, Name: "Ada"}}
}

// auditRows counts the tenant's audit entries with action.
func (f *fixture) auditRows(t *testing.T, action string) int {
	t.Helper()
	var n int
	err := f.db.Read(f.ctx, func(tx service.Tx) error {
		es, err := tx.ListAudit(f.ctx, f.tenant.ID, service.AuditFilter{Action: action, Page: service.Page{Limit: service.MaxLimit}})
		n = len(es)
		return err
	})
	if err != nil {
		t.Fatalf("list audit: %v", err)
	}
	return n
}

// series returns the tenant's pattern of a number series.
func (f *fixture) series(t *testing.T, kind string) string {
	t.Helper()
	var out map[string]string
	err := f.db.Read(f.ctx, func(tx service.Tx) error {
		var err error
		out, err = tx.ListSeries(f.ctx, f.tenant.ID)
		return err
	})
	if err != nil {
		t.Fatalf("list series: %v", err)
	}
	return out[kind]
}

func TestWriteRefusesBeforeAnythingRuns(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		cases := []struct {
			name string
			p    access.Principal
			perm access.Permission
			code fail.Code
		}{
			{"role without the permission", access.Principal{TenantID: f.tenant.ID, UserID: "usr_e", Role: access.Engineer}, access.ManageTenant, fail.Forbidden},
			{"customer on a staff action", access.Principal{TenantID: f.tenant.ID, UserID: "usr_c", Role: access.Customer, CustomerID: "cus_1"}, access.ManageUsers, fail.Forbidden},
			{"no tenant", access.Principal{Role: access.Administrator}, access.ManageTenant, fail.Unauthenticated},
			{"no tenant, signed-in action", access.Principal{UserID: "usr_x", Role: access.Administrator}, usecase.SignedIn, fail.Unauthenticated},
		}
		for _, tt := range cases {
			t.Run(tt.name, func(t *testing.T) {
				prepared, ran := false, false
				_, err := usecase.Write(f.ctx, f.env, tt.p, tt.perm,
					func() error { prepared = true; return nil },
					func(tx service.Tx) (int, usecase.Audit, error) {
						ran = true
						return 1, usecase.Entry("test.refused", "tenant", f.tenant.ID, nil), tx.SetSeries(f.ctx, f.tenant.ID, numbering.Invoice, "NO-{SEQ:4}")
					})
				if got := fail.CodeOf(err); got != tt.code {
					t.Fatalf("error %v has code %q, want %q", err, got, tt.code)
				}
				if prepared || ran {
					t.Errorf("refused caller still ran prepare=%v use case=%v", prepared, ran)
				}
			})
		}
		if n := f.auditRows(t, "test.refused"); n != 0 {
			t.Errorf("refused writes left %d audit entries", n)
		}
		if got := f.series(t, numbering.Invoice); got != numbering.DefaultSeries[numbering.Invoice] {
			t.Errorf("refused writes changed the series to %q", got)
		}
	})
}

func TestWriteAuditCommitsWithTheChangeOnly(t *testing.T) {
	t.Parallel()
	errUseCase := errors.New("use case failed")
	errEmit := errors.New("event sink failed")
	type outcome struct {
		err       error // errors.Is target; nil for success
		committed bool  // the use case's change and its audit entry are stored
	}
	cases := []struct {
		name    string
		prepare func() error
		fail    error                                         // returned by the use case after its write
		audit   usecase.Audit                                 // what the use case returns
		emit    func(service.Tx, string, usecase.Event) error // Env.Emit; nil for none
		want    outcome
	}{
		{name: "success", audit: usecase.Entry("test.saved", "number_series", "invoice", map[string]string{"pattern": "T-{SEQ:4}"}),
			want: outcome{committed: true}},
		{name: "use case fails after writing", fail: errUseCase, audit: usecase.Entry("test.saved", "number_series", "invoice", nil),
			want: outcome{err: errUseCase}},
		{name: "prepare refuses the input", prepare: func() error { return errUseCase }, audit: usecase.Entry("test.saved", "number_series", "invoice", nil),
			want: outcome{err: errUseCase}},
		{name: "audit entry cannot be written", audit: usecase.Entry("test.saved", "number_series", "invoice", map[string]any{"bad": make(chan int)}),
			want: outcome{}},
		{name: "event without a sink", audit: usecase.Entry("test.saved", "number_series", "invoice", nil).Emit("test.happened", nil),
			want: outcome{}},
		{name: "event sink fails", audit: usecase.Entry("test.saved", "number_series", "invoice", nil).Emit("test.happened", nil),
			emit: func(service.Tx, string, usecase.Event) error { return errEmit }, want: outcome{err: errEmit}},
		{name: "event recorded", audit: usecase.Entry("test.saved", "number_series", "invoice", nil).Emit("test.happened", map[string]string{"id": "x"}),
			emit: func(service.Tx, string, usecase.Event) error { return nil }, want: outcome{committed: true}},
	}
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		for _, tt := range cases {
			t.Run(tt.name, func(t *testing.T) {
				f := newFixture(t, db) // a tenant of its own: counts are per case
				env := f.env
				var emitted []usecase.Event
				if tt.emit != nil {
					env.Emit = func(ctx context.Context, tx service.Tx, tenantID string, e usecase.Event) error {
						if tenantID != f.tenant.ID {
							t.Errorf("event for tenant %q, want %q", tenantID, f.tenant.ID)
						}
						emitted = append(emitted, e)
						return tt.emit(tx, tenantID, e)
					}
				}
				const pattern = "T-{SEQ:4}"
				got, err := usecase.Write(f.ctx, env, f.admin, access.ManageTenant, tt.prepare,
					func(tx service.Tx) (string, usecase.Audit, error) {
						if err := tx.SetSeries(f.ctx, f.tenant.ID, numbering.Invoice, pattern); err != nil {
							return "", usecase.Audit{}, err
						}
						return "done", tt.audit, tt.fail
					})
				switch {
				case tt.want.committed && err != nil:
					t.Fatalf("write failed: %v", err)
				case !tt.want.committed && err == nil:
					t.Fatal("write succeeded, want an error")
				case tt.want.err != nil && !errors.Is(err, tt.want.err):
					t.Fatalf("error %v, want %v", err, tt.want.err)
				}
				wantResult, wantSeries, wantAudit := "", numbering.DefaultSeries[numbering.Invoice], 0
				if tt.want.committed {
					wantResult, wantSeries, wantAudit = "done", pattern, 1
				}
				if got != wantResult {
					t.Errorf("result %q, want %q", got, wantResult)
				}
				if s := f.series(t, numbering.Invoice); s != wantSeries {
					t.Errorf("series %q, want %q: the change and the audit entry must commit together", s, wantSeries)
				}
				if n := f.auditRows(t, "test.saved"); n != wantAudit {
					t.Errorf("%d audit entries, want %d", n, wantAudit)
				}
				if tt.want.committed && len(emitted) != len(tt.audit.Events) {
					t.Errorf("%d events emitted, want %d", len(emitted), len(tt.audit.Events))
				}
			})
		}
	})
}

func TestWriteAuditNamesTheActor(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		key := access.Principal{TenantID: f.tenant.ID, APIKeyID: "key_1", Role: access.Administrator, Name: "deploy key"}
		_, err := usecase.Write(f.ctx, f.env, key, access.ManageTenant, nil, func(tx service.Tx) (struct{}, usecase.Audit, error) {
			return struct{}{}, usecase.Entry("test.one", "thing", "t1", map[string]int{"n": 1}).And("test.two", "thing", "t2", nil), nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var es []service.AuditEntry
		err = db.Read(f.ctx, func(tx service.Tx) error {
			var err error
			es, err = tx.ListAudit(f.ctx, f.tenant.ID, service.AuditFilter{TargetType: "thing", Page: service.Page{Limit: 10}})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != 2 {
			t.Fatalf("%d entries, want 2", len(es))
		}
		for _, e := range es {
			if e.ActorType != "api_key" || e.ActorID != "key_1" || e.ActorName != "deploy key" || e.TenantID != f.tenant.ID || e.At.IsZero() {
				t.Errorf("entry %+v does not name the acting key", e)
			}
		}
		var changes map[string]int
		if err := json.Unmarshal(es[1].Changes, &changes); err != nil || changes["n"] != 1 {
			t.Errorf("changes of test.one %s (%v), want {\"n\":1}", es[1].Changes, err)
		}
		if es[1].Action != "test.one" || es[0].Action != "test.two" || len(es[0].Changes) != 0 {
			t.Errorf("entries %+v, want test.one with its changes then test.two without", es)
		}
	})
}

// TestWriteJoinsTheRequestTransaction: with a request transaction (a POST
// with an Idempotency-Key) the change and its audit entry commit with the
// request's key and response, or are rolled back with them.
func TestWriteJoinsTheRequestTransaction(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		for _, commit := range []bool{false, true} {
			f := newFixture(t, db)
			ctx, rt := db.BeginRequest(f.ctx, store.IdempotencyClaim{TenantID: f.tenant.ID, Key: "k-1", RequestHash: "h", At: now()})
			_, err := usecase.Write(ctx, f.env, f.admin, access.ManageTenant, nil, func(tx service.Tx) (struct{}, usecase.Audit, error) {
				return struct{}{}, usecase.Entry("test.request", "number_series", "invoice", nil), tx.SetSeries(ctx, f.tenant.ID, numbering.Invoice, "R-{SEQ:4}")
			})
			if err != nil {
				t.Fatal(err)
			}
			// Not committed yet: the write joined the request's transaction.
			if n := f.auditRows(t, "test.request"); n != 0 {
				t.Errorf("commit=%v: audit entry visible before the request ended", commit)
			}
			if commit {
				err = rt.Commit(f.ctx, 201, "application/json", []byte(`{}`))
			} else {
				err = rt.Rollback()
			}
			if err != nil {
				t.Fatalf("end request (commit=%v): %v", commit, err)
			}
			wantAudit, wantSeries := 0, numbering.DefaultSeries[numbering.Invoice]
			if commit {
				wantAudit, wantSeries = 1, "R-{SEQ:4}"
			}
			if n := f.auditRows(t, "test.request"); n != wantAudit {
				t.Errorf("commit=%v: %d audit entries, want %d", commit, n, wantAudit)
			}
			if s := f.series(t, numbering.Invoice); s != wantSeries {
				t.Errorf("commit=%v: series %q, want %q", commit, s, wantSeries)
			}
		}
	})
}

func TestDiff(t *testing.T) {
	t.Parallel()
	type v struct {
		A string `json:"a"`
		B int    `json:"b,omitempty"`
	}
	cases := []struct {
		name          string
		before, after any
		want          []string
	}{
		{"nothing changed", v{A: "x", B: 1}, v{A: "x", B: 1}, nil},
		{"one field", v{A: "x", B: 1}, v{A: "y", B: 1}, []string{"a"}},
		{"field gone", v{A: "x", B: 1}, v{A: "x"}, []string{"b"}},
		{"field added", v{A: "x"}, v{A: "x", B: 2}, []string{"b"}},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := usecase.Diff(tt.before, tt.after)
			if len(got) != len(tt.want) {
				t.Fatalf("diff %v, want fields %v", got, tt.want)
			}
			for _, k := range tt.want {
				if _, ok := got[k]; !ok {
					t.Errorf("diff %v lacks %s", got, k)
				}
			}
		})
	}
}
