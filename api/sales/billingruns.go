package sales

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/api/core"
	"github.com/facturo/facturo/api/invoicing"
	"github.com/facturo/facturo/service"
)

// BillingRun is a billing run with its progress.
type BillingRun struct {
	ID              string         `json:"id"`
	PeriodStart     core.Date      `json:"period_start"`
	PeriodEnd       core.Date      `json:"period_end"`
	Issue           bool           `json:"issue"`
	Status          string         `json:"status" enum:"running,completed,failed"`
	Phase           string         `json:"phase"`
	ItemsTotal      int            `json:"items_total"`
	ItemsDone       int            `json:"items_done"`
	CustomersTotal  int            `json:"customers_total" doc:"Invoice groups: bill-to account, provider and currency."`
	CustomersDone   int            `json:"customers_done"`
	InvoicesCreated int            `json:"invoices_created"`
	ContractItems   int            `json:"contract_items"`
	ItemsSkipped    int            `json:"items_skipped" doc:"Draft items of the period left out: their customers lack billing information."`
	Percent         float64        `json:"percent"`
	ETASeconds      float64        `json:"eta_seconds"`
	Error           string         `json:"error,omitempty"`
	StartedAt       time.Time      `json:"started_at"`
	UpdatedAt       time.Time      `json:"updated_at"`
	FinishedAt      *time.Time     `json:"finished_at,omitempty"`
	Supplementary   bool           `json:"supplementary" doc:"The period had a completed run: this run bills what became pending in it since."`
	Supplements     string         `json:"supplements,omitempty" doc:"For a supplementary run, the id of the period's first run."`
	GroupsSkipped   []SkippedGroup `json:"groups_skipped" doc:"Invoice groups left out, with the reason (a currency without an exchange rate); their items stay pending."`
}

func runOut(r service.BillingRun) BillingRun {
	return BillingRun{ID: r.ID, PeriodStart: core.Date{Date: r.PeriodStart}, PeriodEnd: core.Date{Date: r.PeriodEnd}, Issue: r.Issue, Status: r.Status, Phase: r.Phase,
		ItemsTotal: r.ItemsTotal, ItemsDone: r.ItemsDone, CustomersTotal: r.GroupsTotal, CustomersDone: r.GroupsDone,
		InvoicesCreated: r.InvoicesCreated, ContractItems: r.ContractItems, ItemsSkipped: r.ItemsSkipped, Percent: r.Percent(), ETASeconds: r.ETA(time.Now()).Seconds(),
		Error: r.Error, StartedAt: r.StartedAt, UpdatedAt: r.UpdatedAt, FinishedAt: r.FinishedAt, Supplementary: r.Supplementary(), Supplements: r.Supplements,
		GroupsSkipped: skippedOut(r.GroupsSkipped)}
}

// runStarted is a started run: 202 while it runs on, 201 once complete
// (wait).
type runStarted struct {
	Status int
	Body   BillingRun
}

// InvoiceNowResult is what invoicing one customer at once made.
type InvoiceNowResult struct {
	Invoices      []invoicing.Invoice `json:"invoices"`
	ItemsBilled   int                 `json:"items_billed"`
	ContractItems int                 `json:"contract_items" doc:"Contract items made for the period before billing."`
	GroupsSkipped []SkippedGroup      `json:"groups_skipped" doc:"Invoice groups left out for want of an exchange rate; their items stay pending."`
}

// SkippedGroup is an invoice group billing left out, and why.
type SkippedGroup struct {
	CustomerID     string `json:"customer_id" doc:"The bill-to account."`
	CustomerNumber string `json:"customer_number"`
	CustomerName   string `json:"customer_name"`
	Provider       string `json:"provider"`
	Currency       string `json:"currency"`
	Items          int    `json:"items" doc:"Pending items left for a later run."`
	Reason         string `json:"reason" doc:"e.g. no exchange rate for USD on 2026-10-31."`
}

func skippedOut(gs []service.SkippedGroup) []SkippedGroup {
	out := make([]SkippedGroup, 0, len(gs))
	for _, g := range gs {
		out = append(out, SkippedGroup{CustomerID: g.AccountID, CustomerNumber: g.CustomerNumber, CustomerName: g.CustomerName,
			Provider: g.Provider, Currency: g.Currency, Items: g.Items, Reason: g.Reason})
	}
	return out
}

func (h *Handlers) registerBillingRuns(api huma.API) {
	tags := []string{"Billing runs"}
	type startIn struct {
		core.IdempotencyHeader
		Body struct {
			PeriodStart core.Date         `json:"period_start"`
			PeriodEnd   core.Date         `json:"period_end"`
			Issue       bool              `json:"issue,omitempty" doc:"Issue the invoices at once instead of leaving drafts."`
			Rates       map[string]string `json:"exchange_rates,omitempty" doc:"Rates to the ledger currency for items in other currencies, e.g. {\"USD\": \"0.92\"}; a currency left out takes the exchange-rate table's rate of the invoice date (the period's last day), and a group without one is skipped (groups_skipped)."`
			Wait        bool              `json:"wait,omitempty" doc:"Answer when the run is complete instead of at once."`
		}
	}
	core.Op(api, huma.Operation{OperationID: "start-billing-run", Method: http.MethodPost, Path: "/api/v1/billing-runs", Summary: "Run billing for a period",
		Description: "Starts (or resumes) the run of the period and answers 202 with its progress; poll GET /api/v1/billing-runs/{id}. " +
			"With wait, it answers when the run is complete: 201 with the finished run (202 when another node is running it). " +
			"Running a completed period again bills what became pending in it since, as a supplementary run; with nothing pending it makes no run and answers with the last one. " +
			"A run whose node stopped is resumed by the next start of its period or by any node's sweep.",
		Tags: tags, DefaultStatus: http.StatusAccepted},
		func(ctx context.Context, p access.Principal, in *startIn) (*runStarted, error) {
			b := in.Body
			if b.Wait {
				r, err := h.Svc.RunBilling(ctx, p, b.PeriodStart.Date, b.PeriodEnd.Date, b.Issue, b.Rates, nil)
				if err != nil {
					return nil, err
				}
				if r.Status != "completed" {
					return &runStarted{Status: http.StatusAccepted, Body: runOut(r)}, nil
				}
				return &runStarted{Status: http.StatusCreated, Body: runOut(r)}, nil
			}
			started := make(chan service.BillingRun, 1)
			errc := make(chan error, 1)
			go func() {
				// The run outlives the request: it is durable work that any
				// node can resume.
				once := false
				_, err := h.Svc.RunBilling(context.WithoutCancel(ctx), p, b.PeriodStart.Date, b.PeriodEnd.Date, b.Issue, b.Rates, func(r service.BillingRun) {
					if !once {
						once = true
						started <- r
					}
				})
				if !once {
					errc <- err
				}
			}()
			select {
			case r := <-started:
				return &runStarted{Status: http.StatusAccepted, Body: runOut(r)}, nil
			case err := <-errc:
				if err != nil {
					return nil, err
				}
				runs, err := h.Svc.ListBillingRuns(ctx, p)
				if err != nil || len(runs) == 0 {
					return nil, err
				}
				for _, r := range runs {
					if r.PeriodStart == b.PeriodStart.Date && r.PeriodEnd == b.PeriodEnd.Date {
						return &runStarted{Status: http.StatusAccepted, Body: runOut(r)}, nil
					}
				}
				return &runStarted{Status: http.StatusAccepted, Body: runOut(runs[0])}, nil
			}
		})
	core.Op(api, huma.Operation{OperationID: "list-billing-runs", Method: http.MethodGet, Path: "/api/v1/billing-runs", Summary: "List billing runs", Tags: tags},
		func(ctx context.Context, p access.Principal, _ *struct{}) (*core.Body[core.List[BillingRun]], error) {
			rs, err := h.Svc.ListBillingRuns(ctx, p)
			if err != nil {
				return nil, err
			}
			return core.ListOf(service.PageOf[service.BillingRun]{Items: rs}, runOut), nil
		})
	type idIn struct {
		ID string `path:"id"`
	}
	core.Op(api, huma.Operation{OperationID: "get-billing-run", Method: http.MethodGet, Path: "/api/v1/billing-runs/{id}", Summary: "A billing run's progress", Tags: tags},
		func(ctx context.Context, p access.Principal, in *idIn) (*core.Body[BillingRun], error) {
			r, err := h.Svc.GetBillingRun(ctx, p, in.ID)
			if err != nil {
				return nil, err
			}
			return &core.Body[BillingRun]{Body: runOut(r)}, nil
		})
	type nowIn struct {
		core.IdempotencyHeader
		ID   string `path:"id"`
		Body *struct {
			PeriodStart *core.Date        `json:"period_start,omitempty" doc:"First billing date billed; default: every pending item due so far."`
			PeriodEnd   *core.Date        `json:"period_end,omitempty" doc:"Last billing date billed; default: today."`
			Issue       bool              `json:"issue,omitempty" doc:"Issue the invoices at once instead of leaving drafts."`
			Rates       map[string]string `json:"exchange_rates,omitempty" doc:"Rates to the ledger currency for items in other currencies; a currency left out takes the exchange-rate table's rate of today, and a group without one is skipped (groups_skipped)."`
		}
	}
	core.Op(api, huma.Operation{OperationID: "invoice-customer-now", Method: http.MethodPost, Path: "/api/v1/customers/{id}/invoice-now",
		Summary: "Invoice one customer now",
		Description: "Makes the contract items the customer owes for the period, then puts its pending sales items (and those of sub-accounts billed to it) " +
			"on draft invoices, one per bill-to account, provider and currency, and optionally issues them. Safe beside a running billing run: no item is billed twice.",
		Tags: tags},
		func(ctx context.Context, p access.Principal, in *nowIn) (*core.Body[InvoiceNowResult], error) {
			var n service.InvoiceNowInput
			if b := in.Body; b != nil {
				if b.PeriodStart != nil {
					n.PeriodStart = b.PeriodStart.Date
				}
				if b.PeriodEnd != nil {
					n.PeriodEnd = b.PeriodEnd.Date
				}
				n.Issue, n.Rates = b.Issue, b.Rates
			}
			res, err := h.Svc.InvoiceNow(ctx, p, in.ID, n)
			if err != nil {
				return nil, err
			}
			dc, err := invoicing.DocContextOf(ctx, h.Svc, p)
			if err != nil {
				return nil, err
			}
			out := InvoiceNowResult{Invoices: []invoicing.Invoice{}, ItemsBilled: res.ItemsBilled, ContractItems: res.ContractItems,
				GroupsSkipped: skippedOut(res.GroupsSkipped)}
			for _, inv := range res.Invoices {
				out.Invoices = append(out.Invoices, invoicing.InvoiceOut(inv, true, dc))
			}
			return &core.Body[InvoiceNowResult]{Body: out}, nil
		})
}
