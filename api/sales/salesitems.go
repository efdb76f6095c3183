package sales

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/api/core"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service"
)

// SalesItem is a sales item as the API shows it (seed 002).
type SalesItem struct {
	ID                string     `json:"id"`
	CustomerID        string     `json:"customer_id"`
	Source            string     `json:"source" enum:"contract,ticket,usage,subscription,manual"`
	SourceRef         string     `json:"source_ref"`
	ProductID         string     `json:"product_id"`
	Description       string     `json:"description"`
	Quantity          string     `json:"quantity"`
	Unit              string     `json:"unit"`
	UnitPrice         string     `json:"unit_price"`
	Discount          string     `json:"discount"`
	Gross             string     `json:"amount_before_discount" doc:"Quantity × unit price, before discounts (seed 002's total)."`
	BillingDate       core.Date  `json:"billing_date"`
	PeriodStart       *core.Date `json:"period_start"`
	PeriodEnd         *core.Date `json:"period_end"`
	Provider          string     `json:"provider"`
	Currency          string     `json:"currency"`
	ChargeType        string     `json:"charge_type"`
	Status            string     `json:"status" enum:"draft,pending,invoiced,cancelled"`
	Invoiced          bool       `json:"invoiced"`
	InvoiceID         string     `json:"invoice_id,omitempty"`
	NeedsBillingInfo  bool       `json:"needs_billing_info" doc:"Draft because the customer has no billing information yet: add it to make the item pending."`
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"updated_at"`
	ItemSalesTaxGroup string     `json:"item_sales_tax_group"`
}

// SalesItemOut is a sales item as the API shows it.
func SalesItemOut(si billing.SalesItem) SalesItem {
	return SalesItem{ID: si.ID, CustomerID: si.CustomerID, Source: string(si.Source), SourceRef: si.SourceRef, ProductID: si.ProductID,
		Description: si.Description, Quantity: si.Quantity.String(), Unit: si.Unit, UnitPrice: money.Price(si.UnitPrice.Decimal(), si.Currency),
		Discount: core.Fixed(si.Discount), Gross: core.Fixed(si.Gross), BillingDate: core.Date{Date: si.BillingDate},
		PeriodStart: core.DateOrNil(si.PeriodStart), PeriodEnd: core.DateOrNil(si.PeriodEnd), Provider: si.Provider, Currency: si.Currency,
		ChargeType: string(si.ChargeType), Status: string(si.Status), Invoiced: si.Status == billing.ItemInvoiced, InvoiceID: si.InvoiceID,
		NeedsBillingInfo: si.Status == billing.ItemDraft, CreatedAt: si.CreatedAt, UpdatedAt: si.UpdatedAt, ItemSalesTaxGroup: si.ItemSalesTaxGroup}
}

// SalesItemInput creates or edits a sales item by hand; omitted fields stay.
type SalesItemInput struct {
	CustomerID  *string    `json:"customer_id,omitempty"`
	ProductID   *string    `json:"product_id,omitempty"`
	Description *string    `json:"description,omitempty" maxLength:"1000"`
	Quantity    *string    `json:"quantity,omitempty"`
	UnitPrice   *string    `json:"unit_price,omitempty"`
	Discount    *string    `json:"discount,omitempty"`
	BillingDate *core.Date `json:"billing_date,omitempty"`
	PeriodStart *core.Date `json:"period_start,omitempty"`
	PeriodEnd   *core.Date `json:"period_end,omitempty"`
	Provider    *string    `json:"provider,omitempty"`
	Currency    *string    `json:"currency,omitempty"`
	ChargeType  *string    `json:"charge_type,omitempty" enum:"recurring,usage,one_time,time"`
	// ItemSalesTaxGroup gives the item's tax with the customer's sales tax group (default: the product's).
	ItemSalesTaxGroup *string `json:"item_sales_tax_group,omitempty"`
}

func (in SalesItemInput) toService() service.SalesItemInput {
	return service.SalesItemInput{CustomerID: in.CustomerID, ProductID: in.ProductID, Description: in.Description, Quantity: in.Quantity,
		UnitPrice: in.UnitPrice, Discount: in.Discount, BillingDate: core.OptionalDate(in.BillingDate), PeriodStart: core.OptionalDate(in.PeriodStart),
		PeriodEnd: core.OptionalDate(in.PeriodEnd), Provider: in.Provider, Currency: in.Currency, ChargeType: in.ChargeType,
		ItemSalesTaxGroup: in.ItemSalesTaxGroup}
}

// Product is a catalog product as the API shows it.
type Product struct {
	ID                string `json:"id"`
	Code              string `json:"code"`
	Name              string `json:"name"`
	ChargeType        string `json:"charge_type"`
	Unit              string `json:"unit"`
	DefaultPrice      string `json:"default_price"`
	Currency          string `json:"currency"`
	Account           string `json:"account"`
	ItemSalesTaxGroup string `json:"item_sales_tax_group"`
	Provider          string `json:"provider"`
	Archived          bool   `json:"archived"`
}

func productOut(p billing.Product) Product {
	return Product{ID: p.ID, Code: p.Code, Name: p.Name, ChargeType: string(p.ChargeType), Unit: p.Unit, DefaultPrice: money.Price(p.DefaultPrice.Decimal(), p.Currency),
		Currency: p.Currency, Account: p.Account, ItemSalesTaxGroup: p.ItemSalesTaxGroup, Provider: p.Provider, Archived: p.Archived}
}

// ProductInput creates or changes a product.
type ProductInput struct {
	Code              *string `json:"code,omitempty"`
	Name              *string `json:"name,omitempty"`
	ChargeType        *string `json:"charge_type,omitempty" enum:"recurring,usage,one_time,time"`
	Unit              *string `json:"unit,omitempty"`
	DefaultPrice      *string `json:"default_price,omitempty"`
	Currency          *string `json:"currency,omitempty"`
	Account           *string `json:"account,omitempty"`
	ItemSalesTaxGroup *string `json:"item_sales_tax_group,omitempty"`
	Provider          *string `json:"provider,omitempty"`
	Archived          *bool   `json:"archived,omitempty"`
}

func (in ProductInput) toService() service.ProductInput {
	return service.ProductInput{Code: in.Code, Name: in.Name, ChargeType: in.ChargeType, Unit: in.Unit, DefaultPrice: in.DefaultPrice,
		Currency: in.Currency, Account: in.Account, ItemSalesTaxGroup: in.ItemSalesTaxGroup, Provider: in.Provider, Archived: in.Archived}
}

// UsageRow is one usage record in a JSON import.
type UsageRow struct {
	RecordID    string    `json:"record_id"`
	CustomerRef string    `json:"customer" doc:"Customer number or SAP id."`
	SKU         string    `json:"sku" doc:"Product code."`
	Quantity    string    `json:"quantity"`
	Unit        string    `json:"unit,omitempty"`
	PeriodStart core.Date `json:"period_start"`
	PeriodEnd   core.Date `json:"period_end"`
}

// usageCSVColumns is the header a usage CSV file carries.
var usageCSVColumns = []string{"record_id", "customer", "sku", "quantity", "unit", "period_start", "period_end"}

// ParseUsageCSV reads a usage CSV file (RFC 4180 with the header
// record_id,customer,sku,quantity,unit,period_start,period_end). Rows it
// cannot read are returned as rejected results, never as an error.
func ParseUsageCSV(r io.Reader) ([]service.UsageRecord, []service.UsageRowResult, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return nil, nil, core.FieldErr("file", "the file has no header row: "+strings.Join(usageCSVColumns, ","))
	}
	idx := map[string]int{}
	for i, h := range header {
		idx[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, c := range usageCSVColumns {
		if _, ok := idx[c]; !ok && c != "unit" {
			return nil, nil, core.FieldErr("file", fmt.Sprintf("the header lacks %q; it needs %s", c, strings.Join(usageCSVColumns, ",")))
		}
	}
	get := func(row []string, col string) string {
		i, ok := idx[col]
		if !ok || i >= len(row) {
			return ""
		}
		return strings.TrimSpace(row[i])
	}
	var recs []service.UsageRecord
	var bad []service.UsageRowResult
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			bad = append(bad, service.UsageRowResult{Line: line, Status: "rejected", Reason: "unreadable CSV row: " + err.Error(), Code: "csv_row"})
			continue
		}
		// The row's own line in the file: blank lines and quoted line
		// breaks make it differ from the count of rows.
		line, _ := cr.FieldPos(0)
		rec := service.UsageRecord{Line: line, RecordID: get(row, "record_id"), CustomerRef: get(row, "customer"), SKU: get(row, "sku"),
			Quantity: get(row, "quantity"), Unit: get(row, "unit")}
		ps, err1 := calendar.Parse(get(row, "period_start"))
		pe, err2 := calendar.Parse(get(row, "period_end"))
		if err1 != nil || err2 != nil {
			bad = append(bad, service.UsageRowResult{Line: line, RecordID: rec.RecordID, Status: "rejected", Reason: "period_start and period_end must be dates such as 2026-01-31", Code: "csv_dates"})
			continue
		}
		rec.PeriodStart, rec.PeriodEnd = ps, pe
		recs = append(recs, rec)
	}
	return recs, bad, nil
}

func (h *Handlers) registerSalesItems(api huma.API) {
	tags := []string{"Sales items"}
	type listIn struct {
		core.PageParams
		Customer  string `query:"customer_id"`
		Query     string `query:"q" doc:"Text in the description, provider or source reference, or in the customer's number or name."`
		Status    string `query:"status" doc:"Comma-separated: draft, pending, invoiced, cancelled."`
		Source    string `query:"source" doc:"Comma-separated: contract, ticket, usage, subscription, manual."`
		Provider  string `query:"provider"`
		From      string `query:"from" doc:"Billing date from."`
		To        string `query:"to" doc:"Billing date to."`
		Invoiced  string `query:"invoiced" enum:"true,false,"`
		MinAmount string `query:"min_amount" doc:"Amount before discount, at least."`
		MaxAmount string `query:"max_amount"`
		Filter    string `query:"filter" doc:"Advanced filter as JSON: {\"op\":\"or\",\"conditions\":[{\"op\":\"eq\",\"field\":\"provider\",\"value\":\"AWS\"},{\"op\":\"gt\",\"field\":\"gross\",\"value\":\"100\"}]}."`
		Sort      string `query:"sort" doc:"billing_date, customer (by name), description, gross, status, source, provider, created_at; prefix - for descending."`
	}
	core.Op(api, huma.Operation{OperationID: "list-sales-items", Method: http.MethodGet, Path: "/api/v1/sales-items", Summary: "List sales items", Tags: tags},
		func(ctx context.Context, p access.Principal, in *listIn) (*core.Body[core.List[SalesItem]], error) {
			f := service.SalesItemFilter{CustomerID: in.Customer, Query: in.Query, Provider: in.Provider, Sort: in.Sort, Page: in.Page()}
			if strings.HasPrefix(f.Sort, "-") {
				f.Sort, f.Desc = f.Sort[1:], true
			}
			for _, s := range splitList(in.Status) {
				f.Statuses = append(f.Statuses, billing.ItemStatus(s))
			}
			for _, s := range splitList(in.Source) {
				f.Sources = append(f.Sources, billing.Source(s))
			}
			var err error
			if f.From, err = core.ParseDateParam("from", in.From); err != nil {
				return nil, err
			}
			if f.To, err = core.ParseDateParam("to", in.To); err != nil {
				return nil, err
			}
			if in.Invoiced != "" {
				v := in.Invoiced == "true"
				f.Invoiced = &v
			}
			for _, m := range []struct {
				name, v string
				dst     **decimal.Decimal `money:"-"` // the filter's gross bounds (SalesItemFilter)
			}{{"min_amount", in.MinAmount, &f.MinGross}, {"max_amount", in.MaxAmount, &f.MaxGross}} {
				if m.v == "" {
					continue
				}
				d, err := money.ReadDecimal(m.name, m.v, "100.00")
				if err != nil {
					return nil, err
				}
				*m.dst = &d
			}
			if in.Filter != "" {
				var c service.Condition
				dec := json.NewDecoder(strings.NewReader(in.Filter))
				dec.DisallowUnknownFields()
				if err := dec.Decode(&c); err != nil {
					return nil, core.FieldErr("filter", "is not a JSON condition: "+err.Error())
				}
				f.Advanced = &c
			}
			page, err := h.Svc.ListSalesItems(ctx, p, f)
			if err != nil {
				return nil, err
			}
			return core.ListOf(page, SalesItemOut), nil
		})
	type createIn struct {
		core.IdempotencyHeader
		Body SalesItemInput
	}
	core.Op(api, huma.Operation{OperationID: "create-sales-item", Method: http.MethodPost, Path: "/api/v1/sales-items", Summary: "Add a sales item by hand", Tags: tags},
		func(ctx context.Context, p access.Principal, in *createIn) (*core.Body[SalesItem], error) {
			si, err := h.Svc.CreateSalesItem(ctx, p, in.Body.toService())
			if err != nil {
				return nil, err
			}
			return &core.Body[SalesItem]{Body: SalesItemOut(si)}, nil
		})
	type idIn struct {
		ID string `path:"id"`
	}
	core.Op(api, huma.Operation{OperationID: "get-sales-item", Method: http.MethodGet, Path: "/api/v1/sales-items/{id}", Summary: "Get a sales item", Tags: tags},
		func(ctx context.Context, p access.Principal, in *idIn) (*core.Body[SalesItem], error) {
			si, err := h.Svc.GetSalesItem(ctx, p, in.ID)
			if err != nil {
				return nil, err
			}
			return &core.Body[SalesItem]{Body: SalesItemOut(si)}, nil
		})
	type patchIn struct {
		ID   string `path:"id"`
		Body SalesItemInput
	}
	core.Op(api, huma.Operation{OperationID: "update-sales-item", Method: http.MethodPatch, Path: "/api/v1/sales-items/{id}", Summary: "Edit a sales item that is not invoiced", Tags: tags},
		func(ctx context.Context, p access.Principal, in *patchIn) (*core.Body[SalesItem], error) {
			si, err := h.Svc.UpdateSalesItem(ctx, p, in.ID, in.Body.toService())
			if err != nil {
				return nil, err
			}
			return &core.Body[SalesItem]{Body: SalesItemOut(si)}, nil
		})
	type cancelIn struct {
		core.IdempotencyHeader
		ID string `path:"id"`
	}
	core.Op(api, huma.Operation{OperationID: "cancel-sales-item", Method: http.MethodPost, Path: "/api/v1/sales-items/{id}/cancel", Summary: "Cancel a sales item",
		Tags: tags, DefaultStatus: http.StatusOK},
		func(ctx context.Context, p access.Principal, in *cancelIn) (*core.Body[SalesItem], error) {
			si, err := h.Svc.CancelSalesItem(ctx, p, in.ID)
			if err != nil {
				return nil, err
			}
			return &core.Body[SalesItem]{Body: SalesItemOut(si)}, nil
		})

	type usageJSON struct {
		core.IdempotencyHeader
		Body struct {
			Records []UsageRow `json:"records" maxItems:"10000"`
		}
	}
	core.Op(api, huma.Operation{OperationID: "import-usage", Method: http.MethodPost, Path: "/api/v1/usage", Summary: "Import vendor usage",
		Description: "Each record becomes a sales item once (idempotent by record_id); rows for customers without a contract are imported too. Bad rows are reported with their reason and never stop the good ones.",
		Tags:        tags, DefaultStatus: http.StatusOK, MaxBodyBytes: 16 << 20},
		func(ctx context.Context, p access.Principal, in *usageJSON) (*core.Body[service.UsageReport], error) {
			recs := make([]service.UsageRecord, 0, len(in.Body.Records))
			for i, r := range in.Body.Records {
				recs = append(recs, service.UsageRecord{Line: i + 1, RecordID: r.RecordID, CustomerRef: r.CustomerRef, SKU: r.SKU,
					Quantity: r.Quantity, Unit: r.Unit, PeriodStart: r.PeriodStart.Date, PeriodEnd: r.PeriodEnd.Date})
			}
			rep, err := h.Svc.ImportUsage(ctx, p, recs)
			if err != nil {
				return nil, err
			}
			return &core.Body[service.UsageReport]{Body: rep}, nil
		})
	type usageCSV struct {
		core.IdempotencyHeader
		RawBody []byte `contentType:"text/csv"`
	}
	core.Op(api, huma.Operation{OperationID: "import-usage-csv", Method: http.MethodPost, Path: "/api/v1/usage/csv", Summary: "Import vendor usage from a CSV file",
		Description: "Header: record_id,customer,sku,quantity,unit,period_start,period_end. The report lists each rejected row with its line number and reason.",
		Tags:        tags, DefaultStatus: http.StatusOK, MaxBodyBytes: 32 << 20, SkipValidateBody: true},
		func(ctx context.Context, p access.Principal, in *usageCSV) (*core.Body[service.UsageReport], error) {
			recs, bad, err := ParseUsageCSV(strings.NewReader(string(in.RawBody)))
			if err != nil {
				return nil, err
			}
			rep, err := h.Svc.ImportUsage(ctx, p, recs)
			if err != nil {
				return nil, err
			}
			rep.Rejected += len(bad)
			rep.Rows = append(rep.Rows, bad...)
			return &core.Body[service.UsageReport]{Body: rep}, nil
		})

	cat := []string{"Catalog"}
	core.Op(api, huma.Operation{OperationID: "list-products", Method: http.MethodGet, Path: "/api/v1/products", Summary: "List products", Tags: cat},
		func(ctx context.Context, p access.Principal, _ *struct{}) (*core.Body[core.List[Product]], error) {
			ps, err := h.Svc.ListProducts(ctx, p)
			if err != nil {
				return nil, err
			}
			return core.ListOf(service.PageOf[billing.Product]{Items: ps}, productOut), nil
		})
	type prodIn struct {
		core.IdempotencyHeader
		Body ProductInput
	}
	core.Op(api, huma.Operation{OperationID: "create-product", Method: http.MethodPost, Path: "/api/v1/products", Summary: "Create a product", Tags: cat},
		func(ctx context.Context, p access.Principal, in *prodIn) (*core.Body[Product], error) {
			pr, err := h.Svc.CreateProduct(ctx, p, in.Body.toService())
			if err != nil {
				return nil, err
			}
			return &core.Body[Product]{Body: productOut(pr)}, nil
		})
	type prodPatch struct {
		ID   string `path:"id"`
		Body ProductInput
	}
	core.Op(api, huma.Operation{OperationID: "update-product", Method: http.MethodPatch, Path: "/api/v1/products/{id}", Summary: "Change a product", Tags: cat},
		func(ctx context.Context, p access.Principal, in *prodPatch) (*core.Body[Product], error) {
			pr, err := h.Svc.UpdateProduct(ctx, p, in.ID, in.Body.toService())
			if err != nil {
				return nil, err
			}
			return &core.Body[Product]{Body: productOut(pr)}, nil
		})
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
