package identity

import (
	"context"
	"fmt"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/id"
	"github.com/facturo/facturo/service/usecase"
)

// TenantStore persists tenants.
type TenantStore interface {
	InsertTenant(ctx context.Context, t billing.Tenant) error
	GetTenant(ctx context.Context, tenantID string) (billing.Tenant, error) // fail.NotFound if absent
	UpdateTenant(ctx context.Context, t billing.Tenant) error
	ListTenants(ctx context.Context) ([]billing.Tenant, error)
}

// CreateTenant creates a tenant. It is an operator action (CLI, demo), not
// reachable through a tenant's API.
func (s *Service) CreateTenant(ctx context.Context, t billing.Tenant) (billing.Tenant, error) {
	if err := t.Normalize(); err != nil {
		return billing.Tenant{}, err
	}
	now := s.now()
	t.ID = id.NewAt(id.Tenant, now)
	t.CreatedAt, t.UpdatedAt = now, now
	// The operator acts as the new tenant's system principal, which holds
	// every permission within it.
	return usecase.Write(ctx, s.tenants, access.System(t.ID, "operator"), access.ManageTenant, nil,
		func(tx TenantsTx) (billing.Tenant, usecase.Audit, error) {
			if err := tx.InsertTenant(ctx, t); err != nil {
				return t, usecase.Audit{}, err
			}
			if err := initTenant(ctx, tx, t.ID); err != nil {
				return t, usecase.Audit{}, err
			}
			return t, usecase.Entry("tenant.created", "tenant", t.ID, t), nil
		})
}

// ListTenants lists every tenant; an operator action for the CLI.
func (s *Service) ListTenants(ctx context.Context) ([]billing.Tenant, error) {
	var out []billing.Tenant
	err := s.tenants.Store.Read(ctx, func(tx TenantsTx) error {
		var err error
		out, err = tx.ListTenants(ctx)
		return err
	})
	return out, err
}

// GetTenant returns the caller's tenant.
func (s *Service) GetTenant(ctx context.Context, p access.Principal) (billing.Tenant, error) {
	perm := access.ReadTenant
	if p.IsCustomer() {
		perm = access.OwnAccount // the seller's details are on every invoice it sees
	}
	return usecase.Read(ctx, s.tenants, p, perm, func(tx TenantsTx) (billing.Tenant, error) {
		return tx.GetTenant(ctx, p.TenantID)
	})
}

// TenantPatch holds the tenant settings to change; nil fields stay.
type TenantPatch struct {
	Name      *string
	LegalName *string
	TaxID     *string
	Address   *billing.Address
	Currency  *string
	TimeZone  *string
	Language  *string
	// BillingRunDay is the day of the month (1–28) the previous month's
	// billing run starts by itself; 0 turns the schedule off.
	BillingRunDay *int
}

// UpdateTenant changes the caller's tenant settings (administrator).
func (s *Service) UpdateTenant(ctx context.Context, p access.Principal, patch TenantPatch) (billing.Tenant, error) {
	return usecase.Write(ctx, s.tenants, p, access.ManageTenant, nil, func(tx TenantsTx) (billing.Tenant, usecase.Audit, error) {
		none := usecase.Audit{}
		before, err := tx.GetTenant(ctx, p.TenantID)
		if err != nil {
			return before, none, err
		}
		t := before
		set(&t.Name, patch.Name)
		set(&t.LegalName, patch.LegalName)
		set(&t.TaxID, patch.TaxID)
		set(&t.Address, patch.Address)
		set(&t.Currency, patch.Currency)
		set(&t.TimeZone, patch.TimeZone)
		set(&t.Language, patch.Language)
		if d := patch.BillingRunDay; d != nil && (*d < 0 || *d > 28) {
			return t, none, fail.Field("billing_run_day", "%d is not a day from 1 to 28 (or 0 for no scheduled billing run)", *d)
		}
		set(&t.BillingRunDay, patch.BillingRunDay)
		if err := t.Normalize(); err != nil {
			return t, none, err
		}
		if t.Currency != before.Currency {
			// The ledger's amounts are in the accounting currency: once
			// anything is posted, changing it would relabel them.
			posted, err := tx.HasEntries(ctx, t.ID)
			if err != nil {
				return t, none, err
			}
			if posted {
				return t, none, &fail.Error{Code: fail.Conflict,
					Message: fmt.Sprintf("currency: the ledger already holds entries in %s, so the accounting currency cannot become %s", before.Currency, t.Currency),
					Fields:  []fail.FieldError{{Field: "currency", Message: fmt.Sprintf("is fixed at %s once anything is posted to the ledger", before.Currency)}}}
			}
		}
		changes := usecase.Diff(before, t) // before the timestamp changes: the diff names what the caller changed
		t.UpdatedAt = s.now()
		if err := tx.UpdateTenant(ctx, t); err != nil {
			return t, none, err
		}
		if len(changes) == 0 {
			return t, none, nil
		}
		return t, usecase.Entry("tenant.updated", "tenant", t.ID, changes), nil
	})
}

// AccountingCurrency returns the ISO 4217 code of the caller's tenant's
// accounting currency, in which the ledger and every *_accounting amount
// are kept: any principal of the tenant may know it (outputs format those
// amounts with its digits).
func (s *Service) AccountingCurrency(ctx context.Context, p access.Principal) (string, error) {
	if p.TenantID == "" {
		return "", fail.Newf(fail.Unauthenticated, "sign in or send an API key")
	}
	var code string
	err := s.tenants.Store.Read(ctx, func(tx TenantsTx) error {
		t, err := tx.GetTenant(ctx, p.TenantID)
		code = t.Currency
		return err
	})
	return code, err
}
