//go:build !unix

package store

import "context"

// lockFile is a no-op where advisory file locks are not available: run
// migrations from one process at a time there.
func lockFile(context.Context, string) (func(), error) { return func() {}, nil }
