package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/internal/testserver"
)

// TestIdempotencyKey: a POST repeated with the same Idempotency-Key and body
// returns the first response and does the work once.
func TestIdempotencyKey(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		adminA, adminB := e.A.Keys[access.Administrator], e.B.Keys[access.Administrator]
		body := map[string]any{"name": "Idempotent S.A.", "billing": map[string]any{"currency": "EUR"}}
		idem := func(key string) []string { return []string{"Idempotency-Key", key} }

		// Same key and body: the same answer, replayed, one row.
		before := e.Snapshot()
		first := accDo(t, e, http.MethodPost, "/api/v1/customers", adminA, body, idem("order-1")...)
		if first.Status != http.StatusCreated {
			t.Fatalf("first: %d %s", first.Status, first.Body)
		}
		if first.Header.Get("Idempotent-Replayed") != "" {
			t.Errorf("the first response says it was replayed")
		}
		var created accCustomer
		first.JSON(t, &created)
		for i := range 2 {
			again := accDo(t, e, http.MethodPost, "/api/v1/customers", adminA, body, idem("order-1")...)
			if again.Status != first.Status || !bytes.Equal(again.Body, first.Body) {
				t.Errorf("repeat %d: %d %s, want %d %s", i, again.Status, again.Body, first.Status, first.Body)
			}
			if again.Header.Get("Idempotent-Replayed") != "true" {
				t.Errorf("repeat %d: Idempotent-Replayed %q, want true", i, again.Header.Get("Idempotent-Replayed"))
			}
			if ct := again.Header.Get("Content-Type"); ct != first.Header.Get("Content-Type") {
				t.Errorf("repeat %d: Content-Type %q, want %q", i, ct, first.Header.Get("Content-Type"))
			}
		}
		after := e.Snapshot()
		if after["customers"] != before["customers"]+1 {
			t.Errorf("customers %d → %d, want one more", before["customers"], after["customers"])
		}
		if after["audit_log"] != before["audit_log"]+1 {
			t.Errorf("audit entries %d → %d, want one more", before["audit_log"], after["audit_log"])
		}

		// Same key, another body: 409, nothing written.
		before = e.Snapshot()
		other := map[string]any{"name": "Something else"}
		r := accDo(t, e, http.MethodPost, "/api/v1/customers", adminA, other, idem("order-1")...)
		p := accWantProblem(t, r, http.StatusConflict, "conflict")
		if p.Field != "Idempotency-Key" || !strings.Contains(p.Detail, "different request") {
			t.Errorf("conflict problem %+v should name Idempotency-Key and say the request differs", p)
		}
		// The same key on another path is another request too.
		r = accDo(t, e, http.MethodPost, "/api/v1/customers/"+created.ID+"/archive", adminA, nil, idem("order-1")...)
		accWantProblem(t, r, http.StatusConflict, "conflict")
		// Another API key of the same tenant cannot replay the first key's answer.
		r = accDo(t, e, http.MethodPost, "/api/v1/customers", e.A.Keys[access.Sales], body, idem("order-1")...)
		accWantProblem(t, r, http.StatusConflict, "conflict")
		if strings.Contains(string(r.Body), created.ID) {
			t.Errorf("another key got the first key's response: %s", r.Body)
		}
		if after := e.Snapshot(); after["customers"] != before["customers"] || after["audit_log"] != before["audit_log"] {
			t.Errorf("conflicting repeats wrote: %v → %v", before, after)
		}

		// Keys are per tenant: B uses A's key for its own, separate request.
		rb := accDo(t, e, http.MethodPost, "/api/v1/customers", adminB, body, idem("order-1")...)
		if rb.Status != http.StatusCreated || rb.Header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("tenant B with A's key: %d replayed=%q %s", rb.Status, rb.Header.Get("Idempotent-Replayed"), rb.Body)
		}
		var createdB accCustomer
		rb.JSON(t, &createdB)
		if createdB.ID == created.ID {
			t.Errorf("tenant B got tenant A's customer")
		}
		if again := accDo(t, e, http.MethodPost, "/api/v1/customers", adminB, body, idem("order-1")...); !bytes.Equal(again.Body, rb.Body) {
			t.Errorf("tenant B's repeat: %s, want its own first answer %s", again.Body, rb.Body)
		}
		var inB accList[accCustomer]
		accDo(t, e, http.MethodGet, "/api/v1/customers?q=idempotent", adminB, nil).JSON(t, &inB)
		if len(inB.Data) != 1 || inB.Data[0].ID != createdB.ID {
			t.Errorf("tenant B has %d idempotent customers, want its one", len(inB.Data))
		}

		// A request refused for bad input keeps no key (issue 12: a corrected
		// request may reuse it): its repeat is refused again, not replayed,
		// and nothing is written.
		before = e.Snapshot()
		bad := map[string]any{"name": "", "billing": map[string]any{"email": "nope"}}
		r1 := accDo(t, e, http.MethodPost, "/api/v1/customers", adminA, bad, idem("bad-1")...)
		accWantProblem(t, r1, http.StatusUnprocessableEntity, "invalid")
		r2 := accDo(t, e, http.MethodPost, "/api/v1/customers", adminA, bad, idem("bad-1")...)
		if r2.Status != http.StatusUnprocessableEntity || !bytes.Equal(r1.Body, r2.Body) || r2.Header.Get("Idempotent-Replayed") != "" {
			t.Errorf("repeat of a refused request: %d replayed=%q %s, want the same 422 afresh %s", r2.Status, r2.Header.Get("Idempotent-Replayed"), r2.Body, r1.Body)
		}
		if ct := r2.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
			t.Errorf("problem Content-Type %q", ct)
		}
		if after := e.Snapshot(); !maps.Equal(before, after) {
			t.Errorf("refused idempotent requests wrote: %v → %v", before, after)
		}

		// Actions are POSTs too: a repeated archive replays its 200 instead
		// of failing with "already archived".
		a1 := accDo(t, e, http.MethodPost, "/api/v1/customers/"+created.ID+"/archive", adminA, nil, idem("archive-1")...)
		a2 := accDo(t, e, http.MethodPost, "/api/v1/customers/"+created.ID+"/archive", adminA, nil, idem("archive-1")...)
		if a1.Status != http.StatusOK || a2.Status != http.StatusOK || !bytes.Equal(a1.Body, a2.Body) {
			t.Errorf("archive twice with one key: %d %s / %d %s", a1.Status, a1.Body, a2.Status, a2.Body)
		}
		if a3 := accDo(t, e, http.MethodPost, "/api/v1/customers/"+created.ID+"/archive", adminA, nil); a3.Status != http.StatusConflict {
			t.Errorf("archive again without the key: %d, want 409 already archived", a3.Status)
		}

		// An over-long key is refused, not truncated.
		r = accDo(t, e, http.MethodPost, "/api/v1/customers", adminA, body, idem(strings.Repeat("k", 256))...)
		if p := accWantProblem(t, r, http.StatusUnprocessableEntity, "invalid"); p.Field != "Idempotency-Key" {
			t.Errorf("long key: field %q", p.Field)
		}
	})
}

// TestIdempotencyKeyConcurrent: ten clients send the same key and body at
// once; one customer is created and every client sees it or "in progress".
func TestIdempotencyKeyConcurrent(t *testing.T) {
	t.Parallel()
	accEach(t, func(t *testing.T, e *testserver.Env) {
		const clients = 10
		body := []byte(`{"name": "Concurrent S.L."}`)
		key := e.A.Keys[access.Sales]
		before := e.Snapshot()

		type result struct {
			status int
			body   []byte
			err    error
		}
		results := make([]result, clients)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, err := http.NewRequest(http.MethodPost, e.URL+"/api/v1/customers", bytes.NewReader(body))
				if err != nil {
					results[i].err = err
					return
				}
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+key)
				req.Header.Set("Idempotency-Key", "concurrent-1")
				<-start
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					results[i].err = err
					return
				}
				defer res.Body.Close()
				b, err := io.ReadAll(res.Body)
				results[i] = result{status: res.StatusCode, body: b, err: err}
			}()
		}
		close(start)
		wg.Wait()

		var ids []string
		inProgress := 0
		for i, r := range results {
			switch {
			case r.err != nil:
				t.Errorf("client %d: %v", i, r.err)
			case r.status == http.StatusCreated:
				var c accCustomer
				if err := json.Unmarshal(r.body, &c); err != nil || c.ID == "" {
					t.Errorf("client %d: 201 with body %s", i, r.body)
				}
				ids = append(ids, c.ID)
			case r.status == http.StatusConflict:
				var p accProblem
				_ = json.Unmarshal(r.body, &p)
				if p.Code != "conflict" || !strings.Contains(p.Detail, "in progress") {
					t.Errorf("client %d: 409 %s, want in progress", i, r.body)
				}
				inProgress++
			default:
				t.Errorf("client %d: %d %s, want 201 or 409 in progress", i, r.status, r.body)
			}
		}
		t.Logf("%d clients got the 201, %d were told it is in progress", len(ids), inProgress)
		if len(ids) == 0 {
			t.Fatalf("no client got the 201 (%d in progress)", inProgress)
		}
		for _, id := range ids[1:] {
			if id != ids[0] {
				t.Errorf("clients got different customers: %v", ids)
			}
		}
		after := e.Snapshot()
		if after["customers"] != before["customers"]+1 {
			t.Errorf("customers %d → %d, want exactly one more", before["customers"], after["customers"])
		}
		// Once done, a late client gets the replay.
		late := accDo(t, e, http.MethodPost, "/api/v1/customers", key, body, "Idempotency-Key", "concurrent-1")
		if late.Status != http.StatusCreated || late.Header.Get("Idempotent-Replayed") != "true" || !strings.Contains(string(late.Body), ids[0]) {
			t.Errorf("late client: %d %s", late.Status, late.Body)
		}
	})
}
