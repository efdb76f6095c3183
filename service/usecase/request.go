package usecase

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// A request made with an Idempotency-Key runs in one transaction with its
// key (Formance Ledger's model): the key, a hash of the request and the
// response commit in the same transaction as the change, its audit entries
// and its events, or nothing does. The store's request transaction holds it:
// every Write and Read of the request joins it (Write's step 3), so a crash
// between the commit and the answer leaves a stored response that the
// client's retry gets replayed, and a retry never runs the write twice.
// Idempotent is the whole life of such a request; the HTTP layer only reads
// the header, names the request (Claim) and sends the Response it returns.

// Claim names the key a request claims and the request itself.
type Claim struct {
	TenantID    string
	Key         string
	RequestHash string    // identifies the request: the same key with another hash is refused
	At          time.Time // when the request came: the stored outcome's age for purging
}

// Response is the outcome of a request as its client gets it.
type Response struct {
	Status      int
	ContentType string
	Body        []byte
}

// Stored is the outcome stored for a key.
type Stored struct {
	RequestHash string
	Done        bool // false only inside the transaction of the request that claimed the key
	Response
}

// RequestTx is the transaction of one request made with an Idempotency-Key.
// Nothing touches the database before the request's first Write.
type RequestTx interface {
	// Lost reports whether another request with the same key completed
	// first: this request's outcome is then discarded for the stored one.
	Lost() bool
	// Commit stores resp with the key and commits the request's changes.
	Commit(ctx context.Context, resp Response) error
	// Rollback undoes the request's changes and forgets its key.
	Rollback() error
}

// Requests is what Idempotent needs of the store.
type Requests interface {
	// BeginRequest returns ctx carrying the request transaction of c, which
	// the Write and Read calls made with that ctx join.
	BeginRequest(ctx context.Context, c Claim) (context.Context, RequestTx)
	// SaveResponse stores the outcome of a request that changed nothing; an
	// outcome stored for the key first stays.
	SaveResponse(ctx context.Context, c Claim, resp Response) error
	// ResponseOf returns the outcome stored for (tenantID, key), if any.
	ResponseOf(ctx context.Context, tenantID, key string) (Stored, bool, error)
}

// ErrKeyReused is Idempotent's answer to a request whose key another
// request already used: the client must use a new key for a new request.
var ErrKeyReused = errors.New("this Idempotency-Key was used with a different request; use a new key for a new request")

// Idempotent runs the request run at most once for c.Key:
//
//   - a key whose request completed answers with its stored response
//     (replayed true) without running run, or ErrKeyReused when that was
//     another request (another hash);
//   - otherwise run runs in the request transaction (see Requests), and its
//     response commits with the change when it is not a refusal;
//   - a refusal undoes whatever the request wrote; the key keeps it when a
//     retry would meet it again (KeepsRefusal), and is free otherwise;
//   - when another request with the key completed while run ran, run's
//     outcome is undone and the other's answers.
//
// A panic in run rolls back and goes on. The error is one to answer with
// (ErrKeyReused, or storage failing to commit, which must be a server
// error); failing to keep a refusal is only logged by logf.
func Idempotent(ctx context.Context, reqs Requests, c Claim, run func(ctx context.Context) Response,
	logf func(msg string, err error)) (resp Response, replayed bool, err error) {
	if st, ok, err := reqs.ResponseOf(ctx, c.TenantID, c.Key); err != nil {
		return Response{}, false, err
	} else if ok && st.Done {
		return taken(c, st)
	}

	rctx, rt := reqs.BeginRequest(ctx, c)
	func() {
		defer func() {
			if v := recover(); v != nil {
				_ = rt.Rollback()
				panic(v)
			}
		}()
		resp = run(rctx)
	}()
	switch {
	case rt.Lost():
		_ = rt.Rollback()
		st, ok, err := reqs.ResponseOf(ctx, c.TenantID, c.Key)
		if err != nil || !ok {
			return Response{}, false, errors.Join(errors.New("idempotency key taken but not found"), err)
		}
		return taken(c, st)
	case resp.Status < 400:
		if err := rt.Commit(ctx, resp); err != nil {
			_ = rt.Rollback()
			return Response{}, false, fmt.Errorf("commit idempotent request: %w", err)
		}
	default:
		if err := rt.Rollback(); err != nil {
			logf("roll back idempotent request", err)
		}
		if KeepsRefusal(resp.Status) {
			if err := reqs.SaveResponse(ctx, c, resp); err != nil {
				logf("store idempotent response", err)
			}
		}
	}
	return resp, false, nil
}

// taken answers a request whose key another request completed: that
// request's stored response when it was the same request.
func taken(c Claim, st Stored) (Response, bool, error) {
	if st.RequestHash != c.RequestHash || !st.Done {
		return Response{}, false, ErrKeyReused
	}
	return st.Response, true, nil
}

// KeepsRefusal tells whether an Idempotency-Key stays bound to a refused
// request (Stripe's rule): it does for refusals decided by the state of the
// business, which a retry would meet again (402 payment failed, 404 not
// found, 409 conflict, 410 gone), so a repeat replays them. It does not for
// a request that did not run or can be corrected: malformed or invalid
// input (400, 413, 415, 422), not allowed (401, 403), too many requests
// (429), or a server error (5xx); the same key may then be used again.
func KeepsRefusal(status int) bool {
	switch status {
	case 402, 404, 409, 410:
		return true
	}
	return false
}
