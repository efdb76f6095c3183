package invoicing

import (
	"github.com/facturo/facturo/api/core"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/service"
)

// InvoiceCharge is a header charge as the API shows it (seed 004: freight,
// a handling fee): taxed like a line of its groups, posted to its account.
type InvoiceCharge struct {
	Position          int      `json:"position"`
	Code              string   `json:"code"`
	Description       string   `json:"description"`
	Account           string   `json:"account" doc:"The ledger account the charge's net is credited to."`
	SalesTaxGroup     string   `json:"sales_tax_group"`
	ItemSalesTaxGroup string   `json:"item_sales_tax_group"`
	Amount            string   `json:"amount" doc:"Net, in the document's currency."`
	TaxCodes          []string `json:"tax_codes"`
	TaxAmount         string   `json:"tax_amount" doc:"The charge's share of the tax of its code."`
}

// ChargeInput is one header charge to save.
type ChargeInput struct {
	Code              string  `json:"code,omitempty" maxLength:"50" doc:"A short code, e.g. FREIGHT; the description when that is omitted."`
	Description       string  `json:"description,omitempty" maxLength:"1000"`
	Account           string  `json:"account" doc:"The ledger account the charge posts to: an active revenue account of the chart."`
	SalesTaxGroup     *string `json:"sales_tax_group,omitempty" doc:"Defaults to the customer's sales tax group."`
	ItemSalesTaxGroup string  `json:"item_sales_tax_group,omitempty"`
	Amount            string  `json:"amount" doc:"Net amount in the document's currency, above 0, e.g. \"12.50\"."`
}

// chargesOut is the API form of a document's charges.
func chargesOut(inv billing.Invoice) []InvoiceCharge {
	out := make([]InvoiceCharge, 0, len(inv.Charges))
	for _, ch := range inv.Charges {
		out = append(out, InvoiceCharge{Position: ch.Position, Code: ch.Code, Description: ch.Description, Account: ch.Account,
			SalesTaxGroup: ch.SalesTaxGroup, ItemSalesTaxGroup: ch.ItemSalesTaxGroup, Amount: core.Fixed(ch.Amount),
			TaxCodes: append([]string{}, ch.TaxCodes...), TaxAmount: core.Fixed(ch.TaxAmount)})
	}
	return out
}

// chargesIn is the service form of the charges to save.
func chargesIn(in *[]ChargeInput) *[]service.ChargeInput {
	if in == nil {
		return nil
	}
	out := make([]service.ChargeInput, 0, len(*in))
	for _, c := range *in {
		out = append(out, service.ChargeInput{Code: c.Code, Description: c.Description, Account: c.Account,
			SalesTaxGroup: c.SalesTaxGroup, ItemSalesTaxGroup: c.ItemSalesTaxGroup, Amount: c.Amount})
	}
	return &out
}
