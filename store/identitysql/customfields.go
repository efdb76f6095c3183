package identitysql

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/facturo/facturo/customfield"
	"github.com/facturo/facturo/store/configcache"
	"github.com/facturo/facturo/store/dbtx"
	"github.com/facturo/facturo/store/enginesql"
	"github.com/facturo/facturo/store/sqlitesql"
)

// UpsertCustomFieldDef creates or changes the definition of a custom field
// key (its created_at stays on a change).
func (t *Identity) UpsertCustomFieldDef(ctx context.Context, tenantID string, d customfield.Def) error {
	configcache.Changed(t.Tx, tenantID)
	labels, err := dbtx.JSONArg(dbtx.NonNilMap(d.Labels))
	if err != nil {
		return err
	}
	err = enginesql.For(t.Tx).UpsertCustomFieldDef(ctx, sqlitesql.UpsertCustomFieldDefParams{TenantID: tenantID, AppliesTo: d.AppliesTo,
		FieldKey: d.Key, Labels: labels, ShowOnDocuments: d.ShowOnDocuments, Ordinal: int64(d.Position),
		CreatedAt: dbtx.TimeOf(d.CreatedAt), UpdatedAt: dbtx.TimeOf(d.UpdatedAt)})
	if err != nil {
		return fmt.Errorf("upsert custom field definition: %w", err)
	}
	return nil
}

// ListCustomFieldDefs lists the tenant's custom field definitions by record
// kind, position and key; from the configuration cache.
func (t *Identity) ListCustomFieldDefs(ctx context.Context, tenantID string) ([]customfield.Def, error) {
	rows, err := configcache.Get(ctx, t.Tx, tenantID, "ListCustomFieldDefs", func() ([]sqlitesql.CustomFieldDef, error) {
		return enginesql.For(t.Tx).ListCustomFieldDefs(ctx, tenantID)
	})
	if err != nil {
		return nil, fmt.Errorf("list custom field definitions: %w", err)
	}
	out := make([]customfield.Def, 0, len(rows))
	for _, r := range rows {
		d := customfield.Def{Key: r.FieldKey, AppliesTo: r.AppliesTo, ShowOnDocuments: r.ShowOnDocuments, Position: int(r.Ordinal),
			CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
		if err := json.Unmarshal([]byte(r.Labels), &d.Labels); err != nil {
			return nil, fmt.Errorf("custom field %s labels: %w", d.Key, err)
		}
		out = append(out, d)
	}
	customfield.Sort(out)
	return out, nil
}

// DeleteCustomFieldDef deletes a definition; false if there was none.
func (t *Identity) DeleteCustomFieldDef(ctx context.Context, tenantID, appliesTo, key string) (bool, error) {
	configcache.Changed(t.Tx, tenantID)
	n, err := enginesql.For(t.Tx).DeleteCustomFieldDef(ctx, sqlitesql.DeleteCustomFieldDefParams{TenantID: tenantID, AppliesTo: appliesTo, FieldKey: key})
	if err != nil {
		return false, fmt.Errorf("delete custom field definition: %w", err)
	}
	return n > 0, nil
}
