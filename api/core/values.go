package core

import "github.com/facturo/facturo/service"

// Body wraps a response body.
type Body[T any] struct {
	Body T
}

// List is one page of a list.
type List[T any] struct {
	Data       []T    `json:"data"`
	NextCursor string `json:"next_cursor" doc:"Pass as cursor to get the next page; empty on the last page."`
	HasMore    bool   `json:"has_more"`
}

// ListOf is a page of a service list converted item by item for the API.
func ListOf[T, D any](page service.PageOf[T], conv func(T) D) *Body[List[D]] {
	out := List[D]{Data: make([]D, 0, len(page.Items)), NextCursor: page.Next, HasMore: page.Next != ""}
	for _, it := range page.Items {
		out.Data = append(out.Data, conv(it))
	}
	return &Body[List[D]]{Body: out}
}

// PageParams are the pagination query parameters.
type PageParams struct {
	Limit  int    `query:"limit" minimum:"1" maximum:"500" default:"50" doc:"Rows per page."`
	Cursor string `query:"cursor" doc:"The next_cursor of the previous page."`
}

// Page is the service page the parameters ask for.
func (p PageParams) Page() service.Page { return service.Page{Limit: p.Limit, Cursor: p.Cursor} }

// IdempotencyHeader documents the Idempotency-Key header on POSTs.
type IdempotencyHeader struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"255" doc:"Repeat a request safely: the same key and request (a JSON body compared as a value) return the first response, stored with the change in one transaction; the same key with another request is 409. A request refused for its input (400, 422) keeps no key, so the corrected request may use it."`
}

// Empty is a response without a body.
type Empty struct{}
