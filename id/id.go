// Package id makes the opaque, prefixed, time-ordered identifiers Facturo
// uses in its API (cus_…, inv_…, si_…). The 48-bit millisecond timestamp
// first keeps new rows at the end of indexes; 80 random bits make them
// unguessable. Within one process, ids made in the same millisecond still
// sort in the order they were made, also when ids at other times are made in
// between: the random part then grows by a random step instead of being
// drawn afresh.
package id

import (
	"crypto/rand"
	"encoding/binary"
	"strings"
	"sync"
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
	// UsageImport is a usage file imported from the console.
	UsageImport = "uim"
)

// New returns prefix_ followed by 26 characters.
func New(prefix string) string { return NewAt(prefix, time.Now()) }

// NewAt is New with an explicit time (for tests and imports).
func NewAt(prefix string, t time.Time) string {
	var b [16]byte
	ms := uint64(t.UnixMilli())
	binary.BigEndian.PutUint16(b[0:2], uint16(ms>>32))
	binary.BigEndian.PutUint32(b[2:6], uint32(ms))
	next.fill(ms, b[6:])
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

// recentMillis is how many distinct milliseconds monotonic remembers.
const recentMillis = 64

// monotonic remembers, for each of the last recentMillis milliseconds ids
// were made at, the last random part: ids at one millisecond then sort in
// the order made even when ids at other times are made in between
// (services with clocks of their own in one process, a clock stepping
// back).
type monotonic struct {
	mu    sync.Mutex
	last  map[uint64]*[10]byte
	order []uint64 // the remembered milliseconds, oldest first
}

var next monotonic

// fill writes the 80-bit random part for an id at ms into dst: fresh random
// bits for a millisecond not remembered, or its last value plus a random
// 32-bit step (fresh bits again in the astronomically rare overflow).
func (m *monotonic) fill(ms uint64, dst []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if last := m.last[ms]; last != nil && increment(last) {
		copy(dst, last[:])
		return
	}
	if m.last == nil {
		m.last = map[uint64]*[10]byte{}
	}
	last := m.last[ms]
	if last == nil {
		if len(m.order) == recentMillis {
			delete(m.last, m.order[0])
			m.order = m.order[1:]
		}
		last = new([10]byte)
		m.last[ms] = last
		m.order = append(m.order, ms)
	}
	_, _ = rand.Read(last[:])
	last[0] &= 0x7f // leaves room to grow within the millisecond
	copy(dst, last[:])
}

// increment adds a random step in [1, 2^32] to last, reporting false on overflow.
func increment(last *[10]byte) bool {
	var r [4]byte
	_, _ = rand.Read(r[:])
	carry := uint64(binary.BigEndian.Uint32(r[:])) + 1
	for i := len(last) - 1; i >= 0 && carry > 0; i-- {
		sum := uint64(last[i]) + carry&0xff
		last[i] = byte(sum)
		carry = carry>>8 + sum>>8
	}
	return carry == 0
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
