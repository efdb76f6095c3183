package billing_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/facturo/facturo/billing"
)

// sqlList parses an SQL list of string literals ('a', 'b') back into statuses.
func sqlList(t *testing.T, list string) []billing.Status {
	t.Helper()
	var out []billing.Status
	for item := range strings.SplitSeq(list, ",") {
		item = strings.TrimSpace(item)
		if len(item) < 2 || item[0] != '\'' || item[len(item)-1] != '\'' || strings.Contains(item[1:len(item)-1], "'") {
			t.Fatalf("%q is not a list of SQL string literals", list)
		}
		out = append(out, billing.Status(item[1:len(item)-1]))
	}
	return out
}

func TestStatusSets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		set  []billing.Status
		sql  string // "" when the set has no SQL form
		is   func(billing.Status) bool
	}{
		{"owed", billing.OwedStatuses, billing.OwedSQL, billing.Status.IsOwed},
		{"due sweep", billing.DueSweepStatuses, billing.DueSweepSQL, func(s billing.Status) bool { return s.CanBecome(billing.PastDue) }},
		{"issued", billing.IssuedStatuses, "", billing.Status.IsIssued},
		{"draft", billing.DraftStatuses, "", billing.Status.IsDraft},
		{"portal", billing.PortalStatuses, "", billing.Status.VisibleToCustomer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// The set is exactly the statuses of the predicate, in the order of Statuses.
			var want []billing.Status
			for _, s := range billing.Statuses {
				if tt.is(s) {
					want = append(want, s)
				}
			}
			if !slices.Equal(tt.set, want) {
				t.Errorf("set %v, but the predicate holds for %v", tt.set, want)
			}
			if tt.is("") || tt.is("paid") {
				t.Error("the predicate holds for a status that does not exist")
			}
			if tt.sql != "" {
				if got := sqlList(t, tt.sql); !slices.Equal(got, tt.set) {
					t.Errorf("SQL list %s is %v, the set %v", tt.sql, got, tt.set)
				}
			}
		})
	}
}

func TestIsOwed(t *testing.T) {
	t.Parallel()
	want := map[billing.Status]bool{billing.Open: true, billing.PastDue: true}
	for _, s := range billing.Statuses {
		if got := s.IsOwed(); got != want[s] {
			t.Errorf("%s.IsOwed() = %v, want %v", s, got, want[s])
		}
		// Owed documents are issued and can still be closed or voided.
		if s.IsOwed() && (!s.IsIssued() || !s.CanBecome(billing.Closed) || !s.CanBecome(billing.Void)) {
			t.Errorf("%s is owed but not an issued, still settleable document", s)
		}
	}
}
