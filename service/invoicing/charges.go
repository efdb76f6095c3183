package invoicing

import (
	"fmt"
	"strings"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/money"
)

// ChargeInput is one header charge as a client enters it (seed 004:
// freight, a handling fee): a code and description, a net amount in the
// document's currency, its tax groups as a line's, and the ledger account
// it posts to.
type ChargeInput struct {
	Code              string
	Description       string
	Account           string
	SalesTaxGroup     *string // default: the customer's sales tax group
	ItemSalesTaxGroup string
	Amount            string
}

// applyCharges replaces inv's charges with in; customer supplies the
// default sales tax group. Billing.Invoice.Compute validates them.
func applyCharges(c *fail.Collector, inv *billing.Invoice, in []ChargeInput, customer billing.Customer) {
	inv.Charges = make([]billing.Charge, 0, len(in))
	for j, ci := range in {
		ch := billing.Charge{Code: ci.Code, Description: ci.Description, Account: strings.TrimSpace(ci.Account),
			SalesTaxGroup: customer.SalesTaxGroup, ItemSalesTaxGroup: strings.TrimSpace(ci.ItemSalesTaxGroup)}
		if ci.SalesTaxGroup != nil {
			ch.SalesTaxGroup = strings.TrimSpace(*ci.SalesTaxGroup)
		}
		p := fmt.Sprintf("charges[%d].amount", j)
		if strings.TrimSpace(ci.Amount) == "" {
			c.Add(p, "is required")
		} else {
			ch.Amount = money.In(money.CollectDecimal(c, p, ci.Amount, "12.50"), inv.Currency)
		}
		inv.Charges = append(inv.Charges, ch)
	}
}
