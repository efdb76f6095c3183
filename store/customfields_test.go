package store_test

import (
	"context"
	"testing"

	"github.com/facturo/facturo/customfield"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

// TestCustomFieldDefs: definitions round-trip on both engines (labels,
// flag, position, timestamps), an upsert changes the same key, a delete
// reports whether there was one, and every query is scoped by tenant.
func TestCustomFieldDefs(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		ctx := context.Background()
		a, b := insertTenant(t, db), insertTenant(t, db)
		po := customfield.Def{Key: "po_number", AppliesTo: customfield.Invoice, Labels: map[string]string{"en": "PO number", "es": "Número de pedido"},
			ShowOnDocuments: true, Position: 2, CreatedAt: at(1), UpdatedAt: at(1)}
		region := customfield.Def{Key: "region", AppliesTo: customfield.Customer, Labels: map[string]string{"pt-BR": "Região"}, CreatedAt: at(2), UpdatedAt: at(2)}
		// The same key on customers is another definition.
		poCustomer := customfield.Def{Key: "po_number", AppliesTo: customfield.Customer, Labels: map[string]string{"en": "Default PO"}, CreatedAt: at(2), UpdatedAt: at(2)}
		mustWrite(t, db, func(tx service.Tx) error {
			for _, d := range []customfield.Def{po, region, poCustomer} {
				if err := tx.UpsertCustomFieldDef(ctx, a.ID, d); err != nil {
					return err
				}
			}
			return nil
		})
		list := func(tenantID string) []customfield.Def {
			var out []customfield.Def
			mustRead(t, db, func(tx service.Tx) error {
				var err error
				out, err = tx.ListCustomFieldDefs(ctx, tenantID)
				return err
			})
			return out
		}
		got := list(a.ID)
		if len(got) != 3 {
			t.Fatalf("listed %+v", got)
		}
		// Invoices' first, then by position and key.
		if got[0].Key != "po_number" || got[0].AppliesTo != customfield.Invoice || got[1].Key != "po_number" || got[2].Key != "region" {
			t.Errorf("order: %+v", got)
		}
		g := got[0]
		if g.Label("es") != "Número de pedido" || g.Label("pt-BR") != "PO number" || !g.ShowOnDocuments || g.Position != 2 ||
			!g.CreatedAt.Equal(at(1)) || !g.UpdatedAt.Equal(at(1)) {
			t.Errorf("stored %+v", g)
		}
		if len(list(b.ID)) != 0 {
			t.Errorf("tenant b sees tenant a's definitions")
		}
		// A change of the same key.
		po.Labels, po.ShowOnDocuments, po.UpdatedAt = map[string]string{"en": "Purchase order"}, false, at(5)
		mustWrite(t, db, func(tx service.Tx) error { return tx.UpsertCustomFieldDef(ctx, a.ID, po) })
		got = list(a.ID)
		if len(got) != 3 || got[0].Label("es") != "Purchase order" || got[0].ShowOnDocuments || !got[0].UpdatedAt.Equal(at(5)) || !got[0].CreatedAt.Equal(at(1)) {
			t.Errorf("after the change: %+v", got[0])
		}
		// Deletes: another tenant's key is not there; then the key once.
		for _, c := range []struct {
			tenant string
			want   bool
		}{{b.ID, false}, {a.ID, true}, {a.ID, false}} {
			mustWrite(t, db, func(tx service.Tx) error {
				found, err := tx.DeleteCustomFieldDef(ctx, c.tenant, customfield.Invoice, "po_number")
				if found != c.want {
					t.Errorf("delete in %s: %v, want %v", c.tenant, found, c.want)
				}
				return err
			})
		}
		if got := list(a.ID); len(got) != 2 || got[0].AppliesTo != customfield.Customer {
			t.Errorf("after the delete: %+v", got)
		}
	})
}
