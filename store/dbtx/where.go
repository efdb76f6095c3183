package dbtx

import "strings"

// Where is the one builder of a list query's WHERE clause: the tenant
// predicate first, then every condition ANDed to it, each inside its own
// parentheses. A condition built from user input (an advanced filter's
// or/not, a search) can therefore never widen the tenant predicate: the
// clause is always "tenant_id = ? AND (c1) AND (c2) …".
type Where struct {
	conds []string
	args  []any
}

// TenantWhere starts a clause with the tenant predicate on col
// ("tenant_id", or "l.tenant_id" for an alias).
func TenantWhere(col, tenantID string) *Where {
	return &Where{conds: []string{col + " = ?"}, args: []any{tenantID}}
}

// And adds a condition with its arguments; it is parenthesised on output.
func (w *Where) And(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

// UnindexedTenant writes the tenant predicate so that SQLite's planner does
// not pick a tenant index for it (a unary + on the column); the predicate is
// the same.
func (w *Where) UnindexedTenant() {
	if !strings.HasPrefix(w.conds[0], "+") {
		w.conds[0] = "+" + w.conds[0]
	}
}

// String renders the clause (without the WHERE keyword).
func (w *Where) String() string { return w.With() }

// With renders the clause with more conditions ANDed (their arguments go
// after Args()).
func (w *Where) With(more ...string) string {
	var b strings.Builder
	for i, c := range append(w.conds[:len(w.conds):len(w.conds)], more...) {
		if i == 0 {
			b.WriteString(c) // the tenant predicate, "col = ?"
			continue
		}
		b.WriteString(" AND (")
		b.WriteString(c)
		b.WriteString(")")
	}
	return b.String()
}

// Args returns a copy of the clause's arguments, in order.
func (w *Where) Args() []any { return append([]any(nil), w.args...) }
