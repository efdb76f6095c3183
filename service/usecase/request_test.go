package usecase_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/numbering"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/service/usecase"
	"github.com/facturo/facturo/store"
)

// idemRun is one request of TestIdempotentRequests: it sets the invoice
// series to pattern through the envelope, then answers status, and counts
// its runs.
type idemRun struct {
	f    *fixture
	runs int
}

func (r *idemRun) request(pattern string, status int) func(ctx context.Context) usecase.Response {
	return func(ctx context.Context) usecase.Response {
		r.runs++
		_, err := usecase.Write(ctx, r.f.env, r.f.admin, access.ManageTenant, nil, func(tx service.Tx) (struct{}, usecase.Audit, error) {
			return struct{}{}, usecase.Entry("test.idempotent", "number_series", "invoice", nil), tx.SetSeries(ctx, r.f.tenant.ID, numbering.Invoice, pattern)
		})
		if err != nil {
			return usecase.Response{Status: 500, Body: []byte(err.Error())}
		}
		return usecase.Response{Status: status, ContentType: "application/json", Body: fmt.Appendf(nil, `{"pattern":%q,"status":%d}`, pattern, status)}
	}
}

// TestIdempotentRequests: the life of a request made with an
// Idempotency-Key, on both engines and without HTTP: a completed request is
// replayed without running again, another request with its key is refused,
// a kept refusal is replayed with nothing written, and a refusal a retry may
// correct, a server error or a panic leave the key free and nothing written.
func TestIdempotentRequests(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		reqs := db.Requests()
		claim := func(key, hash string) usecase.Claim {
			return usecase.Claim{TenantID: f.tenant.ID, Key: key, RequestHash: hash, At: now()}
		}
		var logged []string
		logf := func(msg string, err error) { logged = append(logged, msg+": "+err.Error()) }
		run := &idemRun{f: f}

		// Done once, then replayed.
		first, replayed, err := usecase.Idempotent(f.ctx, reqs, claim("k-ok", "h1"), run.request("A-{SEQ:4}", 201), logf)
		if err != nil || replayed || first.Status != 201 {
			t.Fatalf("first request: %+v replayed=%v %v", first, replayed, err)
		}
		again, replayed, err := usecase.Idempotent(f.ctx, reqs, claim("k-ok", "h1"), run.request("B-{SEQ:4}", 201), logf)
		if err != nil || !replayed || string(again.Body) != string(first.Body) || again.Status != 201 || again.ContentType != "application/json" {
			t.Errorf("repeat: %+v replayed=%v %v, want the first response replayed", again, replayed, err)
		}
		if run.runs != 1 || f.series(t, numbering.Invoice) != "A-{SEQ:4}" || f.auditRows(t, "test.idempotent") != 1 {
			t.Errorf("after a repeat: %d runs, series %q, %d audit entries; want the first request's only", run.runs, f.series(t, numbering.Invoice), f.auditRows(t, "test.idempotent"))
		}

		// The same key for another request: refused, not run.
		if _, _, err := usecase.Idempotent(f.ctx, reqs, claim("k-ok", "other"), run.request("C-{SEQ:4}", 201), logf); !errors.Is(err, usecase.ErrKeyReused) {
			t.Errorf("another request with the key: %v, want ErrKeyReused", err)
		}
		if run.runs != 1 {
			t.Errorf("a reused key ran the request")
		}

		// A refusal decided by the business is kept and replayed; what the
		// request wrote before it is undone.
		refused, _, err := usecase.Idempotent(f.ctx, reqs, claim("k-409", "h"), run.request("D-{SEQ:4}", 409), logf)
		if err != nil || refused.Status != 409 {
			t.Fatalf("refused request: %+v %v", refused, err)
		}
		replay, replayed, err := usecase.Idempotent(f.ctx, reqs, claim("k-409", "h"), run.request("D-{SEQ:4}", 201), logf)
		if err != nil || !replayed || replay.Status != 409 || string(replay.Body) != string(refused.Body) {
			t.Errorf("repeat of a 409: %+v replayed=%v %v, want the 409 replayed", replay, replayed, err)
		}
		if got := f.series(t, numbering.Invoice); got != "A-{SEQ:4}" || run.runs != 2 {
			t.Errorf("after a kept refusal: series %q, %d runs; want A-{SEQ:4} and the refusal run once", got, run.runs)
		}

		// Refusals a retry may correct, and server errors, free the key.
		for _, status := range []int{422, 403, 500} {
			key := fmt.Sprintf("k-%d", status)
			if resp, _, err := usecase.Idempotent(f.ctx, reqs, claim(key, "h"), run.request("E-{SEQ:4}", status), logf); err != nil || resp.Status != status {
				t.Fatalf("%d: %+v %v", status, resp, err)
			}
			if got := f.series(t, numbering.Invoice); got != "A-{SEQ:4}" {
				t.Errorf("a %d left the series at %q", status, got)
			}
			resp, replayed, err := usecase.Idempotent(f.ctx, reqs, claim(key, "h"), run.request("A-{SEQ:4}", 200), logf)
			if err != nil || replayed || resp.Status != 200 {
				t.Errorf("retry after a %d: %+v replayed=%v %v, want it run afresh", status, resp, replayed, err)
			}
		}

		// A panic rolls back and goes on; the key stays free.
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("the panic did not go on")
				}
			}()
			_, _, _ = usecase.Idempotent(f.ctx, reqs, claim("k-panic", "h"), func(ctx context.Context) usecase.Response {
				run.request("P-{SEQ:4}", 201)(ctx)
				panic("handler bug")
			}, logf)
		}()
		if got := f.series(t, numbering.Invoice); got != "A-{SEQ:4}" {
			t.Errorf("a panicking request left the series at %q", got)
		}
		if resp, replayed, err := usecase.Idempotent(f.ctx, reqs, claim("k-panic", "h"), run.request("A-{SEQ:4}", 201), logf); err != nil || replayed || resp.Status != 201 {
			t.Errorf("retry after a panic: %+v replayed=%v %v, want it run afresh", resp, replayed, err)
		}
		if len(logged) > 0 {
			t.Errorf("logged %v", logged)
		}
	})
}

// TestKeepsRefusal: the statuses a key keeps are those decided by the state
// of the business.
func TestKeepsRefusal(t *testing.T) {
	t.Parallel()
	for status, want := range map[int]bool{200: false, 201: false, 400: false, 401: false, 402: true, 403: false, 404: true,
		409: true, 410: true, 413: false, 415: false, 422: false, 429: false, 500: false, 503: false} {
		if got := usecase.KeepsRefusal(status); got != want {
			t.Errorf("KeepsRefusal(%d) = %v, want %v", status, got, want)
		}
	}
}
