package server_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/internal/testserver"
	"github.com/facturo/facturo/server"
	"github.com/facturo/facturo/service"
)

// idemPost sends a raw body (bytes as given, so a test controls spacing and
// key order) with an Idempotency-Key and returns the response, or the
// transport error when the server dropped the connection.
func idemPost(base, path, apiKey, idemKey string, body []byte) (testserver.Response, error) {
	req, err := http.NewRequest(http.MethodPost, base+path, bytes.NewReader(body))
	if err != nil {
		return testserver.Response{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+apiKey)
	req.Header.Set("Idempotency-Key", idemKey)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return testserver.Response{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return testserver.Response{Status: res.StatusCode, Header: res.Header, Body: b}, err
}

// TestIdempotencyCrashBeforeResponse: the server dies after the write
// committed and before the client got the answer. The retry with the same
// key replays the stored answer at once and the write happened once: the
// key and the response commit with the change.
func TestIdempotencyCrashBeforeResponse(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		var armed atomic.Bool
		armed.Store(true)
		srv := httptest.NewServer(server.New(e.Svc, e.DB, server.Config{Log: slog.New(slog.DiscardHandler),
			Fault: func(point string) error {
				if point == server.FaultIdempotentResponse && armed.CompareAndSwap(true, false) {
					return errors.New("crash")
				}
				return nil
			}}))
		t.Cleanup(srv.Close)
		admin := e.A.Keys[access.Administrator]
		body := []byte(`{"name": "Crash S.A.", "billing": {"currency": "EUR"}}`)

		before := e.Snapshot()
		if r, err := idemPost(srv.URL, "/api/v1/customers", admin, "crash-1", body); err == nil {
			t.Fatalf("the crashed request answered %d %s", r.Status, r.Body)
		}
		if armed.Load() {
			t.Fatalf("the fault point %q was never reached", server.FaultIdempotentResponse)
		}
		retry, err := idemPost(srv.URL, "/api/v1/customers", admin, "crash-1", body)
		if err != nil {
			t.Fatal(err)
		}
		if retry.Status != http.StatusCreated || retry.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("retry after the crash: %d replayed=%q %s, want the stored 201 replayed", retry.Status, retry.Header.Get("Idempotent-Replayed"), retry.Body)
		}
		var c accCustomer
		retry.JSON(t, &c)
		after := e.Snapshot()
		if after["customers"] != before["customers"]+1 || after["audit_log"] != before["audit_log"]+1 {
			t.Errorf("customers %d → %d, audit %d → %d: want the write exactly once",
				before["customers"], after["customers"], before["audit_log"], after["audit_log"])
		}
		var list accList[accCustomer]
		accDo(t, e, http.MethodGet, "/api/v1/customers?q=crash", admin, nil).JSON(t, &list)
		if len(list.Data) != 1 || list.Data[0].ID != c.ID {
			t.Errorf("customers named Crash: %+v, want only the replayed %s", list.Data, c.ID)
		}
	})
}

// TestIdempotencyBodyComparedAsJSON: the same JSON value re-formatted
// (spacing, key order) is the same request and replays; another value is
// 409. A non-JSON body is compared byte for byte.
func TestIdempotencyBodyComparedAsJSON(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		admin := e.A.Keys[access.Administrator]
		before := e.Snapshot()
		first, err := idemPost(e.URL, "/api/v1/customers", admin, "json-1",
			[]byte(`{"name":"Formatted S.A.","billing":{"currency":"EUR","email":"a@example.com"}}`))
		if err != nil || first.Status != http.StatusCreated {
			t.Fatalf("first: %v %d %s", err, first.Status, first.Body)
		}
		again, err := idemPost(e.URL, "/api/v1/customers", admin, "json-1",
			[]byte("{\n  \"billing\": { \"email\": \"a@example.com\", \"currency\": \"EUR\" },\n  \"name\": \"Formatted S.A.\"\n}\n"))
		if err != nil {
			t.Fatal(err)
		}
		if again.Status != http.StatusCreated || again.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(again.Body, first.Body) {
			t.Errorf("re-formatted identical body: %d replayed=%q %s, want the first 201 replayed", again.Status, again.Header.Get("Idempotent-Replayed"), again.Body)
		}
		other, err := idemPost(e.URL, "/api/v1/customers", admin, "json-1",
			[]byte(`{"name":"Formatted S.A.","billing":{"currency":"USD","email":"a@example.com"}}`))
		if err != nil {
			t.Fatal(err)
		}
		if p := accWantProblem(t, other, http.StatusConflict, "conflict"); p.Field != "Idempotency-Key" {
			t.Errorf("another value with the key: %+v, want 409 naming Idempotency-Key", p)
		}
		if after := e.Snapshot(); after["customers"] != before["customers"]+1 {
			t.Errorf("customers %d → %d, want one more", before["customers"], after["customers"])
		}
	})
}

// TestIdempotencyKeyFreedByValidation: a request refused for bad input
// keeps no key (Stripe's rule), so the corrected request with the same key
// runs; once it succeeded, the key replays it.
func TestIdempotencyKeyFreedByValidation(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		admin := e.A.Keys[access.Administrator]
		before := e.Snapshot()
		bad, err := idemPost(e.URL, "/api/v1/customers", admin, "fix-1", []byte(`{"name": "", "billing": {"email": "nope"}}`))
		if err != nil {
			t.Fatal(err)
		}
		accWantProblem(t, bad, http.StatusUnprocessableEntity, "invalid")
		// Malformed JSON (400) keeps no key either.
		broken, err := idemPost(e.URL, "/api/v1/customers", admin, "fix-1", []byte(`{"name": `))
		if err != nil {
			t.Fatal(err)
		}
		if broken.Status/100 != 4 || broken.Header.Get("Idempotent-Replayed") != "" {
			t.Errorf("malformed body after the refused one: %d replayed=%q %s", broken.Status, broken.Header.Get("Idempotent-Replayed"), broken.Body)
		}
		good, err := idemPost(e.URL, "/api/v1/customers", admin, "fix-1", []byte(`{"name": "Corrected S.L.", "billing": {"email": "ap@example.com"}}`))
		if err != nil {
			t.Fatal(err)
		}
		if good.Status != http.StatusCreated || good.Header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("corrected request with the key: %d replayed=%q %s, want a fresh 201", good.Status, good.Header.Get("Idempotent-Replayed"), good.Body)
		}
		if after := e.Snapshot(); after["customers"] != before["customers"]+1 {
			t.Errorf("customers %d → %d, want one more", before["customers"], after["customers"])
		}
		replay, err := idemPost(e.URL, "/api/v1/customers", admin, "fix-1", []byte(`{"name": "Corrected S.L.", "billing": {"email": "ap@example.com"}}`))
		if err != nil {
			t.Fatal(err)
		}
		if replay.Status != http.StatusCreated || replay.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(replay.Body, good.Body) {
			t.Errorf("repeat of the corrected request: %d replayed=%q, want the 201 replayed", replay.Status, replay.Header.Get("Idempotent-Replayed"))
		}
		// The bad body again, now that the key is used: 409, not a re-run.
		again, err := idemPost(e.URL, "/api/v1/customers", admin, "fix-1", []byte(`{"name": "", "billing": {"email": "nope"}}`))
		if err != nil {
			t.Fatal(err)
		}
		accWantProblem(t, again, http.StatusConflict, "conflict")
	})
}

// TestIdempotencyConcurrentSameKeyWait: clients sending one key and body at
// once all get the one answer (the later ones wait for the first and get it
// replayed); the write happens once.
func TestIdempotencyConcurrentSameKeyWait(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		const clients = 10
		admin := e.A.Keys[access.Administrator]
		body := []byte(`{"name": "Waiting S.L."}`)
		before := e.Snapshot()
		results := make([]testserver.Response, clients)
		errs := make([]error, clients)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range clients {
			wg.Go(func() {
				<-start
				results[i], errs[i] = idemPost(e.URL, "/api/v1/customers", admin, "wait-1", body)
			})
		}
		close(start)
		wg.Wait()
		fresh := 0
		var id string
		for i, r := range results {
			if errs[i] != nil {
				t.Fatalf("client %d: %v", i, errs[i])
			}
			if r.Status != http.StatusCreated {
				t.Errorf("client %d: %d %s, want 201", i, r.Status, r.Body)
				continue
			}
			if r.Header.Get("Idempotent-Replayed") == "" {
				fresh++
			}
			var c accCustomer
			if err := json.Unmarshal(r.Body, &c); err != nil || c.ID == "" || (id != "" && c.ID != id) {
				t.Errorf("client %d: %s, want customer %s", i, r.Body, id)
			}
			id = c.ID
		}
		if fresh != 1 {
			t.Errorf("%d clients ran the request, want 1", fresh)
		}
		if after := e.Snapshot(); after["customers"] != before["customers"]+1 {
			t.Errorf("customers %d → %d, want exactly one more", before["customers"], after["customers"])
		}
	})
}

// TestIdempotencyDetachedWork: a billing run commits batch by batch outside
// the request's transaction, with or without waiting, and its start is
// replayed under its key (on SQLite the request must not hold the only
// writer while the run writes).
func TestIdempotencyDetachedWork(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		fm := e.A.Keys[access.FinanceManager]
		for _, c := range []struct {
			key    string
			body   string
			status int
		}{
			{"run-wait", `{"period_start": "2025-11-01", "period_end": "2025-11-30", "wait": true}`, http.StatusCreated},
			{"run-async", `{"period_start": "2025-10-01", "period_end": "2025-10-31"}`, http.StatusAccepted},
		} {
			first, err := idemPost(e.URL, "/api/v1/billing-runs", fm, c.key, []byte(c.body))
			if err != nil || first.Status != c.status {
				t.Fatalf("%s: %v %d %s", c.key, err, first.Status, first.Body)
			}
			again, err := idemPost(e.URL, "/api/v1/billing-runs", fm, c.key, []byte(c.body))
			if err != nil || again.Status != c.status || again.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(again.Body, first.Body) {
				t.Errorf("%s repeated: %v %d %s, want the first answer replayed", c.key, err, again.Status, again.Body)
			}
		}
		var runs accList[map[string]any]
		accDo(t, e, http.MethodGet, "/api/v1/billing-runs", fm, nil).JSON(t, &runs)
		if len(runs.Data) != 2 {
			t.Errorf("%d billing runs, want 2", len(runs.Data))
		}
	})
}

// TestIdempotencyKeepsBusinessRefusal: a refusal decided by the state of
// the business (409 here) stays bound to the key and is replayed, and a
// refusal undoes whatever the request wrote.
func TestIdempotencyKeepsBusinessRefusal(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		admin := e.A.Keys[access.Administrator]
		path := "/api/v1/customers/" + e.A.Other + "/archive"
		if r := accDo(t, e, http.MethodPost, path, admin, nil); r.Status != http.StatusOK {
			t.Fatalf("archive: %d %s", r.Status, r.Body)
		}
		before := e.Snapshot()
		first, err := idemPost(e.URL, path, admin, "archive-again", nil)
		if err != nil {
			t.Fatal(err)
		}
		accWantProblem(t, first, http.StatusConflict, "conflict")
		again, err := idemPost(e.URL, path, admin, "archive-again", nil)
		if err != nil {
			t.Fatal(err)
		}
		if again.Status != http.StatusConflict || again.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(again.Body, first.Body) {
			t.Errorf("repeat of a 409: %d replayed=%q %s, want the 409 replayed", again.Status, again.Header.Get("Idempotent-Replayed"), again.Body)
		}
		after := e.Snapshot()
		delete(after, "idempotency_keys")
		delete(before, "idempotency_keys")
		if !maps.Equal(before, after) {
			t.Errorf("a refused request wrote: %v → %v", before, after)
		}
	})
}

// TestIdempotencyServerErrorFreesKey: a card payment that fails with a
// server error after the charge (the bookkeeping crashed) is rolled back
// whole and keeps no key; the retry with the same key pays once.
func TestIdempotencyServerErrorFreesKey(t *testing.T) {
	t.Parallel()
	for _, engine := range testdb.Engines {
		t.Run(string(engine), func(t *testing.T) {
			var armed atomic.Bool
			armed.Store(true)
			e := testserver.NewOnWith(t, testdb.Open(t, engine),
				service.WithFaultHook(func(point string) error {
					if point == "card payment booked" && armed.CompareAndSwap(true, false) {
						return errors.New("crash after booking")
					}
					return nil
				}))
			a := e.A
			inv := accMakeInvoice(t, e, a.ID, a.Customer, accToday(e), "open")
			if r := accDo(t, e, http.MethodPost, "/api/v1/customers/"+a.Customer+"/payment-methods", a.Keys[access.Customer],
				map[string]any{"card": "4242424242424242", "primary": true}); r.Status != http.StatusCreated {
				t.Fatalf("add card: %d %s", r.Status, r.Body)
			}
			before := e.Snapshot()
			path := "/api/v1/invoices/" + inv.ID + "/pay"
			r, err := idemPost(e.URL, path, a.Keys[access.Customer], "pay-1", nil)
			if err != nil || r.Status != http.StatusInternalServerError {
				t.Fatalf("pay with the fault: %v %d %s, want 500", err, r.Status, r.Body)
			}
			if after := e.Snapshot(); !maps.Equal(before, after) {
				t.Errorf("a failed payment wrote: %v → %v", before, after)
			}
			r, err = idemPost(e.URL, path, a.Keys[access.Customer], "pay-1", nil)
			if err != nil || r.Status != http.StatusCreated || r.Header.Get("Idempotent-Replayed") != "" {
				t.Fatalf("retry after the 500: %v %d replayed=%q %s, want a fresh 201", err, r.Status, r.Header.Get("Idempotent-Replayed"), r.Body)
			}
			again, err := idemPost(e.URL, path, a.Keys[access.Customer], "pay-1", nil)
			if err != nil || again.Status != http.StatusCreated || again.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(again.Body, r.Body) {
				t.Errorf("repeat of the payment: %v %d %s, want it replayed", err, again.Status, again.Body)
			}
			if after := e.Snapshot(); after["payments"] != before["payments"]+1 {
				t.Errorf("payments %d → %d, want one", before["payments"], after["payments"])
			}
			if got := accGetInvoice(t, e, a.Keys[access.Customer], inv.ID); got.Status != "closed" {
				t.Errorf("invoice after paying: %s, want closed", got.Status)
			}
		})
	}
}
