package dbtx

import (
	"context"
	"database/sql"
	"fmt"
	"io"

	"github.com/riverqueue/river"
)

// Querier is what *sql.Tx and *sql.DB have in common: the DBTX the
// generated queries (sqlitesql, pgsql) run on.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Tx is the handle the area packages query through: one database
// transaction, or a pool for the single-statement reads that need no
// transaction, with the engine's dialect. Every statement is written with
// '?' placeholders and rebound for the engine.
type Tx struct {
	q Querier
	D Dialect
	// Jobs inserts River jobs in the transaction, committed with the change
	// that asked for them; nil outside a read-write transaction.
	Jobs JobInserter
	// once holds the keys of InsertJobOnce in this transaction.
	once map[string]struct{}
	// Prepared is the generated queries prepared on this handle's pool
	// (SQLite; see store.DB), or nil; Queries memoizes what package
	// enginesql makes of this handle.
	Prepared any
	Queries  any
	// Config is the store's per-tenant configuration cache
	// (configcache.Cache), or nil for none.
	Config any
	// Copy runs a COPY … FROM STDIN statement in the transaction, reading
	// text-format rows from data (PostgreSQL, a transaction the store
	// opened on a connection of its own); nil where COPY is not available.
	Copy func(ctx context.Context, copySQL string, data io.Reader) error
	// memo holds what the area packages remember within this transaction
	// (Remember, Recall).
	memo map[any]any
}

// Remember keeps v under key for the rest of this transaction (or this
// pool handle's life): what a statement read or wrote, so that a later
// statement of the same transaction writes only what changed. Keys are
// comparable values of the caller's own unexported types.
func (t *Tx) Remember(key, v any) {
	if t.memo == nil {
		t.memo = map[any]any{}
	}
	t.memo[key] = v
}

// Recall returns what Remember kept under key, or nil.
func (t *Tx) Recall(key any) any { return t.memo[key] }

// Forget drops what Remember kept under key.
func (t *Tx) Forget(key any) { delete(t.memo, key) }

// JobInserter inserts one River job in a transaction (see Tx.Jobs).
type JobInserter func(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error

// InsertJob inserts a job in the transaction, or fails outside one.
func (t *Tx) InsertJob(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
	if t.Jobs == nil {
		return fmt.Errorf("insert %s job: not in a read-write transaction", args.Kind())
	}
	if err := t.Jobs(ctx, args, opts); err != nil {
		return fmt.Errorf("insert %s job: %w", args.Kind(), err)
	}
	return nil
}

// InsertJobOnce is InsertJob for the first ask under key in this
// transaction; later asks insert nothing. Work that one job does for
// everything its transaction changed (a wake-up) is inserted once, however
// many rows asked for it.
func (t *Tx) InsertJobOnce(ctx context.Context, key string, args river.JobArgs, opts *river.InsertOpts) error {
	if _, done := t.once[key]; done {
		return nil
	}
	if err := t.InsertJob(ctx, args, opts); err != nil {
		return err
	}
	if t.once == nil {
		t.once = map[string]struct{}{}
	}
	t.once[key] = struct{}{}
	return nil
}

// New returns the handle over q for dialect d.
func New(q Querier, d Dialect) *Tx { return &Tx{q: q, D: d} }

// Conn is the transaction (or pool) itself, for the generated queries,
// which are written for their engine and need no rebinding.
func (t *Tx) Conn() Querier { return t.q }

// Exec runs a statement that returns no rows.
func (t *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.q.ExecContext(ctx, t.D.Rebind(query), args...)
}

// Query runs a statement that returns rows.
func (t *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.q.QueryContext(ctx, t.D.Rebind(query), args...)
}

// QueryRow runs a statement that returns at most one row.
func (t *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return t.q.QueryRowContext(ctx, t.D.Rebind(query), args...)
}

// MustAffect turns "no row changed" into not_found.
func MustAffect(res sql.Result, err error, what, id string) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("rows affected: %w", err)
	}
	return MustAffectRows(n, nil, what, id)
}

// MustAffectRows is MustAffect for the count of rows a generated :execrows
// query returns.
func MustAffectRows(n int64, err error, what, id string) error {
	if err != nil {
		return err
	}
	if n == 0 {
		return NotFound(what, id)
	}
	return nil
}
