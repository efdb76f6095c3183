package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"

	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/service/usecase"
	"github.com/facturo/facturo/store/configcache"
	"github.com/facturo/facturo/store/dbtx"
	"github.com/facturo/facturo/store/sqlitesql"
)

// A request transaction holds the changes of one API request together with
// its Idempotency-Key and response (Formance Ledger's model): the key, a
// hash of the request and the response commit in the same transaction as
// the change, or nothing does. A crash between the commit and the answer
// leaves a stored response that the client's retry gets replayed; it can
// never run the write a second time.
//
// The transaction begins at the request's first Write, which claims the key
// by inserting its row: a concurrent request with the same key waits on that
// row (PostgreSQL) or on the single writer (SQLite) until the first commits,
// then finds the key taken and gets the stored response. Every Write and
// Read of the request (same context, not service.Detach'ed) joins it inside
// a savepoint, so each call stays atomic: a failed Write undoes what it did
// and nothing else. Reads before the first Write use the read pool as usual.
// A request's calls are sequential; work in other goroutines must use
// service.Detach.

// IdempotencyClaim names the key a request claims and the request itself.
type IdempotencyClaim = usecase.Claim

// RequestTx is the transaction of one request made with an Idempotency-Key.
type RequestTx struct {
	db    *DB
	claim IdempotencyClaim

	mu       sync.Mutex
	tx       *sql.Tx            // nil until the first Write
	prepared *sqlitesql.Queries // the writer's prepared queries (SQLite), taken before tx began
	config   *configcache.Cache // the per-tenant configuration cache, taken before tx began
	n        int                // savepoints taken
	lost     bool               // another request holds or completed the key
	broken   error              // a savepoint could not be rolled back: never commit
	finished bool               // committed or rolled back; later calls run on their own
}

type requestTxKey struct{}

// ErrIdempotencyKeyTaken is what the Write and Read calls of a request get
// once its key turned out to be taken by another request that completed
// first: the caller answers with the stored response instead (Lost).
var ErrIdempotencyKeyTaken = &fail.Error{Code: fail.Conflict,
	Message: "Idempotency-Key: another request with this key completed first"}

// BeginRequest returns ctx carrying a request transaction for claim. Nothing
// touches the database before the request's first Write. The caller must end
// it with Commit or Rollback.
func (db *DB) BeginRequest(ctx context.Context, claim IdempotencyClaim) (context.Context, *RequestTx) {
	rt := &RequestTx{db: db, claim: claim}
	return context.WithValue(ctx, requestTxKey{}, rt), rt
}

// requestTx returns the request transaction that calls with ctx join, if any.
func (db *DB) requestTx(ctx context.Context) *RequestTx {
	rt, _ := ctx.Value(requestTxKey{}).(*RequestTx)
	if rt == nil || rt.db != db || service.Detached(ctx) {
		return nil
	}
	return rt
}

// checkDetached refuses a detached write while the request that started it
// holds SQLite's only writer connection: it would wait for itself forever.
func (db *DB) checkDetached(ctx context.Context) error {
	if db.engine != dbtx.SQLite || !service.Detached(ctx) {
		return nil
	}
	rt, _ := ctx.Value(requestTxKey{}).(*RequestTx)
	if rt == nil || rt.db != db {
		return nil
	}
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.tx != nil && !rt.finished {
		return errors.New("a detached write cannot start while its request holds the SQLite writer: start it before the request's first write")
	}
	return nil
}

// Lost reports whether another request with the same key completed first;
// the request's own outcome is then discarded (Rollback) and the stored one
// answered.
func (rt *RequestTx) Lost() bool {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.lost
}

// join runs fn in the request transaction; joined is false when the call
// must run on its own instead (the request is over, or a read comes before
// any write).
func (rt *RequestTx) join(ctx context.Context, write bool, fn func(service.Tx) error) (joined bool, err error) {
	rt.mu.Lock()
	switch {
	case rt.finished:
		rt.mu.Unlock()
		return false, nil
	case rt.lost:
		rt.mu.Unlock()
		return true, ErrIdempotencyKeyTaken
	case rt.tx == nil && !write:
		rt.mu.Unlock()
		return false, nil
	case rt.tx == nil:
		if err := rt.begin(ctx); err != nil {
			rt.mu.Unlock()
			return true, err
		}
	}
	rt.n++
	sp := fmt.Sprintf("facturo_%d", rt.n)
	sqlTx := rt.tx
	rt.mu.Unlock()

	// Savepoints outlive a canceled request, so a cancellation rolls back
	// cleanly.
	bg := context.WithoutCancel(ctx)
	if _, err := sqlTx.ExecContext(bg, "SAVEPOINT "+sp); err != nil {
		return true, fmt.Errorf("savepoint: %w", err)
	}
	undo := func() {
		_, err := sqlTx.ExecContext(bg, "ROLLBACK TO SAVEPOINT "+sp)
		if err == nil {
			_, err = sqlTx.ExecContext(bg, "RELEASE SAVEPOINT "+sp)
		}
		if err != nil {
			rt.mu.Lock()
			rt.broken = fmt.Errorf("roll back to savepoint: %w", err)
			rt.mu.Unlock()
		}
	}
	defer func() {
		if p := recover(); p != nil {
			undo()
			panic(p)
		}
	}()
	if err := fn(newTx(sqlTx, rt.db.d, rt.db.jobs, rt.prepared, rt.config)); err != nil {
		undo()
		return true, err
	}
	if _, err := sqlTx.ExecContext(bg, "RELEASE SAVEPOINT "+sp); err != nil {
		return true, fmt.Errorf("release savepoint: %w", err)
	}
	return true, nil
}

// begin opens the transaction and claims the key in it. rt.mu is held.
func (rt *RequestTx) begin(ctx context.Context) error {
	db, c := rt.db, rt.claim
	bg := context.WithoutCancel(ctx)        // the commit must not depend on the client staying
	rt.prepared = db.prepared(bg, db.write) // before the writer's one connection is taken
	rt.config = db.configCache(bg)
	sqlTx, err := db.write.BeginTx(bg, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	now := db.d.TS(c.At)
	res, err := sqlTx.ExecContext(ctx, db.d.Rebind(`INSERT INTO idempotency_keys (tenant_id, key, request_hash, state, locked_until, created_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, key) DO NOTHING`), c.TenantID, c.Key, c.RequestHash, IdemPending, now, now)
	if err != nil {
		_ = sqlTx.Rollback()
		return fmt.Errorf("claim idempotency key: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		// Taken meanwhile. A pending row with this request's hash is left
		// over from a version that reserved keys in their own transaction:
		// it never stored a response, so this request takes it.
		var hash, state string
		err := sqlTx.QueryRowContext(ctx, db.d.Rebind(`SELECT request_hash, state FROM idempotency_keys WHERE tenant_id = ? AND key = ?`+db.d.ForUpdate()),
			c.TenantID, c.Key).Scan(&hash, &state)
		if err != nil {
			_ = sqlTx.Rollback()
			return fmt.Errorf("read idempotency key: %w", err)
		}
		if state != IdemPending || hash != c.RequestHash {
			_ = sqlTx.Rollback()
			rt.lost = true
			return ErrIdempotencyKeyTaken
		}
	}
	rt.tx = sqlTx
	return nil
}

// Commit stores the response with the key and commits the request's
// changes. A request that wrote nothing stores the response on its own.
func (rt *RequestTx) Commit(ctx context.Context, status int, contentType string, body []byte) error {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.finished || rt.lost {
		return errors.New("commit of a finished or lost request transaction")
	}
	rt.finished = true
	if rt.tx == nil {
		return rt.db.SaveIdempotencyRecord(ctx, rt.claim, status, contentType, body)
	}
	if rt.broken != nil {
		_ = rt.tx.Rollback()
		return rt.broken
	}
	bg := context.WithoutCancel(ctx)
	c := rt.claim
	if _, err := rt.tx.ExecContext(bg, rt.db.d.Rebind(`UPDATE idempotency_keys SET state = ?, status_code = ?, content_type = ?, response_body = ?
		WHERE tenant_id = ? AND key = ?`), IdemDone, status, contentType, body, c.TenantID, c.Key); err != nil {
		_ = rt.tx.Rollback()
		return fmt.Errorf("store idempotent response: %w", err)
	}
	if err := rt.tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", rt.db.d.MapErr(err))
	}
	return nil
}

// Rollback undoes the request's changes and forgets its key. It is safe
// after Commit (it does nothing then).
func (rt *RequestTx) Rollback() error {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.finished {
		return nil
	}
	rt.finished = true
	if rt.tx == nil {
		return nil
	}
	if err := rt.tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return fmt.Errorf("rollback: %w", err)
	}
	return nil
}

// SaveIdempotencyRecord stores the outcome of a request that changed
// nothing (a refusal the key keeps, or a request that only read). When
// another request stored its outcome for the key first, that one stays.
func (db *DB) SaveIdempotencyRecord(ctx context.Context, c IdempotencyClaim, status int, contentType string, body []byte) error {
	now := db.d.TS(c.At)
	_, err := db.write.ExecContext(context.WithoutCancel(ctx), db.d.Rebind(`INSERT INTO idempotency_keys
		(tenant_id, key, request_hash, state, status_code, content_type, response_body, locked_until, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, key) DO NOTHING`),
		c.TenantID, c.Key, c.RequestHash, IdemDone, status, contentType, body, now, now)
	if err != nil {
		return fmt.Errorf("store idempotent response: %w", err)
	}
	return nil
}

// IdempotencyRecordOf returns the stored outcome of (tenant, key), if any,
// in one statement on the read pool.
func (db *DB) IdempotencyRecordOf(ctx context.Context, tenantID, key string) (IdempotencyRecord, bool, error) {
	var rec IdempotencyRecord
	err := db.read.QueryRowContext(ctx, db.d.Rebind(`SELECT request_hash, state, status_code, content_type, response_body
		FROM idempotency_keys WHERE tenant_id = ? AND key = ?`), tenantID, key).
		Scan(&rec.RequestHash, &rec.State, &rec.StatusCode, &rec.ContentType, &rec.Body)
	if dbtx.ErrNoRows(err) {
		return rec, false, nil
	}
	if err != nil {
		return rec, false, fmt.Errorf("read idempotency key: %w", err)
	}
	return rec, true, nil
}

// Requests returns db as the store of requests made with an
// Idempotency-Key that usecase.Idempotent runs.
func (db *DB) Requests() usecase.Requests { return requests{db} }

type requests struct{ db *DB }

func (r requests) BeginRequest(ctx context.Context, c usecase.Claim) (context.Context, usecase.RequestTx) {
	ctx, rt := r.db.BeginRequest(ctx, c)
	return ctx, requestTx{rt}
}

func (r requests) SaveResponse(ctx context.Context, c usecase.Claim, resp usecase.Response) error {
	return r.db.SaveIdempotencyRecord(ctx, c, resp.Status, resp.ContentType, resp.Body)
}

func (r requests) ResponseOf(ctx context.Context, tenantID, key string) (usecase.Stored, bool, error) {
	rec, ok, err := r.db.IdempotencyRecordOf(ctx, tenantID, key)
	return usecase.Stored{RequestHash: rec.RequestHash, Done: rec.State == IdemDone,
		Response: usecase.Response{Status: rec.StatusCode, ContentType: rec.ContentType, Body: rec.Body}}, ok, err
}

type requestTx struct{ *RequestTx }

func (t requestTx) Commit(ctx context.Context, resp usecase.Response) error {
	return t.RequestTx.Commit(ctx, resp.Status, resp.ContentType, resp.Body)
}
