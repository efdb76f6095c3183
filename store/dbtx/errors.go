package dbtx

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/facturo/facturo/fail"
)

// UniqueViolation reports whether err is a unique-key violation and names
// the constraint or columns involved.
func UniqueViolation(err error) (bool, string) {
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == "23505" {
		return true, pg.ConstraintName + " " + pg.Detail
	}
	var se *sqlite.Error
	if errors.As(err, &se) && (se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY) {
		return true, se.Error()
	}
	return false, ""
}

// ForeignKeyViolation reports whether err is a foreign-key violation.
func ForeignKeyViolation(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == "23503" {
		return true
	}
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}

// NotFound builds the not_found error for a missing row.
func NotFound(what, id string) error { return fail.NotFoundf("no %s %q", what, id) }
