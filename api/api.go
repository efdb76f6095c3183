package api

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"
	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/service"
)

// Sessions is the cookie-session behaviour the login endpoints need.
type Sessions interface {
	// Login renews the session token (against fixation) and stores the user.
	Login(ctx context.Context, tenantID, userID string) error
	Logout(ctx context.Context) error
}

// Handlers holds what the operations call.
type Handlers struct {
	Svc      *service.Service
	Sessions Sessions
}

// Config returns the OpenAPI configuration of the API.
func Config(version string) huma.Config {
	cfg := huma.DefaultConfig("Facturo API", version)
	cfg.Info.Description = "Billing and invoicing for service providers. Amounts are decimal strings with their ISO 4217 currency. " +
		"Authenticate with `Authorization: Bearer <API key>` or a session cookie from POST /api/v1/auth/login. " +
		"Every POST accepts an `Idempotency-Key` header. Errors are RFC 9457 problem+json with a stable `code`."
	cfg.CreateHooks = nil // no "$schema" link in every response body
	// Domain types that render as strings in JSON are strings in the schema.
	cfg.Components.Schemas.RegisterTypeAlias(reflect.TypeOf(calendar.Date{}), reflect.TypeOf(Date{}))
	cfg.Components.Schemas.RegisterTypeAlias(reflect.TypeOf(decimal.Decimal{}), reflect.TypeOf(""))
	cfg.OpenAPIPath = "/api/v1/openapi"
	cfg.DocsPath = "" // served by RegisterDocs from the binary, not from a CDN
	cfg.SchemasPath = "/api/v1/schemas"
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer", Description: "An API key (fk_…)."},
		"cookie": {Type: "apiKey", In: "cookie", Name: SessionCookie},
	}
	cfg.Security = []map[string][]string{{"bearer": {}}, {"cookie": {}}}
	return cfg
}

// SessionCookie is the name of the session cookie.
const SessionCookie = "facturo_session"

// Register adds every operation to api.
func (h *Handlers) Register(api huma.API) {
	h.registerAuth(api)
	h.registerTenant(api)
	h.registerCustomers(api)
	h.registerAudit(api)
	h.registerInvoices(api)
	h.registerLedger(api)
	h.registerCorrections(api)
	h.registerSalesItems(api)
	h.registerContracts(api)
	h.registerBillingRuns(api)
	h.registerPaymentMethods(api)
	h.registerPayments(api)
	h.registerDunning(api)
	h.registerSubscriptions(api)
	h.registerWallets(api)
	h.registerDashboard(api)
	h.registerDocuments(api)
	h.registerOutbox(api)
	h.registerWebhooks(api)
	h.registerExchangeRates(api)
}

// op registers an operation whose errors are mapped to problems in one place.
func op[I, O any](api huma.API, o huma.Operation, fn func(ctx context.Context, p access.Principal, in *I) (*O, error)) {
	if o.DefaultStatus == 0 && o.Method == http.MethodPost {
		o.DefaultStatus = http.StatusCreated
	}
	o.Errors = append(o.Errors, http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusUnprocessableEntity)
	huma.Register(api, o, func(ctx context.Context, in *I) (*O, error) {
		if field := badText(reflect.ValueOf(in).Elem(), ""); field != "" {
			return nil, ProblemFor(ctx, fail.Field(field, "must be UTF-8 text without NUL characters"))
		}
		out, err := fn(ctx, access.FromContext(ctx), in)
		if err != nil {
			return nil, ProblemFor(ctx, err)
		}
		return out, nil
	})
}

// badText returns the name of the first input field (path, query or header
// parameter, or body field) holding text that is not valid UTF-8 or holds a
// NUL byte, or "". PostgreSQL can neither store nor compare such text, so
// without this check the same request fails with a 500 on one engine only.
func badText(v reflect.Value, name string) string {
	join := func(a, b string) string {
		if a == "" {
			return b
		}
		return a + "." + b
	}
	switch v.Kind() {
	case reflect.String:
		if s := v.String(); !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
			return name
		}
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return badText(v.Elem(), name)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if f := badText(v.Index(i), fmt.Sprintf("%s[%d]", name, i)); f != "" {
				return f
			}
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			k := fmt.Sprint(it.Key().Interface())
			if f := badText(reflect.ValueOf(k), join(name, k)); f != "" {
				return f
			}
			if f := badText(it.Value(), join(name, k)); f != "" {
				return f
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			sf := t.Field(i)
			if !sf.IsExported() {
				continue
			}
			field := name
			if !sf.Anonymous && !(name == "" && sf.Name == "Body") { // the body's fields are top-level names
				tag := sf.Name
				for _, k := range []string{"path", "query", "header", "json"} {
					if v, ok := sf.Tag.Lookup(k); ok {
						tag, _, _ = strings.Cut(v, ",")
						break
					}
				}
				if tag == "-" {
					continue
				}
				field = join(name, tag)
			}
			if f := badText(v.Field(i), field); f != "" {
				return f
			}
		}
	}
	return ""
}

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

func listOf[T, D any](page service.PageOf[T], conv func(T) D) *Body[List[D]] {
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

func (p PageParams) page() service.Page { return service.Page{Limit: p.Limit, Cursor: p.Cursor} }

// IdempotencyHeader documents the Idempotency-Key header on POSTs.
type IdempotencyHeader struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"255" doc:"Repeat a request safely: the same key and request (a JSON body compared as a value) return the first response, stored with the change in one transaction; the same key with another request is 409. A request refused for its input (400, 422) keeps no key, so the corrected request may use it."`
}

// Empty is a response without a body.
type Empty struct{}
