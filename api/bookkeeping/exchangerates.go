package bookkeeping

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/api/core"
	"github.com/facturo/facturo/service"
)

// ExchangeRate is one rate of the tenant's exchange-rate table.
type ExchangeRate struct {
	Currency  string    `json:"currency" doc:"ISO 4217 code of the foreign currency."`
	Date      core.Date `json:"date" doc:"Effective from this date until the currency's next rate."`
	Rate      string    `json:"rate" doc:"Ledger-currency units per unit of currency, e.g. \"0.92\"."`
	UpdatedAt time.Time `json:"updated_at"`
}

func exchangeRateOut(r service.ExchangeRate) ExchangeRate {
	return ExchangeRate{Currency: r.Currency, Date: core.Date{Date: r.Date}, Rate: r.Rate.String(), UpdatedAt: r.UpdatedAt}
}

func (h *Handlers) registerExchangeRates(api huma.API) {
	tags := []string{"Settings"}
	type listIn struct {
		Currency string `query:"currency" doc:"Only this currency, e.g. USD."`
		From     string `query:"from" doc:"Effective dates from (inclusive), 2026-01-01."`
		To       string `query:"to" doc:"Effective dates to (inclusive)."`
	}
	core.Op(api, huma.Operation{OperationID: "list-exchange-rates", Method: http.MethodGet, Path: "/api/v1/exchange-rates", Summary: "List the exchange-rate table",
		Description: "Rates to the ledger currency by currency and effective date, newest first per currency. " +
			"A document in a foreign currency takes the latest rate on or before its invoice date.", Tags: tags},
		func(ctx context.Context, p access.Principal, in *listIn) (*core.Body[core.List[ExchangeRate]], error) {
			f := service.ExchangeRateFilter{Currency: in.Currency}
			var err error
			if f.From, err = core.ParseDateParam("from", in.From); err != nil {
				return nil, err
			}
			if f.To, err = core.ParseDateParam("to", in.To); err != nil {
				return nil, err
			}
			rs, err := h.Svc.ListExchangeRates(ctx, p, f)
			if err != nil {
				return nil, err
			}
			return core.ListOf(service.PageOf[service.ExchangeRate]{Items: rs}, exchangeRateOut), nil
		})
	type putIn struct {
		Currency string `path:"currency" doc:"ISO 4217 code, e.g. USD."`
		Date     string `path:"date" doc:"Effective date, e.g. 2026-10-01."`
		Body     struct {
			Rate string `json:"rate" doc:"Ledger-currency units per unit of currency, an exact decimal above zero, e.g. \"0.92\"."`
		}
	}
	core.Op(api, huma.Operation{OperationID: "put-exchange-rate", Method: http.MethodPut, Path: "/api/v1/exchange-rates/{currency}/{date}",
		Summary: "Set the rate of a currency from a date", Tags: tags},
		func(ctx context.Context, p access.Principal, in *putIn) (*core.Body[ExchangeRate], error) {
			r, err := h.Svc.SetExchangeRate(ctx, p, service.ExchangeRateInput{Currency: in.Currency, Date: in.Date, Rate: in.Body.Rate})
			if err != nil {
				return nil, err
			}
			return &core.Body[ExchangeRate]{Body: exchangeRateOut(r)}, nil
		})
	type delIn struct {
		Currency string `path:"currency"`
		Date     string `path:"date"`
	}
	core.Op(api, huma.Operation{OperationID: "delete-exchange-rate", Method: http.MethodDelete, Path: "/api/v1/exchange-rates/{currency}/{date}",
		Summary: "Delete the rate of a currency and date", Tags: tags, DefaultStatus: http.StatusNoContent},
		func(ctx context.Context, p access.Principal, in *delIn) (*core.Empty, error) {
			return &core.Empty{}, h.Svc.DeleteExchangeRate(ctx, p, in.Currency, in.Date)
		})
	type csvIn struct {
		core.IdempotencyHeader
		RawBody []byte `contentType:"text/csv"`
	}
	type imported struct {
		Imported int `json:"imported"`
	}
	core.Op(api, huma.Operation{OperationID: "import-exchange-rates-csv", Method: http.MethodPost, Path: "/api/v1/exchange-rates/csv",
		Summary: "Import exchange rates from a CSV file",
		Description: "Header: currency,date,rate. All or nothing: a file with any bad row imports nothing and the answer names every bad row " +
			"by its line (errors[].field \"line 3.rate\"). A rate of a currency and date already in the table is replaced.",
		Tags: tags, DefaultStatus: http.StatusOK, MaxBodyBytes: 8 << 20, SkipValidateBody: true},
		func(ctx context.Context, p access.Principal, in *csvIn) (*core.Body[imported], error) {
			if err := p.Require(access.ManageExchangeRates); err != nil {
				return nil, err
			}
			rows, err := service.ParseExchangeRatesCSV(strings.NewReader(string(in.RawBody)))
			if err != nil {
				return nil, err
			}
			n, err := h.Svc.ImportExchangeRates(ctx, p, rows)
			if err != nil {
				return nil, err
			}
			return &core.Body[imported]{Body: imported{n}}, nil
		})
}
