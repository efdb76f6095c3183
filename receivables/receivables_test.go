package receivables

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/wallet"
)

var (
	eur = money.MustCurrency("EUR")
	usd = money.MustCurrency("USD")
)

func a(s string) money.Amount { return money.New(decimal.RequireFromString(s), eur) }

func amounts(ss ...string) []money.Amount {
	out := make([]money.Amount, len(ss))
	for i, s := range ss {
		out[i] = a(s)
	}
	return out
}

func TestFill(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		amount    string
		claims    []Claim
		wantParts []string
		wantLeft  string
	}{
		{"oldest first, rest left over", "150", []Claim{{Limit: a("100")}, {Limit: a("30")}}, []string{"100", "30"}, "20"},
		{"runs out part-way", "120", []Claim{{Limit: a("100")}, {Limit: a("30")}, {Limit: a("5")}}, []string{"100", "20", "0"}, "0"},
		{"fixed part taken as asked", "100", []Claim{{Limit: a("40"), Fixed: true}, {Limit: a("100")}}, []string{"40", "60"}, "0"},
		{"fixed part after the amount ran out overdraws", "100", []Claim{{Limit: a("100")}, {Limit: a("50"), Fixed: true}}, []string{"100", "50"}, "-50"},
		{"a claim getting nothing ends the fill", "100", []Claim{{Limit: a("100")}, {Limit: a("10")}, {Limit: a("50"), Fixed: true}}, []string{"100", "0", "0"}, "0"},
		{"no claims", "7", nil, []string{}, "7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			parts, left, err := Fill(a(tt.amount), tt.claims)
			if err != nil {
				t.Fatal(err)
			}
			if len(parts) != len(tt.wantParts) {
				t.Fatalf("parts = %v, want %v", parts, tt.wantParts)
			}
			for i, p := range parts {
				if !p.Equal(a(tt.wantParts[i])) {
					t.Errorf("part %d = %s, want %s", i, p, tt.wantParts[i])
				}
			}
			if !left.Equal(a(tt.wantLeft)) {
				t.Errorf("left = %s, want %s", left, tt.wantLeft)
			}
		})
	}
	if _, _, err := Fill(a("1"), []Claim{{Limit: money.New(decimal.NewFromInt(1), usd)}}); err == nil {
		t.Error("Fill accepted a claim in another currency")
	}
}

func TestMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		supply, demand []money.Amount
		want           []Pair
	}{
		{"one payment over two invoices", amounts("150"), amounts("100", "80"),
			[]Pair{{0, 0, a("100")}, {0, 1, a("50")}}},
		{"two sources into one invoice", amounts("30", "50"), amounts("60"),
			[]Pair{{0, 0, a("30")}, {1, 0, a("30")}}},
		{"empty sources and paid invoices are skipped", amounts("0", "40"), amounts("0", "25", "25"),
			[]Pair{{1, 1, a("25")}, {1, 2, a("15")}}},
		{"nothing to match", nil, amounts("10"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Match(tt.supply, tt.demand)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("pairs = %v, want %v", got, tt.want)
			}
			for i, p := range got {
				w := tt.want[i]
				if p.Supply != w.Supply || p.Demand != w.Demand || !p.Amount.Equal(w.Amount) {
					t.Errorf("pair %d = %+v, want %+v", i, p, w)
				}
			}
		})
	}
	if _, err := Match(amounts("5"), []money.Amount{money.New(decimal.NewFromInt(1), usd)}); err == nil {
		t.Error("Match accepted amounts in two currencies")
	}
}

func TestPlanDraw(t *testing.T) {
	t.Parallel()
	lots := []Lot{{ID: "g1", Remaining: a("10")}, {ID: "g2", Remaining: a("5")}}
	tests := []struct {
		name                string
		amount, paid        string
		lots                []Lot
		allowNegative       bool
		comp, paidW, billed string
		fromLots            map[string]string
	}{
		{"lots first, then paid", "20", "100", lots, false, "15", "5", "0", map[string]string{"g1": "10", "g2": "5"}},
		{"lots cover it", "8", "100", lots, false, "8", "0", "0", map[string]string{"g1": "8"}},
		{"paid down to zero, rest billed", "30", "10", lots, false, "15", "10", "5", map[string]string{"g1": "10", "g2": "5"}},
		{"no paid balance: billed", "7", "0", nil, false, "0", "0", "7", nil},
		{"allow negative covers everything", "30", "10", lots, true, "15", "15", "0", map[string]string{"g1": "10", "g2": "5"}},
		{"negative paid balance: lots, then billed", "9", "-3", lots[1:], false, "5", "0", "4", map[string]string{"g2": "5"}},
		{"negative paid balance, lots cover it", "5", "-3", lots, false, "5", "0", "0", map[string]string{"g1": "5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := PlanDraw(a(tt.amount), a(tt.paid), tt.lots, tt.allowNegative)
			if err != nil {
				t.Fatal(err)
			}
			if !p.Comp.Equal(a(tt.comp)) || !p.Paid.Equal(a(tt.paidW)) || !p.Billed.Equal(a(tt.billed)) {
				t.Errorf("comp/paid/billed = %s/%s/%s, want %s/%s/%s", p.Comp, p.Paid, p.Billed, tt.comp, tt.paidW, tt.billed)
			}
			if len(p.FromLots) != len(tt.fromLots) {
				t.Errorf("from lots = %v, want %v", p.FromLots, tt.fromLots)
			}
			if sum := p.Comp.MustAdd(p.Paid).MustAdd(p.Billed); !sum.Equal(a(tt.amount)) {
				t.Errorf("parts add up to %s, want %s", sum, tt.amount)
			}
			for id, w := range tt.fromLots {
				if !p.FromLots[id].Equal(a(w)) {
					t.Errorf("lot %s = %s, want %s", id, p.FromLots[id], w)
				}
			}
		})
	}
	other := money.New(decimal.NewFromInt(1), usd)
	if _, err := PlanDraw(a("5"), a("5"), []Lot{{ID: "x", Remaining: other}}, false); err == nil {
		t.Error("PlanDraw accepted a lot in another currency")
	}
	if _, err := PlanDraw(a("5"), other, nil, false); err == nil {
		t.Error("PlanDraw accepted a paid balance in another currency")
	}
}

func TestUsableLots(t *testing.T) {
	t.Parallel()
	today := d("2026-03-10")
	grants := []wallet.Grant{
		{ID: "old", Remaining: a("5"), ExpiresOn: d("2026-03-09")}, // expired
		{ID: "soon", Remaining: a("3"), ExpiresOn: d("2026-03-10")},
		{ID: "empty", Remaining: a("0")},
		{ID: "never", Remaining: a("4")},
	}
	lots := UsableLots(grants, today)
	if len(lots) != 2 || lots[0].ID != "soon" || lots[1].ID != "never" || !lots[0].Remaining.Equal(a("3")) {
		t.Fatalf("lots = %+v, want soon and never", lots)
	}
	p, err := PlanDraw(a("10"), a("10"), lots, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.FromLots["old"]; ok || !p.FromLots["soon"].Equal(a("3")) || !p.FromLots["never"].Equal(a("4")) || !p.Paid.Equal(a("3")) {
		t.Errorf("draw = %+v", p)
	}
	if got := UsableLots(nil, today); len(got) != 0 {
		t.Errorf("no grants: %v", got)
	}
}

func TestCrossesThreshold(t *testing.T) {
	t.Parallel()
	tests := []struct {
		before, after, threshold string
		want                     bool
	}{
		{"50", "10", "20", true},
		{"20", "19.99", "20", true},
		{"19", "10", "20", false},
		{"50", "20", "20", false},
		{"50", "0", "0", false},
	}
	for _, tt := range tests {
		if got := CrossesThreshold(a(tt.before), a(tt.after), a(tt.threshold)); got != tt.want {
			t.Errorf("CrossesThreshold(%s, %s, %s) = %v, want %v", tt.before, tt.after, tt.threshold, got, tt.want)
		}
	}
}

func d(s string) calendar.Date { return calendar.MustParse(s) }

func TestDunning(t *testing.T) {
	t.Parallel()
	if _, err := CheckDunningSchedule([]int{0, 5, 5, 400}); fail.CodeOf(err) != fail.Invalid {
		t.Errorf("bad schedule accepted: %v", err)
	} else if e, _ := fail.As(err); len(e.Fields) != 3 {
		t.Errorf("fields = %v, want 3", e.Fields)
	}
	if _, err := CheckDunningSchedule(make([]int, 11)); err == nil {
		t.Error("11 steps accepted")
	}
	got, err := CheckDunningSchedule(nil)
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("nil schedule = %v, %v; want empty", got, err)
	}
	offsets := []int{1, 15, 30}
	for _, tt := range []struct{ days, step int }{{-3, 0}, {0, 0}, {1, 1}, {14, 1}, {15, 2}, {45, 3}} {
		if got := DunningStep(offsets, tt.days); got != tt.step {
			t.Errorf("DunningStep(%d) = %d, want %d", tt.days, got, tt.step)
		}
	}
	inv := Document{Kind: billing.KindInvoice, Status: billing.PastDue, Balance: a("10"), DueDate: d("2026-01-01")}
	if got := DunningDue(inv, offsets, d("2026-01-16")); got != 2 {
		t.Errorf("DunningDue = %d, want 2", got)
	}
	cn := inv
	cn.Kind = billing.KindCreditNote
	if got := DunningDue(cn, offsets, d("2026-01-16")); got != 0 {
		t.Errorf("credit note reminded: step %d", got)
	}
	for _, tt := range []struct {
		name       string
		status     billing.Status
		balance    string
		step, last int
		want       bool
	}{
		{"new step", billing.PastDue, "10", 2, 1, true},
		{"already sent", billing.PastDue, "10", 2, 2, false},
		{"paid meanwhile", billing.Open, "0", 2, 0, false},
		{"closed meanwhile", billing.Closed, "10", 2, 0, false},
	} {
		doc := inv
		doc.Status, doc.Balance = tt.status, a(tt.balance)
		if got := ReminderToSend(doc, tt.step, tt.last); got != tt.want {
			t.Errorf("%s: ReminderToSend = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestAging(t *testing.T) {
	t.Parallel()
	asOf := d("2026-06-30")
	for _, tt := range []struct {
		due    string
		bucket int
		name   string
	}{
		{"2026-07-10", 0, "current"}, {"2026-06-30", 0, "current"}, {"2026-06-29", 1, "1_30"},
		{"2026-05-31", 1, "1_30"}, {"2026-05-30", 2, "31_60"}, {"2026-04-01", 3, "61_90"}, {"2026-01-01", 4, "over_90"},
	} {
		b := AgingBucketOf(d(tt.due), asOf)
		if b != tt.bucket || AgingBucket(b) != tt.name {
			t.Errorf("due %s: bucket %d %s, want %d %s", tt.due, b, AgingBucket(b), tt.bucket, tt.name)
		}
		if IsPastDue(b) != (tt.bucket > 0) {
			t.Errorf("due %s: IsPastDue = %v", tt.due, IsPastDue(b))
		}
	}
	if AgingBucket(9) != "over_90" {
		t.Error("bucket past the last is not the last")
	}
}
