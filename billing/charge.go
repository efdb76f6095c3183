package billing

import (
	"fmt"
	"strings"

	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/money"
)

// Charge is a charge on the document's header rather than on a line (seed
// 004: freight, a handling fee): an amount in the document's currency,
// taxed like a line of its tax groups and posted to its own ledger
// account. Charges add to the net, to the tax of their codes and to the
// total; a credit note copies them as it copies the lines (and posts their
// mirror). In an e-invoice they are document-level charges (EN 16931 BG-21).
type Charge struct {
	Position          int          `json:"position"`
	Code              string       `json:"code"`        // the charge's short code, e.g. FREIGHT
	Description       string       `json:"description"` // what the customer reads
	Account           string       `json:"account"`     // the ledger account its net is credited to
	SalesTaxGroup     string       `json:"sales_tax_group"`
	ItemSalesTaxGroup string       `json:"item_sales_tax_group"`
	Amount            money.Amount `json:"amount"` // net, in the document's currency
	// Computed by Compute and stored:
	TaxCodes  []string     `json:"tax_codes"`
	TaxAmount money.Amount `json:"tax_amount"` // this charge's share of the tax of its code
}

// MaxCharges is the most charges one document carries.
const MaxCharges = 50

// chargePrefix names charge j in error fields.
func chargePrefix(j int) string { return fmt.Sprintf("charges[%d]", j) }

// bind puts the charge's amounts in the document's currency cur.
func (ch *Charge) bind(cur money.Currency) {
	ch.Amount = money.New(ch.Amount.Decimal(), cur)
	ch.TaxAmount = money.New(ch.TaxAmount.Decimal(), cur)
}

// check validates charge j (its amounts bound to cur) and tidies its text.
func (ch *Charge) check(c *fail.Collector, j int, cur money.Currency) {
	p := chargePrefix(j)
	ch.Position = j + 1
	ch.Code = strings.ToUpper(strings.TrimSpace(ch.Code))
	ch.Description = strings.TrimSpace(ch.Description)
	ch.Account = strings.TrimSpace(ch.Account)
	if ch.Description == "" {
		ch.Description = ch.Code
	}
	if ch.Description == "" {
		c.Add(p+".description", "is required")
	} else {
		checkTextIn(c, p, ".description", ch.Description, 1000)
	}
	if ch.Code != "" {
		checkTextIn(c, p, ".code", ch.Code, 50)
	}
	if ch.Account == "" {
		c.Add(p+".account", "is required: the ledger account the charge posts to")
	}
	if ch.Amount.Sign() <= 0 {
		c.Add(p+".amount", "must be above 0")
	} else if !ch.Amount.IsRounded() {
		c.Add(p+".amount", "has more decimals than %s allows (%d)", cur.Code(), cur.Digits())
	} else if tooLarge(ch.Amount.Decimal()) {
		c.Add(p+".amount", "is too large")
	}
}

// ChargeTotal is the sum of the document's charges (EN 16931 BT-108).
func (inv Invoice) ChargeTotal() money.Amount {
	cur := inv.Cur()
	sum := money.Zero(cur)
	for _, ch := range inv.Charges {
		sum = sum.MustAdd(money.New(ch.Amount.Decimal(), cur))
	}
	return sum
}

// LineTotal is the sum of the document's line amounts (EN 16931 BT-106):
// the net without the charges.
func (inv Invoice) LineTotal() money.Amount {
	return money.New(inv.Net.Decimal(), inv.Cur()).MustSub(inv.ChargeTotal())
}
