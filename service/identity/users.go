package identity

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/id"
	"github.com/facturo/facturo/messages"
	"github.com/facturo/facturo/service/usecase"
)

// UserStore persists users and sign-in attempts.
type UserStore interface {
	InsertUser(ctx context.Context, u access.User) error // fail.Conflict on a duplicate email in the tenant
	GetUser(ctx context.Context, tenantID, userID string) (access.User, error)
	UpdateUser(ctx context.Context, u access.User) error
	ListUsers(ctx context.Context, tenantID string) ([]access.User, error)
	// UsersByEmail finds the users with this email in every tenant (sign-in).
	UsersByEmail(ctx context.Context, email string) ([]access.User, error)
	InsertLoginAttempt(ctx context.Context, a LoginAttempt) error
	// CountFailedLogins counts failures for the email, and for the IP, since t.
	CountFailedLogins(ctx context.Context, email, ip string, since time.Time) (byEmail, byIP int, err error)
}

// LoginAttempt is one sign-in try, kept to rate-limit guessing across nodes.
type LoginAttempt struct {
	Email   string
	IP      string
	At      time.Time
	Success bool
}

// Sign-in rate limits: within LoginWindow, at most MaxFailuresPerEmail failed
// attempts for one email and MaxFailuresPerIP from one address.
const (
	LoginWindow         = 15 * time.Minute
	MaxFailuresPerEmail = 10
	MaxFailuresPerIP    = 50
)

// NewUser is the input of CreateUser.
type NewUser struct {
	Email      string
	Name       string
	Role       string
	CustomerID string // required for the customer role
	Password   string
	Language   string
}

// validateName checks a person's or key's name (already trimmed): required,
// at most max characters, one line of valid UTF-8 text.
func validateName(c *fail.Collector, field, name string, max int) {
	switch {
	case name == "":
		c.Add(field, "is required")
	case !utf8.ValidString(name):
		c.Add(field, "must be valid UTF-8 text")
	case utf8.RuneCountInString(name) > max:
		c.Add(field, "must be at most %d characters", max)
	case strings.ContainsFunc(name, unicode.IsControl):
		c.Add(field, "must not contain control characters or line breaks")
	}
}

func validatePassword(c *fail.Collector, field, pw string) {
	if utf8.RuneCountInString(pw) < access.MinPasswordLength {
		c.Add(field, "must be at least %d characters", access.MinPasswordLength)
	} else if len(pw) > 1024 {
		c.Add(field, "must be at most 1024 bytes")
	}
}

// CreateUser adds a user to the caller's tenant (administrator).
func (s *Service) CreateUser(ctx context.Context, p access.Principal, in NewUser) (access.User, error) {
	var u access.User
	check := func() error {
		var c fail.Collector
		email := strings.ToLower(strings.TrimSpace(in.Email))
		if !billing.ValidEmail(email) {
			c.Add("email", "%q is not a valid email address", in.Email)
		}
		name := strings.TrimSpace(in.Name)
		validateName(&c, "name", name, 200)
		role, err := access.ParseRole(in.Role)
		if err != nil {
			c.Add("role", "%v", err)
		}
		if role == access.Customer && in.CustomerID == "" {
			c.Add("customer_id", "is required for the customer role: the account this user may see")
		}
		if role != access.Customer && in.CustomerID != "" {
			c.Add("customer_id", "only customer-role users belong to a customer account")
		}
		validatePassword(&c, "password", in.Password)
		lang := in.Language
		if lang == "" {
			lang = "en"
		}
		if l, ok := messages.ParseLanguage(lang); ok {
			lang = l
		} else {
			c.Add("language", "%q is not supported: use one of %s", in.Language, strings.Join(messages.Languages, ", "))
		}
		if err := c.Err(); err != nil {
			return err
		}
		hash, err := s.cost.Hash(in.Password)
		if err != nil {
			return fmt.Errorf("hash password: %w", err)
		}
		now := s.now()
		u = access.User{ID: id.NewAt(id.User, now), TenantID: p.TenantID, Email: email, Name: name, Role: role,
			CustomerID: in.CustomerID, Language: lang, PasswordHash: hash, CreatedAt: now, UpdatedAt: now}
		return nil
	}
	return usecase.Write(ctx, s.users, p, access.ManageUsers, check, func(tx UsersTx) (access.User, usecase.Audit, error) {
		if u.CustomerID != "" {
			if err := customerExists(ctx, tx, p.TenantID, u.CustomerID); err != nil {
				return u, usecase.Audit{}, err
			}
		}
		if err := tx.InsertUser(ctx, u); err != nil {
			return u, usecase.Audit{}, err
		}
		return u, usecase.Entry("user.created", "user", u.ID, map[string]any{"email": u.Email, "role": u.Role, "customer_id": u.CustomerID}), nil
	})
}

// customerExists refuses a customer_id that names no customer of the tenant.
func customerExists(ctx context.Context, tx UsersTx, tenantID, customerID string) error {
	if _, err := tx.GetCustomer(ctx, tenantID, customerID); err != nil {
		if fail.Is(err, fail.NotFound) {
			return fail.Field("customer_id", "no customer %q in this tenant", customerID)
		}
		return err
	}
	return nil
}

// ListUsers lists the tenant's users (administrator).
func (s *Service) ListUsers(ctx context.Context, p access.Principal) ([]access.User, error) {
	return usecase.Read(ctx, s.users, p, access.ManageUsers, func(tx UsersTx) ([]access.User, error) {
		return tx.ListUsers(ctx, p.TenantID)
	})
}

// UserPatch changes a user; nil fields stay.
type UserPatch struct {
	Name     *string
	Role     *string
	Language *string
	Disabled *bool
	Password *string
}

// UpdateUser changes a user's name, role, language, password or disables it (administrator).
func (s *Service) UpdateUser(ctx context.Context, p access.Principal, userID string, patch UserPatch) (access.User, error) {
	var role access.Role
	var lang, hash string
	check := func() error {
		var c fail.Collector
		if patch.Role != nil {
			r, err := access.ParseRole(*patch.Role)
			if err != nil {
				c.Add("role", "%v", err)
			}
			role = r
		}
		if patch.Password != nil {
			validatePassword(&c, "password", *patch.Password)
		}
		if patch.Name != nil {
			validateName(&c, "name", strings.TrimSpace(*patch.Name), 200)
		}
		if patch.Language != nil {
			l, ok := messages.ParseLanguage(*patch.Language)
			if !ok {
				c.Add("language", "%q is not supported: use one of %s", *patch.Language, strings.Join(messages.Languages, ", "))
			}
			lang = l
		}
		if err := c.Err(); err != nil {
			return err
		}
		if patch.Password != nil {
			h, err := s.cost.Hash(*patch.Password)
			if err != nil {
				return fmt.Errorf("hash password: %w", err)
			}
			hash = h
		}
		return nil
	}
	return usecase.Write(ctx, s.users, p, access.ManageUsers, check, func(tx UsersTx) (access.User, usecase.Audit, error) {
		none := usecase.Audit{}
		u, err := tx.GetUser(ctx, p.TenantID, userID)
		if err != nil {
			return u, none, err
		}
		if u.ID != p.UserID { // your own: refused below with its own message
			if err := keepAnAdministrator(ctx, tx, u, patch, role); err != nil {
				return u, none, err
			}
		}
		changes := map[string]any{}
		if patch.Name != nil {
			u.Name = strings.TrimSpace(*patch.Name)
			changes["name"] = u.Name
		}
		if patch.Role != nil {
			if (role == access.Customer) != (u.Role == access.Customer) {
				return u, none, fail.Field("role", "a staff user cannot become a customer user or the reverse; create a new user")
			}
			if u.ID == p.UserID && role != access.Administrator {
				return u, none, fail.Field("role", "you cannot remove your own administrator role")
			}
			u.Role = role
			changes["role"] = role
		}
		if patch.Language != nil {
			u.Language = lang
			changes["language"] = lang
		}
		if patch.Disabled != nil {
			if *patch.Disabled && u.ID == p.UserID {
				return u, none, fail.Field("disabled", "you cannot disable yourself")
			}
			if *patch.Disabled && u.DisabledAt == nil {
				now := s.now()
				u.DisabledAt = &now
			} else if !*patch.Disabled {
				u.DisabledAt = nil
			}
			changes["disabled"] = *patch.Disabled
		}
		if hash != "" {
			u.PasswordHash = hash
			changes["password"] = "changed"
		}
		u.UpdatedAt = s.now()
		if err := tx.UpdateUser(ctx, u); err != nil {
			return u, none, err
		}
		return u, usecase.Entry("user.updated", "user", u.ID, changes), nil
	})
}

// SetPasswords gives the users userIDs one new password, hashed once
// (administrator): the demo's start, which prints one password for all its
// users, pays for a single argon2id hash instead of one per user.
func (s *Service) SetPasswords(ctx context.Context, p access.Principal, userIDs []string, password string) error {
	var hash string
	check := func() error {
		var c fail.Collector
		validatePassword(&c, "password", password)
		if err := c.Err(); err != nil {
			return err
		}
		h, err := s.cost.Hash(password)
		if err != nil {
			return fmt.Errorf("hash password: %w", err)
		}
		hash = h
		return nil
	}
	_, err := usecase.Write(ctx, s.users, p, access.ManageUsers, check, func(tx UsersTx) (struct{}, usecase.Audit, error) {
		var a usecase.Audit
		for _, id := range userIDs {
			u, err := tx.GetUser(ctx, p.TenantID, id)
			if err != nil {
				return struct{}{}, a, err
			}
			u.PasswordHash, u.UpdatedAt = hash, s.now()
			if err := tx.UpdateUser(ctx, u); err != nil {
				return struct{}{}, a, err
			}
			a = a.And("user.updated", "user", u.ID, map[string]any{"password": "changed"})
		}
		return struct{}{}, a, nil
	})
	return err
}

// keepAnAdministrator refuses a change that would leave the tenant without
// an active administrator: disabling or demoting its last one (an
// administrator API key or the CLI could otherwise lock every person out of
// users and settings).
func keepAnAdministrator(ctx context.Context, tx UsersTx, u access.User, patch UserPatch, role access.Role) error {
	if u.Role != access.Administrator || u.DisabledAt != nil {
		return nil
	}
	demote := patch.Role != nil && role != access.Administrator
	disable := patch.Disabled != nil && *patch.Disabled
	if !demote && !disable {
		return nil
	}
	users, err := tx.ListUsers(ctx, u.TenantID)
	if err != nil {
		return err
	}
	for _, o := range users {
		if o.ID != u.ID && o.Role == access.Administrator && o.DisabledAt == nil {
			return nil
		}
	}
	if disable {
		return fail.Field("disabled", "%s is the last active administrator: make another user administrator first", u.Email)
	}
	return fail.Field("role", "%s is the last active administrator: make another user administrator first", u.Email)
}

// dummyHash returns the hash checked when no user matches, so a sign-in
// for an unknown email takes as long as one for a known email: made once,
// at the cost the service hashes passwords with.
func (s *Service) dummyHash() string {
	s.dummyOnce.Do(func() { s.dummy, _ = s.cost.Hash("facturo-timing-equalizer") })
	return s.dummy
}

// Login checks an email and password and returns the user. tenantID may be
// empty when the email exists in one tenant only. Failures are counted in the
// database so every node enforces the same limit.
func (s *Service) Login(ctx context.Context, email, password, tenantID, ip string) (access.User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	now := s.now()
	if len(email) > 254 || !utf8.ValidString(email) || strings.ContainsFunc(email, unicode.IsControl) {
		// No user has such an email, and PostgreSQL refuses to store or
		// compare some of these bytes: answer like a wrong password.
		_, _ = access.CheckPassword(s.dummyHash(), password)
		return access.User{}, fail.Newf(fail.Unauthenticated, "the email or password is wrong")
	}
	var users []access.User
	err := s.users.Store.Read(ctx, func(tx UsersTx) error {
		byEmail, byIP, err := tx.CountFailedLogins(ctx, email, ip, now.Add(-LoginWindow))
		if err != nil {
			return err
		}
		if byEmail >= MaxFailuresPerEmail || byIP >= MaxFailuresPerIP {
			return fail.Newf(fail.RateLimited, "too many failed sign-ins; wait %d minutes and try again", int(LoginWindow.Minutes()))
		}
		users, err = tx.UsersByEmail(ctx, email)
		return err
	})
	if err != nil {
		return access.User{}, err
	}
	var match *access.User
	checked := false
	for i := range users {
		u := users[i]
		if tenantID != "" && u.TenantID != tenantID {
			continue
		}
		checked = true
		ok, err := access.CheckPassword(u.PasswordHash, password)
		if err != nil {
			return access.User{}, fmt.Errorf("user %s: %w", u.ID, err)
		}
		if ok && u.DisabledAt == nil {
			match = &users[i]
			break
		}
	}
	if !checked {
		_, _ = access.CheckPassword(s.dummyHash(), password)
	}
	werr := usecase.Bookkeep(ctx, s.users, func(tx UsersTx) error {
		return tx.InsertLoginAttempt(ctx, LoginAttempt{Email: email, IP: ip, At: now, Success: match != nil})
	})
	if werr != nil {
		return access.User{}, werr
	}
	if match == nil {
		return access.User{}, fail.Newf(fail.Unauthenticated, "the email or password is wrong")
	}
	return *match, nil
}

// PrincipalForUser loads a signed-in user (from a session) as a principal.
// A disabled or deleted user is unauthenticated.
func (s *Service) PrincipalForUser(ctx context.Context, tenantID, userID string) (access.Principal, error) {
	var u access.User
	err := s.users.Store.Read(ctx, func(tx UsersTx) error {
		var err error
		u, err = tx.GetUser(ctx, tenantID, userID)
		return err
	})
	if err != nil || u.DisabledAt != nil {
		if err == nil || fail.Is(err, fail.NotFound) {
			return access.Principal{}, fail.Newf(fail.Unauthenticated, "your session has ended; sign in again")
		}
		return access.Principal{}, err
	}
	return u.Principal(), nil
}

// Me returns the signed-in user behind a principal (API keys have none).
func (s *Service) Me(ctx context.Context, p access.Principal) (access.User, error) {
	if p.UserID == "" || p.TenantID == "" {
		return access.User{}, fail.NotFoundf("this caller is not a user")
	}
	var u access.User
	err := s.users.Store.Read(ctx, func(tx UsersTx) error {
		var err error
		u, err = tx.GetUser(ctx, p.TenantID, p.UserID)
		return err
	})
	return u, err
}

// SetMyLanguage changes the signed-in user's own language preference (the
// console and portal speak it); any user may change its own.
func (s *Service) SetMyLanguage(ctx context.Context, p access.Principal, language string) (access.User, error) {
	if p.UserID == "" || p.TenantID == "" {
		return access.User{}, fail.Newf(fail.Unauthenticated, "sign in to choose a language")
	}
	lang, ok := messages.ParseLanguage(language)
	if !ok {
		return access.User{}, fail.Field("language", "%q is not supported: use one of %s", language, strings.Join(messages.Languages, ", "))
	}
	return usecase.Write(ctx, s.users, p, usecase.SignedIn, nil, func(tx UsersTx) (access.User, usecase.Audit, error) {
		u, err := tx.GetUser(ctx, p.TenantID, p.UserID)
		if err != nil {
			return u, usecase.Audit{}, err
		}
		u.Language = lang
		u.UpdatedAt = s.now()
		if err := tx.UpdateUser(ctx, u); err != nil {
			return u, usecase.Audit{}, err
		}
		return u, usecase.Entry("user.updated", "user", u.ID, map[string]any{"language": lang}), nil
	})
}
