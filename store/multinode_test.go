package store_test

// Multi-node: two Facturo servers, each with its own store.Open handle and
// its own service, on one database (the same PostgreSQL schema, or the same
// SQLite file as two processes would share it). Nothing a request depends on
// may live in one node's memory.

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/api"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/internal/testserver"
	"github.com/facturo/facturo/server"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

// openMigrated opens dsn and migrates it, as every node does on start.
func openMigrated(t testing.TB, dsn string) *store.DB {
	t.Helper()
	db := openDSN(t, dsn)
	if err := db.Migrate(context.Background(), nil); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}

// startNode runs a second, independent server over db and returns its URL.
func startNode(t testing.TB, db *store.DB) string {
	t.Helper()
	svc := service.New(db)
	srv := httptest.NewServer(server.New(svc, db, server.Config{Log: slog.New(slog.DiscardHandler)}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func call(t testing.TB, base, method, path, key string, body any, headers ...string) testserver.Response {
	t.Helper()
	return testserver.Do(t, http.DefaultClient, base, method, path, key, body, headers...)
}

func wantStatus(t testing.TB, what string, r testserver.Response, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: status %d, want %d: %s", what, r.Status, status, r.Body)
	}
}

func TestMultiNode(t *testing.T) {
	t.Parallel()
	for _, e := range testdb.Engines {
		t.Run(string(e), func(t *testing.T) {
			dsn := testdb.DSN(t, e)
			db1, db2 := openMigrated(t, dsn), openMigrated(t, dsn)
			node1 := testserver.NewOn(t, db1)
			url1, url2 := node1.URL, startNode(t, db2)
			admin := node1.A.Keys[access.Administrator]

			t.Run("CustomerCreatedOnOneIsReadOnTwo", func(t *testing.T) {
				r := call(t, url1, http.MethodPost, "/api/v1/customers", admin, map[string]any{
					"name": "Nó Dois Ltda. 🚀", "credit_limit": "12345.67", "custom_fields": map[string]string{"po": "ñ"}})
				wantStatus(t, "create on node 1", r, http.StatusCreated)
				created := r.Map(t)
				cid := created["id"].(string)
				r = call(t, url2, http.MethodGet, "/api/v1/customers/"+cid, admin, nil)
				wantStatus(t, "read on node 2", r, http.StatusOK)
				read := r.Map(t)
				for _, k := range []string{"id", "number", "name", "credit_limit", "custom_fields", "contacts", "billing"} {
					if !equalJSON(created[k], read[k]) {
						t.Errorf("%s: node 1 answered %v, node 2 %v", k, created[k], read[k])
					}
				}
				// The create response carries the service clock's nanoseconds,
				// the stored row microseconds (see the report): compare instants
				// at the storage precision.
				for _, k := range []string{"created_at", "updated_at"} {
					c, err1 := time.Parse(time.RFC3339Nano, created[k].(string))
					r, err2 := time.Parse(time.RFC3339Nano, read[k].(string))
					if err1 != nil || err2 != nil || !c.Truncate(time.Microsecond).Equal(r) {
						t.Errorf("%s: node 1 answered %v, node 2 %v", k, created[k], read[k])
					}
				}
				r = call(t, url2, http.MethodGet, "/api/v1/customers?q=dois", admin, nil)
				wantStatus(t, "list on node 2", r, http.StatusOK)
				var list struct {
					Items []struct {
						ID string `json:"id"`
					} `json:"data"`
				}
				r.JSON(t, &list)
				if len(list.Items) != 1 || list.Items[0].ID != cid {
					t.Fatalf("node 2 search: %s", r.Body)
				}
				// Tenant B's key on node 2 does not see it.
				r = call(t, url2, http.MethodGet, "/api/v1/customers/"+cid, node1.B.Keys[access.Administrator], nil)
				wantStatus(t, "tenant B on node 2", r, http.StatusNotFound)
			})

			t.Run("SessionFromOneWorksOnTwo", func(t *testing.T) {
				email, password := "multi."+uniq()+"@example.com", "correct horse battery staple"
				u, err := node1.Svc.CreateUser(context.Background(), access.System(node1.A.ID, "test"),
					service.NewUser{Email: email, Name: "Multi Node", Role: string(access.Finance), Password: password})
				if err != nil {
					t.Fatal(err)
				}
				r := call(t, url1, http.MethodPost, "/api/v1/auth/login", "", map[string]string{"email": email, "password": password})
				wantStatus(t, "login on node 1", r, http.StatusOK)
				var cookie *http.Cookie
				for _, c := range (&http.Response{Header: r.Header}).Cookies() {
					if c.Name == api.SessionCookie {
						cookie = c
					}
				}
				if cookie == nil || cookie.Value == "" {
					t.Fatalf("login set no %s cookie: %v", api.SessionCookie, r.Header)
				}
				withCookie := []string{"Cookie", cookie.Name + "=" + cookie.Value}
				r = call(t, url2, http.MethodGet, "/api/v1/me", "", nil, withCookie...)
				wantStatus(t, "me on node 2", r, http.StatusOK)
				if me := r.Map(t); me["user_id"] != u.ID || me["tenant_id"] != node1.A.ID {
					t.Fatalf("node 2 sees %v, want user %s", me, u.ID)
				}
				// Logging out on node 2 ends the session on node 1.
				r = call(t, url2, http.MethodPost, "/api/v1/auth/logout", "", nil, withCookie...)
				wantStatus(t, "logout on node 2", r, http.StatusNoContent)
				r = call(t, url1, http.MethodGet, "/api/v1/me", "", nil, withCookie...)
				wantStatus(t, "me on node 1 after logout on node 2", r, http.StatusUnauthorized)
			})

			t.Run("IdempotencyKeyReplaysAcrossNodes", func(t *testing.T) {
				name := "Idempotent " + uniq()
				body := map[string]any{"name": name}
				key := []string{"Idempotency-Key", "idem-" + uniq()}
				first := call(t, url1, http.MethodPost, "/api/v1/customers", admin, body, key...)
				wantStatus(t, "first on node 1", first, http.StatusCreated)
				again := call(t, url2, http.MethodPost, "/api/v1/customers", admin, body, key...)
				wantStatus(t, "repeat on node 2", again, http.StatusCreated)
				if string(again.Body) != string(first.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
					t.Fatalf("node 2 did not replay node 1's response:\n first %s\n again %s (%v)", first.Body, again.Body, again.Header)
				}
				r := call(t, url2, http.MethodPost, "/api/v1/customers", admin, map[string]any{"name": name + " changed"}, key...)
				wantStatus(t, "same key, other body, on node 2", r, http.StatusConflict)
				r = call(t, url1, http.MethodGet, "/api/v1/customers?q="+uniqQuery(name), admin, nil)
				var list struct {
					Items []any `json:"data"`
				}
				r.JSON(t, &list)
				if len(list.Items) != 1 {
					t.Fatalf("%d customers created with one idempotency key, want 1: %s", len(list.Items), r.Body)
				}
			})

			t.Run("ConcurrentIdempotentRequestsOnBothNodes", func(t *testing.T) {
				name := "Raced " + uniq()
				key := []string{"Idempotency-Key", "race-" + uniq()}
				var wg sync.WaitGroup
				statuses := make([]int, 8)
				for i := range statuses {
					wg.Go(func() {
						base := url1
						if i%2 == 1 {
							base = url2
						}
						statuses[i] = call(t, base, http.MethodPost, "/api/v1/customers", admin, map[string]any{"name": name}, key...).Status
					})
				}
				wg.Wait()
				for _, s := range statuses {
					// Either the response (first or replayed) or "still in progress".
					if s != http.StatusCreated && s != http.StatusConflict {
						t.Fatalf("statuses %v", statuses)
					}
				}
				if !slices.Contains(statuses, http.StatusCreated) {
					t.Fatalf("no request succeeded: %v", statuses)
				}
				r := call(t, url2, http.MethodGet, "/api/v1/customers?q="+uniqQuery(name), admin, nil)
				var list struct {
					Items []any `json:"data"`
				}
				r.JSON(t, &list)
				if len(list.Items) != 1 {
					t.Fatalf("%d customers created by racing one idempotency key over two nodes, want 1", len(list.Items))
				}
			})

			t.Run("KeyRevokedOnOneIsRefusedOnTwo", func(t *testing.T) {
				r := call(t, url1, http.MethodPost, "/api/v1/api-keys", admin, map[string]string{"name": "short-lived", "role": "sales"})
				wantStatus(t, "create key on node 1", r, http.StatusCreated)
				k := r.Map(t)
				secret, kid := k["secret"].(string), k["id"].(string)
				wantStatus(t, "new key on node 2", call(t, url2, http.MethodGet, "/api/v1/customers", secret, nil), http.StatusOK)
				wantStatus(t, "revoke on node 1", call(t, url1, http.MethodDelete, "/api/v1/api-keys/"+kid, admin, nil), http.StatusNoContent)
				wantStatus(t, "revoked key on node 2", call(t, url2, http.MethodGet, "/api/v1/customers", secret, nil), http.StatusUnauthorized)
				wantStatus(t, "revoked key on node 1", call(t, url1, http.MethodGet, "/api/v1/customers", secret, nil), http.StatusUnauthorized)
			})
		})
	}
}

// TestMultiNodeCounters: handles on one database hand out distinct,
// consecutive numbers when they write at the same time (on SQLite, two
// writers on one file take turns through the file lock).
func TestMultiNodeCounters(t *testing.T) {
	t.Parallel()
	for _, e := range testdb.Engines {
		t.Run(string(e), func(t *testing.T) {
			dsn := testdb.DSN(t, e)
			dbs := []*store.DB{openMigrated(t, dsn), openMigrated(t, dsn)}
			ten := insertTenant(t, dbs[0])
			const n = 40
			vals := make([]int64, n)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range n {
				wg.Go(func() {
					<-start
					db := dbs[i%2]
					err := db.Write(context.Background(), func(tx service.Tx) error {
						v, err := tx.NextCounter(context.Background(), ten.ID, "invoice")
						vals[i] = v
						return err
					})
					if err != nil {
						t.Errorf("node %d: %v", i%2, err)
					}
				})
			}
			close(start)
			wg.Wait()
			slices.Sort(vals)
			for i, v := range vals {
				if v != int64(i+1) {
					t.Fatalf("values %v are not 1..%d", vals, n)
				}
			}
		})
	}
}

// uniqQuery returns the unique token at the end of a test name, to search by.
func uniqQuery(name string) string {
	for i := len(name) - 1; i >= 0; i-- {
		if name[i] == ' ' {
			return name[i+1:]
		}
	}
	return name
}

// equalJSON compares two decoded JSON values.
func equalJSON(a, b any) bool {
	return jsonString(a) == jsonString(b)
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
