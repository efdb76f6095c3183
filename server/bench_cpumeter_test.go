package server_test

// CPU per operation, for the benchmarks' cpu_ms/op and db_cpu_ms/op: the
// CPU this process spent (Facturo, and SQLite inside it; on the HTTP
// variants the benchmark's client too) and, on PostgreSQL, the CPU of the
// server's processes on this machine (package cpuclock).

import (
	"testing"
	"time"

	"github.com/facturo/facturo/internal/cpuclock"
)

// cpuMeter measures the CPU time spent between start and report.
type cpuMeter struct {
	self, db time.Duration
	pg       bool
}

// startCPU starts measuring; pg adds the PostgreSQL server's processes.
func startCPU(pg bool) *cpuMeter {
	m := &cpuMeter{pg: pg}
	m.self, m.db = cpuclock.Self(), m.dbCPU()
	return m
}

func (m *cpuMeter) dbCPU() time.Duration {
	if !m.pg {
		return 0
	}
	return cpuclock.Postgres()
}

// report reports cpu_ms/op (and db_cpu_ms/op on PostgreSQL) over ops
// operations since start.
func (m *cpuMeter) report(b *testing.B, ops int) {
	if ops <= 0 {
		return
	}
	self, db := cpuclock.Self()-m.self, m.dbCPU()-m.db
	b.ReportMetric(float64(self)/float64(time.Millisecond)/float64(ops), "cpu_ms/op")
	if m.pg && db > 0 {
		b.ReportMetric(float64(db)/float64(time.Millisecond)/float64(ops), "db_cpu_ms/op")
	}
}
