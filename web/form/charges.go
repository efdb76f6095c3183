package form

import (
	"net/url"
	"strings"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/service"
)

// The invoice editor's "Charges" section (seed 004: charges on the header,
// such as freight or a handling fee, each posted to its own ledger
// account). Its markup is the partial "charges" (partials.html); the
// editor's handler reads the posted rows with ParseCharges.

// ChargeRow is one row of the charges section: a stored charge, or what
// the user typed. Pos is the charge's index among the rows not left blank
// (the service names errors "charges[Pos].field"), −1 for a blank row.
type ChargeRow struct {
	Index, Pos                                            int
	Code, Description, Account, ItemSalesTaxGroup, Amount string
}

// chargeBlankRows is how many blank rows the section offers after the
// charges, for new ones.
const chargeBlankRows = 2

// chargesFormField marks a form that carries the charges section: a form
// without it leaves the draft's charges as they are.
const chargesFormField = "charges_form"

// ParseCharges reads the charges section of a posted editor form f into
// in: the rows not left blank replace the draft's charges (none removes
// them), with the document's sales tax group when the form chose one. It
// returns every row as typed, to redisplay after a failed save; nil, and
// in untouched, when the form has no charges section.
func ParseCharges(f url.Values, in *service.InvoiceInput) []ChargeRow {
	if f.Get(chargesFormField) == "" {
		return nil
	}
	code, desc, account, group, amount := f["charge_code"], f["charge_description"], f["charge_account"], f["charge_item_sales_tax_group"], f["charge_amount"]
	at := func(s []string, i int) string {
		if i < len(s) {
			return strings.TrimSpace(s[i])
		}
		return ""
	}
	n := max(len(code), len(desc), len(account), len(group), len(amount))
	rows := make([]ChargeRow, 0, n)
	charges := []service.ChargeInput{}
	salesGroup := strings.TrimSpace(f.Get("sales_tax_group"))
	for i := range n {
		row := ChargeRow{Index: i, Pos: -1, Code: at(code, i), Description: at(desc, i), Account: at(account, i),
			ItemSalesTaxGroup: at(group, i), Amount: at(amount, i)}
		if row.Code != "" || row.Description != "" || row.Amount != "" {
			row.Pos = len(charges)
			ci := service.ChargeInput{Code: row.Code, Description: row.Description, Account: row.Account,
				ItemSalesTaxGroup: row.ItemSalesTaxGroup, Amount: row.Amount}
			if salesGroup != "" {
				ci.SalesTaxGroup = &salesGroup
			}
			charges = append(charges, ci)
		}
		rows = append(rows, row)
	}
	in.Charges = &charges
	return rows
}

// ChargeRows is what the charges section shows: the rows as posted
// when the form was (a failed save), else the stored charges of draft (nil
// for a new one), then blank rows.
func ChargeRows(posted []ChargeRow, draft *billing.Invoice) []ChargeRow {
	rows := posted
	if rows == nil && draft != nil {
		for j, ch := range draft.Charges {
			rows = append(rows, ChargeRow{Index: j, Pos: j, Code: ch.Code, Description: ch.Description, Account: ch.Account,
				ItemSalesTaxGroup: ch.ItemSalesTaxGroup, Amount: ch.Amount.Fixed()})
		}
	}
	// Keep the typed rows, without the blank ones at the end, and offer new blank rows.
	for len(rows) > 0 && rows[len(rows)-1].Pos < 0 {
		rows = rows[:len(rows)-1]
	}
	for range chargeBlankRows {
		rows = append(rows, ChargeRow{Index: len(rows), Pos: -1})
	}
	return rows
}
