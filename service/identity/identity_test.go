package identity_test

// The identity use cases on the real store of both engines, wired straight
// onto it through their own narrow transactions: every write is refused
// before it reads its input when the caller lacks the permission, and a
// write that fails in its transaction leaves neither its change nor an
// audit entry. The behaviour tests of each use case are the root service's
// (users_test.go, apikeys_test.go, audit_test.go, …).

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/access"
	"github.com/facturo/facturo/billing"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/ledger"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/service/identity"
	"github.com/facturo/facturo/service/usecase"
	"github.com/facturo/facturo/store"
	"github.com/facturo/facturo/tax"
)

func newIdentity(db *store.DB) *identity.Service {
	return identity.New(identity.Stores{
		Users:    usecase.Narrow[identity.UsersTx, service.Tx](db, func(tx service.Tx) identity.UsersTx { return tx }),
		Tenants:  usecase.Narrow[identity.TenantsTx, service.Tx](db, func(tx service.Tx) identity.TenantsTx { return tx }),
		Settings: usecase.Narrow[identity.SettingsTx, service.Tx](db, func(tx service.Tx) identity.SettingsTx { return tx }),
		Keys:     db,
	}, func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }, access.LeastPasswordCost)
}

// rows counts the rows of the tables identity writes.
func rows(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, tb := range []string{"tenants", "users", "api_keys", "audit_log", "tax_codes", "tax_groups", "ledger_accounts", "posting_profiles", "number_series"} {
		var n int
		if err := db.SQL().QueryRowContext(context.Background(), `SELECT count(*) FROM `+tb).Scan(&n); err != nil {
			t.Fatalf("count %s: %v", tb, err)
		}
		out[tb] = n
	}
	return out
}

func sameRows(t *testing.T, db *store.DB, before map[string]int) {
	t.Helper()
	for tb, n := range rows(t, db) {
		if n != before[tb] {
			t.Errorf("%s: %d rows before, %d after a write that failed", tb, before[tb], n)
		}
	}
}

func TestWritesRefuseFirst(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newIdentity(db)
		tn, err := s.CreateTenant(ctx, billing.Tenant{Name: "Refusals S.A.", Currency: "EUR", TimeZone: "Europe/Madrid"})
		if err != nil {
			t.Fatal(err)
		}
		engineer := access.Principal{TenantID: tn.ID, UserID: "usr_eng", Role: access.Engineer, Name: "Eng"}
		apiKey := access.Principal{TenantID: tn.ID, APIKeyID: "key_1", Role: access.Administrator, Name: "key"}
		bad := "\x00" // invalid wherever it goes: the refusal must come before the input check
		cases := []struct {
			name string
			call func(p access.Principal) error
			p    access.Principal
			code fail.Code
		}{
			{"CreateUser", func(p access.Principal) error {
				_, err := s.CreateUser(ctx, p, identity.NewUser{Email: bad})
				return err
			}, engineer, fail.Forbidden},
			{"UpdateUser", func(p access.Principal) error {
				_, err := s.UpdateUser(ctx, p, "usr_x", identity.UserPatch{Name: &bad})
				return err
			}, engineer, fail.Forbidden},
			{"SetPasswords", func(p access.Principal) error { return s.SetPasswords(ctx, p, []string{"usr_x"}, bad) }, engineer, fail.Forbidden},
			{"CreateAPIKey", func(p access.Principal) error {
				_, err := s.CreateAPIKey(ctx, p, identity.NewAPIKey{Name: bad})
				return err
			}, engineer, fail.Forbidden},
			{"RevokeAPIKey", func(p access.Principal) error { return s.RevokeAPIKey(ctx, p, "key_x") }, engineer, fail.Forbidden},
			{"UpdateTenant", func(p access.Principal) error {
				_, err := s.UpdateTenant(ctx, p, identity.TenantPatch{Name: &bad})
				return err
			}, engineer, fail.Forbidden},
			{"UpsertTaxCode", func(p access.Principal) error {
				_, err := s.UpsertTaxCode(ctx, p, tax.Code{Code: bad})
				return err
			}, engineer, fail.Forbidden},
			{"UpsertTaxGroup", func(p access.Principal) error {
				_, err := s.UpsertTaxGroup(ctx, p, tax.Group{Code: bad})
				return err
			}, engineer, fail.Forbidden},
			{"SetTaxMode", func(p access.Principal) error { return s.SetTaxMode(ctx, p, tax.Mode(bad)) }, engineer, fail.Forbidden},
			{"UpsertAccount", func(p access.Principal) error {
				_, err := s.UpsertAccount(ctx, p, ledger.Account{Code: bad})
				return err
			}, engineer, fail.Forbidden},
			{"UpsertPostingProfile", func(p access.Principal) error {
				_, err := s.UpsertPostingProfile(ctx, p, ledger.PostingProfile{Code: bad})
				return err
			}, engineer, fail.Forbidden},
			{"SetSeries", func(p access.Principal) error { return s.SetSeries(ctx, p, bad, bad) }, engineer, fail.Forbidden},
			{"SetMyLanguage as a key", func(p access.Principal) error {
				_, err := s.SetMyLanguage(ctx, p, "es")
				return err
			}, apiKey, fail.Unauthenticated},
		}
		before := rows(t, db)
		for _, tt := range cases {
			t.Run(tt.name, func(t *testing.T) {
				if got := fail.CodeOf(tt.call(tt.p)); got != tt.code {
					t.Errorf("code %q, want %q", got, tt.code)
				}
			})
		}
		sameRows(t, db, before)
	})
}

func TestFailedWritesLeaveNoAudit(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := newIdentity(db)
		tn, err := s.CreateTenant(ctx, billing.Tenant{Name: "Failures S.A.", Currency: "EUR", TimeZone: "Europe/Madrid"})
		if err != nil {
			t.Fatal(err)
		}
		admin := access.System(tn.ID, "test")
		lastAdmin, err := s.CreateUser(ctx, admin, identity.NewUser{Email: "only@f.test", Name: "Only", Role: "administrator", Password: "a-long-password-1"})
		if err != nil {
			t.Fatal(err)
		}
		day := 40
		cases := []struct {
			name string
			call func() error
		}{
			{"user for a missing customer", func() error {
				_, err := s.CreateUser(ctx, admin, identity.NewUser{Email: "c@f.test", Name: "C", Role: "customer", CustomerID: "cus_missing", Password: "a-long-password-1"})
				return err
			}},
			{"key for a missing customer", func() error {
				_, err := s.CreateAPIKey(ctx, admin, identity.NewAPIKey{Name: "portal", Role: "customer", CustomerID: "cus_missing"})
				return err
			}},
			{"disable the last administrator", func() error {
				_, err := s.UpdateUser(ctx, admin, lastAdmin.ID, identity.UserPatch{Disabled: new(true)})
				return err
			}},
			{"revoke a missing key", func() error { return s.RevokeAPIKey(ctx, admin, "key_missing") }},
			{"billing run day out of range", func() error {
				_, err := s.UpdateTenant(ctx, admin, identity.TenantPatch{BillingRunDay: &day})
				return err
			}},
			{"tax code on a missing account", func() error {
				_, err := s.UpsertTaxCode(ctx, admin, tax.Code{Code: "VAT21", Name: "VAT", Rate: decimal.NewFromInt(21), Category: tax.Standard, Account: "9999"})
				return err
			}},
			{"tax group of a missing code", func() error {
				_, err := s.UpsertTaxGroup(ctx, admin, tax.Group{Code: "ES", Kind: tax.SalesGroup, Name: "Spain", Codes: []string{"NOPE"}})
				return err
			}},
			{"archive a system account", func() error {
				_, err := s.UpsertAccount(ctx, admin, ledger.Account{Code: "1100", Name: "AR", Type: ledger.Asset, Archived: true})
				return err
			}},
			{"posting profile on a missing account", func() error {
				_, err := s.UpsertPostingProfile(ctx, admin, ledger.PostingProfile{Code: "EXPORT", ReceivablesAccount: "9999"})
				return err
			}},
		}
		before := rows(t, db)
		for _, tt := range cases {
			t.Run(tt.name, func(t *testing.T) {
				if err := tt.call(); err == nil {
					t.Fatal("the write succeeded; want it refused in its transaction")
				}
			})
		}
		sameRows(t, db, before)
		// And a write that succeeds leaves exactly its audit entry.
		if _, err := s.UpsertAccount(ctx, admin, ledger.Account{Code: "4300", Name: "Revenue: training", Type: ledger.Revenue}); err != nil {
			t.Fatal(err)
		}
		after := rows(t, db)
		if after["audit_log"] != before["audit_log"]+1 || after["ledger_accounts"] != before["ledger_accounts"]+1 {
			t.Errorf("a saved account left %d audit entries and %d accounts, want one of each",
				after["audit_log"]-before["audit_log"], after["ledger_accounts"]-before["ledger_accounts"])
		}
	})
}
