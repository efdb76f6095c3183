package service

import (
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/facturo/facturo/fail"
)

// Page asks for one page of a list: at most Limit rows after Cursor.
type Page struct {
	Limit  int
	Cursor string // opaque, from the previous page's Next
	after  *Cursor
}

// DefaultLimit and MaxLimit bound page sizes.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// Cursor is the keyset position of the last row of a page: its sort value and id.
type Cursor struct {
	Sort string `json:"s,omitempty"`
	ID   string `json:"i"`
}

// After returns the decoded cursor, or nil for the first page.
func (p Page) After() *Cursor { return p.after }

func (p Page) normalized() Page {
	if p.Limit <= 0 {
		p.Limit = DefaultLimit
	}
	if p.Limit > MaxLimit {
		p.Limit = MaxLimit
	}
	return p
}

// decode parses the cursor; a malformed cursor is invalid input.
func (p *Page) decode() error {
	*p = p.normalized()
	if p.Cursor == "" {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(p.Cursor)
	var c Cursor
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	// A NUL cannot be stored or compared by PostgreSQL: only a forged cursor has one.
	if err != nil || c.ID == "" || strings.ContainsRune(c.ID+c.Sort, 0) {
		return fail.Field("cursor", "is not a cursor this API returned; start again without it")
	}
	p.after = &c
	return nil
}

// EncodeCursor renders c for clients.
func EncodeCursor(c Cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// PageOf is one page of results and the cursor of the next page ("" at the end).
type PageOf[T any] struct {
	Items []T
	Next  string
}

// pageOf trims rows fetched with limit+1 to limit and sets Next.
func pageOf[T any](rows []T, limit int, cursor func(T) Cursor) PageOf[T] {
	if len(rows) <= limit {
		return PageOf[T]{Items: rows}
	}
	rows = rows[:limit]
	return PageOf[T]{Items: rows, Next: EncodeCursor(cursor(rows[len(rows)-1]))}
}
