package service_test

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
)

// skips counts the tests skipped for a missing tool, by reason, so the run
// can end with one line saying what was not checked.
var skips struct {
	sync.Mutex
	n map[string]int
}

// skipFor skips t for a missing tool and remembers why.
func skipFor(t *testing.T, reason string) {
	t.Helper()
	skips.Lock()
	if skips.n == nil {
		skips.n = map[string]int{}
	}
	skips.n[reason]++
	skips.Unlock()
	t.Skip(reason)
}

// TestMain ends the package's run with one line naming what was skipped and
// why. go test shows a passing package's output only with -v, so the line
// also goes to the terminal when there is one.
func TestMain(m *testing.M) {
	code := m.Run()
	skips.Lock()
	var parts []string
	for reason, n := range skips.n {
		parts = append(parts, fmt.Sprintf("%d test(s): %s", n, reason))
	}
	skips.Unlock()
	if len(parts) > 0 {
		sort.Strings(parts)
		line := "service: SKIPPED " + strings.Join(parts, "; ")
		fmt.Fprintln(os.Stderr, line)
		if !testing.Verbose() {
			if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
				fmt.Fprintln(tty, line)
				tty.Close()
			}
		}
	}
	os.Exit(code)
}
