//go:build unix

package cpuclock

import "testing"

// TestSelfCounts: the process clock moves when the process works.
func TestSelfCounts(t *testing.T) {
	before := Self()
	x := 0
	for i := range 50_000_000 {
		x ^= i
	}
	if Self() <= before {
		t.Fatalf("no CPU time counted (%d)", x)
	}
}
