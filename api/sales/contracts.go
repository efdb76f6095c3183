package sales

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/api/core"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/service"
)

// PartInput is one contract part to save.
type PartInput struct {
	ID          string     `json:"id,omitempty" doc:"An existing part's id, to change it."`
	ProductID   string     `json:"product_id"`
	Description string     `json:"description,omitempty"`
	Quantity    string     `json:"quantity"`
	Price       *string    `json:"price,omitempty" doc:"The product's default price when omitted."`
	Interval    string     `json:"interval" enum:"monthly,quarterly,yearly"`
	StartDate   core.Date  `json:"start_date"`
	EndDate     *core.Date `json:"end_date,omitempty"`
	InArrears   bool       `json:"in_arrears,omitempty" doc:"Bill at the end of each period instead of its start."`
}

// ContractInput creates or changes a contract.
type ContractInput struct {
	CustomerID string      `json:"customer_id,omitempty"`
	Name       string      `json:"name,omitempty"`
	Status     string      `json:"status,omitempty" enum:"active,ended,"`
	Parts      []PartInput `json:"parts,omitempty"`
}

func (in ContractInput) toService() service.ContractInput {
	out := service.ContractInput{CustomerID: in.CustomerID, Name: in.Name, Status: in.Status}
	for _, p := range in.Parts {
		pi := service.PartInput{ID: p.ID, ProductID: p.ProductID, Description: p.Description, Quantity: p.Quantity, Price: p.Price,
			Interval: p.Interval, Start: p.StartDate.Date, InArrears: p.InArrears}
		if p.EndDate != nil {
			pi.End = p.EndDate.Date
		}
		out.Parts = append(out.Parts, pi)
	}
	return out
}

func (h *Handlers) registerContracts(api huma.API) {
	tags := []string{"Contracts and tickets"}
	type listIn struct {
		Customer string `query:"customer_id"`
	}
	core.Op(api, huma.Operation{OperationID: "list-contracts", Method: http.MethodGet, Path: "/api/v1/contracts", Summary: "List contracts", Tags: tags},
		func(ctx context.Context, p access.Principal, in *listIn) (*core.Body[core.List[billing.Contract]], error) {
			cs, err := h.Svc.ListContracts(ctx, p, in.Customer)
			if err != nil {
				return nil, err
			}
			return core.ListOf(service.PageOf[billing.Contract]{Items: cs}, func(c billing.Contract) billing.Contract { return c }), nil
		})
	type createIn struct {
		core.IdempotencyHeader
		Body ContractInput
	}
	core.Op(api, huma.Operation{OperationID: "create-contract", Method: http.MethodPost, Path: "/api/v1/contracts", Summary: "Create a contract", Tags: tags},
		func(ctx context.Context, p access.Principal, in *createIn) (*core.Body[billing.Contract], error) {
			c, err := h.Svc.CreateContract(ctx, p, in.Body.toService())
			if err != nil {
				return nil, err
			}
			return &core.Body[billing.Contract]{Body: c}, nil
		})
	type patchIn struct {
		ID   string `path:"id"`
		Body ContractInput
	}
	core.Op(api, huma.Operation{OperationID: "update-contract", Method: http.MethodPatch, Path: "/api/v1/contracts/{id}", Summary: "Change a contract",
		Description: "Parts named by id are changed, parts without an id are added; a part is ended by its end_date, never removed.", Tags: tags},
		func(ctx context.Context, p access.Principal, in *patchIn) (*core.Body[billing.Contract], error) {
			c, err := h.Svc.UpdateContract(ctx, p, in.ID, in.Body.toService())
			if err != nil {
				return nil, err
			}
			return &core.Body[billing.Contract]{Body: c}, nil
		})
	core.Op(api, huma.Operation{OperationID: "list-tickets", Method: http.MethodGet, Path: "/api/v1/tickets", Summary: "List tickets", Tags: tags},
		func(ctx context.Context, p access.Principal, in *listIn) (*core.Body[core.List[service.Ticket]], error) {
			ts, err := h.Svc.ListTickets(ctx, p, in.Customer)
			if err != nil {
				return nil, err
			}
			return core.ListOf(service.PageOf[service.Ticket]{Items: ts}, func(t service.Ticket) service.Ticket { return t }), nil
		})
	type ticketIn struct {
		core.IdempotencyHeader
		Body struct {
			CustomerID string `json:"customer_id"`
			Title      string `json:"title" maxLength:"300"`
		}
	}
	core.Op(api, huma.Operation{OperationID: "create-ticket", Method: http.MethodPost, Path: "/api/v1/tickets", Summary: "Open a ticket", Tags: tags},
		func(ctx context.Context, p access.Principal, in *ticketIn) (*core.Body[service.Ticket], error) {
			t, err := h.Svc.CreateTicket(ctx, p, in.Body.CustomerID, in.Body.Title)
			if err != nil {
				return nil, err
			}
			return &core.Body[service.Ticket]{Body: t}, nil
		})
	type timeIn struct {
		core.IdempotencyHeader
		ID   string `path:"id"`
		Body struct {
			WorkDate    core.Date `json:"work_date"`
			Minutes     int       `json:"minutes" minimum:"1" maximum:"1440"`
			Billable    bool      `json:"billable"`
			Rate        string    `json:"rate,omitempty" doc:"Per hour; required for billable time."`
			Description string    `json:"description" maxLength:"1000"`
		}
	}
	type timeOut struct {
		Entry     service.TimeEntry `json:"time_entry"`
		SalesItem *SalesItem        `json:"sales_item,omitempty" doc:"The sales item billable time became."`
	}
	core.Op(api, huma.Operation{OperationID: "log-time", Method: http.MethodPost, Path: "/api/v1/tickets/{id}/time-entries", Summary: "Log time on a ticket",
		Description: "Engineers may log time. A billable entry becomes a sales item of the ticket's customer.", Tags: tags},
		func(ctx context.Context, p access.Principal, in *timeIn) (*core.Body[timeOut], error) {
			e, si, err := h.Svc.LogTime(ctx, p, in.ID, service.TimeEntryInput{WorkDate: in.Body.WorkDate.Date, Minutes: in.Body.Minutes,
				Billable: in.Body.Billable, Rate: in.Body.Rate, Description: in.Body.Description})
			if err != nil {
				return nil, err
			}
			out := timeOut{Entry: e}
			if si != nil {
				o := SalesItemOut(*si)
				out.SalesItem = &o
			}
			return &core.Body[timeOut]{Body: out}, nil
		})
}
