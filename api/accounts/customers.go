package accounts

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/api/core"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/service"
)

// BillingInfo is a customer's billing information.
type BillingInfo struct {
	LegalName string          `json:"legal_name"`
	Address   billing.Address `json:"address"`
	TaxID     string          `json:"tax_id"`
	Email     string          `json:"email"`
	Language  string          `json:"language" doc:"en, es or pt-BR"`
	Currency  string          `json:"currency" doc:"ISO 4217"`
}

// Customer is a customer as the API shows it.
type Customer struct {
	ID                    string            `json:"id"`
	Number                string            `json:"number"`
	Name                  string            `json:"name"`
	Contacts              []billing.Contact `json:"contacts"`
	Billing               BillingInfo       `json:"billing"`
	HasBillingInfo        bool              `json:"has_billing_info" doc:"Legal name, address, billing email and currency are complete; sales items of a customer without it stay in draft."`
	InvoiceAccountID      string            `json:"invoice_account_id" doc:"The bill-to account when it differs from this customer."`
	PaymentTermsDays      int               `json:"payment_terms_days"`
	MethodOfPayment       string            `json:"method_of_payment" doc:"How the customer usually pays; a new invoice takes it when it names none."`
	CreditLimit           string            `json:"credit_limit" doc:"Decimal in the billing currency; 0 means none."`
	SalesTaxGroup         string            `json:"sales_tax_group"`
	SAPID                 string            `json:"sap_id" doc:"External ERP (SAP) id."`
	BillingContractNumber string            `json:"billing_contract_number"`
	SalesAccountExecutive string            `json:"sales_account_executive"`
	ParentID              string            `json:"parent_id" doc:"The reseller account this is a sub-account of."`
	PostingProfile        string            `json:"posting_profile" doc:"Chooses the receivables account; empty means the default profile."`
	CustomFields          map[string]string `json:"custom_fields"`
	Archived              bool              `json:"archived"`
	ArchivedAt            *time.Time        `json:"archived_at,omitempty"`
	CreatedAt             time.Time         `json:"created_at"`
	UpdatedAt             time.Time         `json:"updated_at"`
}

func customerOut(c billing.Customer) Customer {
	limit := core.Fixed(c.CreditLimit)
	contacts := c.Contacts
	if contacts == nil {
		contacts = []billing.Contact{}
	}
	fields := c.CustomFields
	if fields == nil {
		fields = map[string]string{}
	}
	b := c.Billing
	return Customer{ID: c.ID, Number: c.Number, Name: c.Name, Contacts: contacts,
		Billing:        BillingInfo{LegalName: b.LegalName, Address: b.Address, TaxID: b.TaxID, Email: b.Email, Language: b.Language, Currency: b.Currency},
		HasBillingInfo: c.HasBillingInfo, InvoiceAccountID: c.InvoiceAccountID, PaymentTermsDays: c.PaymentTermsDays, MethodOfPayment: c.MethodOfPayment, CreditLimit: limit,
		SalesTaxGroup: c.SalesTaxGroup, SAPID: c.SAPID, BillingContractNumber: c.BillingContractNumber,
		SalesAccountExecutive: c.SalesAccountExecutive, ParentID: c.ParentID, PostingProfile: c.PostingProfile, CustomFields: fields,
		Archived: c.ArchivedAt != nil, ArchivedAt: c.ArchivedAt, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

// BillingInfoInput sets billing information; omitted fields stay.
type BillingInfoInput struct {
	LegalName *string          `json:"legal_name,omitempty" maxLength:"200"`
	Address   *billing.Address `json:"address,omitempty"`
	TaxID     *string          `json:"tax_id,omitempty" maxLength:"32"`
	Email     *string          `json:"email,omitempty" maxLength:"254" doc:"Where invoices are sent."`
	Language  *string          `json:"language,omitempty" doc:"en, es or pt-BR"`
	Currency  *string          `json:"currency,omitempty" doc:"ISO 4217, e.g. EUR"`
}

// CustomerInput creates or changes a customer; omitted fields stay.
type CustomerInput struct {
	Number                *string            `json:"number,omitempty" doc:"Unique per tenant; assigned from the customer series when omitted on create."`
	Name                  *string            `json:"name,omitempty" maxLength:"200" doc:"Required on create."`
	Contacts              *[]billing.Contact `json:"contacts,omitempty" maxItems:"50"`
	Billing               *BillingInfoInput  `json:"billing,omitempty"`
	InvoiceAccountID      *string            `json:"invoice_account_id,omitempty"`
	PaymentTermsDays      *int               `json:"payment_terms_days,omitempty" doc:"Net days; 30 when omitted on create."`
	MethodOfPayment       *string            `json:"method_of_payment,omitempty" maxLength:"100" doc:"How the customer usually pays, e.g. \"Bank transfer\"; a new invoice takes it when it names none."`
	CreditLimit           *string            `json:"credit_limit,omitempty" doc:"Decimal string, e.g. \"5000.00\"."`
	SalesTaxGroup         *string            `json:"sales_tax_group,omitempty"`
	SAPID                 *string            `json:"sap_id,omitempty"`
	BillingContractNumber *string            `json:"billing_contract_number,omitempty"`
	SalesAccountExecutive *string            `json:"sales_account_executive,omitempty"`
	ParentID              *string            `json:"parent_id,omitempty"`
	PostingProfile        *string            `json:"posting_profile,omitempty"`
	CustomFields          *map[string]string `json:"custom_fields,omitempty"`
}

func (in CustomerInput) toService() service.CustomerInput {
	out := service.CustomerInput{Number: in.Number, Name: in.Name, Contacts: in.Contacts, InvoiceAccountID: in.InvoiceAccountID,
		PaymentTermsDays: in.PaymentTermsDays, MethodOfPayment: in.MethodOfPayment, CreditLimit: in.CreditLimit, SalesTaxGroup: in.SalesTaxGroup, SAPID: in.SAPID,
		BillingContractNumber: in.BillingContractNumber, SalesAccountExecutive: in.SalesAccountExecutive, ParentID: in.ParentID,
		PostingProfile: in.PostingProfile, CustomFields: in.CustomFields}
	if b := in.Billing; b != nil {
		out.Billing = &service.BillingInput{LegalName: b.LegalName, Address: b.Address, TaxID: b.TaxID, Email: b.Email, Language: b.Language, Currency: b.Currency}
	}
	return out
}

func (h *Handlers) registerCustomers(api huma.API) {
	tags := []string{"Customers"}
	type listIn struct {
		core.PageParams
		Q              string `query:"q" maxLength:"200" doc:"Search number, name, legal name, billing email, tax id, SAP id and contract number (case- and accent-insensitive)."`
		Archived       string `query:"archived" enum:"exclude,include,only" default:"exclude"`
		HasBillingInfo string `query:"has_billing_info" enum:"true,false," doc:"Only customers with (true) or without (false) complete billing information."`
		Currency       string `query:"currency"`
		Country        string `query:"country"`
		ParentID       string `query:"parent_id"`
		SalesTaxGroup  string `query:"sales_tax_group"`
		Sort           string `query:"sort" enum:"number,name,created_at,updated_at,-number,-name,-created_at,-updated_at" default:"number" doc:"Column to sort by; a leading - sorts descending."`
	}
	core.Op(api, huma.Operation{OperationID: "list-customers", Method: http.MethodGet, Path: "/api/v1/customers", Summary: "List customers", Tags: tags},
		func(ctx context.Context, p access.Principal, in *listIn) (*core.Body[core.List[Customer]], error) {
			f := service.CustomerFilter{Query: in.Q, Archived: in.Archived, Currency: in.Currency, Country: in.Country,
				ParentID: in.ParentID, SalesTaxGroup: in.SalesTaxGroup, Sort: in.Sort, Page: in.Page()}
			if len(f.Sort) > 0 && f.Sort[0] == '-' {
				f.Sort, f.Desc = f.Sort[1:], true
			}
			if in.HasBillingInfo != "" {
				v := in.HasBillingInfo == "true"
				f.HasBillingInfo = &v
			}
			page, err := h.Svc.ListCustomers(ctx, p, f)
			if err != nil {
				return nil, err
			}
			return core.ListOf(page, customerOut), nil
		})
	type createIn struct {
		core.IdempotencyHeader
		Body CustomerInput
	}
	core.Op(api, huma.Operation{OperationID: "create-customer", Method: http.MethodPost, Path: "/api/v1/customers", Summary: "Create a customer", Tags: tags},
		func(ctx context.Context, p access.Principal, in *createIn) (*core.Body[Customer], error) {
			c, err := h.Svc.CreateCustomer(ctx, p, in.Body.toService())
			if err != nil {
				return nil, err
			}
			return &core.Body[Customer]{Body: customerOut(c)}, nil
		})
	type idIn struct {
		ID string `path:"id"`
	}
	core.Op(api, huma.Operation{OperationID: "get-customer", Method: http.MethodGet, Path: "/api/v1/customers/{id}", Summary: "Get a customer", Tags: tags},
		func(ctx context.Context, p access.Principal, in *idIn) (*core.Body[Customer], error) {
			c, err := h.Svc.GetCustomer(ctx, p, in.ID)
			if err != nil {
				return nil, err
			}
			return &core.Body[Customer]{Body: customerOut(c)}, nil
		})
	type patchIn struct {
		ID   string `path:"id"`
		Body CustomerInput
	}
	core.Op(api, huma.Operation{OperationID: "update-customer", Method: http.MethodPatch, Path: "/api/v1/customers/{id}", Summary: "Change a customer",
		Description: "Omitted fields stay. Finance users and the customer itself may change billing information only.", Tags: tags},
		func(ctx context.Context, p access.Principal, in *patchIn) (*core.Body[Customer], error) {
			c, err := h.Svc.UpdateCustomer(ctx, p, in.ID, in.Body.toService())
			if err != nil {
				return nil, err
			}
			return &core.Body[Customer]{Body: customerOut(c)}, nil
		})
	type actionIn struct {
		core.IdempotencyHeader
		ID string `path:"id"`
	}
	for _, a := range []struct {
		id, path, summary string
		archive           bool
	}{{"archive-customer", "archive", "Archive a customer", true}, {"restore-customer", "restore", "Restore an archived customer", false}} {
		core.Op(api, huma.Operation{OperationID: a.id, Method: http.MethodPost, Path: "/api/v1/customers/{id}/" + a.path, Summary: a.summary,
			Tags: tags, DefaultStatus: http.StatusOK},
			func(ctx context.Context, p access.Principal, in *actionIn) (*core.Body[Customer], error) {
				c, err := h.Svc.SetCustomerArchived(ctx, p, in.ID, a.archive)
				if err != nil {
					return nil, err
				}
				return &core.Body[Customer]{Body: customerOut(c)}, nil
			})
	}
}
