package receivables

import (
	"testing"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
)

func TestCheckAllocations(t *testing.T) {
	t.Parallel()
	inv := usdInvoice("inv_1", "60", "0.9", "54.00")
	inv2 := usdInvoice("inv_2", "10", "0.9", "9.00")
	cn := usdInvoice("cn_1", "5", "0.9", "4.50")
	cn.Kind = billing.KindCreditNote
	other := usdInvoice("inv_3", "5", "0.9", "4.50")
	other.AccountID = "cus_2"
	targets, err := CheckAllocations([]Allocation{{InvoiceID: "inv_1", Amount: "20"}, {InvoiceID: "inv_2"}}, []*Document{&inv, &inv2}, "cus_1", usd)
	if err != nil || len(targets) != 2 || !targets[0].Explicit || !targets[0].Amount.Equal(u("20")) || targets[1].Explicit {
		t.Fatalf("targets = %+v, %v", targets, err)
	}
	in := []Allocation{{InvoiceID: "inv_1", Amount: "0"}, {InvoiceID: "inv_1"}, {InvoiceID: "nope"}, {InvoiceID: "cn_1"},
		{InvoiceID: "inv_3"}, {InvoiceID: "inv_2", Amount: "11"}, {InvoiceID: "inv_4", Amount: "1.001"}, {InvoiceID: "inv_5", Amount: "x"}}
	inv4, inv5 := inv2, inv2
	inv4.ID, inv5.ID = "inv_4", "inv_5"
	_, err = CheckAllocations(in, []*Document{&inv, nil, nil, &cn, &other, &inv2, &inv4, &inv5}, "cus_1", usd)
	want := []string{"invoices[0].amount", "invoices[1].invoice_id", "invoices[2].invoice_id", "invoices[3].invoice_id",
		"invoices[4].invoice_id", "invoices[5].amount", "invoices[6].amount", "invoices[7].amount", "invoices[7].amount"}
	got := fields(err)
	if len(got) != len(want) {
		t.Fatalf("fields = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("field %d = %s, want %s", i, got[i], want[i])
		}
	}
}

func TestCardPaymentAmount(t *testing.T) {
	t.Parallel()
	inv := usdInvoice("inv_1", "100", "0.9", "90.00")
	inv.CashDiscountDue = u("2")
	cn := inv
	cn.Kind = billing.KindCreditNote
	closed := inv
	closed.Status = billing.Closed
	tests := []struct {
		name   string
		doc    Document
		amount string
		want   string
		code   fail.Code
	}{
		{"balance less the cash discount", inv, "", "98", ""},
		{"partial", inv, "40", "40", ""},
		{"credit note", cn, "", "", fail.Conflict},
		{"closed", closed, "", "", fail.Conflict},
		{"not a decimal", inv, "x", "", fail.Invalid},
		{"not positive", inv, "-1", "", fail.Invalid},
		{"more than owed", inv, "100.01", "", fail.Invalid},
		{"too many decimals", inv, "1.001", "", fail.Invalid},
	}
	for _, tt := range tests {
		got, err := CardPaymentAmount(tt.doc, "cus_1", tt.amount)
		if fail.CodeOf(err) != tt.code {
			t.Errorf("%s: err %v, want %q", tt.name, err, tt.code)
		} else if err == nil && !got.Equal(u(tt.want)) {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}
