package id_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/facturo/facturo/id"
)

func TestNewShape(t *testing.T) {
	for _, prefix := range []string{id.Tenant, id.User, id.APIKey, id.Customer, id.Audit, id.Invoice, id.SalesItem, id.Payment} {
		v := id.New(prefix)
		if !strings.HasPrefix(v, prefix+"_") {
			t.Errorf("%q does not start with %s_", v, prefix)
		}
		if len(v) != len(prefix)+1+26 {
			t.Errorf("%q has %d characters, want prefix_ + 26", v, len(v))
		}
		if !id.Valid(prefix, v) {
			t.Errorf("Valid(%q, %q) = false for a new id", prefix, v)
		}
		if strings.ToLower(v) != v {
			t.Errorf("%q is not lower case", v)
		}
	}
	if n := len(id.New(id.Customer)); n != 30 {
		t.Errorf("a customer id has %d characters, want 30", n)
	}
}

func TestTimeOrdered(t *testing.T) {
	base := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	var ids []string
	for _, d := range []time.Duration{0, time.Millisecond, 2 * time.Millisecond, time.Second, time.Hour,
		24 * time.Hour, 365 * 24 * time.Hour, 70 * 365 * 24 * time.Hour} {
		ids = append(ids, id.NewAt(id.Invoice, base.Add(d)))
	}
	ids = append([]string{id.NewAt(id.Invoice, time.Unix(0, 0)), id.NewAt(id.Invoice, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC))}, ids...)
	if !slices.IsSorted(ids) {
		t.Errorf("ids of increasing times do not sort increasing:\n%s", strings.Join(ids, "\n"))
	}
	// Many ids, each a millisecond later, in shuffled creation order.
	var many []string
	for i := range 5000 {
		many = append(many, id.NewAt(id.Customer, base.Add(time.Duration(i)*time.Millisecond)))
	}
	if !slices.IsSorted(many) {
		t.Error("ids one millisecond apart do not sort by time")
	}
	// The time zone of the timestamp does not matter, only the instant.
	madrid, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Fatal(err)
	}
	a := id.NewAt(id.Audit, base.In(madrid))
	b := id.NewAt(id.Audit, base)
	if a[:len(id.Audit)+1+10] != b[:len(id.Audit)+1+10] {
		t.Errorf("same instant in two zones gives different time parts: %s %s", a, b)
	}
}

func TestValid(t *testing.T) {
	good := id.NewAt(id.Customer, time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
	body := good[len("cus_"):]
	tests := []struct {
		prefix, s string
		want      bool
	}{
		{"cus", good, true},
		{"inv", good, false},
		{"cu", good, false},
		{"cus", "cus_" + body[:25], false},
		{"cus", good + "0", false},
		{"cus", "cus-" + body, false},
		{"cus", "cus" + body + "0", false},
		{"cus", "", false},
		{"cus", "cus_", false},
		{"cus", "cus_" + strings.ToUpper(body), strings.ToUpper(body) == body},
		{"cus", "cus_" + body[:25] + "i", false}, // not in Crockford base32
		{"cus", "cus_" + body[:25] + "l", false},
		{"cus", "cus_" + body[:25] + "o", false},
		{"cus", "cus_" + body[:25] + "u", false},
		{"cus", "cus_" + body[:25] + "-", false},
		{"cus", "cus_" + body[:24] + "é", false},
		{"cus", "cus_0000000000000000000000000z", true},
		{"si", id.New(id.SalesItem), true},
	}
	for _, tt := range tests {
		if got := id.Valid(tt.prefix, tt.s); got != tt.want {
			t.Errorf("Valid(%q, %q) = %v, want %v", tt.prefix, tt.s, got, tt.want)
		}
	}
}

func TestUnique(t *testing.T) {
	const n = 100_000
	seen := make(map[string]struct{}, n)
	at := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC) // one millisecond: only the random bits differ
	for i := range n {
		v := id.NewAt(id.Payment, at)
		if _, dup := seen[v]; dup {
			t.Fatalf("duplicate id %s after %d", v, i)
		}
		seen[v] = struct{}{}
	}
	for range 1000 {
		v := id.New(id.Payment)
		if _, dup := seen[v]; dup {
			t.Fatalf("duplicate id %s", v)
		}
		seen[v] = struct{}{}
	}
}

func TestSameMillisecondSorts(t *testing.T) {
	at := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	prev := id.NewAt("aud", at)
	for i := 0; i < 10000; i++ {
		cur := id.NewAt("aud", at)
		if cur <= prev {
			t.Fatalf("id %d: %s does not sort after %s", i, cur, prev)
		}
		if !strings.HasPrefix(cur, prev[:13]) {
			t.Fatalf("id %d: %s left the millisecond of %s", i, cur, prev)
		}
		prev = cur
	}
}

// TestSameMillisecondSortsWhenClocksInterleave: ids made at one instant sort
// in the order made even when ids at other instants are made in between
// (services with their own clocks in one process: tenants in tests, a
// clock that steps back).
func TestSameMillisecondSortsWhenClocksInterleave(t *testing.T) {
	t.Parallel()
	a := time.Date(2025, 11, 30, 9, 0, 0, 0, time.UTC)
	b := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	c := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var atA, atB, atC []string
	for range 200 {
		atA = append(atA, id.NewAt("run", a))
		atB = append(atB, id.NewAt("run", b))
		atC = append(atC, id.NewAt("run", c))
	}
	for name, ids := range map[string][]string{"a": atA, "b": atB, "c": atC} {
		if !slices.IsSorted(ids) || len(slices.Compact(slices.Clone(ids))) != len(ids) {
			t.Errorf("ids made at instant %s, interleaved with others, do not sort in the order made", name)
		}
	}
}
