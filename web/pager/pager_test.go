package pager_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/facturo/facturo/web/pager"
)

// TestKeysetWalksBackAndForth follows Next twice and Previous twice on a
// keyset list: each Previous returns to the cursor of the page before, the
// filters stay in every link, and the position counts the rows shown.
func TestKeysetWalksBackAndForth(t *testing.T) {
	t.Parallel()
	keep := url.Values{"q": {"acme"}}
	at := func(href string) url.Values {
		t.Helper()
		u, err := url.Parse(href)
		if err != nil {
			t.Fatal(err)
		}
		if u.Path != "/console/customers" || u.Query().Get("q") != "acme" {
			t.Fatalf("link %q lost its path or filter", href)
		}
		return u.Query()
	}
	p1 := pager.Keyset("/console/customers", keep, url.Values{}, "cursor", 50, 50, "c2")
	if p1.First != "" || p1.Prev != "" || p1.Page != 1 || p1.From != 1 || p1.To != 50 || p1.Total != 0 || !p1.Shown() {
		t.Fatalf("page 1: %+v", p1)
	}
	q2 := at(string(p1.Next))
	p2 := pager.Keyset("/console/customers", keep, q2, "cursor", 50, 50, "c3")
	if q2.Get("cursor") != "c2" || p2.Page != 2 || p2.From != 51 || p2.To != 100 {
		t.Fatalf("page 2: %+v from %v", p2, q2)
	}
	if prev := at(string(p2.Prev)); prev.Get("cursor") != "" || prev.Get("back") != "" {
		t.Errorf("previous of page 2 is not page 1: %v", prev)
	}
	q3 := at(string(p2.Next))
	p3 := pager.Keyset("/console/customers", keep, q3, "cursor", 50, 7, "")
	if q3.Get("cursor") != "c3" || q3.Get("back") != "c2" || p3.Page != 3 || p3.From != 101 || p3.To != 107 || p3.Total != 107 || p3.Next != "" {
		t.Fatalf("last page: %+v from %v", p3, q3)
	}
	if prev := at(string(p3.Prev)); prev.Get("cursor") != "c2" || prev.Get("back") != "" {
		t.Errorf("previous of page 3 is not page 2: %v", prev)
	}
	if first := at(string(p3.First)); first.Get("cursor") != "" {
		t.Errorf("first of page 3: %v", first)
	}
}

// TestKeysetOnePage: a list that fits one page shows no pager.
func TestKeysetOnePage(t *testing.T) {
	t.Parallel()
	p := pager.Keyset("/console/invoices", nil, url.Values{}, "cursor", 50, 12, "")
	if p.Shown() || p.Total != 12 || p.From != 1 || p.To != 12 {
		t.Errorf("one page: %+v", p)
	}
	if empty := pager.Keyset("/console/invoices", nil, url.Values{}, "cursor", 50, 0, ""); empty.Shown() || empty.Total != 0 {
		t.Errorf("no rows: %+v", empty)
	}
}

// TestSliceBounds pages a list held in memory: the bounds of each page,
// a page number past the end clamped to the last page, and the anchor kept.
func TestSliceBounds(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		page           string
		lo, hi, number int
	}{{"", 0, 20, 1}, {"2", 20, 40, 2}, {"3", 40, 45, 3}, {"99", 40, 45, 3}, {"x", 0, 20, 1}} {
		p, lo, hi := pager.Slice("/portal/account", nil, url.Values{"tx_page": {tt.page}}, "tx_page", "#transactions", 20, 45)
		if lo != tt.lo || hi != tt.hi || p.Page != tt.number {
			t.Errorf("page %q: rows %d–%d page %d, want %d–%d page %d", tt.page, lo, hi, p.Page, tt.lo, tt.hi, tt.number)
		}
		if p.Next != "" && !strings.HasSuffix(string(p.Next), "#transactions") {
			t.Errorf("page %q: next %q lost the anchor", tt.page, p.Next)
		}
	}
}
