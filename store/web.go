package store

import (
	"context"
	"fmt"
	"time"

	"github.com/facturo/facturo/store/dbtx"
)

// Sessions and idempotency records live in the database so that any node can
// serve any request.

// Find returns the data of an unexpired session (scs.CtxStore).
func (db *DB) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var data []byte
	err := db.read.QueryRowContext(ctx, db.d.Rebind(`SELECT data FROM sessions WHERE token = ? AND expiry > ?`), token, db.d.TS(time.Now())).Scan(&data)
	if dbtx.ErrNoRows(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("find session: %w", err)
	}
	return data, true, nil
}

// CommitCtx saves a session (scs.CtxStore).
func (db *DB) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	_, err := db.writer(ctx).ExecContext(ctx, db.d.Rebind(`INSERT INTO sessions (token, data, expiry) VALUES (?, ?, ?)
		ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry`), token, b, db.d.TS(expiry))
	if err != nil {
		return fmt.Errorf("commit session: %w", err)
	}
	return nil
}

// DeleteCtx removes a session (scs.CtxStore).
func (db *DB) DeleteCtx(ctx context.Context, token string) error {
	if _, err := db.writer(ctx).ExecContext(ctx, db.d.Rebind(`DELETE FROM sessions WHERE token = ?`), token); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// Find, Commit and Delete satisfy scs.Store; scs prefers the Ctx methods.
func (db *DB) Find(token string) ([]byte, bool, error) {
	return db.FindCtx(context.Background(), token)
}

// Commit satisfies scs.Store.
func (db *DB) Commit(token string, b []byte, expiry time.Time) error {
	return db.CommitCtx(context.Background(), token, b, expiry)
}

// Delete satisfies scs.Store.
func (db *DB) Delete(token string) error { return db.DeleteCtx(context.Background(), token) }

// IdempotencyRecord is the stored outcome of a request made with an Idempotency-Key.
type IdempotencyRecord struct {
	RequestHash string
	State       string // IdemDone once committed (IdemPending only inside the request's transaction)
	StatusCode  int
	ContentType string
	Body        []byte
}

// Idempotency record states.
const (
	IdemPending = "pending"
	IdemDone    = "done"
)

// PurgeExpired deletes expired sessions, idempotency records older than
// keep, and sign-in attempts older than keep. Safe to run on every node.
func (db *DB) PurgeExpired(ctx context.Context, now time.Time, keep time.Duration) error {
	for _, q := range []struct {
		sql string
		arg time.Time
	}{
		{`DELETE FROM sessions WHERE expiry <= ?`, now},
		{`DELETE FROM idempotency_keys WHERE created_at < ?`, now.Add(-keep)},
		{`DELETE FROM login_attempts WHERE at < ?`, now.Add(-keep)},
	} {
		if _, err := db.write.ExecContext(ctx, db.d.Rebind(q.sql), db.d.TS(q.arg)); err != nil {
			return fmt.Errorf("purge: %w", err)
		}
	}
	return nil
}

// writer is where a single statement outside Write goes: the request
// transaction once the request has written (on SQLite it holds the only
// writer connection, so the pool would wait for it forever), else the pool.
func (db *DB) writer(ctx context.Context) dbtx.Querier {
	if rt := db.requestTx(ctx); rt != nil {
		rt.mu.Lock()
		defer rt.mu.Unlock()
		if rt.tx != nil && !rt.finished {
			return rt.tx
		}
	}
	return db.write
}
