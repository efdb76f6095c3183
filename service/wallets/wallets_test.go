package wallets

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/money"
	"github.com/facturo/facturo/service/usecase/usecasetest"
	"github.com/facturo/facturo/wallet"
)

func refusingService(t *testing.T) *Service {
	return New(Stores{Wallets: usecasetest.Refusing[WalletsTx](t), Settings: usecasetest.Refusing[SettingsTx](t)}, Deps{PageLimit: 500},
		func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) })
}

func ptr[T any](v T) *T { return &v }

// Every use case refuses a caller without its permission, and refused
// input, before it opens a transaction.
func TestRefusedBeforeAnyTransaction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sales := access.Principal{TenantID: "t1", UserID: "u1", Role: access.Sales, Name: "S"}
	finance := access.Principal{TenantID: "t1", UserID: "u2", Role: access.Finance, Name: "F"}
	manager := access.Principal{TenantID: "t1", UserID: "u3", Role: access.FinanceManager, Name: "M"}
	admin := access.Principal{TenantID: "t1", UserID: "u4", Role: access.Administrator, Name: "A"}
	customer := access.Principal{TenantID: "t1", UserID: "u5", Role: access.Customer, CustomerID: "own", Name: "C"}
	nobody := access.Principal{}
	cases := []struct {
		name string
		call func(s *Service) error
		kind fail.Code
	}{
		{"reading the settings needs a tenant", func(s *Service) error {
			_, err := s.GetWalletSettings(ctx, nobody)
			return err
		}, fail.Unauthenticated},
		{"reading the settings needs settings.read", func(s *Service) error {
			_, err := s.GetWalletSettings(ctx, customer)
			return err
		}, fail.Forbidden},
		{"setting the settings needs tenant.manage", func(s *Service) error {
			_, err := s.SetWalletSettings(ctx, manager, DefaultWalletSettings)
			return err
		}, fail.Forbidden},
		{"settings attempts 1 to 20", func(s *Service) error {
			_, err := s.SetWalletSettings(ctx, admin, WalletSettings{RechargeMaxAttempts: 21, RechargeBackoffSecs: 60})
			return err
		}, fail.Invalid},
		{"patching the settings needs tenant.manage", func(s *Service) error {
			_, err := s.UpdateWalletSettings(ctx, manager, WalletSettingsPatch{ReceiptEmails: ptr(true)})
			return err
		}, fail.Forbidden},
		{"patched backoff 1 to 86400 seconds", func(s *Service) error {
			_, err := s.UpdateWalletSettings(ctx, admin, WalletSettingsPatch{RechargeBackoffSecs: ptr(0)})
			return err
		}, fail.Invalid},
		{"saving a wallet needs wallets.manage", func(s *Service) error {
			_, err := s.SaveWallet(ctx, finance, "c", WalletInput{})
			return err
		}, fail.Forbidden},
		{"a customer saves only its own wallet", func(s *Service) error {
			_, err := s.SaveWallet(ctx, customer, "other", WalletInput{AutoRecharge: ptr(true)})
			return err
		}, fail.NotFound},
		{"a customer sets automatic recharge only", func(s *Service) error {
			_, err := s.SaveWallet(ctx, customer, "own", WalletInput{CreditRate: ptr("2")})
			return err
		}, fail.Forbidden},
		{"a wallet's threshold is a decimal", func(s *Service) error {
			_, err := s.SaveWallet(ctx, manager, "c", WalletInput{RechargeThreshold: ptr("ten")})
			return err
		}, fail.Invalid},
		{"reading a wallet needs wallets.manage", func(s *Service) error {
			_, err := s.GetWallet(ctx, sales, "c")
			return err
		}, fail.Forbidden},
		{"a customer reads only its own wallet", func(s *Service) error {
			_, err := s.GetWallet(ctx, customer, "other")
			return err
		}, fail.NotFound},
		{"movements need wallets.manage", func(s *Service) error {
			_, err := s.ListWalletMovements(ctx, finance, "c", 10)
			return err
		}, fail.Forbidden},
		{"a customer lists only its own movements", func(s *Service) error {
			_, err := s.ListWalletMovements(ctx, customer, "other", 10)
			return err
		}, fail.NotFound},
		{"recharges need a tenant", func(s *Service) error {
			_, err := s.ListWalletRecharges(ctx, nobody, "c")
			return err
		}, fail.Unauthenticated},
		{"granting credits is for staff", func(s *Service) error {
			_, err := s.GrantCredits(ctx, customer, "own", "10", calendar.Date{}, "")
			return err
		}, fail.Forbidden},
		{"a grant's reason at most 500 characters", func(s *Service) error {
			_, err := s.GrantCredits(ctx, manager, "c", "10", calendar.Date{}, strings.Repeat("x", 501))
			return err
		}, fail.Invalid},
		{"a grant is above 0", func(s *Service) error {
			_, err := s.GrantCredits(ctx, manager, "c", "0", calendar.Date{}, "")
			return err
		}, fail.Invalid},
		{"adding funds needs wallets.manage", func(s *Service) error {
			_, err := s.AddFunds(ctx, sales, "c", "10")
			return err
		}, fail.Forbidden},
		{"a customer funds only its own wallet", func(s *Service) error {
			_, err := s.AddFunds(ctx, customer, "other", "10")
			return err
		}, fail.NotFound},
		{"funds are a decimal", func(s *Service) error {
			_, err := s.AddFunds(ctx, customer, "own", "ten")
			return err
		}, fail.Invalid},
		{"drawing needs wallets.manage", func(s *Service) error {
			_, err := s.DrawWallet(ctx, finance, UsageCharge{CustomerID: "c", Amount: "1", Description: "d"})
			return err
		}, fail.Forbidden},
		{"a draw's ref at most 200 characters", func(s *Service) error {
			_, err := s.DrawWallet(ctx, manager, UsageCharge{CustomerID: "c", Ref: strings.Repeat("r", 201), Amount: "1", Description: "d"})
			return err
		}, fail.Invalid},
		{"a draw names what it charges", func(s *Service) error {
			_, err := s.DrawWallet(ctx, manager, UsageCharge{CustomerID: "c", Amount: "1", Description: "  "})
			return err
		}, fail.Invalid},
		{"a draw is above 0", func(s *Service) error {
			_, err := s.DrawWallet(ctx, manager, UsageCharge{CustomerID: "c", Amount: "-1", Description: "d"})
			return err
		}, fail.Invalid},
		{"recharges run for a tenant", func(s *Service) error {
			_, err := s.ProcessWalletRecharges(ctx, "", 10)
			return err
		}, fail.Unauthenticated},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			err := c.call(refusingService(t))
			if !fail.Is(err, c.kind) {
				t.Fatalf("got %v, want a %s error", err, c.kind)
			}
		})
	}
}

// parseAmount refuses what is not a positive amount with the currency's digits.
func TestParseAmount(t *testing.T) {
	t.Parallel()
	cases := []struct {
		v, cur string
		ok     bool
	}{
		{"25.00", "EUR", true},
		{"25.001", "EUR", false},
		{"25.5", "JPY", false},
		{"25", "JPY", true},
		{"0", "EUR", false},
		{"-1", "EUR", false},
		{"ten", "EUR", false},
	}
	for _, c := range cases {
		d, err := parseAmount("amount", c.v, c.cur)
		if c.ok != (err == nil) {
			t.Errorf("parseAmount(%q, %s) = %v, %v; want ok %v", c.v, c.cur, d, err, c.ok)
		}
		if err != nil && !fail.Is(err, fail.Invalid) {
			t.Errorf("parseAmount(%q, %s): %v is not a field error", c.v, c.cur, err)
		}
	}
}

type oneWallet struct {
	w   wallet.Wallet
	err error
}

func (o oneWallet) GetWallet(context.Context, string, string) (wallet.Wallet, error) {
	return o.w, o.err
}

// RemovalCheck refuses only while the wallet recharges automatically.
func TestRemovalCheck(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cases := []struct {
		name string
		tx   oneWallet
		want fail.Code // "" for none
	}{
		{"no wallet", oneWallet{err: fail.NotFoundf("no wallet")}, ""},
		{"manual top-ups", oneWallet{w: wallet.Wallet{Currency: "EUR", PaidBalance: money.In(decimal.NewFromInt(5), "EUR")}}, ""},
		{"automatic recharge", oneWallet{w: wallet.Wallet{AutoRecharge: true}}, fail.Conflict},
	}
	for _, c := range cases {
		err := RemovalCheck(ctx, c.tx, "t", "c")
		if c.want == "" && err != nil || c.want != "" && !fail.Is(err, c.want) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
	}
}
