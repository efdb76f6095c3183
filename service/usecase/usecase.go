// Package usecase is the one envelope every state-changing use case runs
// through: Write checks the caller's permission, runs the use case's input
// checks, opens the write transaction (joining the transaction of a request
// made with an Idempotency-Key, as the Store does), runs the use case, and
// writes its audit entries and events in that same transaction before it
// commits. Reads go through Read, which checks the permission and opens a
// read transaction. Idempotent runs a whole request made with an
// Idempotency-Key, whose transaction every Write of it joins (request.go).
//
// The root service and every area package under service/ import it; it
// imports neither, so an area never needs the root package's plumbing.
package usecase

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/id"
)

// Store runs transactions whose handle is X. Write commits when fn returns
// nil and rolls everything back otherwise; Read sees one consistent
// snapshot. The store package's DB is a Store of the root service's Tx;
// Narrow turns it into a Store of an area's smaller transaction interface.
type Store[X any] interface {
	Write(ctx context.Context, fn func(X) error) error
	Read(ctx context.Context, fn func(X) error) error
}

// Narrow returns s as a Store of X: as converts the wide transaction W to
// the interface X an area declares (a plain conversion, since W implements X).
func Narrow[X, W any](s Store[W], as func(W) X) Store[X] {
	return narrowed[X, W]{s: s, as: as}
}

type narrowed[X, W any] struct {
	s  Store[W]
	as func(W) X
}

func (n narrowed[X, W]) Write(ctx context.Context, fn func(X) error) error {
	return n.s.Write(ctx, func(tx W) error { return fn(n.as(tx)) })
}

func (n narrowed[X, W]) Read(ctx context.Context, fn func(X) error) error {
	return n.s.Read(ctx, func(tx W) error { return fn(n.as(tx)) })
}

// AuditEntry records one write: who, what, on which target, when, and what changed.
type AuditEntry struct {
	ID         string          `json:"id"`
	TenantID   string          `json:"-"`
	At         time.Time       `json:"at"`
	ActorType  string          `json:"actor_type"`
	ActorID    string          `json:"actor_id"`
	ActorName  string          `json:"actor_name"`
	Action     string          `json:"action"`
	TargetType string          `json:"target_type"`
	TargetID   string          `json:"target_id"`
	Changes    json.RawMessage `json:"changes,omitempty"`
}

// AuditTx is what the envelope needs of every write transaction: appending
// to the audit log.
type AuditTx interface {
	InsertAudit(ctx context.Context, e AuditEntry) error
}

// Change is one audit entry as a use case names it; the envelope adds who
// acted and when.
type Change struct {
	Action     string // "<target>.<what happened>", e.g. "user.created"
	TargetType string
	TargetID   string
	Changes    any // marshalled to JSON; nil for none
}

// Event is one domain event for webhook subscribers, recorded in the
// transaction of the change it reports.
type Event struct {
	Type string // "<group>.<what happened>"
	Data any    // a small, stable JSON object
}

// Audit is what one write leaves behind besides its own rows: zero or more
// audit entries and events. The zero Audit records nothing (a write that
// changed nothing worth logging).
type Audit struct {
	Entries []Change
	Events  []Event
}

// Entry returns an Audit of one entry.
func Entry(action, targetType, targetID string, changes any) Audit {
	return Audit{}.And(action, targetType, targetID, changes)
}

// And returns a with one more entry.
func (a Audit) And(action, targetType, targetID string, changes any) Audit {
	a.Entries = append(a.Entries, Change{Action: action, TargetType: targetType, TargetID: targetID, Changes: changes})
	return a
}

// Emit returns a with one more event.
func (a Audit) Emit(eventType string, data any) Audit {
	a.Events = append(a.Events, Event{Type: eventType, Data: data})
	return a
}

// Then is a followed by b: the entries and events of two steps of one
// action, in order.
func (a Audit) Then(b Audit) Audit {
	a.Entries = append(slices.Clip(a.Entries), b.Entries...)
	a.Events = append(slices.Clip(a.Events), b.Events...)
	return a
}

// Env is what the envelope needs to run the writes of one area.
type Env[X AuditTx] struct {
	// Store opens the area's transactions.
	Store Store[X]
	// Now is the service clock (UTC, truncated to what the engines store).
	Now func() time.Time
	// Emit records one event in tx for tenantID's subscribers. An area
	// whose use cases return events must set it.
	Emit func(ctx context.Context, tx X, tenantID string, e Event) error
}

// SignedIn is the permission of a use case any principal of a tenant may
// run on its own behalf (changing its own preferences): the envelope only
// requires a tenant, and the use case checks who the principal is.
const SignedIn access.Permission = ""

// Allow returns the error that refuses p the permission perm, or nil.
func Allow(p access.Principal, perm access.Permission) error {
	if perm == SignedIn {
		if p.TenantID == "" {
			return fail.Newf(fail.Unauthenticated, "sign in or send an API key")
		}
		return nil
	}
	return p.Require(perm)
}

// Write runs one state-changing use case for p:
//
//  1. it refuses p unless it holds perm (see SignedIn);
//  2. it runs prepare (nil for none): input checks and slow work such as
//     hashing a password, before any transaction, so refused input never
//     opens a write nor claims the request's Idempotency-Key;
//  3. it runs fn in one write transaction of env.Store, which joins the
//     request's transaction when the request carries one;
//  4. it writes the audit entries (actor p, time env.Now) and the events fn
//     returned in that transaction, so they exist if and only if the
//     change commits: a failing fn leaves neither.
//
// It returns fn's result once committed, or the zero T and the error.
func Write[T any, X AuditTx](ctx context.Context, env Env[X], p access.Principal, perm access.Permission,
	prepare func() error, fn func(tx X) (T, Audit, error)) (T, error) {
	var zero T
	if err := Allow(p, perm); err != nil {
		return zero, err
	}
	if prepare != nil {
		if err := prepare(); err != nil {
			return zero, err
		}
	}
	var out T
	err := env.Store.Write(ctx, func(tx X) error {
		v, a, err := fn(tx)
		if err != nil {
			return err
		}
		for _, c := range a.Entries {
			if err := Record(ctx, tx, env.Now, p, c); err != nil {
				return err
			}
		}
		for _, e := range a.Events {
			if env.Emit == nil {
				return fmt.Errorf("event %s: %w", e.Type, errNoEmit)
			}
			if err := env.Emit(ctx, tx, p.TenantID, e); err != nil {
				return fmt.Errorf("event %s: %w", e.Type, err)
			}
		}
		out = v
		return nil
	})
	if err != nil {
		return zero, err
	}
	return out, nil
}

var errNoEmit = errors.New("this area records no events (Env.Emit is nil)")

// Read runs fn for p in one read transaction of env.Store once p holds perm.
func Read[T any, X AuditTx](ctx context.Context, env Env[X], p access.Principal, perm access.Permission, fn func(tx X) (T, error)) (T, error) {
	var zero T
	if err := Allow(p, perm); err != nil {
		return zero, err
	}
	var out T
	err := env.Store.Read(ctx, func(tx X) error {
		v, err := fn(tx)
		out = v
		return err
	})
	if err != nil {
		return zero, err
	}
	return out, nil
}

// Bookkeep runs fn in one write transaction with no principal, permission
// or audit entry. It is only for the machinery's own records, which no one
// asked for and which are their own trace: the bookkeeping of
// authentication before anyone is known (counting sign-in attempts,
// stamping an API key's last use) and of delivery across tenants (claiming
// outbox messages and webhook deliveries, recording each attempt). Every
// change to a tenant's business, by a principal or by a sweep acting as
// the system, goes through Write.
func Bookkeep[X AuditTx](ctx context.Context, env Env[X], fn func(tx X) error) error {
	return env.Store.Write(ctx, fn)
}

// Record appends one audit entry for p in tx, stamped with now() after the
// changes are marshalled. Write calls it for every entry a use case returns;
// code not yet moved into an area calls it directly.
func Record(ctx context.Context, tx AuditTx, now func() time.Time, p access.Principal, c Change) error {
	var raw json.RawMessage
	if c.Changes != nil {
		b, err := json.Marshal(c.Changes)
		if err != nil {
			return fmt.Errorf("marshal audit changes of %s: %w", c.Action, err)
		}
		raw = b
	}
	at := now()
	if err := tx.InsertAudit(ctx, AuditEntry{
		ID: id.NewAt(id.Audit, at), TenantID: p.TenantID, At: at,
		ActorType: p.ActorType(), ActorID: p.ActorID(), ActorName: p.Name,
		Action: c.Action, TargetType: c.TargetType, TargetID: c.TargetID, Changes: raw,
	}); err != nil {
		return fmt.Errorf("audit %s: %w", c.Action, err)
	}
	return nil
}

// Diff returns the changed fields between two flat JSON renderings of a
// value, as {"field": {"from": …, "to": …}}, for the audit log.
func Diff(before, after any) map[string]any {
	b, _ := json.Marshal(before)
	a, _ := json.Marshal(after)
	var bm, am map[string]any
	_ = json.Unmarshal(b, &bm)
	_ = json.Unmarshal(a, &am)
	out := map[string]any{}
	for k, av := range am {
		bv := bm[k]
		bj, _ := json.Marshal(bv)
		aj, _ := json.Marshal(av)
		if string(bj) != string(aj) {
			out[k] = map[string]any{"from": bv, "to": av}
		}
	}
	for k, bv := range bm {
		if _, ok := am[k]; !ok {
			out[k] = map[string]any{"from": bv, "to": nil}
		}
	}
	return out
}
