package form

import (
	"net/url"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service"
)

// TestParseCharges: the charges section's rows become the draft's charges,
// blank rows skipped and each typed row keeping its position among the
// charges (the field names of its errors); a form without the section
// leaves the draft's charges alone.
func TestParseCharges(t *testing.T) {
	t.Parallel()
	f := url.Values{"charges_form": {"1"}, "sales_tax_group": {"DOM"},
		"charge_code":                 {"FREIGHT", "", "HANDLING", ""},
		"charge_description":          {"Portes", "", "", ""},
		"charge_account":              {"4300", "", "4100", ""},
		"charge_item_sales_tax_group": {"FULL", "", "RED", ""},
		"charge_amount":               {" 4,95 ", "", "2.50", ""}}
	var in service.InvoiceInput
	rows := ParseCharges(f, &in)
	if in.Charges == nil || len(*in.Charges) != 2 {
		t.Fatalf("charges %+v", in.Charges)
	}
	got := *in.Charges
	if got[0].Code != "FREIGHT" || got[0].Amount != "4,95" || got[0].SalesTaxGroup == nil || *got[0].SalesTaxGroup != "DOM" ||
		got[1].Code != "HANDLING" || got[1].Account != "4100" || got[1].ItemSalesTaxGroup != "RED" {
		t.Errorf("charges %+v", got)
	}
	if len(rows) != 4 || rows[0].Pos != 0 || rows[1].Pos != -1 || rows[2].Pos != 1 || rows[2].Index != 2 || rows[0].Amount != "4,95" {
		t.Errorf("rows %+v", rows)
	}
	var none service.InvoiceInput
	if r := ParseCharges(url.Values{"charge_amount": {"1"}}, &none); r != nil || none.Charges != nil {
		t.Errorf("a form without the section: rows %v, charges %v", r, none.Charges)
	}
	var cleared service.InvoiceInput
	ParseCharges(url.Values{"charges_form": {"1"}, "charge_amount": {""}}, &cleared)
	if cleared.Charges == nil || len(*cleared.Charges) != 0 {
		t.Errorf("all rows blank: charges %v, want none (removing them)", cleared.Charges)
	}
}

// TestChargeRows: the section shows the typed rows after a failed save,
// else the draft's stored charges, then two blank rows.
func TestChargeRows(t *testing.T) {
	t.Parallel()
	draft := &billing.Invoice{Currency: "EUR", Charges: []billing.Charge{{Code: "FREIGHT", Description: "Portes", Account: "4300",
		ItemSalesTaxGroup: "FULL", Amount: money.In(dec("4.9"), "EUR")}}}
	rows := ChargeRows(nil, draft)
	if len(rows) != 3 || rows[0].Amount != "4.90" || rows[0].Pos != 0 || rows[1].Pos != -1 || rows[2].Index != 2 {
		t.Errorf("stored: %+v", rows)
	}
	posted := []ChargeRow{{Index: 0, Pos: 0, Amount: "x"}, {Index: 1, Pos: -1}, {Index: 2, Pos: -1}}
	if rows := ChargeRows(posted, draft); len(rows) != 3 || rows[0].Amount != "x" || rows[2].Index != 2 {
		t.Errorf("posted: %+v", rows)
	}
	if rows := ChargeRows(nil, nil); len(rows) != 2 || rows[0].Index != 0 || rows[1].Index != 1 {
		t.Errorf("new: %+v", rows)
	}
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }
