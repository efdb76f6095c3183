package store_test

import (
	"context"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/facturo/facturo/calendar"
	"github.com/facturo/facturo/fail"
	"github.com/facturo/facturo/internal/testdb"
	"github.com/facturo/facturo/service"
	"github.com/facturo/facturo/store"
)

// TestExchangeRateStore: rates keep every decimal exactly on both engines,
// the rate of a date is the latest on or before it, a currency and date
// hold one rate, and every query stays inside its tenant; a run's skipped
// groups are replaced per account by a later attempt.
func TestExchangeRateStore(t *testing.T) {
	t.Parallel()
	testdb.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, b := insertTenant(t, db), insertTenant(t, db)
		d := func(s string) calendar.Date {
			v, err := calendar.Parse(s)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		r := func(cur, date, rate string) service.ExchangeRate {
			return service.ExchangeRate{Currency: cur, Date: d(date), Rate: decimal.RequireFromString(rate), UpdatedAt: at(1)}
		}
		mustWrite(t, db, func(tx service.Tx) error {
			if err := tx.UpsertExchangeRates(ctx, a.ID, []service.ExchangeRate{r("USD", "2026-01-01", "0.9"), r("USD", "2026-03-01", "0.1234567891"),
				r("GBP", "2026-01-01", "1.17")}); err != nil {
				return err
			}
			if err := tx.UpsertExchangeRates(ctx, a.ID, []service.ExchangeRate{r("USD", "2026-01-01", "0.91")}); err != nil {
				return err
			}
			return tx.UpsertExchangeRates(ctx, b.ID, []service.ExchangeRate{r("USD", "2026-02-01", "5")})
		})
		mustRead(t, db, func(tx service.Tx) error {
			for _, c := range []struct {
				tenant, date, want string
				ok                 bool
			}{
				{a.ID, "2025-12-31", "", false},
				{a.ID, "2026-01-01", "0.91", true},
				{a.ID, "2026-02-28", "0.91", true}, // not B's 2026-02-01 rate
				{a.ID, "2026-03-01", "0.1234567891", true},
				{a.ID, "2027-01-01", "0.1234567891", true},
				{b.ID, "2026-01-15", "", false},
				{b.ID, "2026-12-31", "5", true},
			} {
				got, ok, err := tx.ExchangeRateOn(ctx, c.tenant, "USD", d(c.date))
				if err != nil {
					return err
				}
				if ok != c.ok || (ok && got.Rate.String() != c.want) {
					t.Errorf("USD on %s in %s: %v %v, want %s %v", c.date, c.tenant, got.Rate, ok, c.want, c.ok)
				}
				if ok {
					wantUTC(t, "updated_at", got.UpdatedAt)
				}
			}
			all, err := tx.ListExchangeRates(ctx, a.ID, service.ExchangeRateFilter{})
			if err != nil {
				return err
			}
			if len(all) != 3 || all[0].Currency != "GBP" || all[1].Date != d("2026-03-01") || all[2].Rate.String() != "0.91" {
				t.Errorf("A's rates: %+v", all)
			}
			some, err := tx.ListExchangeRates(ctx, a.ID, service.ExchangeRateFilter{Currency: "USD", From: d("2026-02-01"), To: d("2026-03-01")})
			if err != nil {
				return err
			}
			if len(some) != 1 || some[0].Rate.String() != "0.1234567891" {
				t.Errorf("A's USD rates in February and March: %+v", some)
			}
			return nil
		})
		err := db.Write(ctx, func(tx service.Tx) error { return tx.DeleteExchangeRate(ctx, b.ID, "USD", d("2026-01-01")) })
		if !fail.Is(err, fail.NotFound) {
			t.Errorf("B deletes A's rate: %v, want not_found", err)
		}
		mustWrite(t, db, func(tx service.Tx) error { return tx.DeleteExchangeRate(ctx, a.ID, "USD", d("2026-03-01")) })
		mustRead(t, db, func(tx service.Tx) error {
			got, ok, err := tx.ExchangeRateOn(ctx, a.ID, "USD", d("2027-01-01"))
			if err != nil || !ok || got.Rate.String() != "0.91" {
				t.Errorf("after delete: %v %v %v", got.Rate, ok, err)
			}
			return nil
		})

		// Skipped groups: a later attempt replaces an account's groups.
		skip := func(acct, cur string) service.SkippedGroup {
			return service.SkippedGroup{AccountID: acct, CustomerNumber: "C-" + acct, Provider: "AWS", Currency: cur, Items: 2, Reason: "no rate", At: at(2)}
		}
		mustWrite(t, db, func(tx service.Tx) error {
			if err := tx.SetBillingRunSkips(ctx, a.ID, "run_1", []string{"x", "y"}, []service.SkippedGroup{skip("x", "USD"), skip("y", "GBP")}); err != nil {
				return err
			}
			return tx.SetBillingRunSkips(ctx, b.ID, "run_1", []string{"x"}, []service.SkippedGroup{skip("x", "JPY")})
		})
		mustWrite(t, db, func(tx service.Tx) error {
			return tx.SetBillingRunSkips(ctx, a.ID, "run_1", []string{"x"}, nil) // x was billed on a second attempt
		})
		mustRead(t, db, func(tx service.Tx) error {
			got, err := tx.BillingRunSkips(ctx, a.ID, []string{"run_1", "run_2"})
			if err != nil {
				return err
			}
			if len(got) != 1 || len(got["run_1"]) != 1 || got["run_1"][0].AccountID != "y" || got["run_1"][0].Currency != "GBP" {
				t.Errorf("A's skipped groups: %+v", got)
			}
			return nil
		})
	})
}
