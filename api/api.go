// Package api is Facturo's JSON API under /api/v1: thin handlers that decode,
// call one service method and encode. Errors become RFC 9457 problem+json in
// package core, in one place, with the stable code of package fail.
package api

import (
	"context"
	"reflect"

	"github.com/danielgtaylor/huma/v2"
	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/api/accounts"
	"github.com/facturo/facturo/api/bookkeeping"
	"github.com/facturo/facturo/api/core"
	"github.com/facturo/facturo/api/identity"
	"github.com/facturo/facturo/api/invoicing"
	"github.com/facturo/facturo/api/notify"
	"github.com/facturo/facturo/api/receivables"
	"github.com/facturo/facturo/api/sales"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service"
)

// Sessions is the cookie-session behaviour the login endpoints need.
type Sessions = identity.Sessions

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
	cfg.Components.Schemas.RegisterTypeAlias(reflect.TypeOf(calendar.Date{}), reflect.TypeOf(core.Date{}))
	cfg.Components.Schemas.RegisterTypeAlias(reflect.TypeOf(decimal.Decimal{}), reflect.TypeOf(""))
	cfg.Components.Schemas.RegisterTypeAlias(reflect.TypeOf(money.Amount{}), reflect.TypeOf(""))    // written as money.Fixed writes it
	cfg.Components.Schemas.RegisterTypeAlias(reflect.TypeOf(money.UnitPrice{}), reflect.TypeOf("")) // written as money.Price writes it
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
	(&identity.Handlers{Svc: h.Svc, Sessions: h.Sessions}).Register(api)
	(&accounts.Handlers{Svc: h.Svc}).Register(api)
	(&invoicing.Handlers{Svc: h.Svc}).Register(api)
	(&bookkeeping.Handlers{Svc: h.Svc}).Register(api)
	(&sales.Handlers{Svc: h.Svc}).Register(api)
	(&receivables.Handlers{Svc: h.Svc}).Register(api)
	(&notify.Handlers{Svc: h.Svc}).Register(api)
}

// Problem is an RFC 9457 problem detail (core.Problem).
type Problem = core.Problem

// NewProblem builds a problem for a status, message and optional causes.
func NewProblem(status int, detail string, errs ...error) *Problem {
	return core.NewProblem(status, detail, errs...)
}

// ProblemFor turns any error into a problem: domain errors by their code,
// anything else as a logged 500 with a generic message.
func ProblemFor(ctx context.Context, err error) *Problem { return core.ProblemFor(ctx, err) }

// RemoteAddrHeader carries the client address from the server middleware to
// the login handler (set by the server; a client's value is overwritten).
const RemoteAddrHeader = identity.RemoteAddrHeader

// Me describes the authenticated caller (identity.Me).
type Me = identity.Me

// CustomerInput creates or changes a customer (accounts.CustomerInput).
type CustomerInput = accounts.CustomerInput
