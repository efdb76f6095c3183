package identity

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/api/core"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/service"
)

// LoginInput is a sign-in request.
type LoginInput struct {
	Body struct {
		Email    string `json:"email" maxLength:"254"`
		Password string `json:"password" maxLength:"1024"`
		TenantID string `json:"tenant_id,omitempty" doc:"Needed only when the email has accounts in several tenants."`
	}
	RemoteAddr string `header:"X-Facturo-Remote-Addr" hidden:"true"`
}

// Me describes the authenticated caller.
type Me struct {
	TenantID   string `json:"tenant_id"`
	TenantName string `json:"tenant_name"`
	UserID     string `json:"user_id,omitempty"`
	APIKeyID   string `json:"api_key_id,omitempty"`
	Name       string `json:"name"`
	Role       string `json:"role"`
	CustomerID string `json:"customer_id,omitempty"`
}

// User is a user as the API shows it.
type User struct {
	ID         string     `json:"id"`
	Email      string     `json:"email"`
	Name       string     `json:"name"`
	Role       string     `json:"role"`
	CustomerID string     `json:"customer_id,omitempty"`
	Language   string     `json:"language"`
	Disabled   bool       `json:"disabled"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	DisabledAt *time.Time `json:"disabled_at,omitempty"`
}

func userOut(u access.User) User {
	return User{ID: u.ID, Email: u.Email, Name: u.Name, Role: string(u.Role), CustomerID: u.CustomerID, Language: u.Language,
		Disabled: u.DisabledAt != nil, DisabledAt: u.DisabledAt, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
}

// APIKey is an API key as the API shows it; Secret only on creation.
type APIKey struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	Role       string     `json:"role"`
	CustomerID string     `json:"customer_id,omitempty"`
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	Secret     string     `json:"secret,omitempty" doc:"The key itself, shown once on creation."`
}

func apiKeyOut(k access.APIKey) APIKey {
	return APIKey{ID: k.ID, Name: k.Name, Prefix: k.Prefix, Role: string(k.Role), CustomerID: k.CustomerID,
		CreatedBy: k.CreatedBy, CreatedAt: k.CreatedAt, LastUsedAt: k.LastUsedAt, RevokedAt: k.RevokedAt}
}

// RemoteAddrHeader carries the client address from the server middleware to
// the login handler (set by the server; a client's value is overwritten).
const RemoteAddrHeader = "X-Facturo-Remote-Addr"

func (h *Handlers) registerAuth(api huma.API) {
	core.Op(api, huma.Operation{OperationID: "login", Method: http.MethodPost, Path: "/api/v1/auth/login", Summary: "Sign in",
		Description: "Checks email and password and starts a cookie session. Failed attempts are rate-limited per email and per address.",
		Tags:        []string{"Auth"}, DefaultStatus: http.StatusOK, Security: []map[string][]string{}},
		func(ctx context.Context, _ access.Principal, in *LoginInput) (*core.Body[Me], error) {
			u, err := h.Svc.Login(ctx, in.Body.Email, in.Body.Password, in.Body.TenantID, in.RemoteAddr)
			if err != nil {
				return nil, err
			}
			if err := h.Sessions.Login(ctx, u.TenantID, u.ID); err != nil {
				return nil, err
			}
			return h.me(ctx, u.Principal())
		})
	core.Op(api, huma.Operation{OperationID: "logout", Method: http.MethodPost, Path: "/api/v1/auth/logout", Summary: "Sign out",
		Description: "Ends the cookie session, if any; without one it does nothing.",
		Tags:        []string{"Auth"}, DefaultStatus: http.StatusNoContent, Security: []map[string][]string{}},
		func(ctx context.Context, _ access.Principal, _ *struct{}) (*core.Empty, error) {
			return &core.Empty{}, h.Sessions.Logout(ctx)
		})
	core.Op(api, huma.Operation{OperationID: "get-me", Method: http.MethodGet, Path: "/api/v1/me", Summary: "Who am I",
		Tags: []string{"Auth"}},
		func(ctx context.Context, p access.Principal, _ *struct{}) (*core.Body[Me], error) {
			return h.me(ctx, p)
		})

	core.Op(api, huma.Operation{OperationID: "list-users", Method: http.MethodGet, Path: "/api/v1/users", Summary: "List users", Tags: []string{"Users"}},
		func(ctx context.Context, p access.Principal, _ *struct{}) (*core.Body[core.List[User]], error) {
			us, err := h.Svc.ListUsers(ctx, p)
			if err != nil {
				return nil, err
			}
			return core.ListOf(service.PageOf[access.User]{Items: us}, userOut), nil
		})
	type createUser struct {
		core.IdempotencyHeader
		Body struct {
			Email      string `json:"email" maxLength:"254"`
			Name       string `json:"name" maxLength:"200"`
			Role       string `json:"role" enum:"administrator,director,finance_manager,finance,group_manager,sales,engineer,customer"`
			CustomerID string `json:"customer_id,omitempty"`
			Password   string `json:"password" maxLength:"1024"`
			Language   string `json:"language,omitempty"`
		}
	}
	core.Op(api, huma.Operation{OperationID: "create-user", Method: http.MethodPost, Path: "/api/v1/users", Summary: "Create a user", Tags: []string{"Users"}},
		func(ctx context.Context, p access.Principal, in *createUser) (*core.Body[User], error) {
			b := in.Body
			u, err := h.Svc.CreateUser(ctx, p, service.NewUser{Email: b.Email, Name: b.Name, Role: b.Role, CustomerID: b.CustomerID, Password: b.Password, Language: b.Language})
			if err != nil {
				return nil, err
			}
			return &core.Body[User]{Body: userOut(u)}, nil
		})
	type updateUser struct {
		ID   string `path:"id"`
		Body struct {
			Name     *string `json:"name,omitempty"`
			Role     *string `json:"role,omitempty" enum:"administrator,director,finance_manager,finance,group_manager,sales,engineer,customer"`
			Language *string `json:"language,omitempty"`
			Disabled *bool   `json:"disabled,omitempty"`
			Password *string `json:"password,omitempty" maxLength:"1024"`
		}
	}
	core.Op(api, huma.Operation{OperationID: "update-user", Method: http.MethodPatch, Path: "/api/v1/users/{id}", Summary: "Change a user", Tags: []string{"Users"}},
		func(ctx context.Context, p access.Principal, in *updateUser) (*core.Body[User], error) {
			b := in.Body
			u, err := h.Svc.UpdateUser(ctx, p, in.ID, service.UserPatch{Name: b.Name, Role: b.Role, Language: b.Language, Disabled: b.Disabled, Password: b.Password})
			if err != nil {
				return nil, err
			}
			return &core.Body[User]{Body: userOut(u)}, nil
		})

	core.Op(api, huma.Operation{OperationID: "list-api-keys", Method: http.MethodGet, Path: "/api/v1/api-keys", Summary: "List API keys", Tags: []string{"API keys"}},
		func(ctx context.Context, p access.Principal, _ *struct{}) (*core.Body[core.List[APIKey]], error) {
			ks, err := h.Svc.ListAPIKeys(ctx, p)
			if err != nil {
				return nil, err
			}
			return core.ListOf(service.PageOf[access.APIKey]{Items: ks}, apiKeyOut), nil
		})
	type createKey struct {
		core.IdempotencyHeader
		Body struct {
			Name       string `json:"name" maxLength:"100"`
			Role       string `json:"role" enum:"administrator,director,finance_manager,finance,group_manager,sales,engineer,customer"`
			CustomerID string `json:"customer_id,omitempty"`
		}
	}
	core.Op(api, huma.Operation{OperationID: "create-api-key", Method: http.MethodPost, Path: "/api/v1/api-keys", Summary: "Create an API key",
		Description: "The secret is in this response only; Facturo stores its hash.", Tags: []string{"API keys"}},
		func(ctx context.Context, p access.Principal, in *createKey) (*core.Body[APIKey], error) {
			k, err := h.Svc.CreateAPIKey(ctx, p, service.NewAPIKey{Name: in.Body.Name, Role: in.Body.Role, CustomerID: in.Body.CustomerID})
			if err != nil {
				return nil, err
			}
			out := apiKeyOut(k.APIKey)
			out.Secret = k.Secret
			return &core.Body[APIKey]{Body: out}, nil
		})
	type keyID struct {
		ID string `path:"id"`
	}
	core.Op(api, huma.Operation{OperationID: "revoke-api-key", Method: http.MethodDelete, Path: "/api/v1/api-keys/{id}", Summary: "Revoke an API key",
		Tags: []string{"API keys"}, DefaultStatus: http.StatusNoContent},
		func(ctx context.Context, p access.Principal, in *keyID) (*core.Empty, error) {
			return &core.Empty{}, h.Svc.RevokeAPIKey(ctx, p, in.ID)
		})
}

func (h *Handlers) me(ctx context.Context, p access.Principal) (*core.Body[Me], error) {
	if p.TenantID == "" {
		return nil, fail.Newf(fail.Unauthenticated, "sign in or send an API key")
	}
	t, err := h.Svc.GetTenant(ctx, p)
	if err != nil {
		return nil, err
	}
	return &core.Body[Me]{Body: Me{TenantID: t.ID, TenantName: t.Name, UserID: p.UserID, APIKeyID: p.APIKeyID, Name: p.Name,
		Role: string(p.Role), CustomerID: p.CustomerID}}, nil
}

// Tenant is the tenant as the API shows it.
type Tenant struct {
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	LegalName string          `json:"legal_name"`
	TaxID     string          `json:"tax_id"`
	Address   billing.Address `json:"address"`
	Currency  string          `json:"currency"`
	TimeZone  string          `json:"time_zone"`
	Language  string          `json:"language"`
	// BillingRunDay is the day of the month the previous month's billing run starts by itself.
	BillingRunDay int       `json:"billing_run_day" doc:"Day of the month (1–28) on which the previous month's billing run starts by itself; 0: no schedule."`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

func tenantOut(t billing.Tenant) Tenant {
	return Tenant{ID: t.ID, Name: t.Name, LegalName: t.LegalName, TaxID: t.TaxID, Address: t.Address, Currency: t.Currency,
		TimeZone: t.TimeZone, Language: t.Language, BillingRunDay: t.BillingRunDay, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
}

func (h *Handlers) registerTenant(api huma.API) {
	core.Op(api, huma.Operation{OperationID: "get-tenant", Method: http.MethodGet, Path: "/api/v1/tenant", Summary: "Get the tenant's settings", Tags: []string{"Tenant"}},
		func(ctx context.Context, p access.Principal, _ *struct{}) (*core.Body[Tenant], error) {
			t, err := h.Svc.GetTenant(ctx, p)
			if err != nil {
				return nil, err
			}
			return &core.Body[Tenant]{Body: tenantOut(t)}, nil
		})
	type patch struct {
		Body struct {
			Name      *string          `json:"name,omitempty"`
			LegalName *string          `json:"legal_name,omitempty"`
			TaxID     *string          `json:"tax_id,omitempty"`
			Address   *billing.Address `json:"address,omitempty"`
			Currency  *string          `json:"currency,omitempty"`
			TimeZone  *string          `json:"time_zone,omitempty"`
			Language  *string          `json:"language,omitempty"`
			// BillingRunDay: 1–28, or 0 for no scheduled billing run.
			BillingRunDay *int `json:"billing_run_day,omitempty" doc:"Day of the month (1–28) on which the previous month's billing run starts by itself; 0 turns the schedule off."`
		}
	}
	core.Op(api, huma.Operation{OperationID: "update-tenant", Method: http.MethodPatch, Path: "/api/v1/tenant", Summary: "Change the tenant's settings", Tags: []string{"Tenant"}},
		func(ctx context.Context, p access.Principal, in *patch) (*core.Body[Tenant], error) {
			b := in.Body
			t, err := h.Svc.UpdateTenant(ctx, p, service.TenantPatch{Name: b.Name, LegalName: b.LegalName, TaxID: b.TaxID, Address: b.Address,
				Currency: b.Currency, TimeZone: b.TimeZone, Language: b.Language, BillingRunDay: b.BillingRunDay})
			if err != nil {
				return nil, err
			}
			return &core.Body[Tenant]{Body: tenantOut(t)}, nil
		})
}

func (h *Handlers) registerAudit(api huma.API) {
	type in struct {
		core.PageParams
		TargetID   string `query:"target_id" doc:"Only entries about this object."`
		TargetType string `query:"target_type" doc:"Only entries about this kind of object (customer, user, api_key, tenant …)."`
		Action     string `query:"action" doc:"Only this action, e.g. customer.updated."`
	}
	core.Op(api, huma.Operation{OperationID: "list-audit-events", Method: http.MethodGet, Path: "/api/v1/audit-events", Summary: "List the audit log",
		Description: "Every write with actor, action, target, time and what changed; newest first.", Tags: []string{"Audit"}},
		func(ctx context.Context, p access.Principal, in *in) (*core.Body[core.List[service.AuditEntry]], error) {
			page, err := h.Svc.ListAudit(ctx, p, service.AuditFilter{TargetID: in.TargetID, TargetType: in.TargetType, Action: in.Action, Page: in.Page()})
			if err != nil {
				return nil, err
			}
			return core.ListOf(page, func(e service.AuditEntry) service.AuditEntry { return e }), nil
		})
}
