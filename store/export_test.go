package store

import "database/sql"

// ReadPool exposes the read-only pool to the tests of package store_test
// (on PostgreSQL it is the same pool as SQL()).
func ReadPool(db *DB) *sql.DB { return db.read }
