// Package id makes the opaque, prefixed, time-ordered identifiers Facturo
// uses in its API (cus_…, inv_…, si_…). The 48-bit millisecond timestamp
// first keeps new rows at the end of indexes; 80 random bits make them
// unguessable.
package id

import (
	"crypto/rand"
	"encoding/binary"
	"strings"
	"time"
)

const alphabet = "0123456789abcdefghjkmnpqrstvwxyz" // Crockford base32, lower case

// Prefixes of the entity kinds.
const (
	Tenant    = "ten"
	User      = "usr"
	APIKey    = "key"
	Customer  = "cus"
	Audit     = "aud"
	Invoice   = "inv"
	SalesItem = "si"
	Payment   = "pay"
)

// New returns prefix_ followed by 26 characters.
func New(prefix string) string { return NewAt(prefix, time.Now()) }

// NewAt is New with an explicit time (for tests and imports).
func NewAt(prefix string, t time.Time) string {
	var b [16]byte
	ms := uint64(t.UnixMilli())
	binary.BigEndian.PutUint16(b[0:2], uint16(ms>>32))
	binary.BigEndian.PutUint32(b[2:6], uint32(ms))
	_, _ = rand.Read(b[6:])
	var sb strings.Builder
	sb.Grow(len(prefix) + 27)
	sb.WriteString(prefix)
	sb.WriteByte('_')
	// 128 bits → 26 base32 characters (130 bits, top 2 zero).
	hi := binary.BigEndian.Uint64(b[0:8])
	lo := binary.BigEndian.Uint64(b[8:16])
	var out [26]byte
	for i := 25; i >= 0; i-- {
		out[i] = alphabet[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	sb.Write(out[:])
	return sb.String()
}

// Valid reports whether s looks like an id with the given prefix.
func Valid(prefix, s string) bool {
	if len(s) != len(prefix)+27 || !strings.HasPrefix(s, prefix+"_") {
		return false
	}
	for _, c := range s[len(prefix)+1:] {
		if !strings.ContainsRune(alphabet, c) {
			return false
		}
	}
	return true
}
