package invoicing

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/api/core"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/documents"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/service"
)

// documentOut is a rendered document download.
type documentOut struct {
	ContentType           string `header:"Content-Type"`
	ContentDisposition    string `header:"Content-Disposition"`
	ContentSecurityPolicy string `header:"Content-Security-Policy"`
	CacheControl          string `header:"Cache-Control"`
	Body                  []byte
}

func download(contentType string, inv billing.Invoice, ext, disposition string, body []byte) *documentOut {
	return &documentOut{ContentType: contentType, Body: body, CacheControl: "private, no-store",
		ContentDisposition: fmt.Sprintf("%s; filename=%q", disposition, documents.Filename(inv, ext))}
}

// BrandingOut is the tenant's document branding.
type BrandingOut struct {
	HasLogo             bool   `json:"has_logo"`
	LogoType            string `json:"logo_type"`
	PrimaryColor        string `json:"primary_color"`
	AccentColor         string `json:"accent_color"`
	PaymentInstructions string `json:"payment_instructions"`
	IBAN                string `json:"iban"`
	BIC                 string `json:"bic"`
	Email               string `json:"email"`
	Phone               string `json:"phone"`
}

func brandingOut(b documents.Branding) BrandingOut {
	return BrandingOut{HasLogo: len(b.Logo) > 0, LogoType: b.LogoType, PrimaryColor: b.PrimaryColor, AccentColor: b.AccentColor,
		PaymentInstructions: b.PaymentInstructions, IBAN: b.IBAN, BIC: b.BIC, Email: b.Email, Phone: b.Phone}
}

func (h *Handlers) registerDocuments(api huma.API) {
	tags := []string{"Invoice documents"}
	type idIn struct {
		ID string `path:"id"`
	}
	core.Op(api, huma.Operation{OperationID: "invoice-pdf", Method: http.MethodGet, Path: "/api/v1/invoices/{id}/pdf", Summary: "Download the PDF",
		Description: "The document in its customer's language (en, es, pt-BR) with the tenant's branding; drafts carry a DRAFT watermark.",
		Tags:        tags, Responses: binaryResponse("application/pdf")},
		func(ctx context.Context, p access.Principal, in *idIn) (*documentOut, error) {
			b, inv, err := h.Svc.InvoicePDF(ctx, p, in.ID)
			if err != nil {
				return nil, err
			}
			return download("application/pdf", inv, "pdf", "attachment", b), nil
		})
	core.Op(api, huma.Operation{OperationID: "invoice-ubl", Method: http.MethodGet, Path: "/api/v1/invoices/{id}/ubl", Summary: "Download the UBL e-invoice",
		Description: "A UBL 2.1 Invoice or CreditNote following EN 16931 (Peppol BIS Billing 3.0). Issued documents only. " +
			"A document in a currency with more than 2 decimals (BHD, KWD, …) has no e-invoice: 409 naming the currency and the rule.",
		Tags: tags, Responses: binaryResponse("application/xml")},
		func(ctx context.Context, p access.Principal, in *idIn) (*documentOut, error) {
			b, inv, err := h.Svc.InvoiceUBL(ctx, p, in.ID)
			if err != nil {
				return nil, err
			}
			return download("application/xml; charset=utf-8", inv, "xml", "attachment", b), nil
		})
	core.Op(api, huma.Operation{OperationID: "invoice-print", Method: http.MethodGet, Path: "/api/v1/invoices/{id}/print", Summary: "Print view",
		Description: "An HTML page of the document with print CSS; it opens the browser's print dialog when loaded.",
		Tags:        tags, Responses: binaryResponse("text/html")},
		func(ctx context.Context, p access.Principal, in *idIn) (*documentOut, error) {
			b, inv, err := h.Svc.InvoicePrint(ctx, p, in.ID)
			if err != nil {
				return nil, err
			}
			out := download("text/html; charset=utf-8", inv, "html", "inline", b)
			out.ContentSecurityPolicy = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src " +
				documents.PrintScriptHash + "; frame-ancestors 'self'"
			return out, nil
		})

	type exportIn struct {
		InvoiceFilterParams
	}
	export := func(detailed bool) func(ctx context.Context, p access.Principal, in *exportIn) (*huma.StreamResponse, error) {
		return func(ctx context.Context, p access.Principal, in *exportIn) (*huma.StreamResponse, error) {
			f, err := in.filter()
			if err != nil {
				return nil, err
			}
			// Bad filters and missing rights answer 4xx before anything is streamed.
			if err := h.Svc.CheckInvoiceFilter(ctx, p, f); err != nil {
				return nil, err
			}
			name := "invoices.csv"
			if detailed {
				name = "invoice-lines.csv"
			}
			return &huma.StreamResponse{Body: func(hc huma.Context) {
				hc.SetHeader("Content-Type", "text/csv; charset=utf-8; header=present")
				hc.SetHeader("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
				hc.SetHeader("Cache-Control", "private, no-store")
				hc.SetStatus(http.StatusOK)
				if err := h.Svc.ExportInvoices(hc.Context(), p, f, detailed, hc.BodyWriter()); err != nil {
					// Headers are sent: the truncated body is all the client can see.
					slog.ErrorContext(hc.Context(), "invoice export failed", "detailed", detailed, "err", err)
				}
			}}, nil
		}
	}
	core.Op(api, huma.Operation{OperationID: "export-invoices-csv", Method: http.MethodGet, Path: "/api/v1/invoices.csv", Summary: "Export invoices as CSV",
		Description: "One row per document, with the invoice list's filters and sort; streamed. RFC 4180, UTF-8, a header row, amounts as plain decimals.",
		Tags:        tags, Responses: binaryResponse("text/csv")}, export(false))
	core.Op(api, huma.Operation{OperationID: "export-invoice-lines-csv", Method: http.MethodGet, Path: "/api/v1/invoice-lines.csv", Summary: "Export invoice lines as CSV (detailed CSV)",
		Description: "One row per invoice line with the document's columns repeated, with the invoice list's filters and sort; streamed.",
		Tags:        tags, Responses: binaryResponse("text/csv")}, export(true))

	// Branding.
	btags := []string{"Tenant"}
	core.Op(api, huma.Operation{OperationID: "get-branding", Method: http.MethodGet, Path: "/api/v1/tenant/branding", Summary: "Get the document branding", Tags: btags},
		func(ctx context.Context, p access.Principal, _ *struct{}) (*core.Body[BrandingOut], error) {
			b, err := h.Svc.GetBranding(ctx, p)
			if err != nil {
				return nil, err
			}
			return &core.Body[BrandingOut]{Body: brandingOut(b)}, nil
		})
	type brandingPatch struct {
		core.IdempotencyHeader
		Body struct {
			PrimaryColor        *string `json:"primary_color,omitempty" doc:"#RRGGBB"`
			AccentColor         *string `json:"accent_color,omitempty" doc:"#RRGGBB"`
			PaymentInstructions *string `json:"payment_instructions,omitempty" maxLength:"2000"`
			IBAN                *string `json:"iban,omitempty"`
			BIC                 *string `json:"bic,omitempty"`
			Email               *string `json:"email,omitempty"`
			Phone               *string `json:"phone,omitempty"`
		}
	}
	core.Op(api, huma.Operation{OperationID: "update-branding", Method: http.MethodPatch, Path: "/api/v1/tenant/branding", Summary: "Change the document branding",
		Description: "Colours, payment instructions, bank account (IBAN, BIC) and contact on PDFs, print views and e-invoices. Administrators only.", Tags: btags},
		func(ctx context.Context, p access.Principal, in *brandingPatch) (*core.Body[BrandingOut], error) {
			b, err := h.Svc.UpdateBranding(ctx, p, service.BrandingPatch{PrimaryColor: in.Body.PrimaryColor, AccentColor: in.Body.AccentColor,
				PaymentInstructions: in.Body.PaymentInstructions, IBAN: in.Body.IBAN, BIC: in.Body.BIC, Email: in.Body.Email, Phone: in.Body.Phone})
			if err != nil {
				return nil, err
			}
			return &core.Body[BrandingOut]{Body: brandingOut(b)}, nil
		})
	type logoIn struct {
		RawBody []byte `contentType:"application/octet-stream"`
	}
	core.Op(api, huma.Operation{OperationID: "set-logo", Method: http.MethodPut, Path: "/api/v1/tenant/logo", Summary: "Upload the logo",
		Description: fmt.Sprintf("Send a PNG or JPEG image as the body, at most %d KiB; its type is checked from its bytes.", documents.MaxLogoBytes>>10),
		Tags:        btags, MaxBodyBytes: documents.MaxLogoBytes + 1, SkipValidateBody: true},
		func(ctx context.Context, p access.Principal, in *logoIn) (*core.Body[BrandingOut], error) {
			if len(in.RawBody) == 0 {
				return nil, errEmptyLogo
			}
			b, err := h.Svc.SetLogo(ctx, p, in.RawBody)
			if err != nil {
				return nil, err
			}
			return &core.Body[BrandingOut]{Body: brandingOut(b)}, nil
		})
	core.Op(api, huma.Operation{OperationID: "delete-logo", Method: http.MethodDelete, Path: "/api/v1/tenant/logo", Summary: "Remove the logo",
		Tags: btags, DefaultStatus: http.StatusNoContent},
		func(ctx context.Context, p access.Principal, _ *struct{}) (*core.Empty, error) {
			_, err := h.Svc.SetLogo(ctx, p, nil)
			return &core.Empty{}, err
		})
	core.Op(api, huma.Operation{OperationID: "get-logo", Method: http.MethodGet, Path: "/api/v1/tenant/logo", Summary: "Download the logo",
		Tags: btags, Responses: binaryResponse("image/png")},
		func(ctx context.Context, p access.Principal, _ *struct{}) (*documentOut, error) {
			b, typ, err := h.Svc.GetLogo(ctx, p)
			if err != nil {
				return nil, err
			}
			return &documentOut{ContentType: typ, Body: b, CacheControl: "private, max-age=300"}, nil
		})
}

// binaryResponse documents a 200 answer of the given media type.
func binaryResponse(mediaType string) map[string]*huma.Response {
	return map[string]*huma.Response{"200": {Description: "OK", Content: map[string]*huma.MediaType{
		mediaType: {Schema: &huma.Schema{Type: "string", Format: "binary"}}}}}
}

var errEmptyLogo = fail.Field("logo", "is empty: send a PNG or JPEG image as the body (DELETE removes the logo)")
