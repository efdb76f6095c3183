// Package enginesql gives the store's area packages the queries sqlc
// generated for their transaction's engine, behind one set of types:
// SQLite's (store/sqlitesql), which PostgreSQL's (store/pgsql) equal field
// for field. postgres.go, written by adaptgen, converts each call.
package enginesql

import (
	"database/sql"

	"github.com/facturo/facturo/store/dbtx"
	"github.com/facturo/facturo/store/pgsql"
	"github.com/facturo/facturo/store/sqlitesql"
)

// For is the generated queries of t's engine, on t's transaction (or pool):
// on SQLite the statements prepared on its pool (t.Prepared) when there
// are, which then are parsed once per connection, not once per call.
func For(t *dbtx.Tx) sqlitesql.Querier {
	if q, ok := t.Queries.(sqlitesql.Querier); ok {
		return q
	}
	var q sqlitesql.Querier
	switch prepared, _ := t.Prepared.(*sqlitesql.Queries); {
	case t.D.Engine == dbtx.Postgres:
		q = postgres{pgsql.New(t.Conn())}
	case prepared == nil:
		q = sqlitesql.New(t.Conn())
	default:
		if tx, ok := t.Conn().(*sql.Tx); ok {
			q = prepared.WithTx(tx)
		} else {
			q = prepared
		}
	}
	t.Queries = q
	return q
}
