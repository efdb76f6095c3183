package receivables

import (
	"testing"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
)

func TestPlanRefund(t *testing.T) {
	t.Parallel()
	pay := usdPayment("100")
	pay.Unapplied = u("10")
	apps := []Application{{InvoiceID: "inv_1", Amount: u("50"), Reversed: u("0")}, {InvoiceID: "inv_2", Amount: u("40"), Reversed: u("0")}}
	inv1 := usdInvoice("inv_1", "0", "0.91", "0")
	inv1.Status, inv1.CloseReason, inv1.Paid = billing.Closed, "settled by Payment pay_1", u("50")
	inv2 := usdInvoice("inv_2", "0", "0.9", "0")
	inv2.Paid = u("40")
	split, err := SplitRefund(pay, u("60"), apps)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := PlanRefund(testAccounts, pay, u("60"), split, apps, []Document{inv2, inv1}, "rfd_1")
	if err != nil {
		t.Fatal(err)
	}
	if !plan.Payment.Unapplied.IsZero() || !plan.Payment.Refunded.Equal(u("60")) {
		t.Errorf("payment = %+v", plan.Payment)
	}
	if len(plan.Documents) != 2 || plan.Documents[0].Reopen || !plan.Documents[1].Reopen ||
		plan.Documents[1].WasCloseReason != "settled by Payment pay_1" || !plan.Documents[1].Document.Balance.Equal(u("10")) {
		t.Errorf("documents = %+v", plan.Documents)
	}
	if !plan.Applications[1].Reversed.Equal(u("40")) || !plan.Applications[0].Reversed.Equal(u("10")) {
		t.Errorf("applications = %+v", plan.Applications)
	}
	// bank 54.00 credit; credit 9.00 + recv 36.00 + 9.10 debit; rounding takes the 0.10.
	if net(plan.Entry.Lines, "bank") != "-54.00" || net(plan.Entry.Lines, "credit") != "9.00" ||
		net(plan.Entry.Lines, "recv") != "45.10" || net(plan.Entry.Lines, "rounding") != "-0.10" {
		t.Errorf("lines = %+v", plan.Entry.Lines)
	}
	if plan.Refund.ID != "rfd_1" || !plan.Refund.AmountAccounting.Equal(a("54.00")) || plan.Entry.Description != "Refund rfd_1 of payment pay_1" {
		t.Errorf("refund = %+v, entry %q", plan.Refund, plan.Entry.Description)
	}

	// The same invoice twice: the second take sees the first.
	twice := []Application{{InvoiceID: "inv_2", Amount: u("20"), Reversed: u("0")}, {InvoiceID: "inv_2", Amount: u("20"), Reversed: u("0")}}
	p2 := usdPayment("40")
	p2.Unapplied = u("0")
	s2, _ := SplitRefund(p2, u("40"), twice)
	plan2, err := PlanRefund(testAccounts, p2, u("40"), s2, twice, []Document{inv2, inv2}, "rfd_2")
	if err != nil || len(plan2.Documents) != 1 || !plan2.Documents[0].Document.Balance.Equal(u("40")) {
		t.Errorf("same invoice twice = %+v, %v", plan2.Documents, err)
	}

	void := inv2
	void.Status = billing.Void
	if _, err := PlanRefund(testAccounts, pay, u("60"), split, apps, []Document{void, inv1}, "rfd_3"); fail.CodeOf(err) != fail.Conflict {
		t.Errorf("void invoice: %v", err)
	}
	if _, err := PlanRefund(testAccounts, pay, u("60"), split, apps, nil, "rfd_4"); err == nil {
		t.Error("missing invoices accepted")
	}
	noProfile := inv2
	noProfile.PostingProfile = "missing"
	if _, err := PlanRefund(testAccounts, pay, u("60"), split, apps, []Document{noProfile, inv1}, "rfd_5"); fail.CodeOf(err) != fail.Invalid {
		t.Errorf("missing profile: %v", err)
	}
	eurDoc := Document{ID: "e", Status: billing.Open, Balance: a("1")}
	if _, err := PlanRefund(testAccounts, pay, u("60"), split, apps, []Document{eurDoc, inv1}, "rfd_6"); err == nil {
		t.Error("invoice in another currency accepted")
	}
	over := RefundSplit{FromCredit: u("0"), Uncovered: u("5")}
	if _, err := PlanRefund(testAccounts, pay, u("5"), over, nil, nil, "rfd_7"); err == nil {
		t.Error("uncovered refund accepted")
	}
}
