package testdb

import (
	"context"
	"testing"
)

// BenchmarkOpen measures a test's fresh database: a copy of the migrated
// template (what Open does) against its reference, migrating an empty
// database (what Open did before templates).
func BenchmarkOpen(b *testing.B) {
	for _, e := range Engines {
		b.Run(string(e)+"/template", func(b *testing.B) {
			for b.Loop() {
				Open(b, e)
			}
		})
		b.Run(string(e)+"/migrate", func(b *testing.B) {
			for b.Loop() {
				if err := migrate(context.Background(), DSN(b, e)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestOpenGivesMigratedPrivateCopies: each Open is migrated (a write to a
// table succeeds) and private (what one test writes, another does not see).
func TestOpenGivesMigratedPrivateCopies(t *testing.T) {
	t.Parallel()
	for _, e := range Engines {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			a, b := Open(t, e), Open(t, e)
			if _, err := a.SQL().ExecContext(ctx, `INSERT INTO tenants (id, name, legal_name, currency, time_zone, language, created_at, updated_at)
				VALUES ('ten_x', 'X', 'X', 'EUR', 'UTC', 'en', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`); err != nil {
				t.Fatalf("insert into a copy: %v", err)
			}
			var n int
			if err := b.SQL().QueryRowContext(ctx, `SELECT count(*) FROM tenants`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Errorf("another copy sees %d tenants, want 0", n)
			}
			if err := a.Migrate(ctx, nil); err != nil {
				t.Errorf("migrating a copy again: %v", err)
			}
		})
	}
}
