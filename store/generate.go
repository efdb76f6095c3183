package store

// The generated queries of both engines (sqlc.yaml; sqlc is pinned in
// tools/go.mod), then the checksum TestGeneratedQueriesAreCurrent checks.
//go:generate go -C ../tools tool sqlc generate -f ../store/sqlc.yaml
//go:generate go test -run ^TestGeneratedQueriesAreCurrent$ -args -sqlc-generated
