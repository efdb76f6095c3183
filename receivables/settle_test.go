package receivables

import (
	"testing"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/money"
)

func TestPlanSettlement(t *testing.T) {
	t.Parallel()
	pay := usdPayment("30")
	cn := usdInvoice("cn_1", "50", "0.9", "45.00")
	cn.Kind = billing.KindCreditNote
	inv1 := usdInvoice("inv_1", "60", "0.9", "54.00")
	inv2 := usdInvoice("inv_2", "40", "0.9", "36.00")
	plan, err := PlanSettlement(testAccounts, "cus_1", []Source{{Payment: &pay}, {CreditNote: &cn}}, []*Document{&inv1, &inv2})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		typ, src, inv, amount string
	}{{SourcePayment, "pay_1", "inv_1", "30"}, {SourceCreditNote, "cn_1", "inv_1", "30"}, {SourceCreditNote, "cn_1", "inv_2", "20"}}
	if len(plan.Applications) != len(want) {
		t.Fatalf("applications = %+v", plan.Applications)
	}
	for i, w := range want {
		ap := plan.Applications[i]
		if ap.SourceType != w.typ || ap.SourceID != w.src || ap.InvoiceID != w.inv || !ap.Amount.Equal(u(w.amount)) {
			t.Errorf("application %d = %+v, want %+v", i, ap, w)
		}
	}
	closed := map[string]bool{}
	for _, c := range plan.Documents {
		if c.Close {
			closed[c.Document.ID] = c.CloseReason == "settled by Settlement cus_1"
		}
	}
	if len(closed) != 2 || !closed["inv_1"] || !closed["cn_1"] {
		t.Errorf("closed = %v, want inv_1 and cn_1", closed)
	}
	if len(plan.Payments) != 1 || !plan.Payments[0].Unapplied.IsZero() {
		t.Errorf("payments = %+v", plan.Payments)
	}
	if net(plan.Entry.Lines, "credit") != "27.00" || net(plan.Entry.Lines, "recv") != "-27.00" {
		t.Errorf("lines = %+v", plan.Entry.Lines)
	}
	if !inv2.Balance.Equal(u("20")) || !inv2.Paid.IsZero() {
		t.Errorf("inv_2 = %s paid %s, want 20 paid 0", inv2.Balance, inv2.Paid)
	}
	empty, err := PlanSettlement(testAccounts, "cus_1", nil, []*Document{&inv2})
	if err != nil || len(empty.Applications) != 0 || len(empty.Entry.Lines) != 0 {
		t.Errorf("nothing to settle = %+v, %v", empty, err)
	}
	bad := usdInvoice("inv_3", "10", "1", "10")
	bad.PostingProfile = "missing"
	cn2 := usdInvoice("cn_2", "5", "1", "5")
	if _, err := PlanSettlement(testAccounts, "cus_1", []Source{{CreditNote: &cn2}}, []*Document{&bad}); fail.CodeOf(err) != fail.Invalid {
		t.Errorf("invoice without profile: %v", err)
	}
	cn3 := cn2
	cn3.PostingProfile = "missing"
	inv4 := usdInvoice("inv_4", "10", "1", "10")
	if _, err := PlanSettlement(testAccounts, "cus_1", []Source{{CreditNote: &cn3}}, []*Document{&inv4}); fail.CodeOf(err) != fail.Invalid {
		t.Errorf("credit note without profile: %v", err)
	}
	eurCN := Document{ID: "cn_e", Balance: a("5")}
	if _, err := PlanSettlement(testAccounts, "cus_1", []Source{{CreditNote: &eurCN}}, []*Document{&inv4}); err == nil {
		t.Error("credit in another currency accepted")
	}
}

func TestSplitRefund(t *testing.T) {
	t.Parallel()
	apps := []Application{{Amount: u("40"), Reversed: u("0")}, {Amount: u("30"), Reversed: u("30")}, {Amount: u("20"), Reversed: u("5")}}
	tests := []struct {
		name, amount, unapplied string
		credit                  string
		takes                   map[int]string
		uncovered               string
	}{
		{"from credit only", "5", "10", "5", nil, "0"},
		{"credit, then newest application first", "30", "10", "10", map[int]string{2: "15", 0: "5"}, "0"},
		{"more than the applications", "80", "10", "10", map[int]string{2: "15", 0: "40"}, "15"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pay := usdPayment("100")
			pay.Unapplied = u(tt.unapplied)
			s, err := SplitRefund(pay, u(tt.amount), apps)
			if err != nil {
				t.Fatal(err)
			}
			if !s.FromCredit.Equal(u(tt.credit)) || !s.Uncovered.Equal(u(tt.uncovered)) || len(s.Takes) != len(tt.takes) {
				t.Fatalf("split = %+v", s)
			}
			for _, tk := range s.Takes {
				if !tk.Amount.Equal(u(tt.takes[tk.Application])) {
					t.Errorf("take %d = %s, want %s", tk.Application, tk.Amount, tt.takes[tk.Application])
				}
			}
			if len(s.Takes) == 2 && s.Takes[0].Application != 2 {
				t.Errorf("first take from application %d, want the newest (2)", s.Takes[0].Application)
			}
		})
	}
	if _, err := SplitRefund(usdPayment("100"), u("200"), []Application{{Amount: u("5"), Reversed: u("0")}, {Amount: a("5"), Reversed: money.Zero(eur)}}); err == nil {
		t.Error("application in another currency accepted")
	}
}

func TestRefundable(t *testing.T) {
	t.Parallel()
	pay := usdPayment("10")
	for _, tt := range []struct {
		status billing.Status
		reason string
		want   bool
	}{
		{billing.Open, "", true}, {billing.Closed, "settled by Payment pay_1", true},
		{billing.Closed, "written off", false}, {billing.Void, "", false},
	} {
		d := Document{Label: "INV-1", Status: tt.status, CloseReason: tt.reason}
		if Refundable(d) != tt.want {
			t.Errorf("Refundable(%s %q) = %v", tt.status, tt.reason, !tt.want)
		}
		err := CheckRefundTake(pay, d, u("3"))
		if (err == nil) != tt.want || (err != nil && fail.CodeOf(err) != fail.Conflict) {
			t.Errorf("CheckRefundTake(%s %q) = %v", tt.status, tt.reason, err)
		}
	}
}
