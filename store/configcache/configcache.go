// Package configcache keeps each tenant's configuration in memory: the rows
// of its settings, tax codes and groups, chart of accounts, posting
// profiles, number series and webhook endpoints, which every invoice reads
// and which rarely change.
//
// A cached value is keyed by the tenant's configuration version
// (tenant_config_versions, migration 00021): triggers on those tables set a
// new random version in the transaction of any change, by Facturo or by
// plain SQL. A transaction reads the version once (one indexed row) and
// takes every cached value of that version from memory; a version it has
// not seen, on any node, reads the rows again. Nothing expires by time, so
// several nodes on one database never serve a change late: the version is
// read in the transaction, from the database.
package configcache

import (
	"context"
	"fmt"
	"sync"

	"github.com/facturo/facturo/store/dbtx"
	"github.com/facturo/facturo/store/enginesql"
)

// Cache holds, per tenant, the configuration rows of its latest version
// seen. One Cache serves every transaction of a store.DB.
type Cache struct {
	mu      sync.Mutex
	tenants map[string]*snapshot
}

// snapshot is what was read of one tenant's configuration at version.
type snapshot struct {
	version string
	values  map[string]any // by the name the reader gives
}

// New returns an empty cache.
func New() *Cache { return &Cache{tenants: map[string]*snapshot{}} }

// versionKey keys, in a transaction's memo (dbtx.Tx.Remember), the version
// of a tenant's configuration that the transaction read.
type versionKey struct{ tenantID string }

// Version returns the version of tenantID's configuration as tx sees it,
// read once per transaction ("" for a tenant whose configuration has not
// changed since migration 00021).
func Version(ctx context.Context, tx *dbtx.Tx, tenantID string) (string, error) {
	if v, ok := tx.Recall(versionKey{tenantID}).(string); ok {
		return v, nil
	}
	vs, err := enginesql.For(tx).GetConfigVersion(ctx, tenantID)
	if err != nil {
		return "", fmt.Errorf("tenant configuration version: %w", err)
	}
	v := ""
	if len(vs) > 0 {
		v = vs[0]
	}
	tx.Remember(versionKey{tenantID}, v)
	return v, nil
}

// Changed tells tx that it changed tenantID's configuration: a trigger set
// a new version, which the transaction's next cached read reads. Every
// store method that writes a cached table calls it
// (TestConfigWritesTellTheCache).
func Changed(tx *dbtx.Tx, tenantID string) { tx.Forget(versionKey{tenantID}) }

// Get returns what load reads of tenantID's configuration under name: from
// tx's cache (dbtx.Tx.Config) when the tenant's configuration version is the
// one load last read it at, else from load, which is then kept. Without a
// cache on tx it is load. The value is shared by every transaction that
// gets it: callers read it and never change it.
func Get[T any](ctx context.Context, tx *dbtx.Tx, tenantID, name string, load func() (T, error)) (T, error) {
	c, _ := tx.Config.(*Cache)
	if c == nil {
		return load()
	}
	version, err := Version(ctx, tx, tenantID)
	if err != nil {
		var zero T
		return zero, err
	}
	if v, ok := c.get(tenantID, version, name); ok {
		return v.(T), nil
	}
	// Read after the version: the rows are at least as new as it, so a
	// version never stands for rows older than its change.
	v, err := load()
	if err != nil {
		return v, err
	}
	c.put(tenantID, version, name, v)
	return v, nil
}

func (c *Cache) get(tenantID, version, name string) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.tenants[tenantID]
	if s == nil || s.version != version {
		return nil, false
	}
	v, ok := s.values[name]
	return v, ok
}

func (c *Cache) put(tenantID, version, name string, v any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.tenants[tenantID]
	if s == nil || s.version != version {
		s = &snapshot{version: version, values: map[string]any{}}
		c.tenants[tenantID] = s
	}
	s.values[name] = v
}
