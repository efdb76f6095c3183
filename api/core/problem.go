// Package core holds what every area of Facturo's JSON API shares: the
// registration of an operation, errors as RFC 9457 problem+json with the
// stable code of package fail (the one error → status mapping), pages,
// dates and amounts.
package core

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/facturo/facturo/fail"
)

// Problem is an RFC 9457 problem detail with Facturo's stable code and the
// fields at fault.
type Problem struct {
	Type    string            `json:"type" doc:"A URI naming the problem type."`
	Title   string            `json:"title" doc:"Short summary of the problem type."`
	Status  int               `json:"status" doc:"HTTP status code."`
	Detail  string            `json:"detail" doc:"What went wrong and what to fix."`
	Code    fail.Code         `json:"code" enum:"invalid,not_found,conflict,forbidden,unauthenticated,rate_limited,payment_failed,internal" doc:"Stable machine-readable code."`
	Field   string            `json:"field,omitempty" doc:"The first input field at fault."`
	Errors  []fail.FieldError `json:"errors,omitempty" doc:"Every input field at fault."`
	Allowed []string          `json:"allowed,omitempty" doc:"Permitted alternatives, such as the legal status transitions."`
}

func (p *Problem) Error() string  { return p.Detail }
func (p *Problem) GetStatus() int { return p.Status }

// GetHeaders adds the challenge every 401 must carry (RFC 9110 §15.5.2).
func (p *Problem) GetHeaders() http.Header {
	if p.Status == http.StatusUnauthorized {
		return http.Header{"Www-Authenticate": {`Bearer realm="facturo"`}}
	}
	return nil
}

// ContentType makes problems application/problem+json.
func (p *Problem) ContentType(ct string) string {
	if ct == "application/json" || ct == "" {
		return "application/problem+json"
	}
	return ct
}

// StatusOf maps a stable code to its HTTP status: the one such table.
func StatusOf(code fail.Code) int {
	switch code {
	case fail.Invalid:
		return http.StatusUnprocessableEntity
	case fail.NotFound:
		return http.StatusNotFound
	case fail.Conflict:
		return http.StatusConflict
	case fail.Forbidden:
		return http.StatusForbidden
	case fail.Unauthenticated:
		return http.StatusUnauthorized
	case fail.RateLimited:
		return http.StatusTooManyRequests
	case fail.PaymentFailed:
		return http.StatusPaymentRequired
	}
	return http.StatusInternalServerError
}

func codeOfStatus(status int) fail.Code {
	switch {
	case status == http.StatusUnauthorized:
		return fail.Unauthenticated
	case status == http.StatusForbidden:
		return fail.Forbidden
	case status == http.StatusNotFound || status == http.StatusMethodNotAllowed:
		return fail.NotFound
	case status == http.StatusConflict || status == http.StatusPreconditionFailed:
		return fail.Conflict
	case status == http.StatusTooManyRequests:
		return fail.RateLimited
	case status == http.StatusPaymentRequired:
		return fail.PaymentFailed
	case status >= 500:
		return fail.Internal
	}
	return fail.Invalid
}

// NewProblem builds a problem for a status, message and optional causes.
func NewProblem(status int, detail string, errs ...error) *Problem {
	p := &Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail, Code: codeOfStatus(status)}
	for _, e := range errs {
		if e == nil {
			continue
		}
		var d huma.ErrorDetailer
		if errors.As(e, &d) {
			det := d.ErrorDetail()
			p.Errors = append(p.Errors, fail.FieldError{Field: fieldOf(det.Location, det.Message), Message: det.Message})
			continue
		}
		if status >= 500 {
			continue // never leak internal error text
		}
		p.Errors = append(p.Errors, fail.FieldError{Message: e.Error()})
	}
	if status == http.StatusRequestEntityTooLarge {
		p.Detail = "the request body is too large: send at most 1 MiB of JSON"
		p.Errors = []fail.FieldError{{Field: "body", Message: "must be at most 1 MiB"}}
	}
	if status == http.StatusBadRequest && len(p.Errors) == 0 {
		// huma's 400s are about the body as a whole ("request body is required").
		p.Errors = []fail.FieldError{{Field: "body", Message: detail}}
	}
	if status == http.StatusBadRequest && len(p.Errors) > 0 && p.Errors[0].Field == "" {
		p.Errors[0].Field = "body"
		p.Detail = "the request body is not valid JSON: " + p.Errors[0].Message
	}
	if len(p.Errors) > 0 {
		p.Field = p.Errors[0].Field
		if p.Field != "" && (detail == "validation failed" || detail == "") {
			p.Detail = p.Field + ": " + p.Errors[0].Message
		}
	}
	if p.Code == fail.Internal {
		p.Detail = "an internal error occurred; it has been logged"
	}
	return p
}

var requiredProp = regexp.MustCompile(`expected required property (\S+) to be present`)

// fieldOf turns a huma location ("body.billing.email", "query.limit") into a field name.
func fieldOf(loc, msg string) string {
	whole := loc == "body" // the body as a whole, e.g. an array where an object belongs
	loc = strings.TrimPrefix(loc, "body")
	loc = strings.TrimPrefix(loc, ".")
	for _, p := range []string{"query.", "path.", "header."} {
		loc = strings.TrimPrefix(loc, p)
	}
	if m := requiredProp.FindStringSubmatch(msg); m != nil {
		if loc == "" {
			return m[1]
		}
		return loc + "." + m[1]
	}
	if whole {
		return "body"
	}
	return loc
}

func init() {
	huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
		return NewProblem(status, msg, errs...)
	}
	huma.NewErrorWithContext = func(hctx huma.Context, status int, msg string, errs ...error) huma.StatusError {
		p := NewProblem(status, msg, errs...)
		if status == http.StatusRequestEntityTooLarge && hctx != nil {
			tooLarge(p, hctx.Operation())
		}
		return p
	}
}

// tooLarge words a 413 with the operation's own limit and, for an upload
// (Metadata "bodyField"), the field the body is: the file.
func tooLarge(p *Problem, o *huma.Operation) {
	if o == nil || o.MaxBodyBytes <= 0 {
		return
	}
	field, _ := o.Metadata["bodyField"].(string)
	if field == "" {
		field = "body"
	}
	limit := fmt.Sprintf("%d MiB", o.MaxBodyBytes>>20)
	if o.MaxBodyBytes < 1<<20 {
		limit = fmt.Sprintf("%d bytes", o.MaxBodyBytes)
	}
	p.Field = field
	p.Detail = fmt.Sprintf("%s: the request is too large: send at most %s", field, limit)
	p.Errors = []fail.FieldError{{Field: field, Message: "must be at most " + limit}}
}

// ProblemFor turns any error into a problem: domain errors by their code,
// anything else as a logged 500 with a generic message.
func ProblemFor(ctx context.Context, err error) *Problem {
	var p *Problem
	if errors.As(err, &p) {
		return p
	}
	var se huma.StatusError
	if errors.As(err, &se) {
		return NewProblem(se.GetStatus(), se.Error())
	}
	e, ok := fail.As(err)
	if !ok || e.Code == fail.Internal {
		if errors.Is(err, context.Canceled) {
			return NewProblem(499, "the request was cancelled")
		}
		slog.ErrorContext(ctx, "internal error", "err", err)
		return NewProblem(http.StatusInternalServerError, "")
	}
	status := StatusOf(e.Code)
	out := &Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: e.Error(), Code: e.Code,
		Errors: e.Fields, Allowed: e.Allowed}
	if len(e.Fields) > 0 {
		out.Field = e.Fields[0].Field
	}
	return out
}
