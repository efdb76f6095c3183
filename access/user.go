package access

import "time"

// User is a person who signs in to one tenant with one role.
type User struct {
	ID           string     `json:"id"`
	TenantID     string     `json:"-"`
	Email        string     `json:"email"`
	Name         string     `json:"name"`
	Role         Role       `json:"role"`
	CustomerID   string     `json:"customer_id,omitempty"` // for the customer role
	Language     string     `json:"language"`
	PasswordHash string     `json:"-"`
	DisabledAt   *time.Time `json:"disabled_at,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

// Principal returns the principal acting as u.
func (u User) Principal() Principal {
	return Principal{TenantID: u.TenantID, UserID: u.ID, Role: u.Role, CustomerID: u.CustomerID, Name: u.Name}
}

// APIKey is a revocable, role-bound credential for the API. Only its hash is stored.
type APIKey struct {
	ID         string     `json:"id"`
	TenantID   string     `json:"-"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"` // first characters, to recognise it
	Hash       string     `json:"-"`
	Role       Role       `json:"role"`
	CustomerID string     `json:"customer_id,omitempty"`
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// Principal returns the principal acting with k.
func (k APIKey) Principal() Principal {
	return Principal{TenantID: k.TenantID, APIKeyID: k.ID, Role: k.Role, CustomerID: k.CustomerID, Name: "API key " + k.Name}
}
