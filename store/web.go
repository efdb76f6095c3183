package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Sessions and idempotency records live in the database so that any node can
// serve any request.

// Find returns the data of an unexpired session (scs.CtxStore).
func (db *DB) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var data []byte
	err := db.read.QueryRowContext(ctx, db.d.q(`SELECT data FROM sessions WHERE token = ? AND expiry > ?`), token, db.d.ts(time.Now())).Scan(&data)
	if errNoRows(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("find session: %w", err)
	}
	return data, true, nil
}

// CommitCtx saves a session (scs.CtxStore).
func (db *DB) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	_, err := db.write.ExecContext(ctx, db.d.q(`INSERT INTO sessions (token, data, expiry) VALUES (?, ?, ?)
		ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry`), token, b, db.d.ts(expiry))
	if err != nil {
		return fmt.Errorf("commit session: %w", err)
	}
	return nil
}

// DeleteCtx removes a session (scs.CtxStore).
func (db *DB) DeleteCtx(ctx context.Context, token string) error {
	if _, err := db.write.ExecContext(ctx, db.d.q(`DELETE FROM sessions WHERE token = ?`), token); err != nil {
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
	State       string // "pending" or "done"
	StatusCode  int
	ContentType string
	Body        []byte
	LockedUntil time.Time
}

// Idempotency record states.
const (
	IdemPending = "pending"
	IdemDone    = "done"
)

// ReserveIdempotencyKey claims (tenant, key) for a request. It returns
// reserved=true when this request may run: the key was new, or an earlier
// attempt's claim expired (that attempt died). Otherwise it returns the
// stored record.
func (db *DB) ReserveIdempotencyKey(ctx context.Context, tenantID, key, hash string, now time.Time, lease time.Duration) (IdempotencyRecord, bool, error) {
	var rec IdempotencyRecord
	reserved := false
	err := db.runSQL(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.d.q(`INSERT INTO idempotency_keys (tenant_id, key, request_hash, state, locked_until, created_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, key) DO NOTHING`),
			tenantID, key, hash, IdemPending, db.d.ts(now.Add(lease)), db.d.ts(now))
		if err != nil {
			return fmt.Errorf("reserve idempotency key: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			reserved = true
			return nil
		}
		row := tx.QueryRowContext(ctx, db.d.q(`SELECT request_hash, state, status_code, content_type, response_body, locked_until
			FROM idempotency_keys WHERE tenant_id = ? AND key = ?`+db.d.forUpdate()), tenantID, key)
		if err := row.Scan(&rec.RequestHash, &rec.State, &rec.StatusCode, &rec.ContentType, &rec.Body, tsScan{&rec.LockedUntil}); err != nil {
			return fmt.Errorf("read idempotency key: %w", err)
		}
		if rec.State == IdemPending && rec.RequestHash == hash && now.After(rec.LockedUntil) {
			if _, err := tx.ExecContext(ctx, db.d.q(`UPDATE idempotency_keys SET locked_until = ? WHERE tenant_id = ? AND key = ?`),
				db.d.ts(now.Add(lease)), tenantID, key); err != nil {
				return fmt.Errorf("take over idempotency key: %w", err)
			}
			reserved = true
		}
		return nil
	})
	return rec, reserved, err
}

// CompleteIdempotencyKey stores the response of a reserved key.
func (db *DB) CompleteIdempotencyKey(ctx context.Context, tenantID, key string, status int, contentType string, body []byte) error {
	_, err := db.write.ExecContext(ctx, db.d.q(`UPDATE idempotency_keys SET state = ?, status_code = ?, content_type = ?, response_body = ?
		WHERE tenant_id = ? AND key = ?`), IdemDone, status, contentType, body, tenantID, key)
	if err != nil {
		return fmt.Errorf("complete idempotency key: %w", err)
	}
	return nil
}

// ReleaseIdempotencyKey forgets a reserved key whose request failed with a
// server error, so the client can retry it.
func (db *DB) ReleaseIdempotencyKey(ctx context.Context, tenantID, key string) error {
	_, err := db.write.ExecContext(ctx, db.d.q(`DELETE FROM idempotency_keys WHERE tenant_id = ? AND key = ? AND state = ?`), tenantID, key, IdemPending)
	if err != nil {
		return fmt.Errorf("release idempotency key: %w", err)
	}
	return nil
}

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
		if _, err := db.write.ExecContext(ctx, db.d.q(q.sql), db.d.ts(q.arg)); err != nil {
			return fmt.Errorf("purge: %w", err)
		}
	}
	return nil
}

// runSQL runs fn in a raw write transaction.
func (db *DB) runSQL(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
