// Package pager builds the navigation of the console's and portal's
// lists: first, previous and next links and the rows shown, and the links
// that sort or filter a list.
package pager

import (
	"html/template"
	"net/url"
	"strconv"
	"strings"
)

// Pager is the navigation of one page of a list: links to the first,
// previous and next pages ("" when there is none) and the position of the
// rows shown. Keyset lists are not counted (a count of a million invoices
// per page view is too slow): the position is "rows 101–150", and the
// total only shows on the last page, where it is known.
type Pager struct {
	First, Prev, Next template.URL // hrefs
	From, To          int          // 1-based positions of the first and last row shown
	Page              int
	Total             int    // the number of rows, when known (the last page); else 0
	Anchor            string // a fragment the links keep ("#transactions")
}

// Shown reports whether the pager has anything to show: more than one page.
func (p Pager) Shown() bool { return p.First != "" || p.Next != "" }

// backSep separates the cursors of the back-stack: cursors are base64url or
// ids, which never hold a dot.
const backSep = "."

// maxBack bounds the back-stack a URL may carry (about 100 pages deep).
const maxBack = 100

// Keyset is the pager of a keyset-paged list. The URL carries the
// page's cursor (param) and, in "back", the cursors of the pages before it
// but the first, so "Previous" returns to exactly the rows seen before.
// keep holds the list's filters; rows is the number of rows shown and next
// the cursor of the following page ("" on the last page).
func Keyset(base string, keep, q url.Values, param string, limit, rows int, next string) Pager {
	cur := q.Get(param)
	var back []string
	if cur != "" {
		if b := q.Get("back"); b != "" {
			back = strings.Split(b, backSep)
		}
		if len(back) > maxBack {
			back = back[len(back)-maxBack:]
		}
	}
	link := func(cursor string, stack []string) template.URL {
		v := url.Values{}
		for k, vs := range keep {
			v[k] = append([]string(nil), vs...)
		}
		v.Del(param)
		v.Del("back")
		if cursor != "" {
			v.Set(param, cursor)
			if len(stack) > 0 {
				v.Set("back", strings.Join(stack, backSep))
			}
		}
		if s := v.Encode(); s != "" {
			return template.URL(base + "?" + s)
		}
		return template.URL(base)
	}
	p := Pager{Page: 1}
	if cur != "" {
		p.Page = len(back) + 2
		p.First = link("", nil)
		if len(back) == 0 {
			p.Prev = p.First
		} else {
			p.Prev = link(back[len(back)-1], back[:len(back)-1])
		}
	}
	if next != "" {
		stack := back
		if cur != "" {
			stack = append(append([]string(nil), back...), cur)
		}
		p.Next = link(next, stack)
	}
	p.position(limit, rows, next == "")
	return p
}

// position sets From, To and, on the last page, Total.
func (p *Pager) position(limit, rows int, last bool) {
	p.From = (p.Page-1)*limit + 1
	p.To = p.From + rows - 1
	if rows == 0 {
		p.From = p.To
	}
	if last {
		p.Total = p.To
	}
}

// Slice pages a list held in memory (at most a few hundred rows) by
// page number, in param: it returns the pager and the bounds of the rows
// of the page asked for.
func Slice(base string, keep, q url.Values, param, anchor string, limit, n int) (Pager, int, int) {
	pages := max(1, (n+limit-1)/limit)
	page, _ := strconv.Atoi(q.Get(param))
	page = min(max(page, 1), pages)
	link := func(pg int) template.URL {
		v := url.Values{}
		for k, vs := range keep {
			v[k] = append([]string(nil), vs...)
		}
		v.Del(param)
		if pg > 1 {
			v.Set(param, strconv.Itoa(pg))
		}
		s := base
		if e := v.Encode(); e != "" {
			s += "?" + e
		}
		return template.URL(s + anchor)
	}
	p := Pager{Page: page, Anchor: anchor}
	if page > 1 {
		p.First, p.Prev = link(1), link(page-1)
	}
	if page < pages {
		p.Next = link(page + 1)
	}
	lo, hi := (page-1)*limit, min(page*limit, n)
	p.position(limit, hi-lo, true)
	p.Total = n
	return p, lo, hi
}

// Query is the query of a list's link: base with each key of kv set to
// the value after it, or removed when that value is "".
func Query(base url.Values, kv ...string) template.URL {
	q := url.Values{}
	for k, v := range base {
		q[k] = append([]string(nil), v...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			q.Del(kv[i])
		} else {
			q.Set(kv[i], kv[i+1])
		}
	}
	return template.URL(q.Encode())
}

// DescNext is the "desc" value of the link of the sort column col of a
// list sorted by sort: "1" when the list is sorted ascending by col, so a
// second click reverses it.
func DescNext(sort string, desc bool, col string) string {
	if sort == col && !desc {
		return "1"
	}
	return ""
}
