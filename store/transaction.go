package store

import (
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store/dbtx"
	"github.com/facturo/facturo/store/identitysql"
	"github.com/facturo/facturo/store/notifysql"
)

// tx implements service.Tx over one database transaction, or directly over
// a pool for the single-statement reads that need no transaction.
type tx struct {
	*dbtx.Tx
	identitysql.Identity
	notifysql.Notifications
}

func newTx(q dbtx.Querier, d dbtx.Dialect) *tx {
	h := dbtx.New(q, d)
	return &tx{Tx: h, Identity: identitysql.Identity{Tx: h}, Notifications: notifysql.Notifications{Tx: h}}
}

var _ service.Tx = (*tx)(nil)
