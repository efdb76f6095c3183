package access

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// The argon2id hash's fixed sizes.
const (
	argonKeyLen = 32
	saltLen     = 16
)

// Bounds on the parameters of a stored hash that CheckPassword accepts.
const (
	maxArgonTime   = 64
	maxArgonMemory = 4 * 1024 * 1024 // KiB: 4 GiB
	minSaltLen     = 8
	minKeyLen      = 16
)

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

// PasswordCost is the work of one argon2id password hash: passes over
// memory, memory in KiB, and lanes. A hash records its cost, so
// CheckPassword checks any hash whatever cost made it.
type PasswordCost struct {
	Time      uint32
	MemoryKiB uint32
	Threads   uint8
}

// DefaultPasswordCost is RFC 9106's second recommended option (3 passes,
// 64 MiB, 2 lanes): the cost of every password Facturo stores in
// production.
var DefaultPasswordCost = PasswordCost{Time: 3, MemoryKiB: 64 * 1024, Threads: 2}

// LeastPasswordCost is the least cost CheckPassword accepts. It protects
// nothing: it is for tests, whose users sign in thousands of times, never
// for real passwords.
var LeastPasswordCost = PasswordCost{Time: 1, MemoryKiB: 8, Threads: 1}

// Check returns an error unless CheckPassword would accept hashes of cost c.
func (c PasswordCost) Check() error {
	if c.Time < 1 || c.Time > maxArgonTime || c.Threads < 1 || c.MemoryKiB < 8*uint32(c.Threads) || c.MemoryKiB > maxArgonMemory {
		return fmt.Errorf("password cost t=%d m=%d p=%d: want 1 <= t <= %d, p >= 1 and 8p <= m <= %d KiB",
			c.Time, c.MemoryKiB, c.Threads, maxArgonTime, maxArgonMemory)
	}
	return nil
}

// HashPassword returns an argon2id hash of password at DefaultPasswordCost
// in the PHC string format.
func HashPassword(password string) (string, error) {
	return DefaultPasswordCost.Hash(password)
}

// Hash returns an argon2id hash of password at cost c in the PHC string
// format, or an error if c is out of CheckPassword's bounds.
func (c PasswordCost) Hash(password string) (string, error) {
	if err := c.Check(); err != nil {
		return "", err
	}
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("read salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, c.Time, c.MemoryKiB, c.Threads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, c.MemoryKiB, c.Time, c.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// ErrBadHash means a stored password hash could not be parsed.
var ErrBadHash = errors.New("malformed password hash")

// CheckPassword reports whether password matches the PHC-encoded argon2id hash.
func CheckPassword(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, ErrBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, ErrBadHash
	}
	var mem, t uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &t, &threads); err != nil {
		return false, ErrBadHash
	}
	// Out-of-range parameters would make argon2 panic (t or p of 0), allocate
	// without bound, or run for hours: refuse them as malformed.
	if (PasswordCost{Time: t, MemoryKiB: mem, Threads: threads}).Check() != nil {
		return false, ErrBadHash
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil || len(salt) < minSaltLen {
		return false, ErrBadHash
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	// An empty key would match every password.
	if err != nil || len(want) < minKeyLen {
		return false, ErrBadHash
	}
	got := argon2.IDKey([]byte(password), salt, t, mem, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// APIKeyPrefix starts every API key so it can be recognised in logs and by
// secret scanners.
const APIKeyPrefix = "fk_"

// NewAPIKeySecret returns a new random API key (shown once) and the hash to store.
// The key carries 256 random bits, so a fast SHA-256 is the right hash: no
// password-style stretching is needed for a key nobody chose.
func NewAPIKeySecret() (key, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("read random: %w", err)
	}
	key = APIKeyPrefix + base64.RawURLEncoding.EncodeToString(b)
	return key, HashAPIKey(key), nil
}

// HashAPIKey returns the stored form of an API key.
func HashAPIKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// RandomPassword returns a readable random password (for demo and first users).
func RandomPassword() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
