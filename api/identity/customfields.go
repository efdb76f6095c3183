package identity

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/api/core"
	"github.com/facturo/facturo/customfield"
	"github.com/facturo/facturo/service"
)

// CustomField is the definition of a custom field key in the API.
type CustomField struct {
	Key             string            `json:"key"`
	AppliesTo       string            `json:"applies_to" enum:"invoice,customer"`
	Labels          map[string]string `json:"labels" doc:"The label by language (en, es, pt-BR); a language without one shows another's."`
	ShowOnDocuments bool              `json:"show_on_documents" doc:"Whether PDF and print views of invoices print the field."`
	Position        int               `json:"position" doc:"Order among the fields of the same record kind (then by key)."`
	CreatedAt       time.Time         `json:"created_at"`
	UpdatedAt       time.Time         `json:"updated_at"`
}

func customFieldOut(d customfield.Def) CustomField {
	labels := d.Labels
	if labels == nil {
		labels = map[string]string{}
	}
	return CustomField{Key: d.Key, AppliesTo: d.AppliesTo, Labels: labels, ShowOnDocuments: d.ShowOnDocuments, Position: d.Position,
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
}

func (h *Handlers) registerCustomFields(api huma.API) {
	settings := []string{"Settings"}
	core.Op(api, huma.Operation{OperationID: "list-custom-fields", Method: http.MethodGet, Path: "/api/v1/custom-fields", Summary: "List custom field definitions",
		Description: "The labels of the keys of the custom_fields of invoices and customers. A key without a definition shows under the key itself.", Tags: settings},
		func(ctx context.Context, p access.Principal, _ *struct{}) (*core.Body[core.List[CustomField]], error) {
			defs, err := h.Svc.ListCustomFieldDefs(ctx, p)
			if err != nil {
				return nil, err
			}
			return core.ListOf(service.PageOf[customfield.Def]{Items: defs}, customFieldOut), nil
		})
	type putField struct {
		AppliesTo string `path:"applies_to" enum:"invoice,customer"`
		Key       string `path:"key"`
		Body      struct {
			Labels          map[string]string `json:"labels" doc:"The label by language (en, es, pt-BR); at least one."`
			ShowOnDocuments bool              `json:"show_on_documents,omitempty"`
			Position        int               `json:"position,omitempty"`
		}
	}
	core.Op(api, huma.Operation{OperationID: "put-custom-field", Method: http.MethodPut, Path: "/api/v1/custom-fields/{applies_to}/{key}",
		Summary: "Create or change a custom field definition", Tags: settings},
		func(ctx context.Context, p access.Principal, in *putField) (*core.Body[CustomField], error) {
			d, err := h.Svc.SaveCustomFieldDef(ctx, p, customfield.Def{Key: in.Key, AppliesTo: in.AppliesTo, Labels: in.Body.Labels,
				ShowOnDocuments: in.Body.ShowOnDocuments, Position: in.Body.Position})
			if err != nil {
				return nil, err
			}
			return &core.Body[CustomField]{Body: customFieldOut(d)}, nil
		})
	type fieldID struct {
		AppliesTo string `path:"applies_to" enum:"invoice,customer"`
		Key       string `path:"key"`
	}
	core.Op(api, huma.Operation{OperationID: "delete-custom-field", Method: http.MethodDelete, Path: "/api/v1/custom-fields/{applies_to}/{key}",
		Summary: "Delete a custom field definition", Description: "The values records carry stay, shown under the key.", Tags: settings, DefaultStatus: http.StatusNoContent},
		func(ctx context.Context, p access.Principal, in *fieldID) (*core.Empty, error) {
			return &core.Empty{}, h.Svc.DeleteCustomFieldDef(ctx, p, in.AppliesTo, in.Key)
		})
}
