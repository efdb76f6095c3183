package wallet_test

import (
	"slices"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/wallet"
)

// eurA is the amount s in euros.
func eurA(s string) money.Amount { return money.In(d(s), "EUR") }

func TestWalletNormalize(t *testing.T) {
	t.Parallel()
	valid := func() wallet.Wallet {
		return wallet.Wallet{Currency: "EUR", CreditRate: d("100"), RechargeThreshold: eurA("10"), RechargeAmount: eurA("50"), AutoRecharge: true}
	}
	tests := []struct {
		name   string
		change func(*wallet.Wallet)
		fields []string
	}{
		{"valid", func(*wallet.Wallet) {}, nil},
		{"no auto-recharge, no amount", func(w *wallet.Wallet) { w.AutoRecharge, w.RechargeAmount = false, eurA("0") }, nil},
		{"unknown currency", func(w *wallet.Wallet) { w.Currency = "EURO" }, []string{"currency"}},
		{"zero credit rate", func(w *wallet.Wallet) { w.CreditRate = d("0") }, []string{"credit_rate"}},
		{"credit rate with 7 decimals", func(w *wallet.Wallet) { w.CreditRate = d("0.0000001") }, []string{"credit_rate"}},
		{"negative threshold", func(w *wallet.Wallet) { w.RechargeThreshold = eurA("-1") }, []string{"recharge_threshold"}},
		{"negative amount", func(w *wallet.Wallet) { w.RechargeAmount = eurA("-1") }, []string{"recharge_amount"}},
		{"threshold with 3 decimals", func(w *wallet.Wallet) { w.RechargeThreshold = eurA("1.001") }, []string{"recharge_threshold"}},
		{"amount with 3 decimals", func(w *wallet.Wallet) { w.RechargeAmount = eurA("1.001") }, []string{"recharge_amount"}},
		{"JPY amount with decimals", func(w *wallet.Wallet) { w.Currency, w.RechargeAmount = "JPY", money.In(d("1.5"), "JPY") }, []string{"recharge_amount"}},
		{"auto-recharge of nothing", func(w *wallet.Wallet) { w.RechargeAmount = eurA("0") }, []string{"recharge_amount"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := valid()
			tt.change(&w)
			if got := invalidFields(t, w.Normalize()); !slices.Equal(got, tt.fields) {
				t.Fatalf("fields %v, want %v", got, tt.fields)
			}
		})
	}
}

func TestNeedsRecharge(t *testing.T) {
	t.Parallel()
	on := wallet.Wallet{AutoRecharge: true, RechargeThreshold: eurA("10"), RechargeAmount: eurA("50")}
	tests := []struct {
		name    string
		w       wallet.Wallet
		balance string
		want    bool
	}{
		{"below the threshold", on, "9.99", true},
		{"negative balance", on, "-5", true},
		{"at the threshold", on, "10", false},
		{"above", on, "11", false},
		{"auto-recharge off", wallet.Wallet{RechargeThreshold: eurA("10"), RechargeAmount: eurA("50")}, "0", false},
		{"no amount", wallet.Wallet{AutoRecharge: true, RechargeThreshold: eurA("10")}, "0", false},
		{"one under way", wallet.Wallet{AutoRecharge: true, RechargeThreshold: eurA("10"), RechargeAmount: eurA("50"), PendingRechargeID: "r"}, "0", false},
	}
	for _, tt := range tests {
		if got := tt.w.NeedsRecharge(eurA(tt.balance)); got != tt.want {
			t.Errorf("%s: NeedsRecharge(%s) = %v, want %v", tt.name, tt.balance, got, tt.want)
		}
	}
}

func TestRechargeDelay(t *testing.T) {
	t.Parallel()
	tests := []struct {
		base    time.Duration
		attempt int
		want    time.Duration
	}{
		{time.Minute, 0, time.Minute},
		{time.Minute, 1, time.Minute},
		{time.Minute, 2, 2 * time.Minute},
		{time.Minute, 5, 16 * time.Minute},
		{time.Hour, 5, 16 * time.Hour},
		{time.Hour, 6, 24 * time.Hour},
		{time.Minute, 1000, 24 * time.Hour},
		{48 * time.Hour, 1, 24 * time.Hour},
	}
	for _, tt := range tests {
		if got := wallet.RechargeDelay(tt.base, tt.attempt); got != tt.want {
			t.Errorf("RechargeDelay(%s, %d) = %s, want %s", tt.base, tt.attempt, got, tt.want)
		}
	}
}

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// invalidFields are the fields err names as invalid input, sorted, once each.
func invalidFields(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	e, ok := fail.As(err)
	if !ok || e.Code != fail.Invalid {
		t.Fatalf("error %v is not invalid input", err)
	}
	var out []string
	for _, f := range e.Fields {
		if f.Message == "" {
			t.Errorf("field %s has no message", f.Field)
		}
		out = append(out, f.Field)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
