package bookkeeping

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/api/core"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/tax"
)

// TaxCode is a tax code in the API.
type TaxCode struct {
	Code                string `json:"code"`
	Name                string `json:"name"`
	Rate                string `json:"rate" doc:"Percent, e.g. \"21\"."`
	Category            string `json:"category" enum:"S,Z,E,AE,K,G,O,L,M" doc:"EN 16931 VAT category."`
	Account             string `json:"account" doc:"Tax payable ledger account."`
	ExemptionReason     string `json:"exemption_reason,omitempty"`
	ExemptionReasonCode string `json:"exemption_reason_code,omitempty" doc:"VATEX code, e.g. VATEX-EU-AE."`
}

func taxCodeOut(c tax.Code) TaxCode {
	return TaxCode{Code: c.Code, Name: c.Name, Rate: c.Rate.String(), Category: string(c.Category), Account: c.Account,
		ExemptionReason: c.ExemptionReason, ExemptionReasonCode: c.ExemptionReasonCode}
}

// Balance is one account of the trial balance.
type Balance struct {
	Account  string `json:"account"`
	Name     string `json:"name"`
	Type     string `json:"type"`
	Debit    string `json:"debit"`
	Credit   string `json:"credit"`
	Net      string `json:"net" doc:"Debit − credit."`
	Currency string `json:"currency" doc:"The accounting currency."`
}

func (h *Handlers) registerLedger(api huma.API) {
	settings := []string{"Settings"}
	core.Op(api, huma.Operation{OperationID: "list-tax-codes", Method: http.MethodGet, Path: "/api/v1/tax-codes", Summary: "List tax codes", Tags: settings},
		func(ctx context.Context, p access.Principal, _ *struct{}) (*core.Body[core.List[TaxCode]], error) {
			cs, err := h.Svc.ListTaxCodes(ctx, p)
			if err != nil {
				return nil, err
			}
			return core.ListOf(service.PageOf[tax.Code]{Items: cs}, taxCodeOut), nil
		})
	type putTax struct {
		Code string `path:"code"`
		Body struct {
			Name                string `json:"name"`
			Rate                string `json:"rate"`
			Category            string `json:"category" enum:"S,Z,E,AE,K,G,O,L,M"`
			Account             string `json:"account"`
			ExemptionReason     string `json:"exemption_reason,omitempty"`
			ExemptionReasonCode string `json:"exemption_reason_code,omitempty"`
		}
	}
	core.Op(api, huma.Operation{OperationID: "put-tax-code", Method: http.MethodPut, Path: "/api/v1/tax-codes/{code}", Summary: "Create or change a tax code", Tags: settings},
		func(ctx context.Context, p access.Principal, in *putTax) (*core.Body[TaxCode], error) {
			rate, err := money.ParseDecimal(in.Body.Rate)
			if err != nil { // a tax rate is a percentage: the message says so
				return nil, core.FieldErr("rate", "is not a percentage such as \"21\"")
			}
			c, err := h.Svc.UpsertTaxCode(ctx, p, tax.Code{Code: in.Code, Name: in.Body.Name, Rate: rate, Category: tax.Category(in.Body.Category),
				Account: in.Body.Account, ExemptionReason: in.Body.ExemptionReason, ExemptionReasonCode: in.Body.ExemptionReasonCode})
			if err != nil {
				return nil, err
			}
			return &core.Body[TaxCode]{Body: taxCodeOut(c)}, nil
		})
	core.Op(api, huma.Operation{OperationID: "list-tax-groups", Method: http.MethodGet, Path: "/api/v1/tax-groups", Summary: "List sales and item sales tax groups", Tags: settings},
		func(ctx context.Context, p access.Principal, _ *struct{}) (*core.Body[core.List[tax.Group]], error) {
			gs, err := h.Svc.ListTaxGroups(ctx, p)
			if err != nil {
				return nil, err
			}
			return core.ListOf(service.PageOf[tax.Group]{Items: gs}, func(g tax.Group) tax.Group {
				if g.Codes == nil {
					g.Codes = []string{}
				}
				return g
			}), nil
		})
	type putGroup struct {
		Kind string `path:"kind" enum:"sales,item"`
		Code string `path:"code"`
		Body struct {
			Name     string   `json:"name,omitempty"`
			TaxCodes []string `json:"tax_codes"`
		}
	}
	core.Op(api, huma.Operation{OperationID: "put-tax-group", Method: http.MethodPut, Path: "/api/v1/tax-groups/{kind}/{code}", Summary: "Create or change a tax group",
		Description: "A customer has a sales tax group, an item an item sales tax group; a line is taxed with the codes in both.", Tags: settings},
		func(ctx context.Context, p access.Principal, in *putGroup) (*core.Body[tax.Group], error) {
			g, err := h.Svc.UpsertTaxGroup(ctx, p, tax.Group{Kind: in.Kind, Code: in.Code, Name: in.Body.Name, Codes: in.Body.TaxCodes})
			if err != nil {
				return nil, err
			}
			return &core.Body[tax.Group]{Body: g}, nil
		})
	type modeIn struct {
		Body struct {
			TaxMode string `json:"tax_mode" enum:"per_code,per_line"`
		}
	}
	core.Op(api, huma.Operation{OperationID: "set-tax-mode", Method: http.MethodPut, Path: "/api/v1/tax-mode", Summary: "Choose how tax is rounded",
		Description: "per_code (EN 16931): rate × the sum of the line amounts per code, rounded once. per_line: each line's tax rounded.", Tags: settings, DefaultStatus: http.StatusNoContent},
		func(ctx context.Context, p access.Principal, in *modeIn) (*core.Empty, error) {
			return &core.Empty{}, h.Svc.SetTaxMode(ctx, p, tax.Mode(in.Body.TaxMode))
		})
	core.Op(api, huma.Operation{OperationID: "list-number-series", Method: http.MethodGet, Path: "/api/v1/number-series", Summary: "List number series", Tags: settings},
		func(ctx context.Context, p access.Principal, _ *struct{}) (*core.Body[map[string]string], error) {
			m, err := h.Svc.ListSeries(ctx, p)
			if err != nil {
				return nil, err
			}
			return &core.Body[map[string]string]{Body: m}, nil
		})
	type seriesIn struct {
		Kind string `path:"kind" enum:"invoice,credit_note"`
		Body struct {
			Pattern string `json:"pattern" doc:"Literal text with {YYYY}, {YY}, {MM} and exactly one {SEQ} or {SEQ:n}, n from 1 to 9 (the digits the sequence is zero-padded to), e.g. INV-{YYYY}-{SEQ:6}; at most 40 characters."`
		}
	}
	core.Op(api, huma.Operation{OperationID: "put-number-series", Method: http.MethodPut, Path: "/api/v1/number-series/{kind}", Summary: "Change a number series pattern",
		Tags: settings, DefaultStatus: http.StatusNoContent},
		func(ctx context.Context, p access.Principal, in *seriesIn) (*core.Empty, error) {
			return &core.Empty{}, h.Svc.SetSeries(ctx, p, in.Kind, in.Body.Pattern)
		})

	tags := []string{"Ledger"}
	core.Op(api, huma.Operation{OperationID: "list-ledger-accounts", Method: http.MethodGet, Path: "/api/v1/ledger/accounts", Summary: "Chart of accounts", Tags: tags},
		func(ctx context.Context, p access.Principal, _ *struct{}) (*core.Body[core.List[ledger.Account]], error) {
			as, err := h.Svc.ListAccounts(ctx, p)
			if err != nil {
				return nil, err
			}
			return core.ListOf(service.PageOf[ledger.Account]{Items: as}, func(a ledger.Account) ledger.Account { return a }), nil
		})
	type putAccount struct {
		Code string `path:"code"`
		Body struct {
			Name     string `json:"name"`
			Type     string `json:"type" enum:"asset,liability,equity,revenue,expense"`
			Archived bool   `json:"archived,omitempty"`
		}
	}
	core.Op(api, huma.Operation{OperationID: "put-ledger-account", Method: http.MethodPut, Path: "/api/v1/ledger/accounts/{code}", Summary: "Create or change an account", Tags: tags},
		func(ctx context.Context, p access.Principal, in *putAccount) (*core.Body[ledger.Account], error) {
			a, err := h.Svc.UpsertAccount(ctx, p, ledger.Account{Code: in.Code, Name: in.Body.Name, Type: ledger.Type(in.Body.Type), Archived: in.Body.Archived})
			if err != nil {
				return nil, err
			}
			return &core.Body[ledger.Account]{Body: a}, nil
		})
	core.Op(api, huma.Operation{OperationID: "list-posting-profiles", Method: http.MethodGet, Path: "/api/v1/ledger/posting-profiles", Summary: "Posting profiles", Tags: tags},
		func(ctx context.Context, p access.Principal, _ *struct{}) (*core.Body[core.List[ledger.PostingProfile]], error) {
			ps, err := h.Svc.ListPostingProfiles(ctx, p)
			if err != nil {
				return nil, err
			}
			return core.ListOf(service.PageOf[ledger.PostingProfile]{Items: ps}, func(x ledger.PostingProfile) ledger.PostingProfile { return x }), nil
		})
	type putProfile struct {
		Code string `path:"code"`
		Body struct {
			Name               string `json:"name,omitempty"`
			ReceivablesAccount string `json:"receivables_account"`
		}
	}
	core.Op(api, huma.Operation{OperationID: "put-posting-profile", Method: http.MethodPut, Path: "/api/v1/ledger/posting-profiles/{code}", Summary: "Create or change a posting profile",
		Description: "A posting profile chooses the receivables account for the customers that name it.", Tags: tags},
		func(ctx context.Context, p access.Principal, in *putProfile) (*core.Body[ledger.PostingProfile], error) {
			pp, err := h.Svc.UpsertPostingProfile(ctx, p, ledger.PostingProfile{Code: in.Code, Name: in.Body.Name, ReceivablesAccount: in.Body.ReceivablesAccount})
			if err != nil {
				return nil, err
			}
			return &core.Body[ledger.PostingProfile]{Body: pp}, nil
		})
	type asOfIn struct {
		AsOf string `query:"as_of" doc:"A date (default today in the tenant's zone)."`
	}
	core.Op(api, huma.Operation{OperationID: "trial-balance", Method: http.MethodGet, Path: "/api/v1/ledger/trial-balance", Summary: "Trial balance at a date", Tags: tags},
		func(ctx context.Context, p access.Principal, in *asOfIn) (*core.Body[core.List[Balance]], error) {
			d, err := core.ParseDateParam("as_of", in.AsOf)
			if err != nil {
				return nil, err
			}
			bs, err := h.Svc.TrialBalance(ctx, p, d)
			if err != nil {
				return nil, err
			}
			return core.ListOf(service.PageOf[ledger.Balance]{Items: bs}, func(b ledger.Balance) Balance {
				return Balance{Account: b.Account, Name: b.Name, Type: string(b.Type), Debit: core.Fixed(b.Debit), Credit: core.Fixed(b.Credit), Net: core.Fixed(b.Net), Currency: b.Currency}
			}), nil
		})
	type acctIn struct {
		Code  string `path:"code"`
		From  string `query:"from"`
		To    string `query:"to"`
		Limit int    `query:"limit" minimum:"1" maximum:"10000" default:"1000"`
	}
	core.Op(api, huma.Operation{OperationID: "account-ledger", Method: http.MethodGet, Path: "/api/v1/ledger/accounts/{code}/lines", Summary: "An account's postings with a running balance", Tags: tags},
		func(ctx context.Context, p access.Principal, in *acctIn) (*core.Body[core.List[service.AccountLine]], error) {
			from, err := core.ParseDateParam("from", in.From)
			if err != nil {
				return nil, err
			}
			to, err := core.ParseDateParam("to", in.To)
			if err != nil {
				return nil, err
			}
			ls, err := h.Svc.AccountLedger(ctx, p, in.Code, from, to, in.Limit)
			if err != nil {
				return nil, err
			}
			return core.ListOf(service.PageOf[service.AccountLine]{Items: ls}, func(l service.AccountLine) service.AccountLine { return l }), nil
		})
	core.Op(api, huma.Operation{OperationID: "receivables-aging", Method: http.MethodGet, Path: "/api/v1/ledger/receivables", Summary: "Customer subledger with aging",
		Description: "Open balances per customer in buckets current, 1–30, 31–60, 61–90 and over 90 days past due, with the receivables postings per customer.", Tags: tags},
		func(ctx context.Context, p access.Principal, in *asOfIn) (*core.Body[core.List[service.CustomerAging]], error) {
			d, err := core.ParseDateParam("as_of", in.AsOf)
			if err != nil {
				return nil, err
			}
			rows, err := h.Svc.ReceivablesAging(ctx, p, d)
			if err != nil {
				return nil, err
			}
			return core.ListOf(service.PageOf[service.CustomerAging]{Items: rows}, func(a service.CustomerAging) service.CustomerAging { return a }), nil
		})
	type journalIn struct {
		Customer string `query:"customer_id"`
		From     string `query:"from"`
		To       string `query:"to"`
		Limit    int    `query:"limit" minimum:"1" maximum:"10000" default:"500"`
	}
	core.Op(api, huma.Operation{OperationID: "invoice-journal", Method: http.MethodGet, Path: "/api/v1/ledger/invoice-journal", Summary: "Issued documents with their vouchers", Tags: tags},
		func(ctx context.Context, p access.Principal, in *journalIn) (*core.Body[core.List[service.JournalRow]], error) {
			from, err := core.ParseDateParam("from", in.From)
			if err != nil {
				return nil, err
			}
			to, err := core.ParseDateParam("to", in.To)
			if err != nil {
				return nil, err
			}
			rows, err := h.Svc.InvoiceJournal(ctx, p, service.JournalFilter{CustomerID: in.Customer, From: from, To: to, Limit: in.Limit})
			if err != nil {
				return nil, err
			}
			return core.ListOf(service.PageOf[service.JournalRow]{Items: rows}, func(r service.JournalRow) service.JournalRow { return r }), nil
		})
	type entryIn struct {
		ID string `path:"id"`
	}
	core.Op(api, huma.Operation{OperationID: "get-journal-entry", Method: http.MethodGet, Path: "/api/v1/ledger/entries/{id}", Summary: "A journal entry", Tags: tags},
		func(ctx context.Context, p access.Principal, in *entryIn) (*core.Body[service.Entry], error) {
			e, err := h.Svc.GetEntry(ctx, p, in.ID)
			if err != nil {
				return nil, err
			}
			return &core.Body[service.Entry]{Body: e}, nil
		})
}
