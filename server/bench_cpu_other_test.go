//go:build !unix

package server_test

import "time"

// selfCPU is unknown here: the benchmarks report no CPU figure.
func selfCPU() time.Duration { return 0 }

// postgresCPU is unknown here.
func postgresCPU() time.Duration { return 0 }
