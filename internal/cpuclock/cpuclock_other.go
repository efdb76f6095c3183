//go:build !unix

package cpuclock

import "time"

// Self is unknown here: 0.
func Self() time.Duration { return 0 }

// Postgres is unknown here: 0.
func Postgres() time.Duration { return 0 }
