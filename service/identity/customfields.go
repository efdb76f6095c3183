package identity

import (
	"context"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/customfield"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/service/usecase"
)

// ListCustomFieldDefs lists the definitions of the tenant's custom fields,
// invoices' first, each kind by position and key. Staff who read settings
// and customers (their documents show the labels) read them.
func (s *Service) ListCustomFieldDefs(ctx context.Context, p access.Principal) ([]customfield.Def, error) {
	perm := access.ReadSettings
	if p.IsCustomer() {
		perm = access.OwnAccount
	}
	return usecase.Read(ctx, s.fields, p, perm, func(tx CustomFieldsTx) ([]customfield.Def, error) {
		return tx.ListCustomFieldDefs(ctx, p.TenantID)
	})
}

// SaveCustomFieldDef creates or changes the definition of a custom field
// key of invoices or customers (administrator, like every tenant setting).
func (s *Service) SaveCustomFieldDef(ctx context.Context, p access.Principal, d customfield.Def) (customfield.Def, error) {
	return usecase.Write(ctx, s.fields, p, access.ManageTenant, d.Normalize, func(tx CustomFieldsTx) (customfield.Def, usecase.Audit, error) {
		defs, err := tx.ListCustomFieldDefs(ctx, p.TenantID)
		if err != nil {
			return d, usecase.Audit{}, err
		}
		now := s.now()
		d.CreatedAt, d.UpdatedAt = now, now
		var before any
		for _, x := range defs {
			if x.AppliesTo == d.AppliesTo && x.Key == d.Key {
				d.CreatedAt, before = x.CreatedAt, x
			}
		}
		if err := tx.UpsertCustomFieldDef(ctx, p.TenantID, d); err != nil {
			return d, usecase.Audit{}, err
		}
		changes := any(d)
		if before != nil {
			changes = usecase.Diff(before, d)
		}
		return d, usecase.Entry("custom_field.saved", "custom_field", d.AppliesTo+":"+d.Key, changes), nil
	})
}

// DeleteCustomFieldDef deletes the definition of a custom field key; the
// values records carry stay and show under the key itself.
func (s *Service) DeleteCustomFieldDef(ctx context.Context, p access.Principal, appliesTo, key string) error {
	_, err := usecase.Write(ctx, s.fields, p, access.ManageTenant, nil, func(tx CustomFieldsTx) (struct{}, usecase.Audit, error) {
		found, err := tx.DeleteCustomFieldDef(ctx, p.TenantID, appliesTo, key)
		if err != nil {
			return struct{}{}, usecase.Audit{}, err
		}
		if !found {
			return struct{}{}, usecase.Audit{}, fail.NotFoundf("no custom field %q of %s", key, appliesTo)
		}
		return struct{}{}, usecase.Entry("custom_field.deleted", "custom_field", appliesTo+":"+key, nil), nil
	})
	return err
}
