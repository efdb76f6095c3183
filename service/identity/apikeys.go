package identity

import (
	"context"
	"strings"
	"time"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/id"
	"github.com/facturo/facturo/service/usecase"
)

// APIKeyStore persists API keys (hashes only).
type APIKeyStore interface {
	InsertAPIKey(ctx context.Context, k access.APIKey) error
	// APIKeyByHash finds a key in any tenant by the hash of its secret.
	APIKeyByHash(ctx context.Context, hash string) (access.APIKey, error)
	ListAPIKeys(ctx context.Context, tenantID string) ([]access.APIKey, error)
	RevokeAPIKey(ctx context.Context, tenantID, keyID string, at time.Time) error // not_found if absent or already revoked
	TouchAPIKey(ctx context.Context, tenantID, keyID string, at time.Time) error
}

// NewAPIKey is the input of CreateAPIKey.
type NewAPIKey struct {
	Name       string
	Role       string
	CustomerID string
}

// CreatedAPIKey is a new key with its secret, shown this once.
type CreatedAPIKey struct {
	access.APIKey
	Secret string `json:"secret"`
}

// CreateAPIKey makes a key bound to a role (administrator). The secret is
// returned once; only its hash is stored.
func (s *Service) CreateAPIKey(ctx context.Context, p access.Principal, in NewAPIKey) (CreatedAPIKey, error) {
	var k access.APIKey
	var secret string
	check := func() error {
		var c fail.Collector
		name := strings.TrimSpace(in.Name)
		if name == "" {
			c.Add("name", "is required: say what the key is for")
		} else {
			validateName(&c, "name", name, 100)
		}
		role, err := access.ParseRole(in.Role)
		if err != nil {
			c.Add("role", "%v", err)
		}
		if role == access.Customer && in.CustomerID == "" {
			c.Add("customer_id", "is required for a customer-role key")
		}
		if role != access.Customer && in.CustomerID != "" {
			c.Add("customer_id", "only customer-role keys belong to a customer account")
		}
		if err := c.Err(); err != nil {
			return err
		}
		sec, hash, err := access.NewAPIKeySecret()
		if err != nil {
			return err
		}
		now := s.now()
		secret = sec
		k = access.APIKey{ID: id.NewAt(id.APIKey, now), TenantID: p.TenantID, Name: name, Prefix: secret[:10], Hash: hash,
			Role: role, CustomerID: in.CustomerID, CreatedBy: p.ActorID(), CreatedAt: now}
		return nil
	}
	return usecase.Write(ctx, s.users, p, access.ManageAPIKeys, check, func(tx UsersTx) (CreatedAPIKey, usecase.Audit, error) {
		if k.CustomerID != "" {
			if err := customerExists(ctx, tx, p.TenantID, k.CustomerID); err != nil {
				return CreatedAPIKey{}, usecase.Audit{}, err
			}
		}
		if err := tx.InsertAPIKey(ctx, k); err != nil {
			return CreatedAPIKey{}, usecase.Audit{}, err
		}
		return CreatedAPIKey{APIKey: k, Secret: secret}, usecase.Entry("api_key.created", "api_key", k.ID, map[string]any{"name": k.Name, "role": k.Role}), nil
	})
}

// ListAPIKeys lists the tenant's keys without secrets (administrator).
func (s *Service) ListAPIKeys(ctx context.Context, p access.Principal) ([]access.APIKey, error) {
	return usecase.Read(ctx, s.users, p, access.ManageAPIKeys, func(tx UsersTx) ([]access.APIKey, error) {
		return tx.ListAPIKeys(ctx, p.TenantID)
	})
}

// RevokeAPIKey revokes a key at once on every node (administrator).
func (s *Service) RevokeAPIKey(ctx context.Context, p access.Principal, keyID string) error {
	_, err := usecase.Write(ctx, s.users, p, access.ManageAPIKeys, nil, func(tx UsersTx) (struct{}, usecase.Audit, error) {
		if err := tx.RevokeAPIKey(ctx, p.TenantID, keyID, s.now()); err != nil {
			return struct{}{}, usecase.Audit{}, err
		}
		return struct{}{}, usecase.Entry("api_key.revoked", "api_key", keyID, nil), nil
	})
	return err
}

// apiKeyTouchInterval limits last-used writes to one per key per minute.
const apiKeyTouchInterval = time.Minute

// AuthenticateAPIKey returns the principal of a bearer key, or unauthenticated.
func (s *Service) AuthenticateAPIKey(ctx context.Context, key string) (access.Principal, error) {
	unauth := fail.Newf(fail.Unauthenticated, "the API key is not valid or was revoked")
	if !strings.HasPrefix(key, access.APIKeyPrefix) || len(key) > 200 {
		return access.Principal{}, unauth
	}
	k, err := s.keys.APIKeyByHash(ctx, access.HashAPIKey(key))
	if err != nil {
		if fail.Is(err, fail.NotFound) {
			return access.Principal{}, unauth
		}
		return access.Principal{}, err
	}
	if k.RevokedAt != nil {
		return access.Principal{}, unauth
	}
	now := s.now()
	if k.LastUsedAt == nil || now.Sub(*k.LastUsedAt) > apiKeyTouchInterval {
		_ = usecase.Bookkeep(ctx, s.users, func(tx UsersTx) error { return tx.TouchAPIKey(ctx, k.TenantID, k.ID, now) })
	}
	return k.Principal(), nil
}
