// Package enginesql gives the store's area packages the queries sqlc
// generated for their transaction's engine, behind one set of types:
// SQLite's (store/sqlitesql), which PostgreSQL's (store/pgsql) equal field
// for field. postgres.go, written by adaptgen, converts each call.
package enginesql

import (
	"github.com/facturo/facturo/store/dbtx"
	"github.com/facturo/facturo/store/pgsql"
	"github.com/facturo/facturo/store/sqlitesql"
)

// For is the generated queries of t's engine, on t's transaction (or pool).
func For(t *dbtx.Tx) sqlitesql.Querier {
	if t.D.Engine == dbtx.Postgres {
		return postgres{pgsql.New(t.Conn())}
	}
	return sqlitesql.New(t.Conn())
}
