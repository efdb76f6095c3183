package receivables

import (
	"fmt"
	"strings"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/money"
)

// Allocation asks to apply an amount to one invoice ("" amount: as much as fits).
type Allocation struct {
	InvoiceID string
	Amount    string
}

// CheckAllocations checks the invoices a payment of customerID in cur is to
// be applied to (service loadAllocations): docs[i] is the invoice of in[i]
// as loaded (nil: not found; not looked at for a repeated id). It returns
// the targets, in order, and every field at fault.
func CheckAllocations(in []Allocation, docs []*Document, customerID string, cur money.Currency) ([]Target, error) {
	var c fail.Collector
	var out []Target
	seen := map[string]bool{}
	for i, a := range in {
		f := fmt.Sprintf("invoices[%d]", i)
		if seen[a.InvoiceID] {
			c.Add(f+".invoice_id", "invoice %s is listed twice", a.InvoiceID)
			continue
		}
		seen[a.InvoiceID] = true
		if i >= len(docs) || docs[i] == nil {
			c.Add(f+".invoice_id", "no invoice %q", a.InvoiceID)
			continue
		}
		d := *docs[i]
		if d.Kind != billing.KindInvoice {
			c.Add(f+".invoice_id", "%s is a credit note: apply credit notes with POST /api/v1/customers/{id}/settle", d.Label)
			continue
		}
		if err := CheckOpenForSettlement(d, customerID, cur); err != nil {
			c.Add(f+".invoice_id", "%s", err.Error())
			continue
		}
		t := Target{Document: d}
		if strings.TrimSpace(a.Amount) != "" {
			amt := money.CollectDecimal(&c, f+".amount", a.Amount, "12.50")
			if !amt.IsPositive() {
				c.Add(f+".amount", "must be positive")
			} else if amt.GreaterThan(d.Balance.Decimal()) {
				c.Add(f+".amount", "is more than the %s %s invoice %s still owes", d.Balance.Decimal(), d.Currency(), d.Label)
			} else if !cur.Round(amt).Equal(amt) {
				c.Add(f+".amount", "has more decimals than %s allows", cur)
			}
			t.Amount, t.Explicit = money.New(amt, cur), true
		}
		out = append(out, t)
	}
	return out, c.Err()
}

// CardPaymentAmount checks what a card payment of invoice d charges (service
// PayInvoice): amount, or by default the balance less the cash discount
// due (d.CashDiscountDue, taken on today: the card payment's date).
func CardPaymentAmount(d Document, customerID, amount string) (money.Amount, error) {
	if d.Kind != billing.KindInvoice {
		return money.Amount{}, fail.Conflictf("%s is a credit note: it is not paid by card", d.Label)
	}
	if err := CheckOpenForSettlement(d, customerID, d.Currency()); err != nil {
		return money.Amount{}, err
	}
	if strings.TrimSpace(amount) == "" {
		return d.Balance.MustSub(d.CashDiscountDue), nil // by the cash-discount date, the discounted amount settles it
	}
	var c fail.Collector
	amt := money.CollectDecimal(&c, "amount", amount, "12.50")
	if err := c.Err(); err != nil {
		return money.Amount{}, err
	}
	switch {
	case !amt.IsPositive():
		return money.Amount{}, fail.Field("amount", "must be positive")
	case amt.GreaterThan(d.Balance.Decimal()):
		return money.Amount{}, fail.Field("amount", "is more than the %s %s invoice %s still owes", d.Balance.Decimal(), d.Currency(), d.Label)
	case !d.Currency().Round(amt).Equal(amt):
		return money.Amount{}, fail.Field("amount", "has more decimals than %s allows", d.Currency())
	}
	return money.New(amt, d.Currency()), nil
}
