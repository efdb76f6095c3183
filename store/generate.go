package store

// The generated queries of both engines (sqlc.yaml; sqlc is pinned in
// tools/go.mod), PostgreSQL's behind SQLite's types (enginesql), then the
// checksum TestGeneratedQueriesAreCurrent checks.
//go:generate go -C ../tools tool sqlc generate -f ../store/sqlc.yaml
//go:generate go run ./enginesql/adaptgen
//go:generate go test -run ^TestGeneratedQueriesAreCurrent$ -args -sqlc-generated
