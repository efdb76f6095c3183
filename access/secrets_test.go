package access_test

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/facturo/facturo/access"
)

// phc is the PHC string format of an argon2id hash with the parameters
// DESIGN.md's stack names (64 MiB, RFC 9106), a 16-byte salt and 32-byte key.
var phc = regexp.MustCompile(`^\$argon2id\$v=19\$m=65536,t=3,p=2\$([A-Za-z0-9+/]{22})\$([A-Za-z0-9+/]{43})$`)

func TestHashPasswordFormat(t *testing.T) {
	h, err := access.HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	m := phc.FindStringSubmatch(h)
	if m == nil {
		t.Fatalf("hash %q is not a PHC argon2id string", h)
	}
	if salt, err := base64.RawStdEncoding.DecodeString(m[1]); err != nil || len(salt) != 16 {
		t.Errorf("salt %q: %d bytes, %v", m[1], len(salt), err)
	}
	if key, err := base64.RawStdEncoding.DecodeString(m[2]); err != nil || len(key) != 32 {
		t.Errorf("key %q: %d bytes, %v", m[2], len(key), err)
	}
	if strings.Contains(h, "correct horse") {
		t.Error("the hash contains the password")
	}
}

func TestCheckPassword(t *testing.T) {
	const pw = "Contraseña-segura-1"
	h, err := access.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		try  string
		want bool
	}{
		{pw, true},
		{"contraseña-segura-1", false},
		{pw + " ", false},
		{"", false},
		{"Contrasena-segura-1", false}, // no accent: different bytes
	}
	for _, tt := range tests {
		ok, err := access.CheckPassword(h, tt.try)
		if err != nil {
			t.Fatalf("CheckPassword(%q): %v", tt.try, err)
		}
		if ok != tt.want {
			t.Errorf("CheckPassword(%q) = %v, want %v", tt.try, ok, tt.want)
		}
	}
}

func TestHashPasswordSalted(t *testing.T) {
	a, err := access.HashPassword("same password twice")
	if err != nil {
		t.Fatal(err)
	}
	b, err := access.HashPassword("same password twice")
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Fatal("two hashes of one password are equal: no random salt")
	}
	if phc.FindStringSubmatch(a)[1] == phc.FindStringSubmatch(b)[1] {
		t.Error("two hashes share a salt")
	}
	for _, h := range []string{a, b} {
		if ok, err := access.CheckPassword(h, "same password twice"); !ok || err != nil {
			t.Errorf("CheckPassword(%s) = %v, %v", h, ok, err)
		}
	}
}

func TestCheckPasswordMalformedHash(t *testing.T) {
	good, err := access.HashPassword("whatever-password")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, "$") // "", argon2id, v=19, m=…, salt, key
	join := func(p ...string) string { return strings.Join(p, "$") }
	tests := map[string]string{
		"empty":             "",
		"plain text":        "whatever-password",
		"bcrypt":            "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"argon2i":           join("", "argon2i", parts[2], parts[3], parts[4], parts[5]),
		"missing part":      join("", "argon2id", parts[2], parts[3], parts[4]),
		"extra part":        good + "$x",
		"bad version":       join("", "argon2id", "v=16", parts[3], parts[4], parts[5]),
		"bad params":        join("", "argon2id", parts[2], "m=lots,t=3,p=2", parts[4], parts[5]),
		"bad salt":          join("", "argon2id", parts[2], parts[3], "!!!", parts[5]),
		"bad key":           join("", "argon2id", parts[2], parts[3], parts[4], "***"),
		"zero time":         join("", "argon2id", parts[2], "m=65536,t=0,p=2", parts[4], parts[5]),
		"zero parallelism":  join("", "argon2id", parts[2], "m=65536,t=3,p=0", parts[4], parts[5]),
		"zero memory":       join("", "argon2id", parts[2], "m=0,t=3,p=2", parts[4], parts[5]),
		"absurd memory":     join("", "argon2id", parts[2], "m=4294967295,t=3,p=2", parts[4], parts[5]),
		"absurd time":       join("", "argon2id", parts[2], "m=65536,t=4294967295,p=2", parts[4], parts[5]),
		"empty key":         join("", "argon2id", parts[2], parts[3], parts[4], ""),
		"short key":         join("", "argon2id", parts[2], parts[3], parts[4], "AAAA"),
		"empty salt":        join("", "argon2id", parts[2], parts[3], "", parts[5]),
		"parallelism > 255": join("", "argon2id", parts[2], "m=65536,t=3,p=256", parts[4], parts[5]),
	}
	for name, h := range tests {
		t.Run(name, func(t *testing.T) {
			var ok bool
			var err error
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("CheckPassword panicked on %q: %v", h, p)
					}
				}()
				ok, err = access.CheckPassword(h, "whatever-password")
			}()
			if !errors.Is(err, access.ErrBadHash) {
				t.Errorf("CheckPassword(%q) error = %v, want ErrBadHash", h, err)
			}
			if ok {
				t.Errorf("CheckPassword(%q) accepted the password", h)
			}
		})
	}
}

func TestAPIKeySecret(t *testing.T) {
	key, hash, err := access.NewAPIKeySecret()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(key, access.APIKeyPrefix) || access.APIKeyPrefix != "fk_" {
		t.Fatalf("key %q does not start with fk_", key)
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(key, "fk_"))
	if err != nil {
		t.Fatalf("key body is not base64url: %v", err)
	}
	if len(raw)*8 != 256 {
		t.Errorf("key carries %d bits, want 256", len(raw)*8)
	}
	if hash != access.HashAPIKey(key) || access.HashAPIKey(key) != access.HashAPIKey(key) {
		t.Error("the stored hash is not the stable hash of the key")
	}
	if b, err := hex.DecodeString(hash); err != nil || len(b) != 32 {
		t.Errorf("hash %q is not 32 hex-encoded bytes", hash)
	}
	if strings.Contains(hash, strings.TrimPrefix(key, "fk_")) {
		t.Error("the hash contains the key")
	}

	key2, hash2, err := access.NewAPIKeySecret()
	if err != nil {
		t.Fatal(err)
	}
	if key2 == key || hash2 == hash {
		t.Error("two new keys are equal")
	}
	if access.HashAPIKey(key+"x") == hash || access.HashAPIKey("fk_") == access.HashAPIKey("fk_a") {
		t.Error("different keys hash alike")
	}
}

func TestAPIKeysUnique(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		k, _, err := access.NewAPIKeySecret()
		if err != nil {
			t.Fatal(err)
		}
		if seen[k] {
			t.Fatalf("duplicate key %s", k)
		}
		seen[k] = true
	}
}

func TestRandomPassword(t *testing.T) {
	a, b := access.RandomPassword(), access.RandomPassword()
	if a == b {
		t.Error("two random passwords are equal")
	}
	for _, p := range []string{a, b} {
		if utf8.RuneCountInString(p) < access.MinPasswordLength {
			t.Errorf("random password %q is shorter than the minimum %d", p, access.MinPasswordLength)
		}
		if strings.ContainsAny(p, " $\n") {
			t.Errorf("random password %q is awkward to type", p)
		}
	}
}

// TestPasswordCost: a hash records the cost that made it, CheckPassword
// checks it at that cost, and a cost CheckPassword would refuse hashes
// nothing.
func TestPasswordCost(t *testing.T) {
	t.Parallel()
	h, err := access.LeastPasswordCost.Hash("cheap-for-tests-1")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=8,t=1,p=1$") {
		t.Errorf("LeastPasswordCost hash %q does not record m=8,t=1,p=1", h)
	}
	if ok, err := access.CheckPassword(h, "cheap-for-tests-1"); !ok || err != nil {
		t.Errorf("CheckPassword(least-cost hash) = %v, %v; want true, nil", ok, err)
	}
	if ok, _ := access.CheckPassword(h, "cheap-for-tests-2"); ok {
		t.Error("CheckPassword accepted a wrong password against a least-cost hash")
	}
	if access.DefaultPasswordCost != (access.PasswordCost{Time: 3, MemoryKiB: 65536, Threads: 2}) {
		t.Errorf("DefaultPasswordCost = %+v, want RFC 9106's t=3, 64 MiB, p=2", access.DefaultPasswordCost)
	}
	for _, c := range []access.PasswordCost{
		{Time: 0, MemoryKiB: 64, Threads: 1},
		{Time: 1, MemoryKiB: 64, Threads: 0},
		{Time: 1, MemoryKiB: 15, Threads: 2},
		{Time: 65, MemoryKiB: 64, Threads: 1},
		{Time: 1, MemoryKiB: 4*1024*1024 + 1, Threads: 1},
	} {
		if h, err := c.Hash("whatever-password"); err == nil {
			t.Errorf("cost %+v hashed (%q), want an error", c, h)
		}
	}
}
