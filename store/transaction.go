package store

import (
	"context"
	"database/sql"

	"github.com/riverqueue/river"

	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/service/wallets"
	"github.com/facturo/facturo/store/accountsql"
	"github.com/facturo/facturo/store/configcache"
	"github.com/facturo/facturo/store/dbtx"
	"github.com/facturo/facturo/store/identitysql"
	"github.com/facturo/facturo/store/invoicesql"
	"github.com/facturo/facturo/store/notifysql"
	"github.com/facturo/facturo/store/paymentsql"
	"github.com/facturo/facturo/store/salessql"
	"github.com/facturo/facturo/store/sqlitesql"
)

// tx implements service.Tx over one database transaction, or directly over
// a pool for the single-statement reads that need no transaction. Each
// business area's queries live in their own package; tx embeds them all
// over one shared handle.
type tx struct {
	*dbtx.Tx
	identitysql.Identity
	invoicesql.Invoices
	accountsql.Accounts
	paymentsql.Payments
	salessql.Sales
	notifysql.Notifications
}

// newTx returns the transaction of every area over q. Over a *sql.Tx, jobs
// (when set) inserts River jobs in it; prepared (when set) is the generated
// queries prepared on q's pool (SQLite); config (when set) is the
// per-tenant configuration cache.
func newTx(q dbtx.Querier, d dbtx.Dialect, jobs *river.Client[*sql.Tx], prepared *sqlitesql.Queries, config *configcache.Cache) *tx {
	h := dbtx.New(q, d)
	if prepared != nil {
		h.Prepared = prepared
	}
	if config != nil {
		h.Config = config
	}
	if sqlTx, ok := q.(*sql.Tx); ok && jobs != nil {
		h.Jobs = func(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
			_, err := jobs.InsertTx(ctx, sqlTx, args, opts)
			return err
		}
	}
	return &tx{
		Tx:            h,
		Identity:      identitysql.Identity{Tx: h},
		Invoices:      invoicesql.Invoices{Tx: h},
		Accounts:      accountsql.Accounts{Tx: h},
		Payments:      paymentsql.Payments{Tx: h},
		Sales:         salessql.Sales{Tx: h},
		Notifications: notifysql.Notifications{Tx: h},
	}
}

// tx is the service's transaction: every area's methods together.
var _ service.Tx = (*tx)(nil)

// WalletEnv reads what every change of a wallet reads of its tenant
// (wallets.Env): the tenant, its wallet policies and its chart of accounts.
func (t *tx) WalletEnv(ctx context.Context, tenantID string) (wallets.Env, error) {
	var e wallets.Env
	var err error
	if e.Tenant, err = t.GetTenant(ctx, tenantID); err != nil {
		return e, err
	}
	if e.Settings, err = t.GetWalletSettings(ctx, tenantID); err != nil {
		return e, err
	}
	e.Accounts, err = t.ListAccounts(ctx, tenantID)
	return e, err
}
